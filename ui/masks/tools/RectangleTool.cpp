// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/RectangleTool.h"

#include "masks/MaskStroke.h"
#include "masks/tools/MaskToolContext.h"

#include <QMouseEvent>

namespace dl {

RectangleTool::RectangleTool(MaskToolContext &context)
    : AbstractMaskTool(context)
{
}

void RectangleTool::mousePressed(QMouseEvent *event)
{
    m_mode = modeOf(event);
    m_rect.start(context().toMask(event->position()));
    setDragging(true);
}

void RectangleTool::mouseMoved(QMouseEvent *event)
{
    m_rect.moveTo(context().toMask(event->position()));
    context().repaint();
}

void RectangleTool::mouseReleased(QMouseEvent *)
{
    setDragging(false);
    if (!context().toolsEnabled())
        return;
    const cv::Rect rect = m_rect.pixels();
    context().repaint();
    context().applyEdit(MaskTool::Rectangle,
                        [&](MaskStroke &stroke) { return stroke.rectangle(rect, m_mode); });
}

void RectangleTool::paintOverlay(QPainter &painter, const QTransform &maskToWidget)
{
    if (isDragging())
        m_rect.paint(painter, maskToWidget);
}

} // namespace dl
