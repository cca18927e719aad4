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
    /// Inserts or updates the (image, user) annotation and replaces its
    /// diagnoses; sets annotation.id and the times. Call inside a transaction.
    bool save(Annotation &annotation, QString *error);

private:
    QList<Annotation> select(const QString &where, const QVariantList &binds, QString *error) const;
    QSqlDatabase m_db;
};

} // namespace dl
