// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageCache.h"

#include "imaging/ImageDecoder.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QThread>
#include <QThreadPool>
#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

// The dedicated decoder threads, shared by every cache so that several caches (main view,
// comparison view) together never use more than two cores for full-size decodes.
class DecoderPool : public QThreadPool
{
public:
    DecoderPool();
};

Q_GLOBAL_STATIC(DecoderPool, s_decoderPool)

// One thread for reduced-size previews: small, latency-critical decodes that must not queue behind
// the full-size ones.
class PreviewPool : public QThreadPool
{
public:
    PreviewPool();
};

Q_GLOBAL_STATIC(PreviewPool, s_previewPool)

// Runs from ~QCoreApplication, before static destructors tear down the image plugins that a
// running job might still use: drop queued jobs and let the running ones finish.
void drainDecoderPool()
{
    if (s_decoderPool.exists()) {
        s_decoderPool->clear();
        s_decoderPool->waitForDone();
    }
}

void drainPreviewPool()
{
    if (s_previewPool.exists()) {
        s_previewPool->clear();
        s_previewPool->waitForDone();
    }
}

DecoderPool::DecoderPool()
{
    setObjectName(u"dl::ImageCache decoders"_s);
    setMaxThreadCount(ImageCache::MaxConcurrentDecodes);
    qAddPostRoutine(drainDecoderPool);
}

PreviewPool::PreviewPool()
{
    setObjectName(u"dl::ImageCache previews"_s);
    setMaxThreadCount(1);
    qAddPostRoutine(drainPreviewPool);
}

constexpr int RequestPriority = 1;
constexpr int PrefetchPriority = 0;

} // namespace

// What a job shares with its cache: the cache pointer, cleared under the mutex when the cache is
// destroyed. A job posts its result while holding the mutex, so a posted result is always queued
// before the cache's destructor proceeds (and ~QObject then discards it).
struct ImageCache::Token
{
    QMutex mutex;
    ImageCache *cache = nullptr; // guarded by mutex; null once the cache is gone
    QString previewKey;          // guarded by mutex; the only preview still wanted

    bool alive()
    {
        QMutexLocker locker(&mutex);
        return cache != nullptr;
    }

    bool wantsPreview(const QString &key)
    {
        QMutexLocker locker(&mutex);
        return cache != nullptr && previewKey == key;
    }

    void setPreviewKey(const QString &key)
    {
        QMutexLocker locker(&mutex);
        previewKey = key;
    }
};

ImageCache::ImageCache(qint64 budgetBytes, QObject *parent)
    : QObject(parent)
    , m_token(std::make_shared<Token>())
    , m_budget(qMax<qint64>(0, budgetBytes))
{
    m_token->cache = this;
}

ImageCache::~ImageCache()
{
    QMutexLocker locker(&m_token->mutex);
    m_token->cache = nullptr;
}

QImage ImageCache::request(const QString &key, const QString &path)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (key.isEmpty())
        return QImage();
    m_current = key;
    // Whatever was requested before and has not started is no longer wanted.
    m_pendingRequest = Job();
    m_token->setPreviewKey(QString());

    const auto it = m_entries.find(key);
    if (it != m_entries.end()) {
        it->lastUse = ++m_useClock;
        return it->image;
    }

    m_failed.remove(key); // requested again: try again
    if (m_inFlight.contains(key))
        return QImage(); // its running job delivers it

    m_prefetchQueue.removeIf([&key](const Job &job) { return job.key == key; });
    m_pendingRequest = Job { key, path };
    if (!m_previewSize.isEmpty())
        startPreview(m_pendingRequest);
    pump();
    return QImage();
}

void ImageCache::prefetch(const QList<QPair<QString, QString>> &keysAndPaths)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_prefetchQueue.clear();
    m_prefetchOrder.clear();
    m_prefetchKeys.clear();
    for (const auto &[key, path] : keysAndPaths) {
        if (key.isEmpty() || m_prefetchKeys.contains(key))
            continue;
        m_prefetchKeys.insert(key);
        m_prefetchOrder.append(key);
        if (m_entries.contains(key) || m_inFlight.contains(key) || m_failed.contains(key)
            || key == m_pendingRequest.key) {
            continue;
        }
        m_prefetchQueue.append(Job { key, path });
    }
    pump();
}

bool ImageCache::contains(const QString &key) const
{
    return m_entries.contains(key);
}

QImage ImageCache::cached(const QString &key) const
{
    const auto it = m_entries.constFind(key);
    return it == m_entries.constEnd() ? QImage() : it->image;
}

void ImageCache::clear()
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_entries.clear();
    m_bytes = 0;
    m_failed.clear();
    m_current.clear();
    m_token->setPreviewKey(QString());
    m_pendingRequest = Job();
    m_prefetchQueue.clear();
    m_prefetchOrder.clear();
    m_prefetchKeys.clear();
    ++m_generation; // results of running jobs are now unwanted unless asked for again
}

qint64 ImageCache::bytesUsed() const
{
    return m_bytes;
}

int ImageCache::count() const
{
    return int(m_entries.size());
}

qint64 ImageCache::budgetBytes() const
{
    return m_budget;
}

void ImageCache::setBudgetBytes(qint64 budgetBytes)
{
    m_budget = qMax<qint64>(0, budgetBytes);
    evictToBudget();
}

int ImageCache::decodesStarted() const
{
    return m_decodesStarted;
}

int ImageCache::pendingDecodes() const
{
    return int(m_inFlight.size()) + (m_pendingRequest.key.isEmpty() ? 0 : 1) + int(m_prefetchQueue.size());
}

void ImageCache::setPreviewSize(QSize size)
{
    m_previewSize = size.isValid() ? size : QSize();
}

QSize ImageCache::previewSize() const
{
    return m_previewSize;
}

int ImageCache::previewsStarted() const
{
    return m_previewsStarted;
}

bool ImageCache::waitForDecoders(int msecs)
{
    QDeadlineTimer deadline(msecs < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(msecs));
    const auto remaining = [&deadline] { return deadline.isForever() ? -1 : int(deadline.remainingTime()); };
    return s_decoderPool->waitForDone(remaining()) && s_previewPool->waitForDone(remaining());
}

void ImageCache::startPreview(const Job &job)
{
    ++m_previewsStarted;
    m_token->setPreviewKey(job.key);
    s_previewPool->start([token = m_token, key = job.key, path = job.path, size = m_previewSize] {
        if (!token->wantsPreview(key)) // another image was asked for meanwhile
            return;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return; // the full decode reports it
        const QByteArray bytes = file.readAll();
        // An image that already fits is decoded as fast in full: leave it to the full decode.
        const ImageHeader header = ImageProbe::probe(bytes);
        if (!header.ok() || ImageDecoder::fitSize(header.orientedSize(), size) == header.orientedSize())
            return;
        ImageDecoder::Result result = ImageDecoder::decodeDetailed(bytes, size);
        if (!result.ok())
            return;
        const QSize fullSize = result.header.orientedSize();
        QMutexLocker locker(&token->mutex);
        ImageCache *cache = token->cache;
        if (!cache || token->previewKey != key)
            return;
        QMetaObject::invokeMethod(
            cache,
            [cache, key, preview = std::move(result.image), fullSize] { cache->finishPreview(key, preview, fullSize); },
            Qt::QueuedConnection);
    });
}

void ImageCache::finishPreview(const QString &key, const QImage &preview, QSize fullSize)
{
    // Too late when the full image is here, or when the viewer has moved on.
    if (key != m_current || m_entries.contains(key) || m_failed.contains(key))
        return;
    emit previewReady(key, preview, fullSize);
}

void ImageCache::pump()
{
    while (m_inFlight.size() < MaxConcurrentDecodes) {
        if (!m_pendingRequest.key.isEmpty()) {
            const Job job = std::exchange(m_pendingRequest, Job());
            if (!m_inFlight.contains(job.key))
                startJob(job, true);
            continue;
        }
        if (m_prefetchQueue.isEmpty())
            return;
        const Job job = m_prefetchQueue.takeFirst();
        if (m_entries.contains(job.key) || m_inFlight.contains(job.key) || m_failed.contains(job.key))
            continue;
        startJob(job, false);
    }
}

void ImageCache::startJob(const Job &job, bool requested)
{
    ++m_decodesStarted;
    m_inFlight.insert(job.key, m_generation);

    // The job holds only the token, its key and path, and the generation it belongs to.
    s_decoderPool->start(
        [token = m_token, key = job.key, path = job.path, generation = m_generation] {
            if (!token->alive()) // destroyed while this job was queued
                return;
            QString error;
            QImage image = ImageDecoder::decodeFile(path, &error);
            if (image.isNull() && error.isEmpty()) {
                error = QCoreApplication::translate("dl::ImageCache", "Cannot decode image file \"%1\".")
                            .arg(path);
            }
            QMutexLocker locker(&token->mutex);
            ImageCache *cache = token->cache;
            if (!cache)
                return;
            QMetaObject::invokeMethod(
                cache,
                [cache, key, image = std::move(image), error, generation] {
                    cache->finishJob(key, image, error, generation);
                },
                Qt::QueuedConnection);
        },
        requested ? RequestPriority : PrefetchPriority);
}

void ImageCache::finishJob(const QString &key, const QImage &image, const QString &error, quint64 generation)
{
    m_inFlight.remove(key);
    if (key == m_current)
        m_token->setPreviewKey(QString()); // a preview not started yet would come too late
    const bool wanted = generation == m_generation || key == m_current || m_prefetchKeys.contains(key);
    if (wanted) {
        if (image.isNull())
            m_failed.insert(key, error);
        else
            insert(key, image);
    }
    // Keep the threads busy before telling anyone: a receiver may even delete the cache.
    pump();
    if (!wanted)
        return;
    if (image.isNull())
        emit failed(key, error);
    else
        emit ready(key, image);
}

void ImageCache::insert(const QString &key, const QImage &image)
{
    Entry &entry = m_entries[key];
    m_bytes -= entry.image.sizeInBytes();
    entry.image = image;
    entry.lastUse = ++m_useClock;
    m_bytes += image.sizeInBytes();
    evictToBudget();
}

bool ImageCache::isProtected(const QString &key) const
{
    return key == m_current || m_prefetchKeys.contains(key);
}

void ImageCache::evictToBudget()
{
    while (m_bytes > m_budget) {
        // Least recently used among the unprotected images...
        QString victim;
        quint64 oldest = std::numeric_limits<quint64>::max();
        for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
            if (it->lastUse < oldest && !isProtected(it.key())) {
                oldest = it->lastUse;
                victim = it.key();
            }
        }
        // ...then prefetched images, farthest ahead first; never the current one.
        for (qsizetype i = m_prefetchOrder.size() - 1; victim.isEmpty() && i >= 0; --i) {
            const QString &key = m_prefetchOrder.at(i);
            if (key != m_current && m_entries.contains(key))
                victim = key;
        }
        if (victim.isEmpty())
            return;
        m_bytes -= m_entries.take(victim).image.sizeInBytes();
    }
}

} // namespace dl
