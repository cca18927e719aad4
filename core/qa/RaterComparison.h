// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "model/User.h"
#include "qa/MeasureLevel.h"

#include <QCoreApplication>
#include <QDate>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace dl {

class RatingTable;
class Store;

/// What two raters said on the items of one field that both rated.
struct ConfusionMatrix
{
    QString field;
    QString raterA;
    QString raterB;
    /// The sorted union of the labels the two raters gave on those items (as in
    /// scikit-learn's confusion_matrix): numerically for ordinal and interval fields,
    /// as strings for nominal ones.
    QStringList labels;
    /// counts[i][j]: items that raterA labelled labels[i] and raterB labels[j].
    QList<QList<qsizetype>> counts;
    qsizetype items = 0; ///< items both rated (the sum of counts)

    /// Items on the diagonal (both gave the same label).
    qsizetype agreeing() const;
    qsizetype count(const QString &labelA, const QString &labelB) const;
};

/// How often each rater used each label of one field: who is systematically harsher.
struct LabelDistribution
{
    QString field;
    MeasureLevel level = MeasureLevel::Nominal;
    QStringList labels; ///< every label of the field, sorted as in ConfusionMatrix
    QStringList raters; ///< every rater of the field, sorted as strings
    /// counts[r][l]: ratings of raters[r] with label labels[l].
    QList<QList<qsizetype>> counts;
    /// Ratings per rater (the row sums).
    QList<qsizetype> totals;
    /// Mean value per rater for ordinal and interval fields (unset for nominal fields and
    /// raters without ratings).
    QList<std::optional<double>> means;

    qsizetype count(const QString &rater, const QString &label) const;
    /// count / total of the rater (0 when the rater has no ratings).
    double share(const QString &rater, const QString &label) const;
};

/// One rater's work and how it compares with the consensus.
struct RaterReport
{
    qint64 userId = -1;
    QString name;
    QString displayName;
    bool active = true;

    // Assignments by status.
    qsizetype assigned = 0;
    qsizetype todo = 0;
    qsizetype inProgress = 0;
    qsizetype done = 0;
    qsizetype skipped = 0;
    qsizetype flagged = 0;

    /// Annotations per day of their last change (updated_at, UTC date).
    QMap<QDate, qsizetype> labelsPerDay;
    qsizetype annotations = 0; ///< the rater's annotations
    /// Mean annotations per day over the days with at least one (unset without any).
    std::optional<double> labelsPerActiveDay() const;

    /// Consensus fields (LabelFields with the Consensus use) that the rater answered and
    /// whose consensus is agreed or adjudicated, and how many of them equal that value.
    qsizetype consensusFields = 0;
    qsizetype consensusMatches = 0;
    /// Images with an agreed or adjudicated consensus diagnosis on which the rater gave a
    /// rank-1 diagnosis (or cannot determine), and how many equal the consensus.
    qsizetype diagnosisImages = 0;
    qsizetype diagnosisMatches = 0;

    /// consensusMatches / consensusFields; unset when there is nothing to compare.
    std::optional<double> consensusAgreement() const;
    /// diagnosisMatches / diagnosisImages; unset when there is nothing to compare.
    std::optional<double> diagnosisAgreement() const;
};

/// Compares raters with each other and with the consensus, for the QA dashboard. No widgets.
///
/// - confusion(): the confusion matrix of two raters on one field;
/// - distribution(): the labels each rater gave on one field;
/// - report(): per rater of a store, the assignments by status, the labels per day and the
///   agreement with the stored consensus (QA leads and admins only). Every user with an
///   assignment or an annotation is a rater; reports are ordered by user name. The rank-1
///   diagnosis of a rater is the diagnosis_1 value of LabelFields (the first listed
///   condition, or cannot_determine).
class RaterComparison
{
    Q_DECLARE_TR_FUNCTIONS(dl::RaterComparison)

public:
    static ConfusionMatrix confusion(const RatingTable &table, const QString &raterA, const QString &raterB);
    static LabelDistribution distribution(const RatingTable &table);
    static std::optional<QList<RaterReport>> report(Store &store, const User &actor, QString *error);
    /// The same from every annotation of the store, read by the caller with
    /// StoreRatings::annotations() (QaDataSet reads them once for the ratings and this report).
    static std::optional<QList<RaterReport>> report(Store &store, const User &actor,
                                                    const QList<Annotation> &annotations, QString *error);

    /// Sorts labels: numerically (then as strings) for ordinal and interval levels, as
    /// strings for nominal.
    static QStringList sortedLabels(QStringList labels, MeasureLevel level);
};

} // namespace dl
