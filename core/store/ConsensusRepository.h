// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/ConsensusCalculator.h"

#include <QSqlDatabase>

#include <optional>

namespace dl {

/// A QA lead's decision on one field of one image.
struct Adjudication
{
    qint64 imageId = -1;
    QString field;
    QString value;
    QString reason;
    qint64 userId = -1;
    QString decidedAt;
};

/// One stored consensus row, with the image's pseudonymous id.
struct ConsensusRow
{
    qint64 imageId = -1;
    QString imageName; ///< images.public_id
    FieldConsensus consensus;
    QString computedAt;
};

/// The consensus, consensus_diagnoses and adjudications tables. No permission checks here.
class ConsensusRepository
{
public:
    explicit ConsensusRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    /// Replaces the stored consensus of an image. Call inside a transaction.
    bool replace(qint64 imageId, const ImageConsensus &consensus, QString *error);
    /// Removes an image's consensus (no ratings left).
    bool remove(qint64 imageId, QString *error);

    /// Stored rows, optionally only those with `status`, ordered by image then field.
    QList<ConsensusRow> rows(std::optional<ConsensusStatus> status, QString *error) const;
    QList<ConsensusRow> forImage(qint64 imageId, QString *error) const;
    QList<WeightedCondition> differential(qint64 imageId, QString *error) const;

    /// Inserts or replaces the decision on (image, field). Call inside a transaction.
    bool saveAdjudication(const Adjudication &adjudication, QString *error);
    QList<Adjudication> adjudications(qint64 imageId, QString *error) const;

private:
    QList<ConsensusRow> select(const QString &where, const QVariantList &binds, QString *error) const;
    QSqlDatabase m_db;
};

} // namespace dl
