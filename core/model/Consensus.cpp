// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/Consensus.h"

using namespace Qt::StringLiterals;

namespace dl {

QString consensusStatusName(ConsensusStatus status)
{
    switch (status) {
    case ConsensusStatus::Agreed:
        return u"agreed"_s;
    case ConsensusStatus::Pending:
        return u"pending"_s;
    case ConsensusStatus::Adjudicate:
        return u"adjudicate"_s;
    case ConsensusStatus::Adjudicated:
        return u"adjudicated"_s;
    }
    return {};
}

std::optional<ConsensusStatus> consensusStatusFromName(const QString &name)
{
    for (ConsensusStatus s : {ConsensusStatus::Agreed, ConsensusStatus::Pending, ConsensusStatus::Adjudicate,
                              ConsensusStatus::Adjudicated}) {
        if (consensusStatusName(s) == name)
            return s;
    }
    return std::nullopt;
}

const FieldConsensus *ImageConsensus::field(const QString &name) const
{
    for (const FieldConsensus &f : fields) {
        if (f.field == name)
            return &f;
    }
    return nullptr;
}

} // namespace dl
