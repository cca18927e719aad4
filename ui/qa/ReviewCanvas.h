// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "canvas/ImageCanvas.h"

#include <QImage>
#include <QList>
#include <QString>

namespace dl {

/// The image canvas of the review dialog with region masks drawn on top as overlays that can
/// be switched on and off one by one (each rater's layers, consensus masks).
class ReviewCanvas : public ImageCanvas
{
    Q_OBJECT

public:
    /// One overlay: a premultiplied ARGB32 picture of masks of maskSize (the image's displayed
    /// size), possibly scaled down (see MaskOverlay).
    struct Overlay
    {
        QString name;
        QImage image;
        QSize maskSize;
        bool visible = true;
    };

    explicit ReviewCanvas(QWidget *parent = nullptr);

    void setOverlays(const QList<Overlay> &overlays);
    const QList<Overlay> &overlays() const { return m_overlays; }
    void setOverlayVisible(int index, bool visible);
    /// Boxes drawn as dashed outlines over the image (the face check's possible faces), in
    /// displayed-image coordinates.
    void setMarkedRegions(const QList<QRect> &regions);
    const QList<QRect> &markedRegions() const { return m_marked; }

protected:
    void paintOverlay(QPainter &painter, const QRect &visibleImageRect) override;

private:
    QList<Overlay> m_overlays;
    QList<QRect> m_marked;
};

} // namespace dl
