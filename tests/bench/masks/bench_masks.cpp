// SPDX-License-Identifier: GPL-3.0-or-later
// Mask editing on a 4000 x 3000 image: medians of
//  - one brush segment of radius 20 (mask update through a MaskStroke, which backs up the tiles it
//    touches, plus the overlay recolour of the dirty rectangle; 1:1 and 1/4 overlays),
//  - making the undo command at the end of a stroke, and undoing / redoing it,
//  - fill, fill holes and smooth edge on the whole layer,
//  - saving a 12 MP layer through MaskService (a new version in the store) and loading it back,
//  - a mask step on a LabellingDocument, as the labelling screen makes it: what the thread that
//    pushes it pays (the layer copied and handed to the save worker) and the time until stored.
#include "annotation/AssignmentService.h"
#include "labelling/LabellingDocument.h"
#include "masks/MaskDocument.h"
#include "masks/MaskEditCommand.h"
#include "masks/MaskOverlay.h"
#include "masks/MaskService.h"
#include "masks/MaskStroke.h"
#include "masks/MaskTools.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QCoreApplication>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QUndoStack>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
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

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double cpuNow()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// Wall-clock and CPU-time medians: on a shared, busy machine the CPU time shows the cost of the
// work itself, the wall time what a user would wait there and then.
struct Times
{
    double wall = 0, cpu = 0;
};

Times medianOf(int runs, const std::function<void()> &work)
{
    std::vector<double> wall, cpu;
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        const double cpuStart = cpuNow();
        work();
        cpu.push_back(cpuNow() - cpuStart);
        wall.push_back(ms(start, Clock::now()));
    }
    return { median(wall), median(cpu) };
}

// A lesion-like layer: a few irregular blobs, one with a hole.
cv::Mat lesionMask()
{
    cv::Mat mask = cv::Mat::zeros(3000, 4000, CV_8UC1);
    std::mt19937 rng(20240611);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int blob = 0; blob < 5; ++blob) {
        const cv::Point2d centre(400 + unit(rng) * 3200, 400 + unit(rng) * 2200);
        const double radius = 150 + unit(rng) * 350;
        std::vector<cv::Point> outline;
        for (int i = 0; i < 90; ++i) {
            const double angle = 2 * M_PI * i / 90;
            const double r = radius * (0.6 + 0.4 * unit(rng));
            outline.emplace_back(int(centre.x + r * std::cos(angle)), int(centre.y + r * std::sin(angle)));
        }
        cv::fillPoly(mask, std::vector<std::vector<cv::Point>> { outline }, cv::Scalar(255));
    }
    cv::ellipse(mask, cv::Point(2000, 1500), cv::Size(700, 420), 25, 0, 360, cv::Scalar(255), cv::FILLED);
    cv::ellipse(mask, cv::Point(2050, 1480), cv::Size(200, 120), 70, 0, 360, cv::Scalar(0), cv::FILLED);
    return mask;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString layer = u"condition:eczema"_s;
    auto doc = std::make_unique<MaskDocument>(QSize(4000, 3000));
    doc->setMask(layer, lesionMask());
    MaskOverlay overlay(doc->size());
    MaskOverlay quarter(doc->size(), 0.25);
    std::printf("4000 x 3000 layer, %d pixels set\n", cv::countNonZero(doc->mask(layer)));

    const Times fullOverlay = medianOf(5, [&] { overlay.updateAll(doc->mask(layer), *doc->layer(layer)); });
    const Times quarterOverlay
        = medianOf(5, [&] { quarter.updateAll(doc->mask(layer), *doc->layer(layer)); });

    // Brush strokes: random walks of 200 segments, radius 20, steps of 4..16 px (a fast hand).
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> unit(0.f, 1.f);
    std::vector<double> segment, segmentToolOnly, finishTimes, undoTimes, redoTimes;
    std::vector<qint64> commandBytes;
    QUndoStack stack;
    stack.setUndoLimit(MaskEditCommand::RecommendedUndoLimit);
    const cv::Mat mask = doc->mask(layer);
    for (int s = 0; s < 25; ++s) {
        MaskStroke stroke(*doc, layer, s % 3 == 2 ? MaskTool::Eraser : MaskTool::Brush);
        const PaintMode mode = s % 3 == 2 ? PaintMode::Erase : PaintMode::Paint;
        cv::Point2f p(300 + unit(rng) * 3400, 300 + unit(rng) * 2400);
        float angle = unit(rng) * 6.283f;
        for (int i = 0; i < 200; ++i) {
            angle += (unit(rng) - 0.5f) * 0.6f;
            const float step = 4 + 12 * unit(rng);
            const cv::Point2f q = p + cv::Point2f(step * std::cos(angle), step * std::sin(angle));
            const auto t0 = Clock::now();
            const cv::Rect dirty = stroke.brush(p, q, 20, mode);
            const auto t1 = Clock::now();
            overlay.update(mask, *doc->layer(layer), dirty);
            quarter.update(mask, *doc->layer(layer), dirty);
            const auto t2 = Clock::now();
            segment.push_back(ms(t0, t2));
            segmentToolOnly.push_back(ms(t0, t1));
            p = q;
        }
        const auto t0 = Clock::now();
        auto command = stroke.finish();
        const auto t1 = Clock::now();
        if (!command)
            continue;
        finishTimes.push_back(ms(t0, t1));
        commandBytes.push_back(command->byteCost());
        stack.push(command.release());
    }
    for (int i = 0; i < stack.count(); ++i) {
        auto t0 = Clock::now();
        stack.undo();
        undoTimes.push_back(ms(t0, Clock::now()));
    }
    while (stack.canRedo()) {
        auto t0 = Clock::now();
        stack.redo();
        redoTimes.push_back(ms(t0, Clock::now()));
    }
    std::vector<double> bytes(commandBytes.begin(), commandBytes.end());

    // Whole-layer tools (each undone again so that every run starts alike).
    auto timeTool = [&](MaskTool tool, const std::function<void(MaskStroke &)> &apply) -> Times {
        return medianOf(7, [&] {
            MaskStroke stroke(*doc, layer, tool);
            apply(stroke);
            if (auto command = stroke.finish()) {
                stack.push(command.release());
                stack.undo();
            }
        });
    };
    const Times fillMs = timeTool(MaskTool::Fill, [](MaskStroke &s) {
        s.fillRegion({ 2050, 1480 }, PaintMode::Paint);
    });
    const Times holesMs = timeTool(MaskTool::FillHoles, [](MaskStroke &s) { s.fillHoles(); });
    const Times specksMs = timeTool(MaskTool::RemoveSpecks, [](MaskStroke &s) { s.removeSpecks(100); });
    const Times smoothMs = timeTool(MaskTool::SmoothEdge, [](MaskStroke &s) { s.smoothEdge(5); });

    // Store: save a new version of the 12 MP layer (one pixel differs each time), load it back.
    QTemporaryDir dir;
    QString error;
    auto store = Store::open(dir.filePath(u"bench.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    if (!store) {
        std::printf("store: %s\n", qPrintable(error));
        return 1;
    }
    UserRepository users(store->db());
    const qint64 adminId = users.add(u"admin"_s, {}, Role::Admin, u"password"_s, &error, 1);
    const qint64 raterId = users.add(u"dr.a"_s, {}, Role::Annotator, u"password"_s, &error, 1);
    ImageRecord record;
    record.publicId = u"img-1"_s;
    record.sha256 = QString(64, u'0');
    record.format = u"jpeg"_s;
    record.width = 4000;
    record.height = 3000;
    record.byteSize = 1;
    const qint64 imageId = ImageRepository(store->db()).insert(record, &error);
    AssignmentService(*store, *users.findById(adminId, &error)).assign({}, 1, &error);
    MaskService service(*store, *users.findById(raterId, &error));
    auto stored = service.openOwn(imageId, &error);
    if (!stored) {
        std::printf("open: %s\n", qPrintable(error));
        return 1;
    }
    stored->setMask(layer, doc->mask(layer));
    cv::Mat storedMask = stored->mask(layer);
    int flip = 0;
    const Times saveMs = medianOf(21, [&] {
        storedMask.at<uchar>(0, flip++) ^= 255;
        stored->markChanged(layer);
        if (!service.saveChanged(*stored, &error))
            std::printf("save: %s\n", qPrintable(error));
    });
    const Times encodeMs = medianOf(21, [&] { MaskService::encode(storedMask); });
    std::optional<MaskDocument> loaded;
    const Times loadMs = medianOf(21, [&] { loaded = service.openOwn(imageId, &error); });
    const bool exact = loaded && cv::countNonZero(loaded->mask(layer) != storedMask) == 0;
    const QByteArray stringForm = MaskService::encode(storedMask);

    QThreadPool saver;
    saver.setMaxThreadCount(1);
    LabellingDocument labelling(*store, *users.findById(raterId, &error), imageId, saver);
    labelling.masks()->setMask(layer, doc->mask(layer));
    labelling.retrySaves();
    labelling.waitForSaves();
    std::vector<double> pushTimes, storedTimes;
    for (int i = 0; i < 21; ++i) {
        MaskStroke stroke(*labelling.masks(), layer, MaskTool::Rectangle);
        stroke.rectangle({ 4 * i, 0, 2, 2 }, PaintMode::Paint);
        auto command = stroke.finish();
        if (!command)
            continue;
        const auto t0 = Clock::now();
        labelling.undoStack()->push(command.release());
        const auto t1 = Clock::now();
        if (!labelling.waitForSaves())
            std::printf("document save: %s\n", qPrintable(labelling.lastError()));
        pushTimes.push_back(ms(t0, t1));
        storedTimes.push_back(ms(t0, Clock::now()));
    }

    std::printf("median times in ms (wall / CPU):\n");
    std::printf(
        "  brush segment r=20 + overlay recolour (1:1 and 1/4) %8.4f  (target < 2)\n", median(segment));
    std::printf("    of which the brush alone (with tile backup)        %8.4f\n", median(segmentToolOnly));
    std::printf("  undo command at stroke end (200 segments)           %8.3f  (%.0f bytes a stroke)\n",
        median(finishTimes), median(bytes));
    std::printf("  undo of a stroke / redo                             %8.3f / %.3f\n", median(undoTimes),
        median(redoTimes));
    auto row = [](const char *what, Times t) { std::printf("  %-50s %8.3f / %.3f\n", what, t.wall, t.cpu); };
    row("full overlay recolour 12 MP, 1:1", fullOverlay);
    row("full overlay recolour 12 MP, 1/4", quarterOverlay);
    row("fill region (+ undo step)", fillMs);
    row("fill holes (+ undo step)", holesMs);
    row("remove specks < 100 px (+ undo step)", specksMs);
    row("smooth edge r=5 (+ undo step)", smoothMs);
    row("save 12 MP layer (version, transaction, audit)", saveMs);
    row("  of which RLE encoding", encodeMs);
    row("load (latest version, decode)", loadMs);
    std::printf("  %-50s %8.3f\n", "document mask step: on the pushing thread", median(pushTimes));
    std::printf("  %-50s %8.3f\n", "document mask step: until stored (worker)", median(storedTimes));
    std::printf(
        "  (save target < 20 ms; RLE string %lld bytes)\n", static_cast<long long>(stringForm.size()));
    std::printf("round trip exact: %s\n", exact ? "yes" : "NO");
    return exact ? 0 : 1;
}
