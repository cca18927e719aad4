// SPDX-License-Identifier: GPL-3.0-or-later
#include "segmentation/WorkingScale.h"

#include <QImage>
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace dl {

namespace {

// full -> working index (floor((i + 0.5) * working / full)) and working -> first full index.
void buildMaps(int full, int working, std::vector<int> &map, std::vector<int> &start)
{
    map.resize(size_t(full));
    start.assign(size_t(working) + 1, full);
    for (int i = full - 1; i >= 0; --i) {
        const int w = int((2 * qint64(i) + 1) * working / (2 * qint64(full)));
        map[size_t(i)] = w;
        start[size_t(w)] = i;
    }
}

} // namespace

WorkingScale::WorkingScale(cv::Size fullSize, int longSide)
{
    if (fullSize.width <= 0 || fullSize.height <= 0)
        return;
    longSide = std::max(longSide, 16);
    m_full = fullSize;
    const int longest = std::max(fullSize.width, fullSize.height);
    if (longest <= longSide) {
        m_working = fullSize;
    } else {
        const double s = double(longSide) / longest;
        m_working = cv::Size(std::clamp(int(std::lround(fullSize.width * s)), 1, fullSize.width),
            std::clamp(int(std::lround(fullSize.height * s)), 1, fullSize.height));
    }
    buildMaps(m_full.width, m_working.width, m_colMap, m_colStart);
    buildMaps(m_full.height, m_working.height, m_rowMap, m_rowStart);
}

double WorkingScale::scaleX() const
{
    return isNull() ? 1.0 : double(m_working.width) / m_full.width;
}

double WorkingScale::scaleY() const
{
    return isNull() ? 1.0 : double(m_working.height) / m_full.height;
}

cv::Point WorkingScale::toWorking(cv::Point full) const
{
    if (isNull())
        return {};
    return { m_colMap[size_t(std::clamp(full.x, 0, m_full.width - 1))],
        m_rowMap[size_t(std::clamp(full.y, 0, m_full.height - 1))] };
}

cv::Rect WorkingScale::toWorking(const cv::Rect &full) const
{
    const cv::Rect r = full & cv::Rect(0, 0, m_full.width, m_full.height);
    if (r.empty())
        return {};
    const int x0 = m_colMap[size_t(r.x)], x1 = m_colMap[size_t(r.x + r.width - 1)] + 1;
    const int y0 = m_rowMap[size_t(r.y)], y1 = m_rowMap[size_t(r.y + r.height - 1)] + 1;
    return { x0, y0, x1 - x0, y1 - y0 };
}

cv::Rect WorkingScale::toFull(const cv::Rect &working) const
{
    const cv::Rect r = working & cv::Rect(0, 0, m_working.width, m_working.height);
    if (r.empty())
        return {};
    const int x0 = m_colStart[size_t(r.x)], x1 = m_colStart[size_t(r.x + r.width)];
    const int y0 = m_rowStart[size_t(r.y)], y1 = m_rowStart[size_t(r.y + r.height)];
    return { x0, y0, x1 - x0, y1 - y0 };
}

cv::Mat WorkingScale::downscale(const cv::Mat &full) const
{
    if (isNull() || full.size() != m_full)
        return {};
    if (m_working == m_full)
        return full;
    cv::Mat out;
    cv::resize(full, out, m_working, 0, 0, cv::INTER_AREA);
    return out;
}

cv::Mat WorkingScale::downscaleToBgr(const cv::Mat &full) const
{
    if (!isSupportedImage(full))
        return {};
    const cv::Mat small = downscale(full);
    if (small.empty() || small.channels() == 3)
        return small;
    cv::Mat bgr;
    cv::cvtColor(small, bgr, small.channels() == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_BGRA2BGR);
    return bgr;
}

bool WorkingScale::isSupportedImage(const cv::Mat &image)
{
    return !image.empty() && image.depth() == CV_8U
        && (image.channels() == 1 || image.channels() == 3 || image.channels() == 4);
}

cv::Mat WorkingScale::maskToWorking(const cv::Mat &fullMask, cv::Rect *workingBounds) const
{
    if (workingBounds)
        *workingBounds = {};
    if (isNull() || fullMask.empty() || fullMask.type() != CV_8UC1 || fullMask.size() != m_full)
        return {};
    cv::Mat out = cv::Mat::zeros(m_working, CV_8UC1);
    const cv::Rect bounds = cv::boundingRect(fullMask);
    if (bounds.empty())
        return out;
    for (int y = bounds.y; y < bounds.y + bounds.height; ++y) {
        const uchar *src = fullMask.ptr<uchar>(y);
        uchar *dst = out.ptr<uchar>(m_rowMap[size_t(y)]);
        for (int x = bounds.x; x < bounds.x + bounds.width; ++x) {
            if (src[x])
                dst[m_colMap[size_t(x)]] = 255;
        }
    }
    if (workingBounds)
        *workingBounds = toWorking(bounds);
    return out;
}

cv::Mat WorkingScale::upscaleMask(const cv::Mat &workingMask, const cv::Rect &workingRoi) const
{
    if (isNull() || workingMask.type() != CV_8UC1 || workingMask.size() != m_working)
        return {};
    const cv::Rect workingImage(0, 0, m_working.width, m_working.height);
    cv::Rect roi = workingRoi.empty() ? workingImage : workingRoi;
    // A working pixel influences the interpolation up to one working pixel away.
    roi = cv::Rect(roi.x - 1, roi.y - 1, roi.width + 2, roi.height + 2) & workingImage;
    cv::Mat out = cv::Mat::zeros(m_full, CV_8UC1);
    const cv::Rect full = toFull(roi);
    if (full.empty())
        return out;
    cv::Mat binary;
    cv::compare(workingMask, 0, binary, cv::CMP_NE); // 0 / 255
    // Inverse map: full pixel centre X + 0.5 sits at working coordinate (X + 0.5) * sx, whose pixel
    // centres are at i + 0.5.
    const double sx = scaleX(), sy = scaleY();
    const cv::Matx23d toSource(sx, 0, (full.x + 0.5) * sx - 0.5, 0, sy, (full.y + 0.5) * sy - 0.5);
    cv::Mat patch = out(full);
    cv::warpAffine(
        binary, patch, toSource, full.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
    cv::threshold(patch, patch, 127, 255, cv::THRESH_BINARY);
    return out;
}

cv::Mat WorkingScale::view(const QImage &image)
{
    int type = -1;
    switch (image.format()) {
    case QImage::Format_RGB32:
    case QImage::Format_ARGB32:
    case QImage::Format_ARGB32_Premultiplied:
        if (Q_BYTE_ORDER == Q_LITTLE_ENDIAN)
            type = CV_8UC4;
        break;
    case QImage::Format_BGR888:
        type = CV_8UC3;
        break;
    case QImage::Format_Grayscale8:
        type = CV_8UC1;
        break;
    default:
        break;
    }
    if (image.isNull() || type < 0)
        return {};
    return cv::Mat(image.height(), image.width(), type, const_cast<uchar *>(image.constBits()),
        size_t(image.bytesPerLine()));
}

cv::Mat WorkingScale::toBgr(const QImage &image)
{
    if (image.isNull())
        return {};
    const QImage bgr = image.convertToFormat(QImage::Format_BGR888);
    const cv::Mat view(
        bgr.height(), bgr.width(), CV_8UC3, const_cast<uchar *>(bgr.constBits()), size_t(bgr.bytesPerLine()));
    return view.clone();
}

} // namespace dl
