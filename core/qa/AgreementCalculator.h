// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/FieldAgreement.h"

#include <QHash>
#include <QString>
#include <optional>

namespace dl {

class RatingTable;

/// Options of AgreementCalculator.
struct AgreementOptions
{
    /// Run the percentile bootstrap (items resampled with replacement) for Fleiss' kappa,
    /// Krippendorff's alpha and every pair kappa.
    bool bootstrap = false;
    int replicates = 1000;
    /// The same seed gives the same intervals.
    quint64 seed = 20240229;
    /// Coverage of the intervals (0.95: the 2.5th and 97.5th percentiles, interpolated
    /// linearly between order statistics as numpy.percentile does).
    double confidenceLevel = 0.95;
};

/// Inter-rater agreement statistics of one field (see the "Agreement statistics"
/// section of the domain notes). Only items with at least two ratings take part.
///
/// - Percent agreement: mean over items of sum_c n_c (n_c - 1) / (n (n - 1)).
/// - Cohen's kappa for every rater pair over the items both rated, exactly as
///   scikit-learn's cohen_kappa_score: the labels are the sorted union of the two
///   raters' labels, weighted variants use |i - j| and (i - j)^2 of label indices in
///   that union (ordinal and interval fields only), and the kappa is unset where
///   scikit-learn returns nan (chance agreement 1).
/// - Fleiss' kappa as statsmodels fleiss_kappa(aggregate_raters(...)[0], method='fleiss');
///   unset with a reason unless every item has the same number of ratings.
/// - Krippendorff's alpha from the coincidence matrix (a unit with m values adds
///   1/(m - 1) per ordered pair of its values), with the nominal metric, the ordinal
///   metric (sum of marginal frequencies from c to k minus (n_c + n_k) / 2, squared)
///   or the interval metric (c - k)^2.
///
/// Ordinal and interval values must parse as numbers (QString::toDouble, finite) and
/// are ordered numerically; "3" and "3.0" are the same value. Nominal values are
/// compared as strings.
///
/// The work is done on interned ids in flat arrays: building the item blocks and the
/// per-pair observation lists is linear (plus a sort of the pair observations when
/// there are very many raters), and each statistic is a single pass over them.
class AgreementCalculator
{
public:
    explicit AgreementCalculator(const AgreementOptions &options = {});

    const AgreementOptions &options() const { return m_options; }
    void setOptions(const AgreementOptions &options) { m_options = options; }

    /// All statistics of `table` at table.level(). Fails (nullopt, *error set) only
    /// when an ordinal or interval value is not a number.
    std::optional<FieldAgreement> compute(const RatingTable &table, QString *error = nullptr) const;

    /// The statistics computed separately for each group of items. `groupOfItem` maps
    /// item names to group names (e.g. "I" .. "VI"); items without a group, or with an
    /// empty group name, are left out and counted in unassignedItems. Groups are
    /// sorted by name; each bootstrap resamples within its group.
    std::optional<StratifiedAgreement> computeStratified(
        const RatingTable &table, const QHash<QString, QString> &groupOfItem, QString *error = nullptr) const;

private:
    AgreementOptions m_options;
};

} // namespace dl
