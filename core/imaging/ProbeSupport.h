// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private to core/imaging: what the per-format header parsers share.

#include "imaging/ImageProbe.h"

#include <QCoreApplication>
#include <QString>

#include <cstring>
#include <limits>
#include <optional>

namespace dl::probe {

// Bounds-checked big/little-endian reads over the probed bytes.
struct Bytes
{
    const uchar *p = nullptr;
    qsizetype n = 0;

    bool has(qint64 offset, qint64 length) const
    {
        return offset >= 0 && length >= 0 && offset <= n && length <= n - offset;
    }
    bool startsWith(qint64 offset, const char *sig, qsizetype len) const
    {
        return has(offset, len) && std::memcmp(p + offset, sig, size_t(len)) == 0;
    }
    quint8 u8(qint64 o) const { return p[o]; }
    quint16 be16(qint64 o) const { return quint16((p[o] << 8) | p[o + 1]); }
    quint16 le16(qint64 o) const { return quint16(p[o] | (p[o + 1] << 8)); }
    quint32 le24(qint64 o) const
    {
        return quint32(p[o]) | (quint32(p[o + 1]) << 8) | (quint32(p[o + 2]) << 16);
    }
    quint32 be32(qint64 o) const { return (quint32(be16(o)) << 16) | be16(o + 2); }
    quint32 le32(qint64 o) const { return quint32(le16(o)) | (quint32(le16(o + 2)) << 16); }
    quint64 le64(qint64 o) const { return quint64(le32(o)) | (quint64(le32(o + 4)) << 32); }
    quint64 be64(qint64 o) const { return (quint64(be32(o)) << 32) | be32(o + 4); }
};

inline ImageHeader reject(ImageHeader header, RejectReason reason, const QString &message)
{
    header.reject = reason;
    header.message = message;
    return header;
}

inline QString megapixels(qint64 pixels)
{
    return QString::number(double(pixels) / 1e6, 'g', 6);
}

// Shared last step once the size is known: impossible sizes are corrupt, huge ones too large.
inline std::optional<ImageHeader> checkSize(
    const ImageHeader &header, const QString &formatLabel, qint64 width, qint64 height, qint64 pixelLimit)
{
    if (width <= 0 || height <= 0 || width > std::numeric_limits<int>::max()
        || height > std::numeric_limits<int>::max()) {
        return reject(header, RejectReason::Corrupt,
            QCoreApplication::translate(
                "dl::ImageProbe", "%1 header gives an impossible image size (%2 x %3)")
                .arg(formatLabel)
                .arg(width)
                .arg(height));
    }
    if (pixelLimit > 0 && width * height > pixelLimit) {
        return reject(header, RejectReason::TooLarge,
            QCoreApplication::translate("dl::ImageProbe", "%1 x %2 pixels exceeds the limit of %3 megapixels")
                .arg(width)
                .arg(height)
                .arg(megapixels(pixelLimit)));
    }
    return std::nullopt;
}

/// TIFF files (little- and big-endian, BigTIFF).
ImageHeader probeTiff(const Bytes &b, qint64 pixelLimit);
/// The orientation tag (274) of an EXIF block, which is a TIFF structure; 1 when absent.
int exifOrientation(Bytes tiffBytes);

} // namespace dl::probe
