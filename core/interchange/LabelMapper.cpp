// SPDX-License-Identifier: GPL-3.0-or-later
#include "interchange/LabelMapper.h"

#include "masks/MaskLayer.h"
#include "model/LabelVocabulary.h"

using namespace Qt::StringLiterals;

namespace dl {

QString MappedLabel::layerId() const
{
    switch (kind) {
    case Kind::Condition:
        return MaskLayer::conditionLayerId(key);
    case Kind::Identifying:
        return MaskLayer::identifyingLayerId(key);
    case Kind::Unknown:
        break;
    }
    return {};
}

MappedLabel LabelMapper::map(const QString &label) const
{
    const QString text = label.trimmed();
    const auto prefixed = [&](QLatin1StringView prefix) -> std::optional<QString> {
        if (!text.startsWith(prefix, Qt::CaseInsensitive))
            return std::nullopt;
        return text.mid(prefix.size()).trimmed();
    };
    if (const auto kind = prefixed("identifying:"_L1)) {
        QString key = kind->toLower();
        key.replace(u' ', u'_').replace(u'-', u'_');
        if (LabelVocabulary::contains(LabelVocabulary::identifyingKinds(), key))
            return { MappedLabel::Kind::Identifying, key };
        return {};
    }
    if (const auto id = prefixed("condition:"_L1)) {
        if (m_taxonomy.contains(*id))
            return { MappedLabel::Kind::Condition, *id };
        if (const auto byName = m_taxonomy.idForName(*id))
            return { MappedLabel::Kind::Condition, *byName };
        return {};
    }
    if (m_taxonomy.contains(text))
        return { MappedLabel::Kind::Condition, text };
    if (const auto byName = m_taxonomy.idForName(text))
        return { MappedLabel::Kind::Condition, *byName };
    return {};
}

} // namespace dl
