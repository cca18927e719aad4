// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Role.h"

#include <QString>

namespace dl {

struct User
{
    qint64 id = -1;
    QString name;
    QString displayName;
    Role role = Role::Annotator;
    bool active = true;

    /// Whoever runs dermlabel-cli on a local store file they can read and write: an
    /// administrator who is no account of the store (id -1, name "dermlabel-cli"). The
    /// display name is the operating-system user, which services record in the details of
    /// their audit entries. A team store (PostgreSQL) has no such actor: there the command
    /// line signs in as a database role like everyone else.
    static User commandLine();
    /// True for the actor commandLine() returns.
    bool isCommandLine() const;
};

} // namespace dl
