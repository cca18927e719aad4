// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "import/ImportPlan.h"

namespace dl {

/// Helpers the dataset readers share: resolving the paths a CSV names inside
/// the dataset folder, and normalising common values.
class DatasetPaths
{
public:
    /// Resolves relativePath under root. Absolute paths and paths that leave
    /// the root ("../") are refused with an issue; a missing file is reported
    /// as missing. Returns true when the file exists.
    static bool resolve(const QString &root, const QString &relativePath, PlannedImage *image, FileIssue *issue);

    /// Reads a LICENSE/LICENCE file (any suffix) in root, if there is one.
    static QString readLicenceFile(const QString &root);

    /// "female", "male", "other" or "" from the spellings datasets use.
    static QString normaliseSex(const QString &value);
    /// SCIN age bucket for an age in years (AGE_0_TO_2 ... AGE_85_PLUS).
    static QString ageGroupForYears(int years);
    /// yes / no / "" from True, False, YES, NO, 1, 0, 1.0, 0.0.
    static QString normaliseBoolean(const QString &value);
    /// "3" from "3", "3.0", "FST3"; "" when not a whole number in [low, high].
    static QString normaliseScale(const QString &value, int low, int high);
};

} // namespace dl
