// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/RaterComparison.h"

#include <QWidget>

namespace dl {

/// A confusion matrix of two raters drawn as a heat map: rater A's labels down the side,
/// rater B's across the top, each cell shaded by its count (the darker, the more images)
/// with the count written in it, the diagonal (agreement) outlined. Qt Charts has no heat
/// map, so this is painted.
class ConfusionHeatMap : public QWidget
{
    Q_OBJECT

public:
    explicit ConfusionHeatMap(QWidget *parent = nullptr);

    /// The matrix and how its raters and labels read.
    void setMatrix(const ConfusionMatrix &matrix, const QString &raterAName, const QString &raterBName,
                   const QStringList &labelNames);
    const ConfusionMatrix &matrix() const { return m_matrix; }

    /// The colour of a cell holding `count` of at most `maximum`.
    static QColor cellColour(qsizetype count, qsizetype maximum);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Geometry
    {
        int left = 0;  ///< x of the first cell
        int top = 0;   ///< y of the first cell
        int cell = 0;  ///< cell side
    };
    Geometry geometry() const;
    int rowLabelWidth() const;
    int columnLabelHeight() const;

    ConfusionMatrix m_matrix;
    QString m_raterA, m_raterB;
    QStringList m_labelNames;
};

} // namespace dl
