// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/UserRepository.h"

#include "auth/PasswordHasher.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/TeamSecurity.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

UserRepository::UserRepository(const Store &store)
    : m_db(store.db())
{
}

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::UserRepository", text);
}

static const QString s_columns = u"id, name, display_name, role, active"_s;

static User userFromQuery(const QSqlQuery &query)
{
    User user;
    user.id = query.value(0).toLongLong();
    user.name = query.value(1).toString();
    user.displayName = query.value(2).toString();
    user.role = roleFromKey(query.value(3).toString()).value_or(Role::Annotator);
    user.active = query.value(4).toBool();
    return user;
}

bool UserRepository::isValidName(const QString &name, QString *error)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9._-]{1,64}$"_s);
    if (!pattern.match(name).hasMatch()) {
        *error = tr("'%1' is not a valid user name: use 1 to 64 letters, digits, '.', '_' or '-'.").arg(name);
        return false;
    }
    return true;
}

qint64 UserRepository::add(const QString &name, const QString &displayName, Role role, const QString &password,
                           QString *error, int iterations)
{
    if (!isValidName(name, error))
        return -1;
    if (password.size() < MinimumPasswordLength) {
        *error = tr("The password must have at least %1 characters.").arg(MinimumPasswordLength);
        return -1;
    }
    if (findByName(name)) {
        *error = tr("There is already a user named '%1'.").arg(name);
        return -1;
    }
    // On a team store a user is a server login role, made by the store's function.
    if (TeamSecurity::managesUsers(m_db))
        return TeamSecurity::addUser(m_db, name, displayName.isEmpty() ? name : displayName, role, password, true, error)
            .value_or(-1);
    const QString hash = iterations > 0 ? PasswordHasher::hash(password, iterations) : PasswordHasher::hash(password);
    return Sql::insertReturningId(m_db,
                                  u"INSERT INTO users (name, display_name, role, password_hash, active, created_at) "
                                  "VALUES (?, ?, ?, ?, 1, ?) RETURNING id"_s,
                                  {name, displayName.isEmpty() ? name : displayName, roleKey(role), hash, Sql::now()},
                                  error);
}

std::optional<User> UserRepository::findByName(const QString &name, QString *error) const
{
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT %1 FROM users WHERE name = ?"_s.arg(s_columns), {name}, error) || !query.next())
        return std::nullopt;
    return userFromQuery(query);
}

std::optional<User> UserRepository::findById(qint64 id, QString *error) const
{
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT %1 FROM users WHERE id = ?"_s.arg(s_columns), {id}, error) || !query.next())
        return std::nullopt;
    return userFromQuery(query);
}

QList<User> UserRepository::list(QString *error) const
{
    QList<User> users;
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT %1 FROM users ORDER BY name"_s.arg(s_columns), {}, error))
        return users;
    while (query.next())
        users.append(userFromQuery(query));
    return users;
}

qint64 UserRepository::count(QString *error) const
{
    return Sql::scalar(m_db, u"SELECT COUNT(*) FROM users"_s, {}, error).value_or(0).toLongLong();
}

qint64 UserRepository::countActive(Role role, QString *error) const
{
    return Sql::scalar(m_db, u"SELECT COUNT(*) FROM users WHERE role = ? AND active = 1"_s, {roleKey(role)}, error)
        .value_or(0)
        .toLongLong();
}

std::optional<User> UserRepository::authenticate(const QString &name, const QString &password, bool *known) const
{
    if (known)
        *known = false;
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT %1, password_hash FROM users WHERE name = ?"_s.arg(s_columns), {name}, nullptr)
        || !query.next()) {
        // No such account: the same work as a wrong password, so the answer's time tells nothing.
        PasswordHasher::verifyNothing(password);
        return std::nullopt;
    }
    const User user = userFromQuery(query);
    const QString stored = query.value(5).toString();
    if (known)
        *known = true;
    // A disabled account is checked too (the same time), then refused.
    const bool matches = PasswordHasher::verify(password, stored);
    if (!matches || !user.active)
        return std::nullopt;
    // A hash made with fewer iterations than today's is replaced now that the password is known.
    if (PasswordHasher::needsUpgrade(stored) && !TeamSecurity::managesUsers(m_db))
        Sql::exec(m_db, u"UPDATE users SET password_hash = ? WHERE id = ?"_s, {PasswordHasher::hash(password), user.id},
                  nullptr);
    return user;
}

bool UserRepository::setPassword(qint64 userId, const QString &password, QString *error)
{
    if (password.size() < MinimumPasswordLength) {
        *error = tr("The password must have at least %1 characters.").arg(MinimumPasswordLength);
        return false;
    }
    if (TeamSecurity::managesUsers(m_db))
        return TeamSecurity::setPassword(m_db, userId, password, error);
    return Sql::exec(m_db, u"UPDATE users SET password_hash = ? WHERE id = ?"_s,
                     {PasswordHasher::hash(password), userId}, error);
}

bool UserRepository::setActive(qint64 userId, bool active, QString *error)
{
    if (TeamSecurity::managesUsers(m_db))
        return TeamSecurity::setUser(m_db, userId, std::nullopt, active, error);
    return Sql::exec(m_db, u"UPDATE users SET active = ? WHERE id = ?"_s, {active ? 1 : 0, userId}, error);
}

bool UserRepository::setRole(qint64 userId, Role role, QString *error)
{
    if (TeamSecurity::managesUsers(m_db))
        return TeamSecurity::setUser(m_db, userId, role, std::nullopt, error);
    return Sql::exec(m_db, u"UPDATE users SET role = ? WHERE id = ?"_s, {roleKey(role), userId}, error);
}

} // namespace dl
