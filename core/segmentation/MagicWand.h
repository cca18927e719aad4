// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFuture>
#include <opencv2/core/mat.hpp>

namespace dl {

/// Magic wand: the connected region around a seed pixel whose colour is within a tolerance of the
/// seed's colour, at full resolution (cv::floodFill with FLOODFILL_MASK_ONLY and
/// FLOODFILL_FIXED_RANGE).
///
/// Colour distance: per channel in the image's own BGR values (not Lab): a pixel belongs when each of
/// |B - Bseed|, |G - Gseed| and |R - Rseed| is at most the tolerance (0..255; 0 takes exactly the
/// seed colour). Comparing with the seed, not with the neighbour, keeps the region from creeping along
/// a gradient. Pixels join through their 4 neighbours, or 8 when eightConnected (diagonal contact).
///
/// Reentrant; a click on 12 megapixels takes tens of milliseconds (tests/bench/segmentation), so a
/// canvas may call select() directly or use selectAsync().
class MagicWand
{
public:
    struct Result
    {
        /// CV_8UC1 of the image size, 255 inside the region, 0 elsewhere. A view into a buffer one
        /// pixel larger on each side (as floodFill needs it): clone() it for a continuous matrix.
        cv::Mat mask;
        cv::Rect bounds; ///< bounding rectangle of the region
        int area = 0; ///< number of pixels in the region
    };

    /// The region of a BGR CV_8UC3 (or grey CV_8UC1) image around `seed`. An empty result for an
    /// empty or unsupported image or a seed outside it. The tolerance is clamped to 0..255.
    static Result select(const cv::Mat &image, cv::Point seed, int tolerance, bool eightConnected = false);
    /// The same on the global thread pool (the image is shared, not copied).
    static QFuture<Result> selectAsync(
        const cv::Mat &image, cv::Point seed, int tolerance, bool eightConnected = false);
};

} // namespace dl
