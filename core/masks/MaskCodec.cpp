// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskCodec.h"

#include "imaging/ImageProbe.h"

#include <QCoreApplication>
#include <QJsonArray>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include <zlib.h>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::MaskCodec", text);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

// Two settings: Fast (the store: zlib level 1, default strategy, whose long back-references
// inflate quickly; about 70 ms to write and 15-20 ms to read a 12 MP mask) and Small (exports:
// zlib's RLE strategy, which suits the long runs of a mask, about three times smaller than Fast
// on flat masks).
enum class PngMode { Fast, Small };

void appendBigEndian32(QByteArray &out, quint32 v)
{
    const char bytes[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    out.append(bytes, 4);
}

void appendChunk(QByteArray &out, const char *type, QByteArrayView data)
{
    appendBigEndian32(out, quint32(data.size()));
    const qsizetype start = out.size();
    out.append(type, 4);
    out.append(data.data(), data.size());
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef *>(out.constData() + start), uInt(out.size() - start));
    appendBigEndian32(out, quint32(crc));
}

// Deflates `length` bytes (or only flushes, for length 0) into `out`, as much output as it takes.
bool deflateAppend(z_stream &z, const uchar *data, size_t length, int flush, QByteArray &out)
{
    uchar buffer[1 << 16];
    z.next_in = const_cast<Bytef *>(data);
    z.avail_in = uInt(length);
    do {
        z.next_out = buffer;
        z.avail_out = sizeof buffer;
        const int status = deflate(&z, flush);
        if (status != Z_OK && status != Z_BUF_ERROR && status != Z_STREAM_END)
            return false;
        out.append(reinterpret_cast<const char *>(buffer), qsizetype(sizeof buffer - z.avail_out));
    } while (z.avail_out == 0 || z.avail_in > 0);
    return true;
}

// Raw deflate blocks for runs of all-zero PNG rows of one width: chunk k holds 2^k rows (each a
// filter byte and `width` zero bytes). Each chunk is compressed on its own and ends on a byte
// boundary (Z_FULL_FLUSH), so it refers to nothing before it and can be spliced into any deflate
// stream that was itself fully flushed. Made once per thread and width.
class ZeroRowChunks
{
public:
    static const ZeroRowChunks &forWidth(int width)
    {
        thread_local ZeroRowChunks cache;
        if (cache.m_width != width) {
            cache.m_width = width;
            cache.m_chunks.clear();
        }
        return cache;
    }

    // The compressed form of `rows` zero rows, appended to out.
    void append(qint64 rows, QByteArray &out) const
    {
        for (int k = MaxPower; k >= 0; --k) {
            while (rows >= (qint64(1) << k)) {
                out.append(chunk(k));
                rows -= qint64(1) << k;
            }
        }
    }

private:
    static constexpr int MaxPower = 11; // 2048 rows

    const QByteArray &chunk(int k) const
    {
        if (m_chunks.size() <= size_t(k))
            m_chunks.resize(size_t(k) + 1);
        QByteArray &c = m_chunks[size_t(k)];
        if (c.isEmpty()) {
            const std::vector<uchar> zeros((size_t(m_width) + 1) << k, 0);
            z_stream z {};
            if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_RLE) == Z_OK) {
                deflateAppend(z, zeros.data(), zeros.size(), Z_FULL_FLUSH, c);
                deflateEnd(&z);
            }
        }
        return c;
    }

    int m_width = -1;
    mutable std::vector<QByteArray> m_chunks;
};

// The Adler-32 of `length` zero bytes (s1 stays 1, s2 grows by 1 per byte).
uLong zeroAdler(qint64 length)
{
    return (uLong(length % 65521) << 16) | 1u;
}

// An 8-bit greyscale PNG written directly with zlib: every row with filter type 0 (none), which
// is what suits a mask (long runs of 0 and 255) and spares libpng's per-row filter search, the
// most expensive part of writing a 12 MP mask through it. No ancillary chunks: nothing but the
// pixels, so equal masks give equal bytes.
//
// `inside`: 0 writes the values as they are; 255 writes every nonzero value as 255 (an exported
// mask), 1 as 1 (LabelMe), mapped row by row without a copy of the whole mask.
//
// The all-zero rows above and below the content (most of a mask: a lesion covers a few percent
// of a photo) are not compressed again for every mask: precompressed blocks of zero rows
// (ZeroRowChunks) are spliced in, and the zlib checksum is carried over them arithmetically. A
// 12-megapixel mask with a small region is written in the time its content rows take.
QByteArray writeGreyPng(const cv::Mat &image, PngMode mode, uchar inside = 0)
{
    if (image.empty() || image.type() != CV_8UC1)
        return {};
    QByteArray out("\x89PNG\r\n\x1a\n", 8);
    QByteArray header;
    appendBigEndian32(header, quint32(image.cols));
    appendBigEndian32(header, quint32(image.rows));
    header.append(char(8)); // bit depth
    header.append(char(0)); // greyscale
    header.append(char(0)); // deflate
    header.append(char(0)); // adaptive filtering (each row says which: here always none)
    header.append(char(0)); // not interlaced
    appendChunk(out, "IHDR", header);

    // Rows [first, last] hold the content; the rest are zero.
    int first = 0;
    while (first < image.rows && cv::countNonZero(image.row(first)) == 0)
        ++first;
    int last = image.rows - 1;
    while (last >= first && cv::countNonZero(image.row(last)) == 0)
        --last;

    z_stream z {};
    const bool fast = mode == PngMode::Fast;
    if (deflateInit2(&z, fast ? 1 : 6, Z_DEFLATED, -15, 8, fast ? Z_DEFAULT_STRATEGY : Z_RLE) != Z_OK)
        return {};
    QByteArray compressed;
    compressed.append(char(0x78)).append(char(0x01)); // zlib header: deflate, 32 KB window
    const qint64 rowBytes = qint64(image.cols) + 1;
    const ZeroRowChunks &zeros = ZeroRowChunks::forWidth(image.cols);
    uLong adler = adler32(0L, Z_NULL, 0);
    bool ok = true;
    if (first > 0) {
        zeros.append(first, compressed);
        adler = adler32_combine(adler, zeroAdler(first * rowBytes), z_off_t(first * rowBytes));
    }
    std::vector<uchar> row(size_t(rowBytes), 0);
    for (int y = first; y <= last && ok; ++y) {
        if (inside == 0) {
            std::memcpy(row.data() + 1, image.ptr<uchar>(y), size_t(image.cols));
        } else {
            cv::Mat mapped(1, image.cols, CV_8UC1, row.data() + 1); // a header on the row buffer
            if (inside == 255)
                cv::compare(image.row(y), 0, mapped, cv::CMP_NE);
            else
                cv::min(image.row(y), 1, mapped);
        }
        adler = adler32(adler, row.data(), uInt(row.size()));
        ok = deflateAppend(z, row.data(), row.size(), Z_NO_FLUSH, compressed);
    }
    const int below = image.rows - 1 - std::max(last, first - 1);
    if (ok && below > 0) {
        ok = deflateAppend(z, nullptr, 0, Z_FULL_FLUSH, compressed); // nothing refers back across
        zeros.append(below, compressed);
        adler = adler32_combine(adler, zeroAdler(below * rowBytes), z_off_t(below * rowBytes));
    }
    ok = ok && deflateAppend(z, nullptr, 0, Z_FINISH, compressed);
    deflateEnd(&z);
    if (!ok)
        return {};
    appendBigEndian32(compressed, quint32(adler));
    appendChunk(out, "IDAT", compressed);
    appendChunk(out, "IEND", {});
    return out;
}

QByteArray writePng(const cv::Mat &image, PngMode mode, uchar inside = 0)
{
    return writeGreyPng(image, mode, inside);
}

bool isPng(QByteArrayView data)
{
    static constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";
    return data.size() >= 8 && data.first(8) == QByteArrayView(kSignature, 8);
}

quint32 bigEndian32(const char *p)
{
    return (quint32(uchar(p[0])) << 24) | (quint32(uchar(p[1])) << 16) | (quint32(uchar(p[2])) << 8)
        | quint32(uchar(p[3]));
}

// True when the chunks after the signature are all complete and end with IEND. Catches truncated
// data before libpng sees it (libpng would report it on stderr as well).
bool chunksComplete(QByteArrayView png)
{
    qsizetype pos = 8;
    bool sawHeader = false;
    while (png.size() - pos >= 12) {
        const quint32 length = bigEndian32(png.data() + pos);
        const QByteArrayView type = png.sliced(pos + 4, 4);
        if (length > 0x7fffffffu || quint64(length) + 12 > quint64(png.size() - pos))
            return false;
        if (pos == 8) {
            if (type != "IHDR")
                return false;
            sawHeader = true;
        }
        if (type == "IEND")
            return sawHeader;
        pos += qsizetype(length) + 12;
    }
    return false;
}

// Decodes any PNG as OpenCV sees it (IMREAD_UNCHANGED); empty on failure.
cv::Mat readPng(QByteArrayView png)
{
    if (!isPng(png) || !chunksComplete(png))
        return {};
    // imdecode does not write to its input; the const_cast only satisfies the Mat constructor.
    const cv::Mat buffer(1, int(png.size()), CV_8UC1,
                         const_cast<char *>(png.data()));
    try {
        return cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception &) {
        return {};
    }
}

bool pointOf(const QJsonValue &value, int *x, int *y)
{
    const QJsonArray pair = value.toArray();
    if (pair.size() != 2 || !pair.at(0).isDouble() || !pair.at(1).isDouble())
        return false;
    const double dx = pair.at(0).toDouble();
    const double dy = pair.at(1).toDouble();
    if (!std::isfinite(dx) || !std::isfinite(dy) || std::abs(dx) > 1e9 || std::abs(dy) > 1e9)
        return false;
    // LabelMe reads the box with numpy's astype(int): truncation toward zero.
    *x = int(std::trunc(dx));
    *y = int(std::trunc(dy));
    return true;
}

} // namespace

QByteArray MaskCodec::encodePng(const cv::Mat &mask)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        return {};
    return writePng(mask, PngMode::Fast);
}

cv::Mat MaskCodec::decodePng(QByteArrayView png, QString *error)
{
    if (!isPng(png)) {
        setError(error, tr("The mask data is not a PNG image."));
        return {};
    }
    cv::Mat image = readPng(png);
    if (image.empty()) {
        setError(error, tr("The mask PNG is damaged or truncated."));
        return {};
    }
    if (image.type() != CV_8UC1) {
        setError(error, tr("The mask PNG is not an 8-bit greyscale image."));
        return {};
    }
    return image;
}

QByteArray MaskCodec::encodeBinaryPng(const cv::Mat &mask)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        return {};
    return writePng(mask, PngMode::Small, 255);
}

QJsonObject MaskCodec::toLabelMeMaskShape(const cv::Mat &mask, const QString &label, const cv::Rect &within)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        return {};
    const cv::Rect area = within.empty() ? cv::Rect(0, 0, mask.cols, mask.rows)
                                         : within & cv::Rect(0, 0, mask.cols, mask.rows);
    if (area.empty())
        return {};
    cv::Rect box = cv::boundingRect(mask(area)); // of the nonzero pixels
    box.x += area.x;
    box.y += area.y;
    if (box.empty())
        return {};
    const QByteArray png = writePng(mask(box), PngMode::Small, 1); // 0/1 as LabelMe expects
    if (png.isEmpty())
        return {};
    const int x2 = box.x + box.width - 1;
    const int y2 = box.y + box.height - 1;
    return QJsonObject{
        {u"label"_s, label},
        {u"points"_s, QJsonArray{QJsonArray{box.x, box.y}, QJsonArray{x2, y2}}},
        {u"group_id"_s, QJsonValue::Null},
        {u"description"_s, QString()},
        {u"shape_type"_s, u"mask"_s},
        {u"flags"_s, QJsonObject()},
        {u"mask"_s, QString::fromLatin1(png.toBase64())},
    };
}

cv::Mat MaskCodec::fromLabelMeMaskShape(const QJsonObject &shape, int height, int width,
                                        QString *error)
{
    if (height <= 0 || width <= 0) {
        setError(error, tr("Invalid image size %1 x %2.").arg(height).arg(width));
        return {};
    }
    if (shape.value("shape_type"_L1).toString() != "mask"_L1) {
        setError(error, tr("The shape is not a LabelMe mask shape."));
        return {};
    }
    const QJsonArray points = shape.value("points"_L1).toArray();
    int x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    if (points.size() != 2 || !pointOf(points.at(0), &x1, &y1)
        || !pointOf(points.at(1), &x2, &y2)) {
        setError(error, tr("A mask shape needs points [[x1, y1], [x2, y2]]."));
        return {};
    }
    if (x2 < x1 || y2 < y1) {
        setError(error, tr("The mask shape's box [[%1, %2], [%3, %4]] is inverted.")
                            .arg(x1)
                            .arg(y1)
                            .arg(x2)
                            .arg(y2));
        return {};
    }
    if (x1 < 0 || y1 < 0 || x2 >= width || y2 >= height) {
        setError(error, tr("The mask shape's box [[%1, %2], [%3, %4]] lies outside the %5 x %6 "
                           "image.")
                            .arg(x1)
                            .arg(y1)
                            .arg(x2)
                            .arg(y2)
                            .arg(width)
                            .arg(height));
        return {};
    }
    const QJsonValue data = shape.value("mask"_L1);
    if (!data.isString()) {
        setError(error, tr("The mask shape has no base64 \"mask\" image."));
        return {};
    }
    const auto decoded = QByteArray::fromBase64Encoding(data.toString().toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        setError(error, tr("The mask shape's \"mask\" is not valid base64."));
        return {};
    }
    // The PNG header (IHDR) first: a patch of another size is refused before anything is decoded,
    // so a small file that inflates to gigabytes never is.
    const ImageHeader header = ImageProbe::probe(*decoded, 0);
    if (!header.ok() || header.format != ImageFormat::Png) {
        setError(error,
            header.ok() ? tr("The mask shape's \"mask\" is not a PNG image.")
                        : tr("The mask shape's \"mask\" is not a readable PNG image: %1").arg(header.message));
        return {};
    }
    if (header.width != x2 - x1 + 1 || header.height != y2 - y1 + 1) {
        setError(error, tr("The mask shape's PNG header says %1 x %2 but its box is %3 x %4; not decoded.")
                            .arg(header.width)
                            .arg(header.height)
                            .arg(x2 - x1 + 1)
                            .arg(y2 - y1 + 1));
        return {};
    }
    const cv::Mat patch = readPng(*decoded);
    if (patch.empty()) {
        setError(error, tr("The mask shape's \"mask\" is not a readable PNG image."));
        return {};
    }
    if (patch.cols != x2 - x1 + 1 || patch.rows != y2 - y1 + 1) {
        setError(error, tr("The mask shape's image is %1 x %2 but its box is %3 x %4.")
                            .arg(patch.cols)
                            .arg(patch.rows)
                            .arg(x2 - x1 + 1)
                            .arg(y2 - y1 + 1));
        return {};
    }
    cv::Mat inside;
    if (patch.channels() == 1) {
        cv::compare(patch, 0, inside, cv::CMP_NE);
    } else {
        std::vector<cv::Mat> channels;
        cv::split(patch, channels);
        if (channels.size() == 4) // ignore alpha
            channels.pop_back();
        inside = cv::Mat::zeros(patch.size(), CV_8UC1);
        for (const cv::Mat &channel : channels) {
            cv::Mat set;
            cv::compare(channel, 0, set, cv::CMP_NE);
            inside |= set;
        }
    }
    cv::Mat out = cv::Mat::zeros(height, width, CV_8UC1);
    inside.copyTo(out(cv::Rect(x1, y1, inside.cols, inside.rows)));
    return out;
}

} // namespace dl
