// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/MaskAgreement.h"

#include <opencv2/core.hpp>

#include <algorithm>

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

std::optional<MaskAgreement::Counts> MaskAgreement::count(const Rle &a, const Rle &b)
{
    if (a.height != b.height || a.width != b.width)
        return std::nullopt;
    const quint64 total = quint64(a.height) * quint64(a.width);
    Counts counts;
    counts.a = double(CocoRle::area(a));
    counts.b = double(CocoRle::area(b));
    // Walk both run lists at once; the pixels where both are in a 1-run are the intersection.
    size_t i = 0, j = 0;
    quint64 leftA = a.counts.empty() ? 0 : a.counts[0];
    quint64 leftB = b.counts.empty() ? 0 : b.counts[0];
    quint64 position = 0, both = 0;
    while (position < total) {
        while (leftA == 0 && i + 1 < a.counts.size())
            leftA = a.counts[++i];
        while (leftB == 0 && j + 1 < b.counts.size())
            leftB = b.counts[++j];
        if (leftA == 0 || leftB == 0)
            return std::nullopt; // the counts end before the mask does
        const quint64 step = std::min(leftA, leftB);
        if ((i % 2) == 1 && (j % 2) == 1)
            both += step;
        leftA -= step;
        leftB -= step;
        position += step;
    }
    counts.both = double(both);
    return counts;
}

double MaskAgreement::dice(const Counts &c)
{
    return c.a + c.b == 0 ? 1.0 : 2 * c.both / (c.a + c.b);
}

double MaskAgreement::iou(const Counts &c)
{
    const double unionSize = c.a + c.b - c.both;
    return unionSize == 0 ? 1.0 : c.both / unionSize;
}

std::optional<double> MaskAgreement::dice(const cv::Mat &a, const cv::Mat &b)
{
    const std::optional<Counts> c = count(a, b);
    return c ? std::optional<double>(dice(*c)) : std::nullopt;
}

std::optional<double> MaskAgreement::iou(const cv::Mat &a, const cv::Mat &b)
{
    const std::optional<Counts> c = count(a, b);
    return c ? std::optional<double>(iou(*c)) : std::nullopt;
}

std::optional<double> MaskAgreement::dice(const Rle &a, const Rle &b)
{
    const std::optional<Counts> c = count(a, b);
    return c ? std::optional<double>(dice(*c)) : std::nullopt;
}

std::optional<double> MaskAgreement::iou(const Rle &a, const Rle &b)
{
    const std::optional<Counts> c = count(a, b);
    return c ? std::optional<double>(iou(*c)) : std::nullopt;
}

} // namespace dl
