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
};

} // namespace dl
