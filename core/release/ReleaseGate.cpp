// SPDX-License-Identifier: GPL-3.0-or-later
#include "release/ReleaseGate.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace dl {

const QList<HoldReason> &ReleaseGate::allReasons()
{
    static const QList<HoldReason> reasons {HoldReason::Sensitive, HoldReason::IdentifyingUnredacted,
                                            HoldReason::FaceUnresolved, HoldReason::TooFewRaters,
                                            HoldReason::KAnonymity, HoldReason::FacePending};
    return reasons;
}

QString ReleaseGate::reasonKey(HoldReason reason)
{
    switch (reason) {
    case HoldReason::Sensitive:
        return u"sensitive"_s;
    case HoldReason::IdentifyingUnredacted:
        return u"identifying_unredacted"_s;
    case HoldReason::FaceUnresolved:
        return u"face_unresolved"_s;
    case HoldReason::TooFewRaters:
        return u"too_few_raters"_s;
    case HoldReason::KAnonymity:
        return u"k_anonymity"_s;
    case HoldReason::FacePending:
        return u"face_check_pending"_s;
    }
    return {};
}

QString ReleaseGate::reasonText(HoldReason reason)
{
    switch (reason) {
    case HoldReason::Sensitive:
        return tr("Sensitive content");
    case HoldReason::IdentifyingUnredacted:
        return tr("Identifying content without a region to redact");
    case HoldReason::FaceUnresolved:
        return tr("Possible face not yet reviewed");
    case HoldReason::TooFewRaters:
        return tr("Too few raters");
    case HoldReason::KAnonymity:
        return tr("Quasi-identifiers shared by fewer than k records");
    case HoldReason::FacePending:
        return tr("Face check pending");
    }
    return {};
}

ReleasePlan ReleaseGate::decide(const QList<ReleaseCandidate> &candidates, const ReleaseOptions &options)
{
    ReleasePlan plan;
    plan.options = options;
    QList<QuasiIdentifierRecord> passing;
    QList<qsizetype> passingIndex;
    for (const ReleaseCandidate &c : candidates) {
        ReleaseDecision d {c.imageId, c.imageName, {}, {}};
        if (c.sensitive)
            d.reasons.append(HoldReason::Sensitive);
        QStringList needed = c.identifying;
        if (c.confirmedFace && !needed.contains(u"face"_s))
            needed.append(u"face"_s);
        for (const QString &kind : std::as_const(needed)) {
            if (!c.redacted.contains(kind))
                d.unredacted.append(kind);
        }
        if (!d.unredacted.isEmpty())
            d.reasons.append(HoldReason::IdentifyingUnredacted);
        if (c.openFaceFlag)
            d.reasons.append(HoldReason::FaceUnresolved);
        if (c.facePending)
            d.reasons.append(HoldReason::FacePending);
        if (c.raters < options.minRaters)
            d.reasons.append(HoldReason::TooFewRaters);
        if (d.reasons.isEmpty()) {
            passing.append({c.imageName, c.quasiIdentifiers});
            passingIndex.append(plan.decisions.size());
        }
        plan.decisions.append(d);
    }
    plan.kAnonymity = KAnonymityGate::evaluate(passing, options.k);
    const QSet<QString> heldByK(plan.kAnonymity.heldBack.cbegin(), plan.kAnonymity.heldBack.cend());
    for (qsizetype i : std::as_const(passingIndex)) {
        ReleaseDecision &d = plan.decisions[i];
        if (heldByK.contains(d.imageName))
            d.reasons.append(HoldReason::KAnonymity);
    }
    for (const ReleaseDecision &d : std::as_const(plan.decisions)) {
        if (d.released())
            ++plan.released;
        else
            ++plan.heldBack;
        for (HoldReason r : d.reasons)
            ++plan.countByReason[r];
    }
    return plan;
}

QJsonObject ReleasePlan::toJson() const
{
    QJsonObject counts;
    for (HoldReason r : ReleaseGate::allReasons())
        counts.insert(ReleaseGate::reasonKey(r), countByReason.value(r));
    QJsonArray held;
    for (const ReleaseDecision &d : decisions) {
        if (d.released())
            continue;
        QJsonArray reasons;
        for (HoldReason r : d.reasons)
            reasons.append(ReleaseGate::reasonKey(r));
        QJsonObject o {{u"image_id"_s, d.imageName}, {u"reasons"_s, reasons}};
        if (!d.unredacted.isEmpty())
            o.insert(u"unredacted"_s, QJsonArray::fromStringList(d.unredacted));
        held.append(o);
    }
    return {{u"k"_s, options.k},
            {u"min_raters"_s, options.minRaters},
            {u"candidates"_s, int(decisions.size())},
            {u"released"_s, released},
            {u"held_back"_s, heldBack},
            {u"held_back_by_reason"_s, counts},
            {u"quasi_identifier_classes"_s, kAnonymity.classCount()},
            {u"quasi_identifier_classes_held_back"_s, kAnonymity.heldBackClassCount()},
            {u"quasi_identifiers"_s,
             QJsonArray {u"age_group"_s, u"sex"_s, u"skin_type_self"_s, u"body_site"_s, u"country"_s,
                         u"consensus_condition"_s}},
            {u"held_back_images"_s, held}};
}

} // namespace dl
