// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/ImageProbe.h"

#include <QByteArray>
#include <QImage>
#include <QString>

namespace dl {

struct Thumbnail
{
    QByteArray jpeg; // JPEG-encoded thumbnail (sRGB, quality 85), longest edge <= maxEdge
    int width = 0, height = 0;
    RejectReason reject = RejectReason::None;
    QString message;
    bool ok() const { return reject == RejectReason::None; }
};

// Thumbnails for the import pipeline. Reentrant and thread-safe (no shared state).
class ThumbnailMaker
{
public:
    static constexpr int DefaultMaxEdge = 256;
    static constexpr int JpegQuality = 85;

    // Decodes at reduced size (JPEG: libjpeg DCT scaling, never a full decode followed by a
    // resize; other formats: full decode, then area averaging), applies the EXIF orientation and
    // fits the result into maxEdge x maxEdge (never enlarging). Transparent areas are put on
    // white, colours are converted to sRGB. The decode validates the pixel data: a damaged
    // stream -> Corrupt, data that ends early -> Truncated; a rejected header is passed through
    // unchanged. header should come from ImageProbe::probe() on the same data (a default
    // ImageHeader is accepted too: the data is probed again here in any case).
    static Thumbnail make(QByteArrayView data, const ImageHeader &header, int maxEdge = DefaultMaxEdge);

    // Encodes an image as JPEG the way thumbnails are stored (alpha onto white, sRGB, no ICC).
    static QByteArray encodeJpeg(const QImage &image, int quality = JpegQuality);
};

} // namespace dl
