// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QRect>
#include <QSize>
#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>
#include <vector>

namespace dl {

class MaskDocument;
class MaskLayer;

/// The coloured picture of masks that a canvas draws over the image: a QImage in
/// Format_ARGB32_Premultiplied, either the mask's size or scaled down (for drawing zoomed out
/// without rescaling 12 megapixels every frame).
///
/// Only what changed is recoloured: update() takes a rectangle in mask coordinates (what the tools
/// return) and redraws the overlay pixels that show it; the canvas then repaints that part only.
/// At a scale below 1 each overlay pixel shows the mask pixel under its centre (nearest neighbour).
///
/// Either one overlay per layer (update(mask, layer, rect)), which lets the canvas hide a layer
/// without recolouring, or one overlay for all visible layers of a document (update(document,
/// rect)), composited bottom to top in layer order. Filled layers are the layer colour at the
/// layer's opacity; outline-only layers colour the inside pixels that have a 4-neighbour outside
/// (or the image border), one overlay pixel wide at any scale.
class MaskOverlay
{
public:
    MaskOverlay() = default;
    /// A transparent overlay for masks of maskSize; scale 1 or below (clamped to (0, 1]).
    explicit MaskOverlay(QSize maskSize, double scale = 1.0);
    void reset(QSize maskSize, double scale = 1.0);

    const QImage &image() const { return m_image; }
    QSize maskSize() const { return m_maskSize; }
    /// Overlay size / mask size.
    double scale() const { return m_scale; }

    /// The overlay pixels that show the mask pixels of rect (empty when none).
    QRect overlayRect(const cv::Rect &maskRect) const;

    /// Recolours, for one layer, the overlay pixels showing maskRect (as a tool returned it; an
    /// empty rectangle recolours nothing). An empty mask or an invisible layer clears them. Returns
    /// the overlay rectangle recoloured (for QWidget::update after mapping to the widget).
    QRect update(const cv::Mat &mask, const MaskLayer &layer, const cv::Rect &maskRect);
    /// The same for all visible layers of a document, composited.
    QRect update(const MaskDocument &document, const cv::Rect &maskRect);
    /// Recolours the whole overlay (after loading, or a change of colour, opacity or visibility).
    QRect updateAll(const cv::Mat &mask, const MaskLayer &layer);
    QRect updateAll(const MaskDocument &document);

    /// A layer colour at an opacity as a premultiplied ARGB32 pixel.
    static QRgb premultiplied(const QColor &colour, double opacity);

private:
    struct Style
    {
        const cv::Mat *mask;
        QRgb fill;
        bool outline;
    };
    QRect prepare(const cv::Rect &maskRect, bool outlines);
    void render(const std::vector<Style> &styles, const QRect &area);

    QImage m_image;
    QSize m_maskSize;
    double m_scale = 1.0;
    std::vector<int> m_sourceX; // mask column shown by each overlay column
    std::vector<int> m_sourceY; // mask row shown by each overlay row
};

} // namespace dl
