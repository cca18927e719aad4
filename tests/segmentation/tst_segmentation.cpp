// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/SyntheticSkin.h"
#include "qa/MaskAgreement.h"
#include "segmentation/GrabCutSegmenter.h"
#include "segmentation/MagicWand.h"
#include "segmentation/SuperpixelIndex.h"
#include "segmentation/WorkingScale.h"

#include <QImage>
#include <QTest>
#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;
using dl::GrabCutSegmenter;
using dl::MagicWand;
using dl::SuperpixelIndex;
using dl::WorkingScale;

Q_DECLARE_METATYPE(cv::Point)
Q_DECLARE_METATYPE(cv::Vec3i)

namespace {

struct Lesion
{
    cv::Mat image; // BGR
    cv::Mat truth; // 0 / 255
};

// A synthetic close-up with one lesion region (rendered once per parameter set).
const Lesion &lesion(const QString &condition, quint32 seed, int fitzpatrick)
{
    static std::map<std::tuple<QString, quint32, int>, Lesion> cache;
    const auto key = std::make_tuple(condition, seed, fitzpatrick);
    auto it = cache.find(key);
    if (it == cache.end()) {
        dl::SkinParams params;
        params.condition = condition;
        params.seed = seed;
        params.fitzpatrick = fitzpatrick;
        params.lesions = 1;
        params.size = QSize(1600, 1200);
        Lesion l;
        l.image = dl::SyntheticSkin::render(params, &l.truth);
        it = cache.emplace(key, std::move(l)).first;
    }
    return it->second;
}

// The bounding box of a mask, grown by `pad` of its size on every side, clipped to the image.
cv::Rect paddedBox(const cv::Mat &mask, double pad)
{
    const cv::Rect b = cv::boundingRect(mask);
    const int dx = int(b.width * pad), dy = int(b.height * pad);
    return cv::Rect(b.x - dx, b.y - dy, b.width + 2 * dx, b.height + 2 * dy)
        & cv::Rect(cv::Point(), mask.size());
}

double iou(const cv::Mat &a, const cv::Mat &b)
{
    return dl::MaskAgreement::iou(a, b).value_or(-1.0);
}

// Share of the nonzero pixels of `region` that are set in `mask`.
double coverage(const cv::Mat &mask, const cv::Mat &region)
{
    cv::Mat both;
    cv::min(mask, region, both);
    return double(cv::countNonZero(both)) / std::max(1, cv::countNonZero(region));
}

bool identical(const cv::Mat &a, const cv::Mat &b)
{
    return a.size() == b.size() && a.type() == b.type() && (a.empty() || cv::norm(a, b, cv::NORM_INF) == 0);
}

// True when every pixel is 0 or 255.
bool isBinary(const cv::Mat &mask)
{
    cv::Mat other = (mask != 0) & (mask != 255);
    return cv::countNonZero(other) == 0;
}

// Rough strokes a user would draw: a cross of thick lines through the lesion, kept well inside it,
// and a loop around the lesion outside its padded bounding box.
std::pair<cv::Mat, cv::Mat> roughStrokes(const cv::Mat &truth)
{
    const cv::Rect b = cv::boundingRect(truth);
    cv::Mat inner;
    const int depth = std::max(3, std::min(b.width, b.height) / 8);
    cv::erode(
        truth, inner, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * depth + 1, 2 * depth + 1)));
    const cv::Moments m = cv::moments(inner, true);
    const cv::Point centre(int(m.m10 / m.m00), int(m.m01 / m.m00));
    cv::Mat fg = cv::Mat::zeros(truth.size(), CV_8UC1);
    cv::line(fg, { b.x, centre.y }, { b.x + b.width, centre.y }, 255, 12);
    cv::line(fg, { centre.x, b.y }, { centre.x, b.y + b.height }, 255, 12);
    cv::min(fg, inner, fg);
    cv::Mat bg = cv::Mat::zeros(truth.size(), CV_8UC1);
    cv::rectangle(bg, paddedBox(truth, 0.2), 255, 10);
    return { fg, bg };
}

// Counts calls and cancels from the n-th on.
struct CancelAfter
{
    int allowed;
    std::shared_ptr<int> calls = std::make_shared<int>(0);
    bool operator()() const { return ++*calls > allowed; }
};

// The full-size superpixel label of every pixel, from the documented mapping (independent of
// SuperpixelIndex's own tables).
cv::Mat fullLabels(const SuperpixelIndex &index)
{
    const cv::Mat labels = index.labels();
    const cv::Size full = index.imageSize(), work = labels.size();
    cv::Mat out(full, CV_32SC1);
    for (int y = 0; y < full.height; ++y) {
        const int wy = int((2 * qint64(y) + 1) * work.height / (2 * qint64(full.height)));
        for (int x = 0; x < full.width; ++x) {
            const int wx = int((2 * qint64(x) + 1) * work.width / (2 * qint64(full.width)));
            out.at<int>(y, x) = labels.at<int>(wy, wx);
        }
    }
    return out;
}

// The labels of the full-size pixels in the disc, by brute force.
std::set<int> discLabels(const cv::Mat &full, cv::Point c, int r)
{
    std::set<int> out;
    for (int y = c.y - r; y <= c.y + r; ++y) {
        for (int x = c.x - r; x <= c.x + r; ++x) {
            if (x < 0 || y < 0 || x >= full.cols || y >= full.rows)
                continue;
            if (qint64(x - c.x) * (x - c.x) + qint64(y - c.y) * (y - c.y) <= qint64(r) * r)
                out.insert(full.at<int>(y, x));
        }
    }
    return out;
}

// 255 where the full-size label is in `set`.
cv::Mat maskOfLabels(const cv::Mat &full, const std::set<int> &set)
{
    cv::Mat out = cv::Mat::zeros(full.size(), CV_8UC1);
    for (int y = 0; y < full.rows; ++y) {
        for (int x = 0; x < full.cols; ++x) {
            if (set.count(full.at<int>(y, x)))
                out.at<uchar>(y, x) = 255;
        }
    }
    return out;
}

// Vertical colour bands: band k is `base` plus (k - seedBand) * step on the channels in `channels`.
cv::Mat bands(int count, int width, int height, int seedBand, int step, cv::Vec3i channels)
{
    cv::Mat image(height, count * width, CV_8UC3);
    for (int k = 0; k < count; ++k) {
        cv::Vec3b colour;
        for (int c = 0; c < 3; ++c)
            colour[c] = cv::saturate_cast<uchar>(120 + channels[c] * (k - seedBand) * step);
        image(cv::Rect(k * width, 0, width, height)).setTo(cv::Scalar(colour[0], colour[1], colour[2]));
    }
    return image;
}

} // namespace

class TestSegmentation : public QObject
{
    Q_OBJECT

private slots:
    void workingScale_data();
    void workingScale();
    void maskToWorkingKeepsThinStrokes();
    void upscaleMaskFollowsWorkingPixels();
    void toBgr();

    void grabCutFromBox_data();
    void grabCutFromBox();
    void grabCutFromStrokes_data();
    void grabCutFromStrokes();
    void grabCutRefineRemovesRegion();
    void grabCutRefineAddsCutOffPart();
    void grabCutRefusesBadInput();
    void grabCutCancelSync();
    void grabCutCancelAsync();
    void grabCutAsyncMatchesSync();
    void grabCutFromQImage();

    void superpixelIndex_data();
    void superpixelIndex();
    void superpixelPaint_data();
    void superpixelPaint();
    void superpixelErase();
    void superpixelCancel();
    void superpixelAsyncMatchesSync();
    void tinyImages();

    void magicWandTolerance_data();
    void magicWandTolerance();
    void magicWandConnectivity();
    void magicWandEdgeCases();
    void magicWandAsyncMatchesSync();
};

// --- WorkingScale ---------------------------------------------------------------------------------

void TestSegmentation::workingScale_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("longSide");
    QTest::addColumn<int>("workingWidth");
    QTest::addColumn<int>("workingHeight");
    QTest::newRow("12 MP landscape") << 4000 << 3000 << 800 << 800 << 600;
    QTest::newRow("portrait") << 3000 << 4000 << 800 << 600 << 800;
    QTest::newRow("test size") << 1600 << 1200 << 800 << 800 << 600;
    QTest::newRow("odd ratio") << 4032 << 3024 << 1000 << 1000 << 750;
    QTest::newRow("thin") << 801 << 3 << 800 << 800 << 3;
    QTest::newRow("small, not upscaled") << 500 << 300 << 800 << 500 << 300;
    QTest::newRow("exactly long side") << 800 << 600 << 800 << 800 << 600;
}

void TestSegmentation::workingScale()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, longSide);
    QFETCH(int, workingWidth);
    QFETCH(int, workingHeight);
    const WorkingScale scale(cv::Size(width, height), longSide);
    QVERIFY(!scale.isNull());
    QCOMPARE(scale.size(), cv::Size(workingWidth, workingHeight));
    QCOMPARE(int(scale.columnMap().size()), width);
    QCOMPARE(int(scale.columnStart().size()), workingWidth + 1);
    // Maps are the documented formula, monotonic, onto, and the starts invert them.
    for (int x = 0; x < width; ++x) {
        const int expected = int((2 * qint64(x) + 1) * workingWidth / (2 * qint64(width)));
        QCOMPARE(scale.columnMap()[size_t(x)], expected);
    }
    for (int wx = 0; wx < workingWidth; ++wx) {
        const int first = scale.columnStart()[size_t(wx)], end = scale.columnStart()[size_t(wx) + 1];
        QVERIFY(first < end);
        QCOMPARE(scale.columnMap()[size_t(first)], wx);
        QCOMPARE(scale.columnMap()[size_t(end - 1)], wx);
        if (first > 0)
            QCOMPARE(scale.columnMap()[size_t(first - 1)], wx - 1);
    }
    QCOMPARE(scale.columnStart().back(), width);
    QCOMPARE(scale.rowStart().back(), height);
    QCOMPARE(scale.toFull(cv::Rect(0, 0, workingWidth, workingHeight)), cv::Rect(0, 0, width, height));
    QCOMPARE(scale.toWorking(cv::Rect(0, 0, width, height)), cv::Rect(0, 0, workingWidth, workingHeight));
    QCOMPARE(scale.toWorking(cv::Rect(-50, -50, 10, 10)), cv::Rect());
    const cv::Mat image(height, width, CV_8UC3, cv::Scalar(10, 20, 30));
    QCOMPARE(scale.downscale(image).size(), cv::Size(workingWidth, workingHeight));
    QVERIFY(scale.downscale(cv::Mat(5, 5, CV_8UC3)).empty());
    QVERIFY(WorkingScale(cv::Size()).isNull());
}

void TestSegmentation::maskToWorkingKeepsThinStrokes()
{
    const WorkingScale scale(cv::Size(4000, 3000));
    cv::Mat stroke = cv::Mat::zeros(3000, 4000, CV_8UC1);
    cv::line(stroke, { 1003, 200 }, { 1003, 2800 }, 255, 1); // one pixel wide: 1/5 of a working pixel
    stroke.at<uchar>(2999, 3999) = 255;
    cv::Rect bounds;
    const cv::Mat working = scale.maskToWorking(stroke, &bounds);
    QCOMPARE(working.size(), cv::Size(800, 600));
    QCOMPARE(bounds, cv::Rect(200, 40, 600, 560));
    // Full rows 200..2800 are working rows 40..560; column 1003 is working column 200. Exactly the
    // working pixels holding a stroke pixel are set.
    QCOMPARE(cv::countNonZero(working.col(200)), 521);
    QCOMPARE(working.at<uchar>(40, 200), uchar(255));
    QCOMPARE(working.at<uchar>(560, 200), uchar(255));
    QCOMPARE(working.at<uchar>(599, 799), uchar(255));
    QCOMPARE(cv::countNonZero(working), 522);
    QVERIFY(scale.maskToWorking(cv::Mat::zeros(10, 10, CV_8UC1)).empty());
}

void TestSegmentation::upscaleMaskFollowsWorkingPixels()
{
    const WorkingScale scale(cv::Size(4000, 3000));
    cv::Mat working = cv::Mat::zeros(600, 800, CV_8UC1);
    const cv::Rect square(100, 120, 37, 50);
    working(square).setTo(1);
    const cv::Mat full = scale.upscaleMask(working, square);
    QCOMPARE(full.size(), cv::Size(4000, 3000));
    QVERIFY(isBinary(full));
    // With 5 x 5 full pixels per working pixel the half-way contour lies on working pixel edges;
    // only the corners are rounded off (bilinear weights 0.6 x 0.6 and 0.6 x 0.8 are below one half).
    const cv::Rect block = scale.toFull(square);
    QCOMPARE(block, cv::Rect(500, 600, 185, 250));
    cv::Mat expected = cv::Mat::zeros(3000, 4000, CV_8UC1);
    expected(block).setTo(255);
    const cv::Mat differ = full != expected;
    QCOMPARE(cv::countNonZero(differ), 12);
    QCOMPARE(cv::countNonZero(full & ~expected), 0);
    for (const cv::Point corner : { block.tl(), cv::Point(block.br().x - 1, block.y),
             cv::Point(block.x, block.br().y - 1), block.br() - cv::Point(1, 1) }) {
        const cv::Rect near = cv::Rect(corner - cv::Point(1, 1), cv::Size(3, 3)) & cv::Rect(block);
        QCOMPARE(cv::countNonZero(differ(near)), 3);
    }

    // A diagonal edge comes back smooth: no 5-pixel stairs, every row moves by one pixel.
    cv::Mat triangle = cv::Mat::zeros(600, 800, CV_8UC1);
    std::vector<cv::Point> corners { { 100, 100 }, { 400, 100 }, { 100, 400 } };
    cv::fillConvexPoly(triangle, corners, 255);
    const cv::Mat smooth = scale.upscaleMask(triangle);
    int maxJump = 0, previous = -1;
    for (int y = 1000; y < 1500; ++y) {
        const cv::Mat row = smooth.row(y);
        int last = -1;
        for (int x = 0; x < 4000; ++x) {
            if (row.at<uchar>(x))
                last = x;
        }
        if (previous >= 0)
            maxJump = std::max(maxJump, std::abs(last - previous));
        previous = last;
    }
    QVERIFY2(maxJump <= 2, qPrintable(u"jump %1"_s.arg(maxJump)));
}

void TestSegmentation::toBgr()
{
    QImage image(3, 2, QImage::Format_RGB32);
    image.fill(qRgb(10, 20, 30));
    image.setPixel(2, 1, qRgb(200, 100, 50));
    const cv::Mat bgr = WorkingScale::toBgr(image);
    QCOMPARE(bgr.type(), CV_8UC3);
    QCOMPARE(bgr.size(), cv::Size(3, 2));
    QCOMPARE(bgr.at<cv::Vec3b>(0, 0), cv::Vec3b(30, 20, 10));
    QCOMPARE(bgr.at<cv::Vec3b>(1, 2), cv::Vec3b(50, 100, 200));
    QVERIFY(WorkingScale::toBgr(QImage()).empty());
}

// --- GrabCut --------------------------------------------------------------------------------------

// Well-demarcated lesions, on several skin types. (Diffuse ones such as eczema or urticaria have a
// visible redness well beyond their half-strength extent, and acne or scabies are scattered papules,
// not one region: GrabCut's answer to a box is not the 0.5 contour there.)
static void lesionRows()
{
    QTest::addColumn<QString>("condition");
    QTest::addColumn<quint32>("seed");
    QTest::addColumn<int>("fitzpatrick");
    QTest::newRow("psoriasis 1, type II") << u"Psoriasis"_s << 1u << 2;
    QTest::newRow("psoriasis 2, type V") << u"Psoriasis"_s << 2u << 5;
    QTest::newRow("psoriasis 3, type III") << u"Psoriasis"_s << 3u << 3;
    QTest::newRow("tinea 4, type IV") << u"Tinea"_s << 4u << 4;
    QTest::newRow("tinea 5, type I") << u"Tinea"_s << 5u << 1;
    QTest::newRow("naevus 6, type II") << u"Melanocytic naevus"_s << 6u << 2;
    QTest::newRow("naevus 7, type VI") << u"Melanocytic naevus"_s << 7u << 6;
    QTest::newRow("keratosis 8, type III") << u"Seborrhoeic keratosis"_s << 8u << 3;
}

void TestSegmentation::grabCutFromBox_data()
{
    lesionRows();
}

void TestSegmentation::grabCutFromBox()
{
    QFETCH(QString, condition);
    QFETCH(quint32, seed);
    QFETCH(int, fitzpatrick);
    const Lesion &l = lesion(condition, seed, fitzpatrick);
    GrabCutSegmenter segmenter(l.image);
    QCOMPARE(segmenter.iterations(), 5);
    QVERIFY(!segmenter.hasResult());
    const cv::Mat mask = segmenter.startFromRect(paddedBox(l.truth, 0.1));
    QCOMPARE(mask.size(), l.image.size());
    QCOMPARE(mask.type(), CV_8UC1);
    QVERIFY(isBinary(mask));
    const double overlap = iou(mask, l.truth);
    qDebug("IoU %.3f", overlap);
    QVERIFY2(overlap >= 0.85, qPrintable(u"IoU %1"_s.arg(overlap)));
    QVERIFY(segmenter.hasResult());
    QVERIFY(identical(segmenter.mask(), mask));
}

void TestSegmentation::grabCutFromStrokes_data()
{
    lesionRows();
}

void TestSegmentation::grabCutFromStrokes()
{
    QFETCH(QString, condition);
    QFETCH(quint32, seed);
    QFETCH(int, fitzpatrick);
    const Lesion &l = lesion(condition, seed, fitzpatrick);
    const auto [fg, bg] = roughStrokes(l.truth);
    QVERIFY(cv::countNonZero(fg) > 0);
    GrabCutSegmenter segmenter(l.image);
    const cv::Mat mask = segmenter.startFromStrokes(fg, bg);
    QCOMPARE(mask.size(), l.image.size());
    const double overlap = iou(mask, l.truth);
    qDebug("IoU %.3f", overlap);
    QVERIFY2(overlap >= 0.85, qPrintable(u"IoU %1"_s.arg(overlap)));
    // Strokes are obeyed at full resolution.
    QCOMPARE(coverage(mask, fg), 1.0);
    QCOMPARE(coverage(mask, bg), 0.0);
}

void TestSegmentation::grabCutRefineRemovesRegion()
{
    // A lesion and, next to it, a patch of the lesion's own colour (say, a second plaque the
    // annotator does not want in this region). A box around both takes both.
    const Lesion &l = lesion(u"Psoriasis"_s, 3, 3);
    cv::Mat image = l.image.clone();
    const cv::Rect b = cv::boundingRect(l.truth);
    const cv::Scalar lesionColour = cv::mean(l.image, l.truth);
    cv::Mat patch = cv::Mat::zeros(image.size(), CV_8UC1);
    const cv::Point patchCentre(b.x + b.width + b.width / 5, b.y + b.height / 2);
    cv::ellipse(patch, patchCentre, cv::Size(b.width / 7, b.height / 5), 0, 0, 360, 255, cv::FILLED);
    cv::Mat noise(image.size(), CV_8UC3);
    cv::theRNG() = cv::RNG(99);
    cv::randn(noise, lesionColour, cv::Scalar::all(6));
    noise.copyTo(image, patch);
    cv::Mat both;
    cv::max(l.truth, patch, both);

    GrabCutSegmenter segmenter(image);
    const cv::Mat first = segmenter.startFromRect(paddedBox(both, 0.1));
    QVERIFY2(coverage(first, patch) > 0.9, "the setup must include the patch first");

    // One background stroke across the patch.
    cv::Mat stroke = cv::Mat::zeros(image.size(), CV_8UC1);
    cv::line(stroke, patchCentre - cv::Point(0, b.height / 6), patchCentre + cv::Point(0, b.height / 6), 255,
        b.width / 12);
    const cv::Mat refined = segmenter.refine(cv::Mat(), stroke);
    QCOMPARE(refined.size(), image.size());
    const double left = coverage(refined, patch);
    qDebug("patch kept %.3f, lesion IoU %.3f", left, iou(refined, l.truth));
    QVERIFY2(left < 0.05, qPrintable(u"patch kept %1"_s.arg(left)));
    QVERIFY(iou(refined, l.truth) >= 0.85);
    QCOMPARE(coverage(refined, stroke), 0.0);
    QVERIFY(identical(segmenter.mask(), refined));
}

void TestSegmentation::grabCutRefineAddsCutOffPart()
{
    // A box that cuts off the right quarter of the lesion, then a foreground stroke in that quarter.
    const Lesion &l = lesion(u"Psoriasis"_s, 1, 2);
    const cv::Rect padded = paddedBox(l.truth, 0.1);
    const cv::Rect b = cv::boundingRect(l.truth);
    cv::Rect tight = padded;
    tight.width = b.x + b.width * 3 / 4 - padded.x;
    GrabCutSegmenter segmenter(l.image);
    const cv::Mat first = segmenter.startFromRect(tight);
    const double before = iou(first, l.truth);
    QVERIFY2(before < 0.85, qPrintable(u"IoU %1 before the stroke"_s.arg(before)));

    cv::Mat inner;
    cv::erode(l.truth, inner, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(41, 41)));
    cv::Mat stroke = cv::Mat::zeros(l.image.size(), CV_8UC1);
    const int x = b.x + b.width * 7 / 8;
    cv::line(stroke, { x, b.y }, { x, b.y + b.height }, 255, 10);
    cv::min(stroke, inner, stroke);
    QVERIFY(cv::countNonZero(stroke) > 0);
    const cv::Mat refined = segmenter.refine(stroke, cv::Mat());
    const double after = iou(refined, l.truth);
    qDebug("IoU %.3f -> %.3f", before, after);
    QVERIFY2(after >= 0.85, qPrintable(u"IoU %1 after the stroke"_s.arg(after)));
}

void TestSegmentation::grabCutRefusesBadInput()
{
    const Lesion &l = lesion(u"Psoriasis"_s, 1, 2);
    GrabCutSegmenter segmenter(l.image);
    QVERIFY(segmenter.refine(l.truth, cv::Mat()).empty()); // nothing to refine yet
    QVERIFY(segmenter.startFromRect(cv::Rect()).empty());
    QVERIFY(segmenter.startFromRect(cv::Rect(-100, -100, 50, 50)).empty());
    QVERIFY(segmenter.startFromRect(cv::Rect(-10, -10, 2000, 2000)).empty()); // no background left
    QVERIFY(segmenter.startFromStrokes(cv::Mat(), l.truth).empty());
    QVERIFY(segmenter.startFromStrokes(cv::Mat::zeros(l.image.size(), CV_8UC1), cv::Mat()).empty());
    QVERIFY(segmenter.startFromStrokes(cv::Mat::zeros(10, 10, CV_8UC1), cv::Mat()).empty());
    QVERIFY(!segmenter.hasResult());
    QVERIFY(segmenter.mask().empty());

    QVERIFY(!segmenter.startFromRect(paddedBox(l.truth, 0.1)).empty());
    QVERIFY(segmenter.refine(cv::Mat(), cv::Mat()).empty()); // no strokes
    QVERIFY(segmenter.refine(cv::Mat::ones(10, 10, CV_8UC1), cv::Mat()).empty()); // wrong size
    QVERIFY(segmenter.hasResult());
    segmenter.reset();
    QVERIFY(!segmenter.hasResult());

    GrabCutSegmenter empty { cv::Mat() };
    QVERIFY(empty.startFromRect(cv::Rect(0, 0, 10, 10)).empty());
}

void TestSegmentation::grabCutCancelSync()
{
    const Lesion &l = lesion(u"Tinea"_s, 4, 4);
    GrabCutSegmenter segmenter(l.image);
    const cv::Rect box = paddedBox(l.truth, 0.1);

    // Cancelled after two iterations: nothing is kept.
    CancelAfter cancelStart { 3 };
    QVERIFY(segmenter.startFromRect(box, cancelStart).empty());
    QVERIFY(*cancelStart.calls >= 3);
    QVERIFY(!segmenter.hasResult());

    // The checks come between iterations: with enough allowance the step completes.
    CancelAfter generous { 1000 };
    const cv::Mat done = segmenter.startFromRect(box, generous);
    QVERIFY(!done.empty());
    QCOMPARE(*generous.calls, 1 + 5 + 1); // before, between the 5 iterations, after

    // A cancelled refinement leaves the previous result and state alone.
    cv::Mat stroke = cv::Mat::zeros(l.image.size(), CV_8UC1);
    cv::circle(stroke, (box.tl() + box.br()) / 2, 60, 255, cv::FILLED);
    CancelAfter cancelRefine { 2 };
    QVERIFY(segmenter.refine(cv::Mat(), stroke, cancelRefine).empty());
    QVERIFY(identical(segmenter.mask(), done));
    // ... so refining afterwards gives what refining without the cancelled attempt gives.
    GrabCutSegmenter fresh(l.image);
    QVERIFY(identical(fresh.startFromRect(box), done));
    QVERIFY(identical(segmenter.refine(cv::Mat(), stroke), fresh.refine(cv::Mat(), stroke)));
}

void TestSegmentation::grabCutCancelAsync()
{
    const Lesion &l = lesion(u"Psoriasis"_s, 2, 5);
    GrabCutSegmenter segmenter(l.image);
    const cv::Rect box = paddedBox(l.truth, 0.1);
    const cv::Mat done = segmenter.startFromRect(box);
    QVERIFY(!done.empty());

    // 100 iterations take seconds; cancelled right after the start, before or between iterations
    // (whichever the worker has reached: the outcome must be the same; that the check between
    // iterations stops a running step is shown without threads by grabCutCancelSync).
    segmenter.setIterations(100);
    QCOMPARE(segmenter.iterations(), 100);
    cv::Mat stroke = cv::Mat::zeros(l.image.size(), CV_8UC1);
    cv::circle(stroke, (box.tl() + box.br()) / 2, 40, 255, cv::FILLED);
    QFuture<cv::Mat> future = segmenter.refineAsync(stroke, cv::Mat());
    future.cancel();
    future.waitForFinished();
    QVERIFY(future.isCanceled());
    QCOMPARE(future.resultCount(), 0);
    QVERIFY(identical(segmenter.mask(), done));

    // A cancelled start from the same handle keeps the old session too; the handle can go away
    // while the work still runs.
    QFuture<cv::Mat> second = segmenter.startFromRectAsync(cv::Rect(10, 10, 300, 300));
    second.cancel();
    second.waitForFinished();
    QVERIFY(second.isCanceled());
    QVERIFY(identical(segmenter.mask(), done));
    {
        GrabCutSegmenter shortLived(l.image);
        shortLived.setIterations(3);
        future = shortLived.startFromRectAsync(box);
    }
    future.waitForFinished();
    QCOMPARE(future.resultCount(), 1);
    QVERIFY(!future.result().empty());
}

void TestSegmentation::grabCutAsyncMatchesSync()
{
    const Lesion &l = lesion(u"Melanocytic naevus"_s, 6, 2);
    const cv::Rect box = paddedBox(l.truth, 0.1);
    cv::Mat stroke = cv::Mat::zeros(l.image.size(), CV_8UC1);
    cv::line(stroke, box.tl(), box.tl() + cv::Point(box.width / 3, 0), 255, 15);

    GrabCutSegmenter sync(l.image);
    const cv::Mat syncStart = sync.startFromRect(box);
    const cv::Mat syncRefined = sync.refine(cv::Mat(), stroke);

    GrabCutSegmenter async(l.image);
    QFuture<cv::Mat> start = async.startFromRectAsync(box);
    start.waitForFinished();
    QCOMPARE(start.resultCount(), 1);
    QVERIFY(identical(start.result(), syncStart));
    QFuture<cv::Mat> refined = async.refineAsync(cv::Mat(), stroke);
    refined.waitForFinished();
    QVERIFY(identical(refined.result(), syncRefined));
    QVERIFY(identical(async.mask(), syncRefined));

    const auto [fg, bg] = roughStrokes(l.truth);
    QFuture<cv::Mat> strokes = async.startFromStrokesAsync(fg, bg);
    strokes.waitForFinished();
    QVERIFY(identical(strokes.result(), sync.startFromStrokes(fg, bg)));

    // Refused input gives one empty result, not a cancelled future.
    QFuture<cv::Mat> refused = async.startFromRectAsync(cv::Rect());
    refused.waitForFinished();
    QVERIFY(!refused.isCanceled());
    QCOMPARE(refused.resultCount(), 1);
    QVERIFY(refused.result().empty());
}

void TestSegmentation::grabCutFromQImage()
{
    // The same pixels as BGR cv::Mat, as an RGB32 QImage (shared as BGRA), as an indexed QImage
    // (converted), and as a BGRA cv::Mat: the same masks.
    const Lesion &l = lesion(u"Tinea"_s, 5, 1);
    const QImage bgr(l.image.data, l.image.cols, l.image.rows, int(l.image.step), QImage::Format_BGR888);
    QImage rgb32 = bgr.convertToFormat(QImage::Format_RGB32);
    const cv::Rect box = paddedBox(l.truth, 0.1);
    GrabCutSegmenter fromMat(l.image);
    const cv::Mat expected = fromMat.startFromRect(box);
    QVERIFY(!expected.empty());

    const QImage rgb32Copy = rgb32;
    QVERIFY(!WorkingScale::view(rgb32Copy).empty());
    GrabCutSegmenter fromRgb32(rgb32);
    rgb32.fill(Qt::black); // the session keeps its own copy of the pixels
    QCOMPARE(fromRgb32.imageSize(), l.image.size());
    QVERIFY(identical(fromRgb32.startFromRect(box), expected));

    cv::Mat bgra;
    cv::cvtColor(l.image, bgra, cv::COLOR_BGR2BGRA);
    GrabCutSegmenter fromBgra(bgra);
    QVERIFY(identical(fromBgra.startFromRect(box), expected));
    const cv::Mat wrapped = WorkingScale::view(rgb32Copy);
    QCOMPARE(wrapped.type(), CV_8UC4);
    QVERIFY(identical(wrapped, bgra));

    const QImage rgb888 = bgr.convertToFormat(QImage::Format_RGB888); // no view: converted
    QVERIFY(WorkingScale::view(rgb888).empty());
    GrabCutSegmenter fromRgb888(rgb888);
    QVERIFY(identical(fromRgb888.startFromRect(box), expected));
}

// --- Superpixels ----------------------------------------------------------------------------------

void TestSegmentation::superpixelIndex_data()
{
    QTest::addColumn<int>("algorithm");
    QTest::addColumn<int>("regionSize");
    QTest::newRow("SLICO, automatic size") << int(SuperpixelIndex::Algorithm::Slico) << 0;
    QTest::newRow("SLICO, 10 px") << int(SuperpixelIndex::Algorithm::Slico) << 10;
    QTest::newRow("SLIC") << int(SuperpixelIndex::Algorithm::Slic) << 0;
    QTest::newRow("MSLIC") << int(SuperpixelIndex::Algorithm::Mslic) << 0;
}

void TestSegmentation::superpixelIndex()
{
    QFETCH(int, algorithm);
    QFETCH(int, regionSize);
    const Lesion &l = lesion(u"Psoriasis"_s, 1, 2);
    SuperpixelIndex::Options options;
    options.algorithm = SuperpixelIndex::Algorithm(algorithm);
    options.regionSize = regionSize;
    const SuperpixelIndex index = SuperpixelIndex::compute(l.image, options);
    QVERIFY(!index.isNull());
    QCOMPARE(index.imageSize(), l.image.size());
    QCOMPARE(index.regionSize(), regionSize > 0 ? regionSize : 16); // 800 / 50
    const cv::Mat labels = index.labels();
    QCOMPARE(labels.type(), CV_32SC1);
    QCOMPARE(labels.size(), cv::Size(800, 600));
    // About one superpixel per regionSize^2 working pixels (MSLIC merges where the content is plain).
    const double expected = 800.0 * 600.0 / (index.regionSize() * index.regionSize());
    qDebug("%d superpixels, expected about %.0f", index.count(), expected);
    const double slack = options.algorithm == SuperpixelIndex::Algorithm::Mslic ? 3.0 : 1.25;
    QVERIFY(index.count() > expected / slack && index.count() < expected * slack);
    // Every label 0..count-1 is one non-empty 4-connected region, and bounds() holds it.
    std::vector<int> area(size_t(index.count()), 0);
    for (int y = 0; y < labels.rows; ++y) {
        for (int x = 0; x < labels.cols; ++x) {
            const int v = labels.at<int>(y, x);
            QVERIFY(v >= 0 && v < index.count());
            ++area[size_t(v)];
        }
    }
    for (int label = 0; label < index.count(); ++label) {
        QVERIFY(area[size_t(label)] > 0);
        const cv::Rect wb = index.workingScale().toWorking(index.bounds(label));
        cv::Mat region = labels(wb) == label;
        QCOMPARE(cv::countNonZero(region), area[size_t(label)]);
        cv::Mat components;
        QCOMPARE(cv::connectedComponents(region, components, 4), 2); // background + one region
    }
    QCOMPARE(index.labelAt({ -1, 0 }), -1);
    QCOMPARE(index.labelAt({ 1600, 0 }), -1);
    QCOMPARE(index.labelAt({ 1599, 1199 }), labels.at<int>(599, 799));
    QCOMPARE(index.bounds(index.count()), cv::Rect());
}

void TestSegmentation::superpixelPaint_data()
{
    QTest::addColumn<cv::Point>("centre");
    QTest::addColumn<int>("radius");
    QTest::newRow("single pixel") << cv::Point(800, 600) << 0;
    QTest::newRow("small brush") << cv::Point(333, 517) << 7;
    QTest::newRow("medium brush") << cv::Point(1201, 402) << 45;
    QTest::newRow("large brush") << cv::Point(700, 700) << 180;
    QTest::newRow("corner") << cv::Point(0, 0) << 30;
    QTest::newRow("half outside") << cv::Point(1620, 900) << 60;
    QTest::newRow("outside") << cv::Point(-200, -200) << 50;
}

void TestSegmentation::superpixelPaint()
{
    QFETCH(cv::Point, centre);
    QFETCH(int, radius);
    static SuperpixelIndex index;
    static cv::Mat full;
    if (index.isNull()) {
        index = SuperpixelIndex::compute(lesion(u"Psoriasis"_s, 1, 2).image);
        full = fullLabels(index);
    }
    QVERIFY(!index.isNull());
    const std::set<int> expected = discLabels(full, centre, radius);
    const std::vector<int> touched = index.labelsTouched(centre, radius);
    QCOMPARE(std::set<int>(touched.begin(), touched.end()), expected);
    QVERIFY(std::is_sorted(touched.begin(), touched.end()));

    // On an empty mask: exactly the touched superpixels, each one whole.
    cv::Mat mask = cv::Mat::zeros(full.size(), CV_8UC1);
    const cv::Rect dirty = index.paint(mask, centre, radius);
    QVERIFY(identical(mask, maskOfLabels(full, expected)));
    QCOMPARE(dirty, cv::boundingRect(mask));
    if (!expected.empty()) {
        cv::Rect all;
        for (int label : expected)
            all |= index.bounds(label);
        QCOMPARE(dirty, all);
    }

    // On a mask with content: the dirty rectangle is exactly what changed, and painting again
    // changes nothing.
    cv::Mat busy = cv::Mat::zeros(full.size(), CV_8UC1);
    cv::circle(busy, centre, radius + 40, 255, cv::FILLED);
    const cv::Mat before = busy.clone();
    const cv::Rect busyDirty = index.paint(busy, centre, radius);
    QCOMPARE(busyDirty, cv::boundingRect(busy != before));
    QCOMPARE(index.paint(busy, centre, radius), cv::Rect());

    // A mask that does not fit is left alone.
    cv::Mat wrong = cv::Mat::zeros(10, 10, CV_8UC1);
    QCOMPARE(index.paint(wrong, { 5, 5 }, 3), cv::Rect());
    QCOMPARE(cv::countNonZero(wrong), 0);
}

void TestSegmentation::superpixelErase()
{
    const SuperpixelIndex index = SuperpixelIndex::compute(lesion(u"Tinea"_s, 4, 4).image);
    QVERIFY(!index.isNull());
    const cv::Mat full = fullLabels(index);
    cv::Mat mask(full.size(), CV_8UC1, cv::Scalar(255));
    const cv::Point centre(900, 300);
    const cv::Rect dirty = index.erase(mask, centre, 50);
    const std::set<int> erased = discLabels(full, centre, 50);
    cv::Mat expected = maskOfLabels(full, erased);
    cv::bitwise_not(expected, expected);
    QVERIFY(identical(mask, expected));
    QCOMPARE(dirty, cv::boundingRect(mask == 0));

    // Paint a stroke, erase part of it: what the eraser touched is gone whole, the rest stays.
    cv::Mat stroke = cv::Mat::zeros(full.size(), CV_8UC1);
    std::set<int> painted;
    for (int x = 200; x <= 1000; x += 20) {
        index.paint(stroke, { x, 800 }, 25);
        const std::set<int> more = discLabels(full, { x, 800 }, 25);
        painted.insert(more.begin(), more.end());
    }
    const std::set<int> rubbed = discLabels(full, { 600, 800 }, 70);
    index.erase(stroke, { 600, 800 }, 70);
    std::set<int> left;
    std::set_difference(
        painted.begin(), painted.end(), rubbed.begin(), rubbed.end(), std::inserter(left, left.end()));
    QVERIFY(!left.empty() && left.size() < painted.size());
    QVERIFY(identical(stroke, maskOfLabels(full, left)));
}

void TestSegmentation::superpixelCancel()
{
    const cv::Mat &image = lesion(u"Psoriasis"_s, 1, 2).image;
    // SLICO: checked at the start, after the colour conversion and after SLIC.
    CancelAfter cancelSlico { 2 };
    QVERIFY(SuperpixelIndex::compute(image, SuperpixelIndex::Options(), cancelSlico).isNull());
    QCOMPARE(*cancelSlico.calls, 3);
    CancelAfter neverSlico { 1000 };
    QVERIFY(!SuperpixelIndex::compute(image, SuperpixelIndex::Options(), neverSlico).isNull());
    QCOMPARE(*neverSlico.calls, 3);
    // SLIC: also between iterations.
    SuperpixelIndex::Options slic;
    slic.algorithm = SuperpixelIndex::Algorithm::Slic;
    CancelAfter cancelSlic { 4 };
    QVERIFY(SuperpixelIndex::compute(image, slic, cancelSlic).isNull());
    QCOMPARE(*cancelSlic.calls, 5);
    CancelAfter neverSlic { 1000 };
    QVERIFY(!SuperpixelIndex::compute(image, slic, neverSlic).isNull());
    QCOMPARE(*neverSlic.calls, 2 + slic.iterations + 1);

    QFuture<SuperpixelIndex> future = SuperpixelIndex::computeAsync(image);
    future.cancel();
    future.waitForFinished();
    QVERIFY(future.isCanceled());
    QCOMPARE(future.resultCount(), 0);

    QVERIFY(SuperpixelIndex::compute(cv::Mat()).isNull());
    QVERIFY(SuperpixelIndex().isNull());
    cv::Mat mask = cv::Mat::zeros(image.size(), CV_8UC1);
    QCOMPARE(SuperpixelIndex().paint(mask, { 10, 10 }, 5), cv::Rect());
}

void TestSegmentation::superpixelAsyncMatchesSync()
{
    const cv::Mat &image = lesion(u"Seborrhoeic keratosis"_s, 8, 3).image;
    const SuperpixelIndex sync = SuperpixelIndex::compute(image);
    QFuture<SuperpixelIndex> future = SuperpixelIndex::computeAsync(image);
    future.waitForFinished();
    QCOMPARE(future.resultCount(), 1);
    const SuperpixelIndex async = future.result();
    QCOMPARE(async.count(), sync.count());
    QVERIFY(identical(async.labels(), sync.labels()));
    // A BGRA image gives the same superpixels.
    cv::Mat bgra;
    cv::cvtColor(image, bgra, cv::COLOR_BGR2BGRA);
    QVERIFY(identical(SuperpixelIndex::compute(bgra).labels(), sync.labels()));
}

void TestSegmentation::tinyImages()
{
    // Nothing crashes on images smaller than a superpixel or a GrabCut margin.
    for (const cv::Size size :
        { cv::Size(1, 1), cv::Size(2, 1), cv::Size(1, 7), cv::Size(3, 3), cv::Size(17, 9) }) {
        cv::Mat image(size, CV_8UC3);
        cv::theRNG() = cv::RNG(5);
        cv::randu(image, 0, 256);
        const SuperpixelIndex index = SuperpixelIndex::compute(image);
        QVERIFY(!index.isNull());
        QVERIFY(index.count() >= 1);
        cv::Mat mask = cv::Mat::zeros(size, CV_8UC1);
        QVERIFY(!index.paint(mask, { 0, 0 }, 1).empty());
        QCOMPARE(cv::countNonZero(mask), cv::countNonZero(fullLabels(index) == index.labelAt({ 0, 0 })));
        GrabCutSegmenter segmenter(image);
        const cv::Mat cut = segmenter.startFromRect(cv::Rect(0, 0, size.width / 2 + 1, size.height / 2 + 1));
        QVERIFY(cut.empty() || cut.size() == size);
        QCOMPARE(MagicWand::select(image, { 0, 0 }, 255).area, size.area());
    }
}

// --- Magic wand -----------------------------------------------------------------------------------

void TestSegmentation::magicWandTolerance_data()
{
    QTest::addColumn<cv::Vec3i>("channels"); // which of B, G, R change from band to band
    QTest::addColumn<int>("step"); // colour step between neighbouring bands
    QTest::addColumn<int>("seedBand");
    QTest::addColumn<int>("tolerance");
    QTest::addColumn<int>("firstBand"); // expected region: bands firstBand..lastBand
    QTest::addColumn<int>("lastBand");
    QTest::addColumn<bool>("eightConnected");
    const cv::Vec3i blue(1, 0, 0), green(0, 1, 0), red(0, 0, 1), grey(1, 1, 1), mixed(1, -1, 1);
    // 9 bands; the seed band's colour is 120 on every channel.
    QTest::newRow("exact colour only") << grey << 1 << 0 << 0 << 0 << 0 << false;
    QTest::newRow("step 1, tolerance 1") << grey << 1 << 0 << 1 << 0 << 1 << false;
    QTest::newRow("blue 10, just below 3 steps") << blue << 10 << 0 << 29 << 0 << 2 << false;
    QTest::newRow("blue 10, at 3 steps") << blue << 10 << 0 << 30 << 0 << 3 << false;
    QTest::newRow("green 7, just below 2 steps") << green << 7 << 0 << 13 << 0 << 1 << true;
    QTest::newRow("green 7, at 2 steps") << green << 7 << 0 << 14 << 0 << 2 << true;
    QTest::newRow("red 25, just below 1 step") << red << 25 << 0 << 24 << 0 << 0 << false;
    QTest::newRow("red 25, at 1 step") << red << 25 << 0 << 25 << 0 << 1 << false;
    QTest::newRow("mixed 12, middle seed, below 2 steps") << mixed << 12 << 4 << 23 << 3 << 5 << false;
    QTest::newRow("mixed 12, middle seed, at 2 steps") << mixed << 12 << 4 << 24 << 2 << 6 << false;
    QTest::newRow("grey 13, middle seed, just above 4 steps") << grey << 13 << 4 << 53 << 0 << 8 << false;
    QTest::newRow("tolerance 255 takes all") << grey << 14 << 0 << 255 << 0 << 8 << false;
    QTest::newRow("tolerance above 255 clamps") << grey << 14 << 0 << 1000 << 0 << 8 << false;
}

void TestSegmentation::magicWandTolerance()
{
    QFETCH(cv::Vec3i, channels);
    QFETCH(int, step);
    QFETCH(int, seedBand);
    QFETCH(int, tolerance);
    QFETCH(int, firstBand);
    QFETCH(int, lastBand);
    QFETCH(bool, eightConnected);
    constexpr int kBands = 9, kWidth = 23, kHeight = 31;
    const cv::Mat image = bands(kBands, kWidth, kHeight, seedBand, step, channels);
    const cv::Point seed(seedBand * kWidth + 5, 17);
    const MagicWand::Result result = MagicWand::select(image, seed, tolerance, eightConnected);
    cv::Mat expected = cv::Mat::zeros(image.size(), CV_8UC1);
    const cv::Rect region(firstBand * kWidth, 0, (lastBand - firstBand + 1) * kWidth, kHeight);
    expected(region).setTo(255);
    QCOMPARE(result.mask.size(), image.size());
    QCOMPARE(result.mask.type(), CV_8UC1);
    QVERIFY(identical(result.mask, expected));
    QCOMPARE(result.bounds, region);
    QCOMPARE(result.area, region.area());
}

void TestSegmentation::magicWandConnectivity()
{
    // Two squares of one colour touching only at a corner, on a very different background, and a
    // third one of the same colour apart.
    cv::Mat image(100, 100, CV_8UC3, cv::Scalar(30, 200, 60));
    image(cv::Rect(10, 10, 20, 20)).setTo(cv::Scalar(90, 90, 180));
    image(cv::Rect(30, 30, 20, 20)).setTo(cv::Scalar(90, 90, 180));
    image(cv::Rect(70, 70, 20, 20)).setTo(cv::Scalar(90, 90, 180));
    const MagicWand::Result four = MagicWand::select(image, { 15, 15 }, 10, false);
    QCOMPARE(four.area, 400);
    QCOMPARE(four.bounds, cv::Rect(10, 10, 20, 20));
    const MagicWand::Result eight = MagicWand::select(image, { 15, 15 }, 10, true);
    QCOMPARE(eight.area, 800);
    QCOMPARE(eight.bounds, cv::Rect(10, 10, 40, 40));
    QCOMPARE(eight.mask.at<uchar>(75, 75), uchar(0));
    QCOMPARE(cv::countNonZero(eight.mask), 800);
}

void TestSegmentation::magicWandEdgeCases()
{
    const cv::Mat image(40, 60, CV_8UC3, cv::Scalar(1, 2, 3));
    QVERIFY(MagicWand::select(image, { -1, 5 }, 10).mask.empty());
    QVERIFY(MagicWand::select(image, { 60, 5 }, 10).mask.empty());
    QVERIFY(MagicWand::select(cv::Mat(), { 0, 0 }, 10).mask.empty());
    QVERIFY(MagicWand::select(cv::Mat(10, 10, CV_32FC1, cv::Scalar(0)), { 0, 0 }, 10).mask.empty());
    const MagicWand::Result all = MagicWand::select(image, { 59, 39 }, 0);
    QCOMPARE(all.area, 40 * 60);
    QCOMPARE(cv::countNonZero(all.mask), 40 * 60);
    // Grey images work the same way.
    cv::Mat grey(10, 30, CV_8UC1, cv::Scalar(50));
    grey.colRange(10, 20).setTo(60);
    grey.colRange(20, 30).setTo(71);
    QCOMPARE(MagicWand::select(grey, { 0, 0 }, 10).area, 200);
    QCOMPARE(MagicWand::select(grey, { 0, 0 }, 9).area, 100);
    QCOMPARE(MagicWand::select(grey, { 15, 5 }, 11).area, 300);
    QCOMPARE(MagicWand::select(grey, { 15, 5 }, -3).area, 100);
}

void TestSegmentation::magicWandAsyncMatchesSync()
{
    const Lesion &l = lesion(u"Melanocytic naevus"_s, 7, 6);
    const cv::Rect b = cv::boundingRect(l.truth);
    const cv::Point seed = (b.tl() + b.br()) / 2;
    const MagicWand::Result sync = MagicWand::select(l.image, seed, 40, true);
    QFuture<MagicWand::Result> future = MagicWand::selectAsync(l.image, seed, 40, true);
    const MagicWand::Result async = future.result();
    QVERIFY(sync.area > 0);
    QCOMPARE(async.area, sync.area);
    QCOMPARE(async.bounds, sync.bounds);
    QVERIFY(identical(async.mask, sync.mask));
    QCOMPARE(sync.mask.at<uchar>(seed), uchar(255));
}

QTEST_GUILESS_MAIN(TestSegmentation)
#include "tst_segmentation.moc"
