// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <optional>

namespace dl {

class DiagnosisTable;

/// Agreement of two raters' differentials over the items both rated.
struct DiagnosisPairAgreement
{
    QString raterA; ///< raterA < raterB as strings
    QString raterB;
    qsizetype items = 0;
    double top1Agreement = 0.0; ///< share of items with the same first condition
    double top3Overlap = 0.0; ///< mean overlap coefficient, see DiagnosisAgreementCalculator
};

struct DiagnosisAgreement
{
    qsizetype items = 0; ///< items with at least two differentials
    /// Mean over those items of the mean over the item's rater pairs; unset when items == 0.
    std::optional<double> top1Agreement;
    std::optional<double> top3Overlap;
    QList<DiagnosisPairAgreement> pairs; ///< ordered by raterA, then raterB
};

/// The diagnosis agreement of one group of a stratum (one Fitzpatrick type, say).
struct GroupDiagnosisAgreement
{
    QString group;
    qsizetype size = 0; ///< items of the table in this group (with at least one differential)
    DiagnosisAgreement agreement;
};

/// Agreement on ranked differential diagnoses (up to three conditions per rater).
///
/// - Top-1 agreement of two differentials A and B: 1 when their first conditions are the
///   same, else 0.
/// - Top-3 overlap: the overlap coefficient |A ∩ B| / min(|A|, |B|) of the condition sets
///   (not Jaccard): a rater who names one condition that the other lists among three
///   counts as full overlap, so a short, confident differential is not penalised.
///
/// Per rater pair both are averaged over the items the pair rated; the overall figures
/// average, over the items with at least two differentials, the mean over each item's
/// rater pairs (the same weighting as percent agreement).
class DiagnosisAgreementCalculator
{
public:
    static DiagnosisAgreement compute(const DiagnosisTable &table);
    /// compute() on the items of each group (groupOfItem: item -> group; items without a group
    /// are left out), groups sorted by name.
    static QList<GroupDiagnosisAgreement> computeStratified(
        const DiagnosisTable &table, const QHash<QString, QString> &groupOfItem);

    /// The top-3 overlap of two ranked lists (ids, -1 = none); 0 when either is empty.
    static double overlap(const qint32 *a, const qint32 *b, int size);
};

} // namespace dl
