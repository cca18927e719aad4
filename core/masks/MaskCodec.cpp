// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskCodec.h"

#include <QCoreApplication>
#include <QJsonArray>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <vector>

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
// level 6 with the RLE strategy, about three times smaller on flat masks but slower to read).
enum class PngMode { Fast, Small };

QByteArray writePng(const cv::Mat &image, PngMode mode)
{
    std::vector<uchar> buffer;
    const bool fast = mode == PngMode::Fast;
    const std::vector<int> params{
        cv::IMWRITE_PNG_COMPRESSION, fast ? 1 : 6, cv::IMWRITE_PNG_STRATEGY,
        fast ? cv::IMWRITE_PNG_STRATEGY_DEFAULT : cv::IMWRITE_PNG_STRATEGY_RLE};
    try {
        if (!cv::imencode(".png", image, buffer, params))
            return {};
    } catch (const cv::Exception &) {
        return {};
    }
    return QByteArray(reinterpret_cast<const char *>(buffer.data()), qsizetype(buffer.size()));
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
    cv::Mat binary;
    cv::compare(mask, 0, binary, cv::CMP_NE);
    return writePng(binary, PngMode::Small);
}

QJsonObject MaskCodec::toLabelMeMaskShape(const cv::Mat &mask, const QString &label)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        return {};
    const cv::Rect box = cv::boundingRect(mask); // of the nonzero pixels
    if (box.empty())
        return {};
    cv::Mat patch;
    cv::compare(mask(box), 0, patch, cv::CMP_NE);
    patch /= 255; // 0/1 as LabelMe expects
    const QByteArray png = writePng(patch, PngMode::Small);
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
