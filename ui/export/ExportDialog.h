// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"
#include "release/BundleExporter.h"

#include <QDialog>
#include <QFutureWatcher>

#include <atomic>
#include <optional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace dl {

class Store;

/// The admin's Export dialog: where and what to export, the release gate's options with a
/// live preview of what it holds back and why, then the export itself off the UI thread with
/// progress and Cancel (a cancelled export leaves nothing behind).
class ExportDialog : public QDialog
{
    Q_OBJECT

public:
    ExportDialog(Store &store, const User &actor, QWidget *parent = nullptr);
    ~ExportDialog() override;

    /// The options as set in the dialog.
    BundleExportOptions options() const;
    void setOutputPath(const QString &path);
    /// The last preview (empty until the first one has finished).
    std::optional<ReleasePlan> preview() const { return m_plan; }
    bool isBusy() const { return m_previewWatcher.isRunning() || m_exportWatcher.isRunning(); }

public slots:
    void startExport();
    void cancelExport();

signals:
    void previewUpdated();
    /// After an export ended (written, failed or cancelled).
    void exportFinished(const dl::BundleExportReport &report);

protected:
    void reject() override;

private:
    void schedulePreview();
    void startPreview();
    void showPreview();
    void exportDone();
    void browse();
    void updateButtons();
    void showGeneralisation();

    Store &m_store;
    User m_actor;
    QLineEdit *m_path = nullptr;
    QCheckBox *m_zip = nullptr;
    QCheckBox *m_overwrite = nullptr;
    QRadioButton *m_consensus = nullptr;
    QRadioButton *m_raters = nullptr;
    QComboBox *m_maskMethod = nullptr;
    QSpinBox *m_k = nullptr;
    QSpinBox *m_minRaters = nullptr;
    QSpinBox *m_l = nullptr;
    QDoubleSpinBox *m_suppressionLimit = nullptr;
    /// The quasi-identifiers: chosen level, and a pin (the highest level allowed) per column.
    QTableWidget *m_levels = nullptr;
    QList<QComboBox *> m_pins; ///< parallel to m_levels' rows
    QStringList m_levelColumns; ///< parallel to m_levels' rows
    QLabel *m_gateSummary = nullptr;
    QLabel *m_blocking = nullptr;
    QComboBox *m_redaction = nullptr;
    QCheckBox *m_publicIds = nullptr;
    QLabel *m_summary = nullptr;
    QTableWidget *m_reasons = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_cancel = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QTimer *m_previewTimer = nullptr;

    struct PreviewResult
    {
        std::optional<ReleasePlan> plan;
        QString error;
    };
    QFutureWatcher<PreviewResult> m_previewWatcher;
    QFutureWatcher<BundleExportReport> m_exportWatcher;
    std::optional<ReleasePlan> m_plan;
    bool m_previewAgain = false;
    std::atomic_bool m_cancelRequested {false};
};

} // namespace dl
