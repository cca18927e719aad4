// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageDecoder.h"
#include "imaging/ImageFormat.h"
#include "imaging/ImageProbe.h"
#include "imaging/JpegValidator.h"
#include "imaging/ThumbnailMaker.h"

#include <QBuffer>
#include <QColorSpace>
#include <QFile>
#include <QImageReader>
#include <QImageWriter>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>
#include <array>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

using namespace Qt::StringLiterals;
using dl::ImageFormat;
using dl::RejectReason;

Q_DECLARE_METATYPE(dl::ImageFormat)
Q_DECLARE_METATYPE(dl::RejectReason)

namespace {

// ---------------------------------------------------------------------------------------------
// Fixture builders

// Deterministic photo-like content: smooth gradients plus noise, so JPEGs have realistic size.
QImage photo(int width, int height, bool alpha = false)
{
    QImage image(width, height, alpha ? QImage::Format_ARGB32 : QImage::Format_RGB32);
    quint32 seed = 12345u + quint32(width) * 31u + quint32(height);
    for (int y = 0; y < height; ++y) {
        QRgb *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < width; ++x) {
            seed = seed * 1664525u + 1013904223u;
            const int noise = int((seed >> 24) & 31) - 16;
            const int r = std::clamp(180 + 60 * x / width - 40 * y / height + noise, 0, 255);
            const int g = std::clamp(120 + 50 * y / height + noise / 2, 0, 255);
            const int b = std::clamp(100 + 30 * (x + y) / (width + height) + noise, 0, 255);
            const int a = alpha ? (x < width / 2 ? 255 : 0) : 255;
            line[x] = qRgba(r, g, b, a);
        }
    }
    return image;
}

const std::array<QColor, 4> quadrantColors
    = { QColor(230, 20, 20), QColor(20, 200, 20), QColor(20, 20, 230), QColor(240, 240, 20) };

// Four flat quadrants: top-left red, top-right green, bottom-left blue, bottom-right yellow.
QImage quadrants(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const int q = (x >= width / 2 ? 1 : 0) + (y >= height / 2 ? 2 : 0);
            image.setPixel(x, y, quadrantColors[size_t(q)].rgb());
        }
    }
    return image;
}

QByteArray encodeQt(const QImage &image, const char *format, int quality = -1)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    writer.setQuality(quality);
    if (!writer.write(image))
        qFatal("cannot encode fixture as %s: %s", format, qPrintable(writer.errorString()));
    return bytes;
}

QByteArray encodeCv(const QImage &image, const char *extension, const std::vector<int> &params = {})
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    const cv::Mat bgra(
        rgb.height(), rgb.width(), CV_8UC4, const_cast<uchar *>(rgb.constBits()), size_t(rgb.bytesPerLine()));
    cv::Mat bgr;
    cv::cvtColor(bgra, bgr, cv::COLOR_BGRA2BGR);
    std::vector<uchar> out;
    if (!cv::imencode(extension, bgr, out, params))
        qFatal("cannot encode fixture as %s", extension);
    return QByteArray(reinterpret_cast<const char *>(out.data()), qsizetype(out.size()));
}

QByteArray jpeg(const QImage &image, int quality = 90)
{
    return encodeQt(image, "jpeg", quality);
}

void putBe16(QByteArray &out, int v)
{
    out.append(char((v >> 8) & 0xFF));
    out.append(char(v & 0xFF));
}
void putBe32(QByteArray &out, quint32 v)
{
    putBe16(out, int(v >> 16));
    putBe16(out, int(v & 0xFFFF));
}
void putLe16(QByteArray &out, int v)
{
    out.append(char(v & 0xFF));
    out.append(char((v >> 8) & 0xFF));
}
void putLe32(QByteArray &out, quint32 v)
{
    putLe16(out, int(v & 0xFFFF));
    putLe16(out, int(v >> 16));
}

// A minimal APP1 Exif segment (TIFF header + IFD0 with one Orientation entry), inserted right
// after SOI.
QByteArray withExifOrientation(const QByteArray &jpegData, int orientation, bool bigEndian = true)
{
    QByteArray tiff;
    if (bigEndian) {
        tiff.append("MM\0\x2A", 4);
        putBe32(tiff, 8);
        putBe16(tiff, 1); // one entry
        putBe16(tiff, 0x0112); // Orientation
        putBe16(tiff, 3); // SHORT
        putBe32(tiff, 1); // count
        putBe16(tiff, orientation); // value, left-justified
        putBe16(tiff, 0);
        putBe32(tiff, 0); // no next IFD
    } else {
        tiff.append("II\x2A\0", 4);
        putLe32(tiff, 8);
        putLe16(tiff, 1);
        putLe16(tiff, 0x0112);
        putLe16(tiff, 3);
        putLe32(tiff, 1);
        putLe16(tiff, orientation);
        putLe16(tiff, 0);
        putLe32(tiff, 0);
    }
    QByteArray app1("\xFF\xE1", 2);
    putBe16(app1, 2 + 6 + int(tiff.size()));
    app1.append("Exif\0\0", 6);
    app1.append(tiff);
    QByteArray out = jpegData;
    out.insert(2, app1);
    return out;
}

quint32 crc32(const QByteArray &data)
{
    quint32 c = 0xFFFFFFFFu;
    for (char ch : data) {
        c ^= quint8(ch);
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

QByteArray pngChunk(const char *type, const QByteArray &payload)
{
    QByteArray out;
    putBe32(out, quint32(payload.size()));
    QByteArray typed(type, 4);
    typed.append(payload);
    out.append(typed);
    putBe32(out, crc32(typed));
    return out;
}

// PNG signature + IHDR (valid CRC unless told otherwise) + IEND; no pixel data needed for the probe.
QByteArray pngHeaderOnly(quint32 width, quint32 height, bool badCrc = false)
{
    QByteArray ihdr;
    putBe32(ihdr, width);
    putBe32(ihdr, height);
    ihdr.append(char(8)); // depth
    ihdr.append(char(2)); // RGB
    ihdr.append(3, '\0');
    QByteArray out("\x89PNG\r\n\x1A\n", 8);
    QByteArray chunk = pngChunk("IHDR", ihdr);
    if (badCrc)
        chunk[chunk.size() - 1] = char(chunk.at(chunk.size() - 1) ^ 0x5A);
    out.append(chunk);
    out.append(pngChunk("IEND", QByteArray()));
    return out;
}

// SOI, a baseline frame header for width x height, an empty scan and EOI: a tiny "bomb".
QByteArray jpegHeaderOnly(int width, int height)
{
    QByteArray out("\xFF\xD8", 2);
    out.append("\xFF\xC0", 2);
    putBe16(out, 17);
    out.append(char(8));
    putBe16(out, height);
    putBe16(out, width);
    out.append(char(3));
    for (int c = 1; c <= 3; ++c) {
        out.append(char(c));
        out.append(char(c == 1 ? 0x22 : 0x11));
        out.append(char(c == 1 ? 0 : 1));
    }
    out.append("\xFF\xDA", 2);
    putBe16(out, 12);
    out.append(char(3));
    for (int c = 1; c <= 3; ++c) {
        out.append(char(c));
        out.append(char(0));
    }
    out.append("\x00\x3F\x00", 3);
    out.append("\xFF\xD9", 2);
    return out;
}

QByteArray bmpHeaderOnly(int width, int height)
{
    QByteArray out("BM", 2);
    putLe32(out, 54);
    putLe32(out, 0);
    putLe32(out, 54);
    putLe32(out, 40);
    putLe32(out, quint32(width));
    putLe32(out, quint32(height));
    putLe16(out, 1);
    putLe16(out, 24);
    putLe32(out, 0);
    out.append(20, '\0');
    return out;
}

QByteArray webpHeaderOnly(int width, int height)
{
    QByteArray out("RIFF", 4);
    putLe32(out, 4 + 8 + 10);
    out.append("WEBPVP8X", 8);
    putLe32(out, 10);
    out.append(4, '\0');
    const quint32 w = quint32(width - 1), h = quint32(height - 1);
    out.append(char(w & 0xFF));
    out.append(char((w >> 8) & 0xFF));
    out.append(char((w >> 16) & 0xFF));
    out.append(char(h & 0xFF));
    out.append(char((h >> 8) & 0xFF));
    out.append(char((h >> 16) & 0xFF));
    return out;
}

// Uncompressed big-endian RGB TIFF, one strip, optional orientation tag.
QByteArray tiffBigEndian(const QImage &image, int orientation = 0)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    const int w = rgb.width(), h = rgb.height();
    QByteArray pixels;
    for (int y = 0; y < h; ++y)
        pixels.append(reinterpret_cast<const char *>(rgb.constScanLine(y)), w * 3);

    struct Entry
    {
        int tag, type;
        quint32 count, value;
    };
    std::vector<Entry> entries;
    const int entryCount = orientation ? 10 : 9;
    const quint32 ifdSize = 2 + 12 * quint32(entryCount) + 4;
    const quint32 bitsOffset = 8 + ifdSize;
    const quint32 pixelOffset = bitsOffset + 6;
    entries.push_back({ 256, 3, 1, quint32(w) });
    entries.push_back({ 257, 3, 1, quint32(h) });
    entries.push_back({ 258, 3, 3, bitsOffset });
    entries.push_back({ 259, 3, 1, 1 });
    entries.push_back({ 262, 3, 1, 2 });
    entries.push_back({ 273, 4, 1, pixelOffset });
    if (orientation)
        entries.push_back({ 274, 3, 1, quint32(orientation) });
    entries.push_back({ 277, 3, 1, 3 });
    entries.push_back({ 278, 3, 1, quint32(h) });
    entries.push_back({ 279, 4, 1, quint32(pixels.size()) });

    QByteArray out("MM\0\x2A", 4);
    putBe32(out, 8);
    putBe16(out, entryCount);
    for (const Entry &e : entries) {
        putBe16(out, e.tag);
        putBe16(out, e.type);
        putBe32(out, e.count);
        if (e.type == 3 && e.count == 1) {
            putBe16(out, int(e.value));
            putBe16(out, 0);
        } else {
            putBe32(out, e.value);
        }
    }
    putBe32(out, 0);
    putBe16(out, 8);
    putBe16(out, 8);
    putBe16(out, 8);
    out.append(pixels);
    return out;
}

// Little-endian BigTIFF (64-bit offsets) with one uncompressed grey strip.
QByteArray bigTiff(int width, int height)
{
    QByteArray out("II+\0\x08\0\0\0", 8);
    const auto put64 = [&out](quint64 v) {
        putLe32(out, quint32(v & 0xFFFFFFFFu));
        putLe32(out, quint32(v >> 32));
    };
    put64(16);
    const int entries = 6;
    const quint64 dataOffset = 16 + 8 + 20 * entries + 8;
    put64(entries);
    const auto entry = [&](int tag, int type, quint64 value) {
        putLe16(out, tag);
        putLe16(out, type);
        put64(1);
        put64(value);
    };
    entry(256, 4, quint64(width));
    entry(257, 4, quint64(height));
    entry(259, 3, 1);
    entry(262, 3, 1);
    entry(273, 16, dataOffset);
    entry(279, 16, quint64(width) * quint64(height));
    put64(0);
    out.append(QByteArray(width * height, '\x80'));
    return out;
}

QByteArray tiffHeaderOnly(int width, int height)
{
    QImage tiny(1, 1, QImage::Format_RGB32);
    tiny.fill(Qt::white);
    QByteArray out = tiffBigEndian(tiny);
    // width and height are the first two entries (SHORT); make them LONG with the new values
    out[8 + 2 + 3] = 4;
    out.replace(
        8 + 2 + 8, 4, QByteArray::fromHex(QByteArray::number(quint32(width), 16).rightJustified(8, '0')));
    out[8 + 2 + 12 + 3] = 4;
    out.replace(8 + 2 + 12 + 8, 4,
        QByteArray::fromHex(QByteArray::number(quint32(height), 16).rightJustified(8, '0')));
    return out;
}

// Overwrites length bytes at fraction `where` of the data (the middle by default).
QByteArray damaged(QByteArray data, int length, int mode, quint32 seed = 99, double where = 0.5)
{
    const qsizetype at = qsizetype(double(data.size()) * where);
    for (int i = 0; i < length; ++i) {
        seed = seed * 1103515245u + 12345u;
        uchar c = 0;
        switch (mode) {
        case 0:
            c = uchar(seed >> 16);
            break; // random, FF included
        case 1:
            c = uchar(std::min<quint32>((seed >> 16) & 0xFF, 0xFE));
            break; // random without FF
        case 2:
            c = 0;
            break; // zeroed sector
        default:
            c = 0x55;
            break;
        }
        data[at + i] = char(c);
    }
    return data;
}

bool closeTo(QRgb a, QColor b, int tolerance = 40)
{
    return std::abs(qRed(a) - b.red()) <= tolerance && std::abs(qGreen(a) - b.green()) <= tolerance
        && std::abs(qBlue(a) - b.blue()) <= tolerance;
}

// Independent reference for EXIF orientation: source pixel shown at display position (x, y).
QPoint sourceOf(int orientation, int x, int y, int storedWidth, int storedHeight)
{
    const int W = storedWidth, H = storedHeight;
    switch (orientation) {
    case 2:
        return QPoint(W - 1 - x, y);
    case 3:
        return QPoint(W - 1 - x, H - 1 - y);
    case 4:
        return QPoint(x, H - 1 - y);
    case 5:
        return QPoint(y, x);
    case 6:
        return QPoint(y, H - 1 - x);
    case 7:
        return QPoint(W - 1 - y, H - 1 - x);
    case 8:
        return QPoint(W - 1 - y, x);
    default:
        return QPoint(x, y);
    }
}

int quadrantOf(QPoint p, int w, int h)
{
    return (p.x() >= w / 2 ? 1 : 0) + (p.y() >= h / 2 ? 2 : 0);
}

// Checks that an oriented rendering of quadrants(w, h) shows each quadrant where EXIF says.
void verifyOrientedQuadrants(const QImage &shown, int orientation, int w, int h)
{
    QVERIFY(!shown.isNull());
    for (int qy = 0; qy < 2; ++qy) {
        for (int qx = 0; qx < 2; ++qx) {
            const double fx = 0.25 + 0.5 * qx, fy = 0.25 + 0.5 * qy;
            const int x = int(fx * shown.width()), y = int(fy * shown.height());
            // map the display point back to stored coordinates at full resolution
            const int dispW = orientation >= 5 ? h : w, dispH = orientation >= 5 ? w : h;
            const QPoint full(int(fx * dispW), int(fy * dispH));
            const QPoint src = sourceOf(orientation, full.x(), full.y(), w, h);
            const QColor expected = quadrantColors[size_t(quadrantOf(src, w, h))];
            const QRgb actual = shown.pixel(x, y);
            QVERIFY2(closeTo(actual, expected),
                qPrintable(u"orientation %1 at (%2,%3): got %4, expected %5"_s.arg(orientation)
                               .arg(x)
                               .arg(y)
                               .arg(QColor(actual).name(), expected.name())));
        }
    }
}

dl::Thumbnail thumbnailOf(const QByteArray &data)
{
    return dl::ThumbnailMaker::make(data, dl::ImageProbe::probe(data));
}

} // namespace

class TestImaging : public QObject
{
    Q_OBJECT

private slots:
    void formatNames_data();
    void formatNames();
    void formatFromName_data();
    void formatFromName();
    void imageFileSuffix_data();
    void imageFileSuffix();
    void rejectReasonKeys_data();
    void rejectReasonKeys();
    void fitSize_data();
    void fitSize();

    void probeValid_data();
    void probeValid();
    void probeRejects_data();
    void probeRejects();
    void tooLargeFromHeaderOnly_data();
    void tooLargeFromHeaderOnly();

    void exifOrientation_data();
    void exifOrientation();
    void tiffOrientation();

    void truncated_data();
    void truncated();
    void jpegDamage_data();
    void jpegDamage();
    void jpegSmallDamage_data();
    void jpegSmallDamage();
    void jpegValidatorAccepts_data();
    void jpegValidatorAccepts();
    void corruptPixelData_data();
    void corruptPixelData();

    void thumbnailLargeJpeg();
    void thumbnailAllFormats_data();
    void thumbnailAllFormats();
    void thumbnailColourSpace();
    void decodeScaled_data();
    void decodeScaled();
    void decodeFull();
    void decodeFile();
    void openCvFallback();
    void decoderWarningsStayQuiet();
    void threadSafety();
};

// ---------------------------------------------------------------------------------------------

void TestImaging::formatNames_data()
{
    QTest::addColumn<ImageFormat>("format");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("extension");
    QTest::addColumn<QString>("mime");
    QTest::newRow("jpeg") << ImageFormat::Jpeg << u"jpeg"_s << u"jpg"_s << u"image/jpeg"_s;
    QTest::newRow("png") << ImageFormat::Png << u"png"_s << u"png"_s << u"image/png"_s;
    QTest::newRow("tiff") << ImageFormat::Tiff << u"tiff"_s << u"tif"_s << u"image/tiff"_s;
    QTest::newRow("webp") << ImageFormat::WebP << u"webp"_s << u"webp"_s << u"image/webp"_s;
    QTest::newRow("bmp") << ImageFormat::Bmp << u"bmp"_s << u"bmp"_s << u"image/bmp"_s;
    QTest::newRow("unknown") << ImageFormat::Unknown << u"unknown"_s << QString()
                             << u"application/octet-stream"_s;
}

void TestImaging::formatNames()
{
    QFETCH(ImageFormat, format);
    QFETCH(QString, name);
    QFETCH(QString, extension);
    QFETCH(QString, mime);
    QCOMPARE(dl::formatName(format), name);
    QCOMPARE(dl::formatExtension(format), extension);
    QCOMPARE(dl::formatMimeType(format), mime);
    QCOMPARE(dl::formatFromName(name), format);
    if (!extension.isEmpty())
        QCOMPARE(dl::formatFromName(extension), format);
    QCOMPARE(dl::formatFromName(mime), format);
}

void TestImaging::formatFromName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<ImageFormat>("format");
    QTest::newRow("JPG") << u"JPG"_s << ImageFormat::Jpeg;
    QTest::newRow("jpe") << u"jpe"_s << ImageFormat::Jpeg;
    QTest::newRow(".Jpeg") << u".Jpeg"_s << ImageFormat::Jpeg;
    QTest::newRow("TIF") << u"TIF"_s << ImageFormat::Tiff;
    QTest::newRow("WebP") << u"WebP"_s << ImageFormat::WebP;
    QTest::newRow("image/x-ms-bmp") << u"image/x-ms-bmp"_s << ImageFormat::Bmp;
    QTest::newRow("gif") << u"gif"_s << ImageFormat::Unknown;
    QTest::newRow("empty") << QString() << ImageFormat::Unknown;
    QTest::newRow("jpgx") << u"jpgx"_s << ImageFormat::Unknown;
}

void TestImaging::formatFromName()
{
    QFETCH(QString, name);
    QFETCH(ImageFormat, format);
    QCOMPARE(dl::formatFromName(name), format);
}

void TestImaging::imageFileSuffix_data()
{
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<bool>("accepted");
    for (const QString &s :
        { u"jpg"_s, u"JPEG"_s, u"jpe"_s, u"Png"_s, u"tif"_s, u"TIFF"_s, u"webp"_s, u"BMP"_s })
        QTest::newRow(qPrintable(s)) << s << true;
    for (const QString &s : { u"gif"_s, u"heic"_s, u"txt"_s, u""_s, u"jp"_s, u"pngx"_s, u"svg"_s })
        QTest::newRow(qPrintable(u"no-"_s + s)) << s << false;
}

void TestImaging::imageFileSuffix()
{
    QFETCH(QString, suffix);
    QFETCH(bool, accepted);
    QCOMPARE(dl::isImageFileSuffix(suffix), accepted);
}

void TestImaging::rejectReasonKeys_data()
{
    QTest::addColumn<RejectReason>("reason");
    QTest::addColumn<QString>("key");
    QTest::newRow("none") << RejectReason::None << u"none"_s;
    QTest::newRow("empty") << RejectReason::Empty << u"empty"_s;
    QTest::newRow("truncated") << RejectReason::Truncated << u"truncated"_s;
    QTest::newRow("not_an_image") << RejectReason::NotAnImage << u"not_an_image"_s;
    QTest::newRow("unsupported") << RejectReason::Unsupported << u"unsupported"_s;
    QTest::newRow("corrupt") << RejectReason::Corrupt << u"corrupt"_s;
    QTest::newRow("too_large") << RejectReason::TooLarge << u"too_large"_s;
    QTest::newRow("unreadable") << RejectReason::Unreadable << u"unreadable"_s;
}

void TestImaging::rejectReasonKeys()
{
    QFETCH(RejectReason, reason);
    QFETCH(QString, key);
    QCOMPARE(dl::rejectReasonKey(reason), key);
    QCOMPARE(dl::rejectReasonFromKey(key), reason);
    QVERIFY(!dl::rejectReasonText(reason).isEmpty());
}

void TestImaging::fitSize_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<QSize>("box");
    QTest::addColumn<QSize>("expected");
    QTest::newRow("landscape") << QSize(4000, 3000) << QSize(256, 256) << QSize(256, 192);
    QTest::newRow("portrait") << QSize(3000, 4000) << QSize(256, 256) << QSize(192, 256);
    QTest::newRow("fits") << QSize(100, 50) << QSize(256, 256) << QSize(100, 50);
    QTest::newRow("wide box") << QSize(1000, 1000) << QSize(300, 100) << QSize(100, 100);
    QTest::newRow("sliver") << QSize(10000, 3) << QSize(256, 256) << QSize(256, 1);
    QTest::newRow("rounding") << QSize(1001, 333) << QSize(100, 100) << QSize(100, 33);
}

void TestImaging::fitSize()
{
    QFETCH(QSize, size);
    QFETCH(QSize, box);
    QFETCH(QSize, expected);
    QCOMPARE(dl::ImageDecoder::fitSize(size, box), expected);
}

// ---------------------------------------------------------------------------------------------

void TestImaging::probeValid_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<ImageFormat>("format");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");

    const QImage img = photo(123, 77);
    QTest::newRow("jpeg qt") << jpeg(img) << ImageFormat::Jpeg << 123 << 77;
    QTest::newRow("jpeg gray") << jpeg(img.convertToFormat(QImage::Format_Grayscale8)) << ImageFormat::Jpeg
                               << 123 << 77;
    QTest::newRow("jpeg progressive cv")
        << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_PROGRESSIVE, 1 }) << ImageFormat::Jpeg << 123 << 77;
    QTest::newRow("jpeg 1x1") << jpeg(photo(1, 1)) << ImageFormat::Jpeg << 1 << 1;
    QTest::newRow("png rgb") << encodeQt(img, "png") << ImageFormat::Png << 123 << 77;
    QTest::newRow("png rgba") << encodeQt(photo(64, 32, true), "png") << ImageFormat::Png << 64 << 32;
    QTest::newRow("png 16-bit") << encodeQt(img.convertToFormat(QImage::Format_RGBA64), "png")
                                << ImageFormat::Png << 123 << 77;
    QTest::newRow("tiff qt") << encodeQt(img, "tiff") << ImageFormat::Tiff << 123 << 77;
    QTest::newRow("tiff cv") << encodeCv(img, ".tiff") << ImageFormat::Tiff << 123 << 77;
    QTest::newRow("tiff big-endian") << tiffBigEndian(img) << ImageFormat::Tiff << 123 << 77;
    QTest::newRow("bigtiff") << bigTiff(45, 31) << ImageFormat::Tiff << 45 << 31;
    QTest::newRow("webp lossy") << encodeQt(img, "webp", 80) << ImageFormat::WebP << 123 << 77;
    QTest::newRow("webp lossless") << encodeQt(img, "webp", 100) << ImageFormat::WebP << 123 << 77;
    QTest::newRow("webp alpha") << encodeQt(photo(64, 32, true), "webp", 80) << ImageFormat::WebP << 64 << 32;
    QTest::newRow("bmp 24") << encodeQt(img, "bmp") << ImageFormat::Bmp << 123 << 77;
    QTest::newRow("bmp cv") << encodeCv(img, ".bmp") << ImageFormat::Bmp << 123 << 77;
    QTest::newRow("bmp 32 alpha") << encodeQt(photo(64, 32, true), "bmp") << ImageFormat::Bmp << 64 << 32;
    QByteArray topDown = encodeQt(img, "bmp");
    const qint32 negative = -77;
    topDown.replace(22, 4, QByteArray(reinterpret_cast<const char *>(&negative), 4));
    QTest::newRow("bmp top-down") << topDown << ImageFormat::Bmp << 123 << 77;
    QTest::newRow("jpeg trailing bytes")
        << jpeg(img) + QByteArray(100, '\0') << ImageFormat::Jpeg << 123 << 77;
}

void TestImaging::probeValid()
{
    QFETCH(QByteArray, data);
    QFETCH(ImageFormat, format);
    QFETCH(int, width);
    QFETCH(int, height);
    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QVERIFY2(header.ok(), qPrintable(header.message));
    QCOMPARE(header.format, format);
    QCOMPARE(header.width, width);
    QCOMPARE(header.height, height);
    QCOMPARE(header.orientation, 1);
    QCOMPARE(header.orientedWidth(), width);
    QCOMPARE(header.orientedHeight(), height);
    QVERIFY(header.message.isEmpty());
    QCOMPARE(dl::ImageProbe::sniffFormat(data), format);
}

namespace {

/// A TIFF (or BigTIFF) of 10 x 10 whose strip offsets and byte counts hold 2^30 (2^40) values at a
/// pointer near the top of the offset range: base + index * size must not overflow.
QByteArray tiffWithHostileStripPointers(bool big)
{
    QByteArray t;
    const auto le = [&](quint64 v, int bytes) {
        for (int i = 0; i < bytes; ++i)
            t.append(char((v >> (8 * i)) & 0xff));
    };
    const auto entry = [&](int tag, int type, quint64 count, quint64 value) {
        le(quint64(tag), 2);
        le(quint64(type), 2);
        le(count, big ? 8 : 4);
        le(value, big ? 8 : 4);
    };
    if (big) {
        t.append("II+\0", 4);
        le(8, 2);
        le(0, 2);
        le(16, 8);
        le(4, 8);
        entry(256, 4, 1, 10);
        entry(257, 4, 1, 10);
        entry(273, 16, quint64(1) << 40, 0x7FFFFFFFFFFFFFF0ULL);
        entry(279, 16, quint64(1) << 40, 0x7FFFFFFFFFFFFFF8ULL);
        le(0, 8);
    } else {
        t.append("II*\0", 4);
        le(8, 4);
        le(4, 2);
        entry(256, 4, 1, 10);
        entry(257, 4, 1, 10);
        entry(273, 4, quint64(1) << 30, 0xFFFFFFF0u);
        entry(279, 4, quint64(1) << 30, 0xFFFFFFF8u);
        le(0, 4);
    }
    return t;
}

} // namespace

void TestImaging::probeRejects_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<RejectReason>("reason");
    QTest::addColumn<QString>("message"); // expected exact message, or empty to skip

    const QByteArray good = jpeg(photo(300, 200));
    const QByteArray png = encodeQt(photo(300, 200), "png");
    QTest::newRow("empty") << QByteArray() << RejectReason::Empty << QString();
    QTest::newRow("TIFF strip pointers at the end of the range")
        << tiffWithHostileStripPointers(false) << RejectReason::Truncated << QString();
    QTest::newRow("BigTIFF strip pointers at the end of the range")
        << tiffWithHostileStripPointers(true) << RejectReason::Truncated << QString();
    QTest::newRow("text") << QByteArray("patient_id,diagnosis\n1,eczema\n") << RejectReason::NotAnImage
                          << QString();
    QTest::newRow("pdf") << QByteArray("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n") << RejectReason::NotAnImage
                         << QString();
    QTest::newRow("zip") << QByteArray("PK\x03\x04\x14\0\0\0\x08\0", 10) << RejectReason::NotAnImage
                         << QString();
    QTest::newRow("binary") << QByteArray("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x00", 10)
                            << RejectReason::NotAnImage << QString();
    QTest::newRow("gif") << QByteArray("GIF89a\x10\0\x10\0\x80\0\0", 13) << RejectReason::Unsupported
                         << QString();
    QTest::newRow("heic") << QByteArray("\0\0\0\x18"
                                        "ftypheic\0\0\0\0mif1heic",
        24) << RejectReason::Unsupported
                          << QString();
    QTest::newRow("avif") << QByteArray("\0\0\0\x1C"
                                        "ftypavif\0\0\0\0avifmif1miaf",
        28) << RejectReason::Unsupported
                          << QString();
    QTest::newRow("ico") << QByteArray("\0\0\x01\0\x01\0\x10\x10\0\0\x01\0\x20\0", 14)
                         << RejectReason::Unsupported << QString();
    QTest::newRow("psd") << QByteArray("8BPS\0\x01\0\0\0\0\0\0", 12) << RejectReason::Unsupported
                         << QString();
    QTest::newRow("mp4") << QByteArray("\0\0\0\x18"
                                       "ftypisom\0\0\0\0isomiso2",
        24) << RejectReason::NotAnImage
                         << QString();
    QTest::newRow("soi only") << QByteArray("\xFF\xD8", 2) << RejectReason::Truncated << QString();
    QTest::newRow("jpeg header cut") << good.left(40) << RejectReason::Truncated << QString();
    QTest::newRow("jpeg cut 50%") << good.left(good.size() / 2) << RejectReason::Truncated
                                  << u"JPEG data ends before the end-of-image marker"_s;
    QTest::newRow("jpeg cut before EOI") << good.left(good.size() - 2) << RejectReason::Truncated
                                         << u"JPEG data ends before the end-of-image marker"_s;
    QTest::newRow("png cut 50%") << png.left(png.size() / 2) << RejectReason::Truncated
                                 << u"PNG data ends before the IEND chunk"_s;
    QTest::newRow("png header cut") << png.left(20) << RejectReason::Truncated << QString();
    QTest::newRow("png bad IHDR CRC")
        << pngHeaderOnly(300, 200, true) << RejectReason::Corrupt << u"PNG header (IHDR) has a bad CRC"_s;
    QTest::newRow("png zero width") << pngHeaderOnly(0, 200) << RejectReason::Corrupt << QString();
    QTest::newRow("jpeg zero height") << jpegHeaderOnly(300, 0) << RejectReason::Corrupt << QString();
    QByteArray twelveBit = jpegHeaderOnly(300, 200);
    twelveBit[6] = 12;
    QTest::newRow("jpeg 12-bit") << twelveBit << RejectReason::Unsupported << QString();
    QByteArray lossless = jpegHeaderOnly(300, 200);
    lossless[3] = char(0xC3);
    QTest::newRow("jpeg lossless") << lossless << RejectReason::Unsupported << QString();
    const QByteArray bmp = encodeQt(photo(300, 200), "bmp");
    QTest::newRow("bmp cut") << bmp.left(bmp.size() - 100) << RejectReason::Truncated << QString();
    const QByteArray webp = encodeQt(photo(300, 200), "webp", 80);
    QTest::newRow("webp cut") << webp.left(webp.size() - 10) << RejectReason::Truncated << QString();
    const QByteArray tiff = tiffBigEndian(photo(300, 200));
    QTest::newRow("tiff cut") << tiff.left(tiff.size() - 1000) << RejectReason::Truncated << QString();
    QTest::newRow("tiff ifd cut") << tiff.left(20) << RejectReason::Truncated << QString();
    const QByteArray big = bigTiff(45, 31);
    QTest::newRow("bigtiff strip cut") << big.left(big.size() - 5) << RejectReason::Truncated << QString();
}

void TestImaging::probeRejects()
{
    QFETCH(QByteArray, data);
    QFETCH(RejectReason, reason);
    QFETCH(QString, message);
    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QCOMPARE(dl::rejectReasonKey(header.reject), dl::rejectReasonKey(reason));
    QVERIFY(!header.ok());
    QVERIFY(!header.message.isEmpty());
    if (!message.isEmpty())
        QCOMPARE(header.message, message);
}

void TestImaging::tooLargeFromHeaderOnly_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("jpeg") << jpegHeaderOnly(20000, 20000);
    QTest::newRow("png") << pngHeaderOnly(20000, 20000);
    QTest::newRow("bmp") << bmpHeaderOnly(20000, 20000);
    QTest::newRow("webp") << webpHeaderOnly(20000, 20000);
    QTest::newRow("tiff") << tiffHeaderOnly(20000, 20000);
}

void TestImaging::tooLargeFromHeaderOnly()
{
    QFETCH(QByteArray, data);
    QVERIFY(data.size() < 200); // the file is tiny, the claim is 400 megapixels
    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QCOMPARE(dl::rejectReasonKey(header.reject), u"too_large"_s);
    QCOMPARE(header.width, 20000);
    QCOMPARE(header.height, 20000);
    QCOMPARE(header.message, u"20000 x 20000 pixels exceeds the limit of 100 megapixels"_s);

    // Neither the thumbnailer (given a blank header) nor the decoder allocate for it.
    const dl::Thumbnail thumb = dl::ThumbnailMaker::make(data, dl::ImageHeader());
    QCOMPARE(dl::rejectReasonKey(thumb.reject), u"too_large"_s);
    QString error;
    QVERIFY(dl::ImageDecoder::decode(data, &error).isNull());
    QCOMPARE(error, header.message);
    QVERIFY(dl::ImageDecoder::decodeScaled(data, QSize(64, 64), &error).isNull());

    // A caller-chosen limit is honoured and named in the message.
    const dl::ImageHeader small = dl::ImageProbe::probe(data, 1'500'000);
    QCOMPARE(small.message, u"20000 x 20000 pixels exceeds the limit of 1.5 megapixels"_s);
}

// ---------------------------------------------------------------------------------------------

void TestImaging::exifOrientation_data()
{
    QTest::addColumn<int>("orientation");
    QTest::addColumn<bool>("bigEndian");
    for (int o = 1; o <= 8; ++o) {
        QTest::newRow(qPrintable(u"MM %1"_s.arg(o))) << o << true;
        QTest::newRow(qPrintable(u"II %1"_s.arg(o))) << o << false;
    }
}

void TestImaging::exifOrientation()
{
    QFETCH(int, orientation);
    QFETCH(bool, bigEndian);
    const int w = 400, h = 200;
    const QByteArray data = withExifOrientation(jpeg(quadrants(w, h), 95), orientation, bigEndian);

    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QVERIFY2(header.ok(), qPrintable(header.message));
    QCOMPARE(header.orientation, orientation);
    QCOMPARE(header.width, w);
    QCOMPARE(header.height, h);
    const bool swapped = orientation >= 5;
    QCOMPARE(header.orientedWidth(), swapped ? h : w);
    QCOMPARE(header.orientedHeight(), swapped ? w : h);

    const dl::Thumbnail thumb = dl::ThumbnailMaker::make(data, header);
    QVERIFY2(thumb.ok(), qPrintable(thumb.message));
    QCOMPARE(QSize(thumb.width, thumb.height), swapped ? QSize(128, 256) : QSize(256, 128));
    const QImage decodedThumb = QImage::fromData(thumb.jpeg, "JPEG");
    QCOMPARE(decodedThumb.size(), QSize(thumb.width, thumb.height));
    verifyOrientedQuadrants(decodedThumb, orientation, w, h);
    if (QTest::currentTestFailed())
        return;

    QString error;
    const QImage full = dl::ImageDecoder::decode(data, &error);
    QVERIFY2(!full.isNull(), qPrintable(error));
    QCOMPARE(full.size(), swapped ? QSize(h, w) : QSize(w, h));
    verifyOrientedQuadrants(full, orientation, w, h);
}

void TestImaging::tiffOrientation()
{
    const int w = 60, h = 40;
    const QByteArray data = tiffBigEndian(quadrants(w, h), 6);
    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QVERIFY2(header.ok(), qPrintable(header.message));
    QCOMPARE(header.orientation, 6);
    QCOMPARE(header.orientedWidth(), h);
    QString error;
    const QImage full = dl::ImageDecoder::decode(data, &error);
    QVERIFY2(!full.isNull(), qPrintable(error));
    QCOMPARE(full.size(), QSize(h, w));
    verifyOrientedQuadrants(full, 6, w, h);

    // Qt's own TIFF writer stores a transformation as tag 274 too.
    QByteArray qtTiff;
    {
        QBuffer buffer(&qtTiff);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter writer(&buffer, "tiff");
        writer.setTransformation(QImageIOHandler::TransformationRotate270);
        QVERIFY(writer.write(quadrants(w, h)));
    }
    QCOMPARE(dl::ImageProbe::probe(qtTiff).orientation, 8);
}

// ---------------------------------------------------------------------------------------------

void TestImaging::truncated_data()
{
    QTest::addColumn<QByteArray>("intact");
    QTest::addColumn<QByteArray>("data");

    const QImage img = photo(640, 480);
    const QByteArray baseline = jpeg(img);
    const QByteArray progressive = encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_PROGRESSIVE, 1 });
    const QByteArray restarts = encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_RST_INTERVAL, 4 });
    const QByteArray png = encodeQt(img, "png");
    const QByteArray webp = encodeQt(img, "webp", 80);
    const QByteArray bmp = encodeQt(img, "bmp");
    const QByteArray tiff = encodeQt(img, "tiff");
    QTest::newRow("jpeg 50%") << baseline << baseline.left(baseline.size() / 2);
    QTest::newRow("jpeg before EOI") << baseline << baseline.left(baseline.size() - 2);
    QTest::newRow("jpeg 90%") << baseline << baseline.left(baseline.size() * 9 / 10);
    QTest::newRow("progressive 50%") << progressive << progressive.left(progressive.size() / 2);
    QTest::newRow("progressive before EOI") << progressive << progressive.left(progressive.size() - 2);
    QTest::newRow("restarts 50%") << restarts << restarts.left(restarts.size() / 2);
    QTest::newRow("png 50%") << png << png.left(png.size() / 2);
    QTest::newRow("png without IEND") << png << png.left(png.size() - 12);
    QTest::newRow("webp 50%") << webp << webp.left(webp.size() / 2);
    QTest::newRow("bmp 50%") << bmp << bmp.left(bmp.size() / 2);
    QTest::newRow("tiff 50%") << tiff << tiff.left(tiff.size() / 2);
}

void TestImaging::truncated()
{
    QFETCH(QByteArray, intact);
    QFETCH(QByteArray, data);
    QVERIFY(thumbnailOf(intact).ok());

    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QCOMPARE(dl::rejectReasonKey(header.reject), u"truncated"_s);

    // The thumbnailer passes the probe's verdict on...
    const dl::Thumbnail passed = dl::ThumbnailMaker::make(data, header);
    QCOMPARE(dl::rejectReasonKey(passed.reject), u"truncated"_s);
    QVERIFY(passed.jpeg.isEmpty());
    // ...and finds the truncation itself when handed the header of the intact file.
    const dl::Thumbnail own = dl::ThumbnailMaker::make(data, dl::ImageProbe::probe(intact));
    QCOMPARE(dl::rejectReasonKey(own.reject), u"truncated"_s);
    QVERIFY(!own.message.isEmpty());

    QString error;
    QVERIFY(dl::ImageDecoder::decode(data, &error).isNull());
    QVERIFY(!error.isEmpty());
    if (header.format == ImageFormat::Jpeg)
        QCOMPARE(dl::rejectReasonKey(dl::JpegValidator::validate(data).reject), u"truncated"_s);
}

void TestImaging::jpegDamage_data()
{
    QTest::addColumn<QByteArray>("data");

    const QImage img = photo(640, 480);
    const QByteArray baseline = jpeg(img);
    const QByteArray progressive = encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_PROGRESSIVE, 1 });
    const QByteArray restarts = encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_RST_INTERVAL, 2 });
    const QByteArray optimized = encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_OPTIMIZE, 1 });
    const QByteArray gray = jpeg(img.convertToFormat(QImage::Format_Grayscale8));
    const struct
    {
        const char *name;
        QByteArray data;
    } sources[] = { { "baseline", baseline }, { "progressive", progressive }, { "restarts", restarts },
        { "optimized", optimized }, { "gray", gray } };
    const char *const modes[] = { "random", "random-no-ff", "zeros", "0x55" };
    for (const auto &source : sources) {
        for (int mode = 0; mode < 4; ++mode) {
            for (int length : { 400, 2000 }) {
                QTest::newRow(qPrintable(
                    u"%1 %2 %3"_s.arg(QLatin1StringView(source.name), QLatin1StringView(modes[mode]))
                        .arg(length)))
                    << damaged(source.data, length, mode);
            }
        }
        // A premature end-of-image marker in the middle of the scan.
        QByteArray early = source.data;
        early.replace(early.size() / 2, 2, QByteArray("\xFF\xD9", 2));
        QTest::newRow(qPrintable(u"%1 early EOI"_s.arg(QLatin1StringView(source.name)))) << early;
        // Many non-zero bytes between the end of the scan and EOI.
        QByteArray trailing = source.data;
        trailing.insert(trailing.size() - 2, QByteArray(64, '\x5A'));
        QTest::newRow(qPrintable(u"%1 trailing junk"_s.arg(QLatin1StringView(source.name)))) << trailing;
        // A stretch of scan data missing (bytes dropped, EOI kept).
        QByteArray dropped = source.data;
        dropped.remove(dropped.size() / 2, 300);
        QTest::newRow(qPrintable(u"%1 dropped"_s.arg(QLatin1StringView(source.name)))) << dropped;
    }
}

void TestImaging::jpegDamage()
{
    QFETCH(QByteArray, data);
    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QVERIFY2(header.ok(), qPrintable(header.message)); // the header itself is intact
    const dl::Thumbnail thumb = dl::ThumbnailMaker::make(data, header);
    QVERIFY2(!thumb.ok(), "damaged JPEG accepted (it would show grey or garbled blocks)");
    QVERIFY2(thumb.reject == RejectReason::Corrupt || thumb.reject == RejectReason::Truncated,
        qPrintable(dl::rejectReasonKey(thumb.reject)));
    QVERIFY(!thumb.message.isEmpty());
    QVERIFY(thumb.jpeg.isEmpty());
    QString error;
    QVERIFY(dl::ImageDecoder::decode(data, &error).isNull());
    QVERIFY(!error.isEmpty());
}

void TestImaging::jpegSmallDamage_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("minimumPercent");
    const QImage img = photo(640, 480);
    QTest::newRow("baseline") << jpeg(img) << 50;
    QTest::newRow("progressive") << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_PROGRESSIVE, 1 }) << 70;
    QTest::newRow("restarts") << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_RST_INTERVAL, 4 }) << 65;
    QTest::newRow("optimized") << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_OPTIMIZE, 1 }) << 55;
    QTest::newRow("gray") << jpeg(img.convertToFormat(QImage::Format_Grayscale8)) << 55;
}

void TestImaging::jpegSmallDamage()
{
    QFETCH(QByteArray, data);
    QFETCH(int, minimumPercent);
    // A few bytes of damage often decode "validly": Huffman decoding resynchronises and the
    // block count still comes out right, so libjpeg decodes the whole image (a garbled band,
    // no grey fill) without a single warning. The validator must catch most of these, and
    // everything it lets through must be something libjpeg has no complaint about either.
    int rejected = 0;
    const int total = 200;
    for (int i = 0; i < total; ++i) {
        const int length = 4 + (i * 7) % 60;
        const double where = 0.2 + 0.7 * double((i * 37) % 100) / 100.0;
        QByteArray bad;
        if (i % 6 == 4) {
            bad = data;
            bad.insert(qsizetype(where * double(data.size())),
                damaged(QByteArray(length, '\0'), length, 1, quint32(i), 0));
        } else if (i % 6 == 5) {
            bad = data;
            bad.remove(qsizetype(where * double(data.size())), length);
        } else {
            bad = damaged(data, length, i % 4, quint32(1000 + i), where);
        }
        const dl::JpegValidator::Result check = dl::JpegValidator::validate(bad);
        if (!check.ok()) {
            QVERIFY(check.reject == RejectReason::Corrupt || check.reject == RejectReason::Truncated);
            ++rejected;
            continue;
        }
        const dl::ImageDecoder::Result decoded = dl::ImageDecoder::decodeDetailed(bad, QSize(160, 160));
        QVERIFY2(decoded.ok(), qPrintable(decoded.message));
        for (const QString &warning : decoded.warnings)
            QVERIFY2(warning.contains(u"extraneous bytes"_s),
                qPrintable(u"%1: libjpeg says %2"_s.arg(i).arg(warning)));
    }
    qInfo("%d of %d small damages detected", rejected, total);
    QVERIFY(rejected * 100 >= minimumPercent * total);
}

void TestImaging::jpegValidatorAccepts_data()
{
    QTest::addColumn<QByteArray>("data");
    const QImage img = photo(333, 251);
    QTest::newRow("qt q90") << jpeg(img, 90);
    QTest::newRow("qt q20") << jpeg(img, 20);
    QTest::newRow("qt q100") << jpeg(img, 100);
    QTest::newRow("qt progressive") << [&] {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter writer(&buffer, "jpeg");
        writer.setProgressiveScanWrite(true);
        writer.write(img);
        return bytes;
    }();
    QTest::newRow("cv progressive") << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_PROGRESSIVE, 1 });
    QTest::newRow("cv progressive optimized")
        << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_OPTIMIZE, 1 });
    QTest::newRow("cv optimized") << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_OPTIMIZE, 1 });
    QTest::newRow("cv restart 1") << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_RST_INTERVAL, 1 });
    QTest::newRow("cv restart 7") << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_RST_INTERVAL, 7 });
    QTest::newRow("cv restart progressive")
        << encodeCv(img, ".jpg", { cv::IMWRITE_JPEG_RST_INTERVAL, 3, cv::IMWRITE_JPEG_PROGRESSIVE, 1 });
    QTest::newRow("gray") << jpeg(img.convertToFormat(QImage::Format_Grayscale8));
    QTest::newRow("gray progressive") << [&] {
        const QImage g = img.convertToFormat(QImage::Format_Grayscale8);
        const cv::Mat m(
            g.height(), g.width(), CV_8UC1, const_cast<uchar *>(g.constBits()), size_t(g.bytesPerLine()));
        std::vector<uchar> out;
        cv::imencode(".jpg", m, out, { cv::IMWRITE_JPEG_PROGRESSIVE, 1 });
        return QByteArray(reinterpret_cast<const char *>(out.data()), qsizetype(out.size()));
    }();
    QTest::newRow("1x1") << jpeg(photo(1, 1));
    QTest::newRow("17x9") << jpeg(photo(17, 9));
    QTest::newRow("flat colour") << [] {
        QImage flat(200, 100, QImage::Format_RGB32);
        flat.fill(QColor(200, 150, 120));
        return jpeg(flat);
    }();
    QByteArray extraneous = jpeg(img);
    extraneous.insert(extraneous.size() - 2, '\0'); // one stray byte before EOI, a common quirk
    QTest::newRow("one extraneous byte") << extraneous;
    QByteArray padded = jpeg(img);
    padded.insert(padded.size() - 2, QByteArray(300, '\0'));
    QTest::newRow("zero padding before EOI") << padded;
    QByteArray stray = jpeg(img);
    stray.insert(stray.size() - 2, QByteArray("\x01\x02\x03\x04\x05\x06", 6));
    QTest::newRow("six stray bytes before EOI") << stray;
    QTest::newRow("exif") << withExifOrientation(jpeg(img), 6);
}

void TestImaging::jpegValidatorAccepts()
{
    QFETCH(QByteArray, data);
    const dl::JpegValidator::Result result = dl::JpegValidator::validate(data);
    QVERIFY2(result.ok(), qPrintable(result.message));
    QVERIFY(result.entropyChecked);
    QVERIFY(result.scans >= 1);
    // libjpeg agrees that these are fine, and so does the whole pipeline.
    const dl::Thumbnail thumb = thumbnailOf(data);
    QVERIFY2(thumb.ok(), qPrintable(thumb.message));
}

void TestImaging::corruptPixelData_data()
{
    QTest::addColumn<QByteArray>("data");
    const QImage img = photo(320, 240);
    QByteArray png = encodeQt(img, "png");
    QTest::newRow("png idat garbage") << damaged(png, 500, 0);
    QTest::newRow("png idat zeros") << damaged(png, 500, 2);
    QTest::newRow("png idat one byte") << damaged(png, 1, 3);
    QByteArray palette = encodeQt(img.convertToFormat(QImage::Format_Indexed8), "png");
    const qsizetype plte = palette.indexOf("PLTE");
    QVERIFY(plte > 0);
    palette[plte] = 'p'; // palette chunk becomes an unknown ancillary chunk
    QTest::newRow("png palette missing") << palette;
    // (WebP has no checksums and libwebp decodes any bit pattern: damage inside a WebP stream
    // cannot be detected, only truncation can.)
    QByteArray tiffLzw = encodeCv(img, ".tiff"); // LZW
    QTest::newRow("tiff lzw garbage") << damaged(tiffLzw, 800, 0);
    QTest::newRow("tiff lzw zeros") << damaged(tiffLzw, 800, 2);
}

void TestImaging::corruptPixelData()
{
    QFETCH(QByteArray, data);
    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QVERIFY2(header.ok(), qPrintable(header.message));
    const dl::Thumbnail thumb = dl::ThumbnailMaker::make(data, header);
    QVERIFY2(!thumb.ok(), "damaged pixel data accepted");
    QVERIFY2(thumb.reject == RejectReason::Corrupt || thumb.reject == RejectReason::Truncated,
        qPrintable(dl::rejectReasonKey(thumb.reject)));
    QVERIFY(!thumb.message.isEmpty());
}

// ---------------------------------------------------------------------------------------------

void TestImaging::thumbnailLargeJpeg()
{
    const QImage img = photo(4000, 3000);
    const QByteArray data = jpeg(img, 90);
    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QVERIFY(header.ok());
    QCOMPARE(header.size(), QSize(4000, 3000));
    const dl::Thumbnail thumb = dl::ThumbnailMaker::make(data, header);
    QVERIFY2(thumb.ok(), qPrintable(thumb.message));
    QVERIFY(thumb.width <= 256 && thumb.height <= 256);
    QCOMPARE(thumb.width, 256);
    QCOMPARE(thumb.height, 192);
    QVERIFY(std::abs(double(thumb.width) / thumb.height - 4.0 / 3.0) < 0.01);
    const QImage decoded = QImage::fromData(thumb.jpeg, "JPEG");
    QCOMPARE(decoded.size(), QSize(256, 192));
    // Content survived: the centre colour is close to the source's centre colour.
    QVERIFY(closeTo(decoded.pixel(128, 96), QColor(img.pixel(2000, 1500)), 30));
    QVERIFY(thumb.jpeg.size() < 40000);
    // Same picture as a careful full-size reference downscale (mean difference per channel).
    const QImage reference = img.scaled(256, 192, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    qint64 difference = 0;
    for (int y = 0; y < 192; ++y) {
        for (int x = 0; x < 256; ++x) {
            const QRgb a = decoded.pixel(x, y), b = reference.pixel(x, y);
            difference += std::abs(qRed(a) - qRed(b)) + std::abs(qGreen(a) - qGreen(b))
                + std::abs(qBlue(a) - qBlue(b));
        }
    }
    QVERIFY2(
        difference / (256 * 192 * 3) < 6, qPrintable(QString::number(double(difference) / (256 * 192 * 3))));

    const dl::Thumbnail small = dl::ThumbnailMaker::make(data, header, 100);
    QCOMPARE(QSize(small.width, small.height), QSize(100, 75));
}

void TestImaging::thumbnailAllFormats_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QSize>("expected");
    QTest::addColumn<bool>("transparentRight"); // right half transparent in the source

    const QImage img = photo(800, 600);
    const QImage alpha = photo(800, 600, true);
    QTest::newRow("jpeg") << jpeg(img) << QSize(256, 192) << false;
    QTest::newRow("jpeg gray") << jpeg(img.convertToFormat(QImage::Format_Grayscale8)) << QSize(256, 192)
                               << false;
    QTest::newRow("png") << encodeQt(img, "png") << QSize(256, 192) << false;
    QTest::newRow("png alpha") << encodeQt(alpha, "png") << QSize(256, 192) << true;
    QTest::newRow("png 16-bit") << encodeQt(img.convertToFormat(QImage::Format_RGBA64), "png")
                                << QSize(256, 192) << false;
    QTest::newRow("tiff") << encodeQt(img, "tiff") << QSize(256, 192) << false;
    QTest::newRow("tiff lzw cv") << encodeCv(img, ".tiff") << QSize(256, 192) << false;
    QTest::newRow("webp") << encodeQt(img, "webp", 80) << QSize(256, 192) << false;
    QTest::newRow("webp lossless") << encodeQt(img, "webp", 100) << QSize(256, 192) << false;
    QTest::newRow("webp alpha") << encodeQt(alpha, "webp", 90) << QSize(256, 192) << true;
    QTest::newRow("bmp") << encodeQt(img, "bmp") << QSize(256, 192) << false;
    QTest::newRow("small png not enlarged") << encodeQt(photo(100, 50), "png") << QSize(100, 50) << false;
    QTest::newRow("small jpeg not enlarged") << jpeg(photo(100, 50)) << QSize(100, 50) << false;
    QTest::newRow("portrait") << jpeg(photo(600, 800)) << QSize(192, 256) << false;
}

void TestImaging::thumbnailAllFormats()
{
    QFETCH(QByteArray, data);
    QFETCH(QSize, expected);
    QFETCH(bool, transparentRight);
    const dl::ImageHeader header = dl::ImageProbe::probe(data);
    QVERIFY2(header.ok(), qPrintable(header.message));
    const dl::Thumbnail thumb = dl::ThumbnailMaker::make(data, header);
    QVERIFY2(thumb.ok(), qPrintable(thumb.message));
    QCOMPARE(QSize(thumb.width, thumb.height), expected);
    QVERIFY(thumb.jpeg.startsWith("\xFF\xD8\xFF"));
    const QImage decoded = QImage::fromData(thumb.jpeg, "JPEG");
    QVERIFY(!decoded.isNull());
    QCOMPARE(decoded.size(), expected);
    // Left quarter carries the photo's reddish tone; a transparent right half becomes white.
    const QRgb left = decoded.pixel(decoded.width() / 4, decoded.height() / 2);
    QVERIFY2(qRed(left) > qBlue(left) + 30 || qGray(left) > 100, qPrintable(QColor(left).name()));
    if (transparentRight)
        QVERIFY(
            closeTo(decoded.pixel(decoded.width() * 3 / 4, decoded.height() / 2), QColor(255, 255, 255), 12));
}

void TestImaging::thumbnailColourSpace()
{
    // An Adobe RGB photo: the thumbnail holds sRGB values (and no ICC profile).
    QImage adobe(300, 200, QImage::Format_RGB32);
    adobe.fill(QColor(60, 190, 70));
    adobe.setColorSpace(QColorSpace(QColorSpace::AdobeRgb));
    const QRgb expected = adobe.convertedToColorSpace(QColorSpace(QColorSpace::SRgb)).pixel(0, 0);
    QVERIFY(std::abs(qRed(expected) - 60) > 10 || std::abs(qGreen(expected) - 190) > 10);
    for (const char *format : { "png", "jpeg" }) {
        const QByteArray data = encodeQt(adobe, format, 95);
        QVERIFY(QImage::fromData(data).colorSpace().isValid()); // the profile travelled
        const dl::Thumbnail thumb = thumbnailOf(data);
        QVERIFY2(thumb.ok(), qPrintable(thumb.message));
        const QImage shown = QImage::fromData(thumb.jpeg, "JPEG");
        QVERIFY2(closeTo(shown.pixel(100, 100), QColor(expected), 6),
            qPrintable(u"%1: %2 vs %3"_s.arg(
                QLatin1StringView(format), QColor(shown.pixel(100, 100)).name(), QColor(expected).name())));
        QVERIFY(!shown.colorSpace().isValid() || shown.colorSpace() == QColorSpace(QColorSpace::SRgb));
        QVERIFY(!thumb.jpeg.contains("ICC_PROFILE"));
    }
}

void TestImaging::decodeScaled_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QSize>("box");
    QTest::addColumn<QSize>("expected");
    const QImage img = photo(1200, 800);
    const QByteArray jpg = jpeg(img);
    const QByteArray rotated = withExifOrientation(jpg, 6);
    const QByteArray png = encodeQt(img, "png");
    QTest::newRow("jpeg square box") << jpg << QSize(300, 300) << QSize(300, 200);
    QTest::newRow("jpeg tall box") << jpg << QSize(100, 300) << QSize(100, 67);
    QTest::newRow("jpeg wide box") << jpg << QSize(600, 100) << QSize(150, 100);
    QTest::newRow("jpeg odd box") << jpg << QSize(333, 777) << QSize(333, 222);
    QTest::newRow("jpeg larger box") << jpg << QSize(5000, 5000) << QSize(1200, 800);
    QTest::newRow("jpeg rotated") << rotated << QSize(300, 300) << QSize(200, 300);
    QTest::newRow("jpeg rotated wide box") << rotated << QSize(600, 120) << QSize(80, 120);
    QTest::newRow("png") << png << QSize(300, 300) << QSize(300, 200);
    QTest::newRow("png tall box") << png << QSize(100, 300) << QSize(100, 67);
}

void TestImaging::decodeScaled()
{
    QFETCH(QByteArray, data);
    QFETCH(QSize, box);
    QFETCH(QSize, expected);
    QString error;
    const QImage image = dl::ImageDecoder::decodeScaled(data, box, &error);
    QVERIFY2(!image.isNull(), qPrintable(error));
    QCOMPARE(image.size(), expected);
    QVERIFY(image.width() <= box.width() && image.height() <= box.height());
    QCOMPARE(image.format(), QImage::Format_RGB32);
}

void TestImaging::decodeFull()
{
    QString error;
    const QImage img = photo(321, 123);
    QImage rgb = dl::ImageDecoder::decode(jpeg(img, 95), &error);
    QVERIFY2(!rgb.isNull(), qPrintable(error));
    QCOMPARE(rgb.size(), QSize(321, 123));
    QCOMPARE(rgb.format(), QImage::Format_RGB32);
    QVERIFY(closeTo(rgb.pixel(160, 60), QColor(img.pixel(160, 60)), 30));

    const QImage lossless = dl::ImageDecoder::decode(encodeQt(img, "png"), &error);
    QCOMPARE(lossless.format(), QImage::Format_RGB32);
    QCOMPARE(lossless.pixel(17, 33), img.pixel(17, 33));

    const QImage withAlpha = dl::ImageDecoder::decode(encodeQt(photo(64, 32, true), "png"), &error);
    QCOMPARE(withAlpha.format(), QImage::Format_ARGB32);
    QCOMPARE(qAlpha(withAlpha.pixel(60, 10)), 0);
    QCOMPARE(qAlpha(withAlpha.pixel(3, 10)), 255);

    const QImage gray
        = dl::ImageDecoder::decode(encodeQt(img.convertToFormat(QImage::Format_Grayscale8), "png"), &error);
    QCOMPARE(gray.format(), QImage::Format_RGB32);

    const QImage deep
        = dl::ImageDecoder::decode(encodeQt(img.convertToFormat(QImage::Format_RGBX64), "png"), &error);
    QCOMPARE(deep.format(), QImage::Format_RGB32);
    QCOMPARE(deep.pixel(5, 5), img.pixel(5, 5));

    const QImage bmp = dl::ImageDecoder::decode(encodeQt(img, "bmp"), &error);
    QCOMPARE(bmp.pixel(100, 100), img.pixel(100, 100));
    const QImage tiff = dl::ImageDecoder::decode(tiffBigEndian(img), &error);
    QVERIFY2(!tiff.isNull(), qPrintable(error));
    QCOMPARE(tiff.pixel(100, 100), img.pixel(100, 100));
    const QImage webp = dl::ImageDecoder::decode(encodeQt(img, "webp", 100), &error);
    QCOMPARE(webp.pixel(100, 100), img.pixel(100, 100));

    // The pixel limit is checked from the header before decoding.
    error.clear();
    QVERIFY(dl::ImageDecoder::decode(jpeg(img), &error, 10'000).isNull());
    QVERIFY2(error.contains(u"exceeds the limit"_s), qPrintable(error));
    error.clear();
    QVERIFY(dl::ImageDecoder::decode(QByteArray("hello"), &error).isNull());
    QVERIFY(!error.isEmpty());
}

void TestImaging::decodeFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString good = dir.filePath(u"lesion.jpg"_s);
    const QString bad = dir.filePath(u"cut.png"_s);
    {
        QFile f(good);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(withExifOrientation(jpeg(photo(200, 100)), 8));
    }
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray png = encodeQt(photo(200, 100), "png");
        f.write(png.left(png.size() / 2));
    }
    QString error;
    const QImage image = dl::ImageDecoder::decodeFile(good, &error);
    QVERIFY2(!image.isNull(), qPrintable(error));
    QCOMPARE(image.size(), QSize(100, 200));

    QVERIFY(dl::ImageDecoder::decodeFile(bad, &error).isNull());
    QVERIFY2(error.contains(QDir::toNativeSeparators(bad)), qPrintable(error));
    QVERIFY(error.contains(u"IEND"_s));

    const QString missing = dir.filePath(u"missing.jpg"_s);
    QVERIFY(dl::ImageDecoder::decodeFile(missing, &error).isNull());
    QVERIFY2(error.contains(QDir::toNativeSeparators(missing)), qPrintable(error));
}

void TestImaging::openCvFallback()
{
    // Images above Qt's allocation limit go through OpenCV; force that with a tiny limit.
    const QImage img = photo(1000, 700, true);
    const QByteArray png = encodeQt(img, "png");
    const QByteArray jpg = withExifOrientation(jpeg(photo(1000, 700)), 6);
    QString error;
    const QImage viaQt = dl::ImageDecoder::decode(png, &error);
    const QImage jpgViaQt = dl::ImageDecoder::decode(jpg, &error);
    const int oldLimit = QImageReader::allocationLimit();
    QImageReader::setAllocationLimit(1);
    const QImage viaCv = dl::ImageDecoder::decode(png, &error);
    const QImage jpgViaCv = dl::ImageDecoder::decode(jpg, &error);
    const dl::Thumbnail thumb = thumbnailOf(encodeQt(photo(2000, 1000), "png"));
    QImageReader::setAllocationLimit(oldLimit);

    QVERIFY2(!viaCv.isNull(), qPrintable(error));
    QCOMPARE(viaCv.format(), QImage::Format_ARGB32);
    QCOMPARE(viaCv.size(), viaQt.size());
    QCOMPARE(viaCv.pixel(10, 10), viaQt.pixel(10, 10));
    QCOMPARE(qAlpha(viaCv.pixel(900, 10)), 0);
    QCOMPARE(jpgViaCv.size(), QSize(700, 1000));
    QCOMPARE(jpgViaCv.size(), jpgViaQt.size());
    QVERIFY(closeTo(jpgViaCv.pixel(300, 300), QColor(jpgViaQt.pixel(300, 300)), 6));
    QVERIFY2(thumb.ok(), qPrintable(thumb.message));
    QCOMPARE(QSize(thumb.width, thumb.height), QSize(256, 128));
}

void TestImaging::decoderWarningsStayQuiet()
{
    // libpng/libwebp/libtiff complain through Qt's message handler; none of it may escape.
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    const QImage img = photo(320, 240);
    const QList<QByteArray> broken
        = { damaged(encodeQt(img, "png"), 500, 0), damaged(encodeCv(img, ".tiff"), 800, 0),
              damaged(jpeg(img), 800, 0), damaged(encodeQt(img, "webp", 80), 800, 0, 99, 0.99) };
    for (const QByteArray &data : broken) {
        QVERIFY(!thumbnailOf(data).ok());
        QString error;
        QVERIFY(dl::ImageDecoder::decode(data, &error).isNull());
    }
    // A JPEG with a few stray bytes before EOI is accepted (within the tolerance); libjpeg's
    // warning about it is captured in the result instead of being printed.
    QByteArray extraneous = jpeg(img);
    extraneous.insert(extraneous.size() - 2, QByteArray(8, '\0'));
    const dl::ImageDecoder::Result quirky = dl::ImageDecoder::decodeDetailed(extraneous, QSize(64, 64));
    QVERIFY2(quirky.ok(), qPrintable(quirky.message));
    QVERIFY2(
        quirky.warnings.join(u' ').contains(u"extraneous bytes"_s), qPrintable(quirky.warnings.join(u' ')));
    // Messages from outside a decode still reach the previous handler (and QTest).
    QTest::ignoreMessage(QtDebugMsg, "outside decode");
    qDebug("outside decode");
}

void TestImaging::threadSafety()
{
    QList<QByteArray> inputs;
    QList<QSize> expected;
    for (int i = 0; i < 200; ++i) {
        const int w = 300 + 7 * (i % 20), h = 200 + 5 * (i % 13);
        const QImage img = photo(w, h, i % 10 == 3);
        QByteArray data;
        switch (i % 5) {
        case 0:
            data = jpeg(img);
            break;
        case 1:
            data = withExifOrientation(jpeg(img), 1 + i % 8);
            break;
        case 2:
            data = encodeQt(img, "png");
            break;
        case 3:
            data = encodeQt(img, "webp", 80);
            break;
        default:
            data = i % 2 ? encodeQt(img, "bmp") : encodeQt(img, "tiff");
            break;
        }
        inputs.append(data);
        const dl::ImageHeader header = dl::ImageProbe::probe(data);
        expected.append(dl::ImageDecoder::fitSize(header.orientedSize(), QSize(256, 256)));
    }
    QList<dl::Thumbnail> sequential;
    for (int i = 0; i < 20; ++i)
        sequential.append(thumbnailOf(inputs.at(i)));

    const QList<dl::Thumbnail> results = QtConcurrent::blockingMapped(inputs, thumbnailOf);
    QCOMPARE(results.size(), 200);
    for (int i = 0; i < results.size(); ++i) {
        const dl::Thumbnail &t = results.at(i);
        QVERIFY2(t.ok(), qPrintable(u"%1: %2"_s.arg(i).arg(t.message)));
        QCOMPARE(QSize(t.width, t.height), expected.at(i));
        QVERIFY(!QImage::fromData(t.jpeg, "JPEG").isNull());
        if (i < sequential.size())
            QCOMPARE(t.jpeg, sequential.at(i).jpeg); // deterministic, no cross-talk between threads
    }
}

QTEST_GUILESS_MAIN(TestImaging)
#include "tst_imaging.moc"
