// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"
#include "qa/ConsensusCalculator.h"
#include "model/Consensus.h"

#include <QCoreApplication>

#include <functional>
#include <optional>

namespace dl {

class Store;

/// Counts after computing the consensus of a store.
struct ConsensusSummary
{
    qsizetype images = 0;            ///< images with at least one rating
    qsizetype imagesToAdjudicate = 0; ///< images with at least one field to adjudicate
    qsizetype agreed = 0;            ///< fields agreed by vote
    qsizetype pending = 0;           ///< fields not agreed while raters are still to label
    qsizetype toAdjudicate = 0;      ///< fields waiting for a QA lead
    qsizetype adjudicated = 0;       ///< fields settled by a QA lead
};

/// Consensus as a signed-in user: computing it for the store (QA leads and admins),
/// reading it, and adjudicating (QA leads and admins, with a reason, audited).
///
/// The quorum is a store setting ("consensus_quorum", default 2). The consensus of an image
/// is recomputed inside the transaction of every change to its labels (see
/// AnnotationService::save) and of every adjudication, so it is never stale; compute()
/// rebuilds it for every image (after a change of quorum, or for an old store).
class ConsensusService
{
    Q_DECLARE_TR_FUNCTIONS(dl::ConsensusService)

public:
    ConsensusService(Store &store, User actor) : m_store(store), m_actor(std::move(actor)) { }

    static int quorum(const Store &store);
    bool setQuorum(int quorum, QString *error);

    /// Recomputes every image in one transaction. `progress(done, total)` may return false
    /// to cancel (nothing is then changed).
    std::optional<ConsensusSummary> compute(QString *error,
                                            const std::function<bool(qsizetype, qsizetype)> &progress = {});
    /// The counts of the stored consensus.
    std::optional<ConsensusSummary> summary(QString *error) const;

    /// Stored rows (all, or with one status).
    std::optional<QList<ConsensusRow>> rows(std::optional<ConsensusStatus> status, QString *error) const;
    std::optional<QList<ConsensusRow>> forImage(qint64 imageId, QString *error) const;
    std::optional<QList<WeightedCondition>> differential(qint64 imageId, QString *error) const;

    /// Settles one field of one image. `value` must be a value the field can take (a
    /// condition id or cannot_determine for "diagnosis"); `reason` is required.
    bool adjudicate(qint64 imageId, const QString &field, const QString &value, const QString &reason,
                    QString *error);

    /// Recomputes one image's consensus with the stored quorum and adjudications. No
    /// permission check: for services that change labels, inside their transaction.
    static bool recomputeImage(const Store &store, qint64 imageId, int quorum, QString *error);

    /// Whether `value` is one the consensus field can take.
    static bool isValidValue(const QString &field, const QString &value);

private:
    Store &m_store;
    User m_actor;
};

} // namespace dl
