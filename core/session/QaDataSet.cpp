// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/QaDataSet.h"

#include "qa/StaleConsensus.h"
#include "session/SessionService.h"

using namespace Qt::StringLiterals;

namespace dl {

QString QaDataSet::stratumName(const QString &key)
{
    static const QHash<QString, const char *> names {
        {u"fitzpatrick"_s, QT_TR_NOOP("Fitzpatrick type")},
        {u"monk"_s, QT_TR_NOOP("Monk skin tone")},
        {u"age_group"_s, QT_TR_NOOP("Age group")},
        {u"sex"_s, QT_TR_NOOP("Sex")},
        {u"country"_s, QT_TR_NOOP("Country")},
        {u"body_site"_s, QT_TR_NOOP("Body site")},
        {u"source"_s, QT_TR_NOOP("Source")},
        {u"week"_s, QT_TR_NOOP("Week")},
    };
    const auto it = names.constFind(key);
    return it == names.cend() ? key : tr(*it);
}

QString QaDataSet::raterLabel(const QString &name) const
{
    const QString display = displayNames.value(name);
    return display.isEmpty() ? name : display;
}

const RatingTable *QaDataSet::table(const QString &field) const
{
    for (const QList<RatingTable> *list : {&ratings.fields, &ratings.reference}) {
        for (const RatingTable &t : *list) {
            if (t.field() == field)
                return &t;
        }
    }
    return nullptr;
}

const FieldAgreement *QaDataSet::fieldAgreement(const QString &field) const
{
    for (const QList<FieldAgreement> *list : {&agreement.fields, &agreement.reference}) {
        for (const FieldAgreement &f : *list) {
            if (f.field == field)
                return &f;
        }
    }
    return nullptr;
}

const Stratum *QaDataSet::stratum(const QString &key) const
{
    for (const Stratum &s : agreement.strata) {
        if (s.key == key)
            return &s;
    }
    return nullptr;
}

QaDataSet QaDataSet::load(Store &store, const User &actor, const AgreementOptions &options,
                          const QStringList &strata, Scope scope)
{
    QaDataSet data;
    QString error;
    // On a team store, the images whose labels annotators changed since get their consensus first.
    if (!StaleConsensus::recompute(store, &error)) {
        data.error = error;
        return data;
    }
    // Every annotation, read once for the ratings and the per-rater report.
    const auto annotations = StoreRatings::annotations(store, actor, &error);
    auto ratings = annotations ? StoreRatings::load(store, actor, *annotations, &error) : std::nullopt;
    if (!ratings) {
        data.error = error;
        return data;
    }
    data.ratings = std::move(*ratings);
    data.agreement = StoreAgreementReport::compute(data.ratings, strata, options);
    if (scope == Scope::Agreement)
        return data;

    ConsensusService consensus(store, actor);
    auto summary = consensus.summary(&error);
    auto toAdjudicate = summary ? consensus.rows(ConsensusStatus::Adjudicate, &error) : std::nullopt;
    auto pending = toAdjudicate ? consensus.rows(ConsensusStatus::Pending, &error) : std::nullopt;
    auto raters = pending ? RaterComparison::report(store, actor, *annotations, &error) : std::nullopt;
    auto faces = raters ? FaceCheck(store, actor).flags(&error) : std::nullopt;
    if (!faces) {
        QaDataSet failed;
        failed.error = error.isEmpty() ? tr("The store could not be read.") : error;
        return failed;
    }
    for (const User &user : SessionService(store).users(actor, &error).value_or(QList<User>()))
        data.displayNames.insert(user.name, user.displayName.isEmpty() ? user.name : user.displayName);
    // Agreement over time without intervals: a bootstrap per week would cost more than it shows.
    data.agreement.strata.append(computeStratum(data.ratings, timeStratum()));
    data.consensus = *summary;
    data.openRows = *toAdjudicate + *pending;
    data.raters = std::move(*raters);
    data.faceFlags = std::move(*faces);
    return data;
}

Stratum QaDataSet::computeStratum(const StoreRatingSet &ratings, const QString &key, const AgreementOptions &options)
{
    return StoreAgreementReport::computeStratum(ratings, key, options);
}

} // namespace dl
