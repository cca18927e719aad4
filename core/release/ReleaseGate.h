// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "anonymity/Anonymiser.h"
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
    /// Whose image it is: the case's pseudonymous id; an image without a case is its own person.
    QString person;
    /// Demographic quasi-identifier -> values (QuasiIdentifiers: age_group, sex_at_birth,
    /// skin_type, body_site (the sites), country, condition_duration).
    QHash<QString, QStringList> demographics;
    QString condition; ///< the settled consensus condition; empty when none
};

/// Why an image is held back.
enum class HoldReason {
    Sensitive,             ///< sensitive content
    IdentifyingUnredacted, ///< identifying content without a region to redact it
    FaceUnresolved,        ///< a possible face the face check found and nobody reviewed
    TooFewRaters,          ///< fewer raters than --min-raters
    KAnonymity,            ///< fewer than k people share its generalised quasi-identifiers and condition
    LDiversity,            ///< its person's demographic group holds fewer than l distinct conditions
    FacePending,           ///< the face check has not run on it yet (it runs after the import)
};

struct ReleaseOptions
{
    int k = KAnonymityGate::DefaultK; ///< people per class; 1 turns generalisation and suppression off
    int minRaters = 2;
    int l = AnonymityOptions::DefaultL; ///< distinct conditions per demographic group; 1: off
    double suppressionLimit = AnonymityOptions::DefaultSuppressionLimit; ///< share of people
    QStringList quasiIdentifiers = QuasiIdentifiers::defaults(); ///< demographic columns
    bool generaliseCondition = false;
    QHash<QString, int> maxLevel;           ///< column -> pinned highest level
    QHash<QString, QString> hierarchyFiles; ///< column -> the admin's hierarchy CSV

    AnonymityOptions anonymity() const;
};

struct ReleaseDecision
{
    qint64 imageId = -1;
    QString imageName;
    QList<HoldReason> reasons; ///< empty: released
    QStringList unredacted;    ///< the identifying kinds without a region
    QString person;            ///< ReleaseCandidate::person
    /// Released images, when the gate generalised: column (QuasiIdentifiers, and "condition" when
    /// it was generalised) -> the value the bundle carries.
    QHash<QString, QString> generalised;
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
    /// The released images recounted: classes of the generalised values and condition, sizes in
    /// people.
    KAnonymityResult kAnonymity;
    /// The generalisation chosen over the people whose images pass every other check (empty with
    /// k = 1).
    AnonymityResult anonymity;
    bool generalised = false; ///< the anonymity search ran
    QString error;            ///< not empty: nothing may be exported (e.g. a value no hierarchy covers)
    int candidatesForGate = 0; ///< images that pass every check but k and l

    /// What release_report.json holds: options, counts and each held-back image with its reasons.
    QJsonObject toJson() const;
};

/// The release gate: decides which images may leave in a bundle.
///
/// An image is held back, with every reason that applies, when it has sensitive content; when
/// it shows identifying content of a kind that no rater marked a region for (a confirmed face
/// needs a face region); when the face check flagged a possible face that nobody reviewed; when
/// fewer than minRaters labelled it; and — among the images that pass all of that — when its
/// person is held back by the Anonymiser: the images pass as people (cases), each person's
/// demographic quasi-identifiers are generalised along their hierarchies at the levels the lattice
/// search chose, and a person is held back when fewer than k people share the generalised values
/// and condition, or when the demographic group holds fewer than l distinct conditions. All of a
/// person's images go or stay together.
class ReleaseGate
{
    Q_DECLARE_TR_FUNCTIONS(dl::ReleaseGate)

public:
    static ReleasePlan decide(const QList<ReleaseCandidate> &candidates, const ReleaseOptions &options);
    /// "sensitive", "identifying_unredacted", "face_unresolved", "too_few_raters", "k_anonymity",
    /// "l_diversity", "face_check_pending".
    static QString reasonKey(HoldReason reason);
    /// A sentence for people.
    static QString reasonText(HoldReason reason);
    static const QList<HoldReason> &allReasons();
};

} // namespace dl
