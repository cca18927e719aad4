// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/StoreLocation.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::StoreLocation", text);
}

static const QStringList &sslModes()
{
    static const QStringList modes {u"disable"_s, u"allow"_s,     u"prefer"_s,
                                    u"require"_s, u"verify-ca"_s, u"verify-full"_s};
    return modes;
}

bool StoreLocation::isUrl(const QString &text)
{
    static const QRegularExpression scheme(u"^[A-Za-z][A-Za-z0-9+.-]*://"_s);
    return scheme.match(text).hasMatch();
}

QString StoreLocation::redacted(const QString &text)
{
    const qsizetype start = text.indexOf(u"://"_s);
    if (start < 0)
        return text;
    const qsizetype authorityStart = start + 3;
    qsizetype authorityEnd = text.indexOf(u'/', authorityStart);
    for (const QChar end : {u'?', u'#'}) {
        const qsizetype at = text.indexOf(end, authorityStart);
        if (at >= 0 && (authorityEnd < 0 || at < authorityEnd))
            authorityEnd = at;
    }
    if (authorityEnd < 0)
        authorityEnd = text.size();
    const qsizetype at = text.lastIndexOf(u'@', authorityEnd - 1);
    if (at < authorityStart)
        return text;
    const qsizetype colon = text.indexOf(u':', authorityStart);
    if (colon < 0 || colon > at)
        return text;
    return text.left(colon + 1) + u"***"_s + text.mid(at);
}

StoreLocation StoreLocation::sqliteFile(const QString &path)
{
    StoreLocation location;
    location.m_kind = Kind::Sqlite;
    location.m_path = QFileInfo(path).absoluteFilePath();
    return location;
}

StoreLocation StoreLocation::parse(const QString &text, QString *error)
{
    if (text.trimmed().isEmpty()) {
        *error = tr("No store given.");
        return {};
    }
    if (!isUrl(text))
        return sqliteFile(text);
    const QString scheme = text.section(u"://"_s, 0, 0).toLower();
    if (scheme == u"postgresql"_s || scheme == u"postgres"_s)
        return parsePostgres(text, error);
    if (scheme == u"file"_s) {
        const QUrl url(text, QUrl::StrictMode);
        if (url.isValid() && url.isLocalFile())
            return sqliteFile(url.toLocalFile());
    }
    *error = tr("%1 is neither a store file nor a postgresql:// URL.").arg(redacted(text));
    return {};
}

StoreLocation StoreLocation::parsePostgres(const QString &text, QString *error)
{
    const QString shown = redacted(text);
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid()) {
        *error = tr("%1 is not a valid URL: write postgresql://user@host:port/database.").arg(shown);
        return {};
    }
    if (!url.fragment().isEmpty()) {
        *error = tr("%1: a store URL has no #fragment.").arg(shown);
        return {};
    }

    StoreLocation location;
    location.m_kind = Kind::Postgres;
    location.m_host = url.host(QUrl::FullyDecoded);
    location.m_port = url.port(DefaultPort);
    if (location.m_port <= 0 || location.m_port > 65535) {
        *error = tr("%1: the port must be between 1 and 65535.").arg(shown);
        return {};
    }
    if (!url.userName().isEmpty())
        location.m_user = url.userName(QUrl::FullyDecoded);
    // An empty password (user:@host) counts as none, as for libpq.
    location.m_password = url.password(QUrl::FullyDecoded);

    QString path = url.path(QUrl::FullyEncoded);
    if (path.startsWith(u'/'))
        path.remove(0, 1);
    if (path.isEmpty()) {
        *error = tr("%1 names no database: write postgresql://host/database.").arg(shown);
        return {};
    }
    if (path.contains(u'/')) {
        *error = tr("%1: the database name must not contain '/'.").arg(shown);
        return {};
    }
    location.m_database = QUrl::fromPercentEncoding(path.toUtf8());

    const QUrlQuery query(url);
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items) {
        if (location.m_options.contains(key)) {
            *error = tr("%1: the option %2 is given twice.").arg(shown, key);
            return {};
        }
        if (value.isEmpty() || value.contains(u';')) {
            *error = tr("%1: the option %2 needs a value without ';'.").arg(shown, key);
            return {};
        }
        if (key == u"sslmode"_s) {
            if (!sslModes().contains(value)) {
                *error = tr("%1: sslmode must be one of %2.").arg(shown, sslModes().join(u", "_s));
                return {};
            }
        } else if (key == u"connect_timeout"_s) {
            bool ok = false;
            const int seconds = value.toInt(&ok);
            if (!ok || seconds < 0) {
                *error = tr("%1: connect_timeout must be a number of seconds.").arg(shown);
                return {};
            }
        } else if (key != u"sslrootcert"_s && key != u"application_name"_s) {
            *error = tr("%1: unknown option %2 (DermLabel understands sslmode, sslrootcert, connect_timeout "
                        "and application_name).")
                         .arg(shown, key);
            return {};
        }
        location.m_options.insert(key, value);
    }
    return location;
}

static QString conninfoValue(const QString &value)
{
    QString quoted = value;
    quoted.replace(u'\\', u"\\\\"_s);
    quoted.replace(u'\'', u"\\'"_s);
    return u'\'' + quoted + u'\'';
}

QString StoreLocation::connectOptions() const
{
    QMap<QString, QString> options = m_options;
    if (!options.contains(u"sslmode"_s))
        options.insert(u"sslmode"_s, sslMode());
    if (!options.contains(u"connect_timeout"_s))
        options.insert(u"connect_timeout"_s, QString::number(DefaultConnectTimeoutSeconds));
    if (!options.contains(u"application_name"_s))
        options.insert(u"application_name"_s, u"dermlabel"_s);
    QStringList parts;
    for (auto it = options.cbegin(); it != options.cend(); ++it)
        parts.append(it.key() + u'=' + conninfoValue(it.value()));
    return parts.join(u';');
}

// postgresql://[user@][host[:port]]/database, encoded for a URL or decoded for people.
static QString urlOf(const StoreLocation &location, bool encoded)
{
    auto part = [&](const QString &text, const QByteArray &keep = {}) {
        return encoded ? QString::fromUtf8(QUrl::toPercentEncoding(text, keep)) : text;
    };
    QString url = u"postgresql://"_s;
    if (!location.user().isEmpty())
        url += part(location.user()) + u'@';
    if (!location.host().isEmpty()) {
        url += location.host().contains(u':') ? u'[' + location.host() + u']' : part(location.host());
        url += u':' + QString::number(location.port());
    }
    return url + u'/' + part(location.database());
}

QString StoreLocation::displayName() const
{
    switch (m_kind) {
    case Kind::Sqlite:
        return QDir::toNativeSeparators(m_path);
    case Kind::Postgres:
        return urlOf(*this, false);
    case Kind::Invalid:
        break;
    }
    return {};
}

QString StoreLocation::toString() const
{
    if (m_kind != Kind::Postgres)
        return m_path;
    QStringList query;
    for (auto it = m_options.cbegin(); it != m_options.cend(); ++it)
        query.append(QString::fromUtf8(QUrl::toPercentEncoding(it.key()) + '='
                                       + QUrl::toPercentEncoding(it.value(), "/:")));
    const QString url = urlOf(*this, true);
    return query.isEmpty() ? url : url + u'?' + query.join(u'&');
}

StoreLocation StoreLocation::withDatabase(const QString &database) const
{
    StoreLocation other = *this;
    other.m_database = database;
    return other;
}

StoreLocation StoreLocation::withCredentials(const QString &user, const QString &password) const
{
    StoreLocation other = *this;
    other.m_user = user;
    other.m_password = password;
    return other;
}

QString StoreLocation::cacheKey() const
{
    static const QRegularExpression unsafe(u"[^A-Za-z0-9._-]"_s);
    QString key = u"%1-%2-%3"_s.arg(m_host.isEmpty() ? u"local"_s : m_host).arg(m_port).arg(m_database);
    key.replace(unsafe, u"_"_s);
    return key;
}

} // namespace dl
