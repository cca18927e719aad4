// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <optional>

namespace dl {

struct Annotation;
class Taxonomy;

/// One region layer of an annotation and how it is shown.
///
/// A layer id is either "condition:<taxonomy id>" (the extent of one potential diagnosis) or
/// "identifying:<kind>" with a kind of Annotation::identifying (LabelVocabulary::identifyingKinds():
/// a region to redact on export). The id is what the store
/// keeps in masks.layer; colour, visibility, opacity and outline-only are view settings.
class MaskLayer
{
public:
    enum class Kind
    {
        Condition,
        Identifying
    };

    struct ParsedId
    {
        Kind kind = Kind::Condition;
        QString key; ///< the taxonomy id or the identifying kind
    };

    /// A layer with no id (isValid() is false).
    MaskLayer() = default;
    /// The layer with this id and the default style (defaultColour(id), visible, opacity 0.5, filled).
    explicit MaskLayer(const QString &id);

    /// "condition:<conditionId>"; the taxonomy id must match [a-z0-9_]+ for the result to be valid.
    static QString conditionLayerId(const QString &conditionId);
    /// "identifying:<kind>"; kind is one of LabelVocabulary::identifyingKinds().
    static QString identifyingLayerId(const QString &kind);
    /// Splits a layer id; std::nullopt unless it is a valid condition or identifying id.
    static std::optional<ParsedId> parseId(QStringView id);
    static bool isValidId(QStringView id) { return parseId(id).has_value(); }
    /// The kind's display text ("Face", "Tattoo", ...; "Other identifying content" for other); the
    /// kind itself if unknown.
    static QString identifyingKindName(QStringView kind);
    /// The layers an annotation's labels call for: one per potential diagnosis (in rank order), then
    /// one per kind of identifying content ticked.
    static QStringList layerIdsFor(const Annotation &annotation);

    /// A stable default colour for a layer id (the same on every machine and run). Each identifying
    /// kind has its own fixed colour; a condition gets one of 12 colours chosen by a hash of its id,
    /// the next free one when that colour is in \a taken (so that the layers of one annotation differ).
    /// None of the condition colours is an identifying colour.
    static QColor defaultColour(QStringView id, const QList<QColor> &taken = {});

    bool isValid() const { return m_kind.has_value(); }
    QString id() const { return m_id; }
    Kind kind() const { return m_kind.value_or(Kind::Condition); }
    /// The taxonomy id or the identifying kind.
    QString key() const { return m_key; }
    /// For people: the condition's name from \a taxonomy (or its id when unknown or no taxonomy is
    /// given), or "Face (identifying)" and the like.
    QString displayName(const Taxonomy *taxonomy = nullptr) const;

    QColor colour() const { return m_colour; }
    void setColour(const QColor &colour) { m_colour = colour; }
    bool isVisible() const { return m_visible; }
    void setVisible(bool visible) { m_visible = visible; }
    /// 0 (invisible) .. 1 (opaque), for the fill and the outline alike.
    double opacity() const { return m_opacity; }
    void setOpacity(double opacity);
    /// Only the outline of the region is drawn, not its inside.
    bool isOutlineOnly() const { return m_outlineOnly; }
    void setOutlineOnly(bool outlineOnly) { m_outlineOnly = outlineOnly; }

    bool operator==(const MaskLayer &other) const = default;

private:
    QString m_id;
    QString m_key;
    std::optional<Kind> m_kind;
    QColor m_colour;
    bool m_visible = true;
    double m_opacity = 0.5;
    bool m_outlineOnly = false;
};

} // namespace dl
