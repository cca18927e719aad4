// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace dl {

class Store;

struct SourceRecord
{
    qint64 id = -1;
    QString kind;
    QString name;
    QString rootPath;
    QString licence;
    QString attribution;
    bool idsPublic = false;
};

struct ImportRunRecord
{
    qint64 id = -1;
    qint64 sourceId = -1;
    QString kind;
    QString rootPath;
    QString startedAt;
    QString status;
};

/// Datasets that images came from, and the import runs over them.
class SourceRepository
{
public:
    explicit SourceRepository(QSqlDatabase db) : m_db(std::move(db)) { }
    explicit SourceRepository(const Store &store);

    /// The source with this kind and root, created if new. Licence and
    /// attribution are updated when given.
    qint64 findOrCreate(const SourceRecord &source, QString *error);
    QList<SourceRecord> list(QString *error = nullptr) const;

    qint64 startRun(qint64 sourceId, QString *error);
    /// The status of the source's latest run ("running", "done", "cancelled", ...); empty when it
    /// has none.
    QString lastRunStatus(qint64 sourceId, QString *error) const;
    bool finishRun(qint64 runId, const QString &status, const QJsonObject &report, QString *error);
    /// Runs that never finished (the program was stopped or crashed during them).
    QList<ImportRunRecord> unfinishedRuns(qint64 sourceId = -1, QString *error = nullptr) const;
    /// Marks the given source's unfinished runs as interrupted; returns how many.
    qint64 markInterrupted(qint64 sourceId, QString *error);

private:
    QSqlDatabase m_db;
};

} // namespace dl
