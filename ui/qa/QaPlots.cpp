// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/QaPlots.h"

#include "qa/AgreementTableModel.h"
#include "qa/ConfusionHeatMap.h"
#include "session/QaDataSet.h"
#include "qa/RaterComparison.h"
#include "qa/ValueText.h"

#include <QComboBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QHorizontalPercentBarSeries>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

constexpr int MaxLabelSets = 9; // bar sets in the distribution chart before "Other"

QString number(double value)
{
    return QString::number(value, 'f', 3);
}

/// Colours for the labels of a field: a light-to-dark ramp for ordered scales, distinct hues
/// for nominal ones.
QColor labelColour(int index, int count, bool ordered)
{
    if (ordered) {
        const double t = count > 1 ? double(index) / double(count - 1) : 0.5;
        const QColor light(0xfd, 0xe0, 0xc5), dark(0x5d, 0x2a, 0x0c);
        return QColor::fromRgbF(float(light.redF() + t * (dark.redF() - light.redF())),
                                float(light.greenF() + t * (dark.greenF() - light.greenF())),
                                float(light.blueF() + t * (dark.blueF() - light.blueF())));
    }
    static const QList<QColor> palette {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                                        QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                        QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf), QColor(0xbc, 0xbd, 0x22)};
    return palette.at(index % palette.size());
}

QChartView *makeChartView(QWidget *parent)
{
    auto *chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

void clearChart(QChart *chart)
{
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

} // namespace

QaPlots::QaPlots(QWidget *parent) : QWidget(parent)
{
    m_field = new QComboBox(this);
    m_field->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_raterA = new QComboBox(this);
    m_raterB = new QComboBox(this);
    m_raterA->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_raterB->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_pairSummary = new QLabel(this);
    m_pairSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *selectors = new QHBoxLayout;
    auto addSelector = [&](const QString &text, QComboBox *box) {
        auto *label = new QLabel(text, this);
        label->setBuddy(box);
        selectors->addWidget(label);
        selectors->addWidget(box);
        selectors->addSpacing(12);
    };
    addSelector(tr("&Field:"), m_field);
    addSelector(tr("Rater &A:"), m_raterA);
    addSelector(tr("Rater &B:"), m_raterB);
    selectors->addWidget(m_pairSummary, 1);

    m_heatMap = new ConfusionHeatMap;
    auto *scroll = new QScrollArea;
    scroll->setWidget(m_heatMap);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *heatBox = new QGroupBox(tr("Confusion of rater A and rater B"), this);
    auto *heatLayout = new QVBoxLayout(heatBox);
    heatLayout->setContentsMargins(4, 4, 4, 4);
    heatLayout->addWidget(scroll);

    m_distribution = makeChartView(this);
    auto *distributionBox = new QGroupBox(tr("Labels given by each rater"), this);
    auto *distributionLayout = new QVBoxLayout(distributionBox);
    distributionLayout->setContentsMargins(4, 4, 4, 4);
    distributionLayout->addWidget(m_distribution);

    m_time = makeChartView(this);
    auto *timeBox = new QGroupBox(tr("Agreement over time (week of the last label change)"), this);
    auto *timeLayout = new QVBoxLayout(timeBox);
    timeLayout->setContentsMargins(4, 4, 4, 4);
    timeLayout->addWidget(m_time);

    auto *grid = new QGridLayout;
    // The heat map takes the whole height on the left (diagnosis fields have many labels); the
    // charts share the right.
    grid->addWidget(heatBox, 0, 0, 2, 1);
    grid->addWidget(distributionBox, 0, 1);
    grid->addWidget(timeBox, 1, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(selectors);
    layout->addLayout(grid, 1);

    connect(m_field, &QComboBox::currentIndexChanged, this, [this] {
        fillRaters();
        updateHeatMap();
        updateDistribution();
        updateTime();
    });
    connect(m_raterA, &QComboBox::currentIndexChanged, this, &QaPlots::updateHeatMap);
    connect(m_raterB, &QComboBox::currentIndexChanged, this, &QaPlots::updateHeatMap);
}

QChart *QaPlots::distributionChart() const
{
    return m_distribution->chart();
}

QChart *QaPlots::timeChart() const
{
    return m_time->chart();
}

QString QaPlots::field() const
{
    return m_field->currentData().toString();
}

bool QaPlots::setField(const QString &field)
{
    const int index = m_field->findData(field);
    if (index < 0)
        return false;
    m_field->setCurrentIndex(index);
    return true;
}

bool QaPlots::setRaters(const QString &raterA, const QString &raterB)
{
    const int a = m_raterA->findData(raterA), b = m_raterB->findData(raterB);
    if (a < 0 || b < 0)
        return false;
    {
        const QSignalBlocker block(m_raterA);
        m_raterA->setCurrentIndex(a);
    }
    m_raterB->setCurrentIndex(b);
    updateHeatMap();
    return true;
}

void QaPlots::setData(const QaDataSet *data)
{
    m_data = data;
    const QString field = this->field();
    const QString a = m_raterA->currentData().toString(), b = m_raterB->currentData().toString();
    {
        const QSignalBlocker block(m_field);
        fillFields();
        if (!setField(field)) {
            // Start with the top-1 diagnosis: the field QA leads look at first.
            if (!setField(u"diagnosis_1"_s) && m_field->count() > 0)
                m_field->setCurrentIndex(0);
        }
    }
    fillRaters();
    if (!a.isEmpty() && !b.isEmpty() && a != b)
        setRaters(a, b);
    updateHeatMap();
    updateDistribution();
    updateTime();
}

void QaPlots::fillFields()
{
    m_field->clear();
    if (!m_data)
        return;
    for (const RatingTable &t : m_data->ratings.fields) {
        if (t.ratingCount() > 0)
            m_field->addItem(AgreementTableModel::fieldName(t.field()), t.field());
    }
    bool separated = false;
    for (const RatingTable &t : m_data->ratings.reference) {
        if (t.ratingCount() == 0)
            continue;
        if (!separated) {
            m_field->insertSeparator(m_field->count());
            separated = true;
        }
        m_field->addItem(tr("%1 (dataset)").arg(AgreementTableModel::fieldName(t.field())), t.field());
    }
}

void QaPlots::fillRaters()
{
    const QString a = m_raterA->currentData().toString(), b = m_raterB->currentData().toString();
    const QSignalBlocker blockA(m_raterA), blockB(m_raterB);
    m_raterA->clear();
    m_raterB->clear();
    const RatingTable *table = m_data ? m_data->table(field()) : nullptr;
    if (!table)
        return;
    QStringList raters = table->raters();
    std::sort(raters.begin(), raters.end());
    for (const QString &rater : std::as_const(raters)) {
        m_raterA->addItem(m_data->raterLabel(rater), rater);
        m_raterB->addItem(m_data->raterLabel(rater), rater);
    }
    int ia = m_raterA->findData(a), ib = m_raterB->findData(b);
    if (ia < 0 || ib < 0 || ia == ib) {
        ia = 0;
        ib = raters.size() > 1 ? 1 : 0;
    }
    m_raterA->setCurrentIndex(ia);
    m_raterB->setCurrentIndex(ib);
}

QStringList QaPlots::labelNames(const QStringList &labels) const
{
    QStringList names;
    const QString f = field();
    const QString plain = f.startsWith(u"reference."_s) ? f.mid(10) : f;
    for (const QString &label : labels)
        names.append(ValueText::display(plain, label));
    return names;
}

void QaPlots::updateHeatMap()
{
    const RatingTable *table = m_data ? m_data->table(field()) : nullptr;
    const QString a = m_raterA->currentData().toString(), b = m_raterB->currentData().toString();
    if (!table || a.isEmpty() || b.isEmpty()) {
        m_heatMap->setMatrix({}, {}, {}, {});
        m_pairSummary->clear();
        return;
    }
    const ConfusionMatrix matrix = RaterComparison::confusion(*table, a, b);
    m_heatMap->setMatrix(matrix, m_data->raterLabel(a), m_data->raterLabel(b), labelNames(matrix.labels));

    QString summary;
    if (a == b) {
        summary = tr("Choose two different raters.");
    } else if (matrix.items == 0) {
        summary = tr("No images in common.");
    } else {
        summary = tr("%1 images in common, %2 identical (%3%)")
                      .arg(matrix.items)
                      .arg(matrix.agreeing())
                      .arg(QString::number(100.0 * double(matrix.agreeing()) / double(matrix.items), 'f', 1));
        if (const FieldAgreement *f = m_data->fieldAgreement(field())) {
            const QString first = std::min(a, b), second = std::max(a, b);
            for (const PairAgreement &pair : f->pairs) {
                if (pair.raterA != first || pair.raterB != second)
                    continue;
                summary += u" \u00b7 "_s + tr("Cohen's \u03ba %1").arg(pair.kappa ? number(*pair.kappa) : u"\u2014"_s);
                if (f->level != MeasureLevel::Nominal && pair.kappaQuadratic)
                    summary += u" \u00b7 "_s + tr("quadratic \u03ba %1").arg(number(*pair.kappaQuadratic));
            }
        }
    }
    m_pairSummary->setText(summary);
}

void QaPlots::updateDistribution()
{
    QChart *chart = m_distribution->chart();
    clearChart(chart);
    const RatingTable *table = m_data ? m_data->table(field()) : nullptr;
    if (!table || table->ratingCount() == 0) {
        chart->setTitle(tr("No ratings"));
        return;
    }
    chart->setTitle({});
    const LabelDistribution d = RaterComparison::distribution(*table);
    const bool ordered = d.level != MeasureLevel::Nominal;
    const QStringList names = labelNames(d.labels);

    // The most used labels get their own bar set (all of them for ordered scales, which are short).
    QList<qsizetype> order(d.labels.size());
    std::iota(order.begin(), order.end(), 0);
    if (!ordered) {
        std::stable_sort(order.begin(), order.end(), [&](qsizetype x, qsizetype y) {
            qsizetype tx = 0, ty = 0;
            for (const auto &row : d.counts) {
                tx += row.at(x);
                ty += row.at(y);
            }
            return tx > ty;
        });
    }
    const qsizetype own = ordered || order.size() <= MaxLabelSets + 1 ? order.size() : MaxLabelSets;

    auto *series = new QHorizontalPercentBarSeries;
    for (qsizetype k = 0; k < own; ++k) {
        const qsizetype l = order.at(k);
        auto *set = new QBarSet(names.at(l));
        set->setColor(labelColour(int(k), int(own), ordered));
        set->setBorderColor(Qt::white);
        for (qsizetype r = 0; r < d.raters.size(); ++r)
            set->append(double(d.counts.at(r).at(l)));
        series->append(set);
    }
    if (own < order.size()) {
        auto *other = new QBarSet(tr("Other (%1 labels)").arg(order.size() - own));
        other->setColor(QColor(0xb0, 0xb0, 0xb0));
        other->setBorderColor(Qt::white);
        for (qsizetype r = 0; r < d.raters.size(); ++r) {
            qsizetype sum = 0;
            for (qsizetype k = own; k < order.size(); ++k)
                sum += d.counts.at(r).at(order.at(k));
            other->append(double(sum));
        }
        series->append(other);
    }
    series->setBarWidth(0.7);
    chart->addSeries(series);

    QStringList categories;
    for (qsizetype r = 0; r < d.raters.size(); ++r) {
        QString text = tr("%1 (%2)").arg(m_data->raterLabel(d.raters.at(r))).arg(d.totals.at(r));
        if (d.means.at(r))
            text += u"\n"_s + tr("mean %1").arg(QString::number(*d.means.at(r), 'f', 2));
        categories.append(text);
    }
    auto *raters = new QBarCategoryAxis;
    raters->append(categories);
    chart->addAxis(raters, Qt::AlignLeft);
    series->attachAxis(raters);
    auto *share = new QValueAxis;
    share->setRange(0, 100);
    share->setLabelFormat(u"%d%%"_s);
    share->setTickCount(6);
    chart->addAxis(share, Qt::AlignBottom);
    series->attachAxis(share);
    chart->legend()->setVisible(true);
    // Many labels read better listed down the side than squeezed (and elided) along the bottom.
    chart->legend()->setAlignment(series->count() > 6 ? Qt::AlignRight : Qt::AlignBottom);
}

void QaPlots::updateTime()
{
    QChart *chart = m_time->chart();
    clearChart(chart);
    const Stratum *weeks = m_data ? m_data->stratum(QaDataSet::timeStratum()) : nullptr;
    const StratifiedAgreement *stratified = nullptr;
    if (weeks) {
        for (const StratifiedAgreement &s : weeks->fields) {
            if (s.field == field())
                stratified = &s;
        }
    }
    if (!stratified || stratified->groups.isEmpty()) {
        chart->setTitle(field().startsWith(u"reference."_s) ? tr("Dataset labels have no time")
                                                             : tr("No weeks with ratings"));
        return;
    }
    chart->setTitle({});
    auto *percent = new QLineSeries;
    percent->setName(tr("Percent agreement"));
    auto *alpha = new QLineSeries;
    alpha->setName(tr("Krippendorff's \u03b1"));
    for (QLineSeries *s : {percent, alpha}) {
        s->setPointsVisible(true);
        QPen pen = s->pen();
        pen.setWidth(2);
        s->setPen(pen);
    }
    percent->setColor(QColor(0x1f, 0x77, 0xb4));
    alpha->setColor(QColor(0xd6, 0x27, 0x28));
    QStringList categories;
    double low = 0.0;
    for (int i = 0; i < stratified->groups.size(); ++i) {
        const GroupAgreement &g = stratified->groups.at(i);
        categories.append(tr("%1 (n %2)").arg(g.group).arg(g.agreement.items));
        if (g.agreement.percentAgreement)
            percent->append(i, *g.agreement.percentAgreement);
        if (g.agreement.alpha) {
            alpha->append(i, *g.agreement.alpha);
            low = std::min(low, *g.agreement.alpha);
        }
    }
    chart->addSeries(percent);
    chart->addSeries(alpha);
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    chart->addAxis(x, Qt::AlignBottom);
    auto *y = new QValueAxis;
    y->setRange(std::floor(low * 5.0) / 5.0, 1.0);
    y->setTickCount(int(std::round((1.0 - std::floor(low * 5.0) / 5.0) * 5.0)) + 1);
    y->setLabelFormat(u"%.1f"_s);
    chart->addAxis(y, Qt::AlignLeft);
    for (QLineSeries *s : {percent, alpha}) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->legend()->setVisible(true);
}

} // namespace dl
