// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"
#include "qa/MaskConsensus.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace dl {

class Store;
struct ExportImage;

/// The consensus region of one layer of one image.
struct LayerConsensus
{
    QString imageId;  ///< the image's pseudonymous id
    QString layer;    ///< condition:<id>
    QStringList raters; ///< user names of the raters who named the condition, in vote order
    qint64 area = 0;  ///< pixels of the consensus mask
    /// STAPLE only: each rater's estimate, in the order of `raters`, and the EM passes.
    QList<RaterPerformance> performance;
    int iterations = 0;
    bool converged = true;
};

/// The consensus regions a bundle would carry, computed without exporting: for each image and
/// each condition that the settled diagnosis names or that `quorum` raters named (the
/// exporter's layers, see BundleExporter), the majority vote or STAPLE over the raters who named
/// it, on their bounding region (STAPLE counting the rest of the image as nobody's). Layers that
/// nobody drew on are left out. For QA leads and admins; raters go by their user names, as in
/// `agreement --store`.
class MaskConsensusReport
{
    Q_DECLARE_TR_FUNCTIONS(dl::MaskConsensusReport)

public:
    enum class Method { Majority, Staple };

    static std::optional<QList<LayerConsensus>> compute(Store &store, const User &actor, Method method,
                                                        double stapleThreshold, QString *error);
    static QJsonObject toJson(const QList<LayerConsensus> &layers, Method method, double stapleThreshold);

    /// The conditions whose consensus masks are exported, in differential order: the settled
    /// diagnosis, then each condition of the weighted differential that `quorum` raters named.
    static QStringList conditions(const ExportImage &image, int quorum);
};

} // namespace dl
