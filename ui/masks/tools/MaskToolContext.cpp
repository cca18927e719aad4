// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/MaskToolContext.h"

#include "masks/MaskStroke.h"

namespace dl {

MaskToolContext::~MaskToolContext() = default;

cv::Rect MaskToolContext::applyEdit(MaskTool tool, const std::function<cv::Rect(MaskStroke &)> &edit,
                                    bool continues)
{
    auto stroke = std::make_unique<MaskStroke>(*document(), activeLayer(), tool);
    const cv::Rect changed = edit(*stroke);
    maskChanged(changed);
    pushEdit(std::move(stroke), continues);
    return changed;
}

} // namespace dl
