// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/MaskOverlay.h"

#include <QColor>
#include <QImage>
#include <QRect>
#include <QString>

#include <opencv2/core/types.hpp>
#include <vector>

class QPainter;

namespace dl {

class MaskDocument;

/// The overlays MaskCanvas draws a document's masks with.
///
/// Zoomed out: one overlay per layer at most reducedLongSide pixels long (a repaint at fit never
/// touches 12 megapixels), coloured at full strength and composed at paint time with the layer's
/// opacity, so hiding a layer or changing its opacity recolours nothing. Zoomed in: one full-size
/// overlay of all visible layers, made on first need. An edit recolours only the rectangle it
/// changed, of its layer.
class LayerOverlays
{
public:
    explicit LayerOverlays(int reducedLongSide);

    /// Makes every overlay for document (not owned; nullptr for none), reusing the memory of
    /// overlays of the same size.
    void setDocument(const MaskDocument *document);
    /// Follows the document's layers (new ones rendered, colour or outline changes recoloured, the
    /// rest kept); the full-size overlay is remade when next needed.
    void refresh();
    /// Whether a view at screenPerMask (device pixels per mask pixel) needs the full-size overlay.
    bool fullNeeded(double screenPerMask) const;
    /// Makes the full-size overlay unless it is up to date.
    void ensureFull();
    /// Recolours maskRect of a layer in every overlay made; returns the area recoloured in the
    /// coordinates of the canvas image (canvasSize, canvasPerMask of its pixels per mask pixel).
    QRectF recolour(const QString &layerId, const cv::Rect &maskRect, QSize canvasSize, double canvasPerMask);
    /// Draws the part visibleImageRect of the canvas image (canvasSize) shows: the full-size overlay
    /// or the reduced ones.
    void paint(QPainter &painter, const QRect &visibleImageRect, QSize canvasSize, bool fullSize);
    /// What paint() draws, composed at the overlays' size (for tests).
    QImage composed(bool fullSize) const;

private:
    struct Entry
    {
        QString id;
        MaskOverlay overlay; // null until the layer has pixels
        QColor colour; // the style it was rendered with
        bool outline = false;
    };

    Entry *entry(const QString &layerId);
    /// The reduced overlays follow the document's layers.
    void sync();
    QSize reducedSize() const;
    /// Recolours part of a layer's reduced overlay, at full strength as if visible (a null overlay
    /// is made first, transparent, once the layer has pixels); returns the overlay rectangle
    /// recoloured. Reads the document only.
    QRect render(Entry &entry, const cv::Rect &maskRect) const;
    /// Renders whole reduced overlays, in parallel when there are several.
    void renderWhole(const std::vector<Entry *> &entries) const;

    int m_reducedLongSide;
    const MaskDocument *m_document = nullptr;
    std::vector<Entry> m_entries; // reduced, in layer order
    double m_scale = 1.0; // requested scale of the reduced overlays
    MaskOverlay m_full; // the mask's size, made on first need
    bool m_fullValid = false;
};

} // namespace dl
