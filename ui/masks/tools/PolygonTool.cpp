// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/PolygonTool.h"

#include "masks/MaskStroke.h"
#include "masks/tools/MaskToolContext.h"

#include <QKeyEvent>
#include <QLineF>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace dl {

namespace {

// A press that moves this far (widget pixels) becomes a freehand lasso, with a vertex every
// FreehandStep widget pixels.
constexpr double FreehandThreshold = 5.0;
constexpr double FreehandStep = 3.0;

QPointF toPoint(cv::Point2f p)
{
    return {p.x, p.y};
}

} // namespace

PolygonTool::PolygonTool(MaskToolContext &context)
    : AbstractMaskTool(context)
{
}

void PolygonTool::deactivate()
{
    clear();
    setDragging(false);
}

void PolygonTool::cancel()
{
    clear();
    setDragging(false);
}

void PolygonTool::leaveLayer()
{
    clear();
}

void PolygonTool::mousePressed(QMouseEvent *event)
{
    if (m_vertices.empty())
        m_mode = modeOf(event);
    m_pressPos = event->position();
    m_vertices.push_back(context().toMask(m_pressPos));
    m_freehand = false;
    setDragging(true);
    context().repaint();
}

void PolygonTool::mouseMoved(QMouseEvent *event)
{
    const QPointF pos = event->position();
    if (!m_freehand && QLineF(pos, m_pressPos).length() >= FreehandThreshold)
        m_freehand = true;
    if (m_freehand && !m_vertices.empty()) {
        const cv::Point2f p = context().toMask(pos);
        const cv::Point2f last = m_vertices.back();
        const double step = FreehandStep / std::max(context().widgetPerMask(), 1e-6);
        if (std::hypot(p.x - last.x, p.y - last.y) >= step)
            m_vertices.push_back(p);
    }
    context().repaint();
}

void PolygonTool::mouseReleased(QMouseEvent *)
{
    setDragging(false);
    if (m_freehand)
        close();
}

void PolygonTool::hoverMoved(QPointF)
{
    if (!m_vertices.empty() && !m_freehand)
        context().repaint(); // the rubber band
}

void PolygonTool::mouseLeft()
{
    if (!m_vertices.empty())
        context().repaint();
}

bool PolygonTool::mouseDoubleClicked(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || m_vertices.empty())
        return false;
    // The first click of the double click added the last vertex already.
    event->accept();
    setDragging(false);
    close();
    return true;
}

bool PolygonTool::keyPressed(QKeyEvent *event)
{
    if (m_vertices.empty())
        return false;
    switch (event->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        close();
        return true;
    case Qt::Key_Escape:
        clear();
        return true;
    case Qt::Key_Backspace:
        m_vertices.pop_back();
        context().repaint();
        return true;
    default:
        return false;
    }
}

void PolygonTool::paintOverlay(QPainter &painter, const QTransform &maskToWidget)
{
    if (m_vertices.empty())
        return;
    QPainterPath path;
    path.moveTo(maskToWidget.map(toPoint(m_vertices.front())));
    for (size_t i = 1; i < m_vertices.size(); ++i)
        path.lineTo(maskToWidget.map(toPoint(m_vertices[i])));
    const std::optional<QPointF> mouse = context().mousePosition();
    if (!m_freehand && mouse)
        path.lineTo(*mouse);
    if (m_vertices.size() > 2)
        path.lineTo(maskToWidget.map(toPoint(m_vertices.front())));
    drawOutlined(painter, path);
    if (m_freehand)
        return;
    for (const cv::Point2f &v : m_vertices) {
        const QPointF w = maskToWidget.map(toPoint(v));
        const QRectF handle(w.x() - 2.5, w.y() - 2.5, 5, 5);
        painter.fillRect(handle, Qt::white);
        painter.setPen(QPen(Qt::black, 1));
        painter.drawRect(handle);
    }
}

void PolygonTool::close()
{
    std::vector<cv::Point2f> vertices;
    vertices.swap(m_vertices);
    const bool freehand = m_freehand;
    m_freehand = false;
    context().repaint();
    if (vertices.size() < 3 || !context().toolsEnabled()) {
        if (!freehand && !vertices.empty())
            context().message(tr("A polygon needs at least three vertices."));
        return;
    }
    context().applyEdit(MaskTool::Polygon,
                        [&](MaskStroke &stroke) { return stroke.polygon(vertices, m_mode); });
}

void PolygonTool::clear()
{
    if (m_vertices.empty())
        return;
    m_vertices.clear();
    m_freehand = false;
    context().repaint();
}

} // namespace dl
