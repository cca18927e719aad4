// SPDX-License-Identifier: GPL-3.0-or-later
// dermlabel-cli export and faces.
#include "Cli.h"

#include "import/ImportService.h"
#include "release/BundleExporter.h"
#include "release/FaceCheck.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Cli", text);
}

static void printPlan(QTextStream &out, const ReleasePlan &plan)
{
    out << tr("Release gate (k = %1, at least %2 raters): %3 of %4 labelled images released, %5 held back.\n")
               .arg(plan.options.k)
               .arg(plan.options.minRaters)
               .arg(plan.released)
               .arg(plan.decisions.size())
               .arg(plan.heldBack);
    for (HoldReason reason : ReleaseGate::allReasons()) {
        if (const int n = plan.countByReason.value(reason))
            out << tr("  %1: %2\n").arg(ReleaseGate::reasonText(reason)).arg(n);
    }
}

int Cli::exportCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"out"_s, tr("The bundle to write: a folder, or a .zip file with --zip."), tr("PATH")});
    parser.addOption({u"zip"_s, tr("Write one .zip file instead of a folder.")});
    parser.addOption({u"source"_s, tr("Labels to export: consensus (default) or raters (every rater, pseudonymised)."),
                      tr("consensus|raters"), u"consensus"_s});
    parser.addOption({u"k"_s, tr("Hold back records whose quasi-identifiers occur fewer than N times (default 5; 1 "
                                 "turns the check off)."),
                      tr("N"), u"5"_s});
    parser.addOption({u"min-raters"_s, tr("Hold back images labelled by fewer than N raters (default 2)."), tr("N"),
                      u"2"_s});
    parser.addOption({u"redaction"_s, tr("How identifying regions are burned in: fill (default) or blur."),
                      tr("fill|blur"), u"fill"_s});
    parser.addOption({u"public-ids"_s, tr("Export the datasets' own case ids where the source marks them public.")});
    parser.addOption({u"overwrite"_s, tr("Replace a previous bundle (or an empty folder) at --out; anything else "
                                         "there is refused and left as it is.")});
    parser.addOption({u"rater-seed"_s, tr("Number the raters with this seed (0 to 4294967295) instead of a random "
                                          "one; the seed used is in release_report.json."),
                      tr("N")});
    parser.addOption({u"preview"_s, tr("Only show what the release gate would hold back; write nothing.")});
    int exitCode = Ok;
    if (!parse(parser, args, u"export"_s,
               tr("Export a de-identified label bundle: images without metadata (identifying regions burned in), "
                  "masks, COCO, LabelMe, consensus.csv, ratings.csv, a release report and a manifest with "
                  "SHA-256 checksums."),
               true, &exitCode))
        return exitCode;
    BundleExportOptions options;
    bool ok = false;
    options.release.k = parser.value(u"k"_s).toInt(&ok);
    if (!ok || options.release.k < 1)
        return usageError(tr("export: --k takes a whole number, 1 or more."));
    options.release.minRaters = parser.value(u"min-raters"_s).toInt(&ok);
    if (!ok || options.release.minRaters < 0)
        return usageError(tr("export: --min-raters takes a whole number."));
    const QString source = parser.value(u"source"_s);
    if (source != u"consensus"_s && source != u"raters"_s)
        return usageError(tr("export: --source takes consensus or raters."));
    options.labels = source == u"raters"_s ? BundleExportOptions::Labels::Raters : BundleExportOptions::Labels::Consensus;
    const QString redaction = parser.value(u"redaction"_s);
    if (redaction != u"fill"_s && redaction != u"blur"_s)
        return usageError(tr("export: --redaction takes fill or blur."));
    options.redaction = redaction == u"blur"_s ? Redactor::Mode::Blur : Redactor::Mode::Fill;
    options.zip = parser.isSet(u"zip"_s);
    options.overwrite = parser.isSet(u"overwrite"_s);
    options.publicIds = parser.isSet(u"public-ids"_s);
    if (parser.isSet(u"rater-seed"_s)) {
        const uint seed = parser.value(u"rater-seed"_s).toUInt(&ok);
        if (!ok)
            return usageError(tr("export: --rater-seed takes a whole number from 0 to 4294967295."));
        options.raterSeed = quint32(seed);
    }
    options.outPath = parser.value(u"out"_s);
    const bool preview = parser.isSet(u"preview"_s);
    if (options.outPath.isEmpty() && !preview)
        return usageError(tr("export: --out PATH is required."));

    const std::unique_ptr<Store> store = openStore(parser, false, false);
    if (!store)
        return Failed;
    BundleExporter exporter(*store, operatorUser());
    if (preview) {
        QString error;
        const auto plan = exporter.preview(options.release, &error);
        if (!plan)
            return failure(error);
        if (json())
            printJson(plan->toJson());
        else
            printPlan(out(), *plan);
        return Ok;
    }
    installInterruptHandler();
    const BundleExportReport report = exporter.run(options, [this](int done, int total) {
        progress({ImportProgress::Phase::Images, done, total, {}});
        return !interrupted().load();
    });
    endProgress();
    if (json())
        printJson(report.toJson());
    if (!report.ok)
        return json() ? int(Failed) : failure(report.error);
    if (!json()) {
        out() << tr("Wrote %1: %2 images, %3 masks, %4 COCO annotations (%5 images redacted).\n")
                     .arg(QDir::toNativeSeparators(report.outPath))
                     .arg(report.images)
                     .arg(report.masks)
                     .arg(report.annotations)
                     .arg(report.redacted);
        out() << tr("Raters numbered with seed %1.\n").arg(report.raterSeed);
        for (const QString &note : report.notes)
            out() << note << u'\n';
        printPlan(out(), report.plan);
    }
    return Ok;
}

int Cli::facesCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"pending"_s, tr("Check only the images still waiting for the check (an import that was "
                                       "stopped before its face check finished).")});
    int exitCode = Ok;
    if (!parse(parser, args, u"faces"_s,
               tr("Run the frontal-face check over every image and flag possible faces for suitability review "
                  "(an open flag holds the image back from export until a QA lead confirms or dismisses it)."),
               true, &exitCode))
        return exitCode;
    const std::unique_ptr<Store> store = openStore(parser, false, true);
    if (!store)
        return Failed;
    installInterruptHandler();
    FaceCheck check(*store, operatorUser());
    QString error;
    const auto report = [this](int done, int total) {
        progress({ImportProgress::Phase::Faces, done, total, {}});
        return !interrupted().load();
    };
    const auto summary = parser.isSet(u"pending"_s) ? check.runPending(&error, report) : check.run(&error, report);
    endProgress();
    if (!summary)
        return failure(error);
    if (json()) {
        printJson({{u"checked"_s, summary->checked},
                   {u"flagged"_s, summary->flagged},
                   {u"new_flags"_s, summary->newFlags}});
    } else {
        out() << tr("Checked %1 images: %2 with a possible face (%3 new flags).\n")
                     .arg(summary->checked)
                     .arg(summary->flagged)
                     .arg(summary->newFlags);
    }
    return Ok;
}

} // namespace dl
