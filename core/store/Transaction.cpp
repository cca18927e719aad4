// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/Transaction.h"

#include "store/SqlDialect.h"

#include <QCoreApplication>
#include <QHash>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

namespace dl {

// The connections of this thread with an open Transaction, by name.
static thread_local QHash<QString, int> t_open;

bool Transaction::isOpenOn(const QSqlDatabase &db)
{
    return t_open.value(db.connectionName()) > 0;
}

static void markClosed(const QString &connection)
{
    const auto it = t_open.find(connection);
    if (it != t_open.end() && --it.value() <= 0)
        t_open.erase(it);
}

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
        if (m_active)
            ++t_open[m_db.connectionName()];
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
    if (query.exec(begin))
        return true;
    const QSqlError error = query.lastError();
    *busy = dialect.isBusyError(error);
    m_error = error.text();
    return false;
}

Transaction::~Transaction()
{
    rollback();
}

bool Transaction::commit()
{
    if (!m_active)
        return false;
    // QSqlDatabase::commit() also notices a PostgreSQL transaction that an
    // error aborted (its COMMIT answers ROLLBACK).
    if (!m_db.commit()) {
        m_error = m_db.lastError().text();
        rollback();
        return false;
    }
    m_active = false;
    markClosed(m_db.connectionName());
    return true;
}

void Transaction::rollback()
{
    if (m_active) {
        m_db.rollback();
        m_active = false;
        markClosed(m_db.connectionName());
    }
}

} // namespace dl
