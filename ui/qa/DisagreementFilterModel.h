// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSortFilterProxyModel>

namespace dl {

/// The disagreement list as the QA lead sees it: rows to adjudicate, and pending rows when
/// asked for. Sorting on the severity column (the default, descending) orders by severity,
/// then by field importance (most important first), then by image and field name; the other
/// columns sort by their text.
class DisagreementFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit DisagreementFilterModel(QObject *parent = nullptr);

    bool showsPending() const { return m_showPending; }
    void setShowPending(bool show);

    /// Rows shown per status (before the toggle for pending).
    int count(int status) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool m_showPending = false;
};

} // namespace dl
