// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

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

/// Which annotator labels which image, and how far they are.
struct AssignmentRecord
{
    qint64 imageId = -1;
    qint64 userId = -1;
    QString imagePublicId;
    QString status;
    QString updatedAt;
};

} // namespace dl
