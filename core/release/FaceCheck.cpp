// SPDX-License-Identifier: GPL-3.0-or-later
#include "release/FaceCheck.h"

#include "auth/Permissions.h"
#include "export/FaceDetector.h"
#include "imaging/ImageDecoder.h"
#include "imaging/ImageFormat.h"
#include "store/AuditLog.h"
#include "store/ImageFileCache.h"
#include "store/ImageFlagRepository.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtConcurrent/QtConcurrentMap>

#include <deque>
#include <memory>

using namespace Qt::StringLiterals;

namespace dl {

static const QString FaceKind = u"face"_s;
static const QString PendingKind = u"face_pending"_s;

static QString facesToJson(const QList<QRect> &faces)
{
    QJsonArray array;
    for (const QRect &r : faces)
        array.append(QJsonArray {r.x(), r.y(), r.width(), r.height()});
    return QString::fromUtf8(QJsonDocument(QJsonObject {{u"faces"_s, array}}).toJson(QJsonDocument::Compact));
}

static QList<QRect> facesFromJson(const QString &text)
{
    QList<QRect> faces;
    for (const QJsonValue &v : QJsonDocument::fromJson(text.toUtf8()).object().value(u"faces"_s).toArray()) {
        const QJsonArray r = v.toArray();
        faces.append(QRect(r.at(0).toInt(), r.at(1).toInt(), r.at(2).toInt(), r.at(3).toInt()));
    }
    return faces;
}

std::optional<FaceCheckSummary> FaceCheck::run(QString *error, const std::function<bool(int, int)> &progress)
{
    if (!Permissions::check(m_actor, Action::ImportImages, error))
        return std::nullopt;
    FaceDetector detector;
    if (!detector.load({}, error))
        return std::nullopt;
    ImageRepository images(m_store);
    const qint64 total = images.count(error);
    if (total < 0)
        return std::nullopt;
    FaceCheckSummary summary;
    for (int offset = 0; offset < total; offset += 200) {
        QString readError;
        const QList<ImageRecord> page = images.list(offset, 200, &readError);
        if (!readError.isEmpty()) {
            *error = readError;
            return std::nullopt;
        }
        for (const ImageRecord &image : page) {
            QString fileError;
            const QString path = ImageFileCache(m_store).localFile(image, &fileError);
            if (path.isEmpty()) {
                *error = tr("Image %1: %2").arg(image.publicId, fileError);
                return std::nullopt;
            }
            const ImageFileCache::Pin pin(path);
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly)) {
                *error = tr("Image %1: %2").arg(image.publicId, file.errorString());
                return std::nullopt;
            }
            const QSize displayed = image.orientation >= 5 && image.orientation <= 8 ? QSize(image.height, image.width)
                                                                                      : QSize(image.width, image.height);
            const auto faces = detect(detector, file.readAll(), displayed, error);
            if (!faces) {
                *error = tr("Image %1: %2").arg(image.publicId, *error);
                return std::nullopt;
            }
            ++summary.checked;
            StoreTransaction tx(m_store);
            if (!tx.isActive()) {
                *error = tx.error();
                return std::nullopt;
            }
            if (!faces->isEmpty()) {
                ++summary.flagged;
                const std::optional<bool> added = recordFlag(m_store, m_actor.id, image.id, *faces, error);
                if (!added)
                    return std::nullopt;
                summary.newFlags += *added ? 1 : 0;
            }
            // The image is checked now, whether or not the import's check had run.
            if (!ImageFlagRepository(m_store).remove(image.id, PendingKind, error))
                return std::nullopt;
            if (!tx.commit()) {
                *error = tx.error();
                return std::nullopt;
            }
            if (progress && !progress(summary.checked, int(total)))
                return summary;
        }
    }
    return summary;
}

namespace {

struct PendingJob
{
    qint64 imageId = -1;
    QString publicId;
    QString path;
    QSize displayed;
};

struct PendingResult
{
    std::optional<QList<QRect>> faces;
    QString error;
};

/// One image's check on a pool thread, with one detector per thread (the cascade is loaded once
/// per thread; a detector is not shared between threads).
PendingResult checkPending(const PendingJob &job)
{
    thread_local std::unique_ptr<FaceDetector> detector;
    PendingResult result;
    if (!detector) {
        auto loaded = std::make_unique<FaceDetector>();
        if (!loaded->load({}, &result.error))
            return result;
        detector = std::move(loaded);
    }
    QFile file(job.path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = file.errorString();
        return result;
    }
    result.faces = FaceCheck::detect(*detector, file.readAll(), job.displayed, &result.error);
    return result;
}

} // namespace

QString FaceCheck::pendingKind()
{
    return PendingKind;
}

bool FaceCheck::markPending(const Store &store, qint64 imageId, QString *error)
{
    return ImageFlagRepository(store).addIfMissing(imageId, PendingKind, {}, error).has_value();
}

std::optional<int> FaceCheck::pendingCount(QString *error) const
{
    QString readError;
    const QList<ImageFlag> pending = ImageFlagRepository(m_store).ofKind(PendingKind, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    return int(pending.size());
}

std::optional<FaceCheckSummary> FaceCheck::runPending(QString *error, const std::function<bool(int, int)> &progress)
{
    if (!Permissions::check(m_actor, Action::ImportImages, error))
        return std::nullopt;
    QString readError;
    const QList<ImageFlag> pending = ImageFlagRepository(m_store).ofKind(PendingKind, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    FaceCheckSummary summary;
    if (pending.isEmpty())
        return summary;
    {
        FaceDetector detector; // fails early, with the message, when the cascade is missing
        if (!detector.load({}, error))
            return std::nullopt;
    }
    ImageRepository images(m_store);
    const auto total = int(pending.size());
    // A chunk per transaction: big enough to keep both cores busy, small enough that stopping
    // loses little.
    constexpr qsizetype Chunk = 32;
    for (qsizetype from = 0; from < pending.size(); from += Chunk) {
        QList<PendingJob> jobs;
        std::deque<ImageFileCache::Pin> pins;
        for (qsizetype i = from; i < qMin(pending.size(), from + Chunk); ++i) {
            const std::optional<ImageRecord> image = images.find(pending.at(i).imageId, &readError);
            if (!image) {
                *error = readError.isEmpty() ? tr("Image %1 is no longer in the store.").arg(pending.at(i).imageName)
                                             : readError;
                return std::nullopt;
            }
            QString fileError;
            const QString path = ImageFileCache(m_store).localFile(*image, &fileError);
            if (path.isEmpty()) {
                *error = tr("Image %1: %2").arg(image->publicId, fileError);
                return std::nullopt;
            }
            pins.emplace_back(path);
            const QSize displayed = image->orientation >= 5 && image->orientation <= 8
                ? QSize(image->height, image->width)
                : QSize(image->width, image->height);
            jobs.append({image->id, image->publicId, path, displayed});
        }
        const QList<PendingResult> results = QtConcurrent::blockingMapped<QList<PendingResult>>(jobs, checkPending);
        StoreTransaction tx(m_store);
        if (!tx.isActive()) {
            *error = tx.error();
            return std::nullopt;
        }
        for (qsizetype i = 0; i < jobs.size(); ++i) {
            const PendingResult &result = results.at(i);
            if (!result.faces) {
                *error = tr("Image %1: %2").arg(jobs.at(i).publicId, result.error);
                return std::nullopt;
            }
            ++summary.checked;
            if (!result.faces->isEmpty()) {
                ++summary.flagged;
                const std::optional<bool> added = recordFlag(m_store, m_actor.id, jobs.at(i).imageId, *result.faces, error);
                if (!added)
                    return std::nullopt;
                summary.newFlags += *added ? 1 : 0;
            }
            if (!ImageFlagRepository(m_store).remove(jobs.at(i).imageId, PendingKind, error))
                return std::nullopt;
        }
        if (!tx.commit()) {
            *error = tx.error();
            return std::nullopt;
        }
        if (progress && !progress(summary.checked, total))
            return summary;
    }
    return summary;
}

std::optional<QList<QRect>> FaceCheck::detect(
    FaceDetector &detector, const QByteArray &encoded, QSize displayedSize, QString *error)
{
    // The cascade runs on a copy of at most workingSize pixels anyway: decode at that size.
    const QSize working(detector.options().workingSize, detector.options().workingSize);
    const QImage small = ImageDecoder::decodeScaled(encoded, working, error);
    if (small.isNull())
        return std::nullopt;
    QString detectError;
    const QList<QRect> found = detector.detect(small, &detectError);
    if (!detectError.isEmpty()) {
        *error = detectError;
        return std::nullopt;
    }
    const QSize full = displayedSize.isEmpty() ? small.size() : displayedSize;
    const double sx = double(full.width()) / small.width(), sy = double(full.height()) / small.height();
    QList<QRect> faces;
    for (const QRect &r : found)
        faces.append(QRectF(r.x() * sx, r.y() * sy, r.width() * sx, r.height() * sy).toAlignedRect()
                         .intersected(QRect(QPoint(0, 0), full)));
    return faces;
}

std::optional<bool> FaceCheck::recordFlag(
    const Store &store, qint64 actorId, qint64 imageId, const QList<QRect> &faces, QString *error)
{
    const std::optional<bool> added =
        ImageFlagRepository(store).addIfMissing(imageId, FaceKind, facesToJson(faces), error);
    if (!added)
        return std::nullopt;
    if (*added
        && !AuditLog::record(store, actorId, u"flag.face"_s, u"image"_s, imageId, {{u"faces"_s, int(faces.size())}},
                             error))
        return std::nullopt;
    return added;
}

static FaceFlag faceFlag(const ImageFlag &flag)
{
    return {flag.imageId, flag.imageName, facesFromJson(flag.detail), flag.status};
}

std::optional<FaceFlag> FaceCheck::flag(qint64 imageId, QString *error) const
{
    QString notAnnotator;
    if (!Permissions::check(m_actor, Action::Annotate, &notAnnotator)
        && !Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    const std::optional<ImageFlag> found = ImageFlagRepository(m_store).find(imageId, FaceKind, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    return found ? faceFlag(*found) : FaceFlag {};
}

std::optional<QList<FaceFlag>> FaceCheck::flags(QString *error) const
{
    if (!Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    const QList<ImageFlag> found = ImageFlagRepository(m_store).ofKind(FaceKind, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    QList<FaceFlag> list;
    list.reserve(found.size());
    for (const ImageFlag &flag : found)
        list.append(faceFlag(flag));
    return list;
}

bool FaceCheck::resolve(qint64 imageId, bool confirmed, QString *error)
{
    if (!Permissions::check(m_actor, Action::Adjudicate, error))
        return false;
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        *error = tx.error();
        return false;
    }
    const std::optional<bool> resolved = ImageFlagRepository(m_store).resolve(
        imageId, FaceKind, confirmed ? u"confirmed"_s : u"dismissed"_s, m_actor.id, error);
    if (!resolved)
        return false;
    if (!*resolved) {
        *error = tr("The image has no face flag.");
        return false;
    }
    if (!AuditLog::record(m_store, m_actor.id, confirmed ? u"flag.face.confirm"_s : u"flag.face.dismiss"_s,
                          u"image"_s, imageId, {}, error))
        return false;
    if (!tx.commit()) {
        *error = tx.error();
        return false;
    }
    return true;
}

} // namespace dl
