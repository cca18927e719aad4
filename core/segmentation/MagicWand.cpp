// SPDX-License-Identifier: GPL-3.0-or-later
#include "segmentation/MagicWand.h"

#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace dl {

MagicWand::Result MagicWand::select(const cv::Mat &image, cv::Point seed, int tolerance, bool eightConnected)
{
    Result result;
    if (image.empty() || (image.type() != CV_8UC3 && image.type() != CV_8UC1)
        || !cv::Rect(cv::Point(), image.size()).contains(seed))
        return result;
    const double t = std::clamp(tolerance, 0, 255);
    cv::Mat buffer = cv::Mat::zeros(image.rows + 2, image.cols + 2, CV_8UC1);
    const int flags
        = (eightConnected ? 8 : 4) | (255 << 8) | cv::FLOODFILL_MASK_ONLY | cv::FLOODFILL_FIXED_RANGE;
    result.area = cv::floodFill(
        image, buffer, seed, cv::Scalar(), &result.bounds, cv::Scalar::all(t), cv::Scalar::all(t), flags);
    result.mask = buffer(cv::Rect(1, 1, image.cols, image.rows));
    return result;
}

QFuture<MagicWand::Result> MagicWand::selectAsync(
    const cv::Mat &image, cv::Point seed, int tolerance, bool eightConnected)
{
    return QtConcurrent::run(
        [image, seed, tolerance, eightConnected] { return select(image, seed, tolerance, eightConnected); });
}

} // namespace dl
