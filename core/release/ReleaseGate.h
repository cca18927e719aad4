// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "export/KAnonymityGate.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace dl {

/// What the release gate knows about one image offered for export.
struct ReleaseCandidate
{
    qint64 imageId = -1;
    QString imageName;          ///< pseudonymous image id
    int raters = 0;             ///< raters who labelled it
    bool sensitive = false;     ///< sensitive content: agreed, or claimed by a rater and not settled "no"
    QStringList identifying;    ///< kinds of identifying content seen (same rule as sensitive)
    QStringList redacted;       ///< kinds with a non-empty redaction region by some rater
    bool openFaceFlag = false;  ///< the face check found a possible face nobody has reviewed
    bool confirmedFace = false; ///< a reviewed face flag was confirmed
    bool facePending = false;   ///< imported, but the face check has not run on it yet
    /// age group, sex, self-reported skin type, body site, country, consensus condition.
    QStringList quasiIdentifiers;
};

/// Why an image is held back.
enum class HoldReason {
    Sensitive,             ///< sensitive content
    IdentifyingUnredacted, ///< identifying content without a region to redact it
    FaceUnresolved,        ///< a possible face the face check found and nobody reviewed
    TooFewRaters,          ///< fewer raters than --min-raters
    KAnonymity,            ///< its quasi-identifiers occur fewer than k times in the bundle
    FacePending,           ///< the face check has not run on it yet (it runs after the import)
};

struct ReleaseOptions
{
    int k = KAnonymityGate::DefaultK; ///< 1 turns the k-anonymity check off
    int minRaters = 2;
};

struct ReleaseDecision
{
    qint64 imageId = -1;
    QString imageName;
    QList<HoldReason> reasons; ///< empty: released
    QStringList unredacted;    ///< the identifying kinds without a region
    bool released() const { return reasons.isEmpty(); }
};

/// The gate's decision on every candidate, in the candidates' order.
struct ReleasePlan
{
    ReleaseOptions options;
    QList<ReleaseDecision> decisions;
    int released = 0;
    int heldBack = 0;
    QHash<HoldReason, int> countByReason; ///< an image held back for two reasons counts twice
    KAnonymityResult kAnonymity;           ///< over the images that pass every other check

    /// What release_report.json holds: options, counts and each held-back image with its reasons.
    QJsonObject toJson() const;
};

/// The release gate: decides which images may leave in a bundle.
///
/// An image is held back, with every reason that applies, when it has sensitive content; when
/// it shows identifying content of a kind that no rater marked a region for (a confirmed face
/// needs a face region); when the face check flagged a possible face that nobody reviewed; when
/// fewer than minRaters labelled it; and — among the images that pass all of that — when its
/// combination of quasi-identifiers occurs fewer than k times (KAnonymityGate).
class ReleaseGate
{
    Q_DECLARE_TR_FUNCTIONS(dl::ReleaseGate)

public:
    static ReleasePlan decide(const QList<ReleaseCandidate> &candidates, const ReleaseOptions &options);
    /// "sensitive", "identifying_unredacted", "face_unresolved", "too_few_raters", "k_anonymity",
    /// "face_check_pending".
    static QString reasonKey(HoldReason reason);
    /// A sentence for people.
    static QString reasonText(HoldReason reason);
    static const QList<HoldReason> &allReasons();
};

} // namespace dl
