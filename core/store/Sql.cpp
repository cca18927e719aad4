// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/Sql.h"

#include "store/PostgresServer.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSqlError>

namespace dl {

// Booleans are stored as integers 0 and 1 on every engine: SQLite binds a
// bool as one already, PostgreSQL's driver would send TRUE or FALSE, which an
// integer column refuses.
static QVariant bindable(const QVariant &value)
{
    if (value.typeId() == QMetaType::Bool && !value.isNull())
        return QVariant(value.toBool() ? 1 : 0);
    return value;
}

QString Sql::errorMessage(const QSqlQuery &query)
{
    // A lost server connection says so, not libpq's words for it.
    if (PostgresServer::isConnectionLost(query.driver()))
        return PostgresServer::connectionLostMessage();
    return QCoreApplication::translate("dl::Sql", "Database error: %1").arg(query.lastError().text());
}

bool Sql::exec(QSqlQuery &query, const QString &sql, const QVariantList &binds, QString *error)
{
    // The rest of a transaction that lost its connection (see Store::db()).
    if (PostgresServer::isConnectionLost(query.driver())) {
        if (error)
            *error = PostgresServer::connectionLostMessage();
        return false;
    }
    if (!query.prepare(sql)) {
        if (error)
            *error = errorMessage(query);
        return false;
    }
    for (const QVariant &value : binds)
        query.addBindValue(bindable(value));
    if (!query.exec()) {
        if (error)
            *error = errorMessage(query);
        return false;
    }
    return true;
}

bool Sql::exec(const QSqlDatabase &db, const QString &sql, const QVariantList &binds, QString *error)
{
    QSqlQuery query(db);
    return exec(query, sql, binds, error);
}

bool Sql::forEachRow(const QSqlDatabase &db, const QString &sql, const QVariantList &binds, QString *error,
                     const std::function<void(const QSqlQuery &)> &row)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!exec(query, sql, binds, error))
        return false;
    while (query.next())
        row(query);
    return true;
}

std::optional<QVariant> Sql::scalar(const QSqlDatabase &db, const QString &sql, const QVariantList &binds,
                                    QString *error)
{
    QSqlQuery query(db);
    if (!exec(query, sql, binds, error) || !query.next())
        return std::nullopt;
    return query.value(0);
}

qint64 Sql::insertReturningId(const QSqlDatabase &db, const QString &sql, const QVariantList &binds,
                              QString *error)
{
    QSqlQuery query(db);
    if (!exec(query, sql, binds, error))
        return -1;
    if (!query.next()) {
        if (error)
            *error = QCoreApplication::translate("dl::Sql", "Database error: no id returned");
        return -1;
    }
    return query.value(0).toLongLong();
}

QString Sql::now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

} // namespace dl
