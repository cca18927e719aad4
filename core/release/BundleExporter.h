// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "export/Redactor.h"
#include "model/User.h"
#include "release/ReleaseGate.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace dl {

class Store;

struct BundleExportOptions
{
    enum class Labels {
        Consensus, ///< consensus labels and consensus masks
        Raters,    ///< every rater's labels and masks, raters pseudonymised
    };

    QString outPath;
    bool zip = false;
    bool overwrite = false;
    Labels labels = Labels::Consensus;
    /// How consensus masks are formed from the raters' regions.
    enum class MaskMethod {
        Majority, ///< more than half of the raters who named the condition
        Staple,   ///< STAPLE's estimate (MaskConsensus::staple), thresholded at stapleThreshold
    };
    MaskMethod maskMethod = MaskMethod::Majority;
    double stapleThreshold = 0.5;
    /// With STAPLE: also write each region's posterior as an 8-bit PNG (probabilities/...).
    bool stapleProbabilities = false;
    ReleaseOptions release;
    Redactor::Mode redaction = Redactor::Mode::Fill;
    /// Export the datasets' own case ids where the source marks them public.
    bool publicIds = false;
    /// Worker threads for images and masks (0: one per core).
    int threads = 0;
    /// The seed of the rater numbering; drawn at random when not given. The same seed gives the
    /// same numbering.
    std::optional<quint32> raterSeed;
};

struct BundleExportReport
{
    bool ok = false;
    bool cancelled = false;
    QString error;
    QString outPath;
    ReleasePlan plan;
    int images = 0;      ///< images written
    int masks = 0;       ///< mask PNGs written
    int annotations = 0; ///< COCO annotations
    int redacted = 0;    ///< images with regions burned in
    int reencoded = 0;   ///< images re-encoded as PNG (redacted, or EXIF orientation applied)
    quint32 raterSeed = 0; ///< the seed the rater numbering used
    QStringList notes;   ///< e.g. malformed ICC profiles dropped, per image
    QJsonObject toJson() const;
};

/// Writes a de-identified label bundle (see the export section of the README):
///
///     manifest.json               format and program version, time, counts, sources' licences,
///                                 options, every file with size and SHA-256 (BundleWriter)
///     images/<image_id>.<ext>     metadata stripped losslessly; re-encoded as PNG (exact pixels)
///                                 when regions were burned in or an EXIF orientation was applied
///     masks/<image_id>/<condition>.png          0/255, image size (consensus labels)
///     probabilities/<image_id>/<condition>.png  STAPLE's posterior, round(255 p) (when asked for)
///     staple.csv                  with STAPLE: image_id,layer,rater,sensitivity,specificity,iterations
///     masks/<image_id>/<rater>/<condition>.png  (rater labels)
///     coco.json                   COCO with compressed RLE, the labels as attributes
///     labelme/<image_id>.json     LabelMe, mask shapes
///     consensus.csv               one row per image, SCIN column names where one exists
///     ratings.csv                 item,rater,field,value with raters as rater_01 ...
///     release_report.json         what the release gate held back and why, the rater seed
///
/// Raters are numbered rater_01 ... in an order shuffled with a seed (drawn at random unless
/// given), so the numbers say nothing about the names; the seed is in release_report.json and the
/// manifest's options, and the same seed gives the same numbers. Sources are listed by kind and a
/// pseudonymous id (Store::pseudonym), never by name: a source's name is its folder's name.
///
/// Consensus masks: for each condition that the settled diagnosis names, or that at least
/// `quorum` raters named, the pixels marked by more than half of the raters who named it, or
/// (maskMethod Staple) those whose STAPLE posterior over those raters is at least the
/// threshold. A rater who named the condition and drew nothing votes "outside" everywhere. Both
/// run on the raters' bounding region; STAPLE counts the rest of the image as pixels nobody
/// marked, so its numbers are those of the whole image. release_report.json names the method.
/// Identifying regions of every rater are burned into the image (their union) and are not
/// exported. The same store and options (rater seed included) give the same files, byte for
/// byte, except the creation time in manifest.json; an interrupted or cancelled export leaves
/// nothing behind.
class BundleExporter
{
    Q_DECLARE_TR_FUNCTIONS(dl::BundleExporter)

public:
    BundleExporter(Store &store, User actor) : m_store(store), m_actor(std::move(actor)) { }

    /// What the release gate would hold back, for the admin to see before exporting.
    std::optional<ReleasePlan> preview(const ReleaseOptions &options, QString *error);

    /// Writes the bundle. `progress(done, total)` may return false to cancel.
    BundleExportReport run(const BundleExportOptions &options,
                           const std::function<bool(int, int)> &progress = {});

    /// rater_01 ... for the given user ids, numbered in an order shuffled with `seed` (Fisher-Yates
    /// over the ids in ascending order, driven by SplitMix64): the same ids and seed give the same
    /// numbers on every platform.
    static QHash<qint64, QString> raterPseudonyms(QList<qint64> userIds, quint32 seed);

private:
    Store &m_store;
    User m_actor;
};

} // namespace dl
