// SPDX-License-Identifier: GPL-3.0-or-later
// Times full repaints of the image canvas: a 4000 x 3000 photo-like image in a 1600 x 1000 widget on
// the offscreen platform, at fit zoom (after the pyramid is built), at 100% and at 400%; median of 50
// runs of widget.repaint() and of widget.render() into a QImage. Target: under 16 ms at fit zoom.
#include "canvas/ImageCanvas.h"
#include "canvas/ImagePyramid.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

namespace {

constexpr int kRuns = 50;

double medianMs(const std::function<void()> &work)
{
    work(); // warm up caches (first paint after a change may build the adjusted copy)
    std::vector<double> ms;
    for (int i = 0; i < kRuns; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        const auto end = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

// Smooth skin-like gradients with some blobs and grain, so that nothing compresses into a trivial case.
QImage makePhoto()
{
    QImage image(4000, 3000, QImage::Format_RGB32);
    std::mt19937 rng(20240611);
    std::uniform_int_distribution<int> grain(-6, 6);
    for (int y = 0; y < image.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            const double fx = x / 4000.0, fy = y / 3000.0;
            const int n = grain(rng);
            line[x] = qRgb(std::clamp(int(190 + 40 * std::sin(fx * 6) * fy) + n, 0, 255),
                           std::clamp(int(140 + 30 * std::cos(fy * 5)) + n, 0, 255),
                           std::clamp(int(120 + 25 * std::sin((fx + fy) * 9)) + n, 0, 255));
        }
    }
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    for (int i = 0; i < 40; ++i) {
        painter.setBrush(QColor(90 + i, 50 + i, 40 + i));
        painter.setPen(Qt::NoPen);
        painter.drawEllipse(QPointF(200 + (i * 613) % 3600, 200 + (i * 419) % 2600), 20 + i * 3, 15 + i * 2);
    }
    return image;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    const QImage photo = makePhoto();
    dl::ImageCanvas canvas;
    canvas.resize(1600, 1000);
    canvas.show();
    QApplication::processEvents();

    QElapsedTimer timer;
    timer.start();
    std::vector<double> levelTimes;
    QObject::connect(&canvas, &dl::ImageCanvas::pyramidLevelReady,
                     [&](int) { levelTimes.push_back(timer.nsecsElapsed() / 1e6); });
    canvas.setImage(photo);
    const double setImageMs = timer.nsecsElapsed() / 1e6;
    while (!canvas.pyramidReady())
        QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    const double pyramidMs = timer.nsecsElapsed() / 1e6;

    std::printf("image %d x %d in a %d x %d widget; setImage %.2f ms, pyramid of %d levels ready after "
                "%.1f ms\n",
                photo.width(), photo.height(), canvas.width(), canvas.height(), setImageMs,
                canvas.pyramidLevelCount(), pyramidMs);

    // The same work on this thread, without the event loop: 4000x3000 -> 2000x1500 -> 1000x750 -> 500x375.
    const double halveMs = medianMs([&] {
        QImage level = photo;
        for (int i = 1; i < canvas.pyramidLevelCount(); ++i)
            level = dl::ImagePyramid::halve(level);
    });
    std::printf("pyramid levels computed synchronously: median %.1f ms\n", halveMs);

    std::printf("levels arrived after");
    for (double t : levelTimes)
        std::printf(" %.1f", t);
    std::printf(" ms\n");

    QImage target(canvas.size(), QImage::Format_ARGB32_Premultiplied);
    const auto measure = [&](const char *label) {
        const double repaintMs = medianMs([&] { canvas.repaint(); });
        const double renderMs = medianMs([&] { canvas.render(&target); });
        std::printf("  %-22s zoom %-6s level %d  repaint %7.3f ms  render %7.3f ms\n", label,
                    qPrintable(canvas.zoomText()), canvas.lastPaintedLevel(), repaintMs, renderMs);
        return repaintMs;
    };

    std::printf("median of %d full repaints:\n", kRuns);
    canvas.fitToWindow();
    const double fitMs = measure("fit");
    canvas.actualSize();
    measure("100%");
    canvas.setZoom(4.0);
    measure("400%");

    canvas.setBrightness(25);
    canvas.setContrast(20);
    canvas.fitToWindow();
    measure("fit, adjusted");
    canvas.actualSize();
    measure("100%, adjusted");

    // First paint after an adjustment change at fit (rebuilds the adjusted copy of the level).
    canvas.fitToWindow();
    int step = 0;
    const double adjustMs = medianMs([&] {
        canvas.setBrightness(step++ % 2 ? 10 : 30);
        canvas.repaint();
    });
    std::printf("  %-22s zoom %-6s level %d  repaint %7.3f ms\n", "fit, slider moving",
                qPrintable(canvas.zoomText()), canvas.lastPaintedLevel(), adjustMs);

    const bool ok = fitMs < 16.0;
    std::printf("fit-zoom repaint under 16 ms: %s\n", ok ? "yes" : "NO");
    return ok ? 0 : 1;
}
