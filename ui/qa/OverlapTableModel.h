// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/StoreAgreementReport.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <optional>

namespace dl {

/// The agreement on what and where, as a table for the QA dashboard's overview: top-1 agreement
/// and top-3 overlap of the raters' differential diagnoses, and the mean pairwise Dice and IoU of
/// their regions for each mask layer. With a stratum set, two columns per group follow (the value
/// and the number of images it rests on), as in AgreementTableModel.
class OverlapTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        MeasureColumn,
        ImagesColumn,
        PairsColumn,
        ValueColumn,
        FixedColumnCount
    };
    enum Roles {
        ValueRole = Qt::UserRole + 1, ///< the number behind a cell (invalid when unset)
        MeasureRole,                  ///< "top1", "top3", "dice:<layer>", "iou:<layer>"
    };

    explicit OverlapTableModel(QObject *parent = nullptr);

    void setAgreement(const StoreAgreement &agreement, const Stratum *stratum = nullptr);
    void setStratum(const Stratum *stratum);
    QStringList groups() const { return m_groups; }
    /// The first column of group `group`'s pair (the value), or -1.
    int groupColumn(const QString &group) const;
    int rowOf(const QString &measure) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Cell
    {
        std::optional<double> value;
        qsizetype images = 0;
    };
    struct Row
    {
        QString measure;
        QString name;
        QString toolTip;
        qsizetype images = 0;
        qsizetype pairs = -1; ///< -1: not a pair count (diagnoses count rater pairs per image)
        std::optional<double> value;
        QList<Cell> groups;
    };
    void rebuild(const Stratum *stratum);

    StoreAgreement m_agreement;
    QList<Row> m_rows;
    QStringList m_groups;
    QString m_stratumKey;
};

} // namespace dl
