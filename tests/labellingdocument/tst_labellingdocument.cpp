// SPDX-License-Identifier: GPL-3.0-or-later
// The labelling document without a screen: label edits saved in their undo steps, mask steps saved
// on the save worker (never on the calling thread), the latest state of a layer winning, failed
// saves reported and caught up, and the session's documents bounded and flushed when closed.
#include "annotation/AnnotationEditCommand.h"
#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "labelling/LabellingDocument.h"
#include "labelling/LabellingDocumentManager.h"
#include "masks/MaskDocument.h"
#include "masks/MaskEditCommand.h"
#include "masks/MaskService.h"
#include "masks/MaskStroke.h"
#include "model/Annotation.h"
#include "store/AssignmentRepository.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "store/Transaction.h"
#include "store/UserRepository.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QUndoStack>

#include <memory>
#include <opencv2/core.hpp>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

const QString Face = u"identifying:face"_s;
const QString Tattoo = u"identifying:tattoo"_s;

bool sameMask(const cv::Mat &a, const cv::Mat &b)
{
    return !a.empty() && a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

} // namespace

class TestLabellingDocument : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void labelEditsAreSavedUndoneAndRedone();
    void maskStepIsSavedOnTheWorker();
    void latestStateOfALayerWins();
    void undoOfAMaskStepSavesThePreviousState();
    void failedMaskSaveIsReportedAndCaughtUp();
    void failedLabelSaveIsRetried();
    void notEditableWithoutAssignment();
    void managerKeepsRecentDocumentsAndFlushesOnClose();
    void managerKeepsADocumentItCannotSave();

private:
    qint64 addImage(int width, int height);
    std::unique_ptr<LabellingDocument> openDocument(qint64 imageId);
    /// A rectangle painted on a layer of the document, pushed as one undo step.
    void paint(LabellingDocument &doc, const QString &layer, const cv::Rect &rect);
    int storedVersions(qint64 imageId, const QString &layer);
    cv::Mat storedMask(qint64 imageId, const QString &layer, int version);
    bool setAssigned(qint64 imageId, bool assigned);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<QThreadPool> m_saver;
    User m_admin;
    User m_rater;
    QList<qint64> m_images;
};

void TestLabellingDocument::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QString error;
    m_store = Store::open(m_dir->filePath(u"doc.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(m_store, qPrintable(error));
    UserRepository users(m_store->db());
    m_admin = *users.findById(users.add(u"admin"_s, {}, Role::Admin, u"password"_s, &error, 1), &error);
    m_rater = *users.findById(users.add(u"dr.a"_s, {}, Role::Annotator, u"password"_s, &error, 1), &error);
    m_images.clear();
    for (int i = 0; i < 4; ++i)
        m_images.append(addImage(200, 100));
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    m_saver = std::make_unique<QThreadPool>();
    m_saver->setMaxThreadCount(1);
}

void TestLabellingDocument::cleanup()
{
    m_saver.reset();
    m_store.reset();
    m_dir.reset();
}

qint64 TestLabellingDocument::addImage(int width, int height)
{
    QString error;
    ImageRecord record;
    const int n = int(m_images.size());
    record.publicId = u"img-%1"_s.arg(n);
    record.sha256 = u"%1"_s.arg(n, 64, 16, QLatin1Char('0'));
    record.format = u"jpeg"_s;
    record.width = width;
    record.height = height;
    record.byteSize = 1000;
    return ImageRepository(m_store->db()).insert(record, &error);
}

std::unique_ptr<LabellingDocument> TestLabellingDocument::openDocument(qint64 imageId)
{
    return std::make_unique<LabellingDocument>(*m_store, m_rater, imageId, *m_saver);
}

void TestLabellingDocument::paint(LabellingDocument &doc, const QString &layer, const cv::Rect &rect)
{
    MaskStroke stroke(*doc.masks(), layer, MaskTool::Rectangle);
    stroke.rectangle(rect, PaintMode::Paint);
    auto command = stroke.finish();
    QVERIFY(command);
    doc.undoStack()->push(command.release());
}

int TestLabellingDocument::storedVersions(qint64 imageId, const QString &layer)
{
    QString error;
    const auto list = MaskService(*m_store, m_rater).versions(imageId, m_rater.id, layer, &error);
    return list ? int(list->size()) : -1;
}

cv::Mat TestLabellingDocument::storedMask(qint64 imageId, const QString &layer, int version)
{
    QString error;
    return MaskService(*m_store, m_rater).loadVersion(imageId, m_rater.id, layer, version, &error).value_or(cv::Mat());
}

bool TestLabellingDocument::setAssigned(qint64 imageId, bool assigned)
{
    QString error;
    AssignmentRepository assignments(m_store->db());
    return assigned ? assignments.add(imageId, m_rater.id, &error) : assignments.remove(imageId, m_rater.id, &error);
}

void TestLabellingDocument::labelEditsAreSavedUndoneAndRedone()
{
    const qint64 image = m_images.first();
    auto doc = openDocument(image);
    QVERIFY2(doc->isEditable(), qPrintable(doc->openError()));
    QVERIFY(doc->masks());
    QSignalSpy saved(doc.get(), &LabellingDocument::labelsSaved);
    AnnotationService service(*m_store, m_rater);
    QString error;

    const Annotation before = doc->annotation();
    Annotation after = before;
    after.gradable = true;
    after.identifying = QStringList {u"face"_s};
    doc->editLabels(before, after, u"Gradable"_s);
    QCOMPARE(saved.size(), 1);
    QVERIFY(doc->annotation().sameLabels(after));
    QVERIFY(service.own(image, &error)->sameLabels(after));
    QCOMPARE(doc->undoStack()->count(), 1);

    doc->undoStack()->undo();
    QCOMPARE(saved.size(), 2);
    QVERIFY(service.own(image, &error)->sameLabels(before));
    QVERIFY(doc->annotation().sameLabels(before));
    doc->undoStack()->redo();
    QVERIFY(service.own(image, &error)->sameLabels(after));
    QVERIFY(!doc->hasUnsavedChanges());

    // Typing a note: one undo step, saved at every keystroke.
    Annotation typed = after;
    for (const QString &note : {u"s"_s, u"sc"_s, u"scar"_s}) {
        Annotation next = typed;
        next.note = note;
        doc->editLabels(typed, next, u"Note"_s, AnnotationEditCommand::NoteKey);
        typed = next;
        QCOMPARE(service.own(image, &error)->note, note);
    }
    QCOMPARE(doc->undoStack()->count(), 2);
    doc->undoStack()->undo();
    QVERIFY(service.own(image, &error)->note.isEmpty());
    // No mask step was involved: nothing was queued for the worker.
    QVERIFY(!doc->isSaving());
}

void TestLabellingDocument::maskStepIsSavedOnTheWorker()
{
    const qint64 image = m_images.first();
    auto doc = openDocument(image);
    QSignalSpy saved(doc.get(), &LabellingDocument::masksSaved);
    QSignalSpy edited(doc.get(), &LabellingDocument::masksEdited);
    QSignalSpy failed(doc.get(), &LabellingDocument::saveFailed);
    QSignalSpy finished(doc.get(), &LabellingDocument::savesFinished);

    // This thread holds the store's write lock: a save on this thread could not write now (it
    // would fail, or wait the whole busy timeout); the step is pushed at once all the same.
    auto hold = std::make_unique<Transaction>(m_store->db());
    QVERIFY2(hold->isActive(), qPrintable(hold->error()));
    paint(*doc, Face, {20, 10, 50, 40});
    QCOMPARE(edited.size(), 1);
    QCOMPARE(edited.first().first().toStringList(), QStringList {Face});
    QVERIFY(doc->isSaving());
    QVERIFY(doc->hasUnsavedChanges());
    QVERIFY(doc->masks()->isChanged(Face));
    QCOMPARE(storedVersions(image, Face), 0);
    QVERIFY(saved.isEmpty());
    hold.reset(); // rolled back: the worker may write

    QVERIFY2(doc->waitForSaves(), qPrintable(doc->lastError()));
    QVERIFY(failed.isEmpty());
    QCOMPARE(saved.size(), 1);
    QCOMPARE(saved.first().first().toStringList(), QStringList {Face});
    QCOMPARE(finished.size(), 1);
    QVERIFY(!doc->isSaving());
    QVERIFY(!doc->masks()->isChanged(Face));
    QCOMPARE(doc->masks()->savedVersion(Face), 1);
    QVERIFY(doc->masks()->annotationId() > 0);
    QCOMPARE(storedVersions(image, Face), 1);
    QVERIFY(sameMask(storedMask(image, Face, 1), doc->masks()->mask(Face)));
    // The first save started the work on the image.
    QString error;
    QCOMPARE(AssignmentRepository(m_store->db()).status(image, m_rater.id, &error), AssignmentStatus::InProgress);
}

void TestLabellingDocument::latestStateOfALayerWins()
{
    const qint64 image = m_images.first();
    auto doc = openDocument(image);
    QSignalSpy failed(doc.get(), &LabellingDocument::saveFailed);
    auto hold = std::make_unique<Transaction>(m_store->db());
    QVERIFY(hold->isActive());
    // The first step's save starts and waits for the lock; the next two are queued behind it, the
    // later replacing the earlier.
    paint(*doc, Face, {0, 0, 10, 10});
    const cv::Mat first = doc->masks()->mask(Face).clone();
    paint(*doc, Face, {30, 30, 10, 10});
    paint(*doc, Face, {60, 60, 10, 10});
    paint(*doc, Tattoo, {100, 20, 30, 30});
    QCOMPARE(doc->undoStack()->count(), 4);
    hold.reset();
    QVERIFY2(doc->waitForSaves(), qPrintable(doc->lastError()));
    QVERIFY(failed.isEmpty());
    QCOMPARE(storedVersions(image, Face), 2);
    QVERIFY(sameMask(storedMask(image, Face, 1), first));
    QVERIFY(sameMask(storedMask(image, Face, 2), doc->masks()->mask(Face)));
    QCOMPARE(cv::countNonZero(storedMask(image, Face, 2)), 300);
    QCOMPARE(storedVersions(image, Tattoo), 1);
    QVERIFY(sameMask(storedMask(image, Tattoo, 1), doc->masks()->mask(Tattoo)));
    QVERIFY(doc->masks()->changedLayers().isEmpty());
}

void TestLabellingDocument::undoOfAMaskStepSavesThePreviousState()
{
    const qint64 image = m_images.first();
    auto doc = openDocument(image);
    paint(*doc, Face, {10, 10, 40, 30});
    const cv::Mat afterFirst = doc->masks()->mask(Face).clone();
    QVERIFY(doc->waitForSaves());
    paint(*doc, Face, {100, 50, 40, 30});
    QVERIFY(doc->waitForSaves());
    QCOMPARE(storedVersions(image, Face), 2);

    doc->undoStack()->undo();
    QVERIFY(doc->waitForSaves());
    QCOMPARE(storedVersions(image, Face), 3);
    QVERIFY(sameMask(storedMask(image, Face, 3), afterFirst));
    doc->undoStack()->undo();
    QVERIFY(doc->waitForSaves());
    QCOMPARE(cv::countNonZero(storedMask(image, Face, 4)), 0);
    doc->undoStack()->redo();
    QVERIFY(doc->waitForSaves());
    QVERIFY(sameMask(storedMask(image, Face, 5), afterFirst));
    QCOMPARE(doc->masks()->savedVersion(Face), 5);

    // A document opened again has what was stored.
    doc.reset();
    auto reopened = openDocument(image);
    QVERIFY(sameMask(reopened->masks()->mask(Face), afterFirst));
}

void TestLabellingDocument::failedMaskSaveIsReportedAndCaughtUp()
{
    const qint64 image = m_images.first();
    auto doc = openDocument(image);
    QSignalSpy failed(doc.get(), &LabellingDocument::saveFailed);
    QSignalSpy saved(doc.get(), &LabellingDocument::masksSaved);
    paint(*doc, Face, {10, 10, 20, 20});
    QVERIFY(doc->waitForSaves());
    QCOMPARE(storedVersions(image, Face), 1);

    // An admin takes the image away from the rater meanwhile: the next save is refused.
    QVERIFY(setAssigned(image, false));
    paint(*doc, Face, {100, 50, 20, 20});
    QVERIFY(!doc->waitForSaves());
    QCOMPARE(failed.size(), 1);
    QVERIFY2(failed.first().first().toString().contains(u"not assigned"_s),
             qPrintable(failed.first().first().toString()));
    QCOMPARE(doc->lastError(), failed.first().first().toString());
    QVERIFY(doc->hasUnsavedChanges());
    QVERIFY(doc->masks()->isChanged(Face)); // kept in memory
    const cv::Mat inMemory = doc->masks()->mask(Face).clone();
    QCOMPARE(cv::countNonZero(inMemory), 800);

    // Assigned again: the next step, on another layer, saves it too.
    QVERIFY(setAssigned(image, true));
    QCOMPARE(storedVersions(image, Face), 1);
    paint(*doc, Tattoo, {150, 10, 20, 20});
    QVERIFY2(doc->waitForSaves(), qPrintable(doc->lastError()));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(saved.last().first().toStringList(), (QStringList {Face, Tattoo}));
    QVERIFY(doc->masks()->changedLayers().isEmpty());
    QVERIFY(doc->lastError().isEmpty());
    QCOMPARE(storedVersions(image, Face), 2);
    QVERIFY(sameMask(storedMask(image, Face, 2), inMemory));
    QCOMPARE(storedVersions(image, Tattoo), 1);

    // An explicit retry does the same without a new step.
    QVERIFY(setAssigned(image, false));
    doc->undoStack()->undo();
    QVERIFY(!doc->waitForSaves());
    QCOMPARE(failed.size(), 2);
    QVERIFY(setAssigned(image, true));
    doc->retrySaves();
    QVERIFY(doc->waitForSaves());
    QCOMPARE(storedVersions(image, Tattoo), 2);
    QCOMPARE(cv::countNonZero(storedMask(image, Tattoo, 2)), 0);
}

void TestLabellingDocument::failedLabelSaveIsRetried()
{
    const qint64 image = m_images.first();
    auto doc = openDocument(image);
    QSignalSpy failed(doc.get(), &LabellingDocument::saveFailed);
    QSignalSpy saved(doc.get(), &LabellingDocument::labelsSaved);
    AnnotationService service(*m_store, m_rater);
    QString error;
    QVERIFY(setAssigned(image, false));
    const Annotation before = doc->annotation();
    Annotation after = before;
    after.fitzpatrick = u"4"_s;
    doc->editLabels(before, after, u"Fitzpatrick"_s);
    QCOMPARE(failed.size(), 1);
    QVERIFY(saved.isEmpty());
    QVERIFY(doc->hasUnsavedChanges());
    QCOMPARE(doc->annotation().fitzpatrick, u"4"_s); // what the form shows stays

    QVERIFY(setAssigned(image, true));
    doc->retrySaves();
    QCOMPARE(saved.size(), 1);
    QVERIFY(!doc->hasUnsavedChanges());
    QCOMPARE(service.own(image, &error)->fitzpatrick, u"4"_s);
}

void TestLabellingDocument::notEditableWithoutAssignment()
{
    const qint64 image = m_images.first();
    QVERIFY(setAssigned(image, false));
    auto doc = openDocument(image);
    QVERIFY(!doc->isEditable());
    QVERIFY2(doc->openError().contains(u"not assigned"_s), qPrintable(doc->openError()));
    QVERIFY(!doc->masks());
    QVERIFY(doc->undoStack());
    Annotation after = doc->annotation();
    after.gradable = false;
    doc->editLabels(doc->annotation(), after, u"Gradable"_s);
    QCOMPARE(doc->undoStack()->count(), 0);
    QVERIFY(doc->waitForSaves());
}

void TestLabellingDocument::managerKeepsRecentDocumentsAndFlushesOnClose()
{
    LabellingDocumentManager manager(*m_store, m_rater, 2);
    QSignalSpy opened(&manager, &LabellingDocumentManager::documentOpened);
    QSignalSpy closing(&manager, &LabellingDocumentManager::aboutToClose);
    LabellingDocument *first = manager.open(m_images.at(0));
    QCOMPARE(manager.open(m_images.at(0)), first);
    QCOMPARE(opened.size(), 1);
    // A step whose save may still be running when the document is closed.
    paint(*first, Face, {10, 10, 30, 30});
    const cv::Mat painted = first->masks()->mask(Face).clone();

    LabellingDocument *second = manager.open(m_images.at(1));
    QVERIFY(second != first);
    QCOMPARE(manager.documents(), (QList<LabellingDocument *> {second, first}));
    QVERIFY(closing.isEmpty());
    manager.open(m_images.at(2)); // the third: the least recently used goes, its save done first
    QCOMPARE(closing.size(), 1);
    QCOMPARE(closing.first().first().value<LabellingDocument *>(), first);
    QVERIFY(!manager.document(m_images.at(0)));
    QVERIFY(manager.document(m_images.at(1)));
    QCOMPARE(storedVersions(m_images.at(0), Face), 1);
    QVERIFY(sameMask(storedMask(m_images.at(0), Face, 1), painted));

    // Closing everything flushes the rest.
    LabellingDocument *third = manager.document(m_images.at(2));
    paint(*third, Tattoo, {50, 50, 10, 10});
    QVERIFY(manager.closeAll());
    QVERIFY(manager.documents().isEmpty());
    QCOMPARE(storedVersions(m_images.at(2), Tattoo), 1);
}

void TestLabellingDocument::managerKeepsADocumentItCannotSave()
{
    LabellingDocumentManager manager(*m_store, m_rater, 1);
    LabellingDocument *first = manager.open(m_images.at(0));
    QSignalSpy failed(first, &LabellingDocument::saveFailed);
    QVERIFY(setAssigned(m_images.at(0), false));
    paint(*first, Face, {10, 10, 30, 30});
    manager.open(m_images.at(1));
    // Its changes cannot be stored: it stays open (and said so) rather than losing them.
    QVERIFY(!failed.isEmpty());
    QCOMPARE(manager.document(m_images.at(0)), first);
    QCOMPARE(manager.documents().size(), 2);

    QVERIFY(setAssigned(m_images.at(0), true));
    manager.open(m_images.at(2)); // tried again, saved, closed
    QVERIFY(!manager.document(m_images.at(0)));
    QCOMPARE(manager.documents().size(), 1);
    QCOMPARE(storedVersions(m_images.at(0), Face), 1);
    QCOMPARE(cv::countNonZero(storedMask(m_images.at(0), Face, 1)), 900);
}

QTEST_GUILESS_MAIN(TestLabellingDocument)
#include "tst_labellingdocument.moc"
