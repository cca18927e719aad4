// SPDX-License-Identifier: GPL-3.0-or-later
// A complete label from the keyboard in the real labelling screen (MainWindow on a store file): the
// documented key sequence (README, "A label without the mouse") typed as a user types it, wherever
// the focus starts, and every value checked in the store.
#include "ImportFixtures.h"

#include "LabellingView.h"
#include "MainWindow.h"
#include "ShortcutSheet.h"
#include "canvas/ImageCanvas.h"
#include "labelform/DiagnosisRow.h"
#include "labelform/LabelForm.h"
#include "labelform/SegmentedButtons.h"
#include "masks/MaskCanvas.h"
#include "masks/MaskLayerPanel.h"

#include "annotation/AssignmentService.h"
#include "import/ImportService.h"
#include "store/AnnotationRepository.h"
#include "store/AssignmentRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QCheckBox>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <functional>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

/// One step of the documented sequence: a key (with modifiers), or letters typed into a text field.
struct Step
{
    Qt::Key key = Qt::Key_unknown;
    Qt::KeyboardModifiers modifiers = Qt::NoModifier;
    QString letters; ///< typed to find the condition (not counted as keystrokes)
};

/// The sequence documented in README.md: G V Shift+S D "ecz" Enter 4 F 3 M 5 PageDown.
const QList<Step> &documentedSequence()
{
    static const QList<Step> steps {
        {Qt::Key_G, Qt::NoModifier, {}},         // gradable: yes
        {Qt::Key_V, Qt::NoModifier, {}},         // visible skin condition: yes
        {Qt::Key_S, Qt::ShiftModifier, {}},      // sensitive content: no (identifying: none, nothing to do)
        {Qt::Key_D, Qt::NoModifier, {}},         // to the first diagnosis
        {Qt::Key_unknown, Qt::NoModifier, u"ecz"_s}, // type-ahead: Eczema is offered first
        {Qt::Key_Return, Qt::NoModifier, {}},    // choose it; the focus goes to its confidence
        {Qt::Key_4, Qt::NoModifier, {}},         // confidence 4; the focus goes back to the form
        {Qt::Key_F, Qt::NoModifier, {}},         // Fitzpatrick ...
        {Qt::Key_3, Qt::NoModifier, {}},         // ... type III
        {Qt::Key_M, Qt::NoModifier, {}},         // Monk ...
        {Qt::Key_5, Qt::NoModifier, {}},         // ... tone 5
        {Qt::Key_PageDown, Qt::NoModifier, {}},  // next image
    };
    return steps;
}

/// Where the window sends a key (as QWidgetWindow does): an open popup (the type-ahead's offers),
/// else the focus widget, else the window itself.
QWidget *keyTarget()
{
    if (QWidget *popup = QApplication::activePopupWidget())
        return popup->focusWidget() ? popup->focusWidget() : popup;
    if (QWidget *focus = QApplication::focusWidget())
        return focus;
    return QApplication::activeWindow();
}

/// Keys as a user's keyboard sends them, one after the other.
void press(Qt::Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QTest::keyClick(keyTarget(), key, modifiers);
}

void typeLetters(const QString &letters)
{
    for (const QChar c : letters)
        QTest::keyClick(keyTarget(), c.toLatin1());
}

} // namespace

class TestKeyboardLabel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void documentedSequenceIsShort();
    void completeLabelFromTheQueueThenFromTheImage();
    void keysEverywhereButTextFields();
    void escapeAndOtherKeepWhatWasTyped();
    void keysAreShownAndListed();
    void emptyWindowShowsTheStoreOrNothing();

private:
    /// A store with \a images images assigned to the rater dr.k; returns its path.
    QString makeStore(const QString &name, int images);
    /// Opens the store as dr.k and waits for the first image.
    LabellingView *openAsRater(MainWindow &window, const QString &path);
    /// Types the documented sequence and checks the stored labels of the image it was typed on.
    void typeSequenceAndCheck(MainWindow &window, LabellingView *view);

    QTemporaryDir m_dir;
    qint64 m_raterId = -1;
};

void TestKeyboardLabel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // keep QSettings away from the user's
    QCoreApplication::setOrganizationName(u"DermLabelTest"_s);
    QVERIFY(m_dir.isValid());
}

QString TestKeyboardLabel::makeStore(const QString &name, int images)
{
    const QString path = m_dir.filePath(name);
    const QString folder = m_dir.filePath(name + u"-images"_s);
    for (int i = 0; i < images; ++i)
        fixtures::write(folder + u"/k%1.jpg"_s.arg(i), fixtures::jpeg(320, 240, 2000 + i));
    QString error;
    auto store = Store::open(path, Store::OpenMode::CreateIfMissing, &error);
    if (!store)
        qFatal("%s", qPrintable(error));
    ImportService(*store).importPath(ImportKind::Folder, folder, {});
    UserRepository users(store->db());
    users.add(u"admin"_s, u"Ada Admin"_s, Role::Admin, u"admin-pass"_s, &error, 1);
    m_raterId = users.add(u"dr.k"_s, u"Dr. Key"_s, Role::Annotator, u"rater-pass"_s, &error, 1);
    AssignmentService(*store, *users.findByName(u"admin"_s)).assign({}, 1, &error);
    return path;
}

/// The window has the keyboard, as on a desktop. The offscreen platform makes each popup (the
/// type-ahead's offers) the active window while it is shown and leaves no window active after it;
/// its queued activations are handled here, then the window is active again with the focus on
/// \a focus (where the keys left it).
static bool giveTheWindowTheKeyboard(QWidget &window, QWidget *focus)
{
    QApplication::setActiveWindow(&window);
    if (!QTest::qWaitForWindowActive(&window))
        return false;
    if (focus)
        focus->setFocus(Qt::OtherFocusReason);
    return !focus || QApplication::focusWidget() == focus;
}

LabellingView *TestKeyboardLabel::openAsRater(MainWindow &window, const QString &path)
{
    window.show();
    QApplication::setActiveWindow(&window);
    if (!QTest::qWaitForWindowActive(&window))
        qWarning("the window did not become active");
    if (!window.openStore(path, u"dr.k"_s, u"rater-pass"_s))
        return nullptr;
    LabellingView *view = window.labellingView();
    if (view && !QTest::qWaitFor([view] { return view->canvas()->hasImage() && !view->showingPreview(); }, 20'000))
        return nullptr;
    return view;
}

void TestKeyboardLabel::typeSequenceAndCheck(MainWindow &window, LabellingView *view)
{
    const int row = view->currentRow();
    const qint64 imageId = view->currentImageId();
    QString error;
    QVERIFY(!AnnotationRepository(window.store()->db()).find(imageId, m_raterId, &error));
    if (QWidget *popup = QApplication::activePopupWidget())
        QFAIL(qPrintable(u"a popup is open: %1 %2, visible %3"_s.arg(QString::fromLatin1(popup->metaObject()->className()),
                                                                   popup->objectName())
                             .arg(popup->isVisible())));

    for (const Step &step : documentedSequence()) {
        if (!step.letters.isEmpty()) {
            typeLetters(step.letters);
            continue;
        }
        QWidget *before = QApplication::focusWidget();
        press(step.key, step.modifiers);
        if (step.key == Qt::Key_G)
            QVERIFY2(view->form()->annotation().gradable == std::optional<bool>(true),
                     qPrintable(u"G from %1 (%2), read-only %3"_s
                                    .arg(before ? QString::fromLatin1(before->metaObject()->className()) : u"none"_s,
                                         before ? before->objectName() : QString())
                                    .arg(view->form()->isReadOnly())));
        if (step.key == Qt::Key_D)
            QCOMPARE(QApplication::focusWidget(),
                     view->form()->findChild<DiagnosisRow *>(u"diagnosisRow1"_s)->conditionEdit());
        // Where the focus is after the type-ahead's steps is part of the design.
        if (step.key == Qt::Key_Return) {
            QWidget *focus = QApplication::focusWidget();
            auto *row1 = view->form()->findChild<DiagnosisRow *>(u"diagnosisRow1"_s);
            QVERIFY2(focus && focus->parentWidget() == row1->confidenceButtons(),
                     qPrintable(u"Enter on the offered condition moves the focus to its confidence; the focus: %1 %2 in %3, the condition: %4"_s
                                    .arg(focus ? QString::fromLatin1(focus->metaObject()->className()) : u"none"_s,
                                         focus ? focus->objectName() : QString(),
                                         focus && focus->parentWidget() ? focus->parentWidget()->objectName() : QString(),
                                         row1->conditionId())));
        } else if (step.key == Qt::Key_4) {
            QCOMPARE(QApplication::focusWidget(), view->form()->findChild<QWidget *>(u"content"_s));
        }
    }

    // Page Down went on to the next image, and the labels of the image left are stored.
    QCOMPARE(view->currentRow(), row + 1);
    const std::optional<Annotation> stored = AnnotationRepository(window.store()->db()).find(imageId, m_raterId, &error);
    QVERIFY2(stored, qPrintable(error));
    QCOMPARE(stored->gradable, std::optional<bool>(true));
    QVERIFY(stored->ungradableReason.isEmpty());
    QCOMPARE(stored->visibleCondition, u"yes"_s);
    QCOMPARE(stored->sensitive, std::optional<bool>(false));
    QCOMPARE(stored->identifying, QStringList());
    QVERIFY(!stored->cannotDetermine);
    QCOMPARE(stored->diagnoses.size(), 1);
    QCOMPARE(stored->diagnoses.at(0).conditionId, u"eczema"_s);
    QCOMPARE(stored->diagnoses.at(0).confidence, 4);
    QCOMPARE(stored->fitzpatrick, u"3"_s);
    QCOMPARE(stored->monk, u"5"_s);
    QCOMPARE(stored->note, QString());
    QCOMPARE(AssignmentRepository(window.store()->db()).status(imageId, m_raterId, &error), u"done"_s);
}

void TestKeyboardLabel::documentedSequenceIsShort()
{
    int keystrokes = 0;
    int letters = 0;
    for (const Step &step : documentedSequence()) {
        if (step.letters.isEmpty())
            ++keystrokes; // a key with its modifier (Shift+S) is one keystroke
        else
            letters += int(step.letters.size());
    }
    QCOMPARE(keystrokes, 11);
    QCOMPARE(letters, 3);
    QVERIFY(keystrokes <= 16);
    // No Tab and no mouse in it.
    for (const Step &step : documentedSequence())
        QVERIFY(step.key != Qt::Key_Tab && step.key != Qt::Key_Backtab);
}

void TestKeyboardLabel::completeLabelFromTheQueueThenFromTheImage()
{
    const QString path = makeStore(u"sequence.dermlabel"_s, 4);
    MainWindow window;
    LabellingView *view = openAsRater(window, path);
    QVERIFY(view);
    QCOMPARE(view->currentRow(), 0);

    // 1. The focus on the queue (a click on the open image's row).
    auto *queue = view->findChild<QListView *>(u"queue"_s);
    QVERIFY(queue);
    const QRect rowRect = queue->visualRect(queue->currentIndex());
    QVERIFY(rowRect.isValid());
    QTest::mouseClick(queue->viewport(), Qt::LeftButton, Qt::NoModifier, rowRect.center());
    QCOMPARE(QApplication::focusWidget(), queue);
    QCOMPARE(view->currentRow(), 0);
    typeSequenceAndCheck(window, view);
    QCOMPARE(view->currentRow(), 1);

    // 2. After Page Down, a click on the image.
    QTRY_VERIFY_WITH_TIMEOUT(view->canvas()->hasImage(), 20'000);
    QCOMPARE(view->maskCanvas()->tool(), MaskCanvas::Tool::Pan); // the click paints nothing
    QCOMPARE(QApplication::activePopupWidget(), nullptr);
    QVERIFY(giveTheWindowTheKeyboard(window, nullptr));
    QTest::mouseClick(view->canvas(), Qt::LeftButton, Qt::NoModifier, view->canvas()->rect().center());
    QCOMPARE(QApplication::focusWidget(), static_cast<QWidget *>(view->canvas()));
    typeSequenceAndCheck(window, view);
    QCOMPARE(view->currentRow(), 2);

    // 3. Straight on after Page Down, wherever the focus was left (on the Monk tone just given).
    QWidget *left = QApplication::focusWidget();
    QVERIFY(left && left->parentWidget() == view->form()->findChild<QWidget *>(u"monk"_s));
    QTRY_VERIFY_WITH_TIMEOUT(view->canvas()->hasImage(), 20'000);
    QVERIFY(giveTheWindowTheKeyboard(window, left));
    typeSequenceAndCheck(window, view);
    QCOMPARE(view->currentRow(), 3);
}

void TestKeyboardLabel::keysEverywhereButTextFields()
{
    const QString path = makeStore(u"everywhere.dermlabel"_s, 2);
    MainWindow window;
    LabellingView *view = openAsRater(window, path);
    QVERIFY(view);
    LabelForm *form = view->form();
    ImageCanvas *canvas = view->canvas();

    // On the image, F is the form's Fitzpatrick key (not "fit"), and the digit after it too.
    canvas->setFocus();
    canvas->setZoom(0.5);
    QVERIFY(!canvas->isFitMode());
    press(Qt::Key_F);
    QVERIFY(form->waitingForSecondKey());
    QVERIFY(!canvas->isFitMode());
    press(Qt::Key_1);
    QCOMPARE(form->annotation().fitzpatrick, u"1"_s);
    QCOMPARE(canvas->zoom(), 0.5); // "1" (actual size) went to the form after F
    QCOMPARE(QApplication::focusWidget(), static_cast<QWidget *>(canvas)); // the focus stays on the image
    // Without F a digit is the image's: 1 is actual size, 0 fits.
    press(Qt::Key_1);
    QCOMPARE(canvas->zoom(), 1.0);
    press(Qt::Key_0);
    QVERIFY(canvas->isFitMode());
    // The mask tool keys still work on the image, next to the form's keys (once there is a layer
    // to paint: the face's).
    form->findChild<QCheckBox *>(u"identifying_face"_s)->click();
    QTRY_VERIFY(view->maskCanvas()->toolsEnabled());
    canvas->setFocus();
    press(Qt::Key_B);
    QCOMPARE(view->maskCanvas()->tool(), MaskCanvas::Tool::Brush);
    press(Qt::Key_H);
    QCOMPARE(view->maskCanvas()->tool(), MaskCanvas::Tool::Pan);
    press(Qt::Key_G);
    QCOMPARE(form->annotation().gradable, std::optional<bool>(true));

    // Nothing has the focus: the keys still reach the form.
    QApplication::focusWidget()->clearFocus();
    QCOMPARE(QApplication::focusWidget(), nullptr);
    press(Qt::Key_U);
    QCOMPARE(form->annotation().visibleCondition, u"unsure"_s);

    // A text field keeps its letters: nothing of the labels changes while typing a note.
    auto *note = form->findChild<QPlainTextEdit *>(u"note"_s);
    note->setFocus();
    const Annotation before = form->annotation();
    typeLetters(u"gvs fm3"_s);
    QCOMPARE(note->toPlainText(), u"gvs fm3"_s);
    QCOMPARE(form->annotation().gradable, before.gradable);
    QCOMPARE(form->annotation().visibleCondition, before.visibleCondition);
    QCOMPARE(form->annotation().sensitive, before.sensitive);
    QCOMPARE(form->annotation().fitzpatrick, before.fitzpatrick);
    // Escape leaves the note with what was typed, stored, and the keys work again.
    press(Qt::Key_Escape);
    QVERIFY(!note->hasFocus());
    QCOMPARE(note->toPlainText(), u"gvs fm3"_s);
    QString error;
    QCOMPARE(AnnotationRepository(window.store()->db()).find(view->currentImageId(), m_raterId, &error)->note,
             u"gvs fm3"_s);
    press(Qt::Key_S, Qt::ShiftModifier);
    QCOMPARE(form->annotation().sensitive, std::optional<bool>(false));

    // A number field of the region layers (a text field outside the form) keeps its letters;
    // Escape goes to the image.
    QAbstractSpinBox *size = nullptr;
    const QList<QAbstractSpinBox *> fields = view->maskLayers()->findChildren<QAbstractSpinBox *>();
    for (QAbstractSpinBox *field : fields) {
        if (field->isVisible() && field->isEnabled())
            size = field;
    }
    QVERIFY(size);
    size->setFocus();
    QCOMPARE(QApplication::focusWidget(), static_cast<QWidget *>(size));
    press(Qt::Key_G, Qt::ShiftModifier);
    QCOMPARE(form->annotation().gradable, std::optional<bool>(true));
    press(Qt::Key_Escape);
    QCOMPARE(QApplication::focusWidget(), static_cast<QWidget *>(canvas));
}

void TestKeyboardLabel::escapeAndOtherKeepWhatWasTyped()
{
    const QString path = makeStore(u"other.dermlabel"_s, 2);
    MainWindow window;
    LabellingView *view = openAsRater(window, path);
    QVERIFY(view);
    LabelForm *form = view->form();
    auto *row1 = form->findChild<DiagnosisRow *>(u"diagnosisRow1"_s);
    QLineEdit *edit = row1->conditionEdit();

    // Escape closes the offers, a second Escape leaves the field; the text stays, nothing is stored.
    view->canvas()->setFocus();
    press(Qt::Key_D);
    QCOMPARE(QApplication::focusWidget(), edit);
    typeLetters(u"psor"_s);
    QVERIFY(row1->completer()->popup()->isVisible());
    press(Qt::Key_Escape);
    QVERIFY(!row1->completer()->popup()->isVisible());
    QCOMPARE(QApplication::focusWidget(), edit);
    press(Qt::Key_Escape);
    QVERIFY(!edit->hasFocus());
    QCOMPARE(edit->text(), u"psor"_s);
    QCOMPARE(row1->draft(), u"psor"_s);
    QVERIFY(form->annotation().diagnoses.isEmpty());
    // The section keys work again, and the draft survives their edits.
    press(Qt::Key_M);
    press(Qt::Key_0);
    QCOMPARE(form->annotation().monk, u"10"_s);
    QCOMPARE(edit->text(), u"psor"_s);
    // D goes back to it and goes on: the offers open again, Enter takes the first.
    press(Qt::Key_D);
    QCOMPARE(QApplication::focusWidget(), edit);
    QVERIFY(row1->completer()->popup()->isVisible());
    typeLetters(u"iasis"_s);
    QCOMPARE(edit->text(), u"psoriasis"_s);
    press(Qt::Key_Return);
    QCOMPARE(form->annotation().diagnoses.size(), 1);
    QCOMPARE(form->annotation().diagnoses.at(0).conditionId, u"psoriasis"_s);
    QVERIFY(row1->draft().isEmpty());
    press(Qt::Key_2);
    QCOMPARE(form->annotation().diagnoses.at(0).confidence, 2);

    // Words the taxonomy does not know: Enter alone chooses nothing ("Other" is never preselected) ...
    QVERIFY(giveTheWindowTheKeyboard(window, QApplication::focusWidget()));
    auto *row2 = form->findChild<DiagnosisRow *>(u"diagnosisRow2"_s);
    press(Qt::Key_D);
    QCOMPARE(QApplication::focusWidget(), row2->conditionEdit());
    typeLetters(u"zzqx rash"_s);
    QAbstractItemView *popup = row2->completer()->popup();
    QVERIFY(popup->isVisible());
    QAbstractItemModel *offers = row2->completer()->completionModel();
    const QModelIndex last = offers->index(offers->rowCount() - 1, 0);
    QCOMPARE(last.data(DiagnosisRow::OtherTextRole).toString(), u"zzqx rash"_s);
    QVERIFY(last.data().toString().startsWith(u"Other: zzqx rash"_s));
    QVERIFY(popup->currentIndex().data(DiagnosisRow::OtherTextRole).toString().isEmpty());
    // ... and nothing of it can end up as a condition's name.
    press(Qt::Key_Return);
    QCOMPARE(form->annotation().diagnoses.size(), 1);
    QCOMPARE(row2->conditionEdit()->text(), QString());

    // Chosen explicitly (Down to the offer, Enter): the taxonomy's "other", the words in the note.
    row2->conditionEdit()->setFocus();
    typeLetters(u"zzqx rash"_s);
    QVERIFY(popup->isVisible());
    for (int i = 0; i < offers->rowCount(); ++i)
        press(Qt::Key_Down);
    QCOMPARE(popup->currentIndex().data(DiagnosisRow::OtherTextRole).toString(), u"zzqx rash"_s);
    press(Qt::Key_Return);
    press(Qt::Key_1);
    QString error;
    const std::optional<Annotation> stored
        = AnnotationRepository(window.store()->db()).find(view->currentImageId(), m_raterId, &error);
    QVERIFY2(stored, qPrintable(error));
    QCOMPARE(stored->diagnoses.size(), 2);
    QCOMPARE(stored->diagnoses.at(1).conditionId, u"other"_s);
    QCOMPARE(stored->diagnoses.at(1).confidence, 1);
    QCOMPARE(stored->note, u"Other condition: zzqx rash"_s);
    for (const Diagnosis &d : stored->diagnoses)
        QVERIFY2(Taxonomy::builtin().contains(d.conditionId), qPrintable(d.conditionId));
}

void TestKeyboardLabel::keysAreShownAndListed()
{
    const QString path = makeStore(u"hints.dermlabel"_s, 1);
    MainWindow window;
    LabellingView *view = openAsRater(window, path);
    QVERIFY(view);
    // Each key of the sequence is on screen, in the hint lines of the form's sections ...
    QString hints;
    const QList<QLabel *> labels = view->form()->findChildren<QLabel *>(u"keyHint"_s);
    QCOMPARE(labels.size(), 4);
    for (QLabel *label : labels) {
        QVERIFY(label->isVisible());
        hints += label->text() + u'\n';
    }
    for (const QString &key : {u"G gradable"_s, u"V visible"_s, u"Shift+S not sensitive"_s, u"D types a condition"_s,
                               u"Enter chooses"_s, u"1-5 its confidence"_s, u"F then 1-6"_s, u"M then 1-9, 0 for 10"_s})
        QVERIFY2(hints.contains(key), qPrintable(key));
    // ... and Page Down once the label is complete.
    for (Qt::Key key : {Qt::Key_G, Qt::Key_V, Qt::Key_C})
        press(key, Qt::NoModifier);
    press(Qt::Key_S, Qt::ShiftModifier);
    for (Qt::Key key : {Qt::Key_F, Qt::Key_2, Qt::Key_M, Qt::Key_2})
        press(key);
    auto *status = view->form()->findChild<QLabel *>(u"completeness"_s);
    QVERIFY2(status->text().contains(u"Page Down: next image"_s), qPrintable(status->text()));

    // The F1 sheet lists them.
    ShortcutSheet sheet(view->navigationActions());
    QStringList keys;
    for (const auto &row : sheet.rows())
        keys << row.first;
    for (const QString &key : {u"G"_s, u"V"_s, u"Shift+S"_s, u"D"_s, u"Enter"_s, u"1 - 5"_s, u"Esc"_s, u"F, 1 - 6"_s,
                               u"M, 1 - 9, 0"_s})
        QVERIFY2(keys.contains(key), qPrintable(key));
    QVERIFY2(keys.join(u' ').contains(QKeySequence(Qt::Key_PageDown).toString(QKeySequence::NativeText)),
             qPrintable(keys.join(u" | "_s)));
}

void TestKeyboardLabel::emptyWindowShowsTheStoreOrNothing()
{
    const QString path = makeStore(u"signin.dermlabel"_s, 1);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *hint = window.findChild<QLabel *>(u"emptyHint"_s);
    QVERIFY(hint);
    QWidget *viewport = hint->parentWidget();
    // Nothing open: the hint, whole, over the whole (empty) image browser; never a corner of it.
    QVERIFY(hint->isVisible());
    QVERIFY(hint->text().startsWith(u"Open a store to begin"_s));
    QCOMPARE(hint->geometry(), viewport->rect());
    QVERIFY(viewport->width() > 300);

    // While the sign-in dialog is up: the store's name.
    QString shown;
    QRect shownGeometry;
    std::function<void()> whenSignInIsUp;
    whenSignInIsUp = [&] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal) {
            QTimer::singleShot(0, &window, whenSignInIsUp); // not up yet: look again on the next turn
            return;
        }
        shown = hint->isVisible() ? hint->text() : QString();
        shownGeometry = hint->geometry();
        modal->close();
    };
    QTimer::singleShot(0, &window, whenSignInIsUp);
    QVERIFY(!window.openStore(path)); // cancelled
    QCOMPARE(shown, u"signin"_s);
    QCOMPARE(shownGeometry, viewport->rect());
    QVERIFY(hint->text().startsWith(u"Open a store to begin"_s));
}

QTEST_MAIN(TestKeyboardLabel)
#include "tst_keyboardlabel.moc"
