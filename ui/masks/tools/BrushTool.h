// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/tools/StrokeTool.h"

namespace dl {

/// The round brush: paints under the brush (Shift erases), or, as the eraser, always erases.
class BrushTool : public StrokeTool
{
    Q_OBJECT

public:
    /// maskTool: MaskTool::Brush or MaskTool::Eraser.
    BrushTool(MaskToolContext &context, MaskTool maskTool);

protected:
    PaintMode modeOfPress(const QMouseEvent *event) const override;
    void paintSegment(cv::Point2f from, cv::Point2f to) override;
};

} // namespace dl
