// SPDX-License-Identifier: GPL-3.0-or-later
#include "auth/Permissions.h"

#include <QCoreApplication>

namespace dl {

bool Permissions::allows(Role role, Action action)
{
    switch (action) {
    case Action::Annotate:
        return role == Role::Annotator;
    case Action::ViewAllAnnotations:
    case Action::Adjudicate:
        return role == Role::Qa || role == Role::Admin;
    case Action::ManageUsers:
    case Action::AssignImages:
    case Action::ImportImages:
    case Action::ExportBundles:
        return role == Role::Admin;
    }
    return false;
}

bool Permissions::check(const User &user, Action action, QString *error)
{
    if (!user.active) {
        *error = QCoreApplication::translate("dl::Permissions", "The account %1 is disabled.").arg(user.name);
        return false;
    }
    if (!allows(user.role, action)) {
        *error = QCoreApplication::translate("dl::Permissions", "%1 (%2) is not allowed to do this.")
                     .arg(user.name, roleDisplayName(user.role));
        return false;
    }
    return true;
}

} // namespace dl
