// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/ValueText.h"

#include "model/LabelVocabulary.h"
#include "qa/LabelFields.h"
#include "taxonomy/Taxonomy.h"


#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

const QString NotGradable = u"not_gradable"_s;

QString roman(int type)
{
    static const QStringList numerals {u"I"_s, u"II"_s, u"III"_s, u"IV"_s, u"V"_s, u"VI"_s};
    return type >= 1 && type <= 6 ? numerals.at(type - 1) : QString();
}

bool isYesNoField(const QString &field)
{
    return field == u"gradable"_s || field == u"sensitive"_s || field.startsWith(u"identifying_"_s)
        || field == u"fitzpatrick_gradable"_s || field == u"monk_gradable"_s;
}

} // namespace

bool ValueText::isDiagnosisField(const QString &field)
{
    return field == u"diagnosis"_s || field.startsWith(u"diagnosis_"_s);
}

QString ValueText::display(const QString &field, const QString &value)
{
    return display(field, value, Taxonomy::builtin());
}

QString ValueText::display(const QString &field, const QString &value, const Taxonomy &taxonomy)
{
    if (value.isEmpty())
        return {};
    if (value == NotGradable)
        return tr("Not gradable");
    if (isDiagnosisField(field)) {
        if (value == LabelFields::cannotDetermine())
            return tr("Cannot determine");
        return taxonomy.displayName(value);
    }
    if (isYesNoField(field) || field == u"visible_condition"_s) {
        if (value == u"yes"_s)
            return tr("Yes");
        if (value == u"no"_s)
            return tr("No");
        if (value == u"unsure"_s)
            return tr("Unsure");
        return value;
    }
    if (field == u"ungradable_reason"_s)
        return LabelVocabulary::text(LabelVocabulary::ungradableReasons(), value);
    if (field == u"fitzpatrick"_s || field == u"fitzpatrick_type"_s) {
        const QString numeral = roman(value.toInt());
        return numeral.isEmpty() ? value : numeral;
    }
    return value;
}

QStringList ValueText::choices(const QString &field)
{
    if (field == u"gradable"_s || field == u"sensitive"_s || field.startsWith(u"identifying_"_s))
        return {u"yes"_s, u"no"_s};
    if (field == u"visible_condition"_s)
        return {u"yes"_s, u"no"_s, u"unsure"_s};
    if (field == u"ungradable_reason"_s)
        return LabelVocabulary::ungradableReasonIds();
    auto scale = [](int max) {
        QStringList values;
        for (int i = 1; i <= max; ++i)
            values.append(QString::number(i));
        values.append(NotGradable);
        return values;
    };
    if (field == u"fitzpatrick_type"_s)
        return scale(6);
    if (field == u"monk_tone"_s)
        return scale(10);
    return {};
}

QString ValueText::statistic(double value)
{
    return QString::number(std::abs(value) < 0.0005 ? 0.0 : value, 'f', 3);
}

QString ValueText::missing()
{
    return QStringLiteral("\u2014");
}

} // namespace dl
