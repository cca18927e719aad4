// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Case.h"
#include "model/User.h"

#include <QCoreApplication>
#include <QList>

#include <optional>

namespace dl {

class Store;

/// Who may see the labels that came with a dataset. QA leads and admins always may. Annotators
/// are blinded to them, unless an admin marks the store a training store (for calibrating
/// raters against reference labels): then an annotator sees those of the images assigned to
/// them.
class ReferenceLabelAccess
{
    Q_DECLARE_TR_FUNCTIONS(dl::ReferenceLabelAccess)

public:
    static bool isTrainingStore(const Store &store);
    /// Admins only; audited.
    static bool setTrainingStore(Store &store, const User &actor, bool on, QString *error);
    /// The reference labels of the image's case (empty when it has none); nullopt and *error
    /// when the actor may not see them.
    static std::optional<QList<ReferenceLabel>> forImage(Store &store, const User &actor, qint64 imageId,
                                                        QString *error);
};

} // namespace dl
