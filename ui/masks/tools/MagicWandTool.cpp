// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/MagicWandTool.h"

#include "base/Guarded.h"
#include "masks/MaskDocument.h"
#include "masks/MaskStroke.h"
#include "masks/tools/MaskToolContext.h"
#include "segmentation/MagicWand.h"
#include "segmentation/WorkingScale.h"

#include <QMouseEvent>
#include <QtConcurrent/QtConcurrentRun>

namespace dl {

MagicWandTool::MagicWandTool(MaskToolContext &context)
    : AbstractMaskTool(context)
    , m_job(context, [this](const cv::Mat &region) { apply(region); })
{
}

void MagicWandTool::mousePressed(QMouseEvent *event)
{
    start(pixelAt(event), modeOf(event));
}

QString MagicWandTool::busyText() const
{
    return tr("Selecting…");
}

void MagicWandTool::imageReset()
{
    m_bgr = std::make_shared<cv::Mat>();
}

void MagicWandTool::start(cv::Point seed, PaintMode mode)
{
    if (context().isBusy()) {
        context().message(tr("Wait for the segmentation to finish."));
        return;
    }
    const QImage &image = context().image();
    if (seed.x < 0 || seed.y < 0 || seed.x >= image.width() || seed.y >= image.height())
        return;
    const QImage source = context().segmentationImage();
    const auto bgrCache = m_bgr;
    const int tolerance = context().wandTolerance();
    m_mode = mode;
    const auto failed = failureReporter();
    const QFuture<cv::Mat> selection = QtConcurrent::run([source, bgrCache, seed, tolerance, failed]() -> cv::Mat {
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
    });
    m_job.start(selection, busyText());
}

void MagicWandTool::apply(const cv::Mat &region)
{
    if (region.empty() || !context().toolsEnabled())
        return;
    cv::Size whole;
    cv::Point offset;
    region.locateROI(whole, offset);
    if (whole != context().document()->cvSize())
        return;
    const cv::Rect bounds(offset, region.size());
    const uchar value = m_mode == PaintMode::Paint ? 255 : 0;
    context().applyEdit(MaskTool::Fill, [&](MaskStroke &stroke) {
        return stroke.edit(bounds, [&](cv::Mat &mask) {
            mask(bounds).setTo(value, region);
            return bounds;
        });
    });
}

} // namespace dl
