// SPDX-License-Identifier: GPL-3.0-or-later
#include "LabellingView.h"

#include "CaseContextBar.h"
#include "ImageListModel.h"
#include "QueueFilterModel.h"
#include "ThumbnailDelegate.h"
#include "canvas/ImageCanvas.h"
#include "labelform/LabelForm.h"

#include "annotation/AnnotationEditCommand.h"
#include "annotation/AnnotationService.h"
#include "imaging/ImageCache.h"
#include "imaging/ImageFormat.h"
#include "store/AssignmentRepository.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "taxonomy/Taxonomy.h"

#include <QAction>
#include <QComboBox>
#include <QPointer>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QScrollArea>
#include <QSplitter>
#include <QUndoGroup>
#include <QUndoStack>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

LabellingView::LabellingView(Store &store, const User &user, ImageListModel *queue, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_user(user)
    , m_queue(queue)
    , m_service(std::make_unique<AnnotationService>(store, user))
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
    m_list->setFocusPolicy(Qt::NoFocus);
    connect(m_list, &QListView::clicked, this,
            [this](const QModelIndex &index) { openRow(m_filter->mapToSource(index).row()); });
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setStatus(m_statusFilter->currentData().toString());
        m_list->setCurrentIndex(m_filter->mapFromSource(m_queue->index(m_row, 0)));
    });
    connect(m_queue, &QAbstractItemModel::dataChanged, this, &LabellingView::updateFilterCounts);
    updateFilterCounts();

    auto *centre = new QWidget(splitter);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(0);
    m_imageLabel = new QLabel(centre);
    m_imageLabel->setObjectName(u"imageTitle"_s);
    m_imageLabel->setContentsMargins(8, 4, 8, 4);
    centreLayout->addWidget(m_imageLabel);
    m_canvas = new ImageCanvas(centre);
    centreLayout->addWidget(m_canvas, 1);
    m_case = new CaseContextBar(store, centre);
    centreLayout->addWidget(m_case);

    auto *scroll = new QScrollArea(splitter);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(400);
    scroll->setFrameShape(QFrame::NoFrame);
    m_form = new LabelForm(scroll);
    m_form->setTaxonomy(Taxonomy::builtin());
    scroll->setWidget(m_form);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({150, 800, 420});

    connect(m_form, &LabelForm::edited, this, &LabellingView::onEdited);
    connect(m_cache, &ImageCache::ready, this, &LabellingView::onImageReady);
    connect(m_cache, &ImageCache::failed, this, &LabellingView::onImageFailed);

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
}

LabellingView::~LabellingView() = default;

QList<QAction *> LabellingView::navigationActions() const
{
    return {m_previous, m_next, m_skip, m_flag};
}

QString LabellingView::pathOfRow(int row) const
{
    const QModelIndex index = m_queue->index(row, 0);
    QString error;
    const auto image = ImageRepository(m_store.db()).find(index.data(ImageListModel::ImageIdRole).toLongLong(), &error);
    if (!image)
        return {};
    return m_store.imageFilePath(image->sha256, formatExtension(formatFromName(image->format)));
}

void LabellingView::prefetchAround(int row)
{
    QList<QPair<QString, QString>> ahead;
    for (int r : {row + 1, row + 2, row - 1}) {
        if (r >= 0 && r < m_queue->rowCount())
            ahead.append({m_queue->index(r, 0).data(ImageListModel::PublicIdRole).toString(), pathOfRow(r)});
    }
    m_cache->prefetch(ahead);
}

void LabellingView::openRow(int row)
{
    if (row < 0 || row >= m_queue->rowCount())
        return;
    m_form->flushPendingEdit();
    const QModelIndex index = m_queue->index(row, 0);
    m_row = row;
    m_imageId = index.data(ImageListModel::ImageIdRole).toLongLong();
    m_list->setCurrentIndex(m_filter->mapFromSource(index));
    const QString key = index.data(ImageListModel::PublicIdRole).toString();
    m_case->showImage(m_imageId);
    m_imageLabel->setText(u"<b>%1</b> &nbsp; %2"_s.arg(key.toHtmlEscaped(), tr("%1 of %2").arg(row + 1).arg(m_queue->rowCount())));

    QString error;
    const auto annotation = m_service->own(m_imageId, &error);
    m_form->setReadOnly(!annotation);
    m_form->setAnnotation(annotation.value_or(Annotation {}));
    QUndoStack *&stack = m_stacks[m_imageId];
    if (!stack)
        stack = new QUndoStack(m_undo);
    m_undo->setActiveStack(stack);

    const QImage image = m_cache->request(key, pathOfRow(row));
    if (image.isNull())
        m_canvas->clear(); // shown when ready()
    else
        m_canvas->setImage(image);
    m_canvas->fitToWindow();
    prefetchAround(row);
    updateStatus(error.isEmpty() ? tr("Saved") : error);
}

void LabellingView::onImageReady(const QString &key, const QImage &image)
{
    if (m_row >= 0 && key == m_queue->index(m_row, 0).data(ImageListModel::PublicIdRole).toString()) {
        m_canvas->setImage(image);
        m_canvas->fitToWindow();
    }
}

void LabellingView::onImageFailed(const QString &key, const QString &message)
{
    if (m_row >= 0 && key == m_queue->index(m_row, 0).data(ImageListModel::PublicIdRole).toString())
        updateStatus(tr("The image cannot be shown: %1").arg(message));
}

void LabellingView::onEdited(const Annotation &before, const Annotation &after, const QString &text, int mergeKey)
{
    QUndoStack *stack = m_stacks.value(after.imageId);
    if (!stack)
        return;
    QPointer<LabellingView> self(this);
    stack->push(new AnnotationEditCommand(*m_service, before, after, text, mergeKey,
                                          [self](const Annotation &stored, const QString &error) {
                                              if (!self)
                                                  return;
                                              if (!error.isEmpty()) {
                                                  self->updateStatus(tr("Not saved: %1").arg(error));
                                                  return;
                                              }
                                              if (stored.imageId == self->m_imageId
                                                  && !stored.sameLabels(self->m_form->annotation()))
                                                  self->m_form->setAnnotation(stored);
                                              const QModelIndex index = self->m_queue->index(self->m_row, 0);
                                              if (stored.imageId == self->m_imageId
                                                  && index.data(ImageListModel::StatusRole).toString()
                                                      == AssignmentStatus::Todo)
                                                  self->m_queue->setRowStatus(self->m_row, AssignmentStatus::InProgress);
                                              self->updateStatus(tr("Saved"));
                                          }));
}

void LabellingView::next()
{
    m_form->flushPendingEdit();
    if (m_imageId >= 0 && AnnotationService::isComplete(m_form->annotation())) {
        QString error;
        if (m_service->setStatus(m_imageId, AssignmentStatus::Done, &error))
            m_queue->setRowStatus(m_row, AssignmentStatus::Done);
        emit queueChanged();
    }
    if (m_row + 1 < m_queue->rowCount())
        openRow(m_row + 1);
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
