// SPDX-License-Identifier: GPL-3.0-or-later
#include "segmentation/SuperpixelIndex.h"

#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <climits>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc/slic.hpp>

namespace dl {

struct SuperpixelIndex::Data
{
    WorkingScale scale;
    cv::Mat labels; // CV_32SC1, working size
    int count = 0;
    int regionSize = 0;
    std::vector<cv::Rect> workingBounds; // per label
};

namespace {

int slicAlgorithm(SuperpixelIndex::Algorithm algorithm)
{
    switch (algorithm) {
    case SuperpixelIndex::Algorithm::Slic:
        return cv::ximgproc::SLIC;
    case SuperpixelIndex::Algorithm::Mslic:
        return cv::ximgproc::MSLIC;
    case SuperpixelIndex::Algorithm::Slico:
        break;
    }
    return cv::ximgproc::SLICO;
}

} // namespace

SuperpixelIndex::SuperpixelIndex() = default;

SuperpixelIndex::SuperpixelIndex(std::shared_ptr<const Data> data)
    : m_data(std::move(data))
{ }

SuperpixelIndex SuperpixelIndex::compute(
    const cv::Mat &image, const Options &options, const CancelCheck &cancelled)
{
    const auto isCancelled = [&cancelled] { return cancelled && cancelled(); };
    if (!WorkingScale::isSupportedImage(image) || isCancelled())
        return {};
    auto data = std::make_shared<Data>();
    data->scale = WorkingScale(image.size(), options.workingLongSide);
    const cv::Size size = data->scale.size();
    const int longSide = std::max(size.width, size.height);
    data->regionSize = options.regionSize > 0 ? options.regionSize : int(std::lround(longSide / 50.0));
    data->regionSize = std::clamp(data->regionSize, 4, std::max(4, std::min(size.width, size.height)));

    cv::Mat lab;
    cv::GaussianBlur(data->scale.downscaleToBgr(image), lab, cv::Size(3, 3), 0);
    cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
    if (isCancelled())
        return {};

    if (std::min(size.width, size.height) < 4) {
        // Too small for SLIC (which crashes on a single pixel): one superpixel.
        data->labels = cv::Mat::zeros(size, CV_32SC1);
    } else {
        try {
            const cv::Ptr<cv::ximgproc::SuperpixelSLIC> slic = cv::ximgproc::createSuperpixelSLIC(
                lab, slicAlgorithm(options.algorithm), data->regionSize, options.ruler);
            const int iterations = std::max(1, options.iterations);
            if (options.algorithm == Algorithm::Slic) {
                // SLIC keeps all its state (the cluster centres) between calls: one iteration per call,
                // checking for cancellation in between, gives the same superpixels.
                for (int i = 0; i < iterations; ++i) {
                    if (isCancelled())
                        return {};
                    slic->iterate(1);
                }
            } else {
                // SLICO restarts its adaptive compactness in every call (the first iteration of a call
                // weighs colour alone), and MSLIC splits and merges by the iteration count of the call:
                // one call each, so no cancellation inside.
                slic->iterate(iterations);
            }
            if (isCancelled())
                return {};
            slic->enforceLabelConnectivity(std::clamp(options.minElementSizePercent, 0, 100));
            slic->getLabels(data->labels);
        } catch (const cv::Exception &) {
            return {};
        }
        data->labels = data->labels.clone();
    }

    // Labels are 0..n-1 after enforceLabelConnectivity; take the largest seen to be safe.
    double maxLabel = 0;
    cv::minMaxLoc(data->labels, nullptr, &maxLabel);
    data->count = int(maxLabel) + 1;
    std::vector<int> x0(size_t(data->count), INT_MAX), y0(size_t(data->count), INT_MAX);
    std::vector<int> x1(size_t(data->count), -1), y1(size_t(data->count), -1);
    for (int y = 0; y < size.height; ++y) {
        const int *row = data->labels.ptr<int>(y);
        for (int x = 0; x < size.width; ++x) {
            const size_t l = size_t(std::max(row[x], 0));
            x0[l] = std::min(x0[l], x);
            x1[l] = std::max(x1[l], x);
            y0[l] = std::min(y0[l], y);
            y1[l] = std::max(y1[l], y);
        }
    }
    data->workingBounds.resize(size_t(data->count));
    for (size_t l = 0; l < size_t(data->count); ++l) {
        if (x1[l] >= 0)
            data->workingBounds[l] = cv::Rect(x0[l], y0[l], x1[l] - x0[l] + 1, y1[l] - y0[l] + 1);
    }
    return SuperpixelIndex(std::move(data));
}

QFuture<SuperpixelIndex> SuperpixelIndex::computeAsync(const cv::Mat &image, const Options &options)
{
    return QtConcurrent::run([image, options](QPromise<SuperpixelIndex> &promise) {
        SuperpixelIndex index = compute(image, options, [&promise] { return promise.isCanceled(); });
        if (!promise.isCanceled())
            promise.addResult(std::move(index));
    });
}

bool SuperpixelIndex::isNull() const
{
    return !m_data;
}

int SuperpixelIndex::count() const
{
    return m_data ? m_data->count : 0;
}

cv::Size SuperpixelIndex::imageSize() const
{
    return m_data ? m_data->scale.fullSize() : cv::Size();
}

WorkingScale SuperpixelIndex::workingScale() const
{
    return m_data ? m_data->scale : WorkingScale();
}

int SuperpixelIndex::regionSize() const
{
    return m_data ? m_data->regionSize : 0;
}

cv::Mat SuperpixelIndex::labels() const
{
    return m_data ? m_data->labels : cv::Mat();
}

int SuperpixelIndex::labelAt(cv::Point fullPoint) const
{
    if (!m_data || !cv::Rect(cv::Point(), m_data->scale.fullSize()).contains(fullPoint))
        return -1;
    const cv::Point w = m_data->scale.toWorking(fullPoint);
    return m_data->labels.at<int>(w);
}

cv::Rect SuperpixelIndex::bounds(int label) const
{
    if (!m_data || label < 0 || label >= m_data->count)
        return {};
    return m_data->scale.toFull(m_data->workingBounds[size_t(label)]);
}

std::vector<int> SuperpixelIndex::labelsTouched(cv::Point centre, int radius) const
{
    std::vector<int> out;
    if (!m_data)
        return out;
    const WorkingScale &scale = m_data->scale;
    const cv::Size full = scale.fullSize();
    radius = std::max(radius, 0);
    const int yBegin = std::max(centre.y - radius, 0), yEnd = std::min(centre.y + radius, full.height - 1);
    if (yBegin > yEnd)
        return out;
    // The disc's working pixels: per working row, the union of the columns of its full rows (each
    // row span holds the centre column, so the union is one interval).
    const std::vector<int> &colMap = scale.columnMap(), &rowMap = scale.rowMap();
    std::vector<std::pair<int, int>> spans(size_t(scale.size().height), { INT_MAX, -1 });
    const qint64 r2 = qint64(radius) * radius;
    for (int y = yBegin; y <= yEnd; ++y) {
        const qint64 dy = y - centre.y;
        const int dx = int(std::sqrt(double(r2 - dy * dy)));
        const int xBegin = std::max(centre.x - dx, 0), xEnd = std::min(centre.x + dx, full.width - 1);
        if (xBegin > xEnd)
            continue;
        auto &span = spans[size_t(rowMap[size_t(y)])];
        span.first = std::min(span.first, colMap[size_t(xBegin)]);
        span.second = std::max(span.second, colMap[size_t(xEnd)]);
    }
    std::vector<bool> seen(size_t(m_data->count), false);
    for (int wy = 0; wy < int(spans.size()); ++wy) {
        const auto [first, last] = spans[size_t(wy)];
        const int *row = m_data->labels.ptr<int>(wy);
        for (int wx = first; wx <= last; ++wx) {
            const int l = row[wx];
            if (l >= 0 && !seen[size_t(l)]) {
                seen[size_t(l)] = true;
                out.push_back(l);
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

cv::Rect SuperpixelIndex::fill(cv::Mat &mask, const std::vector<int> &labels, uchar value) const
{
    if (!m_data || mask.type() != CV_8UC1 || mask.size() != m_data->scale.fullSize() || labels.empty())
        return {};
    const WorkingScale &scale = m_data->scale;
    std::vector<uchar> selected(size_t(m_data->count), 0);
    cv::Rect area; // working
    for (int l : labels) {
        if (l < 0 || l >= m_data->count)
            continue;
        selected[size_t(l)] = 1;
        area |= m_data->workingBounds[size_t(l)];
    }
    if (area.empty())
        return {};
    const std::vector<int> &colStart = scale.columnStart(), &rowStart = scale.rowStart();
    int changedX0 = INT_MAX, changedY0 = INT_MAX, changedX1 = -1, changedY1 = -1;
    for (int wy = area.y; wy < area.y + area.height; ++wy) {
        const int *labelRow = m_data->labels.ptr<int>(wy);
        for (int y = rowStart[size_t(wy)]; y < rowStart[size_t(wy) + 1]; ++y) {
            uchar *row = mask.ptr<uchar>(y);
            bool rowChanged = false;
            for (int wx = area.x; wx < area.x + area.width; ++wx) {
                const int l = labelRow[wx];
                if (l < 0 || !selected[size_t(l)])
                    continue;
                const int xBegin = colStart[size_t(wx)], xEnd = colStart[size_t(wx) + 1];
                for (int x = xBegin; x < xEnd; ++x) {
                    if (row[x] != value) {
                        row[x] = value;
                        changedX0 = std::min(changedX0, x);
                        changedX1 = std::max(changedX1, x);
                        rowChanged = true;
                    }
                }
            }
            if (rowChanged) {
                changedY0 = std::min(changedY0, y);
                changedY1 = y;
            }
        }
    }
    if (changedX1 < 0)
        return {};
    return { changedX0, changedY0, changedX1 - changedX0 + 1, changedY1 - changedY0 + 1 };
}

cv::Rect SuperpixelIndex::paint(cv::Mat &mask, cv::Point centre, int radius) const
{
    return fill(mask, labelsTouched(centre, radius), 255);
}

cv::Rect SuperpixelIndex::erase(cv::Mat &mask, cv::Point centre, int radius) const
{
    return fill(mask, labelsTouched(centre, radius), 0);
}

} // namespace dl
