// SPDX-License-Identifier: GPL-3.0-or-later
// MaskConsensus::staple against ITK's itk::STAPLEImageFilter (tests/data/staple, made by
// make_reference.sh), its edge cases, and the bounding-region form used for 12 MP masks.
#include "qa/MaskConsensus.h"

#include <QFile>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

struct Reference
{
    QString name;
    int width = 0, height = 0, raters = 0, itkIterations = 0, ties = 0;
    QList<RaterPerformance> performance;
};

QString dataDir()
{
    return QStringLiteral(DERMLABEL_TEST_DATA) + u"/staple/"_s;
}

QList<Reference> references()
{
    QList<Reference> all;
    QFile file(dataDir() + u"reference.txt"_s);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return all;
    while (!file.atEnd()) {
        const QStringList f = QString::fromUtf8(file.readLine()).simplified().split(u' ');
        if (f.first() == u"case"_s && f.size() == 7)
            all.append({f.at(1), f.at(2).toInt(), f.at(3).toInt(), f.at(4).toInt(), f.at(5).toInt(), f.at(6).toInt(), {}});
        else if (f.first() == u"rater"_s && f.size() == 4 && !all.isEmpty())
            all.last().performance.append({f.at(2).toDouble(), f.at(3).toDouble()});
    }
    return all;
}

cv::Mat readPng(const QString &name)
{
    return cv::imread((dataDir() + name).toStdString(), cv::IMREAD_UNCHANGED);
}

QList<cv::Mat> ratersOf(const Reference &r)
{
    QList<cv::Mat> masks;
    for (int j = 0; j < r.raters; ++j)
        masks.append(readPng(u"%1_r%2.png"_s.arg(r.name).arg(j)));
    return masks;
}

cv::Rect boundsOf(const QList<cv::Mat> &masks)
{
    cv::Rect all;
    for (const cv::Mat &m : masks) {
        const cv::Rect r = cv::boundingRect(m);
        all = all.empty() ? r : (r.empty() ? all : (all | r));
    }
    return all;
}

} // namespace

class TestStaple : public QObject
{
    Q_OBJECT

private slots:
    void sameAsItk_data();
    void sameAsItk();
    void boundingRegionGivesTheWholeImage_data() { sameAsItk_data(); }
    void boundingRegionGivesTheWholeImage();
    void nothingMarked();
    void everythingMarked();
    void oneRaterAndIdenticalRaters();
    void raterWhoDrewNothing();
    void iterationCapAndThreshold();
    void twelveMegapixelsOnTheBoundingRegion();
};

void TestStaple::sameAsItk_data()
{
    QTest::addColumn<int>("index");
    const QList<Reference> all = references();
    QVERIFY2(all.size() >= 9, "tests/data/staple/reference.txt is missing or short");
    for (qsizetype i = 0; i < all.size(); ++i)
        QTest::newRow(qPrintable(all.at(i).name)) << int(i);
}

void TestStaple::sameAsItk()
{
    QFETCH(int, index);
    const Reference r = references().at(index);
    const QList<cv::Mat> masks = ratersOf(r);
    for (const cv::Mat &m : masks) {
        QCOMPARE(m.type(), CV_8UC1);
        QCOMPARE(m.cols, r.width);
        QCOMPARE(m.rows, r.height);
    }
    const auto result = MaskConsensus::staple(masks);
    QVERIFY(result);
    QVERIFY(result->converged);
    QCOMPARE(result->raters.size(), r.raters);
    QCOMPARE(r.performance.size(), r.raters);
    for (int j = 0; j < r.raters; ++j) {
        const RaterPerformance &ours = result->raters.at(j), &itk = r.performance.at(j);
        QVERIFY2(std::abs(ours.sensitivity - itk.sensitivity) <= 1e-6,
                 qPrintable(u"rater %1 sensitivity %2, ITK %3"_s.arg(j).arg(ours.sensitivity, 0, 'g', 17).arg(itk.sensitivity, 0, 'g', 17)));
        QVERIFY2(std::abs(ours.specificity - itk.specificity) <= 1e-6,
                 qPrintable(u"rater %1 specificity %2, ITK %3"_s.arg(j).arg(ours.specificity, 0, 'g', 17).arg(itk.specificity, 0, 'g', 17)));
    }
    // ITK reports the index of the pass that converged (it counts from 0): one less than the
    // passes made, which is what `iterations` counts.
    QCOMPARE(result->iterations, r.itkIterations + 1);
    // The thresholded masks are the same pixel for pixel. No reference pixel has a posterior of
    // exactly 0.5, where the two summation orders could fall on either side.
    QCOMPARE(r.ties, 0);
    const cv::Mat itkMask = readPng(r.name + u"_itk.png"_s);
    QCOMPARE(itkMask.size(), result->mask.size());
    QCOMPARE(cv::countNonZero(itkMask != result->mask), 0);
    // The prior is the mean share of votes.
    double votes = 0;
    for (const cv::Mat &m : masks)
        votes += cv::countNonZero(m);
    QVERIFY(std::abs(result->prior - votes / (double(r.width) * r.height * r.raters)) < 1e-12);
    // The probability map thresholds to the mask.
    QCOMPARE(result->probability.type(), CV_32FC1);
    cv::Mat fromProbability;
    cv::compare(result->probability, 0.5, fromProbability, cv::CMP_GE);
    QCOMPARE(cv::countNonZero(fromProbability != result->mask), 0);
}

void TestStaple::boundingRegionGivesTheWholeImage()
{
    QFETCH(int, index);
    const Reference r = references().at(index);
    const QList<cv::Mat> masks = ratersOf(r);
    const cv::Rect bounds = boundsOf(masks);
    QVERIFY(!bounds.empty());
    QList<cv::Mat> cropped;
    for (const cv::Mat &m : masks)
        cropped.append(m(bounds));
    StapleOptions options;
    options.outsidePixels = qint64(r.width) * r.height - bounds.area();
    const auto whole = MaskConsensus::staple(masks);
    const auto region = MaskConsensus::staple(cropped, options);
    QVERIFY(whole && region);
    QCOMPARE(region->iterations, whole->iterations);
    QVERIFY(std::abs(region->prior - whole->prior) < 1e-12);
    for (int j = 0; j < r.raters; ++j) {
        QVERIFY(std::abs(region->raters.at(j).sensitivity - whole->raters.at(j).sensitivity) < 1e-9);
        QVERIFY(std::abs(region->raters.at(j).specificity - whole->raters.at(j).specificity) < 1e-9);
    }
    QCOMPARE(region->mask.size(), bounds.size());
    QCOMPARE(cv::countNonZero(region->mask != whole->mask(bounds)), 0);
    // Outside the region the whole-image run has nobody's posterior, below the threshold.
    QVERIFY(region->outsideProbability < 0.5);
    QCOMPARE(cv::countNonZero(whole->mask), cv::countNonZero(region->mask));
}

void TestStaple::nothingMarked()
{
    const cv::Mat empty = cv::Mat::zeros(6, 5, CV_8UC1);
    const auto result = MaskConsensus::staple({empty, empty.clone(), empty.clone()});
    QVERIFY(result);
    QVERIFY(!result->anyInside);
    QVERIFY(result->converged);
    QCOMPARE(result->iterations, 0);
    QCOMPARE(result->prior, 0.0);
    QCOMPARE(cv::countNonZero(result->mask), 0);
    QCOMPARE(cv::countNonZero(result->probability), 0);
    QCOMPARE(result->outsideProbability, 0.0);
    for (const RaterPerformance &p : result->raters) {
        QCOMPARE(p.sensitivity, 1.0);
        QCOMPARE(p.specificity, 1.0);
    }
}

void TestStaple::everythingMarked()
{
    const cv::Mat full(4, 4, CV_8UC1, cv::Scalar(255));
    const auto result = MaskConsensus::staple({full, full});
    QVERIFY(result);
    QVERIFY(result->anyInside);
    QCOMPARE(result->iterations, 0);
    QCOMPARE(cv::countNonZero(result->mask), 16);
    // ... unless the image is larger than the masks: then it is an ordinary run.
    StapleOptions options;
    options.outsidePixels = 16;
    const auto larger = MaskConsensus::staple({full, full}, options);
    QVERIFY(larger && larger->converged);
    QCOMPARE(larger->iterations, 2);
    QCOMPARE(cv::countNonZero(larger->mask), 16);
    QCOMPARE(larger->prior, 0.5);
    QCOMPARE(larger->outsideProbability, 0.0);
}

void TestStaple::oneRaterAndIdenticalRaters()
{
    cv::Mat m = cv::Mat::zeros(30, 40, CV_8UC1);
    cv::circle(m, {20, 15}, 9, 255, cv::FILLED);
    for (const QList<cv::Mat> &panel : {QList<cv::Mat> {m}, QList<cv::Mat> {m, m, m, m}}) {
        const auto result = MaskConsensus::staple(panel);
        QVERIFY(result && result->converged);
        QCOMPARE(result->iterations, 2); // the second pass changes nothing
        QCOMPARE(cv::countNonZero(result->mask != m), 0);
        for (const RaterPerformance &p : result->raters) {
            QCOMPARE(p.sensitivity, 1.0);
            QCOMPARE(p.specificity, 1.0);
        }
    }
}

void TestStaple::raterWhoDrewNothing()
{
    cv::Mat a = cv::Mat::zeros(30, 40, CV_8UC1), b = a.clone();
    cv::circle(a, {20, 15}, 9, 255, cv::FILLED);
    cv::circle(b, {21, 15}, 9, 255, cv::FILLED);
    const auto result = MaskConsensus::staple({a, b, cv::Mat::zeros(30, 40, CV_8UC1)});
    QVERIFY(result && result->converged);
    QCOMPARE(result->raters.at(2).sensitivity, 0.0);
    QCOMPARE(result->raters.at(2).specificity, 1.0);
    // The two who drew are trusted: their common region is in, the consensus is not empty.
    QVERIFY(cv::countNonZero(result->mask & a & b) == cv::countNonZero(a & b));
}

void TestStaple::iterationCapAndThreshold()
{
    const Reference r = references().at(0);
    const QList<cv::Mat> masks = ratersOf(r);
    StapleOptions capped;
    capped.maxIterations = 3;
    const auto result = MaskConsensus::staple(masks, capped);
    QVERIFY(result);
    QVERIFY(!result->converged);
    QCOMPARE(result->iterations, 3);
    StapleOptions bad;
    bad.maxIterations = 0;
    QVERIFY(!MaskConsensus::staple(masks, bad));

    const auto full = MaskConsensus::staple(masks);
    StapleOptions strict, lenient, noMap;
    strict.threshold = 0.99;
    lenient.threshold = 0.01;
    noMap.probabilityMap = false;
    const auto s = MaskConsensus::staple(masks, strict), l = MaskConsensus::staple(masks, lenient),
               n = MaskConsensus::staple(masks, noMap);
    cv::Mat expect;
    cv::compare(full->probability, 0.99, expect, cv::CMP_GE);
    QCOMPARE(cv::countNonZero(expect != s->mask), 0);
    cv::compare(full->probability, 0.01, expect, cv::CMP_GE);
    QCOMPARE(cv::countNonZero(expect != l->mask), 0);
    QVERIFY(cv::countNonZero(s->mask) < cv::countNonZero(full->mask));
    QVERIFY(cv::countNonZero(l->mask) > cv::countNonZero(full->mask));
    QVERIFY(n->probability.empty());
    QCOMPARE(cv::countNonZero(n->mask != full->mask), 0);
}

void TestStaple::twelveMegapixelsOnTheBoundingRegion()
{
    // 4000 x 3000 with a lesion of 300 x 200: the bounding region and the rest of the image as
    // outside pixels give what the whole image gives.
    const cv::Size size(4000, 3000);
    QList<cv::Mat> whole;
    for (int j = 0; j < 3; ++j) {
        cv::Mat m = cv::Mat::zeros(size, CV_8UC1);
        cv::ellipse(m, {2500 + 8 * j, 1200 - 5 * j}, {150 - 10 * j, 100 + 6 * j}, 10.0 * j, 0, 360, 255, cv::FILLED);
        whole.append(m);
    }
    const cv::Rect bounds = boundsOf(whole);
    QList<cv::Mat> cropped;
    for (const cv::Mat &m : whole)
        cropped.append(m(bounds));
    StapleOptions options;
    options.outsidePixels = qint64(size.area()) - bounds.area();
    const auto region = MaskConsensus::staple(cropped, options);
    const auto full = MaskConsensus::staple(whole);
    QVERIFY(region && full && region->converged);
    QCOMPARE(region->iterations, full->iterations);
    for (int j = 0; j < 3; ++j) {
        QVERIFY(std::abs(region->raters.at(j).sensitivity - full->raters.at(j).sensitivity) < 1e-9);
        QVERIFY(std::abs(region->raters.at(j).specificity - full->raters.at(j).specificity) < 1e-9);
    }
    QCOMPARE(cv::countNonZero(region->mask != full->mask(bounds)), 0);
    QCOMPARE(cv::countNonZero(full->mask), cv::countNonZero(region->mask));
    // Whereas the region alone (its own prior) is another question, with other answers.
    const auto alone = MaskConsensus::staple(cropped);
    QVERIFY(std::abs(alone->prior - region->prior) > 0.1);
}

QTEST_GUILESS_MAIN(TestStaple)
#include "tst_staple.moc"
