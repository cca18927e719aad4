// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/PrefetchPlanner.h"

#include <algorithm>

namespace dl {

namespace {

// Smoothing: the new value weighs a third, so that a change of pace shows after two or three presses.
qint64 smooth(qint64 previous, qint64 sample)
{
    return previous <= 0 ? sample : (2 * previous + sample + 1) / 3;
}

} // namespace

void PrefetchPlanner::setMemory(qint64 imageBytes, qint64 budgetBytes)
{
    m_imageBytes = qMax<qint64>(0, imageBytes);
    m_budget = qMax<qint64>(0, budgetBytes);
}

void PrefetchPlanner::moved(int from, int to, qint64 msecs)
{
    const int step = to - from;
    if (step != 1 && step != -1) {
        m_lastStep = -1; // a jump: the pace starts again from the next steps
        return;
    }
    m_direction = step;
    if (m_lastStep >= 0) {
        const qint64 gap = msecs - m_lastStep;
        if (gap >= 0 && gap <= PauseMsecs)
            m_interval = smooth(m_interval, qMax<qint64>(1, gap));
    }
    m_lastStep = msecs;
}

void PrefetchPlanner::decoded(qint64 msecs)
{
    if (msecs >= 0)
        m_decode = smooth(m_decode, qMax<qint64>(1, msecs));
}

int PrefetchPlanner::depth() const
{
    if (m_base <= 0 || m_max <= 0)
        return 0;
    int depth = m_base;
    if (m_interval > 0 && m_decode > 0)
        depth = std::max<qint64>(depth, (m_decode + m_interval - 1) / m_interval + 1);
    depth = std::min(depth, m_max);
    if (m_imageBytes > 0 && m_budget > 0) {
        // The current image and the one behind stay too.
        const qint64 fits = m_budget / m_imageBytes - 2;
        depth = int(std::clamp<qint64>(fits, 1, depth));
    }
    return depth;
}

QList<int> PrefetchPlanner::plan(int row, int rowCount) const
{
    QList<int> rows;
    const int ahead = depth();
    if (ahead == 0)
        return rows;
    for (int step = 1; step <= ahead; ++step) {
        const int r = row + m_direction * step;
        if (r >= 0 && r < rowCount)
            rows.append(r);
    }
    const int behind = row - m_direction;
    if (behind >= 0 && behind < rowCount)
        rows.append(behind);
    return rows;
}

} // namespace dl
