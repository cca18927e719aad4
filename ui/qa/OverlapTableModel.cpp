// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/OverlapTableModel.h"

#include "masks/MaskLayer.h"
#include "session/QaDataSet.h"
#include "qa/ValueText.h"
#include "taxonomy/Taxonomy.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

constexpr int ColumnsPerGroup = 2;

} // namespace

OverlapTableModel::OverlapTableModel(QObject *parent) : QAbstractTableModel(parent) { }

void OverlapTableModel::setAgreement(const StoreAgreement &agreement, const Stratum *stratum)
{
    beginResetModel();
    m_agreement = agreement;
    m_agreement.strata.clear(); // only the overall figures are needed here
    rebuild(stratum);
    endResetModel();
}

void OverlapTableModel::setStratum(const Stratum *stratum)
{
    beginResetModel();
    rebuild(stratum);
    endResetModel();
}

void OverlapTableModel::rebuild(const Stratum *stratum)
{
    m_rows.clear();
    m_groups.clear();
    m_stratumKey = stratum ? stratum->key : QString();

    const DiagnosisAgreement &d = m_agreement.diagnoses;
    m_rows.append({u"top1"_s, tr("Diagnosis: top-1 agreement"),
                   tr("Share of rater pairs naming the same first condition, mean over images"), d.items, -1,
                   d.top1Agreement, {}});
    m_rows.append({u"top3"_s, tr("Diagnosis: top-3 overlap"),
                   tr("Overlap coefficient of the raters' up-to-three conditions (shared / size of the shorter "
                      "list), mean over images"),
                   d.items, -1, d.top3Overlap, {}});
    const Taxonomy &taxonomy = Taxonomy::builtin();
    for (const LayerAgreement &layer : std::as_const(m_agreement.masks)) {
        const QString name = MaskLayer(layer.layer).displayName(&taxonomy);
        m_rows.append({u"dice:"_s + layer.layer, tr("Region Dice: %1").arg(name),
                       tr("Mean Dice (2 |A \u2229 B| / (|A| + |B|)) over every pair of raters who drew this region; "
                          "lowest pair %1")
                           .arg(ValueText::statistic(layer.minDice)),
                       layer.images, layer.pairs, layer.meanDice, {}});
        m_rows.append({u"iou:"_s + layer.layer, tr("Region IoU: %1").arg(name),
                       tr("Mean intersection over union over every pair of raters who drew this region"),
                       layer.images, layer.pairs, layer.meanIou, {}});
    }
    if (!stratum)
        return;

    for (const GroupDiagnosisAgreement &g : stratum->diagnoses)
        m_groups.append(g.group);
    for (const GroupLayerAgreement &g : stratum->masks)
        m_groups.append(g.group);
    std::sort(m_groups.begin(), m_groups.end());
    m_groups.erase(std::unique(m_groups.begin(), m_groups.end()), m_groups.end());
    for (Row &row : m_rows)
        row.groups.resize(m_groups.size());

    for (const GroupDiagnosisAgreement &g : stratum->diagnoses) {
        const qsizetype column = m_groups.indexOf(g.group);
        m_rows[0].groups[column] = {g.agreement.top1Agreement, g.agreement.items};
        m_rows[1].groups[column] = {g.agreement.top3Overlap, g.agreement.items};
    }
    for (const GroupLayerAgreement &g : stratum->masks) {
        const qsizetype column = m_groups.indexOf(g.group);
        for (const LayerAgreement &layer : g.layers) {
            const int dice = rowOf(u"dice:"_s + layer.layer);
            const int iou = rowOf(u"iou:"_s + layer.layer);
            if (dice < 0 || iou < 0)
                continue;
            m_rows[dice].groups[column] = {layer.meanDice, layer.images};
            m_rows[iou].groups[column] = {layer.meanIou, layer.images};
        }
    }
}

int OverlapTableModel::groupColumn(const QString &group) const
{
    const qsizetype g = m_groups.indexOf(group);
    return g < 0 ? -1 : FixedColumnCount + int(g) * ColumnsPerGroup;
}

int OverlapTableModel::rowOf(const QString &measure) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).measure == measure)
            return row;
    }
    return -1;
}

int OverlapTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int OverlapTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FixedColumnCount + int(m_groups.size()) * ColumnsPerGroup;
}

QVariant OverlapTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const int column = index.column();
    if (role == MeasureRole)
        return row.measure;
    if (role == Qt::TextAlignmentRole)
        return column == MeasureColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                       : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (column >= FixedColumnCount) {
        const int group = (column - FixedColumnCount) / ColumnsPerGroup;
        const bool isValue = (column - FixedColumnCount) % ColumnsPerGroup == 0;
        const Cell &cell = row.groups.at(group);
        if (role == Qt::DisplayRole) {
            if (isValue)
                return cell.value ? ValueText::statistic(*cell.value) : ValueText::missing();
            return cell.images > 0 ? QVariant(qlonglong(cell.images)) : QVariant(ValueText::missing());
        }
        if (role == ValueRole)
            return isValue ? (cell.value ? QVariant(*cell.value) : QVariant()) : QVariant(qlonglong(cell.images));
        if (role == Qt::ToolTipRole && isValue && cell.value && row.value) {
            const double change = *cell.value - *row.value;
            return tr("%1 in %2: %3 over %n image(s), %4 against all images", nullptr, int(cell.images))
                .arg(row.name, m_groups.at(group), ValueText::statistic(*cell.value),
                     (change >= 0 ? u"+"_s : QString()) + ValueText::statistic(change));
        }
        return {};
    }
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case MeasureColumn:
            return row.name;
        case ImagesColumn:
            return qlonglong(row.images);
        case PairsColumn:
            return row.pairs >= 0 ? QVariant(qlonglong(row.pairs)) : QVariant(ValueText::missing());
        case ValueColumn:
            return row.value ? ValueText::statistic(*row.value) : ValueText::missing();
        }
        break;
    case ValueRole:
        switch (column) {
        case MeasureColumn:
            return row.measure;
        case ImagesColumn:
            return qlonglong(row.images);
        case PairsColumn:
            return row.pairs >= 0 ? QVariant(qlonglong(row.pairs)) : QVariant();
        case ValueColumn:
            return row.value ? QVariant(*row.value) : QVariant();
        }
        break;
    case Qt::ToolTipRole:
        return row.toolTip;
    }
    return {};
}

QVariant OverlapTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (section >= FixedColumnCount) {
        const int group = (section - FixedColumnCount) / ColumnsPerGroup;
        const bool isValue = (section - FixedColumnCount) % ColumnsPerGroup == 0;
        if (group >= m_groups.size())
            return {};
        if (role == Qt::DisplayRole)
            return isValue ? m_groups.at(group) : tr("n %1").arg(m_groups.at(group));
        if (role == Qt::ToolTipRole)
            return isValue ? tr("%1 %2: the value over this group's images").arg(QaDataSet::stratumName(m_stratumKey),
                                                                                m_groups.at(group))
                           : tr("Images of this group the value rests on");
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case MeasureColumn:
            return tr("Measure");
        case ImagesColumn:
            return tr("Images");
        case PairsColumn:
            return tr("Rater pairs");
        case ValueColumn:
            return tr("Value");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case ImagesColumn:
            return tr("Images with at least two raters' differentials (diagnoses) or regions (masks)");
        case PairsColumn:
            return tr("Pairs of raters who both drew the region, over all images");
        case ValueColumn:
            return tr("Mean over rater pairs; 1 is full agreement, 0 none");
        }
    }
    return {};
}

} // namespace dl
