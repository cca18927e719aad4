// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/StrokeTool.h"

#include "masks/MaskStroke.h"
#include "masks/tools/MaskToolContext.h"

#include <QKeyEvent>
#include <QMouseEvent>

namespace dl {

StrokeTool::StrokeTool(MaskToolContext &context, MaskTool maskTool)
    : AbstractMaskTool(context)
    , m_maskTool(maskTool)
{
}

StrokeTool::~StrokeTool() = default;

void StrokeTool::mousePressed(QMouseEvent *event)
{
    m_mode = modeOfPress(event);
    if (!canStart() || !context().toolsEnabled())
        return;
    m_stroke = std::make_unique<MaskStroke>(*context().document(), context().activeLayer(), m_maskTool);
    m_pressPos = event->position();
    m_last = context().toMask(m_pressPos);
    setDragging(true);
    paintSegment(m_last, m_last);
}

void StrokeTool::mouseMoved(QMouseEvent *event)
{
    if (!m_stroke)
        return;
    const cv::Point2f p = context().toMask(event->position());
    paintSegment(m_last, p);
    m_last = p;
}

void StrokeTool::mouseReleased(QMouseEvent *)
{
    setDragging(false);
    finishStroke();
}

bool StrokeTool::keyPressed(QKeyEvent *event)
{
    if (event->key() != Qt::Key_Escape || !m_stroke)
        return false;
    cancel();
    return true;
}

void StrokeTool::deactivate()
{
    finishStroke();
    setDragging(false);
}

void StrokeTool::cancel()
{
    if (m_stroke) {
        const cv::Rect restored = m_stroke->cancel();
        m_stroke.reset();
        context().maskChanged(restored);
    }
    setDragging(false);
}

void StrokeTool::leaveLayer()
{
    finishStroke();
}

void StrokeTool::flush()
{
    finishStroke();
}

void StrokeTool::finishStroke()
{
    if (!m_stroke)
        return;
    // Where the stroke started, as the view maps it now.
    const cv::Point2f start = context().toMask(m_pressPos);
    context().pushStroke(std::move(m_stroke), start, m_last);
}

} // namespace dl
