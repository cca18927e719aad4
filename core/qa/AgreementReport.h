// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/AgreementCalculator.h"
#include "qa/FieldAgreement.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

namespace dl {

/// The agreement report as JSON (what `dermlabel-cli agreement --json` prints):
///
///     {"fields": [{"field": "...", "level": "nominal|ordinal|interval", "items": n,
///                  "percent_agreement": x|null, "fleiss_kappa": x|null,
///                  "fleiss_note": "..." (only when fleiss_kappa is null),
///                  "krippendorff_alpha": x|null,
///                  "pairs": [{"rater_a": "...", "rater_b": "...", "items": n,
///                             "cohen_kappa": x|null,
///                             "cohen_kappa_linear": x|null, "cohen_kappa_quadratic": x|null
///                             (ordinal and interval fields only)}]}]}
///
/// Fields are sorted by name, pairs by rater_a then rater_b (rater_a < rater_b, compared
/// as strings). After a bootstrap, "bootstrap_replicates" and [lower, upper] arrays
/// "fleiss_kappa_ci", "krippendorff_alpha_ci", "cohen_kappa_ci" (and "_linear_ci",
/// "_quadratic_ci") are added where defined.
class AgreementReport
{
    Q_DECLARE_TR_FUNCTIONS(dl::AgreementReport)

public:
    static QJsonObject toJson(const QList<FieldAgreement> &fields);
    static QJsonObject toJson(const FieldAgreement &field);
    /// {"field": ..., "unassigned_items": n, "groups": [{"group": ..., "size": n, <field object>}]}
    static QJsonObject toJson(const StratifiedAgreement &stratified);

    /// Reads a ratings CSV (see RatingsFile), computes every field at the level given in
    /// `levels` (nominal otherwise) and returns the report; an empty object and *error on
    /// failure, including a level for a field the file does not have.
    static QJsonObject fromRatingsCsv(
        const QString &path, const QHash<QString, MeasureLevel> &levels, QString *error);
    static QJsonObject fromRatingsCsv(const QString &path, const QHash<QString, MeasureLevel> &levels,
        const AgreementOptions &options, QString *error);

    /// The statistics of every field of a ratings CSV, sorted by field name.
    static std::optional<QList<FieldAgreement>> computeRatingsCsv(const QString &path,
        const QHash<QString, MeasureLevel> &levels, const AgreementOptions &options, QString *error);
};

} // namespace dl
