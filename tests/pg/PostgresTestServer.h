// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/StoreLocation.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <functional>

/// The PostgreSQL server that the CTest fixture `postgres` starts
/// (tests/pg/pg-server.sh), and databases of their own on it for one test
/// program, so that programs run in parallel. The admin URL comes from
/// DERMLABEL_TEST_POSTGRES_URL, else from the file the fixture wrote
/// (DERMLABEL_TEST_POSTGRES_URL_FILE, else the build tree's tests/pg/admin-url).
///
/// With DERMLABEL_NO_POSTGRES=1 the tests that need the server skip; without
/// it, a missing server is a failure.
class PostgresTestServer
{
public:
    /// prefix names this program's databases (with the process id, so two
    /// runs never meet).
    explicit PostgresTestServer(const QString &prefix);
    ~PostgresTestServer();
    PostgresTestServer(const PostgresTestServer &) = delete;
    PostgresTestServer &operator=(const PostgresTestServer &) = delete;

    /// DERMLABEL_NO_POSTGRES=1 is set: skip, do not fail.
    static bool disabled();

    /// The server's admin URL; empty with *error when there is no server.
    static QString adminUrl(QString *error);

    /// The certificate authority file the fixture's server wrote beside its admin URL: "ca.pem"
    /// (it signed the server's certificate for localhost) or "other-ca.pem" (an unrelated one).
    /// Empty when there is none (a server given by DERMLABEL_TEST_POSTGRES_URL, unless
    /// DERMLABEL_TEST_POSTGRES_CA names its CA file for "ca.pem").
    static QString certificateAuthorityFile(const QString &name);
    /// The server's port (from the admin URL), or -1.
    int port() const;

    /// True when the server answers; otherwise error() tells why.
    bool isAvailable();
    QString error() const { return m_error; }

    /// The URL (as the superuser, with the password) of this program's
    /// database called name, which is dropped at the end; it is not created
    /// here (see create()).
    QString databaseUrl(const QString &name);
    dl::StoreLocation location(const QString &name);
    /// The full name on the server of this program's database called name.
    QString databaseName(const QString &name) const;
    /// CREATE DATABASE ... TEMPLATE template0 for databaseUrl(name).
    bool create(const QString &name, QString *error);

    /// Whether this program's database called name exists on the server.
    bool exists(const QString &name, QString *error);

    /// Runs statements on the server's maintenance database as the superuser.
    bool admin(const QStringList &statements, QString *error);

    /// Drops every database this program made (also done by the destructor).
    void dropAll();

private:
    bool withAdmin(const std::function<bool(QSqlDatabase &, QString *)> &work, QString *error);

    QString m_prefix;
    QString m_adminUrl;
    QString m_error;
    QStringList m_databases;
    bool m_checked = false;
};
