// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageListModel.h"

#include "store/AssignmentRepository.h"
#include "store/Store.h"

#include <QImage>

using namespace Qt::StringLiterals;

namespace dl {

ImageListModel::ImageListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void ImageListModel::setStore(Store *store, const std::optional<User> &user)
{
    m_store = store;
    m_user = user;
    reload();
}

static QString statusText(const QString &status)
{
    if (status == AssignmentStatus::Todo)
        return ImageListModel::tr("to do");
    if (status == AssignmentStatus::InProgress)
        return ImageListModel::tr("in progress");
    if (status == AssignmentStatus::Done)
        return ImageListModel::tr("done");
    if (status == AssignmentStatus::Skipped)
        return ImageListModel::tr("skipped");
    if (status == AssignmentStatus::Flagged)
        return ImageListModel::tr("flagged for QA");
    return status;
}

void ImageListModel::reload()
{
    beginResetModel();
    m_images.clear();
    m_status.clear();
    m_thumbnails.clear();
    if (m_store && m_user) {
        QString error;
        ImageRepository images(m_store->db());
        if (m_user->role == Role::Annotator) {
            // Blinded: an annotator's browser is their own queue.
            for (const AssignmentRecord &record : AssignmentRepository(m_store->db()).forUser(m_user->id, &error)) {
                if (auto image = images.find(record.imageId, &error)) {
                    m_images.append(*image);
                    m_status.append(record.status);
                }
            }
        } else {
            m_images = images.list(0, std::numeric_limits<int>::max(), &error);
        }
    }
    endResetModel();
}

void ImageListModel::setRowStatus(int row, const QString &status)
{
    if (row < 0 || row >= m_status.size())
        return;
    m_status[row] = status;
    emit dataChanged(index(row, 0), index(row, 0), {StatusRole, Qt::ToolTipRole});
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
    case StatusRole:
        return m_status.value(index.row());
    case Qt::ToolTipRole: {
        QString tip = tr("%1\n%2 x %3 pixels, %4, %5 KB")
                          .arg(image.publicId)
                          .arg(image.width)
                          .arg(image.height)
                          .arg(image.format.toUpper())
                          .arg(image.byteSize / 1024);
        if (!m_status.isEmpty())
            tip += u'\n' + statusText(m_status.at(index.row()));
        return tip;
    }
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
