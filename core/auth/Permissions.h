// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

namespace dl {

/// What a role may do. Every core service checks these before acting, so
/// the rules hold for the CLI and the workstation alike.
enum class Action {
    Annotate,             ///< label the images assigned to oneself
    ViewAllAnnotations,   ///< see every rater's labels (QA, admin)
    Adjudicate,           ///< settle disagreements
    ManageUsers,
    AssignImages,
    ImportImages,
    ExportBundles,
};

class Permissions
{
public:
    static bool allows(Role role, Action action);
    /// True if the user is active and the role allows the action; otherwise
    /// false with a message for people.
    static bool check(const User &user, Action action, QString *error);
};

} // namespace dl
