// SPDX-License-Identifier: GPL-3.0-or-later
// The mask canvas on a 4000 x 3000 photo with 3 painted layers, on the offscreen platform:
//  - one brush segment through the real UI path: a mouse move event sent to the canvas (stroke
//    segment with tile backup, overlay recolour of the dirty rectangle, QWidget::update of that
//    part), at fit zoom and at 100%, and the same plus painting the updated region;
//  - a full repaint of the canvas at fit zoom with the overlays (and at 100%);
//  - the end of a stroke (undo command, save callback) and a GrabCut round trip (box to the result
//    in the layer).
// Medians and maxima in milliseconds.
#include "masks/MaskCanvas.h"

#include "masks/MaskDocument.h"
#include "masks/MaskEditCommand.h"
#include "masks/MaskLayer.h"
#include "masks/MaskOverlay.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QPainter>
#include <QUndoStack>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Stats
{
    double median = 0, max = 0;
    size_t count = 0;
};

Stats stats(std::vector<double> v)
{
    if (v.empty())
        return {};
    std::sort(v.begin(), v.end());
    return {v[v.size() / 2], v.back(), v.size()};
}

void print(const char *what, const Stats &s, double limit = 0)
{
    std::printf("  %-58s median %8.3f  max %8.3f  (n=%zu)%s\n", what, s.median, s.max, s.count,
                limit > 0 ? (s.median < limit ? "  ok" : "  OVER BUDGET") : "");
}

QImage makePhoto()
{
    QImage image(4000, 3000, QImage::Format_RGB32);
    image.fill(QColor(204, 160, 136));
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> shade(-20, 20);
    for (int i = 0; i < 300; ++i) {
        painter.setBrush(QColor(200 + shade(rng), 150 + shade(rng), 130 + shade(rng)));
        painter.drawEllipse(QPointF((i * 613) % 4000, (i * 419) % 3000), 30 + i % 50, 20 + i % 40);
    }
    painter.setBrush(QColor(90, 50, 40));
    painter.drawEllipse(QPointF(2000, 1500), 600, 420);
    return image;
}

cv::Mat blobs(int seed)
{
    cv::Mat mask = cv::Mat::zeros(3000, 4000, CV_8UC1);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int blob = 0; blob < 4; ++blob) {
        const cv::Point2d centre(400 + unit(rng) * 3200, 400 + unit(rng) * 2200);
        const double radius = 150 + unit(rng) * 350;
        std::vector<cv::Point> outline;
        for (int i = 0; i < 90; ++i) {
            const double angle = 2 * M_PI * i / 90;
            const double r = radius * (0.6 + 0.4 * unit(rng));
            outline.emplace_back(int(centre.x + r * std::cos(angle)), int(centre.y + r * std::sin(angle)));
        }
        cv::fillPoly(mask, std::vector<std::vector<cv::Point>> {outline}, cv::Scalar(255));
    }
    return mask;
}

void send(QWidget *w, QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons)
{
    QMouseEvent event(type, pos, w->mapToGlobal(pos), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &event);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    const QImage photo = makePhoto();
    MaskDocument document(photo.size());
    const QStringList layers {u"condition:eczema"_s, u"condition:psoriasis"_s, u"identifying:face"_s};
    for (int i = 0; i < layers.size(); ++i)
        document.setMask(layers.at(i), blobs(100 + i));
    document.layer(layers.at(2))->setOutlineOnly(true);
    QUndoStack stack;
    stack.setUndoLimit(MaskEditCommand::RecommendedUndoLimit);
    int saves = 0;

    MaskCanvas canvas;
    QObject::connect(&canvas, &MaskCanvas::layerEdited, [&saves] { ++saves; });
    canvas.resize(1200, 800);
    canvas.show();
    QApplication::processEvents();
    canvas.setImage(photo);
    while (!canvas.pyramidReady())
        QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    const auto t0 = Clock::now();
    canvas.setDocument(&document, &stack);
    const double setDocumentMs = ms(t0, Clock::now());
    canvas.setActiveLayer(layers.at(0));
    canvas.setTool(MaskCanvas::Tool::Brush);
    canvas.setBrushSize(40);
    QApplication::processEvents();
    std::printf("4000 x 3000 photo, 3 layers painted (one outline-only), canvas %d x %d; setDocument (overlay "
                "at fit) %.1f ms\n",
                canvas.width(), canvas.height(), setDocumentMs);

    std::mt19937 rng(7);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto strokes = [&](int count, bool withPaint, std::vector<double> &segments, std::vector<double> &finishes) {
        for (int s = 0; s < count; ++s) {
            // A fast hand: steps of 4..16 widget pixels.
            QPointF p(canvas.width() * (0.2 + 0.6 * unit(rng)), canvas.height() * (0.2 + 0.6 * unit(rng)));
            double angle = unit(rng) * 6.283;
            send(&canvas, QEvent::MouseButtonPress, p, Qt::LeftButton, Qt::LeftButton);
            for (int i = 0; i < 60; ++i) {
                angle += (unit(rng) - 0.5) * 0.6;
                const double step = 4 + 12 * unit(rng);
                QPointF q = p + QPointF(step * std::cos(angle), step * std::sin(angle));
                q.setX(std::clamp(q.x(), 10.0, canvas.width() - 10.0));
                q.setY(std::clamp(q.y(), 10.0, canvas.height() - 10.0));
                const auto a = Clock::now();
                send(&canvas, QEvent::MouseMove, q, Qt::NoButton, Qt::LeftButton);
                if (withPaint)
                    QApplication::processEvents(); // paints the updated region
                segments.push_back(ms(a, Clock::now()));
                p = q;
            }
            const auto a = Clock::now();
            send(&canvas, QEvent::MouseButtonRelease, p, Qt::LeftButton, Qt::NoButton);
            finishes.push_back(ms(a, Clock::now()));
            QApplication::processEvents();
        }
    };

    std::printf("median / max in ms:\n");
    std::vector<double> fitSegments, fitFinishes, fitPainted, unused;
    canvas.fitToWindow();
    QApplication::processEvents();
    strokes(20, false, fitSegments, fitFinishes);
    strokes(10, true, fitPainted, unused);
    print("brush segment, fit zoom (event: stroke, recolour, update)", stats(fitSegments), 2.0);
    print("brush segment, fit zoom, and painting the region", stats(fitPainted));
    print("stroke end (undo step pushed, layer save signalled)", stats(fitFinishes));

    std::vector<double> fullSegments, fullFinishes, fullPainted;
    canvas.setZoom(1.0);
    canvas.repaint(); // makes the full-size overlay once
    strokes(20, false, fullSegments, fullFinishes);
    strokes(10, true, fullPainted, unused);
    print("brush segment, 100% (both overlays recoloured)", stats(fullSegments), 2.0);
    print("brush segment, 100%, and painting the region", stats(fullPainted));

    auto repaints = [&](int runs) {
        std::vector<double> times;
        for (int i = 0; i < runs; ++i) {
            const auto a = Clock::now();
            canvas.repaint();
            times.push_back(ms(a, Clock::now()));
        }
        return stats(times);
    };
    canvas.fitToWindow();
    QApplication::processEvents();
    print("full repaint at fit zoom with overlays", repaints(40), 16.0);
    canvas.setZoom(1.0);
    print("full repaint at 100% with overlays", repaints(40));
    canvas.fitToWindow();
    canvas.setTool(MaskCanvas::Tool::Pan);
    canvas.refreshOverlay();
    {
        std::vector<double> times;
        for (int i = 0; i < 10; ++i) {
            document.layer(layers.at(1))->setVisible(i % 2 == 0);
            const auto a = Clock::now();
            canvas.refreshOverlay();
            canvas.repaint();
            times.push_back(ms(a, Clock::now()));
        }
        print("visibility toggle at fit (refreshOverlay, repaint)", stats(times), 16.0);
    }
    {
        std::vector<double> times;
        for (int i = 0; i < 10; ++i) {
            document.layer(layers.at(1))->setOpacity(i % 2 == 0 ? 0.8 : 0.3);
            const auto a = Clock::now();
            canvas.refreshOverlay();
            canvas.repaint();
            times.push_back(ms(a, Clock::now()));
        }
        print("opacity change at fit (refreshOverlay, repaint)", stats(times), 16.0);
    }
    {
        std::vector<double> times;
        for (int i = 0; i < 10; ++i) {
            document.layer(layers.at(1))->setOutlineOnly(i % 2 == 0);
            const auto a = Clock::now();
            canvas.refreshOverlay();
            canvas.repaint();
            times.push_back(ms(a, Clock::now()));
        }
        document.layer(layers.at(1))->setOutlineOnly(false);
        canvas.refreshOverlay();
        print("outline toggle at fit (one layer recoloured, repaint)", stats(times));
    }
    {
        std::vector<double> times;
        for (int i = 0; i < 5; ++i) {
            const auto a = Clock::now();
            canvas.setDocument(&document, &stack);
            times.push_back(ms(a, Clock::now()));
        }
        canvas.setActiveLayer(layers.at(0));
        print("setDocument again (3 reduced overlays rendered)", stats(times));
    }
    {
        // The same overlay work without the canvas, in this run: one composite of all visible
        // layers (what a visibility toggle used to recolour) against one overlay per layer.
        const double scale = double(MaskCanvas::OverlayLongSide) / 4000.0;
        std::vector<double> composite, perLayer;
        for (int i = 0; i < 5; ++i) {
            MaskOverlay overlay(document.size(), scale);
            const auto a = Clock::now();
            overlay.updateAll(document);
            composite.push_back(ms(a, Clock::now()));
        }
        for (int i = 0; i < 5; ++i) {
            const auto a = Clock::now();
            for (const QString &id : layers) {
                MaskOverlay overlay(document.size(), scale);
                MaskLayer full = *document.layer(id);
                full.setVisible(true);
                full.setOpacity(1.0);
                overlay.updateAll(document.mask(id), full);
            }
            perLayer.push_back(ms(a, Clock::now()));
        }
        print("reference: composite reduced overlay, 3 layers", stats(composite));
        print("reference: 3 reduced overlays, one per layer, serial", stats(perLayer));
    }

    // GrabCut: a box around the lesion to the result in the layer (background work, one undo step).
    canvas.setTool(MaskCanvas::Tool::GrabCut);
    std::vector<double> grabCut;
    for (int run = 0; run < 3; ++run) {
        canvas.endGrabCutSession();
        const QPointF a = canvas.imageToWidget(QPointF(1300, 1000));
        const QPointF b = canvas.imageToWidget(QPointF(2700, 2000));
        const int steps = stack.index();
        const auto start = Clock::now();
        send(&canvas, QEvent::MouseButtonPress, a, Qt::LeftButton, Qt::LeftButton);
        send(&canvas, QEvent::MouseMove, b, Qt::NoButton, Qt::LeftButton);
        send(&canvas, QEvent::MouseButtonRelease, b, Qt::LeftButton, Qt::NoButton);
        while (canvas.isBusy())
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        grabCut.push_back(ms(start, Clock::now()));
        if (stack.index() != steps + 1)
            std::printf("  (GrabCut run %d gave no undo step)\n", run);
        stack.undo();
    }
    print("GrabCut round trip, box to result in the layer", stats(grabCut), 1000.0);
    std::printf("undo history: %d steps, %.1f KiB; %d saves signalled\n", stack.count(),
                MaskEditCommand::historyBytes(stack) / 1024.0, saves);
    canvas.setDocument(nullptr, nullptr);
    return 0;
}
