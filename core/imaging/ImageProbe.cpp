// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageProbe.h"

#include "imaging/PngValidator.h"
#include "imaging/ProbeSupport.h"

#include <QCoreApplication>
#include <array>
#include <cstring>
#include <limits>
#include <optional>

using namespace Qt::StringLiterals;

namespace dl {

using namespace probe;

namespace {

// ---------------------------------------------------------------------------------------------
// JPEG

ImageHeader probeJpeg(const Bytes &b, qint64 pixelLimit)
{
    ImageHeader h;
    h.format = ImageFormat::Jpeg;
    const QString truncatedHeader
        = QCoreApplication::translate("dl::ImageProbe", "JPEG data ends inside its header");
    bool haveFrame = false;
    bool haveExif = false;
    qint64 pos = 2;
    qint64 scanStart = -1;
    while (scanStart < 0) {
        if (!b.has(pos, 1))
            return reject(h, RejectReason::Truncated, truncatedHeader);
        if (b.u8(pos) != 0xFF) {
            return reject(h, RejectReason::Corrupt,
                QCoreApplication::translate("dl::ImageProbe", "JPEG header is damaged: no marker at byte %1")
                    .arg(pos));
        }
        while (b.has(pos, 1) && b.u8(pos) == 0xFF)
            ++pos; // fill bytes
        if (!b.has(pos, 1))
            return reject(h, RejectReason::Truncated, truncatedHeader);
        const quint8 marker = b.u8(pos++);
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue; // stand-alone markers without a length
        if (marker == 0x00 || marker == 0xD8) {
            return reject(h, RejectReason::Corrupt,
                QCoreApplication::translate(
                    "dl::ImageProbe", "JPEG header is damaged: unexpected marker 0x%1 at byte %2")
                    .arg(int(marker), 2, 16, QLatin1Char('0'))
                    .arg(pos - 1));
        }
        if (marker == 0xD9)
            return reject(h, RejectReason::Corrupt,
                QCoreApplication::translate("dl::ImageProbe", "JPEG file ends before any image data"));
        if (!b.has(pos, 2))
            return reject(h, RejectReason::Truncated, truncatedHeader);
        const qint64 length = b.be16(pos);
        if (length < 2) {
            return reject(h, RejectReason::Corrupt,
                QCoreApplication::translate(
                    "dl::ImageProbe", "JPEG header is damaged: bad segment length at byte %1")
                    .arg(pos));
        }
        if (!b.has(pos, length))
            return reject(h, RejectReason::Truncated, truncatedHeader);
        const qint64 seg = pos + 2;
        const qint64 segLength = length - 2;

        if (marker == 0xE1 && !haveExif && segLength >= 14 && b.startsWith(seg, "Exif\0\0", 6)) {
            haveExif = true;
            h.orientation = exifOrientation(Bytes { b.p + seg + 6, qsizetype(segLength - 6) });
        } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            if (haveFrame)
                return reject(h, RejectReason::Corrupt,
                    QCoreApplication::translate(
                        "dl::ImageProbe", "JPEG file has more than one frame header"));
            haveFrame = true;
            const bool supported
                = marker == 0xC0 || marker == 0xC1 || marker == 0xC2 || marker == 0xC9 || marker == 0xCA;
            if (!supported) {
                return reject(h, RejectReason::Unsupported,
                    QCoreApplication::translate(
                        "dl::ImageProbe", "lossless or hierarchical JPEG (SOF%1) is not supported")
                        .arg(marker - 0xC0));
            }
            if (segLength < 6)
                return reject(h, RejectReason::Corrupt,
                    QCoreApplication::translate("dl::ImageProbe", "JPEG frame header is too short"));
            const int precision = b.u8(seg);
            const int height = b.be16(seg + 1);
            const int width = b.be16(seg + 3);
            const int components = b.u8(seg + 5);
            h.width = width;
            h.height = height;
            if (precision != 8) {
                return reject(h, RejectReason::Unsupported,
                    QCoreApplication::translate("dl::ImageProbe", "%1-bit JPEG is not supported")
                        .arg(precision));
            }
            if (components == 0 || segLength < 6 + 3 * components)
                return reject(h, RejectReason::Corrupt,
                    QCoreApplication::translate("dl::ImageProbe", "JPEG frame header is damaged"));
            if (components != 1 && components != 3 && components != 4) {
                return reject(h, RejectReason::Unsupported,
                    QCoreApplication::translate(
                        "dl::ImageProbe", "JPEG with %1 colour components is not supported")
                        .arg(components));
            }
            for (int c = 0; c < components; ++c) {
                const int sampling = b.u8(seg + 6 + 3 * c + 1);
                const int hs = sampling >> 4, vs = sampling & 15;
                if (hs < 1 || hs > 4 || vs < 1 || vs > 4)
                    return reject(h, RejectReason::Corrupt,
                        QCoreApplication::translate(
                            "dl::ImageProbe", "JPEG frame header has bad sampling factors"));
            }
            if (auto bad = checkSize(h, u"JPEG"_s, width, height, pixelLimit))
                return *bad;
        } else if (marker == 0xDA) {
            if (!haveFrame)
                return reject(h, RejectReason::Corrupt,
                    QCoreApplication::translate(
                        "dl::ImageProbe", "JPEG image data starts before the frame header"));
            scanStart = pos + length;
        }
        pos += length;
    }

    // Completeness: an EOI marker after the entropy-coded data. Entropy-coded data cannot
    // contain FF D9 (FF is stuffed as FF 00), so the last FF D9 after the first scan header is
    // the end of the image; whatever follows it (padding, camera trailers) is tolerated.
    bool haveEoi = false;
    for (qint64 i = b.n - 2; i >= scanStart; --i) {
        if (b.p[i] == 0xFF && b.p[i + 1] == 0xD9) {
            haveEoi = true;
            break;
        }
    }
    if (!haveEoi)
        return reject(h, RejectReason::Truncated,
            QCoreApplication::translate("dl::ImageProbe", "JPEG data ends before the end-of-image marker"));
    return h;
}

// ---------------------------------------------------------------------------------------------
// PNG

ImageHeader probePng(const Bytes &b, qint64 pixelLimit)
{
    ImageHeader h;
    h.format = ImageFormat::Png;
    if (!b.has(8, 8))
        return reject(h, RejectReason::Truncated,
            QCoreApplication::translate("dl::ImageProbe", "PNG data ends inside its header"));
    if (b.startsWith(12, "CgBI", 4))
        return reject(h, RejectReason::Unsupported,
            QCoreApplication::translate("dl::ImageProbe", "Apple-optimised PNG (CgBI) is not supported"));
    if (b.be32(8) != 13 || !b.startsWith(12, "IHDR", 4))
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "PNG file does not start with an IHDR chunk"));
    if (!b.has(8, 25))
        return reject(h, RejectReason::Truncated,
            QCoreApplication::translate("dl::ImageProbe", "PNG data ends inside its header"));
    if (PngValidator::crc32(b.p + 12, 17) != b.be32(29))
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "PNG header (IHDR) has a bad CRC"));
    const quint32 width = b.be32(16);
    const quint32 height = b.be32(20);
    h.width = width <= quint32(std::numeric_limits<int>::max()) ? int(width) : 0;
    h.height = height <= quint32(std::numeric_limits<int>::max()) ? int(height) : 0;
    const int depth = b.u8(24), colorType = b.u8(25);
    bool validDepth = false;
    switch (colorType) {
    case 0:
        validDepth = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
        break;
    case 3:
        validDepth = depth == 1 || depth == 2 || depth == 4 || depth == 8;
        break;
    case 2:
    case 4:
    case 6:
        validDepth = depth == 8 || depth == 16;
        break;
    default:
        break;
    }
    if (!validDepth || b.u8(26) != 0 || b.u8(27) != 0 || b.u8(28) > 1) {
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate(
                "dl::ImageProbe", "PNG header has an invalid pixel format (colour type %1, depth %2)")
                .arg(colorType)
                .arg(depth));
    }
    if (auto bad = checkSize(h, u"PNG"_s, width, height, pixelLimit))
        return *bad;

    // Completeness: an IEND chunk after IHDR (normally the last 12 bytes).
    static const char iend[] = "\0\0\0\0IEND\xAE\x42\x60\x82";
    if (b.n >= 45 && std::memcmp(b.p + b.n - 12, iend, 12) == 0)
        return h;
    for (qint64 i = b.n - 8; i >= 33; --i) {
        if (std::memcmp(b.p + i, "IEND", 4) == 0)
            return h;
    }
    return reject(h, RejectReason::Truncated,
        QCoreApplication::translate("dl::ImageProbe", "PNG data ends before the IEND chunk"));
}


// ---------------------------------------------------------------------------------------------
// WebP

ImageHeader probeWebP(const Bytes &b, qint64 pixelLimit)
{
    ImageHeader h;
    h.format = ImageFormat::WebP;
    const QString truncatedHeader
        = QCoreApplication::translate("dl::ImageProbe", "WebP data ends inside its header");
    if (!b.has(0, 20))
        return reject(h, RejectReason::Truncated, truncatedHeader);
    const quint64 riffSize = b.le32(4);
    if (riffSize < 12)
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "WebP header is damaged"));
    const qint64 payload = 20;
    const quint32 chunkSize = b.le32(16);
    qint64 width = 0, height = 0;
    if (b.startsWith(12, "VP8 ", 4)) {
        if (!b.has(payload, 10) || chunkSize < 10)
            return reject(h, RejectReason::Truncated, truncatedHeader);
        const quint32 tag = b.le24(payload);
        if ((tag & 1) != 0 || !b.startsWith(payload + 3, "\x9D\x01\x2A", 3))
            return reject(h, RejectReason::Corrupt,
                QCoreApplication::translate("dl::ImageProbe", "WebP (VP8) frame header is damaged"));
        width = b.le16(payload + 6) & 0x3FFF;
        height = b.le16(payload + 8) & 0x3FFF;
    } else if (b.startsWith(12, "VP8L", 4)) {
        if (!b.has(payload, 5) || chunkSize < 5)
            return reject(h, RejectReason::Truncated, truncatedHeader);
        const quint32 bits = b.le32(payload + 1);
        if (b.u8(payload) != 0x2F || (bits >> 29) != 0)
            return reject(h, RejectReason::Corrupt,
                QCoreApplication::translate("dl::ImageProbe", "WebP (VP8L) header is damaged"));
        width = qint64(bits & 0x3FFF) + 1;
        height = qint64((bits >> 14) & 0x3FFF) + 1;
    } else if (b.startsWith(12, "VP8X", 4)) {
        if (!b.has(payload, 10) || chunkSize < 10)
            return reject(h, RejectReason::Truncated, truncatedHeader);
        width = qint64(b.le24(payload + 4)) + 1;
        height = qint64(b.le24(payload + 7)) + 1;
    } else {
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "WebP file has no image chunk"));
    }
    h.width = int(width);
    h.height = int(height);
    if (auto bad = checkSize(h, u"WebP"_s, width, height, pixelLimit))
        return *bad;
    if (quint64(b.n) < riffSize + 8) {
        return reject(h, RejectReason::Truncated,
            QCoreApplication::translate("dl::ImageProbe", "WebP data ends early: %1 of %2 bytes present")
                .arg(b.n)
                .arg(riffSize + 8));
    }
    return h;
}

// ---------------------------------------------------------------------------------------------
// BMP

ImageHeader probeBmp(const Bytes &b, qint64 pixelLimit)
{
    ImageHeader h;
    h.format = ImageFormat::Bmp;
    const QString truncatedHeader
        = QCoreApplication::translate("dl::ImageProbe", "BMP data ends inside its header");
    if (!b.has(0, 18))
        return reject(h, RejectReason::Truncated, truncatedHeader);
    const quint32 dataOffset = b.le32(10);
    const quint32 infoSize = b.le32(14);
    qint64 width = 0, height = 0;
    int bitCount = 0;
    quint32 compression = 0;
    if (infoSize == 12) {
        if (!b.has(14, 12))
            return reject(h, RejectReason::Truncated, truncatedHeader);
        width = b.le16(18);
        height = b.le16(20);
        bitCount = b.le16(24);
    } else if (infoSize == 16 || infoSize == 40 || infoSize == 52 || infoSize == 56 || infoSize == 64
        || infoSize == 108 || infoSize == 124) {
        if (!b.has(14, 16))
            return reject(h, RejectReason::Truncated, truncatedHeader);
        width = qint32(b.le32(18));
        height = qint32(b.le32(22));
        bitCount = b.le16(28);
        if (infoSize >= 40) {
            if (!b.has(14, 40))
                return reject(h, RejectReason::Truncated, truncatedHeader);
            compression = b.le32(30);
        }
    } else {
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "BMP header has an unknown size (%1)")
                .arg(infoSize));
    }
    const bool topDown = height < 0;
    height = topDown ? -height : height;
    h.width = int(std::min<qint64>(width, std::numeric_limits<int>::max()));
    h.height = int(std::min<qint64>(height, std::numeric_limits<int>::max()));
    if (compression == 4 || compression == 5)
        return reject(h, RejectReason::Unsupported,
            QCoreApplication::translate(
                "dl::ImageProbe", "BMP with embedded JPEG or PNG data is not supported"));
    const bool uncompressed = compression == 0 || compression == 3 || compression == 6;
    const bool rle = (compression == 1 && bitCount == 8) || (compression == 2 && bitCount == 4);
    const bool validBits = bitCount == 1 || bitCount == 4 || bitCount == 8 || bitCount == 16 || bitCount == 24
        || bitCount == 32;
    if ((!uncompressed && !rle) || !validBits || (topDown && rle)) {
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate(
                "dl::ImageProbe", "BMP header has an invalid pixel format (%1 bits, compression %2)")
                .arg(bitCount)
                .arg(compression));
    }
    if (auto bad = checkSize(h, u"BMP"_s, width, height, pixelLimit))
        return *bad;
    if (dataOffset < 14 + infoSize) {
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "BMP header has a bad pixel data offset"));
    }
    qint64 needed = qint64(dataOffset) + 1;
    if (uncompressed) {
        const qint64 stride = ((width * bitCount + 31) / 32) * 4;
        needed = qint64(dataOffset) + stride * height;
    }
    if (b.n < needed) {
        return reject(h, RejectReason::Truncated,
            QCoreApplication::translate("dl::ImageProbe", "BMP data ends early: %1 of %2 bytes present")
                .arg(b.n)
                .arg(needed));
    }
    return h;
}

// ---------------------------------------------------------------------------------------------
// Everything that is not one of ours

bool looksLikeText(const Bytes &b)
{
    const qsizetype n = std::min<qsizetype>(b.n, 1024);
    for (qsizetype i = 0; i < n; ++i) {
        const uchar c = b.p[i];
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            return false;
        if (c == 0x7F)
            return false;
    }
    return true;
}

// Recognised image formats we do not accept: their label, or an empty string.
QString unsupportedFormat(const Bytes &b)
{
    if (b.startsWith(0, "GIF87a", 6) || b.startsWith(0, "GIF89a", 6))
        return u"GIF"_s;
    if (b.startsWith(4, "ftyp", 4) && b.has(8, 4)) {
        static const char *const heif[]
            = { "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis" };
        for (const char *brand : heif) {
            if (b.startsWith(8, brand, 4))
                return std::memcmp(brand, "avi", 3) == 0 ? u"AVIF"_s : u"HEIF/HEIC"_s;
        }
        if (b.startsWith(8, "crx ", 4))
            return u"Canon CR3 raw"_s;
        return QString();
    }
    if (b.has(0, 6) && b.u8(0) == 0 && b.u8(1) == 0 && (b.u8(2) == 1 || b.u8(2) == 2) && b.u8(3) == 0
        && b.le16(4) > 0 && b.le16(4) < 256)
        return b.u8(2) == 1 ? u"ICO"_s : u"CUR"_s;
    if (b.startsWith(0, "8BPS", 4))
        return u"Photoshop (PSD)"_s;
    if (b.startsWith(0, "\0\0\0\x0CjP  \r\n\x87\n", 12) || b.startsWith(0, "\xFF\x4F\xFF\x51", 4))
        return u"JPEG 2000"_s;
    if (b.startsWith(0, "\xFF\x0A", 2) || b.startsWith(0, "\0\0\0\x0CJXL \r\n\x87\n", 12))
        return u"JPEG XL"_s;
    if (b.startsWith(128, "DICM", 4))
        return u"DICOM"_s;
    if (b.startsWith(0, "qoif", 4))
        return u"QOI"_s;
    if (b.startsWith(0, "\x76\x2F\x31\x01", 4))
        return u"OpenEXR"_s;
    if (b.startsWith(0, "#?RADIANCE", 10) || b.startsWith(0, "#?RGBE", 6))
        return u"Radiance HDR"_s;
    if (b.startsWith(0, "gimp xcf", 8))
        return u"GIMP XCF"_s;
    if (b.startsWith(0, "icns", 4))
        return u"ICNS"_s;
    if (b.startsWith(0, "II*\0", 4) && b.startsWith(8, "CR", 2))
        return u"Canon CR2 raw"_s;
    if (b.startsWith(0, "IIRO", 4) || b.startsWith(0, "IIRS", 4) || b.startsWith(0, "MMOR", 4))
        return u"Olympus ORF raw"_s;
    if (b.startsWith(0, "IIU\0", 4))
        return u"Panasonic RW2 raw"_s;
    if (b.startsWith(0, "FUJIFILMCCD-RAW", 15))
        return u"Fujifilm RAF raw"_s;
    if (b.has(0, 3) && b.u8(0) == 'P' && b.u8(1) >= '1' && b.u8(1) <= '7'
        && (b.u8(2) == '\n' || b.u8(2) == ' ' || b.u8(2) == '\r' || b.u8(2) == '\t'))
        return u"Netpbm"_s;
    if (looksLikeText(b)) {
        const QByteArrayView head(reinterpret_cast<const char *>(b.p), std::min<qsizetype>(b.n, 1024));
        if (head.indexOf(QByteArrayView("<svg")) >= 0)
            return u"SVG"_s;
    }
    return QString();
}

QString notAnImageHint(const Bytes &b)
{
    if (b.startsWith(0, "%PDF", 4))
        return QCoreApplication::translate("dl::ImageProbe", "looks like a PDF document");
    if (b.startsWith(0, "PK\x03\x04", 4) || b.startsWith(0, "PK\x05\x06", 4))
        return QCoreApplication::translate("dl::ImageProbe", "looks like a ZIP archive");
    if (b.startsWith(4, "ftyp", 4))
        return QCoreApplication::translate("dl::ImageProbe", "looks like a video or other ISO media file");
    if (b.startsWith(0, "RIFF", 4))
        return QCoreApplication::translate("dl::ImageProbe", "looks like a RIFF file that is not WebP");
    if (b.startsWith(0, "\x1F\x8B", 2))
        return QCoreApplication::translate("dl::ImageProbe", "looks like gzip-compressed data");
    if (b.startsWith(0, "SQLite format 3", 15))
        return QCoreApplication::translate("dl::ImageProbe", "looks like an SQLite database");
    if (looksLikeText(b))
        return QCoreApplication::translate("dl::ImageProbe", "looks like text");
    return QString();
}

} // namespace

ImageFormat ImageProbe::sniffFormat(QByteArrayView data)
{
    const Bytes b { reinterpret_cast<const uchar *>(data.data()), data.size() };
    if (b.startsWith(0, "\xFF\xD8\xFF", 3))
        return ImageFormat::Jpeg;
    if (b.startsWith(0, "\x89PNG\r\n\x1A\n", 8))
        return ImageFormat::Png;
    if (b.startsWith(0, "II*\0", 4) || b.startsWith(0, "MM\0*", 4) || b.startsWith(0, "II+\0", 4)
        || b.startsWith(0, "MM\0+", 4))
        return ImageFormat::Tiff;
    if (b.startsWith(0, "RIFF", 4) && b.startsWith(8, "WEBP", 4))
        return ImageFormat::WebP;
    if (b.startsWith(0, "BM", 2) && b.has(0, 18))
        return ImageFormat::Bmp;
    return ImageFormat::Unknown;
}

ImageHeader ImageProbe::probe(QByteArrayView data, qint64 pixelLimit)
{
    const Bytes b { reinterpret_cast<const uchar *>(data.data()), data.size() };
    if (b.n == 0)
        return reject(ImageHeader(), RejectReason::Empty,
            QCoreApplication::translate("dl::ImageProbe", "The file is empty"));

    const ImageFormat format = sniffFormat(data);
    switch (format) {
    case ImageFormat::Jpeg:
        return probeJpeg(b, pixelLimit);
    case ImageFormat::Png:
        return probePng(b, pixelLimit);
    case ImageFormat::Tiff: {
        const QString raw = unsupportedFormat(b);
        if (!raw.isEmpty()) {
            ImageHeader h;
            h.format = ImageFormat::Tiff;
            return reject(h, RejectReason::Unsupported,
                QCoreApplication::translate("dl::ImageProbe", "%1 files are not supported").arg(raw));
        }
        return probeTiff(b, pixelLimit);
    }
    case ImageFormat::WebP:
        return probeWebP(b, pixelLimit);
    case ImageFormat::Bmp:
        return probeBmp(b, pixelLimit);
    case ImageFormat::Unknown:
        break;
    }

    // Too short to tell, but the start of one of our signatures.
    const auto cutSignature = [&b](const char *sig, qsizetype len) {
        return b.n >= 2 && b.n < len && std::memcmp(b.p, sig, size_t(b.n)) == 0;
    };
    if (cutSignature("\xFF\xD8\xFF", 3) || cutSignature("\x89PNG\r\n\x1A\n", 8) || cutSignature("II*\0", 4)
        || cutSignature("MM\0*", 4) || (b.n < 12 && b.startsWith(0, "RIFF", 4))
        || (b.n < 18 && b.startsWith(0, "BM", 2))) {
        return reject(ImageHeader(), RejectReason::Truncated,
            QCoreApplication::translate("dl::ImageProbe", "The data ends inside the image header"));
    }

    const QString other = unsupportedFormat(b);
    if (!other.isEmpty())
        return reject(ImageHeader(), RejectReason::Unsupported,
            QCoreApplication::translate("dl::ImageProbe", "%1 images are not supported").arg(other));
    const QString hint = notAnImageHint(b);
    return reject(ImageHeader(), RejectReason::NotAnImage,
        hint.isEmpty()
            ? QCoreApplication::translate("dl::ImageProbe", "The data is not a recognised image")
            : QCoreApplication::translate("dl::ImageProbe", "The data is not a recognised image (%1)")
                  .arg(hint));
}

} // namespace dl
