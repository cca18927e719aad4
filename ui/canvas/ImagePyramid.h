// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFuture>
#include <QImage>
#include <QList>
#include <QObject>
#include <QSize>

#include <atomic>
#include <memory>

namespace dl {

/// A mip pyramid of one image: level 0 is the full image, level k is 1/2^k of it (2x2 box filter),
/// down to the first level whose longer side is at most minSide pixels. Level 0 is available at once;
/// the reduced levels are built one after the other on the global thread pool and arrive through
/// levelReady(). Levels are always available contiguously (0 .. availableLevelCount() - 1).
class ImagePyramid : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultMinSide = 512;

    explicit ImagePyramid(QObject *parent = nullptr);
    ~ImagePyramid() override;

    /// Replaces the image (RGB32, ARGB32 or ARGB32_Premultiplied) and starts building the reduced levels.
    void setImage(const QImage &image);
    void clear();

    bool isEmpty() const { return m_levels.isEmpty(); }
    /// All planned levels are built.
    bool isReady() const { return !m_levels.isEmpty() && m_levels.size() == m_sizes.size(); }
    int plannedLevelCount() const { return int(m_sizes.size()); }
    int availableLevelCount() const { return int(m_levels.size()); }
    QImage level(int index) const;
    QSize levelSize(int index) const;

    /// The planned level sizes for an image of size full: full, full/2, full/4, ... (floored, at least
    /// 1 px) until the longer side is at most minSide.
    static QList<QSize> plannedSizes(QSize full, int minSide = DefaultMinSide);
    /// Index of the smallest planned level whose scale is still >= scale (so drawing it at that scale
    /// reduces by at most 2x); 0 when scale >= 1, the last level when scale is below every level.
    static int idealLevel(const QList<QSize> &sizes, double scale);
    /// The ideal level for scale, or the finest available one below it while it is still being built.
    int bestAvailableLevel(double scale) const;
    /// Halves an RGB32 / ARGB32(_Premultiplied) image with a 2x2 box filter (odd last row/column dropped).
    static QImage halve(const QImage &source);

    /// Blocks until the background build has finished (tests and benchmarks).
    void waitForFinished();

signals:
    void levelReady(int index);
    void ready();

private:
    void cancelBuild();
    void acceptLevel(quint64 generation, int index, const QImage &level);

    QList<QSize> m_sizes;
    QList<QImage> m_levels;
    quint64 m_generation = 0;
    std::shared_ptr<std::atomic_bool> m_cancel;
    QList<QFuture<void>> m_builds; // every build still running captures this object
};

} // namespace dl
