// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/TeamSecurity.h"

#include "store/PostgresServer.h"
#include "store/Sql.h"

#include <QCoreApplication>
#include <QAtomicInt>
#include <QCryptographicHash>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::TeamSecurity", text);
}

QString TeamSecurity::script()
{
    QFile file(u":/store/postgres/team_security.sql"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QStringList TeamSecurity::statements(const QString &script)
{
    QStringList result;
    QString current;
    qsizetype i = 0;
    const qsizetype n = script.size();
    auto flush = [&] {
        const QString statement = current.trimmed();
        if (!statement.isEmpty())
            result.append(statement);
        current.clear();
    };
    while (i < n) {
        const QChar c = script.at(i);
        if (c == u'-' && i + 1 < n && script.at(i + 1) == u'-') { // a comment, to the end of the line
            const qsizetype end = script.indexOf(u'\n', i);
            i = end < 0 ? n : end + 1;
            current.append(u'\n');
            continue;
        }
        if (c == u'\'' || c == u'"') { // a string or a quoted name ('' and "" stay inside)
            const qsizetype end = script.indexOf(c, i + 1);
            const qsizetype stop = end < 0 ? n : end + 1;
            current.append(QStringView(script).mid(i, stop - i));
            i = stop;
            continue;
        }
        if (c == u'$') { // a dollar quote: $$ or $tag$ ... the same tag
            qsizetype j = i + 1;
            while (j < n && (script.at(j).isLetterOrNumber() || script.at(j) == u'_'))
                ++j;
            if (j < n && script.at(j) == u'$') {
                const QString tag = script.mid(i, j - i + 1);
                const qsizetype end = script.indexOf(tag, j + 1);
                const qsizetype stop = end < 0 ? n : end + tag.size();
                current.append(QStringView(script).mid(i, stop - i));
                i = stop;
                continue;
            }
        }
        if (c == u';') {
            flush();
            ++i;
            continue;
        }
        current.append(c);
        ++i;
    }
    flush();
    return result;
}

QString TeamSecurity::settingKey()
{
    return u"team_security"_s;
}

QString TeamSecurity::scriptHash()
{
    return QString::fromLatin1(QCryptographicHash::hash(script().toUtf8(), QCryptographicHash::Sha256).toHex());
}

bool TeamSecurity::canInstall(const QSqlDatabase &db, QString *error)
{
    // The owner group exists once the rules were installed; before that the
    // database's owner installs them.
    const auto allowed = Sql::scalar(
        db,
        u"SELECT r.rolsuper OR (r.rolcreaterole AND (pg_has_role(current_user, d.datdba, 'MEMBER')"
        " OR EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tablename = 'schema_version'"
        "            AND pg_has_role(current_user, t.tableowner, 'MEMBER'))))"
        " FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()"_s,
        {}, error);
    return allowed && allowed->toBool();
}

bool TeamSecurity::isInstalled(const QSqlDatabase &db, QString *error)
{
    const auto found = Sql::scalar(db, u"SELECT COUNT(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                                       " WHERE n.nspname = 'public' AND p.proname = 'dl_add_user'"_s,
                                   {}, error);
    return found && found->toInt() > 0;
}

bool TeamSecurity::isCurrent(const QSqlDatabase &db, QString *error)
{
    const auto hash = Sql::scalar(db, u"SELECT COALESCE(MAX(value), '') FROM settings WHERE key = ?"_s,
                                  {settingKey()}, error);
    return hash && hash->toString() == scriptHash();
}

bool TeamSecurity::install(const QSqlDatabase &db, QString *error)
{
    const QString text = script();
    if (text.isEmpty()) {
        *error = tr("The team store's security rules are missing from this program.");
        return false;
    }
    if (!canInstall(db, error)) {
        if (error->isEmpty())
            *error = tr("Only the store's owner (a superuser, or a role with CREATEROLE that owns the database) "
                        "may set up who may see what on a team store.");
        return false;
    }
    QSqlQuery query(db);
    if (!query.exec(u"BEGIN"_s)) {
        *error = tr("Database error: %1").arg(query.lastError().text());
        return false;
    }
    const QStringList list = statements(text);
    for (const QString &statement : list) {
        if (!query.exec(statement)) {
            *error = tr("Cannot set up the team store's security: %1").arg(query.lastError().text());
            QSqlQuery(db).exec(u"ROLLBACK"_s);
            return false;
        }
    }
    if (!Sql::exec(db, u"INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"_s,
                   {settingKey(), scriptHash()}, error)) {
        QSqlQuery(db).exec(u"ROLLBACK"_s);
        return false;
    }
    if (!query.exec(u"COMMIT"_s)) {
        *error = tr("Cannot set up the team store's security: %1").arg(query.lastError().text());
        QSqlQuery(db).exec(u"ROLLBACK"_s);
        return false;
    }
    return true;
}

bool TeamSecurity::checkBeforeMigration(const QSqlDatabase &db, int storeVersion, int latestVersion, QString *error)
{
    if (storeVersion <= 0 || storeVersion >= latestVersion)
        return true;
    QString ignored;
    if (!isInstalled(db, &ignored) || canInstall(db, &ignored))
        return true;
    *error = tr("The team store's schema is older than this program. An administrator must upgrade it first, "
                "connected as the store's owner: dermlabel-cli init --store URL");
    return false;
}

bool TeamSecurity::upgradeAfterMigration(const QSqlDatabase &db, QString *error)
{
    QString ignored;
    if (!isInstalled(db, &ignored) || isCurrent(db, &ignored) || !canInstall(db, &ignored))
        return true;
    return install(db, error);
}

bool TeamSecurity::holdsStore(const StoreLocation &location, QString *error)
{
    static QAtomicInt counter;
    const QString name = u"dermlabel-holds-store-%1"_s.arg(counter.fetchAndAddRelaxed(1));
    bool holds = false;
    {
        PostgresServer::Failure failure = PostgresServer::Failure::None;
        QString connectError;
        QSqlDatabase db = PostgresServer::connect(location, name, &failure, &connectError);
        if (failure == PostgresServer::Failure::None)
            holds = db.tables().contains(u"schema_version"_s);
        else if (failure != PostgresServer::Failure::DatabaseMissing)
            *error = connectError;
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return holds;
}

std::optional<qint64> TeamSecurity::addUser(const QSqlDatabase &db, const QString &name, const QString &displayName,
                                            Role role, const QString &password, bool active, QString *error)
{
    const auto id = Sql::scalar(db, u"SELECT dl_add_user(?, ?, ?, ?, ? = 1, ?)"_s,
                                {name, Sql::text(displayName), roleKey(role), password, active ? 1 : 0, Sql::now()},
                                error);
    if (!id)
        return std::nullopt;
    return id->toLongLong();
}

bool TeamSecurity::managesUsers(const QSqlDatabase &db)
{
    if (db.driverName() != u"QPSQL"_s)
        return false;
    QString ignored;
    return isInstalled(db, &ignored);
}

bool TeamSecurity::readsAllLabels(const QSqlDatabase &db)
{
    QString error;
    const auto staff = Sql::scalar(
        db, u"SELECT dl_is_staff() OR pg_has_role(current_user, dl_group('owner'), 'MEMBER')"_s, {}, &error);
    return staff && staff->toBool();
}

bool TeamSecurity::setUser(const QSqlDatabase &db, qint64 userId, std::optional<Role> role, std::optional<bool> active,
                           QString *error)
{
    QSqlQuery query(db);
    if (!Sql::exec(query, u"SELECT name, role, active FROM users WHERE id = ?"_s, {userId}, error))
        return false;
    if (!query.next()) {
        *error = tr("There is no such user.");
        return false;
    }
    const QString name = query.value(0).toString();
    const QString roleText = role ? roleKey(*role) : query.value(1).toString();
    const int activeValue = active ? (*active ? 1 : 0) : query.value(2).toInt();
    return Sql::exec(db, u"SELECT dl_set_user(?, ?, ? = 1)"_s, {name, roleText, activeValue}, error);
}

bool TeamSecurity::setPassword(const QSqlDatabase &db, qint64 userId, const QString &password, QString *error)
{
    const auto name = Sql::scalar(db, u"SELECT name FROM users WHERE id = ?"_s, {userId}, error);
    if (!name) {
        if (error->isEmpty())
            *error = tr("There is no such user.");
        return false;
    }
    return Sql::exec(db, u"SELECT dl_set_password(?, ?)"_s, {name->toString(), password}, error);
}

QString TeamSecurity::groupName(const QSqlDatabase &db, const QString &kind, QString *error)
{
    const auto name = Sql::scalar(db, u"SELECT dl_group(?)"_s, {kind}, error);
    return name ? name->toString() : QString();
}

} // namespace dl
