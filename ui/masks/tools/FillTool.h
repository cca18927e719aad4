// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/tools/AbstractMaskTool.h"

namespace dl {

/// A click fills the connected region of the mask around it (Shift clears it).
class FillTool : public AbstractMaskTool
{
    Q_OBJECT

public:
    explicit FillTool(MaskToolContext &context);

    void mousePressed(QMouseEvent *event) override;
};

} // namespace dl
