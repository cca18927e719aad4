// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/DiagnosisAgreementCalculator.h"

#include "qa/DiagnosisTable.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <vector>

namespace dl {

double DiagnosisAgreementCalculator::overlap(const qint32 *a, const qint32 *b, int size)
{
    int sizeA = 0, sizeB = 0, common = 0;
    for (int i = 0; i < size; ++i) {
        sizeA += a[i] >= 0;
        sizeB += b[i] >= 0;
        if (a[i] < 0)
            continue;
        for (int j = 0; j < size; ++j) {
            if (b[j] == a[i]) {
                ++common;
                break;
            }
        }
    }
    const int smaller = std::min(sizeA, sizeB);
    return smaller == 0 ? 0.0 : double(common) / double(smaller);
}

DiagnosisAgreement DiagnosisAgreementCalculator::compute(const DiagnosisTable &table)
{
    DiagnosisAgreement result;
    const qsizetype raterCount = table.raters().size();
    std::vector<qint32> byName(static_cast<size_t>(raterCount));
    std::iota(byName.begin(), byName.end(), 0);
    std::sort(byName.begin(), byName.end(),
        [&](qint32 x, qint32 y) { return table.raters().at(x) < table.raters().at(y); });
    std::vector<qint32> rankOf(static_cast<size_t>(raterCount));
    for (qsizetype r = 0; r < raterCount; ++r)
        rankOf[size_t(byName[size_t(r)])] = qint32(r);

    // Ratings grouped by item.
    std::vector<std::vector<qsizetype>> byItem(size_t(table.itemCount()));
    for (qsizetype i = 0; i < table.ratingCount(); ++i)
        byItem[size_t(table.itemOf().at(i))].push_back(i);

    struct Sums
    {
        qsizetype items = 0;
        double top1 = 0;
        double overlap = 0;
    };
    std::map<std::pair<qint32, qint32>, Sums> pairs; // by rater rank
    double top1Sum = 0, overlapSum = 0;
    for (std::vector<qsizetype> &ratings : byItem) {
        if (ratings.size() < 2)
            continue;
        std::sort(ratings.begin(), ratings.end(), [&](qsizetype x, qsizetype y) {
            return rankOf[size_t(table.raterOf().at(x))] < rankOf[size_t(table.raterOf().at(y))];
        });
        double itemTop1 = 0, itemOverlap = 0;
        int itemPairs = 0;
        for (size_t i = 0; i < ratings.size(); ++i) {
            for (size_t j = i + 1; j < ratings.size(); ++j) {
                const DiagnosisTable::Ranked &a = table.rankedOf().at(ratings[i]);
                const DiagnosisTable::Ranked &b = table.rankedOf().at(ratings[j]);
                const double top1 = a[0] == b[0] ? 1.0 : 0.0;
                const double common = overlap(a.data(), b.data(), DiagnosisTable::MaxConditions);
                Sums &sums = pairs[{ rankOf[size_t(table.raterOf().at(ratings[i]))],
                    rankOf[size_t(table.raterOf().at(ratings[j]))] }];
                ++sums.items;
                sums.top1 += top1;
                sums.overlap += common;
                itemTop1 += top1;
                itemOverlap += common;
                ++itemPairs;
            }
        }
        ++result.items;
        top1Sum += itemTop1 / itemPairs;
        overlapSum += itemOverlap / itemPairs;
    }
    if (result.items > 0) {
        result.top1Agreement = top1Sum / double(result.items);
        result.top3Overlap = overlapSum / double(result.items);
    }
    for (const auto &[key, sums] : pairs) {
        DiagnosisPairAgreement pair;
        pair.raterA = table.raters().at(byName[size_t(key.first)]);
        pair.raterB = table.raters().at(byName[size_t(key.second)]);
        pair.items = sums.items;
        pair.top1Agreement = sums.top1 / double(sums.items);
        pair.top3Overlap = sums.overlap / double(sums.items);
        result.pairs.append(pair);
    }
    return result;
}

QList<GroupDiagnosisAgreement> DiagnosisAgreementCalculator::computeStratified(
    const DiagnosisTable &table, const QHash<QString, QString> &groupOfItem)
{
    std::map<QString, DiagnosisTable> byGroup;
    for (qsizetype i = 0; i < table.ratingCount(); ++i) {
        const QString &item = table.items().at(table.itemOf().at(i));
        const QString group = groupOfItem.value(item);
        if (group.isEmpty())
            continue;
        QStringList conditions;
        for (const qint32 id : table.rankedOf().at(i)) {
            if (id >= 0)
                conditions.append(table.conditions().at(id));
        }
        byGroup[group].add(item, table.raters().at(table.raterOf().at(i)), conditions);
    }
    QList<GroupDiagnosisAgreement> result;
    for (const auto &[group, members] : byGroup)
        result.append({group, members.itemCount(), compute(members)});
    return result;
}

} // namespace dl
