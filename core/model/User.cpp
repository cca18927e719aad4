// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/User.h"

using namespace Qt::StringLiterals;

namespace dl {

static const QString s_commandLineName = u"dermlabel-cli"_s;

User User::commandLine()
{
    User user;
    user.name = s_commandLineName;
    QString system = qEnvironmentVariable("USER");
    if (system.isEmpty())
        system = qEnvironmentVariable("USERNAME"); // Windows
    user.displayName = system.isEmpty() ? s_commandLineName : system;
    user.role = Role::Admin;
    return user;
}

bool User::isCommandLine() const
{
    return id < 0 && name == s_commandLineName;
}

} // namespace dl
