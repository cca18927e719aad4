// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace dl {

/// The tables of the schema (Schema) as a copy of a whole store sees them. Every table a
/// migration creates is in exactly one of the two lists; tests/migrate checks that against a
/// freshly migrated store, so a table added later cannot be forgotten by StoreCopier.
class SchemaTables
{
public:
    /// The tables that hold a store's content, parents before the tables whose foreign keys
    /// point at them: the order in which they are copied.
    static QStringList inDependencyOrder();
    /// The tables a copy does not carry row by row: schema_version (the target's own
    /// migrations write it) and image_blobs (a team store's image files, which a copy moves
    /// file by file by their content hash).
    static QStringList notCopied();
};

} // namespace dl
