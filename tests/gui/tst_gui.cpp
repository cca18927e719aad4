// SPDX-License-Identifier: GPL-3.0-or-later
// The main window on the offscreen platform: opening stores, the image
// browser model, and an import with its progress dialog.
#include "ImportFixtures.h"

#include "ImageListModel.h"
#include "ImportController.h"
#include "LabellingView.h"
#include "CaseContextBar.h"
#include "MainWindow.h"
#include "QueueFilterModel.h"
#include "ShortcutSheet.h"
#include "canvas/ImageCanvas.h"
#include "labelform/LabelForm.h"

#include "import/ImportService.h"
#include "annotation/AssignmentService.h"
#include "store/AnnotationRepository.h"
#include "store/AssignmentRepository.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QComboBox>
#include <QListView>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace dl;

class TestGui : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void windowOpensStore();
    void adminSeesProjectProgress();
    void firstStartCreatesAdmin();
    void signInRefusesWrongPassword();
    void annotatorSeesOnlyTheirQueue();
    void annotatorLabelsWithKeyboardAndResumes();
    void caseContextAndShortcutSheet();
    void unopenableStoreShowsMessage();
    void imageModelPassesTester();
    void importRunsOffTheUiThreadWithProgress();

private:
    /// Closes the next modal dialog (message box) and remembers its text.
    void closeNextModal(QString *text);
    QString makeStoreWithImages(const QString &name, int images);

    QTemporaryDir m_dir;
};

void TestGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // keep QSettings away from the user's
    QCoreApplication::setOrganizationName(u"DermLabelTest"_s);
}

void TestGui::closeNextModal(QString *text)
{
    QTimer::singleShot(50, this, [this, text] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal) {
            closeNextModal(text);
            return;
        }
        if (auto *box = qobject_cast<QMessageBox *>(modal))
            *text = box->text() + u'\n' + box->informativeText();
        modal->close();
    });
}

QString TestGui::makeStoreWithImages(const QString &name, int images)
{
    const QString path = m_dir.filePath(name);
    const QString folder = m_dir.filePath(name + u"-images"_s);
    for (int i = 0; i < images; ++i)
        fixtures::write(folder + u"/i%1.jpg"_s.arg(i), fixtures::jpeg(240, 180, 1000 + i));
    QString error;
    auto store = Store::open(path, Store::OpenMode::CreateIfMissing, &error);
    ImportService(*store).importPath(ImportKind::Folder, folder, {});
    UserRepository(store->db()).add(u"admin"_s, u"Ada Admin"_s, Role::Admin, u"admin-pass"_s, &error, 1);
    return path;
}

void TestGui::windowOpensStore()
{
    const QString path = makeStoreWithImages(u"open.dermlabel"_s, 4);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.windowTitle(), u"DermLabel"_s);
    QVERIFY(window.openStore(path, u"admin"_s, u"admin-pass"_s));
    QCOMPARE(window.windowTitle(), u"open — DermLabel"_s);
    QCOMPARE(window.user()->name, u"admin"_s);
    auto *view = window.findChild<QListView *>(u"imageBrowser"_s);
    QVERIFY(view);
    QCOMPARE(view->model()->rowCount(), 4);
    QVERIFY(!view->model()->index(0, 0).data(Qt::DecorationRole).value<QPixmap>().isNull());
    auto *summary = window.findChild<QLabel *>(u"storeSummary"_s);
    QVERIFY(summary->text().contains(u"<b>4</b>"_s));
    // The store is locked for this session.
    QString error;
    auto other = Store::open(path, Store::OpenMode::MustExist, &error);
    QVERIFY(!other->lockForWriting(&error));
}

void TestGui::adminSeesProjectProgress()
{
    const QString path = makeStoreWithImages(u"progress.dermlabel"_s, 4);
    {
        QString error;
        auto store = Store::open(path, Store::OpenMode::MustExist, &error);
        UserRepository users(store->db());
        const qint64 lee = users.add(u"dr.lee"_s, u"Dr. Lee Chen"_s, Role::Annotator, u"lee-pass-12"_s, &error, 1);
        const QList<qint64> images = ImageRepository(store->db()).ids(&error);
        QCOMPARE(images.size(), 4);
        AssignmentRepository assignments(store->db());
        QVERIFY(assignments.add(images[0], lee, &error));
        QVERIFY(assignments.add(images[1], lee, &error));
        QVERIFY(assignments.setStatus(images[0], lee, AssignmentStatus::Done, &error));
    }
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openStore(path, u"admin"_s, u"admin-pass"_s));
    const QString text = window.findChild<QLabel *>(u"storeSummary"_s)->text();
    QVERIFY2(text.contains(u"<h3>Project</h3>"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Images assigned</td><td align='right'><b>2</b> of 4"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Finished by every rater</td><td align='right'><b>1</b>"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Waiting for adjudication"_s), qPrintable(text));
    QVERIFY2(text.contains(u"<td>Dr. Lee Chen</td><td align='right'><b>1</b> of 2</td><td align='right'>1 to go</td>"_s),
             qPrintable(text));
}

void TestGui::firstStartCreatesAdmin()
{
    QString error;
    const QString path = m_dir.filePath(u"first.dermlabel"_s);
    Store::open(path, Store::OpenMode::CreateNew, &error);
    MainWindow window;
    window.show();
    QTimer::singleShot(50, this, [] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        QCOMPARE(dialog->objectName(), u"signInDialog"_s);
        dialog->findChild<QLineEdit *>(u"name"_s)->setText(u"chief"_s);
        dialog->findChild<QLineEdit *>(u"displayName"_s)->setText(u"Dr. Chief"_s);
        dialog->findChild<QLineEdit *>(u"password"_s)->setText(u"long-enough"_s);
        dialog->findChild<QLineEdit *>(u"repeat"_s)->setText(u"long-enough"_s);
        QTest::keyClick(dialog->findChild<QLineEdit *>(u"repeat"_s), Qt::Key_Return);
    });
    QVERIFY(window.openStore(path));
    QCOMPARE(window.user()->role, Role::Admin);
    QCOMPARE(window.user()->displayName, u"Dr. Chief"_s);
    QVERIFY(UserRepository(window.store()->db()).authenticate(u"chief"_s, u"long-enough"_s));
}

void TestGui::signInRefusesWrongPassword()
{
    const QString path = makeStoreWithImages(u"wrong.dermlabel"_s, 1);
    MainWindow window;
    window.show();
    QString message;
    QTimer::singleShot(50, this, [&message] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        dialog->findChild<QLineEdit *>(u"name"_s)->setText(u"admin"_s);
        dialog->findChild<QLineEdit *>(u"password"_s)->setText(u"guess"_s);
        QTest::keyClick(dialog->findChild<QLineEdit *>(u"password"_s), Qt::Key_Return);
        auto *label = dialog->findChild<QLabel *>(u"message"_s);
        message = label->isVisible() ? label->text() : QString();
        QVERIFY(dialog->isVisible()); // still asking
        dialog->reject();
    });
    QVERIFY(!window.openStore(path));
    QVERIFY2(message.contains(u"wrong"_s), qPrintable(message));
    QCOMPARE(window.store(), nullptr);
}

void TestGui::annotatorSeesOnlyTheirQueue()
{
    const QString path = makeStoreWithImages(u"queue.dermlabel"_s, 6);
    {
        QString error;
        auto store = Store::open(path, Store::OpenMode::MustExist, &error);
        UserRepository users(store->db());
        for (const QString &name : {u"dr.a"_s, u"dr.b"_s, u"dr.c"_s})
            users.add(name, {}, Role::Annotator, u"rater-pass"_s, &error, 1);
        const User admin = *users.findByName(u"admin"_s);
        QVERIFY(AssignmentService(*store, admin).assign({}, 1, &error));
    }
    MainWindow window;
    window.show();
    QVERIFY(window.openStore(path, u"dr.a"_s, u"rater-pass"_s));
    auto *view = window.findChild<QListView *>(u"imageBrowser"_s);
    QCOMPARE(view->model()->rowCount(), 2); // 6 images, 1 rater each, 3 raters
    QCOMPARE(view->model()->index(0, 0).data(ImageListModel::StatusRole).toString(), u"todo"_s);
    QVERIFY(window.findChild<QLabel *>(u"storeSummary"_s)->text().contains(u"Your queue"_s));
}

void TestGui::annotatorLabelsWithKeyboardAndResumes()
{
    const QString path = makeStoreWithImages(u"label.dermlabel"_s, 3);
    qint64 raterId = -1;
    {
        QString error;
        auto store = Store::open(path, Store::OpenMode::MustExist, &error);
        UserRepository users(store->db());
        raterId = users.add(u"dr.k"_s, u"Dr. Key"_s, Role::Annotator, u"rater-pass"_s, &error, 1);
        QVERIFY(AssignmentService(*store, *users.findByName(u"admin"_s)).assign({}, 1, &error));
    }
    qint64 firstImage = -1;
    {
        MainWindow window;
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.openStore(path, u"dr.k"_s, u"rater-pass"_s));
        LabellingView *view = window.labellingView();
        QVERIFY(view);
        QCOMPARE(view->currentRow(), 0);
        firstImage = view->currentImageId();
        QTRY_VERIFY_WITH_TIMEOUT(view->canvas()->hasImage(), 20'000); // decoded off the UI thread

        // Fitzpatrick III and Monk 4 from the keyboard, then Page Down.
        LabelForm *form = view->form();
        form->setFocus();
        QTest::keyClick(form, Qt::Key_F);
        QTest::keyClick(form, Qt::Key_3);
        QTest::keyClick(form, Qt::Key_M);
        QTest::keyClick(form, Qt::Key_4);
        QCOMPARE(form->annotation().fitzpatrick, u"3"_s);
        QCOMPARE(form->annotation().monk, u"4"_s);
        QTest::keyClick(form, Qt::Key_PageDown);
        QCOMPARE(view->currentRow(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(view->canvas()->hasImage(), 20'000);

        // An edit on the second image, undone with Ctrl+Z.
        form->setFocus();
        QTest::keyClick(form, Qt::Key_F);
        QTest::keyClick(form, Qt::Key_5);
        QCOMPARE(form->annotation().fitzpatrick, u"5"_s);
        QTest::keyClick(form, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(form->annotation().fitzpatrick, QString());
        const qint64 second = view->currentImageId();
        QString error;
        QCOMPARE(AnnotationRepository(window.store()->db()).find(second, raterId, &error)->fitzpatrick, QString());
        // Skip moves on and records the status.
        QTest::keyClick(form, Qt::Key_K, Qt::ControlModifier);
        QCOMPARE(view->currentRow(), 2);
        QCOMPARE(AssignmentRepository(window.store()->db()).status(second, raterId, &error), u"skipped"_s);

        // The queue filter: counts per status, and filtering through the proxy.
        QAbstractItemModelTester tester(view->queueFilter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(view->queueFilter()->count(u"skipped"_s), 1);
        QCOMPARE(view->queueFilter()->count(u"in_progress"_s), 1); // the first image has labels
        QVERIFY(view->statusFilter()->itemText(4).contains(u"(1)"_s));
        view->statusFilter()->setCurrentIndex(4); // skipped
        QCOMPARE(view->queueFilter()->rowCount(), 1);
        QCOMPARE(view->queueFilter()->index(0, 0).data(ImageListModel::ImageIdRole).toLongLong(), second);
        view->statusFilter()->setCurrentIndex(0);
        QCOMPARE(view->queueFilter()->rowCount(), 3);
    }
    // Restart: everything entered is there, nothing was lost.
    MainWindow again;
    again.show();
    QVERIFY(again.openStore(path, u"dr.k"_s, u"rater-pass"_s));
    LabellingView *view = again.labellingView();
    view->openRow(0);
    QCOMPARE(view->currentImageId(), firstImage);
    QCOMPARE(view->form()->annotation().fitzpatrick, u"3"_s);
    QCOMPARE(view->form()->annotation().monk, u"4"_s);
}

void TestGui::caseContextAndShortcutSheet()
{
    // A PASSION-like case with two images and metadata.
    const QString root = m_dir.filePath(u"ctx-passion"_s);
    fixtures::writeText(root + u"/label.csv"_s,
                        u"subject_id,country,age,sex,fitzpatrick,body_loc,impetig,conditions_PASSION\n"
                        "S1,Malawi,7,f,5,arm; leg,0.0,Eczema\n"_s);
    fixtures::write(root + u"/images/S1_0.jpg"_s, fixtures::jpeg(200, 150, 3001));
    fixtures::write(root + u"/images/S1_1.jpg"_s, fixtures::jpeg(200, 150, 3002));
    const QString path = m_dir.filePath(u"ctx.dermlabel"_s);
    {
        QString error;
        auto store = Store::open(path, Store::OpenMode::CreateNew, &error);
        ImportService(*store).importPath(ImportKind::Passion, root, {});
        UserRepository users(store->db());
        const qint64 admin = users.add(u"admin"_s, {}, Role::Admin, u"admin-pass"_s, &error, 1);
        users.add(u"dr.c"_s, {}, Role::Annotator, u"rater-pass"_s, &error, 1);
        QVERIFY(AssignmentService(*store, *users.findById(admin)).assign({}, 1, &error));
    }
    MainWindow window;
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(window.openStore(path, u"dr.c"_s, u"rater-pass"_s));
    CaseContextBar *bar = window.labellingView()->caseContext();
    QCOMPARE(bar->thumbnailCount(), 2);
    QVERIFY2(bar->metadataText().contains(u"7 years"_s), qPrintable(bar->metadataText()));
    QVERIFY(bar->metadataText().contains(u"arm, leg"_s));
    QVERIFY(!bar->metadataText().contains(u"Eczema"_s)); // reference labels stay hidden

    QList<QPair<QString, QString>> rows;
    QTimer::singleShot(50, this, [&rows] {
        if (auto *sheet = qobject_cast<ShortcutSheet *>(QApplication::activeModalWidget())) {
            rows = sheet->rows();
            sheet->reject();
        }
    });
    QTest::keyClick(window.labellingView()->form(), Qt::Key_F1);
    QStringList descriptions;
    for (const auto &row : rows)
        descriptions << row.second;
    QVERIFY2(descriptions.contains(u"Next Image"_s), qPrintable(descriptions.join(u", "_s)));
    QVERIFY(descriptions.contains(u"Undo"_s) || descriptions.join(u' ').contains(u"Undo"_s));
    QVERIFY(rows.size() > 15);
}

void TestGui::unopenableStoreShowsMessage()
{
    MainWindow window;
    window.show();
    QString shown;
    closeNextModal(&shown);
    QVERIFY(!window.openStore(m_dir.filePath(u"absent.dermlabel"_s)));
    QVERIFY2(shown.contains(u"There is no store"_s), qPrintable(shown));
    QCOMPARE(window.store(), nullptr);
    QCOMPARE(window.windowTitle(), u"DermLabel"_s);
}

void TestGui::imageModelPassesTester()
{
    const QString path = makeStoreWithImages(u"model.dermlabel"_s, 6);
    QString error;
    auto store = Store::open(path, Store::OpenMode::MustExist, &error);
    ImageListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    User admin;
    admin.role = Role::Admin;
    model.setStore(store.get(), admin);
    QCOMPARE(model.rowCount(), 6);
    QVERIFY(model.index(2, 0).data(ImageListModel::PublicIdRole).toString().startsWith(u"img-"_s));
    QCOMPARE(model.index(0, 0).data(ImageListModel::SizeRole).toSize(), QSize(240, 180));
    model.reload();
    QCOMPARE(model.rowCount(), 6);
}

void TestGui::importRunsOffTheUiThreadWithProgress()
{
    const QString folder = m_dir.filePath(u"gui-import"_s);
    for (int i = 0; i < 30; ++i)
        QVERIFY(fixtures::write(folder + u"/g%1.jpg"_s.arg(i), fixtures::jpeg(400, 300, 2000 + i)));
    QVERIFY(fixtures::write(folder + u"/broken.jpg"_s, fixtures::truncatedJpeg(3)));
    QString error;
    auto store = Store::open(m_dir.filePath(u"gui-import.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    QWidget window;
    window.show();
    ImportController controller(*store, &window);
    QSignalSpy finished(&controller, &ImportController::finished);
    controller.start(ImportKind::Folder, folder);
    QVERIFY(controller.isRunning());
    QVERIFY(window.findChild<QProgressDialog *>());
    QVERIFY(finished.wait(60'000));
    const auto report = finished.first().first().value<ImportReport>();
    QCOMPARE(report.imported, 30);
    QCOMPARE(report.rejected.size(), 1);
    QVERIFY(!controller.isRunning());
}

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
