// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageListModel.h"

#include "session/ImageService.h"

#include <QHash>
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
    m_thumbnails.clear();
    if (m_store && m_user) {
        QString error;
        m_images = SessionService(*m_store).queue(*m_user, &error).value_or(QList<QueueEntry>());
    }
    endResetModel();
}

bool ImageListModel::refresh(qint64 keep)
{
    if (!m_store || !m_user)
        return false;
    QString error;
    const auto latest = SessionService(*m_store).queue(*m_user, &error);
    if (!latest)
        return false;
    QHash<qint64, qsizetype> positionOf;
    for (qsizetype i = 0; i < latest->size(); ++i)
        positionOf.insert(latest->at(i).image.id, i);
    bool moved = false;
    // Gone: from the end, so that the rows above keep their numbers while removing.
    for (int row = int(m_images.size()) - 1; row >= 0; --row) {
        const qint64 id = m_images.at(row).image.id;
        if (positionOf.contains(id) || id == keep)
            continue;
        beginRemoveRows({}, row, row);
        m_images.removeAt(row);
        m_thumbnails.remove(id);
        endRemoveRows();
        moved = true;
    }
    QHash<qint64, int> rowOf;
    for (int row = 0; row < m_images.size(); ++row)
        rowOf.insert(m_images.at(row).image.id, row);
    QList<QueueEntry> added;
    for (const QueueEntry &entry : *latest) {
        const auto it = rowOf.constFind(entry.image.id);
        if (it == rowOf.cend()) {
            added.append(entry);
        } else if (m_images.at(*it).status != entry.status) {
            m_images[*it].status = entry.status;
            emit dataChanged(index(*it, 0), index(*it, 0), {StatusRole, Qt::ToolTipRole});
        }
    }
    if (!added.isEmpty()) {
        const int first = int(m_images.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        m_images.append(added);
        endInsertRows();
        moved = true;
    }
    return moved;
}

void ImageListModel::setRowStatus(int row, const QString &status)
{
    if (row < 0 || row >= m_images.size() || m_images.at(row).status.isEmpty())
        return;
    m_images[row].status = status;
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
    const ImageRecord &image = m_images.at(index.row()).image;
    const QString &status = m_images.at(index.row()).status;
    switch (role) {
    case Qt::DisplayRole:
        return image.publicId;
    case StatusRole:
        return status;
    case Qt::ToolTipRole: {
        QString tip = tr("%1\n%2 x %3 pixels, %4, %5 KB")
                          .arg(image.publicId)
                          .arg(image.width)
                          .arg(image.height)
                          .arg(image.format.toUpper())
                          .arg(image.byteSize / 1024);
        if (!status.isEmpty())
            tip += u'\n' + statusText(status);
        return tip;
    }
    case Qt::DecorationRole: {
        if (QPixmap *cached = m_thumbnails.object(image.id))
            return *cached;
        if (!m_store)
            return {};
        QString error;
        const QImage thumbnail = ImageService(*m_store).thumbnail(image.id, &error);
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
