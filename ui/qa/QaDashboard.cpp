// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/QaDashboard.h"

#include "auth/Permissions.h"
#include "base/Guarded.h"
#include "qa/AgreementTableModel.h"
#include "qa/DisagreementFilterModel.h"
#include "qa/DisagreementModel.h"
#include "qa/FaceFlagModel.h"
#include "qa/OverlapTableModel.h"
#include "qa/QaPlots.h"
#include "qa/RaterReportModel.h"
#include "qa/ReviewDialog.h"
#include "session/SessionService.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFrame>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QTabWidget>
#include <QScrollBar>
#include <QTableView>
#include <QTime>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

constexpr int PerDayChartDays = 21; // days shown in the labels-per-day chart

enum Card { ImagesCard, AgreedCard, AdjudicateCard, AdjudicatedCard, Top1Card, Top3Card, CardCount };

QTableView *makeTable(QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->setVisible(false);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignCenter);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    return view;
}

/// Limits a table's height to its rows (between minRows and maxRows of them).
void fitHeight(QTableView *view, int minRows, int maxRows)
{
    const int rows = std::clamp(view->model()->rowCount(), minRows, maxRows);
    view->setMaximumHeight(view->horizontalHeader()->sizeHint().height()
                           + rows * view->verticalHeader()->defaultSectionSize() + 2 * view->frameWidth()
                           + view->horizontalScrollBar()->sizeHint().height());
}

QString legendSwatch(AgreementTableModel::AlphaBand band)
{
    return u"<span style=\"background-color:%1;\">&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;%2"_s.arg(
        AgreementTableModel::bandColour(band).name(), AgreementTableModel::bandText(band).toHtmlEscaped());
}

QString share(const std::optional<double> &value)
{
    return value ? QString::number(*value * 100.0, 'f', 1) + u'%' : u"\u2014"_s;
}

} // namespace

QaDashboard::QaDashboard(Store &store, const User &user, QWidget *parent)
    : QWidget(parent), m_store(store), m_user(user)
{
    m_title = new QLabel(tr("Quality assurance \u00b7 %1").arg(SessionService(store).storeName()), this);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setMaximumWidth(140);
    m_busy->setMaximumHeight(m_busy->fontMetrics().height());
    m_busyText = new QLabel(this);
    m_refresh = new QPushButton(tr("&Refresh"), this);
    m_refresh->setToolTip(tr("Read the store again and recompute every statistic (F5)"));
    m_refresh->setShortcut(QKeySequence::Refresh);
    connect(m_refresh, &QPushButton::clicked, this, &QaDashboard::refresh);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addStretch(1);
    header->addWidget(m_busyText);
    header->addWidget(m_busy);
    header->addWidget(m_refresh);

    // Summary cards.
    auto *cards = new QHBoxLayout;
    const QStringList cardTitles {tr("Images rated"),        tr("Fields agreed"),
                                  tr("Fields to adjudicate"), tr("Fields adjudicated"),
                                  tr("Diagnosis top-1 agreement"), tr("Diagnosis top-3 overlap")};
    for (int c = 0; c < CardCount; ++c) {
        auto *card = new QFrame(this);
        card->setFrameShape(QFrame::StyledPanel);
        card->setAutoFillBackground(true);
        QPalette pal = card->palette();
        pal.setColor(QPalette::Window, pal.color(QPalette::Base));
        card->setPalette(pal);
        auto *layout = new QVBoxLayout(card);
        layout->setContentsMargins(10, 6, 10, 6);
        layout->setSpacing(2);
        auto *caption = new QLabel(cardTitles.at(c), card);
        QPalette captionPalette = caption->palette();
        captionPalette.setColor(QPalette::WindowText, captionPalette.color(QPalette::PlaceholderText));
        caption->setPalette(captionPalette);
        auto *value = new QLabel(u"\u2014"_s, card);
        QFont valueFont = value->font();
        valueFont.setPointSizeF(valueFont.pointSizeF() * 1.5);
        valueFont.setBold(true);
        value->setFont(valueFont);
        layout->addWidget(caption);
        layout->addWidget(value);
        cards->addWidget(card, 1);
        m_cards.append(value);
    }
    m_cards.at(Top1Card)->setToolTip(tr("Share of rater pairs naming the same first condition, mean over images"));
    m_cards.at(Top3Card)->setToolTip(tr("Overlap of the raters' up-to-three conditions, mean over images"));

    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"QLabel { color: #b71c1c; font-weight: bold; }"_s);
    m_error->hide();

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildOverview(), tr("&Overview"));
    m_plots = new QaPlots(this);
    m_tabs->addTab(m_plots, tr("&Plots"));
    m_tabs->addTab(buildDisagreements(), tr("&Disagreements"));
    m_tabs->addTab(buildRaters(), tr("R&aters"));
    m_tabs->addTab(buildFaces(), tr("&Faces"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addLayout(cards);
    layout->addWidget(m_error);
    layout->addWidget(m_tabs, 1);

    refresh();
}

QaDashboard::~QaDashboard()
{
    // The jobs use the store and this widget's state: let them finish first.
    for (QFutureWatcherBase *watcher : std::as_const(m_watchers)) {
        watcher->disconnect(this);
        watcher->waitForFinished();
    }
}

QWidget *QaDashboard::buildOverview()
{
    auto *page = new QWidget(this);
    m_stratum = new QComboBox(page);
    m_stratum->addItem(tr("None"), QString());
    for (const QString &key : StoreRatings::strataKeys())
        m_stratum->addItem(QaDataSet::stratumName(key), key);
    m_stratum->setToolTip(tr("Show alpha and the number of images per group next to the overall figures"));
    connect(m_stratum, &QComboBox::currentIndexChanged, this, &QaDashboard::applyStratum);
    auto *stratumLabel = new QLabel(tr("&Stratify by:"), page);
    stratumLabel->setBuddy(m_stratum);

    m_confidence = new QPushButton(tr("&Confidence intervals"), page);
    m_confidence->setToolTip(
        tr("Bootstrap 95% intervals of alpha and kappa (%1 replicates, seeded: the same store gives the same "
           "intervals)")
            .arg(m_options.replicates));
    connect(m_confidence, &QPushButton::clicked, this, &QaDashboard::computeConfidenceIntervals);

    auto *legend = new QLabel(page);
    legend->setTextFormat(Qt::RichText);
    legend->setText(tr("Krippendorff's \u03b1:") + u"&nbsp;&nbsp;"_s
                    + QStringList {legendSwatch(AgreementTableModel::AlphaBand::Good),
                                   legendSwatch(AgreementTableModel::AlphaBand::Tentative),
                                   legendSwatch(AgreementTableModel::AlphaBand::Poor),
                                   legendSwatch(AgreementTableModel::AlphaBand::None)}
                          .join(u"&nbsp;&nbsp;&nbsp;"_s));

    auto *controls = new QHBoxLayout;
    controls->addWidget(stratumLabel);
    controls->addWidget(m_stratum);
    controls->addSpacing(12);
    controls->addWidget(m_confidence);
    controls->addStretch(1);
    controls->addWidget(legend);

    m_overview = new AgreementTableModel(this);
    m_overviewView = makeTable(page);
    m_overviewView->setModel(m_overview);
    m_overlap = new OverlapTableModel(this);
    m_overlapView = makeTable(page);
    m_overlapView->setModel(m_overlap);
    auto *overlapTitle = new QLabel(tr("<b>Differential diagnoses and regions</b> (what the raters name and where "
                                       "they draw it)"),
                                    page);
    m_reference = new AgreementTableModel(this);
    m_reference->setItemsAreCases(true);
    m_referenceView = makeTable(page);
    m_referenceView->setModel(m_reference);
    m_referenceTitle = new QLabel(tr("<b>Reference labels imported with datasets</b> (items are cases; raters as "
                                     "given by the dataset)"),
                                  page);

    auto *layout = new QVBoxLayout(page);
    layout->addLayout(controls);
    layout->addWidget(m_overviewView, 1);
    layout->addWidget(overlapTitle);
    layout->addWidget(m_overlapView);
    layout->addWidget(m_referenceTitle);
    layout->addWidget(m_referenceView);
    return page;
}

QWidget *QaDashboard::buildDisagreements()
{
    auto *page = new QWidget(this);
    m_disagreements = new DisagreementModel(this);
    m_disagreementProxy = new DisagreementFilterModel(this);
    m_disagreementProxy->setSourceModel(m_disagreements);
    m_disagreementView = makeTable(page);
    m_disagreementView->setModel(m_disagreementProxy);
    m_disagreementView->setSortingEnabled(true);
    m_disagreementView->sortByColumn(DisagreementModel::SeverityColumn, Qt::DescendingOrder);
    m_disagreementView->horizontalHeader()->setStretchLastSection(true);
    connect(m_disagreementView, &QTableView::activated, this, &QaDashboard::activateDisagreement);

    m_showPending = new QCheckBox(tr("Show pe&nding (raters still labelling)"), page);
    connect(m_showPending, &QCheckBox::toggled, this, &QaDashboard::setShowPending);
    m_disagreementCounts = new QLabel(page);
    auto *hint = new QLabel(tr("Enter or double-click opens the side-by-side review."), page);
    QPalette hintPalette = hint->palette();
    hintPalette.setColor(QPalette::WindowText, hintPalette.color(QPalette::PlaceholderText));
    hint->setPalette(hintPalette);

    auto *top = new QHBoxLayout;
    top->addWidget(m_disagreementCounts, 1);
    top->addWidget(m_showPending);
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(top);
    layout->addWidget(m_disagreementView, 1);
    layout->addWidget(hint);
    return page;
}

QWidget *QaDashboard::buildRaters()
{
    auto *page = new QWidget(this);
    m_raters = new RaterReportModel(this);
    m_raterView = makeTable(page);
    m_raterView->setModel(m_raters);
    m_raterView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    m_perDay = new QChartView(chart, page);
    m_perDay->setRenderHint(QPainter::Antialiasing);
    m_perDay->setMinimumHeight(240);

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_raterView);
    layout->addWidget(new QLabel(tr("<b>Labels per day</b> (by the day of each label's last change, UTC)"), page));
    layout->addWidget(m_perDay, 1);
    return page;
}

QWidget *QaDashboard::buildFaces()
{
    auto *page = new QWidget(this);
    m_faces = new FaceFlagModel(this);
    m_faceView = makeTable(page);
    m_faceView->setModel(m_faces);
    m_faceView->horizontalHeader()->setStretchLastSection(true);
    connect(m_faceView, &QTableView::activated, this, [this](const QModelIndex &index) {
        openReview(index.data(FaceFlagModel::ImageIdRole).toLongLong());
    });
    connect(m_faceView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &QaDashboard::updateFaceButtons);

    m_faceSummary = new QLabel(page);
    m_faceSummary->setWordWrap(true);
    m_reviewFace = new QPushButton(tr("&Review Image"), page);
    m_confirmFace = new QPushButton(tr("Confirm &Face"), page);
    m_confirmFace->setToolTip(tr("A face shows: the image needs an identifying face region to be exported"));
    m_dismissFace = new QPushButton(tr("&Not a Face"), page);
    m_dismissFace->setToolTip(tr("The check was wrong: the flag no longer holds the image back"));
    auto selectedImage = [this] {
        return m_faceView->currentIndex().data(FaceFlagModel::ImageIdRole).toLongLong();
    };
    connect(m_reviewFace, &QPushButton::clicked, this, [this, selectedImage] { openReview(selectedImage()); });
    connect(m_confirmFace, &QPushButton::clicked, this, [this, selectedImage] { resolveFace(selectedImage(), true); });
    connect(m_dismissFace, &QPushButton::clicked, this, [this, selectedImage] { resolveFace(selectedImage(), false); });
    m_runFaceCheck = new QPushButton(tr("Run Face &Check"), page);
    m_runFaceCheck->setToolTip(tr("Look for frontal faces on every image (new images are checked on import)"));
    m_runFaceCheck->setVisible(Permissions::allows(m_user.role, Action::ImportImages));
    connect(m_runFaceCheck, &QPushButton::clicked, this, &QaDashboard::runFaceCheck);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_reviewFace);
    buttons->addWidget(m_confirmFace);
    buttons->addWidget(m_dismissFace);
    buttons->addStretch(1);
    buttons->addWidget(m_runFaceCheck);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_faceSummary);
    layout->addWidget(m_faceView, 1);
    layout->addLayout(buttons);
    updateFaceButtons();
    return page;
}

void QaDashboard::updateFaceButtons()
{
    const QModelIndex current = m_faceView->currentIndex();
    const QString status = current.data(FaceFlagModel::StatusRole).toString();
    const bool mayResolve = Permissions::allows(m_user.role, Action::Adjudicate);
    m_reviewFace->setEnabled(current.isValid());
    m_confirmFace->setEnabled(current.isValid() && mayResolve && status != u"confirmed"_s);
    m_dismissFace->setEnabled(current.isValid() && mayResolve && status != u"dismissed"_s);
    const int open = m_faces->openCount();
    m_faceSummary->setText(m_faces->rowCount() == 0
                               ? tr("The face check has flagged no image.")
                               : tr("<b>%1</b> of %2 flagged images still to review. An open flag holds the image back "
                                    "from export; a confirmed face needs an identifying face region, which the export "
                                    "covers.")
                                     .arg(open)
                                     .arg(m_faces->rowCount()));
    const int tab = m_tabs ? m_tabs->indexOf(m_faceView->parentWidget()) : -1;
    if (tab >= 0)
        m_tabs->setTabText(tab, open > 0 ? tr("&Faces (%1)").arg(open) : tr("&Faces"));
}

bool QaDashboard::resolveFace(qint64 imageId, bool confirmed)
{
    QString error;
    if (!FaceCheck(m_store, m_user).resolve(imageId, confirmed, &error)) {
        m_error->setText(tr("The face flag was not changed: %1").arg(error));
        m_error->show();
        return false;
    }
    refresh();
    return true;
}

void QaDashboard::runFaceCheck()
{
    if (m_faceCheckStop) { // running: stop it (what was found so far is kept)
        m_faceCheckStop->store(true);
        return;
    }
    auto stop = std::make_shared<std::atomic_bool>(false);
    m_faceCheckStop = stop;
    m_runFaceCheck->setText(tr("Stop Face &Check"));
    Store *store = &m_store;
    const User user = m_user;
    QPointer<QLabel> busyText = m_busyText;
    runInBackground<QString>(
        tr("Checking images for faces\u2026"),
        [store, user, stop, busyText] {
            QString error;
            const auto summary = FaceCheck(*store, user).run(&error, [stop, busyText](int done, int total) {
                QMetaObject::invokeMethod(busyText, [busyText, done, total] {
                    if (busyText)
                        busyText->setText(QaDashboard::tr("Checking images for faces: %1 of %2").arg(done).arg(total));
                });
                return !stop->load();
            });
            if (!summary)
                return error;
            return QString();
        },
        [this](QString error) {
            m_faceCheckStop.reset();
            m_runFaceCheck->setText(tr("Run Face &Check"));
            if (!error.isEmpty()) {
                m_error->setText(tr("The face check failed: %1").arg(error));
                m_error->show();
            }
            refresh();
        });
}

template<typename T>
void QaDashboard::runInBackground(const QString &what, std::function<T()> work, std::function<void(T)> done)
{
    // The result, or why the work stopped (what core threw, as a message).
    using Outcome = std::pair<std::optional<T>, QString>;
    auto *watcher = new QFutureWatcher<Outcome>(this);
    m_watchers.append(watcher);
    setBusy(what, +1);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, done] {
        m_watchers.removeOne(watcher);
        Outcome outcome = watcher->result();
        watcher->deleteLater();
        if (outcome.first) {
            done(std::move(*outcome.first));
        } else {
            m_error->setText(outcome.second);
            m_error->show();
        }
        setBusy({}, -1);
    });
    watcher->setFuture(QtConcurrent::run([work = std::move(work)] {
        return guarded([&] { return Outcome(work(), QString()); },
            [](const QString &message) { return Outcome(std::nullopt, message); });
    }));
}

void QaDashboard::setBusy(const QString &what, int delta)
{
    m_running += delta;
    if (!what.isEmpty())
        m_busyText->setText(what);
    m_busy->setVisible(m_running > 0);
    m_busyText->setVisible(m_running > 0);
    m_confidence->setEnabled(m_running == 0 && m_data.ok());
    if (m_running == 0)
        emit updated();
}

void QaDashboard::refreshKeepingView()
{
    if (m_restoreView) { // a refresh of this kind is under way: it restores what was kept first
        refresh();
        return;
    }
    const QModelIndex current = m_disagreementView->currentIndex();
    const qint64 image = current.data(DisagreementModel::ImageIdRole).toLongLong();
    const QString field = current.data(DisagreementModel::FieldRole).toString();
    const int column = current.column();
    QList<QPair<QTableView *, QPoint>> scrolls;
    for (QTableView *view : {m_overviewView, m_overlapView, m_referenceView, m_disagreementView, m_faceView, m_raterView})
        scrolls.append({view, QPoint(view->horizontalScrollBar()->value(), view->verticalScrollBar()->value())});
    m_restoreView = connect(this, &QaDashboard::updated, this, [this, image, field, column, scrolls] {
        disconnect(m_restoreView);
        m_restoreView = {};
        if (image > 0) {
            QAbstractItemModel *model = m_disagreementView->model();
            for (int row = 0; row < model->rowCount(); ++row) {
                const QModelIndex index = model->index(row, column);
                if (index.data(DisagreementModel::ImageIdRole).toLongLong() == image
                    && index.data(DisagreementModel::FieldRole).toString() == field) {
                    m_disagreementView->selectionModel()->setCurrentIndex(
                        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                    break;
                }
            }
        }
        for (const auto &[view, at] : scrolls) {
            view->horizontalScrollBar()->setValue(at.x());
            view->verticalScrollBar()->setValue(at.y());
        }
    });
    refresh();
}

void QaDashboard::refresh()
{
    if (m_running > 0 && m_reloadPending)
        return;
    for (QFutureWatcherBase *w : std::as_const(m_watchers)) {
        if (w->property("load").toBool()) {
            m_reloadPending = true; // reload once the running load is in
            return;
        }
    }
    const quint64 generation = ++m_generation;
    Store *store = &m_store;
    const User user = m_user;
    const AgreementOptions options = m_options;
    runInBackground<QaDataSet>(
        options.bootstrap ? tr("Reading ratings and bootstrapping\u2026") : tr("Reading ratings\u2026"),
        [store, user, options] { return QaDataSet::load(*store, user, options); },
        [this, generation](QaDataSet data) {
            if (generation != m_generation)
                return;
            m_data = std::move(data);
            m_strata.clear();
            applyData();
            if (m_reloadPending) {
                m_reloadPending = false;
                QMetaObject::invokeMethod(this, &QaDashboard::refresh, Qt::QueuedConnection);
            }
        });
    m_watchers.last()->setProperty("load", true);
}

void QaDashboard::computeConfidenceIntervals()
{
    if (!m_data.ok())
        return;
    m_options.bootstrap = true;
    const quint64 generation = m_generation;
    const StoreRatingSet ratings = m_data.ratings;
    const AgreementOptions options = m_options;
    runInBackground<StoreAgreement>(
        tr("Bootstrapping %1 replicates\u2026").arg(options.replicates),
        [ratings, options] { return StoreAgreementReport::compute(ratings, {}, options); },
        [this, generation](StoreAgreement agreement) {
            if (generation != m_generation)
                return;
            agreement.strata = m_data.agreement.strata; // the strata are shown without intervals
            m_data.agreement = std::move(agreement);
            applyData();
        });
}

void QaDashboard::applyData()
{
    const bool ok = m_data.ok();
    m_error->setVisible(!ok);
    m_error->setText(ok ? QString() : tr("The QA dashboard cannot be shown: %1").arg(m_data.error));
    m_tabs->setEnabled(ok);
    m_overview->setAgreement(m_data.agreement.fields);
    m_overlap->setAgreement(m_data.agreement);
    m_reference->setAgreement(m_data.agreement.reference);
    m_referenceTitle->setVisible(!m_data.agreement.reference.isEmpty());
    m_referenceView->setVisible(!m_data.agreement.reference.isEmpty());
    m_disagreements->setRows(m_data.openRows);
    m_raters->setReports(m_data.raters);
    m_faces->setFlags(m_data.faceFlags);
    updateFaceButtons();
    m_plots->setData(&m_data);
    applyStratum();
    updateSummary();
    updateDisagreementCounts();
    updatePerDayChart();
    for (QTableView *view : {m_overviewView, m_overlapView, m_referenceView, m_disagreementView, m_faceView}) {
        view->resizeColumnsToContents();
        view->horizontalHeader()->setStretchLastSection(view == m_disagreementView || view == m_faceView);
    }
    fitHeight(m_overlapView, 2, 8);
    fitHeight(m_referenceView, 1, 8);
    fitHeight(m_raterView, 3, 12);
}

QString QaDashboard::stratum() const
{
    return m_stratum->currentData().toString();
}

void QaDashboard::setStratum(const QString &key)
{
    const int index = m_stratum->findData(key);
    if (index >= 0)
        m_stratum->setCurrentIndex(index);
}

void QaDashboard::applyStratum()
{
    const QString key = stratum();
    auto show = [this](const Stratum *shown) {
        m_overview->setStratum(shown);
        m_overlap->setStratum(shown);
        m_overviewView->resizeColumnsToContents();
        m_overlapView->resizeColumnsToContents();
    };
    if (key.isEmpty() || !m_data.ok()) {
        show(nullptr);
        return;
    }
    if (const Stratum *known = m_data.stratum(key)) {
        show(known);
        return;
    }
    if (auto it = m_strata.constFind(key); it != m_strata.cend()) {
        show(&*it);
        return;
    }
    // Not computed yet: compute it in the background, show it when it is in (if still chosen).
    const quint64 generation = m_generation;
    const StoreRatingSet ratings = m_data.ratings;
    runInBackground<Stratum>(
        tr("Computing agreement by %1\u2026").arg(QaDataSet::stratumName(key).toLower()),
        [ratings, key] { return QaDataSet::computeStratum(ratings, key); },
        [this, generation, key](Stratum computed) {
            if (generation != m_generation)
                return;
            m_strata.insert(key, computed);
            if (stratum() == key)
                applyStratum();
        });
}

void QaDashboard::updateSummary()
{
    const ConsensusSummary &c = m_data.consensus;
    const bool ok = m_data.ok();
    auto set = [&](int card, const QString &text) { m_cards.at(card)->setText(ok ? text : u"\u2014"_s); };
    set(ImagesCard, QString::number(c.images));
    set(AgreedCard, QString::number(c.agreed));
    set(AdjudicateCard, tr("%1 on %2 images").arg(c.toAdjudicate).arg(c.imagesToAdjudicate));
    set(AdjudicatedCard, QString::number(c.adjudicated));
    set(Top1Card, share(m_data.agreement.diagnoses.top1Agreement));
    set(Top3Card, share(m_data.agreement.diagnoses.top3Overlap));
    m_cards.at(Top1Card)->parentWidget()->setToolTip(
        tr("Over %1 images with at least two differentials").arg(m_data.agreement.diagnoses.items));
    m_cards.at(Top3Card)->parentWidget()->setToolTip(m_cards.at(Top1Card)->parentWidget()->toolTip());
    m_cards.at(AdjudicateCard)->setStyleSheet(c.toAdjudicate > 0 && ok ? u"QLabel { color: #b45309; }"_s : QString());
}

void QaDashboard::setShowPending(bool show)
{
    if (m_showPending->isChecked() != show)
        m_showPending->setChecked(show); // comes back here through toggled()
    m_disagreementProxy->setShowPending(show);
    updateDisagreementCounts();
}

void QaDashboard::updateDisagreementCounts()
{
    QSet<qint64> images;
    for (const ConsensusRow &row : m_data.openRows) {
        if (row.consensus.status == ConsensusStatus::Adjudicate)
            images.insert(row.imageId);
    }
    const int toAdjudicate = m_disagreementProxy->count(int(ConsensusStatus::Adjudicate));
    const int pending = m_disagreementProxy->count(int(ConsensusStatus::Pending));
    m_disagreementCounts->setText(tr("<b>%1</b> fields to adjudicate on <b>%2</b> images \u00b7 %3 pending")
                                      .arg(toAdjudicate)
                                      .arg(images.size())
                                      .arg(pending));
    m_tabs->setTabText(2, toAdjudicate > 0 ? tr("&Disagreements (%1)").arg(toAdjudicate) : tr("&Disagreements"));
}

void QaDashboard::updatePerDayChart()
{
    QChart *chart = m_perDay->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    QList<QDate> days;
    for (const RaterReport &r : m_data.raters) {
        for (auto it = r.labelsPerDay.cbegin(); it != r.labelsPerDay.cend(); ++it) {
            if (!days.contains(it.key()))
                days.append(it.key());
        }
    }
    std::sort(days.begin(), days.end());
    if (days.size() > PerDayChartDays)
        days = days.mid(days.size() - PerDayChartDays);
    if (days.isEmpty()) {
        chart->setTitle(tr("No labels yet"));
        return;
    }
    chart->setTitle({});
    auto *series = new QBarSeries;
    qsizetype maximum = 0;
    for (const RaterReport &r : m_data.raters) {
        if (r.labelsPerDay.isEmpty())
            continue;
        auto *set = new QBarSet(r.displayName.isEmpty() ? r.name : r.displayName);
        for (const QDate &day : std::as_const(days)) {
            const qsizetype n = r.labelsPerDay.value(day);
            maximum = std::max(maximum, n);
            set->append(double(n));
        }
        series->append(set);
    }
    chart->addSeries(series);
    QStringList categories;
    for (const QDate &day : std::as_const(days))
        categories.append(QLocale().toString(day, QLocale::ShortFormat));
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    auto *y = new QValueAxis;
    y->setRange(0, double(std::max<qsizetype>(maximum, 1)));
    y->setLabelFormat(u"%d"_s);
    y->applyNiceNumbers();
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
}

void QaDashboard::activateDisagreement(const QModelIndex &proxyIndex)
{
    if (!proxyIndex.isValid())
        return;
    const QModelIndex first = proxyIndex.siblingAtColumn(0);
    openReview(first.data(DisagreementModel::ImageIdRole).toLongLong(),
               first.data(DisagreementModel::FieldRole).toString());
}

void QaDashboard::openReview(qint64 imageId, const QString &field)
{
    emit reviewRequested(imageId, field);
    if (!m_opensReview)
        return;
    QList<ReviewItem> queue;
    for (int row = 0; row < m_disagreementProxy->rowCount(); ++row) {
        const QModelIndex index = m_disagreementProxy->index(row, 0);
        queue.append({index.data(DisagreementModel::ImageIdRole).toLongLong(),
                      index.data(DisagreementModel::ImageNameRole).toString(),
                      index.data(DisagreementModel::FieldRole).toString()});
    }
    auto *dialog = new ReviewDialog(m_store, m_user, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setQueue(queue);
    connect(dialog, &ReviewDialog::adjudicated, this, [this](qint64 image, const QString &f) {
        emit adjudicated(image, f);
        refresh();
    });
    connect(dialog, &ReviewDialog::faceFlagResolved, this, &QaDashboard::refresh);
    dialog->showImage(imageId, field);
    dialog->resize(std::max(dialog->sizeHint().width(), 1280), std::max(dialog->sizeHint().height(), 820));
    dialog->open();
}

} // namespace dl
