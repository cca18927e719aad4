// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/AssignmentRepository.h"

#include "store/Sql.h"
#include "store/Store.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

AssignmentRepository::AssignmentRepository(const Store &store)
    : m_db(store.db())
{
}

bool AssignmentRepository::add(qint64 imageId, qint64 userId, QString *error)
{
    const QString now = Sql::now();
    return Sql::exec(m_db,
                     u"INSERT INTO assignments (image_id, user_id, status, assigned_at, updated_at) "
                     "VALUES (?, ?, 'todo', ?, ?) ON CONFLICT (image_id, user_id) DO NOTHING"_s,
                     {imageId, userId, now, now}, error);
}

bool AssignmentRepository::remove(qint64 imageId, qint64 userId, QString *error)
{
    return Sql::exec(m_db, u"DELETE FROM assignments WHERE image_id = ? AND user_id = ?"_s, {imageId, userId}, error);
}

bool AssignmentRepository::isAssigned(qint64 imageId, qint64 userId, QString *error) const
{
    return !status(imageId, userId, error).isEmpty();
}

QString AssignmentRepository::status(qint64 imageId, qint64 userId, QString *error) const
{
    return Sql::scalar(m_db, u"SELECT status FROM assignments WHERE image_id = ? AND user_id = ?"_s, {imageId, userId},
                       error)
        .value_or(QVariant())
        .toString();
}

bool AssignmentRepository::setStatus(qint64 imageId, qint64 userId, const QString &status, QString *error)
{
    return Sql::exec(m_db, u"UPDATE assignments SET status = ?, updated_at = ? WHERE image_id = ? AND user_id = ?"_s,
                     {status, Sql::now(), imageId, userId}, error);
}

QSet<qint64> AssignmentRepository::usersOf(qint64 imageId, QString *error) const
{
    QSet<qint64> users;
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT user_id FROM assignments WHERE image_id = ?"_s, {imageId}, error))
        return users;
    while (query.next())
        users.insert(query.value(0).toLongLong());
    return users;
}

QHash<qint64, qint64> AssignmentRepository::loadPerUser(QString *error) const
{
    QHash<qint64, qint64> load;
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT user_id, COUNT(*) FROM assignments GROUP BY user_id"_s, {}, error))
        return load;
    while (query.next())
        load.insert(query.value(0).toLongLong(), query.value(1).toLongLong());
    return load;
}

QList<AssignmentRecord> AssignmentRepository::forUser(qint64 userId, QString *error) const
{
    QList<AssignmentRecord> records;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!Sql::exec(query,
                   u"SELECT a.image_id, i.public_id, a.status, a.updated_at FROM assignments a "
                   "JOIN images i ON i.id = a.image_id WHERE a.user_id = ? ORDER BY a.id"_s,
                   {userId}, error))
        return records;
    while (query.next())
        records.append({query.value(0).toLongLong(), userId, query.value(1).toString(), query.value(2).toString(),
                        query.value(3).toString()});
    return records;
}

QList<AssignmentRecord> AssignmentRepository::all(QString *error) const
{
    QList<AssignmentRecord> records;
    Sql::forEachRow(m_db, u"SELECT image_id, user_id, status FROM assignments"_s, {}, error,
                    [&](const QSqlQuery &q) {
                        records.append(
                            {q.value(0).toLongLong(), q.value(1).toLongLong(), {}, q.value(2).toString(), {}});
                    });
    return records;
}

QHash<qint64, QHash<QString, qint64>> AssignmentRepository::countsByUserAndStatus(QString *error) const
{
    QHash<qint64, QHash<QString, qint64>> counts;
    Sql::forEachRow(m_db, u"SELECT user_id, status, COUNT(*) FROM assignments GROUP BY user_id, status"_s, {},
                    error, [&](const QSqlQuery &q) {
                        counts[q.value(0).toLongLong()].insert(q.value(1).toString(), q.value(2).toLongLong());
                    });
    return counts;
}

ImageCompletion AssignmentRepository::imageCompletion(QString *error) const
{
    ImageCompletion completion;
    Sql::forEachRow(m_db,
                    u"SELECT COUNT(*), COALESCE(SUM(CASE WHEN open_count = 0 AND done_count > 0 THEN 1 ELSE 0 END), 0) "
                    "FROM (SELECT image_id, "
                    "SUM(CASE WHEN status IN (?, ?) THEN 0 ELSE 1 END) AS open_count, "
                    "SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS done_count "
                    "FROM assignments GROUP BY image_id) AS per_image"_s,
                    {AssignmentStatus::Done, AssignmentStatus::Skipped, AssignmentStatus::Done}, error,
                    [&](const QSqlQuery &q) {
                        completion.assigned = q.value(0).toLongLong();
                        completion.complete = q.value(1).toLongLong();
                    });
    return completion;
}

std::optional<int> AssignmentRepository::expectedRaters(qint64 imageId, QString *error) const
{
    const auto n = Sql::scalar(m_db, u"SELECT COUNT(*) FROM assignments WHERE image_id = ? AND status <> ?"_s,
                               {imageId, AssignmentStatus::Skipped}, error);
    return n ? std::optional<int>(n->toInt()) : std::nullopt;
}

QHash<qint64, int> AssignmentRepository::expectedRatersPerImage(QString *error) const
{
    QHash<qint64, int> expected;
    Sql::forEachRow(m_db, u"SELECT image_id, COUNT(*) FROM assignments WHERE status <> ? GROUP BY image_id"_s,
                    {AssignmentStatus::Skipped}, error,
                    [&](const QSqlQuery &q) { expected.insert(q.value(0).toLongLong(), q.value(1).toInt()); });
    return expected;
}

} // namespace dl
