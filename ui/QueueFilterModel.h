// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSortFilterProxyModel>

namespace dl {

/// Filters a queue (ImageListModel) by assignment status, and counts the
/// rows of each status for the filter's labels.
class QueueFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit QueueFilterModel(QObject *parent = nullptr);

    /// Shows only rows with this status; an empty status shows every row.
    void setStatus(const QString &status);
    QString status() const { return m_status; }
    /// Rows of the source with this status (all rows for an empty status).
    int count(const QString &status) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_status;
};

} // namespace dl
