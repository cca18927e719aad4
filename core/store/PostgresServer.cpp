// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/PostgresServer.h"

#include "store/Sql.h"

#include <QAtomicInt>
#include <QCoreApplication>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <libpq-fe.h>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::PostgresServer", text);
}

PostgresServer::Failure PostgresServer::classify(const QString &message)
{
    auto has = [&](const char *text) { return message.contains(QLatin1StringView(text), Qt::CaseInsensitive); };
    if (has("password authentication failed") || has("authentication failed for user"))
        return Failure::WrongPassword;
    if (has("no password supplied"))
        return Failure::NoPassword;
    // Before "does not exist": a missing sslrootcert file "does not exist" too.
    if (has("certificate verify failed") || has("does not match host name") || has("root certificate file")
        || has("could not read root certificate") || has("certificate is not yet valid")
        || has("certificate has expired") || has("self-signed certificate") || has("self signed certificate"))
        return Failure::CertificateNotVerified;
    if (has("server does not support SSL"))
        return Failure::NoTls;
    if (has("does not exist") && has("database \""))
        return Failure::DatabaseMissing;
    if (has("permission denied for database") || has("no pg_hba.conf entry") || has("not permitted to log in")
        || has("pg_hba.conf rejects"))
        return Failure::NotAllowed;
    if (has("connection refused") || has("could not translate host name") || has("timeout expired")
        || has("no route to host") || has("network is unreachable") || has("could not connect")
        || has("no such file or directory") || has("server closed the connection unexpectedly"))
        return Failure::Unreachable;
    return message.trimmed().isEmpty() ? Failure::None : Failure::Other;
}

static QString serverName(const StoreLocation &location)
{
    if (location.host().isEmpty())
        return tr("the local PostgreSQL server");
    return u"%1:%2"_s.arg(location.host()).arg(location.port());
}

static QString roleName(const StoreLocation &location)
{
    return location.user().isEmpty() ? tr("(your login name)") : location.user();
}

QString PostgresServer::describe(Failure failure, const StoreLocation &location, const QString &message)
{
    const QString detail = message.simplified();
    switch (failure) {
    case Failure::None:
        return {};
    case Failure::Unreachable:
        return tr("Cannot reach the PostgreSQL server %1: %2. Check the host name and port, and that the server "
                  "is running and accepts connections from this computer.")
            .arg(serverName(location), detail);
    case Failure::WrongPassword:
        return tr("The PostgreSQL server %1 refused the password of %2 (wrong password, or no such role).")
            .arg(serverName(location), roleName(location));
    case Failure::NoPassword:
        return tr("The PostgreSQL server %1 asks for the password of %2: give it in the URL "
                  "(postgresql://user:password@host/database), in PGPASSWORD or in ~/.pgpass.")
            .arg(serverName(location), roleName(location));
    case Failure::DatabaseMissing:
        return tr("There is no database %1 on %2.").arg(location.database(), serverName(location));
    case Failure::NotAllowed:
        return tr("The PostgreSQL server %1 does not let %2 connect to the database %3: %4")
            .arg(serverName(location), roleName(location), location.database(), detail);
    case Failure::CertificateNotVerified:
        return tr("The certificate of the PostgreSQL server %1 could not be verified, so nothing was opened: it is "
                  "not signed by the certificate authority given in sslrootcert (%2), or it is not made out for "
                  "the host name %3. Ask the server's administrator for the right CA file and address; do not "
                  "connect without verification on a hospital network. (%4)")
            .arg(serverName(location),
                 location.options().value(u"sslrootcert"_s, tr("by default ~/.postgresql/root.crt")),
                 location.host().isEmpty() ? tr("(local socket)") : location.host(), detail);
    case Failure::NoTls:
        return tr("The PostgreSQL server %1 does not offer TLS, but the address asks for an encrypted connection "
                  "(sslmode=%2): nothing was opened. The server's administrator turns TLS on (ssl = on).")
            .arg(serverName(location), location.sslMode());
    case Failure::Other:
        break;
    }
    return tr("Cannot connect to the database %1 on %2: %3").arg(location.database(), serverName(location), detail);
}

QSqlDatabase PostgresServer::connect(const StoreLocation &location, const QString &name, Failure *failure,
                                     QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
    if (!db.isValid()) {
        *failure = Failure::Other;
        *error = tr("Qt's PostgreSQL driver (QPSQL) is not installed: install the Debian package "
                    "libqt6sql6-psql.");
        return db;
    }
    if (!location.host().isEmpty())
        db.setHostName(location.host());
    db.setPort(location.port());
    db.setDatabaseName(location.database());
    if (!location.user().isEmpty())
        db.setUserName(location.user());
    // Without a password libpq reads PGPASSWORD or ~/.pgpass itself.
    if (location.hasPassword())
        db.setPassword(location.password());
    db.setConnectOptions(location.connectOptions());
    if (db.open()) {
        *failure = Failure::None;
        return db;
    }
    const QString message = db.lastError().databaseText().isEmpty() ? db.lastError().text()
                                                                     : db.lastError().databaseText();
    *failure = classify(message);
    if (*failure == Failure::None)
        *failure = Failure::Other;
    *error = describe(*failure, location, message);
    db.close();
    return db;
}

static const char *const ReconnectFailedProperty = "dermlabelReconnectFailed";

void PostgresServer::markReconnectFailed(QSqlDriver *driver, bool failed)
{
    if (driver)
        driver->setProperty(ReconnectFailedProperty, failed);
}

bool PostgresServer::isConnectionLost(const QSqlDriver *driver)
{
    if (!driver || driver->dbmsType() != QSqlDriver::PostgreSQL)
        return false;
    if (!driver->isOpen() && driver->property(ReconnectFailedProperty).toBool())
        return true;
    // QPSQL's handle is the libpq connection (null while closed); Qt names its
    // type by the struct behind libpq's typedef.
    const QVariant handle = driver->handle();
    if (!handle.isValid()
        || (qstrcmp(handle.typeName(), "pg_conn*") != 0 && qstrcmp(handle.typeName(), "PGconn*") != 0))
        return false;
    const PGconn *connection = *static_cast<PGconn *const *>(handle.constData());
    return connection && PQstatus(connection) == CONNECTION_BAD;
}

QString PostgresServer::connectionLostMessage()
{
    return tr("The connection to the server was lost; the last change may not have been saved. DermLabel "
              "connects again for the next step: try again.");
}

QString PostgresServer::quoteIdentifier(const QString &name)
{
    QString quoted = name;
    quoted.replace(u'"', u"\"\""_s);
    return u'"' + quoted + u'"';
}

static QAtomicInt s_maintenanceCounter;

PostgresServer::Failure PostgresServer::probe(const StoreLocation &location, QString *error)
{
    const QString name = u"dermlabel-probe-%1"_s.arg(s_maintenanceCounter.fetchAndAddRelaxed(1));
    Failure failure = Failure::None;
    {
        QSqlDatabase db = connect(location, name, &failure, error);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return failure;
}

bool PostgresServer::createDatabase(const StoreLocation &location, QString *error)
{
    const QString name = u"dermlabel-maintenance-%1"_s.arg(s_maintenanceCounter.fetchAndAddRelaxed(1));
    bool ok = false;
    {
        // The maintenance database "postgres" exists on every server unless an
        // administrator dropped it; template1 always does.
        Failure failure = Failure::None;
        QString connectError;
        QSqlDatabase db = connect(location.withDatabase(u"postgres"_s), name, &failure, &connectError);
        if (failure == Failure::DatabaseMissing) {
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            db = connect(location.withDatabase(u"template1"_s), name, &failure, &connectError);
        }
        if (failure != Failure::None) {
            *error = tr("Cannot create the database %1: %2").arg(location.database(), connectError);
        } else {
            QString queryError;
            const auto right = Sql::scalar(
                db, u"SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"_s, {}, &queryError);
            const QString role = Sql::scalar(db, u"SELECT current_user"_s, {}, &queryError).value_or(QVariant()).toString();
            if (!right) {
                *error = tr("Cannot create the database %1: %2").arg(location.database(), queryError);
            } else if (!right->toBool()) {
                *error = tr("There is no database %1 on %2, and the role %3 may not create one (it lacks the "
                            "CREATEDB right). Ask the server's administrator to create the database with %3 as "
                            "its owner, or to grant %3 CREATEDB.")
                             .arg(location.database(), serverName(location), role);
            } else {
                // CREATE DATABASE cannot run inside a transaction, nor take
                // bound parameters: the name is quoted as an identifier.
                QSqlQuery query(db);
                const QString statement = u"CREATE DATABASE %1 TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'"_s.arg(
                    quoteIdentifier(location.database()));
                if (query.exec(statement)) {
                    ok = true;
                } else if (query.lastError().nativeErrorCode() == u"42P04"_s) {
                    ok = true; // created meanwhile by someone else
                } else {
                    *error = tr("Cannot create the database %1 on %2: %3")
                                 .arg(location.database(), serverName(location), query.lastError().databaseText());
                }
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace dl
