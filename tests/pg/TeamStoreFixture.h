// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PostgresTestServer.h"

#include "model/User.h"
#include "store/Store.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

/// A secured team store on the test server, as `dermlabel-cli init` makes it:
/// the schema, the server's rules (TeamSecurity) and users that are login
/// roles of the server. User names get this process's id appended, since
/// roles belong to the whole server; the roles and the store's groups are
/// dropped with the fixture (after its databases).
class TeamStoreFixture
{
public:
    /// name: the database, one of server's (see PostgresTestServer).
    TeamStoreFixture(PostgresTestServer &server, const QString &name);
    ~TeamStoreFixture();
    TeamStoreFixture(const TeamStoreFixture &) = delete;
    TeamStoreFixture &operator=(const TeamStoreFixture &) = delete;

    /// Creates the store and installs its rules, as the server's superuser.
    bool setUp(QString *error);

    /// The store as its owner (the superuser's connection: not bound by the rules).
    dl::Store &owner() { return *m_owner; }
    /// The superuser's location of the store.
    dl::StoreLocation location() const { return m_location; }
    /// The location a user opens: the store's URL signing in as name (with
    /// password, which StoreLocation never shows).
    dl::StoreLocation locationOf(const QString &name, const QString &password = TeamStoreFixture::password()) const;

    /// The password every user of the fixture has.
    static QString password();
    /// The full user name for base (base_<pid>).
    QString userName(const QString &base) const;
    /// Adds a user (a login role in the store's group for role) through the
    /// store's functions, as the admin screen does.
    std::optional<dl::User> addUser(const QString &base, dl::Role role, QString *error);

    /// Opens the store and signs in as user, as the workstation does.
    std::unique_ptr<dl::Store> signIn(const dl::User &user, QString *error) const;

    /// Drops the databases, then the roles made for them.
    void tearDown();

private:
    PostgresTestServer &m_server;
    QString m_name;
    dl::StoreLocation m_location;
    std::unique_ptr<dl::Store> m_owner;
    QStringList m_roles;
};
