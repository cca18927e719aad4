// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "users/UserService.h"

#include <QAbstractTableModel>

namespace dl {

/// The store's users for the Users dialog: name, display name, role, active, assigned, done.
/// Read-only; changes go through UserService and come back with setUsers().
class UserTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, DisplayName, RoleColumn, Active, Assigned, Done, ColumnCount };
    enum Roles { UserIdRole = Qt::UserRole + 1, ActiveRole, RoleKeyRole };

    explicit UserTableModel(QObject *parent = nullptr);

    void setUsers(const QList<UserSummary> &users);
    const QList<UserSummary> &users() const { return m_users; }
    /// The row of a user, or -1.
    int rowOf(qint64 userId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<UserSummary> m_users;
};

} // namespace dl
