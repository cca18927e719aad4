// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/ImageFlagRepository.h"

#include "store/Sql.h"
#include "store/Store.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

ImageFlagRepository::ImageFlagRepository(const Store &store)
    : m_db(store.db())
{
}

std::optional<bool> ImageFlagRepository::addIfMissing(qint64 imageId, const QString &kind,
                                                      const QString &detail, QString *error)
{
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
                   u"INSERT INTO image_flags (image_id, kind, detail, status, created_at) "
                   "VALUES (?, ?, ?, 'open', ?) ON CONFLICT (image_id, kind) DO NOTHING"_s,
                   {imageId, kind, Sql::text(detail), Sql::now()}, error))
        return std::nullopt;
    return query.numRowsAffected() > 0;
}

std::optional<ImageFlag> ImageFlagRepository::find(qint64 imageId, const QString &kind, QString *error) const
{
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
                   u"SELECT i.public_id, f.detail, f.status FROM image_flags f JOIN images i ON i.id = f.image_id "
                   "WHERE f.image_id = ? AND f.kind = ?"_s,
                   {imageId, kind}, error)
        || !query.next())
        return std::nullopt;
    return ImageFlag {imageId, query.value(0).toString(), kind, query.value(1).toString(),
                      query.value(2).toString()};
}

QList<ImageFlag> ImageFlagRepository::ofKind(const QString &kind, QString *error) const
{
    QList<ImageFlag> flags;
    Sql::forEachRow(m_db,
                    u"SELECT f.image_id, i.public_id, f.detail, f.status FROM image_flags f "
                    "JOIN images i ON i.id = f.image_id WHERE f.kind = ? ORDER BY i.public_id"_s,
                    {kind}, error, [&](const QSqlQuery &q) {
                        flags.append({q.value(0).toLongLong(), q.value(1).toString(), kind, q.value(2).toString(),
                                      q.value(3).toString()});
                    });
    return flags;
}

std::optional<bool> ImageFlagRepository::resolve(qint64 imageId, const QString &kind, const QString &status,
                                                 qint64 userId, QString *error)
{
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
                   u"UPDATE image_flags SET status = ?, resolved_by = ?, resolved_at = ? "
                   "WHERE image_id = ? AND kind = ?"_s,
                   {status, userId > 0 ? QVariant(userId) : QVariant(QMetaType(QMetaType::LongLong)), Sql::now(),
                    imageId, kind},
                   error))
        return std::nullopt;
    return query.numRowsAffected() == 1;
}

std::optional<bool> ImageFlagRepository::remove(qint64 imageId, const QString &kind, QString *error)
{
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"DELETE FROM image_flags WHERE image_id = ? AND kind = ?"_s, {imageId, kind}, error))
        return std::nullopt;
    return query.numRowsAffected() == 1;
}

} // namespace dl
