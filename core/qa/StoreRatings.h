// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "model/User.h"
#include "qa/DiagnosisTable.h"
#include "qa/LayerAgreement.h"
#include "qa/RatingTable.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// Every rating in a store, as tables for the agreement statistics.
struct StoreRatingSet
{
    /// One table per label field with the Agreement use (LabelFields), in form order.
    /// Items are images (pseudonymous ids), raters are user names.
    QList<RatingTable> fields;
    /// The ranked differentials (cannot_determine is no differential).
    DiagnosisTable diagnoses;
    /// Labels imported with a dataset, one table per field named "reference.<field>";
    /// items are cases. Per-dermatologist SCIN labels keep their raters
    /// (dermatologist_1..3); the two Monk tone labels are the raters "india" and "us" of
    /// "reference.monk_skin_tone".
    QList<RatingTable> reference;
    /// Dice and IoU of every pair of raters who drew the same layer of an image.
    QList<RegionPairScore> regions;
    /// For each stratum key (see StoreRatings::strataKeys), the group of each image.
    QHash<QString, QHash<QString, QString>> strata;
};

/// Reads the ratings of a store for QA leads and admins (blinding: annotators are refused).
///
/// Strata of an image:
/// - fitzpatrick: the lower median of its raters' Fitzpatrick types (I .. VI); without
///   any, the case's self-reported type when it names one;
/// - monk: the lower median of its raters' Monk tones (01 .. 10);
/// - age_group, sex, country, body_site, source: from the image's case (the first case
///   when an image belongs to several); body_site is the case's list of sites as given;
/// - week: the ISO week (2026-W47) of the image's latest label change, for agreement over
///   time.
class StoreRatings
{
    Q_DECLARE_TR_FUNCTIONS(dl::StoreRatings)

public:
    static QStringList strataKeys();
    /// Every annotation of the store, for QA leads and admins (annotators are refused).
    static std::optional<QList<Annotation>> annotations(Store &store, const User &actor, QString *error);
    static std::optional<StoreRatingSet> load(Store &store, const User &actor, QString *error);
    /// The same from every annotation of the store, read by the caller with annotations()
    /// (QaDataSet reads them once for the ratings and the per-rater report).
    static std::optional<StoreRatingSet> load(Store &store, const User &actor, const QList<Annotation> &annotations,
                                              QString *error);
};

} // namespace dl
