// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/MeasureLevel.h"

using namespace Qt::StringLiterals;

namespace dl {

QString measureLevelName(MeasureLevel level)
{
    switch (level) {
    case MeasureLevel::Nominal:
        return u"nominal"_s;
    case MeasureLevel::Ordinal:
        return u"ordinal"_s;
    case MeasureLevel::Interval:
        return u"interval"_s;
    }
    return {};
}

std::optional<MeasureLevel> measureLevelFromName(QStringView name)
{
    const QStringView n = name.trimmed();
    if (n.compare(u"nominal"_s, Qt::CaseInsensitive) == 0)
        return MeasureLevel::Nominal;
    if (n.compare(u"ordinal"_s, Qt::CaseInsensitive) == 0)
        return MeasureLevel::Ordinal;
    if (n.compare(u"interval"_s, Qt::CaseInsensitive) == 0)
        return MeasureLevel::Interval;
    return std::nullopt;
}

} // namespace dl
