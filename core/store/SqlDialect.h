// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

class QSqlDatabase;
class QSqlError;

namespace dl {

/// Everything that differs between database engines lives here: the
/// connection settings (SQLite's pragmas, PostgreSQL's session settings), the
/// DDL type names, how a write transaction begins, and the consistency checks.
/// All other SQL in core is portable (SQLite 3.35+ and PostgreSQL 10+: bound
/// parameters, RETURNING, ON CONFLICT).
class SqlDialect
{
public:
    enum class Engine { Sqlite, Postgres };

    explicit SqlDialect(Engine engine = Engine::Sqlite) : m_engine(engine) { }

    /// The engine of an open connection, from its Qt driver.
    static Engine engineOf(const QSqlDatabase &db);

    Engine engine() const { return m_engine; }
    QString driverName() const;

    /// Applies the per-connection settings and verifies that they took
    /// effect. SQLite: WAL journal, foreign keys, busy timeout, synchronous
    /// mode. PostgreSQL: warnings only (no notices), standard-conforming
    /// strings, a server new enough for the schema (10 or later).
    bool configureConnection(QSqlDatabase &db, QString *error) const;

    /// Replaces the DDL placeholders with this engine's type names:
    /// {id} an auto-numbered primary key, {blob} bytes, {bigint} a 64-bit
    /// integer, {real} a double-precision number.
    QString ddl(QString statement) const;

    /// How a write transaction begins: SQLite takes the write lock at once
    /// (BEGIN IMMEDIATE); PostgreSQL locks rows as they are written (BEGIN).
    QString beginTransactionStatement() const;
    /// True when error means another connection holds the lock (SQLite's
    /// SQLITE_BUSY or SQLITE_LOCKED); waiting and trying again may succeed.
    bool isBusyError(const QSqlError &error) const;

    /// The engine's own consistency check: an empty list when all is well,
    /// otherwise one line per problem. SQLite: PRAGMA integrity_check.
    /// PostgreSQL: indexes left invalid and constraints never validated.
    QStringList integrityProblems(const QSqlDatabase &db, QString *error) const;
    /// Rows whose foreign keys point nowhere, as "table row N -> parent".
    /// PostgreSQL enforces them, but rows written while enforcement was off
    /// (replication, restores) are found by a query per foreign key.
    QStringList foreignKeyViolations(const QSqlDatabase &db, QString *error) const;

    /// Milliseconds a connection waits for a lock held by another process.
    static constexpr int BusyTimeoutMs = 5000;

private:
    Engine m_engine;
};

} // namespace dl
