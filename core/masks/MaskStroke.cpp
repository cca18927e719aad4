// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskStroke.h"

#include "masks/MaskDocument.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cstring>

namespace dl {

namespace {

constexpr int kTile = 64;

// Backup buffers of finished strokes, kept for the next strokes of this thread: a fresh 12 MP
// buffer costs thousands of page faults, a reused one nothing. At most two are kept.
thread_local std::vector<cv::Mat> t_spareBuffers;

cv::Mat takeBuffer(cv::Size size)
{
    for (auto it = t_spareBuffers.begin(); it != t_spareBuffers.end(); ++it) {
        if (it->size() == size) {
            cv::Mat buffer = *it;
            t_spareBuffers.erase(it);
            return buffer;
        }
    }
    return cv::Mat(size, CV_8UC1); // uninitialised: only the tiles copied into it are ever read
}

void giveBack(cv::Mat &buffer)
{
    if (buffer.empty())
        return;
    if (t_spareBuffers.size() >= 2)
        t_spareBuffers.erase(t_spareBuffers.begin());
    t_spareBuffers.push_back(buffer);
    buffer.release();
}

// Bounding box of the pixels where a and b (same size) differ; empty when they are equal.
cv::Rect differenceBox(const cv::Mat &a, const cv::Mat &b)
{
    const size_t w = size_t(a.cols);
    int minX = a.cols, maxX = -1, minY = -1, maxY = -1;
    for (int y = 0; y < a.rows; ++y) {
        const uchar *p = a.ptr<uchar>(y);
        const uchar *q = b.ptr<uchar>(y);
        if (std::memcmp(p, q, w) == 0)
            continue;
        size_t first = 0;
        while (p[first] == q[first])
            ++first;
        size_t last = w - 1;
        while (p[last] == q[last])
            --last;
        minX = std::min(minX, int(first));
        maxX = std::max(maxX, int(last));
        if (minY < 0)
            minY = y;
        maxY = y;
    }
    if (maxY < 0)
        return {};
    return {minX, minY, maxX - minX + 1, maxY - minY + 1};
}

} // namespace

MaskStroke::MaskStroke(MaskDocument &document, const QString &layerId, MaskTool tool)
    : m_document(document)
    , m_layerId(layerId)
    , m_tool(tool)
    , m_mask(document.mask(layerId))
{
    if (!m_mask.empty()) {
        m_tilesX = (m_mask.cols + kTile - 1) / kTile;
        const int tilesY = (m_mask.rows + kTile - 1) / kTile;
        m_saved.assign(size_t(m_tilesX) * size_t(tilesY), 0);
    }
}

MaskStroke::~MaskStroke()
{
    giveBack(m_before);
}

void MaskStroke::backup(const cv::Rect &rect)
{
    const cv::Rect clipped = rect & cv::Rect(0, 0, m_mask.cols, m_mask.rows);
    if (clipped.empty() || m_ended)
        return;
    if (m_before.empty())
        m_before = takeBuffer(m_mask.size());
    const int tx0 = clipped.x / kTile, tx1 = (clipped.x + clipped.width - 1) / kTile;
    const int ty0 = clipped.y / kTile, ty1 = (clipped.y + clipped.height - 1) / kTile;
    for (int ty = ty0; ty <= ty1; ++ty) {
        for (int tx = tx0; tx <= tx1; ++tx) {
            uchar &saved = m_saved[size_t(ty) * size_t(m_tilesX) + size_t(tx)];
            if (saved)
                continue;
            const cv::Rect tile
                = cv::Rect(tx * kTile, ty * kTile, kTile, kTile) & cv::Rect(0, 0, m_mask.cols, m_mask.rows);
            m_mask(tile).copyTo(m_before(tile));
            saved = 1;
        }
    }
}

cv::Rect MaskStroke::record(const cv::Rect &changed)
{
    if (!changed.empty()) {
        m_dirty = m_dirty.empty() ? changed : (m_dirty | changed);
        m_document.markChanged(m_layerId);
    }
    return changed;
}

cv::Rect MaskStroke::brush(cv::Point2f from, cv::Point2f to, float radius, PaintMode mode)
{
    if (m_ended)
        return {};
    backup(MaskTools::brushBounds(m_mask.size(), from, to, radius));
    return record(MaskTools::brushSegment(m_mask, from, to, radius, mode));
}

cv::Rect MaskStroke::polygon(const std::vector<cv::Point2f> &vertices, PaintMode mode)
{
    if (m_ended)
        return {};
    backup(MaskTools::polygonBounds(m_mask.size(), vertices));
    return record(MaskTools::polygon(m_mask, vertices, mode));
}

cv::Rect MaskStroke::rectangle(const cv::Rect &rect, PaintMode mode)
{
    if (m_ended)
        return {};
    backup(rect);
    return record(MaskTools::rectangle(m_mask, rect, mode));
}

cv::Rect MaskStroke::edit(const cv::Rect &bounds, const std::function<cv::Rect(cv::Mat &)> &edit)
{
    if (m_ended || m_mask.empty())
        return {};
    const cv::Rect whole(0, 0, m_mask.cols, m_mask.rows);
    const cv::Rect area = bounds.empty() ? whole : (bounds & whole);
    backup(area);
    return record(edit(m_mask) & area);
}

cv::Rect MaskStroke::fillRegion(cv::Point seed, PaintMode mode)
{
    return edit({}, [&](cv::Mat &mask) { return MaskTools::fillRegion(mask, seed, mode); });
}

cv::Rect MaskStroke::fillHoles()
{
    return edit({}, [](cv::Mat &mask) { return MaskTools::fillHoles(mask); });
}

cv::Rect MaskStroke::removeSpecks(int minPixels)
{
    return edit({}, [&](cv::Mat &mask) { return MaskTools::removeSpecks(mask, minPixels); });
}

cv::Rect MaskStroke::smoothEdge(int radius)
{
    return edit({}, [&](cv::Mat &mask) { return MaskTools::smoothEdge(mask, radius); });
}

void MaskStroke::end()
{
    m_ended = true;
    giveBack(m_before);
    m_saved.clear();
}

std::unique_ptr<MaskEditCommand> MaskStroke::finish(bool continuesPrevious, MaskEditCommand::Applied applied)
{
    if (m_ended || m_dirty.empty()) {
        end();
        return nullptr;
    }
    // Tiles of the dirty rectangle that no tool touched are unchanged: complete the backup there.
    backup(m_dirty);
    const cv::Rect changed = differenceBox(m_before(m_dirty), m_mask(m_dirty)) + m_dirty.tl();
    if (changed.empty()) {
        end();
        return nullptr;
    }
    auto command = std::make_unique<MaskEditCommand>(m_document, m_layerId, m_tool,
        MaskPatch::capture(m_before, changed), MaskPatch::capture(m_mask, changed), continuesPrevious,
        std::move(applied));
    end();
    return command;
}

cv::Rect MaskStroke::cancel()
{
    const cv::Rect restored = m_ended ? cv::Rect() : m_dirty;
    if (!restored.empty()) {
        backup(restored);
        m_before(restored).copyTo(m_mask(restored));
    }
    end();
    return restored;
}

} // namespace dl
