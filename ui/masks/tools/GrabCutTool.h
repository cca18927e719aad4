// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/tools/AbstractMaskTool.h"
#include "masks/tools/DraggedRect.h"
#include "masks/tools/MaskJob.h"

#include <memory>
#include <opencv2/core/mat.hpp>
#include <vector>

namespace dl {

class GrabCutSegmenter;

/// GrabCut in sessions on the image shown, run in the background. A session starts from a box
/// dragged around the lesion, or (startsFromStrokes()) from rough strokes: left drag over the lesion
/// is foreground, right drag or Alt+drag over skin background; it runs when a foreground stroke ends,
/// or on Enter. Its result replaces the session's previous one in the active layer, as one undo
/// step with it. Refinement strokes work the same way in both. Esc (or another tool, layer or
/// image) ends the session.
class GrabCutTool : public AbstractMaskTool
{
    Q_OBJECT

public:
    explicit GrabCutTool(MaskToolContext &context);
    ~GrabCutTool() override;

    /// The session has a result to refine.
    bool hasResult() const;
    void endSession();
    bool startsFromStrokes() const { return m_fromStrokes; }
    /// False when it already did. Strokes waiting to start a session from strokes are dropped.
    bool setStartsFromStrokes(bool fromStrokes);
    /// Strokes drawn but not yet segmented.
    bool hasPendingStrokes() const { return !m_foreground.empty() || !m_background.empty(); }
    /// Runs the pending strokes now: starts a session from them, or refines the current one. False
    /// when there is nothing to run (or no foreground stroke to start from).
    bool runStrokes();

    bool takesButton(Qt::MouseButton button) const override;
    bool showsBrushRing() const override { return hasResult() || m_fromStrokes; }
    void deactivate() override;
    void leaveLayer() override { endSession(); }
    void mousePressed(QMouseEvent *event) override;
    void mouseMoved(QMouseEvent *event) override;
    void mouseReleased(QMouseEvent *event) override;
    bool keyPressed(QKeyEvent *event) override;
    void paintOverlay(QPainter &painter, const QTransform &maskToWidget) override;
    bool isBusy() const override { return m_job.isRunning(); }
    QString busyText() const override;
    void cancelBusy() override { m_job.cancel(); }
    void imageReset() override { endSession(); }

private:
    using Strokes = std::vector<std::vector<cv::Point2f>>;

    void startFromBox(const cv::Rect &box);
    void startFromStrokes();
    void refine();
    /// Prepares a new session on the image shown for the active layer (the pending strokes stay).
    void newSession();
    /// The pending strokes as masks of the image's size (empty cv::Mat for none).
    void rasteriseStrokes(cv::Mat &foreground, cv::Mat &background) const;
    void apply(const cv::Mat &result);

    bool m_fromStrokes = false;
    bool m_drawingBox = false; // the drag is a box, not a stroke
    DraggedRect m_box;
    std::unique_ptr<GrabCutSegmenter> m_segmenter;
    cv::Mat m_applied; // the last result put into the layer (full size)
    QString m_layer;
    int m_index = -1; // the undo index right after the session's last step
    Strokes m_foreground, m_background; // pending strokes, mask coordinates
    bool m_strokeIsBackground = false; // the stroke being drawn
    MaskJob m_job;
};

} // namespace dl
