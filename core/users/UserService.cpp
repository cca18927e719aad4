// SPDX-License-Identifier: GPL-3.0-or-later
#include "users/UserService.h"

#include "auth/Permissions.h"
#include "store/AssignmentRepository.h"
#include "store/AuditLog.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"
#include "store/UserRepository.h"

#include <QCoreApplication>
#include <QHash>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::UserService", text);
}

namespace {

/// Begins a transaction or explains why not.
bool begin(Transaction &tx, QString *error)
{
    if (tx.isActive())
        return true;
    *error = tx.error();
    return false;
}

bool commit(Transaction &tx, QString *error)
{
    if (tx.commit())
        return true;
    *error = tx.error();
    return false;
}

QJsonObject resultDetail(const AssignmentResult &result)
{
    return {{u"moved"_s, result.removed}, {u"added"_s, result.added}, {u"under_assigned"_s, result.underAssigned}};
}

/// An audit entry's details with, for the command line (no user id to record), who ran it.
QJsonObject byActor(const User &actor, QJsonObject detail)
{
    if (actor.isCommandLine()) {
        detail.insert(u"via"_s, u"command line"_s);
        detail.insert(u"os_user"_s, actor.displayName);
    }
    return detail;
}

} // namespace

bool UserService::isValidName(const QString &name, QString *error)
{
    return UserRepository::isValidName(name, error);
}

int UserService::minimumPasswordLength()
{
    return 10;
}

bool UserService::checkNewPassword(const QString &password, QString *error)
{
    if (password.size() >= minimumPasswordLength())
        return true;
    *error = QCoreApplication::translate("dl::UserService", "The password must have at least %n character(s).", nullptr,
                                         minimumPasswordLength());
    return false;
}

std::optional<User> UserService::authorizedActor(QString *error) const
{
    if (m_actor.isCommandLine()) // the local administrator, not an account of the store
        return Permissions::check(m_actor, Action::ManageUsers, error) ? std::optional<User>(m_actor) : std::nullopt;
    QString readError;
    const auto actor = UserRepository(m_store).findById(m_actor.id, &readError);
    if (!actor) {
        *error = readError.isEmpty() ? tr("The signed-in user %1 is not in this store.").arg(m_actor.name) : readError;
        return std::nullopt;
    }
    if (!Permissions::check(*actor, Action::ManageUsers, error))
        return std::nullopt;
    return actor;
}

std::optional<User> UserService::target(qint64 userId, QString *error) const
{
    QString readError;
    auto user = UserRepository(m_store).findById(userId, &readError);
    if (!user)
        *error = readError.isEmpty() ? tr("There is no such user.") : readError;
    return user;
}

qint64 UserService::activeAdminCount(QString *error) const
{
    return UserRepository(m_store).countActive(Role::Admin, error);
}

bool UserService::keepsAnAdmin(const User &target, QString *error) const
{
    if (target.role != Role::Admin || !target.active)
        return true;
    QString readError;
    const qint64 admins = activeAdminCount(&readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return false;
    }
    if (admins <= 1) {
        *error = tr("%1 is the last active administrator. Make another user an administrator first.")
                     .arg(target.name);
        return false;
    }
    return true;
}

std::optional<QList<UserSummary>> UserService::list(QString *error) const
{
    if (!authorizedActor(error))
        return std::nullopt;
    QString readError;
    const QList<User> users = UserRepository(m_store).list(&readError);
    // user -> status -> assignments
    const QHash<qint64, QHash<QString, qint64>> counts =
        readError.isEmpty() ? AssignmentRepository(m_store).countsByUserAndStatus(&readError)
                            : QHash<qint64, QHash<QString, qint64>>();
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    QList<UserSummary> summaries;
    summaries.reserve(users.size());
    for (const User &user : users) {
        const QHash<QString, qint64> byStatus = counts.value(user.id);
        qint64 assigned = 0;
        for (qint64 n : byStatus)
            assigned += n;
        summaries.append({user, assigned, byStatus.value(AssignmentStatus::Done)});
    }
    return summaries;
}

std::optional<User> UserService::add(const QString &name, const QString &displayName, Role role,
                                     const QString &password, QString *error, int iterations, PasswordRule rule)
{
    const auto actor = authorizedActor(error);
    if (!actor || (rule == PasswordRule::Enforce && !checkNewPassword(password, error)))
        return std::nullopt;
    StoreTransaction tx(m_store);
    if (!begin(tx, error))
        return std::nullopt;
    UserRepository users(m_store);
    const qint64 id = users.add(name.trimmed(), displayName.trimmed(), role, password, error, iterations);
    if (id < 0)
        return std::nullopt;
    if (!AuditLog::record(m_store, actor->id, u"add_user"_s, u"user"_s, id,
                          byActor(*actor, {{u"name"_s, name.trimmed()}, {u"role"_s, roleKey(role)}}), error))
        return std::nullopt;
    auto user = users.findById(id, error);
    if (!user || !commit(tx, error))
        return std::nullopt;
    return user;
}

std::optional<AssignmentResult> UserService::changeRole(qint64 userId, Role role, QString *error)
{
    const auto actor = authorizedActor(error);
    if (!actor)
        return std::nullopt;
    StoreTransaction tx(m_store);
    if (!begin(tx, error))
        return std::nullopt;
    const auto user = target(userId, error);
    if (!user)
        return std::nullopt;
    if (user->role == role)
        return AssignmentResult {};
    if (role != Role::Admin && !keepsAnAdmin(*user, error))
        return std::nullopt;
    if (!UserRepository(m_store).setRole(userId, role, error))
        return std::nullopt;
    AssignmentResult moved;
    if (user->role == Role::Annotator && user->active) {
        const auto result = AssignmentService(m_store, *actor).rebalanceAwayFrom(userId, error);
        if (!result)
            return std::nullopt;
        moved = *result;
    }
    QJsonObject detail = resultDetail(moved);
    detail.insert(u"from"_s, roleKey(user->role));
    detail.insert(u"to"_s, roleKey(role));
    if (!AuditLog::record(m_store, actor->id, u"change_role"_s, u"user"_s, userId, byActor(*actor, detail), error) || !commit(tx, error))
        return std::nullopt;
    return moved;
}

std::optional<AssignmentResult> UserService::disable(qint64 userId, QString *error)
{
    const auto actor = authorizedActor(error);
    if (!actor || !Permissions::check(*actor, Action::AssignImages, error))
        return std::nullopt;
    StoreTransaction tx(m_store);
    if (!begin(tx, error))
        return std::nullopt;
    const auto user = target(userId, error);
    if (!user)
        return std::nullopt;
    if (!user->active) {
        *error = tr("%1 is already disabled.").arg(user->name);
        return std::nullopt;
    }
    if (!keepsAnAdmin(*user, error) || !UserRepository(m_store).setActive(userId, false, error))
        return std::nullopt;
    const auto moved = AssignmentService(m_store, *actor).rebalanceAwayFrom(userId, error);
    if (!moved)
        return std::nullopt;
    if (!AuditLog::record(m_store, actor->id, u"disable_user"_s, u"user"_s, userId, byActor(*actor, resultDetail(*moved)), error)
        || !commit(tx, error))
        return std::nullopt;
    return moved;
}

bool UserService::enable(qint64 userId, QString *error)
{
    const auto actor = authorizedActor(error);
    if (!actor)
        return false;
    StoreTransaction tx(m_store);
    if (!begin(tx, error))
        return false;
    const auto user = target(userId, error);
    if (!user)
        return false;
    if (user->active)
        return true;
    return UserRepository(m_store).setActive(userId, true, error)
        && AuditLog::record(m_store, actor->id, u"enable_user"_s, u"user"_s, userId, byActor(*actor, {}), error) && commit(tx, error);
}

bool UserService::resetPassword(qint64 userId, const QString &password, QString *error)
{
    const auto actor = authorizedActor(error);
    if (!actor || !checkNewPassword(password, error))
        return false;
    StoreTransaction tx(m_store);
    if (!begin(tx, error))
        return false;
    if (!target(userId, error))
        return false;
    // The audit entry says that the password changed, never what to.
    return UserRepository(m_store).setPassword(userId, password, error)
        && AuditLog::record(m_store, actor->id, u"reset_password"_s, u"user"_s, userId, byActor(*actor, {}), error) && commit(tx, error);
}

} // namespace dl
