// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

namespace dl {

/// The content of one rectangle of a CV_8UC1 mask, compressed: what an undo step keeps.
///
/// Encoded as runs of equal bytes in row-major order (a byte value and a LEB128 length; runs go on
/// across row ends), found eight bytes at a time: a painted patch costs a few bytes a row and well
/// under a millisecond a megapixel. When the runs would take more than an eighth of the raw size
/// (noise-like content) the patch is zlib-compressed instead if that is smaller, else kept raw.
/// Any byte values are kept exactly.
class MaskPatch
{
public:
    enum class Encoding : quint8
    {
        Runs,
        Zlib,
        Raw
    };

    MaskPatch() = default;

    /// Compresses the pixels of \a rect, given in the coordinates of the whole mask, from \a source,
    /// whose (0, 0) lies at \a origin in those coordinates (source is the mask itself when origin is
    /// (0, 0), or a piece of it). rect is clipped to source. A null patch for an empty rectangle or a
    /// source that is not CV_8UC1.
    static MaskPatch capture(const cv::Mat &source, const cv::Rect &rect, cv::Point origin = {});

    bool isNull() const { return m_rect.empty(); }
    /// Where the content belongs, in the coordinates of the mask it was taken from.
    cv::Rect rect() const { return m_rect; }
    Encoding encoding() const { return m_encoding; }
    /// Bytes of compressed content.
    qsizetype dataSize() const { return m_data.size(); }
    /// Memory held: the object and its buffer.
    qint64 byteCost() const { return qint64(sizeof(MaskPatch)) + m_data.capacity(); }

    /// Same rectangle and same pixels (the encoding is deterministic, so this compares the data).
    bool sameContent(const MaskPatch &other) const
    {
        return m_rect == other.m_rect && m_encoding == other.m_encoding && m_data == other.m_data;
    }

    /// Writes the content back: into target at rect() - origin (origin = where target's (0, 0) lies
    /// in the original mask's coordinates). False, writing nothing, when that does not fit in target.
    bool paste(cv::Mat &target, cv::Point origin = {}) const;
    /// The content as a new rect()-sized CV_8UC1 matrix (empty for a null patch).
    cv::Mat toMat() const;

private:
    cv::Rect m_rect;
    Encoding m_encoding = Encoding::Runs;
    QByteArray m_data;
};

} // namespace dl
