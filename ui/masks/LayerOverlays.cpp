// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/LayerOverlays.h"

#include "masks/MaskDocument.h"
#include "masks/MaskLayer.h"

#include <QPainter>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <cmath>

namespace dl {

LayerOverlays::LayerOverlays(int reducedLongSide)
    : m_reducedLongSide(reducedLongSide)
{
}

QSize LayerOverlays::reducedSize() const
{
    if (!m_document || m_document->isNull())
        return {};
    const QSize size = m_document->size();
    return {std::max(1, int(std::lround(size.width() * m_scale))),
            std::max(1, int(std::lround(size.height() * m_scale)))};
}

LayerOverlays::Entry *LayerOverlays::entry(const QString &layerId)
{
    for (Entry &entry : m_entries) {
        if (entry.id == layerId)
            return &entry;
    }
    return nullptr;
}

QRect LayerOverlays::render(Entry &entry, const cv::Rect &maskRect) const
{
    // Reads the document only: whole layers render on several threads at once.
    const MaskDocument *document = m_document;
    const MaskLayer *layer = document ? document->layer(entry.id) : nullptr;
    if (!layer)
        return {};
    const cv::Mat mask = document->maskIfAllocated(entry.id);
    if (entry.overlay.image().isNull()) {
        if (mask.empty())
            return {}; // nothing to show: no overlay yet
        // Transparent, and the mask was empty outside maskRect until now.
        entry.overlay.reset(document->size(), m_scale);
    }
    MaskLayer full = *layer; // visibility and opacity are applied when drawing
    full.setVisible(true);
    full.setOpacity(1.0);
    entry.colour = layer->colour();
    entry.outline = layer->isOutlineOnly();
    return entry.overlay.update(mask, full, maskRect);
}

void LayerOverlays::setDocument(const MaskDocument *document)
{
    m_document = document;
    m_fullValid = false; // its memory is kept for the next image of the same size
    // Overlays of the same size are reused: fresh memory costs more than colouring it.
    std::vector<MaskOverlay> spare;
    for (Entry &entry : m_entries) {
        if (!entry.overlay.image().isNull())
            spare.push_back(std::move(entry.overlay));
    }
    m_entries.clear();
    if (!m_document || m_document->isNull()) {
        m_full = MaskOverlay();
        return;
    }
    const QSize size = m_document->size();
    if (m_full.maskSize() != size)
        m_full = MaskOverlay();
    const int longSide = std::max(size.width(), size.height());
    m_scale = longSide > m_reducedLongSide ? double(m_reducedLongSide) / longSide : 1.0;
    const QSize smallSize = reducedSize();
    for (const QString &id : m_document->layerIds()) {
        m_entries.push_back({id, MaskOverlay(), QColor(), false});
        if (!spare.empty() && !m_document->maskIfAllocated(id).empty() && spare.back().maskSize() == size
            && spare.back().image().size() == smallSize) {
            m_entries.back().overlay = std::move(spare.back());
            spare.pop_back();
        }
    }
    std::vector<Entry *> all;
    for (Entry &entry : m_entries)
        all.push_back(&entry);
    renderWhole(all);
}

void LayerOverlays::renderWhole(const std::vector<Entry *> &entries) const
{
    if (!m_document || entries.empty())
        return;
    auto renderOne = [this](Entry *entry) {
        const cv::Mat mask = m_document->maskIfAllocated(entry->id);
        if (mask.empty()) { // nothing to show (yet): no overlay
            entry->overlay = MaskOverlay();
            if (const MaskLayer *layer = m_document->layer(entry->id)) {
                entry->colour = layer->colour();
                entry->outline = layer->isOutlineOnly();
            }
            return;
        }
        render(*entry, cv::Rect(0, 0, mask.cols, mask.rows)); // every pixel, reused or new
    };
    if (entries.size() == 1) {
        renderOne(entries.front());
        return;
    }
    // Independent overlays of a document nobody changes meanwhile: one layer per thread.
    QtConcurrent::blockingMap(entries, renderOne);
}

bool LayerOverlays::fullNeeded(double screenPerMask) const
{
    if (!m_document || m_document->isNull() || m_scale >= 1.0)
        return false;
    return screenPerMask > m_scale * 1.05;
}

void LayerOverlays::ensureFull()
{
    if (m_fullValid || !m_document)
        return;
    if (m_full.maskSize() != m_document->size() || m_full.scale() != 1.0)
        m_full.reset(m_document->size(), 1.0);
    m_full.updateAll(*m_document); // every pixel
    m_fullValid = true;
}

QImage LayerOverlays::composed(bool fullSize) const
{
    if (fullSize && m_fullValid)
        return m_full.image();
    QImage composed(reducedSize(), QImage::Format_ARGB32_Premultiplied);
    if (composed.isNull())
        return composed;
    composed.fill(Qt::transparent);
    QPainter painter(&composed);
    for (const Entry &entry : m_entries) {
        const MaskLayer *layer = m_document->layer(entry.id);
        if (!layer || !layer->isVisible() || entry.overlay.image().isNull())
            continue;
        painter.setOpacity(layer->opacity());
        painter.drawImage(0, 0, entry.overlay.image());
    }
    return composed;
}

void LayerOverlays::refresh()
{
    sync();
    m_fullValid = false; // remade when next needed
}

void LayerOverlays::sync()
{
    // Follow the document's layers; recolour only those whose colour or outline changed.
    if (!m_document || m_document->isNull()) {
        m_entries.clear();
        return;
    }
    std::vector<Entry> previous;
    previous.swap(m_entries);
    std::vector<QString> stale;
    for (const QString &id : m_document->layerIds()) {
        const auto it = std::find_if(previous.begin(), previous.end(),
                                     [&id](const Entry &entry) { return entry.id == id; });
        const MaskLayer *layer = m_document->layer(id);
        if (it != previous.end()) {
            m_entries.push_back(std::move(*it));
            Entry &entry = m_entries.back();
            if (entry.colour != layer->colour() || entry.outline != layer->isOutlineOnly()
                || (entry.overlay.image().isNull() && !m_document->maskIfAllocated(id).empty()))
                stale.push_back(id);
        } else {
            m_entries.push_back({id, MaskOverlay(), QColor(), false});
            stale.push_back(id);
        }
    }
    std::vector<Entry *> entries;
    for (const QString &id : stale)
        entries.push_back(entry(id));
    renderWhole(entries);
}

QRectF LayerOverlays::recolour(const QString &layerId, const cv::Rect &maskRect, QSize canvasSize,
                               double canvasPerMask)
{
    if (!m_document || maskRect.empty())
        return {};
    QRectF canvasArea;
    Entry *layerEntry = entry(layerId);
    if (!layerEntry && m_document->hasLayer(layerId)) { // a layer added since: take it in
        sync();
        layerEntry = entry(layerId);
    }
    if (layerEntry) {
        const QRect small = render(*layerEntry, maskRect);
        if (!small.isEmpty()) {
            const QSize overlaySize = reducedSize();
            const double kx = double(overlaySize.width()) / canvasSize.width();
            const double ky = double(overlaySize.height()) / canvasSize.height();
            canvasArea = QRectF(small.x() / kx, small.y() / ky, small.width() / kx, small.height() / ky);
        }
    }
    if (m_fullValid) {
        const QRect full = m_full.update(*m_document, maskRect);
        if (!full.isEmpty()) {
            const double c = canvasPerMask;
            canvasArea |= QRectF(full.x() * c, full.y() * c, full.width() * c, full.height() * c);
        }
    }
    return canvasArea;
}

void LayerOverlays::paint(QPainter &painter, const QRect &visibleImageRect, QSize canvasSize, bool fullSize)
{
    auto draw = [&](const QImage &overlay, double opacity) {
        // Overlay pixels per canvas pixel, per axis (the overlay's size is rounded).
        const double kx = double(overlay.width()) / canvasSize.width();
        const double ky = double(overlay.height()) / canvasSize.height();
        const QRect source = QRectF(visibleImageRect.x() * kx, visibleImageRect.y() * ky,
                                    visibleImageRect.width() * kx, visibleImageRect.height() * ky)
                                 .toAlignedRect()
            & overlay.rect();
        if (source.isEmpty())
            return;
        const QRectF target(source.x() / kx, source.y() / ky, source.width() / kx, source.height() / ky);
        painter.setOpacity(opacity);
        painter.drawImage(target, overlay, QRectF(source));
    };
    if (fullSize) {
        ensureFull();
        draw(m_full.image(), 1.0);
        return;
    }
    for (const Entry &entry : m_entries) {
        const MaskLayer *layer = m_document->layer(entry.id);
        if (layer && layer->isVisible() && layer->opacity() > 0 && !entry.overlay.image().isNull())
            draw(entry.overlay.image(), layer->opacity());
    }
}

} // namespace dl
