// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

namespace dl {

/// One value of a label vocabulary: the id that is stored and exported, and its English display
/// text (marked for translation in the context "dl::LabelVocabulary"; LabelVocabulary::text()
/// translates it).
struct LabelTerm
{
    QString id;
    const char *text = nullptr;
};

/// The closed vocabularies of an annotation, defined once for the form, the validation, the
/// statistics, the consensus, the mask layers, the export and the interchange import.
class LabelVocabulary
{
    Q_DECLARE_TR_FUNCTIONS(dl::LabelVocabulary)

public:
    /// Why an image is not gradable (Annotation::ungradableReason), in the order of the form.
    static const QList<LabelTerm> &ungradableReasons();
    /// Kinds of identifying content (Annotation::identifying; the mask layers
    /// "identifying:<kind>"), in the order of the form.
    static const QList<LabelTerm> &identifyingKinds();

    static QStringList ungradableReasonIds() { return ids(ungradableReasons()); }
    static QStringList identifyingKindIds() { return ids(identifyingKinds()); }

    /// The ids of a vocabulary, in its order.
    static QStringList ids(const QList<LabelTerm> &terms);
    /// The position of id in a vocabulary, -1 when it is not one of its ids.
    static qsizetype indexOf(const QList<LabelTerm> &terms, QStringView id);
    static bool contains(const QList<LabelTerm> &terms, QStringView id) { return indexOf(terms, id) >= 0; }
    /// The translated display text of a term.
    static QString text(const LabelTerm &term) { return tr(term.text); }
    /// The translated display text of id in a vocabulary; id itself when the vocabulary lacks it.
    static QString text(const QList<LabelTerm> &terms, QStringView id);
};

} // namespace dl
