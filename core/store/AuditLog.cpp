// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/AuditLog.h"

#include "store/Sql.h"
#include "store/Store.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace dl {

bool AuditLog::record(const QSqlDatabase &db, qint64 userId, const QString &action, const QString &entity,
                      qint64 entityId, const QJsonObject &detail, QString *error)
{
    return Sql::exec(db,
                     u"INSERT INTO audit_log (at, user_id, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)"_s,
                     {Sql::now(), userId > 0 ? QVariant(userId) : QVariant(QMetaType(QMetaType::LongLong)), action,
                      entity, entityId >= 0 ? QVariant(entityId) : QVariant(QMetaType(QMetaType::LongLong)),
                      QString::fromUtf8(QJsonDocument(detail).toJson(QJsonDocument::Compact))},
                     error);
}

bool AuditLog::record(const Store &store, qint64 userId, const QString &action, const QString &entity,
                      qint64 entityId, const QJsonObject &detail, QString *error)
{
    return record(store.db(), userId, action, entity, entityId, detail, error);
}

} // namespace dl
