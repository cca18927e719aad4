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

using namespace Qt::StringLiterals;

namespace dl {

static const QString FaceKind = u"face"_s;

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
            if (!faces->isEmpty()) {
                ++summary.flagged;
                StoreTransaction tx(m_store);
                if (!tx.isActive()) {
                    *error = tx.error();
                    return std::nullopt;
                }
                const std::optional<bool> added = recordFlag(m_store, m_actor.id, image.id, *faces, error);
                if (!added)
                    return std::nullopt;
                if (!tx.commit()) {
                    *error = tx.error();
                    return std::nullopt;
                }
                summary.newFlags += *added ? 1 : 0;
            }
            if (progress && !progress(summary.checked, int(total)))
                return summary;
        }
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
