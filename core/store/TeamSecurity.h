// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Role.h"
#include "store/StoreLocation.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>

namespace dl {

/// Who may see and change what on a team store, enforced by the PostgreSQL
/// server: the group roles of the store, row-level security on every table,
/// the trigger that marks an image's consensus stale, and the functions that
/// manage users as login roles (dl_add_user, dl_set_user, dl_set_password).
/// The rules are the resource core/store/postgres/team_security.sql; they are
/// installed after the migrations by the store owner's connection (a
/// superuser, or a role with CREATEROLE that owns the database), never by a
/// rater's connection.
class TeamSecurity
{
public:
    /// The installer script (from the resource).
    static QString script();
    /// The script split into statements (dollar quotes and strings kept whole).
    static QStringList statements(const QString &script);
    /// The key in `settings` that records the installed script's hash.
    static QString settingKey();
    /// The SHA-256 (hex) of this program's script.
    static QString scriptHash();

    /// Whether the connecting role may install the rules: a superuser, or a
    /// role with CREATEROLE that owns the database (or is in its owner group).
    static bool canInstall(const QSqlDatabase &db, QString *error);
    /// Whether the rules were installed on this database (by any version).
    static bool isInstalled(const QSqlDatabase &db, QString *error);
    /// Whether the installed rules are those of this program.
    static bool isCurrent(const QSqlDatabase &db, QString *error);
    /// Installs (or replaces) the rules in one transaction.
    static bool install(const QSqlDatabase &db, QString *error);

    /// Run by Store::open on a PostgreSQL store before the migrations: a
    /// secured store that needs an upgrade is refused with a clear message
    /// unless the connecting role may install it.
    static bool checkBeforeMigration(const QSqlDatabase &db, int storeVersion, int latestVersion, QString *error);
    /// Run by Store::open after the migrations: the owner's connection brings
    /// the rules of a secured store up to date.
    static bool upgradeAfterMigration(const QSqlDatabase &db, QString *error);

    /// Whether the database at location exists and holds a DermLabel store
    /// (false without error when it is missing or empty).
    static bool holdsStore(const StoreLocation &location, QString *error);

    /// Adds a DermLabel user as a login role through dl_add_user (the caller
    /// is an administrator of the store or its owner). Returns the users row id.
    static std::optional<qint64> addUser(const QSqlDatabase &db, const QString &name, const QString &displayName,
                                         Role role, const QString &password, bool active, QString *error);
    /// Whether db is a team store whose users are server login roles (the
    /// rules are installed): user changes then go through the functions below.
    static bool managesUsers(const QSqlDatabase &db);
    /// Whether the connected user may read every rater's labels: a QA lead or
    /// administrator of the store, or its owner (false on error).
    static bool readsAllLabels(const QSqlDatabase &db);
    /// Changes a user's role and/or whether they are active, through
    /// dl_set_user (group membership follows; the server keeps one active admin).
    static bool setUser(const QSqlDatabase &db, qint64 userId, std::optional<Role> role, std::optional<bool> active,
                        QString *error);
    /// Sets a user's server password through dl_set_password.
    static bool setPassword(const QSqlDatabase &db, qint64 userId, const QString &password, QString *error);

    /// The name on the server of this store's group of a kind ("owner",
    /// "annotator", "qa" or "admin").
    static QString groupName(const QSqlDatabase &db, const QString &kind, QString *error);
};

} // namespace dl
