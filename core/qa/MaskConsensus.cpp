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
    if (!compatible(masks))
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
    const double pixels = double(size.area());

    StapleResult result;
    double inside = 0.0;
    for (int k = 0; k < patterns; ++k)
        inside += count[k] * std::popcount(unsigned(k));
    result.prior = std::clamp(inside / (pixels * raters), 1e-6, 1.0 - 1e-6);

    std::vector<double> p(raters, options.initialSensitivity), q(raters, options.initialSpecificity);
    std::vector<double> w(patterns, 0.0);
    // E step: posterior of "inside" for each pattern, in logs to stay stable with many raters.
    auto estep = [&] {
        for (int k = 0; k < patterns; ++k) {
            if (count[k] == 0.0)
                continue;
            double a = std::log(result.prior), b = std::log(1.0 - result.prior);
            for (int j = 0; j < raters; ++j) {
                const bool says = (k >> j) & 1;
                a += std::log(says ? p[j] : 1.0 - p[j]);
                b += std::log(says ? 1.0 - q[j] : q[j]);
            }
            const double m = std::max(a, b);
            w[k] = std::exp(a - m) / (std::exp(a - m) + std::exp(b - m));
        }
    };
    for (int iteration = 1; iteration <= options.maxIterations; ++iteration) {
        estep();
        // M step: each rater's sensitivity and specificity given the posteriors.
        double change = 0.0;
        for (int j = 0; j < raters; ++j) {
            double truePos = 0, allPos = 0, trueNeg = 0, allNeg = 0;
            for (int k = 0; k < patterns; ++k) {
                if (count[k] == 0.0)
                    continue;
                const bool says = (k >> j) & 1;
                allPos += count[k] * w[k];
                allNeg += count[k] * (1.0 - w[k]);
                if (says)
                    truePos += count[k] * w[k];
                else
                    trueNeg += count[k] * (1.0 - w[k]);
            }
            // Keep the estimates off 0 and 1 so the logs stay finite.
            const double np = std::clamp(allPos > 0 ? truePos / allPos : p[j], 1e-12, 1.0 - 1e-12);
            const double nq = std::clamp(allNeg > 0 ? trueNeg / allNeg : q[j], 1e-12, 1.0 - 1e-12);
            change = std::max({change, std::abs(np - p[j]), std::abs(nq - q[j])});
            p[j] = np;
            q[j] = nq;
        }
        result.iterations = iteration;
        if (change <= options.tolerance) {
            result.converged = true;
            break;
        }
    }

    estep(); // the posterior under the final estimates
    result.probability.create(size, CV_32FC1);
    result.mask.create(size, CV_8UC1);
    for (int y = 0; y < size.height; ++y) {
        const quint16 *pat = pattern.ptr<quint16>(y);
        float *prob = result.probability.ptr<float>(y);
        uchar *out = result.mask.ptr<uchar>(y);
        for (int x = 0; x < size.width; ++x) {
            prob[x] = float(w[pat[x]]);
            out[x] = w[pat[x]] >= 0.5 ? 255 : 0;
        }
    }
    for (int j = 0; j < raters; ++j)
        result.raters.append({p[j], q[j]});
    return result;
}

} // namespace dl
