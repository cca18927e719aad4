// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/PanTool.h"

namespace dl {

PanTool::PanTool(MaskToolContext &context)
    : AbstractMaskTool(context)
{
}

} // namespace dl
