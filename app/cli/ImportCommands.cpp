// SPDX-License-Identifier: GPL-3.0-or-later
// dermlabel-cli import and demo.
#include "Cli.h"

#include "annotation/AssignmentService.h"
#include "demo/DemoDataset.h"
#include "demo/DemoRatings.h"
#include "import/ImportService.h"
#include "interchange/InterchangeImporter.h"
#include "store/Store.h"
#include "users/UserService.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Cli", text);
}

static void printIssues(QTextStream &out, const QString &title, const QList<FileIssue> &issues)
{
    if (issues.isEmpty())
        return;
    out << title << u'\n';
    for (const FileIssue &issue : issues.mid(0, 50))
        out << u"  "_s << QDir::toNativeSeparators(issue.path) << u": "_s << issue.message << u'\n';
    if (issues.size() > 50)
        out << tr("  ... and %1 more (use --json for the full list)\n").arg(issues.size() - 50);
}

static void printInterchangeIssues(QTextStream &out, const QString &title, const QList<InterchangeIssue> &issues,
                                   bool skipped)
{
    QList<InterchangeIssue> chosen;
    for (const InterchangeIssue &issue : issues) {
        if (issue.skipped == skipped)
            chosen.append(issue);
    }
    if (chosen.isEmpty())
        return;
    out << title << u'\n';
    for (const InterchangeIssue &issue : chosen.mid(0, 50))
        out << u"  "_s << QDir::toNativeSeparators(issue.file) << u": "_s << issue.message << u'\n';
    if (chosen.size() > 50)
        out << tr("  ... and %1 more (use --json for the full list)\n").arg(chosen.size() - 50);
}

/// import --labelme DIR --as NAME, import --coco FILE --images DIR --as NAME.
static int importInterchange(Cli &cli, const QCommandLineParser &parser)
{
    InterchangeRequest request;
    const bool coco = parser.isSet(u"coco"_s);
    request.format = coco ? InterchangeFormat::Coco : InterchangeFormat::LabelMe;
    request.source = parser.value(coco ? u"coco"_s : u"labelme"_s);
    request.imagesDir = parser.value(u"images"_s);
    request.rater = parser.value(u"as"_s);
    if (request.rater.trimmed().isEmpty())
        return cli.usageError(coco ? tr("import --coco: --as NAME (the rater the labels belong to) is required.")
                                   : tr("import --labelme: --as NAME (the rater the labels belong to) is required."));
    if (coco && request.imagesDir.isEmpty())
        return cli.usageError(tr("import --coco: --images DIR (the folder the file_name entries are under) is required."));
    if (!coco && parser.isSet(u"images"_s))
        return cli.usageError(tr("import: --images goes with --coco only."));

    auto store = cli.openStore(parser, false, true);
    if (!store)
        return Cli::Failed;
    Cli::installInterruptHandler();
    InterchangeImporter importer(*store, Cli::operatorUser());
    const InterchangeReport report =
        importer.run(request, [&cli](const ImportProgress &p) { cli.progress(p); }, &Cli::interrupted());
    cli.endProgress();
    if (cli.json()) {
        cli.printJson(report.toJson());
    } else if (report.failed()) {
        cli.err() << tr("dermlabel-cli: %1").arg(report.error) << u'\n';
    } else {
        cli.out() << report.summary() << u'\n';
        printInterchangeIssues(cli.out(), tr("Skipped:"), report.issues, true);
        printInterchangeIssues(cli.out(), tr("Warnings:"), report.issues, false);
        if (report.exitCode() == Cli::Failed)
            cli.err() << tr("dermlabel-cli: nothing could be imported.") << u'\n';
    }
    cli.out().flush();
    cli.err().flush();
    return report.exitCode();
}

int Cli::importCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"folder"_s, tr("Import every image under this folder (recursive)."), tr("DIR")});
    parser.addOption({u"scin"_s, tr("Import a SCIN layout (scin_cases.csv, scin_labels.csv, images)."), tr("DIR")});
    parser.addOption({u"passion"_s, tr("Import a PASSION layout (label.csv, PASSION_split.csv, images/)."), tr("DIR")});
    parser.addOption({u"labelme"_s, tr("Import LabelMe JSON files (every *.json under this folder) as a rater's labels."),
                      tr("DIR")});
    parser.addOption({u"coco"_s, tr("Import a COCO segmentation file as a rater's labels (with --images)."), tr("FILE")});
    parser.addOption({u"images"_s, tr("With --coco: the folder the images' file_name entries are under."), tr("DIR")});
    parser.addOption({u"as"_s, tr("With --labelme or --coco: the rater (user name) the labels belong to; created as "
                                  "a disabled dermatologist account if there is none."),
                      tr("NAME")});
    parser.addOption({u"max-megapixels"_s, tr("Reject images larger than this (default 100)."), tr("N"), u"100"_s});
    parser.addOption({u"licence"_s, tr("Licence text of the source (default: read from a LICENSE file)."), tr("TEXT")});
    parser.addOption({u"attribution"_s, tr("Attribution text of the source."), tr("TEXT")});
    int exitCode = Ok;
    if (!parse(parser, args, u"import"_s,
               tr("Import images into a store. Bad files are reported and never stored; running the same import "
                  "again adds nothing new and resumes an interrupted one. With --labelme or --coco, import regions "
                  "drawn elsewhere as the labels and masks of the rater --as NAME, matching images already in the "
                  "store by content (or by a unique file name)."),
               true, &exitCode))
        return exitCode;

    QList<QPair<ImportKind, QString>> kinds;
    if (parser.isSet(u"folder"_s))
        kinds.append({ImportKind::Folder, parser.value(u"folder"_s)});
    if (parser.isSet(u"scin"_s))
        kinds.append({ImportKind::Scin, parser.value(u"scin"_s)});
    if (parser.isSet(u"passion"_s))
        kinds.append({ImportKind::Passion, parser.value(u"passion"_s)});
    const int interchange = (parser.isSet(u"labelme"_s) ? 1 : 0) + (parser.isSet(u"coco"_s) ? 1 : 0);
    if (kinds.size() + interchange != 1)
        return usageError(tr("import: give exactly one of --folder DIR, --scin DIR, --passion DIR, --labelme DIR "
                             "or --coco FILE."));
    if (interchange == 1)
        return importInterchange(*this, parser);
    if (parser.isSet(u"as"_s) || parser.isSet(u"images"_s))
        return usageError(tr("import: --as and --images go with --labelme or --coco only."));
    bool ok = false;
    const double megapixels = parser.value(u"max-megapixels"_s).toDouble(&ok);
    if (!ok || megapixels <= 0)
        return usageError(tr("import: --max-megapixels takes a positive number."));

    auto store = openStore(parser, false, true);
    if (!store)
        return Failed;
    ImportOptions options;
    options.pixelLimit = qint64(megapixels * 1'000'000.0);
    options.licence = parser.value(u"licence"_s);
    options.attribution = parser.value(u"attribution"_s);

    installInterruptHandler();
    ImportService service(*store);
    const ImportReport report = service.importPath(kinds.first().first, kinds.first().second, options,
                                                   [this](const ImportProgress &p) { progress(p); }, &interrupted());
    endProgress();
    if (json()) {
        printJson(report.toJson());
    } else if (report.failed()) {
        err() << tr("dermlabel-cli: %1").arg(report.error) << u'\n';
    } else {
        out() << report.summary() << u'\n';
        printIssues(out(), tr("Rejected:"), report.rejected);
        printIssues(out(), tr("Missing:"), report.missing);
        for (const QString &warning : report.warnings.mid(0, 50))
            out() << tr("Note: %1").arg(warning) << u'\n';
    }
    return report.exitCode();
}

/// The demo users: name, display name, role. All share the demo password.
struct DemoUser
{
    const char16_t *name;
    const char16_t *displayName;
    Role role;
};
static constexpr DemoUser s_demoUsers[] = {
    {u"admin", u"Demo Administrator", Role::Admin},
    {u"qa.lead", u"Dr. Q. Lead (QA)", Role::Qa},
    {u"dr.amara", u"Dr. Amara Okafor", Role::Annotator},
    {u"dr.lee", u"Dr. Lee Chen", Role::Annotator},
    {u"dr.silva", u"Dr. Ana Silva", Role::Annotator},
};

int Cli::demoCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"images"_s, tr("How many synthetic images (default 48)."), tr("N"), u"48"_s});
    parser.addOption({u"seed"_s, tr("Random seed (same seed, same images)."), tr("N"), u"20261125"_s});
    parser.addOption({u"rated"_s,
                      tr("Share of each dermatologist's queue already labelled with simulated labels, 0 to 1 "
                         "(default 0.6)."),
                      tr("SHARE"), u"0.6"_s});
    int exitCode = Ok;
    if (!parse(parser, args, u"demo"_s,
               tr("Create a new store with procedurally generated, clearly synthetic skin images grouped into "
                  "cases with plausible metadata and reference labels, and demo users (password 'dermlabel')."),
               true, &exitCode))
        return exitCode;
    bool ok = false;
    const int count = parser.value(u"images"_s).toInt(&ok);
    if (!ok || count < 1 || count > 100'000)
        return usageError(tr("demo: --images takes a number from 1 to 100000."));
    const quint32 seed = parser.value(u"seed"_s).toUInt(&ok);
    if (!ok)
        return usageError(tr("demo: --seed takes a whole number."));
    const double rated = parser.value(u"rated"_s).toDouble(&ok);
    if (!ok || rated < 0 || rated > 1)
        return usageError(tr("demo: --rated takes a share from 0 to 1."));

    QString error;
    auto store = Store::open(parser.value(u"store"_s), Store::OpenMode::CreateNew, &error);
    if (!store || !store->lockForWriting(&error))
        return failure(error);

    installInterruptHandler();
    QTemporaryDir work;
    if (!work.isValid())
        return failure(tr("Cannot create a temporary folder: %1").arg(work.errorString()));
    DemoOptions demo;
    demo.images = count;
    demo.seed = seed;
    const bool written = DemoDataset::writeScinLayout(work.path(), demo, &error, [this](int done, int total) {
        progress({ImportProgress::Phase::Reading, done, total, {}});
        return !interrupted().load();
    });
    endProgress();
    if (!written)
        return failure(tr("Could not generate the demo images: %1").arg(error));

    ImportOptions options;
    options.licence = tr("Synthetic images generated by DermLabel's demo; they show no real person and may be used freely.");
    options.attribution = tr("DermLabel synthetic demo data");
    ImportService service(*store);
    auto plan = ImportService::plan(ImportKind::Scin, work.path(), &error);
    if (!plan)
        return failure(error);
    plan->name = tr("Synthetic demo");
    const ImportReport report =
        service.run(*plan, options, [this](const ImportProgress &p) { progress(p); }, &interrupted());
    endProgress();
    if (report.exitCode() != Ok)
        return failure(report.failed() ? report.error : report.summary());

    UserService users(*store, operatorUser());
    std::optional<User> admin; // the first demo user
    for (const DemoUser &user : s_demoUsers) {
        const auto added = users.add(QString::fromUtf16(user.name), QString::fromUtf16(user.displayName), user.role,
                                     u"dermlabel"_s, &error, -1, UserService::PasswordRule::DemoAccount);
        if (!added)
            return failure(error);
        if (!admin)
            admin = added;
    }
    // Every image to three of the demo dermatologists, as in SCIN.
    if (!admin || !AssignmentService(*store, *admin).assign({}, AssignmentService::DefaultRatersPerImage, &error))
        return failure(error);
    const int annotations = rated > 0 ? DemoRatings::simulate(*store, {rated, seed}, &error) : 0;
    if (annotations < 0)
        return failure(tr("Could not simulate the demo labels: %1").arg(error));
    if (json()) {
        QJsonObject o = report.toJson();
        o.insert(u"store"_s, store->path());
        o.insert(u"users"_s, qsizetype(std::size(s_demoUsers)));
        o.insert(u"annotations"_s, annotations);
        printJson(o);
    } else {
        out() << tr("Created the demo store %1: %2 images in %3 cases, %4 reference labels.\n"
                    "Demo users (password 'dermlabel'): admin, qa.lead, dr.amara, dr.lee, dr.silva; every image "
                    "is assigned to three dermatologists, and %5 of those assignments carry simulated labels.\n")
                     .arg(store->displayName())
                     .arg(report.imported)
                     .arg(report.cases)
                     .arg(report.referenceLabels)
                     .arg(annotations);
    }
    return Ok;
}

} // namespace dl
