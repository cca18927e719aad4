// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/AgreementCalculator.h"

#include "qa/RatingTable.h"

#include <QCoreApplication>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::AgreementCalculator", text);
}

/// Two raters' values on one item; `pair` is rankA * raterCount + rankB (rankA < rankB).
struct PairObservation
{
    quint64 pair;
    qint32 unit;
    qint32 a; ///< category given by the rater that sorts first
    qint32 b;
};

struct PairSpan
{
    qint32 raterA;
    qint32 raterB;
    qsizetype begin;
    qsizetype end;
};

/// The table turned into flat arrays once; every evaluation (point estimate, group,
/// bootstrap replicate) is a weighted pass over them. A "unit" is an item with at
/// least two ratings.
struct Prepared
{
    MeasureLevel level = MeasureLevel::Nominal;
    qint32 categories = 0;
    std::vector<double> value; ///< numeric value per category, ascending (ordinal, interval)
    QStringList raterNames; ///< sorted; rater ids below are indices into it
    std::vector<qint32> unitItem; ///< table item id per unit
    std::vector<qint32> unitStart; ///< units + 1 offsets into cat / rater
    std::vector<qint32> cat; ///< category of each rating, by unit, in rater order
    std::vector<qint32> rater;
    std::vector<double> agreeShare; ///< per unit: sum_c n_c (n_c - 1) / (m (m - 1))
    /// Per unit: (1 / (m - 1)) * sum over ordered value pairs of the squared difference;
    /// nominal and interval only (ordinal differences depend on the marginals).
    std::vector<double> disagreement;
    std::vector<PairObservation> obs; ///< sorted by pair, then unit
    std::vector<PairSpan> pairs;

    qsizetype units() const { return qsizetype(unitItem.size()); }
};

struct PairValue
{
    qint64 items = 0;
    double kappa = NaN;
    double linear = NaN;
    double quadratic = NaN;
};

enum class FleissReason
{
    None,
    NoItems,
    UnequalCounts,
    OneCategory
};

struct Evaluation
{
    qint64 items = 0;
    qint64 ratings = 0;
    double percent = NaN;
    double fleiss = NaN;
    FleissReason fleissReason = FleissReason::None;
    qint32 minCount = 0;
    qint32 maxCount = 0;
    double alpha = NaN;
    std::vector<PairValue> pairs; ///< parallel to Prepared::pairs
};

struct Scratch
{
    std::vector<qint64> total, row, col;
    std::vector<qint32> touched, index;
    std::vector<double> mid;

    explicit Scratch(qint32 categories)
        : total(size_t(categories), 0)
        , row(size_t(categories), 0)
        , col(size_t(categories), 0)
        , index(size_t(categories), 0)
        , mid(size_t(categories), 0.0)
    { }
};

std::optional<Prepared> prepare(const RatingTable &table, QString *error)
{
    Prepared p;
    p.level = table.level();
    const auto valueCount = table.valueCount();
    const QList<qint32> &itemOf = table.itemOf();
    const QList<qint32> &raterOf = table.raterOf();
    const QList<qint32> &valueOf = table.valueOf();

    // Values -> categories. Ordinal and interval values are merged by numeric value and
    // numbered in ascending order, so category order is the numeric order.
    std::vector<qint32> catOfValue(size_t(valueCount), 0);
    if (p.level == MeasureLevel::Nominal) {
        std::iota(catOfValue.begin(), catOfValue.end(), 0);
        p.categories = qint32(valueCount);
    } else {
        std::vector<double> number(static_cast<size_t>(valueCount));
        for (qsizetype v = 0; v < valueCount; ++v) {
            bool ok = false;
            const double d = table.values().at(v).toDouble(&ok);
            if (!ok || !std::isfinite(d)) {
                if (error) {
                    const qsizetype at = valueOf.indexOf(qint32(v));
                    *error
                        = tr("Field \"%1\" is %2, so its values must be numbers, but item \"%3\" has "
                             "the value \"%4\" (rater \"%5\").")
                              .arg(table.field(), measureLevelName(p.level), table.items().at(itemOf.at(at)),
                                  table.values().at(v), table.raters().at(raterOf.at(at)));
                }
                return std::nullopt;
            }
            number[size_t(v)] = d;
        }
        std::vector<qint32> order(static_cast<size_t>(valueCount));
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(),
            [&](qint32 x, qint32 y) { return number[size_t(x)] < number[size_t(y)]; });
        for (const qint32 v : order) {
            if (p.value.empty() || p.value.back() != number[size_t(v)])
                p.value.push_back(number[size_t(v)]);
            catOfValue[size_t(v)] = qint32(p.value.size()) - 1;
        }
        p.categories = qint32(p.value.size());
    }

    // Raters ranked by name.
    const qsizetype raterCount = table.raterCount();
    std::vector<qint32> byName(static_cast<size_t>(raterCount));
    std::iota(byName.begin(), byName.end(), 0);
    std::sort(byName.begin(), byName.end(),
        [&](qint32 x, qint32 y) { return table.raters().at(x) < table.raters().at(y); });
    std::vector<qint32> rankOf(static_cast<size_t>(raterCount));
    p.raterNames.reserve(raterCount);
    for (qsizetype r = 0; r < raterCount; ++r) {
        rankOf[size_t(byName[size_t(r)])] = qint32(r);
        p.raterNames.append(table.raters().at(byName[size_t(r)]));
    }

    // Units: items with at least two ratings, in item id order, as blocks (counting sort).
    const qsizetype itemCount = table.itemCount();
    const qsizetype ratingCount = table.ratingCount();
    std::vector<qint32> count(size_t(itemCount), 0);
    for (qsizetype i = 0; i < ratingCount; ++i)
        ++count[size_t(itemOf[i])];
    std::vector<qint32> unitOfItem(size_t(itemCount), -1);
    p.unitStart.push_back(0);
    for (qsizetype item = 0; item < itemCount; ++item) {
        if (count[size_t(item)] < 2)
            continue;
        unitOfItem[size_t(item)] = qint32(p.unitItem.size());
        p.unitItem.push_back(qint32(item));
        p.unitStart.push_back(p.unitStart.back() + count[size_t(item)]);
    }
    const qsizetype units = p.units();
    p.cat.resize(size_t(p.unitStart.back()));
    p.rater.resize(size_t(p.unitStart.back()));
    std::vector<qint32> cursor(p.unitStart.begin(), p.unitStart.end() - 1);
    for (qsizetype i = 0; i < ratingCount; ++i) {
        const qint32 u = unitOfItem[size_t(itemOf[i])];
        if (u < 0)
            continue;
        const qint32 at = cursor[size_t(u)]++;
        p.cat[size_t(at)] = catOfValue[size_t(valueOf[i])];
        p.rater[size_t(at)] = rankOf[size_t(raterOf[i])];
    }

    // Within a unit: raters in name order (insertion sort; units are small), then the
    // per-unit quantities that do not depend on the other units.
    p.agreeShare.resize(size_t(units));
    p.disagreement.resize(size_t(units));
    std::vector<qint32> sorted;
    for (qsizetype u = 0; u < units; ++u) {
        const qint32 begin = p.unitStart[size_t(u)];
        const qint32 end = p.unitStart[size_t(u) + 1];
        for (qint32 i = begin + 1; i < end; ++i) {
            const qint32 r = p.rater[size_t(i)];
            const qint32 c = p.cat[size_t(i)];
            qint32 j = i;
            for (; j > begin && p.rater[size_t(j) - 1] > r; --j) {
                p.rater[size_t(j)] = p.rater[size_t(j) - 1];
                p.cat[size_t(j)] = p.cat[size_t(j) - 1];
            }
            p.rater[size_t(j)] = r;
            p.cat[size_t(j)] = c;
        }
        const double m = end - begin;
        sorted.assign(p.cat.begin() + begin, p.cat.begin() + end);
        std::sort(sorted.begin(), sorted.end());
        double agreeing = 0; // ordered pairs with equal values
        for (size_t i = 0; i < sorted.size();) {
            size_t j = i + 1;
            while (j < sorted.size() && sorted[j] == sorted[i])
                ++j;
            const double run = double(j - i);
            agreeing += run * (run - 1);
            i = j;
        }
        p.agreeShare[size_t(u)] = agreeing / (m * (m - 1));
        if (p.level == MeasureLevel::Interval) {
            double mean = 0;
            for (qint32 i = begin; i < end; ++i)
                mean += p.value[size_t(p.cat[size_t(i)])];
            mean /= m;
            double squares = 0;
            for (qint32 i = begin; i < end; ++i) {
                const double d = p.value[size_t(p.cat[size_t(i)])] - mean;
                squares += d * d;
            }
            // sum over ordered pairs (x_i - x_j)^2 = 2 m sum (x_i - mean)^2
            p.disagreement[size_t(u)] = 2 * m * squares / (m - 1);
        } else {
            p.disagreement[size_t(u)] = (m * (m - 1) - agreeing) / (m - 1);
        }
    }

    // One observation per unordered rater pair per unit, grouped by pair.
    const auto R = quint64(raterCount);
    qsizetype obsCount = 0;
    for (qsizetype u = 0; u < units; ++u) {
        const qsizetype m = p.unitStart[size_t(u) + 1] - p.unitStart[size_t(u)];
        obsCount += m * (m - 1) / 2;
    }
    std::vector<PairObservation> unsortedObs;
    unsortedObs.reserve(size_t(obsCount));
    for (qsizetype u = 0; u < units; ++u) {
        const qint32 begin = p.unitStart[size_t(u)];
        const qint32 end = p.unitStart[size_t(u) + 1];
        for (qint32 i = begin; i < end; ++i) {
            for (qint32 j = i + 1; j < end; ++j) {
                unsortedObs.push_back({ quint64(p.rater[size_t(i)]) * R + quint64(p.rater[size_t(j)]),
                    qint32(u), p.cat[size_t(i)], p.cat[size_t(j)] });
            }
        }
    }
    if (R * R <= quint64(std::max<qsizetype>(obsCount, 1 << 16))) {
        // Counting sort by pair; stable, so units stay in order within a pair.
        std::vector<qsizetype> offset(size_t(R * R) + 1, 0);
        for (const PairObservation &o : unsortedObs)
            ++offset[size_t(o.pair) + 1];
        std::partial_sum(offset.begin(), offset.end(), offset.begin());
        p.obs.resize(unsortedObs.size());
        for (const PairObservation &o : unsortedObs)
            p.obs[size_t(offset[size_t(o.pair)]++)] = o;
    } else {
        std::sort(
            unsortedObs.begin(), unsortedObs.end(), [](const PairObservation &x, const PairObservation &y) {
                return x.pair != y.pair ? x.pair < y.pair : x.unit < y.unit;
            });
        p.obs = std::move(unsortedObs);
    }
    for (size_t i = 0; i < p.obs.size();) {
        size_t j = i + 1;
        while (j < p.obs.size() && p.obs[j].pair == p.obs[i].pair)
            ++j;
        p.pairs.push_back(
            { qint32(p.obs[i].pair / R), qint32(p.obs[i].pair % R), qsizetype(i), qsizetype(j) });
        i = j;
    }
    return p;
}

void evaluatePair(const Prepared &p, const PairSpan &span, const qint32 *weight, Scratch &s, PairValue &out)
{
    qint64 n = 0;
    qint64 agree = 0;
    s.touched.clear();
    for (qsizetype k = span.begin; k < span.end; ++k) {
        const PairObservation &o = p.obs[size_t(k)];
        // Branch-free for weight 0 (a third of the units in a bootstrap replicate): adding
        // 0 changes nothing, and a label only joins the union with a nonzero weight.
        const qint64 w = weight ? weight[o.unit] : 1;
        n += w;
        agree += o.a == o.b ? w : 0;
        if (s.row[size_t(o.a)] == 0 && s.col[size_t(o.a)] == 0 && w != 0)
            s.touched.push_back(o.a);
        s.row[size_t(o.a)] += w;
        if (s.row[size_t(o.b)] == 0 && s.col[size_t(o.b)] == 0 && w != 0)
            s.touched.push_back(o.b);
        s.col[size_t(o.b)] += w;
    }
    out.items = n;
    if (n == 0)
        return;

    // scikit-learn: kappa = 1 - sum(W * confusion) / sum(W * outer(col, row) / n).
    qint64 diagonal = 0;
    for (const qint32 c : s.touched)
        diagonal += s.row[size_t(c)] * s.col[size_t(c)];
    const qint64 expected = n * n - diagonal; // n * sum of off-diagonal expected
    if (expected != 0)
        out.kappa = 1.0 - double(n - agree) * double(n) / double(expected);

    if (p.level != MeasureLevel::Nominal) {
        // Label indices in the sorted union of the two raters' labels.
        std::sort(s.touched.begin(), s.touched.end());
        double sumRow = 0, sumRowI = 0, sumRowI2 = 0, sumCol = 0, sumColI = 0, sumColI2 = 0;
        double expectedLinear = 0;
        for (size_t t = 0; t < s.touched.size(); ++t) {
            const qint32 c = s.touched[t];
            s.index[size_t(c)] = qint32(t);
            const double i = double(t);
            const double r = double(s.row[size_t(c)]);
            const double q = double(s.col[size_t(c)]);
            // pairs (row below, column here) and (column below, row here), weight |i - j|
            expectedLinear += q * (i * sumRow - sumRowI) + r * (i * sumCol - sumColI);
            sumRow += r;
            sumRowI += r * i;
            sumRowI2 += r * i * i;
            sumCol += q;
            sumColI += q * i;
            sumColI2 += q * i * i;
        }
        const double nd = double(n);
        const double expectedQuadratic = nd * sumRowI2 + nd * sumColI2 - 2 * sumRowI * sumColI;
        double observedLinear = 0, observedQuadratic = 0;
        for (qsizetype k = span.begin; k < span.end; ++k) {
            const PairObservation &o = p.obs[size_t(k)];
            const qint64 w = weight ? weight[o.unit] : 1;
            const double d = double(s.index[size_t(o.a)] - s.index[size_t(o.b)]);
            observedLinear += double(w) * std::abs(d);
            observedQuadratic += double(w) * d * d;
        }
        if (expectedLinear != 0)
            out.linear = 1.0 - nd * observedLinear / expectedLinear;
        if (expectedQuadratic != 0)
            out.quadratic = 1.0 - nd * observedQuadratic / expectedQuadratic;
    }
    for (const qint32 c : s.touched) {
        s.row[size_t(c)] = 0;
        s.col[size_t(c)] = 0;
    }
}

/// All statistics with unit u counted weight[u] times (nullptr: once each).
Evaluation evaluate(const Prepared &p, const qint32 *weight, Scratch &s)
{
    Evaluation e;
    const qsizetype units = p.units();
    std::fill(s.total.begin(), s.total.end(), 0);
    double shareSum = 0;
    double observed = 0; // Krippendorff: sum over units of the unit's disagreement
    qint32 minCount = std::numeric_limits<qint32>::max();
    qint32 maxCount = 0;
    for (qsizetype u = 0; u < units; ++u) {
        // No branch on w == 0 (unpredictable in a bootstrap replicate): it adds nothing.
        const qint32 w = weight ? weight[u] : 1;
        const qint32 begin = p.unitStart[size_t(u)];
        const qint32 end = p.unitStart[size_t(u) + 1];
        const qint32 m = end - begin;
        e.items += w;
        e.ratings += qint64(w) * m;
        shareSum += w * p.agreeShare[size_t(u)];
        observed += w * p.disagreement[size_t(u)];
        minCount = std::min(minCount, w ? m : std::numeric_limits<qint32>::max());
        maxCount = std::max(maxCount, w ? m : 0);
        for (qint32 i = begin; i < end; ++i)
            s.total[size_t(p.cat[size_t(i)])] += w;
    }
    e.minCount = e.items ? minCount : 0;
    e.maxCount = maxCount;

    qint32 used = 0;
    qint64 sumSquares = 0;
    for (const qint64 t : s.total) {
        used += t > 0;
        sumSquares += t * t;
    }
    const double n = double(e.ratings);

    // Percent agreement and Fleiss' kappa (the mean agreement share is Fleiss' P-bar).
    if (e.items > 0)
        e.percent = shareSum / double(e.items);
    if (e.items == 0) {
        e.fleissReason = FleissReason::NoItems;
    } else if (minCount != maxCount) {
        e.fleissReason = FleissReason::UnequalCounts;
    } else if (used < 2) {
        e.fleissReason = FleissReason::OneCategory;
    } else {
        double expected = 0;
        for (const qint64 t : s.total) {
            const double share = double(t) / n;
            expected += share * share;
        }
        e.fleiss = (e.percent - expected) / (1.0 - expected);
    }

    // Krippendorff's alpha = 1 - (n - 1) * sum o_ck d_ck / sum n_c n_k d_ck.
    if (used >= 2) {
        double expected = 0;
        if (p.level == MeasureLevel::Nominal) {
            expected = n * n - double(sumSquares);
        } else {
            const std::vector<double> *x = &p.value;
            if (p.level == MeasureLevel::Ordinal) {
                // The ordinal difference of c <= k is sum_{g=c..k} n_g - (n_c + n_k) / 2, which
                // is the difference of the mid-ranks cum(< g) + n_g / 2: an interval metric on them.
                double cumulative = 0;
                for (size_t c = 0; c < s.total.size(); ++c) {
                    s.mid[c] = cumulative + double(s.total[c]) / 2;
                    cumulative += double(s.total[c]);
                }
                x = &s.mid;
                observed = 0;
                for (qsizetype u = 0; u < units; ++u) {
                    const qint32 w = weight ? weight[u] : 1;
                    const qint32 begin = p.unitStart[size_t(u)];
                    const qint32 end = p.unitStart[size_t(u) + 1];
                    const double m = end - begin;
                    double mean = 0;
                    for (qint32 i = begin; i < end; ++i)
                        mean += s.mid[size_t(p.cat[size_t(i)])];
                    mean /= m;
                    double squares = 0;
                    for (qint32 i = begin; i < end; ++i) {
                        const double d = s.mid[size_t(p.cat[size_t(i)])] - mean;
                        squares += d * d;
                    }
                    observed += w * (2 * m * squares / (m - 1));
                }
            }
            double mean = 0;
            for (size_t c = 0; c < s.total.size(); ++c)
                mean += double(s.total[c]) * (*x)[c];
            mean /= n;
            double squares = 0;
            for (size_t c = 0; c < s.total.size(); ++c) {
                const double d = (*x)[c] - mean;
                squares += double(s.total[c]) * d * d;
            }
            expected = 2 * n * squares; // sum_{c,k} n_c n_k (x_c - x_k)^2
        }
        if (expected > 0)
            e.alpha = 1.0 - (n - 1) * observed / expected;
    }

    e.pairs.resize(p.pairs.size());
    for (size_t k = 0; k < p.pairs.size(); ++k)
        evaluatePair(p, p.pairs[k], weight, s, e.pairs[k]);
    return e;
}

std::optional<double> defined(double value)
{
    return std::isnan(value) ? std::nullopt : std::optional<double>(value);
}

/// Builds the result; spanOfPair receives, per result pair, its index in p.pairs.
FieldAgreement assemble(const RatingTable &table, const Prepared &p, const Evaluation &e,
    const qint32 *weight, std::vector<size_t> *spanOfPair)
{
    FieldAgreement f;
    f.field = table.field();
    f.level = p.level;
    f.items = e.items;
    f.ratings = e.ratings;
    std::vector<bool> seen(size_t(p.raterNames.size()), false);
    for (qsizetype u = 0; u < p.units(); ++u) {
        if (weight && weight[u] == 0)
            continue;
        for (qint32 i = p.unitStart[size_t(u)]; i < p.unitStart[size_t(u) + 1]; ++i)
            seen[size_t(p.rater[size_t(i)])] = true;
    }
    f.raters = std::count(seen.begin(), seen.end(), true);
    f.percentAgreement = defined(e.percent);
    f.fleissKappa = defined(e.fleiss);
    switch (e.fleissReason) {
    case FleissReason::None:
        break;
    case FleissReason::NoItems:
        f.fleissNote = tr("No item has two or more ratings.");
        break;
    case FleissReason::UnequalCounts:
        f.fleissNote = tr("Items have different numbers of ratings (%1 to %2); Fleiss' kappa needs the same "
                          "number for every item.")
                           .arg(e.minCount)
                           .arg(e.maxCount);
        break;
    case FleissReason::OneCategory:
        f.fleissNote = tr("Only one category was used, so chance agreement is 1 and kappa is undefined.");
        break;
    }
    f.alpha = defined(e.alpha);
    for (size_t k = 0; k < p.pairs.size(); ++k) {
        const PairValue &v = e.pairs[k];
        if (v.items == 0)
            continue;
        PairAgreement pair;
        pair.raterA = p.raterNames.at(p.pairs[k].raterA);
        pair.raterB = p.raterNames.at(p.pairs[k].raterB);
        pair.items = v.items;
        pair.kappa = defined(v.kappa);
        if (p.level != MeasureLevel::Nominal) {
            pair.kappaLinear = defined(v.linear);
            pair.kappaQuadratic = defined(v.quadratic);
        }
        f.pairs.append(pair);
        if (spanOfPair)
            spanOfPair->push_back(k);
    }
    return f;
}

/// numpy.percentile with linear interpolation; `values` gets sorted.
double percentile(std::vector<double> &values, double q)
{
    std::sort(values.begin(), values.end());
    const double position = q * double(values.size() - 1);
    const auto below = size_t(std::floor(position));
    const size_t above = std::min(below + 1, values.size() - 1);
    const double fraction = position - double(below);
    return values[below] + fraction * (values[above] - values[below]);
}

std::optional<ConfidenceInterval> interval(std::vector<double> &values, double level)
{
    if (values.empty())
        return std::nullopt;
    const double tail = (1.0 - level) / 2;
    ConfidenceInterval ci;
    ci.lower = percentile(values, tail);
    ci.upper = percentile(values, 1.0 - tail);
    ci.replicates = int(values.size());
    return ci;
}

/// Percentile bootstrap over the given units (resampled with replacement).
void bootstrap(const Prepared &p, const std::vector<qint32> &units, const std::vector<size_t> &spanOfPair,
    const AgreementOptions &options, Scratch &s, FieldAgreement &f)
{
    if (units.empty() || options.replicates <= 0)
        return;
    std::mt19937_64 random(options.seed);
    std::vector<qint32> weight(size_t(p.units()), 0);
    std::vector<double> fleiss, alpha;
    std::vector<std::vector<double>> kappa(spanOfPair.size()), linear(spanOfPair.size()),
        quadratic(spanOfPair.size());
    const auto count = quint64(units.size());
    for (int r = 0; r < options.replicates; ++r) {
        for (const qint32 u : units)
            weight[size_t(u)] = 0;
        for (quint64 k = 0; k < count; ++k)
            ++weight[size_t(units[size_t(random() % count)])];
        const Evaluation e = evaluate(p, weight.data(), s);
        if (!std::isnan(e.fleiss))
            fleiss.push_back(e.fleiss);
        if (!std::isnan(e.alpha))
            alpha.push_back(e.alpha);
        for (size_t k = 0; k < spanOfPair.size(); ++k) {
            const PairValue &v = e.pairs[spanOfPair[k]];
            if (!std::isnan(v.kappa))
                kappa[k].push_back(v.kappa);
            if (!std::isnan(v.linear))
                linear[k].push_back(v.linear);
            if (!std::isnan(v.quadratic))
                quadratic[k].push_back(v.quadratic);
        }
    }
    f.bootstrapReplicates = options.replicates;
    f.fleissKappaCi = interval(fleiss, options.confidenceLevel);
    f.alphaCi = interval(alpha, options.confidenceLevel);
    for (size_t k = 0; k < spanOfPair.size(); ++k) {
        PairAgreement &pair = f.pairs[qsizetype(k)];
        pair.kappaCi = interval(kappa[k], options.confidenceLevel);
        pair.kappaLinearCi = interval(linear[k], options.confidenceLevel);
        pair.kappaQuadraticCi = interval(quadratic[k], options.confidenceLevel);
    }
}

} // namespace

AgreementCalculator::AgreementCalculator(const AgreementOptions &options)
    : m_options(options)
{ }

std::optional<FieldAgreement> AgreementCalculator::compute(const RatingTable &table, QString *error) const
{
    const std::optional<Prepared> prepared = prepare(table, error);
    if (!prepared)
        return std::nullopt;
    const Prepared &p = *prepared;
    Scratch scratch(p.categories);
    const Evaluation e = evaluate(p, nullptr, scratch);
    std::vector<size_t> spanOfPair;
    FieldAgreement f = assemble(table, p, e, nullptr, &spanOfPair);
    if (m_options.bootstrap) {
        std::vector<qint32> units(size_t(p.units()));
        std::iota(units.begin(), units.end(), 0);
        bootstrap(p, units, spanOfPair, m_options, scratch, f);
    }
    return f;
}

std::optional<StratifiedAgreement> AgreementCalculator::computeStratified(
    const RatingTable &table, const QHash<QString, QString> &groupOfItem, QString *error) const
{
    const std::optional<Prepared> prepared = prepare(table, error);
    if (!prepared)
        return std::nullopt;
    const Prepared &p = *prepared;

    StratifiedAgreement result;
    result.field = table.field();
    QStringList names;
    for (const QString &item : table.items()) {
        const QString group = groupOfItem.value(item);
        if (!group.isEmpty())
            names.append(group);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    QHash<QString, qint32> groupId;
    for (qsizetype g = 0; g < names.size(); ++g)
        groupId.insert(names.at(g), qint32(g));

    std::vector<qint32> groupOf(size_t(table.itemCount()), -1);
    std::vector<qsizetype> size(size_t(names.size()), 0);
    for (qsizetype item = 0; item < table.itemCount(); ++item) {
        const QString group = groupOfItem.value(table.items().at(item));
        if (group.isEmpty()) {
            ++result.unassignedItems;
            continue;
        }
        const qint32 g = groupId.value(group);
        groupOf[size_t(item)] = g;
        ++size[size_t(g)];
    }

    Scratch scratch(p.categories);
    std::vector<qint32> weight(size_t(p.units()), 0);
    for (qsizetype g = 0; g < names.size(); ++g) {
        std::vector<qint32> units;
        for (qsizetype u = 0; u < p.units(); ++u) {
            const bool inGroup = groupOf[size_t(p.unitItem[size_t(u)])] == g;
            weight[size_t(u)] = inGroup ? 1 : 0;
            if (inGroup)
                units.push_back(qint32(u));
        }
        const Evaluation e = evaluate(p, weight.data(), scratch);
        std::vector<size_t> spanOfPair;
        GroupAgreement group;
        group.group = names.at(g);
        group.size = size[size_t(g)];
        group.agreement = assemble(table, p, e, weight.data(), &spanOfPair);
        if (m_options.bootstrap)
            bootstrap(p, units, spanOfPair, m_options, scratch, group.agreement);
        result.groups.append(group);
    }
    return result;
}

} // namespace dl
