// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/UserTableModel.h"

#include <QPalette>

using namespace Qt::StringLiterals;

namespace dl {

UserTableModel::UserTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void UserTableModel::setUsers(const QList<UserSummary> &users)
{
    beginResetModel();
    m_users = users;
    endResetModel();
}

int UserTableModel::rowOf(qint64 userId) const
{
    for (qsizetype row = 0; row < m_users.size(); ++row) {
        if (m_users.at(row).user.id == userId)
            return int(row);
    }
    return -1;
}

int UserTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_users.size());
}

int UserTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UserTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UserSummary &summary = m_users.at(index.row());
    const User &user = summary.user;
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Name:
            return user.name;
        case DisplayName:
            return user.displayName;
        case RoleColumn:
            return roleDisplayName(user.role);
        case Active:
            return user.active ? tr("active") : tr("disabled");
        case Assigned:
            return summary.assigned;
        case Done:
            return summary.done;
        case ColumnCount:
            break;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Assigned || index.column() == Done)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (!user.active)
            return QPalette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Assigned || index.column() == Done)
            return tr("%1 assigned, %2 done, %3 to do").arg(summary.assigned).arg(summary.done).arg(summary.toDo());
        return {};
    case UserIdRole:
        return user.id;
    case ActiveRole:
        return user.active;
    case RoleKeyRole:
        return roleKey(user.role);
    default:
        return {};
    }
}

QVariant UserTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::TextAlignmentRole)
        return int(section == Assigned || section == Done ? Qt::AlignRight | Qt::AlignVCenter
                                                          : Qt::AlignLeft | Qt::AlignVCenter);
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Name:
        return tr("Name");
    case DisplayName:
        return tr("Display name");
    case RoleColumn:
        return tr("Role");
    case Active:
        return tr("Active");
    case Assigned:
        return tr("Assigned");
    case Done:
        return tr("Done");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace dl
