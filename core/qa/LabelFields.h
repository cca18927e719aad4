// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "qa/MeasureLevel.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <functional>

namespace dl {

/// One label field as agreement and consensus see it: a name, a level of measurement and
/// how to read its value from an annotation (an empty string = not answered).
struct LabelField
{
    enum Use {
        Agreement = 0x1, ///< takes part in the agreement statistics
        Consensus = 0x2, ///< gets a consensus value by majority vote
    };

    QString name;
    MeasureLevel level = MeasureLevel::Nominal;
    int uses = Agreement | Consensus;
    std::function<QString(const Annotation &)> value;
};

/// The label fields of an annotation, in the order of the form:
///
/// | field | values | agreement | consensus |
/// |---|---|---|---|
/// | gradable | yes, no | nominal | yes |
/// | ungradable_reason | LabelVocabulary::ungradableReasons() (only when not gradable) | nominal | yes |
/// | visible_condition | yes, no, unsure | nominal | yes |
/// | sensitive | yes, no | nominal | yes |
/// | identifying_<kind> (LabelVocabulary::identifyingKinds()) | yes, no (once suitability is answered) | nominal | yes |
/// | diagnosis_1 .. diagnosis_3 | condition id at that rank; diagnosis_1 is cannot_determine when so answered | nominal | no (weighted differential instead) |
/// | fitzpatrick | 1..6 | ordinal | no |
/// | fitzpatrick_gradable | yes, no | nominal | no |
/// | fitzpatrick_type | 1..6 or not_gradable | no | yes |
/// | monk, monk_gradable, monk_tone | as for Fitzpatrick, 1..10 | | |
class LabelFields
{
    Q_DECLARE_TR_FUNCTIONS(dl::LabelFields)

public:
    static const QList<LabelField> &all();
    /// The fields with the given use, in form order.
    static QList<LabelField> withUse(LabelField::Use use);
    static const LabelField *find(const QString &name);
    /// A readable name ("Gradable", "Diagnosis rank 1", ...).
    static QString displayName(const QString &name);

    /// The value of a diagnosis field for "cannot determine".
    static QString cannotDetermine() { return QStringLiteral("cannot_determine"); }
};

} // namespace dl
