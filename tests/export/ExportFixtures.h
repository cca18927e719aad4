// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QImage>
#include <QString>
#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <vector>

/// Images and files shared by the export tests.
namespace fixtures {

/// A BGR picture with smooth gradients, noise and a disc (content depends on seed).
cv::Mat testPicture(int width, int height, quint32 seed);
/// JPEG through OpenCV's encoder with the given imwrite parameters.
QByteArray encodeJpeg(const cv::Mat &bgr, const std::vector<int> &params);
/// RGB32 (or ARGB32 with random alpha) noise over gradients.
QImage testImage(int width, int height, bool alpha, quint32 seed);
/// PNG through Qt's writer.
QByteArray encodePng(const QImage &image);
/// Same size and the same ARGB value in every pixel.
bool samePixels(const QImage &a, const QImage &b);

QByteArray sha256Hex(QByteArrayView data);
QByteArray readFile(const QString &path);
bool writeFile(const QString &path, const QByteArray &bytes);
/// Names in a folder, hidden ones included, sorted.
QStringList entriesOf(const QString &dir);

} // namespace fixtures
