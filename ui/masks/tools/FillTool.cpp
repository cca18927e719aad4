// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/FillTool.h"

#include "masks/MaskStroke.h"
#include "masks/tools/MaskToolContext.h"

#include <QMouseEvent>

namespace dl {

FillTool::FillTool(MaskToolContext &context)
    : AbstractMaskTool(context)
{
}

void FillTool::mousePressed(QMouseEvent *event)
{
    const cv::Point seed = pixelAt(event);
    const PaintMode mode = modeOf(event);
    context().applyEdit(MaskTool::Fill, [&](MaskStroke &stroke) { return stroke.fillRegion(seed, mode); });
}

} // namespace dl
