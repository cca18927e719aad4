// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/SchemaMigrator.h"

namespace dl {

/// The store's schema as numbered migrations. Never edit a released step:
/// add a new one.
class Schema
{
public:
    static QList<Migration> migrations();
};

} // namespace dl
