// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// Pairwise overlap of the raters' regions for one mask layer across a store.
struct LayerAgreement
{
    QString layer;      ///< condition:<id> or identifying:<kind>
    int images = 0;     ///< images with at least one rater pair on this layer
    int pairs = 0;      ///< rater pairs compared
    double meanDice = 0.0;
    double meanIou = 0.0;
    double minDice = 1.0;
};

/// Dice and IoU of the raters' masks per layer: for every image and layer, every pair of raters
/// who both drew that layer (a stored version, even an erased one) is compared; the means are
/// over those pairs. Layers are sorted by id. QA leads and admins only.
class LayerAgreementReport
{
    Q_DECLARE_TR_FUNCTIONS(dl::LayerAgreementReport)

public:
    static std::optional<QList<LayerAgreement>> compute(Store &store, const User &actor, QString *error);
    /// [{"layer", "images", "pairs", "mean_dice", "mean_iou", "min_dice"}]
    static QJsonArray toJson(const QList<LayerAgreement> &layers);
};

} // namespace dl
