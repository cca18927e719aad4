// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/StoreLocation.h"

#include <QSqlDatabase>
#include <QString>

class QSqlDriver;

namespace dl {

/// What a team store needs from the PostgreSQL server before a store
/// connection exists: telling why a connection failed in words a person can
/// act on, and creating a missing database.
class PostgresServer
{
public:
    enum class Failure {
        None,
        Unreachable,
        WrongPassword,
        NoPassword,
        DatabaseMissing,
        NotAllowed,
        /// sslmode verify-ca or verify-full: the server's certificate is not signed by the CA in
        /// sslrootcert (or that file is missing), or is not made out for the host name.
        CertificateNotVerified,
        /// sslmode require (or stricter), and the server offers no TLS.
        NoTls,
        Other
    };

    /// Classifies libpq's message of a failed connection.
    static Failure classify(const QString &libpqMessage);
    /// A message for a person: what failed, on which server, what to do.
    static QString describe(Failure failure, const StoreLocation &location, const QString &libpqMessage);

    /// Opens a QPSQL connection named name to location (the caller removes it
    /// with QSqlDatabase::removeDatabase()). On failure the connection is
    /// closed and *failure and *error tell why.
    static QSqlDatabase connect(const StoreLocation &location, const QString &name, Failure *failure,
                                QString *error);

    /// Connects to location once and disconnects: Failure::None when it can, else why not
    /// (*error for people).
    static Failure probe(const StoreLocation &location, QString *error);
    /// The failures that mean the server refused the name or password (or the account).
    static bool isRefusedSignIn(Failure failure)
    {
        return failure == Failure::WrongPassword || failure == Failure::NotAllowed || failure == Failure::NoPassword;
    }

    /// Creates location's database (from template0, UTF-8, C collation like
    /// SQLite's byte order) through the server's maintenance database, after
    /// checking that the role may. An existing database is not an error.
    static bool createDatabase(const StoreLocation &location, QString *error);

    /// Whether the server connection behind driver (QPSQL) was lost: the
    /// server restarted, the session was terminated or the network dropped.
    /// libpq notices it when the connection is next used, so this becomes
    /// true once a statement failed for that reason. False for other drivers
    /// and for a connection that is closed on purpose.
    /// Also true while a lost connection could not be opened again
    /// (markReconnectFailed()).
    static bool isConnectionLost(const QSqlDriver *driver);
    /// Store::db() could not open a lost connection again (failed true) or
    /// did (false): until it does, statements on it fail as lost.
    static void markReconnectFailed(QSqlDriver *driver, bool failed);
    /// What a person reads when an operation failed because the connection
    /// was lost: the next operation connects again.
    static QString connectionLostMessage();

    /// A double-quoted SQL identifier (for the statements that take no
    /// bound parameters: CREATE DATABASE, DROP DATABASE).
    static QString quoteIdentifier(const QString &name);
};

} // namespace dl
