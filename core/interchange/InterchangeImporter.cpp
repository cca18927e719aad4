// SPDX-License-Identifier: GPL-3.0-or-later
#include "interchange/InterchangeImporter.h"

#include "annotation/AnnotationService.h"
#include "auth/Permissions.h"
#include "export/CocoReader.h"
#include "export/LabelMeReader.h"
#include "masks/MaskLayer.h"
#include "masks/MaskService.h"
#include "model/LabelVocabulary.h"
#include "qa/ConsensusService.h"
#include "store/AnnotationRepository.h"
#include "store/AssignmentRepository.h"
#include "store/AuditLog.h"
#include "store/ImageRepository.h"
#include "store/MaskRepository.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"
#include "store/UserRepository.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <algorithm>
#include <opencv2/core.hpp>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

/// The last component of a path written with '/' or '\' separators.
QString baseName(const QString &path)
{
    const qsizetype slash = std::max(path.lastIndexOf(u'/'), path.lastIndexOf(u'\\'));
    return slash < 0 ? path : path.mid(slash + 1);
}

std::optional<QString> sha256OfFile(const QString &path, QString *error)
{
    QFile file(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file)) {
        *error = file.errorString();
        return std::nullopt;
    }
    return QString::fromLatin1(hash.result().toHex());
}

QSize displayedSize(const ImageRecord &image)
{
    const bool swapsAxes = image.orientation >= 5 && image.orientation <= 8;
    return swapsAxes ? QSize(image.height, image.width) : QSize(image.width, image.height);
}

} // namespace

struct InterchangeImporter::Run
{
    InterchangeReport report;
    InterchangeRequest request;
    qint64 raterId = -1; ///< -1 until the account exists
    std::optional<QHash<QString, QList<qint64>>> byName; ///< image ids per source file name
    QHash<qint64, QString> seen; ///< image id -> the input that had it in this run
    int quorum = 2;

    void issue(const QString &code, const QString &file, const QString &message, bool skipped)
    {
        report.issues.append({ code, file, message, skipped });
        if (skipped)
            ++report.skipped;
    }
};

InterchangeImporter::InterchangeImporter(Store &store, User actor, Taxonomy taxonomy)
    : m_store(store)
    , m_actor(std::move(actor))
    , m_mapper(std::move(taxonomy))
{ }

InterchangeImporter::~InterchangeImporter() = default;

bool InterchangeImporter::prepareRater(Run &run)
{
    const QString name = run.request.rater.trimmed();
    run.report.rater = name;
    QString error;
    if (name.isEmpty()) {
        run.report.error = tr("Name the rater the labels belong to.");
        return false;
    }
    if (!UserRepository::isValidName(name, &error)) {
        run.report.error = error;
        return false;
    }
    QString dbError;
    const auto user = UserRepository(m_store).findByName(name, &dbError);
    if (!dbError.isEmpty()) {
        run.report.error = dbError;
        return false;
    }
    if (user && user->role != Role::Annotator) {
        run.report.error
            = tr("%1 has the role %2. Imported labels must belong to a dermatologist (annotator): "
                 "QA leads and administrators do not label images, and agreement statistics count "
                 "dermatologists only. Choose another name.")
                  .arg(name, roleDisplayName(user->role));
        return false;
    }
    run.raterId = user ? user->id : -1;
    return true;
}

bool InterchangeImporter::ensureRater(Run &run, QString *error)
{
    if (run.raterId >= 0)
        return true;
    // Nobody knows this password: the account signs in only after an administrator sets one.
    QByteArray secret(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(secret.data()), secret.size() / 4);
    UserRepository users(m_store);
    const qint64 id
        = users.add(run.report.rater, {}, Role::Annotator, QString::fromLatin1(secret.toBase64()), error);
    if (id < 0 || !users.setActive(id, false, error)
        || !AuditLog::record(m_store, m_actor.id, u"add_user"_s, u"user"_s, id,
            { { u"name"_s, run.report.rater }, { u"role"_s, roleKey(Role::Annotator) },
                { u"active"_s, false }, { u"for"_s, u"interchange import"_s } },
            error))
        return false;
    run.raterId = id;
    return true;
}

std::optional<qint64> InterchangeImporter::matchImage(Run &run, const Input &input, bool *byName)
{
    *byName = false;
    const QFileInfo info(input.imagePath);
    const bool haveFile = !input.imagePath.isEmpty() && info.isFile();
    std::optional<QString> sha;
    QString error;
    if (haveFile) {
        sha = sha256OfFile(input.imagePath, &error);
        if (!sha) {
            run.issue(u"missing_image"_s, input.file,
                tr("Cannot read the image %1: %2").arg(QDir::toNativeSeparators(input.imagePath), error),
                true);
            return std::nullopt;
        }
    } else if (!input.embeddedImage.isEmpty()) {
        sha = QString::fromLatin1(
            QCryptographicHash::hash(input.embeddedImage, QCryptographicHash::Sha256).toHex());
    }
    if (sha) {
        const auto id = ImageRepository(m_store).findIdBySha(*sha, &error);
        if (id)
            return id;
        if (!error.isEmpty()) {
            run.issue(u"error"_s, input.file, error, true);
            return std::nullopt;
        }
    }

    if (!run.byName) {
        const QList<QPair<qint64, QString>> paths = ImageRepository(m_store).sourcePaths(&error);
        if (!error.isEmpty()) {
            run.issue(u"error"_s, input.file, error, true);
            return std::nullopt;
        }
        QHash<QString, QList<qint64>> index;
        for (const auto &[id, path] : paths) {
            QList<qint64> &ids = index[baseName(path)];
            if (!ids.contains(id))
                ids.append(id);
        }
        run.byName = std::move(index);
    }
    const QString name = baseName(input.imagePath);
    const QList<qint64> candidates = run.byName->value(name);
    if (candidates.size() == 1) {
        *byName = true;
        return candidates.first();
    }
    const QString shown = QDir::toNativeSeparators(input.imagePath);
    if (candidates.size() > 1)
        run.issue(u"ambiguous_name"_s, input.file,
            tr("The image %1 is not in the store by content, and %2 store images were imported from files "
               "named %3: cannot tell which one is meant.")
                .arg(shown)
                .arg(candidates.size())
                .arg(name),
            true);
    else if (haveFile || sha)
        run.issue(u"not_in_store"_s, input.file,
            tr("The image %1 is not in the store: import the images first with import --folder.").arg(shown),
            true);
    else
        run.issue(u"missing_image"_s, input.file,
            tr("The image file %1 does not exist and no store image was imported from a file of that name.")
                .arg(shown),
            true);
    return std::nullopt;
}

void InterchangeImporter::importInput(Run &run, const Input &input)
{
    bool byName = false;
    const auto imageId = matchImage(run, input, &byName);
    if (!imageId)
        return;
    ++run.report.imagesMatched;
    if (byName)
        ++run.report.matchedByName;
    if (const auto it = run.seen.constFind(*imageId); it != run.seen.cend()) {
        run.issue(u"duplicate"_s, input.file,
            tr("%1 refers to the same store image as %2, which was imported first; skipped.")
                .arg(input.file, *it),
            true);
        return;
    }
    run.seen.insert(*imageId, input.file);

    QString error;
    const auto image = ImageRepository(m_store).find(*imageId, &error);
    if (!image) {
        run.issue(u"error"_s, input.file,
            error.isEmpty() ? tr("The store image %1 vanished.").arg(*imageId) : error, true);
        return;
    }
    const QSize size = displayedSize(*image);
    if (size != QSize(input.width, input.height)) {
        run.issue(u"size_mismatch"_s, input.file,
            tr("The file is for an image of %1 x %2, but the store image %3 is displayed %4 x %5; skipped.")
                .arg(input.width)
                .arg(input.height)
                .arg(image->publicId)
                .arg(size.width())
                .arg(size.height()),
            true);
        return;
    }

    // The regions only now, at the matched image's size.
    QMap<QString, cv::Mat> regions;
    QStringList ignored;
    if (!input.readRegions || !input.readRegions(&regions, &ignored, &error)) {
        run.issue(u"malformed"_s, input.file, error, true);
        return;
    }
    for (const QString &warning : ignored)
        run.issue(u"shape_ignored"_s, input.file, warning, false);

    // One mask per layer: labels that map to the same layer are merged.
    QMap<QString, cv::Mat> layers;
    for (auto it = regions.cbegin(); it != regions.cend(); ++it) {
        const MappedLabel mapped = m_mapper.map(it.key());
        if (!mapped.isKnown()) {
            run.issue(u"unknown_label"_s, input.file,
                tr("The label \"%1\" is neither a condition of the taxonomy nor identifying:<kind> (%2); "
                   "its region was skipped.")
                    .arg(it.key(), LabelVocabulary::identifyingKindIds().join(u", "_s)),
                false);
            continue;
        }
        const cv::Mat &region = it.value();
        if (region.empty() || cv::countNonZero(region) == 0) {
            run.issue(u"empty_region"_s, input.file,
                tr("The region labelled \"%1\" has no pixel inside the image; skipped.").arg(it.key()),
                false);
            continue;
        }
        const QString layer = mapped.layerId();
        cv::Mat binary;
        cv::compare(region, 0, binary, cv::CMP_NE);
        auto existing = layers.find(layer);
        if (existing == layers.end())
            layers.insert(layer, binary);
        else
            cv::bitwise_or(*existing, binary, *existing);
    }
    if (layers.isEmpty()) {
        run.issue(u"no_labels"_s, input.file, tr("No region with a known label: nothing to import."), false);
        return;
    }
    // Conditions by decreasing area, ties by id.
    QList<QPair<QString, qint64>> conditions;
    for (auto it = layers.cbegin(); it != layers.cend(); ++it) {
        const auto parsed = MaskLayer::parseId(it.key());
        if (parsed && parsed->kind == MaskLayer::Kind::Condition)
            conditions.append({ parsed->key, qint64(cv::countNonZero(it.value())) });
    }
    std::stable_sort(conditions.begin(), conditions.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });

    if (!write(run, input, *imageId, layers, conditions, &error))
        run.issue(u"error"_s, input.file, tr("Nothing was written for this image: %1").arg(error), true);
}

bool InterchangeImporter::write(Run &run, const Input &input, qint64 imageId,
    const QMap<QString, cv::Mat> &layers, const QList<QPair<QString, qint64>> &conditionsByArea,
    QString *error)
{
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        *error = tx.error();
        return false;
    }
    const qint64 raterBefore = run.raterId;
    const auto fail = [&] {
        run.raterId = raterBefore; // a rater created in this transaction is gone with it
        return false;
    };
    if (!ensureRater(run, error))
        return fail();
    const qint64 raterId = run.raterId;

    AnnotationRepository annotations(m_store);
    QString dbError;
    const auto existing = annotations.find(imageId, raterId, &dbError);
    if (!dbError.isEmpty()) {
        *error = dbError;
        return fail();
    }
    Annotation annotation;
    if (existing) {
        annotation = *existing;
    } else {
        annotation.imageId = imageId;
        annotation.userId = raterId;
    }

    QList<InterchangeIssue> warnings;
    QStringList layersToWrite, diagnosesAdded, identifyingAdded;
    for (const auto &[conditionId, area] : conditionsByArea) {
        Q_UNUSED(area)
        const bool present = std::any_of(annotation.diagnoses.cbegin(), annotation.diagnoses.cend(),
            [&id = conditionId](const Diagnosis &d) { return d.conditionId == id; });
        const QString name = m_mapper.taxonomy().displayName(conditionId);
        if (!present) {
            if (annotation.cannotDetermine) {
                warnings.append({ u"cannot_determine"_s, input.file,
                    tr("%1 already answered 'cannot determine' for this image: the region of %2 was "
                       "skipped.")
                        .arg(run.report.rater, name),
                    false });
                continue;
            }
            if (annotation.diagnoses.size() >= Annotation::MaxDiagnoses) {
                warnings.append({ u"too_many_diagnoses"_s, input.file,
                    tr("At most %1 potential diagnoses: the region of %2 (one of the smallest) was "
                       "skipped.")
                        .arg(Annotation::MaxDiagnoses)
                        .arg(name),
                    false });
                continue;
            }
            annotation.diagnoses.append({ conditionId, DefaultConfidence });
            diagnosesAdded.append(conditionId);
        }
        layersToWrite.append(MaskLayer::conditionLayerId(conditionId));
    }
    for (const QString &kind : LabelVocabulary::identifyingKindIds()) {
        const QString layer = MaskLayer::identifyingLayerId(kind);
        if (!layers.contains(layer))
            continue;
        if (!annotation.identifying.contains(kind)) {
            annotation.identifying.append(kind);
            identifyingAdded.append(kind);
        }
        layersToWrite.append(layer);
    }
    if (!AnnotationService::validate(annotation, error))
        return fail();
    const bool labelsChanged = !existing || !existing->sameLabels(annotation);
    if (labelsChanged) {
        // Read in this transaction: a conflict means another session wrote them just now.
        const SaveResult saved = annotations.save(annotation, error);
        if (saved == SaveResult::Conflict)
            *error = tr("The labels of %1 were changed by another session during the import; import again.")
                         .arg(run.report.rater);
        if (saved != SaveResult::Saved)
            return fail();
    }

    MaskRepository masks(m_store);
    QJsonArray masksWritten;
    for (const QString &layer : layersToWrite) {
        const cv::Mat &mask = layers.value(layer);
        const QByteArray data = MaskService::encode(mask);
        const auto latest = masks.latest(annotation.id, layer, &dbError);
        if (!dbError.isEmpty()) {
            *error = dbError;
            return fail();
        }
        if (latest && latest->encoding == MaskService::encodingName() && latest->data == data
            && latest->width == mask.cols && latest->height == mask.rows)
            continue;
        const int version = masks.addVersion(
            annotation.id, layer, MaskService::encodingName(), mask.cols, mask.rows, data, error);
        if (version < 0)
            return fail();
        masksWritten.append(QJsonObject { { u"layer"_s, layer }, { u"version"_s, version },
            { u"area"_s, qint64(cv::countNonZero(mask)) } });
    }

    AssignmentRepository assignments(m_store);
    const bool assigned = assignments.isAssigned(imageId, raterId, &dbError);
    if (!dbError.isEmpty()) {
        *error = dbError;
        return fail();
    }
    const QString status = assigned ? assignments.status(imageId, raterId, &dbError) : QString();
    if (!dbError.isEmpty()) {
        *error = dbError;
        return fail();
    }
    const bool assignmentChanged = !assigned || status != AssignmentStatus::Done;
    if ((!assigned && !assignments.add(imageId, raterId, error))
        || (assignmentChanged && !assignments.setStatus(imageId, raterId, AssignmentStatus::Done, error)))
        return fail();

    if (!labelsChanged && masksWritten.isEmpty() && !assignmentChanged) {
        tx.rollback();
        ++run.report.imagesUnchanged;
        run.report.issues.append(warnings);
        return true;
    }
    // Labels and the number of raters expected both move the image's consensus.
    if ((labelsChanged || assignmentChanged)
        && !ConsensusService::recomputeImage(m_store, imageId, run.quorum, error))
        return fail();
    const QJsonObject detail { { u"image"_s, imageId }, { u"rater"_s, raterId },
        { u"format"_s, run.report.format }, { u"file"_s, baseName(input.file) },
        { u"diagnoses_added"_s, QJsonArray::fromStringList(diagnosesAdded) },
        { u"identifying_added"_s, QJsonArray::fromStringList(identifyingAdded) },
        { u"masks"_s, masksWritten }, { u"assigned"_s, !assigned }, { u"status_from"_s, status } };
    if (!AuditLog::record(
            m_store, m_actor.id, u"interchange.import"_s, u"annotation"_s, annotation.id, detail, error))
        return fail();
    if (!tx.commit()) {
        *error = tx.error();
        return fail();
    }
    if (raterBefore < 0)
        run.report.raterCreated = true;
    ++run.report.imagesUpdated;
    if (labelsChanged)
        ++run.report.annotationsWritten;
    run.report.masksWritten += masksWritten.size();
    run.report.issues.append(warnings);
    return true;
}

InterchangeReport InterchangeImporter::run(
    const InterchangeRequest &request, const ProgressCallback &progress, const std::atomic_bool *cancel)
{
    QElapsedTimer timer;
    timer.start();
    Run run;
    run.request = request;
    run.report.format = request.format == InterchangeFormat::Coco ? u"coco"_s : u"labelme"_s;
    const auto finish = [&]() -> InterchangeReport {
        run.report.seconds = double(timer.elapsed()) / 1000.0;
        if (progress)
            progress({ ImportProgress::Phase::Finished, run.report.filesRead, run.report.filesRead, {} });
        return run.report;
    };
    const auto cancelled = [&] { return cancel && cancel->load(); };
    const auto report = [&](qint64 done, qint64 total, const QString &path) {
        if (progress)
            progress({ ImportProgress::Phase::Images, done, total, path });
    };

    QString error;
    if (!Permissions::check(m_actor, Action::ImportImages, &error)) {
        run.report.error = error;
        return finish();
    }
    if (!prepareRater(run))
        return finish();
    run.quorum = ConsensusService::quorum(m_store);

    if (request.format == InterchangeFormat::LabelMe) {
        const QFileInfo folder(request.source);
        if (!folder.isDir()) {
            run.report.error = folder.exists()
                ? tr("%1 is not a folder: give the folder that holds the LabelMe JSON files.")
                      .arg(QDir::toNativeSeparators(request.source))
                : tr("There is no folder %1.").arg(QDir::toNativeSeparators(request.source));
            return finish();
        }
        const QDir root(folder.absoluteFilePath());
        QStringList files;
        QDirIterator it(
            root.path(), { u"*.json"_s }, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(it.next());
        files.sort();
        if (files.isEmpty()) {
            run.report.error = tr("There are no LabelMe files (*.json) under %1.")
                                   .arg(QDir::toNativeSeparators(root.path()));
            return finish();
        }
        for (qsizetype i = 0; i < files.size(); ++i) {
            const QString path = files.at(i);
            const QString shown = root.relativeFilePath(path);
            report(i, files.size(), path);
            if (cancelled()) {
                run.report.cancelled = true;
                break;
            }
            ++run.report.filesRead;
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly)) {
                run.issue(
                    u"malformed"_s, shown, tr("Cannot read the file: %1").arg(file.errorString()), true);
                continue;
            }
            const QByteArray bytes = file.readAll();
            QString why;
            // The header only: the shapes are drawn once the image is matched, at its size.
            const auto document = LabelMeReader::parseHeader(bytes, &why);
            if (!document) {
                run.issue(u"malformed"_s, shown, tr("Not a LabelMe file: %1").arg(why), true);
                continue;
            }
            Input input;
            input.file = shown;
            const QDir here = QFileInfo(path).absoluteDir();
            input.imagePath = QDir::cleanPath(here.filePath(document->imagePath));
            if (!QFileInfo(input.imagePath).isFile() && document->imagePath.contains(u'\\')) {
                // Written on Windows: "..\images\a.jpg".
                QString slashed = document->imagePath;
                slashed.replace(u'\\', u'/');
                input.imagePath = QDir::cleanPath(here.filePath(slashed));
            }
            if (!QFileInfo(input.imagePath).isFile()) {
                const QJsonValue data = QJsonDocument::fromJson(bytes).object().value("imageData"_L1);
                if (data.isString()) {
                    const auto decoded = QByteArray::fromBase64Encoding(
                        data.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
                    if (decoded)
                        input.embeddedImage = *decoded;
                }
            }
            input.width = document->width;
            input.height = document->height;
            const QSize claimed(document->width, document->height);
            input.readRegions = [&bytes, claimed](QMap<QString, cv::Mat> *regions, QStringList *warnings,
                                    QString *error) {
                QString why;
                // The matched image's size by now: parse() checks it again before drawing.
                auto full = LabelMeReader::parse(bytes, &why, claimed);
                if (!full) {
                    *error = tr("Not a LabelMe file: %1").arg(why);
                    return false;
                }
                *regions = std::move(full->masks);
                *warnings = std::move(full->warnings);
                return true;
            };
            importInput(run, input);
        }
        report(run.report.filesRead, files.size(), {});
        return finish();
    }

    // COCO
    const QFileInfo cocoFile(request.source);
    if (!cocoFile.isFile()) {
        run.report.error = tr("There is no COCO file %1.").arg(QDir::toNativeSeparators(request.source));
        return finish();
    }
    const QFileInfo imagesDir(request.imagesDir);
    if (request.imagesDir.isEmpty() || !imagesDir.isDir()) {
        run.report.error = request.imagesDir.isEmpty()
            ? tr("Give the folder the COCO file's images are in.")
            : tr("There is no folder %1 for the COCO images.")
                  .arg(QDir::toNativeSeparators(request.imagesDir));
        return finish();
    }
    const auto document = CocoReader::readFile(cocoFile.absoluteFilePath(), &error);
    if (!document) {
        run.report.error = tr("Cannot import %1: %2").arg(QDir::toNativeSeparators(request.source), error);
        return finish();
    }
    for (const QString &warning : document->warnings)
        run.issue(u"annotation_skipped"_s, cocoFile.fileName(), warning, false);
    const QDir root(imagesDir.absoluteFilePath());
    const qsizetype total = document->images.size();
    for (qsizetype i = 0; i < total; ++i) {
        const CocoImageInfo &info = document->images.at(i);
        report(i, total, info.fileName);
        if (cancelled()) {
            run.report.cancelled = true;
            break;
        }
        ++run.report.filesRead;
        Input input;
        input.file = info.fileName;
        input.imagePath = QDir::cleanPath(root.filePath(info.fileName));
        input.width = info.width;
        input.height = info.height;
        // Each RLE's size equals its image entry's (CocoReader checks it), and importInput()
        // decodes only once that size matched the store image.
        input.readRegions = [&document, &info](QMap<QString, cv::Mat> *regions, QStringList *, QString *) {
            *regions = document->masks(info.fileName);
            return true;
        };
        importInput(run, input);
    }
    report(run.report.filesRead, total, {});
    return finish();
}

} // namespace dl
