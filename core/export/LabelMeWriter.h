// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <opencv2/core/mat.hpp>

#include <optional>

namespace dl {

// One labelled region: a CV_8UC1 mask (nonzero = inside) of the image's size.
struct LabelMeMask
{
    LabelMeMask() = default;
    LabelMeMask(QString label, cv::Mat mask, QString description = {}, QJsonObject flags = {},
                cv::Rect within = {})
        : label(std::move(label)), mask(std::move(mask)), description(std::move(description)),
          flags(std::move(flags)), within(within)
    { }

    QString label;
    cv::Mat mask;
    QString description; // the shape's "description"
    QJsonObject flags; // the shape's "flags"
    cv::Rect within; // when not empty: every nonzero pixel of mask lies in it (spares a full scan)
};

// Writes LabelMe JSON that LabelMe itself opens: top level {version, flags, shapes, imagePath,
// imageData: null, imageHeight, imageWidth}; every region a "mask" shape (MaskCodec): points the
// inclusive bounding box, mask the base64 PNG of that patch. Shapes follow the order given; a mask
// without any pixel set gives no shape. Reentrant.
class LabelMeWriter
{
public:
    // The LabelMe version written ("5.2.1", the first release series that reads mask shapes).
    static QString version();

    // imagePath as LabelMe resolves it: relative to the folder of the JSON file (see
    // relativeImagePath()). Nullopt and *error for an empty image path, a size below 1 x 1 or a mask
    // of another size or type than CV_8UC1.
    static std::optional<QJsonObject> build(const QString &imagePath, int width, int height,
        const QList<LabelMeMask> &masks, QString *error, const QJsonObject &flags = {});
    // Indented, keys sorted: the same document gives the same bytes.
    static QByteArray toJson(const QJsonObject &document);

    // The path of imagePath relative to the folder of jsonPath, '/'-separated. Both may be
    // relative to the same root (such as the bundle: "labelme/a.json", "images/a.jpg" gives
    // "../images/a.jpg") or both absolute.
    static QString relativeImagePath(const QString &jsonPath, const QString &imagePath);
};

} // namespace dl
