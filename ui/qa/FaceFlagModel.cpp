// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/FaceFlagModel.h"

#include <QColor>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

FaceFlagModel::FaceFlagModel(QObject *parent) : QAbstractTableModel(parent) { }

void FaceFlagModel::setFlags(QList<FaceFlag> flags)
{
    std::stable_sort(flags.begin(), flags.end(), [](const FaceFlag &a, const FaceFlag &b) {
        const bool openA = a.status == u"open"_s, openB = b.status == u"open"_s;
        if (openA != openB)
            return openA;
        return a.imageName < b.imageName;
    });
    beginResetModel();
    m_flags = std::move(flags);
    endResetModel();
}

int FaceFlagModel::openCount() const
{
    return int(std::count_if(m_flags.cbegin(), m_flags.cend(), [](const FaceFlag &f) { return f.status == u"open"_s; }));
}

QString FaceFlagModel::statusText(const QString &status)
{
    if (status == u"open"_s)
        return tr("Open: held back from export");
    if (status == u"confirmed"_s)
        return tr("Confirmed: a face shows");
    if (status == u"dismissed"_s)
        return tr("Dismissed: no face");
    return status;
}

int FaceFlagModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_flags.size());
}

int FaceFlagModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FaceFlagModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FaceFlag &flag = m_flags.at(index.row());
    switch (role) {
    case ImageIdRole:
        return flag.imageId;
    case StatusRole:
        return flag.status;
    case Qt::DisplayRole:
        switch (index.column()) {
        case ImageColumn:
            return flag.imageName;
        case FacesColumn:
            return int(flag.faces.size());
        case StatusColumn:
            return statusText(flag.status);
        }
        break;
    case Qt::TextAlignmentRole:
        return index.column() == FacesColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                             : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn && flag.status == u"open"_s)
            return QColor(0xb4, 0x53, 0x09);
        break;
    }
    return {};
}

QVariant FaceFlagModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ImageColumn:
        return tr("Image");
    case FacesColumn:
        return tr("Possible faces");
    case StatusColumn:
        return tr("Review");
    }
    return {};
}

} // namespace dl
