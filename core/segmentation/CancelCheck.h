// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

namespace dl {

/// Asked by long segmentation work between steps (GrabCut iterations, SLIC iterations): true stops the
/// work, which then returns without applying anything. An empty function never cancels.
using CancelCheck = std::function<bool()>;

} // namespace dl
