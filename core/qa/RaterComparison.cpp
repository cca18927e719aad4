// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/RaterComparison.h"

#include "auth/Permissions.h"
#include "qa/ConsensusCalculator.h"
#include "qa/LabelFields.h"
#include "qa/RatingTable.h"
#include "qa/StoreRatings.h"
#include "store/AssignmentRepository.h"
#include "store/ConsensusRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QDateTime>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace dl {

qsizetype ConfusionMatrix::agreeing() const
{
    qsizetype sum = 0;
    for (qsizetype i = 0; i < counts.size(); ++i)
        sum += counts.at(i).at(i);
    return sum;
}

qsizetype ConfusionMatrix::count(const QString &labelA, const QString &labelB) const
{
    const qsizetype i = labels.indexOf(labelA);
    const qsizetype j = labels.indexOf(labelB);
    return i < 0 || j < 0 ? 0 : counts.at(i).at(j);
}

qsizetype LabelDistribution::count(const QString &rater, const QString &label) const
{
    const qsizetype r = raters.indexOf(rater);
    const qsizetype l = labels.indexOf(label);
    return r < 0 || l < 0 ? 0 : counts.at(r).at(l);
}

double LabelDistribution::share(const QString &rater, const QString &label) const
{
    const qsizetype r = raters.indexOf(rater);
    if (r < 0 || totals.at(r) == 0)
        return 0.0;
    return double(count(rater, label)) / double(totals.at(r));
}

std::optional<double> RaterReport::labelsPerActiveDay() const
{
    if (labelsPerDay.isEmpty())
        return std::nullopt;
    return double(annotations) / double(labelsPerDay.size());
}

std::optional<double> RaterReport::consensusAgreement() const
{
    if (consensusFields == 0)
        return std::nullopt;
    return double(consensusMatches) / double(consensusFields);
}

std::optional<double> RaterReport::diagnosisAgreement() const
{
    if (diagnosisImages == 0)
        return std::nullopt;
    return double(diagnosisMatches) / double(diagnosisImages);
}

QStringList RaterComparison::sortedLabels(QStringList labels, MeasureLevel level)
{
    if (level == MeasureLevel::Nominal) {
        std::sort(labels.begin(), labels.end());
        return labels;
    }
    auto number = [](const QString &s) {
        bool ok = false;
        const double v = s.toDouble(&ok);
        return ok && std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
    };
    std::sort(labels.begin(), labels.end(), [&](const QString &a, const QString &b) {
        const double x = number(a), y = number(b);
        if (x != y)
            return x < y;
        return a < b;
    });
    return labels;
}

ConfusionMatrix RaterComparison::confusion(const RatingTable &table, const QString &raterA, const QString &raterB)
{
    ConfusionMatrix m;
    m.field = table.field();
    m.raterA = raterA;
    m.raterB = raterB;
    const qint32 a = table.raterId(raterA);
    const qint32 b = table.raterId(raterB);
    if (a < 0 || b < 0 || a == b)
        return m;

    // The value of each rater per item (value ids; -1 = not rated).
    QList<qint32> valueOfA(table.itemCount(), -1), valueOfB(table.itemCount(), -1);
    for (qsizetype i = 0; i < table.ratingCount(); ++i) {
        const qint32 rater = table.raterOf().at(i);
        if (rater == a)
            valueOfA[table.itemOf().at(i)] = table.valueOf().at(i);
        else if (rater == b)
            valueOfB[table.itemOf().at(i)] = table.valueOf().at(i);
    }
    QList<std::pair<qint32, qint32>> pairs;
    QList<bool> used(table.valueCount(), false);
    for (qsizetype item = 0; item < table.itemCount(); ++item) {
        if (valueOfA.at(item) < 0 || valueOfB.at(item) < 0)
            continue;
        pairs.append({valueOfA.at(item), valueOfB.at(item)});
        used[valueOfA.at(item)] = true;
        used[valueOfB.at(item)] = true;
    }
    QStringList labels;
    for (qsizetype v = 0; v < used.size(); ++v) {
        if (used.at(v))
            labels.append(table.values().at(v));
    }
    m.labels = sortedLabels(labels, table.level());
    QList<qsizetype> indexOfValue(table.valueCount(), -1);
    for (qsizetype l = 0; l < m.labels.size(); ++l)
        indexOfValue[table.valueId(m.labels.at(l))] = l;
    m.counts = QList<QList<qsizetype>>(m.labels.size(), QList<qsizetype>(m.labels.size(), 0));
    for (const auto &[va, vb] : std::as_const(pairs))
        ++m.counts[indexOfValue.at(va)][indexOfValue.at(vb)];
    m.items = pairs.size();
    return m;
}

LabelDistribution RaterComparison::distribution(const RatingTable &table)
{
    LabelDistribution d;
    d.field = table.field();
    d.level = table.level();
    d.labels = sortedLabels(table.values(), table.level());
    d.raters = table.raters();
    std::sort(d.raters.begin(), d.raters.end());

    QList<qsizetype> labelOfValue(table.valueCount(), -1);
    for (qsizetype l = 0; l < d.labels.size(); ++l)
        labelOfValue[table.valueId(d.labels.at(l))] = l;
    QList<qsizetype> rowOfRater(table.raterCount(), -1);
    for (qsizetype r = 0; r < d.raters.size(); ++r)
        rowOfRater[table.raterId(d.raters.at(r))] = r;

    d.counts = QList<QList<qsizetype>>(d.raters.size(), QList<qsizetype>(d.labels.size(), 0));
    d.totals = QList<qsizetype>(d.raters.size(), 0);
    QList<double> sums(d.raters.size(), 0.0);
    QList<qsizetype> numbers(d.raters.size(), 0);
    const bool numeric = table.level() != MeasureLevel::Nominal;
    for (qsizetype i = 0; i < table.ratingCount(); ++i) {
        const qsizetype r = rowOfRater.at(table.raterOf().at(i));
        const qint32 value = table.valueOf().at(i);
        ++d.counts[r][labelOfValue.at(value)];
        ++d.totals[r];
        if (numeric) {
            bool ok = false;
            const double v = table.values().at(value).toDouble(&ok);
            if (ok && std::isfinite(v)) {
                sums[r] += v;
                ++numbers[r];
            }
        }
    }
    for (qsizetype r = 0; r < d.raters.size(); ++r)
        d.means.append(numbers.at(r) > 0 ? std::optional<double>(sums.at(r) / double(numbers.at(r))) : std::nullopt);
    return d;
}

std::optional<QList<RaterReport>> RaterComparison::report(Store &store, const User &actor, QString *error)
{
    const auto annotations = StoreRatings::annotations(store, actor, error);
    return annotations ? report(store, actor, *annotations, error) : std::nullopt;
}

std::optional<QList<RaterReport>> RaterComparison::report(Store &store, const User &actor,
                                                          const QList<Annotation> &annotations, QString *error)
{
    if (!Permissions::check(actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    const QList<User> users = UserRepository(store).list(&readError);
    const QHash<qint64, QHash<QString, qint64>> counts =
        AssignmentRepository(store).countsByUserAndStatus(&readError);
    const QList<ConsensusRow> rows = ConsensusRepository(store).rows(std::nullopt, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }

    // Raters: every user with an assignment or an annotation.
    QSet<qint64> raters;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        raters.insert(it.key());
    for (const Annotation &a : annotations)
        raters.insert(a.userId);
    QMap<qint64, RaterReport> reports;
    for (const User &user : users) {
        if (!raters.contains(user.id))
            continue;
        RaterReport r;
        r.userId = user.id;
        r.name = user.name;
        r.displayName = user.displayName;
        r.active = user.active;
        const QHash<QString, qint64> byStatus = counts.value(user.id);
        for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it) {
            const qsizetype n = it.value();
            r.assigned += n;
            if (it.key() == AssignmentStatus::Todo)
                r.todo += n;
            else if (it.key() == AssignmentStatus::InProgress)
                r.inProgress += n;
            else if (it.key() == AssignmentStatus::Done)
                r.done += n;
            else if (it.key() == AssignmentStatus::Skipped)
                r.skipped += n;
            else if (it.key() == AssignmentStatus::Flagged)
                r.flagged += n;
        }
        reports.insert(r.userId, r);
    }

    // The settled consensus value of each (image, field).
    QHash<qint64, QHash<QString, QString>> settled;
    for (const ConsensusRow &row : rows) {
        const ConsensusStatus status = row.consensus.status;
        if (status == ConsensusStatus::Agreed || status == ConsensusStatus::Adjudicated)
            settled[row.imageId].insert(row.consensus.field, row.consensus.value);
    }

    const QList<LabelField> fields = LabelFields::withUse(LabelField::Consensus);
    const LabelField *rankOne = LabelFields::find(u"diagnosis_1"_s);
    for (const Annotation &a : annotations) {
        auto it = reports.find(a.userId);
        if (it == reports.end())
            continue;
        RaterReport &r = *it;
        ++r.annotations;
        const QDateTime changed = QDateTime::fromString(a.updatedAt, Qt::ISODateWithMs);
        if (changed.isValid())
            ++r.labelsPerDay[changed.toUTC().date()];

        const auto consensus = settled.constFind(a.imageId);
        if (consensus == settled.cend())
            continue;
        for (const LabelField &field : fields) {
            const QString mine = field.value(a);
            const auto value = consensus->constFind(field.name);
            if (mine.isEmpty() || value == consensus->cend())
                continue;
            ++r.consensusFields;
            if (mine == *value)
                ++r.consensusMatches;
        }
        const QString top = rankOne ? rankOne->value(a) : QString();
        const auto diagnosis = consensus->constFind(u"diagnosis"_s);
        if (!top.isEmpty() && diagnosis != consensus->cend()) {
            ++r.diagnosisImages;
            if (top == *diagnosis)
                ++r.diagnosisMatches;
        }
    }

    QList<RaterReport> list = reports.values();
    std::sort(list.begin(), list.end(), [](const RaterReport &a, const RaterReport &b) { return a.name < b.name; });
    return list;
}

} // namespace dl
