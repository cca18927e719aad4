// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "model/User.h"

#include <QHash>
#include <QWidget>

#include <memory>

class QAbstractItemModel;
class QAction;
class QComboBox;
class QLabel;
class QListView;
class QToolBar;
class QUndoGroup;
class QUndoStack;

namespace dl {

class AnnotationService;
class CaseContextBar;
class ImageCache;
class ImageCanvas;
class ImageListModel;
class LabelForm;
class QueueFilterModel;
class Store;

/// The screen a dermatologist labels in: their queue on the left, the image
/// in the middle, the label form on the right. Images are decoded ahead in
/// the background; every edit is saved at once as an undoable step (one undo
/// history per image); next / previous / skip / flag move through the queue.
class LabellingView : public QWidget
{
    Q_OBJECT

public:
    LabellingView(Store &store, const User &user, ImageListModel *queue, QWidget *parent = nullptr);
    ~LabellingView() override;

    /// Opens the queue row (image) for labelling.
    void openRow(int row);
    int currentRow() const { return m_row; }
    qint64 currentImageId() const { return m_imageId; }
    ImageCanvas *canvas() const { return m_canvas; }
    LabelForm *form() const { return m_form; }
    CaseContextBar *caseContext() const { return m_case; }
    QueueFilterModel *queueFilter() const { return m_filter; }
    QComboBox *statusFilter() const { return m_statusFilter; }
    QUndoGroup *undoGroup() const { return m_undo; }
    QList<QAction *> navigationActions() const;

    void next();
    void previous();
    /// Sets the current image's status (skipped, flagged) and moves on.
    void markAndNext(const QString &status);

signals:
    /// Saved state and queue position for the status bar.
    void statusMessage(const QString &message);
    void queueChanged();

private:
    void onEdited(const Annotation &before, const Annotation &after, const QString &text, int mergeKey);
    void onImageReady(const QString &key, const QImage &image);
    void onImageFailed(const QString &key, const QString &message);
    QString pathOfRow(int row) const;
    void prefetchAround(int row);
    void updateStatus(const QString &saveState);
    void updateFilterCounts();

    Store &m_store;
    User m_user;
    ImageListModel *m_queue;
    std::unique_ptr<AnnotationService> m_service;
    ImageCache *m_cache = nullptr;
    ImageCanvas *m_canvas = nullptr;
    LabelForm *m_form = nullptr;
    CaseContextBar *m_case = nullptr;
    QListView *m_list = nullptr;
    QueueFilterModel *m_filter = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QLabel *m_imageLabel = nullptr;
    QUndoGroup *m_undo = nullptr;
    QHash<qint64, QUndoStack *> m_stacks;
    QAction *m_next = nullptr;
    QAction *m_previous = nullptr;
    QAction *m_skip = nullptr;
    QAction *m_flag = nullptr;
    int m_row = -1;
    qint64 m_imageId = -1;
};

} // namespace dl
