// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/MaskTools.h"

#include <QImage>
#include <QPointF>
#include <QString>

#include <functional>
#include <memory>
#include <opencv2/core/types.hpp>
#include <optional>

class QUndoStack;

namespace dl {

class MaskDocument;
class MaskStroke;

/// What a mask tool sees of the canvas it works on: the document and its active layer, the undo
/// stack, the brush, the mapping from widget to mask coordinates, repaints, status messages and the
/// busy state of background work. The canvas implements it; the tools know nothing else of it.
class MaskToolContext
{
public:
    virtual ~MaskToolContext();

    /// The masks edited (nullptr for none) and the undo stack their edits go on (nullptr for none:
    /// edits are applied and saved without history).
    virtual MaskDocument *document() const = 0;
    virtual QUndoStack *undoStack() const = 0;
    /// The layer the tools draw on.
    virtual QString activeLayer() const = 0;
    /// A document of the image's size is shown, a layer is active and the tools are allowed.
    virtual bool toolsEnabled() const = 0;
    /// Why the tools do nothing now (empty when they work).
    virtual QString toolsDisabledReason() const = 0;
    /// Brush diameter in mask pixels.
    virtual int brushSize() const = 0;
    virtual int wandTolerance() const = 0;

    /// The image shown (the masks' size while the tools are enabled).
    virtual const QImage &image() const = 0;
    /// The image the tools' per-image state (superpixels, GrabCut session, colour copies) belongs
    /// to: the image shown. When that changed since the state was made, every tool drops it first
    /// (AbstractMaskTool::imageReset()) and running background work is cancelled.
    virtual QImage segmentationImage() = 0;

    /// Widget to mask coordinates (continuous: pixel (x, y) covers [x, x + 1) x [y, y + 1)).
    virtual cv::Point2f toMask(QPointF widgetPos) const = 0;
    /// Widget pixels per mask pixel at the current zoom.
    virtual double widgetPerMask() const = 0;
    /// Where the mouse is over the canvas (widget coordinates); none while it is outside.
    virtual std::optional<QPointF> mousePosition() const = 0;

    /// The active layer changed inside maskRect: recolours the overlays there and repaints it.
    virtual void maskChanged(const cv::Rect &maskRect) = 0;
    /// Repaints the whole canvas (tool feedback changed).
    virtual void repaint() = 0;

    /// Pushes a finished edit of the active layer as one undo step (merged with the previous step
    /// of the same tool and layer when continues).
    virtual void pushEdit(std::unique_ptr<MaskStroke> stroke, bool continues) = 0;
    /// Pushes a brush stroke drawn from start to end (mask coordinates): it continues the previous
    /// stroke, and merges with it, when that was of the same tool and layer, nothing else happened
    /// since, and this one starts where that ended, soon after.
    virtual void pushStroke(std::unique_ptr<MaskStroke> stroke, cv::Point2f start, cv::Point2f end) = 0;

    /// Something the user should read in the status bar.
    virtual void message(const QString &text) = 0;
    /// Background work of any tool is running.
    virtual bool isBusy() const = 0;
    /// A tool started background work (what: "Segmenting…").
    virtual void busyStarted(const QString &what) = 0;
    /// A tool's background work ended (finished or cancelled).
    virtual void busyEnded() = 0;

    /// One edit of the active layer as its own undo step: edit runs on a new stroke of tool, the
    /// rectangle it returns is recoloured, then the stroke is pushed (continues as for pushEdit())
    /// and never continued by a brush stroke. Returns that rectangle.
    cv::Rect applyEdit(MaskTool tool, const std::function<cv::Rect(MaskStroke &)> &edit,
                       bool continues = false);
};

} // namespace dl
