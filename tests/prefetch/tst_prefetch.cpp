// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageCache.h"
#include "imaging/PrefetchPlanner.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <vector>

using namespace Qt::StringLiterals;
using dl::ImageCache;

namespace {

using KeyPaths = QList<QPair<QString, QString>>;
using Kind = ImageCache::ResultKind;

// Waits until the cache has nothing queued or running and all results have been delivered.
#define SETTLE(cache) QTRY_COMPARE_WITH_TIMEOUT((cache).pendingDecodes(), 0, kWaitMs)

constexpr int kWaitMs = 30000;

// Lets every decode started so far finish (and those its results start) and handles everything
// they sent back: afterwards no signal can follow unless something new is asked for. Not for use
// while results are held. False on timeout.
bool drained(ImageCache &cache)
{
    const QDeadlineTimer deadline(kWaitMs);
    do {
        if (!ImageCache::waitForDecoders(int(deadline.remainingTime())))
            return false;
        QCoreApplication::sendPostedEvents();
    } while (cache.pendingDecodes() > 0 && !deadline.hasExpired());
    return cache.pendingDecodes() == 0;
}

// Writes a JPEG of noisy skin-like content (noise keeps decoding from being trivially fast).
QString writeJpeg(const QTemporaryDir &dir, const QString &name, int width, int height, int seed = 1)
{
    cv::Mat image(height, width, CV_8UC3);
    cv::theRNG().state = quint64(seed) * 7919u + 17u;
    cv::randn(image, cv::Scalar(150, 170, 215), cv::Scalar(12, 12, 12));
    std::vector<uchar> bytes;
    if (!cv::imencode(".jpg", image, bytes, { cv::IMWRITE_JPEG_QUALITY, 90 }))
        qFatal("cannot encode fixture");
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(reinterpret_cast<const char *>(bytes.data()), qint64(bytes.size())) != qint64(bytes.size()))
        qFatal("cannot write fixture");
    return path;
}

QString writeBytes(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write fixture");
    return path;
}

} // namespace

class TestPrefetch : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void requestEmitsReady_data();
    void requestEmitsReady();
    void prefetchFillsCache();
    void evictionKeepsMostRecent();
    void evictionKeepsPrefetchList();
    void evictionSingleImageOverBudget();
    void setBudgetEvicts();
    void failures_data();
    void failures();
    void requestWhilePrefetchingWaits();
    void destroyWhileDecoding();
    void destroyFromReadySlot();
    void prefetchReplacementCancels();
    void prefetchSkipsCachedAndDuplicates();
    void requestSupersedesQueuedRequest();
    void clearDropsEverything();
    void previewComesBeforeTheFullImage();
    void fullImageFirstSupersedesThePreview();
    void previewBelongsToItsRequest();
    void previewOnlyWhenItHelps();
    void previewDroppedWhenMovedOn();
    void requestGoesAheadOfDecodingAhead();
    void staleRequestIsCancelled();
    void staleDecodeStopsAfterItsPreview();
    void leftImageIsNeverDelivered();
    void joiningADecodeAheadGetsAPreview();
    void memoryStaysWithinTheBudget();
    void screenCopyFitsThePreviewSize();
    void plannerFollowsDirection();
    void plannerFollowsPace();
    void plannerStaysWithinMemory();

private:
    QTemporaryDir m_dir;
    QString m_small; // 64 x 48
    QString m_large; // 3000 x 2000
    QStringList m_medium; // 10 images, 800 x 600 each
};

void TestPrefetch::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_small = writeJpeg(m_dir, u"small.jpg"_s, 64, 48);
    m_large = writeJpeg(m_dir, u"large.jpg"_s, 3000, 2000);
    for (int i = 0; i < 10; ++i)
        m_medium.append(writeJpeg(m_dir, u"medium%1.jpg"_s.arg(i), 800, 600, i + 2));
}

void TestPrefetch::cleanup()
{
    // Jobs of destroyed caches must not spill into the next test.
    QVERIFY(ImageCache::waitForDecoders(kWaitMs));
    QCoreApplication::processEvents();
}

void TestPrefetch::requestEmitsReady_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::newRow("tiny") << 64 << 48;
    QTest::newRow("portrait") << 480 << 640;
    QTest::newRow("12 MP") << 4000 << 3000;
}

void TestPrefetch::requestEmitsReady()
{
    QFETCH(int, width);
    QFETCH(int, height);
    const QString path = writeJpeg(m_dir, u"req_%1x%2.jpg"_s.arg(width).arg(height), width, height);

    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    QSignalSpy failed(&cache, &ImageCache::failed);
    QVERIFY(cache.request(u"k"_s, path).isNull());
    QCOMPARE(cache.decodesStarted(), 1);
    QVERIFY(ready.wait(kWaitMs));
    QCOMPARE(ready.size(), 1);
    QCOMPARE(ready.at(0).at(0).toString(), u"k"_s);
    const QImage delivered = ready.at(0).at(1).value<QImage>();
    QCOMPARE(delivered.size(), QSize(width, height));
    QVERIFY(failed.isEmpty());
    QVERIFY(cache.contains(u"k"_s));
    QCOMPARE(cache.bytesUsed(), delivered.sizeInBytes());
    QCOMPARE(cache.count(), 1);

    // Cached: returned at once, no new decode, no second signal.
    const QImage again = cache.request(u"k"_s, path);
    QCOMPARE(again.size(), QSize(width, height));
    QCOMPARE(again.cacheKey(), delivered.cacheKey()); // the very same image data
    QCOMPARE(cache.cached(u"k"_s).size(), QSize(width, height));
    QCOMPARE(cache.decodesStarted(), 1);
    QCOMPARE(cache.pendingDecodes(), 0);
    QVERIFY(drained(cache));
    QCOMPARE(ready.size(), 1);
}

void TestPrefetch::prefetchFillsCache()
{
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    KeyPaths list;
    for (int i = 0; i < 5; ++i)
        list.append({ u"m%1"_s.arg(i), m_medium.at(i) });
    cache.prefetch(list);
    QVERIFY(cache.decodesStarted() <= ImageCache::MaxConcurrentDecodes);
    for (const auto &[key, path] : list)
        QTRY_VERIFY_WITH_TIMEOUT(cache.contains(key), kWaitMs);
    QCOMPARE(cache.decodesStarted(), 5);
    QCOMPARE(ready.size(), 5);
    // In the order given: only the first two start at once.
    const QString first = ready.at(0).at(0).toString();
    QVERIFY2(first == u"m0"_s || first == u"m1"_s, qPrintable(first));
    QCOMPARE(cache.bytesUsed(), 5 * qint64(800) * 600 * 4);
    // Requests now hit the cache.
    QCOMPARE(cache.request(u"m3"_s, m_medium.at(3)).size(), QSize(800, 600));
    QCOMPARE(cache.decodesStarted(), 5);
}

void TestPrefetch::evictionKeepsMostRecent()
{
    constexpr qint64 imageBytes = 64 * 48 * 4;
    ImageCache cache(2 * imageBytes + imageBytes / 2); // room for two
    QSignalSpy ready(&cache, &ImageCache::ready);
    const auto load = [&](const QString &key) {
        if (!cache.request(key, m_small).isNull())
            return true;
        return ready.wait(kWaitMs) && ready.constLast().at(0).toString() == key;
    };
    QVERIFY(load(u"a"_s));
    QVERIFY(load(u"b"_s));
    QVERIFY(load(u"c"_s));
    QVERIFY(!cache.contains(u"a"_s));
    QVERIFY(cache.contains(u"b"_s));
    QVERIFY(cache.contains(u"c"_s));
    QCOMPARE(cache.bytesUsed(), 2 * imageBytes);
    QVERIFY(cache.bytesUsed() <= cache.budgetBytes());

    // Using b again makes c the least recently used one.
    QVERIFY(!cache.request(u"b"_s, m_small).isNull());
    QVERIFY(load(u"a"_s));
    QVERIFY(cache.contains(u"a"_s));
    QVERIFY(cache.contains(u"b"_s));
    QVERIFY(!cache.contains(u"c"_s));
    QCOMPARE(cache.bytesUsed(), 2 * imageBytes);
    QCOMPARE(cache.decodesStarted(), 4);
}

void TestPrefetch::evictionKeepsPrefetchList()
{
    constexpr qint64 imageBytes = 800 * 600 * 4;
    ImageCache cache(3 * imageBytes);
    QSignalSpy ready(&cache, &ImageCache::ready);
    QVERIFY(cache.request(u"a"_s, m_medium.at(0)).isNull());
    QVERIFY(ready.wait(kWaitMs));
    cache.prefetch({ { u"b"_s, m_medium.at(1) }, { u"c"_s, m_medium.at(2) } });
    QTRY_VERIFY_WITH_TIMEOUT(cache.contains(u"b"_s) && cache.contains(u"c"_s), kWaitMs);
    QVERIFY(cache.contains(u"a"_s));

    // d is requested while b and c are still the prefetch list: a is the one to go.
    ready.clear();
    QVERIFY(cache.request(u"d"_s, m_medium.at(3)).isNull());
    QTRY_VERIFY_WITH_TIMEOUT(cache.contains(u"d"_s), kWaitMs);
    QVERIFY(!cache.contains(u"a"_s));
    QVERIFY(cache.contains(u"b"_s));
    QVERIFY(cache.contains(u"c"_s));
    QCOMPARE(cache.bytesUsed(), 3 * imageBytes);

    // Protected images exceeding the budget go farthest-ahead first, never the current one.
    cache.setBudgetBytes(2 * imageBytes);
    QVERIFY(cache.contains(u"d"_s));
    QVERIFY(cache.contains(u"b"_s));
    QVERIFY(!cache.contains(u"c"_s));
    QCOMPARE(cache.bytesUsed(), 2 * imageBytes);
}

void TestPrefetch::evictionSingleImageOverBudget()
{
    ImageCache cache(1000); // smaller than any image
    QSignalSpy ready(&cache, &ImageCache::ready);
    QVERIFY(cache.request(u"a"_s, m_small).isNull());
    QVERIFY(ready.wait(kWaitMs));
    QVERIFY(cache.contains(u"a"_s)); // the current image is kept even over budget
    QVERIFY(cache.request(u"b"_s, m_small).isNull());
    QVERIFY(ready.wait(kWaitMs));
    QVERIFY(cache.contains(u"b"_s));
    QVERIFY(!cache.contains(u"a"_s));
    QCOMPARE(cache.count(), 1);
    QCOMPARE(cache.bytesUsed(), qint64(64 * 48 * 4));
}

void TestPrefetch::setBudgetEvicts()
{
    ImageCache cache;
    KeyPaths list;
    for (int i = 0; i < 4; ++i)
        list.append({ u"m%1"_s.arg(i), m_medium.at(i) });
    cache.prefetch(list);
    QTRY_COMPARE_WITH_TIMEOUT(cache.count(), 4, kWaitMs);
    cache.prefetch({}); // nothing protected any more
    cache.setBudgetBytes(0);
    QCOMPARE(cache.count(), 0);
    QCOMPARE(cache.bytesUsed(), 0);
}

void TestPrefetch::failures_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("messagePart");

    QTemporaryDir *dir = &m_dir;
    QTest::newRow("missing") << dir->filePath(u"does-not-exist.jpg"_s) << u"does-not-exist.jpg"_s;
    QTest::newRow("garbage") << writeBytes(*dir, u"garbage.jpg"_s, QByteArray(4096, 'x')) << u"garbage.jpg"_s;
    QFile large(m_large);
    QVERIFY(large.open(QIODevice::ReadOnly));
    const QByteArray full = large.readAll();
    QTest::newRow("truncated") << writeBytes(*dir, u"truncated.jpg"_s, full.left(full.size() / 2))
                               << u"truncated.jpg"_s;
    QTest::newRow("empty") << writeBytes(*dir, u"empty.jpg"_s, QByteArray()) << u"empty.jpg"_s;
}

void TestPrefetch::failures()
{
    QFETCH(QString, path);
    QFETCH(QString, messagePart);

    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    QSignalSpy failed(&cache, &ImageCache::failed);
    QVERIFY(cache.request(u"bad"_s, path).isNull());
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), u"bad"_s);
    const QString message = failed.at(0).at(1).toString();
    QVERIFY2(message.contains(messagePart), qPrintable(message));
    QVERIFY(ready.isEmpty());
    QVERIFY(!cache.contains(u"bad"_s));
    QCOMPARE(cache.bytesUsed(), 0);
    QCOMPARE(cache.decodesStarted(), 1);

    // Not retried by prefetch...
    cache.prefetch({ { u"bad"_s, path } });
    QCOMPARE(cache.pendingDecodes(), 0);
    QCOMPARE(cache.decodesStarted(), 1);
    // ...only when requested again.
    QVERIFY(cache.request(u"bad"_s, path).isNull());
    QCOMPARE(cache.decodesStarted(), 2);
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(failed.size(), 2);
    QVERIFY(ready.isEmpty());
}

void TestPrefetch::requestWhilePrefetchingWaits()
{
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    cache.prefetch({ { u"big"_s, m_large } });
    QCOMPARE(cache.decodesStarted(), 1);
    QCOMPARE(cache.pendingDecodes(), 1);
    // The 6 MP decode is still running: the request joins it.
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QCOMPARE(cache.decodesStarted(), 1);
    QCOMPARE(cache.pendingDecodes(), 1);
    QVERIFY(ready.wait(kWaitMs));
    SETTLE(cache);
    QCOMPARE(ready.size(), 1);
    QCOMPARE(ready.at(0).at(0).toString(), u"big"_s);
    QCOMPARE(ready.at(0).at(1).value<QImage>().size(), QSize(3000, 2000));
    QCOMPARE(cache.decodesStarted(), 1);
    QCOMPARE(cache.request(u"big"_s, m_large).size(), QSize(3000, 2000));
    QCOMPARE(cache.decodesStarted(), 1);
}

void TestPrefetch::destroyWhileDecoding()
{
    for (int i = 0; i < 20; ++i) {
        auto *cache = new ImageCache;
        QSignalSpy ready(cache, &ImageCache::ready);
        cache->request(u"big"_s, m_large);
        KeyPaths list;
        for (int j = 0; j < 4; ++j)
            list.append({ u"m%1"_s.arg(j), m_medium.at((i + j) % m_medium.size()) });
        cache->prefetch(list);
        // The request on the foreground thread, two ahead.
        QCOMPARE(cache->decodesStarted(), 1 + ImageCache::MaxConcurrentDecodes);
        if (i % 4 == 1)
            QCoreApplication::processEvents();
        else if (i % 4 == 2)
            QVERIFY(ready.wait(kWaitMs)); // one delivered, the others running or queued
        else if (i % 4 == 3)
            QVERIFY(ImageCache::waitForDecoders(kWaitMs)); // results posted, not yet delivered
        delete cache;
    }
    QVERIFY(ImageCache::waitForDecoders(kWaitMs));
    QCoreApplication::processEvents();

    // The decoder threads still work for a new cache.
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    QVERIFY(cache.request(u"s"_s, m_small).isNull());
    QVERIFY(ready.wait(kWaitMs));
    QCOMPARE(ready.size(), 1);
}

void TestPrefetch::destroyFromReadySlot()
{
    auto *cache = new ImageCache;
    QPointer<ImageCache> guard(cache);
    int calls = 0;
    connect(cache, &ImageCache::ready, this, [&](const QString &, const QImage &) {
        ++calls;
        delete cache;
    });
    cache->request(u"s"_s, m_small);
    cache->prefetch({ { u"m0"_s, m_medium.at(0) }, { u"m1"_s, m_medium.at(1) } });
    QTRY_VERIFY_WITH_TIMEOUT(guard.isNull(), kWaitMs);
    // Every decode has ended and whatever it posted has been handled: nothing more can come.
    QVERIFY(ImageCache::waitForDecoders(kWaitMs));
    QCoreApplication::sendPostedEvents();
    QCOMPARE(calls, 1);
}

void TestPrefetch::prefetchReplacementCancels()
{
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    KeyPaths list;
    for (int i = 0; i < 10; ++i)
        list.append({ u"m%1"_s.arg(i), m_medium.at(i) });
    // The two started wait at the gate; replaced before they go on, they stop there.
    cache.closeDecoderGate();
    cache.prefetch(list);
    QCOMPARE(cache.decodesStarted(), ImageCache::MaxConcurrentDecodes);
    cache.prefetch({});
    QCOMPARE(cache.pendingDecodes(), ImageCache::MaxConcurrentDecodes); // only the running ones
    cache.openDecoderGate();
    SETTLE(cache);
    QCOMPARE(cache.decodesStarted(), ImageCache::MaxConcurrentDecodes);
    QCOMPARE(cache.decodesCancelled(), ImageCache::MaxConcurrentDecodes);
    QVERIFY(ready.isEmpty());
    QCOMPARE(cache.count(), 0);

    // Replacing with another list: queued keys not in it are dropped, running ones still in it
    // go on, the new ones are decoded.
    cache.closeDecoderGate();
    const int before = cache.decodesStarted();
    cache.prefetch(list.mid(2, 6)); // m2..m7; m2 and m3 start
    cache.prefetch({ list.at(8), list.at(3) }); // m3 running, m2 stops, m8 new, m4..m7 dropped
    cache.openDecoderGate();
    SETTLE(cache);
    QCOMPARE(cache.decodesStarted() - before, 3);
    QCOMPARE(cache.decodesCancelled(), ImageCache::MaxConcurrentDecodes + 1);
    QVERIFY(cache.contains(u"m3"_s));
    QVERIFY(cache.contains(u"m8"_s));
    for (const char *gone : { "m2", "m4", "m5", "m6", "m7" })
        QVERIFY2(!cache.contains(QLatin1StringView(gone)), gone);
    QCOMPARE(ready.size(), 2);
}

void TestPrefetch::prefetchSkipsCachedAndDuplicates()
{
    ImageCache cache;
    cache.prefetch({ { u"a"_s, m_medium.at(0) }, { u"b"_s, m_medium.at(1) } });
    SETTLE(cache);
    QCOMPARE(cache.decodesStarted(), 2);
    cache.prefetch({ { u"a"_s, m_medium.at(0) },
                     { u"c"_s, m_medium.at(2) },
                     { u"c"_s, m_medium.at(2) },
                     { u"b"_s, m_medium.at(1) },
                     { QString(), m_medium.at(3) } });
    SETTLE(cache);
    QCOMPARE(cache.decodesStarted(), 3);
    QCOMPARE(cache.count(), 3);
}

void TestPrefetch::requestSupersedesQueuedRequest()
{
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    // Two keys requested in a row: the first one's decode stops at the gate, only the last one is
    // decoded and delivered.
    cache.closeDecoderGate();
    QVERIFY(cache.request(u"x"_s, m_medium.at(5)).isNull());
    QVERIFY(cache.request(u"y"_s, m_medium.at(6)).isNull());
    QCOMPARE(cache.pendingDecodes(), 2);
    cache.openDecoderGate();
    SETTLE(cache);
    QCOMPARE(cache.decodesStarted(), 2);
    QCOMPARE(cache.decodesCancelled(), 1);
    QVERIFY(cache.contains(u"y"_s));
    QVERIFY(!cache.contains(u"x"_s));
    QCOMPARE(ready.size(), 1);
    QCOMPARE(ready.at(0).at(0).toString(), u"y"_s);
}

void TestPrefetch::clearDropsEverything()
{
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    QVERIFY(cache.request(u"s"_s, m_small).isNull());
    QVERIFY(ready.wait(kWaitMs));
    QVERIFY(cache.bytesUsed() > 0);

    // A decode running during clear() is not kept unless asked for again.
    cache.closeDecoderGate();
    cache.prefetch({ { u"big"_s, m_large }, { u"m0"_s, m_medium.at(0) } });
    cache.clear();
    QCOMPARE(cache.count(), 0);
    QCOMPARE(cache.bytesUsed(), 0);
    QVERIFY(!cache.contains(u"s"_s));
    QVERIFY(cache.request(u"big"_s, m_large).isNull()); // joins the running job
    cache.openDecoderGate();
    SETTLE(cache);
    QCOMPARE(cache.decodesCancelled(), 1); // m0
    QVERIFY(cache.contains(u"big"_s));
    QVERIFY(!cache.contains(u"m0"_s));
    QCOMPARE(cache.decodesStarted(), 3);
}

void TestPrefetch::previewComesBeforeTheFullImage()
{
    ImageCache cache;
    cache.setPreviewSize(QSize(800, 600));
    QCOMPARE(cache.previewSize(), QSize(800, 600));
    QStringList order;
    QImage preview;
    QSize fullSize;
    connect(&cache, &ImageCache::previewReady, this, [&](const QString &key, const QImage &image, QSize full) {
        order << u"preview:"_s + key;
        preview = image;
        fullSize = full;
    });
    connect(&cache, &ImageCache::ready, this, [&](const QString &key, const QImage &) { order << u"ready:"_s + key; });
    // Both decodes done, the preview handled first.
    cache.holdResults(Kind::Preview);
    cache.holdResults(Kind::Full);
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QCOMPARE(cache.previewsStarted(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Preview), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 1, kWaitMs);
    QVERIFY(order.isEmpty());
    QCOMPARE(cache.pendingDecodes(), 1); // held: still pending

    cache.releaseHeldResults(Kind::Preview);
    QCOMPARE(order, QStringList { u"preview:big"_s });
    QCOMPARE(cache.heldResults(Kind::Preview), 0);
    QCOMPARE(preview.size(), QSize(800, 533)); // 3000 x 2000 fitted into 800 x 600
    QCOMPARE(fullSize, QSize(3000, 2000));
    QVERIFY(!cache.contains(u"big"_s)); // previews are not cached

    cache.releaseHeldResults(Kind::Full);
    QCOMPARE(order, (QStringList { u"preview:big"_s, u"ready:big"_s }));
    QCOMPARE(cache.cached(u"big"_s).size(), QSize(3000, 2000));
    QVERIFY(drained(cache));
    QCOMPARE(order.size(), 2);

    // Prefetches get none.
    cache.prefetch({ { u"m0"_s, m_medium.at(0) } });
    QVERIFY(drained(cache));
    QCOMPARE(cache.previewsStarted(), 1);
    QCOMPARE(order, (QStringList { u"preview:big"_s, u"ready:big"_s, u"ready:m0"_s }));
}

void TestPrefetch::fullImageFirstSupersedesThePreview()
{
    ImageCache cache;
    cache.setPreviewSize(QSize(800, 600));
    QStringList order;
    connect(&cache, &ImageCache::previewReady, this,
            [&](const QString &key, const QImage &, QSize) { order << u"preview:"_s + key; });
    connect(&cache, &ImageCache::ready, this, [&](const QString &key, const QImage &) { order << u"ready:"_s + key; });
    // Both decodes done, the full image handled first: its preview is never delivered.
    cache.holdResults(Kind::Preview);
    cache.holdResults(Kind::Full);
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Preview), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 1, kWaitMs);
    cache.releaseHeldResults(Kind::Full);
    QCOMPARE(order, QStringList { u"ready:big"_s });
    cache.releaseHeldResults(Kind::Preview);
    QCOMPARE(cache.heldResults(Kind::Preview), 0);
    QCOMPARE(order, QStringList { u"ready:big"_s });
    QVERIFY(drained(cache));
    QCOMPARE(order, QStringList { u"ready:big"_s });
}

void TestPrefetch::previewBelongsToItsRequest()
{
    ImageCache cache;
    cache.setPreviewSize(QSize(640, 480));
    QStringList order;
    connect(&cache, &ImageCache::previewReady, this,
            [&](const QString &key, const QImage &, QSize) { order << u"preview:"_s + key; });
    connect(&cache, &ImageCache::ready, this, [&](const QString &key, const QImage &) { order << u"ready:"_s + key; });
    cache.holdResults(Kind::Preview);
    cache.holdResults(Kind::Full);
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Preview), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 1, kWaitMs);
    // Moved on before big's results were handled: big's full image is never delivered (nor kept).
    QVERIFY(cache.request(u"s"_s, m_small).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 2, kWaitMs);
    cache.releaseHeldResults(Kind::Full);
    cache.holdResults(Kind::Full);
    QCOMPARE(order, QStringList { u"ready:s"_s });
    QVERIFY(!cache.contains(u"big"_s));
    // Asked for again: a new cold request with a preview of its own.
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QCOMPARE(cache.previewsStarted(), 3); // big, s (too small to get one), big again
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Preview), 2, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 1, kWaitMs);
    // The first request's preview arrives late and is dropped; the second one's is delivered, once.
    cache.releaseHeldResults(Kind::Preview);
    QCOMPARE(order, (QStringList { u"ready:s"_s, u"preview:big"_s }));
    cache.releaseHeldResults(Kind::Full);
    QCOMPARE(order, (QStringList { u"ready:s"_s, u"preview:big"_s, u"ready:big"_s }));
    QVERIFY(drained(cache));
    QCOMPARE(order.size(), 3);
}

void TestPrefetch::previewOnlyWhenItHelps()
{
    ImageCache cache;
    QSignalSpy previews(&cache, &ImageCache::previewReady);
    QSignalSpy ready(&cache, &ImageCache::ready);
    // Off by default.
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QVERIFY(ready.wait(kWaitMs));
    QCOMPARE(cache.previewsStarted(), 0);
    // Cached: nothing to preview.
    cache.setPreviewSize(QSize(640, 480));
    QCOMPARE(cache.request(u"big"_s, m_large).size(), QSize(3000, 2000));
    QCOMPARE(cache.previewsStarted(), 0);
    // Already small enough: the full decode is as quick, no preview is made.
    cache.holdResults(Kind::Full); // the preview cannot lose a race to it
    QVERIFY(cache.request(u"small"_s, m_small).isNull());
    QCOMPARE(cache.previewsStarted(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 1, kWaitMs);
    QVERIFY(ImageCache::waitForDecoders(kWaitMs));
    QCoreApplication::sendPostedEvents();
    cache.releaseHeldResults(Kind::Full);
    QVERIFY(drained(cache));
    QVERIFY(previews.isEmpty());
    QVERIFY(cache.contains(u"small"_s));
}

void TestPrefetch::previewDroppedWhenMovedOn()
{
    ImageCache cache;
    cache.setPreviewSize(QSize(640, 480));
    QSignalSpy previews(&cache, &ImageCache::previewReady);
    QSignalSpy ready(&cache, &ImageCache::ready);
    // The preview of big has arrived (its full image too), but another image was asked for
    // before they were handled.
    cache.holdResults(Kind::Preview);
    cache.holdResults(Kind::Full);
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Preview), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 1, kWaitMs);
    QVERIFY(cache.request(u"s"_s, m_small).isNull()); // moved on
    cache.releaseHeldResults(Kind::Preview);
    QVERIFY(previews.isEmpty());
    cache.releaseHeldResults(Kind::Full);
    QVERIFY(drained(cache));
    QVERIFY(cache.contains(u"s"_s));
    QVERIFY(previews.isEmpty());
}

void TestPrefetch::requestGoesAheadOfDecodingAhead()
{
    ImageCache cache;
    QStringList order;
    connect(&cache, &ImageCache::ready, this, [&](const QString &key, const QImage &) { order << key; });
    // Both decoding-ahead threads busy (held at the gate), more queued behind them.
    cache.closeDecoderGate();
    KeyPaths list;
    for (int i = 0; i < 6; ++i)
        list.append({ u"m%1"_s.arg(i), m_medium.at(i) });
    cache.prefetch(list);
    QCOMPARE(cache.decodesStarted(), ImageCache::MaxConcurrentDecodes);
    QTRY_COMPARE_WITH_TIMEOUT(cache.waitingAtGate(), ImageCache::MaxConcurrentDecodes, kWaitMs);
    // The image asked for starts at once, on a thread of its own: it does not queue behind them.
    QVERIFY(cache.request(u"x"_s, m_medium.at(7)).isNull());
    QCOMPARE(cache.decodesStarted(), ImageCache::MaxConcurrentDecodes + 1);
    QTRY_COMPARE_WITH_TIMEOUT(cache.waitingAtGate(), ImageCache::MaxConcurrentDecodes + 1, kWaitMs);
    // Let the request alone through: it is delivered while the others wait.
    cache.openDecoderGate(u"x"_s);
    QTRY_COMPARE_WITH_TIMEOUT(order, QStringList { u"x"_s }, kWaitMs);
    QCOMPARE(cache.waitingAtGate(), ImageCache::MaxConcurrentDecodes);
    cache.openDecoderGate();
    SETTLE(cache);
    QCOMPARE(order.size(), 7);
    QCOMPARE(order.first(), u"x"_s);
    QCOMPARE(cache.decodesCancelled(), 0);
}

void TestPrefetch::staleRequestIsCancelled()
{
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    QSignalSpy failed(&cache, &ImageCache::failed);
    cache.closeDecoderGate();
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(cache.waitingAtGate(), 1, kWaitMs);
    // Left before its decode began: it stops at the gate, before reading the file.
    QVERIFY(cache.request(u"s"_s, m_small).isNull());
    cache.openDecoderGate();
    SETTLE(cache);
    QCOMPARE(cache.decodesCancelled(), 1);
    QCOMPARE(ready.size(), 1);
    QCOMPARE(ready.at(0).at(0).toString(), u"s"_s);
    QVERIFY(failed.isEmpty());
    QVERIFY(!cache.contains(u"big"_s));

    // Left and asked for again before the stopped decode reported back: decoded again.
    cache.closeDecoderGate();
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QVERIFY(!cache.request(u"s"_s, m_small).isNull()); // cached
    cache.openDecoderGate();
    QVERIFY(ImageCache::waitForDecoders(kWaitMs)); // stopped, its report posted, not handled
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    SETTLE(cache);
    QCOMPARE(cache.decodesCancelled(), 2);
    QCOMPARE(cache.cached(u"big"_s).size(), QSize(3000, 2000));
    QCOMPARE(ready.size(), 2);
}

void TestPrefetch::staleDecodeStopsAfterItsPreview()
{
    ImageCache cache;
    cache.setPreviewSize(QSize(640, 480));
    QStringList order;
    connect(&cache, &ImageCache::previewReady, this,
            [&](const QString &key, const QImage &, QSize) { order << u"preview:"_s + key; });
    connect(&cache, &ImageCache::ready, this, [&](const QString &key, const QImage &) { order << u"ready:"_s + key; });
    cache.closeDecoderGate();
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    // Through the start and the preview; the full decode waits at the gate.
    cache.letThroughGate(2);
    QTRY_COMPARE_WITH_TIMEOUT(order, QStringList { u"preview:big"_s }, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(cache.waitingAtGate(), 1, kWaitMs);
    QCOMPARE(cache.pendingDecodes(), 1);
    // Moved on: the 6 MP decode never runs, nothing more of big comes.
    QVERIFY(cache.request(u"s"_s, m_small).isNull());
    cache.openDecoderGate();
    SETTLE(cache);
    QCOMPARE(cache.decodesCancelled(), 1);
    QCOMPARE(order, (QStringList { u"preview:big"_s, u"ready:s"_s }));
    QVERIFY(!cache.contains(u"big"_s));
}

void TestPrefetch::leftImageIsNeverDelivered()
{
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    // big is decoded (its result held back), but the rater has moved on by the time it arrives.
    cache.holdResults(Kind::Full);
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 1, kWaitMs);
    QVERIFY(cache.request(u"s"_s, m_small).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 2, kWaitMs);
    cache.releaseHeldResults(Kind::Full);
    QVERIFY(drained(cache));
    QCOMPARE(ready.size(), 1);
    QCOMPARE(ready.at(0).at(0).toString(), u"s"_s);
    QVERIFY(!cache.contains(u"big"_s));
    QCOMPARE(cache.count(), 1);
}

void TestPrefetch::joiningADecodeAheadGetsAPreview()
{
    ImageCache cache;
    cache.setPreviewSize(QSize(640, 480));
    QStringList order;
    connect(&cache, &ImageCache::previewReady, this,
            [&](const QString &key, const QImage &image, QSize full) {
                order << u"preview:%1:%2x%3:%4x%5"_s.arg(key).arg(image.width()).arg(image.height())
                             .arg(full.width()).arg(full.height());
            });
    connect(&cache, &ImageCache::ready, this, [&](const QString &key, const QImage &) { order << u"ready:"_s + key; });
    // Being decoded ahead: the request joins that decode (no second full decode) and gets a
    // preview of its own while it runs.
    cache.closeDecoderGate();
    cache.prefetch({ { u"big"_s, m_large } });
    QCOMPARE(cache.decodesStarted(), 1);
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QCOMPARE(cache.decodesStarted(), 1);
    QCOMPARE(cache.previewsStarted(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(cache.waitingAtGate(), 2, kWaitMs);
    cache.holdResults(Kind::Full); // the full image cannot overtake the preview
    cache.openDecoderGate();
    QTRY_COMPARE_WITH_TIMEOUT(order, QStringList { u"preview:big:640x427:3000x2000"_s }, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 1, kWaitMs);
    cache.releaseHeldResults(Kind::Full);
    QVERIFY(drained(cache));
    QCOMPARE(order, (QStringList { u"preview:big:640x427:3000x2000"_s, u"ready:big"_s }));
    QCOMPARE(cache.decodesStarted(), 1);
}

void TestPrefetch::memoryStaysWithinTheBudget()
{
    // Room for three 800 x 600 images; ten are decoded ahead, one after the other.
    const qint64 imageBytes = 800 * 600 * 4;
    const qint64 budget = imageBytes * 7 / 2;
    ImageCache cache(budget);
    int delivered = 0;
    qint64 mostBytes = 0;
    int mostImages = 0;
    connect(&cache, &ImageCache::ready, this, [&](const QString &, const QImage &image) {
        QCOMPARE(image.sizeInBytes(), imageBytes);
        ++delivered;
        mostBytes = qMax(mostBytes, cache.bytesUsed());
        mostImages = qMax(mostImages, cache.count());
    });
    QVERIFY(cache.request(u"current"_s, m_medium.at(9)).isNull());
    KeyPaths list;
    for (int i = 0; i < 9; ++i)
        list.append({ u"m%1"_s.arg(i), m_medium.at(i) });
    cache.prefetch(list);
    SETTLE(cache);
    QCOMPARE(delivered, 10);
    QVERIFY2(mostBytes <= budget, qPrintable(u"%1 > %2"_s.arg(mostBytes).arg(budget)));
    QCOMPARE(mostImages, 3);
    QVERIFY(cache.bytesUsed() <= budget);
    QVERIFY(cache.contains(u"current"_s)); // the image shown is never the one to go
    // The nearest ahead are kept, the farthest went first.
    QVERIFY(cache.contains(u"m0"_s));
    QVERIFY(cache.contains(u"m1"_s));
    QVERIFY(!cache.contains(u"m8"_s));
    // A smaller budget evicts at once, down to it.
    cache.setBudgetBytes(imageBytes * 3 / 2);
    QCOMPARE(cache.count(), 1);
    QVERIFY(cache.contains(u"current"_s));
}

void TestPrefetch::screenCopyFitsThePreviewSize()
{
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    cache.setPreviewSize(QSize(1000, 800));
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    cache.prefetch({ { u"m0"_s, m_medium.at(0) } });
    SETTLE(cache);
    // 3000 x 2000 fitted into 1000 x 800; counted in the memory used.
    const QImage screen = cache.screenImage(u"big"_s);
    QCOMPARE(screen.size(), QSize(1000, 667));
    QCOMPARE(screen.format(), QImage::Format_RGB32);
    // An area average of the full image: the mean colour is kept.
    const QImage full = cache.cached(u"big"_s);
    const auto mean = [](const QImage &image) {
        double sum = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                sum += qGreen(image.pixel(x, y));
        return sum / (double(image.width()) * image.height());
    };
    QVERIFY(std::abs(mean(screen) - mean(full)) < 1.0);
    // Already fits: no copy.
    QVERIFY(cache.screenImage(u"m0"_s).isNull());
    QCOMPARE(cache.bytesUsed(), full.sizeInBytes() + screen.sizeInBytes() + 800 * 600 * 4);
}

void TestPrefetch::plannerFollowsDirection()
{
    dl::PrefetchPlanner planner;
    planner.setBaseDepth(2);
    QCOMPARE(planner.plan(5, 20), (QList<int> { 6, 7, 4 }));
    // Page Up twice: backwards, the next one behind last.
    planner.moved(5, 4, 1000);
    planner.moved(4, 3, 2500);
    QCOMPARE(planner.direction(), -1);
    QCOMPARE(planner.plan(3, 20), (QList<int> { 2, 1, 4 }));
    // A jump (a queue click) keeps the direction.
    planner.moved(3, 12, 4000);
    QCOMPARE(planner.plan(12, 20), (QList<int> { 11, 10, 13 }));
    planner.moved(12, 13, 5000);
    QCOMPARE(planner.plan(13, 20), (QList<int> { 14, 15, 12 }));
    // Only rows of the queue.
    QCOMPARE(planner.plan(19, 20), (QList<int> { 18 }));
    QCOMPARE(planner.plan(0, 1), QList<int> {});
    // Off.
    planner.setBaseDepth(0);
    QVERIFY(planner.plan(5, 20).isEmpty());
}

void TestPrefetch::plannerFollowsPace()
{
    dl::PrefetchPlanner planner;
    planner.setBaseDepth(2);
    planner.setMaxDepth(8);
    planner.decoded(150);
    // Unknown pace: the base depth.
    QCOMPARE(planner.depth(), 2);
    // A press every 1.5 s: decoding keeps up with two ahead.
    qint64 t = 0;
    for (int row = 0; row < 5; ++row)
        planner.moved(row, row + 1, t += 1500);
    QCOMPARE(planner.intervalMsecs(), 1500);
    QCOMPARE(planner.depth(), 2);
    // A press every 50 ms against 150 ms decodes: 150 / 50 + 1 ahead once the pace shows.
    for (int row = 5; row < 25; ++row)
        planner.moved(row, row + 1, t += 50);
    QVERIFY(planner.intervalMsecs() >= 50);
    QVERIFY(planner.intervalMsecs() <= 55);
    QCOMPARE(planner.depth(), 4);
    QCOMPARE(planner.plan(25, 60).size(), 5); // and one behind
    // Faster still: at most the maximum.
    for (int row = 25; row < 40; ++row)
        planner.moved(row, row + 1, t += 10);
    QCOMPARE(planner.depth(), 8);
    // A pause to label is not the pace; after it, the pace of the next presses counts.
    planner.moved(40, 41, t += 60'000);
    QCOMPARE(planner.depth(), 8);
    for (int row = 41; row < 50; ++row)
        planner.moved(row, row + 1, t += 1500);
    QCOMPARE(planner.depth(), 2);
}

void TestPrefetch::plannerStaysWithinMemory()
{
    dl::PrefetchPlanner planner;
    planner.setBaseDepth(8);
    planner.setMaxDepth(8);
    // 48 MB images (12 MP), a 256 MB budget: the current one, one behind, three ahead.
    const qint64 image = 4000LL * 3000 * 4;
    planner.setMemory(image, 256LL * 1024 * 1024);
    QCOMPARE(planner.depth(), 3);
    QCOMPARE(planner.plan(10, 40), (QList<int> { 11, 12, 13, 9 }));
    // Never less than one ahead while decoding ahead is on.
    planner.setMemory(image, image);
    QCOMPARE(planner.depth(), 1);
    planner.setMemory(image, 1024LL * 1024 * 1024);
    QCOMPARE(planner.depth(), 8);
}

QTEST_GUILESS_MAIN(TestPrefetch)
#include "tst_prefetch.moc"
