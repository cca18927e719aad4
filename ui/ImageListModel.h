// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/ImageRepository.h"

#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>

namespace dl {

class Store;

/// The store's images as a list with thumbnails, for the image browser.
/// Rows hold the image records (without pixels); thumbnails are read from
/// the store when first shown and cached.
class ImageListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Roles { ImageIdRole = Qt::UserRole + 1, PublicIdRole, SizeRole };

    explicit ImageListModel(QObject *parent = nullptr);

    void setStore(Store *store);
    /// Re-reads the image list (after an import).
    void reload();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

private:
    Store *m_store = nullptr;
    QList<ImageRecord> m_images;
    mutable QCache<qint64, QPixmap> m_thumbnails {2000};
};

} // namespace dl
