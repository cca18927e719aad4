// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/tools/AbstractMaskTool.h"

#include <memory>
#include <opencv2/core/types.hpp>

namespace dl {

class MaskStroke;

/// The base of the tools that paint under the brush while the mouse is dragged (brush, eraser,
/// superpixel brush): press to release is one MaskStroke, and one undo step, which merges with the
/// previous stroke when it continues it (MaskToolContext::pushStroke()). Esc cancels the stroke.
class StrokeTool : public AbstractMaskTool
{
    Q_OBJECT

public:
    StrokeTool(MaskToolContext &context, MaskTool maskTool);
    ~StrokeTool() override;

    bool showsBrushRing() const override { return true; }
    void deactivate() override;
    void cancel() override;
    void leaveLayer() override;
    void flush() override;
    void mousePressed(QMouseEvent *event) override;
    void mouseMoved(QMouseEvent *event) override;
    void mouseReleased(QMouseEvent *event) override;
    bool keyPressed(QKeyEvent *event) override;

protected:
    MaskTool maskTool() const { return m_maskTool; }
    PaintMode mode() const { return m_mode; }
    /// The stroke in progress (nullptr when none).
    MaskStroke *stroke() const { return m_stroke.get(); }
    /// Whether a stroke may start now (the superpixel brush waits for its superpixels).
    virtual bool canStart() { return true; }
    /// The paint mode of a stroke that starts with this press.
    virtual PaintMode modeOfPress(const QMouseEvent *event) const { return modeOf(event); }
    /// Paints the segment from..to (mask coordinates; equal for the press) into stroke().
    virtual void paintSegment(cv::Point2f from, cv::Point2f to) = 0;

private:
    /// Pushes the stroke in progress.
    void finishStroke();

    MaskTool m_maskTool;
    PaintMode m_mode = PaintMode::Paint;
    std::unique_ptr<MaskStroke> m_stroke;
    QPointF m_pressPos; // widget
    cv::Point2f m_last; // mask coordinates of the last stroke point
};

} // namespace dl
