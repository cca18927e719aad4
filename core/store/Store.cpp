// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/Store.h"

#include "store/PostgresServer.h"
#include "store/SchemaMigrator.h"
#include "store/TeamSecurity.h"
#include "store/Sql.h"
#include "store/Transaction.h"

#include <QAtomicInt>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Store", text);
}

static QAtomicInt s_storeCounter;

Store::~Store()
{
    QMutexLocker locker(&m_mutex);
    // removeDatabase() closes each connection; connections of other threads
    // must not be fetched here, only dropped.
    for (const QString &name : std::as_const(m_connections))
        QSqlDatabase::removeDatabase(name);
}

static QString newConnectionPrefix();

bool Store::connectAs(const QString &user, const QString &password, bool *refused, QString *error)
{
    *refused = false;
    if (!m_location.isPostgres()) {
        *error = tr("Only a team store signs in to a server.");
        return false;
    }
    const StoreLocation location = m_location.withCredentials(user, password);
    const QString prefix = newConnectionPrefix();
    const PostgresServer::Failure failure = PostgresServer::probe(location, error);
    if (failure != PostgresServer::Failure::None) {
        *refused = PostgresServer::isRefusedSignIn(failure);
        return false;
    }
    QMutexLocker locker(&m_mutex);
    for (const QString &name : std::as_const(m_connections))
        QSqlDatabase::removeDatabase(name);
    m_connections.clear();
    m_location = location;
    m_connectionPrefix = prefix;
    return true;
}

std::unique_ptr<Store> Store::open(const QString &pathOrUrl, OpenMode mode, QString *error)
{
    if (pathOrUrl.isEmpty()) {
        *error = tr("No store path given.");
        return nullptr;
    }
    const StoreLocation location = StoreLocation::parse(pathOrUrl, error);
    if (!location.isValid())
        return nullptr;
    return open(location, mode, error);
}

std::unique_ptr<Store> Store::open(const StoreLocation &location, OpenMode mode, QString *error)
{
    switch (location.kind()) {
    case StoreLocation::Kind::Sqlite:
        return openSqlite(location, mode, error);
    case StoreLocation::Kind::Postgres:
        return openPostgres(location, mode, error);
    case StoreLocation::Kind::Invalid:
        break;
    }
    *error = tr("No store path given.");
    return nullptr;
}

static QString newConnectionPrefix()
{
    return u"dermlabel-store-%1"_s.arg(s_storeCounter.fetchAndAddRelaxed(1));
}

std::unique_ptr<Store> Store::openSqlite(const StoreLocation &location, OpenMode mode, QString *error)
{
    const QString path = location.filePath();
    const QFileInfo info(path);
    if (info.exists() && info.isDir()) {
        *error = tr("%1 is a folder, not a store file.").arg(QDir::toNativeSeparators(path));
        return nullptr;
    }
    if (mode == OpenMode::MustExist && !info.exists()) {
        *error = tr("There is no store at %1.").arg(QDir::toNativeSeparators(path));
        return nullptr;
    }
    if (mode == OpenMode::CreateNew && info.exists()) {
        *error = tr("%1 already exists.").arg(QDir::toNativeSeparators(path));
        return nullptr;
    }
    if (!info.exists()) {
        if (!QDir().mkpath(info.absolutePath())) {
            *error = tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(info.absolutePath()));
            return nullptr;
        }
    } else {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
            return nullptr;
        }
        const QByteArray magic = file.read(16);
        if (!magic.isEmpty() && !magic.startsWith("SQLite format 3")) {
            *error = tr("%1 is not a DermLabel store.").arg(QDir::toNativeSeparators(path));
            return nullptr;
        }
    }

    std::unique_ptr<Store> store(new Store);
    store->m_location = location;
    store->m_imageDirectory = path + u".images"_s;
    store->m_connectionPrefix = newConnectionPrefix();
    if (!store->initialise(mode, error))
        return nullptr;
    return store;
}

std::unique_ptr<Store> Store::openPostgres(const StoreLocation &location, OpenMode mode, QString *error)
{
    std::unique_ptr<Store> store(new Store);
    store->m_location = location;
    store->m_dialect = SqlDialect(SqlDialect::Engine::Postgres);
    store->m_connectionPrefix = newConnectionPrefix();
    // A first connection of its own tells a missing database from the other
    // failures, before the store's connections exist.
    QString connectError;
    const PostgresServer::Failure failure = PostgresServer::probe(location, &connectError);
    if (failure == PostgresServer::Failure::DatabaseMissing) {
        if (mode == OpenMode::MustExist) {
            *error = tr("%1 Create the store first (dermlabel-cli init --store URL).").arg(connectError);
            return nullptr;
        }
        if (!PostgresServer::createDatabase(location, error))
            return nullptr;
    } else if (failure != PostgresServer::Failure::None) {
        *error = connectError;
        return nullptr;
    }
    if (!store->initialise(mode, error))
        return nullptr;
    // A team store's image files live in the server (image_blobs); this
    // workstation keeps those it has read in a bounded cache folder
    // (ImageFileCache), one that the workstation and dermlabel-cli share
    // (their CacheLocation differs).
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    store->m_imageDirectory = QDir(cache.isEmpty() ? QDir::tempPath() : cache)
                                  .filePath(u"dermlabel/stores/"_s + location.cacheKey());
    if (!QDir().mkpath(store->m_imageDirectory)) {
        *error = tr("Cannot create the image folder %1.").arg(QDir::toNativeSeparators(store->m_imageDirectory));
        return nullptr;
    }
    return store;
}

bool Store::initialise(OpenMode mode, QString *error)
{
    QString connectError;
    QSqlDatabase connection = this->connection(&connectError);
    if (!connection.isOpen()) {
        *error = tr("Cannot open the store %1: %2").arg(displayName(), connectError);
        return false;
    }
    if (mode == OpenMode::CreateNew && m_location.isPostgres() && !connection.tables().isEmpty()) {
        *error = tr("The database %1 already exists and is not empty.").arg(displayName());
        return false;
    }
    SchemaMigrator migrator(connection, m_dialect);
    // A secured team store is upgraded by its owner only, never by a rater.
    if (m_location.isPostgres()
        && !TeamSecurity::checkBeforeMigration(connection, migrator.storeVersion(error), migrator.targetVersion(), error))
        return false;
    if (!migrator.migrate(error))
        return false;
    m_schemaVersion = migrator.storeVersion(error);
    if (m_location.isPostgres() && !TeamSecurity::upgradeAfterMigration(connection, error))
        return false;

    QString secretHex = setting(u"secret"_s);
    // On a secured team store the owner made the secret at init, and a rater may not read it.
    if (secretHex.isEmpty() && !(m_location.isPostgres() && TeamSecurity::managesUsers(connection))) {
        QByteArray secret(32, Qt::Uninitialized);
        QRandomGenerator::system()->generate(secret.begin(), secret.end());
        secretHex = QString::fromLatin1(secret.toHex());
        // Only the first writer's secret is kept, should two processes race.
        if (!Sql::exec(connection, u"INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"_s,
                       {u"secret"_s, secretHex}, error))
            return false;
        secretHex = setting(u"secret"_s);
    }
    m_secret = QByteArray::fromHex(secretHex.toLatin1());
    return true;
}

QSqlDatabase Store::openConnection(const QString &name, QString *error) const
{
    if (m_location.isPostgres()) {
        PostgresServer::Failure failure = PostgresServer::Failure::None;
        QSqlDatabase db = PostgresServer::connect(m_location, name, &failure, error);
        if (failure != PostgresServer::Failure::None)
            return db;
        if (!m_dialect.configureConnection(db, error)) {
            const QString message = *error;
            db.close();
            *error = message;
        }
        return db;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(m_dialect.driverName(), name);
    db.setDatabaseName(m_location.filePath());
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(SqlDialect::BusyTimeoutMs));
    if (!db.open()) {
        *error = db.lastError().text();
        return db;
    }
    if (!m_dialect.configureConnection(db, error)) {
        const QString message = *error;
        db.close();
        *error = message;
    }
    return db;
}

static QString threadConnectionName(const QString &prefix)
{
    // A per-thread serial number, never reused, names this thread's connection.
    static QAtomicInteger<quint64> s_threadCounter;
    thread_local const quint64 threadSerial = s_threadCounter.fetchAndAddRelaxed(1);
    return u"%1-thread-%2"_s.arg(prefix).arg(threadSerial);
}

bool Store::reopen(QSqlDatabase &db, QString *error) const
{
    // In place: every copy of this connection (repositories hold some) uses
    // the new session.
    db.close();
    if (!db.open()) {
        const QString message = db.lastError().databaseText().isEmpty() ? db.lastError().text()
                                                                         : db.lastError().databaseText();
        PostgresServer::Failure failure = PostgresServer::classify(message);
        if (failure == PostgresServer::Failure::None)
            failure = PostgresServer::Failure::Other;
        *error = PostgresServer::describe(failure, m_location, message);
        db.close();
        PostgresServer::markReconnectFailed(db.driver(), true);
        return false;
    }
    if (!m_dialect.configureConnection(db, error)) {
        db.close();
        PostgresServer::markReconnectFailed(db.driver(), true);
        return false;
    }
    PostgresServer::markReconnectFailed(db.driver(), false);
    return true;
}

QSqlDatabase Store::connection(QString *error) const
{
    const QString name = threadConnectionName(m_connectionPrefix);
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        // A team store's connection that the server or the network dropped
        // (or that could not be opened again last time) is opened again for
        // the next operation; never inside a transaction that it broke.
        if (m_location.isPostgres() && !Transaction::isOpenOn(db)
            && (!db.isOpen() || PostgresServer::isConnectionLost(db.driver())))
            reopen(db, error);
        return db;
    }
    QSqlDatabase db = openConnection(name, error);
    QMutexLocker locker(&m_mutex);
    m_connections.append(name);
    return db;
}

QSqlDatabase Store::db() const
{
    QString error;
    QSqlDatabase db = connection(&error);
    if (!error.isEmpty())
        qWarning("%s", qPrintable(error));
    return db;
}

QString Store::imageDirectory() const
{
    return m_imageDirectory;
}

QString Store::imageFilePath(const QString &sha256, const QString &extension) const
{
    return imageFilePath(imageDirectory(), sha256, extension);
}

QString Store::imageFilePath(const QString &imageDirectory, const QString &sha256, const QString &extension)
{
    return u"%1/%2/%3.%4"_s.arg(imageDirectory, sha256.left(2), sha256, extension);
}

bool Store::lockForWriting(QString *error)
{
    if (m_lock || m_teamWriter)
        return true;
    if (m_location.isPostgres()) {
        // The server arbitrates concurrent writers of a team store.
        m_teamWriter = true;
        return true;
    }
    const QString path = m_location.filePath();
    auto lock = std::make_unique<QLockFile>(path + u".lock"_s);
    lock->setStaleLockTime(0);
    if (lock->tryLock(0)) {
        m_lock = std::move(lock);
        return true;
    }
    if (lock->error() == QLockFile::LockFailedError) {
        qint64 pid = 0;
        QString host, app;
        lock->getLockInfo(&pid, &host, &app);
        *error = tr("The store %1 is in use by another program (%2, process %3 on %4). Close it there "
                    "first, then try again.")
                     .arg(QDir::toNativeSeparators(path), app.isEmpty() ? tr("unknown") : app)
                     .arg(pid)
                     .arg(host.isEmpty() ? tr("this computer") : host);
    } else {
        *error = tr("Cannot create the lock file beside %1 (is the folder writable?).")
                     .arg(QDir::toNativeSeparators(path));
    }
    return false;
}

bool Store::isLockedForWriting() const
{
    return m_lock != nullptr || m_teamWriter;
}

QString Store::setting(const QString &key, const QString &fallback) const
{
    QString error;
    const auto value = Sql::scalar(db(), u"SELECT value FROM settings WHERE key = ?"_s, {key}, &error);
    return value ? value->toString() : fallback;
}

bool Store::setSetting(const QString &key, const QString &value, QString *error)
{
    return Sql::exec(db(),
                     u"INSERT INTO settings (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value"_s,
                     {key, value}, error);
}

QString Store::pseudonym(const QString &prefix, const QByteArray &material) const
{
    const QByteArray mac = QMessageAuthenticationCode::hash(material, m_secret, QCryptographicHash::Sha256);
    return prefix + u'-' + QString::fromLatin1(mac.left(8).toHex());
}

} // namespace dl
