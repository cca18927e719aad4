// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/StoreRatings.h"

#include "qa/LayerAgreement.h"

#include "auth/Permissions.h"
#include "qa/LabelFields.h"
#include "store/AnnotationRepository.h"
#include "store/CaseRepository.h"
#include "store/ImageRepository.h"
#include "store/SourceRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QDateTime>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

QStringList StoreRatings::strataKeys()
{
    return {u"fitzpatrick"_s, u"monk"_s, u"age_group"_s, u"sex"_s, u"country"_s, u"body_site"_s, u"source"_s,
            u"week"_s};
}

static QString roman(int type)
{
    static const QStringList numerals {u"I"_s, u"II"_s, u"III"_s, u"IV"_s, u"V"_s, u"VI"_s};
    return type >= 1 && type <= 6 ? numerals.at(type - 1) : QString();
}

static int lowerMedian(QList<int> values)
{
    std::sort(values.begin(), values.end());
    return values.at((values.size() - 1) / 2);
}

/// The type named by a self-reported skin type such as FST3 or 3 (0 when none).
static int selfReportedType(const QString &text)
{
    static const QRegularExpression digit(u"^(?:FST)?\\s*([1-6])$"_s, QRegularExpression::CaseInsensitiveOption);
    const auto match = digit.match(text.trimmed());
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

std::optional<QList<Annotation>> StoreRatings::annotations(Store &store, const User &actor, QString *error)
{
    if (!Permissions::check(actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    QList<Annotation> annotations = AnnotationRepository(store).all(&readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    return annotations;
}

std::optional<StoreRatingSet> StoreRatings::load(Store &store, const User &actor, QString *error)
{
    const auto all = annotations(store, actor, error);
    return all ? load(store, actor, *all, error) : std::nullopt;
}

std::optional<StoreRatingSet> StoreRatings::load(Store &store, const User &actor, const QList<Annotation> &annotations,
                                                 QString *error)
{
    if (!Permissions::check(actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    const QHash<qint64, QString> imageNames = ImageRepository(store).publicIds(&readError);
    QHash<qint64, QString> userNames;
    for (const User &user : UserRepository(store).list(&readError))
        userNames.insert(user.id, user.name);
    const CaseRepository cases(store);
    const QHash<qint64, CaseRecord> caseRecords = cases.all(&readError);
    const QHash<qint64, QList<qint64>> casesOfImage = cases.casesOfEachImage(&readError);
    const QList<QPair<qint64, ReferenceLabel>> referenceLabels = cases.allReferenceLabels(&readError);
    QHash<qint64, QString> sourceNames;
    for (const SourceRecord &source : SourceRepository(store).list(&readError))
        sourceNames.insert(source.id, source.name);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }

    StoreRatingSet set;
    const QList<LabelField> fields = LabelFields::withUse(LabelField::Agreement);
    for (const LabelField &field : fields) {
        set.fields.append(RatingTable(field.name, field.level));
        set.fields.last().reserve(annotations.size());
    }
    QHash<QString, QList<int>> fitzpatrick, monk;
    QHash<QString, QString> lastChange;
    for (const Annotation &a : annotations) {
        const QString item = imageNames.value(a.imageId);
        const QString rater = userNames.value(a.userId);
        for (qsizetype f = 0; f < fields.size(); ++f)
            set.fields[f].add(item, rater, fields.at(f).value(a));
        QStringList conditions;
        for (const Diagnosis &d : a.diagnoses)
            conditions.append(d.conditionId);
        set.diagnoses.add(item, rater, conditions);
        if (const int t = a.fitzpatrick.toInt(); t >= 1 && t <= 6)
            fitzpatrick[item].append(t);
        if (const int t = a.monk.toInt(); t >= 1 && t <= 10)
            monk[item].append(t);
        QString &last = lastChange[item];
        last = std::max(last, a.updatedAt); // ISO 8601 UTC: text order is time order
    }
    QHash<QString, QString> &byWeek = set.strata[u"week"_s];
    for (auto it = lastChange.cbegin(); it != lastChange.cend(); ++it) {
        const QDate day = QDateTime::fromString(*it, Qt::ISODateWithMs).date();
        if (!day.isValid())
            continue;
        int year = 0;
        const int week = day.weekNumber(&year);
        byWeek.insert(it.key(), u"%1-W%2"_s.arg(year).arg(week, 2, 10, QChar(u'0')));
    }

    // Strata from the raters' skin types and from each image's (first) case.
    QHash<QString, QString> &byFitzpatrick = set.strata[u"fitzpatrick"_s];
    for (auto it = fitzpatrick.cbegin(); it != fitzpatrick.cend(); ++it)
        byFitzpatrick.insert(it.key(), roman(lowerMedian(*it)));
    QHash<QString, QString> &byMonk = set.strata[u"monk"_s];
    for (auto it = monk.cbegin(); it != monk.cend(); ++it)
        byMonk.insert(it.key(), u"%1"_s.arg(lowerMedian(*it), 2, 10, QChar(u'0')));
    for (auto it = casesOfImage.cbegin(); it != casesOfImage.cend(); ++it) {
        // An image in several cases: its first case speaks for it.
        const auto found = caseRecords.constFind(it->first());
        if (found == caseRecords.cend())
            continue;
        const CaseMetadata &m = found->metadata;
        const QString item = imageNames.value(it.key());
        const QList<QPair<QString, QString>> groups {{u"age_group"_s, m.ageGroup},
                                                     {u"sex"_s, m.sex},
                                                     {u"country"_s, m.country},
                                                     {u"body_site"_s, m.bodySites.join(u"; "_s)},
                                                     {u"source"_s, sourceNames.value(found->sourceId)}};
        for (const auto &[key, value] : groups) {
            const QString group = value.trimmed();
            if (!group.isEmpty())
                set.strata[key].insert(item, group);
        }
        if (!byFitzpatrick.contains(item)) {
            if (const int t = selfReportedType(m.skinTypeSelf))
                byFitzpatrick.insert(item, roman(t));
        }
    }

    // Reference labels imported with a dataset.
    QMap<QString, RatingTable> reference;
    for (const auto &[caseId, label] : referenceLabels) {
        const auto found = caseRecords.constFind(caseId);
        if (found == caseRecords.cend())
            continue;
        const QString item = found->publicId;
        QString rater = label.rater;
        QString field = label.field;
        const QString &value = label.value;
        if (rater.isEmpty()) {
            static const QRegularExpression monkField(u"^monk_skin_tone_(\\w+)$"_s);
            const auto match = monkField.match(field);
            if (!match.hasMatch())
                continue; // a case-level summary, not one rater's label
            rater = match.captured(1);
            field = u"monk_skin_tone"_s;
        }
        const QString name = u"reference."_s + field;
        auto it = reference.find(name);
        if (it == reference.end()) {
            const bool ordinal = field == u"fitzpatrick"_s || field == u"monk_skin_tone"_s;
            it = reference.insert(name, RatingTable(name, ordinal ? MeasureLevel::Ordinal : MeasureLevel::Nominal));
        }
        it->add(item, rater, value);
    }
    set.reference = reference.values();

    auto regions = LayerAgreementReport::loadPairs(store, actor, error);
    if (!regions)
        return std::nullopt;
    set.regions = std::move(*regions);
    return set;
}

} // namespace dl
