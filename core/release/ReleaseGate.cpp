// SPDX-License-Identifier: GPL-3.0-or-later
#include "release/ReleaseGate.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

const QList<HoldReason> &ReleaseGate::allReasons()
{
    static const QList<HoldReason> reasons {HoldReason::Sensitive, HoldReason::IdentifyingUnredacted,
                                            HoldReason::FaceUnresolved, HoldReason::TooFewRaters,
                                            HoldReason::KAnonymity, HoldReason::LDiversity,
                                            HoldReason::FacePending};
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
    case HoldReason::LDiversity:
        return u"l_diversity"_s;
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
        return tr("Fewer than k people share the (generalised) quasi-identifiers and condition");
    case HoldReason::LDiversity:
        return tr("Fewer than l distinct conditions among people of the same demographics");
    case HoldReason::FacePending:
        return tr("Face check pending");
    }
    return {};
}

AnonymityOptions ReleaseOptions::anonymity() const
{
    AnonymityOptions o;
    o.k = k;
    o.l = l;
    o.suppressionLimit = suppressionLimit;
    o.columns = quasiIdentifiers;
    o.generaliseCondition = generaliseCondition;
    o.maxLevel = maxLevel;
    o.hierarchyFiles = hierarchyFiles;
    return o;
}

ReleasePlan ReleaseGate::decide(const QList<ReleaseCandidate> &candidates, const ReleaseOptions &options)
{
    ReleasePlan plan;
    plan.options = options;
    QList<qsizetype> passingIndex;
    // People in the order their first image comes (the candidates' order), so the search sees
    // the same input for the same store.
    QList<PersonRecord> people;
    QHash<QString, qsizetype> personIndex;
    for (const ReleaseCandidate &c : candidates) {
        ReleaseDecision d {c.imageId, c.imageName, {}, {}, {}, {}};
        d.person = c.person.isEmpty() ? c.imageName : c.person;
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
            passingIndex.append(plan.decisions.size());
            // A person's values are the union over their images that pass (see Anonymiser).
            auto found = personIndex.constFind(d.person);
            if (found == personIndex.cend()) {
                found = personIndex.insert(d.person, people.size());
                people.append({d.person, {}, {}});
            }
            PersonRecord &p = people[*found];
            for (auto it = c.demographics.cbegin(); it != c.demographics.cend(); ++it) {
                QStringList &values = p.values[it.key()];
                for (const QString &v : it.value()) {
                    if (!values.contains(v))
                        values.append(v);
                }
            }
            if (!p.conditions.contains(c.condition))
                p.conditions.append(c.condition);
        }
        plan.decisions.append(d);
    }
    plan.candidatesForGate = int(passingIndex.size());

    if (options.k > 1) {
        plan.generalised = true;
        plan.anonymity = Anonymiser::run(people, options.anonymity());
        if (!plan.anonymity.ok) {
            plan.error = plan.anonymity.error;
            for (qsizetype i : std::as_const(passingIndex))
                plan.decisions[i].reasons.append(HoldReason::KAnonymity);
        } else {
            for (qsizetype i : std::as_const(passingIndex)) {
                ReleaseDecision &d = plan.decisions[i];
                const Suppression why = plan.anonymity.suppressed.value(d.person, Suppression::None);
                if (why == Suppression::KAnonymity)
                    d.reasons.append(HoldReason::KAnonymity);
                else if (why == Suppression::LDiversity)
                    d.reasons.append(HoldReason::LDiversity);
                if (!d.released())
                    continue;
                d.generalised = plan.anonymity.released.value(d.person);
                if (options.generaliseCondition)
                    d.generalised.insert(QuasiIdentifiers::condition(),
                                         plan.anonymity.generalise(QuasiIdentifiers::condition(), candidates.at(i).condition));
            }
        }
    }
    // The recount over the released images: the values they carry, a person's condition being
    // the set of the conditions their released images carry (as the Anonymiser counts), classes
    // in people.
    QHash<QString, QStringList> conditionsOfPerson;
    for (qsizetype i : std::as_const(passingIndex)) {
        const ReleaseDecision &d = plan.decisions.at(i);
        const QString condition = d.generalised.value(QuasiIdentifiers::condition(), candidates.at(i).condition);
        QStringList &set = conditionsOfPerson[d.person];
        if (d.released() && !condition.isEmpty() && !set.contains(condition))
            set.append(condition);
    }
    QList<QuasiIdentifierRecord> recount;
    for (qsizetype i : std::as_const(passingIndex)) {
        const ReleaseDecision &d = plan.decisions.at(i);
        if (!d.released())
            continue;
        QStringList values;
        for (const QString &column : options.quasiIdentifiers) {
            QStringList raw = candidates.at(i).demographics.value(column);
            std::sort(raw.begin(), raw.end());
            values.append(d.generalised.value(column, raw.join(u"; "_s)));
        }
        QStringList conditions = conditionsOfPerson.value(d.person);
        conditions.sort();
        values.append(conditions.join(u"; "_s));
        recount.append({d.imageName, values, d.person});
    }
    plan.kAnonymity = KAnonymityGate::evaluate(recount, options.k);
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
    QJsonObject o {{u"k"_s, options.k},
            {u"l"_s, options.l},
            {u"suppression_limit"_s, options.suppressionLimit},
            {u"min_raters"_s, options.minRaters},
            {u"candidates"_s, int(decisions.size())},
            {u"released"_s, released},
            {u"held_back"_s, heldBack},
            {u"held_back_by_reason"_s, counts},
            {u"quasi_identifier_classes"_s, kAnonymity.classCount()},
            {u"quasi_identifier_classes_held_back"_s, kAnonymity.heldBackClassCount()},
            {u"quasi_identifiers"_s, QJsonArray::fromStringList(options.quasiIdentifiers + QStringList {QuasiIdentifiers::condition()})},
            {u"images_passing_other_checks"_s, candidatesForGate},
            {u"held_back_images"_s, held}};
    if (generalised)
        o.insert(u"anonymity"_s, anonymity.toJson());
    if (!error.isEmpty())
        o.insert(u"error"_s, error);
    return o;
}

} // namespace dl
