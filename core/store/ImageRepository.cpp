// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/ImageRepository.h"

#include "store/Sql.h"
#include "store/Store.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

ImageRepository::ImageRepository(const Store &store)
    : m_db(store.db())
{
}

static const QString s_columns =
    u"id, public_id, sha256, format, width, height, orientation, byte_size, thumbnail_width, thumbnail_height"_s;

static ImageRecord recordFromQuery(const QSqlQuery &query)
{
    ImageRecord r;
    r.id = query.value(0).toLongLong();
    r.publicId = query.value(1).toString();
    r.sha256 = query.value(2).toString();
    r.format = query.value(3).toString();
    r.width = query.value(4).toInt();
    r.height = query.value(5).toInt();
    r.orientation = query.value(6).toInt();
    r.byteSize = query.value(7).toLongLong();
    r.thumbnailWidth = query.value(8).toInt();
    r.thumbnailHeight = query.value(9).toInt();
    return r;
}

std::optional<qint64> ImageRepository::findIdBySha(const QString &sha256, QString *error) const
{
    const auto id = Sql::scalar(m_db, u"SELECT id FROM images WHERE sha256 = ?"_s, {sha256}, error);
    if (!id)
        return std::nullopt;
    return id->toLongLong();
}

qint64 ImageRepository::insert(const ImageRecord &r, QString *error)
{
    return Sql::insertReturningId(
        m_db,
        u"INSERT INTO images (public_id, sha256, format, width, height, orientation, byte_size, thumbnail, "
        "thumbnail_width, thumbnail_height, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
        {r.publicId, r.sha256, r.format, r.width, r.height, r.orientation, r.byteSize, r.thumbnail, r.thumbnailWidth,
         r.thumbnailHeight, Sql::now()},
        error);
}

bool ImageRepository::recordFile(qint64 imageId, qint64 sourceId, const QString &relativePath, qint64 size,
                                 const QString &modified, QString *error)
{
    return Sql::exec(m_db,
                     u"INSERT INTO image_files (image_id, source_id, source_path, file_size, file_mtime, imported_at) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_id, source_path) DO UPDATE SET "
                     "image_id = excluded.image_id, file_size = excluded.file_size, "
                     "file_mtime = excluded.file_mtime, imported_at = excluded.imported_at"_s,
                     {imageId, sourceId, relativePath, size, modified, Sql::now()}, error);
}

QHash<QString, KnownFile> ImageRepository::knownFiles(qint64 sourceId, QString *error) const
{
    QHash<QString, KnownFile> files;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!Sql::exec(query, u"SELECT source_path, image_id, file_size, file_mtime FROM image_files WHERE source_id = ?"_s,
                   {sourceId}, error))
        return files;
    while (query.next())
        files.insert(query.value(0).toString(),
                     {query.value(1).toLongLong(), query.value(2).toLongLong(), query.value(3).toString()});
    return files;
}

QList<ImageRecord> ImageRepository::list(int offset, int limit, QString *error) const
{
    QList<ImageRecord> images;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!Sql::exec(query, u"SELECT %1 FROM images ORDER BY id LIMIT ? OFFSET ?"_s.arg(s_columns), {limit, offset},
                   error))
        return images;
    while (query.next())
        images.append(recordFromQuery(query));
    return images;
}

std::optional<ImageRecord> ImageRepository::find(qint64 id, QString *error) const
{
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT %1 FROM images WHERE id = ?"_s.arg(s_columns), {id}, error) || !query.next())
        return std::nullopt;
    return recordFromQuery(query);
}

QByteArray ImageRepository::thumbnail(qint64 id, QString *error) const
{
    return Sql::scalar(m_db, u"SELECT thumbnail FROM images WHERE id = ?"_s, {id}, error).value_or(QVariant()).toByteArray();
}

qint64 ImageRepository::count(QString *error) const
{
    return Sql::scalar(m_db, u"SELECT COUNT(*) FROM images"_s, {}, error).value_or(0).toLongLong();
}

QHash<qint64, ImageRecord> ImageRepository::all(QString *error) const
{
    QHash<qint64, ImageRecord> images;
    Sql::forEachRow(m_db, u"SELECT %1 FROM images"_s.arg(s_columns), {}, error, [&](const QSqlQuery &q) {
        ImageRecord record = recordFromQuery(q);
        images.insert(record.id, std::move(record));
    });
    return images;
}

QList<qint64> ImageRepository::ids(QString *error) const
{
    QList<qint64> list;
    Sql::forEachRow(m_db, u"SELECT id FROM images ORDER BY id"_s, {}, error,
                    [&](const QSqlQuery &q) { list.append(q.value(0).toLongLong()); });
    return list;
}

QHash<qint64, QString> ImageRepository::publicIds(QString *error) const
{
    QHash<qint64, QString> names;
    Sql::forEachRow(m_db, u"SELECT id, public_id FROM images"_s, {}, error,
                    [&](const QSqlQuery &q) { names.insert(q.value(0).toLongLong(), q.value(1).toString()); });
    return names;
}

QHash<qint64, qint64> ImageRepository::firstSourceOfEachImage(QString *error) const
{
    QHash<qint64, qint64> sources;
    Sql::forEachRow(m_db, u"SELECT image_id, MIN(source_id) FROM image_files GROUP BY image_id"_s, {}, error,
                    [&](const QSqlQuery &q) {
                        if (!q.value(1).isNull())
                            sources.insert(q.value(0).toLongLong(), q.value(1).toLongLong());
                    });
    return sources;
}

QList<QPair<qint64, QString>> ImageRepository::sourcePaths(QString *error) const
{
    QList<QPair<qint64, QString>> paths;
    Sql::forEachRow(m_db, u"SELECT image_id, source_path FROM image_files ORDER BY image_id"_s, {}, error,
                    [&](const QSqlQuery &q) { paths.append({q.value(0).toLongLong(), q.value(1).toString()}); });
    return paths;
}

} // namespace dl
