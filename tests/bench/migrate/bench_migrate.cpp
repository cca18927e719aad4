// SPDX-License-Identifier: GPL-3.0-or-later
// dermlabel-cli migrate's core (StoreCopier), timed: the demo store (48 images with users,
// assignments, simulated labels) and N synthetic high-entropy JPEGs (default 1,000 of 12 megapixels,
// about 7 MB each), each copied from a store file to a team store on a PostgreSQL server and back to
// a new store file, verified.
//
//   bench_migrate --url postgresql://USER:PASSWORD@HOST:PORT/postgres [--images N] [--megapixels M]
//                 [--skip-demo] [--work DIR]
//
// The URL names a superuser (or a role with CREATEDB and CREATEROLE); the benchmark creates and
// drops its own databases and roles. DERMLABEL_BENCH_POSTGRES_URL may give it instead.
#include "annotation/AssignmentService.h"
#include "demo/DemoDataset.h"
#include "demo/DemoRatings.h"
#include "import/ImportService.h"
#include "store/PostgresServer.h"
#include "store/Store.h"
#include "store/StoreCopier.h"
#include "store/StoreLocation.h"
#include "users/UserService.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

QByteArray makeJpeg(int megapixels)
{
    // 4:3 frame of skin-like texture under strong grain: high entropy, so the file is as large as a
    // detailed camera photograph (about 7 MB at 12 MP), the hard case for a copy.
    const int width = int(std::sqrt(megapixels * 1e6 * 4 / 3));
    const int height = width * 3 / 4;
    cv::Mat small(height / 40, width / 40, CV_8UC3);
    cv::randu(small, cv::Scalar(110, 110, 140), cv::Scalar(180, 190, 240));
    cv::Mat image;
    cv::resize(small, image, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
    cv::Mat grain(image.size(), CV_8UC3);
    cv::randn(grain, cv::Scalar::all(0), cv::Scalar::all(24));
    image += grain;
    std::vector<uchar> bytes;
    cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 95});
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

/// The same picture with a distinct comment segment after SOI: another file, another hash.
QByteArray variant(const QByteArray &jpeg, int index)
{
    const QByteArray text = "bench image " + QByteArray::number(index);
    QByteArray segment("\xFF\xFE", 2);
    const int length = int(text.size()) + 2;
    segment.append(char(length >> 8)).append(char(length & 0xFF)).append(text);
    return jpeg.left(2) + segment + jpeg.mid(2);
}

qint64 folderBytes(const QString &path)
{
    qint64 total = 0;
    QDirIterator it(path, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        total += it.fileInfo().size();
    }
    return total;
}

bool dropDatabase(const StoreLocation &admin, const QString &database)
{
    QString error;
    PostgresServer::Failure failure = PostgresServer::Failure::None;
    bool ok = false;
    {
        QSqlDatabase db = PostgresServer::connect(admin, u"bench-admin"_s, &failure, &error);
        if (failure == PostgresServer::Failure::None)
            ok = QSqlQuery(db).exec(u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(PostgresServer::quoteIdentifier(database)));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"bench-admin"_s);
    return ok;
}

void dropRoles(const StoreLocation &admin, const QStringList &roles)
{
    QString error;
    PostgresServer::Failure failure = PostgresServer::Failure::None;
    {
        QSqlDatabase db = PostgresServer::connect(admin, u"bench-roles"_s, &failure, &error);
        for (const QString &role : roles)
            QSqlQuery(db).exec(u"DROP ROLE IF EXISTS %1"_s.arg(PostgresServer::quoteIdentifier(role)));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"bench-roles"_s);
}

struct Leg
{
    double seconds = 0;
    bool identical = false;
};

Leg migrate(Store &source, const StoreLocation &target, QString *error)
{
    Leg leg;
    QElapsedTimer timer;
    timer.start();
    auto store = StoreCopier::openTarget(target, source.schemaVersion(), error);
    if (!store)
        return leg;
    const CopyReport report = StoreCopier(source, *store).run();
    leg.seconds = timer.nsecsElapsed() / 1e9;
    if (!report.ok())
        *error = report.error;
    leg.identical = report.ok() && report.identical();
    return leg;
}

/// Store file -> team store -> store file; prints one line per leg.
bool roundTrip(const QString &label, Store &source, const StoreLocation &server, const QString &copyPath,
               qint64 imageBytes)
{
    QString error;
    const Leg up = migrate(source, server, &error);
    if (!up.identical) {
        std::fprintf(stderr, "%s: to the server failed: %s\n", qPrintable(label), qPrintable(error));
        return false;
    }
    auto team = Store::open(server, Store::OpenMode::MustExist, &error);
    if (!team) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return false;
    }
    const Leg down = migrate(*team, StoreLocation::parse(copyPath, &error), &error);
    if (!down.identical) {
        std::fprintf(stderr, "%s: back to a file failed: %s\n", qPrintable(label), qPrintable(error));
        return false;
    }
    const double mb = imageBytes / 1048576.0;
    std::printf("%-28s file -> server %8.2f s (%6.1f MB/s)   server -> file %8.2f s (%6.1f MB/s)   verified\n",
                qPrintable(label), up.seconds, mb / up.seconds, down.seconds, mb / down.seconds);
    std::fflush(stdout);
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString url = qEnvironmentVariable("DERMLABEL_BENCH_POSTGRES_URL");
    int count = 1000;
    int megapixels = 12;
    bool demo = true;
    QString work;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == u"--url"_s && i + 1 < args.size())
            url = args[++i];
        else if (args[i] == u"--images"_s && i + 1 < args.size())
            count = args[++i].toInt();
        else if (args[i] == u"--megapixels"_s && i + 1 < args.size())
            megapixels = args[++i].toInt();
        else if (args[i] == u"--skip-demo"_s)
            demo = false;
        else if (args[i] == u"--work"_s && i + 1 < args.size())
            work = args[++i];
    }
    QString error;
    const StoreLocation admin = StoreLocation::parse(url, &error);
    if (!admin.isPostgres()) {
        std::fprintf(stderr, "bench_migrate: --url postgresql://... (a superuser) is required. %s\n", qPrintable(error));
        return 2;
    }
    QTemporaryDir temp(work.isEmpty() ? QDir::tempPath() + u"/bench_migrate-XXXXXX"_s : work + u"/bench_migrate-XXXXXX"_s);
    qputenv("XDG_CACHE_HOME", temp.filePath(u"cache"_s).toUtf8()); // a team store's local image folder
    const QString suffix = QString::number(QCoreApplication::applicationPid());
    QStringList roles;
    QStringList databases;
    bool ok = true;

    if (demo) {
        // The demo store, as dermlabel-cli demo makes it.
        const QString layout = temp.filePath(u"demo-layout"_s);
        DemoOptions options;
        auto store = Store::open(temp.filePath(u"demo.dermlabel"_s), Store::OpenMode::CreateNew, &error);
        if (!store || !DemoDataset::writeScinLayout(layout, options, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        auto plan = ImportService::plan(ImportKind::Scin, layout, &error);
        ImportOptions importOptions;
        importOptions.faceCheck = false;
        ImportService(*store).run(*plan, importOptions);
        UserService users(*store, User::commandLine());
        std::optional<User> first;
        for (const auto &[name, role] : {std::pair {u"admin"_s, Role::Admin}, {u"qa"_s, Role::Qa},
                                         {u"amara"_s, Role::Annotator}, {u"lee"_s, Role::Annotator},
                                         {u"silva"_s, Role::Annotator}}) {
            roles.append(u"bm%1_%2"_s.arg(suffix, name));
            const auto added = users.add(roles.last(), {}, role, u"dermlabel-pass"_s, &error, 1000);
            if (!first)
                first = added;
        }
        AssignmentService(*store, *first).assign({}, 3, &error);
        const int labels = DemoRatings::simulate(*store, {0.6, 1}, &error);
        databases.append(u"bench_migrate_demo_%1"_s.arg(suffix));
        std::printf("Demo store: %d images, %d labels, %.1f MB of image files\n", options.images, labels,
                    folderBytes(store->imageDirectory()) / 1048576.0);
        ok = roundTrip(u"demo store"_s, *store, admin.withDatabase(databases.last()),
                       temp.filePath(u"demo-copy.dermlabel"_s), folderBytes(store->imageDirectory()));
    }

    if (ok && count > 0) {
        std::printf("Generating %d %d-megapixel JPEGs ...\n", count, megapixels);
        std::fflush(stdout);
        const QByteArray jpeg = makeJpeg(megapixels);
        const QString folder = temp.filePath(u"photos"_s);
        for (int i = 0; i < count; ++i) {
            const QString path = u"%1/%2/img%3.jpg"_s.arg(folder).arg(i % 20).arg(i, 5, 10, QLatin1Char('0'));
            QDir().mkpath(QFileInfo(path).absolutePath());
            QFile out(path);
            if (!out.open(QIODevice::WriteOnly) || out.write(variant(jpeg, i)) < 0) {
                std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
                return 1;
            }
        }
        auto store = Store::open(temp.filePath(u"photos.dermlabel"_s), Store::OpenMode::CreateNew, &error);
        if (!store) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        ImportOptions importOptions;
        importOptions.faceCheck = false;
        QElapsedTimer timer;
        timer.start();
        const ImportReport report = ImportService(*store).importPath(ImportKind::Folder, folder, importOptions);
        if (report.imported != count) {
            std::fprintf(stderr, "import failed: %s\n", qPrintable(report.error));
            return 1;
        }
        QDir(folder).removeRecursively(); // only the store's copies are needed now
        const qint64 bytes = folderBytes(store->imageDirectory());
        std::printf("Imported %d images (%.1f MB each, %.0f MB in all) in %.1f s\n", count,
                    bytes / 1048576.0 / count, bytes / 1048576.0, timer.nsecsElapsed() / 1e9);
        databases.append(u"bench_migrate_photos_%1"_s.arg(suffix));
        ok = roundTrip(u"%1 x %2 MP JPEG"_s.arg(count).arg(megapixels), *store, admin.withDatabase(databases.last()),
                       temp.filePath(u"photos-copy.dermlabel"_s), bytes);
    }

    for (const QString &database : std::as_const(databases)) {
        dropDatabase(admin, database);
        QStringList groups;
        for (const QString &kind : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s})
            groups.append(database + u'_' + kind);
        dropRoles(admin, groups);
    }
    dropRoles(admin, roles);
    return ok ? 0 : 1;
}
