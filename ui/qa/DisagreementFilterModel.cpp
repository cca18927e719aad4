// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/DisagreementFilterModel.h"

#include "qa/ConsensusCalculator.h"
#include "qa/DisagreementModel.h"

namespace dl {

DisagreementFilterModel::DisagreementFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortCaseSensitivity(Qt::CaseInsensitive);
    sort(DisagreementModel::SeverityColumn, Qt::DescendingOrder);
}

void DisagreementFilterModel::setShowPending(bool show)
{
    if (show == m_showPending)
        return;
    m_showPending = show;
    invalidateFilter();
}

int DisagreementFilterModel::count(int status) const
{
    const QAbstractItemModel *source = sourceModel();
    if (!source)
        return 0;
    int n = 0;
    for (int row = 0; row < source->rowCount(); ++row) {
        if (source->index(row, 0).data(DisagreementModel::StatusRole).toInt() == status)
            ++n;
    }
    return n;
}

bool DisagreementFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const auto status = ConsensusStatus(index.data(DisagreementModel::StatusRole).toInt());
    if (status == ConsensusStatus::Adjudicate)
        return true;
    return status == ConsensusStatus::Pending && m_showPending;
}

bool DisagreementFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (left.column() != DisagreementModel::SeverityColumn)
        return QSortFilterProxyModel::lessThan(left, right);
    const double a = left.data(DisagreementModel::SeverityRole).toDouble();
    const double b = right.data(DisagreementModel::SeverityRole).toDouble();
    if (a != b)
        return a < b;
    // Equal severity: the more important field is "greater", so it comes first when descending.
    const int ia = left.data(DisagreementModel::ImportanceRole).toInt();
    const int ib = right.data(DisagreementModel::ImportanceRole).toInt();
    if (ia != ib)
        return ia > ib;
    const QString na = left.data(DisagreementModel::ImageNameRole).toString();
    const QString nb = right.data(DisagreementModel::ImageNameRole).toString();
    if (na != nb)
        return na > nb;
    return left.data(DisagreementModel::FieldRole).toString() > right.data(DisagreementModel::FieldRole).toString();
}

} // namespace dl
