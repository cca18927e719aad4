// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/AgreementReport.h"

#include "qa/RatingsFile.h"

#include <QJsonArray>
#include <QStringList>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QJsonValue number(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

void addInterval(QJsonObject &object, const QString &key, const std::optional<ConfidenceInterval> &ci)
{
    if (ci)
        object.insert(key, QJsonArray { ci->lower, ci->upper });
}

} // namespace

QJsonObject AgreementReport::toJson(const FieldAgreement &field)
{
    const bool weighted = field.level != MeasureLevel::Nominal;
    QJsonObject object;
    object.insert(u"field"_s, field.field);
    object.insert(u"level"_s, measureLevelName(field.level));
    object.insert(u"items"_s, double(field.items));
    object.insert(u"percent_agreement"_s, number(field.percentAgreement));
    object.insert(u"fleiss_kappa"_s, number(field.fleissKappa));
    if (!field.fleissKappa && !field.fleissNote.isEmpty())
        object.insert(u"fleiss_note"_s, field.fleissNote);
    object.insert(u"krippendorff_alpha"_s, number(field.alpha));
    if (field.bootstrapReplicates > 0) {
        object.insert(u"bootstrap_replicates"_s, field.bootstrapReplicates);
        addInterval(object, u"fleiss_kappa_ci"_s, field.fleissKappaCi);
        addInterval(object, u"krippendorff_alpha_ci"_s, field.alphaCi);
    }

    QList<PairAgreement> pairs = field.pairs;
    std::sort(pairs.begin(), pairs.end(), [](const PairAgreement &a, const PairAgreement &b) {
        return a.raterA != b.raterA ? a.raterA < b.raterA : a.raterB < b.raterB;
    });
    QJsonArray pairArray;
    for (const PairAgreement &pair : pairs) {
        QJsonObject p;
        p.insert(u"rater_a"_s, pair.raterA);
        p.insert(u"rater_b"_s, pair.raterB);
        p.insert(u"items"_s, double(pair.items));
        p.insert(u"cohen_kappa"_s, number(pair.kappa));
        if (weighted) {
            p.insert(u"cohen_kappa_linear"_s, number(pair.kappaLinear));
            p.insert(u"cohen_kappa_quadratic"_s, number(pair.kappaQuadratic));
        }
        addInterval(p, u"cohen_kappa_ci"_s, pair.kappaCi);
        if (weighted) {
            addInterval(p, u"cohen_kappa_linear_ci"_s, pair.kappaLinearCi);
            addInterval(p, u"cohen_kappa_quadratic_ci"_s, pair.kappaQuadraticCi);
        }
        pairArray.append(p);
    }
    object.insert(u"pairs"_s, pairArray);
    return object;
}

QJsonObject AgreementReport::toJson(const QList<FieldAgreement> &fields)
{
    QList<FieldAgreement> sorted = fields;
    std::stable_sort(sorted.begin(), sorted.end(),
        [](const FieldAgreement &a, const FieldAgreement &b) { return a.field < b.field; });
    QJsonArray array;
    for (const FieldAgreement &field : sorted)
        array.append(toJson(field));
    return QJsonObject { { u"fields"_s, array } };
}

QJsonObject AgreementReport::toJson(const StratifiedAgreement &stratified)
{
    QJsonArray groups;
    for (const GroupAgreement &group : stratified.groups) {
        QJsonObject object = toJson(group.agreement);
        object.insert(u"group"_s, group.group);
        object.insert(u"size"_s, double(group.size));
        groups.append(object);
    }
    return QJsonObject { { u"field"_s, stratified.field },
        { u"unassigned_items"_s, double(stratified.unassignedItems) }, { u"groups"_s, groups } };
}

std::optional<QList<FieldAgreement>> AgreementReport::computeRatingsCsv(const QString &path,
    const QHash<QString, MeasureLevel> &levels, const AgreementOptions &options, QString *error)
{
    const std::optional<QList<RatingTable>> tables = RatingsFile::read(path, error, levels);
    if (!tables)
        return std::nullopt;
    QStringList unknown;
    for (auto it = levels.cbegin(); it != levels.cend(); ++it) {
        const bool present = std::any_of(
            tables->cbegin(), tables->cend(), [&](const RatingTable &t) { return t.field() == it.key(); });
        if (!present)
            unknown.append(it.key());
    }
    if (!unknown.isEmpty()) {
        unknown.sort();
        if (error) {
            *error
                = tr("%1: no ratings for the field(s) given a level: %2.").arg(path, unknown.join(u", "_s));
        }
        return std::nullopt;
    }
    const AgreementCalculator calculator(options);
    QList<FieldAgreement> fields;
    for (const RatingTable &table : *tables) {
        std::optional<FieldAgreement> field = calculator.compute(table, error);
        if (!field) {
            if (error)
                *error = path + u": "_s + *error;
            return std::nullopt;
        }
        fields.append(*field);
    }
    return fields;
}

QJsonObject AgreementReport::fromRatingsCsv(const QString &path, const QHash<QString, MeasureLevel> &levels,
    const AgreementOptions &options, QString *error)
{
    const std::optional<QList<FieldAgreement>> fields = computeRatingsCsv(path, levels, options, error);
    return fields ? toJson(*fields) : QJsonObject();
}

QJsonObject AgreementReport::fromRatingsCsv(
    const QString &path, const QHash<QString, MeasureLevel> &levels, QString *error)
{
    return fromRatingsCsv(path, levels, AgreementOptions(), error);
}

} // namespace dl
