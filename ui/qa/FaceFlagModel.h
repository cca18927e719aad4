// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "release/FaceCheck.h"

#include <QAbstractTableModel>

namespace dl {

/// The face check's flags as a table for the QA dashboard: image, number of possible faces and
/// the review state (open flags first, then by image).
class FaceFlagModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { ImageColumn, FacesColumn, StatusColumn, ColumnCount };
    enum Roles { ImageIdRole = Qt::UserRole + 1, StatusRole };

    explicit FaceFlagModel(QObject *parent = nullptr);

    void setFlags(QList<FaceFlag> flags);
    const QList<FaceFlag> &flags() const { return m_flags; }
    int openCount() const;
    /// "Open: held back", "Confirmed: face", "Dismissed: no face".
    static QString statusText(const QString &status);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<FaceFlag> m_flags;
};

} // namespace dl
