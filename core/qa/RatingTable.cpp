// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/RatingTable.h"

#include <algorithm>

namespace dl {

namespace {

quint64 ratedKey(qint32 item, qint32 rater)
{
    return (quint64(quint32(item)) << 32) | quint32(rater);
}

} // namespace

RatingTable::RatingTable(const QString &field, MeasureLevel level)
    : m_field(field)
    , m_level(level)
{ }

qint32 RatingTable::intern(QHash<QString, qint32> &ids, QStringList &names, const QString &name)
{
    auto it = ids.find(name);
    if (it != ids.end())
        return *it;
    const auto id = qint32(names.size());
    ids.insert(name, id);
    names.append(name);
    return id;
}

bool RatingTable::add(const QString &item, const QString &rater, const QString &value)
{
    if (value.isEmpty())
        return false;
    const qint32 existingItem = itemId(item);
    const qint32 existingRater = raterId(rater);
    if (existingItem >= 0 && existingRater >= 0 && isRated(existingItem, existingRater))
        return false;
    const qint32 i = intern(m_itemIds, m_items, item);
    const qint32 r = intern(m_raterIds, m_raters, rater);
    const qint32 v = intern(m_valueIds, m_values, value);
    markRated(i, r);
    m_itemOf.append(i);
    m_raterOf.append(r);
    m_valueOf.append(v);
    return true;
}

bool RatingTable::markRated(qint32 item, qint32 rater)
{
    if (rater < 64) {
        if (size_t(item) >= m_ratedBits.size())
            m_ratedBits.resize(std::max(size_t(item) + 1, m_ratedBits.size() * 2), 0);
        quint64 &bits = m_ratedBits[size_t(item)];
        const quint64 bit = quint64(1) << rater;
        if (bits & bit)
            return false;
        bits |= bit;
        return true;
    }
    const qsizetype before = m_rated.size();
    m_rated.insert(ratedKey(item, rater));
    return m_rated.size() != before;
}

bool RatingTable::isRated(qint32 item, qint32 rater) const
{
    if (rater < 64)
        return size_t(item) < m_ratedBits.size() && (m_ratedBits[size_t(item)] >> rater) & 1;
    return m_rated.contains(ratedKey(item, rater));
}

bool RatingTable::addIds(qint32 item, qint32 rater, qint32 value)
{
    if (!markRated(item, rater))
        return false;
    m_itemOf.append(item);
    m_raterOf.append(rater);
    m_valueOf.append(value);
    return true;
}

bool RatingTable::contains(const QString &item, const QString &rater) const
{
    const qint32 i = itemId(item);
    const qint32 r = raterId(rater);
    return i >= 0 && r >= 0 && isRated(i, r);
}

void RatingTable::reserve(qsizetype ratings)
{
    m_itemOf.reserve(ratings);
    m_raterOf.reserve(ratings);
    m_valueOf.reserve(ratings);
    m_ratedBits.reserve(size_t(ratings));
}

} // namespace dl
