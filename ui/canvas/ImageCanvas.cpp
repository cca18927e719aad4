// SPDX-License-Identifier: GPL-3.0-or-later
#include "canvas/ImageCanvas.h"

#include "canvas/ImagePyramid.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QRegion>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

const QColor Background(0x2b, 0x2b, 0x2b);

// Zoom steps for zoomIn()/zoomOut(): round percentages, roughly sqrt(2) apart.
constexpr std::array<double, 21> ZoomLadder = {0.05,   0.0625, 1.0 / 12, 0.1, 0.125, 1.0 / 6, 0.25,
                                               1.0 / 3, 0.5,   2.0 / 3,  1.0, 1.5,   2.0,     3.0,
                                               4.0,    6.0,    8.0,      12.0, 16.0, 24.0,    32.0};

// Fraction of the view the arrow keys move it by.
constexpr double ArrowPanFraction = 0.15;

// Levels up to this many pixels get their adjusted copy made whole; larger ones only around the view.
constexpr qint64 WholeLevelAdjustLimit = 4'200'000;

double clampZoom(double zoom)
{
    if (!std::isfinite(zoom))
        return 1.0;
    return std::clamp(zoom, ImageCanvas::MinZoom, ImageCanvas::MaxZoom);
}

// Puts the region of source with the 256-entry LUT applied to R, G and B (alpha kept) into out,
// reusing out's buffer when it fits (moving a slider then allocates nothing).
void applyLut(const QImage &source, const QRect &region, const std::array<uchar, 256> &lut, QImage &out)
{
    if (out.size() != region.size() || out.format() != source.format() || !out.isDetached())
        out = QImage(region.size(), source.format());
    if (out.isNull())
        return;
    const bool premultiplied = source.format() == QImage::Format_ARGB32_Premultiplied;
    for (int y = 0; y < region.height(); ++y) {
        const auto *src = reinterpret_cast<const QRgb *>(source.constScanLine(region.y() + y)) + region.x();
        auto *dst = reinterpret_cast<QRgb *>(out.scanLine(y));
        if (!premultiplied) {
            for (int x = 0; x < region.width(); ++x) {
                const QRgb p = src[x];
                dst[x] = (p & 0xff000000u) | (uint(lut[qRed(p)]) << 16) | (uint(lut[qGreen(p)]) << 8)
                    | uint(lut[qBlue(p)]);
            }
        } else {
            for (int x = 0; x < region.width(); ++x) {
                const QRgb p = src[x];
                const uchar a = uchar(qAlpha(p));
                dst[x] = (p & 0xff000000u) | (uint(std::min(lut[qRed(p)], a)) << 16)
                    | (uint(std::min(lut[qGreen(p)], a)) << 8) | uint(std::min(lut[qBlue(p)], a));
            }
        }
    }
}

} // namespace

ImageCanvas::ImageCanvas(QWidget *parent)
    : QWidget(parent)
    , m_pyramid(new ImagePyramid(this))
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, Background);
    setPalette(pal);
    rebuildLut();
    connect(m_pyramid, &ImagePyramid::levelReady, this, [this](int level) {
        update();
        emit pyramidLevelReady(level);
    });
}

ImageCanvas::~ImageCanvas() = default;

QSize ImageCanvas::sizeHint() const
{
    return {800, 600};
}

void ImageCanvas::setImage(const QImage &image, const QImage &screenCopy)
{
    QImage accepted = image;
    bool converted = false;
    switch (image.format()) {
    case QImage::Format_RGB32:
    case QImage::Format_ARGB32:
    case QImage::Format_ARGB32_Premultiplied:
        break;
    case QImage::Format_Invalid:
        clear();
        return;
    default:
        accepted = image.convertToFormat(image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied
                                                                 : QImage::Format_RGB32);
        converted = true;
        break;
    }
    m_image = accepted;
    m_screen = QImage();
    if (!converted && (screenCopy.format() == QImage::Format_RGB32 || screenCopy.format() == QImage::Format_ARGB32)
        && screenCopy.width() <= m_image.width() && screenCopy.height() <= m_image.height()) {
        m_screen = screenCopy;
    }
    m_display = QImage();
    m_displayLevelKey = 0;
    m_lastPaintedLevel = -1;
    m_pyramid->setImage(m_image);
    m_fitMode = true;
    applyFit();
    update();
    imageChanged();
}

void ImageCanvas::clear()
{
    m_image = QImage();
    m_screen = QImage();
    m_display = QImage();
    m_displayLevelKey = 0;
    m_lastPaintedLevel = -1;
    m_pyramid->clear();
    m_fitMode = true;
    applyFit();
    update();
    imageChanged();
}

// --- View state ---

double ImageCanvas::fitZoom() const
{
    if (m_image.isNull() || width() <= 0 || height() <= 0)
        return 1.0;
    return clampZoom(std::min(double(width()) / m_image.width(), double(height()) / m_image.height()));
}

void ImageCanvas::clampOffset()
{
    if (m_image.isNull()) {
        m_offset = QPointF();
        return;
    }
    const auto clampAxis = [](double offset, double scaled, double view) {
        if (scaled <= view)
            return (view - scaled) / 2.0; // centred when smaller than the view
        return std::clamp(offset, view - scaled, 0.0); // no gap at either edge
    };
    m_offset.setX(clampAxis(m_offset.x(), m_image.width() * m_zoom, width()));
    m_offset.setY(clampAxis(m_offset.y(), m_image.height() * m_zoom, height()));
}

void ImageCanvas::setView(double zoom, QPointF offset, bool leaveFitMode)
{
    const double oldZoom = m_zoom;
    const QPointF oldOffset = m_offset;
    m_zoom = clampZoom(zoom);
    m_offset = offset;
    clampOffset();
    if (leaveFitMode)
        m_fitMode = false;
    if (m_zoom == oldZoom && m_offset == oldOffset)
        return;
    update();
    emit viewChanged();
    if (m_zoom != oldZoom)
        emit zoomChanged(m_zoom);
}

void ImageCanvas::applyFit()
{
    // Centred, also when the zoom limit leaves the image larger than the view.
    const double zoom = fitZoom();
    const QSizeF scaled = QSizeF(m_image.size()) * zoom;
    setView(zoom, QPointF((width() - scaled.width()) / 2.0, (height() - scaled.height()) / 2.0), false);
}

void ImageCanvas::fitToWindow()
{
    m_fitMode = true;
    applyFit();
}

void ImageCanvas::setZoom(double zoom, QPointF anchorInWidget)
{
    const QPointF imagePoint = widgetToImage(anchorInWidget);
    const double z = clampZoom(zoom);
    setView(z, anchorInWidget - imagePoint * z, true);
}

void ImageCanvas::setZoom(double zoom)
{
    setZoom(zoom, QPointF(width() / 2.0, height() / 2.0));
}

void ImageCanvas::actualSize()
{
    setZoom(1.0);
}

void ImageCanvas::zoomIn()
{
    for (double step : ZoomLadder) {
        if (step > m_zoom * (1.0 + 1e-3)) {
            setZoom(step);
            return;
        }
    }
    setZoom(MaxZoom);
}

void ImageCanvas::zoomOut()
{
    for (auto it = ZoomLadder.rbegin(); it != ZoomLadder.rend(); ++it) {
        if (*it < m_zoom * (1.0 - 1e-3)) {
            setZoom(*it);
            return;
        }
    }
    setZoom(MinZoom);
}

QString ImageCanvas::zoomText() const
{
    const double percent = m_zoom * 100.0;
    if (percent >= 10.0 || std::abs(percent - std::round(percent)) < 0.05)
        return QString::number(qRound(percent)) + u'%';
    return QString::number(percent, 'f', 1) + u'%';
}

void ImageCanvas::panBy(QPointF delta)
{
    const QPointF before = m_offset;
    setView(m_zoom, m_offset + delta, false);
    if (m_offset != before)
        m_fitMode = false;
}

void ImageCanvas::centerOn(QPointF imagePoint)
{
    const QPointF centre(width() / 2.0, height() / 2.0);
    setView(m_zoom, centre - imagePoint * m_zoom, true);
}

QPointF ImageCanvas::widgetToImage(QPointF widgetPoint) const
{
    return (widgetPoint - m_offset) / m_zoom;
}

QPointF ImageCanvas::imageToWidget(QPointF imagePoint) const
{
    return imagePoint * m_zoom + m_offset;
}

QTransform ImageCanvas::imageToWidgetTransform() const
{
    return QTransform(m_zoom, 0, 0, m_zoom, m_offset.x(), m_offset.y());
}

QRect ImageCanvas::visibleImageRect() const
{
    if (m_image.isNull())
        return {};
    const QRectF visible(widgetToImage(QPointF(0, 0)), widgetToImage(QPointF(width(), height())));
    return visible.toAlignedRect() & m_image.rect();
}

// --- Adjustments ---

void ImageCanvas::setBrightness(int brightness)
{
    brightness = std::clamp(brightness, -100, 100);
    if (brightness == m_brightness)
        return;
    m_brightness = brightness;
    rebuildLut();
    update();
}

void ImageCanvas::setContrast(int contrast)
{
    contrast = std::clamp(contrast, -100, 100);
    if (contrast == m_contrast)
        return;
    m_contrast = contrast;
    rebuildLut();
    update();
}

void ImageCanvas::resetAdjustments()
{
    if (!adjustmentsActive())
        return;
    m_brightness = 0;
    m_contrast = 0;
    rebuildLut();
    update();
}

void ImageCanvas::rebuildLut()
{
    // Contrast scales around mid-grey by 1/4 .. 4; brightness shifts by up to half the range.
    const double gain = std::pow(4.0, m_contrast / 100.0);
    const double shift = m_brightness * 1.275;
    for (int v = 0; v < 256; ++v) {
        const double out = (v - 127.5) * gain + 127.5 + shift;
        m_lut[std::size_t(v)] = uchar(std::clamp(std::lround(out), 0L, 255L));
    }
    ++m_lutGeneration; // the adjusted copy is out of date (its buffer gets reused)
    if (!adjustmentsActive())
        m_display = QImage();
}

QImage ImageCanvas::displaySource(const QImage &levelImage, QRect &sourceRect)
{
    if (!adjustmentsActive())
        return levelImage;
    const qint64 key = levelImage.cacheKey();
    if (m_display.isNull() || key != m_displayLevelKey || m_displayLutGeneration != m_lutGeneration
        || !m_displayRect.contains(sourceRect)) {
        QRect region = levelImage.rect();
        if (qint64(levelImage.width()) * levelImage.height() > WholeLevelAdjustLimit) {
            // Half the visible size around it, so that small pans reuse the copy.
            const int mx = sourceRect.width() / 2, my = sourceRect.height() / 2;
            region = sourceRect.adjusted(-mx, -my, mx, my) & levelImage.rect();
        }
        applyLut(levelImage, region, m_lut, m_display);
        m_displayLevelKey = key;
        m_displayRect = region;
        m_displayLutGeneration = m_lutGeneration;
    }
    sourceRect.translate(-m_displayRect.topLeft());
    return m_display;
}

// --- Pyramid ---

bool ImageCanvas::pyramidReady() const
{
    return m_pyramid->isReady();
}

int ImageCanvas::pyramidLevelCount() const
{
    return m_pyramid->plannedLevelCount();
}

int ImageCanvas::availablePyramidLevels() const
{
    return m_pyramid->availableLevelCount();
}

QSize ImageCanvas::pyramidLevelSize(int level) const
{
    return m_pyramid->levelSize(level);
}

int ImageCanvas::levelForZoom(double zoom) const
{
    return m_pyramid->bestAvailableLevel(zoom * devicePixelRatioF());
}

// --- Painting ---

void ImageCanvas::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    const QRect exposed = event->rect();
    if (m_image.isNull()) {
        painter.fillRect(exposed, Background);
        return;
    }

    const QRectF imageInWidget(m_offset, QSizeF(m_image.size()) * m_zoom);
    // The screen copy is drawn 1:1 at whole device pixels.
    const bool screenCopy = usesScreenCopy();
    const double dpr = devicePixelRatioF();
    const QRectF drawn = screenCopy
        ? QRectF(QPointF(std::round(m_offset.x() * dpr) / dpr, std::round(m_offset.y() * dpr) / dpr),
                 QSizeF(m_screen.size()) / dpr)
        : imageInWidget;
    // Background only where the image surely does not cover (the pixels it fully covers).
    QRegion background(exposed);
    if (!m_image.hasAlphaChannel()) {
        const QRect inner(QPoint(int(std::ceil(drawn.left())), int(std::ceil(drawn.top()))),
                          QPoint(int(std::floor(drawn.right())) - 1, int(std::floor(drawn.bottom())) - 1));
        background -= QRegion(inner);
    }
    for (const QRect &r : background)
        painter.fillRect(r, Background);

    // The exposed part of the image, in image pixels.
    const QRectF exposedImage = QRectF(widgetToImage(exposed.topLeft()),
                                       widgetToImage(exposed.bottomRight() + QPoint(1, 1)))
                                    .intersected(QRectF(m_image.rect()));
    if (exposedImage.isEmpty())
        return;

    if (screenCopy) {
        // The image at exactly its on-screen size: drawn 1:1, nothing scaled.
        m_lastPaintedLevel = ScreenCopyLevel;
        QRect all = m_screen.rect();
        const QImage shown = displaySource(m_screen, all);
        painter.setClipRect(exposed);
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        painter.drawImage(drawn, shown, QRectF(all));
    } else if (!paintLevel(painter, exposed, exposedImage)) {
        return;
    }

    // Overlays in image coordinates.
    painter.save();
    painter.setClipRect(imageInWidget.intersected(QRectF(exposed)));
    painter.setTransform(imageToWidgetTransform());
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    paintOverlay(painter, exposedImage.toAlignedRect() & m_image.rect());
    painter.restore();
}

bool ImageCanvas::usesScreenCopy() const
{
    if (m_screen.isNull() || m_image.isNull())
        return false;
    const double dpr = devicePixelRatioF();
    const QSizeF onScreen = QSizeF(m_image.size()) * (m_zoom * dpr);
    return std::abs(onScreen.width() - m_screen.width()) < 1.0 && std::abs(onScreen.height() - m_screen.height()) < 1.0;
}

bool ImageCanvas::paintLevel(QPainter &painter, const QRect &exposed, const QRectF &exposedImage)
{
    const int level = levelForZoom(m_zoom);
    const QImage levelImage = m_pyramid->level(level);
    if (levelImage.isNull())
        return false;
    m_lastPaintedLevel = level;
    const double sx = double(levelImage.width()) / m_image.width();
    const double sy = double(levelImage.height()) / m_image.height();

    // Reduce with filtering; magnify with nearest neighbour from 2x on (pixel inspection).
    const bool smooth = m_zoom < 2.0 && m_zoom != 1.0;
    const int margin = smooth ? 1 : 0; // filter support across the edges of a partial update
    QRect source(QPoint(int(std::floor(exposedImage.left() * sx)) - margin,
                        int(std::floor(exposedImage.top() * sy)) - margin),
                 QPoint(int(std::ceil(exposedImage.right() * sx)) - 1 + margin,
                        int(std::ceil(exposedImage.bottom() * sy)) - 1 + margin));
    source &= levelImage.rect();
    if (source.isEmpty())
        return false;
    const QRectF target(m_offset.x() + source.x() / sx * m_zoom, m_offset.y() + source.y() / sy * m_zoom,
                        source.width() / sx * m_zoom, source.height() / sy * m_zoom);

    QRect fromDisplay = source;
    const QImage shown = displaySource(levelImage, fromDisplay);

    painter.setClipRect(exposed);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, smooth);
    painter.drawImage(target, shown, QRectF(fromDisplay));
    return true;
}

void ImageCanvas::paintOverlay(QPainter &painter, const QRect &visibleImageRect)
{
    Q_UNUSED(painter)
    Q_UNUSED(visibleImageRect)
}

void ImageCanvas::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_fitMode)
        applyFit();
    else
        setView(m_zoom, m_offset, false);
}

// --- Input ---

void ImageCanvas::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0 || m_image.isNull()) {
        event->ignore();
        return;
    }
    // One notch (120) is one sqrt(2) step; trackpads send fractions of it.
    setZoom(m_zoom * std::pow(M_SQRT2, delta / 120.0), event->position());
    event->accept();
}

void ImageCanvas::mousePressEvent(QMouseEvent *event)
{
    const bool pan = event->button() == Qt::MiddleButton
        || (event->button() == Qt::LeftButton && (m_spaceHeld || m_leftButtonPans));
    if (!pan || m_image.isNull()) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_panning = true;
    m_lastPanPos = event->position();
    updateCursor();
    event->accept();
}

void ImageCanvas::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_panning) {
        QWidget::mouseMoveEvent(event);
        return;
    }
    const QPointF pos = event->position();
    panBy(pos - m_lastPanPos);
    m_lastPanPos = pos;
    event->accept();
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_panning) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    if (!(event->buttons() & (Qt::LeftButton | Qt::MiddleButton))) {
        m_panning = false;
        updateCursor();
    }
    event->accept();
}

void ImageCanvas::keyPressEvent(QKeyEvent *event)
{
    const QPointF arrowStep(width() * ArrowPanFraction, height() * ArrowPanFraction);
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        break;
    case Qt::Key_Minus:
    case Qt::Key_Underscore:
        zoomOut();
        break;
    case Qt::Key_0:
    case Qt::Key_F:
        fitToWindow();
        break;
    case Qt::Key_1:
        actualSize();
        break;
    // An arrow shows more of the image in its direction: the image moves the other way.
    case Qt::Key_Left:
        panBy(QPointF(arrowStep.x(), 0));
        break;
    case Qt::Key_Right:
        panBy(QPointF(-arrowStep.x(), 0));
        break;
    case Qt::Key_Up:
        panBy(QPointF(0, arrowStep.y()));
        break;
    case Qt::Key_Down:
        panBy(QPointF(0, -arrowStep.y()));
        break;
    case Qt::Key_Space:
        if (!event->isAutoRepeat()) {
            m_spaceHeld = true;
            updateCursor();
        }
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

void ImageCanvas::keyReleaseEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        updateCursor();
        event->accept();
        return;
    }
    QWidget::keyReleaseEvent(event);
}

void ImageCanvas::focusOutEvent(QFocusEvent *event)
{
    m_spaceHeld = false;
    m_panning = false;
    updateCursor();
    QWidget::focusOutEvent(event);
}

void ImageCanvas::updateCursor()
{
    if (m_panning)
        setCursor(Qt::ClosedHandCursor);
    else if (m_spaceHeld)
        setCursor(Qt::OpenHandCursor);
    else
        unsetCursor();
}

} // namespace dl
