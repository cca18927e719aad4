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

protected:
    void paintOverlay(QPainter &painter, const QRect &visibleImageRect) override;

private:
    QList<Overlay> m_overlays;
};

} // namespace dl
