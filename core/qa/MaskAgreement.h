// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <opencv2/core/mat.hpp>
#include <optional>

#include "masks/CocoRle.h"

namespace dl {

/// Overlap of two region masks: CV_8UC1, the same size, nonzero = inside.
class MaskAgreement
{
public:
    /// 2 |A ∩ B| / (|A| + |B|); 1.0 when both are empty. Nullopt when the masks are not
    /// both CV_8UC1 or differ in size.
    static std::optional<double> dice(const cv::Mat &a, const cv::Mat &b);

    /// |A ∩ B| / |A ∪ B|; 1.0 when both are empty. Nullopt as for dice().
    static std::optional<double> iou(const cv::Mat &a, const cv::Mat &b);

    /// The same on run-length encoded masks (as the store keeps them), without decoding: linear in
    /// the number of runs. Nullopt when the sizes differ or a counts list does not cover the mask.
    static std::optional<double> dice(const Rle &a, const Rle &b);
    static std::optional<double> iou(const Rle &a, const Rle &b);

private:
    struct Counts
    {
        double a = 0, b = 0, both = 0;
    };
    static std::optional<Counts> count(const cv::Mat &a, const cv::Mat &b);
    static std::optional<Counts> count(const Rle &a, const Rle &b);
    static double dice(const Counts &c);
    static double iou(const Counts &c);
};

} // namespace dl
