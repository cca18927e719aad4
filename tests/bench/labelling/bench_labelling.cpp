// SPDX-License-Identifier: GPL-3.0-or-later
// Key press to the first changed pixels of the image area in the labelling screen, on high-entropy
// 4000x3000 JPEGs (about 3.5-4 MB each, like dermatoscope photos with hair and skin texture), in
// the three cases a rater meets:
//
//   1. next image, decoded ahead: Page Down every --interval ms (default 1500);
//   2. next image, Page Down every --fast ms (default 100): decoding ahead barely keeps up;
//   3. a jump to an image not decoded yet (queue click, review, random): a fresh screen opens one
//      image, decoding ahead of it starts, then a random image outside that window is opened; the
//      first picture (the screen-sized preview) and the full image are timed.
//
// Each case prints the median and the 95th percentile (nearest rank). The clock starts before the
// key event is sent and stops when the canvas has painted the new image (a synchronous repaint of
// the image area after the event was handled). Besides the wall-clock time, the CPU time of the UI
// thread over the same span is printed: on a loaded machine the wall clock mostly measures the
// wait for a core, the CPU time what the UI thread does on the way to the picture. In case 1 each
// press also waits until decoding ahead has finished (on a loaded machine 1.5 s may not be enough),
// so that it measures what it says.
//
//   bench_labelling [--images N] [--interval MS] [--fast MS] [--jumps N] [--seed S]
#include "LabellingView.h"
#include "canvas/ImageCanvas.h"
#include "ImageListModel.h"

#include "annotation/AssignmentService.h"
#include "imaging/ImageCache.h"
#include "import/ImportService.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>

using namespace Qt::StringLiterals;

namespace {

// Skin-like colour field with fine texture everywhere: most DCT coefficients are non-zero, which
// is what makes a real 12 MP photo slow to decode (the entropy decoder dominates).
qint64 writeJpeg(const QString &path, int seed)
{
    cv::Mat small(60, 80, CV_8UC3);
    cv::RNG rng(uint64(seed) * 7919u + 1u);
    rng.fill(small, cv::RNG::UNIFORM, cv::Scalar(110, 120, 150), cv::Scalar(170, 180, 230));
    cv::Mat image;
    cv::resize(small, image, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    cv::Mat grain(image.size(), CV_8UC3);
    rng.fill(grain, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(14));
    image += grain;
    cv::imwrite(path.toStdString(), image, {cv::IMWRITE_JPEG_QUALITY, 92});
    return QFileInfo(path).size();
}

struct Stats
{
    double median = 0;
    double p95 = 0;
    double max = 0;
};

Stats stats(QList<double> values)
{
    Stats s;
    if (values.isEmpty())
        return s;
    std::sort(values.begin(), values.end());
    const auto rank = [&values](double p) {
        const qsizetype n = values.size();
        const qsizetype index = std::clamp<qsizetype>(qsizetype(std::ceil(p * double(n))) - 1, 0, n - 1);
        return values.at(index);
    };
    s.median = rank(0.5);
    s.p95 = rank(0.95);
    s.max = values.constLast();
    return s;
}

struct Times
{
    QList<double> wall;
    QList<double> cpu; // of the UI thread
};

void print(const char *name, const Times &times)
{
    const Stats w = stats(times.wall);
    const Stats c = stats(times.cpu);
    std::printf("  %-48s n=%3d  median %7.1f ms  p95 %7.1f ms  (UI thread CPU: median %6.1f ms  p95 %6.1f ms)\n",
                name, int(times.wall.size()), w.median, w.p95, c.median, c.p95);
}

double threadCpuMs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// Handles what is posted (decoded images, paints), sleeping while there is nothing: never spinning,
// which would take a core from the decoders and count in the UI thread's CPU time.
void waitForEvents()
{
    QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
}

// The rater's key press: Page Down (the Next Image shortcut) on the focused canvas.
void pressNext(dl::LabellingView &view)
{
    QTest::keyClick(view.canvas(), Qt::Key_PageDown);
}

// Milliseconds from the key press until the new image (or its preview) is painted.
void timeKey(dl::LabellingView &view, const std::function<void()> &press, Times &times)
{
    QElapsedTimer timer;
    timer.start();
    const double cpu = threadCpuMs();
    const qint64 before = view.currentImageId();
    press();
    while (view.currentImageId() == before || !view.canvas()->hasImage())
        waitForEvents();
    view.canvas()->repaint();
    times.cpu.append(threadCpuMs() - cpu);
    times.wall.append(double(timer.nsecsElapsed()) / 1e6);
}

void waitWhileProcessing(int msecs)
{
    QTest::qWait(msecs);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    int count = 20;
    int interval = 1500;
    int fast = 100;
    int jumps = 20;
    quint32 seed = 14;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--images"_s)
            count = std::max(4, args[++i].toInt());
        else if (args[i] == u"--interval"_s)
            interval = args[++i].toInt();
        else if (args[i] == u"--fast"_s)
            fast = args[++i].toInt();
        else if (args[i] == u"--jumps"_s)
            jumps = args[++i].toInt();
        else if (args[i] == u"--seed"_s)
            seed = args[++i].toUInt();
    }
    QTemporaryDir temp;
    const QString folder = temp.filePath(u"images"_s);
    QDir().mkpath(folder);
    std::printf("Writing %d high-entropy 4000x3000 JPEGs...\n", count);
    qint64 bytes = 0;
    for (int i = 0; i < count; ++i)
        bytes += writeJpeg(u"%1/i%2.jpg"_s.arg(folder).arg(i, 3, 10, QLatin1Char('0')), i);
    std::printf("  %.2f MB each on average\n", double(bytes) / count / 1e6);

    QString error;
    auto store = dl::Store::open(temp.filePath(u"bench.dermlabel"_s), dl::Store::OpenMode::CreateNew, &error);
    dl::ImportService(*store).importPath(dl::ImportKind::Folder, folder, {});
    dl::UserRepository users(store->db());
    const qint64 adminId = users.add(u"admin"_s, {}, dl::Role::Admin, u"password"_s, &error, 1);
    const qint64 raterId = users.add(u"dr.b"_s, {}, dl::Role::Annotator, u"password"_s, &error, 1);
    dl::AssignmentService(*store, *users.findById(adminId)).assign({}, 1, &error);
    const dl::User rater = *users.findById(raterId);

    dl::ImageListModel queue;
    queue.setStore(store.get(), rater);
    const int rows = queue.rowCount();

    const auto openView = [&](dl::LabellingView &view) {
        view.resize(1600, 1000);
        view.show();
        (void)QTest::qWaitForWindowExposed(&view);
        view.canvas()->setFocus();
    };

    // 1. and 2.: next image at a steady pace through the whole queue.
    int extraWaits = 0;
    const auto paced = [&](int pause, bool waitAhead) {
        Times times;
        dl::LabellingView view(*store, rater, &queue);
        openView(view);
        auto *cache = view.findChild<dl::ImageCache *>();
        view.openRow(0);
        waitWhileProcessing(std::max(pause, 1500)); // the first image and those ahead of it
        for (int i = 1; i < rows; ++i) {
            if (waitAhead && cache->pendingDecodes() > 0) {
                ++extraWaits;
                while (cache->pendingDecodes() > 0)
                    waitForEvents();
            }
            timeKey(view, [&view] { pressNext(view); }, times);
            waitWhileProcessing(pause); // the dermatologist looks (and labels)
        }
        dl::ImageCache::waitForDecoders();
        return times;
    };
    const Times ahead = paced(interval, true);
    const Times quick = paced(fast, false);

    // 3.: jumps to images not decoded yet, while decoding ahead of the image left is under way.
    Times jumpFirst;
    Times jumpFull;
    QRandomGenerator random(seed);
    for (int j = 0; j < jumps; ++j) {
        dl::LabellingView view(*store, rater, &queue);
        openView(view);
        const int from = random.bounded(rows);
        view.openRow(from);
        while (!view.canvas()->hasImage() || view.showingPreview())
            waitForEvents();
        // Outside the window decoded ahead of it (the previous image, the next prefetchDepth()).
        int to = from;
        while (to >= from - 1 && to <= from + view.prefetchDepth())
            to = random.bounded(rows);
        waitWhileProcessing(20); // decoding ahead is running
        QElapsedTimer timer;
        timer.start();
        const double cpu = threadCpuMs();
        timeKey(view, [&view, to] { view.openRow(to); }, jumpFirst);
        while (view.showingPreview())
            waitForEvents();
        view.canvas()->repaint();
        jumpFull.cpu.append(threadCpuMs() - cpu);
        jumpFull.wall.append(double(timer.nsecsElapsed()) / 1e6);
        dl::ImageCache::waitForDecoders();
        QCoreApplication::processEvents();
    }

    std::printf("key press -> first changed pixels of the image area, 4000x3000 high-entropy JPEG:\n");
    print(qPrintable(u"next, decoded ahead (a press every %1 ms)"_s.arg(interval)), ahead);
    print(qPrintable(u"next, a press every %1 ms"_s.arg(fast)), quick);
    print("jump to an image not decoded yet: first picture", jumpFirst);
    print("jump to an image not decoded yet: full image", jumpFull);
    std::printf("  (case 1: %d presses waited for decoding ahead beyond the %d ms)\n", extraWaits, interval);
    return 0;
}
