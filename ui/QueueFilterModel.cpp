// SPDX-License-Identifier: GPL-3.0-or-later
#include "QueueFilterModel.h"

#include "ImageListModel.h"

namespace dl {

QueueFilterModel::QueueFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setFilterRole(ImageListModel::StatusRole);
}

void QueueFilterModel::setStatus(const QString &status)
{
    if (status == m_status)
        return;
    m_status = status;
    invalidateFilter();
}

int QueueFilterModel::count(const QString &status) const
{
    QAbstractItemModel *source = sourceModel();
    if (!source)
        return 0;
    if (status.isEmpty())
        return source->rowCount();
    int n = 0;
    for (int row = 0; row < source->rowCount(); ++row)
        n += source->index(row, 0).data(ImageListModel::StatusRole).toString() == status ? 1 : 0;
    return n;
}

bool QueueFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_status.isEmpty())
        return true;
    return sourceModel()->index(sourceRow, 0, sourceParent).data(ImageListModel::StatusRole).toString() == m_status;
}

} // namespace dl
