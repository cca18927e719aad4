// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMap>
#include <QString>

namespace dl {

/// Where a store lives: an SQLite file, or a PostgreSQL database named by a
/// URL `postgresql://[user[:password]@]host[:port]/dbname[?option=value&...]`
/// (`postgres://` too). Options: sslmode (libpq's default `prefer`),
/// sslrootcert, connect_timeout (seconds, 10 when not given) and
/// application_name (`dermlabel` when not given). Without a password in the
/// URL, libpq reads PGPASSWORD or ~/.pgpass itself.
///
/// Nothing that shows a location (displayName(), toString(), error messages)
/// ever includes the password.
class StoreLocation
{
public:
    enum class Kind { Invalid, Sqlite, Postgres };

    static constexpr int DefaultPort = 5432;
    static constexpr int DefaultConnectTimeoutSeconds = 10;

    StoreLocation() = default;

    /// A file path, a file:// URL or a postgresql:// URL. An invalid
    /// location comes back with *error set.
    static StoreLocation parse(const QString &text, QString *error);
    static StoreLocation sqliteFile(const QString &path);
    /// True when text is written as a URL (scheme://), so it is not a file path.
    static bool isUrl(const QString &text);
    /// The text with any password of a URL replaced by `***`, for messages
    /// about text that could not be parsed.
    static QString redacted(const QString &text);

    Kind kind() const { return m_kind; }
    bool isValid() const { return m_kind != Kind::Invalid; }
    bool isPostgres() const { return m_kind == Kind::Postgres; }
    bool isSqlite() const { return m_kind == Kind::Sqlite; }

    /// SQLite: the absolute path of the file.
    QString filePath() const { return m_path; }

    /// PostgreSQL: the parts of the URL, percent-decoded. An empty host means
    /// libpq's default (the local Unix socket).
    QString host() const { return m_host; }
    int port() const { return m_port; }
    QString database() const { return m_database; }
    QString user() const { return m_user; }
    QString password() const { return m_password; }
    bool hasPassword() const { return !m_password.isEmpty(); }
    QMap<QString, QString> options() const { return m_options; }
    QString sslMode() const { return m_options.value(QStringLiteral("sslmode"), QStringLiteral("prefer")); }

    /// The libpq options for QSqlDatabase::setConnectOptions() of the QPSQL
    /// driver, with the defaults filled in.
    QString connectOptions() const;

    /// For people: the file path, or the URL without password and options.
    QString displayName() const;
    /// The location as text that opens it again: the file path, or the URL
    /// with its options but never the password.
    QString toString() const;

    /// The same server and credentials, another database (for the maintenance
    /// connection that creates a missing database).
    StoreLocation withDatabase(const QString &database) const;
    /// The same server and database, signing in as user with password.
    StoreLocation withCredentials(const QString &user, const QString &password) const;
    /// A file-name-safe key of server and database: `<host>-<port>-<db>`.
    QString cacheKey() const;

private:
    static StoreLocation parsePostgres(const QString &text, QString *error);

    Kind m_kind = Kind::Invalid;
    QString m_path;
    QString m_host;
    int m_port = DefaultPort;
    QString m_database;
    QString m_user;
    QString m_password;
    QMap<QString, QString> m_options;
};

} // namespace dl
