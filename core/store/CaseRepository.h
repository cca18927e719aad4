// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Case.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// Cases, their images, their source columns and the reference labels that
/// came with them.
class CaseRepository
{
public:
    explicit CaseRepository(QSqlDatabase db) : m_db(std::move(db)) { }
    explicit CaseRepository(const Store &store);

    enum class Change { Inserted, Updated, Unchanged, Failed };

    std::optional<qint64> findId(qint64 sourceId, const QString &sourceCaseId, QString *error) const;
    qint64 insert(qint64 sourceId, const QString &sourceCaseId, const QString &publicId, const CaseMetadata &metadata,
                  QString *error);
    bool updateMetadata(qint64 caseId, const CaseMetadata &metadata, QString *error);
    bool linkImage(qint64 caseId, qint64 imageId, int position, const QString &shotType, QString *error);
    bool setAttributes(qint64 caseId, const QList<QPair<QString, QString>> &attributes, QString *error);
    Change setReferenceLabel(qint64 caseId, const ReferenceLabel &label, QString *error);

    CaseMetadata metadata(qint64 caseId, QString *error) const;
    QList<QPair<QString, QString>> attributes(qint64 caseId, QString *error) const;
    QList<ReferenceLabel> referenceLabels(qint64 caseId, QString *error) const;
    /// The cases an image belongs to (usually one), by id.
    QList<qint64> casesOfImage(qint64 imageId, QString *error) const;
    /// The image ids of a case, in position order.
    QList<qint64> imageIds(qint64 caseId, QString *error) const;

    /// Every case, by id.
    QHash<qint64, CaseRecord> all(QString *error) const;
    /// For every image in a case, its cases by id (casesOfImage() of every image at once).
    QHash<qint64, QList<qint64>> casesOfEachImage(QString *error) const;
    /// Every reference label with its case id, in the order they were stored.
    QList<QPair<qint64, ReferenceLabel>> allReferenceLabels(QString *error) const;

private:
    QSqlDatabase m_db;
};

} // namespace dl
