// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/Role.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace dl {

QString roleKey(Role role)
{
    switch (role) {
    case Role::Annotator:
        return u"annotator"_s;
    case Role::Qa:
        return u"qa"_s;
    case Role::Admin:
        return u"admin"_s;
    }
    return {};
}

std::optional<Role> roleFromKey(QStringView key)
{
    for (Role role : {Role::Annotator, Role::Qa, Role::Admin}) {
        if (key.compare(roleKey(role), Qt::CaseInsensitive) == 0)
            return role;
    }
    return std::nullopt;
}

QString roleDisplayName(Role role)
{
    switch (role) {
    case Role::Annotator:
        return QCoreApplication::translate("dl::Role", "Dermatologist");
    case Role::Qa:
        return QCoreApplication::translate("dl::Role", "QA lead");
    case Role::Admin:
        return QCoreApplication::translate("dl::Role", "Administrator");
    }
    return {};
}

} // namespace dl
