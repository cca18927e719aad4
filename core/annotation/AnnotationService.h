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
    /// Saves the actor's own annotation; marks the assignment in progress. The save is based on
    /// annotation.version (as read by own(), or returned by the last save): when the stored labels
    /// have changed since (another window or workstation saved first), nothing is written, the
    /// result is Conflict and *stored (when given) receives the labels stored now. Labels equal to
    /// the stored ones are saved already (annotation takes the stored version).
    SaveResult save(Annotation &annotation, QString *error, Annotation *stored);
    /// save() for callers that treat a conflict as any other failure (with a message).
    bool save(Annotation &annotation, QString *error) { return save(annotation, error, nullptr) == SaveResult::Saved; }
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
