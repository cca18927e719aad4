// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QtGlobal>

namespace dl {

// Which images to decode ahead of the one shown, from how the rater moves: the direction of the
// last steps (Page Down or Page Up), and how many ahead from the time between presses against
// the time a full decode takes. Pure bookkeeping: the caller passes the times (milliseconds on any
// monotonic clock), so it is tested without a clock.
//
//   depth = max(base, ceil(decode / interval) + 1), at most maxDepth and at most what the memory
//           budget holds (budgetBytes / imageBytes - 1, never below 1 while decoding ahead is on)
//
// where interval is the smoothed time between single steps (pauses over PauseMsecs are the rater
// labelling, not the pace, and are left out) and decode the smoothed decode time. A base of 0 turns
// decoding ahead off. One image behind (against the direction) is decoded last.
class PrefetchPlanner
{
public:
    static constexpr qint64 PauseMsecs = 4000;
    static constexpr int DefaultMaxDepth = 8;

    // The depth when the rater is not outrunning the decoder (the preference; 0: off).
    void setBaseDepth(int depth) { m_base = qMax(0, depth); }
    int baseDepth() const { return m_base; }
    void setMaxDepth(int depth) { m_max = qMax(0, depth); }
    // What one decoded image costs and what the cache may hold (0: no limit from memory).
    void setMemory(qint64 imageBytes, qint64 budgetBytes);

    // The rater moved from one row to another at msecs. Single steps set the direction and the
    // pace; jumps (queue clicks) change neither.
    void moved(int from, int to, qint64 msecs);
    // A full decode took msecs.
    void decoded(qint64 msecs);

    // +1 (down the queue) or -1.
    int direction() const { return m_direction; }
    // Smoothed time between single steps (0: not known yet).
    qint64 intervalMsecs() const { return m_interval; }
    qint64 decodeMsecs() const { return m_decode; }
    int depth() const;
    // The rows to decode ahead of row, in the order to decode them: depth() rows in the direction,
    // then one behind; only rows in [0, rowCount).
    QList<int> plan(int row, int rowCount) const;

private:
    int m_base = 2;
    int m_max = DefaultMaxDepth;
    qint64 m_imageBytes = 0;
    qint64 m_budget = 0;
    int m_direction = 1;
    qint64 m_lastStep = -1; // msecs of the last single step (-1: none)
    qint64 m_interval = 0;
    qint64 m_decode = 0;
};

} // namespace dl
