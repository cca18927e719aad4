// SPDX-License-Identifier: GPL-3.0-or-later
// The bundle exporter end to end: a store with labels and masks goes out as a bundle that
// verifies, carries no metadata and no names, decodes back to the same masks, burns in
// identifying regions, holds back what the release gate says, and is reproducible and atomic.
// Runs on SQLite and, as bundle_postgres, on PostgreSQL (TestStores).
#include "TestStores.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "export/BundleVerifier.h"
#include "export/LabelMeReader.h"
#include "export/MetadataStripper.h"
#include "imaging/ImageDecoder.h"
#include "import/ImportService.h"
#include "masks/CocoRle.h"
#include "masks/MaskCodec.h"
#include "masks/MaskService.h"
#include "qa/MaskConsensus.h"
#include "release/BundleExporter.h"
#include "release/FaceCheck.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QBuffer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>

#include <zip.h>

#include <optional>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

void putBe16(QByteArray &out, int v)
{
    out.append(char((v >> 8) & 0xff));
    out.append(char(v & 0xff));
}

/// A JPEG with an EXIF orientation and a comment: metadata the bundle must not carry.
QByteArray jpegWithMetadata(const QImage &image, int orientation)
{
    QByteArray data;
    QBuffer buffer(&data);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "JPEG", 95);
    QByteArray tiff("MM\0\x2A\0\0\0\x08", 8);
    putBe16(tiff, 1);
    putBe16(tiff, 0x0112);
    putBe16(tiff, 3);
    tiff.append("\0\0\0\x01", 4);
    putBe16(tiff, orientation);
    putBe16(tiff, 0);
    tiff.append("\0\0\0\0", 4);
    QByteArray app1("\xFF\xE1", 2);
    putBe16(app1, 2 + 6 + int(tiff.size()));
    app1.append("Exif\0\0", 6);
    app1.append(tiff);
    const QByteArray comment = "Patient: Jane Doe, clinic X";
    QByteArray com("\xFF\xFE", 2);
    putBe16(com, 2 + int(comment.size()));
    com.append(comment);
    data.insert(2, app1 + com);
    return data;
}

QImage pattern(int width, int height, int seed)
{
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, qRgb((x * 7 + seed * 40) % 256, (y * 5 + seed * 13) % 256, (x + y + seed) % 256));
    return image;
}

cv::Mat rect(int width, int height, const cv::Rect &r)
{
    cv::Mat m = cv::Mat::zeros(height, width, CV_8UC1);
    m(r & cv::Rect(0, 0, width, height)).setTo(255);
    return m;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestBundle : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void onlyAdminsExport();
    void bundleVerifiesAndCarriesNoMetadataOrNames();
    void masksRoundTripThroughCocoAndLabelMe();
    void stapleRegionsInTheBundle();
    void identifyingRegionsAreBurnedIn();
    void releaseGateHoldsBack();
    void reproducibleAndZip();
    void cancelledExportLeavesNothing();
    void exportThatCannotBeAuditedFails();
    void faceFlagsHoldBackUntilReviewed();
    void raterNumbersAreASeededShuffle();
    void sourceFolderNameNeverReachesTheBundle();
    void overwriteReplacesOnlyABundle();

private:
    qint64 imageId(int index) const { return m_ids.at(index); }
    QString imageName(int index) const;
    void label(int rater, int image, const std::function<void(Annotation &)> &edit);
    void paint(int rater, int image, const QString &layer, const cv::Mat &mask);
    BundleExportReport exportTo(const QString &out, BundleExportOptions options = {});

    QTemporaryDir m_dir;
    TestStores m_stores {u"bundle"_s};
    std::unique_ptr<Store> m_store;
    User m_admin, m_qa;
    QList<User> m_raters;
    QList<qint64> m_ids; ///< by file name a0 .. a5
    QStringList m_sourceNames;
};

void TestBundle::initTestCase()
{
    DL_REQUIRE_TEST_STORES(m_stores);
    QString error;
    // Named like a patient: the name may not reach the bundle.
    const QString folder = m_dir.filePath(u"Jane_Doe_2024"_s);
    QVERIFY(QDir().mkpath(folder));
    // a0 carries EXIF orientation 6 (shown rotated: 48 x 64); all carry a comment.
    for (int i = 0; i < 6; ++i) {
        const QString name = u"a%1_JaneDoe.jpg"_s.arg(i);
        m_sourceNames.append(name);
        QFile f(folder + u'/' + name);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(jpegWithMetadata(pattern(64, 48, i), i == 0 ? 6 : 1));
    }
    m_store = m_stores.create(u"b"_s, &error);
    QVERIFY2(m_store, qPrintable(error));
    ImportService import(*m_store);
    auto plan = ImportService::plan(ImportKind::Folder, folder, &error);
    QVERIFY2(plan, qPrintable(error));
    QCOMPARE(import.run(*plan, {}).imported, 6);

    UserRepository users(m_store->db());
    auto add = [&](const QString &name, Role role) {
        return users.findById(users.add(name, {}, role, u"password"_s, &error, 1), &error).value_or(User {});
    };
    m_admin = add(u"admin"_s, Role::Admin);
    m_qa = add(u"qa.lead"_s, Role::Qa);
    for (const QString &name : {u"dr.alpha"_s, u"dr.beta"_s, u"dr.gamma"_s})
        m_raters.append(add(name, Role::Annotator));
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 3, &error));

    QSqlQuery query(m_store->db());
    QVERIFY(query.exec(u"SELECT f.image_id FROM image_files f ORDER BY f.source_path"_s));
    while (query.next())
        m_ids.append(query.value(0).toLongLong());
    QCOMPARE(m_ids.size(), 6);

    auto plain = [](Annotation &a) {
        a.gradable = true;
        a.visibleCondition = u"yes"_s;
        a.sensitive = false;
        a.diagnoses = {{u"eczema"_s, 4}};
        a.fitzpatrick = u"3"_s;
        a.monk = u"4"_s;
    };
    for (int r = 0; r < 3; ++r) {
        label(r, 0, plain);
        label(r, 1, [&](Annotation &a) {
            plain(a);
            if (r == 0)
                a.identifying = {u"tattoo"_s};
        });
        label(r, 2, [&](Annotation &a) {
            plain(a);
            a.sensitive = r != 2; // two of three: sensitive
        });
        label(r, 3, [&](Annotation &a) {
            plain(a);
            if (r != 0)
                a.identifying = {u"face"_s}; // agreed, but nobody marks the face
        });
        if (r == 0)
            label(r, 4, plain); // a single rater so far
        label(r, 5, plain);
    }
    // Masks of image 0 (48 x 64 as shown): two raters agree, one draws wider.
    paint(0, 0, u"condition:eczema"_s, rect(48, 64, {10, 10, 20, 30}));
    paint(1, 0, u"condition:eczema"_s, rect(48, 64, {10, 10, 20, 30}));
    paint(2, 0, u"condition:eczema"_s, rect(48, 64, {5, 5, 30, 40}));
    // Image 1: the tattoo region of rater 0.
    paint(0, 1, u"identifying:tattoo"_s, rect(64, 48, {40, 30, 12, 10}));
    paint(1, 5, u"condition:eczema"_s, rect(64, 48, {0, 0, 8, 8})); // one of three: no consensus region
}

QString TestBundle::imageName(int index) const
{
    QSqlQuery query(m_store->db());
    query.prepare(u"SELECT public_id FROM images WHERE id = ?"_s);
    query.addBindValue(imageId(index));
    return query.exec() && query.next() ? query.value(0).toString() : QString();
}

void TestBundle::label(int rater, int image, const std::function<void(Annotation &)> &edit)
{
    AnnotationService service(*m_store, m_raters.at(rater));
    QString error;
    auto a = service.own(imageId(image), &error);
    QVERIFY2(a, qPrintable(error));
    edit(*a);
    QVERIFY2(service.save(*a, &error), qPrintable(error));
    QVERIFY(service.setStatus(imageId(image), u"done"_s, &error));
}

void TestBundle::paint(int rater, int image, const QString &layer, const cv::Mat &mask)
{
    MaskService service(*m_store, m_raters.at(rater));
    QString error;
    auto document = service.openOwn(imageId(image), &error);
    QVERIFY2(document, qPrintable(error));
    QVERIFY2(document->setMask(layer, mask, &error), qPrintable(error));
    QVERIFY2(service.saveChanged(*document, &error), qPrintable(error));
}

BundleExportReport TestBundle::exportTo(const QString &out, BundleExportOptions options)
{
    options.outPath = out;
    if (options.release.k == KAnonymityGate::DefaultK)
        options.release.k = 1;
    return BundleExporter(*m_store, m_admin).run(options);
}

void TestBundle::onlyAdminsExport()
{
    BundleExportOptions options;
    options.outPath = m_dir.filePath(u"refused"_s);
    QCOMPARE(BundleExporter(*m_store, m_qa).run(options).ok, false);
    QCOMPARE(BundleExporter(*m_store, m_raters.first()).run(options).ok, false);
    QString error;
    QVERIFY(!BundleExporter(*m_store, m_raters.first()).preview({}, &error));
    QVERIFY(!QFileInfo::exists(options.outPath));
}

void TestBundle::bundleVerifiesAndCarriesNoMetadataOrNames()
{
    const QString out = m_dir.filePath(u"bundle"_s);
    const BundleExportReport report = exportTo(out);
    QVERIFY2(report.ok, qPrintable(report.error));
    // Released: images 0, 1, 5; held back: 2 (sensitive), 3 (face unredacted), 4 (one rater).
    QCOMPARE(report.images, 3);
    QCOMPARE(report.plan.heldBack, 3);
    const BundleVerification verification = BundleVerifier::verify(out);
    QVERIFY2(verification.ok(), qPrintable(verification.problems.join(u'\n')));
    QVERIFY(verification.filesChecked >= 3 + 3 + 5);

    QDirIterator it(out, QDir::Files, QDirIterator::Subdirectories);
    int images = 0;
    while (it.hasNext()) {
        const QString path = it.next();
        const QByteArray bytes = readFile(path);
        if (path.contains(u"/images/"_s)) {
            ++images;
            QStringList found;
            QVERIFY2(!MetadataStripper::hasMetadata(bytes, &found), qPrintable(path + u": "_s + found.join(u", "_s)));
            QVERIFY(!bytes.contains("Jane Doe"));
            continue;
        }
        if (path.endsWith(u".png"_s))
            continue;
        // No user name, no source file name or folder in any text file.
        for (const QString &name : {u"dr.alpha"_s, u"dr.beta"_s, u"dr.gamma"_s, u"admin"_s, u"qa.lead"_s})
            QVERIFY2(!bytes.contains(name.toUtf8()), qPrintable(path + u" names "_s + name));
        QVERIFY2(!bytes.contains("JaneDoe") && !bytes.contains("Jane_Doe"), qPrintable(path));
    }
    QCOMPARE(images, 3);
    // The image with orientation 6 was turned and re-encoded losslessly; the others keep their bytes'
    // entropy data and their format.
    const QString turned = out + u"/images/"_s + imageName(0) + u".png"_s;
    QVERIFY(QFileInfo::exists(turned));
    QCOMPARE(QImage(turned).size(), QSize(48, 64));
    QVERIFY(QFileInfo::exists(out + u"/images/"_s + imageName(5) + u".jpg"_s));
    const QImage original = ImageDecoder::decodeFile(m_store->imageFilePath(
                                                         [&] {
                                                             QSqlQuery q(m_store->db());
                                                             q.exec(u"SELECT sha256 FROM images WHERE id = %1"_s.arg(imageId(5)));
                                                             q.next();
                                                             return q.value(0).toString();
                                                         }(),
                                                         u"jpg"_s),
                                                     nullptr);
    QCOMPARE(QImage(out + u"/images/"_s + imageName(5) + u".jpg"_s).convertToFormat(QImage::Format_RGB32),
             original.convertToFormat(QImage::Format_RGB32));

    // consensus.csv: one row per image, SCIN names; ratings.csv: pseudonymous raters.
    const QStringList consensus = QString::fromUtf8(readFile(out + u"/consensus.csv"_s)).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(consensus.size(), 4);
    QVERIFY(consensus.first().contains(u"weighted_skin_condition_label"_s));
    QVERIFY(consensus.at(1).contains(u"{'Eczema': 1.0000}"_s));
    QVERIFY(consensus.at(1).contains(u"FST3"_s));
    const QString ratings = QString::fromUtf8(readFile(out + u"/ratings.csv"_s));
    QVERIFY(ratings.startsWith(u"item,rater,field,value\n"_s));
    QVERIFY(ratings.contains(u",rater_01,"_s) && ratings.contains(u",rater_03,"_s));
    QVERIFY(!ratings.contains(imageName(2))); // held back: none of its labels either

    const QJsonObject release = QJsonDocument::fromJson(readFile(out + u"/release_report.json"_s)).object();
    QCOMPARE(release.value(u"held_back"_s).toInt(), 3);
    const QJsonObject reasons = release.value(u"held_back_by_reason"_s).toObject();
    QCOMPARE(reasons.value(u"sensitive"_s).toInt(), 1);
    QCOMPARE(reasons.value(u"identifying_unredacted"_s).toInt(), 1);
    QCOMPARE(reasons.value(u"too_few_raters"_s).toInt(), 1);
    const QJsonObject manifest = verification.manifest;
    QCOMPARE(manifest.value(u"counts"_s).toObject().value(u"images"_s).toInt(), 3);
    QVERIFY(manifest.value(u"program_version"_s).isString());
    QCOMPARE(manifest.value(u"sources"_s).toArray().size(), 1);
    const QJsonObject source = manifest.value(u"sources"_s).toArray().first().toObject();
    QCOMPARE(source.value(u"kind"_s).toString(), u"folder"_s);
    QVERIFY(source.value(u"id"_s).toString().startsWith(u"source-"_s));
    QVERIFY(!source.contains(u"name"_s));
}

void TestBundle::masksRoundTripThroughCocoAndLabelMe()
{
    const QString out = m_dir.filePath(u"bundle-masks"_s);
    const BundleExportReport report = exportTo(out);
    QVERIFY2(report.ok, qPrintable(report.error));
    // Image 0: the majority of three rectangles is the two agreeing raters' rectangle.
    const QString maskPath = out + u"/masks/"_s + imageName(0) + u"/eczema.png"_s;
    const QByteArray png = readFile(maskPath);
    QVERIFY(!png.isEmpty());
    const QImage maskImage = QImage::fromData(png);
    QCOMPARE(maskImage.size(), QSize(48, 64));
    cv::Mat mask(maskImage.height(), maskImage.width(), CV_8UC1);
    for (int y = 0; y < mask.rows; ++y)
        for (int x = 0; x < mask.cols; ++x)
            mask.at<uchar>(y, x) = uchar(qGray(maskImage.pixel(x, y)));
    QCOMPARE(cv::countNonZero(mask != rect(48, 64, {10, 10, 20, 30})), 0);
    QVERIFY(!QFileInfo::exists(out + u"/masks/"_s + imageName(5))); // one rater's region is no consensus

    // COCO: the RLE decodes to the same mask; area and bbox as the cocoapi would give.
    const QJsonObject coco = QJsonDocument::fromJson(readFile(out + u"/coco.json"_s)).object();
    QCOMPARE(coco.value(u"images"_s).toArray().size(), 3);
    const QJsonArray annotations = coco.value(u"annotations"_s).toArray();
    QCOMPARE(annotations.size(), 1);
    const QJsonObject annotation = annotations.first().toObject();
    QCOMPARE(annotation.value(u"iscrowd"_s).toInt(), 0);
    QCOMPARE(annotation.value(u"area"_s).toDouble(), 600.0);
    QCOMPARE(annotation.value(u"bbox"_s).toArray(), (QJsonArray {10, 10, 20, 30}));
    QCOMPARE(annotation.value(u"attributes"_s).toObject().value(u"skin_condition_label"_s).toString(), u"eczema"_s);
    QString error;
    const auto rle = CocoRle::fromJson(annotation.value(u"segmentation"_s).toObject(), &error);
    QVERIFY2(rle, qPrintable(error));
    const cv::Mat decoded = CocoRle::decode(*rle);
    QCOMPARE(cv::countNonZero((decoded != 0) != (mask != 0)), 0);
    QCOMPARE(coco.value(u"categories"_s).toArray().first().toObject().value(u"name"_s).toString(), u"eczema"_s);

    // LabelMe: imagePath points at the exported image, the mask shape gives the same mask back.
    const QJsonObject labelMe =
        QJsonDocument::fromJson(readFile(out + u"/labelme/"_s + imageName(0) + u".json"_s)).object();
    QCOMPARE(labelMe.value(u"imagePath"_s).toString(), u"../images/"_s + imageName(0) + u".png"_s);
    QCOMPARE(labelMe.value(u"imageWidth"_s).toInt(), 48);
    const QJsonObject shape = labelMe.value(u"shapes"_s).toArray().first().toObject();
    const cv::Mat fromLabelMe = MaskCodec::fromLabelMeMaskShape(shape, 64, 48, &error);
    QVERIFY2(!fromLabelMe.empty(), qPrintable(error));
    QCOMPARE(cv::countNonZero((fromLabelMe != 0) != (mask != 0)), 0);
}

void TestBundle::stapleRegionsInTheBundle()
{
    const QString out = m_dir.filePath(u"bundle-staple"_s);
    BundleExportOptions options;
    options.maskMethod = BundleExportOptions::MaskMethod::Staple;
    options.stapleProbabilities = true;
    options.raterSeed = 7;
    const BundleExportReport report = exportTo(out, options);
    QVERIFY2(report.ok, qPrintable(report.error));
    const BundleVerification verification = BundleVerifier::verify(out);
    QVERIFY2(verification.ok(), qPrintable(verification.problems.join(u'\n')));
    QStringList listed;
    for (const QJsonValue &file : verification.manifest.value(u"files"_s).toArray())
        listed.append(file.toObject().value(u"path"_s).toString());
    QVERIFY(listed.contains(u"staple.csv"_s));
    QVERIFY(listed.contains(u"probabilities/"_s + imageName(0) + u"/eczema.png"_s));
    QCOMPARE(verification.manifest.value(u"options"_s).toObject().value(u"mask_consensus"_s).toObject().value(u"method"_s).toString(),
             u"staple"_s);
    const QJsonObject release = QJsonDocument::fromJson(readFile(out + u"/release_report.json"_s)).object();
    const QJsonObject method = release.value(u"mask_consensus"_s).toObject();
    QCOMPARE(method.value(u"method"_s).toString(), u"staple"_s);
    QCOMPARE(method.value(u"threshold"_s).toDouble(), 0.5);

    // What STAPLE gives on the three raters' whole masks of image 0 (two agree, one draws wider)
    // and of image 5 (one draws, two named eczema and drew nothing).
    const cv::Mat tight = rect(48, 64, {10, 10, 20, 30}), wide = rect(48, 64, {5, 5, 30, 40});
    const auto expected0 = MaskConsensus::staple({tight, tight, wide});
    const cv::Mat corner = rect(64, 48, {0, 0, 8, 8}), none = cv::Mat::zeros(48, 64, CV_8UC1);
    const auto expected5 = MaskConsensus::staple({none, corner, none});
    QVERIFY(expected0 && expected5);

    QString error;
    const QJsonObject coco = QJsonDocument::fromJson(readFile(out + u"/coco.json"_s)).object();
    auto check = [&](int image, const StapleResult &expected, int width, int height) {
        const QString maskPath = out + u"/masks/"_s + imageName(image) + u"/eczema.png"_s;
        if (cv::countNonZero(expected.mask) == 0) {
            QVERIFY(!QFileInfo::exists(maskPath));
            return;
        }
        const cv::Mat mask = MaskCodec::decodePng(readFile(maskPath), &error);
        QVERIFY2(!mask.empty(), qPrintable(error));
        QCOMPARE(cv::countNonZero(mask != expected.mask), 0);
        // COCO: the RLE of the image's annotation decodes to the same region.
        const QString file = coco.value(u"images"_s).toArray().at(0).toObject().value(u"file_name"_s).toString();
        int cocoId = -1;
        for (const QJsonValue &v : coco.value(u"images"_s).toArray()) {
            if (v.toObject().value(u"file_name"_s).toString().contains(imageName(image)))
                cocoId = v.toObject().value(u"id"_s).toInt();
        }
        QVERIFY(cocoId >= 0 && !file.isEmpty());
        int found = 0;
        for (const QJsonValue &v : coco.value(u"annotations"_s).toArray()) {
            if (v.toObject().value(u"image_id"_s).toInt() != cocoId)
                continue;
            ++found;
            const auto rle = CocoRle::fromJson(v.toObject().value(u"segmentation"_s).toObject(), &error);
            QVERIFY2(rle, qPrintable(error));
            QCOMPARE(cv::countNonZero((CocoRle::decode(*rle) != 0) != (expected.mask != 0)), 0);
            QCOMPARE(v.toObject().value(u"area"_s).toDouble(), double(cv::countNonZero(expected.mask)));
        }
        QCOMPARE(found, 1);
        // LabelMe: read back as LabelMe reads it, the same region.
        const auto labelMe = LabelMeReader::readFile(out + u"/labelme/"_s + imageName(image) + u".json"_s, &error,
                                                     QSize(width, height));
        QVERIFY2(labelMe, qPrintable(error));
        QVERIFY(labelMe->masks.contains(u"eczema"_s));
        QCOMPARE(cv::countNonZero((labelMe->masks.value(u"eczema"_s) != 0) != (expected.mask != 0)), 0);
        // The soft map: round(255 p) everywhere.
        const cv::Mat soft = MaskCodec::decodePng(readFile(out + u"/probabilities/"_s + imageName(image) + u"/eczema.png"_s), &error);
        QVERIFY2(!soft.empty(), qPrintable(error));
        cv::Mat expectedSoft;
        expected.probability.convertTo(expectedSoft, CV_8UC1, 255.0);
        QCOMPARE(cv::countNonZero(soft != expectedSoft), 0);
    };
    check(0, *expected0, 48, 64);
    if (QTest::currentTestFailed())
        return;
    check(5, *expected5, 64, 48);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(cv::countNonZero(expected0->mask) > 0);

    // staple.csv: per image, layer and pseudonymous rater, STAPLE's estimates and iterations.
    const QStringList lines = QString::fromUtf8(readFile(out + u"/staple.csv"_s)).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.first(), u"image_id,layer,rater,sensitivity,specificity,iterations"_s);
    QList<double> sensitivities;
    QStringList raters;
    for (const QString &line : lines.mid(1)) {
        const QStringList f = line.split(u',');
        QCOMPARE(f.size(), 6);
        if (f.at(0) != imageName(0))
            continue;
        QCOMPARE(f.at(1), u"condition:eczema"_s);
        raters.append(f.at(2));
        sensitivities.append(f.at(3).toDouble());
        QCOMPARE(f.at(5).toInt(), expected0->iterations);
    }
    raters.sort();
    QCOMPARE(raters, (QStringList {u"rater_01"_s, u"rater_02"_s, u"rater_03"_s}));
    QList<double> expectedSensitivities;
    for (const RaterPerformance &p : expected0->raters)
        expectedSensitivities.append(p.sensitivity);
    std::sort(sensitivities.begin(), sensitivities.end());
    std::sort(expectedSensitivities.begin(), expectedSensitivities.end());
    for (int j = 0; j < 3; ++j)
        QVERIFY(std::abs(sensitivities.at(j) - expectedSensitivities.at(j)) < 1e-8);

    // The default stays the majority vote, with no staple.csv.
    const QString majority = m_dir.filePath(u"bundle-majority"_s);
    QVERIFY(exportTo(majority).ok);
    QVERIFY(!QFileInfo::exists(majority + u"/staple.csv"_s));
    QVERIFY(!QFileInfo::exists(majority + u"/probabilities"_s));
    QCOMPARE(QJsonDocument::fromJson(readFile(majority + u"/release_report.json"_s))
                 .object().value(u"mask_consensus"_s).toObject().value(u"method"_s).toString(),
             u"majority"_s);
}

void TestBundle::identifyingRegionsAreBurnedIn()
{
    const QString out = m_dir.filePath(u"bundle-redacted"_s);
    BundleExportOptions options;
    const BundleExportReport report = exportTo(out, options);
    QVERIFY2(report.ok, qPrintable(report.error));
    QCOMPARE(report.redacted, 1);
    const QImage exported(out + u"/images/"_s + imageName(1) + u".png"_s);
    QVERIFY(!exported.isNull());
    const QImage original = pattern(64, 48, 1);
    // Inside the region: the fill colour; well outside: the original pixels, as far as JPEG kept them.
    for (int y = 30; y < 40; ++y)
        for (int x = 40; x < 52; ++x)
            QCOMPARE(QColor(exported.pixel(x, y)), QColor(128, 128, 128));
    int far = 0;
    for (int y = 0; y < 20; ++y)
        for (int x = 0; x < 30; ++x)
            far += qAbs(qRed(exported.pixel(x, y)) - qRed(original.pixel(x, y))) < 24 ? 1 : 0;
    QVERIFY(far > 20 * 30 * 9 / 10);
    // The identifying region itself is not in the bundle.
    QVERIFY(!QFileInfo::exists(out + u"/masks/"_s + imageName(1)));
}

void TestBundle::releaseGateHoldsBack()
{
    BundleExporter exporter(*m_store, m_admin);
    QString error;
    ReleaseOptions options;
    options.k = 1;
    options.minRaters = 1;
    auto plan = exporter.preview(options, &error);
    QVERIFY2(plan, qPrintable(error));
    QCOMPARE(plan->heldBack, 2); // one rater is enough now
    // The images that pass have no case data, so each is a person of its own and every
    // demographic value is "unknown" at every level; three share the consensus condition eczema,
    // the one with a single rater has no consensus condition yet. k = 3 (l = 1) holds back that
    // one only; the three left form one class of three people.
    options.k = 3;
    options.l = 1;
    plan = exporter.preview(options, &error);
    QVERIFY2(plan, qPrintable(error));
    QCOMPARE(plan->released, 3);
    QCOMPARE(plan->countByReason.value(HoldReason::KAnonymity), 1);
    QCOMPARE(plan->kAnonymity.classCount(), 1);
    QCOMPARE(plan->anonymity.people, 4);
    // l = 2: their one demographic group holds one condition, so they go too.
    options.l = 2;
    plan = exporter.preview(options, &error);
    QCOMPARE(plan->released, 0);
    QCOMPARE(plan->countByReason.value(HoldReason::KAnonymity), 1);
    QCOMPARE(plan->countByReason.value(HoldReason::LDiversity), 3);
    // k = 4: four people, no class of four.
    options.k = 4;
    options.l = 1;
    plan = exporter.preview(options, &error);
    QCOMPARE(plan->released, 0);
    QCOMPARE(plan->countByReason.value(HoldReason::KAnonymity), 4);
    for (const ReleaseDecision &d : plan->decisions) {
        if (d.imageId == imageId(3)) {
            QCOMPARE(d.reasons, QList<HoldReason> {HoldReason::IdentifyingUnredacted});
            QCOMPARE(d.unredacted, QStringList {u"face"_s});
        }
    }
}

void TestBundle::reproducibleAndZip()
{
    const QString a = m_dir.filePath(u"repro-a"_s), b = m_dir.filePath(u"repro-b"_s);
    BundleExportOptions seeded;
    seeded.raterSeed = 7;
    QVERIFY(exportTo(a, seeded).ok);
    QVERIFY(exportTo(b, seeded).ok);
    QDirIterator it(a, QDir::Files, QDirIterator::Subdirectories);
    int files = 0;
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = QDir(a).relativeFilePath(path);
        if (relative == u"manifest.json"_s)
            continue;
        QVERIFY2(readFile(path) == readFile(b + u'/' + relative), qPrintable(relative));
        ++files;
    }
    QVERIFY(files > 5);
    // The manifests differ in the creation time only.
    QJsonObject ma = QJsonDocument::fromJson(readFile(a + u"/manifest.json"_s)).object();
    QJsonObject mb = QJsonDocument::fromJson(readFile(b + u"/manifest.json"_s)).object();
    ma.remove(u"created_at"_s);
    mb.remove(u"created_at"_s);
    QCOMPARE(ma, mb);

    BundleExportOptions zip = seeded;
    zip.zip = true;
    const QString zipPath = m_dir.filePath(u"bundle.zip"_s);
    const BundleExportReport report = exportTo(zipPath, zip);
    QVERIFY2(report.ok, qPrintable(report.error));
    QVERIFY(QFileInfo(zipPath).isFile());
    const BundleVerification verification = BundleVerifier::verify(zipPath);
    QVERIFY2(verification.ok(), qPrintable(verification.problems.join(u'\n')));
    QCOMPARE(verification.manifest.value(u"files"_s).toArray(),
             QJsonDocument::fromJson(readFile(a + u"/manifest.json"_s)).object().value(u"files"_s).toArray());
    // An existing bundle is not replaced unless asked.
    QVERIFY(!exportTo(zipPath, zip).ok);
    zip.overwrite = true;
    QVERIFY(exportTo(zipPath, zip).ok);
}

void TestBundle::cancelledExportLeavesNothing()
{
    const QString out = m_dir.filePath(u"cancelled"_s);
    BundleExportOptions options;
    options.outPath = out;
    options.release.k = 1;
    options.threads = 1;
    const BundleExportReport report =
        BundleExporter(*m_store, m_admin).run(options, [](int done, int) { return done < 1; });
    QVERIFY(report.cancelled);
    QVERIFY(!report.ok);
    QVERIFY(!QFileInfo::exists(out));
    const QStringList leftovers = QDir(m_dir.path()).entryList({u"cancelled*"_s}, QDir::AllEntries | QDir::Hidden);
    QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(u", "_s)));
}

void TestBundle::exportThatCannotBeAuditedFails()
{
    // The audit log refuses the entry (a full disk, a broken server rule...): no bundle then.
    QString error;
    const bool postgres = m_store->location().isPostgres();
    const QStringList refuse = postgres
        ? QStringList {u"CREATE FUNCTION dl_test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$BEGIN RAISE EXCEPTION 'the audit log refuses'; END$$"_s,
                       u"CREATE TRIGGER dl_test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW "
                       "EXECUTE FUNCTION dl_test_refuse_audit()"_s}
        : QStringList {u"CREATE TEMP TRIGGER dl_test_refuse_audit BEFORE INSERT ON main.audit_log "
                       "BEGIN SELECT RAISE(ABORT, 'the audit log refuses'); END"_s};
    for (const QString &statement : refuse) {
        // Unprepared: the function body's dollar quotes are no place for bound parameters.
        QSqlQuery query(m_store->db());
        QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
    }
    auto restore = qScopeGuard([&] {
        for (const QString &statement : postgres
                 ? QStringList {u"DROP TRIGGER dl_test_refuse_audit ON audit_log"_s,
                                u"DROP FUNCTION dl_test_refuse_audit()"_s}
                 : QStringList {u"DROP TRIGGER temp.dl_test_refuse_audit"_s})
            QSqlQuery(m_store->db()).exec(statement);
    });
    const QString out = m_dir.filePath(u"unaudited"_s);
    BundleExportOptions options;
    options.outPath = out;
    options.release.k = 1;
    const BundleExportReport report = BundleExporter(*m_store, m_admin).run(options);
    QVERIFY(!report.ok);
    QVERIFY2(report.error.contains(u"audit log"_s), qPrintable(report.error));
    QVERIFY(!QFileInfo::exists(out));
    const QStringList leftovers = QDir(m_dir.path()).entryList({u"unaudited*"_s}, QDir::AllEntries | QDir::Hidden);
    QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(u", "_s)));
    restore.dismiss();
    for (const QString &statement : postgres ? QStringList {u"DROP TRIGGER dl_test_refuse_audit ON audit_log"_s,
                                                           u"DROP FUNCTION dl_test_refuse_audit()"_s}
                                             : QStringList {u"DROP TRIGGER temp.dl_test_refuse_audit"_s}) {
        QSqlQuery query(m_store->db());
        QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
    }
    // Recorded, it exports.
    QVERIFY2(BundleExporter(*m_store, m_admin).run(options).ok, "export after the audit log accepts again");
    QVERIFY(Sql::scalar(m_store->db(), u"SELECT COUNT(*) FROM audit_log WHERE action = 'export.bundle'"_s, {}, &error)
                ->toInt() >= 1);
}

void TestBundle::faceFlagsHoldBackUntilReviewed()
{
    QString error;
    QVERIFY(Sql::exec(m_store->db(),
                      u"INSERT INTO image_flags (image_id, kind, detail, status, created_at) VALUES (?, 'face', '', "
                      "'open', ?)"_s,
                      {imageId(5), Sql::now()}, &error));
    BundleExporter exporter(*m_store, m_admin);
    ReleaseOptions options;
    options.k = 1;
    auto held = [&] {
        const auto plan = exporter.preview(options, &error);
        for (const ReleaseDecision &d : plan->decisions)
            if (d.imageId == imageId(5))
                return d.reasons;
        return QList<HoldReason> {};
    };
    QCOMPARE(held(), QList<HoldReason> {HoldReason::FaceUnresolved});
    FaceCheck qa(*m_store, m_qa);
    QVERIFY(!FaceCheck(*m_store, m_raters.first()).resolve(imageId(5), false, &error)); // annotators may not
    QVERIFY2(qa.resolve(imageId(5), true, &error), qPrintable(error));
    QCOMPARE(held(), QList<HoldReason> {HoldReason::IdentifyingUnredacted}); // a confirmed face needs a region
    QVERIFY(qa.resolve(imageId(5), false, &error));
    QVERIFY(held().isEmpty());
    QCOMPARE(qa.flag(imageId(5), &error)->status, u"dismissed"_s);
    QVERIFY(!qa.resolve(imageId(4), true, &error)); // no flag there
}


/// Every file of a bundle, a folder or a zip, as (path, bytes); a zip's entries inflated.
namespace {

QList<QPair<QString, QByteArray>> bundleContents(const QString &path)
{
    QList<QPair<QString, QByteArray>> files;
    if (QFileInfo(path).isDir()) {
        QDirIterator it(path, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            files.append({QDir(path).relativeFilePath(file), readFile(file)});
        }
        return files;
    }
    files.append({path, readFile(path)}); // the archive's own bytes: names, comments, headers
    int code = 0;
    zip_t *za = zip_open(QFile::encodeName(path).constData(), ZIP_RDONLY, &code);
    if (!za)
        return {};
    for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); ++i) {
        zip_stat_t st;
        if (zip_stat_index(za, zip_uint64_t(i), 0, &st) < 0)
            continue;
        QByteArray bytes(qsizetype(st.size), '\0');
        zip_file_t *f = zip_fopen_index(za, zip_uint64_t(i), 0);
        if (f && zip_fread(f, bytes.data(), st.size) == zip_int64_t(st.size))
            files.append({QString::fromUtf8(st.name), bytes});
        if (f)
            zip_fclose(f);
    }
    zip_discard(za);
    return files;
}

} // namespace

void TestBundle::raterNumbersAreASeededShuffle()
{
    QList<qint64> ids; // in name order: dr.alpha, dr.beta, dr.gamma
    for (const User &u : std::as_const(m_raters))
        ids.append(u.id);
    const QStringList numbers {u"rater_01"_s, u"rater_02"_s, u"rater_03"_s};
    // Each seed: a permutation of the numbers; the same seed, the same numbers; some seeds give
    // an order other than the names'.
    std::optional<quint32> shuffled;
    QSet<QStringList> orders;
    for (quint32 seed = 0; seed < 64; ++seed) {
        const QHash<qint64, QString> names = BundleExporter::raterPseudonyms(ids, seed);
        QStringList order;
        for (qint64 id : std::as_const(ids))
            order.append(names.value(id));
        QStringList sorted = order;
        sorted.sort();
        QCOMPARE(sorted, numbers);
        QCOMPARE(BundleExporter::raterPseudonyms(ids, seed), names);
        QCOMPARE(BundleExporter::raterPseudonyms({ids.at(2), ids.at(0), ids.at(1)}, seed), names);
        orders.insert(order);
        if (order != numbers && !shuffled)
            shuffled = seed;
    }
    QVERIFY(shuffled);
    QCOMPARE(orders.size(), 6); // all 3! orders occur

    // End to end: the rater bundle numbers the raters as the seed says, and records the seed.
    const QHash<qint64, QString> names = BundleExporter::raterPseudonyms(ids, *shuffled);
    QVERIFY(names.value(m_raters.at(0).id) != u"rater_01"_s || names.value(m_raters.at(1).id) != u"rater_02"_s);
    const QString out = m_dir.filePath(u"bundle-seeded"_s);
    BundleExportOptions options;
    options.labels = BundleExportOptions::Labels::Raters;
    options.raterSeed = *shuffled;
    const BundleExportReport report = exportTo(out, options);
    QVERIFY2(report.ok, qPrintable(report.error));
    QCOMPARE(report.raterSeed, *shuffled);
    const QJsonObject release = QJsonDocument::fromJson(readFile(out + u"/release_report.json"_s)).object();
    QCOMPARE(release.value(u"rater_seed"_s).toDouble(), double(*shuffled));
    // Image 0: dr.gamma drew the wider rectangle, the others the same one.
    auto maskOf = [&](int rater) {
        const QImage image(out + u"/masks/"_s + imageName(0) + u'/' + names.value(m_raters.at(rater).id)
                           + u"/eczema.png"_s);
        int set = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                set += qGray(image.pixel(x, y)) > 0 ? 1 : 0;
        return set;
    };
    QCOMPARE(maskOf(0), 20 * 30);
    QCOMPARE(maskOf(1), 20 * 30);
    QCOMPARE(maskOf(2), 30 * 40);
    // Image 5: only dr.beta drew.
    QVERIFY(QFileInfo::exists(out + u"/masks/"_s + imageName(5) + u'/' + names.value(m_raters.at(1).id)
                              + u"/eczema.png"_s));

    // Without a seed one is drawn and recorded: the export can be repeated with it.
    const QString drawn = m_dir.filePath(u"bundle-drawn"_s);
    options.raterSeed.reset();
    const BundleExportReport first = exportTo(drawn, options);
    QVERIFY2(first.ok, qPrintable(first.error));
    const QJsonObject drawnRelease = QJsonDocument::fromJson(readFile(drawn + u"/release_report.json"_s)).object();
    QCOMPARE(drawnRelease.value(u"rater_seed"_s).toDouble(), double(first.raterSeed));
    options.raterSeed = first.raterSeed;
    const QString again = m_dir.filePath(u"bundle-drawn-again"_s);
    QVERIFY(exportTo(again, options).ok);
    QCOMPARE(readFile(again + u"/ratings.csv"_s), readFile(drawn + u"/ratings.csv"_s));
}

void TestBundle::sourceFolderNameNeverReachesTheBundle()
{
    // The images were imported from a folder named like a patient; no byte of the bundle, a folder
    // or a zip (its entries inflated), names it, nor the path it was in.
    for (bool zip : {false, true}) {
        const QString out = m_dir.filePath(zip ? u"names.zip"_s : u"names"_s);
        BundleExportOptions options;
        options.zip = zip;
        options.labels = BundleExportOptions::Labels::Raters;
        const BundleExportReport report = exportTo(out, options);
        QVERIFY2(report.ok, qPrintable(report.error));
        const auto files = bundleContents(out);
        QVERIFY(files.size() > 8);
        for (const auto &[path, bytes] : files) {
            for (const QByteArray &name : {"Jane_Doe_2024"_ba, "Jane_Doe"_ba, "JaneDoe"_ba,
                                           QFileInfo(m_dir.path()).fileName().toUtf8()})
                QVERIFY2(!bytes.contains(name), qPrintable(path + u" contains "_s + QString::fromUtf8(name)));
        }
    }
}

void TestBundle::overwriteReplacesOnlyABundle()
{
    for (bool zip : {false, true}) {
        // A folder (or file) that is not a bundle: refused, everything still there.
        const QString other = m_dir.filePath(zip ? u"other.zip"_s : u"other"_s);
        if (zip) {
            QFile f(other);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not an archive");
        } else {
            QVERIFY(QDir().mkpath(other + u"/sub"_s));
            QFile f(other + u"/sub/notes.txt"_s);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("keep me");
        }
        BundleExportOptions options;
        options.zip = zip;
        options.overwrite = true;
        const BundleExportReport refused = exportTo(other, options);
        QVERIFY(!refused.ok);
        QVERIFY2(refused.error.contains(u"not a bundle written by DermLabel"_s), qPrintable(refused.error));
        QCOMPARE(readFile(zip ? other : other + u"/sub/notes.txt"_s), zip ? "not an archive"_ba : "keep me"_ba);
        QVERIFY(QDir(m_dir.path()).entryList({u"*.partial-*"_s, u"*.old-*"_s}, QDir::AllEntries | QDir::Hidden).isEmpty());

        // A previous bundle is replaced.
        const QString previous = m_dir.filePath(zip ? u"previous.zip"_s : u"previous"_s);
        options.overwrite = false;
        QVERIFY(exportTo(previous, options).ok);
        options.overwrite = true;
        const BundleExportReport replaced = exportTo(previous, options);
        QVERIFY2(replaced.ok, qPrintable(replaced.error));
        QVERIFY(BundleVerifier::verify(previous).ok());
    }
}

QTEST_GUILESS_MAIN(TestBundle)
#include "tst_bundle.moc"
