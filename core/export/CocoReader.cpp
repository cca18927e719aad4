// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/CocoReader.h"

#include <QCoreApplication>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPolygonF>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::CocoReader", text);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

// An integral JSON number within int range.
bool intOf(const QJsonValue &v, int *out)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (d != std::floor(d) || d < -2147483648.0 || d > 2147483647.0)
        return false;
    *out = int(d);
    return true;
}

QString itemName(const char *array, qsizetype index, const QJsonObject &o)
{
    int id = 0;
    if (intOf(o.value("id"_L1), &id))
        return u"%1[%2] (id %3)"_s.arg(QLatin1StringView(array)).arg(index).arg(id);
    return u"%1[%2]"_s.arg(QLatin1StringView(array)).arg(index);
}

} // namespace

const CocoImageInfo *CocoDocument::image(const QString &fileName) const
{
    for (const CocoImageInfo &i : images) {
        if (i.fileName == fileName)
            return &i;
    }
    return nullptr;
}

cv::Mat CocoDocument::mask(const QString &fileName, const QString &category) const
{
    const auto it = regions.constFind(fileName);
    if (it == regions.cend())
        return {};
    const auto r = it->constFind(category);
    return r == it->cend() ? cv::Mat() : CocoRle::decode(*r);
}

QMap<QString, cv::Mat> CocoDocument::masks(const QString &fileName) const
{
    QMap<QString, cv::Mat> out;
    const auto it = regions.constFind(fileName);
    if (it == regions.cend())
        return out;
    for (auto r = it->cbegin(); r != it->cend(); ++r)
        out.insert(r.key(), CocoRle::decode(r.value()));
    return out;
}

std::optional<CocoDocument> CocoReader::readFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, tr("Cannot read %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    QString why;
    std::optional<CocoDocument> doc = parse(file.readAll(), &why);
    if (!doc)
        setError(error, tr("%1: %2").arg(path, why));
    return doc;
}

std::optional<CocoDocument> CocoReader::parse(QByteArrayView json, QString *error)
{
    const auto fail = [&](const QString &message) {
        setError(error, message);
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument jsonDoc = QJsonDocument::fromJson(json.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(
            tr("Not valid JSON: %1 at offset %2.").arg(parseError.errorString()).arg(parseError.offset));
    if (!jsonDoc.isObject())
        return fail(tr("A COCO file must be a JSON object."));
    const QJsonObject root = jsonDoc.object();
    for (const char *key : { "images", "categories", "annotations" }) {
        if (!root.value(QLatin1StringView(key)).isArray())
            return fail(tr("The COCO file has no \"%1\" array.").arg(QLatin1StringView(key)));
    }

    CocoDocument doc;
    QHash<int, qsizetype> imageIndex; // id -> index in doc.images
    QSet<QString> fileNames;
    const QJsonArray images = root.value("images"_L1).toArray();
    for (qsizetype i = 0; i < images.size(); ++i) {
        const QJsonObject o = images.at(i).toObject();
        const QString name = itemName("images", i, o);
        CocoImageInfo info;
        if (!images.at(i).isObject() || !intOf(o.value("id"_L1), &info.id))
            return fail(tr("%1 has no integer \"id\".").arg(name));
        if (!o.value("file_name"_L1).isString() || o.value("file_name"_L1).toString().isEmpty())
            return fail(tr("%1 has no \"file_name\".").arg(name));
        info.fileName = o.value("file_name"_L1).toString();
        if (!intOf(o.value("width"_L1), &info.width) || !intOf(o.value("height"_L1), &info.height)
            || info.width < 1 || info.height < 1)
            return fail(tr("%1 needs a positive integer \"width\" and \"height\".").arg(name));
        if (imageIndex.contains(info.id))
            return fail(tr("%1: the image id %2 is used twice.").arg(name).arg(info.id));
        if (fileNames.contains(info.fileName))
            return fail(tr("%1: the file name %2 is used twice.").arg(name, info.fileName));
        fileNames.insert(info.fileName);
        imageIndex.insert(info.id, doc.images.size());
        doc.images.append(info);
    }

    QHash<int, QString> categoryNames;
    QSet<QString> categorySet;
    const QJsonArray categories = root.value("categories"_L1).toArray();
    for (qsizetype i = 0; i < categories.size(); ++i) {
        const QJsonObject o = categories.at(i).toObject();
        const QString name = itemName("categories", i, o);
        CocoCategoryInfo info;
        if (!categories.at(i).isObject() || !intOf(o.value("id"_L1), &info.id))
            return fail(tr("%1 has no integer \"id\".").arg(name));
        if (!o.value("name"_L1).isString() || o.value("name"_L1).toString().isEmpty())
            return fail(tr("%1 has no \"name\".").arg(name));
        info.name = o.value("name"_L1).toString();
        info.supercategory = o.value("supercategory"_L1).toString();
        if (categoryNames.contains(info.id))
            return fail(tr("%1: the category id %2 is used twice.").arg(name).arg(info.id));
        if (categorySet.contains(info.name))
            return fail(tr("%1: the category name \"%2\" is used twice.").arg(name, info.name));
        categorySet.insert(info.name);
        categoryNames.insert(info.id, info.name);
        doc.categories.append(info);
    }

    const QJsonArray annotations = root.value("annotations"_L1).toArray();
    for (qsizetype i = 0; i < annotations.size(); ++i) {
        const QJsonObject o = annotations.at(i).toObject();
        const QString name = itemName("annotations", i, o);
        if (!annotations.at(i).isObject())
            return fail(tr("%1 is not an object.").arg(name));
        int imageId = 0, categoryId = 0;
        if (!intOf(o.value("image_id"_L1), &imageId))
            return fail(tr("%1 has no integer \"image_id\".").arg(name));
        if (!imageIndex.contains(imageId))
            return fail(tr("%1 refers to the undeclared image_id %2.").arg(name).arg(imageId));
        if (!intOf(o.value("category_id"_L1), &categoryId))
            return fail(tr("%1 has no integer \"category_id\".").arg(name));
        if (!categoryNames.contains(categoryId))
            return fail(tr("%1 refers to the undeclared category_id %2.").arg(name).arg(categoryId));
        const CocoImageInfo &img = doc.images.at(imageIndex.value(imageId));
        const QJsonValue seg = o.value("segmentation"_L1);

        std::optional<Rle> rle;
        if (seg.isUndefined() || seg.isNull() || (seg.isArray() && seg.toArray().isEmpty())) {
            doc.warnings.append(tr("%1 has no segmentation; skipped.").arg(name));
            continue;
        } else if (seg.isArray()) {
            QList<QPolygonF> polygons;
            const QJsonArray polys = seg.toArray();
            for (qsizetype p = 0; p < polys.size(); ++p) {
                const QJsonArray coords = polys.at(p).toArray();
                if (!polys.at(p).isArray() || coords.size() < 6 || coords.size() % 2 != 0)
                    return fail(tr("%1: segmentation polygon %2 needs an even number of at least 6 "
                                   "coordinates.")
                                    .arg(name)
                                    .arg(p));
                QPolygonF polygon;
                for (qsizetype c = 0; c + 1 < coords.size(); c += 2) {
                    if (!coords.at(c).isDouble() || !coords.at(c + 1).isDouble())
                        return fail(tr("%1: segmentation polygon %2 has a coordinate that is not a "
                                       "number.")
                                        .arg(name)
                                        .arg(p));
                    polygon.append(QPointF(coords.at(c).toDouble(), coords.at(c + 1).toDouble()));
                }
                polygons.append(polygon);
            }
            rle = CocoRle::fromPolygon(polygons, img.height, img.width);
            if (!rle)
                return fail(tr("%1: the segmentation polygons cannot be rasterised (coordinates out "
                               "of range).")
                                .arg(name));
        } else if (seg.isObject()) {
            QString why;
            rle = CocoRle::fromJson(seg.toObject(), &why);
            if (!rle)
                return fail(tr("%1: invalid RLE segmentation: %2").arg(name, why));
            if (rle->height != img.height || rle->width != img.width)
                return fail(tr("%1: the RLE size [%2, %3] differs from its image %4 (%5 x %6, "
                               "size [%6, %5]).")
                                .arg(name)
                                .arg(rle->height)
                                .arg(rle->width)
                                .arg(img.fileName)
                                .arg(img.width)
                                .arg(img.height));
        } else {
            return fail(tr("%1: \"segmentation\" must be a polygon list or an RLE object.").arg(name));
        }

        QMap<QString, Rle> &perImage = doc.regions[img.fileName];
        const QString category = categoryNames.value(categoryId);
        const auto existing = perImage.find(category);
        if (existing == perImage.end()) {
            perImage.insert(category, *rle);
        } else {
            const std::optional<Rle> merged = CocoRle::merge(*existing, *rle);
            if (!merged)
                return fail(tr("%1 cannot be merged with the earlier \"%2\" region of %3.")
                                .arg(name, category, img.fileName));
            *existing = *merged;
        }
        ++doc.annotationCount;
    }
    return doc;
}

} // namespace dl
