// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/MaskAgreement.h"

#include <opencv2/core.hpp>

namespace dl {

std::optional<MaskAgreement::Counts> MaskAgreement::count(const cv::Mat &a, const cv::Mat &b)
{
    if (a.type() != CV_8UC1 || b.type() != CV_8UC1 || a.size() != b.size())
        return std::nullopt;
    Counts counts;
    if (a.empty())
        return counts;
    counts.a = cv::countNonZero(a);
    counts.b = cv::countNonZero(b);
    // min() and not bitwise and: 2 & 1 == 0, but both are inside.
    cv::Mat both;
    cv::min(a, b, both);
    counts.both = cv::countNonZero(both);
    return counts;
}

std::optional<double> MaskAgreement::dice(const cv::Mat &a, const cv::Mat &b)
{
    const std::optional<Counts> c = count(a, b);
    if (!c)
        return std::nullopt;
    if (c->a + c->b == 0)
        return 1.0;
    return 2 * c->both / (c->a + c->b);
}

std::optional<double> MaskAgreement::iou(const cv::Mat &a, const cv::Mat &b)
{
    const std::optional<Counts> c = count(a, b);
    if (!c)
        return std::nullopt;
    const double unionSize = c->a + c->b - c->both;
    if (unionSize == 0)
        return 1.0;
    return c->both / unionSize;
}

} // namespace dl
