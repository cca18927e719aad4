// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/ImageProbe.h"

#include <QImage>
#include <QSize>
#include <QString>
#include <QStringList>

namespace dl {

// Decodes images to QImage with the EXIF orientation applied. Reentrant; every call owns its
// reader, so it may run on any number of worker threads at once.
//
// One decoder per format: Qt's image plugins (JPEG with libjpeg DCT scaling for reduced sizes,
// PNG, TIFF, WebP, BMP). OpenCV takes over only when Qt cannot: a missing plugin, or an image
// larger than Qt's allocation limit (QImageReader::allocationLimit(), 256 MB by default).
// Every JPEG is checked with JpegValidator and every PNG with PngValidator first, so damaged or
// cut-off data is an error, never an image with a grey bottom. Decoder messages of the calling
// thread are captured into Result::warnings and kept off stderr while a call runs (see the note
// in ImageDecoder.cpp).
class ImageDecoder
{
public:
    struct Result
    {
        QImage image; // Format_RGB32, or Format_ARGB32 when the image has alpha
        ImageHeader header; // what the probe found
        RejectReason reject = RejectReason::None;
        QString message;
        QStringList warnings; // what the decoder library said (kept off stderr)
        bool ok() const { return reject == RejectReason::None; }
    };

    // Probe (refusing more than pixelLimit pixels), validate, decode, orient. With a valid
    // maxSize the oriented result fits in it (aspect kept, never enlarged); JPEG is then decoded
    // at reduced size by libjpeg, other formats are decoded fully and area-averaged down.
    static Result decodeDetailed(
        QByteArrayView data, QSize maxSize = QSize(), qint64 pixelLimit = ImageProbe::DefaultPixelLimit);

    // Full decode to QImage (Format_RGB32 or Format_ARGB32 if alpha) with EXIF orientation
    // applied. Null QImage + *error on failure. Refuses images over pixelLimit from the header.
    static QImage decode(
        QByteArrayView data, QString *error, qint64 pixelLimit = ImageProbe::DefaultPixelLimit);
    // Decode scaled so the oriented image fits in maxSize (reduced-size JPEG decoding).
    static QImage decodeScaled(QByteArrayView data, QSize maxSize, QString *error);
    // Reads and decodes a file; the error message names the path.
    static QImage decodeFile(const QString &path, QString *error);
    // The two halves of decodeFile(), for callers that check something in between: the whole
    // file (*ok false and *error naming the path when it cannot be read), then its decode.
    static QByteArray readFile(const QString &path, QString *error, bool *ok);
    static QImage decodeFileBytes(QByteArrayView bytes, const QString &path, QString *error);

    // The image area-averaged to exactly size (RGB32 / ARGB32 in, same format out); the image
    // itself when it already has that size.
    static QImage scaledTo(const QImage &image, QSize size);

    // Applies EXIF orientation 1..8 (anything else is returned unchanged).
    static QImage applyOrientation(const QImage &image, int orientation);
    // Largest size with the aspect ratio of size that fits in box, never larger than size,
    // at least 1 x 1.
    static QSize fitSize(QSize size, QSize box);
};

} // namespace dl
