// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace dl {

class Store;

struct AssignmentResult
{
    qint64 added = 0;         ///< new (image, annotator) assignments
    qint64 removed = 0;       ///< assignments moved away from a disabled annotator
    qint64 images = 0;        ///< images considered
    qint64 underAssigned = 0; ///< images that could not reach K raters
    QHash<qint64, qint64> addedPerUser; ///< new assignments per annotator (user id)
};

/// What assign() and preview() do.
struct AssignmentRequest
{
    int k = 3; ///< distinct annotators per image
    /// Who may receive new work (active annotators only); empty: every active annotator.
    QList<qint64> annotators;
    /// The images to top up; empty: every image in the store.
    QList<qint64> imageIds;
    /// Only consider images that have fewer than k annotators now (the preview's and the
    /// result's image count differ; what is added does not).
    bool onlyUnderAssigned = false;
};

/// Assigns images so that each is labelled by K distinct annotators, spreading the work evenly
/// and never giving an image twice to one person. Who counts towards K on an image: every
/// active annotator assigned to it, and anyone whose label of it is done (finished work of a
/// disabled rater is kept and counts). Admins only; every change is one transaction with an audit
/// entry.
class AssignmentService
{
public:
    static constexpr int DefaultRatersPerImage = 3;

    AssignmentService(Store &store, User actor) : m_store(store), m_actor(std::move(actor)) { }

    /// What assign(request) would add, without changing anything (same algorithm, same answer
    /// while nothing else changes the store).
    std::optional<AssignmentResult> preview(const AssignmentRequest &request, QString *error) const;
    /// Tops up the requested images to request.k annotators and remembers k as the store's
    /// raters per image.
    std::optional<AssignmentResult> assign(const AssignmentRequest &request, QString *error);
    /// Tops up every listed image (all images when empty) to k raters.
    std::optional<AssignmentResult> assign(const QList<qint64> &imageIds, int k, QString *error);
    /// The store's raters per image: the K of the last assignment (DefaultRatersPerImage before
    /// the first).
    int ratersPerImage() const;

    /// After userId stopped being an active annotator (disabled or given another role): removes
    /// their unstarted assignments and tops every image they had not finished up to the store's
    /// K with active annotators; their done work stays and counts. Runs inside the caller's
    /// transaction and writes no audit entry of its own: UserService calls it when it disables a
    /// user or changes their role (this class knows nothing of UserService).
    std::optional<AssignmentResult> rebalanceAwayFrom(qint64 userId, QString *error);

private:
    std::optional<AssignmentResult> plan(const AssignmentRequest &request, bool apply, QString *error) const;

    Store &m_store;
    User m_actor;
};

} // namespace dl
