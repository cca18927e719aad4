// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace dl {

/// One stored version of one mask layer (a row of the masks table).
struct MaskRecord
{
    qint64 id = -1;
    qint64 annotationId = -1;
    QString layer;
    int version = 0;
    QString encoding; ///< "rle" (COCO compressed counts string) or "png" (MaskCodec label image)
    int width = 0;
    int height = 0;
    QByteArray data; ///< empty in listings (versions())
    qint64 dataSize = 0;
    QString createdAt;
};

/// An annotation that has masks, with its image's pseudonymous id and its rater's name.
struct MaskedAnnotation
{
    qint64 imageId = -1;
    QString imageName;
    qint64 annotationId = -1;
    QString raterName;
};

} // namespace dl
