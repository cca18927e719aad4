// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <opencv2/core/mat.hpp>
#include <vector>

class QImage;

namespace dl {

/// The geometry between a full-size image and the downscaled working copy that the assisted
/// segmentation tools compute on.
///
/// The working copy has its longest side at most longSide (kDefaultLongSide = 800 px) and is never
/// larger than the image. 800 px keeps a lesion-sized GrabCut at well under 100 ms per iteration and a
/// whole-image SLIC at a few hundred milliseconds on one core, while a 12-megapixel photo still has one
/// working pixel per 5 x 5 full-size pixels; masks come back to full size with edges interpolated, not
/// as 5-pixel stairs.
///
/// Pixel mapping (used by every tool, so that they agree): full-size column X belongs to working
/// column floor((X + 0.5) * w / W), where W and w are the full and working widths (rows likewise).
/// Each working pixel therefore owns a contiguous block of full-size pixels, as cv::INTER_AREA sees it.
class WorkingScale
{
public:
    static constexpr int kDefaultLongSide = 800;

    WorkingScale() = default;
    /// A null scale for an empty size; longSide below 16 counts as 16.
    explicit WorkingScale(cv::Size fullSize, int longSide = kDefaultLongSide);

    bool isNull() const { return m_full.empty(); }
    cv::Size fullSize() const { return m_full; }
    cv::Size size() const { return m_working; }
    /// Working over full size per axis (1.0 when the image is not downscaled).
    double scaleX() const;
    double scaleY() const;

    /// The working pixel of a full-size pixel (coordinates clamped into the image).
    cv::Point toWorking(cv::Point full) const;
    /// The smallest working rectangle holding every working pixel of the full-size pixels in `full`
    /// (clipped to the image; empty when nothing is left).
    cv::Rect toWorking(const cv::Rect &full) const;
    /// Every full-size pixel that maps into the working rectangle (clipped to the working image).
    cv::Rect toFull(const cv::Rect &working) const;

    /// Full-size to working index tables: columnMap()[X] is the working column of full column X.
    const std::vector<int> &columnMap() const { return m_colMap; }
    const std::vector<int> &rowMap() const { return m_rowMap; }
    /// Working to full: the full-size columns of working column x are [columnStart()[x],
    /// columnStart()[x + 1]); the tables have one entry more than the working size.
    const std::vector<int> &columnStart() const { return m_colStart; }
    const std::vector<int> &rowStart() const { return m_rowStart; }

    /// The working copy of a full-size image (cv::INTER_AREA); the image itself when not downscaled.
    /// Empty when the size does not match fullSize().
    cv::Mat downscale(const cv::Mat &full) const;
    /// The working copy as BGR CV_8UC3, from an 8-bit grey, BGR or BGRA image (isSupportedImage());
    /// channels are converted after the downscale, so a QImage's BGRA buffer (Format_RGB32 /
    /// ARGB32 wrapped as CV_8UC4) costs no full-size conversion. Empty when unsupported.
    cv::Mat downscaleToBgr(const cv::Mat &full) const;
    /// 8-bit with 1 (grey), 3 (BGR) or 4 (BGRA) channels, not empty.
    static bool isSupportedImage(const cv::Mat &image);

    /// A working-size CV_8UC1 mask (0 / 255) in which a working pixel is set when any of its
    /// full-size pixels is nonzero in `fullMask` (so a thin stroke survives the downscale).
    /// *workingBounds (if given) receives the bounding rectangle of the set working pixels. Empty
    /// when fullMask is empty or not a CV_8UC1 mask of fullSize().
    cv::Mat maskToWorking(const cv::Mat &fullMask, cv::Rect *workingBounds = nullptr) const;

    /// A full-size CV_8UC1 mask (0 / 255) from a working-size mask (nonzero = inside): the mask is
    /// interpolated bilinearly at every full-size pixel centre and thresholded at one half, which
    /// gives smooth edges where nearest upscaling gives stairs. Only the full-size pixels near
    /// `workingRoi` are computed (the rest is 0), so the caller promises that the working mask is 0
    /// outside it; an empty workingRoi means the whole image.
    cv::Mat upscaleMask(const cv::Mat &workingMask, const cv::Rect &workingRoi = {}) const;

    /// A deep BGR copy (CV_8UC3) of a QImage of any format; empty for a null image. Convert once per
    /// image and hand the result to the tools.
    static cv::Mat toBgr(const QImage &image);
    /// A cv::Mat sharing the QImage's pixels, without a copy, when the format allows: Format_RGB32,
    /// ARGB32 and ARGB32_Premultiplied as BGRA CV_8UC4 (little-endian hosts), BGR888 as CV_8UC3,
    /// Grayscale8 as CV_8UC1; empty otherwise (use toBgr()). Valid while that QImage (or a copy of
    /// it) lives unmodified.
    static cv::Mat view(const QImage &image);

private:
    cv::Size m_full;
    cv::Size m_working;
    std::vector<int> m_colMap, m_rowMap;
    std::vector<int> m_colStart, m_rowStart;
};

} // namespace dl
