// SPDX-License-Identifier: GPL-3.0-or-later
#include "labelling/LabelDifferences.h"

#include "model/LabelVocabulary.h"

#include <functional>

using namespace Qt::StringLiterals;

namespace dl {

static QString yesNo(const std::optional<bool> &value)
{
    if (!value)
        return {};
    return *value ? u"yes"_s : u"no"_s;
}

QList<LabelDifference> LabelDifferences::between(const Annotation &stored, const Annotation &mine)
{
    QList<LabelDifference> differences;
    auto compare = [&](const QString &field, const std::function<QString(const Annotation &)> &value) {
        const QString theirs = value(stored);
        const QString ours = value(mine);
        if (theirs != ours)
            differences.append({field, theirs, ours});
    };
    compare(u"gradable"_s, [](const Annotation &a) { return yesNo(a.gradable); });
    compare(u"ungradable_reason"_s, [](const Annotation &a) { return a.ungradableReason; });
    compare(u"visible_condition"_s, [](const Annotation &a) { return a.visibleCondition; });
    compare(u"sensitive"_s, [](const Annotation &a) { return yesNo(a.sensitive); });
    for (const LabelTerm &kind : LabelVocabulary::identifyingKinds()) {
        if (stored.identifying.contains(kind.id) != mine.identifying.contains(kind.id))
            compare(u"identifying_"_s + kind.id,
                    [id = kind.id](const Annotation &a) { return a.identifying.contains(id) ? u"yes"_s : u"no"_s; });
    }
    compare(u"cannot_determine"_s, [](const Annotation &a) { return a.cannotDetermine ? u"yes"_s : u"no"_s; });
    for (int rank = 0; rank < Annotation::MaxDiagnoses; ++rank) {
        compare(u"diagnosis_%1"_s.arg(rank + 1), [rank](const Annotation &a) {
            return rank < a.diagnoses.size() ? a.diagnoses.at(rank).conditionId : QString();
        });
        compare(u"confidence_%1"_s.arg(rank + 1), [rank](const Annotation &a) {
            return rank < a.diagnoses.size() ? QString::number(a.diagnoses.at(rank).confidence) : QString();
        });
    }
    compare(u"fitzpatrick_type"_s, [](const Annotation &a) { return a.fitzpatrick; });
    compare(u"monk_tone"_s, [](const Annotation &a) { return a.monk; });
    compare(u"note"_s, [](const Annotation &a) { return a.note; });
    return differences;
}

} // namespace dl
