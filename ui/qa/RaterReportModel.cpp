// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/RaterReportModel.h"

#include <QColor>

using namespace Qt::StringLiterals;

namespace dl {

RaterReportModel::RaterReportModel(QObject *parent) : QAbstractTableModel(parent) { }

void RaterReportModel::setReports(const QList<RaterReport> &reports)
{
    beginResetModel();
    m_reports = reports;
    endResetModel();
}

int RaterReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_reports.size());
}

int RaterReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QVariant optionalValue(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

QVariant RaterReportModel::value(const RaterReport &r, int column) const
{
    switch (column) {
    case RaterColumn:
        return r.name;
    case AssignedColumn:
        return qlonglong(r.assigned);
    case DoneColumn:
        return qlonglong(r.done);
    case SkippedColumn:
        return qlonglong(r.skipped);
    case FlaggedColumn:
        return qlonglong(r.flagged);
    case OpenColumn:
        return qlonglong(r.todo + r.inProgress);
    case ProgressColumn:
        return r.assigned > 0 ? QVariant(double(r.done) / double(r.assigned)) : QVariant();
    case PerDayColumn:
        return optionalValue(r.labelsPerActiveDay());
    case ActiveDaysColumn:
        return qlonglong(r.labelsPerDay.size());
    case ConsensusColumn:
        return optionalValue(r.consensusAgreement());
    case DiagnosisColumn:
        return optionalValue(r.diagnosisAgreement());
    }
    return {};
}

QVariant RaterReportModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RaterReport &r = m_reports.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: {
        if (column == RaterColumn) {
            const QString name = r.displayName.isEmpty() ? r.name : r.displayName;
            return r.active ? name : tr("%1 (disabled)").arg(name);
        }
        const QVariant v = value(r, column);
        if (!v.isValid())
            return u"\u2014"_s;
        switch (column) {
        case ProgressColumn:
        case ConsensusColumn:
        case DiagnosisColumn:
            return QString::number(v.toDouble() * 100.0, 'f', 1) + u'%';
        case PerDayColumn:
            return QString::number(v.toDouble(), 'f', 1);
        default:
            return v;
        }
    }
    case Qt::ToolTipRole:
        switch (column) {
        case RaterColumn:
            return r.name;
        case ConsensusColumn:
            return tr("%1 of %2 answered fields equal the agreed or adjudicated consensus")
                .arg(r.consensusMatches)
                .arg(r.consensusFields);
        case DiagnosisColumn:
            return tr("Rank-1 diagnosis equal to the consensus diagnosis on %1 of %2 images")
                .arg(r.diagnosisMatches)
                .arg(r.diagnosisImages);
        case PerDayColumn: {
            QStringList days;
            for (auto it = r.labelsPerDay.cbegin(); it != r.labelsPerDay.cend(); ++it)
                days.append(tr("%1: %2").arg(it.key().toString(Qt::ISODate)).arg(it.value()));
            return days.join(u'\n');
        }
        }
        break;
    case Qt::TextAlignmentRole:
        return column == RaterColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                     : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (!r.active)
            return QColor(0x80, 0x80, 0x80);
        break;
    case ValueRole:
        return value(r, column);
    case UserIdRole:
        return r.userId;
    case UserNameRole:
        return r.name;
    default:
        break;
    }
    return {};
}

QVariant RaterReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case RaterColumn:
            return tr("Rater");
        case AssignedColumn:
            return tr("Assigned");
        case DoneColumn:
            return tr("Done");
        case SkippedColumn:
            return tr("Skipped");
        case FlaggedColumn:
            return tr("Flagged");
        case OpenColumn:
            return tr("Open");
        case ProgressColumn:
            return tr("Progress");
        case PerDayColumn:
            return tr("Labels / day");
        case ActiveDaysColumn:
            return tr("Active days");
        case ConsensusColumn:
            return tr("= consensus");
        case DiagnosisColumn:
            return tr("Top-1 = consensus");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case OpenColumn:
            return tr("Assigned images not started or in progress");
        case ProgressColumn:
            return tr("Done of assigned");
        case PerDayColumn:
            return tr("Labels per day on the days the rater labelled (by last change, UTC)");
        case ConsensusColumn:
            return tr("Share of the rater's answers that equal the agreed or adjudicated consensus");
        case DiagnosisColumn:
            return tr("Share of images where the rater's rank-1 diagnosis is the consensus diagnosis");
        }
    }
    return {};
}

} // namespace dl
