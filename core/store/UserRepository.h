// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace dl {

class Store;

/// The users table: raters, QA leads and admins with salted password hashes.
class UserRepository
{
public:
    explicit UserRepository(QSqlDatabase db) : m_db(std::move(db)) { }
    explicit UserRepository(const Store &store);

    static constexpr int MinimumPasswordLength = 6;

    /// Checks a user name: 1-64 characters, letters, digits, '.', '_' and '-'.
    static bool isValidName(const QString &name, QString *error);

    /// Adds a user; returns the new id or -1 with *error (name taken, short password...).
    qint64 add(const QString &name, const QString &displayName, Role role, const QString &password,
               QString *error, int iterations = -1);
    std::optional<User> findByName(const QString &name, QString *error = nullptr) const;
    std::optional<User> findById(qint64 id, QString *error = nullptr) const;
    QList<User> list(QString *error = nullptr) const;
    qint64 count(QString *error = nullptr) const;
    /// Active users with this role.
    qint64 countActive(Role role, QString *error = nullptr) const;

    /// The user if the name exists, is active and the password matches. Every attempt costs
    /// the same (an unknown name or a disabled account derive a key like a wrong password), and
    /// a hash made with fewer iterations than today's is upgraded on success. *known tells
    /// whether the name has an account (for the audit log).
    std::optional<User> authenticate(const QString &name, const QString &password, bool *known = nullptr) const;
    bool setPassword(qint64 userId, const QString &password, QString *error);
    bool setActive(qint64 userId, bool active, QString *error);
    bool setRole(qint64 userId, Role role, QString *error);

private:
    QSqlDatabase m_db;
};

} // namespace dl
