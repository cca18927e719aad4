// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskTools.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <opencv2/imgproc.hpp>

namespace dl {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

uchar valueOf(PaintMode mode)
{
    return mode == PaintMode::Paint ? 255 : 0;
}

// Pixel index range [ceil(lo), floor(hi)] clipped to [0, n - 1]; false when empty.
bool indexRange(double lo, double hi, int n, int *first, int *last)
{
    lo = std::max(std::ceil(lo), 0.0);
    hi = std::min(std::floor(hi), double(n) - 1);
    if (!(lo <= hi))
        return false;
    *first = int(lo);
    *last = int(hi);
    return true;
}

// Pixel-centre coordinates: pixel (x, y) has its centre at (x, y).
cv::Point2d centred(cv::Point2f p)
{
    return { double(p.x) - 0.5, double(p.y) - 0.5 };
}

bool finite(cv::Point2f p)
{
    return std::isfinite(p.x) && std::isfinite(p.y);
}

// Narrows [lo, hi] to the x with low <= c * x + k <= high; false when no x qualifies.
bool constrain(double c, double k, double low, double high, double *lo, double *hi)
{
    if (c == 0)
        return k >= low && k <= high;
    double u = (low - k) / c;
    double v = (high - k) / c;
    if (u > v)
        std::swap(u, v);
    *lo = std::max(*lo, u);
    *hi = std::min(*hi, v);
    return *lo <= *hi;
}

// Sutherland-Hodgman clipping of a polygon (pixel-centre coordinates) to a box around the mask. The
// box reaches two pixels beyond the mask: the edges the clipping adds lie outside it and paint
// nothing.
std::vector<cv::Point2d> clipToBox(std::vector<cv::Point2d> poly, cv::Size size)
{
    const double x0 = -2, y0 = -2, x1 = size.width + 1, y1 = size.height + 1;
    auto clipEdge = [&poly](auto inside, auto intersect) {
        std::vector<cv::Point2d> out;
        out.reserve(poly.size() + 4);
        for (size_t i = 0; i < poly.size(); ++i) {
            const cv::Point2d &a = poly[(i + poly.size() - 1) % poly.size()];
            const cv::Point2d &b = poly[i];
            if (inside(b)) {
                if (!inside(a))
                    out.push_back(intersect(a, b));
                out.push_back(b);
            } else if (inside(a)) {
                out.push_back(intersect(a, b));
            }
        }
        poly = std::move(out);
    };
    auto atX = [](double x) {
        return [x](const cv::Point2d &a, const cv::Point2d &b) {
            return cv::Point2d(x, a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x));
        };
    };
    auto atY = [](double y) {
        return [y](const cv::Point2d &a, const cv::Point2d &b) {
            return cv::Point2d(a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y), y);
        };
    };
    clipEdge([&](const cv::Point2d &p) { return p.x >= x0; }, atX(x0));
    if (!poly.empty())
        clipEdge([&](const cv::Point2d &p) { return p.x <= x1; }, atX(x1));
    if (!poly.empty())
        clipEdge([&](const cv::Point2d &p) { return p.y >= y0; }, atY(y0));
    if (!poly.empty())
        clipEdge([&](const cv::Point2d &p) { return p.y <= y1; }, atY(y1));
    return poly;
}

constexpr int kPolygonShift = 8; // cv::fillPoly's fractional bits: a 1/256-pixel grid

std::vector<cv::Point> rasterVertices(const std::vector<cv::Point2f> &vertices, cv::Size size)
{
    if (vertices.size() < 3 || !std::all_of(vertices.begin(), vertices.end(), finite))
        return {};
    std::vector<cv::Point2d> poly;
    poly.reserve(vertices.size());
    for (const cv::Point2f &v : vertices)
        poly.push_back(centred(v));
    // Vertices within a million pixels go to cv::fillPoly as they are (it clips exactly); farther
    // ones would overflow its fixed-point coordinates, so then the polygon is clipped first (which
    // rounds the new vertices to the 1/256 grid).
    constexpr double kDirectLimit = 1 << 20;
    const bool near = std::all_of(poly.begin(), poly.end(),
        [](const cv::Point2d &p) { return std::abs(p.x) <= kDirectLimit && std::abs(p.y) <= kDirectLimit; });
    if (!near)
        poly = clipToBox(std::move(poly), size);
    if (poly.size() < 3)
        return {};
    std::vector<cv::Point> points;
    points.reserve(poly.size());
    for (const cv::Point2d &p : poly)
        points.emplace_back(
            int(std::lround(p.x * (1 << kPolygonShift))), int(std::lround(p.y * (1 << kPolygonShift))));
    return points;
}

cv::Rect imageRect(const cv::Mat &mask)
{
    return { 0, 0, mask.cols, mask.rows };
}

} // namespace

cv::Rect MaskTools::brushBounds(cv::Size size, cv::Point2f from, cv::Point2f to, float radius)
{
    if (!finite(from) || !finite(to) || !std::isfinite(radius))
        return {};
    const double r = std::max(double(radius), double(MinBrushRadius));
    const cv::Point2d a = centred(from);
    const cv::Point2d b = centred(to);
    int x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    if (!indexRange(std::min(a.x, b.x) - r, std::max(a.x, b.x) + r, size.width, &x0, &x1)
        || !indexRange(std::min(a.y, b.y) - r, std::max(a.y, b.y) + r, size.height, &y0, &y1))
        return {};
    return { x0, y0, x1 - x0 + 1, y1 - y0 + 1 };
}

cv::Rect MaskTools::brushSegment(
    cv::Mat &mask, cv::Point2f from, cv::Point2f to, float radius, PaintMode mode)
{
    if (!isMask(mask))
        return {};
    const cv::Rect bounds = brushBounds(mask.size(), from, to, radius);
    if (bounds.empty())
        return {};
    const uchar value = valueOf(mode);
    const double r = std::max(double(radius), double(MinBrushRadius));
    const double r2 = r * r;
    const cv::Point2d a = centred(from);
    const cv::Point2d b = centred(to);
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    const double rLen = r * std::sqrt(len2);

    int minX = std::numeric_limits<int>::max(), maxX = -1, minY = -1, maxY = -1;
    for (int y = bounds.y; y < bounds.y + bounds.height; ++y) {
        // The capsule is convex, so its intersection with the row is one interval: the union of
        // the intervals of its two end discs and of the band between them.
        double lo = kInf, hi = -kInf;
        auto disc = [&](const cv::Point2d &c) {
            const double d = y - c.y;
            const double s = r2 - d * d;
            if (s >= 0) {
                const double h = std::sqrt(s);
                lo = std::min(lo, c.x - h);
                hi = std::max(hi, c.x + h);
            }
        };
        disc(a);
        disc(b);
        if (len2 > 0) {
            // 0 <= (q - a).(b - a) <= |b - a|^2 and |(q - a) x (b - a)| <= r |b - a|, q = (x, y)
            double bandLo = -kInf, bandHi = kInf;
            if (constrain(dx, -a.x * dx + (y - a.y) * dy, 0, len2, &bandLo, &bandHi)
                && constrain(dy, -a.x * dy - (y - a.y) * dx, -rLen, rLen, &bandLo, &bandHi)) {
                lo = std::min(lo, bandLo);
                hi = std::max(hi, bandHi);
            }
        }
        int first = 0, last = 0;
        if (!(lo <= hi) || !indexRange(lo, hi, mask.cols, &first, &last))
            continue;
        first = std::max(first, bounds.x);
        last = std::min(last, bounds.x + bounds.width - 1);
        if (first > last)
            continue;
        std::memset(mask.ptr<uchar>(y) + first, value, size_t(last - first + 1));
        minX = std::min(minX, first);
        maxX = std::max(maxX, last);
        if (minY < 0)
            minY = y;
        maxY = y;
    }
    if (maxY < 0)
        return {};
    return { minX, minY, maxX - minX + 1, maxY - minY + 1 };
}

cv::Rect MaskTools::polygonBounds(cv::Size size, const std::vector<cv::Point2f> &vertices)
{
    const std::vector<cv::Point> points = rasterVertices(vertices, size);
    if (points.empty())
        return {};
    const cv::Rect box = cv::boundingRect(points);
    // Back to whole pixels, one pixel of slack on each side for the rasteriser's rounding.
    const int x0 = (box.x >> kPolygonShift) - 1;
    const int y0 = (box.y >> kPolygonShift) - 1;
    const int x1 = ((box.x + box.width) >> kPolygonShift) + 2;
    const int y1 = ((box.y + box.height) >> kPolygonShift) + 2;
    return cv::Rect(x0, y0, x1 - x0, y1 - y0) & cv::Rect(0, 0, size.width, size.height);
}

cv::Rect MaskTools::polygon(cv::Mat &mask, const std::vector<cv::Point2f> &vertices, PaintMode mode)
{
    if (!isMask(mask))
        return {};
    const std::vector<cv::Point> points = rasterVertices(vertices, mask.size());
    if (points.empty())
        return {};
    const cv::Rect bounds = polygonBounds(mask.size(), vertices);
    if (bounds.empty())
        return {};
    cv::fillPoly(mask, std::vector<std::vector<cv::Point>> { points }, cv::Scalar(valueOf(mode)), cv::LINE_8,
        kPolygonShift);
    return bounds;
}

cv::Rect MaskTools::rectangle(cv::Mat &mask, const cv::Rect &rect, PaintMode mode)
{
    if (!isMask(mask))
        return {};
    const cv::Rect clipped = rect & imageRect(mask);
    if (clipped.empty())
        return {};
    mask(clipped).setTo(cv::Scalar(valueOf(mode)));
    return clipped;
}

cv::Rect MaskTools::pixelRect(cv::Point2f corner1, cv::Point2f corner2)
{
    if (!finite(corner1) || !finite(corner2))
        return {};
    constexpr double kLimit = 1e9;
    const double x0 = std::clamp(std::ceil(std::min(corner1.x, corner2.x) - 0.5), -kLimit, kLimit);
    const double x1 = std::clamp(std::floor(std::max(corner1.x, corner2.x) - 0.5), -kLimit, kLimit);
    const double y0 = std::clamp(std::ceil(std::min(corner1.y, corner2.y) - 0.5), -kLimit, kLimit);
    const double y1 = std::clamp(std::floor(std::max(corner1.y, corner2.y) - 0.5), -kLimit, kLimit);
    if (x0 > x1 || y0 > y1)
        return {};
    return { int(x0), int(y0), int(x1 - x0 + 1), int(y1 - y0 + 1) };
}

cv::Rect MaskTools::fillRegion(cv::Mat &mask, cv::Point seed, PaintMode mode)
{
    if (!isMask(mask) || !imageRect(mask).contains(seed))
        return {};
    const bool inside = mask.at<uchar>(seed) != 0;
    if (inside == (mode == PaintMode::Paint))
        return {};
    cv::Rect changed;
    cv::floodFill(mask, seed, cv::Scalar(valueOf(mode)), &changed, cv::Scalar(0), cv::Scalar(0),
        mode == PaintMode::Paint ? 4 : 8);
    return changed;
}

cv::Rect MaskTools::fillHoles(cv::Mat &mask)
{
    if (!isMask(mask))
        return {};
    // Works in place, without a temporary image: holes lie inside the bounding box of the inside
    // pixels; every outside region that is not a hole reaches the border of that box grown by one
    // pixel (the frame around the box is all outside). Those regions are flooded with a marker (1),
    // then holes (still 0) become 255 and markers 0 again.
    const cv::Rect box = cv::boundingRect(mask);
    if (box.empty())
        return {};
    const cv::Rect outer
        = cv::Rect(box.x - 1, box.y - 1, box.width + 2, box.height + 2) & imageRect(mask);
    cv::Mat roi = mask(outer);
    constexpr uchar kOutside = 1;
    auto seed = [&roi](int x, int y) {
        if (roi.at<uchar>(y, x) == 0)
            cv::floodFill(roi, cv::Point(x, y), cv::Scalar(kOutside), nullptr, cv::Scalar(0), cv::Scalar(0), 4);
    };
    for (int x = 0; x < roi.cols; ++x) {
        seed(x, 0);
        seed(x, roi.rows - 1);
    }
    for (int y = 0; y < roi.rows; ++y) {
        seed(0, y);
        seed(roi.cols - 1, y);
    }
    int minX = std::numeric_limits<int>::max(), maxX = -1, minY = -1, maxY = -1;
    const size_t w = size_t(roi.cols);
    for (int y = 0; y < roi.rows; ++y) {
        uchar *row = roi.ptr<uchar>(y);
        if (const void *first = std::memchr(row, 0, w)) {
            size_t last = w - 1;
            while (row[last] != 0)
                --last;
            minX = std::min(minX, int(static_cast<const uchar *>(first) - row));
            maxX = std::max(maxX, int(last));
            if (minY < 0)
                minY = y;
            maxY = y;
        }
        for (size_t x = 0; x < w; ++x) {
            const uchar v = row[x];
            row[x] = v == 0 ? uchar(255) : (v == kOutside ? uchar(0) : v);
        }
    }
    if (maxY < 0)
        return {};
    return cv::Rect(minX, minY, maxX - minX + 1, maxY - minY + 1) + outer.tl();
}

cv::Rect MaskTools::removeSpecks(cv::Mat &mask, int minPixels)
{
    if (!isMask(mask) || minPixels <= 1)
        return {};
    // In place, without a label image: each inside region (8-connected) is flooded with a marker
    // (254), which also counts its pixels; a small one is flooded again with 0. Markers become 255
    // at the end. Inside pixels are 255, as everywhere in a mask.
    const cv::Rect box = cv::boundingRect(mask);
    if (box.empty())
        return {};
    cv::Mat roi = mask(box);
    constexpr uchar kSeen = 254;
    cv::Rect changed;
    const size_t w = size_t(roi.cols);
    for (int y = 0; y < roi.rows; ++y) {
        uchar *row = roi.ptr<uchar>(y);
        size_t x = 0;
        while (x < w) {
            const auto *hit = static_cast<const uchar *>(std::memchr(row + x, 255, w - x));
            if (!hit)
                break;
            x = size_t(hit - row);
            const cv::Point seed(int(x), y);
            cv::Rect region;
            const int area = cv::floodFill(roi, seed, cv::Scalar(kSeen), &region, cv::Scalar(0), cv::Scalar(0), 8);
            if (area < minPixels) {
                cv::floodFill(roi, seed, cv::Scalar(0), nullptr, cv::Scalar(0), cv::Scalar(0), 8);
                changed = changed.empty() ? region : (changed | region);
            }
            ++x;
        }
    }
    for (int y = 0; y < roi.rows; ++y) {
        uchar *row = roi.ptr<uchar>(y);
        for (size_t x = 0; x < w; ++x)
            row[x] = row[x] == kSeen ? uchar(255) : row[x];
    }
    if (changed.empty())
        return {};
    return changed + box.tl();
}

cv::Rect MaskTools::smoothEdge(cv::Mat &mask, int radius)
{
    if (!isMask(mask) || radius < 1)
        return {};
    const cv::Rect box = cv::boundingRect(mask);
    if (box.empty())
        return {};
    // The result can differ from the mask only within the radius of an inside pixel, and only
    // where the kernel sees both inside and outside. Tile by tile: a tile whose neighbourhood
    // (the tile grown by the kernel's reach) is uniform stays as it is; the others are blurred
    // from the original pixels and written back once every tile has been computed.
    const cv::Rect whole = imageRect(mask);
    const int margin = radius + 1;
    const cv::Rect roi
        = cv::Rect(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin) & whole;
    const int tile = std::max(128, 2 * radius);
    const cv::Size kernel(2 * radius + 1, 2 * radius + 1);
    const double sigma = radius / 2.0;
    std::vector<std::pair<cv::Rect, cv::Mat>> results;
    cv::Rect changed;
    cv::Mat binary, blurred, smoothed, diff;
    for (int y = roi.y; y < roi.y + roi.height; y += tile) {
        for (int x = roi.x; x < roi.x + roi.width; x += tile) {
            const cv::Rect t = cv::Rect(x, y, tile, tile) & roi;
            const cv::Rect reach
                = cv::Rect(t.x - radius, t.y - radius, t.width + 2 * radius, t.height + 2 * radius) & whole;
            const int inside = cv::countNonZero(mask(reach));
            if (inside == 0 || inside == reach.area())
                continue;
            cv::compare(mask(reach), 0, binary, cv::CMP_NE);
            // Replicating the border only matters at the mask's edges: elsewhere the tile lies a
            // radius inside reach, so the kernel never leaves it.
            cv::GaussianBlur(binary, blurred, kernel, sigma, sigma, cv::BORDER_REPLICATE);
            const cv::Rect inReach = t - reach.tl();
            cv::compare(blurred(inReach), 128, smoothed, cv::CMP_GE);
            cv::compare(smoothed, mask(t), diff, cv::CMP_NE);
            const cv::Rect d = cv::boundingRect(diff);
            if (d.empty())
                continue;
            changed = changed.empty() ? (d + t.tl()) : (changed | (d + t.tl()));
            results.emplace_back(t, smoothed.clone());
        }
    }
    for (const auto &[t, result] : results)
        result.copyTo(mask(t));
    return changed;
}

} // namespace dl
