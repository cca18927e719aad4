// SPDX-License-Identifier: GPL-3.0-or-later
// The admin's Export dialog on a small demo store: the release gate preview follows the
// options, the export runs off the UI thread and writes a bundle, Cancel leaves nothing.
#include "annotation/AssignmentService.h"
#include "demo/DemoDataset.h"
#include "demo/DemoRatings.h"
#include "export/BundleVerifier.h"
#include "export/ExportDialog.h"
#include "import/ImportService.h"
#include "release/BundleExporter.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestExportDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void previewFollowsTheGate();
    void gateSectionShowsLevelsAndPins();
    void exportWritesABundle();
    void cancelLeavesNothing();
    void overwriteReplacesOnlyABundle();
    void maskConsensusChoice();
    void outputLabelIsAMnemonic();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
    User m_admin;
};

void TestExportDialog::initTestCase()
{
    QString error;
    DemoOptions demo;
    demo.images = 12;
    demo.size = QSize(320, 240);
    const QString layout = m_dir.filePath(u"layout"_s);
    QVERIFY2(DemoDataset::writeScinLayout(layout, demo, &error), qPrintable(error));
    m_store = Store::open(m_dir.filePath(u"e.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(m_store, qPrintable(error));
    ImportService import(*m_store);
    const auto plan = ImportService::plan(ImportKind::Scin, layout, &error);
    QVERIFY2(plan, qPrintable(error));
    QCOMPARE(import.run(*plan, {}).imported, 12);
    UserRepository users(m_store->db());
    m_admin = users.findById(users.add(u"admin"_s, {}, Role::Admin, u"password"_s, &error, 1), &error).value();
    for (const QString &name : {u"dr.a"_s, u"dr.b"_s, u"dr.c"_s})
        QVERIFY(users.add(name, {}, Role::Annotator, u"password"_s, &error, 1) > 0);
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 3, &error));
    QCOMPARE(DemoRatings::simulate(*m_store, {1.0, 7}, &error), 36);
}

void TestExportDialog::previewFollowsTheGate()
{
    ExportDialog dialog(*m_store, m_admin);
    dialog.show();
    QSignalSpy updated(&dialog, &ExportDialog::previewUpdated);
    QVERIFY(updated.wait(10000));
    QVERIFY(dialog.preview());
    const int strictReleased = dialog.preview()->released;
    // k = 5 on 12 images with fine-grained quasi-identifiers: most are held back, and the table says why.
    auto *reasons = dialog.findChild<QTableWidget *>(u"heldBackReasons"_s);
    QVERIFY(reasons->rowCount() >= 1);
    dialog.findChild<QSpinBox *>(u"k"_s)->setValue(1);
    QVERIFY(updated.wait(10000));
    QVERIFY(dialog.preview()->released >= strictReleased);
    QCOMPARE(dialog.preview()->options.k, 1);
    QVERIFY(dialog.findChild<QLabel *>(u"previewSummary"_s)->text().contains(QString::number(dialog.preview()->released)));
    // Export is possible only with a path and something to export.
    auto *exportButton = dialog.findChild<QPushButton *>(u"exportButton"_s);
    QVERIFY(!exportButton->isEnabled());
    dialog.setOutputPath(m_dir.filePath(u"out"_s));
    QCOMPARE(exportButton->isEnabled(), dialog.preview()->released > 0);
}

void TestExportDialog::gateSectionShowsLevelsAndPins()
{
    ExportDialog dialog(*m_store, m_admin);
    dialog.show();
    QSignalSpy updated(&dialog, &ExportDialog::previewUpdated);
    QVERIFY(updated.wait(10000));
    QVERIFY(dialog.preview() && dialog.preview()->generalised);
    // One row per demographic quasi-identifier, each showing the level the gate chose.
    auto *levels = dialog.findChild<QTableWidget *>(u"quasiIdentifierLevels"_s);
    QCOMPARE(levels->rowCount(), 5);
    const AnonymityResult &a = dialog.preview()->anonymity;
    QCOMPARE(levels->item(0, 1)->text(), a.columns.at(0).levelName);
    QVERIFY(dialog.findChild<QLabel *>(u"gateSummary"_s)->text().contains(QString::number(a.people)));
    QCOMPARE(dialog.findChild<QLabel *>(u"blocking"_s)->text(), a.blocking.join(u'\n'));

    // Pin age to its values: the next preview searches only that part of the lattice.
    auto *pin = dialog.findChild<QComboBox *>(u"pin_age_group"_s);
    QVERIFY(pin);
    QCOMPARE(pin->currentIndex(), 0); // no pin
    pin->setCurrentIndex(pin->count() - 1); // level 0, the values themselves
    QVERIFY(updated.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isBusy(), 10000);
    QCOMPARE(dialog.preview()->options.maxLevel.value(u"age_group"_s, -1), 0);
    QCOMPARE(dialog.preview()->anonymity.levelOf(u"age_group"_s), 0);
    QCOMPARE(levels->item(0, 1)->text(), u"as recorded"_s);
    QCOMPARE(dialog.options().release.maxLevel.value(u"age_group"_s, -1), 0);

    // l and the suppression limit reach the gate.
    dialog.findChild<QSpinBox *>(u"l"_s)->setValue(1);
    dialog.findChild<QDoubleSpinBox *>(u"suppressionLimit"_s)->setValue(50);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.preview() && dialog.preview()->options.l == 1
                                 && qFuzzyCompare(dialog.preview()->options.suppressionLimit, 0.5) && !dialog.isBusy(),
                             10000);
}

void TestExportDialog::maskConsensusChoice()
{
    ExportDialog dialog(*m_store, m_admin);
    auto *method = dialog.findChild<QComboBox *>(u"maskConsensus"_s);
    QVERIFY(method);
    QCOMPARE(dialog.options().maskMethod, BundleExportOptions::MaskMethod::Majority); // the default
    method->setCurrentIndex(method->findData(int(BundleExportOptions::MaskMethod::Staple)));
    QCOMPARE(dialog.options().maskMethod, BundleExportOptions::MaskMethod::Staple);
    QVERIFY(method->isEnabled());
    // Only consensus bundles have consensus masks.
    QRadioButton *raters = nullptr;
    for (QRadioButton *button : dialog.findChildren<QRadioButton *>()) {
        if (button->text().contains(u"rater"_s))
            raters = button;
    }
    QVERIFY(raters);
    raters->setChecked(true);
    QVERIFY(!method->isEnabled());
}

void TestExportDialog::outputLabelIsAMnemonic()
{
    // "&Output:" names the path field as its buddy, so Alt+O reaches it and no "&" is shown.
    ExportDialog dialog(*m_store, m_admin);
    QLabel *output = nullptr;
    for (QLabel *label : dialog.findChildren<QLabel *>()) {
        if (label->text() == u"&Output:"_s)
            output = label;
    }
    QVERIFY(output);
    QCOMPARE(output->buddy(), dialog.findChild<QLineEdit *>(u"outputPath"_s));
}

void TestExportDialog::exportWritesABundle()
{
    ExportDialog dialog(*m_store, m_admin);
    dialog.show();
    QSignalSpy updated(&dialog, &ExportDialog::previewUpdated);
    dialog.findChild<QSpinBox *>(u"k"_s)->setValue(1);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.preview() && dialog.preview()->options.k == 1 && !dialog.isBusy(), 10000);
    const QString out = m_dir.filePath(u"bundle"_s);
    dialog.setOutputPath(out);
    QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
    dialog.findChild<QPushButton *>(u"exportButton"_s)->click();
    QVERIFY(dialog.isBusy());
    QVERIFY(finished.wait(30000));
    const auto report = finished.first().first().value<BundleExportReport>();
    QVERIFY2(report.ok, qPrintable(report.error));
    QCOMPARE(report.images, dialog.preview()->released);
    QVERIFY(BundleVerifier::verify(out).ok());
    QVERIFY(dialog.findChild<QLabel *>(u"exportStatus"_s)->text().contains(u"Wrote"_s));
}

void TestExportDialog::cancelLeavesNothing()
{
    ExportDialog dialog(*m_store, m_admin);
    dialog.findChild<QSpinBox *>(u"k"_s)->setValue(1);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.preview() && dialog.preview()->options.k == 1 && !dialog.isBusy(), 10000);
    const QString out = m_dir.filePath(u"cancelled"_s);
    dialog.setOutputPath(out);
    QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
    dialog.startExport();
    dialog.cancelExport();
    QVERIFY(finished.wait(30000));
    const auto report = finished.first().first().value<BundleExportReport>();
    QVERIFY(report.cancelled);
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(QDir(m_dir.path()).entryList({u"cancelled*"_s}, QDir::AllEntries | QDir::Hidden).isEmpty());
}

void TestExportDialog::overwriteReplacesOnlyABundle()
{
    // A folder of someone's files: refused before anything starts, every file still there.
    const QString folder = m_dir.filePath(u"papers"_s);
    QVERIFY(QDir().mkpath(folder));
    QFile paper(folder + u"/thesis.txt"_s);
    QVERIFY(paper.open(QIODevice::WriteOnly));
    paper.write("mine");
    paper.close();
    ExportDialog dialog(*m_store, m_admin);
    dialog.findChild<QSpinBox *>(u"k"_s)->setValue(1);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.preview() && dialog.preview()->options.k == 1 && !dialog.isBusy(), 10000);
    dialog.findChild<QCheckBox *>(u"overwrite"_s)->setChecked(true);
    dialog.setOutputPath(folder);
    QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
    dialog.startExport();
    QVERIFY(!dialog.isBusy());
    QCOMPARE(finished.size(), 0);
    QVERIFY2(dialog.findChild<QLabel *>(u"exportStatus"_s)->text().contains(u"not a bundle written by DermLabel"_s),
             qPrintable(dialog.findChild<QLabel *>(u"exportStatus"_s)->text()));
    QCOMPARE(QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
             QStringList {u"thesis.txt"_s});

    // A previous bundle is replaced.
    const QString out = m_dir.filePath(u"replaced"_s);
    BundleExportOptions options;
    options.outPath = out;
    options.release.k = 1;
    QVERIFY(BundleExporter(*m_store, m_admin).run(options).ok);
    dialog.setOutputPath(out);
    dialog.startExport();
    QVERIFY(finished.wait(30000));
    const auto report = finished.first().first().value<BundleExportReport>();
    QVERIFY2(report.ok, qPrintable(report.error));
    QVERIFY(BundleVerifier::verify(out).ok());
}

QTEST_MAIN(TestExportDialog)
#include "tst_exportdialog.moc"
