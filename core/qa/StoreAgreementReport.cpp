// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/StoreAgreementReport.h"

#include "qa/AgreementReport.h"
#include "qa/StoreRatings.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace dl {

StoreAgreement StoreAgreementReport::compute(const StoreRatingSet &ratings, const QStringList &strataKeys,
                                             const AgreementOptions &options)
{
    // Every value in the store's tables is validated on entry (ordinal fields hold 1..6 and
    // 1..10 only), so the calculator cannot fail on them; a reference field it refuses is
    // left out rather than failing the whole report.
    const AgreementCalculator calculator(options);
    StoreAgreement result;
    for (const RatingTable &table : ratings.fields) {
        if (table.ratingCount() == 0)
            continue;
        if (auto field = calculator.compute(table))
            result.fields.append(*field);
    }
    result.diagnoses = DiagnosisAgreementCalculator::compute(ratings.diagnoses);
    for (const RatingTable &table : ratings.reference) {
        if (auto field = calculator.compute(table))
            result.reference.append(*field);
    }
    result.masks = LayerAgreementReport::summarize(ratings.regions);
    for (const QString &key : strataKeys)
        result.strata.append(computeStratum(ratings, key, options));
    return result;
}

Stratum StoreAgreementReport::computeStratum(const StoreRatingSet &ratings, const QString &key,
                                             const AgreementOptions &options)
{
    const AgreementCalculator calculator(options);
    Stratum stratum {key, {}, {}, {}};
    const QHash<QString, QString> groups = ratings.strata.value(key);
    for (const RatingTable &table : ratings.fields) {
        if (table.ratingCount() == 0)
            continue;
        if (auto stratified = calculator.computeStratified(table, groups))
            stratum.fields.append(*stratified);
    }
    stratum.diagnoses = DiagnosisAgreementCalculator::computeStratified(ratings.diagnoses, groups);
    stratum.masks = LayerAgreementReport::stratify(ratings.regions, groups);
    return stratum;
}

static QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonObject StoreAgreementReport::toJson(const DiagnosisAgreement &diagnoses)
{
    QJsonArray pairs;
    for (const DiagnosisPairAgreement &pair : diagnoses.pairs) {
        pairs.append(QJsonObject {{u"rater_a"_s, pair.raterA},
                                  {u"rater_b"_s, pair.raterB},
                                  {u"items"_s, double(pair.items)},
                                  {u"top1_agreement"_s, pair.top1Agreement},
                                  {u"top3_overlap"_s, pair.top3Overlap}});
    }
    return {{u"items"_s, double(diagnoses.items)},
            {u"top1_agreement"_s, optionalNumber(diagnoses.top1Agreement)},
            {u"top3_overlap"_s, optionalNumber(diagnoses.top3Overlap)},
            {u"pairs"_s, pairs}};
}

QJsonObject StoreAgreementReport::toJson(const StoreAgreement &agreement)
{
    QJsonArray fields;
    for (const FieldAgreement &field : agreement.fields)
        fields.append(AgreementReport::toJson(field));
    QJsonArray reference;
    for (const FieldAgreement &field : agreement.reference)
        reference.append(AgreementReport::toJson(field));
    QJsonArray strata;
    for (const Stratum &stratum : agreement.strata)
        strata.append(toJson(stratum));
    return {{u"fields"_s, fields},
            {u"diagnoses"_s, toJson(agreement.diagnoses)},
            {u"masks"_s, LayerAgreementReport::toJson(agreement.masks)},
            {u"reference"_s, reference},
            {u"strata"_s, strata}};
}

QJsonObject StoreAgreementReport::toJson(const Stratum &stratum)
{
    QJsonArray fields;
    for (const StratifiedAgreement &field : stratum.fields)
        fields.append(AgreementReport::toJson(field));
    QJsonArray diagnoses;
    for (const GroupDiagnosisAgreement &group : stratum.diagnoses) {
        QJsonObject object = toJson(group.agreement);
        object.insert(u"group"_s, group.group);
        object.insert(u"size"_s, double(group.size));
        diagnoses.append(object);
    }
    QJsonArray masks;
    for (const GroupLayerAgreement &group : stratum.masks)
        masks.append(QJsonObject {{u"group"_s, group.group}, {u"layers"_s, LayerAgreementReport::toJson(group.layers)}});
    return {{u"by"_s, stratum.key}, {u"fields"_s, fields}, {u"diagnoses"_s, diagnoses}, {u"masks"_s, masks}};
}

} // namespace dl
