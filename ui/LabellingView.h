// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/PrefetchPlanner.h"
#include "model/Annotation.h"
#include "model/User.h"
#include "settings/Preferences.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QWidget>

#include <memory>

class QAbstractItemModel;
class QAction;
class QComboBox;
class QLabel;
class QListView;
class QSlider;
class QToolBar;
class QUndoGroup;
class QUndoStack;

namespace dl {

class AnnotationService;
class CaseContextBar;
class ImageCache;
class ImageCanvas;
class ImageListModel;
class LabelConflictPanel;
class LabelForm;
class LabellingDocument;
class LabellingDocumentManager;
class MaskCanvas;
class MaskDocument;
class MaskLayerPanel;
class MaskToolBar;
class QueueFilterModel;
class Store;

/// The screen a dermatologist labels in: their queue on the left, the image
/// in the middle (with a compact bar of view controls: zoom, brightness,
/// contrast; view only), the label form on the right. Images are decoded ahead
/// in the background; an image that was not shows a screen-sized preview first
/// and the full image when it is decoded. Every edit is saved at once as an
/// undoable step (one undo history per image); next / previous / skip / flag
/// move through the queue.
///
/// Each image is a LabellingDocument (core): its labels, its masks and its one undo history, which
/// saves every step. The view shows the current image's document and forwards edits to it: the
/// form's edits, the canvas's mask tools (on the document's masks and undo stack); it listens to
/// what the document saved or failed to save. Documents of the last KeptImages images stay open
/// (LabellingDocumentManager).
///
/// Region masks: the canvas draws the rater's own masks of the image (MaskCanvas) and edits them
/// with the mask tools (MaskToolBar above the canvas); the layer panel under the form follows the
/// labels.
///
/// Keys: the label form's section keys (G, V, D, F, M, ...) work wherever the focus is in this screen
/// (queue, image, form, or nowhere yet) except in a text field, which keeps its letters: the view
/// watches the key presses of the application and hands those meant for this screen to the form
/// first (routeKey()). The mask tool keys (B, E, L, R, K, W, A, X, H) are other letters; the image's
/// own F (fit) gives way to the form's F here (0 and Ctrl+0 still fit). Escape in a text field
/// outside the form gives the focus back to the image.
class LabellingView : public QWidget
{
    Q_OBJECT

public:
    /// Images whose documents (masks and undo histories) are kept in memory (older ones are closed
    /// once their labels and masks are stored).
    static constexpr int KeptImages = 16;

    LabellingView(Store &store, const User &user, ImageListModel *queue, QWidget *parent = nullptr);
    ~LabellingView() override;

    /// Opens the queue row (image) for labelling.
    void openRow(int row);
    int currentRow() const { return m_row; }
    qint64 currentImageId() const { return m_imageId; }
    ImageCanvas *canvas() const;
    MaskCanvas *maskCanvas() const { return m_canvas; }
    MaskToolBar *maskToolBar() const { return m_maskTools; }
    MaskLayerPanel *maskLayers() const { return m_layers; }
    /// The open document of an image (nullptr when not opened or closed).
    LabellingDocument *document(qint64 imageId) const;
    LabellingDocumentManager *documents() const { return m_documents.get(); }
    /// The masks of an image's open document (nullptr when not opened, closed or without masks).
    MaskDocument *maskDocument(qint64 imageId) const;
    /// The undo stack of an image's open document (nullptr when not opened or closed).
    QUndoStack *undoStack(qint64 imageId) const;
    /// The mask tool actions (tools, brush size), for the Tools menu and the shortcut sheet.
    QList<QAction *> maskToolActions() const;
    LabelForm *form() const { return m_form; }
    /// Above the form while the current image's labels conflict with labels saved elsewhere.
    LabelConflictPanel *conflictPanel() const { return m_conflict; }
    CaseContextBar *caseContext() const { return m_case; }
    QueueFilterModel *queueFilter() const { return m_filter; }
    QComboBox *statusFilter() const { return m_statusFilter; }
    QUndoGroup *undoGroup() const { return m_undo; }
    QList<QAction *> navigationActions() const;
    /// Zoom, brightness and contrast actions (for the View menu and the shortcut sheet).
    QList<QAction *> viewActions() const;
    QSlider *brightnessSlider() const { return m_brightness; }
    QSlider *contrastSlider() const { return m_contrast; }

    void setZoomOnImageChange(ZoomOnImageChange zoom) { m_zoomOnChange = zoom; }
    ZoomOnImageChange zoomOnImageChange() const { return m_zoomOnChange; }
    /// How many images ahead are decoded at least (0 to Preferences::MaxPrefetchDepth; 0 turns
    /// decoding ahead off). More are, up to Preferences::MaxPrefetchDepth, while the rater moves
    /// faster than images decode; in the direction of the last moves (PrefetchPlanner).
    void setPrefetchDepth(int depth);
    int prefetchDepth() const { return m_prefetchDepth; }
    /// What decides which images are decoded ahead.
    const PrefetchPlanner &prefetchPlanner() const { return m_planner; }

    /// True while the canvas shows a reduced-size preview of the current image.
    bool showingPreview() const { return m_previewScale != 1.0; }
    /// The zoom relative to the full image (1.0 = one image pixel per screen pixel), also while
    /// a preview is shown; as the zoom display shows it.
    double imageZoom() const;
    QString zoomText() const;
    /// Brightness and contrast back to 0, image fitted to the window.
    void resetView();

    void next();
    void previous();
    /// Sets the current image's status (skipped, flagged) and moves on.
    void markAndNext(const QString &status);

signals:
    /// Saved state and queue position for the status bar.
    void statusMessage(const QString &message);
    void queueChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    /// Hands a key press meant for this screen to the label form; true when the form used it.
    bool routeKey(QWidget *receiver, QKeyEvent *event);
    void updateTitle();
    void onEdited(const Annotation &before, const Annotation &after, const QString &text, int mergeKey);
    /// Listens to a document the manager opened.
    void watchDocument(LabellingDocument *document);
    void onDocumentClosing(LabellingDocument *document);
    /// The queue row of an image, or -1.
    int rowOfImage(qint64 imageId) const;
    /// A todo row becomes in progress (the store did the same with the save).
    void markRowInProgress(int row);
    void onImageReady(const QString &key, const QImage &image);
    void onImageFailed(const QString &key, const QString &message);
    void onPreviewReady(const QString &key, const QImage &preview, QSize fullSize);
    /// Shows image (full or preview of an image of fullSize) for key on the canvas; screenCopy is
    /// the full image's copy at the size it has fitted to the canvas (ImageCache::screenImage()).
    void showImage(const QString &key, const QImage &image, QSize fullSize, const QImage &screenCopy = QImage());
    void applyZoomOnImageChange();
    void updateZoomLabel();
    QString currentKey() const;
    QWidget *createViewBar(QWidget *parent);
    QString pathOfRow(int row) const;
    void prefetchAround(int row);
    void updateStatus(const QString &saveState);
    void updateFilterCounts();
    /// The layers follow the labels of the current image.
    void followLabels(const Annotation &labels);
    /// Tools on only for the full image of editable labels with masks of its size.
    void updateMaskTools();
    /// The conflict panel shows the current document's conflict, or hides.
    void updateConflict();
    QWidget *createLayerSection(QWidget *parent);

    Store &m_store;
    User m_user;
    ImageListModel *m_queue;
    std::unique_ptr<AnnotationService> m_service; // the queue status of images
    std::unique_ptr<LabellingDocumentManager> m_documents;
    LabellingDocument *m_document = nullptr; // the current image's
    LabelConflictPanel *m_conflict = nullptr;
    ImageCache *m_cache = nullptr;
    MaskCanvas *m_canvas = nullptr;
    MaskToolBar *m_maskTools = nullptr;
    MaskLayerPanel *m_layers = nullptr;
    LabelForm *m_form = nullptr;
    CaseContextBar *m_case = nullptr;
    QListView *m_list = nullptr;
    QueueFilterModel *m_filter = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QLabel *m_imageLabel = nullptr;
    QString m_titleKey;      // the image id and queue position the title shows
    QString m_titlePosition;
    QUndoGroup *m_undo = nullptr;
    QAction *m_next = nullptr;
    QAction *m_previous = nullptr;
    QAction *m_skip = nullptr;
    QAction *m_flag = nullptr;
    QList<QAction *> m_viewActions;
    QSlider *m_brightness = nullptr;
    QSlider *m_contrast = nullptr;
    QLabel *m_brightnessValue = nullptr;
    QLabel *m_contrastValue = nullptr;
    QLabel *m_zoomLabel = nullptr;
    ZoomOnImageChange m_zoomOnChange = ZoomOnImageChange::Fit;
    int m_prefetchDepth = Preferences::DefaultPrefetchDepth;
    PrefetchPlanner m_planner;
    QElapsedTimer m_clock; // for the pace of the rater's moves
    qint64 m_imageBytes = 0; // a decoded image of the current size
    QHash<qint64, QString> m_paths; // image id -> its file, once looked up
    QString m_shownKey;         // the key of what the canvas shows
    double m_previewScale = 1.0; // full image size / shown image size (1: the full image)
    bool m_keptFit = true;       // the view of the image left last, for ZoomOnImageChange::Keep
    double m_keptZoom = 1.0;
    int m_row = -1;
    qint64 m_imageId = -1;
};

} // namespace dl
