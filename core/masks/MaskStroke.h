// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/MaskEditCommand.h"
#include "masks/MaskTools.h"

#include <QString>
#include <functional>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <vector>

namespace dl {

class MaskDocument;

/// One edit of one layer in progress (mouse press to release), which becomes one undo step.
///
/// Each tool call backs up the 64 x 64 tiles it may change before it draws (once per tile and
/// stroke), so a brush segment costs only the segment itself. finish() compares the backup with the
/// mask, trims the dirty rectangle to the pixels that really changed and turns the difference into
/// a MaskEditCommand holding only the compressed before and after patches. The tools are those of
/// MaskTools and return the rectangle to recolour in the overlay. The backup buffer (the mask's
/// size, filled only where tools drew) is reused by the next stroke on the same thread.
///
/// Typical use on the canvas:
///     press:   stroke = std::make_unique<MaskStroke>(*doc, layerId, MaskTool::Brush);
///              overlay.update(*doc, stroke->brush(p, p, radius, PaintMode::Paint));
///     move:    overlay.update(*doc, stroke->brush(last, p, radius, PaintMode::Paint));
///     release: if (auto cmd = stroke->finish(false, onApplied)) undoStack.push(cmd.release());
class MaskStroke
{
public:
    /// The layer is added to the document (and its pixels allocated) if needed.
    MaskStroke(MaskDocument &document, const QString &layerId, MaskTool tool);
    ~MaskStroke();
    MaskStroke(const MaskStroke &) = delete;
    MaskStroke &operator=(const MaskStroke &) = delete;

    QString layerId() const { return m_layerId; }
    MaskTool tool() const { return m_tool; }
    /// The layer's mask (shares the document's pixels).
    const cv::Mat &mask() const { return m_mask; }
    /// Union of the rectangles the tools reported so far.
    cv::Rect dirtyRect() const { return m_dirty; }

    cv::Rect brush(cv::Point2f from, cv::Point2f to, float radius, PaintMode mode);
    cv::Rect polygon(const std::vector<cv::Point2f> &vertices, PaintMode mode);
    cv::Rect rectangle(const cv::Rect &rect, PaintMode mode);
    cv::Rect fillRegion(cv::Point seed, PaintMode mode);
    cv::Rect fillHoles();
    cv::Rect removeSpecks(int minPixels);
    cv::Rect smoothEdge(int radius);
    /// Any other change (assisted tools, pasting a result): backs up \a bounds (the whole mask
    /// when empty), then runs edit on the mask; edit returns the rectangle it changed, which must
    /// lie within bounds.
    cv::Rect edit(const cv::Rect &bounds, const std::function<cv::Rect(cv::Mat &)> &edit);

    /// Ends the stroke: the undo step, or nullptr when no pixel changed. The mask keeps the stroke.
    /// continuesPrevious: merge with the previous step if it is of the same tool and layer.
    std::unique_ptr<MaskEditCommand> finish(
        bool continuesPrevious = false, MaskEditCommand::Applied applied = {});
    /// Ends the stroke by restoring the pixels it changed; returns the rectangle restored.
    cv::Rect cancel();

private:
    void backup(const cv::Rect &rect);
    cv::Rect record(const cv::Rect &changed);
    void end();

    MaskDocument &m_document;
    QString m_layerId;
    MaskTool m_tool;
    cv::Mat m_mask;
    cv::Mat m_before; // the mask before the stroke, valid in the backed-up tiles
    std::vector<uchar> m_saved; // per tile: backed up
    int m_tilesX = 0;
    cv::Rect m_dirty;
    bool m_ended = false;
};

} // namespace dl
