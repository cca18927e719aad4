// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>

#include <opencv2/core/mat.hpp>

#include <optional>

namespace dl {

/// STAPLE's estimate of one rater's performance.
struct RaterPerformance
{
    double sensitivity = 0.0; ///< P(rater says inside | truly inside)
    double specificity = 0.0; ///< P(rater says outside | truly outside)
};

struct StapleOptions
{
    /// The iteration cap: EM stops after this many passes whether or not it converged.
    int maxIterations = 1000;
    /// Converged when no rater's sensitivity or specificity moved by more than this in a pass
    /// (ITK's rule: a squared change of at most 1e-14).
    double tolerance = 1e-7;
    /// A pixel is in the consensus mask when its posterior is at least this.
    double threshold = 0.5;
    /// Pixels of the image outside the masks given, which every rater left outside: the masks
    /// may be the raters' bounding region of a larger image, and these pixels then count as what
    /// they are (vote pattern "nobody"), so the result is that of the whole image.
    qint64 outsidePixels = 0;
    /// Fill StapleResult::probability (a float per pixel of the masks).
    bool probabilityMap = true;
};

struct StapleResult
{
    cv::Mat mask;        ///< CV_8UC1, 255 where the posterior is at least the threshold
    cv::Mat probability; ///< CV_32FC1 posterior probability of "inside" (when asked for)
    double outsideProbability = 0.0; ///< the posterior of the outside pixels (nobody's vote)
    QList<RaterPerformance> raters; ///< in the order of the input masks
    double prior = 0.0;  ///< the prior probability of "inside" used
    int iterations = 0;  ///< EM passes (M step then E step) made
    bool converged = false;
    bool anyInside = false; ///< some rater marked some pixel
};

/// Consensus of several raters' region masks of one image (CV_8UC1, same size, nonzero =
/// inside).
class MaskConsensus
{
public:
    /// 255 where at least `minVotes` raters marked the pixel (1 <= minVotes <= raters);
    /// nullopt when the masks are empty, differ in size or type, or minVotes is out of range.
    static std::optional<cv::Mat> majority(const QList<cv::Mat> &masks, int minVotes);
    /// The strict majority: more than half the raters.
    static std::optional<cv::Mat> majority(const QList<cv::Mat> &masks);
    /// majority() into `out`, reusing its memory and that of `votes` (scratch) when they already
    /// have the masks' size: for exports that vote on thousands of 12 MP masks. False on bad input.
    static bool majorityInto(const QList<cv::Mat> &masks, int minVotes, cv::Mat &out, cv::Mat &votes);

    /// STAPLE (Warfield, Zou and Wells 2004) for binary masks: expectation maximisation of the
    /// hidden true segmentation T and each rater j's sensitivity p_j and specificity q_j, run
    /// as ITK's itk::STAPLEImageFilter runs it (tests/data/staple holds ITK's answers):
    /// - Prior: one global P(T = inside) = g, the mean over pixels of the share of raters who
    ///   marked the pixel (ITK's default confidence weight 1), fixed for the whole run.
    /// - Initialisation: the posterior W of each pixel starts as that share of votes, so the
    ///   first pass begins with the M step (no initial p, q to choose).
    /// - Each pass: M step p_j = sum(W where j marked) / sum(W), q_j = sum(1 - W where j did
    ///   not) / sum(1 - W); E step W = g a / (g a + (1 - g) b), a = prod(p_j or 1 - p_j),
    ///   b = prod(1 - q_j or q_j) over the raters' votes.
    /// - Convergence: after the second pass or later, no p_j or q_j moved by more than
    ///   `tolerance`; capped at `maxIterations` passes (converged false then).
    /// Edge cases: one rater or identical raters give their mask (p = q = 1); a rater who drew
    /// nothing gets sensitivity 0; when nobody marked anything (or everybody everything) there
    /// is nothing to estimate: no pass is run, the mask is empty (full), and every rater gets
    /// sensitivity and specificity 1 (nothing was missed or wrongly marked).
    /// Pixels with the same pattern of votes share their posterior, so each pass runs over at
    /// most 2^R patterns, not over the pixels (R <= 16 raters); for a 12 MP image pass the
    /// raters' bounding region and the rest as `outsidePixels`. nullopt on bad input as
    /// majority().
    static std::optional<StapleResult> staple(const QList<cv::Mat> &masks, const StapleOptions &options = {});

private:
    static bool compatible(const QList<cv::Mat> &masks);
};

} // namespace dl
