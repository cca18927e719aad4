// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "segmentation/CancelCheck.h"
#include "segmentation/WorkingScale.h"

#include <QFuture>
#include <memory>
#include <opencv2/core/mat.hpp>

class QImage;

namespace dl {

/// An assisted-segmentation session on one image with OpenCV's GrabCut: start from a box or from
/// rough foreground / background strokes, then refine with more strokes; every step re-uses the
/// label map and the colour models of the previous one.
///
/// Work happens on the working copy (WorkingScale, longest side 800 px by default, converted to CIE
/// Lab, in which the colour models separate lesion from skin better than in BGR) and only on the
/// region around the possible foreground (the box, or the foreground strokes, grown by a margin of
/// a quarter of their size for the background colour model); everything farther out is sure
/// background. Results are full-size CV_8UC1 masks (0 / 255): the working label map interpolated
/// bilinearly (WorkingScale::upscaleMask), then every stroke pixel painted so far forced to its side
/// at full resolution.
///
/// Inputs are in full-size coordinates: the box a cv::Rect, strokes CV_8UC1 masks of the image size
/// (nonzero = stroke; an empty cv::Mat = no stroke).
/// - A box: inside is possible foreground, outside sure background (GrabCut's rule). The box must
///   leave some of the image outside it.
/// - Strokes to start: foreground strokes are sure foreground, background strokes sure background,
///   and the rest of the foreground strokes' bounding box grown by its own size on every side is
///   possible background (GrabCut then claims what looks like the foreground strokes).
/// - Refinement strokes: sure foreground / background. A foreground stroke outside the region that
///   could still become foreground (say, a lobe cut off by a tight box) opens its neighbourhood again,
///   except for pixels the user marked as background.
///
/// Results are deterministic (the k-means seeding of the colour models uses a fixed random state),
/// so the async calls give the same masks as the sync ones.
///
/// Threads: the handle belongs to one thread (the UI); the work can run on any thread. Operations on
/// one session are serialised; the async ones keep the session alive until they finish even if the
/// handle is destroyed. A cancelled or failed step changes nothing.
class GrabCutSegmenter
{
public:
    static constexpr int kDefaultIterations = 5;

    /// A session on an 8-bit BGR image (or grey, or BGRA such as a wrapped QImage::Format_RGB32:
    /// WorkingScale::isSupportedImage()). The image is shared, not copied: do not modify it while the
    /// session lives. The working copy is made lazily by the first step, on the thread that runs it.
    explicit GrabCutSegmenter(const cv::Mat &image, int workingLongSide = WorkingScale::kDefaultLongSide);
    /// Same on a QImage: shared without a copy when WorkingScale::view() can (the session keeps a
    /// copy of the QImage, so the caller may modify or drop its own), else converted once.
    explicit GrabCutSegmenter(const QImage &image, int workingLongSide = WorkingScale::kDefaultLongSide);
    ~GrabCutSegmenter();
    GrabCutSegmenter(const GrabCutSegmenter &) = delete;
    GrabCutSegmenter &operator=(const GrabCutSegmenter &) = delete;
    GrabCutSegmenter(GrabCutSegmenter &&) noexcept;
    GrabCutSegmenter &operator=(GrabCutSegmenter &&) noexcept;

    /// GrabCut iterations per step (clamped to 1..100); default kDefaultIterations. Read when a step
    /// is called.
    int iterations() const { return m_iterations; }
    void setIterations(int iterations);

    cv::Size imageSize() const;
    /// The geometry of the working copy (known from the start, before any work).
    WorkingScale workingScale() const;

    /// The full-size mask of a new session seeded by a box (a copy: the caller owns it). Empty (and
    /// the session unchanged) when the image is empty or unsupported, the box is empty or leaves no
    /// background, or the work was cancelled.
    cv::Mat startFromRect(const cv::Rect &box, const CancelCheck &cancelled = {});
    /// The full-size mask of a new session seeded by strokes. Empty (unchanged) when there is no
    /// foreground stroke, the masks do not match the image, or on cancellation.
    cv::Mat startFromStrokes(
        const cv::Mat &foreground, const cv::Mat &background, const CancelCheck &cancelled = {});
    /// The refined full-size mask after more strokes (either may be empty). Empty (unchanged) when no
    /// session was started, both strokes are empty, or on cancellation.
    cv::Mat refine(const cv::Mat &foreground, const cv::Mat &background, const CancelCheck &cancelled = {});

    /// The same steps on the global thread pool (the stroke masks are copied first, so the caller
    /// may reuse them). The future holds one mask (empty when the input was refused, as above) or,
    /// when cancelled with QFuture::cancel(), no result; cancellation is checked between GrabCut
    /// iterations.
    QFuture<cv::Mat> startFromRectAsync(const cv::Rect &box);
    QFuture<cv::Mat> startFromStrokesAsync(const cv::Mat &foreground, const cv::Mat &background);
    QFuture<cv::Mat> refineAsync(const cv::Mat &foreground, const cv::Mat &background);

    /// Whether a step has completed, so that refine() has something to refine.
    bool hasResult() const;
    /// A copy of the full-size mask of the last completed step; empty before the first one.
    cv::Mat mask() const;
    /// Forgets the segmentation (keeps the working copy).
    void reset();

private:
    class Session;
    struct Request;
    static QFuture<cv::Mat> runAsync(std::shared_ptr<Session> session, Request request);
    std::shared_ptr<Session> m_session;
    int m_iterations = kDefaultIterations;
};

} // namespace dl
