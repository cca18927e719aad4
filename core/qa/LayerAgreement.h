// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// The overlap of two raters' regions of one layer on one image.
struct RegionPairScore
{
    QString item;   ///< the image's pseudonymous id
    QString layer;  ///< condition:<id> or identifying:<kind>
    QString raterA; ///< user names, raterA < raterB
    QString raterB;
    double dice = 0.0;
    double iou = 0.0;
};

/// Pairwise overlap of the raters' regions for one mask layer across a store (or a group of it).
struct LayerAgreement
{
    QString layer;      ///< condition:<id> or identifying:<kind>
    int images = 0;     ///< images with at least one rater pair on this layer
    int pairs = 0;      ///< rater pairs compared
    double meanDice = 0.0;
    double meanIou = 0.0;
    double minDice = 1.0;
};

/// The layer agreement of one group of a stratum (one Fitzpatrick type, say).
struct GroupLayerAgreement
{
    QString group;
    QList<LayerAgreement> layers;
};

/// Dice and IoU of the raters' masks per layer: for every image and layer, every pair of raters
/// who both drew that layer (a stored version, even an erased one) is compared; the means are
/// over those pairs. Layers are sorted by id. QA leads and admins only.
///
/// The masks are compared as the store keeps them (run-length encoded), without decoding them to
/// pixels, so a store of thousands of 12-megapixel masks is read in a moment.
class LayerAgreementReport
{
    Q_DECLARE_TR_FUNCTIONS(dl::LayerAgreementReport)

public:
    /// Every pair score of the store, ordered by image id, layer, rater names.
    static std::optional<QList<RegionPairScore>> loadPairs(Store &store, const User &actor, QString *error);
    /// The per-layer figures of these pair scores.
    static QList<LayerAgreement> summarize(const QList<RegionPairScore> &pairs);
    /// The per-layer figures of each group (groups: item -> group; items without one are left
    /// out), groups sorted by name.
    static QList<GroupLayerAgreement> stratify(
        const QList<RegionPairScore> &pairs, const QHash<QString, QString> &groups);
    /// loadPairs() and summarize().
    static std::optional<QList<LayerAgreement>> compute(Store &store, const User &actor, QString *error);
    /// [{"layer", "images", "pairs", "mean_dice", "mean_iou", "min_dice"}]
    static QJsonArray toJson(const QList<LayerAgreement> &layers);
};

} // namespace dl
