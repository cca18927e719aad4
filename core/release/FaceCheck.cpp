// SPDX-License-Identifier: GPL-3.0-or-later
#include "release/FaceCheck.h"

#include "auth/Permissions.h"
#include "export/FaceDetector.h"
#include "imaging/ImageDecoder.h"
#include "imaging/ImageFormat.h"
#include "store/AuditLog.h"
#include "store/ImageRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/Transaction.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

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
    const QSqlDatabase db = m_store.db();
    ImageRepository images(db);
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
            QFile file(m_store.imageFilePath(image.sha256, formatExtension(formatFromName(image.format))));
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
                Transaction tx(db);
                if (!tx.isActive()) {
                    *error = tx.error();
                    return std::nullopt;
                }
                const std::optional<bool> added = recordFlag(db, m_actor.id, image.id, *faces, error);
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
    QSqlDatabase db, qint64 actorId, qint64 imageId, const QList<QRect> &faces, QString *error)
{
    const auto existing =
        Sql::scalar(db, u"SELECT COUNT(*) FROM image_flags WHERE image_id = ? AND kind = 'face'"_s, {imageId}, error);
    if (!existing)
        return std::nullopt;
    if (existing->toInt() > 0)
        return false;
    if (!Sql::exec(db,
                   u"INSERT INTO image_flags (image_id, kind, detail, status, created_at) "
                   "VALUES (?, 'face', ?, 'open', ?)"_s,
                   {imageId, facesToJson(faces), Sql::now()}, error)
        || !AuditLog::record(db, actorId, u"flag.face"_s, u"image"_s, imageId, {{u"faces"_s, int(faces.size())}}, error))
        return std::nullopt;
    return true;
}

std::optional<FaceFlag> FaceCheck::flag(qint64 imageId, QString *error) const
{
    QString notAnnotator;
    if (!Permissions::check(m_actor, Action::Annotate, &notAnnotator)
        && !Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QSqlQuery query(m_store.db());
    if (!Sql::exec(query,
                   u"SELECT f.detail, f.status, i.public_id FROM image_flags f JOIN images i ON i.id = f.image_id "
                   "WHERE f.image_id = ? AND f.kind = 'face'"_s,
                   {imageId}, error))
        return std::nullopt;
    if (!query.next())
        return FaceFlag {};
    return FaceFlag {imageId, query.value(2).toString(), facesFromJson(query.value(0).toString()),
                     query.value(1).toString()};
}

std::optional<QList<FaceFlag>> FaceCheck::flags(QString *error) const
{
    if (!Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QSqlQuery query(m_store.db());
    if (!Sql::exec(query,
                   u"SELECT f.image_id, i.public_id, f.detail, f.status FROM image_flags f "
                   "JOIN images i ON i.id = f.image_id WHERE f.kind = 'face' ORDER BY i.public_id"_s,
                   {}, error))
        return std::nullopt;
    QList<FaceFlag> list;
    while (query.next())
        list.append({query.value(0).toLongLong(), query.value(1).toString(), facesFromJson(query.value(2).toString()),
                     query.value(3).toString()});
    return list;
}

bool FaceCheck::resolve(qint64 imageId, bool confirmed, QString *error)
{
    if (!Permissions::check(m_actor, Action::Adjudicate, error))
        return false;
    const QSqlDatabase db = m_store.db();
    Transaction tx(db);
    if (!tx.isActive()) {
        *error = tx.error();
        return false;
    }
    QSqlQuery query(db);
    if (!Sql::exec(query,
                   u"UPDATE image_flags SET status = ?, resolved_by = ?, resolved_at = ? "
                   "WHERE image_id = ? AND kind = 'face'"_s,
                   {confirmed ? u"confirmed"_s : u"dismissed"_s, m_actor.id > 0 ? QVariant(m_actor.id) : QVariant(QMetaType(QMetaType::LongLong)),
                    Sql::now(), imageId},
                   error))
        return false;
    if (query.numRowsAffected() != 1) {
        *error = tr("The image has no face flag.");
        return false;
    }
    if (!AuditLog::record(db, m_actor.id, confirmed ? u"flag.face.confirm"_s : u"flag.face.dismiss"_s, u"image"_s,
                          imageId, {}, error))
        return false;
    if (!tx.commit()) {
        *error = tx.error();
        return false;
    }
    return true;
}

} // namespace dl
