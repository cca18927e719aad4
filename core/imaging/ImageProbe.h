// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/ImageFormat.h"

#include <QByteArrayView>
#include <QSize>
#include <QString>

namespace dl {

// What the container header says about an image, or why it was refused.
struct ImageHeader
{
    ImageFormat format = ImageFormat::Unknown;
    int width = 0, height = 0; // as stored (before EXIF orientation)
    int orientation = 1; // EXIF orientation 1..8 (JPEG APP1 Exif, TIFF tag 274; else 1)
    RejectReason reject = RejectReason::None;
    QString message; // human reason when rejected
    bool ok() const { return reject == RejectReason::None; }
    bool swapsAxes() const { return orientation >= 5 && orientation <= 8; }
    int orientedWidth() const { return swapsAxes() ? height : width; }
    int orientedHeight() const { return swapsAxes() ? width : height; }
    QSize size() const { return QSize(width, height); }
    QSize orientedSize() const { return QSize(orientedWidth(), orientedHeight()); }
    qint64 pixelCount() const { return qint64(width) * qint64(height); }
};

// Header-only inspection of an image in memory. Reentrant, no shared state, never decodes pixels.
class ImageProbe
{
public:
    static constexpr qint64 DefaultPixelLimit = 100'000'000;

    // Parses the container itself (JPEG SOFn, PNG IHDR, TIFF IFD0 256/257, WebP VP8/VP8L/VP8X,
    // BMP info header) and reads the EXIF orientation. Rejects empty data (Empty), recognised
    // formats we do not take such as GIF, HEIF/AVIF, ICO, PSD, JPEG 2000, DICOM (Unsupported),
    // anything else (NotAnImage), a header cut short or a stream without its end (Truncated:
    // JPEG needs an EOI marker after its first scan, PNG an IEND chunk, BMP/TIFF/WebP the bytes
    // their header promises), impossible headers (Corrupt) and width*height > pixelLimit
    // (TooLarge, decided from the header alone).
    static ImageHeader probe(QByteArrayView data, qint64 pixelLimit = DefaultPixelLimit);

    // Format from the leading bytes only (Unknown when not one of ours).
    static ImageFormat sniffFormat(QByteArrayView data);
};

} // namespace dl
