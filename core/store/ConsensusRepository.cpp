// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/ConsensusRepository.h"

#include "store/Sql.h"
#include "store/Store.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

ConsensusRepository::ConsensusRepository(const Store &store)
    : m_db(store.db())
{
}

bool ConsensusRepository::remove(qint64 imageId, QString *error)
{
    return Sql::exec(m_db, u"DELETE FROM consensus WHERE image_id = ?"_s, {imageId}, error)
        && Sql::exec(m_db, u"DELETE FROM consensus_diagnoses WHERE image_id = ?"_s, {imageId}, error);
}

bool ConsensusRepository::clear(QString *error)
{
    return Sql::exec(m_db, u"DELETE FROM consensus"_s, {}, error)
        && Sql::exec(m_db, u"DELETE FROM consensus_diagnoses"_s, {}, error);
}

bool ConsensusRepository::replace(qint64 imageId, const ImageConsensus &consensus, QString *error)
{
    if (!remove(imageId, error))
        return false;
    const QString now = Sql::now();
    QSqlQuery insert(m_db);
    if (!insert.prepare(u"INSERT INTO consensus (image_id, field, value, status, reason, votes, ratings, computed_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s)) {
        *error = Sql::errorMessage(insert);
        return false;
    }
    for (const FieldConsensus &f : consensus.fields) {
        if (f.ratings == 0 && f.status != ConsensusStatus::Adjudicated)
            continue; // nobody answered: nothing to agree on
        const QVariantList binds {imageId, f.field, Sql::textOrNull(f.value), consensusStatusName(f.status),
                                  Sql::text(f.reason), f.votes, f.ratings, now};
        for (qsizetype i = 0; i < binds.size(); ++i)
            insert.bindValue(int(i), binds.at(i));
        if (!insert.exec()) {
            *error = Sql::errorMessage(insert);
            return false;
        }
    }
    int position = 0;
    for (const WeightedCondition &c : consensus.differential.conditions) {
        if (!Sql::exec(m_db,
                       u"INSERT INTO consensus_diagnoses (image_id, position, condition_id, weight) "
                       "VALUES (?, ?, ?, ?)"_s,
                       {imageId, ++position, c.conditionId, c.weight}, error))
            return false;
    }
    return true;
}

QList<ConsensusRow> ConsensusRepository::select(const QString &where, const QVariantList &binds,
                                                QString *error) const
{
    QList<ConsensusRow> rows;
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
                   u"SELECT c.image_id, i.public_id, c.field, c.value, c.status, c.reason, c.votes, c.ratings, "
                   "c.computed_at FROM consensus c JOIN images i ON i.id = c.image_id WHERE "_s
                       + where + u" ORDER BY c.image_id, c.field"_s,
                   binds, error))
        return rows;
    while (query.next()) {
        ConsensusRow row;
        row.imageId = query.value(0).toLongLong();
        row.imageName = query.value(1).toString();
        row.consensus.field = query.value(2).toString();
        row.consensus.value = query.value(3).toString();
        row.consensus.status = consensusStatusFromName(query.value(4).toString()).value_or(ConsensusStatus::Pending);
        row.consensus.reason = query.value(5).toString();
        row.consensus.votes = query.value(6).toInt();
        row.consensus.ratings = query.value(7).toInt();
        row.computedAt = query.value(8).toString();
        rows.append(row);
    }
    return rows;
}

QList<ConsensusRow> ConsensusRepository::rows(std::optional<ConsensusStatus> status, QString *error) const
{
    if (status)
        return select(u"c.status = ?"_s, {consensusStatusName(*status)}, error);
    return select(u"1 = 1"_s, {}, error);
}

QList<ConsensusRow> ConsensusRepository::forImage(qint64 imageId, QString *error) const
{
    return select(u"c.image_id = ?"_s, {imageId}, error);
}

QList<WeightedCondition> ConsensusRepository::differential(qint64 imageId, QString *error) const
{
    QList<WeightedCondition> conditions;
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
                   u"SELECT condition_id, weight FROM consensus_diagnoses WHERE image_id = ? ORDER BY position"_s,
                   {imageId}, error))
        return conditions;
    while (query.next())
        conditions.append({query.value(0).toString(), query.value(1).toDouble(), 0});
    return conditions;
}

QHash<qint64, QList<WeightedCondition>> ConsensusRepository::differentials(QString *error) const
{
    QHash<qint64, QList<WeightedCondition>> differentials;
    Sql::forEachRow(m_db,
                    u"SELECT image_id, condition_id, weight FROM consensus_diagnoses ORDER BY image_id, position"_s, {},
                    error, [&](const QSqlQuery &q) {
                        differentials[q.value(0).toLongLong()].append(
                            {q.value(1).toString(), q.value(2).toDouble(), 0});
                    });
    return differentials;
}

QList<ConsensusStatusCount> ConsensusRepository::statusCounts(QString *error) const
{
    QList<ConsensusStatusCount> counts;
    Sql::forEachRow(m_db, u"SELECT status, COUNT(*), COUNT(DISTINCT image_id) FROM consensus GROUP BY status"_s, {},
                    error, [&](const QSqlQuery &q) {
                        const auto status = consensusStatusFromName(q.value(0).toString());
                        if (status)
                            counts.append({*status, qsizetype(q.value(1).toLongLong()),
                                           qsizetype(q.value(2).toLongLong())});
                    });
    return counts;
}

qint64 ConsensusRepository::imageCount(QString *error) const
{
    return Sql::scalar(m_db, u"SELECT COUNT(DISTINCT image_id) FROM consensus"_s, {}, error)
        .value_or(0)
        .toLongLong();
}

bool ConsensusRepository::saveAdjudication(const Adjudication &a, QString *error)
{
    return Sql::exec(m_db,
                     u"INSERT INTO adjudications (image_id, field, value, reason, user_id, decided_at) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (image_id, field) DO UPDATE SET "
                     "value = excluded.value, reason = excluded.reason, user_id = excluded.user_id, "
                     "decided_at = excluded.decided_at"_s,
                     {a.imageId, a.field, a.value, a.reason, a.userId, a.decidedAt.isEmpty() ? Sql::now() : a.decidedAt},
                     error);
}

QList<Adjudication> ConsensusRepository::adjudications(qint64 imageId, QString *error) const
{
    QList<Adjudication> list;
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
                   u"SELECT field, value, reason, user_id, decided_at FROM adjudications WHERE image_id = ? "
                   "ORDER BY field"_s,
                   {imageId}, error))
        return list;
    while (query.next()) {
        list.append({imageId, query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                     query.value(3).isNull() ? -1 : query.value(3).toLongLong(), query.value(4).toString()});
    }
    return list;
}

QList<qint64> ConsensusRepository::staleImages(QString *error) const
{
    QList<qint64> images;
    Sql::forEachRow(m_db, u"SELECT image_id FROM consensus_stale ORDER BY image_id"_s, {}, error,
                    [&](const QSqlQuery &q) { images.append(q.value(0).toLongLong()); });
    return images;
}

bool ConsensusRepository::clearStale(qint64 imageId, QString *error)
{
    return Sql::exec(m_db, u"DELETE FROM consensus_stale WHERE image_id = ?"_s, {imageId}, error);
}

QList<qint64> ConsensusRepository::adjudicatedImages(QString *error) const
{
    QList<qint64> images;
    Sql::forEachRow(m_db, u"SELECT DISTINCT image_id FROM adjudications"_s, {}, error,
                    [&](const QSqlQuery &q) { images.append(q.value(0).toLongLong()); });
    return images;
}

} // namespace dl
