// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/AbstractMaskTool.h"

#include "masks/tools/MaskToolContext.h"

#include <QMetaObject>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPointer>

#include <cmath>

namespace dl {

AbstractMaskTool::AbstractMaskTool(MaskToolContext &context)
    : m_context(context)
{
}

AbstractMaskTool::~AbstractMaskTool() = default;

void AbstractMaskTool::mousePressed(QMouseEvent *) { }

void AbstractMaskTool::mouseMoved(QMouseEvent *) { }

void AbstractMaskTool::mouseReleased(QMouseEvent *)
{
    m_dragging = false;
}

void AbstractMaskTool::hoverMoved(QPointF) { }

bool AbstractMaskTool::mouseDoubleClicked(QMouseEvent *)
{
    return false;
}

bool AbstractMaskTool::keyPressed(QKeyEvent *)
{
    return false;
}

void AbstractMaskTool::paintOverlay(QPainter &, const QTransform &) { }

float AbstractMaskTool::brushRadius() const
{
    return m_context.brushSize() / 2.0f;
}

PaintMode AbstractMaskTool::modeOf(const QMouseEvent *event)
{
    return (event->modifiers() & Qt::ShiftModifier) ? PaintMode::Erase : PaintMode::Paint;
}

cv::Point AbstractMaskTool::pixelAt(const QMouseEvent *event) const
{
    const cv::Point2f p = m_context.toMask(event->position());
    return {int(std::floor(p.x)), int(std::floor(p.y))};
}

void AbstractMaskTool::drawOutlined(QPainter &painter, const QPainterPath &path)
{
    QPen dark(QColor(0, 0, 0, 160), 3.0);
    dark.setCosmetic(true);
    painter.strokePath(path, dark);
    QPen light(QColor(255, 255, 255, 230), 1.0);
    light.setCosmetic(true);
    painter.strokePath(path, light);
}

std::function<void(const QString &)> AbstractMaskTool::failureReporter()
{
    const QPointer<AbstractMaskTool> self(this);
    return [self](const QString &why) {
        QMetaObject::invokeMethod(
            self,
            [self, why] {
                if (self)
                    self->context().message(why);
            },
            Qt::QueuedConnection);
    };
}

} // namespace dl
