// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"
#include "qa/AgreementCalculator.h"
#include "qa/ConsensusService.h"
#include "qa/RaterComparison.h"
#include "qa/StoreAgreementReport.h"
#include "qa/StoreRatings.h"
#include "release/FaceCheck.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace dl {

class Store;

/// The quality data of a store, read in one go (off the UI thread where there is one): the
/// ratings and their agreement for `dermlabel-cli agreement --store` and the QA dashboard; for
/// the dashboard also the agreement over time (the week stratum), the consensus rows still open
/// (to adjudicate or pending), the per-rater report, the face flags and the raters' names.
struct QaDataSet
{
    Q_DECLARE_TR_FUNCTIONS(dl::QaDataSet)

public:
    /// What load() reads besides the ratings and their agreement.
    enum class Scope {
        Agreement, ///< the ratings and their agreement only (the command line)
        Dashboard, ///< everything the QA dashboard shows
    };

    /// The stratum computed with every load (agreement over time).
    static QString timeStratum() { return QStringLiteral("week"); }
    /// A readable name of a stratum key ("Fitzpatrick type", "Body site", ...).
    static QString stratumName(const QString &key);

    StoreRatingSet ratings;
    StoreAgreement agreement;
    ConsensusSummary consensus;
    QList<ConsensusRow> openRows; ///< status adjudicate or pending
    QList<RaterReport> raters;
    QList<FaceFlag> faceFlags; ///< the face check's flags, open or reviewed
    QHash<QString, QString> displayNames; ///< user name -> display name (the name when none)
    QString error; ///< set when loading failed; the rest is then empty

    bool ok() const { return error.isEmpty(); }
    /// The display name of a rater (user name).
    QString raterLabel(const QString &name) const;
    /// The ratings table of a field (agreement or reference), or nullptr.
    const RatingTable *table(const QString &field) const;
    /// The agreement of a field (agreement or reference), or nullptr.
    const FieldAgreement *fieldAgreement(const QString &field) const;
    /// The stratum `key` if it was computed.
    const Stratum *stratum(const QString &key) const;

    /// Reads the store as `actor` (QA leads and admins; others get an error) and computes the
    /// agreement with `options`, also per group of each of `strata` (StoreRatings::strataKeys).
    /// Safe to call on a worker thread: the store gives each thread its own connection.
    static QaDataSet load(Store &store, const User &actor, const AgreementOptions &options = {},
                          const QStringList &strata = {}, Scope scope = Scope::Dashboard);

    /// The agreement of every label field per group of the stratum `key`, as
    /// StoreAgreementReport computes it.
    static Stratum computeStratum(const StoreRatingSet &ratings, const QString &key,
                                  const AgreementOptions &options = {});
};

} // namespace dl
