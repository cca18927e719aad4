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
    /// Where the store keeps the image's file.
    QString filePath(const ImageRecord &image) const;
    /// The same by id; empty when there is no such image.
    QString filePath(qint64 imageId, QString *error) const;
    /// The stored thumbnail, decoded; null when there is none.
    QImage thumbnail(qint64 imageId, QString *error) const;
    /// The (first) case of the image, or std::nullopt when it belongs to none.
    std::optional<CaseContext> caseOf(qint64 imageId, QString *error) const;

private:
    Store &m_store;
};

} // namespace dl
