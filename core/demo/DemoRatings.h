// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QString>

namespace dl {

class Store;

struct DemoRatingOptions
{
    double share = 0.6;  ///< share of each dermatologist's queue labelled (from the front)
    quint32 seed = 1;
};

/// Simulated labels for the demo store, so that the QA screens and the export have
/// something to show. Each annotator labels the first `share` of their queue through
/// AnnotationService (audited, consensus updated, assignment done), starting from the
/// case's reference labels (weighted condition, dermatologist 1's Fitzpatrick type, the
/// India Monk tone) with rater-specific noise: the first annotator by name is the most
/// careful, the last the least, so agreement statistics have something to find.
class DemoRatings
{
    Q_DECLARE_TR_FUNCTIONS(dl::DemoRatings)

public:
    /// Returns the number of annotations written, or -1 and *error.
    static int simulate(Store &store, const DemoRatingOptions &options, QString *error);
};

} // namespace dl
