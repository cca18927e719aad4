// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/SourceRepository.h"

#include "store/Sql.h"
#include "store/Store.h"

#include <QJsonDocument>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

SourceRepository::SourceRepository(const Store &store)
    : m_db(store.db())
{
}

qint64 SourceRepository::findOrCreate(const SourceRecord &source, QString *error)
{
    const auto existing = Sql::scalar(m_db, u"SELECT id FROM sources WHERE kind = ? AND root_path = ?"_s,
                                      {source.kind, source.rootPath}, error);
    if (existing) {
        const qint64 id = existing->toLongLong();
        if (!source.licence.isEmpty()
            && !Sql::exec(m_db, u"UPDATE sources SET licence = ? WHERE id = ?"_s, {source.licence, id}, error))
            return -1;
        if (!source.attribution.isEmpty()
            && !Sql::exec(m_db, u"UPDATE sources SET attribution = ? WHERE id = ?"_s, {source.attribution, id}, error))
            return -1;
        return id;
    }
    return Sql::insertReturningId(m_db,
                                  u"INSERT INTO sources (kind, name, root_path, licence, attribution, ids_public, "
                                  "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                                  {source.kind, Sql::text(source.name), source.rootPath, Sql::text(source.licence),
                                   Sql::text(source.attribution),
                                   source.idsPublic ? 1 : 0, Sql::now()},
                                  error);
}

QList<SourceRecord> SourceRepository::list(QString *error) const
{
    QList<SourceRecord> sources;
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
                   u"SELECT id, kind, name, root_path, licence, attribution, ids_public FROM sources ORDER BY id"_s,
                   {}, error))
        return sources;
    while (query.next()) {
        sources.append({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                        query.value(3).toString(), query.value(4).toString(), query.value(5).toString(),
                        query.value(6).toBool()});
    }
    return sources;
}

qint64 SourceRepository::startRun(qint64 sourceId, QString *error)
{
    return Sql::insertReturningId(
        m_db, u"INSERT INTO import_runs (source_id, started_at, status) VALUES (?, ?, 'running') RETURNING id"_s,
        {sourceId, Sql::now()}, error);
}

QString SourceRepository::lastRunStatus(qint64 sourceId, QString *error) const
{
    return Sql::scalar(m_db, u"SELECT status FROM import_runs WHERE source_id = ? ORDER BY id DESC LIMIT 1"_s,
                       {sourceId}, error)
        .value_or(QVariant())
        .toString();
}

bool SourceRepository::finishRun(qint64 runId, const QString &status, const QJsonObject &report, QString *error)
{
    return Sql::exec(m_db, u"UPDATE import_runs SET status = ?, finished_at = ?, report = ? WHERE id = ?"_s,
                     {status, Sql::now(), QString::fromUtf8(QJsonDocument(report).toJson(QJsonDocument::Compact)),
                      runId},
                     error);
}

QList<ImportRunRecord> SourceRepository::unfinishedRuns(qint64 sourceId, QString *error) const
{
    QList<ImportRunRecord> runs;
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
                   u"SELECT r.id, r.source_id, s.kind, s.root_path, r.started_at, r.status FROM import_runs r "
                   "JOIN sources s ON s.id = r.source_id "
                   "WHERE r.status = 'running' AND (? < 0 OR r.source_id = ?) ORDER BY r.id"_s,
                   {sourceId, sourceId}, error))
        return runs;
    while (query.next()) {
        runs.append({query.value(0).toLongLong(), query.value(1).toLongLong(), query.value(2).toString(),
                     query.value(3).toString(), query.value(4).toString(), query.value(5).toString()});
    }
    return runs;
}

qint64 SourceRepository::markInterrupted(qint64 sourceId, QString *error)
{
    const qint64 count = unfinishedRuns(sourceId, error).size();
    if (count > 0
        && !Sql::exec(m_db,
                      u"UPDATE import_runs SET status = 'interrupted', finished_at = ? "
                      "WHERE source_id = ? AND status = 'running'"_s,
                      {Sql::now(), sourceId}, error))
        return -1;
    return count;
}

} // namespace dl
