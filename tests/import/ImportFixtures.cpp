// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportFixtures.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QRandomGenerator>

#include <zlib.h>

namespace fixtures {

static QImage pattern(int width, int height, int seed)
{
    QImage image(width, height, QImage::Format_RGB32);
    QRandomGenerator random(quint32(seed) * 7919u + 17u);
    image.fill(QColor::fromHsv(random.bounded(360), 80 + random.bounded(100), 120 + random.bounded(120)));
    QPainter painter(&image);
    for (int i = 0; i < 12; ++i) {
        painter.setBrush(QColor::fromHsv(random.bounded(360), 150, 150));
        painter.setPen(Qt::NoPen);
        painter.drawEllipse(random.bounded(width), random.bounded(height), 5 + random.bounded(width / 2 + 1),
                            5 + random.bounded(height / 2 + 1));
    }
    return image;
}

static QByteArray encode(const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, format, 90);
    return bytes;
}

QByteArray jpeg(int width, int height, int seed)
{
    return encode(pattern(width, height, seed), "JPEG");
}

QByteArray png(int width, int height, int seed)
{
    return encode(pattern(width, height, seed), "PNG");
}

QByteArray truncatedJpeg(int seed)
{
    const QByteArray full = jpeg(320, 240, seed);
    return full.left(full.size() * 6 / 10);
}

static void appendChunk(QByteArray &png, const char type[4], const QByteArray &data)
{
    const quint32 length = quint32(data.size());
    for (int shift = 24; shift >= 0; shift -= 8)
        png.append(char(length >> shift));
    QByteArray typed(type, 4);
    typed.append(data);
    png.append(typed);
    const quint32 crc = quint32(crc32(0, reinterpret_cast<const Bytef *>(typed.constData()), uInt(typed.size())));
    for (int shift = 24; shift >= 0; shift -= 8)
        png.append(char(crc >> shift));
}

QByteArray pngHeaderClaiming(quint32 width, quint32 height)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray ihdr;
    for (quint32 v : {width, height})
        for (int shift = 24; shift >= 0; shift -= 8)
            ihdr.append(char(v >> shift));
    ihdr.append(char(8)).append(char(2)).append(char(0)).append(char(0)).append(char(0));
    appendChunk(png, "IHDR", ihdr);
    appendChunk(png, "IDAT", QByteArray(16, '\0'));
    appendChunk(png, "IEND", QByteArray());
    return png;
}

bool write(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

bool writeText(const QString &path, const QString &text)
{
    return write(path, text.toUtf8());
}

} // namespace fixtures
