// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/MetadataStripper.h"

#include "export/IccProfile.h"
#include "imaging/ImageProbe.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QImageWriter>

#include <array>
#include <cstring>
#include <limits>

#include <zlib.h>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::MetadataStripper", text);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

void addNote(QStringList *notes, const QString &note)
{
    if (notes)
        notes->append(note);
}

quint32 be16(const char *p)
{
    return (quint32(uchar(p[0])) << 8) | quint32(uchar(p[1]));
}

quint32 be32(const char *p)
{
    return (quint32(uchar(p[0])) << 24) | (quint32(uchar(p[1])) << 16) | (quint32(uchar(p[2])) << 8)
        | quint32(uchar(p[3]));
}

QString hex(uint value, int width = 2)
{
    return u"0x"_s + QString::number(value, 16).toUpper().rightJustified(width, u'0');
}

// ---------------------------------------------------------------------------------------------
// JPEG

enum class JpegPartKind
{
    Segment,
    Standalone,
    Entropy
};

struct JpegPart
{
    JpegPartKind kind = JpegPartKind::Segment;
    uchar marker = 0;
    qsizetype begin = 0, end = 0; // Segment: the payload after the length; Entropy: the bytes
};

struct JpegLayout
{
    QList<JpegPart> parts; // after SOI, up to and including EOI
    qsizetype trailing = 0; // bytes after EOI
};

bool isSof(uchar m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

// Walks the marker structure: every segment within bounds, at least one frame header and one scan,
// entropy-coded data (with its stuffed bytes and restart markers) ending in a marker, an EOI.
bool walkJpeg(QByteArrayView d, JpegLayout *layout, QString *error)
{
    const qsizetype n = d.size();
    const char *p = d.data();
    if (n < 2 || uchar(p[0]) != 0xFF || uchar(p[1]) != 0xD8) {
        setError(error, tr("Not a JPEG file (no SOI marker)."));
        return false;
    }
    bool sawFrame = false, sawScan = false;
    qsizetype pos = 2;
    for (;;) {
        if (pos >= n) {
            setError(error, tr("The JPEG file is truncated: it ends without an EOI marker."));
            return false;
        }
        if (uchar(p[pos]) != 0xFF) {
            setError(error,
                tr("Corrupt JPEG: expected a marker at offset %1, found byte %2.")
                    .arg(pos)
                    .arg(hex(uchar(p[pos]))));
            return false;
        }
        while (pos < n && uchar(p[pos]) == 0xFF) // fill bytes
            ++pos;
        if (pos >= n) {
            setError(error, tr("The JPEG file is truncated: it ends inside a marker."));
            return false;
        }
        const uchar marker = uchar(p[pos]);
        const qsizetype markerOffset = pos - 1;
        ++pos;
        if (marker == 0x00 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
            setError(error,
                tr("Corrupt JPEG: unexpected marker %1 at offset %2.").arg(hex(marker)).arg(markerOffset));
            return false;
        }
        if (marker == 0xD9) {
            if (!sawScan) {
                setError(error, tr("Corrupt JPEG: EOI before any scan."));
                return false;
            }
            layout->parts.append({ JpegPartKind::Standalone, marker, pos, pos });
            layout->trailing = n - pos;
            return true;
        }
        if (marker == 0x01) { // TEM, no length
            layout->parts.append({ JpegPartKind::Standalone, marker, pos, pos });
            continue;
        }
        if (n - pos < 2) {
            setError(error,
                tr("The JPEG file is truncated: segment %1 at offset %2 is cut short.")
                    .arg(hex(marker))
                    .arg(markerOffset));
            return false;
        }
        const qsizetype length = be16(p + pos);
        if (length < 2) {
            setError(error,
                tr("Corrupt JPEG: segment %1 at offset %2 has the invalid length %3.")
                    .arg(hex(marker))
                    .arg(markerOffset)
                    .arg(length));
            return false;
        }
        if (length > n - pos) {
            setError(error,
                tr("The JPEG file is truncated: segment %1 at offset %2 needs %3 bytes, "
                   "%4 are left.")
                    .arg(hex(marker))
                    .arg(markerOffset)
                    .arg(length)
                    .arg(n - pos));
            return false;
        }
        layout->parts.append({ JpegPartKind::Segment, marker, pos + 2, pos + length });
        pos += length;
        if (isSof(marker))
            sawFrame = true;
        if (marker != 0xDA)
            continue;
        if (!sawFrame) {
            setError(error, tr("Corrupt JPEG: a scan (SOS) before the frame header (SOF)."));
            return false;
        }
        sawScan = true;
        // Entropy-coded data: up to the first marker that is neither a stuffed 0xFF00 nor a restart
        // marker.
        const qsizetype start = pos;
        qsizetype i = pos;
        for (;;) {
            const void *hit = i < n ? std::memchr(p + i, 0xFF, size_t(n - i)) : nullptr;
            if (!hit) {
                setError(error,
                    tr("The JPEG file is truncated: the scan data starting at offset %1 "
                       "does not end in a marker.")
                        .arg(start));
                return false;
            }
            i = static_cast<const char *>(hit) - p;
            qsizetype j = i + 1;
            while (j < n && uchar(p[j]) == 0xFF)
                ++j;
            if (j >= n) {
                setError(error, tr("The JPEG file is truncated: it ends inside the scan data."));
                return false;
            }
            const uchar m = uchar(p[j]);
            if (m == 0x00 || (m >= 0xD0 && m <= 0xD7)) {
                i = j + 1;
                continue;
            }
            break;
        }
        layout->parts.append({ JpegPartKind::Entropy, 0, start, i });
        pos = i;
    }
}

enum class Verdict
{
    Keep,
    Drop,
    KeepJfif,
    Icc, // rewritten (IccProfile), all chunks together
    Adobe // its defined fields only
};

// A readable name for an APPn segment: "APP1 Exif", "APP1 http://ns.adobe.com/xap/1.0/" ...
QString appName(uchar marker, QByteArrayView payload)
{
    QString name = u"APP"_s + QString::number(marker - 0xE0);
    qsizetype end = 0;
    while (end < payload.size() && end < 40 && payload[end] >= 0x20 && payload[end] < 0x7F)
        ++end;
    if (end > 0)
        name += u' ' + QString::fromLatin1(payload.first(end));
    return name;
}

constexpr qsizetype JfifSize = 14; // "JFIF\0", version 2, units 1, density 4, thumbnail size 2
constexpr qsizetype AdobeSize = 12; // "Adobe", version 2, flags0 2, flags1 2, transform 1
constexpr QByteArrayView IccMarker("ICC_PROFILE\0", 12);
constexpr qsizetype IccChunkHeader = 14; // "ICC_PROFILE\0", sequence number, chunk count
constexpr qsizetype MaxIccChunk = 65533 - IccChunkHeader; // a segment's length counts itself

Verdict classify(uchar marker, QByteArrayView payload)
{
    if (marker == 0xFE)
        return Verdict::Drop;
    if (marker < 0xE0 || marker > 0xEF)
        return Verdict::Keep;
    if (marker == 0xE0 && payload.startsWith("JFIF\0"_ba))
        return Verdict::KeepJfif;
    if (marker == 0xE2 && payload.startsWith(IccMarker))
        return Verdict::Icc;
    if (marker == 0xEE && payload.startsWith("Adobe"_ba))
        return Verdict::Adobe;
    return Verdict::Drop;
}

bool jfifHasThumbnail(QByteArrayView payload)
{
    return payload.size() > JfifSize || payload[12] != 0 || payload[13] != 0;
}

void appendSegment(QByteArray &out, uchar marker, QByteArrayView payload)
{
    const qsizetype length = payload.size() + 2;
    out.append(char(0xFF));
    out.append(char(marker));
    out.append(char((length >> 8) & 0xFF));
    out.append(char(length & 0xFF));
    out.append(payload);
}

// The ICC profile spread over the APP2 chunks (in file order), reassembled by sequence number:
// every chunk names the same count, each number 1..count exactly once.
std::optional<QByteArray> assembleIcc(const QList<QByteArrayView> &chunks, QString *reason)
{
    for (QByteArrayView chunk : chunks) {
        if (chunk.size() < IccChunkHeader) {
            *reason = tr("Malformed ICC profile: an APP2 chunk without sequence number and count.");
            return std::nullopt;
        }
    }
    const int count = chunks.isEmpty() ? 0 : uchar(chunks.first()[IccChunkHeader - 1]);
    QList<QByteArrayView> ordered(count);
    for (QByteArrayView chunk : chunks) {
        const int number = uchar(chunk[IccChunkHeader - 2]);
        if (uchar(chunk[IccChunkHeader - 1]) != count || number < 1 || number > count
            || !ordered.at(number - 1).isNull()) {
            *reason = tr("Malformed ICC profile: its APP2 chunks are not numbered 1 to %1 once each.").arg(count);
            return std::nullopt;
        }
        ordered[number - 1] = chunk.sliced(IccChunkHeader);
    }
    if (count == 0 || chunks.size() != count) {
        *reason = tr("Malformed ICC profile: %1 of its %2 APP2 chunks are present.").arg(chunks.size()).arg(count);
        return std::nullopt;
    }
    QByteArray profile;
    for (QByteArrayView part : std::as_const(ordered)) {
        if (profile.size() + part.size() > IccProfile::MaxSize) {
            *reason = tr("Malformed ICC profile: larger than %1 bytes.").arg(IccProfile::MaxSize);
            return std::nullopt;
        }
        profile.append(part);
    }
    return profile;
}

// The rewritten profile as APP2 payloads (empty when the profile is dropped; *note says why).
QList<QByteArray> sanitizedIccChunks(QByteArrayView data, const JpegLayout &layout, QString *note)
{
    QList<QByteArrayView> chunks;
    for (const JpegPart &part : layout.parts) {
        if (part.kind != JpegPartKind::Segment || part.marker != 0xE2)
            continue;
        const QByteArrayView payload = data.sliced(part.begin, part.end - part.begin);
        if (payload.startsWith(IccMarker))
            chunks.append(payload);
    }
    if (chunks.isEmpty())
        return {};
    const auto profile = assembleIcc(chunks, note);
    if (!profile)
        return {};
    const auto clean = IccProfile::sanitize(*profile, note);
    if (!clean)
        return {};
    const qsizetype count = (clean->size() + MaxIccChunk - 1) / MaxIccChunk;
    if (count > 255) {
        *note = tr("Malformed ICC profile: too large for 255 APP2 chunks.");
        return {};
    }
    QList<QByteArray> out;
    for (qsizetype i = 0; i < count; ++i) {
        QByteArray payload = IccMarker.toByteArray();
        payload.append(char(i + 1));
        payload.append(char(count));
        payload.append(clean->sliced(i * MaxIccChunk, std::min(MaxIccChunk, clean->size() - i * MaxIccChunk)));
        out.append(payload);
    }
    return out;
}

// True when the ICC chunks are already what sanitizedIccChunks() writes; else *item says why not.
bool iccIsClean(QByteArrayView data, const JpegLayout &layout, QString *item)
{
    QList<QByteArrayView> chunks;
    for (const JpegPart &part : layout.parts) {
        if (part.kind == JpegPartKind::Segment && part.marker == 0xE2) {
            const QByteArrayView payload = data.sliced(part.begin, part.end - part.begin);
            if (payload.startsWith(IccMarker))
                chunks.append(payload);
        }
    }
    if (chunks.isEmpty())
        return true;
    QString note;
    const QList<QByteArray> clean = sanitizedIccChunks(data, layout, &note);
    if (clean.isEmpty()) {
        *item = u"malformed ICC profile"_s;
        return false;
    }
    if (clean.size() != chunks.size()
        || !std::equal(clean.cbegin(), clean.cend(), chunks.cbegin(),
            [](const QByteArray &a, QByteArrayView b) { return QByteArrayView(a) == b; })) {
        *item = u"ICC profile strings or private tags"_s;
        return false;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// PNG

constexpr char PngSignature[] = "\x89PNG\r\n\x1a\n";

bool isPngSignature(QByteArrayView d)
{
    return d.size() >= 8 && d.first(8) == QByteArrayView(PngSignature, 8);
}

quint32 crc32(QByteArrayView data)
{
    static const std::array<quint32, 256> table = [] {
        std::array<quint32, 256> t {};
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    quint32 c = 0xFFFFFFFFu;
    for (char ch : data)
        c = table[(c ^ uchar(ch)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

bool keepPngChunk(QByteArrayView type)
{
    static constexpr std::array<const char *, 11> kept { "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA",
        "cHRM", "sRGB", "iCCP", "sBIT", "pHYs" };
    for (const char *k : kept) {
        if (type == QByteArrayView(k, 4))
            return true;
    }
    return false;
}

struct PngChunk
{
    qsizetype begin = 0, end = 0; // the whole chunk: length, type, data, CRC
    QByteArrayView type;
};

struct PngLayout
{
    QList<PngChunk> chunks; // up to and including IEND
    qsizetype trailing = 0;
};

bool walkPng(QByteArrayView d, PngLayout *layout, QString *error)
{
    if (!isPngSignature(d)) {
        setError(error, tr("Not a PNG file (no PNG signature)."));
        return false;
    }
    const qsizetype n = d.size();
    const char *p = d.data();
    qsizetype pos = 8;
    bool sawData = false;
    for (;;) {
        if (n - pos < 12) {
            setError(error, tr("The PNG file is truncated: it ends without an IEND chunk."));
            return false;
        }
        const quint32 length = be32(p + pos);
        const QByteArrayView type = d.sliced(pos + 4, 4);
        for (char c : type) {
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                setError(error, tr("Corrupt PNG: invalid chunk type at offset %1.").arg(pos));
                return false;
            }
        }
        const QString typeName = QString::fromLatin1(type);
        if (length > 0x7FFFFFFFu) {
            setError(error,
                tr("Corrupt PNG: chunk %1 at offset %2 has the invalid length %3.")
                    .arg(typeName)
                    .arg(pos)
                    .arg(length));
            return false;
        }
        if (qint64(length) + 12 > qint64(n - pos)) {
            setError(error,
                tr("The PNG file is truncated: chunk %1 at offset %2 is cut short.").arg(typeName).arg(pos));
            return false;
        }
        if (layout->chunks.isEmpty() && (type != "IHDR" || length != 13)) {
            setError(error, tr("Corrupt PNG: the first chunk is not a 13-byte IHDR."));
            return false;
        }
        const bool critical = type[0] >= 'A' && type[0] <= 'Z';
        if (critical && !keepPngChunk(type)) {
            setError(error, tr("Unsupported PNG: unknown critical chunk %1.").arg(typeName));
            return false;
        }
        if (keepPngChunk(type)) {
            const quint32 stored = be32(p + pos + 8 + length);
            if (crc32(d.sliced(pos + 4, qsizetype(length) + 4)) != stored) {
                setError(error,
                    tr("Corrupt PNG: the CRC of chunk %1 at offset %2 is wrong.").arg(typeName).arg(pos));
                return false;
            }
        }
        if (type == "IHDR" && !layout->chunks.isEmpty()) {
            setError(error, tr("Corrupt PNG: a second IHDR chunk."));
            return false;
        }
        if (type == "IDAT")
            sawData = true;
        layout->chunks.append({ pos, pos + 12 + qsizetype(length), type });
        pos += 12 + qsizetype(length);
        if (type == "IEND") {
            if (!sawData) {
                setError(error, tr("Corrupt PNG: no IDAT chunk before IEND."));
                return false;
            }
            layout->trailing = n - pos;
            return true;
        }
    }
}


// ---------------------------------------------------------------------------------------------
// PNG iCCP: "name\0", compression method 0, a zlib stream of the profile.

constexpr QByteArrayView IccpName("ICC profile");

// Inflates a zlib stream to at most `limit` bytes (a small stream may expand a thousandfold).
std::optional<QByteArray> inflateBounded(QByteArrayView in, qsizetype limit, QString *reason)
{
    z_stream z {};
    if (inflateInit(&z) != Z_OK) {
        *reason = tr("Cannot start zlib.");
        return std::nullopt;
    }
    QByteArray out;
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
    z.avail_in = uInt(in.size());
    char buffer[16384];
    int status = Z_OK;
    while (status == Z_OK) {
        z.next_out = reinterpret_cast<Bytef *>(buffer);
        z.avail_out = sizeof buffer;
        status = inflate(&z, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END)
            break;
        const qsizetype produced = qsizetype(sizeof buffer) - qsizetype(z.avail_out);
        if (out.size() + produced > limit) {
            inflateEnd(&z);
            *reason = tr("Malformed ICC profile: it inflates to more than %1 bytes.").arg(limit);
            return std::nullopt;
        }
        out.append(buffer, produced);
        if (status == Z_OK && produced == 0 && z.avail_in == 0) {
            status = Z_BUF_ERROR; // cut short
            break;
        }
    }
    inflateEnd(&z);
    if (status != Z_STREAM_END) {
        *reason = tr("Malformed ICC profile: its compressed data is corrupt or cut short.");
        return std::nullopt;
    }
    return out;
}

QByteArray deflateAll(QByteArrayView in)
{
    uLongf size = compressBound(uLong(in.size()));
    QByteArray out(qsizetype(size), '\0');
    if (compress2(reinterpret_cast<Bytef *>(out.data()), &size, reinterpret_cast<const Bytef *>(in.data()),
            uLong(in.size()), 9)
        != Z_OK)
        return {};
    out.truncate(qsizetype(size));
    return out;
}

// The profile an iCCP chunk's data carries, and its name.
std::optional<QByteArray> iccpProfile(QByteArrayView chunkData, QByteArrayView *name, QString *reason)
{
    const qsizetype nul = chunkData.indexOf('\0');
    if (nul < 1 || nul > 79 || chunkData.size() < nul + 2) {
        *reason = tr("Malformed ICC profile: the iCCP chunk has no valid name.");
        return std::nullopt;
    }
    if (chunkData[nul + 1] != 0) {
        *reason = tr("Malformed ICC profile: unknown iCCP compression method %1.").arg(int(uchar(chunkData[nul + 1])));
        return std::nullopt;
    }
    *name = chunkData.first(nul);
    return inflateBounded(chunkData.sliced(nul + 2), IccProfile::MaxSize, reason);
}

// The rewritten iCCP chunk (whole: length, type, data, CRC), or nullopt and *reason.
std::optional<QByteArray> sanitizedIccp(QByteArrayView chunkData, QString *reason)
{
    QByteArrayView name;
    const auto profile = iccpProfile(chunkData, &name, reason);
    if (!profile)
        return std::nullopt;
    const auto clean = IccProfile::sanitize(*profile, reason);
    if (!clean)
        return std::nullopt;
    const QByteArray compressed = deflateAll(*clean);
    if (compressed.isEmpty()) {
        *reason = tr("Cannot compress the ICC profile.");
        return std::nullopt;
    }
    QByteArray data = IccpName.toByteArray();
    data.append('\0');
    data.append('\0'); // deflate
    data.append(compressed);
    QByteArray whole(4, '\0');
    const quint32 length = quint32(data.size());
    whole[0] = char(length >> 24);
    whole[1] = char((length >> 16) & 0xFF);
    whole[2] = char((length >> 8) & 0xFF);
    whole[3] = char(length & 0xFF);
    whole.append("iCCP");
    whole.append(data);
    const quint32 crc = crc32(QByteArrayView(whole).sliced(4));
    whole.append(char(crc >> 24));
    whole.append(char((crc >> 16) & 0xFF));
    whole.append(char((crc >> 8) & 0xFF));
    whole.append(char(crc & 0xFF));
    return whole;
}

// Empty when the iCCP chunk is already what sanitizedIccp() makes of it (its name neutral, its
// profile unchanged by the rewrite), else what is wrong.
QString iccpProblem(QByteArrayView chunkData)
{
    QString reason;
    QByteArrayView name;
    const auto profile = iccpProfile(chunkData, &name, &reason);
    if (!profile)
        return u"malformed iCCP"_s;
    const auto clean = IccProfile::sanitize(*profile, &reason);
    if (!clean)
        return u"malformed iCCP"_s;
    if (name != IccpName || *clean != *profile)
        return u"iCCP name, strings or private tags"_s;
    return {};
}

} // namespace

QByteArray MetadataStripper::strip(QByteArrayView data, QString *error, QStringList *notes)
{
    if (isPngSignature(data))
        return stripPng(data, error, notes);
    if (data.size() >= 2 && uchar(data[0]) == 0xFF && uchar(data[1]) == 0xD8)
        return stripJpeg(data, error, notes);
    setError(error,
        tr("Only JPEG and PNG files can be stripped of metadata losslessly; this is "
           "neither."));
    return {};
}

QByteArray MetadataStripper::stripJpeg(QByteArrayView data, QString *error, QStringList *notes)
{
    JpegLayout layout;
    if (!walkJpeg(data, &layout, error))
        return {};
    // The probe reads the EXIF orientation; removing the EXIF block would silently rotate the image.
    const ImageHeader header = ImageProbe::probe(data, std::numeric_limits<qint64>::max());
    if (!header.ok()) {
        setError(error, header.message);
        return {};
    }
    if (header.orientation != 1) {
        setError(error,
            tr("The JPEG has EXIF orientation %1: stripping its metadata would rotate "
               "it. Apply the orientation and re-encode it instead.")
                .arg(header.orientation));
        return {};
    }
    QString iccNote;
    const QList<QByteArray> icc = sanitizedIccChunks(data, layout, &iccNote);
    if (!iccNote.isEmpty())
        addNote(notes, tr("%1 The profile was dropped; the colours are read as sRGB.").arg(iccNote));
    bool iccWritten = false;
    QByteArray out;
    out.reserve(data.size());
    out.append(char(0xFF));
    out.append(char(0xD8));
    for (const JpegPart &part : std::as_const(layout.parts)) {
        const QByteArrayView bytes = data.sliced(part.begin, part.end - part.begin);
        switch (part.kind) {
        case JpegPartKind::Entropy:
            out.append(bytes);
            break;
        case JpegPartKind::Standalone:
            out.append(char(0xFF));
            out.append(char(part.marker));
            break;
        case JpegPartKind::Segment:
            switch (classify(part.marker, bytes)) {
            case Verdict::Drop:
                break;
            case Verdict::Keep:
                appendSegment(out, part.marker, bytes);
                break;
            case Verdict::Icc: // the rewritten profile where its first chunk was
                if (!iccWritten) {
                    for (const QByteArray &chunk : icc)
                        appendSegment(out, part.marker, chunk);
                    iccWritten = true;
                }
                break;
            case Verdict::Adobe:
                if (bytes.size() < AdobeSize) // a decoder ignores it too
                    addNote(notes, tr("An Adobe segment shorter than 12 bytes was dropped."));
                else
                    appendSegment(out, part.marker, bytes.first(AdobeSize));
                break;
            case Verdict::KeepJfif: {
                if (bytes.size() < JfifSize) {
                    setError(error, tr("Corrupt JPEG: the JFIF segment is too short."));
                    return {};
                }
                QByteArray jfif = bytes.first(JfifSize).toByteArray();
                jfif[12] = 0; // no thumbnail
                jfif[13] = 0;
                appendSegment(out, part.marker, jfif);
                break;
            }
            }
            break;
        }
    }
    return out;
}

QByteArray MetadataStripper::stripPng(QByteArrayView data, QString *error, QStringList *notes)
{
    PngLayout layout;
    if (!walkPng(data, &layout, error))
        return {};
    QByteArray out;
    out.reserve(data.size());
    out.append(PngSignature, 8);
    bool iccSeen = false;
    for (const PngChunk &chunk : std::as_const(layout.chunks)) {
        if (!keepPngChunk(chunk.type))
            continue;
        if (chunk.type == "iCCP") {
            // One profile at most (the standard allows one); the first counts, as for decoders.
            if (iccSeen)
                continue;
            iccSeen = true;
            QString reason;
            const auto clean = sanitizedIccp(data.sliced(chunk.begin + 8, chunk.end - chunk.begin - 12), &reason);
            if (clean)
                out.append(*clean);
            else
                addNote(notes, tr("%1 The profile was dropped; the colours are read as sRGB.").arg(reason));
            continue;
        }
        out.append(data.sliced(chunk.begin, chunk.end - chunk.begin));
    }
    return out;
}

bool MetadataStripper::hasMetadata(QByteArrayView data, QStringList *found)
{
    QStringList items;
    QString error;
    if (isPngSignature(data)) {
        PngLayout layout;
        if (!walkPng(data, &layout, &error)) {
            items.append(u"unreadable PNG: "_s + error);
        } else {
            bool iccSeen = false;
            for (const PngChunk &chunk : std::as_const(layout.chunks)) {
                if (!keepPngChunk(chunk.type)) {
                    items.append(QString::fromLatin1(chunk.type));
                } else if (chunk.type == "iCCP") {
                    const QString problem = iccSeen
                        ? u"second iCCP"_s
                        : iccpProblem(data.sliced(chunk.begin + 8, chunk.end - chunk.begin - 12));
                    iccSeen = true;
                    if (!problem.isEmpty())
                        items.append(problem);
                }
            }
            if (layout.trailing > 0)
                items.append(u"data after IEND"_s);
        }
    } else if (data.size() >= 2 && uchar(data[0]) == 0xFF && uchar(data[1]) == 0xD8) {
        JpegLayout layout;
        if (!walkJpeg(data, &layout, &error)) {
            items.append(u"unreadable JPEG: "_s + error);
        } else {
            for (const JpegPart &part : std::as_const(layout.parts)) {
                if (part.kind != JpegPartKind::Segment)
                    continue;
                const QByteArrayView payload = data.sliced(part.begin, part.end - part.begin);
                switch (classify(part.marker, payload)) {
                case Verdict::Keep:
                case Verdict::Icc: // all chunks together, below
                    break;
                case Verdict::Adobe:
                    if (payload.size() != AdobeSize)
                        items.append(u"Adobe segment of %1 bytes"_s.arg(payload.size()));
                    break;
                case Verdict::KeepJfif:
                    if (payload.size() < JfifSize)
                        items.append(u"malformed JFIF"_s);
                    else if (jfifHasThumbnail(payload))
                        items.append(u"JFIF thumbnail"_s);
                    break;
                case Verdict::Drop:
                    items.append(part.marker == 0xFE ? u"COM"_s : appName(part.marker, payload));
                    break;
                }
            }
            QString icc;
            if (!iccIsClean(data, layout, &icc))
                items.append(icc);
            if (layout.trailing > 0)
                items.append(u"data after EOI"_s);
        }
    } else {
        items.append(u"not a JPEG or PNG file"_s);
    }
    if (found)
        *found = items;
    return !items.isEmpty();
}

QByteArray MetadataStripper::encodeLossless(const QImage &image, QString *error)
{
    if (image.isNull()) {
        setError(error, tr("Cannot encode a null image."));
        return {};
    }
    QImage copy = image;
    // Formats the PNG writer stores exactly; anything else is converted to one of these first.
    switch (copy.format()) {
    case QImage::Format_RGB32:
    case QImage::Format_ARGB32:
    case QImage::Format_Grayscale8:
    case QImage::Format_Grayscale16:
    case QImage::Format_RGB888:
    case QImage::Format_RGBA8888:
    case QImage::Format_RGBA64:
    case QImage::Format_RGBX64:
        break;
    default:
        copy = copy.convertToFormat(copy.hasAlphaChannel() ? QImage::Format_ARGB32 : QImage::Format_RGB32);
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(copy)) {
        setError(error, tr("Could not encode the image as PNG: %1").arg(writer.errorString()));
        return {};
    }
    buffer.close();
    // Qt writes the image's text keys (a JPEG's comments end up there) as tEXt chunks: remove them.
    return stripPng(png, error);
}

} // namespace dl
