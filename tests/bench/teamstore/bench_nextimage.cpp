// SPDX-License-Identifier: GPL-3.0-or-later
// "Next image" on a team store (PostgreSQL, images in the server, this workstation's bounded
// cache) with a cold and a warm cache, against the same on a local SQLite store, on generated
// 4000 x 3000 JPEGs with high-entropy texture (quality 92, several MB each).
//
//   (a) open: request() -> ready() of an image not decoded yet, no prefetch (a new ImageCache
//       each time): file (download on a cold team cache) + decode;
//   (b) next: walking the images like a rater pressing "next" every 300 ms (argument 1), the
//       next two prefetched as the labelling screen does; time from "next" to the QImage.
// Each prints the median and the 95th percentile (nearest rank). Cold: a workstation with an
// empty cache folder; warm: the same workstation again (its files cached, the decodes not).
//
// Needs a PostgreSQL server; start a throwaway one with the tests' script:
//   bash tests/pg/pg-server.sh start /tmp/dl-pg
//   DERMLABEL_TEST_POSTGRES_URL=$(cat /tmp/dl-pg/admin-url) build/tests/bench/teamstore/bench_nextimage
//   bash tests/pg/pg-server.sh stop /tmp/dl-pg
// (or run any PostgreSQL test with ctest first: the fixture's URL file in the build tree is
// used when DERMLABEL_TEST_POSTGRES_URL is not set, while that server runs).
#include "PostgresTestServer.h"

#include "imaging/ImageCache.h"
#include "import/ImportService.h"
#include "session/ImageService.h"
#include "store/ImageRepository.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

constexpr int kImages = 16;
constexpr int kDefaultStepMs = 300;
constexpr int kPrefetch = 2;

// A skin-like photo with strong fine texture and noise, so that the JPEG stays large.
cv::Mat photo(int index)
{
    cv::RNG rng(uint64(977 + index));
    cv::Mat base(300, 400, CV_32FC3, cv::Scalar(120 + rng.uniform(0, 50), 150 + rng.uniform(0, 40), 200));
    cv::Mat blotches(300, 400, CV_32FC3);
    rng.fill(blotches, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(25));
    cv::GaussianBlur(blotches, blotches, cv::Size(0, 0), 6);
    base += blotches;
    cv::Mat image;
    cv::resize(base, image, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    cv::Mat noise(3000, 4000, CV_32FC3);
    rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(14));
    image += noise;
    cv::Mat out;
    image.convertTo(out, CV_8UC3);
    return out;
}

void writePhoto(const QString &folder, int index)
{
    std::vector<uchar> bytes;
    if (!cv::imencode(".jpg", photo(index), bytes, {cv::IMWRITE_JPEG_QUALITY, 92}))
        qFatal("cannot encode image %d", index);
    QFile file(u"%1/photo%2.jpg"_s.arg(folder).arg(index, 2, 10, QLatin1Char('0')));
    if (!file.open(QIODevice::WriteOnly)
        || file.write(reinterpret_cast<const char *>(bytes.data()), qint64(bytes.size())) != qint64(bytes.size()))
        qFatal("cannot write %s", qPrintable(file.fileName()));
}

bool waitFor(ImageCache &cache, const QString &key)
{
    QEventLoop loop;
    bool ok = false;
    const auto onReady = QObject::connect(&cache, &ImageCache::ready, &loop, [&](const QString &k) {
        if (k == key) {
            ok = true;
            loop.quit();
        }
    });
    const auto onFailed = QObject::connect(&cache, &ImageCache::failed, &loop, [&](const QString &k, const QString &m) {
        if (k == key) {
            std::fprintf(stderr, "failed: %s\n", qPrintable(m));
            loop.quit();
        }
    });
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(onReady);
    QObject::disconnect(onFailed);
    return ok;
}

void pause(qint64 ms)
{
    if (ms <= 0)
        return;
    QEventLoop loop;
    QTimer::singleShot(int(ms), &loop, &QEventLoop::quit);
    loop.exec();
}

double ms(qint64 nsecs)
{
    return double(nsecs) / 1e6;
}

void print(const char *what, std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    const size_t rank = size_t(std::ceil(0.95 * double(n)));
    std::printf("  %-34s median %7.1f ms   p95 %7.1f ms   (n=%zu)\n", what, median, values[std::max<size_t>(rank, 1) - 1],
                n);
    std::fflush(stdout);
}

void useStoreFiles(ImageCache &cache, Store &store)
{
    cache.setFileSource([store = &store](const QString &, const QString &path, QString *error) {
        return ImageService(*store).localFileAt(path, error);
    });
}

QStringList pathsOf(Store &store)
{
    QString error;
    QStringList paths;
    ImageService images(store);
    for (qint64 id : ImageRepository(store).ids(&error))
        paths.append(images.filePath(id, &error));
    if (paths.size() != kImages)
        qFatal("expected %d images, found %d: %s", kImages, int(paths.size()), qPrintable(error));
    return paths;
}

// (a): each image once, from nothing.
std::vector<double> open(Store &store)
{
    const QStringList paths = pathsOf(store);
    std::vector<double> times;
    for (int i = 0; i < paths.size(); ++i) {
        ImageCache cache;
        useStoreFiles(cache, store);
        QElapsedTimer timer;
        timer.start();
        if (!cache.request(u"k%1"_s.arg(i), paths.at(i)).isNull() || !waitFor(cache, u"k%1"_s.arg(i)))
            qFatal("image %d did not open", i);
        times.push_back(ms(timer.nsecsElapsed()));
    }
    ImageCache::waitForDecoders();
    return times;
}

// (b): next, next, next... with the next two prefetched.
std::vector<double> walk(Store &store, int stepMs)
{
    const QStringList paths = pathsOf(store);
    ImageCache cache;
    useStoreFiles(cache, store);
    std::vector<double> times;
    for (int i = 0; i < paths.size(); ++i) {
        QElapsedTimer step;
        step.start();
        const QString key = u"k%1"_s.arg(i);
        QImage image = cache.request(key, paths.at(i));
        if (image.isNull()) {
            if (!waitFor(cache, key))
                qFatal("image %d did not open", i);
            image = cache.cached(key);
        }
        if (image.size() != QSize(4000, 3000))
            qFatal("image %d has the wrong size", i);
        times.push_back(ms(step.nsecsElapsed()));
        QList<QPair<QString, QString>> next;
        for (int j = i + 1; j <= i + kPrefetch && j < paths.size(); ++j)
            next.append({u"k%1"_s.arg(j), paths.at(j)});
        cache.prefetch(next);
        pause(stepMs - step.elapsed());
    }
    ImageCache::waitForDecoders();
    return times;
}

std::unique_ptr<Store> workstation(const StoreLocation &location, const QString &cacheRoot)
{
    qputenv("XDG_CACHE_HOME", QFile::encodeName(cacheRoot));
    QString error;
    auto store = Store::open(location, Store::OpenMode::MustExist, &error);
    if (!store)
        qFatal("cannot open the team store: %s", qPrintable(error));
    return store;
}

void import(Store &store, const QString &folder)
{
    QString error;
    if (!store.lockForWriting(&error))
        qFatal("%s", qPrintable(error));
    ImportOptions options;
    options.faceCheck = false;
    const ImportReport report = ImportService(store).importPath(ImportKind::Folder, folder, options);
    if (report.failed() || report.imported != kImages)
        qFatal("import failed: %s", qPrintable(report.error));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int stepMs = argc > 1 ? qMax(1, QString::fromLocal8Bit(argv[1]).toInt()) : kDefaultStepMs;
    QTemporaryDir dir;
    if (!dir.isValid())
        qFatal("no temporary folder");
    PostgresTestServer server(u"bench_nextimage"_s);
    if (!server.isAvailable())
        qFatal("no PostgreSQL server: %s (see the comment at the top of bench_nextimage.cpp)",
               qPrintable(server.error()));

    const QString folder = dir.filePath(u"photos"_s);
    QDir().mkpath(folder);
    std::printf("Generating %d 4000x3000 JPEGs...\n", kImages);
    qint64 bytes = 0;
    for (int i = 0; i < kImages; ++i) {
        writePhoto(folder, i);
        bytes += QFileInfo(u"%1/photo%2.jpg"_s.arg(folder).arg(i, 2, 10, QLatin1Char('0'))).size();
    }
    std::printf("  mean file size %.2f MB; next pressed every %d ms, %d prefetched\n", double(bytes) / kImages / 1e6,
                stepMs, kPrefetch);

    // Warm-up of the image plugins (not measured).
    {
        ImageCache cache;
        if (cache.request(u"warm"_s, folder + u"/photo00.jpg"_s).isNull() && !waitFor(cache, u"warm"_s))
            qFatal("warm-up failed");
    }

    QString error;
    {
        auto local = Store::open(dir.filePath(u"local.dermlabel"_s), Store::OpenMode::CreateNew, &error);
        if (!local)
            qFatal("%s", qPrintable(error));
        import(*local, folder);
        std::printf("SQLite store (files beside it):\n");
        print("(a) open", open(*local));
        print("(b) next, prefetching", walk(*local, stepMs));
    }

    const StoreLocation location = server.location(u"team"_s);
    {
        auto created = Store::open(location, Store::OpenMode::CreateNew, &error);
        if (!created)
            qFatal("%s", qPrintable(error));
    }
    {
        QElapsedTimer timer;
        timer.start();
        auto importer = workstation(location, dir.filePath(u"importer-cache"_s));
        import(*importer, folder);
        std::printf("Team store: import with upload of %d images: %.1f s\n", kImages, timer.elapsed() / 1000.0);
    }
    {
        auto ws = workstation(location, dir.filePath(u"cache-a"_s));
        std::printf("Team store (PostgreSQL), open:\n");
        print("(a) open, cold cache (download)", open(*ws));
        print("(a) open, warm cache", open(*ws));
    }
    {
        auto ws = workstation(location, dir.filePath(u"cache-b"_s));
        std::printf("Team store (PostgreSQL), next:\n");
        print("(b) next, cold cache, prefetching", walk(*ws, stepMs));
        print("(b) next, warm cache, prefetching", walk(*ws, stepMs));
    }
    server.dropAll();
    return 0;
}
