// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskCanvas.h"

#include "masks/MaskDocument.h"
#include "masks/MaskEditCommand.h"
#include "masks/MaskLayer.h"
#include "masks/MaskStroke.h"
#include "masks/tools/AbstractMaskTool.h"
#include "masks/tools/BrushTool.h"
#include "masks/tools/FillTool.h"
#include "masks/tools/GrabCutTool.h"
#include "masks/tools/MagicWandTool.h"
#include "masks/tools/MaskToolContext.h"
#include "masks/tools/PanTool.h"
#include "masks/tools/PolygonTool.h"
#include "masks/tools/RectangleTool.h"
#include "masks/tools/SuperpixelTool.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPointer>
#include <QUndoStack>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

// A stroke continues the previous one when it starts this close (widget pixels, or within the
// brush) to where that ended, this soon after it.
constexpr double ContinueDistance = 4.0;
constexpr qint64 ContinueMs = 1500;

} // namespace

/// What the tools see of the canvas.
class MaskCanvas::ToolContext final : public MaskToolContext
{
public:
    explicit ToolContext(MaskCanvas &canvas)
        : m_canvas(canvas)
    {
    }

    MaskDocument *document() const override { return m_canvas.m_document; }
    QUndoStack *undoStack() const override { return m_canvas.m_stack; }
    QString activeLayer() const override { return m_canvas.m_activeLayer; }
    bool toolsEnabled() const override { return m_canvas.toolsEnabled(); }
    QString toolsDisabledReason() const override { return m_canvas.toolsDisabledReason(); }
    int brushSize() const override { return m_canvas.m_brushSize; }
    int wandTolerance() const override { return m_canvas.m_wandTolerance; }
    const QImage &image() const override { return m_canvas.image(); }
    QImage segmentationImage() override { return m_canvas.segmentationImage(); }
    cv::Point2f toMask(QPointF widgetPos) const override { return m_canvas.toMask(widgetPos); }
    double widgetPerMask() const override { return m_canvas.zoom() * m_canvas.canvasPerMask(); }
    std::optional<QPointF> mousePosition() const override
    {
        return m_canvas.m_hovering ? std::optional<QPointF>(m_canvas.m_hoverPos) : std::nullopt;
    }
    void maskChanged(const cv::Rect &maskRect) override { m_canvas.recolour(maskRect); }
    void repaint() override { m_canvas.update(); }
    void pushEdit(std::unique_ptr<MaskStroke> stroke, bool continues) override
    {
        m_canvas.pushEdit(std::move(stroke), continues);
    }
    void pushStroke(std::unique_ptr<MaskStroke> stroke, cv::Point2f start, cv::Point2f end) override
    {
        m_canvas.pushStroke(std::move(stroke), start, end);
    }
    void message(const QString &text) override { emit m_canvas.message(text); }
    bool isBusy() const override { return m_canvas.isBusy(); }
    void busyStarted(const QString &what) override { m_canvas.setBusy(what); }
    void busyEnded() override { m_canvas.clearBusy(); }

private:
    MaskCanvas &m_canvas;
};

MaskCanvas::MaskCanvas(QWidget *parent)
    : ImageCanvas(parent)
    , m_context(std::make_unique<ToolContext>(*this))
{
    setObjectName(u"maskCanvas"_s);
    setMouseTracking(true);
    ToolContext &context = *m_context;
    m_tools[size_t(Tool::Pan)] = std::make_unique<PanTool>(context);
    m_tools[size_t(Tool::Brush)] = std::make_unique<BrushTool>(context, MaskTool::Brush);
    m_tools[size_t(Tool::Eraser)] = std::make_unique<BrushTool>(context, MaskTool::Eraser);
    m_tools[size_t(Tool::Polygon)] = std::make_unique<PolygonTool>(context);
    m_tools[size_t(Tool::Rectangle)] = std::make_unique<RectangleTool>(context);
    m_tools[size_t(Tool::Fill)] = std::make_unique<FillTool>(context);
    m_tools[size_t(Tool::Wand)] = std::make_unique<MagicWandTool>(context);
    m_tools[size_t(Tool::GrabCut)] = std::make_unique<GrabCutTool>(context);
    m_tools[size_t(Tool::Superpixel)] = std::make_unique<SuperpixelTool>(context);
    m_polygon = static_cast<PolygonTool *>(m_tools[size_t(Tool::Polygon)].get());
    m_grabCut = static_cast<GrabCutTool *>(m_tools[size_t(Tool::GrabCut)].get());
    m_superpixel = static_cast<SuperpixelTool *>(m_tools[size_t(Tool::Superpixel)].get());
    updateInteraction();
}

// The tools go first: running jobs hold copies of what they use, their results are dropped.
MaskCanvas::~MaskCanvas() = default;

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
    activeTool()->cancel();
    syncEditing();
    cancelBusy();
    endGrabCutSession();
    m_document = document;
    m_stack = stack;
    m_lastStroke = {};
    if (m_document && !m_activeLayer.isEmpty() && !m_document->hasLayer(m_activeLayer))
        m_activeLayer.clear();
    m_overlays.setDocument(m_document);
    updateInteraction();
    update();
    emit toolsStateChanged();
}

void MaskCanvas::setToolsEnabled(bool enabled, const QString &reason)
{
    m_toolsAllowed = enabled;
    m_disabledReason = enabled ? QString() : reason;
    if (!enabled) {
        activeTool()->cancel();
        m_panning = false;
        syncEditing();
    } else {
        activeTool()->activate();
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
    activeTool()->deactivate();
    m_panning = false;
    syncEditing();
    m_tool = tool;
    activeTool()->activate();
    updateInteraction();
    update();
    emit toolChanged(m_tool);
}

void MaskCanvas::setActiveLayer(const QString &layerId)
{
    if (layerId == m_activeLayer)
        return;
    activeTool()->leaveLayer();
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
    activeTool()->cancel();
    m_panning = false;
    syncEditing();
    if (image().cacheKey() != m_segImage.cacheKey())
        resetImageState();
    activeTool()->activate();
    updateInteraction();
    emit toolsStateChanged();
}

void MaskCanvas::syncEditing()
{
    const bool editing = !m_panning && activeTool()->isDragging();
    if (editing == m_editingSignalled)
        return;
    m_editingSignalled = editing;
    emit editingInProgress(editing);
}

const QImage &MaskCanvas::segmentationImage()
{
    if (m_segImage.cacheKey() != image().cacheKey()) {
        resetImageState();
        m_segImage = image();
    }
    return m_segImage;
}

void MaskCanvas::resetImageState()
{
    cancelBusy();
    for (const auto &tool : m_tools)
        tool->imageReset();
    m_segImage = QImage();
}

// --- Tool state ---

MaskCanvas::GrabCutStart MaskCanvas::grabCutStart() const
{
    return m_grabCut->startsFromStrokes() ? GrabCutStart::Strokes : GrabCutStart::Box;
}

void MaskCanvas::setGrabCutStart(GrabCutStart start)
{
    if (!m_grabCut->setStartsFromStrokes(start == GrabCutStart::Strokes))
        return;
    updateInteraction();
    update();
    emit grabCutStartChanged(start);
}

bool MaskCanvas::hasGrabCutResult() const
{
    return m_grabCut->hasResult();
}

void MaskCanvas::endGrabCutSession()
{
    m_grabCut->endSession();
}

bool MaskCanvas::hasPendingGrabCutStrokes() const
{
    return m_grabCut->hasPendingStrokes();
}

bool MaskCanvas::runGrabCutStrokes()
{
    return m_tool == Tool::GrabCut && m_grabCut->runStrokes();
}

int MaskCanvas::polygonVertexCount() const
{
    return m_polygon->vertexCount();
}

bool MaskCanvas::superpixelsReady() const
{
    return m_superpixel->isReady();
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

QRect MaskCanvas::brushRingWidgetRect(QPointF widgetPos) const
{
    const double r = brushRadius() * canvasPerMask() * zoom() + 3.0;
    return QRectF(widgetPos.x() - r, widgetPos.y() - r, 2 * r, 2 * r).toAlignedRect();
}

bool MaskCanvas::usesBrushRing() const
{
    return activeTool()->showsBrushRing() && toolsEnabled();
}

// --- Overlays ---

bool MaskCanvas::fullOverlayNeeded() const
{
    return m_overlays.fullNeeded(zoom() * canvasPerMask() * devicePixelRatioF());
}

QImage MaskCanvas::overlayImage() const
{
    return m_overlays.composed(fullOverlayNeeded());
}

void MaskCanvas::refreshOverlay()
{
    if (m_document && !m_document->isNull()) {
        m_overlays.refresh();
        if (fullOverlayNeeded())
            m_overlays.ensureFull();
    }
    update();
}

void MaskCanvas::recolour(const cv::Rect &maskRect, const QString &layerId)
{
    const QRectF canvasArea = m_overlays.recolour(layerId.isEmpty() ? m_activeLayer : layerId, maskRect,
                                                  image().size(), canvasPerMask());
    if (!canvasArea.isEmpty())
        update(imageToWidgetTransform().mapRect(canvasArea).toAlignedRect().adjusted(-1, -1, 1, 1));
}

void MaskCanvas::paintOverlay(QPainter &painter, const QRect &visibleImageRect)
{
    if (m_document && !m_document->isNull() && hasImage()) {
        painter.save();
        m_overlays.paint(painter, visibleImageRect, image().size(), fullOverlayNeeded());
        painter.restore();
    }

    // Tool feedback, in widget coordinates (thin lines at any zoom).
    painter.save();
    const QTransform toWidget = painter.transform();
    painter.resetTransform();
    painter.setRenderHint(QPainter::Antialiasing, true);
    const double c = canvasPerMask();
    activeTool()->paintOverlay(painter, QTransform::fromScale(c, c) * toWidget);
    if (m_hovering && usesBrushRing()) {
        const double r = brushRadius() * c * zoom();
        QPainterPath ring;
        ring.addEllipse(m_hoverPos, r, r);
        AbstractMaskTool::drawOutlined(painter, ring);
    }
    painter.restore();
}

// --- Edits and undo ---

void MaskCanvas::pushStroke(std::unique_ptr<MaskStroke> stroke, cv::Point2f start, cv::Point2f end)
{
    // Continues the previous stroke: same tool and layer, nothing else since, started where it ended.
    const float reach = std::max(brushRadius(), float(ContinueDistance / std::max(zoom() * canvasPerMask(), 1e-6)));
    const MaskTool tool = stroke->tool();
    const bool continues = m_stack && m_lastStroke.document == m_document && m_lastStroke.tool == tool
        && m_lastStroke.layer == m_activeLayer && m_lastStroke.stackIndex == m_stack->index()
        && m_lastStroke.time.isValid() && m_lastStroke.time.elapsed() <= ContinueMs
        && std::hypot(start.x - m_lastStroke.end.x, start.y - m_lastStroke.end.y) <= reach;
    if (!push(std::move(stroke), continues) || !m_stack)
        return;
    m_lastStroke.document = m_document;
    m_lastStroke.tool = tool;
    m_lastStroke.layer = m_activeLayer;
    m_lastStroke.end = end;
    m_lastStroke.stackIndex = m_stack->index();
    m_lastStroke.time.start();
}

void MaskCanvas::pushEdit(std::unique_ptr<MaskStroke> stroke, bool continues)
{
    push(std::move(stroke), continues);
    m_lastStroke = {};
}

bool MaskCanvas::push(std::unique_ptr<MaskStroke> stroke, bool continues)
{
    QPointer<MaskCanvas> self(this);
    MaskDocument *document = m_document;
    auto command = stroke->finish(continues, [self, document](const QString &layerId, const cv::Rect &rect) {
        if (self)
            self->onApplied(document, layerId, rect);
    });
    stroke.reset();
    if (!command)
        return false;
    if (m_stack)
        m_stack->push(command.release());
    else
        command->redo(); // no history: still saved
    return true;
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
    activeTool()->flush();
    return !m_context->applyEdit(tool, edit).empty();
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

// --- Busy state ---

bool MaskCanvas::isBusy() const
{
    return std::any_of(m_tools.begin(), m_tools.end(), [](const auto &tool) { return tool->isBusy(); });
}

void MaskCanvas::setBusy(const QString &what)
{
    updateInteraction();
    emit busyChanged(true, what);
}

void MaskCanvas::clearBusy()
{
    for (const auto &tool : m_tools) {
        if (tool->isBusy()) { // still running: say what
            emit busyChanged(true, tool->busyText());
            return;
        }
    }
    updateInteraction();
    emit busyChanged(false, QString());
}

void MaskCanvas::cancelBusy()
{
    if (!isBusy())
        return;
    for (const auto &tool : m_tools)
        tool->cancelBusy();
    clearBusy();
    emit message(tr("Cancelled."));
}

// --- Input ---

void MaskCanvas::updateInteraction()
{
    const bool tools = activeTool()->edits() && toolsEnabled();
    setLeftButtonPans(!tools);
    if (m_panning || m_spaceDown)
        return; // the base class shows its hand cursors
    if (isBusy() && tools)
        setCursor(Qt::BusyCursor);
    else if (tools)
        setCursor(activeTool()->cursor());
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
    AbstractMaskTool *tool = activeTool();
    const bool tools = tool->edits() && toolsEnabled();
    if (!tools || m_spaceDown || !tool->takesButton(event->button()) || m_panning || tool->isDragging()) {
        const bool pans = event->button() == Qt::MiddleButton
            || (event->button() == Qt::LeftButton && (m_spaceDown || !tools));
        if (pans) {
            tool->interruptDrag();
            m_panning = true;
        }
        ImageCanvas::mousePressEvent(event);
        if (!tools && event->button() == Qt::LeftButton && tool->edits() && hasImage())
            emit message(toolsDisabledReason());
        return;
    }
    setFocus(Qt::MouseFocusReason);
    event->accept();
    tool->mousePressed(event);
    syncEditing();
}

void MaskCanvas::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF pos = event->position();
    const QPointF oldHover = m_hoverPos;
    const bool wasHovering = m_hovering;
    m_hoverPos = pos;
    m_hovering = true;
    AbstractMaskTool *tool = activeTool();
    if (m_panning || !tool->isDragging()) {
        ImageCanvas::mouseMoveEvent(event);
        if (usesBrushRing()) {
            if (wasHovering)
                update(brushRingWidgetRect(oldHover));
            update(brushRingWidgetRect(pos));
        } else {
            tool->hoverMoved(pos);
        }
        return;
    }
    event->accept();
    tool->mouseMoved(event);
    if (tool->showsBrushRing()) {
        if (wasHovering)
            update(brushRingWidgetRect(oldHover));
        update(brushRingWidgetRect(pos));
    }
}

void MaskCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    AbstractMaskTool *tool = activeTool();
    if (m_panning || !tool->isDragging()) {
        ImageCanvas::mouseReleaseEvent(event);
        if (!(event->buttons() & (Qt::LeftButton | Qt::MiddleButton)))
            m_panning = false;
        updateInteraction();
        return;
    }
    event->accept();
    tool->mouseReleased(event);
    syncEditing();
}

void MaskCanvas::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (toolsEnabled() && activeTool()->mouseDoubleClicked(event)) {
        syncEditing();
        return;
    }
    ImageCanvas::mouseDoubleClickEvent(event);
}

void MaskCanvas::keyPressEvent(QKeyEvent *event)
{
    if (activeTool()->keyPressed(event)) {
        event->accept();
        syncEditing();
        return;
    }
    switch (event->key()) {
    case Qt::Key_Escape:
        if (isBusy()) {
            cancelBusy();
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
    activeTool()->mouseLeft();
    ImageCanvas::leaveEvent(event);
}

void MaskCanvas::focusOutEvent(QFocusEvent *event)
{
    m_spaceDown = false;
    m_panning = false;
    ImageCanvas::focusOutEvent(event);
    updateInteraction();
}

} // namespace dl
