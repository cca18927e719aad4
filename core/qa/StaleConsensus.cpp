// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/StaleConsensus.h"

#include "qa/ConsensusService.h"
#include "store/ConsensusRepository.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"
#include "store/TeamSecurity.h"

namespace dl {

bool StaleConsensus::isDeferred(const Store &store)
{
    return TeamSecurity::managesUsers(store.db()) && !TeamSecurity::readsAllLabels(store.db());
}

std::optional<int> StaleConsensus::recompute(const Store &store, QString *error)
{
    if (isDeferred(store))
        return 0;
    ConsensusRepository consensus(store);
    QString readError;
    const QList<qint64> images = consensus.staleImages(&readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    const int quorum = ConsensusService::quorum(store);
    int done = 0;
    for (const qint64 image : images) {
        StoreTransaction tx(store);
        if (!tx.isActive()) {
            *error = tx.error();
            return std::nullopt;
        }
        // The mark goes first: a save that commits meanwhile marks the image
        // again (it waits for this transaction), so no change is lost.
        if (!consensus.clearStale(image, error) || !ConsensusService::recomputeImage(store, image, quorum, error))
            return std::nullopt;
        if (!tx.commit()) {
            *error = tx.error();
            return std::nullopt;
        }
        ++done;
    }
    return done;
}

} // namespace dl
