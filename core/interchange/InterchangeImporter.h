// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "import/ImportService.h"
#include "interchange/InterchangeReport.h"
#include "interchange/LabelMapper.h"
#include "model/User.h"
#include "taxonomy/Taxonomy.h"

#include <QCoreApplication>
#include <QMap>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <opencv2/core/mat.hpp>

namespace dl {

class Store;

enum class InterchangeFormat
{
    LabelMe, ///< every *.json under a folder (recursive), LabelMe's format
    Coco, ///< one COCO detection/segmentation JSON file and the folder its file_names are under
};

/// What to import, and for whom.
struct InterchangeRequest
{
    InterchangeFormat format = InterchangeFormat::LabelMe;
    QString source; ///< LabelMe: the folder to search; COCO: the JSON file
    QString imagesDir; ///< COCO: the folder the images' file_name are relative to
    QString rater; ///< the user name the labels are written for (see InterchangeImporter)
};

/// Imports regions drawn elsewhere (LabelMe JSON, COCO segmentation) as one rater's labels and
/// masks.
///
/// Each input (a LabelMe file, a COCO image entry) is matched to a store image by the SHA-256 of
/// the image file it refers to (LabelMe: imagePath resolved against the JSON file's folder, or the
/// embedded imageData when that file does not exist; COCO: file_name under imagesDir). When that
/// fails, a store image whose source file has the same file name is taken if it is the only one.
/// An input whose image is not in the store, whose size differs from the image's displayed size
/// (EXIF orientation applied), or that refers to an image an earlier input of the same run already
/// did, is skipped and reported. A malformed file is reported and the others are still imported.
///
/// Labels are mapped by LabelMapper. A condition becomes a potential diagnosis of the rater's
/// annotation with the region as its "condition:<id>" layer; new diagnoses are added after the
/// existing ones by decreasing region area (ties by id), with confidence DefaultConfidence, up to
/// Annotation::MaxDiagnoses (the smaller regions beyond that are left out with a warning). An
/// "identifying:<kind>" label ticks that kind and stores its region. Existing labels of the rater
/// are kept; a layer's mask is replaced by the imported one as a new version, and an identical mask
/// writes nothing, so running the same import again changes nothing. Empty regions and unknown labels
/// are warnings.
///
/// The rater must be a dermatologist (role annotator) if the name exists: QA leads and
/// administrators do not label, and their labels would be counted by no agreement statistic, so
/// the import is refused. An unknown name is created as a dermatologist account that is disabled
/// and has a random password nobody knows: it cannot sign in until an administrator enables it and
/// sets a password, and being disabled it gets no new work from AssignmentService. Its imported
/// labels count towards agreement and consensus like any finished work. Each image is assigned to
/// the rater (if it was not) with status done.
///
/// Each image is written in one transaction: labels, masks, the assignment, the consensus of the
/// image and one audit entry ("interchange.import"); an error rolls it back and is reported. The
/// actor must be allowed to import images (administrators; the command line acts as one).
class InterchangeImporter
{
    Q_DECLARE_TR_FUNCTIONS(dl::InterchangeImporter)

public:
    using ProgressCallback = std::function<void(const ImportProgress &)>;
    /// The confidence (1-5) given to an imported diagnosis: the middle of the scale, since neither
    /// LabelMe nor COCO says how sure the rater was.
    static constexpr int DefaultConfidence = 3;

    InterchangeImporter(Store &store, User actor, Taxonomy taxonomy = Taxonomy::builtin());
    ~InterchangeImporter();

    /// Imports everything the request names. Progress is reported per input (phase Images);
    /// setting *cancel stops after the current image (what was written stays).
    InterchangeReport run(const InterchangeRequest &request, const ProgressCallback &progress = {},
        const std::atomic_bool *cancel = nullptr);

    /// The regions of one input, by label (CV_8UC1, 0 / 255, the input's image size).
    struct Input
    {
        QString file; ///< as reported
        QString imagePath; ///< the referenced image file (may not exist)
        QByteArray embeddedImage; ///< LabelMe imageData, decoded (may be empty)
        int width = 0, height = 0;
        /// Reads the regions at width x height; called only once the input matched a store image
        /// displayed at that size, so a file's claimed size never allocates anything by itself.
        /// False with *error when the regions cannot be read; *warnings for what was ignored.
        std::function<bool(QMap<QString, cv::Mat> *regions, QStringList *warnings, QString *error)>
            readRegions;
    };

private:
    struct Run;
    void importInput(Run &run, const Input &input);
    std::optional<qint64> matchImage(Run &run, const Input &input, bool *byName);
    bool write(Run &run, const Input &input, qint64 imageId, const QMap<QString, cv::Mat> &layers,
        const QList<QPair<QString, qint64>> &conditionsByArea, QString *error);
    bool ensureRater(Run &run, QString *error);
    bool prepareRater(Run &run);

    Store &m_store;
    User m_actor;
    LabelMapper m_mapper;
};

} // namespace dl
