// SPDX-License-Identifier: GPL-3.0-or-later
// The conflict on the labelling screen: when the labels of the open image were saved elsewhere
// (a second window on the same store), the panel above the form shows both values field by field
// and resolves the conflict from the keyboard: keep the stored labels (the form shows them, undo
// brings the edited ones back) or overwrite them with mine. Quitting or signing out with such a
// conflict asks: keep mine, take theirs, or cancel.
#include "ImageListModel.h"
#include "LabellingView.h"
#include "MainWindow.h"
#include "labelform/ClosingConflictDialog.h"
#include "labelform/LabelConflictPanel.h"
#include "labelform/LabelForm.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "labelling/LabellingDocument.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QAction>
#include <QApplication>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace dl;

class TestConflictPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void panelListsTheFieldsThatDiffer();
    void panelButtonsFromTheKeyboard();
    void labellingViewOverwritesWithMine();
    void labellingViewKeepsTheStoredLabels();
    void quittingWithAConflictOffersTheChoice_data();
    void quittingWithAConflictOffersTheChoice();

private:
    /// The other window saves labels (Fitzpatrick type and note) over what the view read.
    void saveElsewhere(const QString &fitzpatrick, const QString &note);
    Annotation stored();
    void openView();

    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<Store> m_other; // the second window
    User m_rater;
    qint64 m_image = -1;
    std::unique_ptr<ImageListModel> m_queue;
    std::unique_ptr<LabellingView> m_view;
};

void TestConflictPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void TestConflictPanel::init()
{
    static int round = 0;
    const QString path = m_dir.filePath(u"panel%1.dermlabel"_s.arg(++round));
    QString error;
    m_store = Store::open(path, Store::OpenMode::CreateNew, &error);
    QVERIFY2(m_store, qPrintable(error));
    m_other = Store::open(path, Store::OpenMode::MustExist, &error);
    QVERIFY2(m_other, qPrintable(error));
    UserRepository users(m_store->db());
    const User admin = *users.findById(users.add(u"admin"_s, {}, Role::Admin, u"password"_s, &error, 1), &error);
    m_rater = *users.findById(users.add(u"dr.a"_s, {}, Role::Annotator, u"password"_s, &error, 1), &error);
    ImageRecord record;
    record.publicId = u"img-1"_s;
    record.sha256 = QString(64, u'b');
    record.format = u"jpeg"_s;
    record.width = 64;
    record.height = 48;
    record.byteSize = 1000;
    m_image = ImageRepository(m_store->db()).insert(record, &error);
    QVERIFY2(m_image > 0, qPrintable(error));
    QVERIFY2(AssignmentService(*m_store, admin).assign({}, 1, &error), qPrintable(error));
}

void TestConflictPanel::cleanup()
{
    m_view.reset();
    m_queue.reset();
    m_other.reset();
    m_store.reset();
}

void TestConflictPanel::openView()
{
    m_queue = std::make_unique<ImageListModel>();
    m_queue->setStore(m_store.get(), m_rater);
    QCOMPARE(m_queue->rowCount(), 1);
    m_view = std::make_unique<LabellingView>(*m_store, m_rater, m_queue.get());
    m_view->resize(1200, 800);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    QApplication::setActiveWindow(m_view.get());
    QVERIFY(QTest::qWaitForWindowActive(m_view.get()));
    m_view->openRow(0);
    QVERIFY(m_view->document(m_image));
    QVERIFY(!m_view->conflictPanel()->isVisible());
}

void TestConflictPanel::saveElsewhere(const QString &fitzpatrick, const QString &note)
{
    QString error;
    AnnotationService other(*m_other, m_rater);
    Annotation a = *other.own(m_image, &error);
    a.gradable = true;
    a.fitzpatrick = fitzpatrick;
    a.note = note;
    QVERIFY2(other.save(a, &error), qPrintable(error));
}

Annotation TestConflictPanel::stored()
{
    QString error;
    return AnnotationService(*m_other, m_rater).own(m_image, &error).value_or(Annotation());
}

void TestConflictPanel::panelListsTheFieldsThatDiffer()
{
    LabelConflictPanel panel;
    Annotation theirs;
    theirs.gradable = true;
    theirs.fitzpatrick = u"3"_s;
    theirs.diagnoses = {{u"eczema"_s, 4}};
    Annotation mine = theirs;
    mine.fitzpatrick = u"5"_s;
    mine.note = u"mine"_s;
    panel.showConflict(theirs, mine);
    QVERIFY(!panel.isHidden());
    QTableWidget *table = panel.table();
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, 0)->text(), u"Fitzpatrick type"_s);
    QCOMPARE(table->item(0, 1)->text(), u"III"_s);
    QCOMPARE(table->item(0, 2)->text(), u"V"_s);
    QCOMPARE(table->item(1, 0)->text(), u"Note"_s);
    QCOMPARE(table->item(1, 1)->text(), u"Not answered"_s);
    QCOMPARE(table->item(1, 2)->text(), u"mine"_s);
    QCOMPARE(table->horizontalHeaderItem(1)->text(), u"Stored now"_s);
    QCOMPARE(table->horizontalHeaderItem(2)->text(), u"Yours (not saved)"_s);
    // A region layer saved elsewhere: its own row.
    panel.showConflict(theirs, mine, {u"identifying:face"_s});
    QCOMPARE(table->rowCount(), 3);
    QVERIFY(table->item(2, 0)->text().startsWith(u"Region: "_s));
    QCOMPARE(table->item(2, 1)->text(), u"Drawn elsewhere"_s);
}

void TestConflictPanel::panelButtonsFromTheKeyboard()
{
    LabelConflictPanel panel;
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy keep(&panel, &LabelConflictPanel::keepStoredRequested);
    QSignalSpy overwrite(&panel, &LabelConflictPanel::overwriteRequested);
    Annotation theirs;
    Annotation mine;
    mine.note = u"x"_s;
    panel.showConflict(theirs, mine);
    // Mnemonics on both buttons.
    QCOMPARE(panel.keepStoredButton()->text(), u"&Keep stored labels"_s);
    QCOMPARE(panel.overwriteButton()->text(), u"&Overwrite with mine"_s);
    panel.keepStoredButton()->setFocus();
    QTest::keyClick(panel.keepStoredButton(), Qt::Key_Space);
    QCOMPARE(keep.size(), 1);
    QTest::keyClick(panel.overwriteButton(), Qt::Key_Space);
    QCOMPARE(overwrite.size(), 1);
}

void TestConflictPanel::labellingViewOverwritesWithMine()
{
    openView();
    LabellingDocument *doc = m_view->document(m_image);
    saveElsewhere(u"2"_s, u"theirs"_s);

    // An edit on the screen's stale copy: refused, the panel shows both values.
    const Annotation before = m_view->form()->annotation();
    Annotation mine = before;
    mine.gradable = true;
    mine.fitzpatrick = u"5"_s;
    doc->editLabels(before, mine, u"Fitzpatrick"_s);
    QVERIFY(doc->hasConflict());
    LabelConflictPanel *panel = m_view->conflictPanel();
    QVERIFY(panel->isVisible());
    QCOMPARE(panel->table()->rowCount(), 2); // Fitzpatrick type, note
    QCOMPARE(panel->table()->item(0, 1)->text(), u"II"_s);
    QCOMPARE(panel->table()->item(0, 2)->text(), u"V"_s);
    QCOMPARE(stored().note, u"theirs"_s);

    // The panel took the focus: Tab from "Keep" to "Overwrite", Space: mine are saved over theirs.
    QCOMPARE(QApplication::focusWidget(), panel->keepStoredButton());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), panel->overwriteButton());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
    QVERIFY(!doc->hasConflict());
    QVERIFY(!panel->isVisible());
    QCOMPARE(stored().fitzpatrick, u"5"_s);
    QVERIFY(stored().note.isEmpty());
    QVERIFY(m_view->form()->annotation().sameLabels(mine));
    // The focus goes back to the form.
    QVERIFY(m_view->form()->isAncestorOf(QApplication::focusWidget()) || QApplication::focusWidget() == m_view->form());
}

void TestConflictPanel::labellingViewKeepsTheStoredLabels()
{
    openView();
    LabellingDocument *doc = m_view->document(m_image);
    saveElsewhere(u"2"_s, u"theirs"_s);
    const Annotation before = m_view->form()->annotation();
    Annotation mine = before;
    mine.gradable = true;
    mine.fitzpatrick = u"5"_s;
    doc->editLabels(before, mine, u"Fitzpatrick"_s);
    LabelConflictPanel *panel = m_view->conflictPanel();
    QVERIFY(panel->isVisible());

    QCOMPARE(QApplication::focusWidget(), panel->keepStoredButton());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
    QVERIFY(!doc->hasConflict());
    QVERIFY(!panel->isVisible());
    // The form shows what is stored; nothing was written.
    QCOMPARE(m_view->form()->annotation().note, u"theirs"_s);
    QCOMPARE(m_view->form()->annotation().fitzpatrick, u"2"_s);
    QCOMPARE(stored().version, 1);
    // Undo brings mine back (saved, based on the stored version), redo theirs again.
    doc->undoStack()->undo();
    QCOMPARE(m_view->form()->annotation().fitzpatrick, u"5"_s);
    QCOMPARE(stored().fitzpatrick, u"5"_s);
    QVERIFY(!panel->isVisible());
    doc->undoStack()->redo();
    QCOMPARE(m_view->form()->annotation().fitzpatrick, u"2"_s);
    QCOMPARE(stored().note, u"theirs"_s);
}

void TestConflictPanel::quittingWithAConflictOffersTheChoice_data()
{
    QTest::addColumn<int>("key");
    QTest::addColumn<bool>("closes");
    QTest::addColumn<QString>("storedFitzpatrick");
    QTest::newRow("escape cancels") << int(Qt::Key_Escape) << false << u"2"_s;
    QTest::newRow("keep mine") << int(Qt::Key_K) << true << u"5"_s;
    QTest::newRow("take theirs") << int(Qt::Key_T) << true << u"2"_s;
}

void TestConflictPanel::quittingWithAConflictOffersTheChoice()
{
    QFETCH(int, key);
    QFETCH(bool, closes);
    QFETCH(QString, storedFitzpatrick);
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openStore(m_store->location().filePath(), u"dr.a"_s, u"password"_s));
    LabellingView *view = window.labellingView();
    QVERIFY(view);
    view->openRow(0);
    LabellingDocument *doc = view->document(m_image);
    QVERIFY(doc);
    saveElsewhere(u"2"_s, u"theirs"_s);
    const Annotation before = doc->annotation();
    Annotation mine = before;
    mine.gradable = true;
    mine.fitzpatrick = u"5"_s;
    doc->editLabels(before, mine, u"Fitzpatrick"_s);
    QVERIFY(doc->hasConflict());

    // Closing the window asks; the dialog is answered from the keyboard once it is shown (in its
    // own event loop: the single-shot runs there).
    QString asked;
    bool defaultIsCancel = false;
    QTimer answer; // a local timer: gone with the test should no dialog come
    answer.setSingleShot(true);
    connect(&answer, &QTimer::timeout, this, [&] {
        auto *dialog = qobject_cast<ClosingConflictDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        asked = dialog->text() + u' ' + dialog->informativeText();
        defaultIsCancel = dialog->defaultButton() == dialog->cancelButton();
        QApplication::setActiveWindow(dialog);
        QTest::keyClick(dialog, Qt::Key(key));
    });
    answer.start(0);
    const bool closed = window.close();
    QVERIFY2(asked.contains(u"img-1"_s), qPrintable(asked));
    QVERIFY(asked.contains(u"changed elsewhere"_s));
    QVERIFY(defaultIsCancel);
    QCOMPARE(closed, closes);
    QCOMPARE(stored().fitzpatrick, storedFitzpatrick);
    if (!closes) {
        // Still open, the conflict on the labelling screen as before, nothing written.
        QVERIFY(window.isVisible());
        QCOMPARE(window.labellingView(), view);
        QVERIFY(doc->hasConflict());
        QCOMPARE(stored().note, u"theirs"_s);
        // Signing out asks too: take theirs this time, and the store closes.
        QTimer takeTheirs;
        takeTheirs.setSingleShot(true);
        connect(&takeTheirs, &QTimer::timeout, this, [] {
            if (auto *dialog = qobject_cast<ClosingConflictDialog *>(QApplication::activeModalWidget())) {
                QApplication::setActiveWindow(dialog);
                QTest::keyClick(dialog, Qt::Key_T);
            }
        });
        takeTheirs.start(0);
        QAction *signOut = nullptr;
        for (QAction *action : window.findChildren<QAction *>())
            if (action->text() == u"Sign &Out"_s)
                signOut = action;
        QVERIFY(signOut);
        signOut->trigger();
        QVERIFY(!window.labellingView());
        QVERIFY(!window.store());
        QCOMPARE(stored().fitzpatrick, u"2"_s);
    } else {
        QVERIFY(!doc->hasConflict());
        QVERIFY(!window.isVisible());
    }
}

QTEST_MAIN(TestConflictPanel)
#include "tst_conflictpanel.moc"
