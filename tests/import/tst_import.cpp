// SPDX-License-Identifier: GPL-3.0-or-later
// Import of folders, SCIN and PASSION layouts: de-duplication, idempotent
// re-import, resume, and every kind of bad file reported without harm.
#include "ImportFixtures.h"

#include "import/ImportService.h"
#include "import/DatasetPaths.h"
#include "release/FaceCheck.h"
#include "release/ReleaseGate.h"
#include "store/CaseRepository.h"
#include "store/ImageRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreInspector.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace Qt::StringLiterals;
using namespace dl;

class TestImport : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void folderImportReportsEveryBadFile();
    void reimportAddsNothing();
    void badInputChangesNothingStored();
    void cancelThenResume();
    void symlinkLoopDoesNotHang();
    void pixelLimitIsConfigurable();
    void faceCheckFlagsNewImages();
    void faceCheckRunsAfterTheFilesAreStored();
    void pendingImagesAreHeldBack();
    void scinLayout();
    void scinMissingColumnIsClearError();
    void scinPathOutsideDatasetIsRefused();
    void scinWideHeaderIsRefusedBeforePadding();
    void passionLayout();
    void passionMissingColumn();
    void normalisation_data();
    void normalisation();

private:
    std::unique_ptr<Store> openStore();
    QString reasonOf(const ImportReport &report, const QString &fileName) const;
    qint64 count(const QString &table) const;
    void makeScin(const QString &root);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
};

void TestImport::init()
{
    m_store.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = openStore();
    QVERIFY(m_store);
}

std::unique_ptr<Store> TestImport::openStore()
{
    QString error;
    auto store = Store::open(m_dir->filePath(u"test.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    if (!store)
        qWarning("%s", qPrintable(error));
    return store;
}

QString TestImport::reasonOf(const ImportReport &report, const QString &fileName) const
{
    for (const FileIssue &issue : report.rejected + report.missing) {
        if (issue.path.endsWith(fileName))
            return issue.key;
    }
    return u"<not reported>"_s;
}

qint64 TestImport::count(const QString &table) const
{
    QString error;
    return Sql::scalar(m_store->db(), u"SELECT COUNT(*) FROM "_s + table, {}, &error).value_or(-1).toLongLong();
}

void TestImport::folderImportReportsEveryBadFile()
{
    const QString root = m_dir->filePath(u"photos"_s);
    QVERIFY(fixtures::write(root + u"/a.jpg"_s, fixtures::jpeg(640, 480, 1)));
    QVERIFY(fixtures::write(root + u"/sub/b.JPG"_s, fixtures::jpeg(480, 640, 2)));
    QVERIFY(fixtures::write(root + u"/sub/deeper/c.png"_s, fixtures::png(300, 200, 3)));
    QVERIFY(fixtures::write(root + u"/sub/copy-of-a.jpg"_s, fixtures::jpeg(640, 480, 1))); // same bytes as a.jpg
    QVERIFY(fixtures::write(root + u"/empty.jpg"_s, {}));
    QVERIFY(fixtures::write(root + u"/notes-renamed.jpg"_s, "Patient notes, not a picture\n"));
    QVERIFY(fixtures::write(root + u"/cut.jpg"_s, fixtures::truncatedJpeg(4)));
    QVERIFY(fixtures::write(root + u"/bomb.png"_s, fixtures::pngHeaderClaiming(30000, 30000)));
    QVERIFY(fixtures::write(root + u"/anim.gif"_s, "GIF89a\x01\x00\x01\x00\x00\x00\x00;"));
    QVERIFY(fixtures::write(root + u"/readme.txt"_s, "ignored\n"));
    QVERIFY(fixtures::write(root + u"/.hidden.jpg"_s, fixtures::jpeg(64, 64, 9)));

    ImportService service(*m_store);
    QList<ImportProgress> progress;
    const ImportReport report = service.importPath(ImportKind::Folder, root, {},
                                                   [&](const ImportProgress &p) { progress.append(p); });
    QVERIFY2(!report.failed(), qPrintable(report.error));
    QCOMPARE(report.imported, 3);
    QCOMPARE(report.duplicates, 1);
    QCOMPARE(report.rejected.size(), 5);
    QCOMPARE(reasonOf(report, u"/empty.jpg"_s), u"empty"_s);
    QCOMPARE(reasonOf(report, u"/notes-renamed.jpg"_s), u"not_an_image"_s);
    QCOMPARE(reasonOf(report, u"/cut.jpg"_s), u"truncated"_s);
    QCOMPARE(reasonOf(report, u"/bomb.png"_s), u"too_large"_s);
    QCOMPARE(reasonOf(report, u"/anim.gif"_s), u"unsupported"_s);
    QCOMPARE(report.ignoredFiles, 1);
    QCOMPARE(report.exitCode(), 1);
    for (const FileIssue &issue : report.rejected)
        QVERIFY2(!issue.message.isEmpty(), qPrintable(issue.path));

    QCOMPARE(count(u"images"_s), 3);
    QCOMPARE(count(u"image_files"_s), 4); // both copies are remembered as sources
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().phase, ImportProgress::Phase::Finished);

    // Images are kept by content hash; the record never carries the file name.
    ImageRepository images(m_store->db());
    QString error;
    for (const ImageRecord &image : images.list(0, 10, &error)) {
        QVERIFY(image.publicId.startsWith(u"img-"_s));
        QVERIFY(QFile::exists(m_store->imageFilePath(image.sha256, image.format == u"jpeg"_s ? u"jpg"_s : image.format)));
        QVERIFY(!images.thumbnail(image.id, &error).isEmpty());
        QVERIFY(image.thumbnailWidth <= 256 && image.thumbnailHeight <= 256);
    }
    const StoreCheck check = StoreInspector(*m_store).check(true, &error);
    QVERIFY2(check.ok(), QJsonDocument(check.toJson()).toJson().constData());
    QVERIFY(check.orphanFiles.isEmpty());

    // The report's JSON names every rejected file with its reason.
    const QJsonObject json = report.toJson();
    QCOMPARE(json.value(u"imported"_s).toInt(), 3);
    QCOMPARE(json.value(u"rejected"_s).toArray().size(), 5);
    QVERIFY(json.value(u"rejected"_s).toArray().first().toObject().contains(u"reason"_s));
}

void TestImport::reimportAddsNothing()
{
    const QString root = m_dir->filePath(u"photos"_s);
    for (int i = 0; i < 5; ++i)
        QVERIFY(fixtures::write(root + u"/img%1.jpg"_s.arg(i), fixtures::jpeg(200, 150, 100 + i)));
    ImportService service(*m_store);
    const ImportReport first = service.importPath(ImportKind::Folder, root, {});
    QCOMPARE(first.imported, 5);
    QCOMPARE(first.exitCode(), 0);
    const ImportReport second = service.importPath(ImportKind::Folder, root, {});
    QCOMPARE(second.imported, 0);
    QCOMPARE(second.duplicates, 0);
    QCOMPARE(second.alreadyImported, 5);
    QCOMPARE(second.exitCode(), 0);
    QCOMPARE(count(u"images"_s), 5);
    QCOMPARE(count(u"image_files"_s), 5);
    QCOMPARE(count(u"sources"_s), 1);
    QCOMPARE(count(u"import_runs"_s), 2);
    QCOMPARE(count(u"audit_log"_s), 2);

    // The same pictures under another folder are duplicates, not new images.
    const QString other = m_dir->filePath(u"other"_s);
    QVERIFY(QDir().mkpath(other));
    for (int i = 0; i < 5; ++i)
        QVERIFY(QFile::copy(root + u"/img%1.jpg"_s.arg(i), other + u"/x%1.jpg"_s.arg(i)));
    const ImportReport third = service.importPath(ImportKind::Folder, other, {});
    QCOMPARE(third.imported, 0);
    QCOMPARE(third.duplicates, 5);
    QCOMPARE(count(u"images"_s), 5);
}

void TestImport::badInputChangesNothingStored()
{
    const QString good = m_dir->filePath(u"good"_s);
    for (int i = 0; i < 3; ++i)
        QVERIFY(fixtures::write(good + u"/g%1.jpg"_s.arg(i), fixtures::jpeg(120, 90, 200 + i)));
    ImportService service(*m_store);
    QCOMPARE(service.importPath(ImportKind::Folder, good, {}).imported, 3);
    QString error;
    auto snapshot = [&] {
        QStringList rows;
        QSqlQuery query(m_store->db());
        Sql::exec(query, u"SELECT id, public_id, sha256, width, height, byte_size FROM images ORDER BY id"_s, {}, &error);
        while (query.next())
            rows << query.value(0).toString() + query.value(1).toString() + query.value(2).toString()
                    + query.value(3).toString() + query.value(4).toString() + query.value(5).toString();
        return rows;
    };
    const QStringList before = snapshot();

    const QString bad = m_dir->filePath(u"bad"_s);
    QVERIFY(fixtures::write(bad + u"/zero.jpg"_s, {}));
    QVERIFY(fixtures::write(bad + u"/half.jpg"_s, fixtures::truncatedJpeg(7)));
    QVERIFY(fixtures::write(bad + u"/text.png"_s, "not a png"));
    QVERIFY(fixtures::write(bad + u"/huge.png"_s, fixtures::pngHeaderClaiming(20000, 20000)));
    const ImportReport report = service.importPath(ImportKind::Folder, bad, {});
    QCOMPARE(report.imported, 0);
    QCOMPARE(report.rejected.size(), 4);
    QCOMPARE(snapshot(), before);
    QCOMPARE(count(u"images"_s), 3);
    QVERIFY(StoreInspector(*m_store).check(true, &error).ok());

    // A folder that does not exist: a clear error and nothing changes.
    const ImportReport missing = service.importPath(ImportKind::Folder, m_dir->filePath(u"nope"_s), {});
    QVERIFY(missing.failed());
    QVERIFY2(missing.error.contains(u"does not exist"_s), qPrintable(missing.error));
    QCOMPARE(missing.exitCode(), 2);
    QCOMPARE(snapshot(), before);
}

void TestImport::cancelThenResume()
{
    const QString root = m_dir->filePath(u"many"_s);
    constexpr int total = 40;
    for (int i = 0; i < total; ++i)
        QVERIFY(fixtures::write(root + u"/m%1.jpg"_s.arg(i, 3, 10, QLatin1Char('0')), fixtures::jpeg(160, 120, 300 + i)));
    ImportService service(*m_store);
    ImportOptions options;
    options.batchSize = 8;
    std::atomic_bool cancel {false};
    const ImportReport first = service.importPath(ImportKind::Folder, root, options, [&](const ImportProgress &p) {
        if (p.phase == ImportProgress::Phase::Images && p.done >= 8)
            cancel = true;
    }, &cancel);
    QVERIFY(first.cancelled);
    QCOMPARE(first.exitCode(), 1);
    QVERIFY(first.imported >= 8);
    QVERIFY(first.imported < total);
    QCOMPARE(count(u"images"_s), first.imported);
    QCOMPARE(Sql::scalar(m_store->db(), u"SELECT status FROM import_runs ORDER BY id DESC"_s, {}, nullptr)->toString(),
             u"cancelled"_s);

    const ImportReport second = service.importPath(ImportKind::Folder, root, options);
    QVERIFY(second.resumed);
    QCOMPARE(second.alreadyImported, first.imported);
    QCOMPARE(second.imported, total - first.imported);
    QCOMPARE(count(u"images"_s), total);

    // A run that never finished (the program was killed) is marked interrupted and resumed.
    QVERIFY(Sql::exec(m_store->db(), u"UPDATE import_runs SET status = 'running' WHERE id = ?"_s, {second.runId}, nullptr));
    QString error;
    QCOMPARE(StoreInspector(*m_store).check(false, &error).interruptedImports, 1);
    const ImportReport third = service.importPath(ImportKind::Folder, root, options);
    QVERIFY(third.resumed);
    QCOMPARE(third.imported, 0);
    QCOMPARE(Sql::scalar(m_store->db(), u"SELECT status FROM import_runs WHERE id = ?"_s, {second.runId}, nullptr)->toString(),
             u"interrupted"_s);
    QCOMPARE(StoreInspector(*m_store).check(false, &error).interruptedImports, 0);
}

void TestImport::symlinkLoopDoesNotHang()
{
    const QString root = m_dir->filePath(u"loop"_s);
    QVERIFY(fixtures::write(root + u"/a/x.jpg"_s, fixtures::jpeg(100, 100, 400)));
    QVERIFY(QFile::link(root, root + u"/a/back-to-root"_s));
    QVERIFY(QFile::link(root + u"/a"_s, root + u"/a/self"_s));
    QVERIFY(QFile::link(root + u"/a/x.jpg"_s, root + u"/link-to-x.jpg"_s));
    ImportService service(*m_store);
    const ImportReport report = service.importPath(ImportKind::Folder, root, {});
    QVERIFY2(!report.failed(), qPrintable(report.error));
    QCOMPARE(report.imported, 1);
    QCOMPARE(count(u"images"_s), 1);
}

void TestImport::pixelLimitIsConfigurable()
{
    const QString root = m_dir->filePath(u"limit"_s);
    QVERIFY(fixtures::write(root + u"/wide.jpg"_s, fixtures::jpeg(1200, 1000, 500))); // 1.2 MP
    QVERIFY(fixtures::write(root + u"/small.jpg"_s, fixtures::jpeg(800, 600, 501)));  // 0.48 MP
    ImportService service(*m_store);
    ImportOptions options;
    options.pixelLimit = 1'000'000;
    const ImportReport report = service.importPath(ImportKind::Folder, root, options);
    QCOMPARE(report.imported, 1);
    QCOMPARE(reasonOf(report, u"/wide.jpg"_s), u"too_large"_s);
}

/// A drawn frontal face (light oval, dark brows and eyes, nose shadow) on a dark background,
/// softened: what OpenCV's frontal-face cascade finds, at (faceX, faceY) - (faceX + 160, faceY + 210).
static QByteArray drawnFacePng(int width, int height, int faceX, int faceY)
{
    cv::Mat img(height, width, CV_8UC3, cv::Scalar(70, 70, 70));
    const cv::Point c(faceX + 80, faceY + 105);
    cv::ellipse(img, c, cv::Size(80, 105), 0, 0, 360, cv::Scalar(170, 185, 205), -1);
    for (int side : {-1, 1}) {
        cv::ellipse(img, c + cv::Point(side * 33, -45), cv::Size(22, 6), 0, 0, 360, cv::Scalar(60, 60, 60), -1);
        cv::ellipse(img, c + cv::Point(side * 33, -25), cv::Size(16, 8), 0, 0, 360, cv::Scalar(40, 40, 40), -1);
    }
    cv::ellipse(img, c + cv::Point(0, 32), cv::Size(14, 6), 0, 0, 360, cv::Scalar(120, 120, 120), -1);
    cv::ellipse(img, c + cv::Point(0, 62), cv::Size(28, 7), 0, 0, 360, cv::Scalar(80, 80, 80), -1);
    cv::GaussianBlur(img, img, cv::Size(0, 0), 2);
    std::vector<uchar> png;
    cv::imencode(".png", img, png);
    return QByteArray(reinterpret_cast<const char *>(png.data()), qsizetype(png.size()));
}

void TestImport::faceCheckFlagsNewImages()
{
    const QString root = m_dir->filePath(u"photos"_s);
    QVERIFY(fixtures::write(root + u"/face.png"_s, drawnFacePng(500, 420, 150, 100)));
    for (int i = 0; i < 3; ++i)
        QVERIFY(fixtures::write(root + u"/skin%1.jpg"_s.arg(i), fixtures::jpeg(300, 200, 120 + i)));
    ImportService service(*m_store);
    const ImportReport report = service.importPath(ImportKind::Folder, root, {});
    QCOMPARE(report.imported, 4);
    QVERIFY2(report.warnings.isEmpty(), qPrintable(report.warnings.join(u'\n')));
    QCOMPARE(report.faceFlags, 1);
    QCOMPARE(report.toJson().value(u"face_flags"_s).toInt(), 1);
    QVERIFY(report.summary().contains(u"face"_s));

    // One open flag, on the face image, with a box around the drawn face.
    QSqlQuery query(m_store->db());
    QVERIFY(query.exec(u"SELECT f.status, f.detail, i.width FROM image_flags f JOIN images i ON i.id = f.image_id"_s));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), u"open"_s);
    QCOMPARE(query.value(2).toInt(), 500);
    const QJsonArray boxes = QJsonDocument::fromJson(query.value(1).toString().toUtf8()).object().value(u"faces"_s).toArray();
    QCOMPARE(boxes.size(), 1);
    const QRect box(boxes.at(0)[0].toInt(), boxes.at(0)[1].toInt(), boxes.at(0)[2].toInt(), boxes.at(0)[3].toInt());
    QVERIFY2(box.contains(QPoint(230, 205)) && box.width() > 60 && box.width() < 300,
             qPrintable(u"%1,%2 %3x%4"_s.arg(box.x()).arg(box.y()).arg(box.width()).arg(box.height())));
    QVERIFY(!query.next());
    QCOMPARE(count(u"audit_log WHERE action = 'flag.face'"_s), 1);

    // Importing the same image again (another folder) adds no second flag; the check can be off.
    const QString copy = m_dir->filePath(u"copy"_s);
    QVERIFY(fixtures::write(copy + u"/face-again.png"_s, drawnFacePng(500, 420, 150, 100)));
    QVERIFY(fixtures::write(copy + u"/face-other.png"_s, drawnFacePng(520, 440, 160, 120)));
    ImportOptions off;
    off.faceCheck = false;
    const ImportReport second = service.importPath(ImportKind::Folder, copy, off);
    QCOMPARE(second.duplicates, 1);
    QCOMPARE(second.imported, 1);
    QCOMPARE(second.faceFlags, 0);
    QCOMPARE(count(u"image_flags"_s), 1); // nothing left waiting for the check
}

void TestImport::faceCheckRunsAfterTheFilesAreStored()
{
    const QString root = m_dir->filePath(u"photos"_s);
    QVERIFY(fixtures::write(root + u"/face.png"_s, drawnFacePng(500, 420, 150, 100)));
    for (int i = 0; i < 3; ++i)
        QVERIFY(fixtures::write(root + u"/skin%1.jpg"_s.arg(i), fixtures::jpeg(300, 200, 120 + i)));
    ImportService service(*m_store);
    ImportOptions later;
    later.faceCheckLater = true;
    QList<ImportProgress::Phase> phases;
    const ImportReport report = service.importPath(ImportKind::Folder, root, later,
                                                   [&](const ImportProgress &p) { phases.append(p.phase); });
    QCOMPARE(report.imported, 4);
    QCOMPARE(report.faceFlags, 0);
    QVERIFY(!phases.contains(ImportProgress::Phase::Faces));
    // Stored, each waiting for the check; nothing flagged yet.
    QCOMPARE(count(u"image_flags WHERE kind = 'face_pending'"_s), 4);
    QCOMPARE(count(u"image_flags WHERE kind = 'face'"_s), 0);

    QString error;
    User annotator;
    annotator.id = 7;
    annotator.role = Role::Annotator;
    QVERIFY(!FaceCheck(*m_store, annotator).runPending(&error));
    QVERIFY(!error.isEmpty());
    QCOMPARE(count(u"image_flags WHERE kind = 'face_pending'"_s), 4);

    FaceCheck check(*m_store, User::commandLine());
    QCOMPARE(check.pendingCount(&error), 4);
    QList<QPair<int, int>> progress;
    const std::optional<FaceCheckSummary> summary = check.runPending(&error, [&](int done, int total) {
        progress.append({done, total});
        return true;
    });
    QVERIFY2(summary, qPrintable(error));
    QCOMPARE(summary->checked, 4);
    QCOMPARE(summary->newFlags, 1);
    QCOMPARE(progress.last(), qMakePair(4, 4));
    QCOMPARE(check.pendingCount(&error), 0);
    QCOMPARE(count(u"image_flags WHERE kind = 'face' AND status = 'open'"_s), 1);
    QCOMPARE(count(u"audit_log WHERE action = 'flag.face'"_s), 1);
    // Nothing waits: a second run checks nothing.
    QCOMPARE(check.runPending(&error)->checked, 0);

    // Without faceCheckLater the import checks its new images before it returns, with progress.
    const QString more = m_dir->filePath(u"more"_s);
    QVERIFY(fixtures::write(more + u"/face.png"_s, drawnFacePng(520, 440, 160, 120)));
    QVERIFY(fixtures::write(more + u"/skin.jpg"_s, fixtures::jpeg(300, 200, 200)));
    phases.clear();
    const ImportReport now = service.importPath(ImportKind::Folder, more, {},
                                                [&](const ImportProgress &p) { phases.append(p.phase); });
    QCOMPARE(now.imported, 2);
    QCOMPARE(now.faceFlags, 1);
    QVERIFY(phases.contains(ImportProgress::Phase::Faces));
    QCOMPARE(phases.last(), ImportProgress::Phase::Finished);
    QCOMPARE(count(u"image_flags WHERE kind = 'face_pending'"_s), 0);

    // Checking every image again also ends any wait.
    const QString third = m_dir->filePath(u"third"_s);
    QVERIFY(fixtures::write(third + u"/skin.jpg"_s, fixtures::jpeg(300, 200, 210)));
    QCOMPARE(service.importPath(ImportKind::Folder, third, later).imported, 1);
    QCOMPARE(count(u"image_flags WHERE kind = 'face_pending'"_s), 1);
    const std::optional<FaceCheckSummary> all = check.run(&error);
    QVERIFY2(all, qPrintable(error));
    QCOMPARE(all->checked, 7);
    QCOMPARE(count(u"image_flags WHERE kind = 'face_pending'"_s), 0);
}

void TestImport::pendingImagesAreHeldBack()
{
    ReleaseCandidate waiting;
    waiting.imageId = 1;
    waiting.imageName = u"img-a"_s;
    waiting.raters = 3;
    waiting.facePending = true;
    ReleaseCandidate checked = waiting;
    checked.imageId = 2;
    checked.imageName = u"img-b"_s;
    checked.facePending = false;
    ReleaseOptions options;
    options.k = 1;
    const ReleasePlan plan = ReleaseGate::decide({waiting, checked}, options);
    QCOMPARE(plan.decisions.at(0).reasons, QList<HoldReason> {HoldReason::FacePending});
    QVERIFY(plan.decisions.at(1).released());
    QCOMPARE(plan.countByReason.value(HoldReason::FacePending), 1);
    QVERIFY(ReleaseGate::allReasons().contains(HoldReason::FacePending));
    QCOMPARE(ReleaseGate::reasonKey(HoldReason::FacePending), u"face_check_pending"_s);
    QCOMPARE(ReleaseGate::reasonText(HoldReason::FacePending), u"Face check pending"_s);
    QCOMPARE(plan.toJson().value(u"held_back_by_reason"_s).toObject().value(u"face_check_pending"_s).toInt(), 1);
}

void TestImport::makeScin(const QString &root)
{
    QVERIFY(fixtures::write(root + u"/dataset/images/-1001.png"_s, fixtures::png(320, 240, 600)));
    QVERIFY(fixtures::write(root + u"/dataset/images/-1002.png"_s, fixtures::png(320, 240, 601)));
    QVERIFY(fixtures::write(root + u"/dataset/images/-2001.png"_s, fixtures::png(320, 240, 602)));
    // -1002 appears in two cases, as in the real release.
    QVERIFY(fixtures::writeText(
        root + u"/scin_cases.csv"_s,
        u"\uFEFFcase_id,source,age_group,sex_at_birth,fitzpatrick_skin_type,body_parts_arm,body_parts_leg,"
        "condition_symptoms_itching,other_symptoms_fever,condition_duration,image_1_path,image_1_shot_type,"
        "image_2_path,image_2_shot_type,image_3_path,image_3_shot_type,combined_race\r\n"
        "-100,SCIN,AGE_30_TO_39,FEMALE,FST4,YES,,YES,,ONE_TO_FOUR_WEEKS,dataset/images/-1001.png,CLOSE_UP,"
        "dataset/images/-1002.png,AT_AN_ANGLE,,,\"Black, African\"\r\n"
        "-200,SCIN,AGE_UNKNOWN,MALE,NONE_IDENTIFIED,,YES,,YES,UNKNOWN,dataset/images/-2001.png,AT_DISTANCE,"
        "dataset/images/-1002.png,CLOSE_UP,dataset/images/-9999.png,CLOSE_UP,\r\n"
        "-300,SCIN,AGE_18_TO_29,OTHER_OR_UNSPECIFIED,FST1,,,,,,dataset/images/missing.png,CLOSE_UP,,,,,\r\n"_s));
    QVERIFY(fixtures::writeText(
        root + u"/scin_labels.csv"_s,
        u"case_id,dermatologist_gradable_for_skin_condition_1,dermatologist_gradable_for_skin_condition_2,"
        "dermatologist_gradable_for_skin_condition_3,dermatologist_skin_condition_on_label_name,"
        "dermatologist_skin_condition_confidence,weighted_skin_condition_label,"
        "dermatologist_gradable_for_fitzpatrick_skin_type_1,dermatologist_fitzpatrick_skin_type_label_1,"
        "dermatologist_fitzpatrick_skin_type_label_2,gradable_for_monk_skin_tone_us,monk_skin_tone_label_us,"
        "monk_skin_tone_label_india\n"
        "-100,True,True,False,\"['Eczema', 'Lichen planus/lichenoid eruption', \"\"O'Brien, syndrome\"\"]\","
        "\"[4, 3, 5]\",\"{'Eczema': 0.69, 'Psoriasis': 0.08}\",YES,FST4,FST5,True,3.0,4\n"
        "-200,False,,,[],[],{},NO,,,False,,\n"
        "-999,True,,,['Acne'],[2],{'Acne': 1.0},YES,FST2,,,,\n"_s));
}

void TestImport::scinLayout()
{
    const QString root = m_dir->filePath(u"scin"_s);
    makeScin(root);
    ImportService service(*m_store);
    const ImportReport report = service.importPath(ImportKind::Scin, root, {});
    QVERIFY2(!report.failed(), qPrintable(report.error));
    QCOMPARE(report.imported, 3);
    QCOMPARE(report.cases, 2); // -300 has no importable image
    QCOMPARE(report.missing.size(), 2);
    QCOMPARE(reasonOf(report, u"-9999.png"_s), u"missing"_s);
    QCOMPARE(reasonOf(report, u"missing.png"_s), u"missing"_s);
    QCOMPARE(report.exitCode(), 1);
    QVERIFY(report.warnings.join(u'\n').contains(u"1 cases"_s)); // labels for -999, not in cases
    QCOMPARE(count(u"case_images"_s), 4); // -1002 belongs to both cases

    QString error;
    CaseRepository cases(m_store->db());
    const auto sourceId = report.sourceId;
    const qint64 case100 = cases.findId(sourceId, u"-100"_s, &error).value_or(-1);
    QVERIFY(case100 > 0);
    const CaseMetadata m = cases.metadata(case100, &error);
    QCOMPARE(m.ageGroup, u"AGE_30_TO_39"_s);
    QCOMPARE(m.sex, u"female"_s);
    QCOMPARE(m.skinTypeSelf, u"FST4"_s);
    QCOMPARE(m.bodySites, QStringList {u"arm"_s});
    QCOMPARE(m.symptoms, QStringList {u"itching"_s});
    QCOMPARE(m.duration, u"ONE_TO_FOUR_WEEKS"_s);
    QCOMPARE(cases.imageIds(case100, &error).size(), 2);

    // Every case column is kept, quoted commas included.
    const auto attributes = cases.attributes(case100, &error);
    bool foundRace = false;
    for (const auto &[name, value] : attributes) {
        if (name == u"combined_race"_s) {
            QCOMPARE(value, u"Black, African"_s);
            foundRace = true;
        }
    }
    QVERIFY(foundRace);

    QHash<QString, QString> labels;
    for (const ReferenceLabel &label : cases.referenceLabels(case100, &error))
        labels.insert(label.rater + u'/' + label.field, label.value);
    QCOMPARE(labels.value(u"dermatologist_1/gradable_for_skin_condition"_s), u"yes"_s);
    QCOMPARE(labels.value(u"dermatologist_3/gradable_for_skin_condition"_s), u"no"_s);
    QCOMPARE(labels.value(u"dermatologist_1/fitzpatrick"_s), u"4"_s);
    QCOMPARE(labels.value(u"dermatologist_2/fitzpatrick"_s), u"5"_s);
    QCOMPARE(labels.value(u"dermatologist_1/gradable_for_fitzpatrick"_s), u"yes"_s);
    QCOMPARE(labels.value(u"/skin_condition_labels"_s),
             u"[\"Eczema\",\"Lichen planus/lichenoid eruption\",\"O'Brien, syndrome\"]"_s);
    QCOMPARE(labels.value(u"/skin_condition_confidences"_s), u"[4,3,5]"_s);
    const QJsonObject weighted = QJsonDocument::fromJson(labels.value(u"/weighted_skin_condition_label"_s).toUtf8()).object();
    QCOMPARE(weighted.value(u"Eczema"_s).toDouble(), 0.69);
    QCOMPARE(weighted.value(u"Psoriasis"_s).toDouble(), 0.08);
    QCOMPARE(labels.value(u"/monk_skin_tone_us"_s), u"3"_s);
    QCOMPARE(labels.value(u"/monk_skin_tone_india"_s), u"4"_s);
    QCOMPARE(labels.value(u"/gradable_for_monk_skin_tone_us"_s), u"yes"_s);

    // Empty lists import as empty lists; empty cells add nothing.
    const qint64 case200 = cases.findId(sourceId, u"-200"_s, &error).value_or(-1);
    QHash<QString, QString> labels200;
    for (const ReferenceLabel &label : cases.referenceLabels(case200, &error))
        labels200.insert(label.rater + u'/' + label.field, label.value);
    QCOMPARE(labels200.value(u"/skin_condition_labels"_s), u"[]"_s);
    QVERIFY(!labels200.contains(u"dermatologist_2/gradable_for_skin_condition"_s));
    QCOMPARE(cases.metadata(case200, &error).symptoms, QStringList {u"fever"_s});

    const qint64 labelCount = count(u"reference_labels"_s);
    QCOMPARE(report.referenceLabels, labelCount);

    // Importing again adds nothing.
    const ImportReport again = service.importPath(ImportKind::Scin, root, {});
    QCOMPARE(again.imported, 0);
    QCOMPARE(again.cases, 0);
    QCOMPARE(again.casesExisting, 2);
    QCOMPARE(again.referenceLabels, 0);
    QCOMPARE(count(u"reference_labels"_s), labelCount);
    QCOMPARE(count(u"case_images"_s), 4);
}

void TestImport::scinMissingColumnIsClearError()
{
    const QString root = m_dir->filePath(u"scin-bad"_s);
    QVERIFY(fixtures::writeText(root + u"/scin_cases.csv"_s, u"id,image_path\n1,a.png\n"_s));
    ImportService service(*m_store);
    const ImportReport report = service.importPath(ImportKind::Scin, root, {});
    QVERIFY(report.failed());
    QVERIFY2(report.error.contains(u"case_id"_s), qPrintable(report.error));
    QVERIFY2(report.error.contains(u"image_1_path"_s), qPrintable(report.error));
    QCOMPARE(report.exitCode(), 2);
    QCOMPARE(count(u"sources"_s), 0);

    const ImportReport none = service.importPath(ImportKind::Scin, m_dir->path(), {});
    QVERIFY(none.failed());
    QVERIFY2(none.error.contains(u"scin_cases.csv"_s), qPrintable(none.error));

    QVERIFY(fixtures::writeText(root + u"/scin_cases.csv"_s, u"case_id,image_1_path\n1,\"unterminated\n"_s));
    const ImportReport malformed = service.importPath(ImportKind::Scin, root, {});
    QVERIFY(malformed.failed());
    QCOMPARE(count(u"images"_s), 0);
}

// A scin_cases.csv with a million columns once padded every row to that width (gigabytes within
// seconds); the reader now refuses the header with a clear message and nothing is stored.
void TestImport::scinWideHeaderIsRefusedBeforePadding()
{
    const QString root = m_dir->filePath(u"scin-wide"_s);
    QByteArray csv = "case_id,image_1_path";
    csv.reserve(12'000'000);
    for (int c = 0; c < 1'000'000; ++c)
        csv += ",c" + QByteArray::number(c);
    csv += '\n';
    for (int r = 0; r < 200; ++r)
        csv += QByteArray::number(r) + ",a.png\n";
    QVERIFY(fixtures::write(root + u"/scin_cases.csv"_s, csv));
    ImportService service(*m_store);
    const ImportReport report = service.importPath(ImportKind::Scin, root, {});
    QVERIFY(report.failed());
    QVERIFY2(report.error.contains(u"more than 1024 columns"_s), qPrintable(report.error));
    QVERIFY2(report.error.contains(u"scin_cases.csv"_s), qPrintable(report.error));
    QCOMPARE(report.exitCode(), 2);
    QCOMPARE(count(u"sources"_s), 0);
    QCOMPARE(count(u"images"_s), 0);
    QCOMPARE(count(u"cases"_s), 0);
}

void TestImport::scinPathOutsideDatasetIsRefused()
{
    const QString root = m_dir->filePath(u"scin-escape"_s);
    QVERIFY(fixtures::write(m_dir->filePath(u"secret.png"_s), fixtures::png(50, 50, 700)));
    QVERIFY(fixtures::writeText(root + u"/scin_cases.csv"_s,
                                u"case_id,image_1_path\n1,../secret.png\n2,/etc/passwd\n"_s));
    ImportService service(*m_store);
    const ImportReport report = service.importPath(ImportKind::Scin, root, {});
    QCOMPARE(report.imported, 0);
    QCOMPARE(report.rejected.size(), 2);
    QCOMPARE(report.rejected.first().key, u"outside_dataset"_s);
}

void TestImport::passionLayout()
{
    const QString root = m_dir->filePath(u"PASSION"_s);
    QVERIFY(fixtures::writeText(root + u"/label.csv"_s,
                                u"subject_id,country,age,sex,fitzpatrick,body_loc,impetig,conditions_PASSION\n"
                                "AA01,Malawi,7,f,5,arm; leg,1.0,Scabies\n"
                                "AA02,Guinea,1,m,6,,0.0,Eczema\n"
                                "AA03,Tanzania,15,m,4,face,0.0,Fungal\n"_s));
    QVERIFY(fixtures::writeText(root + u"/PASSION_split.csv"_s,
                                u"subject_id,Split\nAA01,TRAIN\nAA02,TEST\nZZ99,TRAIN\nZZ98,TEST\n"_s));
    QVERIFY(fixtures::write(root + u"/images/AA01_0.jpg"_s, fixtures::jpeg(300, 200, 800)));
    QVERIFY(fixtures::write(root + u"/images/AA01_1.jpg"_s, fixtures::jpeg(300, 200, 801)));
    QVERIFY(fixtures::write(root + u"/images/AA02_0.jpg"_s, fixtures::jpeg(300, 200, 802)));
    QVERIFY(fixtures::write(root + u"/images/XX77_0.jpg"_s, fixtures::jpeg(300, 200, 803)));

    ImportService service(*m_store);
    const ImportReport report = service.importPath(ImportKind::Passion, root, {});
    QVERIFY2(!report.failed(), qPrintable(report.error));
    QCOMPARE(report.imported, 3);
    QCOMPARE(report.cases, 2);
    QCOMPARE(report.unknownSplitSubjects, (QStringList {u"ZZ98"_s, u"ZZ99"_s}));
    const QString warnings = report.warnings.join(u'\n');
    QVERIFY2(warnings.contains(u"ZZ99"_s), qPrintable(warnings));
    QVERIFY2(warnings.contains(u"AA03"_s), qPrintable(warnings)); // no images
    QVERIFY2(warnings.contains(u"XX77"_s), qPrintable(warnings)); // images of an unknown subject

    QString error;
    CaseRepository cases(m_store->db());
    const qint64 aa01 = cases.findId(report.sourceId, u"AA01"_s, &error).value_or(-1);
    QVERIFY(aa01 > 0);
    const CaseMetadata m = cases.metadata(aa01, &error);
    QCOMPARE(m.country, u"Malawi"_s);
    QCOMPARE(m.ageYears, 7);
    QCOMPARE(m.ageGroup, u"AGE_3_TO_11"_s);
    QCOMPARE(m.sex, u"female"_s);
    QCOMPARE(m.bodySites, (QStringList {u"arm"_s, u"leg"_s}));
    QCOMPARE(m.split, u"train"_s);
    QCOMPARE(cases.imageIds(aa01, &error).size(), 2);
    QHash<QString, QString> labels;
    for (const ReferenceLabel &label : cases.referenceLabels(aa01, &error))
        labels.insert(label.field, label.value);
    QCOMPARE(labels.value(u"fitzpatrick"_s), u"5"_s);
    QCOMPARE(labels.value(u"impetigo"_s), u"yes"_s);
    QCOMPARE(labels.value(u"condition"_s), u"Scabies"_s);
    QVERIFY(Sql::scalar(m_store->db(), u"SELECT licence FROM sources"_s, {}, &error)->toString().contains(u"non-commercial"_s));
}

void TestImport::passionMissingColumn()
{
    const QString root = m_dir->filePath(u"PASSION-bad"_s);
    QVERIFY(fixtures::writeText(root + u"/label.csv"_s, u"subject_id,country,age\nAA01,Malawi,7\n"_s));
    ImportService service(*m_store);
    const ImportReport report = service.importPath(ImportKind::Passion, root, {});
    QVERIFY(report.failed());
    for (const QString &column : {u"sex"_s, u"fitzpatrick"_s, u"body_loc"_s, u"impetig"_s, u"conditions_PASSION"_s})
        QVERIFY2(report.error.contains(column), qPrintable(report.error));
}

void TestImport::normalisation_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("bool True") << u"bool"_s << u"True"_s << u"yes"_s;
    QTest::newRow("bool NO") << u"bool"_s << u"NO"_s << u"no"_s;
    QTest::newRow("bool 1.0") << u"bool"_s << u"1.0"_s << u"yes"_s;
    QTest::newRow("bool junk") << u"bool"_s << u"maybe"_s << QString();
    QTest::newRow("fst") << u"fitz"_s << u"FST3"_s << u"3"_s;
    QTest::newRow("fst 7") << u"fitz"_s << u"FST7"_s << QString();
    QTest::newRow("monk 3.0") << u"monk"_s << u"3.0"_s << u"3"_s;
    QTest::newRow("monk 3.5") << u"monk"_s << u"3.5"_s << QString();
    QTest::newRow("sex f") << u"sex"_s << u"f"_s << u"female"_s;
    QTest::newRow("sex MALE") << u"sex"_s << u"MALE"_s << u"male"_s;
    QTest::newRow("sex other") << u"sex"_s << u"OTHER_OR_UNSPECIFIED"_s << u"other"_s;
    QTest::newRow("age 0") << u"age"_s << u"0"_s << u"AGE_0_TO_2"_s;
    QTest::newRow("age 17") << u"age"_s << u"17"_s << u"AGE_12_TO_17"_s;
    QTest::newRow("age 90") << u"age"_s << u"90"_s << u"AGE_85_PLUS"_s;
}

void TestImport::normalisation()
{
    QFETCH(QString, kind);
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QString actual;
    if (kind == u"bool"_s)
        actual = DatasetPaths::normaliseBoolean(input);
    else if (kind == u"fitz"_s)
        actual = DatasetPaths::normaliseScale(input, 1, 6);
    else if (kind == u"monk"_s)
        actual = DatasetPaths::normaliseScale(input, 1, 10);
    else if (kind == u"sex"_s)
        actual = DatasetPaths::normaliseSex(input);
    else
        actual = DatasetPaths::ageGroupForYears(input.toInt());
    QCOMPARE(actual, expected);
}

QTEST_GUILESS_MAIN(TestImport)
#include "tst_import.moc"
