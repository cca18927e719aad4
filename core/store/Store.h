// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/SqlDialect.h"
#include "store/StoreLocation.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>

class QLockFile;

namespace dl {

/// A DermLabel store: one SQLite file plus, beside it, the folder of image
/// files named by content hash (`<store>.images/ab/abcdef....jpg`); or a team
/// store, a PostgreSQL database named by a `postgresql://` URL (see
/// StoreLocation), whose image files are cached on this workstation.
///
/// Each thread gets its own connection (named per store and thread), created
/// on first use with the dialect's settings; a team store's connection that
/// the server or the network dropped is opened again by the next db() (the
/// operation that met the loss fails with PostgresServer::connectionLostMessage()).
/// An SQLite store may be opened by
/// several processes for reading; a writing session (the workstation, an
/// import) holds the store's lock file so that a second writer gets a clear
/// message. A team store has no lock: the server arbitrates its writers.
class Store
{
public:
    enum class OpenMode { MustExist, CreateIfMissing, CreateNew };

    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    /// Opens (and if needed creates and migrates) the store at a file path or
    /// a postgresql:// URL.
    static std::unique_ptr<Store> open(const QString &pathOrUrl, OpenMode mode, QString *error);
    /// The same for a parsed location. A PostgreSQL database that is missing
    /// is created with CreateIfMissing and CreateNew when the role may create
    /// databases; CreateNew accepts an existing database only while it is
    /// empty (an administrator may create it for the store beforehand).
    static std::unique_ptr<Store> open(const StoreLocation &location, OpenMode mode, QString *error);

    /// Takes the writer lock; fails with a message naming the holder. A team
    /// store needs no lock file: this always succeeds there.
    bool lockForWriting(QString *error);
    bool isLockedForWriting() const;

    const StoreLocation &location() const { return m_location; }
    /// A team store: from now on this store's connections sign in to the
    /// server as user with password (the server checks both). The
    /// connections made so far are closed: call it before other threads use
    /// the store. On failure nothing changes; *refused tells a refused sign-in
    /// (wrong name or password, or an account without access) from the other
    /// failures (server unreachable...).
    bool connectAs(const QString &user, const QString &password, bool *refused, QString *error);
    /// The text that opens this store again: the file path, or the URL
    /// without the password.
    QString path() const { return m_location.toString(); }
    /// The store for people: the file path, or the URL without password.
    QString displayName() const { return m_location.displayName(); }
    /// Where the image files are kept: beside an SQLite store, or for a team
    /// store a cache folder of this workstation
    /// (QStandardPaths::GenericCacheLocation/dermlabel/stores/<host>-<port>-<db>).
    QString imageDirectory() const;
    /// Where the image with this content hash and file extension is kept.
    QString imageFilePath(const QString &sha256, const QString &extension) const;
    /// The same, for an image folder given by path (for worker threads that
    /// hold no Store).
    static QString imageFilePath(const QString &imageDirectory, const QString &sha256, const QString &extension);

    const SqlDialect &dialect() const { return m_dialect; }
    /// This thread's connection (created on first use).
    QSqlDatabase db() const;

    int schemaVersion() const { return m_schemaVersion; }

    QString setting(const QString &key, const QString &fallback = {}) const;
    bool setSetting(const QString &key, const QString &value, QString *error);

    /// A stable pseudonym for material (for example a content hash), keyed
    /// with this store's secret: "prefix-" followed by 16 hex digits. It never
    /// reveals file names and cannot be linked across stores.
    QString pseudonym(const QString &prefix, const QByteArray &material) const;

private:
    Store() = default;
    static std::unique_ptr<Store> openSqlite(const StoreLocation &location, OpenMode mode, QString *error);
    static std::unique_ptr<Store> openPostgres(const StoreLocation &location, OpenMode mode, QString *error);
    bool initialise(OpenMode mode, QString *error);
    QSqlDatabase openConnection(const QString &name, QString *error) const;
    /// This thread's connection; on failure *error says why (db() warns instead).
    /// A team store's connection that was lost is opened again here.
    QSqlDatabase connection(QString *error) const;
    /// Opens a lost team-store connection again, with the dialect's settings.
    bool reopen(QSqlDatabase &db, QString *error) const;

    StoreLocation m_location;
    QString m_imageDirectory;
    QString m_connectionPrefix;
    SqlDialect m_dialect;
    QByteArray m_secret;
    int m_schemaVersion = 0;
    std::unique_ptr<QLockFile> m_lock;
    bool m_teamWriter = false;
    mutable QMutex m_mutex;
    mutable QStringList m_connections;
};

} // namespace dl
