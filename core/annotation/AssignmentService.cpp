// SPDX-License-Identifier: GPL-3.0-or-later
#include "annotation/AssignmentService.h"

#include "auth/Permissions.h"
#include "store/AssignmentRepository.h"
#include "store/AuditLog.h"
#include "store/ImageRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/Transaction.h"
#include "store/UserRepository.h"

#include <QCoreApplication>
#include <QSqlQuery>

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

    /// Adds annotators to `current` (skipping those already there) until it has k.
    QList<qint64> topUp(const QSet<qint64> &current, int k)
    {
        QList<qint64> candidates;
        for (qint64 id : std::as_const(m_annotators)) {
            if (!current.contains(id))
                candidates.append(id);
        }
        std::stable_sort(candidates.begin(), candidates.end(),
                         [this](qint64 a, qint64 b) { return m_load.value(a) < m_load.value(b); });
        const qsizetype wanted = qMax<qsizetype>(0, k - current.size());
        candidates = candidates.mid(0, wanted);
        for (qint64 id : std::as_const(candidates))
            ++m_load[id];
        return candidates;
    }

private:
    QList<qint64> m_annotators;
    QHash<qint64, qint64> m_load;
};

QList<qint64> activeAnnotators(const QSqlDatabase &db, QString *error)
{
    QList<qint64> ids;
    for (const User &user : UserRepository(db).list(error)) {
        if (user.active && user.role == Role::Annotator)
            ids.append(user.id);
    }
    return ids;
}

} // namespace

std::optional<AssignmentResult> AssignmentService::assign(const QList<qint64> &requested, int k, QString *error)
{
    if (!Permissions::check(m_actor, Action::AssignImages, error))
        return std::nullopt;
    if (k < 1) {
        *error = tr("Each image needs at least one rater.");
        return std::nullopt;
    }
    QSqlDatabase db = m_store.db();
    const QList<qint64> annotators = activeAnnotators(db, error);
    if (annotators.size() < k) {
        *error = tr("%1 raters per image were asked for, but there are only %2 active annotators.")
                     .arg(k)
                     .arg(annotators.size());
        return std::nullopt;
    }
    QList<qint64> imageIds = requested;
    if (imageIds.isEmpty()) {
        QSqlQuery query(db);
        if (!Sql::exec(query, u"SELECT id FROM images ORDER BY id"_s, {}, error))
            return std::nullopt;
        while (query.next())
            imageIds.append(query.value(0).toLongLong());
    }

    Transaction tx(db);
    AssignmentRepository assignments(db);
    Balancer balancer(annotators, assignments.loadPerUser(error));
    const QSet<qint64> active(annotators.cbegin(), annotators.cend());
    AssignmentResult result;
    result.images = imageIds.size();
    for (qint64 imageId : std::as_const(imageIds)) {
        // Disabled raters' assignments stay on record but do not count.
        const QSet<qint64> current = assignments.usersOf(imageId, error) & active;
        for (qint64 userId : balancer.topUp(current, k)) {
            if (!assignments.add(imageId, userId, error))
                return std::nullopt;
            ++result.added;
        }
    }
    if (!m_store.setSetting(u"raters_per_image"_s, QString::number(k), error)
        || !AuditLog::record(db, m_actor.id, u"assign"_s, u"images"_s, -1,
                             {{u"k"_s, k}, {u"images"_s, result.images}, {u"added"_s, result.added}}, error))
        return std::nullopt;
    if (!tx.commit()) {
        *error = tx.error();
        return std::nullopt;
    }
    return result;
}

std::optional<AssignmentResult> AssignmentService::disableAndRebalance(qint64 userId, QString *error)
{
    if (!Permissions::check(m_actor, Action::AssignImages, error)
        || !Permissions::check(m_actor, Action::ManageUsers, error))
        return std::nullopt;
    QSqlDatabase db = m_store.db();
    Transaction tx(db);
    UserRepository users(db);
    const auto user = users.findById(userId, error);
    if (!user) {
        *error = tr("There is no such user.");
        return std::nullopt;
    }
    if (!users.setActive(userId, false, error))
        return std::nullopt;
    AssignmentRepository assignments(db);
    const QList<qint64> annotators = activeAnnotators(db, error);
    const QSet<qint64> active(annotators.cbegin(), annotators.cend());
    Balancer balancer(annotators, assignments.loadPerUser(error));
    const int k = m_store.setting(u"raters_per_image"_s, QString::number(DefaultRatersPerImage)).toInt();
    AssignmentResult result;
    for (const AssignmentRecord &record : assignments.forUser(userId, error)) {
        // Unstarted work moves to others; started or finished work stays on
        // record with its author. Either way the image is topped up to k
        // active raters.
        if (record.status == AssignmentStatus::Todo) {
            if (!assignments.remove(record.imageId, userId, error))
                return std::nullopt;
            ++result.removed;
        }
        ++result.images;
        const QSet<qint64> current = assignments.usersOf(record.imageId, error) & active;
        const QList<qint64> added = balancer.topUp(current, k);
        for (qint64 id : added) {
            if (!assignments.add(record.imageId, id, error))
                return std::nullopt;
            ++result.added;
        }
        if (current.size() + added.size() < k)
            ++result.underAssigned;
    }
    if (!AuditLog::record(db, m_actor.id, u"disable_and_rebalance"_s, u"user"_s, userId,
                          {{u"moved"_s, result.removed}, {u"added"_s, result.added}}, error))
        return std::nullopt;
    if (!tx.commit()) {
        *error = tx.error();
        return std::nullopt;
    }
    return result;
}

} // namespace dl
