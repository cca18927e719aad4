// SPDX-License-Identifier: GPL-3.0-or-later
// Times the assisted segmentation tools on a 4000 x 3000 synthetic close-up (a psoriasis plaque):
// medians of GrabCut from a box to the full-size mask (a fresh session each time: working copy, Lab
// conversion, 5 iterations, upscale), one refinement step, the async round trip, the SLIC
// precompute, a superpixel brush dab, and magic wand clicks. Not a test: prints figures only.
#include "demo/SyntheticSkin.h"
#include "qa/MaskAgreement.h"
#include "segmentation/GrabCutSegmenter.h"
#include "segmentation/MagicWand.h"
#include "segmentation/SuperpixelIndex.h"

#include <QCoreApplication>
#include <QThreadPool>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <time.h>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

// CPU time of the whole process (all threads), in ms.
double cpuMs()
{
    timespec t {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// Medians of wall-clock time and of process CPU time. On a shared machine the CPU time is the
// better guide to what one idle core would take.
struct Timing
{
    double wall = 0, cpu = 0;
};

Timing median(int runs, const std::function<void()> &work)
{
    std::vector<double> wall, cpu;
    for (int i = 0; i < runs; ++i) {
        const double cpuStart = cpuMs();
        const auto start = std::chrono::steady_clock::now();
        work();
        const auto end = std::chrono::steady_clock::now();
        cpu.push_back(cpuMs() - cpuStart);
        wall.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return { wall[wall.size() / 2], cpu[cpu.size() / 2] };
}

void report(const char *what, Timing t, const char *note = "")
{
    std::printf("%-50s %9.2f %9.2f  %s\n", what, t.wall, t.cpu, note);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    dl::SkinParams params;
    params.condition = u"Psoriasis"_s;
    params.size = QSize(4000, 3000);
    params.seed = 3;
    params.fitzpatrick = 3;
    cv::Mat truth;
    const cv::Mat image = dl::SyntheticSkin::render(params, &truth);
    const cv::Rect lesion = cv::boundingRect(truth);
    const cv::Rect box = cv::Rect(lesion.x - lesion.width / 10, lesion.y - lesion.height / 10,
                             lesion.width + lesion.width / 5, lesion.height + lesion.height / 5)
        & cv::Rect(cv::Point(), image.size());
    std::printf("image %d x %d, lesion box %d x %d, %d threads in the pool\n\n", image.cols, image.rows,
        box.width, box.height, QThreadPool::globalInstance()->maxThreadCount());
    std::printf("%-50s %9s %9s\n", "median of", "wall ms", "CPU ms");

    // GrabCut.
    cv::Mat mask;
    const Timing roundTrip = median(7, [&] {
        dl::GrabCutSegmenter segmenter(image);
        mask = segmenter.startFromRect(box);
    });
    char note[64];
    std::snprintf(
        note, sizeof note, "(IoU %.3f, target < 1000 ms)", dl::MaskAgreement::iou(mask, truth).value_or(-1));
    report("GrabCut box -> full-size mask (fresh session)", roundTrip, note);

    dl::GrabCutSegmenter session(image);
    session.startFromRect(box);
    cv::Mat background = cv::Mat::zeros(image.size(), CV_8UC1);
    cv::line(background, box.tl() + cv::Point(40, 40), box.tl() + cv::Point(box.width / 3, 40), 255, 30);
    cv::Mat foreground = cv::Mat::zeros(image.size(), CV_8UC1);
    const cv::Point centre = (lesion.tl() + lesion.br()) / 2;
    cv::line(foreground, centre - cv::Point(100, 0), centre + cv::Point(100, 0), 255, 30);
    bool flip = false;
    const Timing refineMs = median(7, [&] {
        flip = !flip;
        session.refine(flip ? cv::Mat() : foreground, flip ? background : cv::Mat());
    });
    report("GrabCut refinement step (one stroke)", refineMs);

    const Timing asyncMs = median(5, [&] {
        dl::GrabCutSegmenter segmenter(image);
        QFuture<cv::Mat> future = segmenter.startFromRectAsync(box);
        future.waitForFinished();
    });
    report("GrabCut box, async, until the future finishes", asyncMs);

    // Superpixels.
    dl::SuperpixelIndex index;
    const Timing slicMs = median(5, [&] { index = dl::SuperpixelIndex::compute(image); });
    std::snprintf(note, sizeof note, "(%d superpixels, region %d px)", index.count(), index.regionSize());
    report("SLICO precompute (800 x 600 working copy)", slicMs, note);

    std::mt19937 random(20240611);
    std::uniform_int_distribution<int> px(0, image.cols - 1), py(0, image.rows - 1);
    cv::Mat layer = cv::Mat::zeros(image.size(), CV_8UC1);
    for (const int radius : { 10, 40, 150 }) {
        const Timing dabMs = median(201, [&] {
            const cv::Point at(px(random), py(random));
            if (random() & 1)
                index.paint(layer, at, radius);
            else
                index.erase(layer, at, radius);
        });
        std::snprintf(note, sizeof note, "radius %d px", radius);
        report("superpixel brush dab (paint or erase)", dabMs, note);
    }

    // Magic wand at full resolution.
    const Timing wandLesionMs = median(11, [&] { dl::MagicWand::select(image, centre, 30); });
    const dl::MagicWand::Result onLesion = dl::MagicWand::select(image, centre, 30);
    std::snprintf(note, sizeof note, "(tolerance 30, %d px region)", onLesion.area);
    report("magic wand click on the lesion", wandLesionMs, note);
    const cv::Point skin(50, 50);
    const Timing wandSkinMs = median(11, [&] { dl::MagicWand::select(image, skin, 40, true); });
    const dl::MagicWand::Result onSkin = dl::MagicWand::select(image, skin, 40, true);
    std::snprintf(note, sizeof note, "(tolerance 40, 8-conn., %.1f MP region)", onSkin.area / 1e6);
    report("magic wand click on skin (large region)", wandSkinMs, note);
    const Timing wandAllMs = median(11, [&] { dl::MagicWand::select(image, skin, 255); });
    report("magic wand click, tolerance 255 (whole image)", wandAllMs);
    return 0;
}
