// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPointF>

#include <opencv2/core/types.hpp>

class QPainter;
class QTransform;

namespace dl {

/// A rectangle dragged from corner to corner in mask coordinates (the rectangle tool, the GrabCut
/// box): its outline while dragging and the pixels it covers.
class DraggedRect
{
public:
    void start(cv::Point2f corner) { m_start = m_end = corner; }
    void moveTo(cv::Point2f corner) { m_end = corner; }
    /// The pixels whose centres lie inside (MaskTools::pixelRect()).
    cv::Rect pixels() const;
    void paint(QPainter &painter, const QTransform &maskToWidget) const;

private:
    cv::Point2f m_start, m_end;
};

} // namespace dl
