// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Case.h"
#include "model/Image.h"

#include <QImage>
#include <QList>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// The case an image belongs to, as shown beside it.
struct CaseContext
{
    qint64 caseId = -1;
    QList<qint64> imageIds; ///< the case's images, in position order (the image itself among them)
    CaseMetadata metadata;  ///< what the contributor reported
};

/// What the screens show of an image: its record, its file in the store's image folder, its
/// thumbnail and its case. Pixels and case details only, never anyone's labels, so no blinding
/// applies here (who sees which images is SessionService::queue's rule).
class ImageService
{
public:
    explicit ImageService(Store &store) : m_store(store) { }

    /// The image's record (without the thumbnail), or std::nullopt (*error set when the store
    /// could not be read).
    std::optional<ImageRecord> find(qint64 imageId, QString *error) const;
    /// Where the store keeps the image's file: beside an SQLite store, in this workstation's
    /// cache for a team store (where it may be missing: see localFile()).
    QString filePath(const ImageRecord &image) const;
    /// The same by id; empty when there is no such image.
    QString filePath(qint64 imageId, QString *error) const;
    /// The image's file, ready to read: on a team store downloaded from the server into the
    /// workstation's bounded cache when missing (ImageFileCache); empty with *error on failure.
    QString localFile(const ImageRecord &image, QString *error) const;
    /// The same by id.
    QString localFile(qint64 imageId, QString *error) const;
    /// The same for a path given by filePath() (for code that passes paths along, such as the
    /// decoders of ImageCache, whose file source this is on a worker thread).
    QString localFileAt(const QString &filePath, QString *error) const;
    /// The bound of this workstation's cache of a team store's image files (the least recently
    /// used files go first), for every store of this process; 2 GiB unless set.
    static qint64 defaultFileCacheBytes();
    static qint64 fileCacheBytes();
    /// Sets that bound and applies it to this store's cache at once.
    void setFileCacheBytes(qint64 bytes);

    /// The stored thumbnail, decoded; null when there is none.
    QImage thumbnail(qint64 imageId, QString *error) const;
    /// The (first) case of the image, or std::nullopt when it belongs to none.
    std::optional<CaseContext> caseOf(qint64 imageId, QString *error) const;

private:
    Store &m_store;
};

} // namespace dl
