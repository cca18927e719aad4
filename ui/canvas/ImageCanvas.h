// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QPointF>
#include <QRect>
#include <QTransform>
#include <QWidget>

#include <array>

namespace dl {

class ImagePyramid;

/// Zoomable, pannable view of one (large) photo. Paints only the visible part of the image, from the
/// smallest level of a mip pyramid (built in the background) that still has at least the display
/// resolution, so a 12 MP photo never gets rescaled as a whole. Brightness and contrast apply to the
/// displayed pixels only. Mask layers draw on top through paintOverlay() in image coordinates.
///
/// Mouse and keys: wheel zooms around the cursor; left drag (unless a tool consumes it), middle drag and
/// space + drag pan; + / - zoom, 0 or F fit, 1 shows 100%, arrow keys pan by a fraction of the view.
class ImageCanvas : public QWidget
{
    Q_OBJECT

public:
    static constexpr double MinZoom = 0.05;
    static constexpr double MaxZoom = 32.0;

    explicit ImageCanvas(QWidget *parent = nullptr);
    ~ImageCanvas() override;

    /// An already decoded, EXIF-oriented image (RGB32 or ARGB32; other formats are converted). Shows it
    /// fitted to the window and starts building the pyramid. screenCopy, when given, is the image
    /// already reduced (in device pixels) to the size it has on screen at some zoom, typically fitted
    /// to the window (ImageCache::screenImage()): while the view shows the image at that size it is
    /// drawn 1:1, so the first paint of a new 12 MP image scales nothing on this thread.
    void setImage(const QImage &image, const QImage &screenCopy = QImage());
    void clear();
    /// The image as given (never altered by the view adjustments).
    const QImage &image() const { return m_image; }
    bool hasImage() const { return !m_image.isNull(); }

    // Zoom (1.0 = one image pixel per widget pixel), clamped to [MinZoom, MaxZoom].
    double zoom() const { return m_zoom; }
    /// Zooms so that image point under anchor (widget coordinates) stays under it.
    void setZoom(double zoom, QPointF anchorInWidget);
    /// Zooms around the centre of the widget.
    void setZoom(double zoom);
    /// The zoom fitToWindow() would choose for the current widget size.
    double fitZoom() const;
    bool isFitMode() const { return m_fitMode; }
    /// "25%", "6.3%", "3200%".
    QString zoomText() const;

    /// Top-left of the image in widget coordinates.
    QPointF offset() const { return m_offset; }
    /// Moves the image by delta widget pixels, within the pan limits.
    void panBy(QPointF delta);
    /// Puts image point imagePoint at the centre of the widget (within the pan limits).
    void centerOn(QPointF imagePoint);

    // Coordinate mapping for tools and overlays.
    QPointF widgetToImage(QPointF widgetPoint) const;
    QPointF imageToWidget(QPointF imagePoint) const;
    QTransform imageToWidgetTransform() const;
    /// The part of the image (image pixels, clipped to the image) visible in the widget.
    QRect visibleImageRect() const;

    // View adjustments, applied to what is displayed only.
    int brightness() const { return m_brightness; }
    int contrast() const { return m_contrast; }
    void setBrightness(int brightness); // -100 .. 100
    void setContrast(int contrast);     // -100 .. 100
    void resetAdjustments();

    /// When true (the default) a left-button drag pans; a tool that uses the left button switches it off.
    void setLeftButtonPans(bool pans) { m_leftButtonPans = pans; }
    bool leftButtonPans() const { return m_leftButtonPans; }

    // Pyramid state, for tests and the status bar.
    bool pyramidReady() const;
    int pyramidLevelCount() const;          // planned levels, including level 0
    int availablePyramidLevels() const;     // built so far
    QSize pyramidLevelSize(int level) const;
    /// The level a paint at zoom would use with the levels built so far.
    int levelForZoom(double zoom) const;
    /// The level used by the last paint (-1 before the first; ScreenCopyLevel when the screen copy
    /// was drawn).
    int lastPaintedLevel() const { return m_lastPaintedLevel; }
    static constexpr int ScreenCopyLevel = -2;
    /// Whether a paint now would draw the screen copy (the view shows the image at its size).
    bool usesScreenCopy() const;

    QSize sizeHint() const override;

public slots:
    void fitToWindow();
    void actualSize();
    void zoomIn();
    void zoomOut();
    void resetView() { fitToWindow(); }

signals:
    /// Zoom or pan changed.
    void viewChanged();
    void zoomChanged(double zoom);
    void pyramidLevelReady(int level);

protected:
    /// Called after the image with the painter in image coordinates (one unit = one image pixel),
    /// clipped to the visible part of the image; visibleImageRect is that part in image pixels.
    virtual void paintOverlay(QPainter &painter, const QRect &visibleImageRect);
    /// Called at the end of setImage() and clear(), after the view is fitted (for subclasses that
    /// keep state per image).
    virtual void imageChanged() { }

    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;

private:
    void applyFit();
    void clampOffset();
    void setView(double zoom, QPointF offset, bool leaveFitMode);
    void rebuildLut();
    bool adjustmentsActive() const { return m_brightness != 0 || m_contrast != 0; }
    QImage displaySource(const QImage &levelImage, QRect &sourceRect);
    /// Draws the exposed part from the pyramid level for the zoom; false when there is nothing to draw.
    bool paintLevel(QPainter &painter, const QRect &exposed, const QRectF &exposedImage);
    void updateCursor();

    QImage m_image;
    QImage m_screen; // the image at its on-screen size (device pixels), or null
    ImagePyramid *m_pyramid;
    double m_zoom = 1.0;
    QPointF m_offset;
    bool m_fitMode = true;

    int m_brightness = 0;
    int m_contrast = 0;
    std::array<uchar, 256> m_lut{};
    quint64 m_lutGeneration = 0;

    // Adjusted copy of (part of) one pyramid level, reused until the level, the region or the
    // adjustments change.
    QImage m_display;
    qint64 m_displayLevelKey = 0;
    QRect m_displayRect;
    quint64 m_displayLutGeneration = ~quint64(0);

    int m_lastPaintedLevel = -1;
    bool m_leftButtonPans = true;
    bool m_spaceHeld = false;
    bool m_panning = false;
    QPointF m_lastPanPos;
};

} // namespace dl
