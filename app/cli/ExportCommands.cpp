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
    out << tr("Release gate (k = %1 people, l = %2 conditions, at least %3 raters): %4 of %5 labelled images "
              "released, %6 held back.\n")
               .arg(plan.options.k)
               .arg(plan.options.l)
               .arg(plan.options.minRaters)
               .arg(plan.released)
               .arg(plan.decisions.size())
               .arg(plan.heldBack);
    for (HoldReason reason : ReleaseGate::allReasons()) {
        if (const int n = plan.countByReason.value(reason))
            out << tr("  %1: %2\n").arg(ReleaseGate::reasonText(reason)).arg(n);
    }
    if (!plan.generalised)
        return;
    const AnonymityResult &a = plan.anonymity;
    const int passing = plan.candidatesForGate;
    const int releasedOfPassing = passing - plan.countByReason.value(HoldReason::KAnonymity)
        - plan.countByReason.value(HoldReason::LDiversity);
    out << tr("Of the %1 images that pass every other check, %2 are released (%3 %); %4 of %5 people held back "
              "(limit %6).\n")
               .arg(passing)
               .arg(releasedOfPassing)
               .arg(passing ? 100.0 * releasedOfPassing / passing : 0.0, 0, 'f', 1)
               .arg(a.suppressed.size())
               .arg(a.people)
               .arg(a.allowedSuppressed);
    out << tr("Generalisation (lattice of %1 nodes, information loss %2):\n").arg(a.nodes).arg(a.chosen.loss, 0, 'f', 3);
    for (const ColumnChoice &c : a.columns) {
        out << tr("  %1: %2 (level %3 of %4%5)\n")
                   .arg(QuasiIdentifiers::title(c.column), c.levelName)
                   .arg(c.level)
                   .arg(c.height)
                   .arg(c.maxLevel < c.height ? tr(", pinned at most %1").arg(c.maxLevel) : QString());
    }
    if (!a.chosen.withinLimit)
        out << tr("No generalisation keeps within the suppression limit; the one holding back the fewest people "
                  "was taken.\n");
    for (const QString &sentence : a.blocking)
        out << u"  "_s << sentence << u'\n';
}

/// "column=value" options: column -> value; false and *error on a malformed one.
static bool columnValues(const QStringList &items, const QString &option, QHash<QString, QString> *out, QString *error)
{
    for (const QString &item : items) {
        const qsizetype eq = item.indexOf(u'=');
        if (eq <= 0 || eq == item.size() - 1) {
            *error = tr("export: %1 takes COLUMN=VALUE, not \"%2\".").arg(option, item);
            return false;
        }
        out->insert(item.left(eq).trimmed(), item.mid(eq + 1).trimmed());
    }
    return true;
}

int Cli::exportCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"out"_s, tr("The bundle to write: a folder, or a .zip file with --zip."), tr("PATH")});
    parser.addOption({u"zip"_s, tr("Write one .zip file instead of a folder.")});
    parser.addOption({u"source"_s, tr("Labels to export: consensus (default) or raters (every rater, pseudonymised)."),
                      tr("consensus|raters"), u"consensus"_s});
    parser.addOption({u"mask-consensus"_s, tr("Consensus masks by majority vote (default) or by STAPLE (each rater "
                                              "weighed by their estimated sensitivity and specificity)."),
                      tr("majority|staple"), u"majority"_s});
    parser.addOption({u"staple-threshold"_s, tr("With STAPLE: the posterior a pixel needs to be in the mask (default "
                                                "0.5)."),
                      tr("P"), u"0.5"_s});
    parser.addOption({u"staple-probabilities"_s, tr("With STAPLE: also write each region's posterior as an 8-bit PNG "
                                                    "(probabilities/<image_id>/<condition>.png).")});
    parser.addOption({u"k"_s, tr("Generalise the quasi-identifiers, then hold back people whose generalised values "
                                 "and condition fewer than N people share (default 5; 1 turns generalisation and "
                                 "suppression off)."),
                      tr("N"), u"5"_s});
    parser.addOption({u"l"_s, tr("Every released group of people with the same demographics holds at least N distinct "
                                 "conditions (default 2; 1 turns it off)."),
                      tr("N"), u"2"_s});
    parser.addOption({u"suppression-limit"_s, tr("Hold back at most this percentage of people (default 5)."),
                      tr("PERCENT"), u"5"_s});
    parser.addOption({u"quasi-identifiers"_s,
                      tr("The demographic quasi-identifiers, comma-separated (default "
                         "age_group,sex_at_birth,skin_type,body_site,country; also condition_duration)."),
                      tr("LIST")});
    parser.addOption({u"hierarchy"_s, tr("Use this CSV as the hierarchy of COLUMN instead of the shipped one "
                                         "(repeatable)."),
                      tr("COLUMN=PATH")});
    parser.addOption({u"max-level"_s, tr("Never generalise COLUMN beyond level N (repeatable), e.g. age_group=1."),
                      tr("COLUMN=N")});
    parser.addOption({u"generalise-condition"_s,
                      tr("Allow the condition to be generalised to its taxonomy group (consensus.csv, COCO, "
                         "LabelMe, mask names and ratings.csv then carry the group).")});

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
    options.release.l = parser.value(u"l"_s).toInt(&ok);
    if (!ok || options.release.l < 1)
        return usageError(tr("export: --l takes a whole number, 1 or more."));
    const double limit = parser.value(u"suppression-limit"_s).toDouble(&ok);
    if (!ok || limit < 0 || limit > 100)
        return usageError(tr("export: --suppression-limit takes a percentage from 0 to 100."));
    options.release.suppressionLimit = limit / 100.0;
    if (parser.isSet(u"quasi-identifiers"_s)) {
        options.release.quasiIdentifiers.clear();
        for (const QString &id : parser.value(u"quasi-identifiers"_s).split(u',', Qt::SkipEmptyParts)) {
            if (!QuasiIdentifiers::isDemographic(id.trimmed()))
                return usageError(tr("export: --quasi-identifiers: \"%1\" is not one of %2.")
                                      .arg(id.trimmed(), QuasiIdentifiers::demographic().join(u", "_s)));
            options.release.quasiIdentifiers.append(id.trimmed());
        }
    }
    options.release.generaliseCondition = parser.isSet(u"generalise-condition"_s);
    QString optionError;
    QHash<QString, QString> pinned;
    if (!columnValues(parser.values(u"hierarchy"_s), u"--hierarchy"_s, &options.release.hierarchyFiles, &optionError)
        || !columnValues(parser.values(u"max-level"_s), u"--max-level"_s, &pinned, &optionError))
        return usageError(optionError);
    for (auto it = pinned.cbegin(); it != pinned.cend(); ++it) {
        const int level = it.value().toInt(&ok);
        if (!ok || level < 0)
            return usageError(tr("export: --max-level %1 takes a level, 0 or more.").arg(it.key()));
        options.release.maxLevel.insert(it.key(), level);
    }
    options.release.minRaters = parser.value(u"min-raters"_s).toInt(&ok);
    if (!ok || options.release.minRaters < 0)
        return usageError(tr("export: --min-raters takes a whole number."));
    const QString source = parser.value(u"source"_s);
    if (source != u"consensus"_s && source != u"raters"_s)
        return usageError(tr("export: --source takes consensus or raters."));
    options.labels = source == u"raters"_s ? BundleExportOptions::Labels::Raters : BundleExportOptions::Labels::Consensus;
    const QString method = parser.value(u"mask-consensus"_s);
    if (method != u"majority"_s && method != u"staple"_s)
        return usageError(tr("export: --mask-consensus takes majority or staple."));
    options.maskMethod = method == u"staple"_s ? BundleExportOptions::MaskMethod::Staple
                                                : BundleExportOptions::MaskMethod::Majority;
    options.stapleThreshold = parser.value(u"staple-threshold"_s).toDouble(&ok);
    if (!ok || !(options.stapleThreshold > 0.0 && options.stapleThreshold <= 1.0))
        return usageError(tr("export: --staple-threshold takes a number above 0 and at most 1."));
    options.stapleProbabilities = parser.isSet(u"staple-probabilities"_s);
    if (options.maskMethod != BundleExportOptions::MaskMethod::Staple
        && (parser.isSet(u"staple-threshold"_s) || options.stapleProbabilities))
        return usageError(tr("export: --staple-threshold and --staple-probabilities go with --mask-consensus staple."));
    if (options.maskMethod == BundleExportOptions::MaskMethod::Staple && options.labels != BundleExportOptions::Labels::Consensus)
        return usageError(tr("export: --mask-consensus staple goes with --source consensus."));
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
