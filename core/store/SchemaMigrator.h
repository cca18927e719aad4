// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/SqlDialect.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <functional>

namespace dl {

/// One numbered schema step. Statements may use the SqlDialect placeholders.
struct Migration
{
    int version = 0;
    QString description;
    QStringList statements;
    /// Work that SQL alone cannot do (hashing, engine-specific DDL), run after the statements in
    /// the same transaction.
    std::function<bool(const QSqlDatabase &db, QString *error)> after;
};

/// Brings a store's schema up to date, one version at a time, each step in
/// its own transaction. The applied steps are recorded in `schema_version`;
/// a store written by a newer program is refused, never touched.
class SchemaMigrator
{
public:
    SchemaMigrator(QSqlDatabase db, SqlDialect dialect, QList<Migration> migrations = builtinMigrations());

    /// The migrations of this program, in order.
    static QList<Migration> builtinMigrations();
    /// The schema version this program writes.
    static int latestVersion();

    /// The store's schema version: 0 for an empty database, -1 on error.
    int storeVersion(QString *error) const;
    int targetVersion() const;

    /// Applies all pending migrations. Returns false and leaves the store at
    /// the last complete version when a step fails, or when the store is newer
    /// than this program.
    bool migrate(QString *error);

private:
    bool apply(const Migration &migration, QString *error);

    QSqlDatabase m_db;
    SqlDialect m_dialect;
    QList<Migration> m_migrations;
};

} // namespace dl
