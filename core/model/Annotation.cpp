// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/Annotation.h"

namespace dl {

bool Annotation::sameLabels(const Annotation &o) const
{
    return gradable == o.gradable && ungradableReason == o.ungradableReason && visibleCondition == o.visibleCondition
        && sensitive == o.sensitive && identifying == o.identifying && cannotDetermine == o.cannotDetermine
        && diagnoses == o.diagnoses && fitzpatrick == o.fitzpatrick && monk == o.monk && note == o.note;
}

} // namespace dl
