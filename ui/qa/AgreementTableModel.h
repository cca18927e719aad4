// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/FieldAgreement.h"
#include "qa/StoreAgreementReport.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QStringList>

#include <optional>

namespace dl {

/// The agreement of each label field as a table for the QA dashboard's overview: items,
/// raters, percent agreement, Fleiss' kappa, Krippendorff's alpha with its bootstrap
/// interval, and the mean pairwise Cohen's kappa (quadratic-weighted for ordinal and
/// interval fields). With a stratum set, two columns per group follow (alpha and the
/// number of items with at least two ratings), so one row answers whether agreement
/// drops in a group. Alpha cells are coloured by AlphaBand.
class AgreementTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        FieldColumn,
        LevelColumn,
        ItemsColumn,
        RatersColumn,
        PercentColumn,
        FleissColumn,
        AlphaColumn,
        AlphaCiColumn,
        PairKappaColumn,
        FixedColumnCount
    };
    enum Roles {
        /// The number behind a cell (double or qlonglong; invalid when unset). For the CI
        /// column a QPointF(lower, upper).
        ValueRole = Qt::UserRole + 1,
        FieldRole,  ///< the field's name (any column)
        BandRole,   ///< int(AlphaBand) for alpha cells
        GroupRole,  ///< the group of a stratum column (empty for the fixed columns)
    };
    /// How far an alpha can be trusted (Krippendorff's thresholds).
    enum class AlphaBand { None, Poor, Tentative, Good };

    explicit AgreementTableModel(QObject *parent = nullptr);

    /// Shows these fields; with `stratum` (may be null) adds its group columns.
    void setAgreement(const QList<FieldAgreement> &fields, const Stratum *stratum = nullptr);
    /// Items are cases, not images (reference labels): the header says so.
    void setItemsAreCases(bool cases) { m_cases = cases; }
    /// Adds or removes the group columns, keeping the fields.
    void setStratum(const Stratum *stratum);
    const QList<FieldAgreement> &fields() const { return m_fields; }
    QString stratumKey() const { return m_stratumKey; }
    QStringList groups() const { return m_groups; }
    /// The first column of group `group`'s pair (alpha), or -1.
    int groupColumn(const QString &group) const;
    int rowOf(const QString &field) const;

    /// Mean over rater pairs of Cohen's kappa (quadratic-weighted for ordinal and interval
    /// fields), over the pairs where it is defined; unset without any.
    static std::optional<double> meanPairKappa(const FieldAgreement &field);
    static AlphaBand band(const std::optional<double> &alpha);
    static QColor bandColour(AlphaBand band);
    static QString bandText(AlphaBand band);
    /// A readable name of a field, including reference fields ("reference.<field>").
    static QString fieldName(const QString &field);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct GroupCell
    {
        std::optional<double> alpha;
        qsizetype items = 0; ///< items with at least two ratings
        qsizetype size = 0;  ///< items with at least one rating
        bool present = false;
    };
    QVariant fixedData(const FieldAgreement &f, int column, int role) const;
    QVariant groupData(int row, int column, int role) const;
    void rebuildGroups(const Stratum *stratum);

    QList<FieldAgreement> m_fields;
    QString m_stratumKey;
    bool m_cases = false;
    QStringList m_groups;
    QList<QList<GroupCell>> m_cells; ///< [row][group]
};

} // namespace dl
