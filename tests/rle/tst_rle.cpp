// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/CocoRle.h"
#include "masks/MaskCodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <limits>

using namespace Qt::StringLiterals;
using dl::CocoRle;
using dl::MaskCodec;
using dl::Rle;

namespace {

// Rows of '0'/'1' (or any digit: nonzero = inside) as a CV_8UC1 mask with those values.
cv::Mat maskFromRows(const QByteArrayList &rows)
{
    if (rows.isEmpty())
        return {};
    cv::Mat m(int(rows.size()), int(rows.first().size()), CV_8UC1);
    for (int y = 0; y < m.rows; ++y) {
        for (int x = 0; x < m.cols; ++x)
            m.at<uchar>(y, x) = uchar(rows.at(y).at(x) - '0');
    }
    return m;
}

QByteArrayList filledRows(int h, int w, char value)
{
    return QByteArrayList(h, QByteArray(w, value));
}

// The obvious column-major walk, as a reference for the fast encoder.
std::vector<quint32> referenceCounts(const cv::Mat &m)
{
    std::vector<quint32> counts;
    bool state = false;
    quint32 run = 0;
    for (int x = 0; x < m.cols; ++x) {
        for (int y = 0; y < m.rows; ++y) {
            const bool v = m.at<uchar>(y, x) != 0;
            if (v != state) {
                counts.push_back(run);
                run = 0;
                state = v;
            }
            ++run;
        }
    }
    counts.push_back(run);
    return counts;
}

cv::Mat binary255(const cv::Mat &m)
{
    cv::Mat out;
    cv::compare(m, 0, out, cv::CMP_NE);
    return out;
}

bool sameMat(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    if (a.empty())
        return true;
    cv::Mat diff;
    cv::compare(a, b, diff, cv::CMP_NE);
    return cv::countNonZero(diff.reshape(1)) == 0;
}

QByteArray text(const std::vector<quint32> &counts)
{
    QByteArrayList parts;
    for (quint32 c : counts)
        parts.append(QByteArray::number(c));
    return '[' + parts.join(',') + ']';
}

std::vector<quint32> toVector(const QList<quint32> &list)
{
    return std::vector<quint32>(list.begin(), list.end());
}

// Random label values 1..255 for set pixels, so the encoder must treat every nonzero as 1.
cv::Mat randomMask(int h, int w, double density, quint32 seed)
{
    QRandomGenerator rng(seed);
    cv::Mat m(h, w, CV_8UC1);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x)
            m.at<uchar>(y, x) = rng.generateDouble() < density ? uchar(rng.bounded(1, 256)) : 0;
    }
    return m;
}

// A few filled blobs, so that runs are long and cross columns.
cv::Mat blobMask(int h, int w, quint32 seed)
{
    QRandomGenerator rng(seed);
    cv::Mat m = cv::Mat::zeros(h, w, CV_8UC1);
    for (int i = 0; i < 4; ++i) {
        const cv::Point c(rng.bounded(w), rng.bounded(h));
        const cv::Size axes(1 + rng.bounded(std::max(1, w / 3)), 1 + rng.bounded(std::max(1, h / 3)));
        cv::ellipse(m, c, axes, rng.bounded(180), 0, 360, cv::Scalar(1 + i), cv::FILLED);
    }
    return m;
}

} // namespace

class TestRle : public QObject
{
    Q_OBJECT

private slots:
    void knownStrings_data();
    void knownStrings();
    void roundTrip_data();
    void roundTrip();
    void roundTripSpecialMats();
    void stringRoundTrip_data();
    void stringRoundTrip();
    void fromStringRejects_data();
    void fromStringRejects();
    void decodeRejectsInvalid();
    void areaAndBbox_data();
    void areaAndBbox();
    void json();
    void jsonRejects_data();
    void jsonRejects();
    void polygon();
    void merge();
    void pngRoundTrip_data();
    void pngRoundTrip();
    void pngBinary();
    void pngEmptyRowsSpliced_data();
    void pngEmptyRowsSpliced();
    void pngGarbage_data();
    void pngGarbage();
    void labelMeRoundTrip();
    void labelMeOneBitPatch();
    void labelMeRejects_data();
    void labelMeRejects();
};

// Derivations of the expected strings, from the definition (cocoapi rleToString): for count i,
// x = cnts[i] - cnts[i-2] when i > 2; emit c = x & 0x1f, x >>= 5 (arithmetic), more =
// (c & 0x10) ? x != -1 : x != 0, c |= 0x20 if more, char(c + 48). '0' is 48, so a final group c
// (< 32) is char '0' + c and a continued group is '0' + 32 + c = 'P' + c.
void TestRle::knownStrings_data()
{
    QTest::addColumn<QByteArrayList>("rows");
    QTest::addColumn<QList<quint32>>("counts");
    QTest::addColumn<QByteArray>("expected");

    // 9 zeros: one 0-run of 9. 9 = 0b01001: c = 9, x -> 0, bit 0x10 clear and x == 0: "9".
    QTest::newRow("all zero 3x3") << filledRows(3, 3, '0') << QList<quint32>{9} << "9"_ba;
    // 0-run of 0, then 1-run of 9: "0" then "9".
    QTest::newRow("all one 3x3") << filledRows(3, 3, '1') << QList<quint32>{0, 9} << "09"_ba;
    // Column-major order: (0,0)=1, (0,1)=0, (1,0)=0, (1,1)=0 -> [0, 1, 3] -> "0", "1", "3".
    QTest::newRow("first pixel set") << QByteArrayList{"10", "00"} << QList<quint32>{0, 1, 3}
                                     << "013"_ba;
    // 16 = 0b10000: c = 16 has bit 0x10 set, x -> 0 != -1, so more: c = 48 -> '`'; then c = 0,
    // x = 0, stop: '0'. A positive value with bit 4 set needs a second group.
    QTest::newRow("16 needs two groups") << filledRows(4, 4, '0') << QList<quint32>{16} << "`0"_ba;
    // 10000 = 9 * 1024 + 24 * 32 + 16: c = 16, x = 312, more -> 16 + 32 + 48 = 96 '`';
    // c = 24 (bit 0x10 set), x = 9 != -1, more -> 24 + 32 + 48 = 104 'h'; c = 9, x = 0 -> '9'.
    QTest::newRow("long run 100x100") << filledRows(100, 100, '0') << QList<quint32>{10000}
                                      << "`h9"_ba;
    // h = 1, w = 10, pixels 0000011101: counts [5, 3, 1, 1]. i = 0..2 are written as they are:
    // "5", "3", "1". i = 3: x = 1 - cnts[1] = 1 - 3 = -2 = ...11110: c = 30, x -> -1; bit 0x10
    // set and x == -1: stop; 30 + 48 = 78 'N'.
    QTest::newRow("negative delta") << QByteArrayList{"0000011101"}
                                    << QList<quint32>{5, 3, 1, 1} << "531N"_ba;
    // h = 5, w = 10: the last 6 pixels in column-major order are set, i.e. (x=8, y=4) and all of
    // column 9: counts [44, 6]. 44 = 1 * 32 + 12: c = 12, x -> 1, bit 0x10 clear and x != 0: more,
    // 12 + 32 + 48 = 92 '\\'; then c = 1, x = 0: '1'. Then 6: '6'.
    QByteArrayList backslash = filledRows(5, 10, '0');
    for (int y = 0; y < 5; ++y)
        backslash[y][9] = '1';
    backslash[4][8] = '1';
    QTest::newRow("backslash") << backslash << QList<quint32>{44, 6} << "\\16"_ba;
    // h = 4, w = 8, all set except (x=0, y=0) and (x=6, y=2): column-major indices 0 and 26 are 0,
    // so counts [1, 25, 1, 5]. "1"; 25 = 0b11001: c = 25, bit 0x10 set, x = 0 != -1: more,
    // 25 + 32 + 48 = 105 'i', then '0'; "1"; i = 3: x = 5 - 25 = -20 = ...101100: c = 12, x -> -1,
    // bit 0x10 clear and x != 0: more, 12 + 32 + 48 = 92 '\\'; c = 31, x = -1, bit 0x10 set and
    // x == -1: stop, 31 + 48 = 79 'O'.
    QTest::newRow("negative delta with backslash")
        << QByteArrayList{"01111111", "11111111", "11111101", "11111111"}
        << QList<quint32>{1, 25, 1, 5} << "1i01\\O"_ba;
    // Label values other than 1 count as inside: column-major 0,2 | 7,0 -> runs 0:1, 1:2, 0:1.
    QTest::newRow("label values") << QByteArrayList{"07", "20"} << QList<quint32>{1, 2, 1}
                                  << "121"_ba;
}

void TestRle::knownStrings()
{
    QFETCH(QByteArrayList, rows);
    QFETCH(QList<quint32>, counts);
    QFETCH(QByteArray, expected);

    const cv::Mat mask = maskFromRows(rows);
    const Rle rle = CocoRle::encode(mask);
    QCOMPARE(rle.height, mask.rows);
    QCOMPARE(rle.width, mask.cols);
    QCOMPARE(text(rle.counts), text(toVector(counts)));
    QCOMPARE(CocoRle::toString(rle), expected);

    QString error;
    const auto parsed = CocoRle::fromString(expected, mask.rows, mask.cols, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(text(parsed->counts), text(rle.counts));
    QVERIFY(sameMat(CocoRle::decode(*parsed), binary255(mask)));
}

void TestRle::roundTrip_data()
{
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::addColumn<double>("density"); // < 0: blobs
    QTest::addColumn<quint32>("seed");

    const QList<QPair<int, int>> sizes{{1, 1},   {1, 37},   {37, 1},  {13, 17},  {31, 29},
                                       {101, 67}, {3, 1001}, {1001, 3}, {257, 255}, {64, 96}};
    const QList<double> densities{0.0, 0.02, 0.5, 0.98, 1.0, -1};
    quint32 seed = 1;
    for (const auto &[h, w] : sizes) {
        for (double d : densities) {
            const QByteArray name = QByteArray::number(h) + 'x' + QByteArray::number(w) + ' '
                + (d < 0 ? "blobs"_ba : "p=" + QByteArray::number(d));
            QTest::newRow(name.constData()) << h << w << d << seed++;
        }
    }
}

void TestRle::roundTrip()
{
    QFETCH(int, height);
    QFETCH(int, width);
    QFETCH(double, density);
    QFETCH(quint32, seed);

    const cv::Mat mask = density < 0 ? blobMask(height, width, seed)
                                     : randomMask(height, width, density, seed);
    const Rle rle = CocoRle::encode(mask);
    QCOMPARE(text(rle.counts), text(referenceCounts(mask)));
    QCOMPARE(quint64(CocoRle::area(rle)), quint64(cv::countNonZero(mask)));

    const cv::Mat decoded = CocoRle::decode(rle);
    QVERIFY(sameMat(decoded, binary255(mask)));

    // rleToBbox is exact for the canonical runs encode produces.
    const cv::Rect expected = cv::boundingRect(mask);
    QCOMPARE(CocoRle::bbox(rle), QRectF(expected.x, expected.y, expected.width, expected.height));

    QString error;
    const auto parsed = CocoRle::fromString(CocoRle::toString(rle), height, width, &error);
    QVERIFY2(parsed, qPrintable(error));
    QVERIFY(*parsed == rle);
}

void TestRle::roundTripSpecialMats()
{
    // Empty mask: counts [0], as the cocoapi gives for h * w = 0.
    const Rle empty = CocoRle::encode(cv::Mat());
    QCOMPARE(text(empty.counts), "[0]"_ba);
    QCOMPARE(CocoRle::toString(empty), "0"_ba);
    QVERIFY(CocoRle::decode(empty).empty());
    QCOMPARE(CocoRle::bbox(empty), QRectF());

    // A non-continuous view into a larger image.
    const cv::Mat big = randomMask(50, 60, 0.3, 99);
    const cv::Mat view = big(cv::Rect(7, 5, 33, 21));
    QVERIFY(!view.isContinuous());
    const Rle rle = CocoRle::encode(view);
    QCOMPARE(text(rle.counts), text(referenceCounts(view)));
    QVERIFY(sameMat(CocoRle::decode(rle), binary255(view)));

    // Other single-channel types: nonzero = 1.
    cv::Mat wide;
    view.convertTo(wide, CV_16UC1, 300);
    QCOMPARE(text(CocoRle::encode(wide).counts), text(rle.counts));

    // Multi-channel input is refused.
    QVERIFY(CocoRle::encode(cv::Mat::zeros(3, 3, CV_8UC3)).counts.empty());
}

void TestRle::stringRoundTrip_data()
{
    QTest::addColumn<quint32>("seed");
    QTest::addColumn<quint32>("maxRun");
    for (quint32 maxRun : {31u, 1000u, 1u << 20, 1u << 31, std::numeric_limits<quint32>::max()}) {
        for (quint32 seed = 1; seed <= 3; ++seed) {
            const QByteArray name = "max " + QByteArray::number(maxRun) + " seed "
                + QByteArray::number(seed);
            QTest::newRow(name.constData()) << seed * 7919 + maxRun % 1000 << maxRun;
        }
    }
}

void TestRle::stringRoundTrip()
{
    QFETCH(quint32, seed);
    QFETCH(quint32, maxRun);

    // Random counts (zero runs included), then a size that holds them: width 65536 and a last
    // 0-or-1 run that fills up the final column.
    QRandomGenerator rng(seed);
    Rle rle;
    const int n = 1 + int(rng.bounded(2000));
    quint64 sum = 0;
    for (int i = 0; i < n; ++i) {
        const quint32 c = quint32(rng.bounded(quint64(maxRun) + 1));
        rle.counts.push_back(c);
        sum += c;
    }
    rle.width = 65536;
    rle.height = int(sum / 65536 + 1);
    rle.counts.push_back(quint32(quint64(rle.height) * 65536 - sum));
    QVERIFY(CocoRle::isValid(rle));

    const QByteArray s = CocoRle::toString(rle);
    for (char ch : s)
        QVERIFY(ch >= '0' && ch <= 'o');
    QString error;
    const auto parsed = CocoRle::fromString(s, rle.height, rle.width, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(text(parsed->counts), text(rle.counts));

    // The extremes: a maximal count and the largest positive and negative deltas.
    // Sum 4294967301 = 3 * 1431655767.
    Rle extreme;
    extreme.height = 3;
    extreme.width = 1431655767;
    extreme.counts = {0, std::numeric_limits<quint32>::max(), 5, 0, 1};
    const QByteArray es = CocoRle::toString(extreme);
    const auto back = CocoRle::fromString(es, 3, 1431655767, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(text(back->counts), text(extreme.counts));
}

void TestRle::fromStringRejects_data()
{
    QTest::addColumn<QByteArray>("string");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::addColumn<QString>("message"); // a part of the expected message

    QTest::newRow("sum too small") << "9"_ba << 3 << 4 << u"add up to 9 pixels"_s;
    QTest::newRow("sum too large") << "09"_ba << 2 << 4 << u"add up to 9 pixels"_s;
    QTest::newRow("empty string") << QByteArray() << 1 << 1 << u"add up to 0 pixels"_s;
    QTest::newRow("space") << "0 9"_ba << 3 << 3 << u"Invalid character (code 32) at position 1"_s;
    QTest::newRow("above 'o'") << "09p"_ba << 3 << 3 << u"Invalid character (code 112)"_s;
    QTest::newRow("below '0'") << "0/"_ba << 3 << 3 << u"Invalid character (code 47)"_s;
    QTest::newRow("non-ASCII") << "0\xff"_ba << 3 << 3 << u"Invalid character (code 255)"_s;
    QTest::newRow("truncated") << "0`"_ba << 4 << 4 << u"ends in the middle of a value"_s;
    // "51N": the third count has no delta, so 'N' decodes to -2.
    QTest::newRow("negative count") << "51N"_ba << 1 << 4 << u"out of range"_s;
    // Six full groups and '?' (15): 2^34 - 1 does not fit 32 bits.
    QTest::newRow("count above 2^32") << "oooooo?"_ba << 1 << 1 << u"out of range"_s;
    QTest::newRow("eight groups") << "ooooooo0"_ba << 1 << 1 << u"too long"_s;
    QTest::newRow("negative size") << "0"_ba << -1 << 0 << u"Invalid RLE size"_s;
}

void TestRle::fromStringRejects()
{
    QFETCH(QByteArray, string);
    QFETCH(int, height);
    QFETCH(int, width);
    QFETCH(QString, message);

    QString error;
    QVERIFY(!CocoRle::fromString(string, height, width, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    // Without an error pointer it must not crash either.
    QVERIFY(!CocoRle::fromString(string, height, width, nullptr));
}

void TestRle::decodeRejectsInvalid()
{
    Rle bad;
    bad.height = 3;
    bad.width = 3;
    bad.counts = {4, 4};
    QVERIFY(CocoRle::decode(bad).empty());
    QString error;
    QVERIFY(!CocoRle::isValid(bad, &error));
    QVERIFY(error.contains(u"8 pixels"_s));

    // Non-canonical but valid: empty runs in the middle change nothing.
    Rle zeros;
    zeros.height = 3;
    zeros.width = 2;
    zeros.counts = {2, 0, 1, 2, 0, 0, 1};
    const cv::Mat decoded = CocoRle::decode(zeros);
    // column-major 0 0 0 1 1 0 -> column 0 = 0,0,0; column 1 = 1,1,0
    QVERIFY(sameMat(decoded, binary255(maskFromRows({"01", "01", "00"}))));
}

// Hand-checked areas and COCO boxes [x, y, w, h].
void TestRle::areaAndBbox_data()
{
    QTest::addColumn<QByteArrayList>("rows");
    QTest::addColumn<quint64>("area");
    QTest::addColumn<QRectF>("bbox");

    QTest::newRow("empty") << filledRows(3, 4, '0') << quint64(0) << QRectF(0, 0, 0, 0);
    QTest::newRow("full") << filledRows(3, 4, '1') << quint64(12) << QRectF(0, 0, 4, 3);
    // (x=2, y=1): index 2 * 3 + 1 = 7, counts [7, 1, 4].
    QTest::newRow("one pixel") << QByteArrayList{"0000", "0010", "0000"} << quint64(1)
                               << QRectF(2, 1, 1, 1);
    QTest::newRow("square") << QByteArrayList{"0000", "0110", "0110", "0000"} << quint64(4)
                            << QRectF(1, 1, 2, 2);
    QTest::newRow("two corners") << QByteArrayList{"1000", "0000", "0001"} << quint64(2)
                                 << QRectF(0, 0, 4, 3);
    // A run from the bottom of column 1 into the top of column 2 covers the full height.
    QTest::newRow("wrapping run") << QByteArrayList{"0010", "0000", "0100"} << quint64(2)
                                  << QRectF(1, 0, 2, 3);
    QTest::newRow("backslash case") << QByteArrayList{"01111111", "11111111", "11111101",
                                                      "11111111"}
                                    << quint64(30) << QRectF(0, 0, 8, 4);
}

void TestRle::areaAndBbox()
{
    QFETCH(QByteArrayList, rows);
    QFETCH(quint64, area);
    QFETCH(QRectF, bbox);

    const Rle rle = CocoRle::encode(maskFromRows(rows));
    QCOMPARE(CocoRle::area(rle), area);
    QCOMPARE(CocoRle::bbox(rle), bbox);
}

void TestRle::json()
{
    const cv::Mat mask = maskFromRows({"01111111", "11111111", "11111101", "11111111"});
    const Rle rle = CocoRle::encode(mask);
    const QJsonObject o = CocoRle::toJson(rle);
    QCOMPARE(o.value("size"_L1).toArray(), (QJsonArray{4, 8}));
    QCOMPARE(o.value("counts"_L1).toString(), u"1i01\\O"_s);

    // The backslash is escaped in the JSON text and survives a parse.
    const QByteArray jsonText = QJsonDocument(o).toJson(QJsonDocument::Compact);
    QVERIFY2(jsonText.contains(R"("counts":"1i01\\O")"), jsonText.constData());
    const QJsonObject reread = QJsonDocument::fromJson(jsonText).object();
    QString error;
    auto parsed = CocoRle::fromJson(reread, &error);
    QVERIFY2(parsed, qPrintable(error));
    QVERIFY(*parsed == rle);

    // Uncompressed form.
    const QJsonObject plain = CocoRle::toJsonUncompressed(rle);
    QCOMPARE(plain.value("counts"_L1).toArray(), (QJsonArray{1, 25, 1, 5}));
    parsed = CocoRle::fromJson(QJsonDocument::fromJson(QJsonDocument(plain).toJson()).object(),
                               &error);
    QVERIFY2(parsed, qPrintable(error));
    QVERIFY(*parsed == rle);

    // A larger random mask through JSON text.
    const Rle big = CocoRle::encode(blobMask(301, 203, 5));
    parsed = CocoRle::fromJson(
        QJsonDocument::fromJson(QJsonDocument(CocoRle::toJson(big)).toJson()).object(), &error);
    QVERIFY2(parsed, qPrintable(error));
    QVERIFY(*parsed == big);
}

void TestRle::jsonRejects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");

    QTest::newRow("no size") << R"({"counts":"9"})"_ba << u"\"size\""_s;
    QTest::newRow("size of one") << R"({"size":[9],"counts":"9"})"_ba << u"\"size\""_s;
    QTest::newRow("fractional size") << R"({"size":[1.5,2],"counts":"9"})"_ba << u"\"size\""_s;
    QTest::newRow("negative size") << R"({"size":[-3,3],"counts":"9"})"_ba << u"\"size\""_s;
    QTest::newRow("no counts") << R"({"size":[3,3]})"_ba << u"string or an array"_s;
    QTest::newRow("counts object") << R"({"size":[3,3],"counts":{}})"_ba
                                   << u"string or an array"_s;
    QTest::newRow("bad string") << R"({"size":[3,3],"counts":"9!"})"_ba << u"Invalid character"_s;
    QTest::newRow("wrong sum") << R"({"size":[3,3],"counts":"8"})"_ba << u"add up to 8"_s;
    QTest::newRow("negative count") << R"({"size":[3,3],"counts":[10,-1]})"_ba
                                    << u"not a count"_s;
    QTest::newRow("fractional count") << R"({"size":[3,3],"counts":[4.5,4.5]})"_ba
                                      << u"not a count"_s;
    QTest::newRow("text count") << R"({"size":[3,3],"counts":["9"]})"_ba << u"not a count"_s;
    QTest::newRow("array wrong sum") << R"({"size":[3,3],"counts":[3,3]})"_ba << u"add up to 6"_s;
}

void TestRle::jsonRejects()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);

    QJsonParseError parseError;
    const QJsonObject o = QJsonDocument::fromJson(json, &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QString error;
    QVERIFY(!CocoRle::fromJson(o, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestRle::polygon()
{
    // Square with corners (1,1) and (3,3). On the 5x grid its vertices are (5,5), (15,5), (15,15),
    // (5,15). The top edge steps u = 5..15; a step is a column boundary when the left fine column
    // xd (u - 1 going right, u going left) gives an integer (xd + .5) / 5 - .5, i.e. xd = 7 (x = 1)
    // and xd = 12 (x = 2); its y is ceil((5 + .5) / 5 - .5) = ceil(0.6) = 1. The bottom edge gives
    // the same columns at y = ceil((15 + .5) / 5 - .5) = ceil(2.6) = 3. Vertical edges never change
    // u. Marks x * 5 + y: 6, 8, 11, 13, plus the end 25 -> counts [6, 2, 3, 2, 12]: pixels x 1..2,
    // y 1..2, the pixels whose centres (x + .5, y + .5) lie inside [1, 3] x [1, 3].
    const QPolygonF square{QList<QPointF>{{1, 1}, {3, 1}, {3, 3}, {1, 3}}};
    auto rle = CocoRle::fromPolygon({square}, 5, 5);
    QVERIFY(rle);
    QCOMPARE(text(rle->counts), "[6,2,3,2,12]"_ba);
    QCOMPARE(CocoRle::area(*rle), quint64(4));
    QCOMPARE(CocoRle::bbox(*rle), QRectF(1, 1, 2, 2));

    // The same square listed the other way round, and with a repeated closing vertex.
    const QPolygonF reversed{QList<QPointF>{{1, 3}, {3, 3}, {3, 1}, {1, 1}}};
    QCOMPARE(text(CocoRle::fromPolygon({reversed}, 5, 5)->counts), "[6,2,3,2,12]"_ba);
    const QPolygonF closed{QList<QPointF>{{1, 1}, {3, 1}, {3, 3}, {1, 3}, {1, 1}}};
    QCOMPARE(text(CocoRle::fromPolygon({closed}, 5, 5)->counts), "[6,2,3,2,12]"_ba);

    // Triangle (0,0), (4,0), (0,4) in 5x5, fine grid (0,0), (20,0), (0,20). Column x is sampled
    // where the fine u steps across xd = 5x + 2 (real x + .5). Top edge: y = ceil(max(0, -0.4)) = 0
    // for x = 0..3. Hypotenuse, walked right to left with v = 20 - u: at x = 3 (u 18 -> 17) the
    // smaller v is 2, y = ceil(2.5 / 5 - .5) = 0; x = 2: v = 7, y = 1; x = 1: v = 12, y = 2;
    // x = 0: v = 17, y = 3. Column 3 opens and closes at y = 0 (marks cancel): empty; column 2
    // rows 0; column 1 rows 0..1; column 0 rows 0..2. That is the pixels whose centre satisfies
    // x + y + 1 < 4; the centres on the hypotenuse stay outside. Area 6.
    const QPolygonF triangle{QList<QPointF>{{0, 0}, {4, 0}, {0, 4}}};
    rle = CocoRle::fromPolygon({triangle}, 5, 5);
    QVERIFY(rle);
    const cv::Mat expectedTri = maskFromRows({"11100", "11000", "10000", "00000", "00000"});
    QVERIFY2(sameMat(CocoRle::decode(*rle), binary255(expectedTri)),
             text(rle->counts).constData());
    QCOMPARE(text(rle->counts), "[0,3,2,2,3,1,14]"_ba);

    // Two polygons: union; the square and the triangle share pixel (1,1).
    rle = CocoRle::fromPolygon({triangle, square}, 5, 5);
    QVERIFY(rle);
    QCOMPARE(CocoRle::area(*rle), quint64(6 + 4 - 1));
    QCOMPARE(text(rle->counts), text(referenceCounts(expectedTri | maskFromRows(
                                    {"00000", "01100", "01100", "00000", "00000"}))));

    // Clipped to the image; a polygon fully outside gives an empty mask.
    const QPolygonF outside{QList<QPointF>{{10, 10}, {20, 10}, {20, 20}}};
    rle = CocoRle::fromPolygon({outside}, 5, 5);
    QVERIFY(rle);
    QCOMPARE(text(rle->counts), "[25]"_ba);
    const QPolygonF large{QList<QPointF>{{-10, -10}, {20, -10}, {20, 20}, {-10, 20}}};
    rle = CocoRle::fromPolygon({large}, 4, 6);
    QVERIFY(rle);
    QCOMPARE(text(rle->counts), "[0,24]"_ba);

    // No polygons, degenerate polygons and bad input.
    QCOMPARE(text(CocoRle::fromPolygon({}, 3, 3)->counts), "[9]"_ba);
    QCOMPARE(text(CocoRle::fromPolygon({QPolygonF{QList<QPointF>{{0, 0}, {2, 2}}}}, 3, 3)->counts),
             "[9]"_ba);
    QVERIFY(!CocoRle::fromPolygon({QPolygonF{QList<QPointF>{{0, 0}, {qQNaN(), 2}, {1, 1}}}}, 3, 3));
    QVERIFY(!CocoRle::fromPolygon({square}, -1, 3));
}

void TestRle::merge()
{
    const cv::Mat a = blobMask(40, 30, 11);
    const cv::Mat b = randomMask(40, 30, 0.2, 12);
    const auto merged = CocoRle::merge(CocoRle::encode(a), CocoRle::encode(b));
    QVERIFY(merged);
    cv::Mat both = binary255(a) | binary255(b);
    QCOMPARE(text(merged->counts), text(referenceCounts(both)));

    Rle other = CocoRle::encode(a);
    other.width = 40;
    other.height = 30;
    QVERIFY(!CocoRle::merge(CocoRle::encode(a), other));
}

void TestRle::pngRoundTrip_data()
{
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::addColumn<quint32>("seed");
    QTest::newRow("1x1") << 1 << 1 << 1u;
    QTest::newRow("1x300") << 1 << 300 << 2u;
    QTest::newRow("300x1") << 300 << 1 << 3u;
    QTest::newRow("17x23") << 17 << 23 << 4u;
    QTest::newRow("255x257") << 255 << 257 << 5u;
}

void TestRle::pngRoundTrip()
{
    QFETCH(int, height);
    QFETCH(int, width);
    QFETCH(quint32, seed);

    // Every value 0..255, in a gradient and in noise.
    QRandomGenerator rng(seed);
    cv::Mat mask(height, width, CV_8UC1);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            mask.at<uchar>(y, x) = (x + y) % 2 ? uchar((x * 7 + y) % 256) : uchar(rng.bounded(256));
    }
    const QByteArray png = MaskCodec::encodePng(mask);
    QVERIFY(png.startsWith("\x89PNG\r\n\x1a\n"));
    QString error;
    const cv::Mat back = MaskCodec::decodePng(png, &error);
    QVERIFY2(!back.empty(), qPrintable(error));
    QVERIFY(sameMat(back, mask));

    // A non-continuous view encodes its own pixels only.
    if (height > 2 && width > 2) {
        const cv::Mat view = mask(cv::Rect(1, 1, width - 2, height - 2));
        QVERIFY(sameMat(MaskCodec::decodePng(MaskCodec::encodePng(view), &error), view));
    }
}

void TestRle::pngBinary()
{
    const cv::Mat mask = randomMask(61, 47, 0.4, 77);
    const QByteArray png = MaskCodec::encodeBinaryPng(mask);
    QString error;
    const cv::Mat back = MaskCodec::decodePng(png, &error);
    QVERIFY2(!back.empty(), qPrintable(error));
    QVERIFY(sameMat(back, binary255(mask)));
    QVERIFY(MaskCodec::encodeBinaryPng(cv::Mat()).isEmpty());
    QVERIFY(MaskCodec::encodePng(cv::Mat::zeros(3, 3, CV_8UC3)).isEmpty());
}

void TestRle::pngEmptyRowsSpliced_data()
{
    // Content rows [top, bottom) in a mask of height x width; the rows outside are empty and
    // written as precompressed blocks. Spans cross the 2^k chunk sizes (1, 2, ... 2048 rows).
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("top");
    QTest::addColumn<int>("bottom");
    QTest::newRow("region in the middle") << 3000 << 97 << 1400 << 1650;
    QTest::newRow("region at the top") << 600 << 4000 << 0 << 3;
    QTest::newRow("region at the bottom") << 2500 << 31 << 2499 << 2500;
    QTest::newRow("one row of content") << 4097 << 5 << 2048 << 2049;
    QTest::newRow("all empty") << 4200 << 13 << 0 << 0;
    QTest::newRow("all content") << 40 << 40 << 0 << 40;
    QTest::newRow("1 x 1 empty") << 1 << 1 << 0 << 0;
    QTest::newRow("same width again") << 3001 << 97 << 1 << 2999;
}

void TestRle::pngEmptyRowsSpliced()
{
    QFETCH(int, height);
    QFETCH(int, width);
    QFETCH(int, top);
    QFETCH(int, bottom);
    cv::Mat mask = cv::Mat::zeros(height, width, CV_8UC1);
    if (bottom > top)
        randomMask(bottom - top, width, 0.5, quint32(height + width)).copyTo(mask.rowRange(top, bottom));
    QString error;
    // libpng checks the zlib stream, its Adler-32 and every chunk CRC.
    const QByteArray binary = MaskCodec::encodeBinaryPng(mask);
    cv::Mat back = MaskCodec::decodePng(binary, &error);
    QVERIFY2(!back.empty(), qPrintable(error));
    QVERIFY(sameMat(back, binary255(mask)));
    const QByteArray label = MaskCodec::encodePng(mask);
    back = MaskCodec::decodePng(label, &error);
    QVERIFY2(!back.empty(), qPrintable(error));
    QVERIFY(sameMat(back, mask));
    // The same mask gives the same bytes (reproducible bundles).
    QCOMPARE(MaskCodec::encodeBinaryPng(mask), binary);
    QCOMPARE(MaskCodec::encodePng(mask), label);
    // Empty rows cost a few bytes, not a deflate of their size.
    if (bottom - top < 10 && height > 1000)
        QVERIFY2(MaskCodec::encodeBinaryPng(mask).size() < 2000 + (bottom - top) * width,
                 qPrintable(QString::number(MaskCodec::encodeBinaryPng(mask).size())));
}

void TestRle::pngGarbage_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("message");

    const QByteArray good = MaskCodec::encodePng(randomMask(64, 64, 0.5, 3));
    QByteArray random(500, Qt::Uninitialized);
    QRandomGenerator rng(4);
    for (char &c : random)
        c = char(rng.bounded(256));
    std::vector<uchar> colour;
    cv::imencode(".png", cv::Mat(4, 4, CV_8UC3, cv::Scalar(1, 2, 3)), colour);
    std::vector<uchar> deep;
    cv::imencode(".png", cv::Mat(4, 4, CV_16UC1, cv::Scalar(1000)), deep);

    QTest::newRow("empty") << QByteArray() << u"not a PNG"_s;
    QTest::newRow("random") << random << u"not a PNG"_s;
    QTest::newRow("signature only") << good.first(8) << u"damaged"_s;
    QTest::newRow("truncated") << good.first(good.size() / 2) << u"damaged"_s;
    QByteArray corrupt = good;
    for (qsizetype i = corrupt.size() / 2; i < corrupt.size() / 2 + 16; ++i)
        corrupt[i] = char(~corrupt[i]);
    QTest::newRow("corrupt data") << corrupt << u"damaged"_s;
    QTest::newRow("colour") << QByteArray(reinterpret_cast<const char *>(colour.data()),
                                          qsizetype(colour.size()))
                            << u"8-bit greyscale"_s;
    QTest::newRow("16-bit") << QByteArray(reinterpret_cast<const char *>(deep.data()),
                                          qsizetype(deep.size()))
                            << u"8-bit greyscale"_s;
}

void TestRle::pngGarbage()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, message);

    QString error;
    const cv::Mat m = MaskCodec::decodePng(data, &error);
    QVERIFY(m.empty());
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestRle::labelMeRoundTrip()
{
    cv::Mat mask = cv::Mat::zeros(120, 90, CV_8UC1);
    cv::ellipse(mask, cv::Point(40, 70), cv::Size(20, 11), 30, 0, 360, cv::Scalar(3), cv::FILLED);
    mask.at<uchar>(30, 75) = 200; // a stray pixel widens the box to x = 75, y = 30
    const cv::Rect box = cv::boundingRect(mask);

    const QJsonObject shape = MaskCodec::toLabelMeMaskShape(mask, u"lesion"_s);
    QCOMPARE(shape.value("label"_L1).toString(), u"lesion"_s);
    QCOMPARE(shape.value("shape_type"_L1).toString(), u"mask"_s);
    QVERIFY(shape.value("group_id"_L1).isNull());
    QVERIFY(shape.value("flags"_L1).isObject());
    QCOMPARE(shape.value("points"_L1).toArray(),
             (QJsonArray{QJsonArray{box.x, box.y},
                         QJsonArray{box.x + box.width - 1, box.y + box.height - 1}}));
    QCOMPARE(shape.value("points"_L1).toArray().at(0).toArray().at(1).toInt(), 30);
    QCOMPARE(shape.value("points"_L1).toArray().at(1).toArray().at(0).toInt(), 75);

    // The patch is the box, with values 0/1.
    const QByteArray png = QByteArray::fromBase64(shape.value("mask"_L1).toString().toLatin1());
    QString error;
    const cv::Mat patch = MaskCodec::decodePng(png, &error);
    QVERIFY2(!patch.empty(), qPrintable(error));
    QCOMPARE(patch.cols, box.width);
    QCOMPARE(patch.rows, box.height);
    double minValue = 0, maxValue = 0;
    cv::minMaxLoc(patch, &minValue, &maxValue);
    QCOMPARE(minValue, 0.0);
    QCOMPARE(maxValue, 1.0);
    QCOMPARE(cv::countNonZero(patch), cv::countNonZero(mask));

    // Through JSON text and back.
    const QJsonObject reread = QJsonDocument::fromJson(QJsonDocument(shape).toJson()).object();
    const cv::Mat back = MaskCodec::fromLabelMeMaskShape(reread, 120, 90, &error);
    QVERIFY2(!back.empty(), qPrintable(error));
    QVERIFY(sameMat(back, binary255(mask)));

    // Full-image and empty masks.
    const cv::Mat full(5, 7, CV_8UC1, cv::Scalar(1));
    const QJsonObject fullShape = MaskCodec::toLabelMeMaskShape(full, u"x"_s);
    QCOMPARE(fullShape.value("points"_L1).toArray(), (QJsonArray{QJsonArray{0, 0}, QJsonArray{6, 4}}));
    QVERIFY(sameMat(MaskCodec::fromLabelMeMaskShape(fullShape, 5, 7, &error), binary255(full)));
    QVERIFY(MaskCodec::toLabelMeMaskShape(cv::Mat::zeros(5, 7, CV_8UC1), u"x"_s).isEmpty());
}

void TestRle::labelMeOneBitPatch()
{
    // LabelMe itself saves bool masks as 1-bit PNGs; points may be floats.
    const cv::Mat patch = maskFromRows({"010", "111"});
    std::vector<uchar> png;
    QVERIFY(cv::imencode(".png", patch * 255, png, {cv::IMWRITE_PNG_BILEVEL, 1}));
    const QByteArray bytes(reinterpret_cast<const char *>(png.data()), qsizetype(png.size()));
    const QJsonObject shape{
        {u"label"_s, u"a"_s},
        {u"points"_s, QJsonArray{QJsonArray{2.0, 1.0}, QJsonArray{4.0, 2.0}}},
        {u"shape_type"_s, u"mask"_s},
        {u"mask"_s, QString::fromLatin1(bytes.toBase64())},
    };
    QString error;
    const cv::Mat m = MaskCodec::fromLabelMeMaskShape(shape, 4, 6, &error);
    QVERIFY2(!m.empty(), qPrintable(error));
    QVERIFY(sameMat(m, binary255(maskFromRows({"000000", "000100", "001110", "000000"}))));
}

void TestRle::labelMeRejects_data()
{
    QTest::addColumn<QJsonObject>("shape");
    QTest::addColumn<QString>("message");

    const QJsonObject good = MaskCodec::toLabelMeMaskShape(maskFromRows({"00", "01"}), u"a"_s);
    QCOMPARE(good.value("points"_L1).toArray(), (QJsonArray{QJsonArray{1, 1}, QJsonArray{1, 1}}));

    QJsonObject polygon = good;
    polygon.insert(u"shape_type"_s, u"polygon"_s);
    QTest::newRow("not a mask") << polygon << u"not a LabelMe mask"_s;
    QJsonObject onePoint = good;
    onePoint.insert(u"points"_s, QJsonArray{QJsonArray{1, 1}});
    QTest::newRow("one point") << onePoint << u"needs points"_s;
    QJsonObject outside = good;
    outside.insert(u"points"_s, QJsonArray{QJsonArray{2, 1}, QJsonArray{2, 1}});
    QTest::newRow("outside") << outside << u"outside"_s;
    QJsonObject inverted = good;
    inverted.insert(u"points"_s, QJsonArray{QJsonArray{1, 1}, QJsonArray{0, 1}});
    QTest::newRow("inverted") << inverted << u"inverted"_s;
    QJsonObject wrongSize = good;
    wrongSize.insert(u"points"_s, QJsonArray{QJsonArray{0, 0}, QJsonArray{1, 1}});
    QTest::newRow("patch size") << wrongSize << u"1 x 1 but its box is 2 x 2"_s;
    QJsonObject badBase64 = good;
    badBase64.insert(u"mask"_s, u"@@@@"_s);
    QTest::newRow("bad base64") << badBase64 << u"not valid base64"_s;
    QJsonObject notPng = good;
    notPng.insert(u"mask"_s, QString::fromLatin1("hello"_ba.toBase64()));
    QTest::newRow("not png") << notPng << u"not a readable PNG"_s;
    QJsonObject noMask = good;
    noMask.remove(u"mask"_s);
    QTest::newRow("no mask") << noMask << u"no base64"_s;
}

void TestRle::labelMeRejects()
{
    QFETCH(QJsonObject, shape);
    QFETCH(QString, message);

    QString error;
    QVERIFY(MaskCodec::fromLabelMeMaskShape(shape, 2, 2, &error).empty());
    QVERIFY2(error.contains(message), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestRle)
#include "tst_rle.moc"
