// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageCache.h"

#include "imaging/ImageDecoder.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
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
    // Guarded by mutex; the id of the only preview still wanted (0: none). Only lets preview jobs
    // skip work that would be dropped: what is delivered is decided on the cache's thread.
    quint64 previewId = 0;

    bool alive()
    {
        QMutexLocker locker(&mutex);
        return cache != nullptr;
    }

    bool wantsPreview(quint64 id)
    {
        QMutexLocker locker(&mutex);
        return cache != nullptr && previewId == id;
    }

    void setPreviewId(quint64 id)
    {
        QMutexLocker locker(&mutex);
        previewId = id;
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
    // Whatever was requested before and has not started is no longer wanted, nor its preview.
    m_pendingRequest = Job();
    dropWantedPreview();

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
    dropWantedPreview();
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
    m_wantedPreviewId = ++m_previewIds;
    m_wantedPreviewKey = job.key;
    m_token->setPreviewId(m_wantedPreviewId);
    s_previewPool->start([token = m_token, key = job.key, path = job.path, size = m_previewSize,
                          id = m_wantedPreviewId, source = m_fileSource] {
        if (!token->wantsPreview(id)) // another image was asked for meanwhile, or the full one came
            return;
        // A cold request's file comes from its source here at once, not behind the decoders' queue.
        QString sourceError;
        const QString local = source ? source(key, path, &sourceError) : path;
        if (local.isEmpty())
            return; // the full decode reports it
        QFile file(local);
        if (!file.open(QIODevice::ReadOnly))
            return; // the full decode reports it
        const QByteArray bytes = file.readAll();
        // An image that already fits is decoded as fast in full: leave it to the full decode.
        const ImageHeader header = ImageProbe::probe(bytes);
        if (!header.ok() || ImageDecoder::fitSize(header.orientedSize(), size) == header.orientedSize())
            return;
        ImageDecoder::Result decoded = ImageDecoder::decodeDetailed(bytes, size);
        if (!decoded.ok())
            return;
        Result result;
        result.kind = ResultKind::Preview;
        result.key = key;
        result.image = std::move(decoded.image);
        result.previewId = id;
        result.fullSize = decoded.header.orientedSize();
        QMutexLocker locker(&token->mutex);
        ImageCache *cache = token->cache;
        if (!cache)
            return;
        QMetaObject::invokeMethod(
            cache, [cache, result = std::move(result)]() mutable { cache->arrive(std::move(result)); },
            Qt::QueuedConnection);
    });
}

void ImageCache::dropWantedPreview()
{
    m_wantedPreviewId = 0;
    m_wantedPreviewKey.clear();
    m_token->setPreviewId(0);
}

void ImageCache::arrive(Result &&result)
{
    const int kind = int(result.kind);
    if (m_holding[kind]) {
        m_held[kind].append(std::move(result));
        return;
    }
    if (result.kind == ResultKind::Preview)
        finishPreview(result);
    else
        finishJob(result);
}

void ImageCache::holdResults(ResultKind kind)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_holding[int(kind)] = true;
}

void ImageCache::releaseHeldResults(ResultKind kind)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_holding[int(kind)] = false;
    const QList<Result> held = std::exchange(m_held[int(kind)], {});
    const QPointer<ImageCache> self(this);
    for (const Result &result : held) {
        if (!self) // a receiver deleted the cache
            return;
        if (result.kind == ResultKind::Preview)
            finishPreview(result);
        else
            finishJob(result);
    }
}

int ImageCache::heldResults(ResultKind kind) const
{
    return int(m_held[int(kind)].size());
}

void ImageCache::finishPreview(const Result &result)
{
    // Only the preview of the latest request, and only while its full result has not arrived.
    if (result.previewId == 0 || result.previewId != m_wantedPreviewId)
        return;
    dropWantedPreview(); // at most once
    emit previewReady(result.key, result.image, result.fullSize);
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

void ImageCache::setFileSource(FileSource source)
{
    m_fileSource = std::move(source);
}

void ImageCache::startJob(const Job &job, bool requested)
{
    ++m_decodesStarted;
    m_inFlight.insert(job.key, m_generation);

    // The job holds only the token, its key and path, and the generation it belongs to.
    s_decoderPool->start(
        [token = m_token, key = job.key, path = job.path, generation = m_generation, source = m_fileSource] {
            if (!token->alive()) // destroyed while this job was queued
                return;
            Result result;
            result.kind = ResultKind::Full;
            result.key = key;
            result.generation = generation;
            // The file first (a download on a team store), then its decode, both on this thread.
            const QString local = source ? source(key, path, &result.error) : path;
            if (!local.isEmpty())
                result.image = ImageDecoder::decodeFile(local, &result.error);
            if (result.image.isNull() && result.error.isEmpty()) {
                result.error = QCoreApplication::translate("dl::ImageCache", "Cannot decode image file \"%1\".")
                                   .arg(path);
            }
            QMutexLocker locker(&token->mutex);
            ImageCache *cache = token->cache;
            if (!cache)
                return;
            QMetaObject::invokeMethod(
                cache, [cache, result = std::move(result)]() mutable { cache->arrive(std::move(result)); },
                Qt::QueuedConnection);
        },
        requested ? RequestPriority : PrefetchPriority);
}

void ImageCache::finishJob(const Result &result)
{
    const QString &key = result.key;
    m_inFlight.remove(key);
    // The full result supersedes the preview of its key, whether or not that preview has arrived.
    if (key == m_wantedPreviewKey)
        dropWantedPreview();
    const bool wanted = result.generation == m_generation || key == m_current || m_prefetchKeys.contains(key);
    const bool ok = !result.image.isNull();
    if (wanted) {
        if (ok)
            insert(key, result.image);
        else
            m_failed.insert(key, result.error);
    }
    // Keep the threads busy before telling anyone: a receiver may even delete the cache.
    pump();
    if (!wanted)
        return;
    if (ok)
        emit ready(key, result.image);
    else
        emit failed(key, result.error);
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
