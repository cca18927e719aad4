// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"

#include <QList>
#include <QString>

namespace dl {

/// One label field whose value differs between two copies of a rater's labels.
struct LabelDifference
{
    /// A LabelFields name (gradable, ungradable_reason, visible_condition, sensitive,
    /// identifying_<kind>, diagnosis_1 .. diagnosis_3, fitzpatrick_type, monk_tone), or
    /// confidence_1 .. confidence_3, cannot_determine, note.
    QString field;
    QString stored; ///< the value stored (an empty string: not answered)
    QString mine;   ///< the value edited
    friend bool operator==(const LabelDifference &, const LabelDifference &) = default;
};

/// The fields in which two copies of the same labels differ, in the order of the label form: what
/// a conflict between the stored labels and the edited ones is about.
class LabelDifferences
{
public:
    static QList<LabelDifference> between(const Annotation &stored, const Annotation &mine);
};

} // namespace dl
