// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/CocoRle.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

#include <opencv2/core/mat.hpp>

#include <optional>

namespace dl {

// One region of an image: a CV_8UC1 mask (nonzero = inside) of the image's size.
struct CocoMaskRecord
{
    QString category; // a category name given to addCategory()
    cv::Mat mask;
    QJsonObject attributes; // written as the annotation's "attributes"
    // The mask already encoded (the mask is then not needed): lets a caller encode on its own
    // worker threads and hand over only the runs.
    std::optional<Rle> rle = std::nullopt;
};

// One exported image and its regions.
struct CocoImageRecord
{
    QString fileName; // as written to "file_name", e.g. "images/img-3f2a.jpg"
    int width = 0, height = 0;
    int license = 0; // written as "license" when > 0
    QList<CocoMaskRecord> masks;
};

// Builds a COCO detection/segmentation JSON file:
//   info, licenses (as given),
//   images [{id, file_name, width, height[, license]}],
//   categories [{id, name, supercategory}],
//   annotations [{id, image_id, category_id, segmentation: {size: [h, w], counts: "<compressed
//                RLE>"}, area, bbox: [x, y, w, h], iscrowd: 0, attributes: {...}}].
// Ids are dense and follow the order of the calls: categories 1.. in addCategory() order, images
// 1.. in addImage() order, annotations 1.. in image order then mask order. A mask without any pixel
// set gives no annotation. The segmentation, area and bbox are exactly those of the cocoapi
// (CocoRle). Each mask is encoded when its image is added and only its RLE is kept, so a large
// export needs no more memory than its JSON. toJson() serialises compactly with sorted keys: the same
// calls give the same bytes.
class CocoWriter
{
public:
    void setInfo(const QJsonObject &info) { m_info = info; }
    void setLicenses(const QJsonArray &licenses) { m_licenses = licenses; }

    // Returns the new category id; 0 and *error for an empty or duplicate name.
    int addCategory(const QString &name, const QString &supercategory, QString *error);
    // Returns the new image id; 0 and *error (nothing added) for an empty or duplicate file name,
    // a size below 1 x 1, a mask of another size or type than CV_8UC1 or an unknown category.
    int addImage(const CocoImageRecord &image, QString *error);

    int imageCount() const { return int(m_images.size()); }
    int annotationCount() const { return int(m_annotations.size()); }
    int categoryCount() const { return int(m_categories.size()); }

    QJsonObject toObject() const;
    QByteArray toJson() const;

private:
    QJsonObject m_info;
    QJsonArray m_licenses;
    QJsonArray m_images, m_categories, m_annotations;
    QHash<QString, int> m_categoryIds;
    QSet<QString> m_fileNames;
};

} // namespace dl
