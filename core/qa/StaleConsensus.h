// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>

namespace dl {

class Store;

/// Consensus under blinding on a team store. An annotator's connection may
/// not read the other raters' labels, so a label save there does not
/// recompute the image's consensus: the server's trigger marks the image in
/// `consensus_stale`, and the next QA lead's or admin's session (dashboard,
/// consensus, export, agreement) recomputes the marked images with the one
/// ConsensusCalculator. On a local store nothing is ever marked: consensus
/// follows each save.
class StaleConsensus
{
public:
    /// Whether a label change on this thread's connection of store leaves the
    /// consensus to the server's mark (a team store, and the connected user
    /// cannot read every rater's labels).
    static bool isDeferred(const Store &store);

    /// Recomputes the consensus of every marked image and clears its mark,
    /// one short transaction per image. Returns how many were recomputed;
    /// nothing to do (or a connection that may not do it) returns 0.
    static std::optional<int> recompute(const Store &store, QString *error);
};

} // namespace dl
