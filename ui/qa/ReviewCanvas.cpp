// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/ReviewCanvas.h"

#include <QPainter>
#include <QPen>

namespace dl {

ReviewCanvas::ReviewCanvas(QWidget *parent) : ImageCanvas(parent) { }

void ReviewCanvas::setOverlays(const QList<Overlay> &overlays)
{
    m_overlays = overlays;
    update();
}

void ReviewCanvas::setOverlayVisible(int index, bool visible)
{
    if (index < 0 || index >= m_overlays.size() || m_overlays.at(index).visible == visible)
        return;
    m_overlays[index].visible = visible;
    update();
}

void ReviewCanvas::paintOverlay(QPainter &painter, const QRect &visibleImageRect)
{
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    for (const Overlay &overlay : std::as_const(m_overlays)) {
        if (!overlay.visible || overlay.image.isNull() || overlay.maskSize.isEmpty())
            continue;
        // Only the part of the overlay that shows the visible image pixels.
        const QRect target = visibleImageRect.intersected(QRect(QPoint(0, 0), overlay.maskSize));
        if (target.isEmpty())
            continue;
        const double sx = double(overlay.image.width()) / overlay.maskSize.width();
        const double sy = double(overlay.image.height()) / overlay.maskSize.height();
        const QRectF source(target.x() * sx, target.y() * sy, target.width() * sx, target.height() * sy);
        painter.drawImage(QRectF(target), overlay.image, source);
    }
    if (m_marked.isEmpty())
        return;
    // Two cosmetic pens (dark under amber dashes) stay visible on light and dark skin alike.
    painter.setBrush(Qt::NoBrush);
    for (const QColor &colour : {QColor(0, 0, 0, 160), QColor(255, 193, 7)}) {
        QPen pen(colour, colour.alpha() == 255 ? 2 : 4);
        pen.setCosmetic(true);
        if (colour.alpha() == 255)
            pen.setStyle(Qt::DashLine);
        painter.setPen(pen);
        for (const QRect &r : std::as_const(m_marked))
            painter.drawRect(r);
    }
}

void ReviewCanvas::setMarkedRegions(const QList<QRect> &regions)
{
    m_marked = regions;
    update();
}

} // namespace dl
