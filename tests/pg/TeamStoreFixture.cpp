// SPDX-License-Identifier: GPL-3.0-or-later
#include "TeamStoreFixture.h"

#include "session/SessionService.h"
#include "store/PostgresServer.h"
#include "store/TeamSecurity.h"
#include "store/UserRepository.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;
using namespace dl;

TeamStoreFixture::TeamStoreFixture(PostgresTestServer &server, const QString &name)
    : m_server(server)
    , m_name(name)
{
}

TeamStoreFixture::~TeamStoreFixture()
{
    tearDown();
}

QString TeamStoreFixture::password()
{
    return u"correct horse battery"_s;
}

QString TeamStoreFixture::userName(const QString &base) const
{
    return u"%1_%2"_s.arg(base).arg(QCoreApplication::applicationPid());
}

StoreLocation TeamStoreFixture::locationOf(const QString &name, const QString &secret) const
{
    return m_location.withCredentials(name, secret);
}

bool TeamStoreFixture::setUp(QString *error)
{
    if (!m_server.isAvailable()) {
        *error = m_server.error();
        return false;
    }
    m_location = m_server.location(m_name);
    m_owner = Store::open(m_location, Store::OpenMode::CreateNew, error);
    if (!m_owner)
        return false;
    const QSqlDatabase db = m_owner->db();
    if (!TeamSecurity::install(db, error))
        return false;
    for (const QString &kind : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s}) {
        const QString group = TeamSecurity::groupName(db, kind, error);
        if (group.isEmpty())
            return false;
        m_roles.append(group);
    }
    return true;
}

std::optional<User> TeamStoreFixture::addUser(const QString &base, Role role, QString *error)
{
    const QString name = userName(base);
    UserRepository users(m_owner->db());
    const qint64 id = users.add(name, base, role, password(), error);
    if (id < 0)
        return std::nullopt;
    m_roles.prepend(name); // users before their groups
    return users.findById(id, error);
}

std::unique_ptr<Store> TeamStoreFixture::signIn(const User &user, QString *error) const
{
    auto store = Store::open(m_location.withCredentials(user.name, password()), Store::OpenMode::MustExist, error);
    if (!store)
        return nullptr;
    if (!SessionService(*store).signIn(user.name, password(), error))
        return nullptr;
    return store;
}

void TeamStoreFixture::tearDown()
{
    m_owner.reset();
    m_server.dropAll();
    if (m_roles.isEmpty())
        return;
    QStringList drop;
    for (const QString &role : std::as_const(m_roles))
        drop.append(u"DROP ROLE IF EXISTS %1"_s.arg(PostgresServer::quoteIdentifier(role)));
    QString error;
    if (!m_server.admin(drop, &error))
        qWarning("Could not drop the test roles: %s", qPrintable(error));
    m_roles.clear();
}
