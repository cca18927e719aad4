// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskService.h"

#include "auth/Permissions.h"
#include "masks/CocoRle.h"
#include "masks/MaskCodec.h"
#include "model/Annotation.h"
#include "store/AnnotationRepository.h"
#include "store/AssignmentRepository.h"
#include "store/AuditLog.h"
#include "store/ImageRepository.h"
#include "store/MaskRepository.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <opencv2/core.hpp>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::MaskService", text);
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

QString MaskService::encodingName()
{
    return u"rle"_s;
}

QByteArray MaskService::encode(const cv::Mat &mask)
{
    return CocoRle::toString(CocoRle::encode(mask));
}

cv::Mat MaskService::decode(const MaskRecord &record, QString *error)
{
    cv::Mat mask;
    QString why;
    if (record.encoding == u"rle"_s) {
        if (const auto rle = CocoRle::fromString(record.data, record.height, record.width, &why))
            mask = CocoRle::decode(*rle);
    } else if (record.encoding == u"png"_s) {
        mask = MaskCodec::decodePng(record.data, &why);
        if (!mask.empty() && (mask.cols != record.width || mask.rows != record.height)) {
            why = tr("the image inside is %1 x %2").arg(mask.cols).arg(mask.rows);
            mask.release();
        }
        if (!mask.empty())
            cv::compare(mask, 0, mask, cv::CMP_NE);
    } else {
        why = tr("unknown encoding \"%1\"").arg(record.encoding);
    }
    if (mask.empty())
        fail(error,
            tr("Version %1 of mask layer %2 cannot be read: %3").arg(record.version).arg(record.layer, why));
    return mask;
}

bool MaskService::checkAssigned(qint64 imageId, QString *error) const
{
    if (!Permissions::check(m_actor, Action::Annotate, error))
        return false;
    QString dbError;
    if (!AssignmentRepository(m_store).isAssigned(imageId, m_actor.id, &dbError))
        return fail(
            error, dbError.isEmpty() ? tr("This image is not assigned to %1.").arg(m_actor.name) : dbError);
    return true;
}

bool MaskService::checkRead(qint64 imageId, qint64 raterId, QString *error) const
{
    if (raterId == m_actor.id && m_actor.role == Role::Annotator)
        return checkAssigned(imageId, error);
    return Permissions::check(m_actor, Action::ViewAllAnnotations, error);
}

std::optional<QSize> MaskService::displayedSize(qint64 imageId, QString *error) const
{
    QString dbError;
    const auto image = ImageRepository(m_store).find(imageId, &dbError);
    if (!image) {
        fail(error, dbError.isEmpty() ? tr("There is no image %1.").arg(imageId) : dbError);
        return std::nullopt;
    }
    const bool swapsAxes = image->orientation >= 5 && image->orientation <= 8;
    return swapsAxes ? QSize(image->height, image->width) : QSize(image->width, image->height);
}

std::optional<qint64> MaskService::annotationOf(qint64 imageId, qint64 raterId, QString *error) const
{
    QString dbError;
    const auto annotation = AnnotationRepository(m_store).find(imageId, raterId, &dbError);
    if (!dbError.isEmpty()) {
        fail(error, dbError);
        return std::nullopt;
    }
    return annotation ? annotation->id : -1;
}

std::optional<MaskDocument> MaskService::openOwn(qint64 imageId, QString *error) const
{
    if (!checkAssigned(imageId, error))
        return std::nullopt;
    return open(imageId, m_actor.id, error);
}

std::optional<MaskDocument> MaskService::open(qint64 imageId, qint64 raterId, QString *error) const
{
    if (!checkRead(imageId, raterId, error))
        return std::nullopt;
    const auto size = displayedSize(imageId, error);
    if (!size)
        return std::nullopt;
    MaskDocument document(*size);
    document.setOwner(imageId, raterId);
    QString dbError;
    const auto annotation = AnnotationRepository(m_store).find(imageId, raterId, &dbError);
    if (!dbError.isEmpty()) {
        fail(error, dbError);
        return std::nullopt;
    }
    if (!annotation)
        return document;
    document.setAnnotationId(annotation->id);
    document.addLayersFor(*annotation);
    const QList<MaskRecord> records
        = MaskRepository(m_store).latestOfEachLayer(annotation->id, &dbError);
    if (!dbError.isEmpty()) {
        fail(error, dbError);
        return std::nullopt;
    }
    for (const MaskRecord &record : records) {
        if (!MaskLayer::isValidId(record.layer))
            continue; // a layer this program does not know: left in the store untouched
        if (record.width != size->width() || record.height != size->height()) {
            fail(error,
                tr("The stored mask %1 is %2 x %3 but the image is displayed %4 x %5.")
                    .arg(record.layer)
                    .arg(record.width)
                    .arg(record.height)
                    .arg(size->width())
                    .arg(size->height()));
            return std::nullopt;
        }
        const cv::Mat mask = decode(record, error);
        if (mask.empty() || !document.setMask(record.layer, mask, error))
            return std::nullopt;
        document.markSaved(record.layer, record.version);
    }
    return document;
}

std::optional<QList<int>> MaskService::saveLayers(MaskDocument &document, const QStringList &layerIds,
    QString *error, SaveResult *result, QHash<QString, int> *conflicts)
{
    if (result)
        *result = SaveResult::Failed;
    if (document.raterId() != m_actor.id) {
        fail(error, tr("Only the author may change masks."));
        return std::nullopt;
    }
    QList<LayerPixels> layers;
    layers.reserve(layerIds.size());
    // Each layer is based on the version it was loaded from or last saved as: a layer saved
    // elsewhere since is a conflict, never overwritten.
    for (const QString &id : layerIds)
        layers.append({ id, document.maskIfAllocated(id), document.savedVersion(id) });
    qint64 annotationId = -1;
    QHash<QString, int> stale;
    const auto versions = saveMasks(document.imageId(), document.size(), layers, error, &annotationId, &stale);
    if (!versions) {
        if (!stale.isEmpty()) {
            if (result)
                *result = SaveResult::Conflict;
            if (conflicts)
                *conflicts = stale;
        }
        return std::nullopt;
    }
    document.setAnnotationId(annotationId);
    for (qsizetype i = 0; i < layerIds.size(); ++i)
        document.markSaved(layerIds.at(i), versions->at(i));
    if (result)
        *result = SaveResult::Saved;
    return versions;
}

std::optional<QList<int>> MaskService::saveMasks(qint64 imageId, QSize size, const QList<LayerPixels> &layers,
    QString *error, qint64 *annotationId, QHash<QString, int> *conflicts)
{
    if (!checkAssigned(imageId, error))
        return std::nullopt;
    const auto displayed = displayedSize(imageId, error);
    if (!displayed)
        return std::nullopt;
    if (size != *displayed) {
        fail(error,
            tr("The masks are %1 x %2 but the image is displayed %3 x %4.")
                .arg(size.width())
                .arg(size.height())
                .arg(displayed->width())
                .arg(displayed->height()));
        return std::nullopt;
    }
    // Encoded before the transaction: the store's write lock is held only while writing.
    struct Encoded
    {
        QByteArray data;
        qint64 area = 0;
    };
    QList<Encoded> encoded;
    encoded.reserve(layers.size());
    for (const LayerPixels &layer : layers) {
        if (!MaskLayer::isValidId(layer.layerId)) {
            fail(error, tr("Unknown mask layer \"%1\".").arg(layer.layerId));
            return std::nullopt;
        }
        cv::Mat mask = layer.mask;
        if (mask.empty())
            mask = cv::Mat::zeros(size.height(), size.width(), CV_8UC1);
        if (mask.type() != CV_8UC1 || mask.cols != size.width() || mask.rows != size.height()) {
            fail(error,
                tr("The mask %1 is %2 x %3 but the image is displayed %4 x %5.")
                    .arg(layer.layerId)
                    .arg(mask.cols)
                    .arg(mask.rows)
                    .arg(size.width())
                    .arg(size.height()));
            return std::nullopt;
        }
        const Rle rle = CocoRle::encode(mask);
        encoded.append({ CocoRle::toString(rle), qint64(CocoRle::area(rle)) });
    }

    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        fail(error, tx.error());
        return std::nullopt;
    }
    AnnotationRepository annotations(m_store);
    QString dbError;
    auto annotation = annotations.find(imageId, m_actor.id, &dbError);
    if (!dbError.isEmpty()) {
        fail(error, dbError);
        return std::nullopt;
    }
    if (!annotation) {
        Annotation blank;
        blank.imageId = imageId;
        blank.userId = m_actor.id;
        const SaveResult saved = annotations.save(blank, error);
        if (saved == SaveResult::Conflict) // created by another session since the read
            fail(error, tr("The labels of this image were changed elsewhere at the same time; saving again."));
        if (saved != SaveResult::Saved
            || !AuditLog::record(m_store, m_actor.id, u"annotation.create"_s, u"annotation"_s, blank.id,
                { { u"image"_s, imageId }, { u"for"_s, u"masks"_s } }, error))
            return std::nullopt;
        annotation = blank;
    }

    MaskRepository masks(m_store);
    QList<int> versions;
    QHash<QString, int> stale;
    bool wrote = false;
    for (qsizetype i = 0; i < layers.size(); ++i) {
        const QString &id = layers.at(i).layerId;
        const QByteArray &data = encoded.at(i).data;
        const auto latest = masks.latest(annotation->id, id, &dbError);
        if (!dbError.isEmpty()) {
            fail(error, dbError);
            return std::nullopt;
        }
        if (latest && latest->encoding == encodingName() && latest->data == data
            && latest->width == size.width() && latest->height == size.height()) {
            versions.append(latest->version);
            continue;
        }
        const int base = layers.at(i).baseVersion;
        if (base >= 0 && (latest ? latest->version : 0) != base) {
            // Saved elsewhere since these pixels were read: never made the latest silently.
            stale.insert(id, latest ? latest->version : 0);
            versions.append(-1);
            continue;
        }
        qint64 rowId = -1;
        const int version = masks.addVersion(
            annotation->id, id, encodingName(), size.width(), size.height(), data, error, &rowId);
        if (version < 0)
            return std::nullopt;
        if (!AuditLog::record(m_store, m_actor.id, u"mask.save"_s, u"mask"_s, rowId,
                { { u"image"_s, imageId }, { u"annotation"_s, annotation->id }, { u"layer"_s, id },
                    { u"version"_s, version }, { u"area"_s, encoded.at(i).area },
                    { u"bytes"_s, data.size() } },
                error))
            return std::nullopt;
        versions.append(version);
        wrote = true;
    }
    if (!stale.isEmpty()) {
        if (conflicts)
            *conflicts = stale;
        fail(error, tr("These regions were changed elsewhere (in another window or on another workstation) since "
                       "they were read here; nothing was overwritten."));
        return std::nullopt;
    }
    if (wrote) {
        AssignmentRepository assignments(m_store);
        if (assignments.status(imageId, m_actor.id, error) == AssignmentStatus::Todo
            && !assignments.setStatus(imageId, m_actor.id, AssignmentStatus::InProgress, error))
            return std::nullopt;
    }
    if (!tx.commit()) {
        fail(error, tx.error());
        return std::nullopt;
    }
    if (annotationId)
        *annotationId = annotation->id;
    return versions;
}

std::optional<int> MaskService::save(MaskDocument &document, const QString &layerId, QString *error,
    SaveResult *result, QHash<QString, int> *conflicts)
{
    const auto versions = saveLayers(document, { layerId }, error, result, conflicts);
    if (!versions)
        return std::nullopt;
    return versions->first();
}

SaveResult MaskService::saveChanged(MaskDocument &document, QString *error, QHash<QString, int> *conflicts)
{
    const QStringList changed = document.changedLayers();
    if (changed.isEmpty())
        return SaveResult::Saved;
    SaveResult result = SaveResult::Failed;
    saveLayers(document, changed, error, &result, conflicts);
    return result;
}

std::optional<QList<MaskRecord>> MaskService::versions(
    qint64 imageId, qint64 raterId, const QString &layerId, QString *error) const
{
    if (!checkRead(imageId, raterId, error))
        return std::nullopt;
    const auto annotationId = annotationOf(imageId, raterId, error);
    if (!annotationId)
        return std::nullopt;
    if (*annotationId < 0)
        return QList<MaskRecord>();
    QString dbError;
    QList<MaskRecord> list = MaskRepository(m_store).versions(*annotationId, layerId, &dbError);
    if (!dbError.isEmpty()) {
        fail(error, dbError);
        return std::nullopt;
    }
    return list;
}

std::optional<cv::Mat> MaskService::loadVersion(
    qint64 imageId, qint64 raterId, const QString &layerId, int version, QString *error) const
{
    if (!checkRead(imageId, raterId, error))
        return std::nullopt;
    const auto annotationId = annotationOf(imageId, raterId, error);
    if (!annotationId)
        return std::nullopt;
    QString dbError;
    const auto record = *annotationId < 0
        ? std::nullopt
        : MaskRepository(m_store).version(*annotationId, layerId, version, &dbError);
    if (!record) {
        fail(error,
            dbError.isEmpty() ? tr("There is no version %1 of mask layer %2.").arg(version).arg(layerId)
                              : dbError);
        return std::nullopt;
    }
    cv::Mat mask = decode(*record, error);
    if (mask.empty())
        return std::nullopt;
    return mask;
}

} // namespace dl
