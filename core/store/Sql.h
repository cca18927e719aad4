// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>
#include <QVariantList>

#include <functional>
#include <optional>

namespace dl {

/// Small helpers over QSqlQuery that always bind parameters positionally
/// (`?`) and turn failures into readable messages.
class Sql
{
public:
    /// Prepares and executes; on failure returns false and sets *error.
    static bool exec(QSqlQuery &query, const QString &sql, const QVariantList &binds, QString *error);
    static bool exec(const QSqlDatabase &db, const QString &sql, const QVariantList &binds, QString *error);

    /// The message for query's failure: "Database error: ...", or that the
    /// connection to the server was lost.
    static QString errorMessage(const QSqlQuery &query);

    /// Executes a forward-only query and calls row(query) on each row in turn; on failure returns
    /// false and sets *error.
    static bool forEachRow(const QSqlDatabase &db, const QString &sql, const QVariantList &binds, QString *error,
                           const std::function<void(const QSqlQuery &)> &row);

    /// First column of the first row, or std::nullopt when there is no row.
    static std::optional<QVariant> scalar(const QSqlDatabase &db, const QString &sql, const QVariantList &binds,
                                          QString *error);

    /// Executes an INSERT ... RETURNING id and returns the id, or -1.
    static qint64 insertReturningId(const QSqlDatabase &db, const QString &sql, const QVariantList &binds,
                                    QString *error);

    /// The value to bind for a NOT NULL text column: a null QString binds as
    /// SQL NULL, so it becomes an empty string here.
    static QString text(const QString &value) { return value.isNull() ? QStringLiteral("") : value; }

    /// The value to bind for a nullable text column: NULL when empty.
    static QVariant textOrNull(const QString &value)
    {
        return value.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(value);
    }

    /// Current time as stored in the database: ISO 8601 UTC with milliseconds.
    static QString now();
};

} // namespace dl
