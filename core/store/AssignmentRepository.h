// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

namespace dl {

/// Statuses of an assignment, as stored.
namespace AssignmentStatus {
inline const QString Todo = QStringLiteral("todo");
inline const QString InProgress = QStringLiteral("in_progress");
inline const QString Done = QStringLiteral("done");
inline const QString Skipped = QStringLiteral("skipped");
inline const QString Flagged = QStringLiteral("flagged");
bool isValid(const QString &status);
} // namespace AssignmentStatus

struct AssignmentRecord
{
    qint64 imageId = -1;
    qint64 userId = -1;
    QString imagePublicId;
    QString status;
    QString updatedAt;
};

/// Which annotator labels which image.
class AssignmentRepository
{
public:
    explicit AssignmentRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    bool add(qint64 imageId, qint64 userId, QString *error);
    bool remove(qint64 imageId, qint64 userId, QString *error);
    bool isAssigned(qint64 imageId, qint64 userId, QString *error) const;
    QString status(qint64 imageId, qint64 userId, QString *error) const;
    bool setStatus(qint64 imageId, qint64 userId, const QString &status, QString *error);
    /// The users an image is assigned to.
    QSet<qint64> usersOf(qint64 imageId, QString *error) const;
    /// Number of assignments per user.
    QHash<qint64, qint64> loadPerUser(QString *error) const;
    /// A user's queue, in assignment order.
    QList<AssignmentRecord> forUser(qint64 userId, QString *error) const;

private:
    QSqlDatabase m_db;
};

} // namespace dl
