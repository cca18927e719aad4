// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>

namespace dl {

/// How a consensus value was reached.
enum class ConsensusStatus {
    Agreed,      ///< one value has at least `quorum` votes and more than any other
    Pending,     ///< not agreed yet, but assigned raters have still to label the image
    Adjudicate,  ///< a tie or no quorum with every rater in: a QA lead decides
    Adjudicated, ///< a QA lead decided (overrides the vote)
};
QString consensusStatusName(ConsensusStatus status);
std::optional<ConsensusStatus> consensusStatusFromName(const QString &name);

/// The consensus of one categorical field of one image.
struct FieldConsensus
{
    QString field;
    QString value;       ///< the agreed value; empty unless Agreed or Adjudicated
    ConsensusStatus status = ConsensusStatus::Adjudicate;
    QString reason;      ///< why it needs adjudication (or the QA lead's reason)
    int votes = 0;       ///< votes for the leading value
    int ratings = 0;     ///< raters who answered the field
};

/// One condition of a weighted differential.
struct WeightedCondition
{
    QString conditionId;
    double weight = 0.0;  ///< normalised: the weights of a differential sum to 1
    int raters = 0;       ///< raters who named it
    friend bool operator==(const WeightedCondition &, const WeightedCondition &) = default;
};

/// The SCIN-style weighted differential of one image.
struct WeightedDifferential
{
    QList<WeightedCondition> conditions; ///< by weight, see ConsensusCalculator::weighted
    int raters = 0;                      ///< raters who named at least one condition
    bool topTied = false;                ///< the two heaviest conditions weigh the same
};

/// The consensus of all fields of one image.
struct ImageConsensus
{
    QList<FieldConsensus> fields;  ///< in LabelFields order, then "diagnosis"
    WeightedDifferential differential;
    const FieldConsensus *field(const QString &name) const;
};

/// Consensus of several raters' labels of one image.
///
/// Categorical fields (LabelFields with the Consensus use): majority vote. The value with
/// the most votes is agreed when it has at least `quorum` votes and strictly more than any
/// other value; otherwise the field goes to adjudication with the reason (a tie, or no
/// value reaching the quorum). Raters who did not answer a field do not vote on it. While
/// fewer raters have labelled the image than are assigned to it (`expectedRaters`), a field
/// that is not agreed is pending instead: the missing raters may still settle it. Once
/// gradability is agreed, the questions it makes moot are left out: the reason for an image
/// agreed gradable; every other field, and the differential, for one agreed not gradable.
///
/// Diagnoses: the SCIN weighted label. Each rater's conditions are ranked by confidence
/// (highest first; equal confidences keep the rater's own order) and weighted by the
/// inverse of that rank (1, 1/2, 1/3); a condition named twice by one rater (after the
/// optional mapping to aggregate names) keeps its best rank. Weights are summed per
/// condition over raters and normalised to sum to 1. Conditions are ordered by weight,
/// then by the number of raters who named them, then by id. The field "diagnosis" holds
/// the heaviest condition; it goes to adjudication when the two heaviest weigh the same
/// (within 1e-12) or when fewer than `quorum` raters named any condition.
class ConsensusCalculator
{
    Q_DECLARE_TR_FUNCTIONS(dl::ConsensusCalculator)

public:
    explicit ConsensusCalculator(int quorum = 2) : m_quorum(quorum) { }
    int quorum() const { return m_quorum; }

    /// The majority vote over `values` (empty strings are no vote).
    FieldConsensus vote(const QString &field, const QStringList &values) const;

    /// The weighted differential of the raters' differentials. `aggregate` maps a
    /// condition id to the id it is counted under (identity for ids not in the map).
    static WeightedDifferential weighted(const QList<QList<Diagnosis>> &differentials,
                                         const QHash<QString, QString> &aggregate = {});

    /// Every field of one image from its raters' annotations.
    ImageConsensus compute(const QList<Annotation> &annotations, int expectedRaters = 0,
                           const QHash<QString, QString> &aggregate = {}) const;

private:
    int m_quorum;
};

} // namespace dl
