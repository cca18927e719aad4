// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/ReviewTableModel.h"

#include "qa/LabelFields.h"
#include "qa/ValueText.h"

#include <QColor>
#include <QFont>
#include <QSet>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

const QString DiagnosisField = u"diagnosis"_s;
const QString DifferentialField = u"differential"_s;
const QString NoteField = u"note"_s;

QStringList reviewFields()
{
    QStringList fields;
    for (const LabelField &field : LabelFields::withUse(LabelField::Consensus)) {
        if (field.name == u"fitzpatrick_type"_s) {
            // The diagnosis comes where the form asks it: after suitability, before skin type.
            fields.append(DiagnosisField);
            fields.append(DifferentialField);
        }
        fields.append(field.name);
    }
    if (!fields.contains(DiagnosisField))
        fields.append({DiagnosisField, DifferentialField});
    fields.append(NoteField);
    return fields;
}

} // namespace

ReviewTableModel::ReviewTableModel(QObject *parent)
    : QAbstractTableModel(parent), m_fields(reviewFields()), m_taxonomy(Taxonomy::builtin())
{
}

void ReviewTableModel::setReview(const QList<Rater> &raters, const QList<Annotation> &annotations,
                                 const QList<ConsensusRow> &consensus, const QList<WeightedCondition> &differential)
{
    beginResetModel();
    m_raters = raters;
    m_annotations = annotations;
    m_consensus = consensus;
    m_differential = differential;
    endResetModel();
}

void ReviewTableModel::setTaxonomy(const Taxonomy &taxonomy)
{
    beginResetModel();
    m_taxonomy = taxonomy;
    endResetModel();
}

int ReviewTableModel::rowOf(const QString &field) const
{
    return int(m_fields.indexOf(field));
}

bool ReviewTableModel::isAdjudicable(const QString &field)
{
    if (field == DiagnosisField)
        return true;
    const LabelField *f = LabelFields::find(field);
    return f && (f->uses & LabelField::Consensus);
}

QString ReviewTableModel::value(const QString &field, int rater) const
{
    if (rater < 0 || rater >= m_annotations.size())
        return {};
    const Annotation &a = m_annotations.at(rater);
    if (field == DiagnosisField)
        return LabelFields::find(u"diagnosis_1"_s)->value(a);
    if (field == NoteField)
        return a.note;
    if (field == DifferentialField) {
        QStringList parts;
        for (const Diagnosis &d : a.diagnoses)
            parts.append(u"%1:%2"_s.arg(d.conditionId).arg(d.confidence));
        return a.cannotDetermine ? LabelFields::cannotDetermine() : parts.join(u';');
    }
    const LabelField *f = LabelFields::find(field);
    return f ? f->value(a) : QString();
}

QString ReviewTableModel::displayValue(const QString &field, int rater) const
{
    if (field == DifferentialField) {
        const Annotation &a = m_annotations.at(rater);
        if (a.cannotDetermine)
            return tr("Cannot determine");
        QStringList parts;
        for (const Diagnosis &d : a.diagnoses)
            parts.append(tr("%1 (%2)").arg(m_taxonomy.displayName(d.conditionId)).arg(d.confidence));
        return parts.join(u"\n"_s);
    }
    if (field == NoteField)
        return value(field, rater);
    return ValueText::display(field, value(field, rater), m_taxonomy);
}

const FieldConsensus *ReviewTableModel::consensus(const QString &field) const
{
    const QString key = field == DifferentialField ? DiagnosisField : field;
    for (const ConsensusRow &row : m_consensus) {
        if (row.consensus.field == key)
            return &row.consensus;
    }
    return nullptr;
}

static QString statusText(ConsensusStatus status)
{
    switch (status) {
    case ConsensusStatus::Agreed:
        return ReviewTableModel::tr("agreed");
    case ConsensusStatus::Pending:
        return ReviewTableModel::tr("pending");
    case ConsensusStatus::Adjudicate:
        return ReviewTableModel::tr("to adjudicate");
    case ConsensusStatus::Adjudicated:
        return ReviewTableModel::tr("adjudicated");
    }
    return {};
}

QString ReviewTableModel::consensusText(const QString &field) const
{
    if (field == NoteField)
        return {};
    if (field == DifferentialField) {
        QStringList parts;
        for (const WeightedCondition &c : m_differential)
            parts.append(tr("%1 %2%").arg(m_taxonomy.displayName(c.conditionId)).arg(qRound(c.weight * 100.0)));
        return parts.join(u"\n"_s);
    }
    const FieldConsensus *c = consensus(field);
    if (!c)
        return tr("\u2014 (not asked)");
    const QString value = c->value.isEmpty() ? u"\u2014"_s : ValueText::display(field, c->value, m_taxonomy);
    if (c->status == ConsensusStatus::Agreed)
        return tr("%1 \u00b7 agreed %2/%3").arg(value).arg(c->votes).arg(c->ratings);
    return tr("%1 \u00b7 %2").arg(value, statusText(c->status));
}

ReviewTableModel::Level ReviewTableModel::level(int row) const
{
    const QString &field = m_fields.at(row);
    if (field == NoteField)
        return Agreement;
    if (field == DifferentialField) {
        // The differentials differ when the raters' sets of conditions differ.
        QList<QStringList> sets;
        for (const Annotation &a : m_annotations) {
            QStringList conditions;
            for (const Diagnosis &d : a.diagnoses)
                conditions.append(d.conditionId);
            if (a.cannotDetermine)
                conditions.append(LabelFields::cannotDetermine());
            conditions.sort();
            if (!conditions.isEmpty() && !sets.contains(conditions))
                sets.append(conditions);
        }
        return sets.size() > 1 ? Differs : Agreement;
    }
    if (const FieldConsensus *c = consensus(field);
        c && (c->status == ConsensusStatus::Adjudicate || c->status == ConsensusStatus::Pending))
        return Open;
    QSet<QString> answers;
    for (int r = 0; r < m_annotations.size(); ++r) {
        const QString v = value(field, r);
        if (!v.isEmpty())
            answers.insert(v);
    }
    return answers.size() > 1 ? Differs : Agreement;
}

QStringList ReviewTableModel::namedConditions() const
{
    QStringList conditions;
    for (const Annotation &a : m_annotations) {
        for (const Diagnosis &d : a.diagnoses) {
            if (!conditions.contains(d.conditionId))
                conditions.append(d.conditionId);
        }
    }
    return conditions;
}

int ReviewTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_fields.size());
}

int ReviewTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_raters.size()) + 2;
}

QVariant ReviewTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &field = m_fields.at(index.row());
    const int column = index.column();
    const int rater = column - 1;
    const bool isConsensus = column == consensusColumn();
    switch (role) {
    case Qt::DisplayRole:
        if (column == 0) {
            if (field == DifferentialField)
                return tr("Differential (confidence)");
            if (field == NoteField)
                return tr("Note");
            if (field == DiagnosisField)
                return tr("Diagnosis, rank 1");
            return LabelFields::displayName(field);
        }
        if (isConsensus)
            return consensusText(field);
        return displayValue(field, rater);
    case Qt::ToolTipRole:
        if (isConsensus) {
            if (const FieldConsensus *c = consensus(field); c && !c->reason.isEmpty())
                return c->reason;
        } else if (column > 0 && field == NoteField) {
            return value(field, rater);
        }
        break;
    case FieldRole:
        return field;
    case RaterRole:
        return column > 0 && !isConsensus ? m_raters.at(rater).name : QString();
    case ValueRole:
        if (column == 0)
            return field;
        if (isConsensus) {
            const FieldConsensus *c = consensus(field);
            return c ? c->value : QString();
        }
        return value(field, rater);
    case StatusRole:
        if (isConsensus) {
            const FieldConsensus *c = consensus(field);
            return c ? int(c->status) : -1;
        }
        break;
    case DisagreementRole:
        return level(index.row()) != Agreement;
    case Qt::BackgroundRole:
        switch (level(index.row())) {
        case Open:
            return QColor(0xff, 0xd8, 0xa8);
        case Differs:
            return QColor(0xff, 0xf3, 0xc4);
        case Agreement:
            if (isConsensus)
                return QColor(0xee, 0xf3, 0xf8);
            break;
        }
        break;
    case Qt::ForegroundRole:
        if (level(index.row()) != Agreement || isConsensus)
            return QColor(Qt::black);
        break;
    case Qt::FontRole:
        if (isConsensus && consensus(field) && consensus(field)->status == ConsensusStatus::Adjudicated) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    case Qt::TextAlignmentRole:
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        break;
    }
    return {};
}

QVariant ReviewTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        if (section == 0)
            return tr("Field");
        if (section == consensusColumn())
            return tr("Consensus");
        const Rater &r = m_raters.at(section - 1);
        return r.displayName.isEmpty() ? r.name : r.displayName;
    }
    if (role == Qt::ToolTipRole && section > 0 && section < consensusColumn())
        return m_raters.at(section - 1).name;
    if (role == RaterRole && section > 0 && section < consensusColumn())
        return m_raters.at(section - 1).name;
    return {};
}

} // namespace dl
