// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;

namespace dl {

class ConfusionHeatMap;
struct QaDataSet;

/// The plots of the QA dashboard for one field: the confusion heat map of any two raters,
/// the labels each rater gave (percent bars: who is systematically harsher) and agreement
/// over time (percent agreement and alpha per week of the images' last label change).
class QaPlots : public QWidget
{
    Q_OBJECT

public:
    explicit QaPlots(QWidget *parent = nullptr);

    /// Shows `data` (not owned; must stay alive until the next call). Keeps the chosen field
    /// and raters when they are still there.
    void setData(const QaDataSet *data);

    QComboBox *fieldSelector() const { return m_field; }
    QComboBox *raterASelector() const { return m_raterA; }
    QComboBox *raterBSelector() const { return m_raterB; }
    ConfusionHeatMap *heatMap() const { return m_heatMap; }
    QChart *distributionChart() const;
    QChart *timeChart() const;

    QString field() const;
    bool setField(const QString &field);
    /// Chooses the raters (user names) of the heat map.
    bool setRaters(const QString &raterA, const QString &raterB);

private:
    void fillFields();
    void fillRaters();
    void updateHeatMap();
    void updateDistribution();
    void updateTime();
    QStringList labelNames(const QStringList &labels) const;

    const QaDataSet *m_data = nullptr;
    QComboBox *m_field = nullptr;
    QComboBox *m_raterA = nullptr;
    QComboBox *m_raterB = nullptr;
    QLabel *m_pairSummary = nullptr;
    ConfusionHeatMap *m_heatMap = nullptr;
    QChartView *m_distribution = nullptr;
    QChartView *m_time = nullptr;
};

} // namespace dl
