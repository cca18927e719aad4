// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace dl {

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

private:
    QSqlDatabase m_db;
};

} // namespace dl
