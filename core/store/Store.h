// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/SqlDialect.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>

class QLockFile;

namespace dl {

/// A DermLabel store: one SQLite file plus, beside it, the folder of image
/// files named by content hash (`<store>.images/ab/abcdef....jpg`).
///
/// Each thread gets its own connection (named per store and thread), created
/// on first use with the dialect's pragmas. A store may be opened by several
/// processes for reading; a writing session (the workstation, an import)
/// holds the store's lock file so that a second writer gets a clear message.
class Store
{
public:
    enum class OpenMode { MustExist, CreateIfMissing, CreateNew };

    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    /// Opens (and if needed creates and migrates) the store at path.
    static std::unique_ptr<Store> open(const QString &path, OpenMode mode, QString *error);

    /// Takes the writer lock; fails with a message naming the holder.
    bool lockForWriting(QString *error);
    bool isLockedForWriting() const;

    QString path() const { return m_path; }
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
    bool initialise(QString *error);
    QSqlDatabase openConnection(const QString &name, QString *error) const;

    QString m_path;
    QString m_connectionPrefix;
    SqlDialect m_dialect;
    QByteArray m_secret;
    int m_schemaVersion = 0;
    std::unique_ptr<QLockFile> m_lock;
    mutable QMutex m_mutex;
    mutable QStringList m_connections;
};

} // namespace dl
