// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/AgreementCalculator.h"
#include "qa/DiagnosisAgreementCalculator.h"
#include "qa/FieldAgreement.h"
#include "qa/LayerAgreement.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace dl {

struct StoreRatingSet;

/// Every statistic per group of one stratum key.
struct Stratum
{
    QString key; ///< fitzpatrick, monk, age_group, ...
    QList<StratifiedAgreement> fields;
    QList<GroupDiagnosisAgreement> diagnoses; ///< top-1 and top-3 per group
    QList<GroupLayerAgreement> masks;         ///< Dice and IoU per layer and group
};

/// The agreement of a whole store.
struct StoreAgreement
{
    QList<FieldAgreement> fields;    ///< label fields with at least one rating, in form order
    DiagnosisAgreement diagnoses;     ///< top-1 agreement and top-3 overlap of the differentials
    QList<LayerAgreement> masks;      ///< Dice and IoU of the raters' regions per layer
    QList<FieldAgreement> reference; ///< reference labels of imported datasets
    QList<Stratum> strata;           ///< in the order asked for
};

/// Computes and reports the agreement of a store (what `dermlabel-cli agreement --store`
/// prints and the QA dashboard shows):
///
///     {"fields": [<field object as in AgreementReport>...],
///      "diagnoses": {"items": n, "top1_agreement": x|null, "top3_overlap": x|null,
///                    "pairs": [{"rater_a", "rater_b", "items", "top1_agreement", "top3_overlap"}]},
///      "masks": [<layer object as in LayerAgreementReport>...],
///      "reference": [<field object>...],
///      "strata": [{"by": "fitzpatrick", "fields": [<stratified object as in AgreementReport>...],
///                  "diagnoses": [{"group", "size", <diagnoses object>}...],
///                  "masks": [{"group", "layers": [<layer object>...]}...]}]}
class StoreAgreementReport
{
public:
    static StoreAgreement compute(const StoreRatingSet &ratings, const QStringList &strataKeys,
                                  const AgreementOptions &options = {});
    /// Every statistic per group of the stratum `key` (groups from ratings.strata).
    static Stratum computeStratum(const StoreRatingSet &ratings, const QString &key,
                                  const AgreementOptions &options = {});
    static QJsonObject toJson(const StoreAgreement &agreement);
    static QJsonObject toJson(const Stratum &stratum);
    static QJsonObject toJson(const DiagnosisAgreement &diagnoses);
};

} // namespace dl
