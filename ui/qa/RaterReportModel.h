// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/RaterComparison.h"

#include <QAbstractTableModel>

namespace dl {

/// The per-rater report of the QA dashboard: throughput (assigned, done, skipped, flagged,
/// labels per active day) and agreement with the consensus.
class RaterReportModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        RaterColumn,
        AssignedColumn,
        DoneColumn,
        SkippedColumn,
        FlaggedColumn,
        OpenColumn,
        ProgressColumn,
        PerDayColumn,
        ActiveDaysColumn,
        ConsensusColumn,
        DiagnosisColumn,
        ColumnCount
    };
    enum Roles {
        ValueRole = Qt::UserRole + 1, ///< the number behind a cell (invalid when unset)
        UserIdRole,
        UserNameRole,
    };

    explicit RaterReportModel(QObject *parent = nullptr);

    void setReports(const QList<RaterReport> &reports);
    const QList<RaterReport> &reports() const { return m_reports; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant value(const RaterReport &r, int column) const;
    QList<RaterReport> m_reports;
};

} // namespace dl
