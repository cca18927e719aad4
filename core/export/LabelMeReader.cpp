// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/LabelMeReader.h"

#include "masks/MaskCodec.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::LabelMeReader", text);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

bool positiveInt(const QJsonValue &v, int *out)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (d != std::floor(d) || d < 1 || d > 1e6)
        return false;
    *out = int(d);
    return true;
}

// Points as whole pixels (rounded to nearest); false when a point is not a finite [x, y] pair
// within +-1e7.
bool pointsOf(const QJsonValue &value, std::vector<cv::Point> *points)
{
    if (!value.isArray())
        return false;
    for (const QJsonValue &p : value.toArray()) {
        const QJsonArray pair = p.toArray();
        if (!p.isArray() || pair.size() != 2 || !pair.at(0).isDouble() || !pair.at(1).isDouble())
            return false;
        const double x = pair.at(0).toDouble(), y = pair.at(1).toDouble();
        if (!std::isfinite(x) || !std::isfinite(y) || std::abs(x) > 1e7 || std::abs(y) > 1e7)
            return false;
        points->emplace_back(int(std::lround(x)), int(std::lround(y)));
    }
    return true;
}

} // namespace

std::optional<LabelMeDocument> LabelMeReader::readFile(
    const QString &path, QString *error, QSize expectedSize)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, tr("Cannot read %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    QString why;
    std::optional<LabelMeDocument> doc = parse(file.readAll(), &why, expectedSize);
    if (!doc) {
        setError(error, tr("%1: %2").arg(path, why));
        return std::nullopt;
    }
    doc->imageFilePath = QDir::cleanPath(QFileInfo(path).absoluteDir().filePath(doc->imagePath));
    return doc;
}

namespace {

// The header fields of a LabelMe document; the parsed root object in *root.
std::optional<LabelMeDocument> readHeader(QByteArrayView json, QString *error, QJsonObject *root)
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
        return fail(tr("A LabelMe file must be a JSON object."));
    *root = jsonDoc.object();

    LabelMeDocument doc;
    doc.version = root->value("version"_L1).toString();
    doc.flags = root->value("flags"_L1).toObject();
    if (!root->value("imagePath"_L1).isString() || root->value("imagePath"_L1).toString().isEmpty())
        return fail(tr("The LabelMe file has no \"imagePath\"."));
    doc.imagePath = root->value("imagePath"_L1).toString();
    if (!positiveInt(root->value("imageWidth"_L1), &doc.width)
        || !positiveInt(root->value("imageHeight"_L1), &doc.height))
        return fail(tr("The LabelMe file needs a positive integer \"imageWidth\" and "
                       "\"imageHeight\"."));
    return doc;
}

} // namespace

std::optional<LabelMeDocument> LabelMeReader::parseHeader(QByteArrayView json, QString *error)
{
    QJsonObject root;
    return readHeader(json, error, &root);
}

std::optional<LabelMeDocument> LabelMeReader::parse(QByteArrayView json, QString *error, QSize expectedSize)
{
    const auto fail = [&](const QString &message) {
        setError(error, message);
        return std::nullopt;
    };
    QJsonObject root;
    std::optional<LabelMeDocument> header = readHeader(json, error, &root);
    if (!header)
        return std::nullopt;
    LabelMeDocument doc = std::move(*header);
    if (expectedSize.isValid() && (expectedSize.width() != doc.width || expectedSize.height() != doc.height))
        return fail(tr("The LabelMe file says the image is %1 x %2, but it is %3 x %4.")
                        .arg(doc.width)
                        .arg(doc.height)
                        .arg(expectedSize.width())
                        .arg(expectedSize.height()));
    if (!expectedSize.isValid() && qint64(doc.width) * qint64(doc.height) > MaxPixels)
        return fail(tr("The LabelMe file says the image is %1 x %2, more than %3 megapixels: refused "
                       "before drawing any shape.")
                        .arg(doc.width)
                        .arg(doc.height)
                        .arg(MaxPixels / 1'000'000));
    const QJsonValue shapesValue = root.value("shapes"_L1);
    if (!shapesValue.isArray())
        return fail(tr("The LabelMe file has no \"shapes\" array."));

    const QJsonArray shapes = shapesValue.toArray();
    for (qsizetype i = 0; i < shapes.size(); ++i) {
        if (!shapes.at(i).isObject())
            return fail(tr("shapes[%1] is not an object.").arg(i));
        const QJsonObject shape = shapes.at(i).toObject();
        const QString label = shape.value("label"_L1).toString();
        if (label.isEmpty())
            return fail(tr("shapes[%1] has no \"label\".").arg(i));
        const QString name = tr("shapes[%1] (\"%2\")").arg(i).arg(label);
        const QJsonValue typeValue = shape.value("shape_type"_L1);
        if (!typeValue.isUndefined() && !typeValue.isNull() && !typeValue.isString())
            return fail(tr("%1: \"shape_type\" is not a string.").arg(name));
        const QString type = typeValue.isString() ? typeValue.toString() : u"polygon"_s;

        cv::Mat region;
        if (type == "mask"_L1) {
            QString why;
            region = MaskCodec::fromLabelMeMaskShape(shape, doc.height, doc.width, &why);
            if (region.empty())
                return fail(tr("%1: %2").arg(name, why));
        } else if (type == "polygon"_L1 || type == "rectangle"_L1 || type == "circle"_L1) {
            std::vector<cv::Point> points;
            if (!pointsOf(shape.value("points"_L1), &points))
                return fail(tr("%1: \"points\" must be a list of [x, y] number pairs.").arg(name));
            region = cv::Mat::zeros(doc.height, doc.width, CV_8UC1);
            if (type == "polygon"_L1) {
                if (points.size() < 3) {
                    doc.warnings.append(tr("%1: a polygon with fewer than 3 points; ignored.").arg(name));
                    continue;
                }
                const std::vector<std::vector<cv::Point>> polys { points };
                cv::fillPoly(region, polys, cv::Scalar(255), cv::LINE_8);
                cv::polylines(region, polys, true, cv::Scalar(255), 1, cv::LINE_8);
            } else if (type == "rectangle"_L1) {
                if (points.size() != 2) {
                    doc.warnings.append(tr("%1: a rectangle needs 2 points; ignored.").arg(name));
                    continue;
                }
                cv::rectangle(region, points[0], points[1], cv::Scalar(255), cv::FILLED, cv::LINE_8);
            } else {
                if (points.size() != 2) {
                    doc.warnings.append(tr("%1: a circle needs 2 points; ignored.").arg(name));
                    continue;
                }
                const double radius
                    = std::hypot(double(points[1].x - points[0].x), double(points[1].y - points[0].y));
                cv::circle(
                    region, points[0], int(std::lround(radius)), cv::Scalar(255), cv::FILLED, cv::LINE_8);
            }
        } else if (type == "line"_L1 || type == "linestrip"_L1 || type == "point"_L1 || type == "points"_L1) {
            doc.warnings.append(tr("%1: %2 shapes are not regions; ignored.").arg(name, type));
            continue;
        } else {
            doc.warnings.append(tr("%1: unknown shape type \"%2\"; ignored.").arg(name, type));
            continue;
        }

        const auto existing = doc.masks.find(label);
        if (existing == doc.masks.end())
            doc.masks.insert(label, region);
        else
            cv::bitwise_or(*existing, region, *existing);
        ++doc.shapesRead;
    }
    return doc;
}

} // namespace dl
