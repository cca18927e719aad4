// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/Assignment.h"

namespace dl {

bool AssignmentStatus::isValid(const QString &status)
{
    return status == Todo || status == InProgress || status == Done || status == Skipped || status == Flagged;
}

} // namespace dl
