// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

namespace dl {

class Store;

/// Appends to the audit log: who did what to which record, and when. Called
/// inside the transaction of the change it records.
class AuditLog
{
public:
    static bool record(const QSqlDatabase &db, qint64 userId, const QString &action, const QString &entity,
                       qint64 entityId, const QJsonObject &detail, QString *error);
    /// The same on the calling thread's connection of store (for services).
    static bool record(const Store &store, qint64 userId, const QString &action, const QString &entity,
                       qint64 entityId, const QJsonObject &detail, QString *error);
};

} // namespace dl
