// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskOverlay.h"

#include "masks/MaskDocument.h"
#include "masks/MaskLayer.h"

#include <algorithm>
#include <cmath>

namespace dl {

namespace {

// Premultiplied "source over destination".
inline QRgb over(QRgb src, QRgb dst)
{
    const quint32 inv = 255 - qAlpha(src);
    if (inv == 0)
        return src;
    auto channel = [inv](quint32 s, quint32 d) { return s + (d * inv + 127) / 255; };
    return qRgba(int(channel(quint32(qRed(src)), quint32(qRed(dst)))),
        int(channel(quint32(qGreen(src)), quint32(qGreen(dst)))),
        int(channel(quint32(qBlue(src)), quint32(qBlue(dst)))),
        int(channel(quint32(qAlpha(src)), quint32(qAlpha(dst)))));
}

} // namespace

MaskOverlay::MaskOverlay(QSize maskSize, double scale)
{
    reset(maskSize, scale);
}

void MaskOverlay::reset(QSize maskSize, double scale)
{
    m_maskSize = maskSize.isValid() ? maskSize : QSize();
    m_sourceX.clear();
    m_sourceY.clear();
    if (m_maskSize.isEmpty()) {
        m_image = QImage();
        m_scale = 1.0;
        return;
    }
    if (!(scale > 0) || scale > 1)
        scale = 1.0;
    const int w = m_maskSize.width();
    const int h = m_maskSize.height();
    const int ow = std::max(1, int(std::lround(w * scale)));
    const int oh = std::max(1, int(std::lround(h * scale)));
    m_scale = double(ow) / w;
    // Each overlay pixel shows the mask pixel under its centre.
    m_sourceX.resize(size_t(ow));
    for (int u = 0; u < ow; ++u)
        m_sourceX[size_t(u)] = std::min(w - 1, int((2 * qint64(u) + 1) * w / (2 * qint64(ow))));
    m_sourceY.resize(size_t(oh));
    for (int v = 0; v < oh; ++v)
        m_sourceY[size_t(v)] = std::min(h - 1, int((2 * qint64(v) + 1) * h / (2 * qint64(oh))));
    m_image = QImage(ow, oh, QImage::Format_ARGB32_Premultiplied);
    m_image.fill(Qt::transparent);
}

QRect MaskOverlay::overlayRect(const cv::Rect &maskRect) const
{
    if (m_image.isNull() || maskRect.empty())
        return {};
    auto range = [](const std::vector<int> &source, int from, int to) {
        const auto first = std::lower_bound(source.begin(), source.end(), from);
        const auto last = std::lower_bound(first, source.end(), to);
        return std::pair(int(first - source.begin()), int(last - source.begin()));
    };
    const auto [u0, u1] = range(m_sourceX, maskRect.x, maskRect.x + maskRect.width);
    const auto [v0, v1] = range(m_sourceY, maskRect.y, maskRect.y + maskRect.height);
    if (u0 >= u1 || v0 >= v1)
        return {};
    return QRect(u0, v0, u1 - u0, v1 - v0);
}

QRgb MaskOverlay::premultiplied(const QColor &colour, double opacity)
{
    const int alpha = int(std::lround(std::clamp(opacity, 0.0, 1.0) * colour.alphaF() * 255));
    return qPremultiply(qRgba(colour.red(), colour.green(), colour.blue(), alpha));
}

QRect MaskOverlay::prepare(const cv::Rect &maskRect, bool outlines)
{
    const cv::Rect whole(0, 0, m_maskSize.width(), m_maskSize.height());
    QRect area = overlayRect(maskRect & whole);
    // A changed pixel can turn its neighbours into (or out of) outline pixels.
    if (outlines && !area.isEmpty())
        area = area.adjusted(-1, -1, 1, 1) & m_image.rect();
    return area;
}

void MaskOverlay::render(const std::vector<Style> &styles, const QRect &area)
{
    const int ow = m_image.width();
    const int oh = m_image.height();
    const bool identity = ow == m_maskSize.width() && oh == m_maskSize.height();
    std::vector<uchar> rows[3];
    for (auto &row : rows)
        row.resize(size_t(area.width()) + 2);
    // Inside flags of overlay row v, columns area.left() - 1 .. area.right() + 1 (outside beyond
    // the overlay).
    auto sample = [&](const cv::Mat &mask, int v, std::vector<uchar> &out) {
        if (v < 0 || v >= oh) {
            std::fill(out.begin(), out.end(), 0);
            return;
        }
        const uchar *src = mask.ptr<uchar>(m_sourceY[size_t(v)]);
        for (int i = 0; i < area.width() + 2; ++i) {
            const int u = area.left() - 1 + i;
            out[size_t(i)] = (u >= 0 && u < ow && src[m_sourceX[size_t(u)]] != 0) ? 1 : 0;
        }
    };
    for (int v = area.top(); v <= area.bottom(); ++v) {
        auto *dst = reinterpret_cast<QRgb *>(m_image.scanLine(v)) + area.left();
        // The first layer writes every pixel when it is filled and unscaled; else start clear.
        if (styles.empty() || styles.front().outline || !identity)
            std::fill(dst, dst + area.width(), QRgb(0));
        bool first = true;
        for (const Style &style : styles) {
            const cv::Mat &mask = *style.mask;
            if (!style.outline && identity) {
                const uchar *src = mask.ptr<uchar>(v) + area.left();
                if (first) {
                    for (int i = 0; i < area.width(); ++i)
                        dst[i] = src[i] ? style.fill : 0;
                } else {
                    for (int i = 0; i < area.width(); ++i) {
                        if (src[i])
                            dst[i] = over(style.fill, dst[i]);
                    }
                }
            } else if (!style.outline) {
                const uchar *src = mask.ptr<uchar>(m_sourceY[size_t(v)]);
                const int *sx = m_sourceX.data() + area.left();
                for (int i = 0; i < area.width(); ++i) {
                    if (src[sx[i]])
                        dst[i] = first ? style.fill : over(style.fill, dst[i]);
                }
            } else {
                sample(mask, v - 1, rows[0]);
                sample(mask, v, rows[1]);
                sample(mask, v + 1, rows[2]);
                for (int i = 0; i < area.width(); ++i) {
                    const size_t c = size_t(i) + 1;
                    if (rows[1][c] && !(rows[0][c] && rows[2][c] && rows[1][c - 1] && rows[1][c + 1]))
                        dst[i] = first ? style.fill : over(style.fill, dst[i]);
                }
            }
            first = false;
        }
    }
}

QRect MaskOverlay::update(const cv::Mat &mask, const MaskLayer &layer, const cv::Rect &maskRect)
{
    if (m_image.isNull())
        return {};
    const bool usable = layer.isVisible() && mask.type() == CV_8UC1 && mask.cols == m_maskSize.width()
        && mask.rows == m_maskSize.height();
    const QRect area = prepare(maskRect, layer.isOutlineOnly());
    if (area.isEmpty())
        return {};
    std::vector<Style> styles;
    if (usable)
        styles.push_back({ &mask, premultiplied(layer.colour(), layer.opacity()), layer.isOutlineOnly() });
    render(styles, area);
    return area;
}

QRect MaskOverlay::updateAll(const cv::Mat &mask, const MaskLayer &layer)
{
    return update(mask, layer, cv::Rect(0, 0, m_maskSize.width(), m_maskSize.height()));
}

QRect MaskOverlay::updateAll(const MaskDocument &document)
{
    return update(document, cv::Rect(0, 0, m_maskSize.width(), m_maskSize.height()));
}

QRect MaskOverlay::update(const MaskDocument &document, const cv::Rect &maskRect)
{
    if (m_image.isNull() || document.size() != m_maskSize)
        return {};
    std::vector<cv::Mat> masks;
    std::vector<const MaskLayer *> layers;
    bool outlines = false;
    for (const QString &id : document.layerIds()) {
        const MaskLayer *layer = document.layer(id);
        cv::Mat mask = document.maskIfAllocated(id);
        if (!layer->isVisible() || mask.empty())
            continue;
        masks.push_back(mask);
        layers.push_back(layer);
        outlines = outlines || layer->isOutlineOnly();
    }
    const QRect area = prepare(maskRect, outlines);
    if (area.isEmpty())
        return {};
    std::vector<Style> styles;
    for (size_t i = 0; i < masks.size(); ++i)
        styles.push_back({ &masks[i], premultiplied(layers[i]->colour(), layers[i]->opacity()),
            layers[i]->isOutlineOnly() });
    render(styles, area);
    return area;
}

} // namespace dl
