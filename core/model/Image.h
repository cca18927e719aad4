// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace dl {

/// One stored image: its pseudonymous id, content hash and header facts.
struct ImageRecord
{
    qint64 id = -1;
    QString publicId;
    QString sha256;
    QString format;
    int width = 0;
    int height = 0;
    int orientation = 1;
    qint64 byteSize = 0;
    QByteArray thumbnail;   ///< JPEG
    int thumbnailWidth = 0;
    int thumbnailHeight = 0;
};

} // namespace dl
