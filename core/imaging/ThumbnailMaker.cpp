// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ThumbnailMaker.h"

#include "imaging/ImageDecoder.h"

#include <QBuffer>
#include <QColorSpace>
#include <QCoreApplication>
#include <QImageWriter>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace dl {

namespace {

Thumbnail rejected(RejectReason reason, const QString &message)
{
    Thumbnail t;
    t.reject = reason;
    t.message = message;
    return t;
}

// Opaque RGB32 copy: alpha composited over white, colours in sRGB, colour space cleared so
// the encoder does not embed an ICC profile in every thumbnail.
QImage opaqueSrgb(const QImage &source)
{
    QImage image = source;
    if (image.hasAlphaChannel()) {
        image = image.convertToFormat(QImage::Format_ARGB32);
        for (int y = 0; y < image.height(); ++y) {
            QRgb *line = reinterpret_cast<QRgb *>(image.scanLine(y));
            for (int x = 0; x < image.width(); ++x) {
                const QRgb p = line[x];
                const int a = qAlpha(p);
                const auto blend = [a](int c) { return (c * a + 255 * (255 - a) + 127) / 255; };
                line[x] = qRgb(blend(qRed(p)), blend(qGreen(p)), blend(qBlue(p)));
            }
        }
    }
    if (image.format() != QImage::Format_RGB32)
        image = image.convertToFormat(QImage::Format_RGB32);
    const QColorSpace space = image.colorSpace();
    if (space.isValid() && space != QColorSpace(QColorSpace::SRgb))
        image.convertToColorSpace(QColorSpace::SRgb);
    image.setColorSpace(QColorSpace());
    return image;
}

} // namespace

QByteArray ThumbnailMaker::encodeJpeg(const QImage &image, int quality)
{
    if (image.isNull())
        return QByteArray();
    const QImage opaque = opaqueSrgb(image);
    QByteArray bytes;
    {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter writer(&buffer, "jpeg");
        writer.setQuality(quality);
        writer.setOptimizedWrite(true);
        if (writer.write(opaque))
            return bytes;
    }
    // No Qt JPEG plugin: let OpenCV encode (RGB32 is BGRA in memory).
    try {
        const cv::Mat bgra(opaque.height(), opaque.width(), CV_8UC4, const_cast<uchar *>(opaque.constBits()),
            size_t(opaque.bytesPerLine()));
        cv::Mat bgr;
        cv::cvtColor(bgra, bgr, cv::COLOR_BGRA2BGR);
        std::vector<uchar> encoded;
        if (cv::imencode(
                ".jpg", bgr, encoded, { cv::IMWRITE_JPEG_QUALITY, quality, cv::IMWRITE_JPEG_OPTIMIZE, 1 }))
            return QByteArray(reinterpret_cast<const char *>(encoded.data()), qsizetype(encoded.size()));
    } catch (const cv::Exception &) { }
    return QByteArray();
}

Thumbnail ThumbnailMaker::make(QByteArrayView data, const ImageHeader &header, int maxEdge)
{
    if (!header.ok())
        return rejected(header.reject, header.message);
    const int edge = maxEdge > 0 ? maxEdge : DefaultMaxEdge;
    // The caller may have probed with a larger limit than the default; respect it.
    const qint64 limit = std::max(ImageProbe::DefaultPixelLimit, header.pixelCount());
    const ImageDecoder::Result decoded = ImageDecoder::decodeDetailed(data, QSize(edge, edge), limit);
    if (!decoded.ok())
        return rejected(decoded.reject, decoded.message);
    if (header.format != ImageFormat::Unknown
        && (header.format != decoded.header.format || header.size() != decoded.header.size()
            || header.orientation != decoded.header.orientation)) {
        return rejected(RejectReason::Corrupt,
            QCoreApplication::translate(
                "dl::ThumbnailMaker", "The image header given does not match the image data"));
    }
    Thumbnail thumbnail;
    thumbnail.jpeg = encodeJpeg(decoded.image, JpegQuality);
    if (thumbnail.jpeg.isEmpty()) {
        return rejected(RejectReason::Unreadable,
            QCoreApplication::translate("dl::ThumbnailMaker", "The thumbnail could not be encoded"));
    }
    thumbnail.width = decoded.image.width();
    thumbnail.height = decoded.image.height();
    return thumbnail;
}

} // namespace dl
