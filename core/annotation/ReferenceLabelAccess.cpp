// SPDX-License-Identifier: GPL-3.0-or-later
#include "annotation/ReferenceLabelAccess.h"

#include "auth/Permissions.h"
#include "store/AssignmentRepository.h"
#include "store/AuditLog.h"
#include "store/CaseRepository.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"

using namespace Qt::StringLiterals;

namespace dl {

static const QString TrainingKey = u"training_store"_s;

bool ReferenceLabelAccess::isTrainingStore(const Store &store)
{
    return store.setting(TrainingKey, u"0"_s) == u"1"_s;
}

bool ReferenceLabelAccess::setTrainingStore(Store &store, const User &actor, bool on, QString *error)
{
    if (!Permissions::check(actor, Action::ManageUsers, error))
        return false;
    StoreTransaction tx(store);
    if (!tx.isActive()) {
        *error = tx.error();
        return false;
    }
    if (!store.setSetting(TrainingKey, on ? u"1"_s : u"0"_s, error)
        || !AuditLog::record(store, actor.id, u"store.training"_s, u"store"_s, 0, {{u"on"_s, on}}, error))
        return false;
    if (!tx.commit()) {
        *error = tx.error();
        return false;
    }
    return true;
}

std::optional<QList<ReferenceLabel>> ReferenceLabelAccess::forImage(Store &store, const User &actor, qint64 imageId,
                                                                   QString *error)
{
    QString notQa;
    if (!Permissions::check(actor, Action::ViewAllAnnotations, &notQa)) {
        if (!Permissions::check(actor, Action::Annotate, error))
            return std::nullopt;
        if (!isTrainingStore(store)) {
            *error = tr("Reference labels are hidden from raters (blinded).");
            return std::nullopt;
        }
        QString dbError;
        if (!AssignmentRepository(store).isAssigned(imageId, actor.id, &dbError)) {
            *error = dbError.isEmpty() ? tr("This image is not assigned to %1.").arg(actor.name) : dbError;
            return std::nullopt;
        }
    }
    CaseRepository cases(store);
    QString dbError;
    const QList<qint64> caseIds = cases.casesOfImage(imageId, &dbError);
    QList<ReferenceLabel> labels;
    if (!caseIds.isEmpty())
        labels = cases.referenceLabels(caseIds.first(), &dbError);
    if (!dbError.isEmpty()) {
        *error = dbError;
        return std::nullopt;
    }
    return labels;
}

} // namespace dl
