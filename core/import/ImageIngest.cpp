// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/ImageIngest.h"

#include "export/FaceDetector.h"
#include "imaging/ImageFormat.h"
#include "release/FaceCheck.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <memory>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::ImageIngest", text);
}

static IngestResult reject(IngestResult result, RejectReason reason, const QString &message)
{
    result.ok = false;
    result.rejectKey = rejectReasonKey(reason);
    result.message = message;
    return result;
}

/// The face check of an image being imported, with one detector per pool thread (the cascade
/// is loaded once per thread, and a detector is not shared between threads).
static void checkFaces(const QByteArray &data, IngestResult &result)
{
    thread_local std::unique_ptr<FaceDetector> detector;
    thread_local QString loadError;
    if (!detector && loadError.isEmpty()) {
        auto loaded = std::make_unique<FaceDetector>();
        if (loaded->load({}, &loadError))
            detector = std::move(loaded);
    }
    if (!detector) {
        result.faceMessage = loadError;
        return;
    }
    const ImageHeader &h = result.header;
    const QSize displayed = h.orientation >= 5 && h.orientation <= 8 ? QSize(h.height, h.width) : QSize(h.width, h.height);
    QString error;
    result.faces = FaceCheck::detect(*detector, data, displayed, &error);
    if (!result.faces)
        result.faceMessage = error;
}

IngestResult ImageIngest::run(const QString &absolutePath, const QString &relativePath, const Options &options,
                              const std::atomic_bool *cancel)
{
    IngestResult result;
    result.absolutePath = absolutePath;
    result.relativePath = relativePath;
    if (cancel && cancel->load()) {
        result.cancelled = true;
        return result;
    }

    QFile file(absolutePath);
    const QFileInfo info(absolutePath);
    result.fileSize = info.size();
    result.modified = info.lastModified().toUTC().toString(Qt::ISODateWithMs);
    if (!file.open(QIODevice::ReadOnly))
        return reject(result, RejectReason::Unreadable, tr("The file cannot be read: %1").arg(file.errorString()));
    if (file.size() > options.byteLimit)
        return reject(result, RejectReason::TooLarge,
                      tr("The file is %1 MB, more than the limit of %2 MB.")
                          .arg(file.size() >> 20)
                          .arg(options.byteLimit >> 20));
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError || data.size() != file.size())
        return reject(result, RejectReason::Unreadable, tr("The file cannot be read: %1").arg(file.errorString()));
    file.close();
    result.fileSize = data.size();

    result.header = ImageProbe::probe(data, options.pixelLimit);
    if (!result.header.ok())
        return reject(result, result.header.reject, result.header.message);
    result.thumbnail = ThumbnailMaker::make(data, result.header, options.thumbnailEdge);
    if (!result.thumbnail.ok())
        return reject(result, result.thumbnail.reject, result.thumbnail.message);

    result.sha256 = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
    if (options.detectFaces)
        checkFaces(data, result);
    const QString target =
        Store::imageFilePath(options.imageDirectory, result.sha256, formatExtension(result.header.format));
    const QFileInfo targetInfo(target);
    if (!targetInfo.exists() || targetInfo.size() != data.size()) {
        QSaveFile out(target);
        if (!QDir().mkpath(targetInfo.absolutePath()) || !out.open(QIODevice::WriteOnly)
            || out.write(data) != data.size() || !out.commit()) {
            result.rejectKey = StoreWriteFailed;
            result.message = tr("Cannot write to the store's image folder %1: %2")
                                 .arg(QDir::toNativeSeparators(targetInfo.absolutePath()), out.errorString());
            return result;
        }
    }
    result.ok = true;
    return result;
}

} // namespace dl
