// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>

namespace dl {

/// What a user may do. Checked in core by every service, not only hidden in the UI.
enum class Role { Annotator, Qa, Admin };

/// "annotator", "qa" or "admin": the form stored and typed on the command line.
QString roleKey(Role role);
std::optional<Role> roleFromKey(QStringView key);
/// The role's name as shown to people.
QString roleDisplayName(Role role);

} // namespace dl
