// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/MaskConsensus.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

namespace dl {

bool MaskConsensus::compatible(const QList<cv::Mat> &masks)
{
    if (masks.isEmpty() || masks.size() > 16)
        return false;
    const cv::Mat &first = masks.first();
    if (first.empty())
        return false;
    return std::all_of(masks.cbegin(), masks.cend(), [&](const cv::Mat &m) {
        return m.type() == CV_8UC1 && m.size() == first.size();
    });
}

std::optional<cv::Mat> MaskConsensus::majority(const QList<cv::Mat> &masks, int minVotes)
{
    cv::Mat out, votes;
    if (!majorityInto(masks, minVotes, out, votes))
        return std::nullopt;
    return out;
}

bool MaskConsensus::majorityInto(const QList<cv::Mat> &masks, int minVotes, cv::Mat &out, cv::Mat &votes)
{
    if (!compatible(masks) || minVotes < 1 || minVotes > masks.size())
        return false;
    // Whole-image vectorised kernels into reused buffers: a vote is 1 where the value is nonzero.
    cv::threshold(masks.first(), votes, 0, 1, cv::THRESH_BINARY);
    for (qsizetype j = 1; j < masks.size(); ++j) {
        cv::threshold(masks.at(j), out, 0, 1, cv::THRESH_BINARY); // `out` is scratch until the last step
        cv::add(votes, out, votes);
    }
    cv::compare(votes, minVotes - 1, out, cv::CMP_GT);
    return true;
}

std::optional<cv::Mat> MaskConsensus::majority(const QList<cv::Mat> &masks)
{
    return majority(masks, int(masks.size()) / 2 + 1);
}

std::optional<StapleResult> MaskConsensus::staple(const QList<cv::Mat> &masks, const StapleOptions &options)
{
    if (!compatible(masks) || options.outsidePixels < 0 || options.maxIterations < 1)
        return std::nullopt;
    const int raters = int(masks.size());
    const int patterns = 1 << raters;
    const cv::Size size = masks.first().size();

    // The vote pattern of every pixel (bit j: rater j says inside) and how often each occurs.
    cv::Mat pattern = cv::Mat::zeros(size, CV_16UC1);
    for (int j = 0; j < raters; ++j) {
        const cv::Mat &m = masks.at(j);
        for (int y = 0; y < size.height; ++y) {
            const uchar *in = m.ptr<uchar>(y);
            quint16 *out = pattern.ptr<quint16>(y);
            for (int x = 0; x < size.width; ++x)
                out[x] |= quint16(in[x] != 0) << j;
        }
    }
    std::vector<double> count(patterns, 0.0);
    for (int y = 0; y < size.height; ++y) {
        const quint16 *p = pattern.ptr<quint16>(y);
        for (int x = 0; x < size.width; ++x)
            count[p[x]] += 1.0;
    }
    count[0] += double(options.outsidePixels);
    const double pixels = double(size.area()) + double(options.outsidePixels);

    // The initial posterior of each pattern is its share of votes; their mean is the prior.
    std::vector<double> w(patterns, 0.0);
    double votes = 0.0;
    for (int k = 0; k < patterns; ++k) {
        w[k] = double(std::popcount(unsigned(k))) / raters;
        votes += count[k] * w[k];
    }
    StapleResult result;
    result.prior = votes / pixels;
    result.anyInside = votes > 0.0;
    std::vector<double> p(raters, 1.0), q(raters, 1.0);

    if (votes > 0.0 && votes < pixels) {
        std::vector<double> lastP(raters, 0.0), lastQ(raters, 0.0);
        const double tolerance2 = options.tolerance * options.tolerance;
        for (int iteration = 1; iteration <= options.maxIterations; ++iteration) {
            // M step: each rater's sensitivity and specificity given the posteriors.
            for (int j = 0; j < raters; ++j) {
                double truePos = 0, allPos = 0, trueNeg = 0, allNeg = 0;
                for (int k = 0; k < patterns; ++k) {
                    if (count[k] == 0.0)
                        continue;
                    allPos += count[k] * w[k];
                    allNeg += count[k] * (1.0 - w[k]);
                    if ((k >> j) & 1)
                        truePos += count[k] * w[k];
                    else
                        trueNeg += count[k] * (1.0 - w[k]);
                }
                // A zero denominator (every posterior 0 or 1) leaves the estimate where it was.
                if (allPos > 0.0)
                    p[j] = truePos / allPos;
                if (allNeg > 0.0)
                    q[j] = trueNeg / allNeg;
            }
            // E step: the posterior of "inside" for each pattern.
            for (int k = 0; k < patterns; ++k) {
                if (count[k] == 0.0)
                    continue;
                double a = 1.0, b = 1.0;
                for (int j = 0; j < raters; ++j) {
                    const bool says = (k >> j) & 1;
                    a *= says ? p[j] : 1.0 - p[j];
                    b *= says ? 1.0 - q[j] : q[j];
                }
                const double inside = result.prior * a, outside = (1.0 - result.prior) * b;
                // Both zero: the raters certain of opposite answers; the votes' share decides.
                w[k] = inside + outside > 0.0 ? inside / (inside + outside) : double(std::popcount(unsigned(k))) / raters;
            }
            result.iterations = iteration;
            bool still = iteration == 1;
            for (int j = 0; j < raters && !still; ++j) {
                still = (p[j] - lastP[j]) * (p[j] - lastP[j]) > tolerance2
                    || (q[j] - lastQ[j]) * (q[j] - lastQ[j]) > tolerance2;
            }
            lastP = p;
            lastQ = q;
            if (!still) {
                result.converged = true;
                break;
            }
        }
    } else {
        // Nobody marked anything, or everybody everything: nothing to estimate.
        result.converged = true;
        for (int k = 0; k < patterns; ++k)
            w[k] = votes > 0.0 ? 1.0 : 0.0;
    }

    result.outsideProbability = w[0];
    if (options.probabilityMap)
        result.probability.create(size, CV_32FC1);
    result.mask.create(size, CV_8UC1);
    for (int y = 0; y < size.height; ++y) {
        const quint16 *pat = pattern.ptr<quint16>(y);
        uchar *out = result.mask.ptr<uchar>(y);
        for (int x = 0; x < size.width; ++x)
            out[x] = w[pat[x]] >= options.threshold ? 255 : 0;
        if (options.probabilityMap) {
            float *prob = result.probability.ptr<float>(y);
            for (int x = 0; x < size.width; ++x)
                prob[x] = float(w[pat[x]]);
        }
    }
    for (int j = 0; j < raters; ++j)
        result.raters.append({p[j], q[j]});
    return result;
}

} // namespace dl
