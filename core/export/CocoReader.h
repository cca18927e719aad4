// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/CocoRle.h"

#include <QByteArrayView>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <optional>

namespace dl {

struct CocoImageInfo
{
    int id = 0;
    QString fileName;
    int width = 0, height = 0;
};

struct CocoCategoryInfo
{
    int id = 0;
    QString name;
    QString supercategory;
};

// A COCO file as read by CocoReader: every annotation of an image and category merged (union)
// into one region, kept as RLE until a mask is asked for.
struct CocoDocument
{
    QList<CocoImageInfo> images; // in file order
    QList<CocoCategoryInfo> categories; // in file order
    int annotationCount = 0; // annotations read into regions
    QStringList warnings; // annotations skipped (no segmentation, empty polygon list ...)
    // Region per image file_name, then per category name.
    QMap<QString, QMap<QString, Rle>> regions;

    // Full-size CV_8UC1 (0 / 255) of one image and category; an empty Mat when it has none.
    cv::Mat mask(const QString &fileName, const QString &category) const;
    // Every region of one image, by category name.
    QMap<QString, cv::Mat> masks(const QString &fileName) const;
    const CocoImageInfo *image(const QString &fileName) const;
};

// Reads COCO detection/segmentation JSON: images, categories and annotations whose segmentation is
// a polygon list (rasterised exactly as the cocoapi does), an uncompressed RLE {size, counts: [...]}
// or a compressed RLE {size, counts: "..."}. An RLE must have its image's size. Annotations without
// a segmentation are skipped with a warning; anything malformed (missing or mistyped fields, an
// image_id or category_id that is not declared, duplicate ids or file names, odd or non-numeric
// polygon coordinates, a bad counts string) is an error that names the item. Reentrant.
class CocoReader
{
public:
    static std::optional<CocoDocument> parse(QByteArrayView json, QString *error);
    static std::optional<CocoDocument> readFile(const QString &path, QString *error);
};

} // namespace dl
