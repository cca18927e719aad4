// SPDX-License-Identifier: GPL-3.0-or-later
// TIFF headers: TIFF files themselves and the EXIF block inside JPEG files.
#include "imaging/ProbeSupport.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace dl::probe {

namespace {

// ---------------------------------------------------------------------------------------------
// TIFF structures (TIFF files and the EXIF block of JPEG files)

struct TiffView
{
    Bytes b;
    bool little = true;
    bool big = false; // BigTIFF

    quint16 u16(qint64 o) const { return little ? b.le16(o) : b.be16(o); }
    quint32 u32(qint64 o) const { return little ? b.le32(o) : b.be32(o); }
    quint64 u64(qint64 o) const { return little ? b.le64(o) : b.be64(o); }
    int countSize() const { return big ? 8 : 2; }
    int entrySize() const { return big ? 20 : 12; }
    int valueFieldSize() const { return big ? 8 : 4; }
};

struct TiffEntry
{
    quint16 tag = 0;
    quint16 type = 0;
    quint64 count = 0;
    qint64 valueField = 0; // offset of the inline value / pointer field
};

int tiffTypeSize(quint16 type)
{
    switch (type) {
    case 1:
    case 2:
    case 6:
    case 7:
        return 1;
    case 3:
    case 8:
        return 2;
    case 4:
    case 9:
    case 11:
    case 13:
        return 4;
    case 5:
    case 10:
    case 12:
    case 16:
    case 17:
    case 18:
        return 8;
    default:
        return 0;
    }
}

// Integer value number index of an entry (SHORT, LONG, LONG8 and their signed forms);
// nullopt when the value lies outside the data or the type is not an integer.
std::optional<quint64> tiffValue(const TiffView &t, const TiffEntry &e, quint64 index)
{
    const int size = tiffTypeSize(e.type);
    if (size == 0 || index >= e.count)
        return std::nullopt;
    if (e.count > quint64(std::numeric_limits<qint64>::max()) / quint64(size))
        return std::nullopt;
    const quint64 total = e.count * quint64(size);
    qint64 base = e.valueField;
    if (total > quint64(t.valueFieldSize())) {
        const quint64 pointer = t.big ? t.u64(e.valueField) : t.u32(e.valueField);
        if (pointer > quint64(std::numeric_limits<qint64>::max()))
            return std::nullopt;
        base = qint64(pointer);
    }
    // index < count and count * size fits, but base + index * size may not: checked.
    qint64 step = 0, at = 0;
    if (__builtin_mul_overflow(qint64(index), qint64(size), &step) || __builtin_add_overflow(base, step, &at))
        return std::nullopt;
    if (!t.b.has(at, size))
        return std::nullopt;
    switch (e.type) {
    case 1:
    case 6:
    case 7:
        return t.b.u8(at);
    case 3:
    case 8:
        return t.u16(at);
    case 4:
    case 9:
    case 13:
        return t.u32(at);
    case 16:
    case 17:
    case 18:
        return t.u64(at);
    default:
        return std::nullopt;
    }
}

// Parses the TIFF byte-order header; returns the first IFD offset or nullopt.
std::optional<quint64> tiffHeader(TiffView &t)
{
    if (!t.b.has(0, 8))
        return std::nullopt;
    if (t.b.startsWith(0, "II", 2))
        t.little = true;
    else if (t.b.startsWith(0, "MM", 2))
        t.little = false;
    else
        return std::nullopt;
    const quint16 magic = t.u16(2);
    if (magic == 42) {
        t.big = false;
        return t.u32(4);
    }
    if (magic == 43 && t.b.has(0, 16) && t.u16(4) == 8 && t.u16(6) == 0) {
        t.big = true;
        return t.u64(8);
    }
    return std::nullopt;
}

int validOrientation(quint64 value)
{
    return value >= 1 && value <= 8 ? int(value) : 1;
}

} // namespace

// EXIF orientation from an APP1 payload that follows "Exif\0\0". Broken EXIF data is ignored
// (as decoders do): the answer is then 1.
int exifOrientation(Bytes tiffBytes)
{
    TiffView t { tiffBytes };
    const auto ifd = tiffHeader(t);
    if (!ifd || t.big || *ifd < 8 || !t.b.has(qint64(*ifd), 2))
        return 1;
    const qint64 at = qint64(*ifd);
    const quint16 count = t.u16(at);
    for (quint16 i = 0; i < count; ++i) {
        const qint64 e = at + 2 + qint64(i) * 12;
        if (!t.b.has(e, 12))
            return 1;
        if (t.u16(e) == 274) {
            const TiffEntry entry { 274, t.u16(e + 2), t.u32(e + 4), e + 8 };
            const auto v = tiffValue(t, entry, 0);
            return v ? validOrientation(*v) : 1;
        }
    }
    return 1;
}

// ---------------------------------------------------------------------------------------------
// TIFF

ImageHeader probeTiff(const Bytes &b, qint64 pixelLimit)
{
    ImageHeader h;
    h.format = ImageFormat::Tiff;
    TiffView t { b };
    const QString truncatedHeader
        = QCoreApplication::translate("dl::ImageProbe", "TIFF data ends inside its header");
    const bool bigTiff = b.startsWith(0, "II+\0", 4) || b.startsWith(0, "MM\0+", 4);
    if (!b.has(0, bigTiff ? 16 : 8))
        return reject(h, RejectReason::Truncated, truncatedHeader);
    const auto firstIfd = tiffHeader(t);
    if (!firstIfd)
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "TIFF header is damaged"));
    const quint64 headerSize = t.big ? 16 : 8;
    if (*firstIfd < headerSize)
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "TIFF header has no valid image directory"));
    if (*firstIfd > quint64(b.n) || !b.has(qint64(*firstIfd), t.countSize()))
        return reject(h, RejectReason::Truncated, truncatedHeader);
    const qint64 ifd = qint64(*firstIfd);
    const quint64 count = t.big ? t.u64(ifd) : t.u16(ifd);
    if (count == 0)
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "TIFF image directory is empty"));
    if (count > quint64(b.n) / quint64(t.entrySize())
        || !b.has(ifd + t.countSize(), qint64(count) * t.entrySize()))
        return reject(h, RejectReason::Truncated, truncatedHeader);

    std::optional<quint64> width, height;
    std::optional<TiffEntry> offsets, byteCounts;
    quint64 subfileType = 0;
    bool isDng = false;
    for (quint64 i = 0; i < count; ++i) {
        const qint64 e = ifd + t.countSize() + qint64(i) * t.entrySize();
        TiffEntry entry;
        entry.tag = t.u16(e);
        entry.type = t.u16(e + 2);
        entry.count = t.big ? t.u64(e + 4) : t.u32(e + 4);
        entry.valueField = e + (t.big ? 12 : 8);
        switch (entry.tag) {
        case 254:
            subfileType = tiffValue(t, entry, 0).value_or(0);
            break;
        case 256:
            width = tiffValue(t, entry, 0);
            break;
        case 257:
            height = tiffValue(t, entry, 0);
            break;
        case 274:
            h.orientation = validOrientation(tiffValue(t, entry, 0).value_or(1));
            break;
        case 273:
        case 324:
            offsets = entry;
            break;
        case 279:
        case 325:
            byteCounts = entry;
            break;
        case 50706:
            isDng = true;
            break;
        default:
            break;
        }
    }
    if (isDng)
        return reject(h, RejectReason::Unsupported,
            QCoreApplication::translate("dl::ImageProbe", "DNG camera raw files are not supported"));
    if (!width || !height)
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "TIFF image directory has no image size"));
    h.width = *width <= quint64(std::numeric_limits<int>::max()) ? int(*width) : 0;
    h.height = *height <= quint64(std::numeric_limits<int>::max()) ? int(*height) : 0;
    const qint64 w = *width > quint64(std::numeric_limits<qint64>::max() / 2) ? -1 : qint64(*width);
    const qint64 ht = *height > quint64(std::numeric_limits<qint64>::max() / 2) ? -1 : qint64(*height);
    if (auto bad = checkSize(h, u"TIFF"_s, w, ht, pixelLimit))
        return *bad;
    if (subfileType & 1) {
        return reject(h, RejectReason::Unsupported,
            QCoreApplication::translate(
                "dl::ImageProbe", "TIFF first image is a reduced-resolution preview (camera raw file?)"));
    }
    if (!offsets)
        return reject(h, RejectReason::Corrupt,
            QCoreApplication::translate("dl::ImageProbe", "TIFF image directory has no image data"));

    // Completeness: every strip or tile must lie inside the data.
    if (byteCounts) {
        const quint64 n = std::min(offsets->count, byteCounts->count);
        quint64 end = 0;
        for (quint64 i = 0; i < n; ++i) {
            const auto off = tiffValue(t, *offsets, i);
            const auto len = tiffValue(t, *byteCounts, i);
            if (!off || !len)
                return reject(h, RejectReason::Truncated, truncatedHeader);
            if (*off > quint64(std::numeric_limits<qint64>::max()) - *len)
                return reject(h, RejectReason::Corrupt,
                    QCoreApplication::translate("dl::ImageProbe", "TIFF image data offsets are damaged"));
            end = std::max(end, *off + *len);
        }
        if (end > quint64(b.n)) {
            return reject(h, RejectReason::Truncated,
                QCoreApplication::translate("dl::ImageProbe", "TIFF data ends early: %1 of %2 bytes present")
                    .arg(b.n)
                    .arg(end));
        }
    } else if (!tiffValue(t, *offsets, 0)) {
        return reject(h, RejectReason::Truncated, truncatedHeader);
    }
    return h;
}

} // namespace dl::probe
