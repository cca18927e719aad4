// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Image.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// A file a source has imported before: enough to skip it when unchanged.
struct KnownFile
{
    qint64 imageId = -1;
    qint64 size = 0;
    QString modified;
};

/// The images table and where each image came from.
class ImageRepository
{
public:
    explicit ImageRepository(QSqlDatabase db) : m_db(std::move(db)) { }
    explicit ImageRepository(const Store &store);

    std::optional<qint64> findIdBySha(const QString &sha256, QString *error) const;
    /// Inserts a new image row; record.id is ignored. Returns the id or -1.
    qint64 insert(const ImageRecord &record, QString *error);
    /// Remembers that the source had this file (relative path) with this content.
    bool recordFile(qint64 imageId, qint64 sourceId, const QString &relativePath, qint64 size,
                    const QString &modified, QString *error);
    QHash<QString, KnownFile> knownFiles(qint64 sourceId, QString *error) const;

    /// Image rows without thumbnails, ordered by id (offset/limit for paging).
    QList<ImageRecord> list(int offset, int limit, QString *error) const;
    std::optional<ImageRecord> find(qint64 id, QString *error) const;
    QByteArray thumbnail(qint64 id, QString *error) const;
    qint64 count(QString *error) const;

    /// Every image row without thumbnail, by id.
    QHash<qint64, ImageRecord> all(QString *error) const;
    /// Every image id, in order.
    QList<qint64> ids(QString *error) const;
    /// Image id -> public id, for every image.
    QHash<qint64, QString> publicIds(QString *error) const;
    /// Image id -> the lowest id of the sources it was imported from, for every image with a source.
    QHash<qint64, qint64> firstSourceOfEachImage(QString *error) const;
    /// Every (image id, path relative to its source) the images were imported from, by image id.
    QList<QPair<qint64, QString>> sourcePaths(QString *error) const;

private:
    QSqlDatabase m_db;
};

} // namespace dl
