// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/CocoWriter.h"

#include "masks/CocoRle.h"

#include <QCoreApplication>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::CocoWriter", text);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

int CocoWriter::addCategory(const QString &name, const QString &supercategory, QString *error)
{
    if (name.isEmpty()) {
        setError(error, tr("A COCO category needs a name."));
        return 0;
    }
    if (m_categoryIds.contains(name)) {
        setError(error, tr("The COCO category \"%1\" was added twice.").arg(name));
        return 0;
    }
    const int id = int(m_categories.size()) + 1;
    m_categories.append(
        QJsonObject { { u"id"_s, id }, { u"name"_s, name }, { u"supercategory"_s, supercategory } });
    m_categoryIds.insert(name, id);
    return id;
}

int CocoWriter::addImage(const CocoImageRecord &image, QString *error)
{
    if (image.fileName.isEmpty()) {
        setError(error, tr("A COCO image needs a file name."));
        return 0;
    }
    if (m_fileNames.contains(image.fileName)) {
        setError(error, tr("The image %1 was added twice.").arg(image.fileName));
        return 0;
    }
    if (image.width < 1 || image.height < 1) {
        setError(error,
            tr("The image %1 has the invalid size %2 x %3.")
                .arg(image.fileName)
                .arg(image.width)
                .arg(image.height));
        return 0;
    }
    const int imageId = int(m_images.size()) + 1;
    QJsonArray annotations;
    for (const CocoMaskRecord &m : image.masks) {
        const int categoryId = m_categoryIds.value(m.category);
        if (categoryId == 0) {
            setError(error,
                tr("The image %1 has a mask of the unknown category \"%2\".")
                    .arg(image.fileName, m.category));
            return 0;
        }
        if (m.rle) {
            if (m.rle->width != image.width || m.rle->height != image.height || !CocoRle::isValid(*m.rle)) {
                setError(error, tr("The \"%1\" mask of %2 does not have the image's size.").arg(m.category, image.fileName));
                return 0;
            }
        } else if (m.mask.type() != CV_8UC1 || m.mask.cols != image.width || m.mask.rows != image.height) {
            setError(error,
                tr("The \"%1\" mask of %2 is %3 x %4 (type %5), not %6 x %7 8-bit.")
                    .arg(m.category, image.fileName)
                    .arg(m.mask.cols)
                    .arg(m.mask.rows)
                    .arg(m.mask.type())
                    .arg(image.width)
                    .arg(image.height));
            return 0;
        }
        const Rle rle = m.rle ? *m.rle : CocoRle::encode(m.mask);
        const quint64 area = CocoRle::area(rle);
        if (area == 0)
            continue;
        const QRectF box = CocoRle::bbox(rle);
        const int annotationId = int(m_annotations.size() + annotations.size()) + 1;
        annotations.append(QJsonObject {
            { u"id"_s, annotationId },
            { u"image_id"_s, imageId },
            { u"category_id"_s, categoryId },
            { u"segmentation"_s, CocoRle::toJson(rle) },
            { u"area"_s, double(area) },
            { u"bbox"_s, QJsonArray { box.x(), box.y(), box.width(), box.height() } },
            { u"iscrowd"_s, 0 },
            { u"attributes"_s, m.attributes },
        });
    }
    QJsonObject record { { u"id"_s, imageId }, { u"file_name"_s, image.fileName },
        { u"width"_s, image.width }, { u"height"_s, image.height } };
    if (image.license > 0)
        record.insert(u"license"_s, image.license);
    m_images.append(record);
    for (const QJsonValue &a : std::as_const(annotations))
        m_annotations.append(a);
    m_fileNames.insert(image.fileName);
    return imageId;
}

QJsonObject CocoWriter::toObject() const
{
    return QJsonObject {
        { u"info"_s, m_info },
        { u"licenses"_s, m_licenses },
        { u"images"_s, m_images },
        { u"categories"_s, m_categories },
        { u"annotations"_s, m_annotations },
    };
}

QByteArray CocoWriter::toJson() const
{
    return QJsonDocument(toObject()).toJson(QJsonDocument::Compact);
}

} // namespace dl
