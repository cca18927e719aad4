// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/ConsensusService.h"

#include <QAbstractTableModel>

namespace dl {

/// The consensus fields still open (to adjudicate, or pending while raters are missing), one
/// row per image and field, for the QA dashboard's disagreement list. Sorting and the pending
/// toggle are DisagreementFilterModel's.
///
/// Severity of a row: the share of the raters who answered the field and are against the
/// leading value, (ratings - votes) / ratings (1 when nobody answered). Fields rank by
/// importance: the diagnosis, gradable, sensitive content, identifying content, then the rest.
class DisagreementModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { ImageColumn, FieldColumn, StatusColumn, VotesColumn, SeverityColumn, ReasonColumn, ColumnCount };
    enum Roles {
        ImageIdRole = Qt::UserRole + 1,
        ImageNameRole,
        FieldRole,     ///< the field's stored name
        StatusRole,    ///< int(ConsensusStatus)
        SeverityRole,  ///< double, see the class comment
        ImportanceRole ///< int, 0 = most important
    };

    explicit DisagreementModel(QObject *parent = nullptr);

    void setRows(const QList<ConsensusRow> &rows);
    const QList<ConsensusRow> &rows() const { return m_rows; }

    static double severity(const FieldConsensus &consensus);
    static int importance(const QString &field);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ConsensusRow> m_rows;
};

} // namespace dl
