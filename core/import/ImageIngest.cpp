// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/ImageIngest.h"

#include "imaging/ImageFormat.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

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
