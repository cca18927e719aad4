// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace dl {

/// RAII transaction guard: begins on construction, rolls back on destruction
/// unless commit() succeeded. Callers check isActive() before writing (a
/// transaction that did not start leaves every statement on its own) and the
/// result of commit().
///
/// On SQLite a transaction takes the write lock at its start (BEGIN
/// IMMEDIATE), so it never fails half-way because another connection wrote
/// meanwhile. While another process holds that lock, each attempt waits for
/// the connection's busy timeout; the attempt is then repeated with a growing
/// pause, a bounded number of times, before the transaction gives up with
/// "the store is busy" (isBusy()). On PostgreSQL it is a plain BEGIN: the
/// server locks rows as they are written.
class Transaction
{
public:
    struct Options
    {
        /// How often BEGIN IMMEDIATE is tried while the store is busy.
        int attempts = 3;
        /// The pause after the first busy attempt; it doubles after each one.
        int backoffMs = 100;
        /// Called after each busy attempt that will be retried, with the
        /// number of attempts made so far (a hook for tests and progress).
        std::function<void(int attempt)> onBusy;
    };

    explicit Transaction(QSqlDatabase db);
    Transaction(QSqlDatabase db, Options options);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    bool isActive() const { return m_active; }
    /// True when the transaction did not start because the store stayed busy.
    bool isBusy() const { return m_busy; }
    /// How many times BEGIN was tried.
    int attempts() const { return m_attempts; }
    QString error() const { return m_error; }
    bool commit();
    void rollback();

    /// Whether a Transaction of this thread is open on db's connection (for
    /// work that joins the caller's transaction with a savepoint).
    static bool isOpenOn(const QSqlDatabase &db);

private:
    bool beginOnce(bool *busy);

    QSqlDatabase m_db;
    bool m_active = false;
    bool m_busy = false;
    int m_attempts = 0;
    QString m_error;
};

} // namespace dl
