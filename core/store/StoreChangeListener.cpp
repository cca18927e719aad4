// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/StoreChangeListener.h"

#include "store/PostgresServer.h"
#include "store/Store.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::StoreChangeListener", text);
}

StoreChangeListener::StoreChangeListener(const Store &store, QObject *parent)
    : QObject(parent)
{
    if (!store.location().isPostgres())
        return;
    static QAtomicInteger<quint64> serial;
    m_connection = u"dermlabel-listen-%1"_s.arg(++serial);
    PostgresServer::Failure failure = PostgresServer::Failure::None;
    QSqlDatabase db = PostgresServer::connect(store.location(), m_connection, &failure, &m_error);
    if (failure != PostgresServer::Failure::None || !db.isOpen()) {
        if (m_error.isEmpty())
            m_error = tr("Cannot listen to the store's changes.");
        return;
    }
    // The server names the channels of this session: nothing on a channel an annotator could name
    // is meant for anyone else (team_security.sql).
    QSqlQuery query(db);
    if (!query.exec(u"SELECT dl_my_channel(), dl_staff_channel()"_s) || !query.next()) {
        m_error = tr("The store's server does not tell its changes (its rules are older than this program or not "
                     "installed): %1")
                      .arg(query.lastError().text());
        return;
    }
    const QString own = query.value(0).toString();
    const QString staff = query.value(1).toString();
    query.finish();
    m_staff = !staff.isEmpty();
    for (const QString &name : {staff, own})
        if (!name.isEmpty())
            m_channels.append(name);
    QSqlDriver *driver = db.driver();
    if (!driver->hasFeature(QSqlDriver::EventNotifications)) {
        m_error = tr("The server does not deliver change notifications.");
        return;
    }
    for (const QString &name : std::as_const(m_channels)) {
        if (!driver->subscribeToNotification(name)) {
            m_error = tr("The server does not deliver change notifications: %1").arg(driver->lastError().text());
            return;
        }
    }
    connect(driver, &QSqlDriver::notification, this,
            [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                onNotification(name, payload);
            });
    m_active = true;
}

StoreChangeListener::~StoreChangeListener()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen() && m_active)
            for (const QString &name : std::as_const(m_channels))
                db.driver()->unsubscribeFromNotification(name);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

void StoreChangeListener::onNotification(const QString &name, const QVariant &payload)
{
    if (m_channels.contains(name))
        dispatch(payload.toString());
}

bool StoreChangeListener::dispatch(const QString &payload)
{
    const QStringList parts = payload.split(u' ', Qt::SkipEmptyParts);
    const QString kind = parts.value(0);
    auto id = [&parts](int i, bool *ok) {
        bool valid = false;
        const qint64 value = parts.value(i).toLongLong(&valid);
        *ok = *ok && valid;
        return value;
    };
    bool ok = true;
    if (kind == u"labels"_s && parts.size() == 2) {
        const qint64 image = id(1, &ok);
        if (ok)
            emit labelsChanged(image);
    } else if (kind == u"assignments"_s && parts.size() == 3) {
        const qint64 image = id(1, &ok);
        const qint64 user = id(2, &ok);
        if (ok)
            emit assignmentsChanged(image, user);
    } else if (kind == u"users"_s && parts.size() == 2) {
        const qint64 user = id(1, &ok);
        if (ok)
            emit usersChanged(user);
    } else if (kind == u"images"_s && parts.size() == 1) {
        emit imagesAdded();
    } else if (kind == u"adjudications"_s && parts.size() == 2) {
        const qint64 image = id(1, &ok);
        if (ok)
            emit adjudicationsChanged(image);
    } else {
        ok = false;
    }
    emit changed();
    return ok;
}

} // namespace dl
