// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cmath>

namespace dl::test {

/// Whether actual is within tolerance of expected. A NaN matches only an expected NaN and an
/// infinity only the same infinity, so that a NaN never slips through as "close enough" (every
/// comparison with NaN is false, which makes `abs(actual - expected) > tolerance` pass it).
inline bool withinTolerance(double actual, double expected, double tolerance)
{
    if (std::isnan(expected))
        return std::isnan(actual);
    if (std::isinf(expected))
        return actual == expected;
    return std::isfinite(actual) && std::abs(actual - expected) <= tolerance;
}

} // namespace dl::test
