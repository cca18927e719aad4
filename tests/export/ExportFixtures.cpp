// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExportFixtures.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImageWriter>
#include <QRandomGenerator>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>

namespace fixtures {

cv::Mat testPicture(int width, int height, quint32 seed)
{
    cv::Mat m(height, width, CV_8UC3);
    QRandomGenerator rng(seed);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            m.at<cv::Vec3b>(y, x)
                = cv::Vec3b(uchar(x * 255 / width), uchar(y * 255 / height), uchar(rng.bounded(256)));
    }
    cv::circle(m, cv::Point(width / 3, height / 2), height / 4, cv::Scalar(20, 40, 200), cv::FILLED);
    return m;
}

QByteArray encodeJpeg(const cv::Mat &bgr, const std::vector<int> &params)
{
    std::vector<uchar> buffer;
    if (!cv::imencode(".jpg", bgr, buffer, params))
        return {};
    return QByteArray(reinterpret_cast<const char *>(buffer.data()), qsizetype(buffer.size()));
}

QImage testImage(int width, int height, bool alpha, quint32 seed)
{
    QImage image(width, height, alpha ? QImage::Format_ARGB32 : QImage::Format_RGB32);
    QRandomGenerator rng(seed);
    for (int y = 0; y < height; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < width; ++x)
            line[x] = qRgba(x * 7, y * 5, int(rng.bounded(256)), alpha ? int(rng.bounded(256)) : 255);
    }
    return image;
}

QByteArray encodePng(const QImage &image)
{
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    return writer.write(image) ? png : QByteArray();
}

bool samePixels(const QImage &a, const QImage &b)
{
    if (a.isNull() || b.isNull() || a.size() != b.size())
        return false;
    const QImage x = a.convertToFormat(QImage::Format_ARGB32);
    const QImage y = b.convertToFormat(QImage::Format_ARGB32);
    for (int row = 0; row < x.height(); ++row) {
        if (std::memcmp(x.constScanLine(row), y.constScanLine(row), size_t(x.width()) * 4) != 0)
            return false;
    }
    return true;
}

QByteArray sha256Hex(QByteArrayView data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

QStringList entriesOf(const QString &dir)
{
    return QDir(dir).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

} // namespace fixtures
