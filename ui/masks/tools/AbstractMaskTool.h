// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/MaskTools.h"

#include <QCursor>
#include <QObject>
#include <QPointF>
#include <QString>

#include <functional>

#include <opencv2/core/types.hpp>

class QKeyEvent;
class QMouseEvent;
class QPainter;
class QPainterPath;
class QTransform;

namespace dl {

class MaskToolContext;

/// One mask tool of the canvas. The canvas routes the mouse and keys to the active tool only (while
/// the tools are enabled and nothing pans), tells it when it is chosen or left, when the edit in
/// progress must end, and asks it to draw its feedback over the image. Whatever a tool needs of the
/// canvas it finds in its MaskToolContext.
///
/// A tool with background work (segmentation) keeps running it when another tool is chosen; the
/// canvas asks every tool whether it is busy, and cancels them all at once.
class AbstractMaskTool : public QObject
{
    Q_OBJECT

public:
    explicit AbstractMaskTool(MaskToolContext &context);
    ~AbstractMaskTool() override;

    /// Whether the tool edits the masks (the left button is its); Pan does not: left drag pans.
    virtual bool edits() const { return true; }
    /// Whether presses of this button are the tool's (the others pan or are ignored).
    virtual bool takesButton(Qt::MouseButton button) const { return button == Qt::LeftButton; }
    /// The cursor over the image while the tool works and nothing runs in the background.
    virtual QCursor cursor() const { return Qt::CrossCursor; }
    /// The brush outline follows the mouse (drawn by the canvas while the tools are enabled).
    virtual bool showsBrushRing() const { return false; }
    /// A press-to-release edit is in progress: the mouse is the tool's until the release.
    bool isDragging() const { return m_dragging; }
    /// The canvas took the mouse over (a pan started): the drag ends where it is, nothing of it is
    /// applied or undone.
    void interruptDrag() { m_dragging = false; }

    /// The tool was chosen, or may work on a new image or with the tools switched back on: it
    /// prepares what it needs (may be called again while active).
    virtual void activate() { }
    /// Another tool is chosen: a stroke in progress becomes its undo step, anything else in progress
    /// is dropped.
    virtual void deactivate() { m_dragging = false; }
    /// The edit in progress ends without being applied (new image or document, tools switched
    /// off): its pixels are restored.
    virtual void cancel() { m_dragging = false; }
    /// The active layer is about to change: what belongs to the current one is finished or dropped.
    virtual void leaveLayer() { }
    /// Another edit of the layer follows: a stroke in progress becomes its undo step now.
    virtual void flush() { }

    /// A press of a button the tool takes, over the image, with the tools enabled.
    virtual void mousePressed(QMouseEvent *event);
    /// The mouse moved while the tool drags.
    virtual void mouseMoved(QMouseEvent *event);
    /// A button was released while the tool drags: the drag ends.
    virtual void mouseReleased(QMouseEvent *event);
    /// The mouse moved while the tool does not drag (widget coordinates).
    virtual void hoverMoved(QPointF widgetPos);
    /// The mouse left the canvas.
    virtual void mouseLeft() { }
    /// True when the tool used the double click (the tools are enabled).
    virtual bool mouseDoubleClicked(QMouseEvent *event);
    /// True when the tool used the key.
    virtual bool keyPressed(QKeyEvent *event);
    /// Draws the tool's feedback; the painter is in widget coordinates, maskToWidget maps mask
    /// coordinates to them.
    virtual void paintOverlay(QPainter &painter, const QTransform &maskToWidget);

    /// Background work of this tool is running.
    virtual bool isBusy() const { return false; }
    /// What the running work does ("Segmenting…").
    virtual QString busyText() const { return {}; }
    /// Cancels the running work without applying anything (the canvas reports it).
    virtual void cancelBusy() { }
    /// A new image: what was kept of the previous one (superpixels, sessions) goes.
    virtual void imageReset() { }

    /// A path drawn in white over a dark edge, legible on any image.
    static void drawOutlined(QPainter &painter, const QPainterPath &path);

protected:
    MaskToolContext &context() const { return m_context; }
    /// For work on other threads: shows why it stopped (as a status message) once back on this
    /// tool's thread, unless the tool is gone by then.
    std::function<void(const QString &)> failureReporter();
    void setDragging(bool dragging) { m_dragging = dragging; }
    /// Brush radius in mask pixels.
    float brushRadius() const;
    /// Shift erases with a tool that paints.
    static PaintMode modeOf(const QMouseEvent *event);
    /// The mask pixel under the mouse (may lie outside the mask).
    cv::Point pixelAt(const QMouseEvent *event) const;

private:
    MaskToolContext &m_context;
    bool m_dragging = false;
};

} // namespace dl
