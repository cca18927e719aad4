// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskLayer.h"

#include "model/Annotation.h"
#include "model/LabelVocabulary.h"
#include "taxonomy/Taxonomy.h"

#include <QCoreApplication>
#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::MaskLayer", text);
}

constexpr QLatin1StringView kConditionPrefix = "condition:"_L1;
constexpr QLatin1StringView kIdentifyingPrefix = "identifying:"_L1;

bool isTaxonomyId(QStringView id)
{
    if (id.isEmpty())
        return false;
    return std::all_of(id.begin(), id.end(),
        [](QChar c) { return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_'; });
}

// Saturated colours that stand out on skin, for conditions.
constexpr std::array<QRgb, 12> kConditionColours = {
    0xff00c853, // green
    0xff2979ff, // blue
    0xffffd600, // yellow
    0xffd500f9, // purple
    0xff00e5ff, // cyan
    0xffff6d00, // orange
    0xff76ff03, // lime
    0xff651fff, // violet
    0xfff50057, // pink
    0xff1de9b6, // teal
    0xffc6ff00, // yellow-green
    0xff3d5afe, // indigo
};

// One fixed colour per identifying kind, in the order of LabelVocabulary::identifyingKinds().
constexpr std::array<QRgb, 6> kIdentifyingColours = {
    0xffff1744, // face: red
    0xff8d6e63, // tattoo: brown
    0xffffab40, // jewellery or birthmark: amber
    0xff9e9e9e, // background landmark: grey
    0xffffffff, // visible text: white
    0xff212121, // other: near black
};

// FNV-1a over the UTF-16 code units: stable across runs and machines (unlike qHash, which is seeded).
quint32 stableHash(QStringView text)
{
    quint32 h = 2166136261u;
    for (QChar c : text) {
        h ^= c.unicode();
        h *= 16777619u;
    }
    return h;
}

} // namespace

MaskLayer::MaskLayer(const QString &id)
    : m_id(id)
{
    if (const auto parsed = parseId(id)) {
        m_kind = parsed->kind;
        m_key = parsed->key;
    }
    m_colour = defaultColour(id);
}

QString MaskLayer::conditionLayerId(const QString &conditionId)
{
    return kConditionPrefix + conditionId;
}

QString MaskLayer::identifyingLayerId(const QString &kind)
{
    return kIdentifyingPrefix + kind;
}

std::optional<MaskLayer::ParsedId> MaskLayer::parseId(QStringView id)
{
    if (id.startsWith(kConditionPrefix)) {
        const QStringView key = id.sliced(kConditionPrefix.size());
        if (isTaxonomyId(key))
            return ParsedId { Kind::Condition, key.toString() };
    } else if (id.startsWith(kIdentifyingPrefix)) {
        const QStringView key = id.sliced(kIdentifyingPrefix.size());
        if (LabelVocabulary::contains(LabelVocabulary::identifyingKinds(), key))
            return ParsedId { Kind::Identifying, key.toString() };
    }
    return std::nullopt;
}

QString MaskLayer::identifyingKindName(QStringView kind)
{
    // A layer name stands alone in the Regions panel: "Other" alone would say nothing.
    if (kind == u"other")
        return tr("Other identifying content");
    return LabelVocabulary::text(LabelVocabulary::identifyingKinds(), kind);
}

QStringList MaskLayer::layerIdsFor(const Annotation &annotation)
{
    QStringList ids;
    for (const Diagnosis &d : annotation.diagnoses)
        ids.append(conditionLayerId(d.conditionId));
    for (const LabelTerm &kind : LabelVocabulary::identifyingKinds()) {
        if (annotation.identifying.contains(kind.id))
            ids.append(identifyingLayerId(kind.id));
    }
    return ids;
}

QColor MaskLayer::defaultColour(QStringView id, const QList<QColor> &taken)
{
    const auto parsed = parseId(id);
    if (parsed && parsed->kind == Kind::Identifying) {
        const qsizetype kind = LabelVocabulary::indexOf(LabelVocabulary::identifyingKinds(), parsed->key);
        return QColor::fromRgba(kIdentifyingColours[size_t(kind) % kIdentifyingColours.size()]);
    }
    const size_t n = kConditionColours.size();
    const size_t start = stableHash(id) % n;
    for (size_t i = 0; i < n; ++i) {
        const QColor colour = QColor::fromRgba(kConditionColours[(start + i) % n]);
        if (!taken.contains(colour))
            return colour;
    }
    return QColor::fromRgba(kConditionColours[start]);
}

QString MaskLayer::displayName(const Taxonomy *taxonomy) const
{
    if (!m_kind)
        return m_id;
    if (*m_kind == Kind::Identifying)
        return tr("%1 (identifying)").arg(identifyingKindName(m_key));
    return taxonomy ? taxonomy->displayName(m_key) : m_key;
}

void MaskLayer::setOpacity(double opacity)
{
    m_opacity = std::clamp(opacity, 0.0, 1.0);
}

} // namespace dl
