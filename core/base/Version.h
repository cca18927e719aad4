// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace dl {

/// The program version, e.g. "0.1.0".
QString programVersion();

/// The program's name as shown to people.
QString programName();

} // namespace dl
