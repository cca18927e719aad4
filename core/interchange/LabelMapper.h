// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "taxonomy/Taxonomy.h"

#include <QString>

namespace dl {

/// What a label of a LabelMe shape or a COCO category stands for.
struct MappedLabel
{
    enum class Kind
    {
        Unknown,
        Condition, ///< key is a taxonomy id
        Identifying, ///< key is one of LabelVocabulary::identifyingKinds()
    };
    Kind kind = Kind::Unknown;
    QString key;

    bool isKnown() const { return kind != Kind::Unknown; }
    /// "condition:<id>" or "identifying:<kind>"; empty when unknown.
    QString layerId() const;
};

/// Maps the free-text labels of interchange files to the layers of an annotation:
/// - "identifying:<kind>" (case-insensitive; spaces and '-' read as '_') with a kind of
///   LabelVocabulary::identifyingKinds() is that kind of identifying content;
/// - "condition:<id>" (a mask layer id as DermLabel writes it) with an id of the taxonomy;
/// - a taxonomy id as it is ("tinea_pedis");
/// - a condition's name, ignoring case, accents and punctuation ('_' and '-' read as spaces:
///   "Tinea pedis", "tinea-pedis", "TINEA_PEDIS"), then a synonym ("Athlete's foot"): the rule of
///   Taxonomy::idForName().
/// Anything else is unknown.
class LabelMapper
{
public:
    explicit LabelMapper(Taxonomy taxonomy)
        : m_taxonomy(std::move(taxonomy))
    { }

    MappedLabel map(const QString &label) const;
    const Taxonomy &taxonomy() const { return m_taxonomy; }

private:
    Taxonomy m_taxonomy;
};

} // namespace dl
