// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace dl {

// What BundleVerifier found.
struct BundleVerification
{
    QStringList problems; // one readable line each; empty when the bundle is intact
    int filesChecked = 0; // files listed in the manifest that were read
    QJsonObject manifest; // as read (empty when unreadable)
    bool ok() const { return problems.isEmpty(); }
};

// Checks a bundle written by BundleWriter, a directory or a .zip: manifest.json must be readable,
// of a known format version and list well-formed, unique, safe paths; every listed file must exist
// with the listed size and SHA-256; a file present in the bundle but not in the manifest is a
// problem too. Reentrant.
class BundleVerifier
{
public:
    static BundleVerification verify(const QString &path);
};

} // namespace dl
