// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/LabelMeWriter.h"

#include "masks/MaskCodec.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <opencv2/core.hpp>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::LabelMeWriter", text);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

QString LabelMeWriter::version()
{
    return u"5.2.1"_s;
}

std::optional<QJsonObject> LabelMeWriter::build(const QString &imagePath, int width, int height,
    const QList<LabelMeMask> &masks, QString *error, const QJsonObject &flags)
{
    if (imagePath.isEmpty()) {
        setError(error, tr("A LabelMe file needs an image path."));
        return std::nullopt;
    }
    if (width < 1 || height < 1) {
        setError(error, tr("Invalid image size %1 x %2.").arg(width).arg(height));
        return std::nullopt;
    }
    QJsonArray shapes;
    for (const LabelMeMask &m : masks) {
        if (m.mask.type() != CV_8UC1 || m.mask.cols != width || m.mask.rows != height) {
            setError(error,
                tr("The \"%1\" mask is %2 x %3 (type %4), not %5 x %6 8-bit.")
                    .arg(m.label)
                    .arg(m.mask.cols)
                    .arg(m.mask.rows)
                    .arg(m.mask.type())
                    .arg(width)
                    .arg(height));
            return std::nullopt;
        }
        QJsonObject shape = MaskCodec::toLabelMeMaskShape(m.mask, m.label, m.within);
        if (shape.isEmpty()) {
            if (cv::countNonZero(m.mask) == 0)
                continue;
            setError(error, tr("The \"%1\" mask could not be encoded.").arg(m.label));
            return std::nullopt;
        }
        shape.insert(u"description"_s, m.description);
        shape.insert(u"flags"_s, m.flags);
        shapes.append(shape);
    }
    return QJsonObject {
        { u"version"_s, version() },
        { u"flags"_s, flags },
        { u"shapes"_s, shapes },
        { u"imagePath"_s, imagePath },
        { u"imageData"_s, QJsonValue::Null },
        { u"imageHeight"_s, height },
        { u"imageWidth"_s, width },
    };
}

QByteArray LabelMeWriter::toJson(const QJsonObject &document)
{
    return QJsonDocument(document).toJson(QJsonDocument::Indented);
}

QString LabelMeWriter::relativeImagePath(const QString &jsonPath, const QString &imagePath)
{
    const bool relative = QDir::isRelativePath(jsonPath) && QDir::isRelativePath(imagePath);
    const QString base = relative ? u"/"_s : QString();
    const QDir folder(QFileInfo(base + jsonPath).path());
    return folder.relativeFilePath(base + imagePath);
}

} // namespace dl
