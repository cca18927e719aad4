// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace dl {

/// A finding on an image that needs review before release (a row of image_flags), for example
/// a possible face ("face"). The detail is the finder's own JSON text.
struct ImageFlag
{
    qint64 imageId = -1;
    QString imageName; ///< images.public_id
    QString kind;
    QString detail;
    QString status;    ///< open, confirmed, dismissed
};

} // namespace dl
