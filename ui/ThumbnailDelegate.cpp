// SPDX-License-Identifier: GPL-3.0-or-later
#include "ThumbnailDelegate.h"

#include "ImageListModel.h"

#include "model/Assignment.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

using namespace Qt::StringLiterals;

namespace dl {

static constexpr int Margin = 6;

ThumbnailDelegate::ThumbnailDelegate(int tileSize, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_tile(tileSize)
{
}

QSize ThumbnailDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int line = option.fontMetrics.height();
    return {m_tile + 2 * Margin, m_tile + 2 * Margin + line + 6};
}

static QColor statusColour(const QString &status)
{
    if (status == AssignmentStatus::Done)
        return QColor(0x2e, 0x7d, 0x32);
    if (status == AssignmentStatus::InProgress)
        return QColor(0x15, 0x65, 0xc0);
    if (status == AssignmentStatus::Skipped)
        return QColor(0x75, 0x75, 0x75);
    if (status == AssignmentStatus::Flagged)
        return QColor(0xc6, 0x28, 0x28);
    return QColor(0x9e, 0x9e, 0x9e);
}

void ThumbnailDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF cell = QRectF(option.rect).adjusted(2, 2, -2, -2);
    const bool selected = option.state & QStyle::State_Selected;
    const QPalette &palette = option.palette;
    if (selected || (option.state & QStyle::State_MouseOver)) {
        QPainterPath path;
        path.addRoundedRect(cell, 6, 6);
        painter->fillPath(path, selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Midlight));
    }

    const QRect tile(option.rect.left() + Margin, option.rect.top() + Margin, m_tile, m_tile);
    painter->fillRect(tile, palette.color(QPalette::Dark));
    const QPixmap pixmap = index.data(Qt::DecorationRole).value<QPixmap>();
    if (!pixmap.isNull()) {
        const QSize fitted = pixmap.size().scaled(tile.size(), Qt::KeepAspectRatio);
        const QRect target(tile.left() + (tile.width() - fitted.width()) / 2,
                           tile.top() + (tile.height() - fitted.height()) / 2, fitted.width(), fitted.height());
        painter->setRenderHint(QPainter::SmoothPixmapTransform);
        painter->drawPixmap(target, pixmap);
    }

    const QString status = index.data(ImageListModel::StatusRole).toString();
    if (!status.isEmpty()) {
        const QRectF dot(tile.right() - 16, tile.top() + 6, 11, 11);
        painter->setPen(QPen(Qt::white, 1.5));
        painter->setBrush(statusColour(status));
        painter->drawEllipse(dot);
    }

    const QRect textRect(option.rect.left() + Margin, tile.bottom() + 4, m_tile, option.fontMetrics.height());
    painter->setPen(palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
    const QString id = index.data(ImageListModel::PublicIdRole).toString();
    painter->drawText(textRect, Qt::AlignHCenter | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(id, Qt::ElideMiddle, textRect.width()));
    painter->restore();
}

} // namespace dl
