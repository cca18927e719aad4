// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "model/User.h"

#include <QList>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// Reading and writing labels as a signed-in user. Blinding is enforced
/// here: an annotator reads and writes only their own labels, on images
/// assigned to them; QA leads and admins read everyone's. Every save is one
/// transaction that also writes the audit log.
class AnnotationService
{
public:
    AnnotationService(Store &store, User actor) : m_store(store), m_actor(std::move(actor)) { }

    /// The actor's own annotation of an assigned image (a blank one if none yet).
    std::optional<Annotation> own(qint64 imageId, QString *error) const;
    /// Saves the actor's own annotation; marks the assignment in progress.
    bool save(Annotation &annotation, QString *error);
    /// Sets the actor's assignment status (todo, in_progress, done, skipped, flagged).
    bool setStatus(qint64 imageId, const QString &status, QString *error);
    /// Every rater's annotation of an image: QA leads and admins only.
    std::optional<QList<Annotation>> all(qint64 imageId, QString *error) const;

    /// Checks the values of an annotation; false with a message naming the field.
    static bool validate(const Annotation &annotation, QString *error);
    /// True when every question is answered.
    static bool isComplete(const Annotation &annotation);

private:
    bool checkAssigned(qint64 imageId, QString *error) const;

    Store &m_store;
    User m_actor;
};

} // namespace dl
