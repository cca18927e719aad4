// SPDX-License-Identifier: GPL-3.0-or-later
#include "anonymity/QuasiIdentifiers.h"

using namespace Qt::StringLiterals;

namespace dl {

const QStringList &QuasiIdentifiers::demographic()
{
    static const QStringList ids {u"age_group"_s, u"sex_at_birth"_s, u"skin_type"_s,
                                  u"body_site"_s, u"country"_s,      u"condition_duration"_s};
    return ids;
}

QStringList QuasiIdentifiers::defaults()
{
    QStringList ids = demographic();
    ids.removeAll(u"condition_duration"_s);
    return ids;
}

QString QuasiIdentifiers::title(const QString &id)
{
    if (id == u"age_group"_s)
        return tr("age group");
    if (id == u"sex_at_birth"_s)
        return tr("sex at birth");
    if (id == u"skin_type"_s)
        return tr("self-reported skin type");
    if (id == u"body_site"_s)
        return tr("body site");
    if (id == u"country"_s)
        return tr("country");
    if (id == u"condition_duration"_s)
        return tr("condition duration");
    if (id == condition())
        return tr("condition");
    return id;
}

QString QuasiIdentifiers::shippedHierarchy(const QString &id)
{
    return isDemographic(id) ? u":/anonymity/%1.csv"_s.arg(id) : QString();
}

} // namespace dl
