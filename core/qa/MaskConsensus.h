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

struct StapleResult
{
    cv::Mat mask;        ///< CV_8UC1, 255 where the posterior is at least 0.5
    cv::Mat probability; ///< CV_32FC1 posterior probability of "inside"
    QList<RaterPerformance> raters; ///< in the order of the input masks
    double prior = 0.0;  ///< the prior probability of "inside" used
    int iterations = 0;
    bool converged = false;
};

struct StapleOptions
{
    double initialSensitivity = 0.99;
    double initialSpecificity = 0.99;
    int maxIterations = 200;
    double tolerance = 1e-9; ///< stop when no parameter moves more than this
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

    /// STAPLE (Warfield, Zou and Wells 2004) for binary masks: expectation maximisation of
    /// the hidden true segmentation and each rater's sensitivity and specificity, with a
    /// global prior (the mean share of inside pixels over raters). Pixels with the same
    /// pattern of votes share their posterior, so each iteration runs over at most 2^R
    /// patterns, not over the pixels (R <= 16 raters). nullopt on bad input as majority().
    static std::optional<StapleResult> staple(const QList<cv::Mat> &masks, const StapleOptions &options = {});

private:
    static bool compatible(const QList<cv::Mat> &masks);
};

} // namespace dl
