// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QList>
#include <QString>

namespace dl {

class Store;

struct AssignmentResult
{
    qint64 added = 0;         ///< new (image, annotator) assignments
    qint64 removed = 0;       ///< assignments moved away from a disabled annotator
    qint64 images = 0;        ///< images considered
    qint64 underAssigned = 0; ///< images that could not reach K raters
};

/// Assigns images so that each is labelled by K distinct active annotators,
/// spreading the work evenly and never giving an image twice to one person.
/// Admins only; every change is one transaction with an audit entry.
class AssignmentService
{
public:
    static constexpr int DefaultRatersPerImage = 3;

    AssignmentService(Store &store, User actor) : m_store(store), m_actor(std::move(actor)) { }

    /// Tops up every listed image (all images when empty) to k raters.
    std::optional<AssignmentResult> assign(const QList<qint64> &imageIds, int k, QString *error);
    /// Disables an annotator, moves their unstarted images to others and tops
    /// up their started ones, so every image keeps k active raters.
    std::optional<AssignmentResult> disableAndRebalance(qint64 userId, QString *error);

private:
    Store &m_store;
    User m_actor;
};

} // namespace dl
