// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/StoreLocation.h"

#include <QSqlDatabase>
#include <QString>

namespace dl {

/// What a team store needs from the PostgreSQL server before a store
/// connection exists: telling why a connection failed in words a person can
/// act on, and creating a missing database.
class PostgresServer
{
public:
    enum class Failure { None, Unreachable, WrongPassword, NoPassword, DatabaseMissing, NotAllowed, Other };

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

    /// Creates location's database (from template0, UTF-8, C collation like
    /// SQLite's byte order) through the server's maintenance database, after
    /// checking that the role may. An existing database is not an error.
    static bool createDatabase(const StoreLocation &location, QString *error);

    /// A double-quoted SQL identifier (for the statements that take no
    /// bound parameters: CREATE DATABASE, DROP DATABASE).
    static QString quoteIdentifier(const QString &name);
};

} // namespace dl
