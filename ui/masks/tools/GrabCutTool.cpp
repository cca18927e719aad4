// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/GrabCutTool.h"

#include "masks/MaskDocument.h"
#include "masks/MaskStroke.h"
#include "masks/tools/MaskToolContext.h"
#include "segmentation/GrabCutSegmenter.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QUndoStack>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace dl {

namespace {

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

GrabCutTool::GrabCutTool(MaskToolContext &context)
    : AbstractMaskTool(context)
    , m_job(context, [this](const cv::Mat &result) { apply(result); })
{
}

GrabCutTool::~GrabCutTool() = default;

bool GrabCutTool::hasResult() const
{
    return m_segmenter && m_segmenter->hasResult();
}

QString GrabCutTool::busyText() const
{
    return tr("Segmenting…");
}

bool GrabCutTool::takesButton(Qt::MouseButton button) const
{
    return button == Qt::LeftButton || button == Qt::RightButton;
}

void GrabCutTool::deactivate()
{
    setDragging(false);
    endSession();
}

void GrabCutTool::endSession()
{
    if (m_job.isRunning()) {
        m_job.cancel();
        context().busyEnded();
    }
    const bool had = m_segmenter != nullptr || hasPendingStrokes();
    m_segmenter.reset();
    m_applied.release();
    m_layer.clear();
    m_index = -1;
    m_foreground.clear();
    m_background.clear();
    if (had)
        context().repaint();
}

bool GrabCutTool::setStartsFromStrokes(bool fromStrokes)
{
    if (fromStrokes == m_fromStrokes)
        return false;
    m_fromStrokes = fromStrokes;
    // Strokes waiting to start a session belong to the strokes start: they go with it.
    if (!hasResult() && !m_job.isRunning() && hasPendingStrokes()) {
        m_foreground.clear();
        m_background.clear();
    }
    return true;
}

void GrabCutTool::mousePressed(QMouseEvent *event)
{
    const cv::Point2f p = context().toMask(event->position());
    const bool background = event->button() == Qt::RightButton || (event->modifiers() & Qt::AltModifier);
    if ((hasResult() && m_layer == context().activeLayer()) || m_fromStrokes) {
        if (context().isBusy()) {
            context().message(tr("Wait for the segmentation to finish."));
            return;
        }
        m_strokeIsBackground = background;
        (background ? m_background : m_foreground).push_back({p});
        m_drawingBox = false;
        setDragging(true);
        context().repaint();
    } else if (!background) {
        m_box.start(p);
        m_drawingBox = true;
        setDragging(true);
    }
}

void GrabCutTool::mouseMoved(QMouseEvent *event)
{
    const cv::Point2f p = context().toMask(event->position());
    if (m_drawingBox) {
        m_box.moveTo(p);
    } else {
        Strokes &strokes = m_strokeIsBackground ? m_background : m_foreground;
        if (!strokes.empty())
            strokes.back().push_back(p);
    }
    context().repaint();
}

void GrabCutTool::mouseReleased(QMouseEvent *)
{
    setDragging(false);
    if (m_drawingBox) {
        context().repaint();
        startFromBox(m_box.pixels());
    } else {
        runStrokes();
    }
}

bool GrabCutTool::keyPressed(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (!hasPendingStrokes())
            return false;
        runStrokes();
        return true;
    case Qt::Key_Escape:
        if (context().isBusy() || (!m_segmenter && !hasPendingStrokes()))
            return false; // Esc cancels the running work first
        endSession();
        context().message(m_fromStrokes ? tr("GrabCut session ended: the next strokes start a new one.")
                                        : tr("GrabCut session ended: the next box starts a new one."));
        return true;
    default:
        return false;
    }
}

void GrabCutTool::paintOverlay(QPainter &painter, const QTransform &maskToWidget)
{
    if (isDragging() && m_drawingBox)
        m_box.paint(painter, maskToWidget);
    if (!hasPendingStrokes())
        return;
    const double width = std::max(1.0, context().brushSize() * context().widgetPerMask());
    auto drawStrokes = [&](const Strokes &strokes, const QColor &colour) {
        painter.setPen(QPen(colour, width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        for (const auto &stroke : strokes) {
            QPainterPath path;
            for (size_t i = 0; i < stroke.size(); ++i) {
                const QPointF w = maskToWidget.map(QPointF(stroke[i].x, stroke[i].y));
                if (i == 0)
                    path.moveTo(w);
                else
                    path.lineTo(w);
            }
            if (stroke.size() == 1)
                path.lineTo(path.currentPosition() + QPointF(0.01, 0));
            painter.drawPath(path);
        }
    };
    drawStrokes(m_foreground, ForegroundStroke);
    drawStrokes(m_background, BackgroundStroke);
}

bool GrabCutTool::runStrokes()
{
    if (!context().toolsEnabled() || !hasPendingStrokes())
        return false;
    if (context().isBusy()) {
        context().message(tr("Wait for the segmentation to finish."));
        return false;
    }
    if (hasResult() && m_layer == context().activeLayer()) {
        refine();
        return true;
    }
    if (m_foreground.empty()) {
        context().message(tr("Now drag over the lesion: the segmentation starts from a foreground stroke."));
        return false;
    }
    startFromStrokes();
    return true;
}

void GrabCutTool::startFromBox(const cv::Rect &box)
{
    if (context().isBusy()) {
        context().message(tr("Wait for the segmentation to finish."));
        return;
    }
    endSession();
    const QImage &image = context().image();
    const cv::Rect clipped = box & cv::Rect(0, 0, image.width(), image.height());
    if (clipped.width < 4 || clipped.height < 4)
        return;
    if (clipped.width >= image.width() && clipped.height >= image.height()) {
        context().message(tr("Leave some background outside the box."));
        return;
    }
    newSession();
    m_job.start(m_segmenter->startFromRectAsync(clipped), tr("Segmenting…"));
}

void GrabCutTool::startFromStrokes()
{
    newSession();
    cv::Mat foreground, background;
    rasteriseStrokes(foreground, background);
    m_job.start(m_segmenter->startFromStrokesAsync(foreground, background), tr("Segmenting…"));
}

void GrabCutTool::refine()
{
    if (!hasResult() || !hasPendingStrokes())
        return;
    if (context().isBusy()) {
        context().message(tr("Wait for the segmentation to finish."));
        return;
    }
    cv::Mat foreground, background;
    rasteriseStrokes(foreground, background);
    m_job.start(m_segmenter->refineAsync(foreground, background), tr("Refining…"));
}

void GrabCutTool::newSession()
{
    // The pending strokes (the seeds of a session from strokes) survive the reset.
    Strokes foreground = std::move(m_foreground);
    Strokes background = std::move(m_background);
    endSession();
    const QImage image = context().segmentationImage();
    m_foreground = std::move(foreground);
    m_background = std::move(background);
    m_segmenter = std::make_unique<GrabCutSegmenter>(image);
    m_layer = context().activeLayer();
}

void GrabCutTool::rasteriseStrokes(cv::Mat &foreground, cv::Mat &background) const
{
    const cv::Size size(context().image().width(), context().image().height());
    const float radius = std::max(MaskTools::MinBrushRadius, brushRadius());
    foreground.release();
    background.release();
    if (!m_foreground.empty()) {
        foreground = cv::Mat::zeros(size, CV_8UC1);
        rasterise(foreground, m_foreground, radius);
    }
    if (!m_background.empty()) {
        background = cv::Mat::zeros(size, CV_8UC1);
        rasterise(background, m_background, radius);
    }
}

void GrabCutTool::apply(const cv::Mat &result)
{
    m_foreground.clear();
    m_background.clear();
    context().repaint();
    MaskDocument *document = context().document();
    if (result.empty() || !document || result.size() != document->cvSize() || !context().toolsEnabled()
        || m_layer != context().activeLayer()) {
        if (result.empty())
            context().message(tr("The segmentation found nothing."));
        return;
    }
    // Refinements replace the session's previous result, as one undo step with it.
    QUndoStack *stack = context().undoStack();
    const bool continues = stack && m_index >= 0 && m_index == stack->index() && !m_applied.empty();
    const cv::Mat previous = continues ? m_applied : cv::Mat();
    cv::Rect bounds = boundsOf(result);
    if (!previous.empty()) {
        const cv::Rect before = boundsOf(previous);
        bounds = bounds.empty() ? before : (before.empty() ? bounds : (bounds | before));
    }
    if (bounds.empty())
        return;
    context().applyEdit(
        MaskTool::Assisted,
        [&](MaskStroke &stroke) {
            return stroke.edit(bounds, [&](cv::Mat &mask) {
                cv::Mat target = mask(bounds);
                if (!previous.empty())
                    target.setTo(0, previous(bounds));
                target.setTo(255, result(bounds));
                return bounds;
            });
        },
        continues);
    m_applied = result;
    m_index = stack ? stack->index() : -1;
    context().message(tr("Refine with strokes: drag over what belongs, right drag (or Alt+drag) over what "
                         "does not; Esc ends."));
}

} // namespace dl
