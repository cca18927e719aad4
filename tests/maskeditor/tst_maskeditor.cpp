// SPDX-License-Identifier: GPL-3.0-or-later
// Region-mask editing in the labelling screen, on the offscreen platform with a real store: tools
// driven by mouse and key events, undo / redo on the image's stack (shared with the form), saving,
// the layer panel following the labels, tools off for previews and read-only labels, one history
// per image, and blinding.
#include "ImageListModel.h"
#include "LabellingView.h"
#include "MainWindow.h"
#include "QueueFilterModel.h"
#include "ShortcutSheet.h"
#include "labelform/LabelForm.h"
#include "masks/MaskCanvas.h"
#include "masks/MaskLayerPanel.h"
#include "masks/MaskToolBar.h"

#include "annotation/AssignmentService.h"
#include "imaging/ImageCache.h"
#include "import/ImportService.h"
#include "labelling/LabellingDocument.h"
#include "masks/MaskDocument.h"
#include "masks/MaskEditCommand.h"
#include "masks/MaskLayer.h"
#include "masks/MaskOverlay.h"
#include "masks/MaskService.h"
#include "masks/MaskTools.h"
#include "segmentation/MagicWand.h"
#include "segmentation/WorkingScale.h"
#include "store/AssignmentRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QPainter>
#include <QSlider>
#include <QSpinBox>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

const QString Password = u"rater-pass"_s;
const QColor Skin(205, 160, 135);
const QColor Lesion(95, 55, 45);

// A 'photo': plain skin with one dark, sharp-edged lesion (an ellipse) placed by seed.
QImage photo(QSize size, int seed)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(Skin);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(Qt::NoPen);
    painter.setBrush(Lesion);
    const int w = size.width(), h = size.height();
    painter.drawEllipse(QRect(w / 3 + (seed % 5) * 2, h / 3 + (seed / 5) * 2, w / 3, h / 3)); // distinct files
    return image;
}

// The lesion's pixels as a mask.
cv::Mat lesionOf(const QImage &image)
{
    cv::Mat mask(image.height(), image.width(), CV_8UC1, cv::Scalar(0));
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            mask.at<uchar>(y, x) = image.pixelColor(x, y) == Lesion ? 255 : 0;
    return mask;
}

// Waits until the assisted-segmentation work started so far (GrabCut and the wand run on the
// global thread pool) has ended, cancelled or not, and what it sent back to the canvas has been
// handled: a result that was going to be applied has been applied by now.
bool segmentationSettled()
{
    if (!QThreadPool::globalInstance()->waitForDone(20'000))
        return false;
    QCoreApplication::sendPostedEvents();
    return true;
}

bool sameMask(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    cv::Mat diff;
    cv::compare(a, b, diff, cv::CMP_NE);
    return cv::countNonZero(diff) == 0;
}

double iou(const cv::Mat &a, const cv::Mat &b)
{
    cv::Mat i, u;
    cv::bitwise_and(a, b, i);
    cv::bitwise_or(a, b, u);
    const int union_ = cv::countNonZero(u);
    return union_ == 0 ? 0.0 : double(cv::countNonZero(i)) / union_;
}

void mouse(QWidget *w, QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons,
           Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QMouseEvent event(type, pos, w->mapToGlobal(pos), button, buttons, modifiers);
    QApplication::sendEvent(w, &event);
}

void drag(QWidget *w, const QList<QPointF> &points, Qt::MouseButton button = Qt::LeftButton,
          Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    mouse(w, QEvent::MouseButtonPress, points.first(), button, button, modifiers);
    for (qsizetype i = 1; i < points.size(); ++i)
        mouse(w, QEvent::MouseMove, points.at(i), Qt::NoButton, button, modifiers);
    mouse(w, QEvent::MouseButtonRelease, points.last(), button, Qt::NoButton, modifiers);
}

void click(QWidget *w, QPointF pos, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    drag(w, {pos}, Qt::LeftButton, modifiers);
}

// Mask steps are saved on the document's save worker: wait until they are (true when all stored).
bool waitForSaves(LabellingView *view)
{
    LabellingDocument *document = view->document(view->currentImageId());
    return document && document->waitForSaves();
}

} // namespace

class TestMaskEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void toolBarAndShortcuts();
    void brushStrokeIsSavedUndoneAndRedone();
    void formAndMaskEditsShareOneStack();
    void strokeMarksTheImageInProgress();
    void failedSaveIsKeptAndCaughtUp();
    void brushSizeKeysAndWheel();
    void polygonClosesAndCancels();
    void rectangleAndFill();
    void morphologyButtons();
    void grabCutBoxIsOneUndoStep();
    void grabCutFromStrokesAlone();
    void magicWandFollowsTolerance();
    void superpixelBrushPaintsWholeSuperpixels();
    void layerPanelFollowsTheLabels();
    void visibilityAndOpacityChangeOnlyTheView();
    void layerOverlaysComposeLikeOneOverlay();
    void toolsOffForPreviewAndReadOnly();
    void imagesKeepSeparateHistories();
    void otherRatersMasksNeverShown();

private:
    /// A store with count generated images of size, assigned to dr.a and dr.b; returns its path.
    QString makeStore(const QString &name, int count, QSize size, QList<QImage> *images = nullptr,
                      const QString &suffix = u"png"_s);
    /// A main window signed in as user on the store, with its labelling screen on the first image.
    std::unique_ptr<MainWindow> open(const QString &path, const QString &user = u"dr.a"_s);
    /// Ticks "Face" in the form: the face layer appears and becomes the active one.
    void tickFace(LabellingView *view);
    QPointF at(MaskCanvas *canvas, double x, double y) const { return canvas->imageToWidget(QPointF(x, y)); }
    cv::Point2f imageAt(MaskCanvas *canvas, QPointF widget) const
    {
        const QPointF p = canvas->widgetToImage(widget);
        return {float(p.x()), float(p.y())};
    }

    QTemporaryDir m_dir;
};

void TestMaskEditor::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"DermLabelMaskTest"_s);
    QVERIFY(m_dir.isValid());
}

QString TestMaskEditor::makeStore(const QString &name, int count, QSize size, QList<QImage> *images,
                                  const QString &suffix)
{
    const QString path = m_dir.filePath(name + u".dermlabel"_s);
    const QString folder = m_dir.filePath(name + u"-images"_s);
    QDir().mkpath(folder);
    for (int i = 0; i < count; ++i) {
        const QImage image = photo(size, i);
        if (!image.save(folder + u"/i%1.%2"_s.arg(i, 2, 10, QLatin1Char('0')).arg(suffix)))
            qFatal("cannot write the fixture image");
        if (images)
            images->append(image);
    }
    QString error;
    auto store = Store::open(path, Store::OpenMode::CreateNew, &error);
    if (!store)
        qFatal("%s", qPrintable(error));
    ImportService(*store).importPath(ImportKind::Folder, folder, {});
    UserRepository users(store->db());
    const qint64 admin = users.add(u"admin"_s, {}, Role::Admin, u"admin-pass"_s, &error, 1);
    users.add(u"dr.a"_s, u"Dr. A"_s, Role::Annotator, Password, &error, 1);
    users.add(u"dr.b"_s, u"Dr. B"_s, Role::Annotator, Password, &error, 1);
    if (!AssignmentService(*store, *users.findById(admin)).assign({}, 2, &error))
        qFatal("%s", qPrintable(error));
    return path;
}

std::unique_ptr<MainWindow> TestMaskEditor::open(const QString &path, const QString &user)
{
    auto window = std::make_unique<MainWindow>();
    window->resize(1280, 800);
    window->show();
    QApplication::setActiveWindow(window.get());
    if (!QTest::qWaitForWindowActive(window.get()) || !window->openStore(path, user, Password))
        return {};
    LabellingView *view = window->labellingView();
    if (!view || !QTest::qWaitFor([view] { return view->canvas()->hasImage() && !view->showingPreview(); }, 20'000))
        return {};
    view->maskCanvas()->setFocus();
    return window;
}

void TestMaskEditor::tickFace(LabellingView *view)
{
    auto *face = view->form()->findChild<QCheckBox *>(u"identifying_face"_s);
    QVERIFY(face);
    face->click();
    QTRY_COMPARE(view->maskLayers()->activeLayer(), u"identifying:face"_s);
    QCOMPARE(view->maskCanvas()->activeLayer(), u"identifying:face"_s);
    QVERIFY(view->maskCanvas()->toolsEnabled());
    view->maskCanvas()->setFocus();
}

void TestMaskEditor::toolBarAndShortcuts()
{
    const QString path = makeStore(u"toolbar"_s, 2, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    MaskToolBar *bar = view->maskToolBar();
    // Pan is the default: nothing changes for those who never paint.
    QCOMPARE(canvas->tool(), MaskCanvas::Tool::Pan);
    QVERIFY(canvas->leftButtonPans());
    QVERIFY(bar->toolAction(MaskCanvas::Tool::Pan)->isChecked());
    // No layers yet: the tools say what to do.
    QVERIFY(!canvas->toolsEnabled());
    QVERIFY(canvas->toolsDisabledReason().contains(u"Add a potential diagnosis"_s));
    QVERIFY(!bar->toolAction(MaskCanvas::Tool::Brush)->isEnabled());
    QVERIFY(bar->toolAction(MaskCanvas::Tool::Brush)->toolTip().contains(u"Add a potential diagnosis"_s));
    QVERIFY(bar->hintText().contains(u"Add a potential diagnosis"_s));
    QVERIFY(view->maskLayers()->findChild<QLabel *>(u"noLayers"_s)->isVisible());

    tickFace(view);
    const QList<QPair<Qt::Key, MaskCanvas::Tool>> keys {
        {Qt::Key_B, MaskCanvas::Tool::Brush},       {Qt::Key_E, MaskCanvas::Tool::Eraser},
        {Qt::Key_L, MaskCanvas::Tool::Polygon},     {Qt::Key_R, MaskCanvas::Tool::Rectangle},
        {Qt::Key_K, MaskCanvas::Tool::Fill},        {Qt::Key_W, MaskCanvas::Tool::Wand},
        {Qt::Key_A, MaskCanvas::Tool::GrabCut},     {Qt::Key_X, MaskCanvas::Tool::Superpixel},
        {Qt::Key_H, MaskCanvas::Tool::Pan},
    };
    for (const auto &[key, tool] : keys) {
        QTest::keyClick(canvas, key);
        QCOMPARE(canvas->tool(), tool);
        QVERIFY(bar->toolAction(tool)->isChecked());
        QVERIFY(bar->toolAction(tool)->toolTip().contains(QKeySequence(key).toString(QKeySequence::NativeText)));
        QCOMPARE(canvas->leftButtonPans(), tool == MaskCanvas::Tool::Pan);
    }
    canvas->cancelBusy();
    // The tool keys are no label-form keys: in the form, B does not switch tools.
    view->form()->setFocus();
    QTest::keyClick(view->form(), Qt::Key_B);
    QCOMPARE(canvas->tool(), MaskCanvas::Tool::Pan);

    // The shortcut sheet lists the tools and the canvas keys.
    QList<QPair<QString, QString>> rows;
    QTimer::singleShot(50, this, [&rows] {
        if (auto *sheet = qobject_cast<ShortcutSheet *>(QApplication::activeModalWidget())) {
            rows = sheet->rows();
            sheet->reject();
        }
    });
    QTest::keyClick(canvas, Qt::Key_F1);
    QStringList text;
    for (const auto &row : rows)
        text << row.first + u" = "_s + row.second;
    const QString all = text.join(u"; "_s);
    QVERIFY2(all.contains(u"B = Brush"_s), qPrintable(all));
    QVERIFY2(all.contains(u"A = Assisted (GrabCut)"_s), qPrintable(all));
    QVERIFY2(all.contains(u"[ = Smaller Brush"_s), qPrintable(all));
    QVERIFY2(all.contains(u"Polygon: close and fill"_s), qPrintable(all));
}

void TestMaskEditor::brushStrokeIsSavedUndoneAndRedone()
{
    const QString path = makeStore(u"brush"_s, 2, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    const QString layer = u"identifying:face"_s;
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    QVERIFY(doc);
    QCOMPARE(doc->size(), QSize(400, 300));
    QTest::keyClick(canvas, Qt::Key_B);
    canvas->setBrushSize(16);

    const QList<QPointF> points {at(canvas, 100, 100), at(canvas, 150, 110), at(canvas, 220, 160)};
    cv::Mat expected(300, 400, CV_8UC1, cv::Scalar(0));
    for (qsizetype i = 0; i < points.size(); ++i)
        MaskTools::brushSegment(expected, imageAt(canvas, points.at(i ? i - 1 : 0)), imageAt(canvas, points.at(i)),
                                8.0f, PaintMode::Paint);
    QUndoStack *stack = view->undoStack(view->currentImageId());
    const int before = stack->count();
    drag(canvas, points);
    QVERIFY(sameMask(doc->mask(layer), expected));
    QCOMPARE(stack->count(), before + 1);
    QCOMPARE(stack->undoLimit(), MaskEditCommand::RecommendedUndoLimit);

    // Stored as a new version, exactly.
    QVERIFY(waitForSaves(view));
    const User user = *window->user();
    MaskService service(*window->store(), user);
    QString error;
    auto versions = service.versions(view->currentImageId(), user.id, layer, &error);
    QVERIFY2(versions, qPrintable(error));
    QCOMPARE(versions->size(), 1);
    QVERIFY(sameMask(*service.loadVersion(view->currentImageId(), user.id, layer, 1, &error), expected));

    // Ctrl+Z undoes it bit-exactly and stores that too; redo brings it back.
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(cv::countNonZero(doc->mask(layer)), 0);
    QVERIFY(waitForSaves(view));
    versions = service.versions(view->currentImageId(), user.id, layer, &error);
    QCOMPARE(versions->size(), 2);
    QCOMPARE(cv::countNonZero(*service.loadVersion(view->currentImageId(), user.id, layer, 2, &error)), 0);
    stack->redo();
    QVERIFY(sameMask(doc->mask(layer), expected));
    QVERIFY(waitForSaves(view));
    QCOMPARE(service.versions(view->currentImageId(), user.id, layer, &error)->size(), 3);

    // The eraser (and Shift with the brush) clears; a new stroke right where the last ended
    // continues it (one undo step), a stroke elsewhere does not.
    QTest::keyClick(canvas, Qt::Key_E);
    const int steps = stack->count();
    drag(canvas, {at(canvas, 100, 100), at(canvas, 120, 100)});
    drag(canvas, {at(canvas, 120, 100), at(canvas, 140, 104)});
    QCOMPARE(stack->count(), steps + 1);
    drag(canvas, {at(canvas, 220, 160), at(canvas, 220, 161)});
    QCOMPARE(stack->count(), steps + 2);
    cv::Mat erased = expected.clone();
    MaskTools::brushSegment(erased, imageAt(canvas, at(canvas, 100, 100)), imageAt(canvas, at(canvas, 120, 100)), 8.0f, PaintMode::Erase);
    MaskTools::brushSegment(erased, imageAt(canvas, at(canvas, 120, 100)), imageAt(canvas, at(canvas, 140, 104)), 8.0f, PaintMode::Erase);
    MaskTools::brushSegment(erased, imageAt(canvas, at(canvas, 220, 160)), imageAt(canvas, at(canvas, 220, 161)), 8.0f, PaintMode::Erase);
    QVERIFY(sameMask(doc->mask(layer), erased));
    stack->undo();
    stack->undo();
    QVERIFY(sameMask(doc->mask(layer), expected));
    QTest::keyClick(canvas, Qt::Key_B);
    drag(canvas, {at(canvas, 100, 100), at(canvas, 120, 100)}, Qt::LeftButton, Qt::ShiftModifier);
    QVERIFY(doc->mask(layer).at<uchar>(100, 110) == 0);

    // Ctrl+Z in the middle of a stroke does nothing; after it, it undoes the stroke.
    const cv::Mat beforeStroke = doc->mask(layer).clone();
    const int index = stack->index();
    mouse(canvas, QEvent::MouseButtonPress, at(canvas, 300, 60), Qt::LeftButton, Qt::LeftButton);
    mouse(canvas, QEvent::MouseMove, at(canvas, 330, 60), Qt::NoButton, Qt::LeftButton);
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(stack->index(), index);
    mouse(canvas, QEvent::MouseButtonRelease, at(canvas, 330, 60), Qt::LeftButton, Qt::NoButton);
    QCOMPARE(stack->index(), index + 1);
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(sameMask(doc->mask(layer), beforeStroke));
}

void TestMaskEditor::strokeMarksTheImageInProgress()
{
    const QString path = makeStore(u"status"_s, 2, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    const qint64 image = view->currentImageId();
    const qint64 rater = window->user()->id;
    QSqlDatabase db = window->store()->db();
    AssignmentRepository assignments(db);
    QString error;
    auto *queue = view->findChild<QListView *>(u"queue"_s);
    QVERIFY(queue);
    // The form edit made it in progress; put it back to todo behind the view's back: the mask
    // stroke alone must start the work again.
    QVERIFY(assignments.setStatus(image, rater, AssignmentStatus::Todo, &error));
    QTest::keyClick(canvas, Qt::Key_B);
    canvas->setBrushSize(10);
    drag(canvas, {at(canvas, 50, 50), at(canvas, 90, 60)});
    QVERIFY(waitForSaves(view));
    QCOMPARE(assignments.status(image, rater, &error), AssignmentStatus::InProgress);
    QCOMPARE(queue->model()->index(0, 0).data(ImageListModel::StatusRole).toString(), AssignmentStatus::InProgress);
    // Done stays done (and so do skipped and flagged: tests/masks).
    QVERIFY(assignments.setStatus(image, rater, AssignmentStatus::Done, &error));
    drag(canvas, {at(canvas, 250, 50), at(canvas, 290, 60)});
    QVERIFY(waitForSaves(view));
    QCOMPARE(assignments.status(image, rater, &error), AssignmentStatus::Done);
    // dr.b's assignment of the same image is untouched.
    QSqlQuery query(db);
    QVERIFY(query.exec(u"SELECT status FROM assignments WHERE image_id = %1 AND user_id <> %2"_s.arg(image).arg(rater)));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), AssignmentStatus::Todo);
}

void TestMaskEditor::failedSaveIsKeptAndCaughtUp()
{
    const QString path = makeStore(u"notsaved"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    view->form()->findChild<QCheckBox *>(u"identifying_tattoo"_s)->click();
    const QString face = u"identifying:face"_s;
    const QString tattoo = u"identifying:tattoo"_s;
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    QTRY_VERIFY(doc->hasLayer(tattoo));
    canvas->setActiveLayer(face);
    canvas->setFocus();
    QTest::keyClick(canvas, Qt::Key_B);
    canvas->setBrushSize(10);
    const User user = *window->user();
    const qint64 image = view->currentImageId();
    MaskService service(*window->store(), user);
    QString error;
    QSqlDatabase db = window->store()->db();
    auto storedVersions = [&](const QString &layer) {
        const auto list = service.versions(image, user.id, layer, &error);
        return list ? int(list->size()) : -1;
    };

    drag(canvas, {at(canvas, 50, 50), at(canvas, 90, 60)});
    QVERIFY(waitForSaves(view));
    QCOMPARE(storedVersions(face), 1);

    // The image is taken away from the rater behind the view's back (an admin rebalanced it): the
    // stroke stays in memory, the status says it is not saved.
    QSignalSpy status(view, &LabellingView::statusMessage);
    AssignmentRepository assignments(db);
    QVERIFY(assignments.remove(image, user.id, &error));
    drag(canvas, {at(canvas, 50, 150), at(canvas, 90, 160)});
    QVERIFY(!waitForSaves(view));
    QVERIFY(!status.isEmpty());
    QVERIFY2(status.last().at(0).toString().contains(u"Not saved"_s), qPrintable(status.last().at(0).toString()));
    QCOMPARE(doc->mask(face).at<uchar>(155, 70), uchar(255));
    QVERIFY(doc->isChanged(face));
    const cv::Mat inMemory = doc->mask(face).clone();

    // Assigned again: the next stroke, on another layer, saves it and every other change.
    QVERIFY(assignments.add(image, user.id, &error));
    QCOMPARE(storedVersions(face), 1);
    canvas->setActiveLayer(tattoo);
    drag(canvas, {at(canvas, 250, 50), at(canvas, 290, 60)});
    QVERIFY(waitForSaves(view));
    QVERIFY2(status.last().at(0).toString().contains(u"Saved"_s), qPrintable(status.last().at(0).toString()));
    QVERIFY(doc->changedLayers().isEmpty());
    QCOMPARE(storedVersions(face), 2);
    QCOMPARE(storedVersions(tattoo), 1);
    QVERIFY(sameMask(*service.loadVersion(image, user.id, face, 2, &error), inMemory));
    QVERIFY(sameMask(*service.loadVersion(image, user.id, tattoo, 1, &error), doc->mask(tattoo)));
}

void TestMaskEditor::formAndMaskEditsShareOneStack()
{
    const QString path = makeStore(u"interleave"_s, 2, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    QUndoStack *stack = view->undoStack(view->currentImageId());
    QCOMPARE(stack->count(), 0);
    tickFace(view); // a form edit
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    const QString layer = u"identifying:face"_s;
    QTest::keyClick(canvas, Qt::Key_R);
    drag(canvas, {at(canvas, 20, 20), at(canvas, 60, 50)}); // a mask edit
    const cv::Mat first = doc->mask(layer).clone();
    LabelForm *form = view->form();
    form->setFocus();
    QTest::keyClick(form, Qt::Key_F);
    QTest::keyClick(form, Qt::Key_3); // a form edit
    QCOMPARE(form->annotation().fitzpatrick, u"3"_s);
    canvas->setFocus();
    drag(canvas, {at(canvas, 200, 200), at(canvas, 240, 230)}); // a mask edit
    const cv::Mat second = doc->mask(layer).clone();
    QCOMPARE(stack->count(), 4);

    // Ctrl+Z undoes the last thing, whichever it was.
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(sameMask(doc->mask(layer), first));
    QCOMPARE(form->annotation().fitzpatrick, u"3"_s);
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(form->annotation().fitzpatrick, QString());
    QVERIFY(sameMask(doc->mask(layer), first));
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(cv::countNonZero(doc->mask(layer)), 0);
    QVERIFY(form->annotation().identifying.contains(u"face"_s));
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(form->annotation().identifying.isEmpty());
    QVERIFY(!doc->hasLayer(layer)); // empty, and no label asks for it
    QVERIFY(view->maskLayers()->layerIds().isEmpty());
    // And all the way forward again.
    for (int i = 0; i < 4; ++i)
        stack->redo();
    QCOMPARE(form->annotation().fitzpatrick, u"3"_s);
    QVERIFY(sameMask(doc->mask(layer), second));
}

void TestMaskEditor::brushSizeKeysAndWheel()
{
    const QString path = makeStore(u"size"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    QTest::keyClick(canvas, Qt::Key_B);
    canvas->setBrushSize(20);
    QTest::keyClick(canvas, Qt::Key_BracketRight);
    QCOMPARE(canvas->brushSize(), 25);
    QTest::keyClick(canvas, Qt::Key_BracketLeft);
    QCOMPARE(canvas->brushSize(), 20);
    QCOMPARE(view->maskToolBar()->sizeBox()->value(), 20);
    canvas->setBrushSize(2);
    QTest::keyClick(canvas, Qt::Key_BracketLeft);
    QTest::keyClick(canvas, Qt::Key_BracketLeft);
    QCOMPARE(canvas->brushSize(), MaskCanvas::MinBrushSize);
    canvas->setBrushSize(20);

    const double zoom = canvas->zoom();
    auto wheel = [canvas](int delta, Qt::KeyboardModifiers modifiers) {
        const QPointF pos(canvas->width() / 2.0, canvas->height() / 2.0);
        QWheelEvent event(pos, canvas->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, modifiers,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(canvas, &event);
    };
    wheel(120, Qt::ShiftModifier);
    QCOMPARE(canvas->brushSize(), 25);
    wheel(-120, Qt::ShiftModifier);
    QCOMPARE(canvas->brushSize(), 20);
    QCOMPARE(canvas->zoom(), zoom); // Shift+wheel sizes, it does not zoom
    wheel(120, Qt::NoModifier);
    QVERIFY(canvas->zoom() > zoom); // the wheel still zooms
    QCOMPARE(canvas->brushSize(), 20);
    // The size box sets it too.
    view->maskToolBar()->sizeBox()->setValue(33);
    QCOMPARE(canvas->brushSize(), 33);
}

void TestMaskEditor::polygonClosesAndCancels()
{
    const QString path = makeStore(u"polygon"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    const QString layer = u"identifying:face"_s;
    QTest::keyClick(canvas, Qt::Key_L);
    QUndoStack *stack = view->undoStack(view->currentImageId());
    const int steps = stack->count();

    // Clicks and Enter.
    const QList<QPointF> triangle {at(canvas, 20.5, 20.5), at(canvas, 120.5, 30.5), at(canvas, 60.5, 110.5)};
    for (const QPointF &p : triangle)
        click(canvas, p);
    QCOMPARE(canvas->polygonVertexCount(), 3);
    QCOMPARE(cv::countNonZero(doc->mask(layer)), 0); // not yet
    QTest::keyClick(canvas, Qt::Key_Return);
    QCOMPARE(canvas->polygonVertexCount(), 0);
    cv::Mat expected(300, 400, CV_8UC1, cv::Scalar(0));
    std::vector<cv::Point2f> vertices;
    for (const QPointF &p : triangle)
        vertices.push_back(imageAt(canvas, p));
    MaskTools::polygon(expected, vertices, PaintMode::Paint);
    QVERIFY(cv::countNonZero(expected) > 1000);
    QVERIFY(sameMask(doc->mask(layer), expected));
    QCOMPARE(stack->count(), steps + 1);

    // Double-click closes (the double click's first click is the last vertex); Backspace removes one.
    const QList<QPointF> square {at(canvas, 200.5, 150.5), at(canvas, 300.5, 150.5), at(canvas, 330.5, 170.5),
                                 at(canvas, 300.5, 250.5)};
    for (const QPointF &p : square)
        click(canvas, p);
    QTest::keyClick(canvas, Qt::Key_Backspace);
    QCOMPARE(canvas->polygonVertexCount(), 3);
    const QPointF last = at(canvas, 200.5, 250.5);
    click(canvas, last);
    mouse(canvas, QEvent::MouseButtonDblClick, last, Qt::LeftButton, Qt::LeftButton);
    mouse(canvas, QEvent::MouseButtonRelease, last, Qt::LeftButton, Qt::NoButton);
    QCOMPARE(canvas->polygonVertexCount(), 0);
    vertices = {imageAt(canvas, square[0]), imageAt(canvas, square[1]), imageAt(canvas, square[2]), imageAt(canvas, last)};
    MaskTools::polygon(expected, vertices, PaintMode::Paint);
    QVERIFY(sameMask(doc->mask(layer), expected));
    QCOMPARE(stack->count(), steps + 2);

    // Esc cancels.
    click(canvas, at(canvas, 10, 200));
    click(canvas, at(canvas, 80, 200));
    click(canvas, at(canvas, 50, 280));
    QTest::keyClick(canvas, Qt::Key_Escape);
    QCOMPARE(canvas->polygonVertexCount(), 0);
    QTest::keyClick(canvas, Qt::Key_Return);
    QVERIFY(sameMask(doc->mask(layer), expected));
    QCOMPARE(stack->count(), steps + 2);

    // A freehand drag is a lasso, closed on release.
    QList<QPointF> lasso;
    for (int i = 0; i <= 24; ++i) {
        const double a = i * M_PI / 12;
        lasso.append(at(canvas, 330 + 40 * std::cos(a), 80 + 40 * std::sin(a)));
    }
    drag(canvas, lasso);
    QCOMPARE(stack->count(), steps + 3);
    QCOMPARE(doc->mask(layer).at<uchar>(80, 330), uchar(255));
    QCOMPARE(doc->mask(layer).at<uchar>(80, 385), uchar(0));
}

void TestMaskEditor::rectangleAndFill()
{
    const QString path = makeStore(u"rect"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    const QString layer = u"identifying:face"_s;

    QTest::keyClick(canvas, Qt::Key_R);
    const QPointF a = at(canvas, 30.2, 40.7), b = at(canvas, 90.6, 70.1);
    drag(canvas, {a, at(canvas, 50, 50), b});
    cv::Mat expected(300, 400, CV_8UC1, cv::Scalar(0));
    MaskTools::rectangle(expected, MaskTools::pixelRect(imageAt(canvas, a), imageAt(canvas, b)), PaintMode::Paint);
    QVERIFY(cv::countNonZero(expected) > 1500);
    QVERIFY(sameMask(doc->mask(layer), expected));
    // Shift erases.
    drag(canvas, {at(canvas, 40, 45), at(canvas, 60, 60)}, Qt::LeftButton, Qt::ShiftModifier);
    MaskTools::rectangle(expected, MaskTools::pixelRect(imageAt(canvas, at(canvas, 40, 45)), imageAt(canvas, at(canvas, 60, 60))),
                         PaintMode::Erase);
    QVERIFY(sameMask(doc->mask(layer), expected));

    // A ring drawn with the brush, then a fill inside it.
    QTest::keyClick(canvas, Qt::Key_B);
    canvas->setBrushSize(6);
    QList<QPointF> ring;
    for (int i = 0; i <= 36; ++i) {
        const double t = i * M_PI / 18;
        ring.append(at(canvas, 250 + 50 * std::cos(t), 170 + 50 * std::sin(t)));
    }
    drag(canvas, ring);
    cv::Mat before = doc->mask(layer).clone();
    QTest::keyClick(canvas, Qt::Key_K);
    click(canvas, at(canvas, 250.5, 170.5));
    MaskTools::fillRegion(before, cv::Point(250, 170), PaintMode::Paint);
    QVERIFY(sameMask(doc->mask(layer), before));
    QCOMPARE(doc->mask(layer).at<uchar>(170, 250), uchar(255));
    QCOMPARE(doc->mask(layer).at<uchar>(10, 390), uchar(0)); // the fill stayed inside
}

void TestMaskEditor::morphologyButtons()
{
    const QString path = makeStore(u"morph"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    const QString layer = u"identifying:face"_s;
    QUndoStack *stack = view->undoStack(view->currentImageId());

    // A square with a hole, a speck, through the rectangle tool.
    QTest::keyClick(canvas, Qt::Key_R);
    drag(canvas, {at(canvas, 50, 50), at(canvas, 150, 150)});
    drag(canvas, {at(canvas, 90, 90), at(canvas, 100, 100)}, Qt::LeftButton, Qt::ShiftModifier);
    drag(canvas, {at(canvas, 300, 200), at(canvas, 302, 202)});
    cv::Mat expected = doc->mask(layer).clone();
    const int steps = stack->count();
    MaskLayerPanel *panel = view->maskLayers();

    panel->findChild<QToolButton *>(u"fillHoles"_s)->click();
    MaskTools::fillHoles(expected);
    QVERIFY(sameMask(doc->mask(layer), expected));
    QCOMPARE(stack->count(), steps + 1);

    panel->speckSizeBox()->setValue(50);
    panel->findChild<QToolButton *>(u"removeSpecks"_s)->click();
    MaskTools::removeSpecks(expected, 50);
    QVERIFY(sameMask(doc->mask(layer), expected));
    QCOMPARE(doc->mask(layer).at<uchar>(201, 301), uchar(0));
    QCOMPARE(stack->count(), steps + 2);

    panel->smoothRadiusBox()->setValue(6);
    panel->findChild<QToolButton *>(u"smoothEdge"_s)->click();
    MaskTools::smoothEdge(expected, 6);
    QVERIFY(sameMask(doc->mask(layer), expected));
    QCOMPARE(stack->count(), steps + 3);
    // Nothing to do: no step.
    panel->findChild<QToolButton *>(u"fillHoles"_s)->click();
    QCOMPARE(stack->count(), steps + 3);
    stack->undo();
    stack->undo();
    stack->undo();
    QCOMPARE(doc->mask(layer).at<uchar>(95, 95), uchar(0)); // the hole is back
}

void TestMaskEditor::grabCutBoxIsOneUndoStep()
{
    QList<QImage> images;
    const QString path = makeStore(u"grabcut"_s, 1, QSize(400, 300), &images);
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    const QString layer = u"identifying:face"_s;
    QUndoStack *stack = view->undoStack(view->currentImageId());
    const cv::Mat truth = lesionOf(canvas->image());
    QVERIFY(cv::countNonZero(truth) > 5000);

    QTest::keyClick(canvas, Qt::Key_A);
    QSignalSpy busy(canvas, &MaskCanvas::busyChanged);
    // Cancelled at once: nothing applied.
    drag(canvas, {at(canvas, 110, 80), at(canvas, 300, 220)});
    QVERIFY(canvas->isBusy());
    QVERIFY(view->maskToolBar()->cancelAction()->isVisible());
    QTest::keyClick(canvas, Qt::Key_Escape);
    QVERIFY(!canvas->isBusy());
    QVERIFY(!view->maskToolBar()->cancelAction()->isVisible());
    QVERIFY(segmentationSettled());
    QCOMPARE(cv::countNonZero(doc->mask(layer)), 0);

    const int steps = stack->count();
    drag(canvas, {at(canvas, 110, 80), at(canvas, 300, 220)});
    QVERIFY(canvas->isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->isBusy(), 20'000);
    QCOMPARE(stack->count(), steps + 1);
    QVERIFY(canvas->hasGrabCutResult());
    const double first = iou(doc->mask(layer), truth);
    QVERIFY2(first >= 0.85, qPrintable(QString::number(first)));
    QVERIFY(!busy.isEmpty());

    // A refinement stroke on the background: the same undo step.
    canvas->setBrushSize(6);
    drag(canvas, {at(canvas, 120, 90), at(canvas, 130, 95)}, Qt::RightButton);
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->isBusy(), 20'000);
    QCOMPARE(stack->count(), steps + 1);
    QCOMPARE(doc->mask(layer).at<uchar>(90, 120), uchar(0));
    QVERIFY(iou(doc->mask(layer), truth) >= 0.85);
    // One undo removes the whole assisted result.
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(cv::countNonZero(doc->mask(layer)), 0);
    QTest::keyClick(canvas, Qt::Key_Escape);
    QVERIFY(!canvas->hasGrabCutResult());
}

void TestMaskEditor::grabCutFromStrokesAlone()
{
    const QString path = makeStore(u"grabcutstrokes"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    MaskToolBar *bar = view->maskToolBar();
    tickFace(view);
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    const QString layer = u"identifying:face"_s;
    QUndoStack *stack = view->undoStack(view->currentImageId());
    const cv::Mat truth = lesionOf(canvas->image());
    QVERIFY(cv::countNonZero(truth) > 5000);

    // The Box / Strokes choice shows with the GrabCut tool only, and says how it works.
    QAction *box = bar->grabCutStartAction(MaskCanvas::GrabCutStart::Box);
    QAction *strokes = bar->grabCutStartAction(MaskCanvas::GrabCutStart::Strokes);
    QVERIFY(!bar->toolBar()->widgetForAction(strokes)->isVisible());
    QTest::keyClick(canvas, Qt::Key_A);
    QTRY_VERIFY(bar->toolBar()->widgetForAction(strokes)->isVisible());
    QVERIFY(box->isChecked());
    QVERIFY2(bar->hintText().contains(u"Drag a box"_s), qPrintable(bar->hintText()));
    QVERIFY(strokes->toolTip().contains(u"right drag"_s));
    strokes->trigger();
    QCOMPARE(canvas->grabCutStart(), MaskCanvas::GrabCutStart::Strokes);
    QVERIFY(strokes->isChecked() && !box->isChecked());
    QVERIFY2(bar->hintText().contains(u"right drag"_s), qPrintable(bar->hintText()));

    // Background strokes (right drag, Alt+drag) alone wait for a foreground one.
    canvas->setBrushSize(8);
    const int steps = stack->count();
    QSignalSpy messages(canvas, &MaskCanvas::message);
    drag(canvas, {at(canvas, 60, 40), at(canvas, 340, 40)}, Qt::RightButton);
    drag(canvas, {at(canvas, 60, 265), at(canvas, 340, 265)}, Qt::LeftButton, Qt::AltModifier);
    QVERIFY(!canvas->isBusy());
    QVERIFY(canvas->hasPendingGrabCutStrokes());
    QVERIFY(!messages.isEmpty());
    QVERIFY(messages.last().at(0).toString().contains(u"drag over the lesion"_s));
    QCOMPARE(stack->count(), steps);

    // A rough foreground scribble inside the lesion starts the segmentation in the background;
    // Esc cancels it (nothing applied, the strokes stay) and Enter runs the strokes again.
    const QList<QPointF> scribble {at(canvas, 170, 130), at(canvas, 230, 170), at(canvas, 200, 150),
                                   at(canvas, 170, 170), at(canvas, 230, 130)};
    drag(canvas, scribble);
    QVERIFY(canvas->isBusy());
    QTest::keyClick(canvas, Qt::Key_Escape);
    QVERIFY(!canvas->isBusy());
    QVERIFY(segmentationSettled());
    QCOMPARE(cv::countNonZero(doc->mask(layer)), 0);
    QVERIFY(canvas->hasPendingGrabCutStrokes());
    QTest::keyClick(canvas, Qt::Key_Return);
    QVERIFY(canvas->isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->isBusy(), 20'000);
    QVERIFY(canvas->hasGrabCutResult());
    QVERIFY(!canvas->hasPendingGrabCutStrokes());
    QCOMPARE(stack->count(), steps + 1);
    QCOMPARE(stack->undoText(), u"Assisted segmentation"_s);
    const double first = iou(doc->mask(layer), truth);
    QVERIFY2(first >= 0.85, qPrintable(QString::number(first)));

    // Refinement strokes keep the one undo step.
    canvas->setBrushSize(6);
    drag(canvas, {at(canvas, 120, 90), at(canvas, 130, 95)}, Qt::RightButton);
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->isBusy(), 20'000);
    drag(canvas, {at(canvas, 190, 140), at(canvas, 210, 160)});
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->isBusy(), 20'000);
    QCOMPARE(stack->count(), steps + 1);
    QCOMPARE(doc->mask(layer).at<uchar>(90, 120), uchar(0));
    const double refined = iou(doc->mask(layer), truth);
    QVERIFY2(refined >= 0.85, qPrintable(QString::number(refined)));
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(cv::countNonZero(doc->mask(layer)), 0);
    QTest::keyClick(canvas, Qt::Key_Escape);
    QVERIFY(!canvas->hasGrabCutResult());

    // Without waiting strokes, a stroke on its own starts a new session at once.
    canvas->setBrushSize(8);
    drag(canvas, scribble);
    QVERIFY(canvas->isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->isBusy(), 20'000);
    const double alone = iou(doc->mask(layer), truth);
    QVERIFY2(alone >= 0.85, qPrintable(QString::number(alone)));
    qInfo("GrabCut from strokes alone: IoU %.3f, after refinement %.3f, single stroke %.3f", first, refined, alone);
    QCOMPARE(stack->count(), steps + 1); // the undone step was replaced
    QCOMPARE(stack->index(), steps + 1);

    // Back to Box: the tool starts from a box again (a left drag draws no stroke).
    QTest::keyClick(canvas, Qt::Key_Escape);
    box->trigger();
    QCOMPARE(canvas->grabCutStart(), MaskCanvas::GrabCutStart::Box);
    mouse(canvas, QEvent::MouseButtonPress, at(canvas, 110, 80), Qt::LeftButton, Qt::LeftButton);
    mouse(canvas, QEvent::MouseMove, at(canvas, 300, 220), Qt::NoButton, Qt::LeftButton);
    QVERIFY(!canvas->hasPendingGrabCutStrokes());
    mouse(canvas, QEvent::MouseButtonRelease, at(canvas, 300, 220), Qt::LeftButton, Qt::NoButton);
    QVERIFY(canvas->isBusy());
    canvas->cancelBusy();
}

void TestMaskEditor::magicWandFollowsTolerance()
{
    const QString path = makeStore(u"wand"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    const QString layer = u"identifying:face"_s;

    QTest::keyClick(canvas, Qt::Key_W);
    QTRY_VERIFY(view->maskToolBar()->toleranceBox()->isVisible());
    view->maskToolBar()->toleranceBox()->setValue(10);
    QCOMPARE(canvas->wandTolerance(), 10);
    click(canvas, at(canvas, 200.5, 150.5));
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->isBusy(), 20'000);
    const cv::Mat truth = lesionOf(canvas->image());
    QVERIFY(sameMask(doc->mask(layer), truth));
    const cv::Mat expected = MagicWand::select(WorkingScale::toBgr(canvas->image()), cv::Point(200, 150), 10).mask;
    QVERIFY(sameMask(doc->mask(layer), expected));
    // Shift removes the region again.
    click(canvas, at(canvas, 200.5, 150.5), Qt::ShiftModifier);
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->isBusy(), 20'000);
    QCOMPARE(cv::countNonZero(doc->mask(layer)), 0);
    // A tolerance that spans skin and lesion takes everything.
    view->maskToolBar()->toleranceBox()->setValue(120);
    click(canvas, at(canvas, 10.5, 10.5));
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->isBusy(), 20'000);
    QCOMPARE(cv::countNonZero(doc->mask(layer)), 400 * 300);
}

void TestMaskEditor::superpixelBrushPaintsWholeSuperpixels()
{
    const QString path = makeStore(u"superpixel"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    const QString layer = u"identifying:face"_s;
    QTest::keyClick(canvas, Qt::Key_X);
    QTRY_VERIFY_WITH_TIMEOUT(canvas->superpixelsReady(), 20'000); // computed in the background
    canvas->setBrushSize(2);
    click(canvas, at(canvas, 200.5, 150.5));
    const int painted = cv::countNonZero(doc->mask(layer));
    QVERIFY2(painted > 20, qPrintable(QString::number(painted))); // a whole superpixel, not a dot
    QCOMPARE(doc->mask(layer).at<uchar>(150, 200), uchar(255));
    QCOMPARE(doc->mask(layer).at<uchar>(5, 5), uchar(0));
    // Its own undo step: "Superpixel brush"; a dab right where the last ended continues it.
    QUndoStack *stack = view->undoStack(view->currentImageId());
    QCOMPARE(stack->undoText(), u"Superpixel brush"_s);
    const int steps = stack->count();
    drag(canvas, {at(canvas, 200.5, 150.5), at(canvas, 240.5, 150.5)});
    QCOMPARE(stack->count(), steps);
    QVERIFY(cv::countNonZero(doc->mask(layer)) > painted);
    click(canvas, at(canvas, 30.5, 30.5)); // elsewhere: a new step
    QCOMPARE(stack->count(), steps + 1);
    QCOMPARE(stack->undoText(), u"Superpixel brush"_s);
}

void TestMaskEditor::layerPanelFollowsTheLabels()
{
    const QString path = makeStore(u"layers"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    MaskLayerPanel *panel = view->maskLayers();
    LabelForm *form = view->form();
    QVERIFY(panel->layerIds().isEmpty());

    // A diagnosis added (as the form reports it): its layer, named from the taxonomy, active.
    const Annotation before = form->annotation();
    Annotation after = before;
    after.diagnoses.append({u"eczema"_s, 4});
    emit form->edited(before, after, u"Diagnosis"_s, -1);
    QCOMPARE(panel->layerIds(), QStringList {u"condition:eczema"_s});
    QCOMPARE(panel->rowText(u"condition:eczema"_s), u"Eczema"_s);
    QCOMPARE(canvas->activeLayer(), u"condition:eczema"_s);

    // An identifying kind ticked.
    tickFace(view);
    QCOMPARE(panel->layerIds(), (QStringList {u"condition:eczema"_s, u"identifying:face"_s}));
    QCOMPARE(panel->rowText(u"identifying:face"_s), u"Face (identifying)"_s);

    // Paint eczema; remove the diagnosis: the layer stays, marked, while it has pixels.
    panel->findChild<QListWidget *>(u"maskLayers"_s)->setCurrentRow(0);
    QCOMPARE(canvas->activeLayer(), u"condition:eczema"_s);
    QTest::keyClick(canvas, Qt::Key_R);
    drag(canvas, {at(canvas, 20, 20), at(canvas, 40, 40)});
    const Annotation withEczema = form->annotation();
    Annotation without = withEczema;
    without.diagnoses.clear();
    emit form->edited(withEczema, without, u"Diagnosis removed"_s, -1);
    QVERIFY(panel->layerIds().contains(u"condition:eczema"_s));
    QVERIFY2(panel->rowText(u"condition:eczema"_s).contains(u"not in labels"_s),
             qPrintable(panel->rowText(u"condition:eczema"_s)));
    // Erased: it disappears. The face layer (in the labels, empty) stays.
    QTest::keyClick(canvas, Qt::Key_E);
    canvas->setBrushSize(60);
    canvas->setActiveLayer(u"condition:eczema"_s);
    drag(canvas, {at(canvas, 30, 30), at(canvas, 31, 31)});
    QCOMPARE(panel->layerIds(), QStringList {u"identifying:face"_s});
    // Undo brings the pixels and so the layer back; undo the removal brings the label back.
    QUndoStack *stack = view->undoStack(view->currentImageId());
    stack->undo();
    QVERIFY(panel->layerIds().contains(u"condition:eczema"_s));
    stack->undo();
    QCOMPARE(panel->rowText(u"condition:eczema"_s), u"Eczema"_s);
    // Unticking face removes its (empty) layer.
    form->findChild<QCheckBox *>(u"identifying_face"_s)->click();
    QCOMPARE(panel->layerIds(), QStringList {u"condition:eczema"_s});
}

void TestMaskEditor::visibilityAndOpacityChangeOnlyTheView()
{
    const QString path = makeStore(u"visibility"_s, 1, QSize(400, 300));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    MaskDocument *doc = view->maskDocument(view->currentImageId());
    const QString layer = u"identifying:face"_s;
    const QPoint probe = at(canvas, 40.5, 40.5).toPoint();
    const QColor plain = canvas->grab().toImage().pixelColor(probe);
    QCOMPARE(plain, Skin);
    QTest::keyClick(canvas, Qt::Key_R);
    drag(canvas, {at(canvas, 10, 10), at(canvas, 80, 80)});
    const cv::Mat painted = doc->mask(layer).clone();
    const QColor tinted = canvas->grab().toImage().pixelColor(probe);
    QVERIFY(tinted != plain);

    MaskLayerPanel *panel = view->maskLayers();
    auto *list = panel->findChild<QListWidget *>(u"maskLayers"_s);
    list->item(0)->setCheckState(Qt::Unchecked);
    QVERIFY(!doc->layer(layer)->isVisible());
    QCOMPARE(canvas->grab().toImage().pixelColor(probe), plain);
    list->item(0)->setCheckState(Qt::Checked);
    QCOMPARE(canvas->grab().toImage().pixelColor(probe), tinted);

    panel->opacitySlider()->setValue(100);
    QCOMPARE(doc->layer(layer)->opacity(), 1.0);
    QCOMPARE(canvas->grab().toImage().pixelColor(probe), doc->layer(layer)->colour());
    panel->opacitySlider()->setValue(0);
    QCOMPARE(canvas->grab().toImage().pixelColor(probe), plain);
    panel->opacitySlider()->setValue(100);
    // Outline only: the inside shows the image, the edge the colour.
    panel->outlineBox()->setChecked(true);
    QCOMPARE(canvas->grab().toImage().pixelColor(probe), plain);
    QVERIFY(sameMask(doc->mask(layer), painted)); // the view changed, never the mask
}

void TestMaskEditor::layerOverlaysComposeLikeOneOverlay()
{
    // One overlay per layer, composed at paint time with the layer's opacity, shows what one
    // overlay of all visible layers (MaskOverlay::updateAll) shows, after any change of style.
    const QSize size(400, 300);
    MaskDocument doc(size);
    QString error;
    const QStringList layers {u"condition:eczema"_s, u"condition:psoriasis"_s, u"identifying:face"_s};
    for (int i = 0; i < layers.size(); ++i) {
        cv::Mat mask(300, 400, CV_8UC1, cv::Scalar(0));
        cv::circle(mask, cv::Point(120 + 80 * i, 150), 70, cv::Scalar(255), cv::FILLED);
        QVERIFY2(doc.setMask(layers.at(i), mask, &error), qPrintable(error));
    }
    doc.layer(layers.at(0))->setOpacity(0.5);
    doc.layer(layers.at(1))->setOpacity(0.8);
    doc.layer(layers.at(2))->setOutlineOnly(true);
    QUndoStack stack;
    MaskCanvas canvas;
    canvas.resize(500, 400);
    canvas.setImage(photo(size, 0));
    canvas.setDocument(&doc, &stack);
    auto largestDifference = [&] {
        MaskOverlay reference(size);
        reference.updateAll(doc);
        const QImage shown = canvas.overlayImage();
        if (shown.size() != reference.image().size())
            return 999;
        int largest = 0;
        for (int y = 0; y < shown.height(); ++y) {
            for (int x = 0; x < shown.width(); ++x) {
                const QRgb a = shown.pixel(x, y), b = reference.image().pixel(x, y);
                largest = std::max({largest, std::abs(qRed(a) - qRed(b)), std::abs(qGreen(a) - qGreen(b)),
                                    std::abs(qBlue(a) - qBlue(b)), std::abs(qAlpha(a) - qAlpha(b))});
            }
        }
        return largest;
    };
    QVERIFY(cv::countNonZero(doc.mask(layers.at(0))) > 10'000);
    QVERIFY2(largestDifference() <= 2, qPrintable(QString::number(largestDifference())));
    const std::vector<std::function<void()>> changes {
        [&] { doc.layer(layers.at(1))->setVisible(false); },
        [&] { doc.layer(layers.at(0))->setOpacity(1.0); },
        [&] { doc.layer(layers.at(2))->setOutlineOnly(false); },
        [&] { doc.layer(layers.at(0))->setColour(QColor(10, 200, 30)); },
        [&] { doc.layer(layers.at(1))->setVisible(true); },
        [&] { doc.layer(layers.at(1))->setOutlineOnly(true); },
    };
    for (size_t i = 0; i < changes.size(); ++i) {
        changes[i]();
        canvas.refreshOverlay();
        QVERIFY2(largestDifference() <= 2, qPrintable(u"change %1: %2"_s.arg(i).arg(largestDifference())));
    }
    // Shown again with other content, as the next image of the same size: the reused overlays
    // are coloured anew in full.
    doc.mask(layers.at(2)).setTo(0);
    doc.mask(layers.at(0))(cv::Rect(0, 0, 50, 50)).setTo(255);
    canvas.setDocument(&doc, &stack);
    QVERIFY2(largestDifference() <= 2, qPrintable(QString::number(largestDifference())));
    canvas.setDocument(nullptr, nullptr);
    QVERIFY(canvas.overlayImage().isNull());
}

void TestMaskEditor::toolsOffForPreviewAndReadOnly()
{
    // Large JPEG photos (big enough for a reduced preview).
    const QString path = makeStore(u"preview"_s, 5, QSize(3000, 2000), nullptr, u"jpg"_s);
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    // Nothing decoded ahead from here on; the fourth and fifth images were not (the default looks
    // 2 ahead).
    view->setPrefetchDepth(0);
    auto *cache = view->findChild<ImageCache *>();
    QVERIFY(cache);
    // What was decoded ahead of the first image is done, so only the images opened below are.
    QTRY_COMPARE_WITH_TIMEOUT(cache->pendingDecodes(), 0, 30'000);
    const qint64 image = view->queueFilter()->sourceModel()->index(3, 0).data(ImageListModel::ImageIdRole).toLongLong();
    {
        // The rater's mask of it, stored before it is opened: the top half.
        MaskService service(*window->store(), *window->user());
        QString error;
        auto doc = service.openOwn(image, &error);
        QVERIFY2(doc, qPrintable(error));
        cv::Mat mask(2000, 3000, CV_8UC1, cv::Scalar(0));
        mask(cv::Rect(0, 0, 3000, 1000)).setTo(255);
        QVERIFY(doc->setMask(u"identifying:face"_s, mask, &error));
        QVERIFY2(service.save(*doc, u"identifying:face"_s, &error), qPrintable(error));
    }
    struct State
    {
        bool preview, enabled;
        QColor top, bottom;
    };
    QList<State> states;
    auto record = [&](qint64 shown) {
        if (!view->canvas()->hasImage() || view->currentImageId() != shown)
            return;
        MaskCanvas *canvas = view->maskCanvas();
        const QImage shot = canvas->grab().toImage();
        const double w = canvas->image().width(), h = canvas->image().height();
        states.append({view->showingPreview(), canvas->toolsEnabled(),
                       shot.pixelColor(canvas->imageToWidget(QPointF(w / 2, h / 5)).toPoint()),
                       shot.pixelColor(canvas->imageToWidget(QPointF(w / 2, h * 4 / 5)).toPoint())});
    };
    QMetaObject::Connection recording
        = connect(view->maskCanvas(), &MaskCanvas::toolsStateChanged, this, [&] { record(image); });

    // The preview comes first: the full image is held back until the preview is on screen.
    cache->holdResults(ImageCache::ResultKind::Full);
    view->openRow(3);
    QTRY_VERIFY_WITH_TIMEOUT(view->canvas()->hasImage() && view->showingPreview(), 30'000);
    record(image);
    QVERIFY(!states.isEmpty());
    QVERIFY(states.last().preview);
    cache->releaseHeldResults(ImageCache::ResultKind::Full);
    QTRY_VERIFY_WITH_TIMEOUT(view->canvas()->hasImage() && !view->showingPreview(), 30'000);
    record(image);
    disconnect(recording);
    for (const State &state : std::as_const(states)) {
        if (state.preview) {
            QVERIFY(!state.enabled);
            // The stored mask is drawn over the preview: the top half is tinted, the bottom is not.
            const int difference = std::abs(state.top.red() - state.bottom.red())
                + std::abs(state.top.green() - state.bottom.green()) + std::abs(state.top.blue() - state.bottom.blue());
            QVERIFY2(difference > 40, qPrintable(QString::number(difference)));
        }
    }
    QVERIFY(!states.last().preview);
    QVERIFY(states.last().enabled);
    const QString reason = view->maskCanvas()->toolsDisabledReason();
    QVERIFY2(reason.isEmpty(), qPrintable(reason)); // the face layer is there: tools on
    QVERIFY(view->maskToolBar()->toolAction(MaskCanvas::Tool::Brush)->isEnabled());

    // The full image comes first (its preview after it): no preview is ever shown, so the tools
    // are never off for one.
    const qint64 fifth = view->queueFilter()->sourceModel()->index(4, 0).data(ImageListModel::ImageIdRole).toLongLong();
    states.clear();
    recording = connect(view->maskCanvas(), &MaskCanvas::toolsStateChanged, this, [&] { record(fifth); });
    QSignalSpy previews(cache, &ImageCache::previewReady);
    QCOMPARE(cache->pendingDecodes(), 0);
    cache->holdResults(ImageCache::ResultKind::Preview);
    cache->holdResults(ImageCache::ResultKind::Full);
    view->openRow(4);
    QTRY_COMPARE_WITH_TIMEOUT(cache->heldResults(ImageCache::ResultKind::Preview), 1, 30'000);
    QTRY_COMPARE_WITH_TIMEOUT(cache->heldResults(ImageCache::ResultKind::Full), 1, 30'000);
    cache->releaseHeldResults(ImageCache::ResultKind::Full);
    QVERIFY(view->canvas()->hasImage());
    QCOMPARE(view->canvas()->image().size(), QSize(3000, 2000));
    cache->releaseHeldResults(ImageCache::ResultKind::Preview);
    record(fifth);
    disconnect(recording);
    QCOMPARE(previews.size(), 0);
    QVERIFY(!view->showingPreview());
    QCOMPARE(view->canvas()->image().size(), QSize(3000, 2000));
    QVERIFY(!states.isEmpty());
    for (const State &state : std::as_const(states))
        QVERIFY(!state.preview);

    // Read-only labels (the image no longer assigned): the tools are off and say why.
    const qint64 second = view->queueFilter()->sourceModel()->index(1, 0).data(ImageListModel::ImageIdRole).toLongLong();
    QSqlQuery query(window->store()->db());
    query.prepare(u"DELETE FROM assignments WHERE image_id = ? AND user_id = ?"_s);
    query.addBindValue(second);
    query.addBindValue(window->user()->id);
    QVERIFY(query.exec());
    view->openRow(1);
    QVERIFY(view->form()->isReadOnly());
    QVERIFY(!view->maskCanvas()->toolsEnabled());
    QVERIFY2(view->maskCanvas()->toolsDisabledReason().contains(u"read-only"_s),
             qPrintable(view->maskCanvas()->toolsDisabledReason()));
    QVERIFY(!view->maskToolBar()->toolAction(MaskCanvas::Tool::Brush)->isEnabled());
    QVERIFY(view->maskToolBar()->toolAction(MaskCanvas::Tool::Pan)->isEnabled());
}

void TestMaskEditor::imagesKeepSeparateHistories()
{
    const int count = LabellingView::KeptImages + 3;
    const QString path = makeStore(u"history"_s, count, QSize(120, 90));
    auto window = open(path);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    MaskCanvas *canvas = view->maskCanvas();
    tickFace(view);
    QTest::keyClick(canvas, Qt::Key_R);
    drag(canvas, {at(canvas, 10, 10), at(canvas, 20, 20)});
    const qint64 first = view->currentImageId();
    MaskDocument *firstDoc = view->maskDocument(first);
    const cv::Mat firstMask = firstDoc->mask(u"identifying:face"_s).clone();
    QVERIFY(cv::countNonZero(firstMask) > 50);
    QUndoStack *firstStack = view->undoStack(first);
    QCOMPARE(firstStack->count(), 2);

    view->openRow(1);
    QTRY_VERIFY_WITH_TIMEOUT(view->canvas()->hasImage() && !view->showingPreview(), 20'000);
    tickFace(view);
    QTest::keyClick(canvas, Qt::Key_R);
    drag(canvas, {at(canvas, 50, 50), at(canvas, 70, 60)});
    const qint64 second = view->currentImageId();
    QVERIFY(second != first);
    QVERIFY(view->maskDocument(second) != firstDoc);
    QVERIFY(view->undoStack(second) != firstStack);
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(cv::countNonZero(view->maskDocument(second)->mask(u"identifying:face"_s)), 0);
    QVERIFY(sameMask(firstDoc->mask(u"identifying:face"_s), firstMask)); // untouched

    view->openRow(0);
    QTRY_VERIFY_WITH_TIMEOUT(view->canvas()->hasImage() && !view->showingPreview(), 20'000);
    QCOMPARE(view->maskDocument(first), firstDoc);
    QCOMPARE(canvas->document(), firstDoc);
    QCOMPARE(firstStack->count(), 2);
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(cv::countNonZero(firstDoc->mask(u"identifying:face"_s)), 0);
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(view->form()->annotation().identifying.isEmpty());

    // Memory is bounded: visiting more than KeptImages images drops the oldest.
    for (int row = 1; row < count; ++row)
        view->openRow(row);
    QVERIFY(!view->maskDocument(first));
    QVERIFY(!view->undoStack(first));
    QVERIFY(view->maskDocument(view->currentImageId()));
    // Its masks were stored: opening it again loads them (the face layer was undone to empty).
    view->openRow(0);
    QVERIFY(view->maskDocument(first));
    QCOMPARE(view->undoStack(first)->count(), 0);
}

void TestMaskEditor::otherRatersMasksNeverShown()
{
    const QString path = makeStore(u"blind"_s, 1, QSize(400, 300));
    qint64 image = -1;
    {
        QString error;
        auto store = Store::open(path, Store::OpenMode::MustExist, &error);
        UserRepository users(store->db());
        MaskService service(*store, *users.findByName(u"dr.b"_s));
        QSqlQuery query(store->db());
        QVERIFY(query.exec(u"SELECT MIN(id) FROM images"_s) && query.next());
        image = query.value(0).toLongLong();
        auto doc = service.openOwn(image, &error);
        QVERIFY2(doc, qPrintable(error));
        QVERIFY(doc->setMask(u"identifying:face"_s, cv::Mat(300, 400, CV_8UC1, cv::Scalar(255)), &error));
        QVERIFY(doc->setMask(u"condition:eczema"_s, cv::Mat(300, 400, CV_8UC1, cv::Scalar(255)), &error));
        QVERIFY2(service.saveChanged(*doc, &error), qPrintable(error));
    }
    auto window = open(path, u"dr.a"_s);
    QVERIFY(window);
    LabellingView *view = window->labellingView();
    QCOMPARE(view->currentImageId(), image);
    MaskDocument *doc = view->maskDocument(image);
    QVERIFY(doc);
    QCOMPARE(doc->raterId(), window->user()->id);
    QVERIFY(doc->layerIds().isEmpty());
    QVERIFY(view->maskLayers()->layerIds().isEmpty());
    const QImage overlay = view->maskCanvas()->overlayImage();
    for (int y = 0; y < overlay.height(); y += 7)
        for (int x = 0; x < overlay.width(); x += 7)
            QCOMPARE(qAlpha(overlay.pixel(x, y)), 0);
    const QImage shot = view->maskCanvas()->grab().toImage();
    QCOMPARE(shot.pixelColor(view->maskCanvas()->imageToWidget(QPointF(20.5, 20.5)).toPoint()), Skin);
}

QTEST_MAIN(TestMaskEditor)
#include "tst_maskeditor.moc"
