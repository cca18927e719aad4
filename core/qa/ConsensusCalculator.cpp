// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/ConsensusCalculator.h"

#include "qa/LabelFields.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

FieldConsensus ConsensusCalculator::vote(const QString &field, const QStringList &values) const
{
    FieldConsensus result;
    result.field = field;
    QList<std::pair<QString, int>> counts; // few distinct values: a list beats a hash
    for (const QString &value : values) {
        if (value.isEmpty())
            continue;
        ++result.ratings;
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto &c) { return c.first == value; });
        if (it == counts.end())
            counts.append({value, 1});
        else
            ++it->second;
    }
    if (counts.isEmpty()) {
        result.reason = tr("no rater answered");
        return result;
    }
    std::stable_sort(counts.begin(), counts.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    result.votes = counts.first().second;
    if (counts.size() > 1 && counts.at(1).second == result.votes) {
        result.reason = result.votes == 1 ? tr("no two raters agree") : tr("tie: %1 votes each").arg(result.votes);
        return result;
    }
    if (result.votes < m_quorum) {
        result.reason = tr("no quorum: %1 of %2 needed").arg(result.votes).arg(m_quorum);
        return result;
    }
    result.value = counts.first().first;
    result.status = ConsensusStatus::Agreed;
    return result;
}

WeightedDifferential ConsensusCalculator::weighted(const QList<QList<Diagnosis>> &differentials,
                                                   const QHash<QString, QString> &aggregate)
{
    struct Sum
    {
        QString id;
        double weight = 0.0;
        int raters = 0;
    };
    QList<Sum> sums;
    WeightedDifferential result;
    double total = 0.0;
    for (const QList<Diagnosis> &differential : differentials) {
        QList<Diagnosis> ranked = differential;
        std::stable_sort(ranked.begin(), ranked.end(),
                         [](const Diagnosis &a, const Diagnosis &b) { return a.confidence > b.confidence; });
        QStringList seen;
        int rank = 0;
        for (const Diagnosis &d : std::as_const(ranked)) {
            if (d.conditionId.isEmpty())
                continue;
            const QString id = aggregate.value(d.conditionId, d.conditionId);
            ++rank; // the rank counts every listed condition, so a repeat keeps its best weight
            if (seen.contains(id))
                continue;
            seen.append(id);
            const double w = 1.0 / rank;
            auto it = std::find_if(sums.begin(), sums.end(), [&](const Sum &s) { return s.id == id; });
            if (it == sums.end()) {
                sums.append({id, w, 1});
            } else {
                it->weight += w;
                ++it->raters;
            }
            total += w;
        }
        if (!seen.isEmpty())
            ++result.raters;
    }
    std::sort(sums.begin(), sums.end(), [](const Sum &a, const Sum &b) {
        if (a.weight != b.weight)
            return a.weight > b.weight;
        if (a.raters != b.raters)
            return a.raters > b.raters;
        return a.id < b.id;
    });
    for (const Sum &s : std::as_const(sums))
        result.conditions.append({s.id, s.weight / total, s.raters});
    if (sums.size() > 1)
        result.topTied = std::abs(sums.at(0).weight - sums.at(1).weight) <= 1e-12 * total;
    return result;
}

ImageConsensus ConsensusCalculator::compute(const QList<Annotation> &annotations, int expectedRaters,
                                            const QHash<QString, QString> &aggregate) const
{
    ImageConsensus result;
    for (const LabelField &field : LabelFields::withUse(LabelField::Consensus)) {
        QStringList values;
        values.reserve(annotations.size());
        for (const Annotation &a : annotations)
            values.append(field.value(a));
        result.fields.append(vote(field.name, values));
    }

    QList<QList<Diagnosis>> differentials;
    for (const Annotation &a : annotations) {
        if (!a.diagnoses.isEmpty())
            differentials.append(a.diagnoses);
    }
    result.differential = weighted(differentials, aggregate);

    FieldConsensus diagnosis;
    diagnosis.field = u"diagnosis"_s;
    diagnosis.ratings = result.differential.raters;
    const WeightedDifferential &w = result.differential;
    if (w.conditions.isEmpty()) {
        diagnosis.reason = tr("no rater named a condition");
    } else if (w.topTied) {
        diagnosis.votes = w.conditions.first().raters;
        diagnosis.reason = tr("tie: %1 and %2 weigh the same").arg(w.conditions.at(0).conditionId,
                                                                  w.conditions.at(1).conditionId);
    } else if (w.raters < m_quorum) {
        diagnosis.votes = w.conditions.first().raters;
        diagnosis.reason = tr("no quorum: %1 of %2 raters named a condition").arg(w.raters).arg(m_quorum);
    } else {
        diagnosis.votes = w.conditions.first().raters;
        diagnosis.value = w.conditions.first().conditionId;
        diagnosis.status = ConsensusStatus::Agreed;
    }
    result.fields.append(diagnosis);

    // Questions that the agreed gradability makes moot are left out: the reason for an image
    // agreed gradable, everything else for one agreed not gradable.
    if (const FieldConsensus *gradable = result.field(u"gradable"_s); gradable && gradable->status == ConsensusStatus::Agreed) {
        const bool isGradable = gradable->value == u"yes"_s;
        result.fields.removeIf([isGradable](const FieldConsensus &f) {
            if (f.field == u"gradable"_s)
                return false;
            return isGradable == (f.field == u"ungradable_reason"_s);
        });
        if (!isGradable)
            result.differential = {};
    }

    if (annotations.size() < expectedRaters) {
        const int missing = expectedRaters - int(annotations.size());
        for (FieldConsensus &f : result.fields) {
            if (f.status == ConsensusStatus::Adjudicate) {
                f.status = ConsensusStatus::Pending;
                f.reason = tr("waiting for %n more rater(s)", nullptr, missing);
            }
        }
    }
    return result;
}

} // namespace dl
