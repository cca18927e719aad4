// SPDX-License-Identifier: GPL-3.0-or-later
#include "anonymity/Anonymiser.h"

#include "taxonomy/Taxonomy.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString unknown()
{
    return u"unknown"_s;
}

/// The members of a set, blank ones as "unknown", each generalised; sorted, unique, joined.
std::optional<QString> generaliseSet(const Hierarchy &h, const QStringList &atoms, int level, QString *uncovered)
{
    QStringList out;
    for (const QString &atom : atoms) {
        const QString value = atom.trimmed().isEmpty() ? unknown() : atom.trimmed();
        const auto g = h.generalise(value, level);
        if (!g) {
            *uncovered = value;
            return std::nullopt;
        }
        out.append(*g);
    }
    if (out.isEmpty()) {
        const auto g = h.generalise(unknown(), level);
        if (!g) {
            *uncovered = unknown();
            return std::nullopt;
        }
        out.append(*g);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out.join(u"; "_s);
}

/// Every person's value of every column at every level, as small integers.
struct Encoded
{
    int columns = 0;   ///< demographic columns + 1 (the condition, last)
    int people = 0;
    std::vector<std::vector<std::vector<int>>> ids; ///< [column][level][person]
    std::vector<std::vector<std::vector<QString>>> strings; ///< [column][level][id] -> value
    std::vector<int> unknownCondition;              ///< [condition level] -> the id of "no condition"
};

class Search
{
public:
    Search(const Encoded &e, const QList<int> &heights, int k, int l, int allowed)
        : m_e(e), m_heights(heights), m_k(k), m_l(l), m_allowed(allowed)
    { }

    /// Evaluates one node; `held` (when given) receives each person's suppression.
    NodeOutcome evaluate(const QList<int> &levels, std::vector<Suppression> *held = nullptr) const
    {
        NodeOutcome o;
        o.levels = levels;
        const int n = m_e.people;
        const int cond = m_e.columns - 1;
        std::vector<int> order(n);
        std::iota(order.begin(), order.end(), 0);
        auto id = [&](int c, int p) { return m_e.ids[c][levels[c]][p]; };
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            for (int c = 0; c < m_e.columns; ++c) {
                const int x = id(c, a), y = id(c, b);
                if (x != y)
                    return x < y;
            }
            return a < b;
        });
        auto sameDemographics = [&](int a, int b) {
            for (int c = 0; c < cond; ++c) {
                if (id(c, a) != id(c, b))
                    return false;
            }
            return true;
        };
        std::vector<Suppression> why(n, Suppression::None);
        const int unknownCondition = m_e.unknownCondition[levels[cond]];
        for (int g = 0; g < n;) {
            int gEnd = g;
            while (gEnd < n && sameDemographics(order[g], order[gEnd]))
                ++gEnd;
            // Classes inside the demographic group: runs of one condition set.
            int distinct = 0;
            QList<std::pair<int, int>> kept;
            for (int c = g; c < gEnd;) {
                int cEnd = c;
                while (cEnd < gEnd && id(cond, order[cEnd]) == id(cond, order[c]))
                    ++cEnd;
                const int size = cEnd - c;
                if (size < m_k) {
                    ++o.classesBelowK;
                    o.peopleMissing += m_k - size;
                    for (int i = c; i < cEnd; ++i)
                        why[order[i]] = Suppression::KAnonymity;
                    o.suppressedByK += size;
                } else {
                    kept.append({c, cEnd});
                    if (id(cond, order[c]) != unknownCondition)
                        ++distinct;
                }
                c = cEnd;
            }
            if (!kept.isEmpty() && m_l > 1 && distinct < m_l) {
                ++o.groupsBelowL;
                for (const auto &[c, cEnd] : std::as_const(kept)) {
                    for (int i = c; i < cEnd; ++i)
                        why[order[i]] = Suppression::LDiversity;
                    o.suppressedByL += cEnd - c;
                }
            } else {
                o.classes += int(kept.size());
            }
            g = gEnd;
        }
        o.suppressed = o.suppressedByK + o.suppressedByL;
        double h = 0;
        int generalisable = 0;
        for (int c = 0; c < m_e.columns; ++c) {
            if (m_heights[c] > 0) {
                h += double(levels[c]) / m_heights[c];
                ++generalisable;
            }
        }
        o.heightLoss = generalisable ? h / generalisable : 0.0;
        o.suppressedShare = n ? double(o.suppressed) / n : 0.0;
        o.loss = (1.0 - Anonymiser::lossWeight) * o.heightLoss + Anonymiser::lossWeight * o.suppressedShare;
        o.withinLimit = o.suppressed <= m_allowed;
        if (held)
            *held = std::move(why);
        return o;
    }

private:
    const Encoded &m_e;
    QList<int> m_heights;
    int m_k, m_l, m_allowed;
};

int levelSum(const QList<int> &levels)
{
    return std::accumulate(levels.cbegin(), levels.cend(), 0);
}

/// True when a is the better node (see the class comment).
bool better(const NodeOutcome &a, const NodeOutcome &b)
{
    constexpr double eps = 1e-12;
    if (a.withinLimit != b.withinLimit)
        return a.withinLimit;
    if (!a.withinLimit && a.suppressed != b.suppressed)
        return a.suppressed < b.suppressed;
    if (std::abs(a.loss - b.loss) > eps)
        return a.loss < b.loss;
    if (levelSum(a.levels) != levelSum(b.levels))
        return levelSum(a.levels) < levelSum(b.levels);
    return a.levels < b.levels;
}

} // namespace

std::optional<QList<Hierarchy>> Anonymiser::hierarchies(const AnonymityOptions &options, QString *error)
{
    QList<Hierarchy> list;
    for (const QString &column : options.columns) {
        if (!QuasiIdentifiers::isDemographic(column)) {
            *error = tr("\"%1\" is not a quasi-identifier DermLabel knows (%2).")
                         .arg(column, QuasiIdentifiers::demographic().join(u", "_s));
            return std::nullopt;
        }
        const QString path = options.hierarchyFiles.value(column, QuasiIdentifiers::shippedHierarchy(column));
        auto h = Hierarchy::load(path, column, error);
        if (!h)
            return std::nullopt;
        list.append(*h);
    }
    for (auto it = options.hierarchyFiles.cbegin(); it != options.hierarchyFiles.cend(); ++it) {
        if (!options.columns.contains(it.key())) {
            *error = tr("A hierarchy was given for %1, which is not among the quasi-identifiers.").arg(it.key());
            return std::nullopt;
        }
    }
    list.append(options.generaliseCondition ? Hierarchy::ofTaxonomy(Taxonomy::builtin(), QuasiIdentifiers::condition())
                                            : Hierarchy::flat(QuasiIdentifiers::condition()));
    return list;
}

AnonymityResult Anonymiser::run(const QList<PersonRecord> &people, const AnonymityOptions &options)
{
    AnonymityResult result;
    result.options = options;
    result.people = int(people.size());
    const auto hierarchies = Anonymiser::hierarchies(options, &result.error);
    if (!hierarchies)
        return result;
    result.hierarchies = *hierarchies;
    const int columns = int(hierarchies->size());
    for (int c = 0; c < columns; ++c) {
        const Hierarchy &h = hierarchies->at(c);
        ColumnChoice choice;
        choice.column = h.column();
        choice.height = h.height();
        choice.maxLevel = std::clamp(options.maxLevel.value(h.column(), h.height()), 0, h.height());
        result.columns.append(choice);
    }
    for (auto it = options.maxLevel.cbegin(); it != options.maxLevel.cend(); ++it) {
        if (!options.columns.contains(it.key()) && it.key() != QuasiIdentifiers::condition()) {
            result.error = tr("A level was pinned for %1, which is not among the quasi-identifiers.").arg(it.key());
            return result;
        }
    }

    // Every value at every level, refused when a hierarchy does not cover it.
    Encoded e;
    e.columns = columns;
    e.people = int(people.size());
    e.ids.resize(columns);
    e.strings.resize(columns);
    for (int c = 0; c < columns; ++c) {
        const Hierarchy &h = hierarchies->at(c);
        const bool isCondition = c == columns - 1;
        e.ids[c].resize(h.height() + 1);
        e.strings[c].resize(h.height() + 1);
        for (int level = 0; level <= h.height(); ++level) {
            QHash<QString, int> idOf;
            std::vector<int> &ids = e.ids[c][level];
            ids.reserve(people.size());
            for (const PersonRecord &p : people) {
                QStringList atoms;
                if (isCondition) {
                    for (const QString &condition : p.conditions) {
                        if (!condition.trimmed().isEmpty() && condition.trimmed() != unknown())
                            atoms.append(condition);
                    }
                } else {
                    atoms = p.values.value(h.column());
                }
                QString uncovered;
                const auto value = generaliseSet(h, atoms, level, &uncovered);
                if (!value) {
                    result.error = tr("The hierarchy of %1 does not cover the value \"%2\"; add it to the "
                                      "hierarchy or correct the value.")
                                       .arg(QuasiIdentifiers::title(h.column()), uncovered);
                    return result;
                }
                const auto known = idOf.constFind(*value);
                if (known != idOf.cend()) {
                    ids.push_back(*known);
                } else {
                    ids.push_back(int(idOf.size()));
                    idOf.insert(*value, ids.back());
                    e.strings[c][level].push_back(*value);
                }
            }
            if (isCondition) {
                QString ignored;
                const auto none = generaliseSet(h, {}, level, &ignored);
                e.unknownCondition.push_back(idOf.value(none.value_or(unknown()), -1));
            }
        }
    }

    result.allowedSuppressed = int(std::floor(options.suppressionLimit * double(people.size()) + 1e-9));
    QList<int> heights;
    for (const ColumnChoice &c : std::as_const(result.columns))
        heights.append(c.height);
    const Search search(e, heights, std::max(1, options.k), std::max(1, options.l), result.allowedSuppressed);

    // Every node of the lattice (mixed radix over the allowed levels).
    QList<int> levels(columns, 0);
    bool first = true;
    while (true) {
        const NodeOutcome o = search.evaluate(levels);
        ++result.nodes;
        result.nodesWithinLimit += o.withinLimit ? 1 : 0;
        if (first || better(o, result.chosen))
            result.chosen = o;
        first = false;
        int c = 0;
        while (c < columns && levels[c] == result.columns[c].maxLevel) {
            levels[c] = 0;
            ++c;
        }
        if (c == columns)
            break;
        ++levels[c];
    }

    std::vector<Suppression> held;
    search.evaluate(result.chosen.levels, &held);
    for (int c = 0; c < columns; ++c) {
        ColumnChoice &choice = result.columns[c];
        choice.level = result.chosen.levels[c];
        choice.levelName = hierarchies->at(c).levelName(choice.level);
    }
    for (int p = 0; p < e.people; ++p) {
        const QString &person = people.at(p).person;
        if (held[p] != Suppression::None) {
            result.suppressed.insert(person, held[p]);
            continue;
        }
        QHash<QString, QString> values;
        for (int c = 0; c + 1 < columns; ++c)
            values.insert(result.columns[c].column, e.strings[c][result.chosen.levels[c]][e.ids[c][result.chosen.levels[c]][p]]);
        result.released.insert(person, values);
    }

    // What blocks the next finer level of each generalised column.
    for (int c = 0; c < columns; ++c) {
        if (result.chosen.levels[c] == 0)
            continue;
        QList<int> finer = result.chosen.levels;
        --finer[c];
        const NodeOutcome o = search.evaluate(finer);
        const QString what = tr("%1 (%2)").arg(QuasiIdentifiers::title(result.columns[c].column),
                                                hierarchies->at(c).levelName(finer[c]));
        if (!o.withinLimit) {
            QString sentence = tr("%1 would hold back %2 of %3 people (the limit is %4)")
                                   .arg(what)
                                   .arg(o.suppressed)
                                   .arg(e.people)
                                   .arg(result.allowedSuppressed);
            if (o.classesBelowK > 0)
                sentence += tr(": %1 groups of people with the same values and condition have fewer than %2 people "
                               "and need about %3 more people")
                                .arg(o.classesBelowK)
                                .arg(options.k)
                                .arg(o.peopleMissing);
            if (o.groupsBelowL > 0)
                sentence += (o.classesBelowK > 0 ? tr("; ") : tr(": "))
                    + tr("%1 groups with the same demographics have fewer than %2 distinct conditions")
                          .arg(o.groupsBelowL)
                          .arg(options.l);
            result.blocking.append(sentence + u'.');
        } else {
            result.blocking.append(tr("%1 would hold back %2 people and lose more information in all (%3 against %4).")
                                       .arg(what)
                                       .arg(o.suppressed)
                                       .arg(o.loss, 0, 'f', 3)
                                       .arg(result.chosen.loss, 0, 'f', 3));
        }
    }
    result.ok = true;
    return result;
}

int AnonymityResult::levelOf(const QString &column) const
{
    for (const ColumnChoice &c : columns) {
        if (c.column == column)
            return c.level;
    }
    return 0;
}

QString AnonymityResult::generalise(const QString &column, const QString &value) const
{
    for (qsizetype c = 0; c < columns.size(); ++c) {
        if (columns.at(c).column != column)
            continue;
        const Hierarchy &h = hierarchies.at(c);
        const int level = columns.at(c).level;
        if (level == 0 || value.trimmed().isEmpty())
            return value;
        const auto g = h.generalise(value, level);
        return g ? *g : h.generalise(u"unknown"_s, h.height()).value_or(QString());
    }
    return value;
}

QJsonObject AnonymityResult::toJson() const
{
    QJsonArray qis;
    for (const ColumnChoice &c : columns) {
        qis.append(QJsonObject {{u"column"_s, c.column},
                                {u"level"_s, c.level},
                                {u"level_name"_s, c.levelName},
                                {u"height"_s, c.height},
                                {u"max_level"_s, c.maxLevel}});
    }
    int byK = 0, byL = 0;
    for (Suppression s : suppressed)
        (s == Suppression::KAnonymity ? byK : byL) += 1;
    return {{u"quasi_identifiers"_s, qis},
            {u"k"_s, options.k},
            {u"l"_s, options.l},
            {u"records"_s, u"people (cases; an image without a case is a person of its own)"_s},
            {u"suppression_limit"_s, options.suppressionLimit},
            {u"people"_s, people},
            {u"people_released"_s, int(released.size())},
            {u"people_held_back"_s, int(suppressed.size())},
            {u"people_held_back_by_reason"_s, QJsonObject {{u"k_anonymity"_s, byK}, {u"l_diversity"_s, byL}}},
            {u"suppression_limit_met"_s, chosen.withinLimit},
            {u"classes"_s, chosen.classes},
            {u"information_loss"_s, chosen.loss},
            {u"generalisation_height"_s, chosen.heightLoss},
            {u"suppressed_share"_s, chosen.suppressedShare},
            {u"loss_measure"_s, u"0.5 x mean over the quasi-identifiers with a hierarchy of (level / height) + 0.5 x "
                                u"share of people held back; ties: smaller sum of levels, then smaller levels in "
                                u"column order"_s},
            {u"lattice_nodes"_s, nodes},
            {u"lattice_nodes_within_limit"_s, nodesWithinLimit},
            {u"blocking"_s, QJsonArray::fromStringList(blocking)}};
}

} // namespace dl
