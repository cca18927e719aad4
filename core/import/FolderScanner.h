// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "import/ImportPlan.h"

#include <atomic>

namespace dl {

/// Walks a folder tree for image files. Follows symbolic links, but visits
/// every real folder once, so link loops cannot hang it. Hidden files and
/// folders are skipped. Results are sorted by relative path.
class FolderScanner
{
public:
    struct Result
    {
        QList<PlannedImage> images;   ///< files with an image suffix we can read
        QList<FileIssue> rejected;    ///< image types we cannot read (GIF, HEIC, RAW...)
        QList<FileIssue> unreadable;  ///< folders that could not be listed
        qint64 ignored = 0;           ///< other files
    };

    static Result scan(const QString &root, const std::atomic_bool *cancel = nullptr);
    /// Suffixes of image formats that are recognised but not supported.
    static bool isUnsupportedImageSuffix(QStringView suffix);
};

} // namespace dl
