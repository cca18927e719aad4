// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskPatch.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

namespace dl {

namespace {

// Length of the run of bytes equal to value starting at p, at most n.
size_t runLength(const uchar *p, size_t n, uchar value)
{
    const std::uint64_t pattern = std::uint64_t(value) * 0x0101010101010101ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, p + i, 8);
        if (const std::uint64_t diff = word ^ pattern) {
            if constexpr (std::endian::native == std::endian::little)
                return i + size_t(std::countr_zero(diff) / 8);
            else
                return i + size_t(std::countl_zero(diff) / 8);
        }
    }
    while (i < n && p[i] == value)
        ++i;
    return i;
}

void putRun(std::vector<uchar> &out, uchar value, quint64 length)
{
    out.push_back(value);
    while (length >= 0x80) {
        out.push_back(uchar(length | 0x80));
        length >>= 7;
    }
    out.push_back(uchar(length));
}

// Runs of the rectangle's bytes, row-major, continuing across rows. Gives up (returns false) as
// soon as the output exceeds limit bytes.
bool encodeRuns(const cv::Mat &patch, size_t limit, std::vector<uchar> &out)
{
    out.reserve(64);
    const size_t w = size_t(patch.cols);
    uchar value = patch.ptr<uchar>(0)[0];
    quint64 run = 0;
    for (int y = 0; y < patch.rows; ++y) {
        const uchar *row = patch.ptr<uchar>(y);
        size_t x = 0;
        while (x < w) {
            const size_t n = runLength(row + x, w - x, value);
            run += n;
            x += n;
            if (x < w) {
                putRun(out, value, run);
                if (out.size() > limit)
                    return false;
                value = row[x];
                run = 0;
            }
        }
    }
    putRun(out, value, run);
    return out.size() <= limit;
}

} // namespace

MaskPatch MaskPatch::capture(const cv::Mat &source, const cv::Rect &rect, cv::Point origin)
{
    MaskPatch patch;
    if (source.empty() || source.type() != CV_8UC1)
        return patch;
    const cv::Rect clipped = rect & cv::Rect(origin.x, origin.y, source.cols, source.rows);
    if (clipped.empty())
        return patch;
    patch.m_rect = clipped;
    const cv::Mat roi = source(clipped - origin);
    const size_t area = size_t(clipped.area());
    std::vector<uchar> runs;
    if (encodeRuns(roi, area / 8 + 16, runs)) {
        patch.m_encoding = Encoding::Runs;
        patch.m_data = QByteArray(reinterpret_cast<const char *>(runs.data()), qsizetype(runs.size()));
        return patch;
    }
    const cv::Mat continuous = roi.isContinuous() ? roi : roi.clone();
    const QByteArray raw
        = QByteArray::fromRawData(reinterpret_cast<const char *>(continuous.data), qsizetype(area));
    QByteArray packed = qCompress(raw, 1);
    if (packed.size() < raw.size()) {
        patch.m_encoding = Encoding::Zlib;
        patch.m_data = std::move(packed);
    } else {
        patch.m_encoding = Encoding::Raw;
        patch.m_data = QByteArray(raw.constData(), raw.size());
    }
    return patch;
}

bool MaskPatch::paste(cv::Mat &target, cv::Point origin) const
{
    if (isNull() || target.type() != CV_8UC1)
        return false;
    const cv::Rect where(m_rect.x - origin.x, m_rect.y - origin.y, m_rect.width, m_rect.height);
    if ((where & cv::Rect(0, 0, target.cols, target.rows)) != where)
        return false;
    cv::Mat roi = target(where);
    if (m_encoding == Encoding::Runs) {
        const auto *p = reinterpret_cast<const uchar *>(m_data.constData());
        const auto *end = p + m_data.size();
        const size_t w = size_t(where.width);
        int y = 0;
        size_t x = 0;
        while (p < end && y < where.height) {
            const uchar value = *p++;
            quint64 length = 0;
            int shift = 0;
            while (p < end) {
                const uchar b = *p++;
                length |= quint64(b & 0x7f) << shift;
                shift += 7;
                if (!(b & 0x80))
                    break;
            }
            while (length > 0 && y < where.height) {
                const size_t n = size_t(std::min<quint64>(length, w - x));
                std::memset(roi.ptr<uchar>(y) + x, value, n);
                length -= n;
                x += n;
                if (x == w) {
                    x = 0;
                    ++y;
                }
            }
        }
        return true;
    }
    const QByteArray raw = m_encoding == Encoding::Zlib ? qUncompress(m_data) : m_data;
    if (raw.size() != qsizetype(m_rect.area()))
        return false;
    cv::Mat(m_rect.height, m_rect.width, CV_8UC1, const_cast<char *>(raw.constData())).copyTo(roi);
    return true;
}

cv::Mat MaskPatch::toMat() const
{
    if (isNull())
        return {};
    cv::Mat out(m_rect.height, m_rect.width, CV_8UC1);
    paste(out, m_rect.tl());
    return out;
}

} // namespace dl
