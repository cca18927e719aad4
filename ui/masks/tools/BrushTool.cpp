// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/BrushTool.h"

#include "masks/MaskStroke.h"
#include "masks/tools/MaskToolContext.h"

namespace dl {

BrushTool::BrushTool(MaskToolContext &context, MaskTool maskTool)
    : StrokeTool(context, maskTool)
{
}

PaintMode BrushTool::modeOfPress(const QMouseEvent *event) const
{
    return maskTool() == MaskTool::Eraser ? PaintMode::Erase : modeOf(event);
}

void BrushTool::paintSegment(cv::Point2f from, cv::Point2f to)
{
    context().maskChanged(stroke()->brush(from, to, brushRadius(), mode()));
}

} // namespace dl
