// SPDX-License-Identifier: GPL-3.0-or-later
#include "LabellingView.h"

#include "CaseContextBar.h"
#include "ImageListModel.h"
#include "QueueFilterModel.h"
#include "ThumbnailDelegate.h"
#include "canvas/ImageCanvas.h"
#include "labelform/LabelConflictPanel.h"
#include "labelform/LabelForm.h"
#include "masks/MaskCanvas.h"
#include "masks/MaskLayerPanel.h"
#include "masks/MaskToolBar.h"

#include "annotation/AnnotationService.h"
#include "imaging/ImageCache.h"
#include "labelling/LabellingDocument.h"
#include "labelling/LabellingDocumentManager.h"
#include "masks/MaskDocument.h"
#include "session/ImageService.h"
#include "session/SessionService.h"
#include "taxonomy/Taxonomy.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QFontMetrics>
#include <QFrame>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QTextEdit>
#include <QToolButton>
#include <QUndoGroup>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

constexpr int AdjustmentStep = 10;
// Previews are decoded to fit the canvas, but never smaller than this.
constexpr QSize MinimumPreviewSize(640, 480);

QString signedValue(int value)
{
    if (value > 0)
        return u"+%1"_s.arg(value);
    if (value < 0)
        return u"\u2212%1"_s.arg(-value);
    return u"0"_s;
}

} // namespace

LabellingView::LabellingView(Store &store, const User &user, ImageListModel *queue, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_user(user)
    , m_queue(queue)
    , m_service(std::make_unique<AnnotationService>(store, user))
    , m_documents(std::make_unique<LabellingDocumentManager>(store, user, KeptImages))
    , m_cache(new ImageCache(ImageCache::DefaultBudgetBytes, this))
    , m_undo(new QUndoGroup(this))
{
    setObjectName(u"labellingView"_s);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(splitter);

    auto *queuePanel = new QWidget(splitter);
    auto *queueLayout = new QVBoxLayout(queuePanel);
    queueLayout->setContentsMargins(0, 0, 0, 0);
    queueLayout->setSpacing(2);
    m_statusFilter = new QComboBox(queuePanel);
    m_statusFilter->setObjectName(u"statusFilter"_s);
    m_statusFilter->setFocusPolicy(Qt::NoFocus);
    for (const QString &status : {QString(), AssignmentStatus::Todo, AssignmentStatus::InProgress,
                                  AssignmentStatus::Done, AssignmentStatus::Skipped, AssignmentStatus::Flagged})
        m_statusFilter->addItem(QString(), status);
    queueLayout->addWidget(m_statusFilter);
    m_filter = new QueueFilterModel(this);
    m_filter->setSourceModel(m_queue);
    m_list = new QListView(queuePanel);
    queueLayout->addWidget(m_list, 1);
    m_list->setObjectName(u"queue"_s);
    m_list->setModel(m_filter);
    m_list->setItemDelegate(new ThumbnailDelegate(96, m_list));
    m_list->setUniformItemSizes(true);
    queuePanel->setMinimumWidth(130);
    queuePanel->setMaximumWidth(170);
    // A click gives the queue the focus (the form's keys still work there, see routeKey()); the
    // arrow keys then move through it.
    m_list->setFocusPolicy(Qt::ClickFocus);
    connect(m_list, &QListView::clicked, this, [this](const QModelIndex &index) {
        const int row = m_filter->mapToSource(index).row();
        if (row != m_row)
            openRow(row);
    });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &index) {
        const int row = m_filter->mapToSource(index).row();
        if (m_list->hasFocus() && index.isValid() && row != m_row)
            openRow(row);
    });
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setStatus(m_statusFilter->currentData().toString());
        m_list->setCurrentIndex(m_filter->mapFromSource(m_queue->index(m_row, 0)));
    });
    connect(m_queue, &QAbstractItemModel::dataChanged, this, &LabellingView::updateFilterCounts);
    // Rows come and go when the queue changes elsewhere (re-assignments): the open image keeps its
    // place (the model keeps its row), the row numbers follow.
    auto followQueue = [this] {
        if (m_imageId >= 0) {
            m_row = -1;
            m_row = rowOfImage(m_imageId);
            m_titlePosition = tr("%1 of %2").arg(m_row + 1).arg(m_queue->rowCount());
            updateTitle();
        }
        updateFilterCounts();
    };
    connect(m_queue, &QAbstractItemModel::rowsRemoved, this, followQueue);
    connect(m_queue, &QAbstractItemModel::rowsInserted, this, followQueue);
    updateFilterCounts();

    auto *centre = new QWidget(splitter);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(0);
    m_canvas = new MaskCanvas(centre);
    centreLayout->addWidget(createViewBar(centre));
    // Mask tool keys work while the image (or the bars around it) has the focus.
    m_maskTools = new MaskToolBar(m_canvas, centre, centre);
    centreLayout->addWidget(m_maskTools);
    centreLayout->addWidget(m_canvas, 1);
    m_case = new CaseContextBar(store, centre);
    m_case->setViewer(user);
    centreLayout->addWidget(m_case);

    // The form above (scrolling), the region layers below it (as tall as their rows).
    auto *side = new QWidget(splitter);
    side->setObjectName(u"sidePanel"_s);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->setSpacing(0);
    auto *scroll = new QScrollArea(side);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(400);
    scroll->setFrameShape(QFrame::NoFrame);
    m_form = new LabelForm(scroll);
    m_form->setTaxonomy(Taxonomy::builtin());
    scroll->setWidget(m_form);
    m_conflict = new LabelConflictPanel(side);
    m_conflict->setTaxonomy(&Taxonomy::builtin());
    sideLayout->addWidget(m_conflict);
    sideLayout->addWidget(scroll, 1);
    auto *rule = new QFrame(side);
    rule->setFrameShape(QFrame::HLine);
    rule->setFrameShadow(QFrame::Sunken);
    sideLayout->addWidget(rule);
    sideLayout->addWidget(createLayerSection(side));
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({150, 800, 400});

    connect(m_form, &LabelForm::edited, this, &LabellingView::onEdited);
    connect(m_conflict, &LabelConflictPanel::keepStoredRequested, this, [this] {
        if (m_document)
            m_document->keepStored();
    });
    connect(m_conflict, &LabelConflictPanel::overwriteRequested, this, [this] {
        if (m_document)
            m_document->overwriteStored();
    });
    connect(m_documents.get(), &LabellingDocumentManager::documentOpened, this, &LabellingView::watchDocument);
    connect(m_documents.get(), &LabellingDocumentManager::aboutToClose, this, &LabellingView::onDocumentClosing);
    // On a team store a missing file is downloaded on the decoder thread, before its decode:
    // prefetching the next images fetches them from the server too.
    m_cache->setFileSource([store = &m_store](const QString &, const QString &path, QString *error) {
        return ImageService(*store).localFileAt(path, error);
    });
    m_planner.setBaseDepth(m_prefetchDepth);
    m_planner.setMaxDepth(Preferences::MaxPrefetchDepth);
    m_clock.start();
    connect(m_cache, &ImageCache::ready, this, &LabellingView::onImageReady);
    connect(m_cache, &ImageCache::failed, this, &LabellingView::onImageFailed);
    connect(m_cache, &ImageCache::previewReady, this, &LabellingView::onPreviewReady);
    connect(m_canvas, &ImageCanvas::zoomChanged, this, &LabellingView::updateZoomLabel);

    auto makeAction = [this](const QString &text, const QList<QKeySequence> &keys, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        return action;
    };
    m_next = makeAction(tr("Next Image"), {QKeySequence(Qt::CTRL | Qt::Key_Right), QKeySequence(Qt::Key_PageDown)},
                        &LabellingView::next);
    m_previous = makeAction(tr("Previous Image"), {QKeySequence(Qt::CTRL | Qt::Key_Left), QKeySequence(Qt::Key_PageUp)},
                            &LabellingView::previous);
    m_skip = makeAction(tr("Skip Image"), {QKeySequence(Qt::CTRL | Qt::Key_K)},
                        [this] { markAndNext(AssignmentStatus::Skipped); });
    m_flag = makeAction(tr("Flag for QA"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F)},
                        [this] { markAndNext(AssignmentStatus::Flagged); });

    // The form's keys, wherever the focus is in this screen (see routeKey()).
    qApp->installEventFilter(this);
}

LabellingView::~LabellingView()
{
    qApp->removeEventFilter(this);
    // Nothing shows the documents any more; closing them saves what is not saved yet.
    m_canvas->setDocument(nullptr, nullptr);
    m_layers->setDocument(nullptr, {});
    m_document = nullptr;
    m_documents->disconnect(this);
    const QList<LabellingDocument *> open = m_documents->documents();
    for (LabellingDocument *doc : open)
        doc->disconnect(this);
    m_documents.reset();
    // The decoders' file source reads the store, which may go after this view: queued decodes
    // are dropped with the cache, running ones (a download, say) are awaited.
    delete m_cache;
    m_cache = nullptr;
    ImageCache::waitForDecoders();
}

ImageCanvas *LabellingView::canvas() const
{
    return m_canvas;
}

QWidget *LabellingView::createLayerSection(QWidget *parent)
{
    m_layers = new MaskLayerPanel(parent);
    m_layers->setTaxonomy(Taxonomy::builtin());
    connect(m_layers, &MaskLayerPanel::activeLayerChanged, m_canvas, &MaskCanvas::setActiveLayer);
    connect(m_canvas, &MaskCanvas::activeLayerChanged, m_layers, &MaskLayerPanel::setActiveLayer);
    connect(m_layers, &MaskLayerPanel::layerStyleChanged, m_canvas, [this] { m_canvas->refreshOverlay(); });
    connect(m_layers, &MaskLayerPanel::fillHolesRequested, m_canvas, [this] { m_canvas->fillHoles(); });
    connect(m_layers, &MaskLayerPanel::removeSpecksRequested, m_canvas,
            [this](int pixels) { m_canvas->removeSpecks(pixels); });
    connect(m_layers, &MaskLayerPanel::smoothEdgeRequested, m_canvas,
            [this](int radius) { m_canvas->smoothEdge(radius); });
    // No undo or redo in the middle of a stroke.
    connect(m_canvas, &MaskCanvas::editingInProgress, this, [this](bool editing) {
        m_undo->setActiveStack(editing || !m_document ? nullptr : m_document->undoStack());
    });
    connect(m_canvas, &MaskCanvas::message, this, [this](const QString &text) { updateStatus(text); });
    connect(m_canvas, &MaskCanvas::toolsStateChanged, this, [this] {
        m_layers->setEditingEnabled(m_canvas->toolsEnabled(), m_canvas->toolsDisabledReason());
    });
    return m_layers;
}

QList<QAction *> LabellingView::maskToolActions() const
{
    return m_maskTools->shortcutActions();
}

LabellingDocument *LabellingView::document(qint64 imageId) const
{
    return m_documents->document(imageId);
}

MaskDocument *LabellingView::maskDocument(qint64 imageId) const
{
    const LabellingDocument *doc = document(imageId);
    return doc ? doc->masks() : nullptr;
}

QUndoStack *LabellingView::undoStack(qint64 imageId) const
{
    const LabellingDocument *doc = document(imageId);
    return doc ? doc->undoStack() : nullptr;
}

void LabellingView::watchDocument(LabellingDocument *document)
{
    m_undo->addStack(document->undoStack());
    connect(document, &LabellingDocument::labelsSaved, this, [this, document](const Annotation &stored) {
        if (document == m_document) {
            if (!stored.sameLabels(m_form->annotation()))
                m_form->setAnnotation(stored);
            followLabels(stored);
        }
        markRowInProgress(rowOfImage(document->imageId()));
        updateStatus(tr("Saved"));
    });
    connect(document, &LabellingDocument::masksEdited, this, [this, document] {
        // A layer no label asks for disappears once it is empty; an undo may bring one back.
        if (document != m_document || !m_layers->document())
            return;
        if (m_layers->followLabels(m_form->annotation()))
            m_canvas->refreshOverlay();
        else
            m_layers->refresh();
    });
    connect(document, &LabellingDocument::masksSaved, this, [this, document] {
        markRowInProgress(rowOfImage(document->imageId()));
        if (document == m_document && !document->hasUnsavedChanges())
            updateStatus(tr("Saved"));
    });
    // Kept in memory; the next step (or closing the image) saves again.
    connect(document, &LabellingDocument::saveFailed, this,
            [this](const QString &message) { updateStatus(tr("Not saved: %1").arg(message)); });
    // Saved elsewhere meanwhile: the rater sees both and decides.
    connect(document, &LabellingDocument::labelsConflict, this, [this, document] {
        if (document == m_document)
            updateConflict();
    });
    connect(document, &LabellingDocument::masksConflict, this, [this, document] {
        if (document == m_document)
            updateConflict();
    });
    connect(document, &LabellingDocument::masksReplaced, this, [this, document] {
        if (document == m_document && m_layers->document()) {
            m_layers->refresh();
            m_canvas->refreshOverlay();
        }
    });
    connect(document, &LabellingDocument::conflictResolved, this, [this, document] {
        if (document != m_document)
            return;
        const bool hadFocus = m_conflict->isAncestorOf(QApplication::focusWidget());
        updateConflict();
        if (hadFocus)
            m_form->setFocus(Qt::OtherFocusReason);
    });
}

void LabellingView::onDocumentClosing(LabellingDocument *document)
{
    if (document != m_document)
        return;
    m_canvas->setDocument(nullptr, nullptr);
    m_layers->setDocument(nullptr, {});
    m_document = nullptr;
}

int LabellingView::rowOfImage(qint64 imageId) const
{
    if (m_row >= 0 && m_imageId == imageId)
        return m_row;
    for (int row = 0; row < m_queue->rowCount(); ++row) {
        if (m_queue->index(row, 0).data(ImageListModel::ImageIdRole).toLongLong() == imageId)
            return row;
    }
    return -1;
}

void LabellingView::markRowInProgress(int row)
{
    if (row < 0)
        return;
    if (m_queue->index(row, 0).data(ImageListModel::StatusRole).toString() == AssignmentStatus::Todo)
        m_queue->setRowStatus(row, AssignmentStatus::InProgress);
}

void LabellingView::followLabels(const Annotation &labels)
{
    if (m_layers->document() && m_layers->followLabels(labels))
        m_canvas->refreshOverlay();
}

void LabellingView::updateConflict()
{
    if (m_document && m_document->hasConflict())
        m_conflict->showConflict(m_document->storedLabels(), m_document->annotation(), m_document->conflictingLayers());
    else
        m_conflict->hide();
}

void LabellingView::updateMaskTools()
{
    MaskDocument *document = m_document ? m_document->masks() : nullptr;
    const QString maskError = m_document ? m_document->masksError() : QString();
    QString reason;
    if (m_form->isReadOnly())
        reason = tr("These labels are read-only: the mask tools are off.");
    else if (!document)
        reason = maskError.isEmpty() ? tr("No masks for this image.")
                                     : tr("The masks cannot be opened: %1").arg(maskError);
    else if (showingPreview())
        reason = tr("The mask tools are on once the full image is loaded.");
    else if (m_canvas->hasImage() && m_canvas->image().size() != document->size())
        reason = tr("The image is %1 x %2 but its masks are %3 x %4: the mask tools are off.")
                     .arg(m_canvas->image().width())
                     .arg(m_canvas->image().height())
                     .arg(document->size().width())
                     .arg(document->size().height());
    m_canvas->setToolsEnabled(reason.isEmpty(), reason);
}

void LabellingView::updateTitle()
{
    // The position always shows; the image id gives way in the middle when the bar is narrow.
    const QFontMetrics plain(m_imageLabel->font());
    QFont boldFont = m_imageLabel->font();
    boldFont.setBold(true);
    const QFontMetrics bold(boldFont);
    const int room = m_imageLabel->width() - plain.horizontalAdvance(m_titlePosition) - plain.horizontalAdvance(u"    "_s);
    const QString key = bold.elidedText(m_titleKey, Qt::ElideMiddle, std::max(room, bold.averageCharWidth() * 4));
    m_imageLabel->setText(u"<b>%1</b> &nbsp; %2"_s.arg(key.toHtmlEscaped(), m_titlePosition.toHtmlEscaped()));
    m_imageLabel->setToolTip(m_titleKey.isEmpty() ? QString() : u"%1 — %2"_s.arg(m_titleKey, m_titlePosition));
}

bool LabellingView::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress && watched->isWidgetType()
        && routeKey(static_cast<QWidget *>(watched), static_cast<QKeyEvent *>(event)))
        return true;
    if (watched == m_imageLabel && event->type() == QEvent::Resize)
        updateTitle();
    return QWidget::eventFilter(watched, event);
}

bool LabellingView::routeKey(QWidget *receiver, QKeyEvent *event)
{
    if (!isVisible())
        return false;
    // Typed at this screen: in it, or in its window while nothing has the focus.
    const bool here = receiver == this || isAncestorOf(receiver)
        || (receiver == window() && !QApplication::focusWidget());
    if (!here)
        return false;
    const auto textField = [](const QWidget *w) {
        if (const auto *edit = qobject_cast<const QLineEdit *>(w))
            return !edit->isReadOnly();
        if (const auto *edit = qobject_cast<const QPlainTextEdit *>(w))
            return !edit->isReadOnly();
        if (const auto *edit = qobject_cast<const QTextEdit *>(w))
            return !edit->isReadOnly();
        if (const auto *combo = qobject_cast<const QComboBox *>(w))
            return combo->isEditable();
        return qobject_cast<const QAbstractSpinBox *>(w) != nullptr;
    };
    // A text field keeps its letters, also those it does not use (they go on to its parents).
    QWidget *focus = QApplication::focusWidget();
    if (textField(receiver) || (focus && textField(focus))) {
        // Escape leaves a text field outside the form (the form's own fields handle it themselves)
        // for the image, keeping what was typed.
        if (receiver == focus && event->key() == Qt::Key_Escape
            && (event->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier && !m_form->isAncestorOf(receiver)) {
            m_canvas->setFocus(Qt::OtherFocusReason);
            return true;
        }
        return false;
    }
    return m_form->handleSectionKey(event);
}

QWidget *LabellingView::createViewBar(QWidget *parent)
{
    auto *bar = new QWidget(parent);
    bar->setObjectName(u"viewBar"_s);
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(8, 2, 6, 2);
    layout->setSpacing(2);
    m_imageLabel = new QLabel(bar);
    m_imageLabel->setObjectName(u"imageTitle"_s);
    // The controls decide the bar's minimum width, never the title.
    m_imageLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_imageLabel->setMinimumWidth(60);
    m_imageLabel->setTextFormat(Qt::RichText);
    m_imageLabel->installEventFilter(this);
    layout->addWidget(m_imageLabel, 1);

    // View actions: shortcuts work anywhere in the labelling screen (the label form's own keys
    // are unmodified letters and digits, so these all carry Ctrl).
    auto makeAction = [this](const QString &objectName, const QString &text, const QString &iconText,
                             const QList<QKeySequence> &keys, auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(objectName);
        action->setIconText(iconText);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setToolTip(u"%1 (%2)"_s.arg(QString(text).remove(u'&'),
                                            keys.value(0).toString(QKeySequence::NativeText)));
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        m_viewActions.append(action);
        return action;
    };
    auto toolButton = [bar, layout](QAction *action) {
        auto *button = new QToolButton(bar);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setAutoRaise(true);
        button->setFocusPolicy(Qt::NoFocus);
        layout->addWidget(button);
        return button;
    };
    auto slider = [bar, layout](const QString &objectName, const QString &symbol, const QString &label,
                                QLabel **valueLabel) {
        auto *title = new QLabel(symbol, bar);
        title->setToolTip(label);
        title->setAccessibleName(label);
        layout->addWidget(title);
        auto *s = new QSlider(Qt::Horizontal, bar);
        s->setObjectName(objectName);
        s->setRange(-100, 100);
        s->setSingleStep(5);
        s->setPageStep(AdjustmentStep);
        s->setFixedWidth(60);
        s->setAccessibleName(label);
        s->setFocusPolicy(Qt::NoFocus); // the keys belong to the label form; Ctrl shortcuts move it
        layout->addWidget(s);
        auto *value = new QLabel(signedValue(0), bar);
        value->setObjectName(objectName + u"Value"_s);
        value->setMinimumWidth(value->fontMetrics().horizontalAdvance(u"\u2212100"_s));
        value->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        layout->addWidget(value);
        *valueLabel = value;
        return s;
    };

    QList<QKeySequence> zoomInKeys = QKeySequence::keyBindings(QKeySequence::ZoomIn);
    if (!zoomInKeys.contains(QKeySequence(Qt::CTRL | Qt::Key_Equal)))
        zoomInKeys.append(QKeySequence(Qt::CTRL | Qt::Key_Equal));
    QAction *zoomOut = makeAction(u"zoomOut"_s, tr("Zoom &Out"), u"\u2212"_s,
                                  QKeySequence::keyBindings(QKeySequence::ZoomOut), [this] { m_canvas->zoomOut(); });
    toolButton(zoomOut);
    m_zoomLabel = new QLabel(bar);
    m_zoomLabel->setObjectName(u"zoomLabel"_s);
    m_zoomLabel->setAlignment(Qt::AlignCenter);
    m_zoomLabel->setMinimumWidth(m_zoomLabel->fontMetrics().horizontalAdvance(u"3200%"_s) + 8);
    layout->addWidget(m_zoomLabel);
    QAction *zoomIn = makeAction(u"zoomIn"_s, tr("Zoom &In"), u"+"_s, zoomInKeys, [this] { m_canvas->zoomIn(); });
    toolButton(zoomIn);
    toolButton(makeAction(u"fitToWindow"_s, tr("&Fit to Window"), tr("Fit"), {QKeySequence(Qt::CTRL | Qt::Key_0)},
                          [this] { m_canvas->fitToWindow(); }));
    toolButton(makeAction(u"actualSize"_s, tr("&Actual Size (100%)"), u"1:1"_s, {QKeySequence(Qt::CTRL | Qt::Key_1)},
                          [this] { m_canvas->setZoom(m_previewScale); }));
    layout->addSpacing(10);

    // Sun and half-filled circle: the usual symbols, so that the bar fits beside the title.
    m_brightness = slider(u"brightness"_s, u"\u2600"_s, tr("Brightness"), &m_brightnessValue);
    m_contrast = slider(u"contrast"_s, u"\u25D0"_s, tr("Contrast"), &m_contrastValue);
    // The contrast slider sits right after the brightness value: a little air between them.
    layout->insertSpacing(layout->indexOf(m_contrast) - 1, 8);
    connect(m_brightness, &QSlider::valueChanged, this, [this](int value) {
        m_canvas->setBrightness(value);
        m_brightnessValue->setText(signedValue(value));
        m_brightness->setToolTip(tr("Brightness %1 (view only; Ctrl+B / Ctrl+Shift+B)").arg(signedValue(value)));
    });
    connect(m_contrast, &QSlider::valueChanged, this, [this](int value) {
        m_canvas->setContrast(value);
        m_contrastValue->setText(signedValue(value));
        m_contrast->setToolTip(tr("Contrast %1 (view only; Ctrl+E / Ctrl+Shift+E)").arg(signedValue(value)));
    });
    m_brightness->setToolTip(tr("Brightness %1 (view only; Ctrl+B / Ctrl+Shift+B)").arg(signedValue(0)));
    m_contrast->setToolTip(tr("Contrast %1 (view only; Ctrl+E / Ctrl+Shift+E)").arg(signedValue(0)));
    makeAction(u"brighter"_s, tr("&Brighter"), tr("Brighter"), {QKeySequence(Qt::CTRL | Qt::Key_B)},
               [this] { m_brightness->setValue(m_brightness->value() + AdjustmentStep); });
    makeAction(u"darker"_s, tr("&Darker"), tr("Darker"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B)},
               [this] { m_brightness->setValue(m_brightness->value() - AdjustmentStep); });
    makeAction(u"moreContrast"_s, tr("&More Contrast"), tr("More contrast"), {QKeySequence(Qt::CTRL | Qt::Key_E)},
               [this] { m_contrast->setValue(m_contrast->value() + AdjustmentStep); });
    makeAction(u"lessContrast"_s, tr("&Less Contrast"), tr("Less contrast"),
               {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E)},
               [this] { m_contrast->setValue(m_contrast->value() - AdjustmentStep); });
    toolButton(makeAction(u"resetView"_s, tr("&Reset View"), tr("Reset"), {QKeySequence(Qt::CTRL | Qt::Key_R)},
                          [this] { resetView(); }));
    updateZoomLabel();
    return bar;
}

QList<QAction *> LabellingView::navigationActions() const
{
    return {m_previous, m_next, m_skip, m_flag};
}

QList<QAction *> LabellingView::viewActions() const
{
    return m_viewActions;
}

void LabellingView::setPrefetchDepth(int depth)
{
    m_prefetchDepth = qBound(0, depth, Preferences::MaxPrefetchDepth);
    m_planner.setBaseDepth(m_prefetchDepth);
    if (m_row >= 0)
        prefetchAround(m_row);
}

double LabellingView::imageZoom() const
{
    return m_canvas->zoom() / m_previewScale;
}

QString LabellingView::zoomText() const
{
    const double percent = imageZoom() * 100.0;
    if (percent >= 10.0 || std::abs(percent - std::round(percent)) < 0.05)
        return QString::number(qRound(percent)) + u'%';
    return QString::number(percent, 'f', 1) + u'%';
}

void LabellingView::updateZoomLabel()
{
    if (!m_zoomLabel)
        return;
    m_zoomLabel->setText(m_canvas->hasImage() ? zoomText() : QString());
    m_zoomLabel->setToolTip(m_canvas->isFitMode() ? tr("Zoom: fitted to the window") : tr("Zoom"));
}

void LabellingView::resetView()
{
    m_brightness->setValue(0);
    m_contrast->setValue(0);
    m_canvas->resetAdjustments();
    m_canvas->fitToWindow();
}

QString LabellingView::pathOfRow(int row) const
{
    // Looked up once per image: moving through the queue reads no file paths from the store again.
    const qint64 imageId = m_queue->index(row, 0).data(ImageListModel::ImageIdRole).toLongLong();
    const auto known = m_paths.constFind(imageId);
    if (known != m_paths.constEnd())
        return *known;
    QString error;
    const QString path = ImageService(m_store).filePath(imageId, &error);
    if (!path.isEmpty())
        const_cast<LabellingView *>(this)->m_paths.insert(imageId, path);
    return path;
}

void LabellingView::prefetchAround(int row)
{
    // As many ahead as the rater's pace needs, in the direction of the last moves, then one behind;
    // no more than the cache's memory budget holds.
    m_planner.setMemory(m_imageBytes, m_cache->budgetBytes());
    QList<QPair<QString, QString>> ahead;
    for (int r : m_planner.plan(row, m_queue->rowCount()))
        ahead.append({m_queue->index(r, 0).data(ImageListModel::PublicIdRole).toString(), pathOfRow(r)});
    m_cache->prefetch(ahead);
}

void LabellingView::openRow(int row)
{
    if (row < 0 || row >= m_queue->rowCount())
        return;
    m_form->flushPendingEdit();
    const QModelIndex index = m_queue->index(row, 0);
    m_planner.moved(m_row, row, m_clock.elapsed());
    m_row = row;
    m_imageId = index.data(ImageListModel::ImageIdRole).toLongLong();
    const QString key = index.data(ImageListModel::PublicIdRole).toString();

    // The image first: its document (the canvas draws the rater's own masks over it; core keeps
    // them blind to anyone else's), then the picture, painted at once. The rest of the screen (form,
    // queue, case, layers) and the decoding ahead follow in the same turn, off the path from the
    // key press to the new picture.
    m_document = m_documents->open(m_imageId);
    QString error = m_document->openError();
    m_form->setReadOnly(!m_document->isEditable());
    m_undo->setActiveStack(m_document->undoStack());
    MaskDocument *masks = m_document->masks();
    m_canvas->setDocument(masks, m_document->undoStack());

    // Remember how the image left was viewed (for ZoomOnImageChange::Keep).
    if (m_canvas->hasImage()) {
        m_keptFit = m_canvas->isFitMode();
        m_keptZoom = imageZoom();
    }
    // Not decoded ahead: a screen-sized preview comes first (previewReady), then the full image.
    const QSize devicePixels = (QSizeF(m_canvas->size()) * m_canvas->devicePixelRatioF()).toSize();
    m_cache->setPreviewSize(devicePixels.expandedTo(MinimumPreviewSize));
    const QImage image = m_cache->request(key, pathOfRow(row));
    if (image.isNull()) {
        m_shownKey.clear();
        m_previewScale = 1.0;
        m_canvas->clear(); // shown when previewReady() or ready()
        updateZoomLabel();
    } else {
        showImage(key, image, image.size(), m_cache->screenImage(key));
    }
    m_canvas->repaint();

    m_list->setCurrentIndex(m_filter->mapFromSource(index));
    m_case->showImage(m_imageId);
    m_titleKey = key;
    m_titlePosition = tr("%1 of %2").arg(row + 1).arg(m_queue->rowCount());
    updateTitle();
    m_form->setAnnotation(m_document->annotation());
    m_layers->setDocument(masks, m_form->annotation());
    m_canvas->setActiveLayer(m_layers->activeLayer());
    updateMaskTools();
    updateConflict();
    prefetchAround(row);
    if (error.isEmpty() && !m_document->masksError().isEmpty())
        error = tr("The masks cannot be opened: %1").arg(m_document->masksError());
    if (error.isEmpty() && m_document->hasUnsavedChanges() && !m_document->lastError().isEmpty())
        error = tr("Not saved: %1").arg(m_document->lastError());
    updateStatus(error.isEmpty() ? tr("Saved") : error);
}

QString LabellingView::currentKey() const
{
    return m_row >= 0 ? m_queue->index(m_row, 0).data(ImageListModel::PublicIdRole).toString() : QString();
}

void LabellingView::onImageReady(const QString &key, const QImage &image)
{
    m_planner.decoded(m_cache->lastDecodeMsecs());
    if (m_row >= 0 && key == currentKey())
        showImage(key, image, image.size(), m_cache->screenImage(key));
}

void LabellingView::onPreviewReady(const QString &key, const QImage &preview, QSize fullSize)
{
    // Only while nothing better of this image is shown.
    if (m_row >= 0 && key == currentKey() && m_shownKey != key)
        showImage(key, preview, fullSize);
}

void LabellingView::onImageFailed(const QString &key, const QString &message)
{
    if (m_row < 0 || key != currentKey())
        return;
    if (showingPreview()) { // never leave a picture of an image that cannot be shown
        m_canvas->clear();
        m_shownKey.clear();
        m_previewScale = 1.0;
        updateZoomLabel();
    }
    updateMaskTools();
    updateStatus(tr("The image cannot be shown: %1").arg(message));
}

void LabellingView::showImage(const QString &key, const QImage &image, QSize fullSize, const QImage &screenCopy)
{
    const bool swap = key == m_shownKey; // the full image replaces its preview
    const bool wasFit = m_canvas->isFitMode();
    const double wasZoom = imageZoom();
    const QPointF wasOffset = m_canvas->offset();

    const int shownSide = qMax(image.width(), image.height());
    const int fullSide = qMax(fullSize.width(), fullSize.height());
    m_previewScale = shownSide > 0 && fullSide > shownSide ? double(fullSide) / shownSide : 1.0;
    m_shownKey = key;
    m_imageBytes = qint64(fullSize.width()) * fullSize.height() * 4;
    m_canvas->setImage(image, screenCopy); // fitted
    if (swap) {
        // Keep exactly what was on screen: same image zoom, same place.
        if (!wasFit) {
            m_canvas->setZoom(wasZoom * m_previewScale);
            m_canvas->panBy(wasOffset - m_canvas->offset());
        }
    } else {
        applyZoomOnImageChange();
    }
    updateZoomLabel();
    updateMaskTools();
}

void LabellingView::applyZoomOnImageChange()
{
    switch (m_zoomOnChange) {
    case ZoomOnImageChange::Fit:
        break; // setImage() fits
    case ZoomOnImageChange::Keep:
        if (!m_keptFit)
            m_canvas->setZoom(m_keptZoom * m_previewScale);
        break;
    case ZoomOnImageChange::ActualSize:
        m_canvas->setZoom(m_previewScale);
        break;
    }
}

void LabellingView::onEdited(const Annotation &before, const Annotation &after, const QString &text, int mergeKey)
{
    if (LabellingDocument *doc = document(after.imageId))
        doc->editLabels(before, after, text, mergeKey);
}

void LabellingView::next()
{
    m_form->flushPendingEdit();
    const qint64 leftImage = m_imageId;
    const int leftRow = m_row;
    const bool complete = m_imageId >= 0 && AnnotationService::isComplete(m_form->annotation());
    if (m_row + 1 < m_queue->rowCount())
        openRow(m_row + 1);
    // The image left is marked done once the next one is on screen (a write to the store).
    if (complete) {
        QString error;
        if (m_service->setStatus(leftImage, AssignmentStatus::Done, &error))
            m_queue->setRowStatus(leftRow, AssignmentStatus::Done);
        emit queueChanged();
    }
}

void LabellingView::previous()
{
    if (m_row > 0)
        openRow(m_row - 1);
}

void LabellingView::markAndNext(const QString &status)
{
    if (m_imageId < 0)
        return;
    m_form->flushPendingEdit();
    QString error;
    if (!m_service->setStatus(m_imageId, status, &error)) {
        updateStatus(error);
        return;
    }
    m_queue->setRowStatus(m_row, status);
    emit queueChanged();
    if (m_row + 1 < m_queue->rowCount())
        openRow(m_row + 1);
}

void LabellingView::updateFilterCounts()
{
    const QStringList names {tr("All images"), tr("To do"), tr("In progress"), tr("Done"), tr("Skipped"),
                             tr("Flagged for QA")};
    for (int i = 0; i < m_statusFilter->count(); ++i)
        m_statusFilter->setItemText(
            i, tr("%1 (%2)").arg(names.value(i)).arg(m_filter->count(m_statusFilter->itemData(i).toString())));
}

void LabellingView::updateStatus(const QString &saveState)
{
    emit statusMessage(tr("Image %1 of %2 · %3").arg(m_row + 1).arg(m_queue->rowCount()).arg(saveState));
}

} // namespace dl
