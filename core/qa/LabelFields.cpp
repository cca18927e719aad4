// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/LabelFields.h"

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

const QStringList &LabelFields::identifyingKinds()
{
    static const QStringList kinds {u"face"_s,        u"tattoo"_s,       u"jewellery_or_birthmark"_s,
                                    u"background_landmark"_s, u"visible_text"_s, u"other"_s};
    return kinds;
}

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
            {u"identifying_face"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return identifying(a, u"face"_s); }},
            {u"identifying_tattoo"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return identifying(a, u"tattoo"_s); }},
            {u"identifying_jewellery_or_birthmark"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return identifying(a, u"jewellery_or_birthmark"_s); }},
            {u"identifying_background_landmark"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return identifying(a, u"background_landmark"_s); }},
            {u"identifying_visible_text"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return identifying(a, u"visible_text"_s); }},
            {u"identifying_other"_s, MeasureLevel::Nominal, F::Agreement | F::Consensus,
             [](const Annotation &a) { return identifying(a, u"other"_s); }},
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
        {u"identifying_face"_s, QT_TR_NOOP("Identifying: face")},
        {u"identifying_tattoo"_s, QT_TR_NOOP("Identifying: tattoo")},
        {u"identifying_jewellery_or_birthmark"_s, QT_TR_NOOP("Identifying: jewellery or birthmark")},
        {u"identifying_background_landmark"_s, QT_TR_NOOP("Identifying: background landmark")},
        {u"identifying_visible_text"_s, QT_TR_NOOP("Identifying: visible text")},
        {u"identifying_other"_s, QT_TR_NOOP("Identifying: other")},
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
    return it == names.cend() ? name : tr(*it);
}

} // namespace dl
