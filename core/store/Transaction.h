// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QString>

namespace dl {

/// RAII transaction guard: begins on construction, rolls back on destruction
/// unless commit() succeeded.
class Transaction
{
public:
    explicit Transaction(QSqlDatabase db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    bool isActive() const { return m_active; }
    QString error() const { return m_error; }
    bool commit();
    void rollback();

private:
    QSqlDatabase m_db;
    bool m_active = false;
    QString m_error;
};

} // namespace dl
