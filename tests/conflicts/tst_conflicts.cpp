// SPDX-License-Identifier: GPL-3.0-or-later
// Label saves from a stale copy, on both engines: two Store objects on one store stand for two
// windows or two workstations of the same rater. A save based on a version that is no longer the
// stored one is refused with both values and writes nothing; the labelling document holds the
// conflict until the rater keeps the stored labels or overwrites them, with an undo history that
// stays consistent either way.
#include "PostgresTestServer.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "labelling/LabelDifferences.h"
#include "labelling/LabellingDocument.h"
#include "labelling/LabellingDocumentManager.h"
#include "masks/MaskDocument.h"
#include "masks/MaskEditCommand.h"
#include "masks/MaskService.h"
#include "masks/MaskStroke.h"
#include "model/Annotation.h"
#include "store/ImageRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QUndoStack>

#include <memory>
#include <opencv2/core.hpp>

using namespace Qt::StringLiterals;
using namespace dl;

class TestConflicts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void versionsCountSaves();
    void staleSaveIsRefusedWithBothValues();
    void firstSaveFromTwoCopiesConflicts();
    void equalLabelsAreNoConflict();
    void differencesFieldByField();
    void documentConflictKeepMine();
    void documentConflictKeepTheirs();
    void editsDuringAConflictStayUnsaved();
    void managerKeepsAConflictingDocumentOpen();
    void maskSaveFromAStaleCopyConflicts();
    void maskConflictKeepTheirs();
    void maskServiceRefusesAStaleDocument();

private:
    bool postgres() const;
    static Annotation edited(Annotation a, const QString &fitzpatrick, const QString &note = {});
    int storedVersion();
    Annotation stored();
    static void paint(LabellingDocument &doc, const QString &layer, const cv::Rect &rect);
    int maskVersions(const QString &layer);
    cv::Mat storedMask(const QString &layer, int version);

    QTemporaryDir m_dir;
    PostgresTestServer m_pg {u"conflicts"_s};
    int m_round = 0;
    std::unique_ptr<Store> m_first;  // one window / workstation
    std::unique_ptr<Store> m_second; // another, same rater
    std::unique_ptr<QThreadPool> m_saver;
    User m_rater;
    qint64 m_image = -1;
};

void TestConflicts::initTestCase_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("postgres") << u"postgres"_s;
}

void TestConflicts::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

bool TestConflicts::postgres() const
{
    QFETCH_GLOBAL(QString, backend);
    return backend == u"postgres"_s;
}

void TestConflicts::init()
{
    QString error;
    const QString name = u"c%1"_s.arg(++m_round);
    QString location;
    if (postgres()) {
        if (PostgresTestServer::disabled())
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");
        QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
        location = m_pg.databaseUrl(name);
    } else {
        location = m_dir.filePath(name + u".dermlabel"_s);
    }
    m_first = Store::open(location, Store::OpenMode::CreateNew, &error);
    QVERIFY2(m_first, qPrintable(error));
    m_second = Store::open(location, Store::OpenMode::MustExist, &error);
    QVERIFY2(m_second, qPrintable(error));

    UserRepository users(m_first->db());
    const User admin = *users.findById(users.add(u"admin"_s, {}, Role::Admin, u"password"_s, &error, 1), &error);
    m_rater = *users.findById(users.add(u"dr.a"_s, {}, Role::Annotator, u"password"_s, &error, 1), &error);
    ImageRecord record;
    record.publicId = u"img-1"_s;
    record.sha256 = QString(64, u'a');
    record.format = u"jpeg"_s;
    record.width = 40;
    record.height = 30;
    record.byteSize = 1000;
    m_image = ImageRepository(m_first->db()).insert(record, &error);
    QVERIFY2(m_image > 0, qPrintable(error));
    QVERIFY2(AssignmentService(*m_first, admin).assign({}, 1, &error), qPrintable(error));
    m_saver = std::make_unique<QThreadPool>();
    m_saver->setMaxThreadCount(1);
}

void TestConflicts::cleanup()
{
    m_saver.reset();
    m_second.reset();
    m_first.reset();
}

void TestConflicts::cleanupTestCase()
{
    m_pg.dropAll();
}

Annotation TestConflicts::edited(Annotation a, const QString &fitzpatrick, const QString &note)
{
    a.gradable = true;
    a.fitzpatrick = fitzpatrick;
    if (!note.isNull())
        a.note = note;
    return a;
}

Annotation TestConflicts::stored()
{
    QString error;
    const auto own = AnnotationService(*m_first, m_rater).own(m_image, &error);
    if (!own)
        qWarning("%s", qPrintable(error));
    return own.value_or(Annotation());
}

int TestConflicts::storedVersion()
{
    QString error;
    const auto version = Sql::scalar(m_first->db(), u"SELECT version FROM annotations WHERE image_id = ? AND user_id = ?"_s,
                                     {m_image, m_rater.id}, &error);
    return version ? version->toInt() : 0;
}

void TestConflicts::versionsCountSaves()
{
    AnnotationService service(*m_first, m_rater);
    QString error;
    Annotation a = *service.own(m_image, &error);
    QCOMPARE(a.version, 0);
    a = edited(a, u"2"_s);
    QCOMPARE(service.save(a, &error, nullptr), SaveResult::Saved);
    QCOMPARE(a.version, 1);
    a.note = u"second"_s;
    QCOMPARE(service.save(a, &error, nullptr), SaveResult::Saved);
    QCOMPARE(a.version, 2);
    QCOMPARE(storedVersion(), 2);
    QCOMPARE(service.own(m_image, &error)->version, 2);
}

void TestConflicts::staleSaveIsRefusedWithBothValues()
{
    QString error;
    AnnotationService first(*m_first, m_rater);
    AnnotationService second(*m_second, m_rater);
    Annotation mine = edited(*first.own(m_image, &error), u"3"_s, u"first"_s);
    QVERIFY2(first.save(mine, &error), qPrintable(error));
    // The second window reads version 1, then the first saves again.
    Annotation stale = *second.own(m_image, &error);
    QCOMPARE(stale.version, 1);
    mine.fitzpatrick = u"4"_s;
    QVERIFY2(first.save(mine, &error), qPrintable(error));
    QCOMPARE(mine.version, 2);

    Annotation theirs;
    Annotation late = edited(stale, u"5"_s, u"second"_s);
    error.clear();
    QCOMPARE(second.save(late, &error, &theirs), SaveResult::Conflict);
    QVERIFY(!error.isEmpty());
    // Both values: what is stored now, and what was to be saved (untouched).
    QCOMPARE(theirs.version, 2);
    QCOMPARE(theirs.fitzpatrick, u"4"_s);
    QCOMPARE(theirs.note, u"first"_s);
    QCOMPARE(late.fitzpatrick, u"5"_s);
    QCOMPARE(late.version, 1);
    // Nothing was overwritten.
    QCOMPARE(storedVersion(), 2);
    QCOMPARE(stored().fitzpatrick, u"4"_s);
    // The plain save says no too.
    QVERIFY(!second.save(late, &error));

    // Based on the version stored now (keep mine): saved.
    late.version = theirs.version;
    QCOMPARE(second.save(late, &error, &theirs), SaveResult::Saved);
    QCOMPARE(late.version, 3);
    QCOMPARE(stored().fitzpatrick, u"5"_s);
    // And now the first window is the stale one.
    mine.note = u"again"_s;
    QCOMPARE(first.save(mine, &error, &theirs), SaveResult::Conflict);
    QCOMPARE(theirs.note, u"second"_s);
}

void TestConflicts::firstSaveFromTwoCopiesConflicts()
{
    QString error;
    AnnotationService first(*m_first, m_rater);
    AnnotationService second(*m_second, m_rater);
    Annotation a = edited(*first.own(m_image, &error), u"1"_s);
    Annotation b = edited(*second.own(m_image, &error), u"6"_s);
    QCOMPARE(a.version, 0);
    QCOMPARE(b.version, 0);
    QCOMPARE(first.save(a, &error, nullptr), SaveResult::Saved);
    Annotation theirs;
    QCOMPARE(second.save(b, &error, &theirs), SaveResult::Conflict);
    QCOMPARE(theirs.fitzpatrick, u"1"_s);
    QCOMPARE(theirs.version, 1);
    QCOMPARE(stored().fitzpatrick, u"1"_s);
}

void TestConflicts::equalLabelsAreNoConflict()
{
    QString error;
    AnnotationService first(*m_first, m_rater);
    AnnotationService second(*m_second, m_rater);
    Annotation a = edited(*first.own(m_image, &error), u"2"_s);
    Annotation b = *second.own(m_image, &error);
    QVERIFY(first.save(a, &error));
    // The same labels from a stale copy: nothing to overwrite, the copy takes the stored version.
    b = edited(b, u"2"_s);
    QCOMPARE(second.save(b, &error, nullptr), SaveResult::Saved);
    QCOMPARE(b.version, 1);
    QCOMPARE(storedVersion(), 1);
}

void TestConflicts::differencesFieldByField()
{
    Annotation stored;
    stored.gradable = true;
    stored.visibleCondition = u"yes"_s;
    stored.identifying = {u"face"_s};
    stored.diagnoses = {{u"eczema"_s, 4}};
    stored.fitzpatrick = u"3"_s;
    Annotation mine = stored;
    QVERIFY(LabelDifferences::between(stored, mine).isEmpty());
    mine.identifying = {u"face"_s, u"tattoo"_s};
    mine.diagnoses = {{u"eczema"_s, 2}, {u"psoriasis"_s, 3}};
    mine.note = u"mine"_s;
    const QList<LabelDifference> expected {
        {u"identifying_tattoo"_s, u"no"_s, u"yes"_s},
        {u"confidence_1"_s, u"4"_s, u"2"_s},
        {u"diagnosis_2"_s, QString(), u"psoriasis"_s},
        {u"confidence_2"_s, QString(), u"3"_s},
        {u"note"_s, QString(), u"mine"_s},
    };
    QCOMPARE(LabelDifferences::between(stored, mine), expected);
}

void TestConflicts::documentConflictKeepMine()
{
    LabellingDocument first(*m_first, m_rater, m_image, *m_saver);
    LabellingDocument second(*m_second, m_rater, m_image, *m_saver);
    QVERIFY2(first.isEditable() && second.isEditable(), qPrintable(first.openError() + second.openError()));
    QSignalSpy conflicts(&second, &LabellingDocument::labelsConflict);
    QSignalSpy resolved(&second, &LabellingDocument::conflictResolved);

    // The first window saves; the second, opened before, edits its stale copy.
    const Annotation blank = first.annotation();
    first.editLabels(blank, edited(blank, u"2"_s, u"theirs"_s), u"Edit"_s);
    QVERIFY(!first.hasUnsavedChanges());
    const Annotation staleBefore = second.annotation();
    const Annotation mine = edited(staleBefore, u"5"_s, u"mine"_s);
    second.editLabels(staleBefore, mine, u"Edit"_s);

    QCOMPARE(conflicts.size(), 1);
    QVERIFY(second.hasConflict());
    QVERIFY(second.hasUnsavedChanges());
    const auto theirs = conflicts.first().at(0).value<Annotation>();
    const auto unsaved = conflicts.first().at(1).value<Annotation>();
    QCOMPARE(theirs.note, u"theirs"_s);
    QCOMPARE(unsaved.note, u"mine"_s);
    QCOMPARE(second.storedLabels().fitzpatrick, u"2"_s);
    QVERIFY(second.annotation().sameLabels(mine));
    QCOMPARE(stored().note, u"theirs"_s); // not overwritten

    // Keep mine: saved over theirs, based on the version stored now.
    second.overwriteStored();
    QVERIFY(!second.hasConflict());
    QVERIFY(!second.hasUnsavedChanges());
    QCOMPARE(resolved.size(), 1);
    QCOMPARE(stored().note, u"mine"_s);
    QCOMPARE(storedVersion(), 2);

    // The history is consistent: undoing the edit saves the labels it started from, as a new
    // change of what is stored (no conflict with its own saves).
    second.undoStack()->undo();
    QVERIFY(!second.hasConflict());
    QVERIFY(stored().sameLabels(staleBefore));
    QCOMPARE(storedVersion(), 3);
    second.undoStack()->redo();
    QVERIFY(stored().sameLabels(mine));

    // The first window is stale now: its next edit conflicts in turn, and nothing is lost.
    QSignalSpy firstConflicts(&first, &LabellingDocument::labelsConflict);
    const Annotation firstNow = first.annotation();
    first.editLabels(firstNow, edited(firstNow, u"6"_s), u"Edit"_s);
    QCOMPARE(firstConflicts.size(), 1);
    QVERIFY(stored().sameLabels(mine));
}

void TestConflicts::documentConflictKeepTheirs()
{
    LabellingDocument first(*m_first, m_rater, m_image, *m_saver);
    LabellingDocument second(*m_second, m_rater, m_image, *m_saver);
    QSignalSpy saved(&second, &LabellingDocument::labelsSaved);
    QSignalSpy resolved(&second, &LabellingDocument::conflictResolved);

    const Annotation blank = first.annotation();
    const Annotation theirs = edited(blank, u"2"_s, u"theirs"_s);
    first.editLabels(blank, theirs, u"Edit"_s);
    const Annotation mine = edited(second.annotation(), u"5"_s, u"mine"_s);
    second.editLabels(second.annotation(), mine, u"Edit"_s);
    QVERIFY(second.hasConflict());
    QCOMPARE(second.undoStack()->count(), 1);
    const int version = storedVersion();

    // Keep theirs: the stored labels replace the edited ones, as an undo step; nothing is written.
    second.keepStored();
    QVERIFY(!second.hasConflict());
    QVERIFY(!second.hasUnsavedChanges());
    QCOMPARE(resolved.size(), 1);
    QVERIFY(second.annotation().sameLabels(theirs));
    QVERIFY(!saved.isEmpty());
    QVERIFY(saved.last().at(0).value<Annotation>().sameLabels(theirs));
    QCOMPARE(storedVersion(), version);
    QCOMPARE(second.undoStack()->count(), 2);
    QCOMPARE(second.undoStack()->text(1), u"Keep the stored labels"_s);

    // Undo of that step brings mine back, saved as a change of the stored labels.
    second.undoStack()->undo();
    QVERIFY(!second.hasConflict());
    QVERIFY(stored().sameLabels(mine));
    QCOMPARE(storedVersion(), version + 1);
    second.undoStack()->redo();
    QVERIFY(stored().sameLabels(theirs));
    QCOMPARE(storedVersion(), version + 2);
}

void TestConflicts::editsDuringAConflictStayUnsaved()
{
    LabellingDocument first(*m_first, m_rater, m_image, *m_saver);
    LabellingDocument second(*m_second, m_rater, m_image, *m_saver);
    QSignalSpy conflicts(&second, &LabellingDocument::labelsConflict);
    const Annotation blank = first.annotation();
    first.editLabels(blank, edited(blank, u"2"_s, u"theirs"_s), u"Edit"_s);
    Annotation mine = edited(second.annotation(), u"5"_s);
    second.editLabels(second.annotation(), mine, u"Edit"_s);
    Annotation more = mine;
    more.note = u"more"_s;
    second.editLabels(mine, more, u"Note"_s);
    // Each save meets the same conflict; the stored labels stay theirs.
    QCOMPARE(conflicts.size(), 2);
    QVERIFY(second.annotation().sameLabels(more));
    QCOMPARE(stored().note, u"theirs"_s);
    second.retrySaves();
    QCOMPARE(conflicts.size(), 3);
    QCOMPARE(stored().note, u"theirs"_s);
    second.overwriteStored();
    QVERIFY(stored().sameLabels(more));
}

void TestConflicts::managerKeepsAConflictingDocumentOpen()
{
    LabellingDocumentManager manager(*m_second, m_rater);
    LabellingDocument *doc = manager.open(m_image);
    QVERIFY(doc->isEditable());
    {
        LabellingDocument first(*m_first, m_rater, m_image, *m_saver);
        const Annotation blank = first.annotation();
        first.editLabels(blank, edited(blank, u"2"_s, u"theirs"_s), u"Edit"_s);
    }
    doc->editLabels(doc->annotation(), edited(doc->annotation(), u"5"_s), u"Edit"_s);
    QVERIFY(doc->hasConflict());
    // Closing would lose the edited labels: the document stays open until the rater decides.
    QVERIFY(!manager.close(m_image));
    QCOMPARE(manager.document(m_image), doc);
    doc->keepStored();
    QVERIFY(manager.close(m_image));
    QVERIFY(!manager.document(m_image));
    QCOMPARE(stored().note, u"theirs"_s);
}

void TestConflicts::paint(LabellingDocument &doc, const QString &layer, const cv::Rect &rect)
{
    MaskStroke stroke(*doc.masks(), layer, MaskTool::Rectangle);
    stroke.rectangle(rect, PaintMode::Paint);
    auto command = stroke.finish();
    QVERIFY(command);
    doc.undoStack()->push(command.release());
}

int TestConflicts::maskVersions(const QString &layer)
{
    QString error;
    const auto list = MaskService(*m_first, m_rater).versions(m_image, m_rater.id, layer, &error);
    return list ? int(list->size()) : -1;
}

cv::Mat TestConflicts::storedMask(const QString &layer, int version)
{
    QString error;
    return MaskService(*m_first, m_rater).loadVersion(m_image, m_rater.id, layer, version, &error).value_or(cv::Mat());
}

static bool sameMask(const cv::Mat &a, const cv::Mat &b)
{
    return !a.empty() && a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

void TestConflicts::maskSaveFromAStaleCopyConflicts()
{
    const QString face = u"identifying:face"_s;
    LabellingDocument first(*m_first, m_rater, m_image, *m_saver);
    LabellingDocument second(*m_second, m_rater, m_image, *m_saver);
    QVERIFY2(first.masks() && second.masks(), qPrintable(first.masksError() + second.masksError()));
    QSignalSpy conflicts(&second, &LabellingDocument::masksConflict);
    QSignalSpy resolved(&second, &LabellingDocument::conflictResolved);

    paint(first, face, cv::Rect(0, 0, 10, 10));
    QVERIFY(first.waitForSaves());
    QCOMPARE(maskVersions(face), 1);
    const cv::Mat theirs = storedMask(face, 1);

    // The second window draws on its stale copy: refused, the first window's region stays the latest.
    paint(second, face, cv::Rect(20, 10, 10, 10));
    QVERIFY(!second.waitForSaves());
    QCOMPARE(conflicts.size(), 1);
    QCOMPARE(conflicts.first().at(0).toStringList(), QStringList {face});
    QVERIFY(second.hasConflict());
    QVERIFY(!second.hasLabelConflict());
    QCOMPARE(second.conflictingLayers(), QStringList {face});
    QCOMPARE(maskVersions(face), 1);
    QVERIFY(sameMask(storedMask(face, 1), theirs));
    // Another step meets the same conflict; nothing is written.
    paint(second, face, cv::Rect(30, 20, 5, 5));
    QVERIFY(!second.waitForSaves());
    QCOMPARE(maskVersions(face), 1);

    // Overwrite: saved over theirs, based on the version stored now.
    const cv::Mat mine = second.masks()->mask(face).clone();
    second.overwriteStored();
    QCOMPARE(resolved.size(), 1);
    QVERIFY(second.waitForSaves());
    QVERIFY(!second.hasConflict());
    QCOMPARE(maskVersions(face), 2);
    QVERIFY(sameMask(storedMask(face, 2), mine));
    // Further steps of the second window save as usual (based on its own save).
    paint(second, face, cv::Rect(0, 20, 5, 5));
    QVERIFY(second.waitForSaves());
    QCOMPARE(maskVersions(face), 3);
    // And the first window is stale now.
    QSignalSpy firstConflicts(&first, &LabellingDocument::masksConflict);
    paint(first, face, cv::Rect(35, 0, 5, 5));
    QVERIFY(!first.waitForSaves());
    QCOMPARE(firstConflicts.size(), 1);
    QCOMPARE(maskVersions(face), 3);
}

void TestConflicts::maskConflictKeepTheirs()
{
    const QString face = u"identifying:face"_s;
    LabellingDocument first(*m_first, m_rater, m_image, *m_saver);
    LabellingDocument second(*m_second, m_rater, m_image, *m_saver);
    QVERIFY(first.masks() && second.masks());
    QSignalSpy replaced(&second, &LabellingDocument::masksReplaced);
    // Labels and a region, both saved by the first window first.
    const Annotation blank = first.annotation();
    const Annotation theirLabels = edited(blank, u"2"_s, u"theirs"_s);
    first.editLabels(blank, theirLabels, u"Edit"_s);
    paint(first, face, cv::Rect(0, 0, 10, 10));
    QVERIFY(first.waitForSaves());
    const cv::Mat theirs = storedMask(face, 1);
    const Annotation myLabels = edited(second.annotation(), u"5"_s, u"mine"_s);
    second.editLabels(second.annotation(), myLabels, u"Edit"_s);
    paint(second, face, cv::Rect(20, 10, 10, 10));
    QVERIFY(!second.waitForSaves());
    QVERIFY(second.hasLabelConflict());
    QCOMPARE(second.conflictingLayers(), QStringList {face});
    const cv::Mat mine = second.masks()->mask(face).clone();
    const int steps = second.undoStack()->count();

    // Keep theirs: labels and region replaced in one undo step; nothing new is stored.
    second.keepStored();
    QVERIFY(!second.hasConflict());
    QCOMPARE(second.undoStack()->count(), steps + 1);
    QVERIFY(!replaced.isEmpty());
    QVERIFY(sameMask(second.masks()->mask(face), theirs));
    QVERIFY(second.annotation().sameLabels(theirLabels));
    QVERIFY(second.waitForSaves());
    QVERIFY(!second.hasUnsavedChanges());
    QCOMPARE(maskVersions(face), 1);
    QVERIFY(stored().sameLabels(theirLabels));

    // Undo brings mine back, saved as changes of the stored ones; redo theirs again.
    second.undoStack()->undo();
    QVERIFY(second.waitForSaves());
    QVERIFY(!second.hasConflict());
    QVERIFY(sameMask(second.masks()->mask(face), mine));
    QCOMPARE(maskVersions(face), 2);
    QVERIFY(sameMask(storedMask(face, 2), mine));
    QVERIFY(stored().sameLabels(myLabels));
    second.undoStack()->redo();
    QVERIFY(second.waitForSaves());
    QCOMPARE(maskVersions(face), 3);
    QVERIFY(sameMask(storedMask(face, 3), theirs));
    QVERIFY(stored().sameLabels(theirLabels));
}

// MaskService::save() and saveChanged() on documents (what scripts and the command line use): each
// layer's save is based on the version the document read, as the labelling document's saves are.
void TestConflicts::maskServiceRefusesAStaleDocument()
{
    const QString face = u"identifying:face"_s;
    const QString tattoo = u"identifying:tattoo"_s;
    QString error;
    MaskService here(*m_first, m_rater);
    MaskService there(*m_second, m_rater);
    auto mine = here.openOwn(m_image, &error);
    QVERIFY2(mine, qPrintable(error));
    auto theirs = there.openOwn(m_image, &error);
    QVERIFY2(theirs, qPrintable(error));

    // The first copy saves a region of the face layer.
    mine->mask(face)(cv::Rect(0, 0, 10, 10)).setTo(255);
    mine->markChanged(face);
    SaveResult result = SaveResult::Failed;
    QCOMPARE(here.save(*mine, face, &error, &result), std::optional<int>(1));
    QCOMPARE(result, SaveResult::Saved);
    const cv::Mat first = storedMask(face, 1);

    // The second copy, read before that save, draws another region: refused, nothing written.
    theirs->mask(face)(cv::Rect(20, 10, 10, 10)).setTo(255);
    theirs->markChanged(face);
    QHash<QString, int> conflicts;
    QVERIFY(!there.save(*theirs, face, &error, &result, &conflicts));
    QCOMPARE(result, SaveResult::Conflict);
    QCOMPARE(conflicts, (QHash<QString, int> {{face, 1}}));
    QVERIFY(!error.isEmpty());
    QCOMPARE(maskVersions(face), 1);
    QVERIFY(sameMask(storedMask(face, 1), first));
    QVERIFY(theirs->isChanged(face)); // still unsaved, not lost

    // saveChanged: one stale layer refuses the whole save, the other layer is not written either.
    theirs->mask(tattoo)(cv::Rect(0, 0, 5, 5)).setTo(255);
    theirs->markChanged(tattoo);
    conflicts.clear();
    QCOMPARE(there.saveChanged(*theirs, &error, &conflicts), SaveResult::Conflict);
    QCOMPARE(conflicts, (QHash<QString, int> {{face, 1}}));
    QVERIFY(!there.saveChanged(*theirs, &error));
    QCOMPARE(maskVersions(face), 1);
    QCOMPARE(maskVersions(tattoo), 0);

    // Keeping mine: based on the version stored now, the save goes through as a new version.
    const cv::Mat kept = theirs->mask(face).clone();
    theirs->markSaved(face, conflicts.value(face));
    theirs->markChanged(face);
    QCOMPARE(there.saveChanged(*theirs, &error, &conflicts), SaveResult::Saved);
    QCOMPARE(maskVersions(face), 2);
    QCOMPARE(maskVersions(tattoo), 1);
    QVERIFY(sameMask(storedMask(face, 2), kept));

    // Now the first copy is the stale one.
    mine->mask(face)(cv::Rect(30, 20, 5, 5)).setTo(255);
    mine->markChanged(face);
    QCOMPARE(here.saveChanged(*mine, &error, &conflicts), SaveResult::Conflict);
    QCOMPARE(conflicts.value(face), 2);
    QCOMPARE(maskVersions(face), 2);
    // Taking theirs: read again; a save of the same content writes nothing new.
    auto reread = here.openOwn(m_image, &error);
    QVERIFY2(reread, qPrintable(error));
    QVERIFY(sameMask(reread->mask(face), kept));
    reread->markChanged(face);
    QCOMPARE(here.save(*reread, face, &error, &result), std::optional<int>(2));
    QCOMPARE(result, SaveResult::Saved);
    QCOMPARE(maskVersions(face), 2);
}

QTEST_GUILESS_MAIN(TestConflicts)
#include "tst_conflicts.moc"
