// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/DisagreementModel.h"

#include "qa/AgreementTableModel.h"
#include "qa/ValueText.h"

#include <QColor>

using namespace Qt::StringLiterals;

namespace dl {

DisagreementModel::DisagreementModel(QObject *parent) : QAbstractTableModel(parent) { }

void DisagreementModel::setRows(const QList<ConsensusRow> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

double DisagreementModel::severity(const FieldConsensus &consensus)
{
    if (consensus.ratings <= 0)
        return 1.0;
    return double(consensus.ratings - consensus.votes) / double(consensus.ratings);
}

int DisagreementModel::importance(const QString &field)
{
    if (field == u"diagnosis"_s)
        return 0;
    if (field == u"gradable"_s)
        return 1;
    if (field == u"sensitive"_s)
        return 2;
    if (field.startsWith(u"identifying_"_s))
        return 3;
    return 4;
}

int DisagreementModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DisagreementModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QString statusText(ConsensusStatus status)
{
    switch (status) {
    case ConsensusStatus::Agreed:
        return DisagreementModel::tr("agreed");
    case ConsensusStatus::Pending:
        return DisagreementModel::tr("pending");
    case ConsensusStatus::Adjudicate:
        return DisagreementModel::tr("to adjudicate");
    case ConsensusStatus::Adjudicated:
        return DisagreementModel::tr("adjudicated");
    }
    return {};
}

QVariant DisagreementModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConsensusRow &row = m_rows.at(index.row());
    const FieldConsensus &c = row.consensus;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ImageColumn:
            return row.imageName;
        case FieldColumn:
            return AgreementTableModel::fieldName(c.field);
        case StatusColumn:
            return statusText(c.status);
        case VotesColumn:
            return tr("%1 of %2").arg(c.votes).arg(c.ratings);
        case SeverityColumn:
            return QString::number(severity(c) * 100.0, 'f', 0) + u'%';
        case ReasonColumn:
            return c.reason;
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == SeverityColumn)
            return tr("Share of the raters against the leading value");
        if (index.column() == ReasonColumn)
            return c.reason;
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == VotesColumn || index.column() == SeverityColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (c.status == ConsensusStatus::Pending)
            return QColor(0x70, 0x70, 0x70);
        break;
    case ImageIdRole:
        return row.imageId;
    case ImageNameRole:
        return row.imageName;
    case FieldRole:
        return c.field;
    case StatusRole:
        return int(c.status);
    case SeverityRole:
        return severity(c);
    case ImportanceRole:
        return importance(c.field);
    default:
        break;
    }
    return {};
}

QVariant DisagreementModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ImageColumn:
        return tr("Image");
    case FieldColumn:
        return tr("Field");
    case StatusColumn:
        return tr("Status");
    case VotesColumn:
        return tr("Leading votes");
    case SeverityColumn:
        return tr("Against");
    case ReasonColumn:
        return tr("Why");
    }
    return {};
}

} // namespace dl
