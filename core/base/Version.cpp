// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/Version.h"

using namespace Qt::StringLiterals;

namespace dl {

QString programVersion()
{
    return QStringLiteral(DERMLABEL_VERSION);
}

QString programName()
{
    return u"DermLabel"_s;
}

} // namespace dl
