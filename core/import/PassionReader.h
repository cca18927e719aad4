// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "import/ImportPlan.h"

namespace dl {

/// Reads a PASSION layout: label.csv (one row per subject), optional
/// PASSION_split.csv (subject_id, Split) and images named
/// <subject_id>_<n>.<ext> under images/. Subjects become cases; the
/// dermatological columns become case-level reference labels; subjects the
/// split file names but label.csv lacks are reported.
class PassionReader
{
public:
    static std::optional<ImportPlan> read(const QString &root, QString *error);
    /// The licence terms that travel with PASSION data.
    static QString defaultLicence();
};

} // namespace dl
