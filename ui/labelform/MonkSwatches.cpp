// SPDX-License-Identifier: GPL-3.0-or-later
#include "labelform/MonkSwatches.h"

#include <QToolButton>
#include <array>

using namespace Qt::StringLiterals;

namespace dl {

namespace {
// The ten orbs of the Monk Skin Tone scale, lightest to darkest.
constexpr std::array<QRgb, 10> MonkTones
    = { 0xf6ede4, 0xf3e7db, 0xf7ead0, 0xeadaba, 0xd7bd96, 0xa07e56, 0x825c43, 0x604134, 0x3a312a, 0x292420 };
} // namespace

MonkSwatches::MonkSwatches(QWidget *parent)
    : SegmentedButtons(parent)
{
    for (int tone = 1; tone <= 10; ++tone) {
        const QColor color = toneColor(tone);
        QToolButton *swatch = addOption(QString::number(tone), QString::number(tone),
            tr("Monk skin tone %1 (key M then %2)").arg(tone).arg(tone % 10));
        swatch->setAccessibleName(tr("Monk tone %1").arg(tone));
        swatch->setMinimumWidth(0);
        swatch->setFixedSize(24, 24);
        const QString text = color.lightness() > 140 ? u"#202020"_s : u"#f4f4f4"_s;
        // The checked (and focused) swatch gets a thick ring in the highlight colour.
        swatch->setStyleSheet(
            u"QToolButton { background: %1; color: %2; border: 1px solid #8a8a8a;"
            " border-radius: 4px; font-size: 9px; padding: 0px; }"
            "QToolButton:checked { background: %1; color: %2; border: 2px solid palette(highlight); padding: "
            "0px; }"
            "QToolButton:focus { border: 2px dashed palette(highlight); }"
            "QToolButton:checked:focus { background: %1; color: %2; border: 2px solid palette(highlight); padding: 0px; }"_s
                .arg(color.name(), text));
    }
    addOption(u"not_gradable"_s, tr("N/G"), tr("Monk skin tone not gradable (key M then N)"));
}

QColor MonkSwatches::toneColor(int tone)
{
    if (tone < 1 || tone > 10)
        return {};
    return QColor::fromRgb(MonkTones[static_cast<std::size_t>(tone - 1)]);
}

} // namespace dl
