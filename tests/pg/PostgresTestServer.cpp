// SPDX-License-Identifier: GPL-3.0-or-later
#include "PostgresTestServer.h"

#include "store/PostgresServer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace dl;

PostgresTestServer::PostgresTestServer(const QString &prefix)
{
    static const QRegularExpression unsafe(u"[^a-z0-9_]"_s);
    m_prefix = u"dltest_%1_%2"_s.arg(prefix.toLower().replace(unsafe, u"_"_s)).arg(QCoreApplication::applicationPid());
}

PostgresTestServer::~PostgresTestServer()
{
    dropAll();
}

bool PostgresTestServer::disabled()
{
    return qEnvironmentVariable("DERMLABEL_NO_POSTGRES") == u"1"_s;
}

QString PostgresTestServer::adminUrl(QString *error)
{
    const QString direct = qEnvironmentVariable("DERMLABEL_TEST_POSTGRES_URL");
    if (!direct.isEmpty())
        return direct;
    QString file = qEnvironmentVariable("DERMLABEL_TEST_POSTGRES_URL_FILE");
    if (file.isEmpty())
        file = QStringLiteral(DERMLABEL_TEST_POSTGRES_STATE_DIR "/admin-url");
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = u"No PostgreSQL test server: %1 is missing. Run the tests through CTest (the fixture "
                 "'postgres_start' starts the server), or set DERMLABEL_NO_POSTGRES=1 to skip the tests "
                 "that need one."_s.arg(file);
        return {};
    }
    return QString::fromUtf8(f.readAll()).trimmed();
}

QString PostgresTestServer::certificateAuthorityFile(const QString &name)
{
    if (!qEnvironmentVariable("DERMLABEL_TEST_POSTGRES_URL").isEmpty())
        return name == u"ca.pem"_s ? qEnvironmentVariable("DERMLABEL_TEST_POSTGRES_CA") : QString();
    QString file = qEnvironmentVariable("DERMLABEL_TEST_POSTGRES_URL_FILE");
    if (file.isEmpty())
        file = QStringLiteral(DERMLABEL_TEST_POSTGRES_STATE_DIR "/admin-url");
    const QString path = QFileInfo(file).dir().filePath(name);
    return QFileInfo::exists(path) ? path : QString();
}

int PostgresTestServer::port() const
{
    return m_adminUrl.isEmpty() ? -1 : QUrl(m_adminUrl).port(StoreLocation::DefaultPort);
}

bool PostgresTestServer::isAvailable()
{
    if (m_checked)
        return m_error.isEmpty();
    m_checked = true;
    m_adminUrl = adminUrl(&m_error);
    if (m_adminUrl.isEmpty())
        return false;
    return admin({u"SELECT 1"_s}, &m_error);
}

QString PostgresTestServer::databaseName(const QString &name) const
{
    static const QRegularExpression unsafe(u"[^a-z0-9_]"_s);
    return (m_prefix + u'_' + name.toLower().replace(unsafe, u"_"_s)).left(63);
}

QString PostgresTestServer::databaseUrl(const QString &name)
{
    const QString database = location(name).database();
    QUrl url(m_adminUrl, QUrl::StrictMode);
    url.setPath(u'/' + database);
    return url.toString(QUrl::FullyEncoded);
}

StoreLocation PostgresTestServer::location(const QString &name)
{
    QString error;
    const StoreLocation admin = StoreLocation::parse(m_adminUrl, &error);
    const QString database = databaseName(name);
    if (!m_databases.contains(database))
        m_databases.append(database);
    return admin.withDatabase(database);
}

bool PostgresTestServer::create(const QString &name, QString *error)
{
    const QString database = databaseName(name);
    if (!m_databases.contains(database))
        m_databases.append(database);
    return admin({u"CREATE DATABASE %1 TEMPLATE template0"_s.arg(PostgresServer::quoteIdentifier(database))}, error);
}

bool PostgresTestServer::withAdmin(const std::function<bool(QSqlDatabase &, QString *)> &work, QString *error)
{
    if (m_adminUrl.isEmpty()) {
        *error = m_error.isEmpty() ? u"No PostgreSQL test server."_s : m_error;
        return false;
    }
    const StoreLocation location = StoreLocation::parse(m_adminUrl, error);
    if (!location.isValid())
        return false;
    static int counter = 0;
    const QString connection = u"pg-test-admin-%1"_s.arg(++counter);
    bool ok = false;
    {
        PostgresServer::Failure failure = PostgresServer::Failure::None;
        QSqlDatabase db = PostgresServer::connect(location, connection, &failure, error);
        if (failure == PostgresServer::Failure::None)
            ok = QSqlQuery(db).exec(u"SET client_min_messages = warning"_s) && work(db, error);
    }
    QSqlDatabase::removeDatabase(connection);
    return ok;
}

bool PostgresTestServer::exists(const QString &name, QString *error)
{
    bool found = false;
    withAdmin(
        [&](QSqlDatabase &db, QString *error) {
            QSqlQuery query(db);
            query.prepare(u"SELECT COUNT(*) FROM pg_database WHERE datname = ?"_s);
            query.addBindValue(databaseName(name));
            if (!query.exec() || !query.next()) {
                *error = query.lastError().text();
                return false;
            }
            found = query.value(0).toInt() == 1;
            return true;
        },
        error);
    return found;
}

bool PostgresTestServer::admin(const QStringList &statements, QString *error)
{
    return withAdmin(
        [&](QSqlDatabase &db, QString *error) {
            QSqlQuery query(db);
            for (const QString &statement : statements) {
                if (!query.exec(statement)) {
                    *error = u"%1: %2"_s.arg(statement, query.lastError().text());
                    return false;
                }
            }
            return true;
        },
        error);
}

void PostgresTestServer::dropAll()
{
    if (m_adminUrl.isEmpty() || m_databases.isEmpty())
        return;
    QStringList statements;
    for (const QString &database : std::as_const(m_databases))
        statements.append(u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(PostgresServer::quoteIdentifier(database)));
    QString error;
    if (!admin(statements, &error))
        qWarning("Could not drop the test databases: %s", qPrintable(error));
    // The stores' image folders, kept in the cache folder while the program
    // runs in test mode.
    if (QStandardPaths::isTestModeEnabled()) {
        const QDir stores(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation)
                          + u"/dermlabel/stores"_s);
        const StoreLocation server = StoreLocation::parse(m_adminUrl, &error);
        for (const QString &database : std::as_const(m_databases))
            QDir(stores.filePath(server.withDatabase(database).cacheKey())).removeRecursively();
    }
    m_databases.clear();
}
