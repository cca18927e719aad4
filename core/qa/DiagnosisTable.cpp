// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/DiagnosisTable.h"

namespace dl {

qint32 DiagnosisTable::intern(QHash<QString, qint32> &ids, QStringList &names, const QString &name)
{
    auto it = ids.find(name);
    if (it != ids.end())
        return *it;
    const auto id = qint32(names.size());
    ids.insert(name, id);
    names.append(name);
    return id;
}

bool DiagnosisTable::add(const QString &item, const QString &rater, const QStringList &conditions)
{
    QStringList kept;
    for (const QString &condition : conditions) {
        if (!condition.isEmpty() && !kept.contains(condition))
            kept.append(condition);
        if (kept.size() == MaxConditions)
            break;
    }
    if (kept.isEmpty())
        return false;
    const qint32 knownItem = m_itemIds.value(item, -1);
    const qint32 knownRater = m_raterIds.value(rater, -1);
    if (knownItem >= 0 && knownRater >= 0
        && m_rated.contains((quint64(quint32(knownItem)) << 32) | quint32(knownRater)))
        return false;

    const qint32 i = intern(m_itemIds, m_items, item);
    const qint32 r = intern(m_raterIds, m_raters, rater);
    Ranked ranked;
    ranked.fill(-1);
    for (qsizetype k = 0; k < kept.size(); ++k)
        ranked[size_t(k)] = intern(m_conditionIds, m_conditions, kept.at(k));
    m_rated.insert((quint64(quint32(i)) << 32) | quint32(r));
    m_itemOf.append(i);
    m_raterOf.append(r);
    m_rankedOf.append(ranked);
    return true;
}

} // namespace dl
