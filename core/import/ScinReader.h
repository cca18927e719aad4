// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "import/ImportPlan.h"

namespace dl {

/// Reads a SCIN layout: scin_cases.csv, optional scin_labels.csv (joined on
/// case_id) and the images at the image_N_path paths relative to the folder.
/// Every case column is kept; label columns become reference labels:
/// per dermatologist (rater "dermatologist_N") for gradability and
/// Fitzpatrick, case-level for the condition list, confidences, weighted
/// label and Monk tones.
class ScinReader
{
public:
    static constexpr int MaxImagesPerCase = 3;
    /// std::nullopt with *error when nothing can be read (no scin_cases.csv,
    /// malformed CSV, missing case_id column).
    static std::optional<ImportPlan> read(const QString &root, QString *error);
};

} // namespace dl
