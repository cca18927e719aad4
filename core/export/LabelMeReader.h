// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QJsonObject>
#include <QMap>
#include <QSize>
#include <QString>
#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <optional>

namespace dl {

// A LabelMe file as read by LabelMeReader.
struct LabelMeDocument
{
    QString version;
    QString imagePath; // as written (relative to the JSON file's folder)
    QString imageFilePath; // readFile(): imagePath resolved against the JSON file's folder
    int width = 0, height = 0; // imageWidth, imageHeight
    QJsonObject flags;
    // Full-size CV_8UC1 (0 / 255) per label: all shapes of a label merged (union).
    QMap<QString, cv::Mat> masks;
    int shapesRead = 0; // shapes that went into masks
    QStringList warnings; // shapes ignored (line, point, linestrip, unknown types, degenerate)
};

// Reads LabelMe JSON. Region shapes become full-size masks per label, drawn as LabelMe's own
// shape_to_mask draws them (outline included; coordinates rounded to whole pixels):
//   polygon (also a shape without shape_type): the filled polygon of its points (3 or more);
//   rectangle: two corner points, both included;
//   circle: centre and a point on the circle;
//   mask: the base64 PNG patch placed at its box (MaskCodec).
// line, linestrip and point shapes are not regions: ignored with a warning, as are unknown shape
// types. Unknown keys anywhere are tolerated. imageHeight and imageWidth are required; with a valid
// expectedSize (the real image's size) they must match it. Malformed shapes (no label, points that
// are not number pairs, a broken mask patch) are errors naming the shape. Reentrant.
//
// Without an expectedSize, imageWidth x imageHeight may not exceed MaxPixels: nothing is allocated
// for a larger claim. Importers should read the header first (parseHeader), match the image, then
// parse the shapes against the real image's size.
class LabelMeReader
{
public:
    static constexpr qint64 MaxPixels = 100'000'000;

    // The document's version, flags, imagePath, imageWidth and imageHeight, checked as parse()
    // checks them; no shape is read (masks stay empty).
    static std::optional<LabelMeDocument> parseHeader(QByteArrayView json, QString *error);
    static std::optional<LabelMeDocument> parse(
        QByteArrayView json, QString *error, QSize expectedSize = QSize());
    static std::optional<LabelMeDocument> readFile(
        const QString &path, QString *error, QSize expectedSize = QSize());
};

} // namespace dl
