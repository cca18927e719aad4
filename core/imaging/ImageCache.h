// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QImage>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QSize>
#include <QString>
#include <QStringList>

#include <array>
#include <functional>
#include <memory>

namespace dl {

// Decoded full-size images for the workstation, decoded ahead of time on worker threads so that
// showing the next image never blocks the UI thread on decoding or file I/O.
//
// Usage from the UI thread: request() the image to show (returns it at once when cached, else a
// null QImage and ready() follows), then prefetch() the ones that come next. All public functions
// must be called on the thread the cache lives in; signals are emitted on that thread.
//
// Scheduling: the image asked for always comes first. A request is decoded on a dedicated,
// process-wide one-thread foreground pool that never runs decoding-ahead work, so it never waits
// behind a prefetch; prefetches run on a separate two-thread pool (MaxConcurrentDecodes, at low
// thread priority), in list order, at most MaxConcurrentDecodes at a time per cache. A key is
// never decoded twice concurrently: a request for a key that is being decoded ahead joins that
// decode (with a preview of its own while it runs, see below).
//
// Cancelling: a decode whose image is no longer wanted (neither the current request nor in the
// prefetch list) stops at the next check between its stages (before the file is read, before the
// preview decode, before the full decode, before its reduced copies are made) and its result is
// never delivered; a result that arrives for an image left meanwhile is dropped too. libjpeg
// cannot be interrupted inside a decode, so a stale decode costs at most the stage it is in.
// Replacing the prefetch list cancels every queued job at once.
//
// Memory bound: the decoded images kept (each with its screen copy, see screenImage()) never
// exceed budgetBytes() (DefaultBudgetBytes = 1 GiB unless set), except for the one image most
// recently requested when it alone is larger. Least recently used images go first; images in the
// current prefetch list go only when nothing else is left (farthest ahead first). Decodes in
// progress hold at most MaxConcurrentDecodes + 1 more images (the decoder threads' own), each
// within the pixel limit of ImageProbe. So the cache never holds more than
// budgetBytes() + (MaxConcurrentDecodes + 1) x the largest image, whatever the pace of requests.
//
// Previews (cold open): with a preview size set, a request for a key that is not cached first
// decodes the file reduced to that size (libjpeg DCT scaling for JPEG, so a 12 MP photo costs a
// fraction of its full decode), then the full image, in the same foreground job; a request that
// joins a decode ahead gets a preview-only foreground job. An image that already fits in the
// preview size gets no preview (its full decode is as quick). Previews are not cached.
//
// What a request guarantees about its preview, whichever decode finishes first: previewReady() is
// emitted at most once, and only before ready() / failed() of that key. Both results come back to
// the cache's thread, where the first one to arrive decides: a preview that arrives first is
// delivered; a full result (image or failure) that arrives first supersedes the preview, which is
// then never delivered. A preview is also dropped when another key is requested (or clear() is
// called) before it arrives, even if the same key is requested again later.
//
// Screen copies: with a preview size set, each full decode also makes a copy of the image fitted
// to that size (area-averaged), on the decoder thread, so that the view can show a new image
// fitted to the window without scaling 12 MP on the UI thread (screenImage()).
//
// Lifetime: the cache may be destroyed while decodes run; jobs share only a small token with it
// and drop their result once it is gone.
class ImageCache : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 DefaultBudgetBytes = 1024LL * 1024 * 1024;
    static constexpr int MaxConcurrentDecodes = 2;

    explicit ImageCache(qint64 budgetBytes = DefaultBudgetBytes, QObject *parent = nullptr);
    ~ImageCache() override;

    // Where a decode's file comes from: called on the decoder (or preview) thread, before the
    // file is read, with the key and path given to request() or prefetch(); returns the local
    // file to read, or an empty string and a user-visible *error (the key then fails). A team
    // store's source downloads the file from the server here, so that prefetching the next
    // images also fetches them, off the UI thread. Must be safe to call from several threads at
    // once. Without a source (the default) the path is read as given. Set it before requests.
    // What the source uses must outlive the jobs that run it: destroy the cache (queued jobs are
    // then dropped), then waitForDecoders(), before it goes.
    using FileSource = std::function<QString(const QString &key, const QString &path, QString *error)>;
    void setFileSource(FileSource source);

    // The decoded image at once if cached (and it becomes the most recently used); otherwise a
    // null QImage, and the key is decoded at once on the foreground thread (or the running decode
    // of it is awaited); ready() or failed() follows. A key that failed before is tried again. The
    // decode of a key requested before stops at its next stage when another key is requested
    // (unless that one is in the prefetch list).
    QImage request(const QString &key, const QString &path);
    // Decode these next, in this order, after the current request. Replaces the previous list:
    // queued prefetches not in the new list are cancelled (running decodes finish). Keys already
    // cached, being decoded, or that failed since they were last requested are skipped.
    void prefetch(const QList<QPair<QString, QString>> &keysAndPaths);

    bool contains(const QString &key) const;
    // The cached image or a null QImage; does not count as a use.
    QImage cached(const QString &key) const;
    // The cached image's copy fitted to the preview size that was set when it was decoded (null
    // when there was none, or when the image already fitted).
    QImage screenImage(const QString &key) const;
    // Drops every cached image, the queue, the prefetch list and remembered failures. Decodes
    // already running finish; their result is kept only if the key is requested or prefetched
    // again meanwhile.
    void clear();

    qint64 bytesUsed() const;
    int count() const;
    qint64 budgetBytes() const;
    // Evicts at once if the cache is now over budget.
    void setBudgetBytes(qint64 budgetBytes);
    // Number of decode jobs started by this cache (a cached request starts none).
    int decodesStarted() const;
    // Keys queued or being decoded (request and prefetch).
    int pendingDecodes() const;
    // Decodes that stopped between two stages because their image was no longer wanted.
    int decodesCancelled() const;
    // How long the full decode (file read excluded) of the last image delivered took (-1: none yet).
    qint64 lastDecodeMsecs() const { return m_lastDecodeMsecs; }

    // Previews for cold requests fit in this size (device pixels); an empty size (the default)
    // turns them off.
    void setPreviewSize(QSize size);
    QSize previewSize() const;
    // Number of preview decodes started by this cache.
    int previewsStarted() const;

    // Waits until the shared decoder threads (and the preview thread) are idle (for tests and
    // orderly shutdown); false on timeout. Results of finished decodes may still be waiting in the
    // event queue of the cache's thread.
    static bool waitForDecoders(int msecs = -1);

    // For tests: choosing the order in which results arrive. While results of a kind are held,
    // each one that comes back from a decoder thread is kept as it arrives (on the cache's thread)
    // instead of being handled; releaseHeldResults() handles the kept ones in the order they came
    // and stops holding that kind. Holding full results keeps their keys pending (pendingDecodes()),
    // as if their decodes were still running. Off by default.
    enum class ResultKind { Preview, Full };
    void holdResults(ResultKind kind);
    void releaseHeldResults(ResultKind kind);
    // Results of this kind that arrived and are being held.
    int heldResults(ResultKind kind) const;

    // For tests: a gate in front of every stage of this cache's jobs (the start, the preview
    // decode, the full decode). While closed, a job that reaches a stage waits there;
    // waitingAtGate() counts those waiting. Opening lets them all go on, opening it for a key
    // lets that key's jobs go on (until it is closed again), letThroughGate(n) lets the next n
    // passes through; after the gate each job checks whether its image is still wanted. Open by
    // default; destroying the cache opens it.
    void closeDecoderGate();
    void openDecoderGate();
    void openDecoderGate(const QString &key);
    void letThroughGate(int passes);
    int waitingAtGate() const;

signals:
    // A decode finished (requested or prefetched); receivers filter by key.
    void ready(const QString &key, const QImage &image);
    // A decode failed (missing, unreadable, corrupt or too large file); the message is
    // user-visible. The key is not decoded again until it is requested.
    void failed(const QString &key, const QString &message);
    // A reduced-size decode of the requested key, before its full image; fullSize is the full
    // image's (oriented) size, for mapping zoom levels. Followed by ready() or failed().
    void previewReady(const QString &key, const QImage &preview, QSize fullSize);

private:
    struct Entry
    {
        QImage image;
        QImage screen;
        quint64 lastUse = 0;
        qint64 bytes() const { return image.sizeInBytes() + screen.sizeInBytes(); }
    };
    struct Job
    {
        QString key;
        QString path;
    };
    enum class Pool { Foreground, Ahead };
    // What a decoder thread sends back to the cache's thread.
    struct Result
    {
        ResultKind kind = ResultKind::Full;
        QString key;
        QString path;
        QImage image; // null: failed or cancelled (full)
        QImage screen; // full: the copy fitted to the preview size (may be null)
        bool cancelled = false; // full: stopped because the key was no longer wanted
        qint64 decodeMsecs = -1; // full: how long the decode took
        QString error; // full: why it failed
        quint64 previewId = 0; // preview: the request it belongs to
        QSize fullSize; // preview: the full image's oriented size
    };
    struct Token;
    // What a decode job needs; it shares only the token with the cache.
    struct JobSpec
    {
        std::shared_ptr<Token> token;
        QString key;
        QString path;
        FileSource source;
        quint64 previewId = 0; // 0: no preview
        QSize previewSize; // the preview's, and the screen copy's
        bool full = true; // false: the preview only
    };
    // On a decoder thread: file, [preview], full image, screen copy, with the checks between.
    static void runJob(const JobSpec &spec);

    void pump();
    // A full decode (after a preview when previewId != 0) on the foreground or the ahead pool.
    void startJob(const Job &job, Pool pool, quint64 previewId);
    // Starts a preview-only job for a key being decoded ahead.
    void startPreview(const Job &job);
    // The preview id for a new request of key (0: previews off).
    quint64 wantPreview(const QString &key);
    // Tells the jobs which keys are still wanted (the current one and the prefetch list).
    void publishWanted();
    // Every result comes back through here, in the order the decoder threads posted them.
    void arrive(Result &&result);
    void finishJob(const Result &result);
    void finishPreview(const Result &result);
    void dropWantedPreview();
    void insert(const QString &key, const QImage &image, const QImage &screen);
    void evictToBudget();
    bool isProtected(const QString &key) const;

    std::shared_ptr<Token> m_token;
    FileSource m_fileSource;
    qint64 m_budget;
    qint64 m_bytes = 0;
    quint64 m_useClock = 0;
    int m_decodesStarted = 0;
    int m_decodesCancelled = 0;
    qint64 m_lastDecodeMsecs = -1;
    int m_previewsStarted = 0;
    QSize m_previewSize;
    // The one preview that may still be delivered: id of its request (0: none) and its key. Cleared
    // when it is delivered, when a full result of its key arrives, and by the next request.
    quint64 m_previewIds = 0;
    quint64 m_wantedPreviewId = 0;
    QString m_wantedPreviewKey;
    // Test hook, indexed by ResultKind: whether results of that kind are held, and those held, in
    // the order they arrived.
    std::array<bool, 2> m_holding {};
    std::array<QList<Result>, 2> m_held;

    QHash<QString, Entry> m_entries;
    QHash<QString, QString> m_failed; // key -> message
    QHash<QString, Pool> m_inFlight; // key -> where it is being decoded
    int m_aheadInFlight = 0; // of m_inFlight, on the ahead pool
    QString m_current; // most recently requested key
    QList<Job> m_prefetchQueue; // not yet started, in order
    QStringList m_prefetchOrder; // the whole current prefetch list (protection, eviction order)
    QSet<QString> m_prefetchKeys;
};

} // namespace dl
