// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

class QSqlDatabase;

namespace dl {

/// Everything that differs between database engines lives here: the connection
/// pragmas of SQLite and the few DDL type names. All other SQL in core is
/// portable (SQLite 3.35+ and PostgreSQL: bound parameters, RETURNING,
/// ON CONFLICT), so a QPSQL backend needs a second dialect, not new queries.
class SqlDialect
{
public:
    enum class Engine { Sqlite, Postgres };

    explicit SqlDialect(Engine engine = Engine::Sqlite) : m_engine(engine) { }

    Engine engine() const { return m_engine; }
    QString driverName() const;

    /// Applies the per-connection settings (SQLite: WAL journal, foreign keys,
    /// busy timeout, synchronous mode) and verifies that they took effect.
    bool configureConnection(QSqlDatabase &db, QString *error) const;

    /// Replaces the DDL placeholders {id}, {blob} and {bigint} with this
    /// engine's type names.
    QString ddl(QString statement) const;

    /// The engine's own consistency check: an empty list when all is well,
    /// otherwise one line per problem.
    QStringList integrityProblems(const QSqlDatabase &db, QString *error) const;
    /// Rows whose foreign keys point nowhere, as "table row N -> parent".
    QStringList foreignKeyViolations(const QSqlDatabase &db, QString *error) const;

    /// Milliseconds a connection waits for a lock held by another process.
    static constexpr int BusyTimeoutMs = 5000;

private:
    Engine m_engine;
};

} // namespace dl
