// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/ImageService.h"

#include "imaging/ImageFormat.h"
#include "store/CaseRepository.h"
#include "store/ImageFileCache.h"
#include "store/ImageRepository.h"
#include "store/Store.h"

#include <QCoreApplication>

namespace dl {

std::optional<ImageRecord> ImageService::find(qint64 imageId, QString *error) const
{
    return ImageRepository(m_store).find(imageId, error);
}

QString ImageService::filePath(const ImageRecord &image) const
{
    return m_store.imageFilePath(image.sha256, formatExtension(formatFromName(image.format)));
}

QString ImageService::filePath(qint64 imageId, QString *error) const
{
    const auto image = find(imageId, error);
    return image ? filePath(*image) : QString();
}

QString ImageService::localFile(const ImageRecord &image, QString *error) const
{
    return ImageFileCache(m_store).localFile(image, error);
}

QString ImageService::localFile(qint64 imageId, QString *error) const
{
    const auto image = find(imageId, error);
    if (!image) {
        if (error->isEmpty())
            *error = QCoreApplication::translate("dl::ImageService", "There is no image %1 in the store.").arg(imageId);
        return {};
    }
    return localFile(*image, error);
}

QString ImageService::localFileAt(const QString &filePath, QString *error) const
{
    return ImageFileCache(m_store).localFile(filePath, error);
}

qint64 ImageService::defaultFileCacheBytes()
{
    return ImageFileCache::DefaultBudgetBytes;
}

qint64 ImageService::fileCacheBytes()
{
    return ImageFileCache::budgetBytes();
}

void ImageService::setFileCacheBytes(qint64 bytes)
{
    ImageFileCache::setBudgetBytes(bytes);
    ImageFileCache(m_store).evictToBudget();
}

QImage ImageService::thumbnail(qint64 imageId, QString *error) const
{
    return QImage::fromData(ImageRepository(m_store).thumbnail(imageId, error), "JPEG");
}

std::optional<CaseContext> ImageService::caseOf(qint64 imageId, QString *error) const
{
    CaseRepository cases(m_store);
    const QList<qint64> caseIds = cases.casesOfImage(imageId, error);
    if (caseIds.isEmpty())
        return std::nullopt;
    CaseContext context;
    context.caseId = caseIds.first();
    context.imageIds = cases.imageIds(context.caseId, error);
    context.metadata = cases.metadata(context.caseId, error);
    return context;
}

} // namespace dl
