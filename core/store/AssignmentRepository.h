// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Assignment.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// How far the images with assignments are.
struct ImageCompletion
{
    qint64 assigned = 0; ///< images with at least one assignment
    qint64 complete = 0; ///< of those, images whose every assignment is done or skipped, at least one done
};

/// Which annotator labels which image.
class AssignmentRepository
{
public:
    explicit AssignmentRepository(QSqlDatabase db) : m_db(std::move(db)) { }
    explicit AssignmentRepository(const Store &store);

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
    /// Every assignment (image, user and status only), in no particular order.
    QList<AssignmentRecord> all(QString *error) const;
    /// Per user, the number of assignments in each status.
    QHash<qint64, QHash<QString, qint64>> countsByUserAndStatus(QString *error) const;
    /// Images with assignments, and how many of them every assigned rater has finished.
    ImageCompletion imageCompletion(QString *error) const;

    /// Raters expected to label an image: its assignments that were not skipped. std::nullopt on error.
    std::optional<int> expectedRaters(qint64 imageId, QString *error) const;
    /// expectedRaters() of every image that has any.
    QHash<qint64, int> expectedRatersPerImage(QString *error) const;

private:
    QSqlDatabase m_db;
};

} // namespace dl
