// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QImage>
#include <QSize>
#include <QString>

#include <opencv2/core/mat.hpp>

namespace dl {

// Burns identifying regions (faces, tattoos, text ...) into an image before it is exported.
//
// The region mask (CV_8UC1, nonzero = redact, the size of the image as exported, i.e. after EXIF
// orientation) is first dilated by dilatePixels with a round kernel, so anti-aliased or slightly
// short region edges leak nothing; only pixels inside the dilated region change.
//
// Fill (the default) paints the region a flat neutral grey, #808080 (opaque): unlike black it cannot
// be mistaken for a pigmented lesion or a shadow on skin, and unlike a skin tone it is plainly a
// redaction. Blur replaces the region with a heavy low-pass of the image: the region and its
// surroundings are averaged in square cells of blurCell() pixels and smoothed back up. A cell is at
// least 1/40 of the image's longer side (and 8 pixels), and large enough that the region is at most
// 8 cells across, so a face or a line of text becomes a few soft blobs whatever its size.
class Redactor
{
public:
    enum class Mode
    {
        Fill,
        Blur
    };

    struct Options
    {
        Mode mode = Mode::Fill;
        QColor fillColor = QColor(128, 128, 128);
        int dilatePixels = 2;
    };

    // The image with the region burned in, in Format_RGB32 (or Format_ARGB32 when the image has
    // alpha). A null image and *error when the region's size or type does not match.
    static QImage redact(const QImage &image, const cv::Mat &region, const Options &options, QString *error);
    static QImage redact(const QImage &image, const cv::Mat &region, QString *error)
    {
        return redact(image, region, Options(), error);
    }
    // In place on an 8-bit cv::Mat with 1, 3 (BGR) or 4 (BGRA) channels.
    static bool redactInPlace(cv::Mat &image, const cv::Mat &region, const Options &options, QString *error);

    // The averaging cell of the blur for a region whose bounding box has regionSize.
    static int blurCell(QSize imageSize, QSize regionSize = QSize());
};

} // namespace dl
