// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>
#include <vector>

namespace dl {

/// Whether a tool sets pixels (255, inside) or clears them (0, outside).
enum class PaintMode
{
    Paint,
    Erase
};

/// The editing tools, as undo steps know them (a step merges only with one of the same tool).
/// Assisted is a GrabCut (or other whole-result) step; Superpixel a dab of the superpixel brush.
/// New tools go at the end: MaskEditCommand::commandId() follows the order.
enum class MaskTool
{
    Brush,
    Eraser,
    Polygon,
    Rectangle,
    Fill,
    FillHoles,
    RemoveSpecks,
    SmoothEdge,
    Assisted,
    Superpixel
};

/// Raster tools on a region mask: CV_8UC1, 0 = outside, 255 = inside, the size of the image as
/// displayed (EXIF orientation applied).
///
/// Coordinates: points are continuous image coordinates in which pixel (x, y) covers
/// [x, x + 1) x [y, y + 1) and has its centre at (x + 0.5, y + 0.5) (what a canvas's widget-to-image
/// mapping gives). A tool decides per pixel centre. Everything is clipped to the mask; points may lie
/// outside it.
///
/// Each tool returns the rectangle it changed: every pixel whose value changed lies inside it (it may
/// also hold unchanged pixels; the morphology helpers return the exact bounding box of the changes).
/// An empty rectangle means nothing changed. The *Bounds functions give, before a tool runs, a
/// rectangle that will contain its changes (to back the pixels up for undo).
class MaskTools
{
public:
    /// Smallest brush radius: with it every pixel the segment passes through has its centre within
    /// the radius, so a stroke is 4-connected however fast the pointer moves.
    static constexpr float MinBrushRadius = 0.7072f;

    /// A round brush dragged from \a from to \a to: sets (or clears) every pixel whose centre lies
    /// within \a radius of the segment (a capsule). A stroke is a polyline of such segments, each
    /// starting where the previous ended; consecutive capsules overlap in a disc, so there are no gaps.
    /// A click is a segment with from == to (a disc). The radius is raised to MinBrushRadius.
    /// Works row by row on the capsule's bounding box only: a few microseconds for radius 20.
    static cv::Rect brushSegment(
        cv::Mat &mask, cv::Point2f from, cv::Point2f to, float radius, PaintMode mode);
    static cv::Rect brushBounds(cv::Size size, cv::Point2f from, cv::Point2f to, float radius);

    /// Fills a polygon (lasso) given by its vertices, closed implicitly; a pixel is set when its
    /// centre lies inside or on the outline (cv::fillPoly on a 1/256-pixel grid, so vertices at pixel
    /// centres give exactly cv::fillPoly's result for the integer vertices). Fewer than 3 vertices
    /// change nothing; vertices more than a million pixels away are clipped first.
    static cv::Rect polygon(cv::Mat &mask, const std::vector<cv::Point2f> &vertices, PaintMode mode);
    static cv::Rect polygonBounds(cv::Size size, const std::vector<cv::Point2f> &vertices);

    /// Sets (or clears) the pixels of \a rect (pixel indices), clipped to the mask.
    static cv::Rect rectangle(cv::Mat &mask, const cv::Rect &rect, PaintMode mode);
    /// The pixels whose centres lie in the rectangle spanned by two corner points (in any order),
    /// for the rectangle tool.
    static cv::Rect pixelRect(cv::Point2f corner1, cv::Point2f corner2);

    /// Paint: fills the connected region of outside pixels that contains \a seed (4-connected, so a
    /// painted boundary holds even where it is only diagonally connected). Erase: clears the connected
    /// region of inside pixels that contains \a seed (8-connected, a whole painted blob). Nothing
    /// happens when the seed pixel is already what the fill would make it, or lies outside the mask.
    static cv::Rect fillRegion(cv::Mat &mask, cv::Point seed, PaintMode mode);

    /// Sets every hole: each outside region (4-connected) that does not reach the mask's border.
    /// In place, no temporary images.
    static cv::Rect fillHoles(cv::Mat &mask);
    /// Clears every inside region (8-connected) of fewer than \a minPixels pixels. In place, no
    /// label image; expects inside pixels to be 255 (values other than 0 and 255 are not masks).
    static cv::Rect removeSpecks(cv::Mat &mask, int minPixels);
    /// Smooths the outline: Gaussian blur (sigma radius / 2, kernel 2 * radius + 1) and a threshold
    /// at half. Straight edges stay where they are; corners round off; bumps, notches and specks
    /// narrower than about the radius disappear. radius < 1 changes nothing.
    static cv::Rect smoothEdge(cv::Mat &mask, int radius);

    /// True for a CV_8UC1 mask with at least one pixel: what every tool expects.
    static bool isMask(const cv::Mat &mask) { return !mask.empty() && mask.type() == CV_8UC1; }
};

} // namespace dl
