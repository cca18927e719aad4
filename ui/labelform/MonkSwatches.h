// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "labelform/SegmentedButtons.h"

#include <QColor>

namespace dl {

/// The Monk skin tone scale as ten colour swatches ("1".."10") and a "Not gradable" button.
class MonkSwatches : public SegmentedButtons
{
    Q_OBJECT

public:
    explicit MonkSwatches(QWidget *parent = nullptr);

    /// The published colour of Monk tone \a tone (1..10); invalid outside the scale.
    static QColor toneColor(int tone);
};

} // namespace dl
