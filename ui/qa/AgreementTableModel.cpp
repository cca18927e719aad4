// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/AgreementTableModel.h"

#include "qa/LabelFields.h"
#include "session/QaDataSet.h"
#include "qa/ValueText.h"

#include <QPointF>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

constexpr int ColumnsPerGroup = 2;

QString percent(double share)
{
    return QString::number(share * 100.0, 'f', 1) + u'%';
}

} // namespace

AgreementTableModel::AgreementTableModel(QObject *parent) : QAbstractTableModel(parent) { }

void AgreementTableModel::setAgreement(const QList<FieldAgreement> &fields, const Stratum *stratum)
{
    beginResetModel();
    m_fields = fields;
    rebuildGroups(stratum);
    endResetModel();
}

void AgreementTableModel::setStratum(const Stratum *stratum)
{
    beginResetModel();
    rebuildGroups(stratum);
    endResetModel();
}

void AgreementTableModel::rebuildGroups(const Stratum *stratum)
{
    m_stratumKey = stratum ? stratum->key : QString();
    m_groups.clear();
    m_cells.clear();
    if (!stratum)
        return;
    for (const StratifiedAgreement &field : stratum->fields) {
        for (const GroupAgreement &g : field.groups) {
            if (!m_groups.contains(g.group))
                m_groups.append(g.group);
        }
    }
    std::sort(m_groups.begin(), m_groups.end());
    for (const FieldAgreement &f : std::as_const(m_fields)) {
        QList<GroupCell> row(m_groups.size());
        for (const StratifiedAgreement &field : stratum->fields) {
            if (field.field != f.field)
                continue;
            for (const GroupAgreement &g : field.groups) {
                GroupCell &cell = row[m_groups.indexOf(g.group)];
                cell.alpha = g.agreement.alpha;
                cell.items = g.agreement.items;
                cell.size = g.size;
                cell.present = true;
            }
        }
        m_cells.append(row);
    }
}

int AgreementTableModel::groupColumn(const QString &group) const
{
    const qsizetype g = m_groups.indexOf(group);
    return g < 0 ? -1 : FixedColumnCount + int(g) * ColumnsPerGroup;
}

int AgreementTableModel::rowOf(const QString &field) const
{
    for (int row = 0; row < m_fields.size(); ++row) {
        if (m_fields.at(row).field == field)
            return row;
    }
    return -1;
}

std::optional<double> AgreementTableModel::meanPairKappa(const FieldAgreement &field)
{
    const bool weighted = field.level != MeasureLevel::Nominal;
    double sum = 0.0;
    int n = 0;
    for (const PairAgreement &pair : field.pairs) {
        const std::optional<double> &kappa = weighted ? pair.kappaQuadratic : pair.kappa;
        if (kappa) {
            sum += *kappa;
            ++n;
        }
    }
    return n > 0 ? std::optional<double>(sum / n) : std::nullopt;
}

AgreementTableModel::AlphaBand AgreementTableModel::band(const std::optional<double> &alpha)
{
    if (!alpha)
        return AlphaBand::None;
    if (*alpha >= 0.8)
        return AlphaBand::Good;
    if (*alpha >= 0.667)
        return AlphaBand::Tentative;
    return AlphaBand::Poor;
}

QColor AgreementTableModel::bandColour(AlphaBand band)
{
    switch (band) {
    case AlphaBand::Good:
        return QColor(0xc8, 0xe6, 0xc9);
    case AlphaBand::Tentative:
        return QColor(0xff, 0xe0, 0x9e);
    case AlphaBand::Poor:
        return QColor(0xf8, 0xbb, 0xbb);
    case AlphaBand::None:
        break;
    }
    return QColor(0xe6, 0xe6, 0xe6);
}

QString AgreementTableModel::bandText(AlphaBand band)
{
    switch (band) {
    case AlphaBand::Good:
        return tr("good (\u03b1 \u2265 0.800)");
    case AlphaBand::Tentative:
        return tr("tentative (0.667 \u2264 \u03b1 < 0.800)");
    case AlphaBand::Poor:
        return tr("poor (\u03b1 < 0.667)");
    case AlphaBand::None:
        break;
    }
    return tr("not computable");
}

QString AgreementTableModel::fieldName(const QString &field)
{
    static const QString prefix = u"reference."_s;
    if (!field.startsWith(prefix))
        return LabelFields::displayName(field);
    QString name = field.mid(prefix.size());
    name.replace(u'_', u' ');
    if (!name.isEmpty())
        name[0] = name.at(0).toUpper();
    return name;
}

int AgreementTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_fields.size());
}

int AgreementTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FixedColumnCount + int(m_groups.size()) * ColumnsPerGroup;
}

QVariant AgreementTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FieldAgreement &f = m_fields.at(index.row());
    if (role == FieldRole)
        return f.field;
    if (index.column() >= FixedColumnCount)
        return groupData(index.row(), index.column(), role);
    return fixedData(f, index.column(), role);
}

static QVariant optionalValue(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

QVariant AgreementTableModel::fixedData(const FieldAgreement &f, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case FieldColumn:
            return fieldName(f.field);
        case LevelColumn:
            return measureLevelName(f.level);
        case ItemsColumn:
            return qlonglong(f.items);
        case RatersColumn:
            return qlonglong(f.raters);
        case PercentColumn:
            return f.percentAgreement ? percent(*f.percentAgreement) : ValueText::missing();
        case FleissColumn:
            return f.fleissKappa ? ValueText::statistic(*f.fleissKappa) : ValueText::missing();
        case AlphaColumn:
            return f.alpha ? ValueText::statistic(*f.alpha) : ValueText::missing();
        case AlphaCiColumn:
            if (!f.alphaCi)
                return ValueText::missing();
            return u"%1 \u2013 %2"_s.arg(ValueText::statistic(f.alphaCi->lower), ValueText::statistic(f.alphaCi->upper));
        case PairKappaColumn: {
            const auto mean = meanPairKappa(f);
            return mean ? ValueText::statistic(*mean) : ValueText::missing();
        }
        }
        break;
    case ValueRole:
        switch (column) {
        case FieldColumn:
            return f.field;
        case LevelColumn:
            return measureLevelName(f.level);
        case ItemsColumn:
            return qlonglong(f.items);
        case RatersColumn:
            return qlonglong(f.raters);
        case PercentColumn:
            return optionalValue(f.percentAgreement);
        case FleissColumn:
            return optionalValue(f.fleissKappa);
        case AlphaColumn:
            return optionalValue(f.alpha);
        case AlphaCiColumn:
            return f.alphaCi ? QVariant(QPointF(f.alphaCi->lower, f.alphaCi->upper)) : QVariant();
        case PairKappaColumn:
            return optionalValue(meanPairKappa(f));
        }
        break;
    case Qt::TextAlignmentRole:
        return column <= LevelColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                     : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case BandRole:
        return column == AlphaColumn ? QVariant(int(band(f.alpha))) : QVariant();
    case Qt::BackgroundRole:
        if (column == AlphaColumn)
            return bandColour(band(f.alpha));
        break;
    case Qt::ForegroundRole:
        if (column == AlphaColumn)
            return QColor(Qt::black);
        break;
    case Qt::ToolTipRole:
        switch (column) {
        case FieldColumn:
            return f.field;
        case ItemsColumn:
            return tr("%1 images with at least two ratings; %2 ratings on them").arg(f.items).arg(f.ratings);
        case FleissColumn:
            return f.fleissNote.isEmpty() ? QVariant() : QVariant(f.fleissNote);
        case AlphaColumn:
            return tr("Krippendorff's alpha (%1): %2").arg(measureLevelName(f.level), bandText(band(f.alpha)));
        case AlphaCiColumn:
            return f.alphaCi ? tr("Bootstrap percentile interval, %1 replicates").arg(f.alphaCi->replicates)
                             : tr("Press “Confidence intervals” to run the bootstrap");
        case PairKappaColumn: {
            QStringList lines;
            const bool weighted = f.level != MeasureLevel::Nominal;
            for (const PairAgreement &p : f.pairs) {
                const auto &k = weighted ? p.kappaQuadratic : p.kappa;
                lines.append(tr("%1 / %2: %3 (%4 images)")
                                 .arg(p.raterA, p.raterB, k ? ValueText::statistic(*k) : ValueText::missing())
                                 .arg(p.items));
            }
            return lines.join(u'\n');
        }
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant AgreementTableModel::groupData(int row, int column, int role) const
{
    const int g = (column - FixedColumnCount) / ColumnsPerGroup;
    const bool isAlpha = (column - FixedColumnCount) % ColumnsPerGroup == 0;
    const GroupCell &cell = m_cells.at(row).at(g);
    switch (role) {
    case Qt::DisplayRole:
        if (isAlpha)
            return cell.alpha ? ValueText::statistic(*cell.alpha) : ValueText::missing();
        return qlonglong(cell.items);
    case ValueRole:
        if (isAlpha)
            return optionalValue(cell.alpha);
        return qlonglong(cell.items);
    case GroupRole:
        return m_groups.at(g);
    case BandRole:
        return isAlpha ? QVariant(int(band(cell.alpha))) : QVariant();
    case Qt::BackgroundRole:
        if (isAlpha)
            return bandColour(band(cell.alpha));
        break;
    case Qt::ForegroundRole:
        if (isAlpha)
            return QColor(Qt::black);
        break;
    case Qt::TextAlignmentRole:
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return tr("%1 %2: %3 images rated, %4 with at least two ratings")
            .arg(QaDataSet::stratumName(m_stratumKey), m_groups.at(g))
            .arg(cell.size)
            .arg(cell.items);
    default:
        break;
    }
    return {};
}

QVariant AgreementTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section >= FixedColumnCount) {
        const int g = (section - FixedColumnCount) / ColumnsPerGroup;
        const bool isAlpha = (section - FixedColumnCount) % ColumnsPerGroup == 0;
        if (role == Qt::DisplayRole)
            return isAlpha ? u"\u03b1 %1"_s.arg(m_groups.at(g)) : u"n %1"_s.arg(m_groups.at(g));
        if (role == Qt::ToolTipRole)
            return isAlpha ? tr("Krippendorff's alpha for %1 %2").arg(QaDataSet::stratumName(m_stratumKey), m_groups.at(g))
                           : tr("Images with at least two ratings for %1 %2")
                                 .arg(QaDataSet::stratumName(m_stratumKey), m_groups.at(g));
        if (role == GroupRole)
            return m_groups.at(g);
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case FieldColumn:
            return tr("Field");
        case LevelColumn:
            return tr("Level");
        case ItemsColumn:
            return m_cases ? tr("Cases") : tr("Images");
        case RatersColumn:
            return tr("Raters");
        case PercentColumn:
            return tr("Agreement");
        case FleissColumn:
            return tr("Fleiss \u03ba");
        case AlphaColumn:
            return tr("\u03b1");
        case AlphaCiColumn:
            return tr("\u03b1 95% CI");
        case PairKappaColumn:
            return tr("Mean pair \u03ba");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ItemsColumn:
            return m_cases ? tr("Cases with at least two ratings") : tr("Images with at least two ratings");
        case PercentColumn:
            return tr("Percent agreement: mean share of agreeing rater pairs per image");
        case FleissColumn:
            return tr("Fleiss' kappa (only when every image has the same number of ratings)");
        case AlphaColumn:
            return tr("Krippendorff's alpha at the field's level of measurement");
        case AlphaCiColumn:
            return tr("95% bootstrap confidence interval of alpha (seeded, reproducible)");
        case PairKappaColumn:
            return tr("Mean Cohen's kappa over rater pairs; quadratic-weighted for ordinal fields");
        }
    }
    return {};
}

} // namespace dl
