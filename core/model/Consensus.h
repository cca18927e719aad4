// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace dl {

/// How a consensus value was reached.
enum class ConsensusStatus {
    Agreed,      ///< one value has at least `quorum` votes and more than any other
    Pending,     ///< not agreed yet, but assigned raters have still to label the image
    Adjudicate,  ///< a tie or no quorum with every rater in: a QA lead decides
    Adjudicated, ///< a QA lead decided (overrides the vote)
};
/// "agreed", "pending", "adjudicate" or "adjudicated": the form stored.
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

/// How many stored consensus fields have one status, and on how many images.
struct ConsensusStatusCount
{
    ConsensusStatus status = ConsensusStatus::Pending;
    qsizetype fields = 0;
    qsizetype images = 0;
};

} // namespace dl
