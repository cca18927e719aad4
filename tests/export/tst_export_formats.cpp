// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/CocoReader.h"
#include "export/CocoWriter.h"
#include "export/LabelMeReader.h"
#include "export/LabelMeWriter.h"
#include "masks/CocoRle.h"
#include "masks/MaskCodec.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

using namespace Qt::StringLiterals;
using dl::CocoReader;
using dl::CocoRle;
using dl::CocoWriter;
using dl::LabelMeReader;
using dl::LabelMeWriter;

namespace {

// Rows of '0'/'1' (any nonzero digit = inside) as a CV_8UC1 mask with those values.
cv::Mat maskFromRows(const QByteArrayList &rows)
{
    cv::Mat m(int(rows.size()), int(rows.first().size()), CV_8UC1);
    for (int y = 0; y < m.rows; ++y) {
        for (int x = 0; x < m.cols; ++x)
            m.at<uchar>(y, x) = uchar(rows.at(y).at(x) - '0');
    }
    return m;
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

// Pixels set in a mask, as sorted "x,y" strings (readable in failure messages).
QStringList setPixels(const cv::Mat &m)
{
    QStringList out;
    for (int y = 0; y < m.rows; ++y) {
        for (int x = 0; x < m.cols; ++x) {
            if (m.at<uchar>(y, x))
                out.append(u"%1,%2"_s.arg(x).arg(y));
        }
    }
    out.sort();
    return out;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

QStringList boxPixels(int x1, int y1, int x2, int y2)
{
    QStringList out;
    for (int y = y1; y <= y2; ++y) {
        for (int x = x1; x <= x2; ++x)
            out.append(u"%1,%2"_s.arg(x).arg(y));
    }
    return out;
}

// A few filled blobs with label values 1..255.
cv::Mat blobMask(int h, int w, quint32 seed)
{
    QRandomGenerator rng(seed);
    cv::Mat m = cv::Mat::zeros(h, w, CV_8UC1);
    for (int i = 0; i < 3; ++i) {
        const cv::Point c(rng.bounded(w), rng.bounded(h));
        const cv::Size axes(2 + rng.bounded(w / 4), 2 + rng.bounded(h / 4));
        cv::ellipse(m, c, axes, rng.bounded(180), 0, 360, cv::Scalar(1 + rng.bounded(255)), cv::FILLED);
    }
    return m;
}

// The small masks whose compressed strings are derived by hand above cocoWriterKnownStrings().
cv::Mat squareMask()
{
    return maskFromRows({ "0110", "0110", "0000" });
}

cv::Mat cornersMask()
{
    return maskFromRows({ "1000", "0000", "0001" });
}

cv::Mat backslashMask()
{
    return maskFromRows({ "01111111", "11111111", "11111101", "11111111" });
}

QByteArray jsonBytes(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class TestExportFormats : public QObject
{
    Q_OBJECT

private slots:
    void cocoWriterKnownStrings();
    void cocoWriterRoundTrip();
    void cocoWriterDeterministic();
    void cocoWriterRejects();
    void cocoReader();
    void cocoReaderRejects_data();
    void cocoReaderRejects();
    void cocoReadFile();

    void labelMeRoundTrip();
    void labelMeDocumentLayout();
    void labelMeRelativeImagePath_data();
    void labelMeRelativeImagePath();
    void labelMeReaderShapes();
    void labelMeReaderRejects_data();
    void labelMeReaderRejects();
    void labelMeReadFile();
};

// ---------------------------------------------------------------------------------------------

// Expected strings derived from the cocoapi definition (maskApi.c rleToString): counts run
// column-major starting with a 0-run; for count i, x = cnts[i] - cnts[i-2] when i > 2; emit
// c = x & 0x1f, x >>= 5, more = (c & 0x10) ? x != -1 : x != 0, c |= 0x20 if more, char(c + 48).
//  - square, 3 x 4, rows 0110/0110/0000: columns 000 110 110 000 -> counts [3, 2, 1, 2, 4].
//    "3", "2", "1" (i = 2 has no delta), i = 3: 2 - 2 = 0 "0", i = 4: 4 - 1 = 3 "3": "32103".
//    Area 4, bbox [1, 0, 2, 2].
//  - corners, 3 x 4, rows 1000/0000/0001: columns 100 000 000 001 -> counts [0, 1, 10, 1]:
//    "0", "1", 10 -> char(58) ":", i = 3: 1 - 1 = 0 "0": "01:0". Area 2, bbox [0, 0, 4, 3].
//  - 4 x 8 with holes at (1, 0) and (6, 2): counts [1, 25, 1, 5]. "1"; 25: c = 25, x -> 0, bit
//    0x10 set and x != -1, so 25 | 0x20 = 57 'i', then '0'; "1"; i = 3: 5 - 25 = -20: c = 12,
//    x -> -1, bit 0x10 clear and x != 0, so 12 | 0x20 = 44 '\\', then c = 31, x -> -1: 'O'.
//    "1i01\\O". Area 30, bbox [0, 0, 8, 4].
// The same strings are checked against CocoRle in tests/rle; here they must come out of the
// writer's JSON unchanged (the backslash escaped by JSON).
void TestExportFormats::cocoWriterKnownStrings()
{
    CocoWriter writer;
    QString error;
    writer.setInfo(QJsonObject { { u"description"_s, u"test export"_s } });
    writer.setLicenses(QJsonArray { QJsonObject { { u"id"_s, 1 }, { u"name"_s, u"CC BY-NC 4.0"_s } } });
    QCOMPARE(writer.addCategory(u"Eczema"_s, u"condition"_s, &error), 1);
    QCOMPARE(writer.addCategory(u"identifying:face"_s, u"identifying"_s, &error), 2);
    QCOMPARE(writer.addCategory(u"Psoriasis"_s, u"condition"_s, &error), 3);

    const QJsonObject attributes { { u"raters"_s, 3 }, { u"source"_s, u"consensus"_s } };
    dl::CocoImageRecord a { u"images/img-a.png"_s, 4, 3, 1, {} };
    a.masks.append({ u"Eczema"_s, squareMask(), attributes });
    a.masks.append({ u"identifying:face"_s, cornersMask() * 255, {} });
    QCOMPARE(writer.addImage(a, &error), 1);
    dl::CocoImageRecord b { u"images/img-b.jpg"_s, 8, 4, 0, {} };
    b.masks.append({ u"identifying:face"_s, cv::Mat::zeros(4, 8, CV_8UC1), {} }); // empty: none
    b.masks.append({ u"Psoriasis"_s, backslashMask(), {} });
    QCOMPARE(writer.addImage(b, &error), 2);
    QCOMPARE(writer.imageCount(), 2);
    QCOMPARE(writer.categoryCount(), 3);
    QCOMPARE(writer.annotationCount(), 3);

    const auto annotation = [](int id, int image, int category, int h, int w, const char *counts, int area,
                                const QJsonArray &bbox, const QJsonObject &attrs) {
        return QJsonObject {
            { u"id"_s, id },
            { u"image_id"_s, image },
            { u"category_id"_s, category },
            { u"segmentation"_s,
                QJsonObject {
                    { u"size"_s, QJsonArray { h, w } }, { u"counts"_s, QString::fromLatin1(counts) } } },
            { u"area"_s, area },
            { u"bbox"_s, bbox },
            { u"iscrowd"_s, 0 },
            { u"attributes"_s, attrs },
        };
    };
    const auto category = [](int id, const char *name, const char *super) {
        return QJsonObject { { u"id"_s, id }, { u"name"_s, QString::fromLatin1(name) },
            { u"supercategory"_s, QString::fromLatin1(super) } };
    };
    const QJsonObject expected {
        { u"info"_s, QJsonObject { { u"description"_s, u"test export"_s } } },
        { u"licenses"_s, QJsonArray { QJsonObject { { u"id"_s, 1 }, { u"name"_s, u"CC BY-NC 4.0"_s } } } },
        { u"images"_s,
            QJsonArray { QJsonObject { { u"id"_s, 1 }, { u"file_name"_s, u"images/img-a.png"_s },
                             { u"width"_s, 4 }, { u"height"_s, 3 }, { u"license"_s, 1 } },
                QJsonObject { { u"id"_s, 2 }, { u"file_name"_s, u"images/img-b.jpg"_s }, { u"width"_s, 8 },
                    { u"height"_s, 4 } } } },
        { u"categories"_s,
            QJsonArray { category(1, "Eczema", "condition"), category(2, "identifying:face", "identifying"),
                category(3, "Psoriasis", "condition") } },
        { u"annotations"_s,
            QJsonArray { annotation(1, 1, 1, 3, 4, "32103", 4, { 1, 0, 2, 2 }, attributes),
                annotation(2, 1, 2, 3, 4, "01:0", 2, { 0, 0, 4, 3 }, {}),
                annotation(3, 2, 3, 4, 8, "1i01\\O", 30, { 0, 0, 8, 4 }, {}) } },
    };
    QCOMPARE(writer.toObject(), expected);
    const QByteArray json = writer.toJson();
    QVERIFY2(json.contains(R"("counts":"1i01\\O")"), json.constData());
    QVERIFY2(json.contains(R"("bbox":[1,0,2,2])"), json.constData());
    QVERIFY2(json.contains(R"("area":30,)"), json.constData());
}

void TestExportFormats::cocoWriterRoundTrip()
{
    const QStringList categories { u"Eczema"_s, u"Tinea"_s, u"identifying:tattoo"_s };
    CocoWriter writer;
    QString error;
    for (const QString &c : categories)
        QVERIFY(writer.addCategory(c, u"condition"_s, &error) > 0);
    QList<dl::CocoImageRecord> images;
    quint32 seed = 1;
    for (const auto &[w, h] : { std::pair { 120, 90 }, std::pair { 64, 200 }, std::pair { 33, 17 } }) {
        dl::CocoImageRecord r { u"images/%1x%2.jpg"_s.arg(w).arg(h), w, h, 0, {} };
        for (const QString &c : categories)
            r.masks.append({ c, blobMask(h, w, seed++), {} });
        QVERIFY2(writer.addImage(r, &error) > 0, qPrintable(error));
        images.append(r);
    }
    // Decoding each segmentation directly gives the masks back.
    const QJsonObject coco = writer.toObject();
    const QJsonArray annotations = coco.value("annotations"_L1).toArray();
    QCOMPARE(annotations.size(), 9);
    for (qsizetype i = 0; i < annotations.size(); ++i) {
        const QJsonObject a = annotations.at(i).toObject();
        QCOMPARE(a.value("id"_L1).toInt(), i + 1);
        const std::optional<dl::Rle> rle = CocoRle::fromJson(a.value("segmentation"_L1).toObject(), &error);
        QVERIFY2(rle, qPrintable(error));
        const cv::Mat &mask = images.at(i / 3).masks.at(i % 3).mask;
        QVERIFY(sameMat(CocoRle::decode(*rle), binary255(mask)));
        QCOMPARE(a.value("area"_L1).toInteger(), cv::countNonZero(mask));
        const cv::Rect box = cv::boundingRect(mask);
        QCOMPARE(a.value("bbox"_L1).toArray(), (QJsonArray { box.x, box.y, box.width, box.height }));
    }
    // And through the reader.
    const std::optional<dl::CocoDocument> doc = CocoReader::parse(writer.toJson(), &error);
    QVERIFY2(doc, qPrintable(error));
    QCOMPARE(doc->annotationCount, 9);
    QVERIFY(doc->warnings.isEmpty());
    for (const dl::CocoImageRecord &r : std::as_const(images)) {
        const QMap<QString, cv::Mat> masks = doc->masks(r.fileName);
        QCOMPARE(masks.keys(), (QStringList { u"Eczema"_s, u"Tinea"_s, u"identifying:tattoo"_s }));
        for (const dl::CocoMaskRecord &m : r.masks)
            QVERIFY(sameMat(masks.value(m.category), binary255(m.mask)));
    }
}

void TestExportFormats::cocoWriterDeterministic()
{
    const auto build = [] {
        CocoWriter writer;
        QString error;
        writer.addCategory(u"b"_s, {}, &error);
        writer.addCategory(u"a"_s, {}, &error);
        for (int i = 0; i < 4; ++i) {
            dl::CocoImageRecord r { u"images/%1.png"_s.arg(i), 50, 40, 0, {} };
            r.masks.append(
                { u"a"_s, blobMask(40, 50, quint32(i)), QJsonObject { { u"z"_s, i }, { u"a"_s, u"x"_s } } });
            r.masks.append({ u"b"_s, blobMask(40, 50, quint32(i + 10)), {} });
            writer.addImage(r, &error);
        }
        return writer.toJson();
    };
    const QByteArray first = build();
    QVERIFY(first.size() > 500);
    QCOMPARE(build(), first);
}

void TestExportFormats::cocoWriterRejects()
{
    CocoWriter writer;
    QString error;
    QCOMPARE(writer.addCategory(QString(), {}, &error), 0);
    QCOMPARE(writer.addCategory(u"Eczema"_s, {}, &error), 1);
    QCOMPARE(writer.addCategory(u"Eczema"_s, {}, &error), 0);
    QVERIFY2(error.contains(u"twice"_s), qPrintable(error));

    dl::CocoImageRecord r { u"a.png"_s, 4, 3, 0, {} };
    r.masks.append({ u"Psoriasis"_s, squareMask(), {} });
    QCOMPARE(writer.addImage(r, &error), 0);
    QVERIFY2(error.contains(u"unknown category \"Psoriasis\""_s), qPrintable(error));
    r.masks = { { u"Eczema"_s, cv::Mat::zeros(4, 3, CV_8UC1), {} } };
    QCOMPARE(writer.addImage(r, &error), 0);
    QVERIFY2(error.contains(u"3 x 4"_s), qPrintable(error));
    r.masks = { { u"Eczema"_s, cv::Mat::zeros(3, 4, CV_16UC1), {} } };
    QCOMPARE(writer.addImage(r, &error), 0);
    r.width = 0;
    QCOMPARE(writer.addImage(r, &error), 0);
    QCOMPARE(writer.imageCount(), 0);

    r = { u"a.png"_s, 4, 3, 0, { { u"Eczema"_s, squareMask(), {} } } };
    QCOMPARE(writer.addImage(r, &error), 1);
    QCOMPARE(writer.addImage(r, &error), 0);
    QVERIFY2(error.contains(u"twice"_s), qPrintable(error));
    QCOMPARE(writer.annotationCount(), 1);
}

void TestExportFormats::cocoReader()
{
    // Polygon + uncompressed RLE merged into one category; compressed RLE; a box-only annotation.
    const QByteArray json = R"({
      "info": {"description": "hand written"}, "licenses": [],
      "images": [
        {"id": 7, "file_name": "a.jpg", "width": 6, "height": 5, "extra": true},
        {"id": 9, "file_name": "sub/b.png", "width": 4, "height": 3}
      ],
      "categories": [
        {"id": 3, "name": "lesion", "supercategory": "condition"},
        {"id": 5, "name": "identifying:face"}
      ],
      "annotations": [
        {"id": 1, "image_id": 7, "category_id": 3, "iscrowd": 0,
         "segmentation": [[1, 1, 4, 1, 4, 4, 1, 4]]},
        {"id": 2, "image_id": 7, "category_id": 3, "iscrowd": 1,
         "segmentation": {"size": [5, 6], "counts": [25, 5]}},
        {"id": 3, "image_id": 9, "category_id": 5,
         "segmentation": {"size": [3, 4], "counts": "32103"}},
        {"id": 4, "image_id": 9, "category_id": 3, "bbox": [0, 0, 2, 2]}
      ]})"_ba;
    QString error;
    const std::optional<dl::CocoDocument> doc = CocoReader::parse(json, &error);
    QVERIFY2(doc, qPrintable(error));
    QCOMPARE(doc->images.size(), 2);
    QCOMPARE(doc->images.at(1).id, 9);
    QCOMPARE(doc->images.at(1).fileName, u"sub/b.png"_s);
    QCOMPARE(doc->images.at(0).width, 6);
    QCOMPARE(doc->image(u"sub/b.png"_s)->height, 3);
    QCOMPARE(doc->categories.size(), 2);
    QCOMPARE(doc->categories.at(0).supercategory, u"condition"_s);
    QCOMPARE(doc->annotationCount, 3);
    QCOMPARE(doc->warnings.size(), 1);
    QVERIFY2(doc->warnings.first().contains(u"annotations[3] (id 4)"_s), qPrintable(doc->warnings.first()));

    // The polygon covers the pixels whose centres lie in [1, 4] x [1, 4]: x, y = 1..3; the RLE
    // is the last column (x = 5), all five rows.
    const cv::Mat lesion = doc->mask(u"a.jpg"_s, u"lesion"_s);
    QCOMPARE(lesion.size(), cv::Size(6, 5));
    QCOMPARE(setPixels(lesion), sorted(boxPixels(1, 1, 3, 3) + boxPixels(5, 0, 5, 4)));
    QVERIFY(sameMat(doc->mask(u"sub/b.png"_s, u"identifying:face"_s), binary255(squareMask())));
    QVERIFY(doc->mask(u"sub/b.png"_s, u"lesion"_s).empty());
    QVERIFY(doc->mask(u"nothing.png"_s, u"lesion"_s).empty());
    QCOMPARE(doc->masks(u"a.jpg"_s).keys(), QStringList { u"lesion"_s });
}

void TestExportFormats::cocoReaderRejects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");
    const auto doc = [](const char *images, const char *categories, const char *annotations) {
        return QByteArray(R"({"images": )") + images + R"(, "categories": )" + categories
            + R"(, "annotations": )" + annotations + "}";
    };
    const char *images = R"([{"id": 1, "file_name": "a.png", "width": 4, "height": 3}])";
    const char *categories = R"([{"id": 1, "name": "lesion"}])";
    const auto ann = [&](const char *segmentation) {
        const QByteArray annotations
            = R"([{"id": 11, "image_id": 1, "category_id": 1, "segmentation": )"_ba + segmentation + "}]";
        return doc(images, categories, annotations.constData());
    };
    QTest::newRow("not JSON") << "{images"_ba << u"Not valid JSON"_s;
    QTest::newRow("array") << "[]"_ba << u"JSON object"_s;
    QTest::newRow("no images") << R"({"categories": [], "annotations": []})"_ba << u"\"images\""_s;
    QTest::newRow("no annotations") << R"({"images": [], "categories": []})"_ba << u"\"annotations\""_s;
    QTest::newRow("image without file name") << doc(R"([{"id": 1, "width": 4, "height": 3}])", categories,
        "[]") << u"images[0] (id 1) has no \"file_name\""_s;
    QTest::newRow("image without size") << doc(R"([{"id": 1, "file_name": "a.png", "width": 4}])", categories,
        "[]") << u"images[0] (id 1) needs a positive integer"_s;
    QTest::newRow("fractional image id")
        << doc(R"([{"id": 1.5, "file_name": "a.png", "width": 4, "height": 3}])", categories, "[]")
        << u"images[0] has no integer \"id\""_s;
    QTest::newRow("duplicate image id") << doc(R"([{"id": 1, "file_name": "a.png", "width": 4, "height": 3},
                   {"id": 1, "file_name": "b.png", "width": 4, "height": 3}])",
        categories, "[]") << u"images[1] (id 1): the image id 1 is used twice"_s;
    QTest::newRow("duplicate file name") << doc(R"([{"id": 1, "file_name": "a.png", "width": 4, "height": 3},
                   {"id": 2, "file_name": "a.png", "width": 4, "height": 3}])",
        categories, "[]") << u"the file name a.png is used twice"_s;
    QTest::newRow("category without name")
        << doc(images, R"([{"id": 1}])", "[]") << u"categories[0] (id 1) has no \"name\""_s;
    QTest::newRow("duplicate category name")
        << doc(images, R"([{"id": 1, "name": "x"}, {"id": 2, "name": "x"}])", "[]")
        << u"category name \"x\" is used twice"_s;
    QTest::newRow("unknown image") << doc(images, categories,
        R"([{"id": 11, "image_id": 42, "category_id": 1, "segmentation": [[0,0,1,0,1,1]]}])")
                                   << u"annotations[0] (id 11) refers to the undeclared image_id 42"_s;
    QTest::newRow("unknown category") << doc(images, categories,
        R"([{"id": 11, "image_id": 1, "category_id": 9, "segmentation": [[0,0,1,0,1,1]]}])")
                                      << u"undeclared category_id 9"_s;
    QTest::newRow("odd polygon") << ann("[[0, 0, 1, 0, 1]]")
                                 << u"annotations[0] (id 11): segmentation polygon 0 needs an even"_s;
    QTest::newRow("short polygon") << ann("[[0, 0, 1, 0]]") << u"at least 6"_s;
    QTest::newRow("text coordinate") << ann(R"([[0, 0, 1, 0, "1", 1]])") << u"not a number"_s;
    QTest::newRow("polygon far away") << ann("[[0, 0, 1e12, 0, 1, 1]]") << u"out of range"_s;
    QTest::newRow("RLE size differs")
        << ann(R"({"size": [4, 3], "counts": "<"})") << u"RLE size [4, 3] differs from its image a.png"_s;
    QTest::newRow("RLE bad character")
        << ann(R"({"size": [3, 4], "counts": "0 9"})") << u"Invalid character"_s;
    QTest::newRow("RLE wrong sum") << ann(R"({"size": [3, 4], "counts": [3, 2]})")
                                   << u"invalid RLE segmentation"_s;
    QTest::newRow("segmentation text") << ann(R"("polygon")") << u"polygon list or an RLE object"_s;
}

void TestExportFormats::cocoReaderRejects()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!CocoReader::parse(json, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestExportFormats::cocoReadFile()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QString error;
    QVERIFY(!CocoReader::readFile(tmp.filePath(u"missing.json"_s), &error));
    QVERIFY2(error.contains(u"missing.json"_s), qPrintable(error));
    QFile f(tmp.filePath(u"bad.json"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"images": 3})");
    f.close();
    QVERIFY(!CocoReader::readFile(f.fileName(), &error));
    QVERIFY2(error.startsWith(f.fileName()) && error.contains(u"\"images\""_s), qPrintable(error));
}

// ---------------------------------------------------------------------------------------------

void TestExportFormats::labelMeRoundTrip()
{
    const int w = 150, h = 100;
    QList<dl::LabelMeMask> masks;
    masks.append({ u"Eczema"_s, blobMask(h, w, 1), {}, {} });
    masks.append({ u"identifying:tattoo"_s, blobMask(h, w, 2), u"left forearm"_s,
        QJsonObject { { u"verified"_s, true } } });
    cv::Mat corners = cv::Mat::zeros(h, w, CV_8UC1);
    corners.at<uchar>(h - 1, w - 1) = 1; // the far corner
    corners.at<uchar>(0, 0) = 1;
    masks.append({ u"speck"_s, corners, {}, {} });
    masks.append({ u"empty"_s, cv::Mat::zeros(h, w, CV_8UC1), {}, {} });
    QString error;
    const std::optional<QJsonObject> written
        = LabelMeWriter::build(u"../images/img-1.jpg"_s, w, h, masks, &error);
    QVERIFY2(written, qPrintable(error));
    const QByteArray json = LabelMeWriter::toJson(*written);

    const std::optional<dl::LabelMeDocument> read = LabelMeReader::parse(json, &error, QSize(w, h));
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->imagePath, u"../images/img-1.jpg"_s);
    QCOMPARE(read->width, w);
    QCOMPARE(read->height, h);
    QCOMPARE(read->shapesRead, 3);
    QVERIFY(read->warnings.isEmpty());
    QCOMPARE(read->masks.keys(), (QStringList { u"Eczema"_s, u"identifying:tattoo"_s, u"speck"_s }));
    for (const dl::LabelMeMask &m : std::as_const(masks)) {
        if (m.label != "empty"_L1)
            QVERIFY2(sameMat(read->masks.value(m.label), binary255(m.mask)), qPrintable(m.label));
    }
    // Same document, same bytes.
    const auto again = LabelMeWriter::build(u"../images/img-1.jpg"_s, w, h, masks, &error);
    QVERIFY(again);
    QCOMPARE(LabelMeWriter::toJson(*again), json);
}

void TestExportFormats::labelMeDocumentLayout()
{
    QString error;
    const std::optional<QJsonObject> doc = LabelMeWriter::build(u"img.png"_s, 4, 3,
        { { u"Eczema"_s, squareMask(), u"note"_s, QJsonObject { { u"f"_s, false } } } }, &error,
        QJsonObject { { u"gradable"_s, true } });
    QVERIFY2(doc, qPrintable(error));
    QCOMPARE(doc->keys(),
        (QStringList { u"flags"_s, u"imageData"_s, u"imageHeight"_s, u"imagePath"_s, u"imageWidth"_s,
            u"shapes"_s, u"version"_s }));
    QCOMPARE(doc->value("version"_L1).toString(), u"5.2.1"_s);
    QVERIFY(doc->value("imageData"_L1).isNull());
    QCOMPARE(doc->value("imagePath"_L1).toString(), u"img.png"_s);
    QCOMPARE(doc->value("imageHeight"_L1).toInt(), 3);
    QCOMPARE(doc->value("imageWidth"_L1).toInt(), 4);
    QCOMPARE(doc->value("flags"_L1).toObject(), (QJsonObject { { u"gradable"_s, true } }));
    const QJsonArray shapes = doc->value("shapes"_L1).toArray();
    QCOMPARE(shapes.size(), 1);
    const QJsonObject shape = shapes.first().toObject();
    QCOMPARE(shape.value("label"_L1).toString(), u"Eczema"_s);
    QCOMPARE(shape.value("shape_type"_L1).toString(), u"mask"_s);
    QCOMPARE(shape.value("points"_L1).toArray(), (QJsonArray { QJsonArray { 1, 0 }, QJsonArray { 2, 1 } }));
    QVERIFY(shape.value("group_id"_L1).isNull());
    QCOMPARE(shape.value("description"_L1).toString(), u"note"_s);
    QCOMPARE(shape.value("flags"_L1).toObject(), (QJsonObject { { u"f"_s, false } }));
    // The patch is a 2 x 2 PNG of ones.
    const QByteArray png = QByteArray::fromBase64(shape.value("mask"_L1).toString().toLatin1());
    const cv::Mat patch = dl::MaskCodec::decodePng(png, &error);
    QVERIFY2(!patch.empty(), qPrintable(error));
    QVERIFY(sameMat(patch, cv::Mat::ones(2, 2, CV_8UC1)));

    QVERIFY(!LabelMeWriter::build(u"img.png"_s, 5, 3, { { u"x"_s, squareMask(), {}, {} } }, &error));
    QVERIFY2(error.contains(u"4 x 3"_s), qPrintable(error));
    QVERIFY(!LabelMeWriter::build(QString(), 4, 3, {}, &error));
    QVERIFY(!LabelMeWriter::build(u"img.png"_s, 0, 3, {}, &error));
}

void TestExportFormats::labelMeRelativeImagePath_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("image");
    QTest::addColumn<QString>("expected");
    QTest::newRow("bundle") << u"labelme/img-1.json"_s << u"images/img-1.jpg"_s << u"../images/img-1.jpg"_s;
    QTest::newRow("same folder") << u"img-1.json"_s << u"img-1.jpg"_s << u"img-1.jpg"_s;
    QTest::newRow("nested") << u"a/b/c.json"_s << u"a/img/c.png"_s << u"../img/c.png"_s;
    QTest::newRow("absolute") << u"/data/out/labelme/x.json"_s << u"/data/out/images/x.png"_s
                              << u"../images/x.png"_s;
}

void TestExportFormats::labelMeRelativeImagePath()
{
    QFETCH(QString, json);
    QFETCH(QString, image);
    QFETCH(QString, expected);
    QCOMPARE(LabelMeWriter::relativeImagePath(json, image), expected);
}

void TestExportFormats::labelMeReaderShapes()
{
    cv::Mat mole = cv::Mat::zeros(20, 20, CV_8UC1);
    mole.at<uchar>(2, 18) = 1;
    mole.at<uchar>(2, 19) = 1;
    const QJsonObject maskShape = dl::MaskCodec::toLabelMeMaskShape(mole, u"mole"_s);
    QVERIFY(!maskShape.isEmpty());
    const auto points = [](std::initializer_list<std::pair<double, double>> list) {
        QJsonArray out;
        for (const auto &[x, y] : list)
            out.append(QJsonArray { x, y });
        return out;
    };
    const auto shape = [](const char *label, const QJsonValue &type, const QJsonArray &pts) {
        QJsonObject o { { u"label"_s, QString::fromLatin1(label) }, { u"points"_s, pts } };
        if (!type.isUndefined())
            o.insert(u"shape_type"_s, type);
        return o;
    };
    QJsonObject polygon = shape("lesion", u"polygon"_s, points({ { 1, 1 }, { 4, 1 }, { 4, 4 }, { 1, 4 } }));
    polygon.insert(u"group_id"_s, QJsonValue::Null);
    polygon.insert(u"other_data"_s, 1); // unknown keys are tolerated
    const QJsonObject root {
        { u"version"_s, u"5.4.1"_s },
        { u"flags"_s, QJsonObject { { u"blurry"_s, false } } },
        { u"imagePath"_s, u"photo.jpg"_s },
        { u"imageData"_s, QJsonValue::Null },
        { u"imageHeight"_s, 20 },
        { u"imageWidth"_s, 20 },
        { u"someToolKey"_s, u"tolerated"_s },
        { u"shapes"_s,
            QJsonArray {
                polygon,
                // Corners in any order and fractional: rounded.
                shape("box", u"rectangle"_s, points({ { 5.2, 3 }, { 1.9, 1 } })),
                shape("round", u"circle"_s, points({ { 10, 10 }, { 13, 10 } })),
                // An old file's polygon without shape_type, merged into "lesion".
                shape("lesion", QJsonValue(QJsonValue::Undefined),
                    points({ { 15, 15 }, { 17, 15 }, { 15, 17 } })),
                maskShape,
                shape("edge", u"line"_s, points({ { 0, 0 }, { 5, 5 } })),
                shape("dot", u"point"_s, points({ { 3, 3 } })),
                shape("trail", u"linestrip"_s, points({ { 0, 0 }, { 5, 5 }, { 9, 0 } })),
                shape("odd", u"hexagon"_s, points({})),
                shape("thin", u"polygon"_s, points({ { 0, 0 }, { 5, 5 } })),
            } },
    };
    QString error;
    const std::optional<dl::LabelMeDocument> doc
        = LabelMeReader::parse(jsonBytes(root), &error, QSize(20, 20));
    QVERIFY2(doc, qPrintable(error));
    QCOMPARE(doc->version, u"5.4.1"_s);
    QCOMPARE(doc->imagePath, u"photo.jpg"_s);
    QCOMPARE(doc->flags, (QJsonObject { { u"blurry"_s, false } }));
    QCOMPARE(doc->shapesRead, 5);
    QCOMPARE(doc->warnings.size(), 5);
    QVERIFY2(doc->warnings.at(0).contains(u"shapes[5] (\"edge\"): line shapes are not regions"_s),
        qPrintable(doc->warnings.at(0)));
    QVERIFY(doc->warnings.at(1).contains(u"point shapes"_s));
    QVERIFY(doc->warnings.at(2).contains(u"linestrip shapes"_s));
    QVERIFY(doc->warnings.at(3).contains(u"unknown shape type \"hexagon\""_s));
    QVERIFY(doc->warnings.at(4).contains(u"fewer than 3 points"_s));
    QCOMPARE(doc->masks.keys(), (QStringList { u"box"_s, u"lesion"_s, u"mole"_s, u"round"_s }));

    // Polygons with their outline: 1..4 x 1..4, and the triangle (15,15) (17,15) (15,17).
    QCOMPARE(setPixels(doc->masks.value(u"lesion"_s)),
        sorted(boxPixels(1, 1, 4, 4)
            + QStringList { u"15,15"_s, u"16,15"_s, u"17,15"_s, u"15,16"_s, u"16,16"_s, u"15,17"_s }));
    // Rectangle, both corners included: x 2..5, y 1..3.
    QCOMPARE(setPixels(doc->masks.value(u"box"_s)), sorted(boxPixels(2, 1, 5, 3)));
    // Circle of radius 3 around (10, 10).
    const cv::Mat round = doc->masks.value(u"round"_s);
    QCOMPARE(round.at<uchar>(10, 10), uchar(255));
    QCOMPARE(round.at<uchar>(10, 13), uchar(255));
    QCOMPARE(round.at<uchar>(7, 10), uchar(255));
    QCOMPARE(round.at<uchar>(12, 12), uchar(255));
    QCOMPARE(round.at<uchar>(10, 14), uchar(0));
    QCOMPARE(round.at<uchar>(13, 13), uchar(0));
    QVERIFY(cv::countNonZero(round) >= 25 && cv::countNonZero(round) <= 37);
    QCOMPARE(setPixels(doc->masks.value(u"mole"_s)), (QStringList { u"18,2"_s, u"19,2"_s }));
}

void TestExportFormats::labelMeReaderRejects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QSize>("expectedSize");
    QTest::addColumn<QString>("message");
    const auto doc = [](const QJsonArray &shapes) {
        return jsonBytes(QJsonObject { { u"version"_s, u"5.2.1"_s }, { u"imagePath"_s, u"a.png"_s },
            { u"imageWidth"_s, 4 }, { u"imageHeight"_s, 3 }, { u"shapes"_s, shapes } });
    };
    const QJsonObject triangle { { u"label"_s, u"x"_s }, { u"shape_type"_s, u"polygon"_s },
        { u"points"_s, QJsonArray { QJsonArray { 0, 0 }, QJsonArray { 2, 0 }, QJsonArray { 2, 2 } } } };
    QTest::newRow("not JSON") << "{"_ba << QSize() << u"Not valid JSON"_s;
    QTest::newRow("array") << "[]"_ba << QSize() << u"JSON object"_s;
    QTest::newRow("size differs") << doc({ triangle }) << QSize(5, 3)
                                  << u"says the image is 4 x 3, but it is 5 x 3"_s;
    QTest::newRow("no height") << jsonBytes(
        QJsonObject { { u"imagePath"_s, u"a.png"_s }, { u"imageWidth"_s, 4 }, { u"shapes"_s, QJsonArray() } })
                               << QSize() << u"\"imageHeight\""_s;
    QTest::newRow("no image path") << jsonBytes(
        QJsonObject { { u"imageWidth"_s, 4 }, { u"imageHeight"_s, 3 }, { u"shapes"_s, QJsonArray() } })
                                   << QSize() << u"\"imagePath\""_s;
    QTest::newRow("no shapes") << jsonBytes(
        QJsonObject { { u"imagePath"_s, u"a.png"_s }, { u"imageWidth"_s, 4 }, { u"imageHeight"_s, 3 } })
                               << QSize() << u"\"shapes\""_s;
    QTest::newRow("shape not an object") << doc({ 1 }) << QSize() << u"shapes[0] is not an object"_s;
    QTest::newRow("no label") << doc({ QJsonObject { { u"points"_s, QJsonArray() } } }) << QSize()
                              << u"shapes[0] has no \"label\""_s;
    QTest::newRow("text points") << doc(
        { QJsonObject { { u"label"_s, u"x"_s }, { u"points"_s, QJsonArray { u"1,2"_s } } } })
                                 << QSize() << u"shapes[0] (\"x\"): \"points\" must be a list"_s;
    QTest::newRow("three numbers a point")
        << doc({ QJsonObject { { u"label"_s, u"x"_s }, { u"shape_type"_s, u"rectangle"_s },
               { u"points"_s, QJsonArray { QJsonArray { 1, 2, 3 }, QJsonArray { 0, 0 } } } } })
        << QSize() << u"\"points\" must be a list"_s;
    QTest::newRow("numeric shape type") << doc(
        { QJsonObject { { u"label"_s, u"x"_s }, { u"shape_type"_s, 3 }, { u"points"_s, QJsonArray() } } })
                                        << QSize() << u"\"shape_type\" is not a string"_s;
    QTest::newRow("bad mask") << doc({ QJsonObject { { u"label"_s, u"x"_s }, { u"shape_type"_s, u"mask"_s },
        { u"points"_s, QJsonArray { QJsonArray { 0, 0 }, QJsonArray { 1, 1 } } },
        { u"mask"_s, u"not base64!"_s } } })
                              << QSize()
                              << u"shapes[0] (\"x\"): The mask shape's \"mask\" is not valid base64"_s;
    QTest::newRow("mask outside") << doc(
        { dl::MaskCodec::toLabelMeMaskShape(cv::Mat::ones(5, 5, CV_8UC1), u"big"_s) })
                                  << QSize() << u"lies outside"_s;
}

void TestExportFormats::labelMeReaderRejects()
{
    QFETCH(QByteArray, json);
    QFETCH(QSize, expectedSize);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!LabelMeReader::parse(json, &error, expectedSize));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestExportFormats::labelMeReadFile()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(QDir(tmp.path()).mkpath(u"labelme"_s));
    QString error;
    const std::optional<QJsonObject> doc
        = LabelMeWriter::build(LabelMeWriter::relativeImagePath(u"labelme/a.json"_s, u"images/a.png"_s), 4, 3,
            { { u"Eczema"_s, squareMask(), {}, {} } }, &error);
    QVERIFY(doc);
    QFile f(tmp.filePath(u"labelme/a.json"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(LabelMeWriter::toJson(*doc));
    f.close();
    const std::optional<dl::LabelMeDocument> read = LabelMeReader::readFile(f.fileName(), &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->imagePath, u"../images/a.png"_s);
    QCOMPARE(read->imageFilePath, QDir::cleanPath(tmp.filePath(u"images/a.png"_s)));
    QVERIFY(sameMat(read->masks.value(u"Eczema"_s), binary255(squareMask())));

    QVERIFY(!LabelMeReader::readFile(f.fileName(), &error, QSize(3, 4)));
    QVERIFY2(error.startsWith(f.fileName()), qPrintable(error));
    QVERIFY(!LabelMeReader::readFile(tmp.filePath(u"none.json"_s), &error));
    QVERIFY2(error.contains(u"none.json"_s), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestExportFormats)
#include "tst_export_formats.moc"
