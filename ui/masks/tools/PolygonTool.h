// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/tools/AbstractMaskTool.h"

#include <opencv2/core/types.hpp>
#include <vector>

namespace dl {

/// Polygon and lasso: each click adds a vertex (a rubber band follows the mouse to the next one);
/// Enter or a double click closes and fills the polygon, Backspace removes the last vertex, Esc
/// cancels it. A press that is dragged draws a freehand lasso instead, filled on release. Shift on
/// the first press erases.
class PolygonTool : public AbstractMaskTool
{
    Q_OBJECT

public:
    explicit PolygonTool(MaskToolContext &context);

    /// The vertices of the polygon in progress (0 when none).
    int vertexCount() const { return int(m_vertices.size()); }

    void mousePressed(QMouseEvent *event) override;
    void mouseMoved(QMouseEvent *event) override;
    void mouseReleased(QMouseEvent *event) override;
    void hoverMoved(QPointF widgetPos) override;
    void mouseLeft() override;
    bool mouseDoubleClicked(QMouseEvent *event) override;
    bool keyPressed(QKeyEvent *event) override;
    void paintOverlay(QPainter &painter, const QTransform &maskToWidget) override;
    /// A polygon in progress is dropped.
    void deactivate() override;
    void cancel() override;
    void leaveLayer() override;

private:
    /// Fills the polygon (at least three vertices) and ends it.
    void close();
    /// Drops the polygon in progress.
    void clear();

    std::vector<cv::Point2f> m_vertices; // mask coordinates
    bool m_freehand = false;
    PaintMode m_mode = PaintMode::Paint; // chosen by the first press
    QPointF m_pressPos; // widget
};

} // namespace dl
