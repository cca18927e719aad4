// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "model/Case.h"
#include "model/Consensus.h"
#include "model/Image.h"
#include "model/Mask.h"
#include "release/ReleaseGate.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// One source dataset as the bundle credits it.
struct ExportSourceInfo
{
    qint64 id = -1;
    QString kind;
    QString name;
    QString licence;
    QString attribution;
    bool idsPublic = false;
};

/// Everything the exporter needs about one image, except its pixels and mask pixels.
struct ExportImage
{
    ImageRecord image;           ///< without thumbnail
    qint64 caseId = -1;          ///< -1: not in a case
    QString caseName;            ///< the case's pseudonymous id
    QString sourceCaseId;        ///< the dataset's own case id (exported only when public and asked for)
    CaseMetadata metadata;
    qint64 sourceId = -1;
    QList<Annotation> annotations;                  ///< by rater
    QHash<qint64, QList<MaskRecord>> masks;         ///< annotation id -> latest version of each layer
    QList<FieldConsensus> consensus;                ///< stored consensus rows
    QList<WeightedCondition> differential;
    bool openFaceFlag = false;
    bool confirmedFace = false;
    bool facePending = false; ///< the face check has not run on it yet

    const FieldConsensus *consensusOf(const QString &field) const;
    /// The settled value of a consensus field (agreed or adjudicated), else empty.
    QString settled(const QString &field) const;
    /// What the release gate needs (see ReleaseCandidate).
    ReleaseCandidate candidate() const;
};

/// Reads what an export needs from a store, in image order (by pseudonymous id, so the bundle
/// does not depend on import order). The consensus must be current: AnnotationService keeps it
/// so; ConsensusService::compute() rebuilds it.
class ExportSource
{
    Q_DECLARE_TR_FUNCTIONS(dl::ExportSource)

public:
    struct Data
    {
        QList<ExportImage> images;       ///< images with at least one annotation
        QList<ExportSourceInfo> sources; ///< of those images
        QHash<qint64, QString> raterPseudonyms; ///< user id -> rater_01 ... (by user name order; BundleExporter renumbers them with a seeded shuffle)
    };
    static std::optional<Data> load(Store &store, QString *error);
};

} // namespace dl
