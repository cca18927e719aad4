// SPDX-License-Identifier: GPL-3.0-or-later
// Times ImageCache on 20 generated 4000 x 3000 JPEGs (quality 90, skin-like texture and noise):
// (a) cold: request() to ready() for an uncached image, median of 10 (decode only);
// (b) prefetch: walk the 20 images like a user pressing "next" every 300 ms, prefetching the next
//     two each time; time from "next" to having the QImage, median (the first step is cold).
// Targets for the workstation: (a) under 250 ms, (b) under 30 ms.
#include "imaging/ImageCache.h"

#include <QCoreApplication>
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
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

constexpr int kImages = 20;
constexpr int kColdRuns = 10;
constexpr int kDefaultStepMs = 300;

// A photo-like skin image: a per-image skin tone, smooth shading and a few darker lesion-like
// blotches (built at quarter size and scaled up), then fine texture and sensor noise at full size.
cv::Mat skinImage(int index)
{
    cv::RNG rng(uint64(20240611 + index));
    const cv::Scalar tone(110 + rng.uniform(0, 60), 140 + rng.uniform(0, 50), 190 + rng.uniform(0, 50));
    cv::Mat shading(12, 16, CV_32FC3);
    rng.fill(shading, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(18));
    cv::Mat base(750, 1000, CV_32FC3, tone);
    cv::Mat smooth;
    cv::resize(shading, smooth, base.size(), 0, 0, cv::INTER_CUBIC);
    base += smooth;
    for (int i = 0; i < 6; ++i) {
        const cv::Point centre(rng.uniform(75, 925), rng.uniform(75, 675));
        const cv::Size axes(rng.uniform(10, 75), rng.uniform(10, 60));
        cv::ellipse(base, centre, axes, rng.uniform(0, 180), 0, 360, cv::Scalar(-45, -60, -50), cv::FILLED);
    }
    cv::GaussianBlur(base, base, cv::Size(0, 0), 1.5);
    cv::Mat image;
    cv::resize(base, image, cv::Size(4000, 3000), 0, 0, cv::INTER_LINEAR);
    cv::Mat texture(3000, 4000, CV_32FC3);
    rng.fill(texture, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(7));
    image += texture;
    cv::Mat out;
    image.convertTo(out, CV_8UC3);
    return out;
}

QString writeImage(const QTemporaryDir &dir, int index)
{
    std::vector<uchar> bytes;
    if (!cv::imencode(".jpg", skinImage(index), bytes, { cv::IMWRITE_JPEG_QUALITY, 90 }))
        qFatal("cannot encode image %d", index);
    const QString path = dir.filePath(u"img%1.jpg"_s.arg(index, 2, 10, QLatin1Char('0')));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(reinterpret_cast<const char *>(bytes.data()), qint64(bytes.size())) != qint64(bytes.size()))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QString keyOf(int index)
{
    return u"img%1"_s.arg(index);
}

// Runs the event loop until `key` is ready (or failed); false on failure or timeout.
bool waitFor(dl::ImageCache &cache, const QString &key)
{
    QEventLoop loop;
    bool ok = false;
    const auto onReady = QObject::connect(&cache, &dl::ImageCache::ready, &loop, [&](const QString &k) {
        if (k == key) {
            ok = true;
            loop.quit();
        }
    });
    const auto onFailed = QObject::connect(&cache, &dl::ImageCache::failed, &loop, [&](const QString &k, const QString &m) {
        if (k == key) {
            std::fprintf(stderr, "failed: %s\n", qPrintable(m));
            loop.quit();
        }
    });
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(onReady);
    QObject::disconnect(onFailed);
    return ok;
}

void sleepWithEvents(qint64 ms)
{
    if (ms <= 0)
        return;
    QEventLoop loop;
    QTimer::singleShot(int(ms), &loop, &QEventLoop::quit);
    loop.exec();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double ms(qint64 nsecs)
{
    return double(nsecs) / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // Optional argument: the interval between "next" presses in ms (default 300).
    const int stepMs = argc > 1 ? qMax(1, QString::fromLocal8Bit(argv[1]).toInt()) : kDefaultStepMs;
    QTemporaryDir dir;
    if (!dir.isValid())
        qFatal("no temporary directory");

    std::printf("Generating %d 4000x3000 JPEGs (quality 90)...\n", kImages);
    QStringList paths;
    qint64 totalBytes = 0;
    for (int i = 0; i < kImages; ++i) {
        paths.append(writeImage(dir, i));
        totalBytes += QFileInfo(paths.constLast()).size();
    }
    std::printf("  mean file size %.2f MB\n", double(totalBytes) / kImages / 1e6);

    // Warm-up: load the image plugins once (not measured).
    {
        dl::ImageCache cache;
        if (cache.request(u"warm"_s, paths.constLast()).isNull() && !waitFor(cache, u"warm"_s))
            qFatal("warm-up decode failed");
    }

    // (a) cold
    std::vector<double> cold;
    for (int i = 0; i < kColdRuns; ++i) {
        dl::ImageCache cache;
        QElapsedTimer timer;
        timer.start();
        const QImage immediate = cache.request(keyOf(i), paths.at(i));
        if (!immediate.isNull() || !waitFor(cache, keyOf(i)))
            qFatal("cold request %d did not decode", i);
        cold.push_back(ms(timer.nsecsElapsed()));
    }
    // Reference: OpenCV's libjpeg decode of the same files on this machine, no cache.
    std::vector<double> raw;
    for (int i = 0; i < kColdRuns; ++i) {
        QFile file(paths.at(i));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", qPrintable(paths.at(i)));
        const QByteArray bytes = file.readAll();
        QElapsedTimer timer;
        timer.start();
        const cv::Mat decoded = cv::imdecode(
            cv::Mat(1, int(bytes.size()), CV_8U, const_cast<char *>(bytes.constData())), cv::IMREAD_COLOR);
        raw.push_back(ms(timer.nsecsElapsed()));
        if (decoded.cols != 4000)
            qFatal("reference decode failed");
    }
    std::printf("(a) cold request -> ready: median %.1f ms (min %.1f, max %.1f, n=%d)\n", median(cold),
                *std::min_element(cold.begin(), cold.end()), *std::max_element(cold.begin(), cold.end()),
                kColdRuns);
    std::printf("    reference: cv::imdecode of the same files (file already in memory): median %.1f ms\n",
                median(raw));

    // (b) walking with prefetch of the next two
    dl::ImageCache cache;
    std::vector<double> latency;
    std::vector<double> requestCall;
    for (int i = 0; i < kImages; ++i) {
        QElapsedTimer step;
        step.start();
        QImage image = cache.request(keyOf(i), paths.at(i));
        requestCall.push_back(ms(step.nsecsElapsed()));
        if (image.isNull()) {
            if (!waitFor(cache, keyOf(i)))
                qFatal("request %d did not decode", i);
            image = cache.cached(keyOf(i));
        }
        if (image.size() != QSize(4000, 3000))
            qFatal("unexpected size for image %d", i);
        latency.push_back(ms(step.nsecsElapsed()));
        QList<QPair<QString, QString>> next;
        for (int j = i + 1; j <= i + 2 && j < kImages; ++j)
            next.append({ keyOf(j), paths.at(j) });
        cache.prefetch(next);
        sleepWithEvents(stepMs - step.elapsed());
    }
    const std::vector<double> afterFirst(latency.begin() + 1, latency.end());
    std::printf("(b) next -> image with prefetch of 2, one press per %d ms:\n", stepMs);
    std::printf("    median %.2f ms over all %d steps; median %.2f ms, max %.2f ms over steps 2..%d\n",
                median(latency), kImages, median(afterFirst),
                *std::max_element(afterFirst.begin(), afterFirst.end()), kImages);
    const auto hits = std::count_if(latency.begin(), latency.end(), [](double v) { return v < 30.0; });
    std::printf("    %d of %d steps under 30 ms\n", int(hits), kImages);
    std::printf("    per step (ms):");
    for (double v : latency)
        std::printf(" %.1f", v);
    const auto slowestCall = std::max_element(requestCall.begin(), requestCall.end());
    std::printf("\n    request() call itself: median %.3f ms, max %.3f ms (step %d); decodes started %d, "
                "cache %.0f MB\n",
                median(requestCall), *slowestCall, int(slowestCall - requestCall.begin()) + 1, cache.decodesStarted(),
                double(cache.bytesUsed()) / 1e6);
    QFile loadavg(u"/proc/loadavg"_s);
    if (loadavg.open(QIODevice::ReadOnly))
        std::printf("Load average: %s", loadavg.readLine().constData());
    std::printf("Targets: cold < 250 ms, with prefetch < 30 ms.\n");
    return 0;
}
