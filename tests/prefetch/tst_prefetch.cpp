// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageCache.h"

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
        QCOMPARE(cache->decodesStarted(), 2);
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
    cache.prefetch(list);
    cache.prefetch({}); // replaced at once: only the running ones finish
    SETTLE(cache);
    QCOMPARE(cache.decodesStarted(), ImageCache::MaxConcurrentDecodes);
    QVERIFY(cache.decodesStarted() < int(list.size()));
    QCOMPARE(ready.size(), ImageCache::MaxConcurrentDecodes);
    QVERIFY(cache.contains(u"m0"_s));
    QVERIFY(cache.contains(u"m1"_s));
    QVERIFY(!cache.contains(u"m2"_s));

    // Replacing with another list: queued keys not in it are dropped, the new ones decoded.
    cache.clear();
    ready.clear();
    const int before = cache.decodesStarted();
    cache.prefetch(list.mid(2, 6)); // m2..m7; m2 and m3 start
    cache.prefetch({ list.at(8), list.at(3) }); // m8 new, m3 running, m4..m7 cancelled
    SETTLE(cache);
    QCOMPARE(cache.decodesStarted() - before, 3);
    QVERIFY(cache.contains(u"m3"_s));
    QVERIFY(cache.contains(u"m8"_s));
    for (const char *gone : { "m4", "m5", "m6", "m7" })
        QVERIFY2(!cache.contains(QLatin1StringView(gone)), gone);
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
    // Occupy both workers, then request two keys in a row: only the last one is decoded.
    cache.prefetch({ { u"m0"_s, m_medium.at(0) }, { u"big"_s, m_large } });
    QCOMPARE(cache.decodesStarted(), 2);
    QVERIFY(cache.request(u"x"_s, m_medium.at(5)).isNull());
    QVERIFY(cache.request(u"y"_s, m_medium.at(6)).isNull());
    QCOMPARE(cache.pendingDecodes(), 3);
    QTRY_VERIFY_WITH_TIMEOUT(cache.contains(u"y"_s), kWaitMs);
    SETTLE(cache);
    QCOMPARE(cache.decodesStarted(), 3);
    QVERIFY(!cache.contains(u"x"_s));
}

void TestPrefetch::clearDropsEverything()
{
    ImageCache cache;
    QSignalSpy ready(&cache, &ImageCache::ready);
    QVERIFY(cache.request(u"s"_s, m_small).isNull());
    QVERIFY(ready.wait(kWaitMs));
    QVERIFY(cache.bytesUsed() > 0);

    // A decode running during clear() is not kept unless asked for again.
    cache.prefetch({ { u"big"_s, m_large }, { u"m0"_s, m_medium.at(0) } });
    cache.clear();
    QCOMPARE(cache.count(), 0);
    QCOMPARE(cache.bytesUsed(), 0);
    QVERIFY(!cache.contains(u"s"_s));
    QVERIFY(cache.request(u"big"_s, m_large).isNull()); // joins the running job
    SETTLE(cache);
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
    // Room for the current image only: an image left is evicted, so asking for it again is a
    // new cold request with a preview of its own.
    ImageCache cache(1000);
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
    // Moved on, the full images of big and s handled (big evicted), then big asked for again.
    QVERIFY(cache.request(u"s"_s, m_small).isNull());
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 2, kWaitMs);
    cache.releaseHeldResults(Kind::Full);
    cache.holdResults(Kind::Full);
    QCOMPARE(order, (QStringList { u"ready:big"_s, u"ready:s"_s }));
    QVERIFY(!cache.contains(u"big"_s));
    QVERIFY(cache.request(u"big"_s, m_large).isNull());
    QCOMPARE(cache.previewsStarted(), 3); // big, s (too small to get one), big again
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Preview), 2, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(cache.heldResults(Kind::Full), 1, kWaitMs);
    // The first request's preview arrives late and is dropped; the second one's is delivered, once.
    cache.releaseHeldResults(Kind::Preview);
    QCOMPARE(order, (QStringList { u"ready:big"_s, u"ready:s"_s, u"preview:big"_s }));
    cache.releaseHeldResults(Kind::Full);
    QCOMPARE(order, (QStringList { u"ready:big"_s, u"ready:s"_s, u"preview:big"_s, u"ready:big"_s }));
    QVERIFY(drained(cache));
    QCOMPARE(order.size(), 4);
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
    // Being decoded already (a prefetch): the request joins it without a preview.
    cache.prefetch({ { u"m1"_s, m_medium.at(1) } });
    const int started = cache.previewsStarted();
    QVERIFY(cache.request(u"m1"_s, m_medium.at(1)).isNull());
    QCOMPARE(cache.previewsStarted(), started);
    QVERIFY(drained(cache));
    QVERIFY(previews.isEmpty());
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

QTEST_GUILESS_MAIN(TestPrefetch)
#include "tst_prefetch.moc"
