// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <opencv2/core/mat.hpp>

namespace dl {

// Lossless PNG forms of CV_8UC1 masks: the store's label image, the exported binary mask, and the
// LabelMe "mask" shape.
class MaskCodec
{
public:
    // 8-bit greyscale PNG of the label image, every value 0..255 kept exactly. zlib level 1 with
    // the default strategy: quick to write and quickest to read back. Empty result for an empty
    // mask or a type other than CV_8UC1.
    static QByteArray encodePng(const cv::Mat &mask);
    // CV_8UC1 exactly as stored. An empty Mat and *error on garbage, on a truncated file and on a
    // PNG that is not 8-bit greyscale.
    static cv::Mat decodePng(QByteArrayView png, QString *error);

    // 8-bit greyscale PNG with 0 (outside) and 255 (inside, any nonzero value of the mask), as
    // exported in masks/<image_id>/<label>.png. Level 6 with zlib's RLE strategy (small files);
    // the empty rows above and below the region cost next to nothing (see writeGreyPng).
    static QByteArray encodeBinaryPng(const cv::Mat &mask);

    // A LabelMe shape {label, points, group_id, description, shape_type: "mask", flags, mask}:
    // points is the inclusive bounding box [[x1, y1], [x2, y2]] of the nonzero pixels and mask the
    // base64 PNG of that patch with values 0/1. An empty QJsonObject when the mask has no pixel set.
    // `within`, when not empty, is a rectangle that holds every nonzero pixel (a bounding box known
    // from the mask's run-length form, say): only that part is searched.
    static QJsonObject toLabelMeMaskShape(const cv::Mat &mask, const QString &label,
                                          const cv::Rect &within = cv::Rect());
    // The full-size CV_8UC1 mask (0/255) of a LabelMe "mask" shape placed in a height x width image.
    // Accepts 1-bit, 8-bit and 16-bit greyscale patches (LabelMe itself writes 1-bit PNGs) and
    // colour ones (nonzero in any channel = inside). Fails with *error when the shape is not a mask
    // shape, the points or the PNG are malformed, the patch size differs from the box, or the box
    // leaves the image.
    static cv::Mat fromLabelMeMaskShape(const QJsonObject &shape, int height, int width,
                                        QString *error);
};

} // namespace dl
