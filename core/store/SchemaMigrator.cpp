// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/SchemaMigrator.h"

#include "store/Schema.h"
#include "store/Sql.h"
#include "store/Transaction.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::SchemaMigrator", text);
}

SchemaMigrator::SchemaMigrator(QSqlDatabase db, SqlDialect dialect, QList<Migration> migrations)
    : m_db(std::move(db))
    , m_dialect(dialect)
    , m_migrations(std::move(migrations))
{
    std::sort(m_migrations.begin(), m_migrations.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
}

QList<Migration> SchemaMigrator::builtinMigrations()
{
    return Schema::migrations();
}

int SchemaMigrator::latestVersion()
{
    const QList<Migration> all = builtinMigrations();
    return all.isEmpty() ? 0 : all.last().version;
}

int SchemaMigrator::targetVersion() const
{
    return m_migrations.isEmpty() ? 0 : m_migrations.last().version;
}

int SchemaMigrator::storeVersion(QString *error) const
{
    if (!m_db.tables().contains(u"schema_version"_s))
        return m_db.tables().isEmpty() ? 0 : -2;
    const auto version = Sql::scalar(m_db, u"SELECT MAX(version) FROM schema_version"_s, {}, error);
    if (!version)
        return -1;
    return version->isNull() ? 0 : version->toInt();
}

bool SchemaMigrator::migrate(QString *error)
{
    const int current = storeVersion(error);
    if (current == -2) {
        *error = m_dialect.engine() == SqlDialect::Engine::Sqlite
            ? tr("This file is not a DermLabel store (it holds other tables).")
            : tr("This database is not a DermLabel store (it holds other tables).");
        return false;
    }
    if (current < 0)
        return false;
    const int target = targetVersion();
    if (current > target) {
        *error = tr("This store was written by a newer version of DermLabel (schema %1); this program "
                    "understands schema %2 at most. Install the newer DermLabel to open it.")
                     .arg(current)
                     .arg(target);
        return false;
    }
    for (const Migration &migration : std::as_const(m_migrations)) {
        if (migration.version <= current)
            continue;
        if (!apply(migration, error))
            return false;
    }
    return true;
}

bool SchemaMigrator::apply(const Migration &migration, QString *error)
{
    Transaction tx(m_db);
    if (!tx.isActive()) {
        *error = tr("Could not start the schema update: %1").arg(tx.error());
        return false;
    }
    QSqlQuery query(m_db);
    if (migration.version == 1 || !m_db.tables().contains(u"schema_version"_s)) {
        const QString bootstrap = m_dialect.ddl(
            u"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
            "description TEXT NOT NULL, applied_at TEXT NOT NULL)"_s);
        if (!query.exec(bootstrap)) {
            *error = tr("Schema update %1 failed: %2").arg(migration.version).arg(query.lastError().text());
            return false;
        }
    }
    for (const QString &statement : migration.statements) {
        if (!query.exec(m_dialect.ddl(statement))) {
            *error = tr("Schema update %1 (%2) failed: %3")
                         .arg(migration.version)
                         .arg(migration.description, query.lastError().text());
            return false;
        }
    }
    if (migration.after) {
        QString stepError;
        if (!migration.after(m_db, &stepError)) {
            *error = tr("Schema update %1 (%2) failed: %3").arg(migration.version).arg(migration.description, stepError);
            return false;
        }
    }
    if (!Sql::exec(m_db, u"INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)"_s,
                   {migration.version, migration.description, Sql::now()}, error))
        return false;
    if (!tx.commit()) {
        *error = tr("Schema update %1 could not be saved: %2").arg(migration.version).arg(tx.error());
        return false;
    }
    return true;
}

} // namespace dl
