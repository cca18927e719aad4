// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"
#include "qa/AgreementCalculator.h"
#include "session/QaDataSet.h"

#include <QHash>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>

class QChartView;
class QCheckBox;
class QComboBox;
class QFutureWatcherBase;
class QLabel;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace dl {

class AgreementTableModel;
class DisagreementFilterModel;
class DisagreementModel;
class FaceFlagModel;
class OverlapTableModel;
class QaPlots;
class RaterReportModel;
class Store;

/// The QA lead's screen: how far raters agree, where they disagree, and how each rater works.
///
/// - Overview: per label field the number of images, percent agreement, Fleiss' kappa,
///   Krippendorff's alpha (colour-coded: >= 0.800 good, >= 0.667 tentative, below poor) with a
///   bootstrap 95% interval on demand, and the mean pairwise kappa; a stratum selector adds
///   alpha and n per group (Fitzpatrick type, Monk tone, age group, ...); the diagnosis top-1
///   and top-3 figures and the consensus counts above; top-1 / top-3 and the Dice and IoU of
///   each region layer (stratified alike) in a second table; reference labels in their own table.
/// - Plots: confusion heat map of any rater pair, label distribution per rater, agreement
///   over time.
/// - Disagreements: the consensus fields to adjudicate (and, on request, pending ones) by
///   severity; Enter or a double click opens the side-by-side review.
/// - Raters: throughput and agreement with the consensus.
/// - Faces: the face check's flags (open ones hold an image back from export) to review,
///   confirm or dismiss; admins run the check over every image from here.
///
/// Loading and every statistic run on the thread pool; the dashboard shows a busy bar
/// meanwhile and stays usable. An actor who may not see every rater's labels gets the
/// error, not data.
class QaDashboard : public QWidget
{
    Q_OBJECT

public:
    QaDashboard(Store &store, const User &user, QWidget *parent = nullptr);
    ~QaDashboard() override;

    /// True while a load or a computation runs.
    bool isBusy() const { return m_running > 0; }
    /// Why the last load failed (empty when it worked).
    QString errorString() const { return m_data.error; }
    const QaDataSet &data() const { return m_data; }

    /// The stratum whose groups the overview shows ("" for none).
    QString stratum() const;
    /// Chooses a stratum key of StoreRatings::strataKeys() or "" (computed in the background).
    void setStratum(const QString &key);
    /// Shows pending rows in the disagreement list too.
    void setShowPending(bool show);
    /// When true (the default) activating a disagreement opens a ReviewDialog; either way
    /// reviewRequested() is emitted.
    void setOpensReviewDialog(bool opens) { m_opensReview = opens; }

    // The parts, for the main window and tests.
    QTabWidget *tabs() const { return m_tabs; }
    AgreementTableModel *overviewModel() const { return m_overview; }
    AgreementTableModel *referenceModel() const { return m_reference; }
    /// Top-1 / top-3 of the differentials and Dice / IoU of the regions, stratified like the overview.
    OverlapTableModel *overlapModel() const { return m_overlap; }
    DisagreementModel *disagreementModel() const { return m_disagreements; }
    DisagreementFilterModel *disagreementProxy() const { return m_disagreementProxy; }
    RaterReportModel *raterModel() const { return m_raters; }
    QComboBox *stratumSelector() const { return m_stratum; }
    QPushButton *confidenceButton() const { return m_confidence; }
    QTableView *disagreementView() const { return m_disagreementView; }
    QaPlots *plots() const { return m_plots; }
    FaceFlagModel *faceModel() const { return m_faces; }
    QTableView *faceView() const { return m_faceView; }
    QPushButton *faceCheckButton() const { return m_runFaceCheck; }

public slots:
    /// Reloads everything from the store in the background.
    void refresh();
    /// refresh() for changes made elsewhere (other people's labels): the selected disagreement
    /// (image and field) and the scroll positions of the tables stay where they were.
    void refreshKeepingView();
    /// Runs the bootstrap (seeded, 1000 replicates) for the alpha and kappa intervals.
    void computeConfidenceIntervals();
    /// Opens the review of an image, starting at `field`, stepping through the disagreement
    /// list in its current order.
    void openReview(qint64 imageId, const QString &field = {});
    /// Confirms (a face shows) or dismisses the face flag of an image, then reloads. False when
    /// refused (the reason in the error line).
    bool resolveFace(qint64 imageId, bool confirmed);
    /// Runs the face check over every image in the background (admins), or stops a running one.
    void runFaceCheck();

signals:
    /// The QA lead asked to review an image (from the disagreement list).
    void reviewRequested(qint64 imageId, const QString &field);
    /// A load or computation finished (the dashboard is idle again).
    void updated();
    /// A QA lead settled a field through the review dialog.
    void adjudicated(qint64 imageId, const QString &field);

private:
    QWidget *buildOverview();
    QWidget *buildDisagreements();
    QWidget *buildRaters();
    QWidget *buildFaces();
    void updateFaceButtons();
    template<typename T>
    void runInBackground(const QString &what, std::function<T()> work, std::function<void(T)> done);
    void setBusy(const QString &what, int delta);
    void applyData();
    void applyStratum();
    void updateSummary();
    void updateDisagreementCounts();
    void updatePerDayChart();
    void activateDisagreement(const QModelIndex &proxyIndex);

    Store &m_store;
    User m_user;
    QaDataSet m_data;
    AgreementOptions m_options;
    QHash<QString, Stratum> m_strata; ///< computed strata by key, for the current data
    quint64 m_generation = 0; ///< bumped by every load; stale results are dropped
    bool m_reloadPending = false;
    bool m_opensReview = true;
    int m_running = 0;
    QList<QFutureWatcherBase *> m_watchers;
    std::shared_ptr<std::atomic_bool> m_faceCheckStop; ///< set while a face check runs

    QTabWidget *m_tabs = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_error = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_busyText = nullptr;
    QPushButton *m_refresh = nullptr;
    QList<QLabel *> m_cards; ///< value labels of the summary cards
    QComboBox *m_stratum = nullptr;
    QPushButton *m_confidence = nullptr;
    AgreementTableModel *m_overview = nullptr;
    AgreementTableModel *m_reference = nullptr;
    OverlapTableModel *m_overlap = nullptr;
    QTableView *m_overlapView = nullptr;
    QTableView *m_overviewView = nullptr;
    QTableView *m_referenceView = nullptr;
    FaceFlagModel *m_faces = nullptr;
    QTableView *m_faceView = nullptr;
    QLabel *m_faceSummary = nullptr;
    QPushButton *m_reviewFace = nullptr;
    QPushButton *m_confirmFace = nullptr;
    QPushButton *m_dismissFace = nullptr;
    QPushButton *m_runFaceCheck = nullptr;
    QLabel *m_referenceTitle = nullptr;
    QaPlots *m_plots = nullptr;
    DisagreementModel *m_disagreements = nullptr;
    DisagreementFilterModel *m_disagreementProxy = nullptr;
    QTableView *m_disagreementView = nullptr;
    QCheckBox *m_showPending = nullptr;
    QLabel *m_disagreementCounts = nullptr;
    RaterReportModel *m_raters = nullptr;
    QTableView *m_raterView = nullptr;
    QMetaObject::Connection m_restoreView; // pending restore of refreshKeepingView()
    QChartView *m_perDay = nullptr;
};

} // namespace dl
