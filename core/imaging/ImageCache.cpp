// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageCache.h"

#include "imaging/ImageDecoder.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
#include <QThread>
#include <QThreadPool>
#include <QWaitCondition>
#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

// The decoding-ahead threads, shared by every cache so that several caches (main view,
// comparison view) together never use more than two cores for decoding ahead.
class AheadPool : public QThreadPool
{
public:
    AheadPool();
};

Q_GLOBAL_STATIC(AheadPool, s_aheadPool)

// One thread for the image asked for (its preview, then its full decode): it never queues behind
// decoding-ahead work.
class ForegroundPool : public QThreadPool
{
public:
    ForegroundPool();
};

Q_GLOBAL_STATIC(ForegroundPool, s_foregroundPool)

// Runs from ~QCoreApplication, before static destructors tear down the image plugins that a
// running job might still use: drop queued jobs and let the running ones finish.
void drainAheadPool()
{
    if (s_aheadPool.exists()) {
        s_aheadPool->clear();
        s_aheadPool->waitForDone();
    }
}

void drainForegroundPool()
{
    if (s_foregroundPool.exists()) {
        s_foregroundPool->clear();
        s_foregroundPool->waitForDone();
    }
}

AheadPool::AheadPool()
{
    setObjectName(u"dl::ImageCache decoders"_s);
    setMaxThreadCount(ImageCache::MaxConcurrentDecodes);
    setThreadPriority(QThread::LowPriority);
    qAddPostRoutine(drainAheadPool);
}

ForegroundPool::ForegroundPool()
{
    setObjectName(u"dl::ImageCache foreground"_s);
    setMaxThreadCount(1);
    qAddPostRoutine(drainForegroundPool);
}

} // namespace

// What a job shares with its cache: the cache pointer, cleared under the mutex when the cache is
// destroyed, and what the jobs check between their stages (which keys are still wanted, which
// preview, the test gate). A job posts its result while holding the mutex, so a posted result is
// always queued before the cache's destructor proceeds (and ~QObject then discards it).
struct ImageCache::Token
{
    QMutex mutex;
    QWaitCondition gateOpened;
    ImageCache *cache = nullptr; // guarded by mutex; null once the cache is gone
    // Guarded by mutex: the id of the only preview still wanted (0: none), the keys still wanted
    // (the current request and the prefetch list). They only let jobs skip work that would be
    // dropped: what is delivered is decided on the cache's thread.
    quint64 previewId = 0;
    QSet<QString> wanted;
    bool gateClosed = false;
    int passes = 0; // while closed: how many may still pass
    QSet<QString> gateOpenFor; // while closed: keys whose jobs pass
    int waiting = 0;

    bool wants(const QString &key)
    {
        QMutexLocker locker(&mutex);
        return cache != nullptr && wanted.contains(key);
    }

    bool wantsPreview(quint64 id)
    {
        QMutexLocker locker(&mutex);
        return cache != nullptr && id != 0 && previewId == id;
    }

    void setPreviewId(quint64 id)
    {
        QMutexLocker locker(&mutex);
        previewId = id;
    }

    void setWanted(QSet<QString> keys)
    {
        QMutexLocker locker(&mutex);
        wanted = std::move(keys);
    }

    // The test gate in front of a stage of a job of key.
    void passGate(const QString &key)
    {
        QMutexLocker locker(&mutex);
        const auto shut = [&] { return gateClosed && cache && !gateOpenFor.contains(key); };
        while (shut() && passes == 0) {
            ++waiting;
            gateOpened.wait(&mutex);
            --waiting;
        }
        if (shut())
            --passes;
    }

    void post(Result &&result)
    {
        QMutexLocker locker(&mutex);
        ImageCache *target = cache;
        if (!target)
            return;
        QMetaObject::invokeMethod(
            target, [target, result = std::move(result)]() mutable { target->arrive(std::move(result)); },
            Qt::QueuedConnection);
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
    m_token->gateClosed = false;
    m_token->gateOpened.wakeAll();
}

void ImageCache::publishWanted()
{
    QSet<QString> wanted = m_prefetchKeys;
    if (!m_current.isEmpty())
        wanted.insert(m_current);
    m_token->setWanted(std::move(wanted));
}

QImage ImageCache::request(const QString &key, const QString &path)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (key.isEmpty())
        return QImage();
    m_current = key;
    // The preview of what was requested before is no longer wanted, nor its decode (unless it is
    // in the prefetch list).
    dropWantedPreview();
    publishWanted();

    const auto it = m_entries.find(key);
    if (it != m_entries.end()) {
        it->lastUse = ++m_useClock;
        return it->image;
    }

    m_failed.remove(key); // requested again: try again
    m_prefetchQueue.removeIf([&key](const Job &job) { return job.key == key; });
    const auto running = m_inFlight.constFind(key);
    if (running != m_inFlight.constEnd()) {
        // Its running decode delivers it; while that is decoded ahead, a preview comes first.
        if (*running == Pool::Ahead && !m_previewSize.isEmpty())
            startPreview(Job { key, path });
        return QImage();
    }
    startJob(Job { key, path }, Pool::Foreground, wantPreview(key));
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
        if (m_entries.contains(key) || m_inFlight.contains(key) || m_failed.contains(key))
            continue;
        m_prefetchQueue.append(Job { key, path });
    }
    publishWanted();
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

QImage ImageCache::screenImage(const QString &key) const
{
    const auto it = m_entries.constFind(key);
    return it == m_entries.constEnd() ? QImage() : it->screen;
}

void ImageCache::clear()
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_entries.clear();
    m_bytes = 0;
    m_failed.clear();
    m_current.clear();
    dropWantedPreview();
    m_prefetchQueue.clear();
    m_prefetchOrder.clear();
    m_prefetchKeys.clear();
    publishWanted(); // running decodes stop unless asked for again
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
    return int(m_inFlight.size()) + int(m_prefetchQueue.size());
}

int ImageCache::decodesCancelled() const
{
    return m_decodesCancelled;
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
    return s_aheadPool->waitForDone(remaining()) && s_foregroundPool->waitForDone(remaining());
}

void ImageCache::closeDecoderGate()
{
    QMutexLocker locker(&m_token->mutex);
    m_token->gateClosed = true;
    m_token->passes = 0;
    m_token->gateOpenFor.clear();
}

void ImageCache::openDecoderGate(const QString &key)
{
    QMutexLocker locker(&m_token->mutex);
    m_token->gateOpenFor.insert(key);
    m_token->gateOpened.wakeAll();
}

void ImageCache::letThroughGate(int passes)
{
    QMutexLocker locker(&m_token->mutex);
    m_token->passes += qMax(0, passes);
    m_token->gateOpened.wakeAll();
}

void ImageCache::openDecoderGate()
{
    QMutexLocker locker(&m_token->mutex);
    m_token->gateClosed = false;
    m_token->gateOpened.wakeAll();
}

int ImageCache::waitingAtGate() const
{
    QMutexLocker locker(&m_token->mutex);
    return m_token->waiting;
}

quint64 ImageCache::wantPreview(const QString &key)
{
    if (m_previewSize.isEmpty())
        return 0;
    ++m_previewsStarted;
    m_wantedPreviewId = ++m_previewIds;
    m_wantedPreviewKey = key;
    m_token->setPreviewId(m_wantedPreviewId);
    return m_wantedPreviewId;
}

// Reads the file (through the source), decodes a preview when wanted, then the full image and its
// screen copy; stops between stages once its key (or its preview) is no longer wanted.
void ImageCache::runJob(const JobSpec &spec)
{
    Token &token = *spec.token;
    const auto post = [&spec](ResultKind kind) {
        Result result;
        result.kind = kind;
        result.key = spec.key;
        result.path = spec.path;
        result.previewId = spec.previewId;
        return result;
    };
    const auto cancel = [&] {
        Result result = post(ResultKind::Full);
        result.cancelled = true;
        token.post(std::move(result));
    };
    token.passGate(spec.key);
    if (spec.full ? !token.wants(spec.key) : !token.wantsPreview(spec.previewId)) {
        if (spec.full)
            cancel();
        return;
    }
    // The file first (a download on a team store), then the decodes, all on this thread.
    QString error;
    const QString local = spec.source ? spec.source(spec.key, spec.path, &error) : spec.path;
    QByteArray bytes;
    bool read = false;
    if (!local.isEmpty())
        bytes = ImageDecoder::readFile(local, &error, &read);
    if (!read) {
        if (spec.full) { // a preview-only job leaves the report to the full decode
            Result result = post(ResultKind::Full);
            result.error = error;
            token.post(std::move(result));
        }
        return;
    }

    if (token.wantsPreview(spec.previewId)) {
        // An image that already fits is decoded as fast in full: leave it to the full decode.
        const ImageHeader header = ImageProbe::probe(bytes);
        if (header.ok() && ImageDecoder::fitSize(header.orientedSize(), spec.previewSize) != header.orientedSize()) {
            token.passGate(spec.key);
            if (token.wantsPreview(spec.previewId)) {
                ImageDecoder::Result preview = ImageDecoder::decodeDetailed(bytes, spec.previewSize);
                if (preview.ok()) {
                    Result result = post(ResultKind::Preview);
                    result.image = std::move(preview.image);
                    result.fullSize = preview.header.orientedSize();
                    token.post(std::move(result));
                }
            }
        }
    }
    if (!spec.full)
        return;

    token.passGate(spec.key);
    if (!token.wants(spec.key))
        return cancel();
    Result result = post(ResultKind::Full);
    QElapsedTimer timer;
    timer.start();
    result.image = ImageDecoder::decodeFileBytes(bytes, local, &result.error);
    result.decodeMsecs = timer.elapsed();
    bytes = QByteArray(); // the file's memory back before the screen copy is made
    if (result.image.isNull()) {
        if (result.error.isEmpty())
            result.error = QCoreApplication::translate("dl::ImageCache", "Cannot decode image file \"%1\".").arg(spec.path);
        token.post(std::move(result));
        return;
    }
    if (!token.wants(spec.key))
        return cancel();
    if (spec.previewSize.isValid() && !spec.previewSize.isEmpty()) {
        const QSize fitted = ImageDecoder::fitSize(result.image.size(), spec.previewSize);
        if (fitted != result.image.size())
            result.screen = ImageDecoder::scaledTo(result.image, fitted);
    }
    token.post(std::move(result));
}

void ImageCache::startPreview(const Job &job)
{
    JobSpec spec { m_token, job.key, job.path, m_fileSource, wantPreview(job.key), m_previewSize, false };
    s_foregroundPool->start([spec] { runJob(spec); });
}

void ImageCache::startJob(const Job &job, Pool pool, quint64 previewId)
{
    ++m_decodesStarted;
    m_inFlight.insert(job.key, pool);
    if (pool == Pool::Ahead)
        ++m_aheadInFlight;
    // The job holds only the token, its key and path and what it needs to decode.
    JobSpec spec { m_token, job.key, job.path, m_fileSource, previewId, m_previewSize, true };
    if (pool == Pool::Foreground)
        s_foregroundPool->start([spec] { runJob(spec); });
    else
        s_aheadPool->start([spec] { runJob(spec); });
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
    while (m_aheadInFlight < MaxConcurrentDecodes && !m_prefetchQueue.isEmpty()) {
        const Job job = m_prefetchQueue.takeFirst();
        if (m_entries.contains(job.key) || m_inFlight.contains(job.key) || m_failed.contains(job.key))
            continue;
        startJob(job, Pool::Ahead, 0);
    }
}

void ImageCache::setFileSource(FileSource source)
{
    m_fileSource = std::move(source);
}

void ImageCache::finishJob(const Result &result)
{
    const QString &key = result.key;
    if (m_inFlight.take(key) == Pool::Ahead)
        --m_aheadInFlight;
    if (result.cancelled) {
        ++m_decodesCancelled;
        // Wanted again after the job gave up: decode it again, the way it is wanted now.
        if (!m_entries.contains(key)) {
            if (key == m_current)
                startJob(Job { key, result.path }, Pool::Foreground, 0);
            else if (m_prefetchKeys.contains(key))
                m_prefetchQueue.prepend(Job { key, result.path });
        }
        pump();
        return;
    }
    // The full result supersedes the preview of its key, whether or not that preview has arrived.
    if (key == m_wantedPreviewKey)
        dropWantedPreview();
    // Never a result for an image left meanwhile (and not in the prefetch list).
    const bool wanted = key == m_current || m_prefetchKeys.contains(key);
    const bool ok = !result.image.isNull();
    if (wanted && ok) {
        m_lastDecodeMsecs = result.decodeMsecs;
        insert(key, result.image, result.screen);
    } else if (wanted) {
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

void ImageCache::insert(const QString &key, const QImage &image, const QImage &screen)
{
    Entry &entry = m_entries[key];
    m_bytes -= entry.bytes();
    entry.image = image;
    entry.screen = screen;
    entry.lastUse = ++m_useClock;
    m_bytes += entry.bytes();
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
        m_bytes -= m_entries.take(victim).bytes();
    }
}

} // namespace dl
