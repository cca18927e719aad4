// SPDX-License-Identifier: GPL-3.0-or-later
// Label saves per second: 1 and 3 annotators saving at once on a team store
// (each signed in with their own server login and connection, as on their own
// workstations), against the same on a local SQLite store (one workstation).
// Each annotator saves labels (AnnotationService::save, the labelling
// screen's path: one transaction with the audit entry and the assignment's
// status) on the images of their queue, as fast as it can, for a while.
//
//   bench_saves [--server POSTGRES_ADMIN_URL] [--seconds N] [--images N]
//
// The server: any role that may create databases and roles, for example the
// tests' throwaway server:
//   bash tests/pg/pg-server.sh start /tmp/dl-pg
//   build/tests/bench/teamstore/bench_saves --server "$(cat /tmp/dl-pg/admin-url)"
//   bash tests/pg/pg-server.sh stop /tmp/dl-pg
// Without --server: DERMLABEL_TEST_POSTGRES_URL, else the file the CTest
// fixture writes (build/tests/pg/admin-url) while it runs.
#include "PostgresTestServer.h"
#include "TeamStoreFixture.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "session/SessionService.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <functional>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

struct Result
{
    qint64 saves = 0;
    qint64 failures = 0;
    double seconds = 0;
    QString error;
};

/// One annotator saving on the images of their queue until the time is up.
Result saveLoop(Store &store, const User &rater, qint64 milliseconds)
{
    Result result;
    QString error;
    const auto queue = SessionService(store).queue(rater, &error);
    if (!queue || queue->isEmpty()) {
        result.error = u"queue: "_s + error;
        return result;
    }
    AnnotationService service(store, rater);
    QElapsedTimer clock;
    clock.start();
    for (int round = 0; clock.elapsed() < milliseconds; ++round) {
        const qint64 image = queue->at(round % queue->size()).image.id;
        auto a = service.own(image, &error);
        if (!a) {
            ++result.failures;
            result.error = error;
            continue;
        }
        a->gradable = true;
        a->visibleCondition = u"yes"_s;
        a->sensitive = false;
        a->diagnoses = {{round % 2 ? u"psoriasis"_s : u"eczema"_s, 1 + round % 5}};
        a->fitzpatrick = QString::number(1 + round % 6);
        a->monk = QString::number(1 + round % 10);
        a->note = u"bench %1"_s.arg(round);
        if (service.save(*a, &error)) {
            ++result.saves;
        } else {
            ++result.failures;
            result.error = error;
        }
    }
    result.seconds = double(clock.nsecsElapsed()) / 1e9;
    return result;
}

/// Runs one saveLoop per session, each on a thread of its own, at the same time.
QList<Result> runTogether(const QList<std::function<Result()>> &loops)
{
    QList<Result> results(loops.size());
    std::vector<std::unique_ptr<QThread>> threads;
    for (qsizetype i = 0; i < loops.size(); ++i)
        threads.emplace_back(QThread::create([&, i] { results[i] = loops.at(i)(); }));
    for (auto &thread : threads)
        thread->start();
    for (auto &thread : threads)
        thread->wait();
    return results;
}

void report(const char *store, int annotators, const QList<Result> &results)
{
    qint64 saves = 0, failures = 0;
    double seconds = 0;
    QString error;
    for (const Result &r : results) {
        saves += r.saves;
        failures += r.failures;
        seconds = std::max(seconds, r.seconds);
        if (!r.error.isEmpty())
            error = r.error;
    }
    std::printf("%-8s %d annotator%s  %7.1f saves/s in all  %7.1f per annotator  (%lld saves, %lld failed)%s%s\n",
                store, annotators, annotators == 1 ? " " : "s", saves / seconds, saves / seconds / annotators,
                qlonglong(saves), qlonglong(failures), error.isEmpty() ? "" : "  last error: ", qPrintable(error));
    std::fflush(stdout);
}

/// Images, an admin and `annotators` raters, each assigned every image.
bool seed(Store &store, const QList<User> &raters, const User &admin, int images, QString *error)
{
    ImageRepository repository(store.db());
    for (int i = 0; i < images; ++i) {
        ImageRecord record;
        record.publicId = u"img-bench-%1"_s.arg(i);
        record.sha256 = u"%1"_s.arg(i + 1, 64, 16, QLatin1Char('0'));
        record.format = u"jpeg"_s;
        record.width = 4000;
        record.height = 3000;
        record.byteSize = 3000000;
        if (repository.insert(record, error) < 0)
            return false;
    }
    return AssignmentService(store, admin).assign({}, int(raters.size()), error).has_value();
}

bool benchSqlite(int annotators, qint64 milliseconds, int images)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"bench.dermlabel"_s);
    QString error;
    QList<User> raters;
    User admin;
    {
        auto store = Store::open(path, Store::OpenMode::CreateNew, &error);
        if (!store) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return false;
        }
        UserRepository users(store->db());
        admin = *users.findById(users.add(u"admin"_s, {}, Role::Admin, u"password"_s, &error, 1));
        for (int r = 0; r < annotators; ++r)
            raters.append(*users.findById(users.add(u"rater%1"_s.arg(r), {}, Role::Annotator, u"password"_s, &error, 1)));
        if (!seed(*store, raters, admin, images, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return false;
        }
    }
    // One workstation: its sessions share the file (each with its own connection).
    std::vector<std::unique_ptr<Store>> sessions;
    QList<std::function<Result()>> loops;
    for (const User &rater : std::as_const(raters)) {
        sessions.push_back(Store::open(path, Store::OpenMode::MustExist, &error));
        Store *store = sessions.back().get();
        loops.append([store, rater, milliseconds] { return saveLoop(*store, rater, milliseconds); });
    }
    report("SQLite", annotators, runTogether(loops));
    return true;
}

bool benchPostgres(PostgresTestServer &server, int annotators, qint64 milliseconds, int images)
{
    TeamStoreFixture team(server, u"saves%1"_s.arg(annotators));
    QString error;
    if (!team.setUp(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return false;
    }
    QList<User> raters;
    const auto admin = team.addUser(u"bench.admin"_s, Role::Admin, &error);
    for (int r = 0; admin && r < annotators; ++r) {
        const auto rater = team.addUser(u"bench.rater%1"_s.arg(r), Role::Annotator, &error);
        if (!rater)
            break;
        raters.append(*rater);
    }
    if (!admin || raters.size() != annotators || !seed(team.owner(), raters, *admin, images, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return false;
    }
    // Each annotator on a workstation of their own: their own login and connection.
    std::vector<std::unique_ptr<Store>> sessions;
    QList<std::function<Result()>> loops;
    for (const User &rater : std::as_const(raters)) {
        sessions.push_back(team.signIn(rater, &error));
        Store *store = sessions.back().get();
        if (!store) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return false;
        }
        loops.append([store, rater, milliseconds] { return saveLoop(*store, rater, milliseconds); });
    }
    report("Postgres", annotators, runTogether(loops));
    sessions.clear();
    team.tearDown();
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // a team store's image cache folder
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Label saves per second, team store and SQLite."_s);
    parser.addHelpOption();
    parser.addOption({u"server"_s, u"A PostgreSQL URL of a role that may create databases and roles."_s, u"url"_s});
    parser.addOption({u"seconds"_s, u"How long each measurement saves."_s, u"n"_s, u"10"_s});
    parser.addOption({u"images"_s, u"Images in each annotator's queue."_s, u"n"_s, u"30"_s});
    parser.process(app);
    if (parser.isSet(u"server"_s))
        qputenv("DERMLABEL_TEST_POSTGRES_URL", parser.value(u"server"_s).toUtf8());
    const qint64 milliseconds = parser.value(u"seconds"_s).toLongLong() * 1000;
    const int images = parser.value(u"images"_s).toInt();

    bool ok = true;
    for (const int annotators : {1, 3})
        ok = benchSqlite(annotators, milliseconds, images) && ok;
    PostgresTestServer server(u"bench_saves"_s);
    if (!server.isAvailable()) {
        std::fprintf(stderr, "No PostgreSQL server: %s\n", qPrintable(server.error()));
        return 1;
    }
    for (const int annotators : {1, 3})
        ok = benchPostgres(server, annotators, milliseconds, images) && ok;
    return ok ? 0 : 1;
}
