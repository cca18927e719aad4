// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "canvas/ImageCanvas.h"

#include "masks/LayerOverlays.h"
#include "masks/MaskOverlay.h"
#include "masks/MaskTools.h"

#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QString>

#include <array>
#include <functional>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <vector>

class QUndoStack;

namespace dl {

class AbstractMaskTool;
class GrabCutTool;
class MaskDocument;
class MaskStroke;
class PolygonTool;
class SuperpixelTool;

/// The image canvas with region masks: draws the masks of a MaskDocument over the photo and routes
/// the mouse and keys to the active mask tool, which edits the active layer.
///
/// Drawing (LayerOverlays): while zoomed out, one MaskOverlay per layer at most OverlayLongSide
/// pixels long (a repaint at fit never touches 12 megapixels), coloured at full strength and
/// composed at paint time with the layer's opacity, so hiding a layer or changing its opacity
/// recolours nothing; zoomed in, one full-size overlay of all visible layers (made on first need).
/// A tool recolours only the rectangle it changed, of its layer, and repaints only that part of the
/// widget.
///
/// Tools: one class per tool in masks/tools/ (AbstractMaskTool), each seeing the canvas through a
/// MaskToolContext: the document, active layer and undo stack, the brush, the mapping from widget
/// to mask coordinates, repaints, messages and the busy state. The canvas keeps the view, the
/// overlays and the brush ring, and gives a tool the mouse only while the tools are enabled and
/// nothing pans.
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
    int polygonVertexCount() const;
    /// A GrabCut session on this image has a result to refine.
    bool hasGrabCutResult() const;
    void endGrabCutSession();
    GrabCutStart grabCutStart() const;
    /// Switches the way the next GrabCut session starts (a session in progress stays).
    void setGrabCutStart(GrabCutStart start);
    /// GrabCut strokes drawn but not yet segmented (Enter runs them).
    bool hasPendingGrabCutStrokes() const;
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
    class ToolContext;
    static constexpr size_t ToolCount = size_t(Tool::Superpixel) + 1;

    AbstractMaskTool *activeTool() const { return m_tools[size_t(m_tool)].get(); }

    // Geometry: canvas image pixels per mask pixel (1 unless a preview is shown).
    double canvasPerMask() const;
    cv::Point2f toMask(QPointF widgetPos) const;
    QRect brushRingWidgetRect(QPointF widgetPos) const;
    float brushRadius() const { return m_brushSize / 2.0f; }

    bool fullOverlayNeeded() const;
    /// Recolours the overlays for a changed mask rectangle of a layer (the active one when empty)
    /// and repaints that part.
    void recolour(const cv::Rect &maskRect, const QString &layerId = {});
    void updateInteraction();
    bool usesBrushRing() const;

    /// Pushes an edit of the active layer as one undo step; a brush stroke never continues it.
    void pushEdit(std::unique_ptr<MaskStroke> stroke, bool continues);
    /// Pushes a brush stroke, continuing the previous one when it starts where that ended.
    void pushStroke(std::unique_ptr<MaskStroke> stroke, cv::Point2f start, cv::Point2f end);
    /// Ends the stroke: its undo step goes on the stack (applied at once without one); false when
    /// no pixel changed.
    bool push(std::unique_ptr<MaskStroke> stroke, bool continues);
    bool runMorphology(MaskTool tool, const std::function<cv::Rect(MaskStroke &)> &edit);
    void onApplied(MaskDocument *document, const QString &layerId, const cv::Rect &rect);

    /// The image the tools' per-image state belongs to (see MaskToolContext::segmentationImage()).
    const QImage &segmentationImage();
    void setBusy(const QString &what);
    void clearBusy();
    void resetImageState();
    /// Emits editingInProgress() when a tool drag started or ended.
    void syncEditing();

    MaskDocument *m_document = nullptr;
    QUndoStack *m_stack = nullptr;
    LayerOverlays m_overlays{OverlayLongSide};
    bool m_toolsAllowed = true;
    QString m_disabledReason;
    Tool m_tool = Tool::Pan;
    QString m_activeLayer;
    int m_brushSize = DefaultBrushSize;
    int m_wandTolerance = DefaultWandTolerance;

    bool m_panning = false; // a drag the base class pans with
    bool m_editingSignalled = false;
    bool m_spaceDown = false;
    bool m_hovering = false;
    QPointF m_hoverPos; // widget

    // Where the last pushed brush stroke ended, to tell whether the next one continues it.
    struct LastStroke
    {
        MaskTool tool = MaskTool::Brush;
        QString layer;
        const MaskDocument *document = nullptr;
        cv::Point2f end;
        int stackIndex = -1;
        QElapsedTimer time;
    } m_lastStroke;

    QImage m_segImage; // the image the tools' per-image state belongs to

    // The tools see the canvas through the context; it outlives them.
    std::unique_ptr<ToolContext> m_context;
    std::array<std::unique_ptr<AbstractMaskTool>, ToolCount> m_tools; // by Tool
    PolygonTool *m_polygon = nullptr;
    GrabCutTool *m_grabCut = nullptr;
    SuperpixelTool *m_superpixel = nullptr;
};

} // namespace dl
