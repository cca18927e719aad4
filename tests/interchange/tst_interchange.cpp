// SPDX-License-Identifier: GPL-3.0-or-later
// LabelMe and COCO files imported as a rater's labels and masks.
#include "annotation/AnnotationService.h"
#include "export/CocoWriter.h"
#include "export/LabelMeReader.h"
#include "export/LabelMeWriter.h"
#include "imaging/PngValidator.h"
#include "import/ImportService.h"
#include "interchange/InterchangeImporter.h"
#include "interchange/LabelMapper.h"
#include "masks/CocoRle.h"
#include "masks/MaskCodec.h"
#include "store/MaskRepository.h"
#include "masks/MaskService.h"
#include "store/AnnotationRepository.h"
#include "store/AssignmentRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include "../support/AddressSpaceLimit.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

using namespace Qt::StringLiterals;
using namespace dl;

Q_DECLARE_METATYPE(cv::Mat)

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

/// A PNG whose content depends on seed.
QByteArray pngImage(int width, int height, int seed)
{
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(
                x, y, qRgb((x * 13 + seed * 31) & 255, (y * 7 + seed * 17) & 255, (x * y + seed) & 255));
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

QJsonArray points(std::initializer_list<std::pair<double, double>> list)
{
    QJsonArray a;
    for (const auto &[x, y] : list)
        a.append(QJsonArray { x, y });
    return a;
}

QJsonObject shape(const QString &label, const QString &type, const QJsonArray &pts)
{
    return { { u"label"_s, label }, { u"points"_s, pts }, { u"group_id"_s, QJsonValue() },
        { u"description"_s, u""_s }, { u"shape_type"_s, type }, { u"flags"_s, QJsonObject() },
        { u"mask"_s, QJsonValue() } };
}

QByteArray labelMe(const QString &imagePath, int width, int height, const QJsonArray &shapes,
    const QJsonValue &imageData = QJsonValue())
{
    const QJsonObject o { { u"version"_s, u"5.2.1"_s }, { u"flags"_s, QJsonObject() },
        { u"shapes"_s, shapes }, { u"imagePath"_s, imagePath }, { u"imageData"_s, imageData },
        { u"imageHeight"_s, height }, { u"imageWidth"_s, width } };
    return QJsonDocument(o).toJson();
}

/// A filled rectangle, corners included.
cv::Mat rectMask(int width, int height, int x0, int y0, int x1, int y1)
{
    cv::Mat m = cv::Mat::zeros(height, width, CV_8UC1);
    m(cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1)).setTo(255);
    return m;
}

/// Pixels set in a but not in b.
int countOutside(const cv::Mat &a, const cv::Mat &b)
{
    cv::Mat notB, both;
    cv::bitwise_not(b, notB);
    cv::bitwise_and(a, notB, both);
    return cv::countNonZero(both);
}

bool sameMask(const cv::Mat &a, const cv::Mat &b)
{
    return !a.empty() && a.size == b.size && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

QString issueCodes(const InterchangeReport &r)
{
    QStringList codes;
    for (const InterchangeIssue &i : r.issues)
        codes.append(i.code + u'@' + i.file);
    return codes.join(u", "_s);
}

bool hasIssue(const InterchangeReport &r, const QString &code, const QString &file, bool skipped)
{
    for (const InterchangeIssue &i : r.issues) {
        if (i.code == code && i.file == file && i.skipped == skipped)
            return true;
    }
    return false;
}

void appendChunk(QByteArray &png, const char *type, const QByteArray &data)
{
    const auto be32 = [&](quint32 v) {
        png.append(char(v >> 24)).append(char(v >> 16)).append(char(v >> 8)).append(char(v));
    };
    be32(quint32(data.size()));
    const qsizetype start = png.size();
    png.append(type, 4).append(data);
    be32(PngValidator::crc32(reinterpret_cast<const uchar *>(png.constData() + start), png.size() - start));
}

/// A PNG whose header claims width x height (colour type and depth as given) with a few rows of
/// zeros behind it: decoding it would allocate the whole claimed image.
QByteArray pngClaiming(quint32 width, quint32 height, int depth, int colourType)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray ihdr;
    for (quint32 v : { width, height })
        ihdr.append(char(v >> 24)).append(char(v >> 16)).append(char(v >> 8)).append(char(v));
    ihdr.append(char(depth)).append(char(colourType)).append('\0').append('\0').append('\0');
    appendChunk(png, "IHDR", ihdr);
    appendChunk(png, "IDAT", qCompress(QByteArray(4096, '\0')).mid(4)); // zlib stream
    appendChunk(png, "IEND", {});
    return png;
}

QJsonObject maskShape(const QString &label, int x1, int y1, int x2, int y2, const QByteArray &png)
{
    QJsonObject o = shape(label, u"mask"_s, points({ { x1, y1 }, { x2, y2 } }));
    o.insert(u"mask"_s, QString::fromLatin1(png.toBase64()));
    return o;
}

/// A COCO polygon list holding one polygon. (A braced QJsonArray holding one QJsonArray is a
/// copy of it for some compilers, not a list of one.)
QJsonArray polygons(const QJsonArray &polygon)
{
    QJsonArray list;
    list.append(polygon);
    return list;
}

} // namespace

class TestInterchange : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void labelMapping_data();
    void labelMapping();
    void labelMeShapes_data();
    void labelMeShapes();
    void labelMeLabelsAndNewRater();
    void labelMeMatching();
    void labelMeMalformedReported();
    void labelMeSizeMismatchAndOrientation();
    void labelMeIdempotentAndReplace();
    void existingLabelsKept();
    void raterRoleRefusedAndBadPaths();
    void errorLeavesImageUntouched();
    void cocoPolygonAndRle();
    void cocoIdempotentAndMissingFile();
    void roundTripWriters();
    void progressAndCancel();
    void cocoRleBombRefusedBeforeDecoding();
    void labelMeHugeSizeRefusedBeforeDrawing();
    void labelMeMaskPngBombRefusedBeforeDecoding_data();
    void labelMeMaskPngBombRefusedBeforeDecoding();

private:
    qint64 imageId(const QString &sourceName) const;
    std::optional<User> user(const QString &name) const;
    cv::Mat storedMask(qint64 image, qint64 rater, const QString &layer, int *version = nullptr) const;
    std::optional<Annotation> annotationOf(qint64 image, qint64 rater) const;
    qint64 count(const QString &sql) const;
    void verifyStoreUnchanged(const QString &rater) const;
    InterchangeReport importLabelMe(const QString &dir, const QString &rater);
    InterchangeReport importCoco(const QString &file, const QString &images, const QString &rater);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    User m_admin;
    QString m_images; ///< the folder imported into the store: a.png, b.png (64 x 48), c.png (40 x 30)
};

void TestInterchange::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QString error;
    m_store = Store::open(m_dir->filePath(u"i.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(m_store, qPrintable(error));
    UserRepository users(m_store->db());
    const qint64 admin = users.add(u"admin"_s, {}, Role::Admin, u"password"_s, &error, 1);
    QVERIFY2(admin > 0, qPrintable(error));
    m_admin = *users.findById(admin);
    m_images = m_dir->filePath(u"images"_s);
    QVERIFY(writeAll(m_images + u"/a.png"_s, pngImage(64, 48, 1)));
    QVERIFY(writeAll(m_images + u"/b.png"_s, pngImage(64, 48, 2)));
    QVERIFY(writeAll(m_images + u"/sub/c.png"_s, pngImage(40, 30, 3)));
    ImportService service(*m_store);
    const ImportReport report = service.importPath(ImportKind::Folder, m_images, {});
    QVERIFY2(report.imported == 3, qPrintable(report.summary()));
}

void TestInterchange::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

qint64 TestInterchange::imageId(const QString &sourceName) const
{
    QString error;
    return Sql::scalar(
        m_store->db(), u"SELECT image_id FROM image_files WHERE source_path = ?"_s, { sourceName }, &error)
        .value_or(-1)
        .toLongLong();
}

std::optional<User> TestInterchange::user(const QString &name) const
{
    return UserRepository(m_store->db()).findByName(name);
}

std::optional<Annotation> TestInterchange::annotationOf(qint64 image, qint64 rater) const
{
    QString error;
    return AnnotationRepository(m_store->db()).find(image, rater, &error);
}

cv::Mat TestInterchange::storedMask(qint64 image, qint64 rater, const QString &layer, int *version) const
{
    const auto annotation = annotationOf(image, rater);
    if (!annotation)
        return {};
    QString error;
    const auto record = MaskRepository(m_store->db()).latest(annotation->id, layer, &error);
    if (!record)
        return {};
    if (version)
        *version = record->version;
    return MaskService::decode(*record, &error);
}

qint64 TestInterchange::count(const QString &sql) const
{
    QString error;
    return Sql::scalar(m_store->db(), sql, {}, &error).value_or(-1).toLongLong();
}

InterchangeReport TestInterchange::importLabelMe(const QString &dir, const QString &rater)
{
    InterchangeImporter importer(*m_store, m_admin);
    return importer.run({ InterchangeFormat::LabelMe, dir, {}, rater });
}

InterchangeReport TestInterchange::importCoco(
    const QString &file, const QString &images, const QString &rater)
{
    InterchangeImporter importer(*m_store, m_admin);
    return importer.run({ InterchangeFormat::Coco, file, images, rater });
}

// ---------------------------------------------------------------------------------------------

void TestInterchange::labelMapping_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("layer");
    QTest::newRow("id") << u"eczema"_s << u"condition:eczema"_s;
    QTest::newRow("id with underscore") << u"tinea_pedis"_s << u"condition:tinea_pedis"_s;
    QTest::newRow("name") << u"Psoriasis"_s << u"condition:psoriasis"_s;
    QTest::newRow("name upper case") << u"PSORIASIS"_s << u"condition:psoriasis"_s;
    QTest::newRow("name with hyphen") << u"tinea-pedis"_s << u"condition:tinea_pedis"_s;
    QTest::newRow("name with underscore") << u"Tinea_Corporis"_s << u"condition:tinea_corporis"_s;
    QTest::newRow("synonym") << u"Athlete's foot"_s << u"condition:tinea_pedis"_s;
    QTest::newRow("layer id") << u"condition:acne"_s << u"condition:acne"_s;
    QTest::newRow("identifying") << u"identifying:face"_s << u"identifying:face"_s;
    QTest::newRow("identifying spaced") << u"Identifying: Visible Text"_s << u"identifying:visible_text"_s;
    QTest::newRow("identifying unknown kind") << u"identifying:passport"_s << QString();
    QTest::newRow("unknown") << u"banana"_s << QString();
    QTest::newRow("unknown condition id") << u"condition:banana"_s << QString();
    QTest::newRow("empty") << u"  "_s << QString();
}

void TestInterchange::labelMapping()
{
    QFETCH(QString, label);
    QFETCH(QString, layer);
    const MappedLabel mapped = LabelMapper(Taxonomy::builtin()).map(label);
    QCOMPARE(mapped.layerId(), layer);
    QCOMPARE(mapped.isKnown(), !layer.isEmpty());
}

void TestInterchange::labelMeShapes_data()
{
    QTest::addColumn<QJsonObject>("shape");
    QTest::addColumn<cv::Mat>("expected"); // every pixel of it is set
    QTest::addColumn<cv::Mat>("allowed"); // no pixel outside it is set (the same as expected unless noted)
    // Image a.png is 64 x 48.
    QTest::newRow("rectangle") << shape(u"eczema"_s, u"rectangle"_s, points({ { 10, 5 }, { 20, 12 } }))
                               << rectMask(64, 48, 10, 5, 20, 12) << rectMask(64, 48, 10, 5, 20, 12);
    QTest::newRow("rectangle reversed corners")
        << shape(u"eczema"_s, u"rectangle"_s, points({ { 20, 12 }, { 10, 5 } }))
        << rectMask(64, 48, 10, 5, 20, 12) << rectMask(64, 48, 10, 5, 20, 12);
    // An axis-aligned polygon: the outline is part of the region, as in LabelMe's shape_to_mask.
    QTest::newRow("polygon") << shape(
        u"eczema"_s, u"polygon"_s, points({ { 3, 4 }, { 30, 4 }, { 30, 40 }, { 3, 40 } }))
                             << rectMask(64, 48, 3, 4, 30, 40) << rectMask(64, 48, 3, 4, 30, 40);
    // A triangle: the rows of its pixels worked out by hand (right angle at (5, 5), legs of 10).
    cv::Mat triangle = cv::Mat::zeros(48, 64, CV_8UC1);
    for (int y = 5; y <= 15; ++y)
        triangle(cv::Rect(5, y, 15 - y + 1, 1)).setTo(255);
    QTest::newRow("triangle") << shape(u"eczema"_s, u"polygon"_s, points({ { 5, 5 }, { 15, 5 }, { 5, 15 } }))
                              << triangle << triangle;
    QJsonObject noType
        = shape(u"eczema"_s, u"polygon"_s, points({ { 3, 4 }, { 30, 4 }, { 30, 40 }, { 3, 40 } }));
    noType.remove(u"shape_type"_s);
    QTest::newRow("no shape_type is a polygon")
        << noType << rectMask(64, 48, 3, 4, 30, 40) << rectMask(64, 48, 3, 4, 30, 40);
    // A circle of radius 5 around (30, 20): how the rim is rounded is the rasteriser's business, so the disc
    // of radius 4.5 must be set and nothing beyond 5.5.
    cv::Mat inner = cv::Mat::zeros(48, 64, CV_8UC1), outer = inner.clone();
    for (int y = 0; y < 48; ++y) {
        for (int x = 0; x < 64; ++x) {
            const int d2 = (x - 30) * (x - 30) + (y - 20) * (y - 20);
            inner.at<uchar>(y, x) = d2 <= 20 ? 255 : 0;
            outer.at<uchar>(y, x) = d2 <= 30 ? 255 : 0;
        }
    }
    QTest::newRow("circle") << shape(u"eczema"_s, u"circle"_s, points({ { 30, 20 }, { 33, 24 } })) << inner
                            << outer;
    // A mask shape: a patch of arbitrary pixels at its bounding box.
    cv::Mat pattern = cv::Mat::zeros(48, 64, CV_8UC1);
    for (int y = 10; y < 30; ++y)
        for (int x = 40; x < 60; ++x)
            if ((x * 3 + y * 5) % 7 < 3)
                pattern.at<uchar>(y, x) = 255;
    QTest::newRow("mask") << MaskCodec::toLabelMeMaskShape(pattern, u"eczema"_s) << pattern << pattern;
}

void TestInterchange::labelMeShapes()
{
    QFETCH(QJsonObject, shape);
    QFETCH(cv::Mat, expected);
    QFETCH(cv::Mat, allowed);
    const QString dir = m_dir->filePath(u"lm"_s);
    QVERIFY(writeAll(dir + u"/a.json"_s, labelMe(u"../images/a.png"_s, 64, 48, QJsonArray { shape })));
    const InterchangeReport report = importLabelMe(dir, u"dr.new"_s);
    QVERIFY2(report.exitCode() == 0, qPrintable(report.summary() + u"\n"_s + issueCodes(report)));
    QCOMPARE(report.masksWritten, 1);
    const auto rater = user(u"dr.new"_s);
    QVERIFY(rater);
    const cv::Mat mask = storedMask(imageId(u"a.png"_s), rater->id, u"condition:eczema"_s);
    QVERIFY(!mask.empty());
    QCOMPARE(mask.cols, 64);
    QCOMPARE(mask.rows, 48);
    QCOMPARE(countOutside(expected, mask), 0); // nothing expected is missing
    QCOMPARE(countOutside(mask, allowed), 0); // nothing else is set
    if (sameMask(expected, allowed))
        QCOMPARE(cv::countNonZero(mask), cv::countNonZero(expected));
}

void TestInterchange::labelMeLabelsAndNewRater()
{
    const QString dir = m_dir->filePath(u"lm"_s);
    const QJsonArray shapes {
        shape(u"Eczema"_s, u"rectangle"_s, points({ { 0, 0 }, { 9, 9 } })), // 100 px
        shape(u"psoriasis"_s, u"rectangle"_s, points({ { 20, 20 }, { 39, 39 } })), // 400 px
        shape(
            u"psoriasis"_s, u"rectangle"_s, points({ { 30, 30 }, { 49, 44 } })), // merged with the one above
        shape(u"identifying:tattoo"_s, u"rectangle"_s, points({ { 50, 0 }, { 63, 5 } })),
        shape(u"banana"_s, u"rectangle"_s, points({ { 0, 40 }, { 5, 47 } })),
        shape(u"eczema"_s, u"line"_s, points({ { 0, 0 }, { 5, 5 } })),
    };
    QVERIFY(writeAll(dir + u"/nested/deeper/a.json"_s, labelMe(u"../../../images/a.png"_s, 64, 48, shapes)));
    const InterchangeReport report = importLabelMe(dir, u"dr.imported"_s);
    QCOMPARE(report.exitCode(), 0);
    QCOMPARE(report.format, u"labelme"_s);
    QCOMPARE(report.filesRead, 1);
    QCOMPARE(report.imagesMatched, 1);
    QCOMPARE(report.matchedByName, 0);
    QCOMPARE(report.imagesUpdated, 1);
    QCOMPARE(report.annotationsWritten, 1);
    QCOMPARE(report.masksWritten, 3);
    QCOMPARE(report.skipped, 0);
    QVERIFY(report.raterCreated);
    QVERIFY2(hasIssue(report, u"unknown_label"_s, u"nested/deeper/a.json"_s, false),
        qPrintable(issueCodes(report)));
    QVERIFY2(hasIssue(report, u"shape_ignored"_s, u"nested/deeper/a.json"_s, false),
        qPrintable(issueCodes(report)));
    QCOMPARE(report.warningCount(), 2);

    // The new rater: a dermatologist account that cannot sign in.
    const auto rater = user(u"dr.imported"_s);
    QVERIFY(rater);
    QVERIFY(rater->role == Role::Annotator);
    QVERIFY(!rater->active);
    QVERIFY(!UserRepository(m_store->db()).authenticate(u"dr.imported"_s, QString()));

    const qint64 image = imageId(u"a.png"_s);
    const auto a = annotationOf(image, rater->id);
    QVERIFY(a);
    // Ranked by decreasing area: psoriasis (merged, 600 px) before eczema (100 px).
    const QList<Diagnosis> expected { { u"psoriasis"_s, InterchangeImporter::DefaultConfidence },
        { u"eczema"_s, InterchangeImporter::DefaultConfidence } };
    QCOMPARE(a->diagnoses, expected);
    QCOMPARE(a->identifying, QStringList { u"tattoo"_s });
    QVERIFY(!a->gradable.has_value());
    cv::Mat psoriasis = rectMask(64, 48, 20, 20, 39, 39);
    cv::bitwise_or(psoriasis, rectMask(64, 48, 30, 30, 49, 44), psoriasis);
    QCOMPARE(cv::countNonZero(psoriasis), 600);
    QVERIFY(sameMask(storedMask(image, rater->id, u"condition:psoriasis"_s), psoriasis));
    QVERIFY(sameMask(storedMask(image, rater->id, u"condition:eczema"_s), rectMask(64, 48, 0, 0, 9, 9)));
    QVERIFY(sameMask(storedMask(image, rater->id, u"identifying:tattoo"_s), rectMask(64, 48, 50, 0, 63, 5)));
    QCOMPARE(count(u"SELECT COUNT(*) FROM masks"_s), 3);

    // Assigned, done; the consensus knows the image; one audit entry for the image.
    QString error;
    AssignmentRepository assignments(m_store->db());
    QVERIFY(assignments.isAssigned(image, rater->id, &error));
    QCOMPARE(assignments.status(image, rater->id, &error), AssignmentStatus::Done);
    QCOMPARE(count(u"SELECT COUNT(*) FROM assignments"_s), 1);
    QVERIFY(count(u"SELECT COUNT(*) FROM consensus"_s) > 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM audit_log WHERE action = 'interchange.import'"_s), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM audit_log WHERE action = 'add_user'"_s), 1);

    // QA sees the rater's labels like anyone else's.
    const auto all = AnnotationService(*m_store, m_admin).all(image, &error);
    QVERIFY(all);
    QCOMPARE(all->size(), 1);
}

void TestInterchange::labelMeMatching()
{
    const QString dir = m_dir->filePath(u"lm"_s);
    const QString elsewhere = m_dir->filePath(u"elsewhere"_s);
    const QJsonArray region { shape(u"eczema"_s, u"rectangle"_s, points({ { 1, 1 }, { 4, 4 } })) };
    // By content: a copy of b.png under another name.
    QVERIFY(writeAll(elsewhere + u"/renamed.png"_s, readAll(m_images + u"/b.png"_s)));
    QVERIFY(writeAll(dir + u"/hash.json"_s, labelMe(u"../elsewhere/renamed.png"_s, 64, 48, region)));
    // By name: the file is gone, but the store has one image imported from a file "c.png".
    QVERIFY(writeAll(dir + u"/name.json"_s, labelMe(u"../gone/c.png"_s, 40, 30, region)));
    // By embedded imageData: no file, an unknown name, but the bytes are a.png's.
    QVERIFY(writeAll(dir + u"/embedded.json"_s,
        labelMe(u"nowhere.png"_s, 64, 48, region,
            QString::fromLatin1(readAll(m_images + u"/a.png"_s).toBase64()))));
    // Not in the store: a file the store has never seen.
    QVERIFY(writeAll(elsewhere + u"/stranger.png"_s, pngImage(64, 48, 99)));
    QVERIFY(writeAll(dir + u"/stranger.json"_s, labelMe(u"../elsewhere/stranger.png"_s, 64, 48, region)));
    // Missing: no file, no store image of that name.
    QVERIFY(writeAll(dir + u"/missing.json"_s, labelMe(u"../elsewhere/absent.png"_s, 64, 48, region)));

    const InterchangeReport report = importLabelMe(dir, u"dr.m"_s);
    QCOMPARE(report.filesRead, 5);
    QCOMPARE(report.imagesMatched, 3);
    QCOMPARE(report.matchedByName, 1);
    QCOMPARE(report.imagesUpdated, 3);
    QCOMPARE(report.skipped, 2);
    QCOMPARE(report.exitCode(), 1);
    QVERIFY2(hasIssue(report, u"not_in_store"_s, u"stranger.json"_s, true), qPrintable(issueCodes(report)));
    QVERIFY2(hasIssue(report, u"missing_image"_s, u"missing.json"_s, true), qPrintable(issueCodes(report)));
    for (const InterchangeIssue &issue : report.issues) {
        if (issue.code == u"not_in_store"_s)
            QVERIFY2(issue.message.contains(u"import the images first with import --folder"_s),
                qPrintable(issue.message));
    }
    const auto rater = user(u"dr.m"_s);
    QVERIFY(rater);
    for (const QString &name : { u"a.png"_s, u"b.png"_s, u"sub/c.png"_s })
        QVERIFY2(annotationOf(imageId(name), rater->id), qPrintable(name));
    QCOMPARE(count(u"SELECT COUNT(*) FROM annotations"_s), 3);

    // Two store images imported from files of the same name: by name is ambiguous.
    const QString second = m_dir->filePath(u"second"_s);
    QVERIFY(writeAll(second + u"/c.png"_s, pngImage(40, 30, 4)));
    QCOMPARE(ImportService(*m_store).importPath(ImportKind::Folder, second, {}).imported, 1);
    QDir(dir).removeRecursively();
    QVERIFY(writeAll(dir + u"/name.json"_s, labelMe(u"../gone/c.png"_s, 40, 30, region)));
    const InterchangeReport again = importLabelMe(dir, u"dr.m"_s);
    QVERIFY2(hasIssue(again, u"ambiguous_name"_s, u"name.json"_s, true), qPrintable(issueCodes(again)));
    QCOMPARE(again.exitCode(), 2); // nothing could be imported
}

void TestInterchange::labelMeMalformedReported()
{
    const QString dir = m_dir->filePath(u"lm"_s);
    QVERIFY(writeAll(dir + u"/good.json"_s,
        labelMe(u"../images/a.png"_s, 64, 48,
            { shape(u"acne"_s, u"rectangle"_s, points({ { 1, 1 }, { 2, 2 } })) })));
    QVERIFY(writeAll(dir + u"/broken.json"_s, "{\"version\": \"5.2.1\", \"shapes\": [ "_ba));
    QVERIFY(writeAll(dir + u"/nopath.json"_s, R"({"shapes": [], "imageWidth": 64, "imageHeight": 48})"_ba));
    QVERIFY(writeAll(dir + u"/badshape.json"_s,
        labelMe(u"../images/b.png"_s, 64, 48,
            { shape(u"acne"_s, u"rectangle"_s, QJsonArray { u"x"_s, u"y"_s }) })));
    const InterchangeReport report = importLabelMe(dir, u"dr.x"_s);
    QCOMPARE(report.filesRead, 4);
    QCOMPARE(report.imagesUpdated, 1);
    QCOMPARE(report.skipped, 3);
    QCOMPARE(report.exitCode(), 1);
    for (const QString &file : { u"broken.json"_s, u"nopath.json"_s, u"badshape.json"_s })
        QVERIFY2(hasIssue(report, u"malformed"_s, file, true), qPrintable(issueCodes(report)));
    for (const InterchangeIssue &issue : report.issues) {
        if (issue.file == u"nopath.json"_s)
            QVERIFY2(issue.message.contains(u"imagePath"_s), qPrintable(issue.message));
        if (issue.file == u"broken.json"_s)
            QVERIFY2(issue.message.contains(u"JSON"_s), qPrintable(issue.message));
    }
    const auto rater = user(u"dr.x"_s);
    QVERIFY(rater);
    QVERIFY(annotationOf(imageId(u"a.png"_s), rater->id));
    QVERIFY(!annotationOf(imageId(u"b.png"_s), rater->id));
    const QJsonObject json = report.toJson();
    QCOMPARE(json.value(u"skipped"_s).toInt(), 3);
    QCOMPARE(json.value(u"issues"_s).toArray().size(), 3);
    QCOMPARE(json.value(u"ok"_s).toBool(), false);
}

void TestInterchange::labelMeSizeMismatchAndOrientation()
{
    const QString dir = m_dir->filePath(u"lm"_s);
    const QJsonArray region { shape(u"eczema"_s, u"rectangle"_s, points({ { 1, 1 }, { 4, 4 } })) };
    QVERIFY(writeAll(dir + u"/a.json"_s, labelMe(u"../images/a.png"_s, 48, 64, region)));
    InterchangeReport report = importLabelMe(dir, u"dr.s"_s);
    QVERIFY2(hasIssue(report, u"size_mismatch"_s, u"a.json"_s, true), qPrintable(issueCodes(report)));
    QCOMPARE(report.imagesUpdated, 0);
    QCOMPARE(report.exitCode(), 2);
    QVERIFY(!user(u"dr.s"_s)); // nothing written, not even the account
    QCOMPARE(count(u"SELECT COUNT(*) FROM annotations"_s), 0);

    // Stored 64 x 48 with EXIF orientation 6: displayed 48 x 64, the size masks have.
    QString error;
    QVERIFY(Sql::exec(
        m_store->db(), u"UPDATE images SET orientation = 6 WHERE id = ?"_s, { imageId(u"a.png"_s) }, &error));
    report = importLabelMe(dir, u"dr.s"_s);
    QCOMPARE(report.exitCode(), 0);
    QCOMPARE(report.imagesUpdated, 1);
    const cv::Mat mask = storedMask(imageId(u"a.png"_s), user(u"dr.s"_s)->id, u"condition:eczema"_s);
    QCOMPARE(mask.cols, 48);
    QCOMPARE(mask.rows, 64);
    QCOMPARE(cv::countNonZero(mask), 16);
}

void TestInterchange::labelMeIdempotentAndReplace()
{
    const QString dir = m_dir->filePath(u"lm"_s);
    const auto write = [&](int right) {
        return writeAll(dir + u"/a.json"_s,
                   labelMe(u"../images/a.png"_s, 64, 48,
                       { shape(u"eczema"_s, u"rectangle"_s, points({ { 1, 1 }, { double(right), 4 } })),
                           shape(u"identifying:face"_s, u"rectangle"_s, points({ { 40, 1 }, { 50, 10 } })) }))
            && writeAll(dir + u"/b.json"_s,
                labelMe(u"../images/b.png"_s, 64, 48,
                    { shape(u"psoriasis"_s, u"polygon"_s, points({ { 5, 5 }, { 20, 5 }, { 12, 20 } })) }));
    };
    QVERIFY(write(10));
    InterchangeReport first = importLabelMe(dir, u"dr.i"_s);
    QCOMPARE(first.exitCode(), 0);
    QCOMPARE(first.imagesUpdated, 2);
    QCOMPARE(first.masksWritten, 3);
    const qint64 masks = count(u"SELECT COUNT(*) FROM masks"_s);
    const qint64 audits = count(u"SELECT COUNT(*) FROM audit_log"_s);
    const qint64 diagnoses = count(u"SELECT COUNT(*) FROM annotation_diagnoses"_s);
    QString error;
    const QString updatedAt
        = Sql::scalar(m_store->db(), u"SELECT MAX(updated_at) FROM annotations"_s, {}, &error)
              .value_or(QString())
              .toString();
    QCOMPARE(masks, 3);

    InterchangeReport second = importLabelMe(dir, u"dr.i"_s);
    QCOMPARE(second.exitCode(), 0);
    QCOMPARE(second.imagesMatched, 2);
    QCOMPARE(second.imagesUnchanged, 2);
    QCOMPARE(second.imagesUpdated, 0);
    QCOMPARE(second.annotationsWritten, 0);
    QCOMPARE(second.masksWritten, 0);
    QVERIFY(!second.raterCreated);
    QCOMPARE(count(u"SELECT COUNT(*) FROM masks"_s), masks);
    QCOMPARE(count(u"SELECT COUNT(*) FROM audit_log"_s), audits);
    QCOMPARE(count(u"SELECT COUNT(*) FROM annotation_diagnoses"_s), diagnoses);
    QCOMPARE(Sql::scalar(m_store->db(), u"SELECT MAX(updated_at) FROM annotations"_s, {}, &error)->toString(),
        updatedAt);

    // A changed region: a new version of that layer only, no new diagnosis.
    QVERIFY(write(20));
    InterchangeReport third = importLabelMe(dir, u"dr.i"_s);
    QCOMPARE(third.imagesUpdated, 1);
    QCOMPARE(third.imagesUnchanged, 1);
    QCOMPARE(third.masksWritten, 1);
    QCOMPARE(third.annotationsWritten, 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM masks"_s), masks + 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM annotation_diagnoses"_s), diagnoses);
    int version = 0;
    const cv::Mat eczema
        = storedMask(imageId(u"a.png"_s), user(u"dr.i"_s)->id, u"condition:eczema"_s, &version);
    QCOMPARE(version, 2);
    QVERIFY(sameMask(eczema, rectMask(64, 48, 1, 1, 20, 4)));
    int faceVersion = 0;
    storedMask(imageId(u"a.png"_s), user(u"dr.i"_s)->id, u"identifying:face"_s, &faceVersion);
    QCOMPARE(faceVersion, 1);
}

void TestInterchange::existingLabelsKept()
{
    QString error;
    UserRepository users(m_store->db());
    const qint64 id = users.add(u"dr.lee"_s, {}, Role::Annotator, u"password"_s, &error, 1);
    QVERIFY(id > 0);
    const User lee = *users.findById(id);
    const qint64 image = imageId(u"a.png"_s);
    QVERIFY(AssignmentRepository(m_store->db()).add(image, lee.id, &error));
    AnnotationService service(*m_store, lee);
    Annotation own = *service.own(image, &error);
    own.gradable = true;
    own.fitzpatrick = u"3"_s;
    own.diagnoses = { { u"acne"_s, 5 } };
    own.identifying = { u"face"_s };
    QVERIFY2(service.save(own, &error), qPrintable(error));
    MaskDocument document = *MaskService(*m_store, lee).openOwn(image, &error);
    QVERIFY(document.setMask(u"condition:acne"_s, rectMask(64, 48, 0, 0, 5, 5), &error));
    QVERIFY(MaskService(*m_store, lee).save(document, u"condition:acne"_s, &error));

    const QString dir = m_dir->filePath(u"lm"_s);
    QVERIFY(writeAll(dir + u"/a.json"_s,
        labelMe(u"../images/a.png"_s, 64, 48,
            { shape(u"Acne"_s, u"rectangle"_s, points({ { 0, 0 }, { 5, 5 } })), // identical mask
                shape(u"eczema"_s, u"rectangle"_s, points({ { 10, 10 }, { 19, 19 } })), // 100 px
                shape(u"psoriasis"_s, u"rectangle"_s, points({ { 30, 10 }, { 49, 29 } })), // 400 px
                shape(u"urticaria"_s, u"rectangle"_s, points({ { 0, 30 }, { 1, 31 } })), // 4 px: 4th
                shape(u"identifying:face"_s, u"rectangle"_s, points({ { 60, 40 }, { 63, 47 } })) })));
    const InterchangeReport report = importLabelMe(dir, u"dr.lee"_s);
    QCOMPARE(report.exitCode(), 0);
    QVERIFY(!report.raterCreated);
    QVERIFY2(hasIssue(report, u"too_many_diagnoses"_s, u"a.json"_s, false), qPrintable(issueCodes(report)));
    const Annotation a = *annotationOf(image, lee.id);
    const QList<Diagnosis> expected { { u"acne"_s, 5 }, { u"psoriasis"_s, 3 }, { u"eczema"_s, 3 } };
    QCOMPARE(a.diagnoses, expected);
    QCOMPARE(a.gradable, std::optional<bool>(true));
    QCOMPARE(a.fitzpatrick, u"3"_s);
    QCOMPARE(a.identifying, QStringList { u"face"_s });
    int acneVersion = 0;
    storedMask(image, lee.id, u"condition:acne"_s, &acneVersion);
    QCOMPARE(acneVersion, 1); // identical: no new version
    QVERIFY(storedMask(image, lee.id, u"condition:urticaria"_s).empty());
    QCOMPARE(report.masksWritten, 3); // eczema, psoriasis, face
    QCOMPARE(AssignmentRepository(m_store->db()).status(image, lee.id, &error), AssignmentStatus::Done);
    QCOMPARE(count(u"SELECT COUNT(*) FROM assignments"_s), 1);
    QVERIFY(users.findById(lee.id)->active);

    // 'Cannot determine' stays: conditions are skipped with a warning, identifying regions still come in.
    const qint64 other = imageId(u"b.png"_s);
    QVERIFY(AssignmentRepository(m_store->db()).add(other, lee.id, &error));
    Annotation undecided = *service.own(other, &error);
    undecided.cannotDetermine = true;
    QVERIFY(service.save(undecided, &error));
    QDir(dir).removeRecursively();
    QVERIFY(writeAll(dir + u"/b.json"_s,
        labelMe(u"../images/b.png"_s, 64, 48,
            { shape(u"eczema"_s, u"rectangle"_s, points({ { 10, 10 }, { 19, 19 } })),
                shape(u"identifying:visible_text"_s, u"rectangle"_s, points({ { 0, 0 }, { 3, 3 } })) })));
    const InterchangeReport second = importLabelMe(dir, u"dr.lee"_s);
    QCOMPARE(second.exitCode(), 0);
    QVERIFY2(hasIssue(second, u"cannot_determine"_s, u"b.json"_s, false), qPrintable(issueCodes(second)));
    const Annotation b = *annotationOf(other, lee.id);
    QVERIFY(b.cannotDetermine);
    QVERIFY(b.diagnoses.isEmpty());
    QCOMPARE(b.identifying, QStringList { u"visible_text"_s });
    QVERIFY(storedMask(other, lee.id, u"condition:eczema"_s).empty());
}

void TestInterchange::raterRoleRefusedAndBadPaths()
{
    QString error;
    UserRepository users(m_store->db());
    QVERIFY(users.add(u"qa.lead"_s, {}, Role::Qa, u"password"_s, &error, 1) > 0);
    const QString dir = m_dir->filePath(u"lm"_s);
    QVERIFY(writeAll(dir + u"/a.json"_s,
        labelMe(u"../images/a.png"_s, 64, 48,
            { shape(u"acne"_s, u"rectangle"_s, points({ { 1, 1 }, { 2, 2 } })) })));
    InterchangeReport report = importLabelMe(dir, u"qa.lead"_s);
    QVERIFY(report.failed());
    QCOMPARE(report.exitCode(), 2);
    QVERIFY2(report.error.contains(u"QA lead"_s) && report.error.contains(u"dermatologist"_s),
        qPrintable(report.error));
    report = importLabelMe(dir, u"admin"_s);
    QVERIFY2(report.error.contains(u"Administrator"_s), qPrintable(report.error));
    report = importLabelMe(dir, u"bad name!"_s);
    QVERIFY2(report.error.contains(u"not a valid user name"_s), qPrintable(report.error));
    report = importLabelMe(m_dir->filePath(u"absent"_s), u"dr.p"_s);
    QVERIFY2(report.error.contains(u"There is no folder"_s), qPrintable(report.error));
    report = importLabelMe(dir + u"/a.json"_s, u"dr.p"_s);
    QVERIFY2(report.error.contains(u"is not a folder"_s), qPrintable(report.error));
    const QString empty = m_dir->filePath(u"empty"_s);
    QVERIFY(QDir().mkpath(empty));
    report = importLabelMe(empty, u"dr.p"_s);
    QVERIFY2(report.error.contains(u"no LabelMe files"_s), qPrintable(report.error));
    report = importCoco(m_dir->filePath(u"absent.json"_s), m_images, u"dr.p"_s);
    QVERIFY2(report.error.contains(u"There is no COCO file"_s), qPrintable(report.error));
    QVERIFY(
        writeAll(m_dir->filePath(u"c.json"_s), R"({"images": [], "categories": [], "annotations": []})"_ba));
    report = importCoco(m_dir->filePath(u"c.json"_s), m_dir->filePath(u"nope"_s), u"dr.p"_s);
    QVERIFY2(report.error.contains(u"There is no folder"_s), qPrintable(report.error));
    QVERIFY(writeAll(m_dir->filePath(u"bad.json"_s), R"({"images": [{"id": 1}], "categories": []})"_ba));
    report = importCoco(m_dir->filePath(u"bad.json"_s), m_images, u"dr.p"_s);
    QVERIFY(report.failed());
    QVERIFY2(report.error.contains(u"bad.json"_s), qPrintable(report.error));
    // Only administrators import.
    const qint64 annotator = users.add(u"dr.q"_s, {}, Role::Annotator, u"password"_s, &error, 1);
    report = InterchangeImporter(*m_store, *users.findById(annotator))
                 .run({ InterchangeFormat::LabelMe, dir, {}, u"dr.p"_s });
    QVERIFY(report.failed());
    QVERIFY(!user(u"dr.p"_s));
    QCOMPARE(count(u"SELECT COUNT(*) FROM annotations"_s), 0);
}

void TestInterchange::errorLeavesImageUntouched()
{
    // The store refuses psoriasis masks: the image that has one is rolled back entirely.
    QString error;
    QVERIFY2(
        Sql::exec(m_store->db(),
            u"CREATE TRIGGER refuse_psoriasis BEFORE INSERT ON masks WHEN NEW.layer = 'condition:psoriasis' "
            "BEGIN SELECT RAISE(ABORT, 'psoriasis refused'); END"_s,
            {}, &error),
        qPrintable(error));
    const QString dir = m_dir->filePath(u"lm"_s);
    QVERIFY(writeAll(dir + u"/1.json"_s,
        labelMe(u"../images/a.png"_s, 64, 48,
            { shape(u"eczema"_s, u"rectangle"_s, points({ { 1, 1 }, { 9, 9 } })),
                shape(u"psoriasis"_s, u"rectangle"_s, points({ { 20, 20 }, { 22, 22 } })) })));
    QVERIFY(writeAll(dir + u"/2.json"_s,
        labelMe(u"../images/b.png"_s, 64, 48,
            { shape(u"eczema"_s, u"rectangle"_s, points({ { 1, 1 }, { 9, 9 } })) })));
    const InterchangeReport report = importLabelMe(dir, u"dr.e"_s);
    QCOMPARE(report.exitCode(), 1);
    QVERIFY2(hasIssue(report, u"error"_s, u"1.json"_s, true), qPrintable(issueCodes(report)));
    QCOMPARE(report.imagesUpdated, 1);
    QVERIFY(report.raterCreated);
    const auto rater = user(u"dr.e"_s);
    QVERIFY(rater);
    QVERIFY(!annotationOf(imageId(u"a.png"_s), rater->id));
    QVERIFY(annotationOf(imageId(u"b.png"_s), rater->id));
    QCOMPARE(count(u"SELECT COUNT(*) FROM annotations"_s), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM masks"_s), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM assignments"_s), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM users WHERE name = 'dr.e'"_s), 1);
    QCOMPARE(count(u"SELECT COUNT(*) FROM audit_log WHERE action = 'interchange.import'"_s), 1);
}

void TestInterchange::cocoPolygonAndRle()
{
    // a.png and b.png are 64 x 48, c.png 40 x 30.
    // Eczema on a.png: a polygon (COCO sets the pixels whose centre is inside: x 2..9, y 2..7) and an
    // uncompressed RLE of the full column x = 30, merged into one region.
    const int h = 48, w = 64;
    const QJsonArray uncompressedCounts { 30 * h, h, (w - 31) * h };
    cv::Mat eczema = rectMask(w, h, 2, 2, 9, 7);
    eczema.col(30).setTo(255);
    // Face on a.png: compressed RLE.
    cv::Mat face = cv::Mat::zeros(h, w, CV_8UC1);
    cv::circle(face, { 50, 30 }, 8, cv::Scalar(255), cv::FILLED);
    const Rle faceRle = CocoRle::encode(face);
    // Psoriasis on c.png (40 x 30): a triangle polygon; expected from the cocoapi rasteriser.
    const QList<QPolygonF> triangle { QPolygonF { QPointF(5, 5), QPointF(30, 5), QPointF(5, 25) } };
    const cv::Mat psoriasis = CocoRle::decode(*CocoRle::fromPolygon(triangle, 30, 40));
    QVERIFY(cv::countNonZero(psoriasis) > 200);

    const QJsonObject coco { { u"images"_s,
                                 QJsonArray { QJsonObject { { u"id"_s, 1 }, { u"file_name"_s, u"a.png"_s },
                                                  { u"width"_s, w }, { u"height"_s, h } },
                                     QJsonObject { { u"id"_s, 2 }, { u"file_name"_s, u"sub/c.png"_s },
                                         { u"width"_s, 40 }, { u"height"_s, 30 } } } },
        { u"categories"_s,
            QJsonArray {
                QJsonObject { { u"id"_s, 1 }, { u"name"_s, u"Eczema"_s }, { u"supercategory"_s, u"skin"_s } },
                QJsonObject {
                    { u"id"_s, 2 }, { u"name"_s, u"identifying:face"_s }, { u"supercategory"_s, u"id"_s } },
                QJsonObject {
                    { u"id"_s, 3 }, { u"name"_s, u"psoriasis"_s }, { u"supercategory"_s, u"skin"_s } },
                QJsonObject {
                    { u"id"_s, 4 }, { u"name"_s, u"banana"_s }, { u"supercategory"_s, u"fruit"_s } } } },
        { u"annotations"_s,
            QJsonArray { QJsonObject { { u"id"_s, 1 }, { u"image_id"_s, 1 }, { u"category_id"_s, 1 },
                             { u"iscrowd"_s, 0 },
                             { u"segmentation"_s, polygons(QJsonArray { 2, 2, 10, 2, 10, 8, 2, 8 }) } },
                QJsonObject { { u"id"_s, 2 }, { u"image_id"_s, 1 }, { u"category_id"_s, 1 },
                    { u"iscrowd"_s, 1 },
                    { u"segmentation"_s,
                        QJsonObject {
                            { u"size"_s, QJsonArray { h, w } }, { u"counts"_s, uncompressedCounts } } } },
                QJsonObject { { u"id"_s, 3 }, { u"image_id"_s, 1 }, { u"category_id"_s, 2 },
                    { u"iscrowd"_s, 0 }, { u"segmentation"_s, CocoRle::toJson(faceRle) } },
                QJsonObject { { u"id"_s, 4 }, { u"image_id"_s, 2 }, { u"category_id"_s, 3 },
                    { u"iscrowd"_s, 0 },
                    { u"segmentation"_s, polygons(QJsonArray { 5, 5, 30, 5, 5, 25 }) } },
                QJsonObject { { u"id"_s, 5 }, { u"image_id"_s, 2 }, { u"category_id"_s, 4 },
                    { u"iscrowd"_s, 0 },
                    { u"segmentation"_s, polygons(QJsonArray { 1, 1, 4, 1, 4, 4 }) } } } } };
    const QString file = m_dir->filePath(u"coco/instances.json"_s);
    QVERIFY(writeAll(file, QJsonDocument(coco).toJson()));
    const InterchangeReport report = importCoco(file, m_images, u"dr.coco"_s);
    QVERIFY2(report.exitCode() == 0, qPrintable(report.summary() + u'\n' + issueCodes(report)));
    QCOMPARE(report.format, u"coco"_s);
    QCOMPARE(report.filesRead, 2);
    QCOMPARE(report.imagesMatched, 2);
    QCOMPARE(report.imagesUpdated, 2);
    QCOMPARE(report.masksWritten, 3);
    QVERIFY2(hasIssue(report, u"unknown_label"_s, u"sub/c.png"_s, false), qPrintable(issueCodes(report)));

    const auto rater = user(u"dr.coco"_s);
    QVERIFY(rater);
    const qint64 a = imageId(u"a.png"_s), c = imageId(u"sub/c.png"_s);
    const cv::Mat storedEczema = storedMask(a, rater->id, u"condition:eczema"_s);
    QCOMPARE(cv::countNonZero(storedEczema), 8 * 6 + 48);
    QVERIFY(sameMask(storedEczema, eczema));
    QVERIFY(sameMask(storedMask(a, rater->id, u"identifying:face"_s), face));
    QVERIFY(sameMask(storedMask(c, rater->id, u"condition:psoriasis"_s), psoriasis));
    QCOMPARE(annotationOf(a, rater->id)->diagnoses, (QList<Diagnosis> { { u"eczema"_s, 3 } }));
    QCOMPARE(annotationOf(a, rater->id)->identifying, QStringList { u"face"_s });
    QCOMPARE(annotationOf(c, rater->id)->diagnoses, (QList<Diagnosis> { { u"psoriasis"_s, 3 } }));
}

void TestInterchange::cocoIdempotentAndMissingFile()
{
    const cv::Mat region = rectMask(64, 48, 3, 3, 12, 12);
    CocoWriter writer;
    QString error;
    QVERIFY(writer.addCategory(u"tinea_pedis"_s, u"skin"_s, &error));
    QVERIFY(writer.addImage(
        { u"b.png"_s, 64, 48, 0, { { u"tinea_pedis"_s, region, {}, std::nullopt } } }, &error));
    QVERIFY(writer.addImage(
        { u"absent.png"_s, 64, 48, 0, { { u"tinea_pedis"_s, region, {}, std::nullopt } } }, &error));
    // An image of the store under a folder that does not hold it: found by its unique file name.
    QVERIFY(writer.addImage(
        { u"elsewhere/a.png"_s, 64, 48, 0, { { u"tinea_pedis"_s, region, {}, std::nullopt } } }, &error));
    const QString file = m_dir->filePath(u"coco.json"_s);
    QVERIFY(writeAll(file, writer.toJson()));

    const InterchangeReport first = importCoco(file, m_images, u"dr.c"_s);
    QCOMPARE(first.filesRead, 3);
    QCOMPARE(first.imagesMatched, 2);
    QCOMPARE(first.matchedByName, 1);
    QCOMPARE(first.imagesUpdated, 2);
    QCOMPARE(first.masksWritten, 2);
    QCOMPARE(first.skipped, 1);
    QCOMPARE(first.exitCode(), 1);
    QVERIFY2(hasIssue(first, u"missing_image"_s, u"absent.png"_s, true), qPrintable(issueCodes(first)));
    const qint64 masks = count(u"SELECT COUNT(*) FROM masks"_s);
    const qint64 audits = count(u"SELECT COUNT(*) FROM audit_log"_s);

    const InterchangeReport second = importCoco(file, m_images, u"dr.c"_s);
    QCOMPARE(second.imagesUnchanged, 2);
    QCOMPARE(second.imagesUpdated, 0);
    QCOMPARE(second.masksWritten, 0);
    QCOMPARE(second.annotationsWritten, 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM masks"_s), masks);
    QCOMPARE(count(u"SELECT COUNT(*) FROM audit_log"_s), audits);
    QCOMPARE(count(u"SELECT COUNT(*) FROM annotation_diagnoses"_s), 2);
    const auto rater = user(u"dr.c"_s);
    QVERIFY(sameMask(storedMask(imageId(u"a.png"_s), rater->id, u"condition:tinea_pedis"_s), region));
}

void TestInterchange::roundTripWriters()
{
    // Masks made here, written with DermLabel's own LabelMe and COCO writers, read back bit-exact.
    cv::Mat lesion = cv::Mat::zeros(48, 64, CV_8UC1);
    cv::ellipse(lesion, { 25, 20 }, { 14, 9 }, 30, 0, 360, cv::Scalar(255), cv::FILLED);
    lesion(cv::Rect(50, 40, 5, 3)).setTo(255); // a second island
    cv::Mat second = cv::Mat::zeros(48, 64, CV_8UC1);
    cv::circle(second, { 45, 12 }, 5, cv::Scalar(255), cv::FILLED);
    cv::Mat face = cv::Mat::zeros(48, 64, CV_8UC1);
    face(cv::Rect(0, 30, 12, 18)).setTo(255);

    const QString lmDir = m_dir->filePath(u"bundle/labelme"_s);
    const QString jsonPath = lmDir + u"/a.json"_s;
    QString error;
    const auto document
        = LabelMeWriter::build(LabelMeWriter::relativeImagePath(jsonPath, m_images + u"/a.png"_s), 64, 48,
            { { u"condition:eczema"_s, lesion, {}, {} }, { u"condition:acne"_s, second, {}, {} },
                { u"identifying:face"_s, face, {}, {} } },
            &error);
    QVERIFY2(document, qPrintable(error));
    QVERIFY(writeAll(jsonPath, LabelMeWriter::toJson(*document)));
    InterchangeReport report = importLabelMe(lmDir, u"dr.labelme"_s);
    QVERIFY2(report.exitCode() == 0, qPrintable(report.summary() + u'\n' + issueCodes(report)));

    CocoWriter coco;
    QVERIFY(coco.addCategory(u"eczema"_s, u"skin"_s, &error));
    QVERIFY(coco.addCategory(u"acne"_s, u"skin"_s, &error));
    QVERIFY(coco.addCategory(u"identifying:face"_s, u"identifying"_s, &error));
    QVERIFY(coco.addImage(
        { u"a.png"_s, 64, 48, 0,
            { { u"eczema"_s, lesion, {}, std::nullopt }, { u"acne"_s, second, {}, std::nullopt },
                { u"identifying:face"_s, face, {}, std::nullopt } } },
        &error));
    const QString cocoFile = m_dir->filePath(u"bundle/coco.json"_s);
    QVERIFY(writeAll(cocoFile, coco.toJson()));
    report = importCoco(cocoFile, m_images, u"dr.coco"_s);
    QVERIFY2(report.exitCode() == 0, qPrintable(report.summary() + u'\n' + issueCodes(report)));

    const qint64 image = imageId(u"a.png"_s);
    for (const QString &name : { u"dr.labelme"_s, u"dr.coco"_s }) {
        const qint64 rater = user(name)->id;
        QVERIFY2(sameMask(storedMask(image, rater, u"condition:eczema"_s), lesion), qPrintable(name));
        QVERIFY2(sameMask(storedMask(image, rater, u"condition:acne"_s), second), qPrintable(name));
        QVERIFY2(sameMask(storedMask(image, rater, u"identifying:face"_s), face), qPrintable(name));
        const Annotation a = *annotationOf(image, rater);
        // The lesion is larger than the second region.
        QCOMPARE(a.diagnoses, (QList<Diagnosis> { { u"eczema"_s, 3 }, { u"acne"_s, 3 } }));
        QCOMPARE(a.identifying, QStringList { u"face"_s });
    }
    // Both raters now count on the image.
    QCOMPARE(count(u"SELECT COUNT(*) FROM assignments WHERE status = 'done'"_s), 2);
    QVERIFY(count(u"SELECT COUNT(*) FROM consensus"_s) > 0);
}

void TestInterchange::progressAndCancel()
{
    const QString dir = m_dir->filePath(u"lm"_s);
    for (const QString &name : { u"a"_s, u"b"_s })
        QVERIFY(writeAll(dir + u'/' + name + u".json"_s,
            labelMe(u"../images/"_s + name + u".png"_s, 64, 48,
                { shape(u"eczema"_s, u"rectangle"_s, points({ { 1, 1 }, { 4, 4 } })) })));
    std::atomic_bool cancel { false };
    QList<qint64> done;
    InterchangeImporter importer(*m_store, m_admin);
    const InterchangeReport report = importer.run(
        { InterchangeFormat::LabelMe, dir, {}, u"dr.p"_s },
        [&](const ImportProgress &p) {
            if (p.phase == ImportProgress::Phase::Images) {
                done.append(p.done);
                QCOMPARE(p.total, 2);
                if (p.done == 1)
                    cancel = true; // after the first file
            }
        },
        &cancel);
    QVERIFY(report.cancelled);
    QCOMPARE(report.filesRead, 1);
    QCOMPARE(report.imagesUpdated, 1);
    QCOMPARE(report.exitCode(), 1);
    QCOMPARE(done.first(), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM annotations"_s), 1);
}


void TestInterchange::verifyStoreUnchanged(const QString &rater) const
{
    QVERIFY(!user(rater));
    QCOMPARE(count(u"SELECT COUNT(*) FROM annotations"_s), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM masks"_s), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM assignments"_s), 0);
}

// A COCO RLE of [2147483647, 1] on an image entry of that size passed validation and was decoded
// (2 GB) before it was matched to a.png (64 x 48). Now the size is compared first.
void TestInterchange::cocoRleBombRefusedBeforeDecoding()
{
    const QJsonObject coco { { u"images"_s,
                                 QJsonArray { QJsonObject { { u"id"_s, 1 }, { u"file_name"_s, u"a.png"_s },
                                     { u"width"_s, 1 }, { u"height"_s, 2147483647 } } } },
        { u"categories"_s, QJsonArray { QJsonObject { { u"id"_s, 1 }, { u"name"_s, u"eczema"_s } } } },
        { u"annotations"_s,
            QJsonArray { QJsonObject { { u"id"_s, 1 }, { u"image_id"_s, 1 }, { u"category_id"_s, 1 },
                { u"iscrowd"_s, 1 },
                { u"segmentation"_s,
                    QJsonObject { { u"size"_s, QJsonArray { 2147483647, 1 } },
                        { u"counts"_s, QJsonArray { 0, 2147483647 } } } } } } } };
    const QString file = m_dir->filePath(u"coco/bomb.json"_s);
    QVERIFY(writeAll(file, QJsonDocument(coco).toJson()));
    InterchangeReport report;
    {
        const dl::test::AddressSpaceLimit limit(qint64(1) << 30);
        report = importCoco(file, m_images, u"dr.bomb"_s);
    }
    QVERIFY2(hasIssue(report, u"size_mismatch"_s, u"a.png"_s, true), qPrintable(issueCodes(report)));
    QCOMPARE(report.imagesUpdated, 0);
    QCOMPARE(report.exitCode(), 2);
    verifyStoreUnchanged(u"dr.bomb"_s);
}

// imageWidth and imageHeight near 1,000,000 reached cv::Mat::zeros (a terabyte) and aborted the
// process. The header is now matched against the store image before any shape is drawn.
void TestInterchange::labelMeHugeSizeRefusedBeforeDrawing()
{
    const QString dir = m_dir->filePath(u"lm"_s);
    QVERIFY(writeAll(dir + u"/a.json"_s,
        labelMe(u"../images/a.png"_s, 1000000, 999999,
            { shape(u"acne"_s, u"rectangle"_s, points({ { 1, 1 }, { 2, 2 } })) })));
    InterchangeReport report;
    {
        const dl::test::AddressSpaceLimit limit(qint64(1) << 30);
        report = importLabelMe(dir, u"dr.bomb"_s);
    }
    QVERIFY2(hasIssue(report, u"size_mismatch"_s, u"a.json"_s, true), qPrintable(issueCodes(report)));
    QCOMPARE(report.exitCode(), 2);
    verifyStoreUnchanged(u"dr.bomb"_s);

    // Read alone (no image to match), the reader refuses such a claim before drawing.
    QString error;
    QVERIFY(!LabelMeReader::parse(readAll(dir + u"/a.json"_s), &error));
    QVERIFY2(error.contains(u"more than 100 megapixels"_s), qPrintable(error));
    QVERIFY(LabelMeReader::parseHeader(readAll(dir + u"/a.json"_s), &error));
}

void TestInterchange::labelMeMaskPngBombRefusedBeforeDecoding_data()
{
    QTest::addColumn<QByteArray>("png");
    QTest::addColumn<QString>("expected");
    QTest::newRow("RGB 20000 x 20000")
        << pngClaiming(20000, 20000, 8, 2) << u"PNG header says 20000 x 20000 but its box is 10 x 8; not decoded"_s;
    QTest::newRow("1-bit 30000 x 30000")
        << pngClaiming(30000, 30000, 1, 0) << u"PNG header says 30000 x 30000 but its box is 10 x 8; not decoded"_s;
    QTest::newRow("not a PNG") << QByteArray("GIF89a\x01\x00\x01\x00") << u"not a readable PNG image"_s;
}

// A mask shape's PNG was decoded by OpenCV before its size was compared with the shape's box: an
// RGB zlib bomb passed 1.5 GB, a 1-bit 30000 x 30000 one 930 MB. The IHDR is now read first.
void TestInterchange::labelMeMaskPngBombRefusedBeforeDecoding()
{
    QFETCH(QByteArray, png);
    QFETCH(QString, expected);
    const QString dir = m_dir->filePath(u"lm"_s);
    QVERIFY(writeAll(dir + u"/a.json"_s,
        labelMe(u"../images/a.png"_s, 64, 48, { maskShape(u"acne"_s, 2, 3, 11, 10, png) })));
    InterchangeReport report;
    {
        const dl::test::AddressSpaceLimit limit(qint64(1) << 30);
        report = importLabelMe(dir, u"dr.bomb"_s);
    }
    QVERIFY2(hasIssue(report, u"malformed"_s, u"a.json"_s, true), qPrintable(issueCodes(report)));
    QCOMPARE(report.issues.size(), 1);
    QVERIFY2(report.issues.first().message.contains(expected), qPrintable(report.issues.first().message));
    verifyStoreUnchanged(u"dr.bomb"_s);
}

QTEST_GUILESS_MAIN(TestInterchange)
#include "tst_interchange.moc"
