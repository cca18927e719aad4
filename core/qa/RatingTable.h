// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/MeasureLevel.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <vector>

namespace dl {

/// The ratings of one field: at most one value per (item, rater).
///
/// Items, raters and values are interned to dense ids (0, 1, 2, ... in order of first
/// appearance) and the ratings kept in three flat parallel arrays, so the statistics
/// never touch a string or a hash in their inner loops. Values are kept as the strings
/// given; whether they must be numbers is decided by the level when the statistics
/// are computed (see AgreementCalculator).
class RatingTable
{
public:
    explicit RatingTable(const QString &field = {}, MeasureLevel level = MeasureLevel::Nominal);

    QString field() const { return m_field; }
    void setField(const QString &field) { m_field = field; }
    MeasureLevel level() const { return m_level; }
    void setLevel(MeasureLevel level) { m_level = level; }

    /// Adds one rating. Returns false, leaving the table unchanged, when `rater` has
    /// already rated `item` or when `value` is empty (an empty value is no rating).
    bool add(const QString &item, const QString &rater, const QString &value);

    /// For readers that intern names themselves (RatingsFile): the id of a name, added (at the
    /// end, as add() would) when new.
    qint32 internItem(const QString &item) { return intern(m_itemIds, m_items, item); }
    qint32 internRater(const QString &rater) { return intern(m_raterIds, m_raters, rater); }
    qint32 internValue(const QString &value) { return intern(m_valueIds, m_values, value); }
    /// Adds one rating by the ids of interned names. Returns false, leaving the table unchanged,
    /// when the rater has already rated the item.
    bool addIds(qint32 item, qint32 rater, qint32 value);

    /// True when `rater` has rated `item`.
    bool contains(const QString &item, const QString &rater) const;

    qsizetype ratingCount() const { return m_itemOf.size(); }
    qsizetype itemCount() const { return m_items.size(); }
    qsizetype raterCount() const { return m_raters.size(); }
    qsizetype valueCount() const { return m_values.size(); }

    /// Names by id.
    const QStringList &items() const { return m_items; }
    const QStringList &raters() const { return m_raters; }
    const QStringList &values() const { return m_values; }

    /// Id of a name, or -1.
    qint32 itemId(const QString &item) const { return m_itemIds.value(item, -1); }
    qint32 raterId(const QString &rater) const { return m_raterIds.value(rater, -1); }
    qint32 valueId(const QString &value) const { return m_valueIds.value(value, -1); }

    /// Rating i is (itemOf()[i], raterOf()[i], valueOf()[i]), in the order added.
    const QList<qint32> &itemOf() const { return m_itemOf; }
    const QList<qint32> &raterOf() const { return m_raterOf; }
    const QList<qint32> &valueOf() const { return m_valueOf; }

    /// Reserves room for `ratings` ratings.
    void reserve(qsizetype ratings);

private:
    static qint32 intern(QHash<QString, qint32> &ids, QStringList &names, const QString &name);
    /// Records that rater has rated item; false when it already had.
    bool markRated(qint32 item, qint32 rater);
    bool isRated(qint32 item, qint32 rater) const;

    QString m_field;
    MeasureLevel m_level;
    QStringList m_items, m_raters, m_values;
    QHash<QString, qint32> m_itemIds, m_raterIds, m_valueIds;
    QList<qint32> m_itemOf, m_raterOf, m_valueOf;
    /// Who rated what: a bit per rater (the first 64 raters) per item, else (item << 32) | rater.
    std::vector<quint64> m_ratedBits;
    QSet<quint64> m_rated;
};

} // namespace dl
