// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/AgreementCalculator.h"
#include "qa/DiagnosisAgreementCalculator.h"
#include "qa/FieldAgreement.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace dl {

struct StoreRatingSet;

/// One field's statistics per group of one stratum key.
struct Stratum
{
    QString key; ///< fitzpatrick, monk, age_group, ...
    QList<StratifiedAgreement> fields;
};

/// The agreement of a whole store.
struct StoreAgreement
{
    QList<FieldAgreement> fields;    ///< label fields with at least one rating, in form order
    DiagnosisAgreement diagnoses;     ///< top-1 agreement and top-3 overlap of the differentials
    QList<FieldAgreement> reference; ///< reference labels of imported datasets
    QList<Stratum> strata;           ///< in the order asked for
};

/// Computes and reports the agreement of a store (what `dermlabel-cli agreement --store`
/// prints and the QA dashboard shows):
///
///     {"fields": [<field object as in AgreementReport>...],
///      "diagnoses": {"items": n, "top1_agreement": x|null, "top3_overlap": x|null,
///                    "pairs": [{"rater_a", "rater_b", "items", "top1_agreement", "top3_overlap"}]},
///      "reference": [<field object>...],
///      "strata": [{"by": "fitzpatrick", "fields": [<stratified object as in AgreementReport>...]}]}
class StoreAgreementReport
{
public:
    static StoreAgreement compute(const StoreRatingSet &ratings, const QStringList &strataKeys,
                                  const AgreementOptions &options = {});
    static QJsonObject toJson(const StoreAgreement &agreement);
    static QJsonObject toJson(const DiagnosisAgreement &diagnoses);
};

} // namespace dl
