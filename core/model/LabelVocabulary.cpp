// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/LabelVocabulary.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

const QList<LabelTerm> &LabelVocabulary::ungradableReasons()
{
    static const QList<LabelTerm> terms {
        {u"blurry"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Blurry")},
        {u"poor_lighting"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Poor lighting")},
        {u"too_far"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Too far")},
        {u"cropped_or_obstructed"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Cropped or obstructed")},
        {u"other"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Other")},
    };
    return terms;
}

const QList<LabelTerm> &LabelVocabulary::identifyingKinds()
{
    static const QList<LabelTerm> terms {
        {u"face"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Face")},
        {u"tattoo"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Tattoo")},
        {u"jewellery_or_birthmark"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Jewellery or birthmark")},
        {u"background_landmark"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Background landmark")},
        {u"visible_text"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Visible text")},
        {u"other"_s, QT_TRANSLATE_NOOP("dl::LabelVocabulary", "Other")},
    };
    return terms;
}

QStringList LabelVocabulary::ids(const QList<LabelTerm> &terms)
{
    QStringList list;
    list.reserve(terms.size());
    for (const LabelTerm &term : terms)
        list.append(term.id);
    return list;
}

qsizetype LabelVocabulary::indexOf(const QList<LabelTerm> &terms, QStringView id)
{
    const auto it =
        std::find_if(terms.cbegin(), terms.cend(), [id](const LabelTerm &term) { return term.id == id; });
    return it == terms.cend() ? -1 : qsizetype(it - terms.cbegin());
}

QString LabelVocabulary::text(const QList<LabelTerm> &terms, QStringView id)
{
    const qsizetype i = indexOf(terms, id);
    return i < 0 ? id.toString() : text(terms.at(i));
}

} // namespace dl
