// SPDX-License-Identifier: GPL-3.0-or-later
// The release gate on a demo store as `dermlabel-cli demo --rated 1.0` makes it (small images, so
// that 5,000 are generated quickly; the metadata and labels follow the same seed): how many of
// the images that pass every other check are released with the defaults (k = 5 people, l = 2,
// limit 5 %), the levels chosen, and how long the whole preview and the lattice search take.
//
//     bench_release [--images 5000] [--store PATH]   (an existing store at PATH is reused)
#include "anonymity/Anonymiser.h"
#include "annotation/AssignmentService.h"
#include "demo/DemoDataset.h"
#include "demo/DemoRatings.h"
#include "import/ImportService.h"
#include "release/BundleExporter.h"
#include "release/ExportSource.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

using namespace Qt::StringLiterals;
using namespace dl;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({u"images"_s, u"Demo images (default 5000)."_s, u"N"_s, u"5000"_s});
    parser.addOption({u"store"_s, u"The store to create or reuse."_s, u"PATH"_s});
    parser.process(app);
    QTextStream out(stdout);
    QTemporaryDir work;
    const QString path = parser.isSet(u"store"_s) ? parser.value(u"store"_s) : work.filePath(u"bench.dermlabel"_s);
    QString error;
    std::unique_ptr<Store> store;
    User admin;
    if (QFileInfo::exists(path)) {
        store = Store::open(path, Store::OpenMode::MustExist, &error);
        if (!store) {
            out << error << Qt::endl;
            return 1;
        }
        admin = User::commandLine();
    } else {
        DemoOptions demo;
        demo.images = parser.value(u"images"_s).toInt();
        demo.size = QSize(64, 48);
        const QString layout = work.filePath(u"layout"_s);
        QElapsedTimer made;
        made.start();
        if (!DemoDataset::writeScinLayout(layout, demo, &error)) {
            out << error << Qt::endl;
            return 1;
        }
        store = Store::open(path, Store::OpenMode::CreateNew, &error);
        const auto plan = store ? ImportService::plan(ImportKind::Scin, layout, &error) : std::nullopt;
        if (!plan) {
            out << error << Qt::endl;
            return 1;
        }
        ImportService(*store).run(*plan, {});
        UserRepository users(store->db());
        admin = users.findById(users.add(u"admin"_s, {}, Role::Admin, u"dermlabel"_s, &error, 1), &error).value();
        for (const QString &name : {u"dr.amara"_s, u"dr.lee"_s, u"dr.silva"_s})
            users.add(name, {}, Role::Annotator, u"dermlabel"_s, &error, 1);
        if (!AssignmentService(*store, admin).assign({}, 3, &error) || DemoRatings::simulate(*store, {1.0, 1}, &error) < 0) {
            out << error << Qt::endl;
            return 1;
        }
        out << "Demo store of " << demo.images << " images made in " << made.elapsed() / 1000.0 << " s" << Qt::endl;
    }

    QElapsedTimer timer;
    timer.start();
    const auto plan = BundleExporter(*store, admin).preview(ReleaseOptions(), &error);
    const qint64 previewMs = timer.elapsed();
    if (!plan) {
        out << error << Qt::endl;
        return 1;
    }
    // The search alone, on the same people.
    const auto data = ExportSource::load(*store, &error);
    QList<ReleaseCandidate> candidates;
    for (const ExportImage &e : data->images)
        candidates.append(e.candidate());
    timer.restart();
    ReleaseGate::decide(candidates, ReleaseOptions());
    const qint64 gateMs = timer.elapsed();

    const AnonymityResult &a = plan->anonymity;
    const int passing = plan->candidatesForGate;
    const int released = passing - plan->countByReason.value(HoldReason::KAnonymity)
        - plan->countByReason.value(HoldReason::LDiversity);
    out << "Labelled images: " << plan->decisions.size() << ", passing every other check: " << passing
        << ", released: " << released << " (" << QString::number(passing ? 100.0 * released / passing : 0.0, 'f', 1)
        << " %)" << Qt::endl;
    out << "People: " << a.people << ", held back: " << a.suppressed.size() << " (limit " << a.allowedSuppressed
        << "), information loss " << QString::number(a.chosen.loss, 'f', 3) << Qt::endl;
    for (const ColumnChoice &c : a.columns)
        out << "  " << c.column << ": " << c.levelName << " (level " << c.level << " of " << c.height << ")" << Qt::endl;
    for (const QString &sentence : a.blocking)
        out << "  " << sentence << Qt::endl;
    out << "Preview (store read and gate): " << previewMs << " ms; gate with lattice search (" << a.nodes
        << " nodes): " << gateMs << " ms" << Qt::endl;
    return 0;
}
