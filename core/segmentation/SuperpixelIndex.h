// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "segmentation/CancelCheck.h"
#include "segmentation/WorkingScale.h"

#include <QFuture>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <vector>

namespace dl {

/// SLIC superpixels of one image for the superpixel brush: computed once per image (in the
/// background) on the working copy, kept as a working-size label map, and painted into full-size
/// masks superpixel by superpixel.
///
/// A full-size pixel belongs to the superpixel of its working pixel (WorkingScale's mapping), so
/// "a whole superpixel" means the same set of full-size pixels for paint(), erase(), labelAt() and
/// bounds(). The image is smoothed (3 x 3 Gaussian) and converted to CIE Lab before SLIC, and
/// connectivity is enforced, so every superpixel is one 4-connected region.
///
/// Immutable once computed and cheap to copy (the data are shared): safe to use from any thread.
class SuperpixelIndex
{
public:
    enum class Algorithm
    {
        Slico, ///< zero-parameter SLIC: adapts the compactness per superpixel (default)
        Mslic, ///< manifold SLIC: smaller superpixels where the content is dense
        Slic, ///< plain SLIC with a fixed compactness (ruler)
    };

    struct Options
    {
        Algorithm algorithm = Algorithm::Slico;
        /// Superpixel size in working pixels; 0 chooses about 1/50 of the working long side (16 px
        /// at 800 px, so about 1900 superpixels and 80 full-size pixels across on a 4000 px photo:
        /// a lesion of a sixth of the image is some eight superpixels wide). At least 4.
        int regionSize = 0;
        float ruler = 10.0f; ///< compactness of Slic and Mslic
        int iterations = 10;
        int minElementSizePercent = 25; ///< smaller fragments merge into a neighbour (0..100)
        int workingLongSide = WorkingScale::kDefaultLongSide;
    };

    /// A null index (isNull()); paint() and erase() do nothing on it.
    SuperpixelIndex();

    /// Computes the superpixels of an 8-bit BGR image (or grey or BGRA:
    /// WorkingScale::isSupportedImage()). Null for an empty or unsupported image or when cancelled:
    /// checked before and after SLIC runs, and between iterations for Slic (Slico and Mslic keep
    /// state only within one OpenCV call, so their iterations run in one piece).
    static SuperpixelIndex compute(
        const cv::Mat &image, const Options &options, const CancelCheck &cancelled = {});
    static SuperpixelIndex compute(const cv::Mat &image) { return compute(image, Options()); }
    /// The same on the global thread pool; no result when cancelled with QFuture::cancel(). The
    /// image is shared, not copied: do not modify it until the future has finished.
    static QFuture<SuperpixelIndex> computeAsync(const cv::Mat &image, const Options &options);
    static QFuture<SuperpixelIndex> computeAsync(const cv::Mat &image)
    {
        return computeAsync(image, Options());
    }

    bool isNull() const;
    /// Number of superpixels; labels run from 0 to count() - 1.
    int count() const;
    cv::Size imageSize() const;
    WorkingScale workingScale() const;
    /// The region size SLIC ran with (working pixels).
    int regionSize() const;
    /// The label map: CV_32SC1 of the working size. Shared with the index: read only.
    cv::Mat labels() const;

    /// The superpixel of a full-size pixel; -1 outside the image or on a null index.
    int labelAt(cv::Point fullPoint) const;
    /// The full-size bounding rectangle of a superpixel (empty for an unknown label).
    cv::Rect bounds(int label) const;
    /// The superpixels that the brush disc touches: every label of a full-size pixel p with
    /// |p - centre| <= radius (radius < 0 counts as 0), sorted ascending.
    std::vector<int> labelsTouched(cv::Point centre, int radius) const;

    /// Sets to 255 every full-size pixel of every superpixel the disc touches, in a CV_8UC1 mask of
    /// imageSize(). Returns the bounding rectangle of the pixels that changed (empty if none, or
    /// when the mask does not fit).
    cv::Rect paint(cv::Mat &mask, cv::Point centre, int radius) const;
    /// Same, setting the pixels to 0.
    cv::Rect erase(cv::Mat &mask, cv::Point centre, int radius) const;
    /// Sets every full-size pixel of the given superpixels to `value`; returns the changed bounds.
    cv::Rect fill(cv::Mat &mask, const std::vector<int> &labels, uchar value) const;

private:
    struct Data;
    explicit SuperpixelIndex(std::shared_ptr<const Data> data);
    std::shared_ptr<const Data> m_data;
};

} // namespace dl
