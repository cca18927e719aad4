// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <array>

namespace dl {

/// Ranked differential diagnoses: per (item, rater) a list of up to three condition ids,
/// most likely first. Ids are interned like in RatingTable.
class DiagnosisTable
{
public:
    static constexpr int MaxConditions = 3;
    using Ranked = std::array<qint32, MaxConditions>; ///< condition ids, -1 = none

    /// Adds one rater's differential for an item. Repeated conditions are dropped (the
    /// first occurrence keeps its rank), empty ids are ignored and only the first three
    /// remaining are kept. Returns false, leaving the table unchanged, when the list is
    /// empty after that or when `rater` already gave a differential for `item`.
    bool add(const QString &item, const QString &rater, const QStringList &conditions);

    qsizetype ratingCount() const { return m_itemOf.size(); }
    qsizetype itemCount() const { return m_items.size(); }
    const QStringList &items() const { return m_items; }
    const QStringList &raters() const { return m_raters; }
    const QStringList &conditions() const { return m_conditions; }

    /// Rating i is (itemOf()[i], raterOf()[i], rankedOf()[i]).
    const QList<qint32> &itemOf() const { return m_itemOf; }
    const QList<qint32> &raterOf() const { return m_raterOf; }
    const QList<Ranked> &rankedOf() const { return m_rankedOf; }

private:
    static qint32 intern(QHash<QString, qint32> &ids, QStringList &names, const QString &name);

    QStringList m_items, m_raters, m_conditions;
    QHash<QString, qint32> m_itemIds, m_raterIds, m_conditionIds;
    QList<qint32> m_itemOf, m_raterOf;
    QList<Ranked> m_rankedOf;
    QSet<quint64> m_rated;
};

} // namespace dl
