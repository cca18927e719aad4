// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/tools/AbstractMaskTool.h"
#include "masks/tools/MaskJob.h"

#include <memory>
#include <opencv2/core/mat.hpp>

namespace dl {

/// A click selects the region of similar colour around it (within the wand tolerance) in the
/// background and paints it (Shift erases it) as one undo step.
class MagicWandTool : public AbstractMaskTool
{
    Q_OBJECT

public:
    explicit MagicWandTool(MaskToolContext &context);

    bool isBusy() const override { return m_job.isRunning(); }
    QString busyText() const override;
    void cancelBusy() override { m_job.cancel(); }
    /// The colour copy of the image goes.
    void imageReset() override;
    void mousePressed(QMouseEvent *event) override;

private:
    void start(cv::Point seed, PaintMode mode);
    /// Paints region: the selection's bounds as a view into a mask of the image's size.
    void apply(const cv::Mat &region);

    std::shared_ptr<cv::Mat> m_bgr = std::make_shared<cv::Mat>(); // BGR copy of the image, made on first use
    PaintMode m_mode = PaintMode::Paint;
    MaskJob m_job;
};

} // namespace dl
