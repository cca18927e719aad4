// SPDX-License-Identifier: GPL-3.0-or-later
#include "annotation/AssignmentService.h"

#include "auth/Permissions.h"
#include "store/AssignmentRepository.h"
#include "store/AuditLog.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"
#include "store/UserRepository.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::AssignmentService", text);
}

namespace {

/// Picks annotators for images, keeping the load even.
class Balancer
{
public:
    Balancer(QList<qint64> annotators, QHash<qint64, qint64> load)
        : m_annotators(std::move(annotators))
        , m_load(std::move(load))
    {
    }

    /// Up to `wanted` annotators not in `exclude`, the least loaded first (ties: list order).
    QList<qint64> pick(const QSet<qint64> &exclude, qsizetype wanted)
    {
        if (wanted <= 0)
            return {};
        QList<qint64> candidates;
        for (qint64 id : std::as_const(m_annotators)) {
            if (!exclude.contains(id))
                candidates.append(id);
        }
        std::stable_sort(candidates.begin(), candidates.end(),
                         [this](qint64 a, qint64 b) { return m_load.value(a) < m_load.value(b); });
        candidates = candidates.mid(0, wanted);
        for (qint64 id : std::as_const(candidates))
            ++m_load[id];
        return candidates;
    }

private:
    QList<qint64> m_annotators;
    QHash<qint64, qint64> m_load;
};

/// Who is assigned to what, read once per plan.
struct AssignmentState
{
    QList<qint64> activeAnnotators;       ///< in name order
    QHash<qint64, QSet<qint64>> assigned; ///< image -> every user with an assignment row
    QHash<qint64, QSet<qint64>> counting; ///< image -> users who count towards K
    QHash<qint64, qint64> load;           ///< user -> assignments

    bool read(const Store &store, QString *error)
    {
        QString readError;
        const QList<User> users = UserRepository(store).list(&readError);
        if (!readError.isEmpty()) {
            *error = readError;
            return false;
        }
        QSet<qint64> active;
        for (const User &user : users) {
            if (user.active && user.role == Role::Annotator) {
                activeAnnotators.append(user.id);
                active.insert(user.id);
            }
        }
        const QList<AssignmentRecord> records = AssignmentRepository(store).all(&readError);
        if (!readError.isEmpty()) {
            *error = readError;
            return false;
        }
        for (const AssignmentRecord &record : records) {
            assigned[record.imageId].insert(record.userId);
            ++load[record.userId];
            // Finished work counts whoever did it; unfinished work only while its rater can go on.
            if (active.contains(record.userId) || record.status == AssignmentStatus::Done)
                counting[record.imageId].insert(record.userId);
        }
        return true;
    }
};

} // namespace

std::optional<AssignmentResult> AssignmentService::preview(const AssignmentRequest &request, QString *error) const
{
    return plan(request, false, error);
}

std::optional<AssignmentResult> AssignmentService::assign(const AssignmentRequest &request, QString *error)
{
    return plan(request, true, error);
}

std::optional<AssignmentResult> AssignmentService::assign(const QList<qint64> &imageIds, int k, QString *error)
{
    AssignmentRequest request;
    request.k = k;
    request.imageIds = imageIds;
    return plan(request, true, error);
}

std::optional<AssignmentResult> AssignmentService::plan(const AssignmentRequest &request, bool apply,
                                                        QString *error) const
{
    if (!Permissions::check(m_actor, Action::AssignImages, error))
        return std::nullopt;
    const int k = request.k;
    if (k < 1) {
        *error = tr("Each image needs at least one rater.");
        return std::nullopt;
    }
    // Read and write in one transaction, so that what is read is what gets topped up.
    std::optional<StoreTransaction> tx;
    if (apply) {
        tx.emplace(m_store);
        if (!tx->isActive()) {
            *error = tx->error();
            return std::nullopt;
        }
    }
    AssignmentState state;
    if (!state.read(m_store, error))
        return std::nullopt;
    if (state.activeAnnotators.size() < k) {
        *error = tr("%1 raters per image were asked for, but there are only %2 active annotators.")
                     .arg(k)
                     .arg(state.activeAnnotators.size());
        return std::nullopt;
    }
    QList<qint64> participants;
    for (qint64 id : std::as_const(state.activeAnnotators)) {
        if (request.annotators.isEmpty() || request.annotators.contains(id))
            participants.append(id);
    }
    if (participants.isEmpty()) {
        *error = tr("Choose at least one active annotator to assign images to.");
        return std::nullopt;
    }
    QList<qint64> imageIds = request.imageIds;
    if (imageIds.isEmpty()) {
        QString readError;
        imageIds = ImageRepository(m_store).ids(&readError);
        if (!readError.isEmpty()) {
            *error = readError;
            return std::nullopt;
        }
    }

    AssignmentRepository assignments(m_store);
    Balancer balancer(participants, state.load);
    AssignmentResult result;
    for (qint64 imageId : std::as_const(imageIds)) {
        const QSet<qint64> current = state.counting.value(imageId);
        if (request.onlyUnderAssigned && current.size() >= k)
            continue;
        ++result.images;
        const QList<qint64> added = balancer.pick(state.assigned.value(imageId) | current, k - current.size());
        for (qint64 userId : added) {
            if (apply && !assignments.add(imageId, userId, error))
                return std::nullopt;
            ++result.addedPerUser[userId];
            ++result.added;
        }
        if (current.size() + added.size() < k)
            ++result.underAssigned;
    }
    if (!apply)
        return result;

    QJsonArray who;
    for (qint64 id : std::as_const(participants))
        who.append(id);
    QJsonObject detail {{u"k"_s, k},
                        {u"images"_s, result.images},
                        {u"added"_s, result.added},
                        {u"annotators"_s, who},
                        {u"only_under_assigned"_s, request.onlyUnderAssigned}};
    if (m_actor.isCommandLine()) { // dermlabel-cli assign: the entry names the operating-system user
        detail.insert(u"via"_s, u"command line"_s);
        detail.insert(u"os_user"_s, m_actor.displayName);
    }
    if (!m_store.setSetting(u"raters_per_image"_s, QString::number(k), error)
        || !AuditLog::record(m_store, m_actor.id, u"assign"_s, u"images"_s, -1, detail, error))
        return std::nullopt;
    if (!tx->commit()) {
        *error = tx->error();
        return std::nullopt;
    }
    return result;
}

std::optional<AssignmentResult> AssignmentService::rebalanceAwayFrom(qint64 userId, QString *error)
{
    if (!Permissions::check(m_actor, Action::AssignImages, error))
        return std::nullopt;
    AssignmentState state;
    if (!state.read(m_store, error))
        return std::nullopt;
    if (state.activeAnnotators.contains(userId)) {
        *error = tr("Only the work of a disabled rater, or of one who is no longer a dermatologist, is moved.");
        return std::nullopt;
    }
    const int k = ratersPerImage();
    AssignmentRepository assignments(m_store);
    QString readError;
    const QList<AssignmentRecord> records = assignments.forUser(userId, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    Balancer balancer(state.activeAnnotators, state.load);
    AssignmentResult result;
    for (const AssignmentRecord &record : records) {
        ++result.images;
        if (record.status == AssignmentStatus::Done)
            continue; // finished work stays with its author and counts
        // Unstarted work moves to others; started work stays on record with its author but no
        // longer counts. Either way the image gets k raters who can finish it.
        if (record.status == AssignmentStatus::Todo) {
            if (!assignments.remove(record.imageId, userId, error))
                return std::nullopt;
            state.assigned[record.imageId].remove(userId);
            ++result.removed;
        }
        const QSet<qint64> current = state.counting.value(record.imageId);
        const QList<qint64> added = balancer.pick(state.assigned.value(record.imageId) | current, k - current.size());
        for (qint64 id : added) {
            if (!assignments.add(record.imageId, id, error))
                return std::nullopt;
            state.assigned[record.imageId].insert(id);
            state.counting[record.imageId].insert(id);
            ++result.addedPerUser[id];
            ++result.added;
        }
        if (current.size() + added.size() < k)
            ++result.underAssigned;
    }
    return result;
}

int AssignmentService::ratersPerImage() const
{
    return qMax(1, m_store.setting(u"raters_per_image"_s, QString::number(DefaultRatersPerImage)).toInt());
}

} // namespace dl
