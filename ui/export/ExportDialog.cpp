// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/ExportDialog.h"

#include "base/Guarded.h"
#include "export/BundleWriter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMetaObject>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace dl {

ExportDialog::ExportDialog(Store &store, const User &actor, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_actor(actor)
{
    setWindowTitle(tr("Export Label Bundle"));
    setObjectName(u"exportDialog"_s);

    auto *where = new QGroupBox(tr("Bundle"), this);
    m_path = new QLineEdit(where);
    m_path->setObjectName(u"outputPath"_s);
    m_path->setPlaceholderText(tr("Folder or .zip file to write"));
    auto *browse = new QPushButton(tr("Browse…"), where);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    m_zip = new QCheckBox(tr("One &zip archive instead of a folder"), where);
    m_zip->setObjectName(u"zip"_s);
    m_overwrite = new QCheckBox(tr("&Replace a previous bundle there"), where);
    m_overwrite->setObjectName(u"overwrite"_s);
    m_overwrite->setToolTip(tr("Only a bundle DermLabel wrote, or an empty folder, is replaced; anything else "
                               "is refused and left as it is."));
    m_consensus = new QRadioButton(tr("&Consensus labels and masks"), where);
    m_consensus->setChecked(true);
    m_raters = new QRadioButton(tr("Every &rater's labels and masks (pseudonymised)"), where);
    m_maskMethod = new QComboBox(where);
    m_maskMethod->setObjectName(u"maskConsensus"_s);
    m_maskMethod->addItem(tr("Majority vote"), int(BundleExportOptions::MaskMethod::Majority));
    m_maskMethod->addItem(tr("STAPLE (raters weighed by estimated sensitivity and specificity)"),
                          int(BundleExportOptions::MaskMethod::Staple));
    m_maskMethod->setToolTip(tr("How the consensus masks are formed from the raters' regions; with STAPLE the bundle "
                                "also holds staple.csv, each rater's estimated sensitivity and specificity."));
    auto *whereForm = new QFormLayout(where);
    // A row with a layout gets no buddy from QFormLayout: without one the mnemonic shows as "&".
    auto *outputLabel = new QLabel(tr("&Output:"), where);
    outputLabel->setBuddy(m_path);
    whereForm->addRow(outputLabel, pathRow);
    whereForm->addRow(QString(), m_zip);
    whereForm->addRow(QString(), m_overwrite);
    whereForm->addRow(tr("Labels:"), m_consensus);
    whereForm->addRow(QString(), m_raters);
    whereForm->addRow(tr("Consensus &masks:"), m_maskMethod);

    auto *gate = new QGroupBox(tr("Release gate"), this);
    m_k = new QSpinBox(gate);
    m_k->setObjectName(u"k"_s);
    m_k->setRange(1, 100);
    m_k->setValue(KAnonymityGate::DefaultK);
    m_k->setToolTip(tr("Generalise age group, sex, skin type, body site and country, then hold back the people "
                       "whose values and condition fewer than k people share. 1 turns this off."));
    m_l = new QSpinBox(gate);
    m_l->setObjectName(u"l"_s);
    m_l->setRange(1, 20);
    m_l->setValue(AnonymityOptions::DefaultL);
    m_l->setToolTip(tr("Every released group of people with the same demographics holds at least l distinct "
                       "conditions, so knowing someone's demographics never reveals their condition."));
    m_suppressionLimit = new QDoubleSpinBox(gate);
    m_suppressionLimit->setObjectName(u"suppressionLimit"_s);
    m_suppressionLimit->setRange(0, 100);
    m_suppressionLimit->setDecimals(1);
    m_suppressionLimit->setSuffix(u" %"_s);
    m_suppressionLimit->setValue(AnonymityOptions::DefaultSuppressionLimit * 100);
    m_suppressionLimit->setToolTip(tr("The share of people the gate may hold back instead of generalising further."));
    m_minRaters = new QSpinBox(gate);
    m_minRaters->setObjectName(u"minRaters"_s);
    m_minRaters->setRange(0, 20);
    m_minRaters->setValue(ReleaseOptions().minRaters);
    m_redaction = new QComboBox(gate);
    m_redaction->addItem(tr("Solid fill"), int(Redactor::Mode::Fill));
    m_redaction->addItem(tr("Strong blur"), int(Redactor::Mode::Blur));
    m_publicIds = new QCheckBox(tr("Include the datasets' own case ids where they are public"), gate);
    auto *gateForm = new QFormLayout(gate);
    gateForm->addRow(tr("&k-anonymity (people):"), m_k);
    gateForm->addRow(tr("&l-diversity (conditions):"), m_l);
    gateForm->addRow(tr("&Suppression limit:"), m_suppressionLimit);
    gateForm->addRow(tr("&Minimum raters:"), m_minRaters);
    gateForm->addRow(tr("Identifying regions:"), m_redaction);
    gateForm->addRow(QString(), m_publicIds);

    auto *previewBox = new QGroupBox(tr("What will be exported"), this);
    m_summary = new QLabel(tr("Checking the store…"), previewBox);
    m_summary->setObjectName(u"previewSummary"_s);
    m_summary->setWordWrap(true);
    m_reasons = new QTableWidget(0, 2, previewBox);
    m_reasons->setObjectName(u"heldBackReasons"_s);
    m_reasons->setHorizontalHeaderLabels({tr("Held back because"), tr("Images")});
    m_reasons->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_reasons->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_reasons->verticalHeader()->hide();
    m_reasons->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_reasons->setSelectionMode(QAbstractItemView::NoSelection);
    m_reasons->setFocusPolicy(Qt::NoFocus);
    // The generalisation the gate chose, a pin per column, and what blocks finer levels.
    m_levels = new QTableWidget(0, 3, previewBox);
    m_levels->setObjectName(u"quasiIdentifierLevels"_s);
    m_levels->setHorizontalHeaderLabels({tr("Quasi-identifier"), tr("Released as"), tr("Generalise at most to")});
    m_levels->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_levels->verticalHeader()->hide();
    m_levels->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_levels->setSelectionMode(QAbstractItemView::NoSelection);
    QString hierarchyError;
    const auto hierarchies = Anonymiser::hierarchies(ReleaseOptions().anonymity(), &hierarchyError);
    for (const Hierarchy &h : hierarchies.value_or(QList<Hierarchy>())) {
        if (h.height() == 0)
            continue; // the condition is not generalised here
        const int row = m_levels->rowCount();
        m_levels->insertRow(row);
        m_levels->setItem(row, 0, new QTableWidgetItem(QuasiIdentifiers::title(h.column())));
        m_levels->setItem(row, 1, new QTableWidgetItem());
        auto *pin = new QComboBox(m_levels);
        pin->setObjectName(u"pin_"_s + h.column());
        for (int level = h.height(); level >= 0; --level)
            pin->addItem(level == h.height() ? tr("%1 (no pin)").arg(h.levelName(level)) : h.levelName(level), level);
        connect(pin, &QComboBox::currentIndexChanged, this, &ExportDialog::schedulePreview);
        m_levels->setCellWidget(row, 2, pin);
        m_pins.append(pin);
        m_levelColumns.append(h.column());
    }
    m_gateSummary = new QLabel(previewBox);
    m_gateSummary->setObjectName(u"gateSummary"_s);
    m_gateSummary->setWordWrap(true);
    m_blocking = new QLabel(previewBox);
    m_blocking->setObjectName(u"blocking"_s);
    m_blocking->setWordWrap(true);
    m_blocking->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->addWidget(m_summary);
    previewLayout->addWidget(m_reasons);
    previewLayout->addWidget(m_gateSummary);
    previewLayout->addWidget(m_levels);
    previewLayout->addWidget(m_blocking);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"exportProgress"_s);
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setObjectName(u"exportStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_export = m_buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_export->setObjectName(u"exportButton"_s);
    m_cancel = m_buttons->addButton(tr("Cancel Export"), QDialogButtonBox::ActionRole);
    m_cancel->setVisible(false);
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(m_cancel, &QPushButton::clicked, this, &ExportDialog::cancelExport);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(where);
    layout->addWidget(gate);
    layout->addWidget(previewBox, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    resize(680, 820);

    // The preview follows the gate's options, a moment after the last change.
    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(250);
    connect(m_previewTimer, &QTimer::timeout, this, &ExportDialog::startPreview);
    connect(m_k, &QSpinBox::valueChanged, this, &ExportDialog::schedulePreview);
    connect(m_minRaters, &QSpinBox::valueChanged, this, &ExportDialog::schedulePreview);
    connect(m_l, &QSpinBox::valueChanged, this, &ExportDialog::schedulePreview);
    connect(m_suppressionLimit, &QDoubleSpinBox::valueChanged, this, &ExportDialog::schedulePreview);
    connect(&m_previewWatcher, &QFutureWatcherBase::finished, this, &ExportDialog::showPreview);
    connect(&m_exportWatcher, &QFutureWatcherBase::finished, this, &ExportDialog::exportDone);
    connect(m_path, &QLineEdit::textChanged, this, &ExportDialog::updateButtons);
    connect(m_consensus, &QRadioButton::toggled, this, &ExportDialog::updateButtons);
    startPreview();
    updateButtons();
}

ExportDialog::~ExportDialog()
{
    m_cancelRequested = true;
    m_previewWatcher.waitForFinished();
    m_exportWatcher.waitForFinished();
}

BundleExportOptions ExportDialog::options() const
{
    BundleExportOptions o;
    o.outPath = m_path->text().trimmed();
    o.zip = m_zip->isChecked();
    o.overwrite = m_overwrite->isChecked();
    o.labels = m_raters->isChecked() ? BundleExportOptions::Labels::Raters : BundleExportOptions::Labels::Consensus;
    o.maskMethod = BundleExportOptions::MaskMethod(m_maskMethod->currentData().toInt());
    o.release.k = m_k->value();
    o.release.minRaters = m_minRaters->value();
    o.release.l = m_l->value();
    o.release.suppressionLimit = m_suppressionLimit->value() / 100.0;
    for (qsizetype i = 0; i < m_pins.size(); ++i) {
        const int level = m_pins.at(i)->currentData().toInt();
        if (m_pins.at(i)->currentIndex() > 0)
            o.release.maxLevel.insert(m_levelColumns.at(i), level);
    }
    o.redaction = Redactor::Mode(m_redaction->currentData().toInt());
    o.publicIds = m_publicIds->isChecked();
    return o;
}

void ExportDialog::setOutputPath(const QString &path)
{
    m_path->setText(path);
}

void ExportDialog::browse()
{
    const QString path = m_zip->isChecked()
        ? QFileDialog::getSaveFileName(this, tr("Export to Zip Archive"), m_path->text(), tr("Zip archives (*.zip)"))
        : QFileDialog::getSaveFileName(this, tr("Export to Folder"), m_path->text(), {}, nullptr,
                                       QFileDialog::ShowDirsOnly);
    if (!path.isEmpty())
        m_path->setText(QDir::toNativeSeparators(path));
}

void ExportDialog::schedulePreview()
{
    m_previewTimer->start();
}

void ExportDialog::startPreview()
{
    if (m_previewWatcher.isRunning()) {
        m_previewAgain = true; // the options changed while it ran
        return;
    }
    m_summary->setText(tr("Checking the store…"));
    const ReleaseOptions options = this->options().release;
    Store *store = &m_store;
    const User actor = m_actor;
    m_previewWatcher.setFuture(QtConcurrent::run([store, actor, options] {
        return guarded(
            [&] {
                PreviewResult result;
                result.plan = BundleExporter(*store, actor).preview(options, &result.error);
                return result;
            },
            [](const QString &message) { return PreviewResult { std::nullopt, message }; });
    }));
}

void ExportDialog::showPreview()
{
    if (m_previewAgain) {
        m_previewAgain = false;
        startPreview();
        return;
    }
    const PreviewResult result = m_previewWatcher.result();
    m_plan = result.plan;
    m_reasons->setRowCount(0);
    if (!m_plan) {
        m_gateSummary->clear();
        m_blocking->clear();
        m_summary->setText(tr("The store could not be checked: %1").arg(result.error));
        updateButtons();
        emit previewUpdated();
        return;
    }
    m_summary->setText(tr("%1 of %2 labelled images will be exported; %3 are held back.")
                           .arg(m_plan->released)
                           .arg(m_plan->decisions.size())
                           .arg(m_plan->heldBack));
    for (HoldReason reason : ReleaseGate::allReasons()) {
        const int count = m_plan->countByReason.value(reason);
        if (count == 0)
            continue;
        const int row = m_reasons->rowCount();
        m_reasons->insertRow(row);
        m_reasons->setItem(row, 0, new QTableWidgetItem(ReleaseGate::reasonText(reason)));
        auto *number = new QTableWidgetItem(QString::number(count));
        number->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_reasons->setItem(row, 1, number);
    }
    showGeneralisation();
    updateButtons();
    emit previewUpdated();
}

void ExportDialog::showGeneralisation()
{
    for (int row = 0; row < m_levels->rowCount(); ++row)
        m_levels->item(row, 1)->setText(QString());
    if (!m_plan->generalised) {
        m_gateSummary->setText(tr("k = 1: values are released as they are and nobody is held back for them."));
        m_blocking->clear();
        return;
    }
    const AnonymityResult &a = m_plan->anonymity;
    const int passing = m_plan->candidatesForGate;
    const int released = passing - m_plan->countByReason.value(HoldReason::KAnonymity)
        - m_plan->countByReason.value(HoldReason::LDiversity);
    QString summary = tr("Of %1 images that pass the other checks, %2 are released (%3 of %4 people); "
                         "information loss %5.")
                          .arg(passing)
                          .arg(released)
                          .arg(a.released.size())
                          .arg(a.people)
                          .arg(a.chosen.loss, 0, 'f', 3);
    if (!a.chosen.withinLimit)
        summary += u' '
            + tr("No generalisation keeps within the suppression limit: %1 people are held back.").arg(a.suppressed.size());
    m_gateSummary->setText(summary);
    for (const ColumnChoice &c : a.columns) {
        const qsizetype row = m_levelColumns.indexOf(c.column);
        if (row >= 0)
            m_levels->item(int(row), 1)->setText(c.levelName);
    }
    m_blocking->setText(a.blocking.join(u'\n'));
}

void ExportDialog::updateButtons()
{
    const bool exporting = m_exportWatcher.isRunning();
    m_export->setEnabled(!exporting && !m_path->text().trimmed().isEmpty() && m_plan && m_plan->released > 0);
    m_cancel->setVisible(exporting);
    m_progress->setVisible(exporting);
    for (QWidget *w : std::initializer_list<QWidget *> {m_path, m_zip, m_overwrite, m_consensus, m_raters, m_k,
                                                          m_minRaters, m_l, m_suppressionLimit, m_levels,
                                                          m_redaction, m_publicIds})
        w->setEnabled(!exporting);
    m_maskMethod->setEnabled(!exporting && m_consensus->isChecked());
}

void ExportDialog::startExport()
{
    if (m_exportWatcher.isRunning())
        return;
    const BundleExportOptions options = this->options();
    if (options.outPath.isEmpty())
        return;
    // Replace only a previous bundle or an empty folder (the exporter checks again).
    QString refusal;
    if (options.overwrite && !BundleWriter::isReplaceable(options.outPath, &refusal)) {
        m_status->setText(refusal);
        return;
    }
    m_cancelRequested = false;
    m_progress->setRange(0, 0);
    m_status->setText(tr("Exporting…"));
    Store *store = &m_store;
    const User actor = m_actor;
    m_exportWatcher.setFuture(QtConcurrent::run([store, actor, options, this] {
        return guarded(
            [&] {
                return BundleExporter(*store, actor).run(options, [this](int done, int total) {
                    QMetaObject::invokeMethod(
                        this,
                        [this, done, total] {
                            m_progress->setRange(0, total);
                            m_progress->setValue(done);
                        },
                        Qt::QueuedConnection);
                    return !m_cancelRequested.load();
                });
            },
            [](const QString &message) {
                BundleExportReport failed;
                failed.error = message;
                return failed;
            });
    }));
    updateButtons();
}

void ExportDialog::cancelExport()
{
    m_cancelRequested = true;
    m_status->setText(tr("Cancelling…"));
}

void ExportDialog::exportDone()
{
    const BundleExportReport report = m_exportWatcher.result();
    if (report.ok) {
        m_status->setText(tr("Wrote %1: %2 images, %3 masks, %4 COCO annotations; %5 images held back (see "
                             "release_report.json).")
                              .arg(QDir::toNativeSeparators(report.outPath))
                              .arg(report.images)
                              .arg(report.masks)
                              .arg(report.annotations)
                              .arg(report.plan.heldBack));
    } else if (report.cancelled) {
        m_status->setText(tr("Export cancelled; nothing was written."));
    } else {
        m_status->setText(tr("The export failed: %1").arg(report.error));
    }
    updateButtons();
    emit exportFinished(report);
}

void ExportDialog::reject()
{
    if (m_exportWatcher.isRunning()) {
        if (QMessageBox::question(this, tr("Export Running"), tr("Cancel the export and close?"))
            != QMessageBox::Yes)
            return;
        cancelExport();
        m_exportWatcher.waitForFinished();
    }
    QDialog::reject();
}

} // namespace dl
