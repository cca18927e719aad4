// SPDX-License-Identifier: GPL-3.0-or-later
// Time from "next" to the next 4000x3000 JPEG painted in the labelling
// screen: with prefetch (a dermatologist pressing next every N ms, default
// 1500) and cold (no prefetch, cache emptied before each step). Cold, the
// first picture is a screen-sized preview; the time until the full image
// replaced it is reported too.
//
//   bench_labelling [--images N] [--interval MS]
#include "LabellingView.h"
#include "canvas/ImageCanvas.h"
#include "ImageListModel.h"

#include "annotation/AssignmentService.h"
#include "import/ImportService.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

static void writeJpeg(const QString &path, int seed)
{
    cv::Mat small(60, 80, CV_8UC3);
    cv::RNG rng(seed);
    rng.fill(small, cv::RNG::UNIFORM, cv::Scalar(110, 120, 150), cv::Scalar(170, 180, 230));
    cv::Mat image;
    cv::resize(small, image, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    cv::Mat grain(image.size(), CV_8UC3);
    rng.fill(grain, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(6));
    image += grain;
    cv::imwrite(path.toStdString(), image, {cv::IMWRITE_JPEG_QUALITY, 90});
}

static double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

/// Presses next and returns the milliseconds until the new image is painted.
static double timeNext(dl::LabellingView &view)
{
    QElapsedTimer timer;
    timer.start();
    const qint64 before = view.currentImageId();
    view.next();
    while (view.currentImageId() == before || !view.canvas()->hasImage())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
    view.canvas()->repaint();
    return timer.nsecsElapsed() / 1e6;
}

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    int count = 12;
    int interval = 1500;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--images"_s)
            count = args[++i].toInt();
        else if (args[i] == u"--interval"_s)
            interval = args[++i].toInt();
    }
    QTemporaryDir temp;
    const QString folder = temp.filePath(u"images"_s);
    QDir().mkpath(folder);
    std::printf("Writing %d 4000x3000 JPEGs...\n", count);
    for (int i = 0; i < count; ++i)
        writeJpeg(u"%1/i%2.jpg"_s.arg(folder).arg(i, 3, 10, QLatin1Char('0')), i);

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

    QList<double> warm;
    {
        dl::LabellingView view(*store, rater, &queue);
        view.resize(1600, 1000);
        view.show();
        view.openRow(0);
        QTest::qWait(interval);
        for (int i = 1; i < count; ++i) {
            warm.append(timeNext(view));
            QTest::qWait(interval); // the dermatologist looks and labels
        }
    }
    QList<double> cold;
    QList<double> coldFull;
    for (int i = 1; i < count; ++i) {
        // A fresh view has an empty cache: nothing was decoded ahead.
        dl::LabellingView view(*store, rater, &queue);
        view.resize(1600, 1000);
        view.show();
        QTest::qWait(50);
        QElapsedTimer timer;
        timer.start();
        view.openRow(i);
        while (!view.canvas()->hasImage())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
        view.canvas()->repaint();
        cold.append(timer.nsecsElapsed() / 1e6);
        while (view.showingPreview())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
        view.canvas()->repaint();
        coldFull.append(timer.nsecsElapsed() / 1e6);
    }
    std::printf("next -> painted, 4000x3000 JPEG, %d steps:\n", count - 1);
    std::printf("  with prefetch (next every %d ms): median %.1f ms, max %.1f ms\n", interval, median(warm),
                *std::max_element(warm.begin(), warm.end()));
    std::printf("  cold (image not decoded ahead):   median %.1f ms, max %.1f ms (first picture)\n", median(cold),
                *std::max_element(cold.begin(), cold.end()));
    std::printf("  cold, until the full image:       median %.1f ms, max %.1f ms\n", median(coldFull),
                *std::max_element(coldFull.begin(), coldFull.end()));
    return 0;
}
