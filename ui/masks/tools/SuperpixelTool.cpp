// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/SuperpixelTool.h"

#include "base/Guarded.h"
#include "masks/MaskStroke.h"
#include "masks/tools/MaskToolContext.h"
#include "segmentation/WorkingScale.h"

#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <vector>

namespace dl {

SuperpixelTool::SuperpixelTool(MaskToolContext &context)
    : StrokeTool(context, MaskTool::Superpixel)
{
    connect(&m_watcher, &QFutureWatcher<SuperpixelIndex>::finished, this, &SuperpixelTool::onPrepared);
}

SuperpixelTool::~SuperpixelTool()
{
    // The running job holds copies of what it uses; its result is dropped.
    m_cancel->store(true);
    m_watcher.disconnect(this);
}

void SuperpixelTool::activate()
{
    prepare();
}

QString SuperpixelTool::busyText() const
{
    return tr("Preparing superpixels…");
}

void SuperpixelTool::cancelBusy()
{
    m_cancel->store(true);
    m_running = false;
}

void SuperpixelTool::imageReset()
{
    m_superpixels.reset();
}

bool SuperpixelTool::canStart()
{
    if (isReady())
        return true;
    prepare();
    context().message(tr("The superpixels are still being prepared."));
    return false;
}

void SuperpixelTool::prepare()
{
    if (context().image().isNull() || !context().toolsEnabled())
        return;
    const QImage source = context().segmentationImage();
    if (isReady() || m_running)
        return;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const auto cancel = m_cancel;
    m_running = true;
    m_sourceSize = source.size();
    context().busyStarted(busyText());
    const auto failed = failureReporter();
    m_watcher.setFuture(QtConcurrent::run([source, cancel, failed] {
        return guarded(
            [&] {
                const cv::Mat view = WorkingScale::view(source);
                const cv::Mat bgr = view.empty() ? WorkingScale::toBgr(source) : view;
                return SuperpixelIndex::compute(bgr, SuperpixelIndex::Options(),
                                                [cancel] { return cancel->load(); });
            },
            [&](const QString &why) { return failed(why), SuperpixelIndex(); });
    }));
}

void SuperpixelTool::onPrepared()
{
    const QFuture<SuperpixelIndex> future = m_watcher.future();
    const bool expected = m_running;
    m_running = false;
    context().busyEnded();
    if (!expected || m_cancel->load() || future.resultCount() == 0)
        return;
    const SuperpixelIndex index = future.result();
    if (!index.isNull() && index.imageSize() == cv::Size(m_sourceSize.width(), m_sourceSize.height())) {
        m_superpixels = std::make_shared<const SuperpixelIndex>(index);
        context().message(tr("Superpixels ready: %n region(s).", nullptr, index.count()));
    }
}

void SuperpixelTool::paintSegment(cv::Point2f from, cv::Point2f to)
{
    if (!stroke() || !isReady())
        return;
    const SuperpixelIndex &index = *m_superpixels;
    const int radius = std::max(0, int(std::lround(brushRadius())));
    const double length = std::hypot(to.x - from.x, to.y - from.y);
    const int steps = std::max(1, int(std::ceil(length / std::max(1.0, radius / 2.0))));
    std::vector<int> labels;
    for (int i = 1; i <= steps; ++i) {
        const double t = double(i) / steps;
        const cv::Point centre(int(std::floor(from.x + (to.x - from.x) * t)),
                               int(std::floor(from.y + (to.y - from.y) * t)));
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
    const uchar value = mode() == PaintMode::Paint ? 255 : 0;
    const cv::Rect changed
        = stroke()->edit(bounds, [&](cv::Mat &mask) { return index.fill(mask, labels, value); });
    context().maskChanged(changed);
}

} // namespace dl
