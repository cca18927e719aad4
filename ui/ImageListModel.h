// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"
#include "session/SessionService.h"

#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>

namespace dl {

class Store;

/// Images with thumbnails, for the image browser: every image for QA leads
/// and admins, only their own queue (with its status) for annotators. Rows
/// hold the image records (without pixels); thumbnails are read from the
/// store when first shown and cached.
class ImageListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Roles { ImageIdRole = Qt::UserRole + 1, PublicIdRole, SizeRole, StatusRole };

    explicit ImageListModel(QObject *parent = nullptr);

    void setStore(Store *store, const std::optional<User> &user);
    /// Re-reads the image list (after an import).
    void reload();
    /// Re-reads the list after changes made elsewhere (an import, re-assignments) without a reset,
    /// so that views keep their selection: rows of images that left the list are removed (except
    /// the image keep, open for labelling), new images are appended in queue order, statuses
    /// follow the store. Returns whether a row was added or removed.
    bool refresh(qint64 keep = -1);

    /// Updates a queue row's status in place (after the annotator changed it).
    void setRowStatus(int row, const QString &status);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

private:
    Store *m_store = nullptr;
    std::optional<User> m_user;
    QList<QueueEntry> m_images; ///< with the status per row for annotators
    mutable QCache<qint64, QPixmap> m_thumbnails {2000};
};

} // namespace dl
