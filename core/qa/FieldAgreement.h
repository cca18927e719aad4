// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/MeasureLevel.h"

#include <QList>
#include <QString>
#include <optional>

namespace dl {

/// A bootstrap percentile confidence interval.
struct ConfidenceInterval
{
    double lower = 0.0;
    double upper = 0.0;
    /// Replicates in which the statistic was defined (the others are left out).
    int replicates = 0;
};

/// Cohen's kappa of two raters over the items both rated (the scikit-learn definition).
struct PairAgreement
{
    QString raterA; ///< raterA < raterB as strings
    QString raterB;
    qsizetype items = 0; ///< items both rated
    /// Unset where scikit-learn gives nan (chance agreement is 1: one label only).
    std::optional<double> kappa;
    /// Weighted by |i - j| and (i - j)^2 of the label indices in the sorted union of the
    /// two raters' labels; ordinal and interval fields only.
    std::optional<double> kappaLinear;
    std::optional<double> kappaQuadratic;
    std::optional<ConfidenceInterval> kappaCi, kappaLinearCi, kappaQuadraticCi;
};

/// Agreement on one field over the items with at least two ratings.
struct FieldAgreement
{
    QString field;
    MeasureLevel level = MeasureLevel::Nominal;
    qsizetype items = 0; ///< items with at least two ratings
    qsizetype ratings = 0; ///< ratings on those items
    qsizetype raters = 0; ///< raters with at least one rating on those items
    /// Mean over items of the share of agreeing ordered rater pairs; unset when items == 0.
    std::optional<double> percentAgreement;
    /// Fleiss' kappa (statsmodels, method 'fleiss'); unset with a reason in fleissNote.
    std::optional<double> fleissKappa;
    QString fleissNote;
    /// Krippendorff's alpha at `level`; unset when fewer than two pairable values or no
    /// variation at all (expected disagreement 0).
    std::optional<double> alpha;
    /// Every pair of raters that rated at least one item in common, ordered by raterA
    /// then raterB.
    QList<PairAgreement> pairs;
    std::optional<ConfidenceInterval> fleissKappaCi, alphaCi;
    int bootstrapReplicates = 0; ///< 0 when no bootstrap was run
};

/// The statistics of one group of items (for example one Fitzpatrick type).
struct GroupAgreement
{
    QString group;
    qsizetype size = 0; ///< items of the table in this group (with at least one rating)
    FieldAgreement agreement;
};

/// One field's statistics computed separately per group, groups sorted by name.
struct StratifiedAgreement
{
    QString field;
    QList<GroupAgreement> groups;
    qsizetype unassignedItems = 0; ///< rated items that have no group (left out)
};

} // namespace dl
