// SPDX-License-Identifier: GPL-3.0-or-later
// Times the mask codecs on a typical 4000 x 3000 mask with a few irregular blobs: median of 21 runs
// of CocoRle::encode, toString, fromString, decode and MaskCodec::encodePng, decodePng.
#include "masks/CocoRle.h"
#include "masks/MaskCodec.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

namespace {

constexpr int kRuns = 21;

double medianMs(const std::function<void()> &work)
{
    std::vector<double> ms;
    for (int i = 0; i < kRuns; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        const auto end = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

// Irregular blobs: star-like polygons with random radii, an ellipse with a hole, a thin stroke.
cv::Mat makeMask()
{
    cv::Mat mask = cv::Mat::zeros(3000, 4000, CV_8UC1);
    std::mt19937 rng(20240611);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int blob = 0; blob < 5; ++blob) {
        const cv::Point2d centre(400 + unit(rng) * 3200, 400 + unit(rng) * 2200);
        const double radius = 150 + unit(rng) * 350;
        std::vector<cv::Point> outline;
        for (int i = 0; i < 90; ++i) {
            const double angle = 2 * M_PI * i / 90;
            const double r = radius * (0.6 + 0.4 * unit(rng));
            outline.emplace_back(int(centre.x + r * std::cos(angle)),
                                 int(centre.y + r * std::sin(angle)));
        }
        cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{outline}, cv::Scalar(255));
    }
    cv::ellipse(mask, cv::Point(2000, 1500), cv::Size(700, 420), 25, 0, 360, cv::Scalar(255),
                cv::FILLED);
    cv::ellipse(mask, cv::Point(2050, 1480), cv::Size(200, 120), 70, 0, 360, cv::Scalar(0),
                cv::FILLED);
    cv::polylines(mask, std::vector<std::vector<cv::Point>>{{{100, 2900}, {1900, 2500}, {3900, 2950}}},
                  false, cv::Scalar(255), 9);
    return mask;
}

} // namespace

int main()
{
    const cv::Mat mask = makeMask();
    std::printf("mask %d x %d (w x h), %d pixels set\n", mask.cols, mask.rows,
                cv::countNonZero(mask));

    dl::Rle rle;
    const double encodeMs = medianMs([&] { rle = dl::CocoRle::encode(mask); });
    QByteArray counts;
    const double toStringMs = medianMs([&] { counts = dl::CocoRle::toString(rle); });
    std::optional<dl::Rle> parsed;
    const double fromStringMs = medianMs(
        [&] { parsed = dl::CocoRle::fromString(counts, rle.height, rle.width, nullptr); });
    cv::Mat decoded;
    const double decodeMs = medianMs([&] { decoded = dl::CocoRle::decode(rle); });
    QByteArray png;
    const double encodePngMs = medianMs([&] { png = dl::MaskCodec::encodePng(mask); });
    cv::Mat fromPng;
    const double decodePngMs = medianMs([&] { fromPng = dl::MaskCodec::decodePng(png, nullptr); });

    const bool exact = !decoded.empty() && cv::countNonZero(decoded != mask) == 0 && parsed
        && *parsed == rle && !fromPng.empty() && cv::countNonZero(fromPng != mask) == 0;

    std::printf("runs %zu, string %lld bytes, png %lld bytes\n", rle.counts.size(),
                static_cast<long long>(counts.size()), static_cast<long long>(png.size()));
    std::printf("median of %d runs:\n", kRuns);
    std::printf("  CocoRle::encode      %8.3f ms\n", encodeMs);
    std::printf("  CocoRle::toString    %8.3f ms\n", toStringMs);
    std::printf("  CocoRle::fromString  %8.3f ms\n", fromStringMs);
    std::printf("  CocoRle::decode      %8.3f ms\n", decodeMs);
    std::printf("  MaskCodec::encodePng %8.3f ms\n", encodePngMs);
    std::printf("  MaskCodec::decodePng %8.3f ms\n", decodePngMs);
    std::printf("round trips exact: %s\n", exact ? "yes" : "NO");
    return exact ? 0 : 1;
}
