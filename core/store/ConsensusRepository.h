// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Consensus.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace dl {

class Store;

/// The consensus, consensus_diagnoses and adjudications tables. No permission checks here.
class ConsensusRepository
{
public:
    explicit ConsensusRepository(QSqlDatabase db) : m_db(std::move(db)) { }
    explicit ConsensusRepository(const Store &store);

    /// Replaces the stored consensus of an image. Call inside a transaction.
    bool replace(qint64 imageId, const ImageConsensus &consensus, QString *error);
    /// Removes an image's consensus (no ratings left).
    bool remove(qint64 imageId, QString *error);
    /// Removes the consensus of every image (adjudications stay). Call inside a transaction.
    bool clear(QString *error);

    /// Stored rows, optionally only those with `status`, ordered by image then field.
    QList<ConsensusRow> rows(std::optional<ConsensusStatus> status, QString *error) const;
    QList<ConsensusRow> forImage(qint64 imageId, QString *error) const;
    QList<WeightedCondition> differential(qint64 imageId, QString *error) const;
    /// differential() of every image that has one.
    QHash<qint64, QList<WeightedCondition>> differentials(QString *error) const;
    /// How many stored fields have each status, and on how many images (statuses without rows are left out).
    QList<ConsensusStatusCount> statusCounts(QString *error) const;
    /// Images with a stored consensus.
    qint64 imageCount(QString *error) const;

    /// Inserts or replaces the decision on (image, field). Call inside a transaction.
    bool saveAdjudication(const Adjudication &adjudication, QString *error);
    QList<Adjudication> adjudications(qint64 imageId, QString *error) const;
    /// Images with at least one adjudication.
    QList<qint64> adjudicatedImages(QString *error) const;

    /// Images a team store's server marked for a new consensus (consensus_stale), in id order.
    QList<qint64> staleImages(QString *error) const;
    /// Removes an image's mark. Call inside the transaction that recomputes its consensus.
    bool clearStale(qint64 imageId, QString *error);

private:
    QList<ConsensusRow> select(const QString &where, const QVariantList &binds, QString *error) const;
    QSqlDatabase m_db;
};

} // namespace dl
