// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/LabelFields.h"

#include "model/LabelVocabulary.h"

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString yesNo(const std::optional<bool> &value)
{
    if (!value)
        return {};
    return *value ? u"yes"_s : u"no"_s;
}

bool suitabilityAnswered(const Annotation &a)
{
    return a.sensitive.has_value() || !a.visibleCondition.isEmpty() || !a.identifying.isEmpty();
}

QString identifying(const Annotation &a, const QString &kind)
{
    if (!suitabilityAnswered(a))
        return {};
    return a.identifying.contains(kind) ? u"yes"_s : u"no"_s;
}

QString diagnosisAt(const Annotation &a, int rank)
{
    if (rank == 0 && a.cannotDetermine)
        return LabelFields::cannotDetermine();
    return rank < a.diagnoses.size() ? a.diagnoses.at(rank).conditionId : QString();
}

QString numericOnly(const QString &scale)
{
    return scale == u"not_gradable"_s ? QString() : scale;
}

QString scaleGradable(const QString &scale)
{
    if (scale.isEmpty())
        return {};
    return scale == u"not_gradable"_s ? u"no"_s : u"yes"_s;
}

} // namespace

const QList<LabelField> &LabelFields::all()
{
    using F = LabelField;
    static const QList<LabelField> fields = [] {
        QList<LabelField> list {
            {u"gradable"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return yesNo(a.gradable); }},
            {u"ungradable_reason"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return a.gradable == false ? a.ungradableReason : QString(); }},
            {u"visible_condition"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return a.visibleCondition; }},
            {u"sensitive"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return yesNo(a.sensitive); }},
        };
        for (const LabelTerm &kind : LabelVocabulary::identifyingKinds()) {
            list.append({u"identifying_"_s + kind.id, MeasureLevel::Nominal, F::Agreement | F::Consensus,
                         [id = kind.id](const Annotation &a) { return identifying(a, id); }});
        }
        list << QList<LabelField> {
            {u"diagnosis_1"_s, MeasureLevel::Nominal, F::Agreement,
             [](const Annotation &a) { return diagnosisAt(a, 0); }},
            {u"diagnosis_2"_s, MeasureLevel::Nominal, F::Agreement,
             [](const Annotation &a) { return diagnosisAt(a, 1); }},
            {u"diagnosis_3"_s, MeasureLevel::Nominal, F::Agreement,
             [](const Annotation &a) { return diagnosisAt(a, 2); }},
            {u"fitzpatrick"_s, MeasureLevel::Ordinal, F::Agreement,
             [](const Annotation &a) { return numericOnly(a.fitzpatrick); }},
            {u"fitzpatrick_gradable"_s, MeasureLevel::Nominal, F::Agreement,
             [](const Annotation &a) { return scaleGradable(a.fitzpatrick); }},
            {u"fitzpatrick_type"_s, MeasureLevel::Nominal, F::Consensus,
             [](const Annotation &a) { return a.fitzpatrick; }},
            {u"monk"_s, MeasureLevel::Ordinal, F::Agreement,
             [](const Annotation &a) { return numericOnly(a.monk); }},
            {u"monk_gradable"_s, MeasureLevel::Nominal, F::Agreement,
             [](const Annotation &a) { return scaleGradable(a.monk); }},
            {u"monk_tone"_s, MeasureLevel::Nominal, F::Consensus,
             [](const Annotation &a) { return a.monk; }},
        };
        return list;
    }();
    return fields;
}

QList<LabelField> LabelFields::withUse(LabelField::Use use)
{
    QList<LabelField> selected;
    for (const LabelField &field : all()) {
        if (field.uses & use)
            selected.append(field);
    }
    return selected;
}

const LabelField *LabelFields::find(const QString &name)
{
    for (const LabelField &field : all()) {
        if (field.name == name)
            return &field;
    }
    return nullptr;
}

QString LabelFields::displayName(const QString &name)
{
    static const QHash<QString, const char *> names {
        {u"gradable"_s, QT_TR_NOOP("Gradable")},
        {u"ungradable_reason"_s, QT_TR_NOOP("Reason not gradable")},
        {u"visible_condition"_s, QT_TR_NOOP("Visible skin condition")},
        {u"sensitive"_s, QT_TR_NOOP("Sensitive content")},
        {u"diagnosis_1"_s, QT_TR_NOOP("Diagnosis, rank 1 (top-1)")},
        {u"diagnosis_2"_s, QT_TR_NOOP("Diagnosis, rank 2")},
        {u"diagnosis_3"_s, QT_TR_NOOP("Diagnosis, rank 3")},
        {u"diagnosis"_s, QT_TR_NOOP("Diagnosis (weighted)")},
        {u"fitzpatrick"_s, QT_TR_NOOP("Fitzpatrick type")},
        {u"fitzpatrick_gradable"_s, QT_TR_NOOP("Fitzpatrick gradable")},
        {u"fitzpatrick_type"_s, QT_TR_NOOP("Fitzpatrick type")},
        {u"monk"_s, QT_TR_NOOP("Monk skin tone")},
        {u"monk_gradable"_s, QT_TR_NOOP("Monk tone gradable")},
        {u"monk_tone"_s, QT_TR_NOOP("Monk skin tone")},
    };
    const auto it = names.constFind(name);
    if (it != names.cend())
        return tr(*it);
    if (name.startsWith(u"identifying_"_s)) {
        const QString kind = name.mid(12);
        if (LabelVocabulary::contains(LabelVocabulary::identifyingKinds(), kind)) {
            // The kind's text from the label form, mid-sentence: "Identifying: jewellery or birthmark".
            const QString text = LabelVocabulary::text(LabelVocabulary::identifyingKinds(), kind);
            //: %1 is a kind of identifying content as the label form names it, with a lower-case initial.
            return tr("Identifying: %1").arg(text.left(1).toLower() + text.mid(1));
        }
    }
    return name;
}

} // namespace dl
