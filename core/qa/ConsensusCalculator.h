// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "model/Consensus.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>

namespace dl {

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
