// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/ImageProbe.h"
#include "imaging/ThumbnailMaker.h"

#include <QDateTime>
#include <QList>
#include <QRect>
#include <QString>

#include <atomic>
#include <optional>

namespace dl {

/// What reading one file produced. Made on a worker thread; the store is
/// written by the import's own thread from these results.
struct IngestResult
{
    QString absolutePath;
    QString relativePath;
    bool ok = false;
    bool cancelled = false;
    QString rejectKey;
    QString message;
    QString sha256;
    ImageHeader header;
    Thumbnail thumbnail;
    qint64 fileSize = 0;
    QString modified;       ///< file modification time, ISO 8601 UTC
    /// Options::detectFaces: the possible faces (displayed-image coordinates; empty: none), or
    /// nullopt when the check could not run (faceMessage says why).
    std::optional<QList<QRect>> faces;
    QString faceMessage;
};

/// Reads, hashes, checks and thumbnails one image file, and places a copy in
/// the store's image folder (named by content hash, written atomically). Safe
/// to run on many threads at once. On a team store that folder is this
/// workstation's cache: the import then uploads the copy to the server with
/// the image's rows (ImportService).
class ImageIngest
{
public:
    struct Options
    {
        QString imageDirectory;     ///< the store's image folder
        qint64 pixelLimit = ImageProbe::DefaultPixelLimit;
        qint64 byteLimit = qint64(1) << 30;
        int thumbnailEdge = 256;
        /// Run the frontal-face check (FaceCheck::detect) on the image, for suitability review.
        bool detectFaces = false;
    };

    /// rejectKey of a result that failed on the store's side (disk full,
    /// no permission): the import must stop, the file itself is fine.
    static inline const QString StoreWriteFailed = QStringLiteral("store_write_failed");

    static IngestResult run(const QString &absolutePath, const QString &relativePath, const Options &options,
                            const std::atomic_bool *cancel = nullptr);
};

} // namespace dl
