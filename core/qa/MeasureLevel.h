// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringView>
#include <optional>

namespace dl {

/// How the values of a rated field relate to each other.
/// Nominal values are only equal or different; ordinal and interval values must be
/// numbers and are ordered numerically (ordinal: only the order matters; interval:
/// differences matter).
enum class MeasureLevel
{
    Nominal,
    Ordinal,
    Interval
};

/// "nominal", "ordinal" or "interval".
QString measureLevelName(MeasureLevel level);

/// Parses a level name (case-insensitive); nullopt when unknown.
std::optional<MeasureLevel> measureLevelFromName(QStringView name);

} // namespace dl
