// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/tools/StrokeTool.h"
#include "segmentation/SuperpixelIndex.h"

#include <QFutureWatcher>

#include <atomic>
#include <memory>

namespace dl {

/// The superpixel brush: every superpixel the brush touches is painted (Shift erases) as a whole.
/// The superpixels of the image are prepared in the background when the tool is chosen; strokes
/// wait for them.
class SuperpixelTool : public StrokeTool
{
    Q_OBJECT

public:
    explicit SuperpixelTool(MaskToolContext &context);
    ~SuperpixelTool() override;

    bool isReady() const { return m_superpixels && !m_superpixels->isNull(); }

    void activate() override;
    bool isBusy() const override { return m_running; }
    QString busyText() const override;
    void cancelBusy() override;
    void imageReset() override;

protected:
    bool canStart() override;
    void paintSegment(cv::Point2f from, cv::Point2f to) override;

private:
    /// Starts preparing the superpixels of the image shown, unless they are ready or on their way.
    void prepare();
    void onPrepared();

    std::shared_ptr<const SuperpixelIndex> m_superpixels;
    QFutureWatcher<SuperpixelIndex> m_watcher;
    bool m_running = false;
    std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
    QSize m_sourceSize; // of the image being prepared
};

} // namespace dl
