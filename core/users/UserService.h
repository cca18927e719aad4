// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "annotation/AssignmentService.h"
#include "model/User.h"

#include <QList>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// A user with the size of their queue.
struct UserSummary
{
    User user;
    qint64 assigned = 0; ///< assignments, whatever their status
    qint64 done = 0;     ///< of those, done
    qint64 toDo() const { return assigned - done; }
};

/// Managing the store's users: list, add, change role, disable (moving the unfinished work to
/// other dermatologists), re-enable, reset password. Admins only (Action::ManageUsers), checked
/// here against the actor as currently stored, so a demoted or disabled admin is refused at once.
/// The store always keeps at least one active administrator. Every change is one transaction
/// with an audit entry. The command line on a local store acts as User::commandLine(): an
/// administrator outside the users table, whose entries name the operating-system user.
class UserService
{
public:
    UserService(Store &store, User actor) : m_store(store), m_actor(std::move(actor)) { }

    /// Checks a user name: 1-64 characters, letters, digits, '.', '_' and '-'.
    static bool isValidName(const QString &name, QString *error);
    /// The fewest characters a new password may have (set by an administrator, or the first
    /// administrator's own): 10. Accounts made before keep their passwords; so do the demo store's.
    static int minimumPasswordLength();
    /// Whether password may be given to an account now; *error says why not.
    static bool checkNewPassword(const QString &password, QString *error);

    std::optional<QList<UserSummary>> list(QString *error) const;
    /// Whether a new account's password must meet minimumPasswordLength(): always, except for
    /// the demo store's accounts, which share the password the README gives.
    enum class PasswordRule { Enforce, DemoAccount };
    /// The new user, or std::nullopt with *error (invalid or taken name, short password...).
    /// iterations: PBKDF2 iterations, -1 for the default (tests pass a small number).
    std::optional<User> add(const QString &name, const QString &displayName, Role role, const QString &password,
                            QString *error, int iterations = -1, PasswordRule rule = PasswordRule::Enforce);
    /// Gives a user another role. A dermatologist who gets another role hands their unfinished
    /// work on as if disabled (the result says what moved; all zero otherwise).
    std::optional<AssignmentResult> changeRole(qint64 userId, Role role, QString *error);
    /// Disables the account (no more sign-in) and moves the user's unfinished assignments to
    /// active dermatologists so that each image keeps K raters; done work is kept and counts.
    std::optional<AssignmentResult> disable(qint64 userId, QString *error);
    /// Lets a disabled user sign in again. Their queue is what was left on record; give them new
    /// work with AssignmentService::assign.
    bool enable(qint64 userId, QString *error);
    bool resetPassword(qint64 userId, const QString &password, QString *error);

    /// Active administrators in the store.
    qint64 activeAdminCount(QString *error) const;

private:
    /// The actor as stored now, if allowed to manage users.
    std::optional<User> authorizedActor(QString *error) const;
    std::optional<User> target(qint64 userId, QString *error) const;
    bool keepsAnAdmin(const User &target, QString *error) const;

    Store &m_store;
    User m_actor;
};

} // namespace dl
