// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "canvas/ImageCanvas.h"

#include "masks/MaskOverlay.h"
#include "masks/MaskTools.h"
#include "segmentation/SuperpixelIndex.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <vector>

class QUndoStack;

namespace dl {

class GrabCutSegmenter;
class MaskDocument;
class MaskStroke;

/// The image canvas with region masks: draws the masks of a MaskDocument over the photo and runs
/// the mask tools on its active layer.
///
/// Drawing: while zoomed out, one MaskOverlay per layer at most OverlayLongSide pixels long (a
/// repaint at fit never touches 12 megapixels), coloured at full strength and composed at paint
/// time with the layer's opacity, so hiding a layer or changing its opacity recolours nothing;
/// zoomed in, one full-size overlay of all visible layers (made on first need). A tool recolours
/// only the rectangle it changed, of its layer, and repaints only that part of the widget.
///
/// Edits: each press-to-release edit is a MaskStroke that becomes one MaskEditCommand on the undo
/// stack given with the document (a stroke that starts where the previous one of the same tool and
/// layer ended, right after it, continues it and merges with it). After every push, undo and redo of
/// those commands layerEdited() is emitted: the owner saves the layer.
///
/// The canvas maps its image to the masks by size, so a reduced preview of the image still shows
/// the masks (scaled); tools are for the owner to switch off then (setToolsEnabled()). The Pan tool
/// (the default) leaves the canvas as it was: left drag pans. Middle drag and Space + drag pan and
/// the wheel zooms with every tool; Shift + wheel sets the brush size.
class MaskCanvas : public ImageCanvas
{
    Q_OBJECT

public:
    enum class Tool
    {
        Pan,
        Brush,
        Eraser,
        Polygon,
        Rectangle,
        Fill,
        Wand,
        GrabCut,
        Superpixel
    };
    Q_ENUM(Tool)

    /// How a GrabCut session starts: a box dragged around the lesion, or rough strokes (left drag
    /// over the lesion = foreground, right drag or Alt+drag over skin = background; the
    /// segmentation runs when a foreground stroke ends, or on Enter). Refinement strokes work the
    /// same way in both.
    enum class GrabCutStart
    {
        Box,
        Strokes
    };
    Q_ENUM(GrabCutStart)

    static constexpr int MinBrushSize = 1; ///< brush diameter in image pixels
    static constexpr int MaxBrushSize = 1000;
    static constexpr int DefaultBrushSize = 40;
    static constexpr int DefaultWandTolerance = 24;
    /// Longest side of the overlay drawn while zoomed out.
    static constexpr int OverlayLongSide = 2048;

    explicit MaskCanvas(QWidget *parent = nullptr);
    ~MaskCanvas() override;

    /// The masks shown and edited (not owned; nullptr for none) and the undo stack their edits go
    /// on. The document must outlive its use here (call setDocument(nullptr, nullptr) first).
    void setDocument(MaskDocument *document, QUndoStack *stack);
    MaskDocument *document() const { return m_document; }
    QUndoStack *undoStack() const { return m_stack; }

    /// Whether the tools may edit (the owner switches them off for a preview or read-only labels);
    /// reason says why not (tool tips, status). The masks are drawn either way.
    void setToolsEnabled(bool enabled, const QString &reason = {});
    /// Enabled, a document of the image's size is shown and a layer is active.
    bool toolsEnabled() const;
    bool toolsAllowed() const { return m_toolsAllowed; }
    /// Why the tools do nothing now (empty when they work).
    QString toolsDisabledReason() const;

    Tool tool() const { return m_tool; }
    void setTool(Tool tool);
    /// The layer the tools draw on (a layer id of the document; empty for none).
    QString activeLayer() const { return m_activeLayer; }
    void setActiveLayer(const QString &layerId);

    /// Brush diameter in image pixels (brush, eraser, superpixel brush, GrabCut strokes).
    int brushSize() const { return m_brushSize; }
    void setBrushSize(int size);
    void growBrush();
    void shrinkBrush();
    int wandTolerance() const { return m_wandTolerance; }
    void setWandTolerance(int tolerance);

    /// Morphology on the active layer, each one undo step; false when nothing changed.
    bool fillHoles();
    bool removeSpecks(int minPixels);
    bool smoothEdge(int radius);

    /// Brings the overlays up to date after a change of visibility, opacity, colour, outline or of
    /// the layers: only layers whose colour or outline changed (or that are new) are recoloured at
    /// fit; the full-size overlay is remade when next needed.
    void refreshOverlay();
    /// The overlay drawn at the current zoom, composed (for tests).
    QImage overlayImage() const;

    /// Background work running (wand, GrabCut, superpixels).
    bool isBusy() const;
    /// Cancels the background work; nothing is applied.
    void cancelBusy();
    /// A polygon in progress: its vertex count (0 when none).
    int polygonVertexCount() const { return int(m_polygon.size()); }
    /// A GrabCut session on this image has a result to refine.
    bool hasGrabCutResult() const;
    void endGrabCutSession();
    GrabCutStart grabCutStart() const { return m_grabCutStart; }
    /// Switches the way the next GrabCut session starts (a session in progress stays).
    void setGrabCutStart(GrabCutStart start);
    /// GrabCut strokes drawn but not yet segmented (Enter runs them).
    bool hasPendingGrabCutStrokes() const { return !m_fgStrokes.empty() || !m_bgStrokes.empty(); }
    /// Runs the pending GrabCut strokes now: starts a session from them, or refines the current
    /// one. False when there is nothing to run (or no foreground stroke to start from).
    bool runGrabCutStrokes();
    bool superpixelsReady() const;

    /// The canvas's mask-tool keys that are not actions, for the shortcut sheet.
    static QList<QPair<QString, QString>> shortcuts();

signals:
    void toolChanged(dl::MaskCanvas::Tool tool);
    void activeLayerChanged(const QString &layerId);
    void brushSizeChanged(int size);
    void wandToleranceChanged(int tolerance);
    void grabCutStartChanged(dl::MaskCanvas::GrabCutStart start);
    /// Background work started (what: "Segmenting…") or ended (busy false).
    void busyChanged(bool busy, const QString &what);
    /// A layer of a document changed through an undo step (pushed, undone or redone): save it.
    void layerEdited(dl::MaskDocument *document, const QString &layerId);
    /// Something the user should read in the status bar.
    void message(const QString &text);
    /// toolsEnabled() may have changed.
    void toolsStateChanged();
    /// A press-to-release edit started or ended: the owner keeps undo and redo away meanwhile
    /// (an undo in the middle of a stroke would mix states).
    void editingInProgress(bool editing);

protected:
    void paintOverlay(QPainter &painter, const QRect &visibleImageRect) override;
    void imageChanged() override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;

private:
    enum class Drag
    {
        None,
        Delegated, // the base class pans
        Stroke, // brush, eraser, superpixel brush
        Polygon,
        Rectangle,
        GrabCutBox,
        GrabCutStroke
    };

    // Geometry: canvas image pixels per mask pixel (1 unless a preview is shown).
    double canvasPerMask() const;
    cv::Point2f toMask(QPointF widgetPos) const;
    QRectF maskToCanvas(const QRectF &maskRect) const;
    QRect maskRectToWidget(const cv::Rect &maskRect) const;
    QRect brushRingWidgetRect(QPointF widgetPos) const;
    float brushRadius() const { return m_brushSize / 2.0f; }

    void rebuildOverlays();
    bool fullOverlayNeeded() const;
    void ensureFullOverlay();
    /// Recolours the overlays for a changed mask rectangle of a layer (the active one when empty)
    /// and repaints that part.
    void recolour(const cv::Rect &maskRect, const QString &layerId = {});
    struct LayerOverlay;
    LayerOverlay *layerOverlay(const QString &layerId);
    /// Recolours part of a layer's reduced overlay, at full strength as if visible (a null overlay
    /// is made first, transparent, once the layer has pixels); returns the overlay rectangle
    /// recoloured. Reads the document only.
    QRect renderLayerOverlay(LayerOverlay &entry, const cv::Rect &maskRect);
    QSize smallOverlaySize() const;
    /// The reduced overlays follow the document's layers (new ones rendered, colour or outline
    /// changes recoloured, the rest kept).
    void syncLayerOverlays();
    /// Renders whole reduced overlays, in parallel when there are several.
    void renderWhole(const std::vector<LayerOverlay *> &entries);
    void updateInteraction();
    bool usesBrushRing() const;

    MaskStroke *beginStroke(MaskTool tool, QPointF widgetPos);
    void finishStroke();
    void cancelStroke();
    void push(std::unique_ptr<MaskStroke> stroke, bool continues);
    bool runMorphology(MaskTool tool, const std::function<cv::Rect(MaskStroke &)> &edit);
    void onApplied(MaskDocument *document, const QString &layerId, const cv::Rect &rect);

    void closePolygon();
    void cancelPolygon();
    void paintSuperpixels(cv::Point2f from, cv::Point2f to);
    void startSuperpixels();
    void startWand(cv::Point seed, PaintMode mode);
    void applyWand(const cv::Mat &region);
    void onMaskJobFinished();
    void onSuperpixelsFinished();
    void startGrabCut(const cv::Rect &box);
    void startGrabCutFromStrokes();
    /// The pending strokes as full-size masks (empty cv::Mat for none).
    void rasteriseStrokes(cv::Mat &foreground, cv::Mat &background) const;
    /// Prepares a new session on the current image for the active layer.
    void newGrabCutSession();
    void refineGrabCut();
    void applyGrabCut(const cv::Mat &result);
    void setBusy(const QString &what);
    void clearBusy();
    /// For work on other threads: shows why it stopped (as message()) once back on this one.
    std::function<void(const QString &)> failureReporter();
    void resetImageState();
    /// Emits editingInProgress() when a tool drag started or ended.
    void syncEditing();

    MaskDocument *m_document = nullptr;
    QUndoStack *m_stack = nullptr;
    struct LayerOverlay
    {
        QString id;
        MaskOverlay overlay; // null until the layer has pixels
        QColor colour; // the style it was rendered with
        bool outline = false;
    };
    std::vector<LayerOverlay> m_layerOverlays; // at most OverlayLongSide, in layer order
    double m_smallScale = 1.0; // requested scale of the reduced overlays
    MaskOverlay m_full; // the mask's size, made on first need
    bool m_fullValid = false;
    bool m_toolsAllowed = true;
    QString m_disabledReason;
    Tool m_tool = Tool::Pan;
    QString m_activeLayer;
    int m_brushSize = DefaultBrushSize;
    int m_wandTolerance = DefaultWandTolerance;

    Drag m_drag = Drag::None;
    bool m_editingSignalled = false;
    bool m_spaceDown = false;
    bool m_hovering = false;
    QPointF m_hoverPos; // widget
    QPointF m_pressPos; // widget
    cv::Point2f m_last; // mask coordinates of the last stroke point
    PaintMode m_mode = PaintMode::Paint;
    std::unique_ptr<MaskStroke> m_stroke;

    // Where the last pushed stroke ended, to tell whether the next one continues it.
    struct LastStroke
    {
        Tool tool = Tool::Pan;
        QString layer;
        const MaskDocument *document = nullptr;
        cv::Point2f end;
        int stackIndex = -1;
        QElapsedTimer time;
    } m_lastStroke;

    std::vector<cv::Point2f> m_polygon; // mask coordinates
    bool m_polygonFreehand = false;
    PaintMode m_polygonMode = PaintMode::Paint;
    QPointF m_rectStart, m_rectEnd; // mask coordinates (QPointF for drawing)

    // Background work and per-image segmentation state.
    QImage m_segImage; // the image the segmentation state belongs to
    std::shared_ptr<cv::Mat> m_bgr = std::make_shared<cv::Mat>(); // BGR copy for the wand, made on first use
    QFutureWatcher<cv::Mat> m_maskWatcher; // GrabCut steps and the wand
    bool m_wandRunning = false;
    bool m_grabCutRunning = false;
    bool m_superpixelsRunning = false;
    std::shared_ptr<std::atomic<bool>> m_superpixelCancel = std::make_shared<std::atomic<bool>>(false);
    QString m_busyWhat;
    std::unique_ptr<GrabCutSegmenter> m_grabCut;
    cv::Mat m_grabCutApplied; // the last GrabCut result put into the layer (full size)
    QString m_grabCutLayer;
    int m_grabCutIndex = -1; // the undo index right after the session's last step
    std::vector<std::vector<cv::Point2f>> m_fgStrokes, m_bgStrokes; // pending refinement strokes
    bool m_grabCutBackground = false; // the stroke being drawn is background
    GrabCutStart m_grabCutStart = GrabCutStart::Box;
    PaintMode m_wandMode = PaintMode::Paint;
    std::shared_ptr<const SuperpixelIndex> m_superpixels;
    QFutureWatcher<SuperpixelIndex> m_superpixelWatcher;
    const MaskDocument *m_jobDocument = nullptr; // the document a running job applies to
};

} // namespace dl
