// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/tools/AbstractMaskTool.h"
#include "masks/tools/DraggedRect.h"

namespace dl {

/// Drag a rectangle; its pixels are filled on release (Shift erases).
class RectangleTool : public AbstractMaskTool
{
    Q_OBJECT

public:
    explicit RectangleTool(MaskToolContext &context);

    /// The rectangle's outline while it is dragged.
    void paintOverlay(QPainter &painter, const QTransform &maskToWidget) override;
    void mousePressed(QMouseEvent *event) override;
    void mouseMoved(QMouseEvent *event) override;
    void mouseReleased(QMouseEvent *event) override;

private:
    DraggedRect m_rect;
    PaintMode m_mode = PaintMode::Paint;
};

} // namespace dl
