// SPDX-License-Identifier: GPL-3.0-or-later
#include "canvas/ImagePyramid.h"

#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace dl {

ImagePyramid::ImagePyramid(QObject *parent)
    : QObject(parent)
{
}

ImagePyramid::~ImagePyramid()
{
    // The worker posts its results to this object: it must be finished before we go away.
    cancelBuild();
    waitForFinished();
}

void ImagePyramid::cancelBuild()
{
    if (m_cancel)
        m_cancel->store(true);
    m_cancel.reset();
    ++m_generation; // results still queued from an earlier build are dropped
}

void ImagePyramid::clear()
{
    cancelBuild();
    m_sizes.clear();
    m_levels.clear();
}

void ImagePyramid::setImage(const QImage &image)
{
    clear();
    if (image.isNull())
        return;
    m_sizes = plannedSizes(image.size());
    m_levels.append(image);
    if (m_sizes.size() == 1) {
        emit ready();
        return;
    }

    // Box-filter averages are only right on premultiplied pixels.
    const QImage base = image.format() == QImage::Format_ARGB32 ? QImage() : image;
    const QImage straight = image.format() == QImage::Format_ARGB32 ? image : QImage();
    const int count = int(m_sizes.size());
    const quint64 generation = m_generation;
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_cancel = cancel;
    m_builds.removeIf([](const QFuture<void> &build) { return build.isFinished(); });
    m_builds.append(QtConcurrent::run([this, base, straight, count, generation, cancel] {
        QImage current = base.isNull() ? straight.convertToFormat(QImage::Format_ARGB32_Premultiplied)
                                       : base;
        for (int index = 1; index < count; ++index) {
            if (cancel->load())
                return;
            current = halve(current);
            QMetaObject::invokeMethod(
                this, [this, generation, index, current] { acceptLevel(generation, index, current); },
                Qt::QueuedConnection);
        }
    }));
}

void ImagePyramid::acceptLevel(quint64 generation, int index, const QImage &level)
{
    if (generation != m_generation || index != m_levels.size())
        return;
    m_levels.append(level);
    emit levelReady(index);
    if (isReady()) {
        m_cancel.reset();
        emit ready();
    }
}

void ImagePyramid::waitForFinished()
{
    for (QFuture<void> &build : m_builds)
        build.waitForFinished();
    m_builds.clear();
}

QImage ImagePyramid::level(int index) const
{
    return index >= 0 && index < m_levels.size() ? m_levels.at(index) : QImage();
}

QSize ImagePyramid::levelSize(int index) const
{
    return index >= 0 && index < m_sizes.size() ? m_sizes.at(index) : QSize();
}

QList<QSize> ImagePyramid::plannedSizes(QSize full, int minSide)
{
    QList<QSize> sizes;
    if (full.isEmpty())
        return sizes;
    sizes.append(full);
    QSize size = full;
    while (std::max(size.width(), size.height()) > minSide && size.width() >= 2 && size.height() >= 2) {
        size = QSize(size.width() / 2, size.height() / 2);
        sizes.append(size);
    }
    return sizes;
}

int ImagePyramid::idealLevel(const QList<QSize> &sizes, double scale)
{
    if (sizes.isEmpty())
        return -1;
    const QSize full = sizes.first();
    int best = 0;
    for (int i = 1; i < sizes.size(); ++i) {
        const double levelScale = std::min(double(sizes.at(i).width()) / full.width(),
                                           double(sizes.at(i).height()) / full.height());
        // A hair of tolerance so that exactly 50% picks the half level despite flooring.
        if (levelScale * (1.0 + 1e-3) + 1e-9 < scale)
            break;
        best = i;
    }
    return best;
}

int ImagePyramid::bestAvailableLevel(double scale) const
{
    if (m_levels.isEmpty())
        return -1;
    return std::min(idealLevel(m_sizes, scale), int(m_levels.size()) - 1);
}

QImage ImagePyramid::halve(const QImage &source)
{
    const int w = std::max(1, source.width() / 2);
    const int h = std::max(1, source.height() / 2);
    QImage out(w, h, source.format());
    if (out.isNull())
        return out;
    const bool oneCol = source.width() < 2;
    const bool oneRow = source.height() < 2;
    constexpr quint32 Mask = 0x00ff00ffu;
    constexpr quint32 Round = 0x00020002u;
    for (int y = 0; y < h; ++y) {
        const auto *row0 = reinterpret_cast<const quint32 *>(source.constScanLine(2 * y));
        const auto *row1 = reinterpret_cast<const quint32 *>(source.constScanLine(oneRow ? 0 : 2 * y + 1));
        auto *dst = reinterpret_cast<quint32 *>(out.scanLine(y));
        for (int x = 0; x < w; ++x) {
            const int x0 = 2 * x;
            const int x1 = oneCol ? x0 : x0 + 1;
            const quint32 a = row0[x0], b = row0[x1], c = row1[x0], d = row1[x1];
            // Two channels per 32-bit lane: each sum of four bytes fits in 10 bits.
            const quint32 rb = (a & Mask) + (b & Mask) + (c & Mask) + (d & Mask) + Round;
            const quint32 ag = ((a >> 8) & Mask) + ((b >> 8) & Mask) + ((c >> 8) & Mask) + ((d >> 8) & Mask)
                + Round;
            dst[x] = ((rb >> 2) & Mask) | (((ag >> 2) & Mask) << 8);
        }
    }
    return out;
}

} // namespace dl
