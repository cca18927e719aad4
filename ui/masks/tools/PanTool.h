// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/tools/AbstractMaskTool.h"

namespace dl {

/// The default tool: it edits nothing, so the canvas keeps its own mouse (left drag pans).
class PanTool : public AbstractMaskTool
{
    Q_OBJECT

public:
    explicit PanTool(MaskToolContext &context);

    bool edits() const override { return false; }
    bool takesButton(Qt::MouseButton) const override { return false; }
};

} // namespace dl
