// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/Transaction.h"

#include "store/PostgresServer.h"
#include "store/SqlDialect.h"

#include <QCoreApplication>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

namespace dl {

Transaction::Transaction(QSqlDatabase db)
    : Transaction(std::move(db), Options())
{
}

Transaction::Transaction(QSqlDatabase db, Options options)
    : m_db(std::move(db))
{
    const int attempts = std::max(1, options.attempts);
    int pauseMs = std::max(0, options.backoffMs);
    for (;;) {
        ++m_attempts;
        bool busy = false;
        m_active = beginOnce(&busy);
        if (m_active || !busy)
            return;
        if (m_attempts >= attempts)
            break;
        if (options.onBusy)
            options.onBusy(m_attempts);
        if (pauseMs > 0)
            QThread::msleep(ulong(pauseMs));
        pauseMs *= 2;
    }
    m_busy = true;
    m_error = QCoreApplication::translate("dl::Transaction",
                                          "The store is busy: another program keeps writing to it. Try again "
                                          "in a moment.");
}

bool Transaction::beginOnce(bool *busy)
{
    const SqlDialect dialect(SqlDialect::engineOf(m_db));
    const QString begin = dialect.beginTransactionStatement();
    QSqlQuery query(m_db);
    if (query.exec(begin)) {
        markOpen(true);
        return true;
    }
    const QSqlError error = query.lastError();
    *busy = dialect.isBusyError(error);
    m_error = PostgresServer::isConnectionLost(m_db.driver()) ? PostgresServer::connectionLostMessage() : error.text();
    return false;
}

void Transaction::markOpen(bool open)
{
    if (QSqlDriver *driver = m_db.driver())
        driver->setProperty(OpenProperty, open);
}

bool Transaction::isOpenOn(const QSqlDatabase &db)
{
    const QSqlDriver *driver = db.driver();
    return driver && driver->property(OpenProperty).toBool();
}

Transaction::~Transaction()
{
    rollback();
}

bool Transaction::commit()
{
    if (!m_active)
        return false;
    if (PostgresServer::isConnectionLost(m_db.driver())) {
        m_error = PostgresServer::connectionLostMessage();
        rollback();
        return false;
    }
    // QSqlDatabase::commit() also notices a PostgreSQL transaction that an
    // error aborted (its COMMIT answers ROLLBACK).
    if (!m_db.commit()) {
        m_error = PostgresServer::isConnectionLost(m_db.driver()) ? PostgresServer::connectionLostMessage()
                                                                  : m_db.lastError().text();
        rollback();
        return false;
    }
    m_active = false;
    markOpen(false);
    return true;
}

void Transaction::rollback()
{
    if (m_active) {
        // On a lost connection there is nothing to roll back: the server did.
        if (!PostgresServer::isConnectionLost(m_db.driver()))
            m_db.rollback();
        m_active = false;
        markOpen(false);
    }
}

} // namespace dl
