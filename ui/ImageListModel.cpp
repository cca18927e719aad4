// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageListModel.h"

#include "store/Store.h"

#include <QImage>

using namespace Qt::StringLiterals;

namespace dl {

ImageListModel::ImageListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void ImageListModel::setStore(Store *store)
{
    m_store = store;
    reload();
}

void ImageListModel::reload()
{
    beginResetModel();
    m_images.clear();
    m_thumbnails.clear();
    if (m_store) {
        QString error;
        ImageRepository images(m_store->db());
        m_images = images.list(0, std::numeric_limits<int>::max(), &error);
    }
    endResetModel();
}

int ImageListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_images.size());
}

QVariant ImageListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ImageRecord &image = m_images.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return image.publicId;
    case Qt::ToolTipRole:
        return tr("%1\n%2 x %3 pixels, %4, %5 KB")
            .arg(image.publicId)
            .arg(image.width)
            .arg(image.height)
            .arg(image.format.toUpper())
            .arg(image.byteSize / 1024);
    case Qt::DecorationRole: {
        if (QPixmap *cached = m_thumbnails.object(image.id))
            return *cached;
        if (!m_store)
            return {};
        QString error;
        const QByteArray jpeg = ImageRepository(m_store->db()).thumbnail(image.id, &error);
        QImage thumbnail = QImage::fromData(jpeg, "JPEG");
        if (thumbnail.isNull())
            return {};
        auto *pixmap = new QPixmap(QPixmap::fromImage(thumbnail));
        const QPixmap copy = *pixmap;
        m_thumbnails.insert(image.id, pixmap);
        return copy;
    }
    case ImageIdRole:
        return image.id;
    case PublicIdRole:
        return image.publicId;
    case SizeRole:
        return QSize(image.width, image.height);
    default:
        return {};
    }
}

} // namespace dl
