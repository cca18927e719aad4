// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"

#include <QSqlDatabase>

#include <optional>

namespace dl {

class Store;

/// Annotations and their ranked diagnoses. No permission checks here: the
/// services above decide who may read or write what.
class AnnotationRepository
{
public:
    explicit AnnotationRepository(QSqlDatabase db) : m_db(std::move(db)) { }
    explicit AnnotationRepository(const Store &store);

    std::optional<Annotation> find(qint64 imageId, qint64 userId, QString *error) const;
    QList<Annotation> forImage(qint64 imageId, QString *error) const;
    /// Every annotation of the store (for statistics and consensus), ordered by user.
    QList<Annotation> all(QString *error) const;
    /// Stores the (image, user) annotation and replaces its diagnoses; sets annotation.id, the
    /// times and the new version. The save is based on annotation.version: 0 inserts the first row,
    /// N updates the row only while it is still at version N. Conflict (nothing written) when the
    /// row exists already or has moved on. Call inside a transaction.
    SaveResult save(Annotation &annotation, QString *error);

private:
    QList<Annotation> select(const QString &where, const QVariantList &binds, QString *error) const;
    QSqlDatabase m_db;
};

} // namespace dl
