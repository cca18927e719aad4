// SPDX-License-Identifier: GPL-3.0-or-later
#include "annotation/AnnotationService.h"

#include "auth/Permissions.h"
#include "model/LabelVocabulary.h"
#include "qa/ConsensusService.h"
#include "qa/StaleConsensus.h"
#include "store/AnnotationRepository.h"
#include "store/AssignmentRepository.h"
#include "store/AuditLog.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::AnnotationService", text);
}

bool AnnotationService::checkAssigned(qint64 imageId, QString *error) const
{
    if (!Permissions::check(m_actor, Action::Annotate, error))
        return false;
    QString dbError;
    if (!AssignmentRepository(m_store).isAssigned(imageId, m_actor.id, &dbError)) {
        *error = dbError.isEmpty() ? tr("This image is not assigned to %1.").arg(m_actor.name) : dbError;
        return false;
    }
    return true;
}

std::optional<Annotation> AnnotationService::own(qint64 imageId, QString *error) const
{
    if (!checkAssigned(imageId, error))
        return std::nullopt;
    QString dbError;
    if (auto found = AnnotationRepository(m_store).find(imageId, m_actor.id, &dbError))
        return found;
    if (!dbError.isEmpty()) {
        *error = dbError;
        return std::nullopt;
    }
    Annotation blank;
    blank.imageId = imageId;
    blank.userId = m_actor.id;
    return blank;
}

bool AnnotationService::validate(const Annotation &a, QString *error)
{
    static const QStringList visible {u"yes"_s, u"no"_s, u"unsure"_s};
    auto inScale = [](const QString &value, int high) {
        if (value.isEmpty() || value == u"not_gradable"_s)
            return true;
        bool ok = false;
        const int n = value.toInt(&ok);
        return ok && n >= 1 && n <= high && QString::number(n) == value;
    };
    if (!a.ungradableReason.isEmpty()
        && !LabelVocabulary::contains(LabelVocabulary::ungradableReasons(), a.ungradableReason)) {
        *error = tr("Unknown reason for not gradable: %1").arg(a.ungradableReason);
        return false;
    }
    if (!a.visibleCondition.isEmpty() && !visible.contains(a.visibleCondition)) {
        *error = tr("Visible skin condition must be yes, no or unsure.");
        return false;
    }
    for (const QString &kind : a.identifying) {
        if (!LabelVocabulary::contains(LabelVocabulary::identifyingKinds(), kind)) {
            *error = tr("Unknown kind of identifying content: %1").arg(kind);
            return false;
        }
    }
    if (a.diagnoses.size() > Annotation::MaxDiagnoses) {
        *error = tr("At most %1 potential diagnoses.").arg(Annotation::MaxDiagnoses);
        return false;
    }
    QSet<QString> seen;
    for (const Diagnosis &d : a.diagnoses) {
        if (d.conditionId.isEmpty() || seen.contains(d.conditionId)) {
            *error = tr("Each potential diagnosis must be a different condition.");
            return false;
        }
        seen.insert(d.conditionId);
        if (d.confidence < 1 || d.confidence > 5) {
            *error = tr("Confidence must be from 1 to 5.");
            return false;
        }
    }
    if (a.cannotDetermine && !a.diagnoses.isEmpty()) {
        *error = tr("'Cannot determine' excludes potential diagnoses.");
        return false;
    }
    if (!inScale(a.fitzpatrick, 6)) {
        *error = tr("Fitzpatrick type must be I to VI or not gradable.");
        return false;
    }
    if (!inScale(a.monk, 10)) {
        *error = tr("Monk skin tone must be 1 to 10 or not gradable.");
        return false;
    }
    return true;
}

bool AnnotationService::isComplete(const Annotation &a)
{
    if (!a.gradable)
        return false;
    if (!*a.gradable)
        return !a.ungradableReason.isEmpty();
    return !a.visibleCondition.isEmpty() && a.sensitive.has_value() && (a.cannotDetermine || !a.diagnoses.isEmpty())
        && !a.fitzpatrick.isEmpty() && !a.monk.isEmpty();
}

static QJsonObject labelsToJson(const Annotation &a)
{
    QJsonArray diagnoses;
    for (const Diagnosis &d : a.diagnoses)
        diagnoses.append(QJsonObject {{u"condition"_s, d.conditionId}, {u"confidence"_s, d.confidence}});
    auto optionalBool = [](const std::optional<bool> &v) { return v ? QJsonValue(*v) : QJsonValue(); };
    return {{u"gradable"_s, optionalBool(a.gradable)},
            {u"ungradable_reason"_s, a.ungradableReason},
            {u"visible_condition"_s, a.visibleCondition},
            {u"sensitive"_s, optionalBool(a.sensitive)},
            {u"identifying"_s, QJsonArray::fromStringList(a.identifying)},
            {u"cannot_determine"_s, a.cannotDetermine},
            {u"diagnoses"_s, diagnoses},
            {u"fitzpatrick"_s, a.fitzpatrick},
            {u"monk"_s, a.monk},
            {u"note"_s, a.note}};
}

SaveResult AnnotationService::save(Annotation &annotation, QString *error, Annotation *stored)
{
    if (annotation.userId != m_actor.id) {
        *error = tr("Only the author may change an annotation.");
        return SaveResult::Failed;
    }
    if (!checkAssigned(annotation.imageId, error) || !validate(annotation, error))
        return SaveResult::Failed;
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        *error = tx.error();
        return SaveResult::Failed;
    }
    AnnotationRepository annotations(m_store);
    QString readError;
    const auto before = annotations.find(annotation.imageId, m_actor.id, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return SaveResult::Failed;
    }
    if (before && before->sameLabels(annotation)) {
        // Nothing to write (whichever copy it was based on): it is what is stored.
        annotation.id = before->id;
        annotation.version = before->version;
        annotation.createdAt = before->createdAt;
        annotation.updatedAt = before->updatedAt;
        return SaveResult::Saved;
    }
    auto conflict = [&](const std::optional<Annotation> &now) {
        *error = tr("These labels were changed elsewhere (in another window or on another workstation) since "
                    "they were read here; nothing was overwritten.");
        if (stored) {
            if (now) {
                *stored = *now;
            } else {
                *stored = Annotation();
                stored->imageId = annotation.imageId;
                stored->userId = m_actor.id;
            }
        }
        return SaveResult::Conflict;
    };
    if ((before ? before->version : 0) != annotation.version)
        return conflict(before);
    switch (annotations.save(annotation, error)) {
    case SaveResult::Saved:
        break;
    case SaveResult::Conflict: {
        // Another session saved between the read and the write (a team store does not serialise
        // them): what it stored, read again.
        tx.rollback();
        const auto now = annotations.find(annotation.imageId, m_actor.id, &readError);
        if (!readError.isEmpty()) {
            *error = readError;
            return SaveResult::Failed;
        }
        return conflict(now);
    }
    case SaveResult::Failed:
        return SaveResult::Failed;
    }
    // Which fields changed, before and after, for the audit log.
    const QJsonObject after = labelsToJson(annotation);
    const QJsonObject old = before ? labelsToJson(*before) : QJsonObject();
    QJsonObject changes;
    for (auto it = after.constBegin(); it != after.constEnd(); ++it) {
        if (old.value(it.key()) != it.value())
            changes.insert(it.key(), QJsonObject {{u"from"_s, old.value(it.key())}, {u"to"_s, it.value()}});
    }
    if (!AuditLog::record(m_store, m_actor.id, before ? u"annotation.update"_s : u"annotation.create"_s,
                          u"annotation"_s, annotation.id, {{u"image"_s, annotation.imageId}, {u"changes"_s, changes}}, error))
        return SaveResult::Failed;
    // The image's consensus follows its labels in the same transaction (on a team store an
    // annotator cannot read the other labels: the server marks the image for QA instead).
    if (!StaleConsensus::isDeferred(m_store)
        && !ConsensusService::recomputeImage(m_store, annotation.imageId, ConsensusService::quorum(m_store), error))
        return SaveResult::Failed;
    AssignmentRepository assignments(m_store);
    if (assignments.status(annotation.imageId, m_actor.id, error) == AssignmentStatus::Todo
        && !assignments.setStatus(annotation.imageId, m_actor.id, AssignmentStatus::InProgress, error))
        return SaveResult::Failed;
    if (!tx.commit()) {
        *error = tx.error();
        return SaveResult::Failed;
    }
    return SaveResult::Saved;
}

bool AnnotationService::setStatus(qint64 imageId, const QString &status, QString *error)
{
    if (!AssignmentStatus::isValid(status)) {
        *error = tr("Unknown status %1.").arg(status);
        return false;
    }
    if (!checkAssigned(imageId, error))
        return false;
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        *error = tx.error();
        return false;
    }
    if (!AssignmentRepository(m_store).setStatus(imageId, m_actor.id, status, error)
        || !AuditLog::record(m_store, m_actor.id, u"assignment.status"_s, u"image"_s, imageId,
                             {{u"status"_s, status}}, error)
        // A skipped image expects one rater fewer: its consensus may change.
        || (!StaleConsensus::isDeferred(m_store)
            && !ConsensusService::recomputeImage(m_store, imageId, ConsensusService::quorum(m_store), error)))
        return false;
    if (!tx.commit()) {
        *error = tx.error();
        return false;
    }
    return true;
}

std::optional<QList<Annotation>> AnnotationService::all(qint64 imageId, QString *error) const
{
    if (!Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString dbError;
    QList<Annotation> list = AnnotationRepository(m_store).forImage(imageId, &dbError);
    if (!dbError.isEmpty()) {
        *error = dbError;
        return std::nullopt;
    }
    return list;
}

} // namespace dl
