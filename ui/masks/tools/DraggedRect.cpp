// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/DraggedRect.h"

#include "masks/MaskTools.h"
#include "masks/tools/AbstractMaskTool.h"

#include <QPainterPath>
#include <QTransform>

namespace dl {

cv::Rect DraggedRect::pixels() const
{
    return MaskTools::pixelRect(m_start, m_end);
}

void DraggedRect::paint(QPainter &painter, const QTransform &maskToWidget) const
{
    QPainterPath path;
    path.addRect(QRectF(maskToWidget.map(QPointF(m_start.x, m_start.y)),
                        maskToWidget.map(QPointF(m_end.x, m_end.y)))
                     .normalized());
    AbstractMaskTool::drawOutlined(painter, path);
}

} // namespace dl
