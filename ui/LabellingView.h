// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "model/User.h"
#include "settings/Preferences.h"

#include <QHash>
#include <QList>
#include <QWidget>

#include <memory>
#include <unordered_map>

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
class LabelForm;
class MaskCanvas;
class MaskDocument;
class MaskLayerPanel;
class MaskService;
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
/// Region masks: the canvas draws the rater's own masks of the image (MaskCanvas) and edits them
/// with the mask tools (MaskToolBar above the canvas); the layer panel under the form follows the
/// labels. Mask edits go on the image's undo stack with the form's edits, and every applied mask
/// step is saved at once. Documents and undo stacks of the last KeptImages images are kept.
class LabellingView : public QWidget
{
    Q_OBJECT

public:
    /// Images whose masks and undo histories are kept in memory (older ones are dropped: their
    /// labels and masks are stored).
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
    /// The masks of an image kept in memory (nullptr when not opened or dropped).
    MaskDocument *maskDocument(qint64 imageId) const;
    /// The undo stack of an image (nullptr when not opened or dropped).
    QUndoStack *undoStack(qint64 imageId) const { return m_stacks.value(imageId); }
    /// The mask tool actions (tools, brush size), for the Tools menu and the shortcut sheet.
    QList<QAction *> maskToolActions() const;
    LabelForm *form() const { return m_form; }
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
    /// How many images ahead are decoded (0 to Preferences::MaxPrefetchDepth).
    void setPrefetchDepth(int depth);
    int prefetchDepth() const { return m_prefetchDepth; }

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
    void updateTitle();
    void onEdited(const Annotation &before, const Annotation &after, const QString &text, int mergeKey);
    void onImageReady(const QString &key, const QImage &image);
    void onImageFailed(const QString &key, const QString &message);
    void onPreviewReady(const QString &key, const QImage &preview, QSize fullSize);
    /// Shows image (full or preview of an image of fullSize) for key on the canvas.
    void showImage(const QString &key, const QImage &image, QSize fullSize);
    void applyZoomOnImageChange();
    void updateZoomLabel();
    QString currentKey() const;
    QWidget *createViewBar(QWidget *parent);
    QString pathOfRow(int row) const;
    void prefetchAround(int row);
    void updateStatus(const QString &saveState);
    void updateFilterCounts();
    /// Loads the rater's masks of an image (once; kept for KeptImages images).
    MaskDocument *openMasks(qint64 imageId, QString *error);
    void keepRecent(qint64 imageId);
    void dropImage(qint64 imageId);
    /// Saves every changed layer of the document (the edited one and any a failed save left).
    void saveMaskLayer(MaskDocument *document, const QString &layerId);
    /// The layers follow the labels of the current image.
    void followLabels(const Annotation &labels);
    /// Tools on only for the full image of editable labels with masks of its size.
    void updateMaskTools();
    QWidget *createLayerSection(QWidget *parent);

    Store &m_store;
    User m_user;
    ImageListModel *m_queue;
    std::unique_ptr<AnnotationService> m_service;
    std::unique_ptr<MaskService> m_maskService;
    ImageCache *m_cache = nullptr;
    MaskCanvas *m_canvas = nullptr;
    MaskToolBar *m_maskTools = nullptr;
    MaskLayerPanel *m_layers = nullptr;
    std::unordered_map<qint64, std::unique_ptr<MaskDocument>> m_documents;
    QList<qint64> m_recent; // most recent first, at most KeptImages
    QString m_maskError;    // why the current image has no masks
    LabelForm *m_form = nullptr;
    CaseContextBar *m_case = nullptr;
    QListView *m_list = nullptr;
    QueueFilterModel *m_filter = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QLabel *m_imageLabel = nullptr;
    QString m_titleKey;      // the image id and queue position the title shows
    QString m_titlePosition;
    QUndoGroup *m_undo = nullptr;
    QHash<qint64, QUndoStack *> m_stacks;
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
    QString m_shownKey;         // the key of what the canvas shows
    double m_previewScale = 1.0; // full image size / shown image size (1: the full image)
    bool m_keptFit = true;       // the view of the image left last, for ZoomOnImageChange::Keep
    double m_keptZoom = 1.0;
    int m_row = -1;
    qint64 m_imageId = -1;
};

} // namespace dl
