// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskCanvas.h"

#include "base/Guarded.h"
#include "masks/MaskDocument.h"
#include "masks/MaskEditCommand.h"
#include "masks/MaskLayer.h"
#include "masks/MaskStroke.h"
#include "segmentation/GrabCutSegmenter.h"
#include "segmentation/MagicWand.h"
#include "segmentation/SuperpixelIndex.h"
#include "segmentation/WorkingScale.h"

#include <QCoreApplication>
#include <QKeyEvent>
#include <QLineF>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QUndoStack>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentMap>
#include <QtConcurrent/QtConcurrentRun>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

// A stroke continues the previous one when it starts this close (widget pixels, or within the
// brush) to where that ended, this soon after it.
constexpr double ContinueDistance = 4.0;
constexpr qint64 ContinueMs = 1500;
// A polygon press that moves this far (widget pixels) becomes a freehand lasso.
constexpr double FreehandThreshold = 5.0;
constexpr double FreehandStep = 3.0;

const QColor ForegroundStroke(40, 220, 90, 170);
const QColor BackgroundStroke(230, 50, 50, 170);

cv::Rect boundsOf(const cv::Mat &mask)
{
    if (mask.empty())
        return {};
    std::vector<cv::Point> points;
    cv::findNonZero(mask, points);
    return points.empty() ? cv::Rect() : cv::boundingRect(points);
}

void drawOutlined(QPainter &painter, const QPainterPath &path)
{
    QPen dark(QColor(0, 0, 0, 160), 3.0);
    dark.setCosmetic(true);
    painter.strokePath(path, dark);
    QPen light(QColor(255, 255, 255, 230), 1.0);
    light.setCosmetic(true);
    painter.strokePath(path, light);
}

// Paints polylines (mask coordinates) of a stroke width into a CV_8UC1 mask.
void rasterise(cv::Mat &mask, const std::vector<std::vector<cv::Point2f>> &strokes, float radius)
{
    for (const auto &stroke : strokes) {
        if (stroke.empty())
            continue;
        cv::Point2f from = stroke.front();
        for (const cv::Point2f &to : stroke) {
            MaskTools::brushSegment(mask, from, to, radius, PaintMode::Paint);
            from = to;
        }
    }
}

} // namespace

MaskCanvas::MaskCanvas(QWidget *parent)
    : ImageCanvas(parent)
{
    setObjectName(u"maskCanvas"_s);
    setMouseTracking(true);
    connect(&m_maskWatcher, &QFutureWatcher<cv::Mat>::finished, this, &MaskCanvas::onMaskJobFinished);
    connect(&m_superpixelWatcher, &QFutureWatcher<SuperpixelIndex>::finished, this,
            &MaskCanvas::onSuperpixelsFinished);
    updateInteraction();
}

MaskCanvas::~MaskCanvas()
{
    // Running jobs hold copies of what they use; their results are dropped.
    m_superpixelCancel->store(true);
    m_maskWatcher.disconnect(this);
    m_superpixelWatcher.disconnect(this);
    m_maskWatcher.cancel();
}

void MaskCanvas::onMaskJobFinished()
{
    const QFuture<cv::Mat> future = m_maskWatcher.future();
    const bool wand = m_wandRunning;
    const bool grabCut = m_grabCutRunning;
    const MaskDocument *document = m_jobDocument;
    m_wandRunning = false;
    m_grabCutRunning = false;
    m_jobDocument = nullptr;
    clearBusy();
    if ((!wand && !grabCut) || document != m_document || future.isCanceled() || future.resultCount() == 0)
        return; // cancelled, or for a document no longer shown
    const cv::Mat result = future.result();
    if (wand)
        applyWand(result);
    else
        applyGrabCut(result);
}

void MaskCanvas::onSuperpixelsFinished()
{
    const QFuture<SuperpixelIndex> future = m_superpixelWatcher.future();
    const bool expected = m_superpixelsRunning;
    m_superpixelsRunning = false;
    clearBusy();
    if (!expected || m_superpixelCancel->load() || future.resultCount() == 0)
        return;
    const SuperpixelIndex index = future.result();
    if (!index.isNull() && index.imageSize() == cv::Size(m_segImage.width(), m_segImage.height())) {
        m_superpixels = std::make_shared<const SuperpixelIndex>(index);
        emit message(tr("Superpixels ready: %n region(s).", nullptr, index.count()));
    }
}

QList<QPair<QString, QString>> MaskCanvas::shortcuts()
{
    return {
        {tr("[ / ], Shift+wheel"), tr("Brush smaller / larger")},
        {tr("Shift+click or drag"), tr("Erase with a paint tool (brush, polygon, rectangle, fill, wand)")},
        {tr("Click, drag"), tr("Polygon: add a vertex; drag draws a freehand lasso")},
        {tr("Enter, double-click"), tr("Polygon: close and fill")},
        {tr("Backspace"), tr("Polygon: remove the last vertex")},
        {tr("Esc"), tr("Cancel the polygon, the running segmentation, or end the GrabCut session")},
        {tr("Drag, then drag / right drag"), tr("GrabCut: box, then foreground / background strokes (or Alt+drag)")},
        {tr("Drag / right drag, Enter"),
         tr("GrabCut from strokes: foreground / background strokes (or Alt+drag); segments when a foreground "
            "stroke ends, or on Enter")},
    };
}

// --- Document and state ---

void MaskCanvas::setDocument(MaskDocument *document, QUndoStack *stack)
{
    if (m_stroke)
        cancelStroke();
    cancelPolygon();
    cancelBusy();
    endGrabCutSession();
    m_document = document;
    m_stack = stack;
    m_lastStroke = {};
    if (m_document && !m_activeLayer.isEmpty() && !m_document->hasLayer(m_activeLayer))
        m_activeLayer.clear();
    rebuildOverlays();
    updateInteraction();
    update();
    emit toolsStateChanged();
}

void MaskCanvas::setToolsEnabled(bool enabled, const QString &reason)
{
    m_toolsAllowed = enabled;
    m_disabledReason = enabled ? QString() : reason;
    if (!enabled) {
        if (m_stroke)
            cancelStroke();
        cancelPolygon();
        m_drag = Drag::None;
        syncEditing();
    } else if (m_tool == Tool::Superpixel) {
        startSuperpixels();
    }
    updateInteraction();
    update();
    emit toolsStateChanged();
}

bool MaskCanvas::toolsEnabled() const
{
    return toolsDisabledReason().isEmpty();
}

QString MaskCanvas::toolsDisabledReason() const
{
    if (!m_toolsAllowed)
        return m_disabledReason.isEmpty() ? tr("The mask tools are off.") : m_disabledReason;
    if (!m_document || m_document->isNull() || !hasImage())
        return tr("No masks for this image.");
    if (image().size() != m_document->size())
        return tr("The image is %1 x %2 but its masks are %3 x %4: the tools are off.")
            .arg(image().width())
            .arg(image().height())
            .arg(m_document->size().width())
            .arg(m_document->size().height());
    if (m_activeLayer.isEmpty() || !m_document->hasLayer(m_activeLayer))
        return tr("Add a potential diagnosis or tick an identifying kind to draw its region.");
    return {};
}

void MaskCanvas::setTool(Tool tool)
{
    if (tool == m_tool)
        return;
    if (m_stroke)
        finishStroke();
    cancelPolygon();
    m_drag = Drag::None;
    syncEditing();
    if (m_tool == Tool::GrabCut)
        endGrabCutSession();
    m_tool = tool;
    if (m_tool == Tool::Superpixel)
        startSuperpixels();
    updateInteraction();
    update();
    emit toolChanged(m_tool);
}

void MaskCanvas::setActiveLayer(const QString &layerId)
{
    if (layerId == m_activeLayer)
        return;
    if (m_stroke)
        finishStroke();
    cancelPolygon();
    endGrabCutSession();
    m_activeLayer = layerId;
    updateInteraction();
    emit activeLayerChanged(m_activeLayer);
    emit toolsStateChanged();
}

void MaskCanvas::setBrushSize(int size)
{
    size = std::clamp(size, MinBrushSize, MaxBrushSize);
    if (size == m_brushSize)
        return;
    const QRect before = m_hovering ? brushRingWidgetRect(m_hoverPos) : QRect();
    m_brushSize = size;
    if (m_hovering && usesBrushRing())
        update(before | brushRingWidgetRect(m_hoverPos));
    emit brushSizeChanged(m_brushSize);
}

void MaskCanvas::growBrush()
{
    setBrushSize(std::max(m_brushSize + 1, int(std::lround(m_brushSize * 1.25))));
}

void MaskCanvas::shrinkBrush()
{
    setBrushSize(std::min(m_brushSize - 1, int(std::lround(m_brushSize / 1.25))));
}

void MaskCanvas::setWandTolerance(int tolerance)
{
    tolerance = std::clamp(tolerance, 0, 255);
    if (tolerance == m_wandTolerance)
        return;
    m_wandTolerance = tolerance;
    emit wandToleranceChanged(tolerance);
}

void MaskCanvas::imageChanged()
{
    // A new picture (another image, or the full image after its preview): per-image state goes.
    if (m_stroke)
        cancelStroke();
    cancelPolygon();
    m_drag = Drag::None;
    syncEditing();
    if (image().cacheKey() != m_segImage.cacheKey())
        resetImageState();
    if (m_tool == Tool::Superpixel)
        startSuperpixels();
    updateInteraction();
    emit toolsStateChanged();
}

void MaskCanvas::syncEditing()
{
    const bool editing = m_drag != Drag::None && m_drag != Drag::Delegated;
    if (editing == m_editingSignalled)
        return;
    m_editingSignalled = editing;
    emit editingInProgress(editing);
}

void MaskCanvas::resetImageState()
{
    cancelBusy();
    endGrabCutSession();
    m_superpixels.reset();
    m_bgr = std::make_shared<cv::Mat>();
    m_segImage = QImage();
}

// --- Geometry ---

double MaskCanvas::canvasPerMask() const
{
    if (!m_document || m_document->isNull() || !hasImage())
        return 1.0;
    return double(image().width()) / m_document->size().width();
}

cv::Point2f MaskCanvas::toMask(QPointF widgetPos) const
{
    const QPointF p = widgetToImage(widgetPos) / canvasPerMask();
    return {float(p.x()), float(p.y())};
}

QRectF MaskCanvas::maskToCanvas(const QRectF &maskRect) const
{
    const double c = canvasPerMask();
    return {maskRect.x() * c, maskRect.y() * c, maskRect.width() * c, maskRect.height() * c};
}

QRect MaskCanvas::maskRectToWidget(const cv::Rect &maskRect) const
{
    if (maskRect.empty())
        return {};
    const QRectF r = maskToCanvas(QRectF(maskRect.x, maskRect.y, maskRect.width, maskRect.height));
    return imageToWidgetTransform().mapRect(r).toAlignedRect().adjusted(-1, -1, 1, 1);
}

QRect MaskCanvas::brushRingWidgetRect(QPointF widgetPos) const
{
    const double r = brushRadius() * canvasPerMask() * zoom() + 3.0;
    return QRectF(widgetPos.x() - r, widgetPos.y() - r, 2 * r, 2 * r).toAlignedRect();
}

bool MaskCanvas::usesBrushRing() const
{
    return (m_tool == Tool::Brush || m_tool == Tool::Eraser || m_tool == Tool::Superpixel
            || (m_tool == Tool::GrabCut && (hasGrabCutResult() || m_grabCutStart == GrabCutStart::Strokes)))
        && toolsEnabled();
}

// --- Overlays ---

QSize MaskCanvas::smallOverlaySize() const
{
    if (!m_document || m_document->isNull())
        return {};
    const QSize size = m_document->size();
    return {std::max(1, int(std::lround(size.width() * m_smallScale))),
            std::max(1, int(std::lround(size.height() * m_smallScale)))};
}

MaskCanvas::LayerOverlay *MaskCanvas::layerOverlay(const QString &layerId)
{
    for (LayerOverlay &entry : m_layerOverlays) {
        if (entry.id == layerId)
            return &entry;
    }
    return nullptr;
}

QRect MaskCanvas::renderLayerOverlay(LayerOverlay &entry, const cv::Rect &maskRect)
{
    // Reads the document only: whole layers render on several threads at once.
    const MaskDocument *document = m_document;
    const MaskLayer *layer = document ? document->layer(entry.id) : nullptr;
    if (!layer)
        return {};
    const cv::Mat mask = document->maskIfAllocated(entry.id);
    if (entry.overlay.image().isNull()) {
        if (mask.empty())
            return {}; // nothing to show: no overlay yet
        // Transparent, and the mask was empty outside maskRect until now.
        entry.overlay.reset(document->size(), m_smallScale);
    }
    MaskLayer full = *layer; // visibility and opacity are applied when drawing
    full.setVisible(true);
    full.setOpacity(1.0);
    entry.colour = layer->colour();
    entry.outline = layer->isOutlineOnly();
    return entry.overlay.update(mask, full, maskRect);
}

void MaskCanvas::rebuildOverlays()
{
    m_fullValid = false; // its memory is kept for the next image of the same size
    // Overlays of the same size are reused: fresh memory costs more than colouring it.
    std::vector<MaskOverlay> spare;
    for (LayerOverlay &entry : m_layerOverlays) {
        if (!entry.overlay.image().isNull())
            spare.push_back(std::move(entry.overlay));
    }
    m_layerOverlays.clear();
    if (!m_document || m_document->isNull()) {
        m_full = MaskOverlay();
        return;
    }
    const QSize size = m_document->size();
    if (m_full.maskSize() != size)
        m_full = MaskOverlay();
    const int longSide = std::max(size.width(), size.height());
    m_smallScale = longSide > OverlayLongSide ? double(OverlayLongSide) / longSide : 1.0;
    const QSize smallSize = smallOverlaySize();
    for (const QString &id : m_document->layerIds()) {
        m_layerOverlays.push_back({id, MaskOverlay(), QColor(), false});
        if (!spare.empty() && !m_document->maskIfAllocated(id).empty() && spare.back().maskSize() == size
            && spare.back().image().size() == smallSize) {
            m_layerOverlays.back().overlay = std::move(spare.back());
            spare.pop_back();
        }
    }
    std::vector<LayerOverlay *> all;
    for (LayerOverlay &entry : m_layerOverlays)
        all.push_back(&entry);
    renderWhole(all);
}

void MaskCanvas::renderWhole(const std::vector<LayerOverlay *> &entries)
{
    if (!m_document || entries.empty())
        return;
    auto render = [this](LayerOverlay *entry) {
        const cv::Mat mask = m_document->maskIfAllocated(entry->id);
        if (mask.empty()) { // nothing to show (yet): no overlay
            entry->overlay = MaskOverlay();
            if (const MaskLayer *layer = m_document->layer(entry->id)) {
                entry->colour = layer->colour();
                entry->outline = layer->isOutlineOnly();
            }
            return;
        }
        renderLayerOverlay(*entry, cv::Rect(0, 0, mask.cols, mask.rows)); // every pixel, reused or new
    };
    if (entries.size() == 1) {
        render(entries.front());
        return;
    }
    // Independent overlays of a document nobody changes meanwhile: one layer per thread.
    QtConcurrent::blockingMap(entries, render);
}

bool MaskCanvas::fullOverlayNeeded() const
{
    if (!m_document || m_document->isNull() || m_smallScale >= 1.0)
        return false;
    const double screenPerMask = zoom() * canvasPerMask() * devicePixelRatioF();
    return screenPerMask > m_smallScale * 1.05;
}

void MaskCanvas::ensureFullOverlay()
{
    if (m_fullValid || !m_document)
        return;
    if (m_full.maskSize() != m_document->size() || m_full.scale() != 1.0)
        m_full.reset(m_document->size(), 1.0);
    m_full.updateAll(*m_document); // every pixel
    m_fullValid = true;
}

QImage MaskCanvas::overlayImage() const
{
    if (fullOverlayNeeded() && m_fullValid)
        return m_full.image();
    QImage composed(smallOverlaySize(), QImage::Format_ARGB32_Premultiplied);
    if (composed.isNull())
        return composed;
    composed.fill(Qt::transparent);
    QPainter painter(&composed);
    for (const LayerOverlay &entry : m_layerOverlays) {
        const MaskLayer *layer = m_document->layer(entry.id);
        if (!layer || !layer->isVisible() || entry.overlay.image().isNull())
            continue;
        painter.setOpacity(layer->opacity());
        painter.drawImage(0, 0, entry.overlay.image());
    }
    return composed;
}

void MaskCanvas::syncLayerOverlays()
{
    // Follow the document's layers; recolour only those whose colour or outline changed.
    if (!m_document || m_document->isNull()) {
        m_layerOverlays.clear();
        return;
    }
    {
        std::vector<LayerOverlay> previous;
        previous.swap(m_layerOverlays);
        std::vector<QString> stale;
        for (const QString &id : m_document->layerIds()) {
            const auto it = std::find_if(previous.begin(), previous.end(),
                                         [&id](const LayerOverlay &entry) { return entry.id == id; });
            const MaskLayer *layer = m_document->layer(id);
            if (it != previous.end()) {
                m_layerOverlays.push_back(std::move(*it));
                LayerOverlay &entry = m_layerOverlays.back();
                if (entry.colour != layer->colour() || entry.outline != layer->isOutlineOnly()
                    || (entry.overlay.image().isNull() && !m_document->maskIfAllocated(id).empty()))
                    stale.push_back(id);
            } else {
                m_layerOverlays.push_back({id, MaskOverlay(), QColor(), false});
                stale.push_back(id);
            }
        }
        std::vector<LayerOverlay *> entries;
        for (const QString &id : stale)
            entries.push_back(layerOverlay(id));
        renderWhole(entries);
    }
}

void MaskCanvas::refreshOverlay()
{
    if (m_document && !m_document->isNull()) {
        syncLayerOverlays();
        m_fullValid = false; // remade when next needed
        if (fullOverlayNeeded())
            ensureFullOverlay();
    }
    update();
}

void MaskCanvas::recolour(const cv::Rect &maskRect, const QString &layerId)
{
    if (!m_document || maskRect.empty())
        return;
    QRectF canvasArea;
    const QString id = layerId.isEmpty() ? m_activeLayer : layerId;
    LayerOverlay *entry = layerOverlay(id);
    if (!entry && m_document->hasLayer(id)) { // a layer added since: take it in
        syncLayerOverlays();
        entry = layerOverlay(id);
    }
    if (entry) {
        const QRect small = renderLayerOverlay(*entry, maskRect);
        if (!small.isEmpty()) {
            const QSize overlaySize = smallOverlaySize();
            const double kx = double(overlaySize.width()) / image().width();
            const double ky = double(overlaySize.height()) / image().height();
            canvasArea = QRectF(small.x() / kx, small.y() / ky, small.width() / kx, small.height() / ky);
        }
    }
    if (m_fullValid) {
        const QRect full = m_full.update(*m_document, maskRect);
        if (!full.isEmpty())
            canvasArea |= maskToCanvas(QRectF(full));
    }
    if (!canvasArea.isEmpty())
        update(imageToWidgetTransform().mapRect(canvasArea).toAlignedRect().adjusted(-1, -1, 1, 1));
}

void MaskCanvas::paintOverlay(QPainter &painter, const QRect &visibleImageRect)
{
    if (m_document && !m_document->isNull() && hasImage()) {
        auto draw = [&](const QImage &overlay, double opacity) {
            // Overlay pixels per canvas pixel, per axis (the overlay's size is rounded).
            const double kx = double(overlay.width()) / image().width();
            const double ky = double(overlay.height()) / image().height();
            const QRect source = QRectF(visibleImageRect.x() * kx, visibleImageRect.y() * ky,
                                        visibleImageRect.width() * kx, visibleImageRect.height() * ky)
                                     .toAlignedRect()
                & overlay.rect();
            if (source.isEmpty())
                return;
            const QRectF target(source.x() / kx, source.y() / ky, source.width() / kx, source.height() / ky);
            painter.setOpacity(opacity);
            painter.drawImage(target, overlay, QRectF(source));
        };
        painter.save();
        if (fullOverlayNeeded()) {
            ensureFullOverlay();
            draw(m_full.image(), 1.0);
        } else {
            for (const LayerOverlay &entry : m_layerOverlays) {
                const MaskLayer *layer = m_document->layer(entry.id);
                if (layer && layer->isVisible() && layer->opacity() > 0 && !entry.overlay.image().isNull())
                    draw(entry.overlay.image(), layer->opacity());
            }
        }
        painter.restore();
    }

    // Tool feedback, in widget coordinates (thin lines at any zoom).
    painter.save();
    const QTransform toWidget = painter.transform();
    painter.resetTransform();
    painter.setRenderHint(QPainter::Antialiasing, true);
    const double c = canvasPerMask();
    auto widgetPoint = [&](cv::Point2f p) { return toWidget.map(QPointF(p.x * c, p.y * c)); };

    if (!m_polygon.empty()) {
        QPainterPath path;
        path.moveTo(widgetPoint(m_polygon.front()));
        for (size_t i = 1; i < m_polygon.size(); ++i)
            path.lineTo(widgetPoint(m_polygon[i]));
        if (!m_polygonFreehand && m_hovering)
            path.lineTo(m_hoverPos);
        if (m_polygon.size() > 2)
            path.lineTo(widgetPoint(m_polygon.front()));
        drawOutlined(painter, path);
        if (!m_polygonFreehand) {
            for (const cv::Point2f &v : m_polygon) {
                const QPointF w = widgetPoint(v);
                painter.fillRect(QRectF(w.x() - 2.5, w.y() - 2.5, 5, 5), Qt::white);
                painter.setPen(QPen(Qt::black, 1));
                painter.drawRect(QRectF(w.x() - 2.5, w.y() - 2.5, 5, 5));
            }
        }
    }
    if (m_drag == Drag::Rectangle || m_drag == Drag::GrabCutBox) {
        QPainterPath path;
        path.addRect(QRectF(widgetPoint({float(m_rectStart.x()), float(m_rectStart.y())}),
                            widgetPoint({float(m_rectEnd.x()), float(m_rectEnd.y())}))
                         .normalized());
        drawOutlined(painter, path);
    }
    if (m_tool == Tool::GrabCut && (!m_fgStrokes.empty() || !m_bgStrokes.empty())) {
        const double width = std::max(1.0, m_brushSize * c * zoom());
        auto drawStrokes = [&](const std::vector<std::vector<cv::Point2f>> &strokes, const QColor &colour) {
            QPen pen(colour, width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
            painter.setPen(pen);
            for (const auto &stroke : strokes) {
                QPainterPath path;
                for (size_t i = 0; i < stroke.size(); ++i) {
                    if (i == 0)
                        path.moveTo(widgetPoint(stroke[i]));
                    else
                        path.lineTo(widgetPoint(stroke[i]));
                }
                if (stroke.size() == 1)
                    path.lineTo(widgetPoint(stroke[0]) + QPointF(0.01, 0));
                painter.drawPath(path);
            }
        };
        drawStrokes(m_fgStrokes, ForegroundStroke);
        drawStrokes(m_bgStrokes, BackgroundStroke);
    }
    if (m_hovering && usesBrushRing()) {
        const double r = brushRadius() * c * zoom();
        QPainterPath ring;
        ring.addEllipse(m_hoverPos, r, r);
        drawOutlined(painter, ring);
    }
    painter.restore();
}

// --- Strokes and undo ---

MaskStroke *MaskCanvas::beginStroke(MaskTool tool, QPointF widgetPos)
{
    if (!toolsEnabled())
        return nullptr;
    m_stroke = std::make_unique<MaskStroke>(*m_document, m_activeLayer, tool);
    m_pressPos = widgetPos;
    m_last = toMask(widgetPos);
    return m_stroke.get();
}

void MaskCanvas::finishStroke()
{
    if (!m_stroke)
        return;
    const cv::Point2f start = toMask(m_pressPos);
    // Continues the previous stroke: same tool and layer, nothing else since, started where it ended.
    const float reach = std::max(brushRadius(), float(ContinueDistance / std::max(zoom() * canvasPerMask(), 1e-6)));
    const bool continues = m_stack && m_lastStroke.document == m_document && m_lastStroke.tool == m_tool
        && m_lastStroke.layer == m_activeLayer && m_lastStroke.stackIndex == m_stack->index()
        && m_lastStroke.time.isValid() && m_lastStroke.time.elapsed() <= ContinueMs
        && std::hypot(start.x - m_lastStroke.end.x, start.y - m_lastStroke.end.y) <= reach;
    std::unique_ptr<MaskStroke> stroke = std::move(m_stroke);
    push(std::move(stroke), continues);
}

void MaskCanvas::push(std::unique_ptr<MaskStroke> stroke, bool continues)
{
    QPointer<MaskCanvas> self(this);
    MaskDocument *document = m_document;
    auto command = stroke->finish(continues, [self, document](const QString &layerId, const cv::Rect &rect) {
        if (self)
            self->onApplied(document, layerId, rect);
    });
    stroke.reset();
    if (!command)
        return;
    if (m_stack) {
        m_stack->push(command.release());
        m_lastStroke.document = m_document;
        m_lastStroke.tool = m_tool;
        m_lastStroke.layer = m_activeLayer;
        m_lastStroke.end = m_last;
        m_lastStroke.stackIndex = m_stack->index();
        m_lastStroke.time.start();
    } else {
        command->redo(); // no history: still saved
    }
}

void MaskCanvas::cancelStroke()
{
    if (!m_stroke)
        return;
    const cv::Rect restored = m_stroke->cancel();
    m_stroke.reset();
    recolour(restored);
    m_drag = Drag::None;
    syncEditing();
}

void MaskCanvas::onApplied(MaskDocument *document, const QString &layerId, const cv::Rect &rect)
{
    if (document == m_document) {
        recolour(rect, layerId);
        if (m_document->hasLayer(layerId) && m_activeLayer.isEmpty())
            emit toolsStateChanged();
    }
    emit layerEdited(document, layerId);
}

bool MaskCanvas::runMorphology(MaskTool tool, const std::function<cv::Rect(MaskStroke &)> &edit)
{
    if (!toolsEnabled() || isBusy()) {
        emit message(isBusy() ? tr("Wait for the segmentation to finish.") : toolsDisabledReason());
        return false;
    }
    if (m_stroke)
        finishStroke();
    auto stroke = std::make_unique<MaskStroke>(*m_document, m_activeLayer, tool);
    const cv::Rect changed = edit(*stroke);
    recolour(changed);
    if (changed.empty()) {
        stroke->finish();
        return false;
    }
    m_pressPos = QPointF(-1e9, -1e9); // never continues a stroke
    push(std::move(stroke), false);
    m_lastStroke = {};
    return true;
}

bool MaskCanvas::fillHoles()
{
    return runMorphology(MaskTool::FillHoles, [](MaskStroke &s) { return s.fillHoles(); });
}

bool MaskCanvas::removeSpecks(int minPixels)
{
    return runMorphology(MaskTool::RemoveSpecks, [minPixels](MaskStroke &s) { return s.removeSpecks(minPixels); });
}

bool MaskCanvas::smoothEdge(int radius)
{
    return runMorphology(MaskTool::SmoothEdge, [radius](MaskStroke &s) { return s.smoothEdge(radius); });
}

// --- Polygon ---

void MaskCanvas::closePolygon()
{
    std::vector<cv::Point2f> vertices;
    vertices.swap(m_polygon);
    const bool freehand = m_polygonFreehand;
    m_polygonFreehand = false;
    update();
    if (vertices.size() < 3 || !toolsEnabled()) {
        if (!freehand && !vertices.empty())
            emit message(tr("A polygon needs at least three vertices."));
        return;
    }
    auto stroke = std::make_unique<MaskStroke>(*m_document, m_activeLayer, MaskTool::Polygon);
    recolour(stroke->polygon(vertices, m_mode));
    m_pressPos = QPointF(-1e9, -1e9);
    push(std::move(stroke), false);
}

void MaskCanvas::cancelPolygon()
{
    if (m_polygon.empty())
        return;
    m_polygon.clear();
    m_polygonFreehand = false;
    update();
}

// --- Superpixels ---

bool MaskCanvas::superpixelsReady() const
{
    return m_superpixels && !m_superpixels->isNull();
}

void MaskCanvas::startSuperpixels()
{
    if (!hasImage() || !toolsEnabled())
        return;
    if (m_segImage.cacheKey() != image().cacheKey()) {
        resetImageState();
        m_segImage = image();
    }
    if (superpixelsReady() || m_superpixelsRunning)
        return;
    const QImage source = m_segImage;
    m_superpixelCancel = std::make_shared<std::atomic<bool>>(false);
    const auto cancel = m_superpixelCancel;
    m_superpixelsRunning = true;
    setBusy(tr("Preparing superpixels…"));
    const auto failed = failureReporter();
    m_superpixelWatcher.setFuture(QtConcurrent::run([source, cancel, failed] {
        return guarded(
            [&] {
                const cv::Mat view = WorkingScale::view(source);
                const cv::Mat bgr = view.empty() ? WorkingScale::toBgr(source) : view;
                return SuperpixelIndex::compute(
                    bgr, SuperpixelIndex::Options(), [cancel] { return cancel->load(); });
            },
            [&](const QString &why) { return failed(why), SuperpixelIndex(); });
    }));
}

void MaskCanvas::paintSuperpixels(cv::Point2f from, cv::Point2f to)
{
    if (!m_stroke || !superpixelsReady())
        return;
    const SuperpixelIndex &index = *m_superpixels;
    const int radius = std::max(0, int(std::lround(brushRadius())));
    const double length = std::hypot(to.x - from.x, to.y - from.y);
    const int steps = std::max(1, int(std::ceil(length / std::max(1.0, radius / 2.0))));
    std::vector<int> labels;
    for (int i = 1; i <= steps; ++i) {
        const double t = double(i) / steps;
        const cv::Point centre(int(std::floor(from.x + (to.x - from.x) * t)), int(std::floor(from.y + (to.y - from.y) * t)));
        const std::vector<int> touched = index.labelsTouched(centre, radius);
        labels.insert(labels.end(), touched.begin(), touched.end());
    }
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    if (labels.empty())
        return;
    cv::Rect bounds;
    for (int label : labels)
        bounds = bounds.empty() ? index.bounds(label) : (bounds | index.bounds(label));
    const uchar value = m_mode == PaintMode::Paint ? 255 : 0;
    recolour(m_stroke->edit(bounds, [&](cv::Mat &mask) { return index.fill(mask, labels, value); }));
}

// --- Magic wand ---

void MaskCanvas::startWand(cv::Point seed, PaintMode mode)
{
    if (isBusy()) {
        emit message(tr("Wait for the segmentation to finish."));
        return;
    }
    if (seed.x < 0 || seed.y < 0 || seed.x >= image().width() || seed.y >= image().height())
        return;
    if (m_segImage.cacheKey() != image().cacheKey()) {
        resetImageState();
        m_segImage = image();
    }
    const QImage source = m_segImage;
    const auto bgrCache = m_bgr;
    const int tolerance = m_wandTolerance;
    m_wandMode = mode;
    m_wandRunning = true;
    m_jobDocument = m_document;
    setBusy(tr("Selecting…"));
    const auto failed = failureReporter();
    m_maskWatcher.setFuture(QtConcurrent::run([source, bgrCache, seed, tolerance, failed]() -> cv::Mat {
        return guarded(
            [&]() -> cv::Mat {
                if (bgrCache->empty())
                    *bgrCache = WorkingScale::toBgr(source);
                const MagicWand::Result result = MagicWand::select(*bgrCache, seed, tolerance);
                if (result.mask.empty() || result.bounds.empty())
                    return {};
                const cv::Mat whole = result.mask.clone();
                return whole(result.bounds); // a view whose offset tells the bounds
            },
            [&](const QString &why) { return failed(why), cv::Mat(); });
    }));
}

void MaskCanvas::applyWand(const cv::Mat &region)
{
    if (region.empty() || !toolsEnabled())
        return;
    cv::Size whole;
    cv::Point offset;
    region.locateROI(whole, offset);
    if (whole != m_document->cvSize())
        return;
    const cv::Rect bounds(offset, region.size());
    auto stroke = std::make_unique<MaskStroke>(*m_document, m_activeLayer, MaskTool::Fill);
    const bool paint = m_wandMode == PaintMode::Paint;
    recolour(stroke->edit(bounds, [&](cv::Mat &mask) {
        cv::Mat target = mask(bounds);
        if (paint)
            target.setTo(255, region);
        else
            target.setTo(0, region);
        return bounds;
    }));
    m_pressPos = QPointF(-1e9, -1e9);
    push(std::move(stroke), false);
    m_lastStroke = {};
}

// --- GrabCut ---

bool MaskCanvas::hasGrabCutResult() const
{
    return m_grabCut && m_grabCut->hasResult();
}

void MaskCanvas::endGrabCutSession()
{
    if (m_grabCutRunning) {
        m_maskWatcher.cancel();
        m_grabCutRunning = false;
        m_jobDocument = nullptr;
        clearBusy();
    }
    const bool had = m_grabCut != nullptr || !m_fgStrokes.empty() || !m_bgStrokes.empty();
    m_grabCut.reset();
    m_grabCutApplied.release();
    m_grabCutLayer.clear();
    m_grabCutIndex = -1;
    m_fgStrokes.clear();
    m_bgStrokes.clear();
    if (had)
        update();
}

void MaskCanvas::startGrabCut(const cv::Rect &box)
{
    if (isBusy()) {
        emit message(tr("Wait for the segmentation to finish."));
        return;
    }
    endGrabCutSession();
    const cv::Rect clipped = box & cv::Rect(0, 0, image().width(), image().height());
    if (clipped.width < 4 || clipped.height < 4)
        return;
    if (clipped.width >= image().width() && clipped.height >= image().height()) {
        emit message(tr("Leave some background outside the box."));
        return;
    }
    newGrabCutSession();
    m_grabCutRunning = true;
    m_jobDocument = m_document;
    setBusy(tr("Segmenting…"));
    m_maskWatcher.setFuture(m_grabCut->startFromRectAsync(clipped));
}

void MaskCanvas::newGrabCutSession()
{
    // The pending strokes (the seeds of a session from strokes) survive the reset.
    auto foreground = std::move(m_fgStrokes);
    auto background = std::move(m_bgStrokes);
    endGrabCutSession();
    if (m_segImage.cacheKey() != image().cacheKey()) {
        resetImageState();
        m_segImage = image();
    }
    m_fgStrokes = std::move(foreground);
    m_bgStrokes = std::move(background);
    m_grabCut = std::make_unique<GrabCutSegmenter>(m_segImage);
    m_grabCutLayer = m_activeLayer;
}

void MaskCanvas::rasteriseStrokes(cv::Mat &foreground, cv::Mat &background) const
{
    const cv::Size size(image().width(), image().height());
    const float radius = std::max(MaskTools::MinBrushRadius, brushRadius());
    foreground.release();
    background.release();
    if (!m_fgStrokes.empty()) {
        foreground = cv::Mat::zeros(size, CV_8UC1);
        rasterise(foreground, m_fgStrokes, radius);
    }
    if (!m_bgStrokes.empty()) {
        background = cv::Mat::zeros(size, CV_8UC1);
        rasterise(background, m_bgStrokes, radius);
    }
}

void MaskCanvas::setGrabCutStart(GrabCutStart start)
{
    if (start == m_grabCutStart)
        return;
    m_grabCutStart = start;
    // Strokes waiting to start a session belong to the strokes start: they go with it.
    if (!hasGrabCutResult() && !m_grabCutRunning && hasPendingGrabCutStrokes()) {
        m_fgStrokes.clear();
        m_bgStrokes.clear();
    }
    updateInteraction();
    update();
    emit grabCutStartChanged(m_grabCutStart);
}

bool MaskCanvas::runGrabCutStrokes()
{
    if (m_tool != Tool::GrabCut || !toolsEnabled() || !hasPendingGrabCutStrokes())
        return false;
    if (isBusy()) {
        emit message(tr("Wait for the segmentation to finish."));
        return false;
    }
    if (hasGrabCutResult() && m_grabCutLayer == m_activeLayer) {
        refineGrabCut();
        return true;
    }
    if (m_fgStrokes.empty()) {
        emit message(tr("Now drag over the lesion: the segmentation starts from a foreground stroke."));
        return false;
    }
    startGrabCutFromStrokes();
    return true;
}

void MaskCanvas::startGrabCutFromStrokes()
{
    newGrabCutSession();
    cv::Mat foreground, background;
    rasteriseStrokes(foreground, background);
    m_grabCutRunning = true;
    m_jobDocument = m_document;
    setBusy(tr("Segmenting…"));
    m_maskWatcher.setFuture(m_grabCut->startFromStrokesAsync(foreground, background));
}

void MaskCanvas::refineGrabCut()
{
    if (!hasGrabCutResult() || (m_fgStrokes.empty() && m_bgStrokes.empty()))
        return;
    if (isBusy()) {
        emit message(tr("Wait for the segmentation to finish."));
        return;
    }
    cv::Mat foreground, background;
    rasteriseStrokes(foreground, background);
    m_grabCutRunning = true;
    m_jobDocument = m_document;
    setBusy(tr("Refining…"));
    m_maskWatcher.setFuture(m_grabCut->refineAsync(foreground, background));
}

void MaskCanvas::applyGrabCut(const cv::Mat &result)
{
    m_fgStrokes.clear();
    m_bgStrokes.clear();
    update();
    if (result.empty() || !m_document || result.size() != m_document->cvSize() || !toolsEnabled()
        || m_grabCutLayer != m_activeLayer) {
        if (result.empty())
            emit message(tr("The segmentation found nothing."));
        return;
    }
    // Refinements replace the session's previous result, as one undo step with it.
    const bool continues = m_stack && m_grabCutIndex >= 0 && m_grabCutIndex == m_stack->index()
        && !m_grabCutApplied.empty();
    const cv::Mat previous = continues ? m_grabCutApplied : cv::Mat();
    cv::Rect bounds = boundsOf(result);
    if (!previous.empty()) {
        const cv::Rect before = boundsOf(previous);
        bounds = bounds.empty() ? before : (before.empty() ? bounds : (bounds | before));
    }
    if (bounds.empty())
        return;
    auto stroke = std::make_unique<MaskStroke>(*m_document, m_activeLayer, MaskTool::Assisted);
    recolour(stroke->edit(bounds, [&](cv::Mat &mask) {
        cv::Mat target = mask(bounds);
        if (!previous.empty())
            target.setTo(0, previous(bounds));
        target.setTo(255, result(bounds));
        return bounds;
    }));
    m_pressPos = QPointF(-1e9, -1e9);
    const Tool tool = m_tool;
    m_tool = Tool::GrabCut; // for push()'s bookkeeping
    push(std::move(stroke), continues);
    m_tool = tool;
    m_lastStroke = {};
    m_grabCutApplied = result;
    m_grabCutIndex = m_stack ? m_stack->index() : -1;
    emit message(tr("Refine with strokes: drag over what belongs, right drag (or Alt+drag) over what does "
                    "not; Esc ends."));
}

// --- Busy state ---

bool MaskCanvas::isBusy() const
{
    return m_wandRunning || m_grabCutRunning || m_superpixelsRunning;
}

void MaskCanvas::setBusy(const QString &what)
{
    m_busyWhat = what;
    updateInteraction();
    emit busyChanged(true, what);
}

std::function<void(const QString &)> MaskCanvas::failureReporter()
{
    const QPointer<MaskCanvas> self(this);
    return [self](const QString &why) {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, why] {
                if (self)
                    emit self->message(why);
            },
            Qt::QueuedConnection);
    };
}

void MaskCanvas::clearBusy()
{
    if (isBusy()) {
        emit busyChanged(true, m_wandRunning ? tr("Selecting…")
                                             : m_grabCutRunning ? tr("Segmenting…") : tr("Preparing superpixels…"));
        return;
    }
    m_busyWhat.clear();
    updateInteraction();
    emit busyChanged(false, QString());
}

void MaskCanvas::cancelBusy()
{
    if (!isBusy())
        return;
    m_superpixelCancel->store(true);
    m_superpixelsRunning = false;
    m_maskWatcher.cancel();
    m_wandRunning = false;
    m_grabCutRunning = false;
    m_jobDocument = nullptr;
    clearBusy();
    emit message(tr("Cancelled."));
}

// --- Input ---

void MaskCanvas::updateInteraction()
{
    const bool tools = m_tool != Tool::Pan && toolsEnabled();
    setLeftButtonPans(!tools);
    if (m_drag == Drag::Delegated || m_spaceDown)
        return; // the base class shows its hand cursors
    if (isBusy() && tools)
        setCursor(Qt::BusyCursor);
    else if (tools)
        setCursor(Qt::CrossCursor);
    else
        unsetCursor();
}

void MaskCanvas::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ShiftModifier) {
        // Some platforms turn Shift+wheel into a horizontal scroll.
        const int delta = event->angleDelta().y() != 0 ? event->angleDelta().y() : event->angleDelta().x();
        if (delta > 0)
            growBrush();
        else if (delta < 0)
            shrinkBrush();
        event->accept();
        return;
    }
    ImageCanvas::wheelEvent(event);
    if (m_hovering && usesBrushRing())
        update();
}

void MaskCanvas::mousePressEvent(QMouseEvent *event)
{
    const bool tools = m_tool != Tool::Pan && toolsEnabled();
    const bool toolButton = event->button() == Qt::LeftButton
        || (event->button() == Qt::RightButton && m_tool == Tool::GrabCut);
    if (!tools || m_spaceDown || !toolButton || m_drag != Drag::None) {
        if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && (m_spaceDown || !tools)))
            m_drag = Drag::Delegated;
        ImageCanvas::mousePressEvent(event);
        if (!tools && event->button() == Qt::LeftButton && m_tool != Tool::Pan && hasImage())
            emit message(toolsDisabledReason());
        return;
    }
    setFocus(Qt::MouseFocusReason);
    event->accept();
    const QPointF pos = event->position();
    const cv::Point2f p = toMask(pos);
    m_pressPos = pos;
    m_mode = (event->modifiers() & Qt::ShiftModifier) || m_tool == Tool::Eraser ? PaintMode::Erase : PaintMode::Paint;
    switch (m_tool) {
    case Tool::Pan:
        break;
    case Tool::Brush:
    case Tool::Eraser:
        if (beginStroke(m_tool == Tool::Eraser ? MaskTool::Eraser : MaskTool::Brush, pos)) {
            m_drag = Drag::Stroke;
            recolour(m_stroke->brush(p, p, brushRadius(), m_mode));
        }
        break;
    case Tool::Superpixel:
        if (!superpixelsReady()) {
            startSuperpixels();
            emit message(tr("The superpixels are still being prepared."));
            break;
        }
        if (beginStroke(MaskTool::Superpixel, pos)) {
            m_drag = Drag::Stroke;
            paintSuperpixels(p, p);
        }
        break;
    case Tool::Polygon:
        if (m_polygon.empty())
            m_polygonMode = m_mode;
        m_mode = m_polygonMode;
        m_polygon.push_back(p);
        m_polygonFreehand = false;
        m_drag = Drag::Polygon;
        update();
        break;
    case Tool::Rectangle:
        m_rectStart = m_rectEnd = QPointF(p.x, p.y);
        m_drag = Drag::Rectangle;
        break;
    case Tool::Fill: {
        auto stroke = std::make_unique<MaskStroke>(*m_document, m_activeLayer, MaskTool::Fill);
        recolour(stroke->fillRegion(cv::Point(int(std::floor(p.x)), int(std::floor(p.y))), m_mode));
        m_last = p;
        push(std::move(stroke), false);
        m_lastStroke = {};
        break;
    }
    case Tool::Wand:
        startWand(cv::Point(int(std::floor(p.x)), int(std::floor(p.y))), m_mode);
        break;
    case Tool::GrabCut: {
        const bool background = event->button() == Qt::RightButton || (event->modifiers() & Qt::AltModifier);
        if ((hasGrabCutResult() && m_grabCutLayer == m_activeLayer) || m_grabCutStart == GrabCutStart::Strokes) {
            if (isBusy()) {
                emit message(tr("Wait for the segmentation to finish."));
                break;
            }
            m_grabCutBackground = background;
            (background ? m_bgStrokes : m_fgStrokes).push_back({p});
            m_drag = Drag::GrabCutStroke;
            update();
        } else if (!background) {
            m_rectStart = m_rectEnd = QPointF(p.x, p.y);
            m_drag = Drag::GrabCutBox;
        }
        break;
    }
    }
    syncEditing();
}

void MaskCanvas::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF pos = event->position();
    const QPointF oldHover = m_hoverPos;
    const bool wasHovering = m_hovering;
    m_hoverPos = pos;
    m_hovering = true;
    if (m_drag == Drag::Delegated || m_drag == Drag::None) {
        ImageCanvas::mouseMoveEvent(event);
        if (usesBrushRing()) {
            if (wasHovering)
                update(brushRingWidgetRect(oldHover));
            update(brushRingWidgetRect(pos));
        } else if (!m_polygon.empty() && !m_polygonFreehand) {
            update(); // the rubber band
        }
        return;
    }
    event->accept();
    const cv::Point2f p = toMask(pos);
    switch (m_drag) {
    case Drag::Stroke:
        if (m_stroke) {
            if (m_tool == Tool::Superpixel)
                paintSuperpixels(m_last, p);
            else
                recolour(m_stroke->brush(m_last, p, brushRadius(), m_mode));
            m_last = p;
        }
        if (wasHovering)
            update(brushRingWidgetRect(oldHover));
        update(brushRingWidgetRect(pos));
        break;
    case Drag::Polygon:
        if (!m_polygonFreehand && QLineF(pos, m_pressPos).length() >= FreehandThreshold)
            m_polygonFreehand = true;
        if (m_polygonFreehand) {
            const cv::Point2f last = m_polygon.back();
            const double step = FreehandStep / std::max(zoom() * canvasPerMask(), 1e-6);
            if (std::hypot(p.x - last.x, p.y - last.y) >= step)
                m_polygon.push_back(p);
        }
        update();
        break;
    case Drag::Rectangle:
    case Drag::GrabCutBox:
        m_rectEnd = QPointF(p.x, p.y);
        update();
        break;
    case Drag::GrabCutStroke: {
        auto &strokes = m_grabCutBackground ? m_bgStrokes : m_fgStrokes;
        if (!strokes.empty())
            strokes.back().push_back(p);
        update();
        break;
    }
    case Drag::None:
    case Drag::Delegated:
        break;
    }
}

void MaskCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_drag == Drag::Delegated || m_drag == Drag::None) {
        ImageCanvas::mouseReleaseEvent(event);
        if (!(event->buttons() & (Qt::LeftButton | Qt::MiddleButton)))
            m_drag = Drag::None;
        updateInteraction();
        return;
    }
    event->accept();
    const Drag drag = m_drag;
    m_drag = Drag::None;
    switch (drag) {
    case Drag::Stroke:
        finishStroke();
        break;
    case Drag::Polygon:
        if (m_polygonFreehand)
            closePolygon();
        break;
    case Drag::Rectangle: {
        if (!toolsEnabled())
            break;
        const cv::Rect rect = MaskTools::pixelRect(cv::Point2f(float(m_rectStart.x()), float(m_rectStart.y())),
                                                   cv::Point2f(float(m_rectEnd.x()), float(m_rectEnd.y())));
        update();
        auto stroke = std::make_unique<MaskStroke>(*m_document, m_activeLayer, MaskTool::Rectangle);
        recolour(stroke->rectangle(rect, m_mode));
        m_pressPos = QPointF(-1e9, -1e9);
        push(std::move(stroke), false);
        m_lastStroke = {};
        break;
    }
    case Drag::GrabCutBox: {
        update();
        const cv::Rect box = MaskTools::pixelRect(cv::Point2f(float(m_rectStart.x()), float(m_rectStart.y())),
                                                  cv::Point2f(float(m_rectEnd.x()), float(m_rectEnd.y())));
        startGrabCut(box);
        break;
    }
    case Drag::GrabCutStroke:
        runGrabCutStrokes();
        break;
    case Drag::None:
    case Drag::Delegated:
        break;
    }
    syncEditing();
}

void MaskCanvas::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (m_tool == Tool::Polygon && toolsEnabled() && event->button() == Qt::LeftButton && !m_polygon.empty()) {
        // The first click of the double click added the last vertex already.
        event->accept();
        m_drag = Drag::None;
        syncEditing();
        closePolygon();
        return;
    }
    ImageCanvas::mouseDoubleClickEvent(event);
}

void MaskCanvas::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (!m_polygon.empty()) {
            closePolygon();
            event->accept();
            return;
        }
        if (m_tool == Tool::GrabCut && hasPendingGrabCutStrokes()) {
            runGrabCutStrokes();
            event->accept();
            return;
        }
        break;
    case Qt::Key_Escape:
        if (!m_polygon.empty()) {
            cancelPolygon();
            event->accept();
            return;
        }
        if (m_stroke) {
            cancelStroke();
            event->accept();
            return;
        }
        if (isBusy()) {
            cancelBusy();
            event->accept();
            return;
        }
        if (m_grabCut || !m_fgStrokes.empty() || !m_bgStrokes.empty()) {
            endGrabCutSession();
            emit message(m_grabCutStart == GrabCutStart::Box
                    ? tr("GrabCut session ended: the next box starts a new one.")
                    : tr("GrabCut session ended: the next strokes start a new one."));
            event->accept();
            return;
        }
        break;
    case Qt::Key_Backspace:
        if (!m_polygon.empty()) {
            m_polygon.pop_back();
            update();
            event->accept();
            return;
        }
        break;
    case Qt::Key_Space:
        if (!event->isAutoRepeat())
            m_spaceDown = true;
        break;
    default:
        break;
    }
    ImageCanvas::keyPressEvent(event);
}

void MaskCanvas::keyReleaseEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat())
        m_spaceDown = false;
    ImageCanvas::keyReleaseEvent(event);
    updateInteraction();
}

void MaskCanvas::leaveEvent(QEvent *event)
{
    if (m_hovering && usesBrushRing())
        update(brushRingWidgetRect(m_hoverPos));
    m_hovering = false;
    if (!m_polygon.empty())
        update();
    ImageCanvas::leaveEvent(event);
}

void MaskCanvas::focusOutEvent(QFocusEvent *event)
{
    m_spaceDown = false;
    if (m_drag == Drag::Delegated)
        m_drag = Drag::None;
    ImageCanvas::focusOutEvent(event);
    updateInteraction();
}

} // namespace dl
