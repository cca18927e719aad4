// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/ConfusionHeatMap.h"

#include <QFontMetrics>
#include <QPainter>
#include <QPaintEvent>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {
constexpr int Margin = 8;
constexpr int TitleGap = 6;
constexpr int MinCell = 22;
constexpr int MaxCell = 72;
constexpr int MaxLabelWidth = 150;
} // namespace

ConfusionHeatMap::ConfusionHeatMap(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ConfusionHeatMap::setMatrix(const ConfusionMatrix &matrix, const QString &raterAName,
                                 const QString &raterBName, const QStringList &labelNames)
{
    m_matrix = matrix;
    m_raterA = raterAName;
    m_raterB = raterBName;
    m_labelNames = labelNames;
    updateGeometry();
    update();
}

QColor ConfusionHeatMap::cellColour(qsizetype count, qsizetype maximum)
{
    if (count <= 0 || maximum <= 0)
        return QColor(0xf4, 0xf6, 0xf8);
    // From a pale to a deep blue, by the square root so that small counts still show.
    const double t = std::sqrt(double(count) / double(maximum));
    const QColor pale(0xd6, 0xe6, 0xf5), deep(0x08, 0x30, 0x6b);
    return QColor::fromRgbF(float(pale.redF() + t * (deep.redF() - pale.redF())),
                            float(pale.greenF() + t * (deep.greenF() - pale.greenF())),
                            float(pale.blueF() + t * (deep.blueF() - pale.blueF())));
}

int ConfusionHeatMap::rowLabelWidth() const
{
    const QFontMetrics fm(font());
    int width = 0;
    for (const QString &label : m_labelNames)
        width = std::max(width, fm.horizontalAdvance(label));
    return std::min(width + 6, MaxLabelWidth) + Margin; // a little slack: elision rounds
}

int ConfusionHeatMap::columnLabelHeight() const
{
    // Column labels are written upwards, so their height is the longest label's width.
    return rowLabelWidth();
}

ConfusionHeatMap::Geometry ConfusionHeatMap::geometry() const
{
    const QFontMetrics fm(font());
    const int n = std::max<int>(1, int(m_matrix.labels.size()));
    Geometry g;
    g.left = Margin + fm.height() + TitleGap + rowLabelWidth();
    g.top = Margin + fm.height() + TitleGap + columnLabelHeight();
    const int available = std::min(width() - g.left - Margin, height() - g.top - Margin - fm.height() - TitleGap);
    g.cell = std::clamp(available / n, MinCell, MaxCell);
    // Centre the grid and its labels in the width there is.
    const int spare = width() - (g.left + n * g.cell + Margin);
    if (spare > 0)
        g.left += spare / 2;
    return g;
}

QSize ConfusionHeatMap::minimumSizeHint() const
{
    const QFontMetrics fm(font());
    const int n = std::max<int>(1, int(m_matrix.labels.size()));
    const int w = Margin + fm.height() + TitleGap + rowLabelWidth() + n * MinCell + Margin;
    const int h = Margin + fm.height() + TitleGap + columnLabelHeight() + n * MinCell + TitleGap + fm.height() + Margin;
    return {w, h};
}

QSize ConfusionHeatMap::sizeHint() const
{
    const QSize minimum = minimumSizeHint();
    const int n = std::max<int>(1, int(m_matrix.labels.size()));
    return minimum + QSize(n * 14, n * 14);
}

void ConfusionHeatMap::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm(font());
    if (m_matrix.labels.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("These two raters have no image of this field in common."));
        return;
    }
    const Geometry g = geometry();
    const int n = int(m_matrix.labels.size());
    const QRect grid(g.left, g.top, n * g.cell, n * g.cell);
    const int labelWidth = rowLabelWidth() - Margin;
    const int rowLabelLeft = g.left - labelWidth - Margin / 2;

    // Titles: rater B across the top, rater A up the left side.
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(grid.left(), Margin, grid.width(), fm.height()), Qt::AlignCenter,
               tr("%1 (columns)").arg(m_raterB));
    p.save();
    p.translate(rowLabelLeft - TitleGap - fm.height(), grid.bottom());
    p.rotate(-90);
    p.drawText(QRect(0, 0, grid.height(), fm.height()), Qt::AlignCenter, tr("%1 (rows)").arg(m_raterA));
    p.restore();
    p.setFont(font());
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(QRect(Margin, grid.bottom() + TitleGap, width() - 2 * Margin, fm.height()), Qt::AlignCenter,
               tr("Outlined: both raters gave the same label. Darker: more images."));
    p.setPen(palette().color(QPalette::Text));

    // Labels.
    for (int i = 0; i < n; ++i) {
        const QString text = fm.elidedText(m_labelNames.value(i, m_matrix.labels.at(i)), Qt::ElideRight, labelWidth);
        p.drawText(QRect(rowLabelLeft, grid.top() + i * g.cell, labelWidth, g.cell),
                   Qt::AlignRight | Qt::AlignVCenter, text);
        p.save();
        p.translate(grid.left() + i * g.cell, grid.top() - Margin / 2);
        p.rotate(-90);
        p.drawText(QRect(0, 0, labelWidth, g.cell), Qt::AlignLeft | Qt::AlignVCenter, text);
        p.restore();
    }

    // Cells.
    qsizetype maximum = 0;
    for (const auto &row : m_matrix.counts) {
        for (qsizetype c : row)
            maximum = std::max(maximum, c);
    }
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            const QRect cell(grid.left() + j * g.cell, grid.top() + i * g.cell, g.cell, g.cell);
            const qsizetype count = m_matrix.counts.at(i).at(j);
            const QColor colour = cellColour(count, maximum);
            p.fillRect(cell, colour);
            p.setPen(QColor(0xff, 0xff, 0xff));
            p.drawRect(cell.adjusted(0, 0, -1, -1));
            if (count > 0) {
                p.setPen(colour.lightnessF() < 0.55 ? QColor(Qt::white) : QColor(0x10, 0x20, 0x30));
                p.drawText(cell, Qt::AlignCenter, QString::number(count));
            }
        }
    }
    // The diagonal: where the two raters agree.
    QPen diagonal(QColor(0x2e, 0x7d, 0x32));
    diagonal.setWidth(2);
    p.setPen(diagonal);
    for (int i = 0; i < n; ++i)
        p.drawRect(QRect(grid.left() + i * g.cell + 1, grid.top() + i * g.cell + 1, g.cell - 2, g.cell - 2));
}

} // namespace dl
