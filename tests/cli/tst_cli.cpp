// SPDX-License-Identifier: GPL-3.0-or-later
// dermlabel-cli as a user runs it: commands, exit codes, JSON reports.
#include "ImportFixtures.h"
#include "PostgresTestServer.h"

#include "qa/MaskConsensus.h"
#include "store/SchemaMigrator.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreCopier.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>

#include <array>

using namespace Qt::StringLiterals;

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void versionAndHelp_data();
    void versionAndHelp();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void initStatsCheck();
    void teamStoreInitStatsCheck();
    void importReportsAndExitCodes();
    void usersAddReadsPasswordFromStdin();
    void usersAddWritesAnAuditEntry();
    void lockedStoreIsRefused();
    void checkNamesTheFirstBrokenAuditEntry();
    void whatCoreThrowsEndsTheCommandCleanly_data();
    void whatCoreThrowsEndsTheCommandCleanly();
    void checkFailsOnInterruptedImportsAndRepairs();
    void backupWhileAWriterWorks();
    void newerStoreIsRefused();
    void demoStore();
    void agreementOnRatingsTable();
    void agreementAndConsensusOfAStore();
    void exportBundle();
    void workstationAnswersWithoutDisplay_data();
    void workstationAnswersWithoutDisplay();
    void helpNamesTheCommandAndAlignsTheList();
    void importLabelMeAndCoco();
    void consensusRegionsByStaple();
    void importInterchangeErrors_data();
    void importInterchangeErrors();
    void migrateToServerAndBack();
    void assignForScripts();

private:
    struct Result
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
        QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    };
    Result cli(const QStringList &args, const QByteArray &input = {});
    QString path(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    PostgresTestServer m_pg {u"cli"_s};
};

TestCli::Result TestCli::cli(const QStringList &args, const QByteArray &input)
{
    QProcess process;
    process.start(QStringLiteral(DERMLABEL_CLI_PATH), args);
    if (!process.waitForStarted())
        return {};
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(240'000))
        process.kill();
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            process.readAllStandardError()};
}

void TestCli::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DERMLABEL_CLI_PATH)));
}

void TestCli::versionAndHelp_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("--version") << QStringList {u"--version"_s} << u"dermlabel-cli 0."_s;
    QTest::newRow("--help") << QStringList {u"--help"_s} << u"Commands:"_s;
    for (const QString &command : {u"init"_s, u"demo"_s, u"import"_s, u"stats"_s, u"check"_s})
        QTest::newRow(qPrintable(command + u" --help"_s)) << QStringList {command, u"--help"_s} << u"--store"_s;
    QTest::newRow("users --help") << QStringList {u"users"_s, u"--help"_s} << u"users add"_s;
    QTest::newRow("migrate --help") << QStringList {u"migrate"_s, u"--help"_s} << u"--from"_s;
    QTest::newRow("assign --help") << QStringList {u"assign"_s, u"--help"_s} << u"--raters"_s;
    QTest::newRow("users password --help") << QStringList {u"users"_s, u"--help"_s} << u"users password"_s;
}

void TestCli::versionAndHelp()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Result r = cli(args);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(QString::fromUtf8(r.out).contains(expected), r.out.constData());
}

void TestCli::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("no command") << QStringList {} << u"Usage"_s;
    QTest::newRow("unknown command") << QStringList {u"frobnicate"_s} << u"Unknown command"_s;
    QTest::newRow("no store") << QStringList {u"stats"_s} << u"--store"_s;
    QTest::newRow("unknown option") << QStringList {u"stats"_s, u"--stroe"_s, u"x"_s} << u"stroe"_s;
    QTest::newRow("missing store") << QStringList {u"stats"_s, u"--store"_s, u"/nonexistent/x.dermlabel"_s}
                                   << u"There is no store"_s;
    QTest::newRow("import without kind") << QStringList {u"import"_s, u"--store"_s, u"x.dermlabel"_s}
                                         << u"exactly one of"_s;
    QTest::newRow("bad megapixels") << QStringList {u"import"_s, u"--store"_s, u"x"_s, u"--folder"_s, u"."_s,
                                                    u"--max-megapixels"_s, u"lots"_s}
                                    << u"positive number"_s;
}

void TestCli::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Result r = cli(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err + r.out).contains(message), (r.err + r.out).constData());
}

void TestCli::initStatsCheck()
{
    const QString store = path(u"init.dermlabel"_s);
    Result r = cli({u"init"_s, u"--store"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.json().value(u"ok"_s).toBool(), true);
    QVERIFY(QFile::exists(store));
    r = cli({u"init"_s, u"--store"_s, store});
    QCOMPARE(r.exitCode, 2); // never overwrites
    QVERIFY(r.err.contains("already exists"));

    r = cli({u"stats"_s, u"--store"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject stats = r.json();
    for (const QString &key : {u"images"_s, u"cases"_s, u"users"_s, u"reference_labels"_s, u"annotations"_s}) {
        QVERIFY2(stats.contains(key), qPrintable(key));
        QCOMPARE(stats.value(key).toInt(-1), 0);
    }
    r = cli({u"check"_s, u"--store"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.json().value(u"ok"_s).toBool(), true);
    QCOMPARE(r.json().value(u"integrity"_s).toString(), u"ok"_s);
}

void TestCli::teamStoreInitStatsCheck()
{
    if (PostgresTestServer::disabled())
        QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
    const dl::StoreLocation location = m_pg.location(u"team"_s);
    // The password comes from PGPASSWORD, as in a script; the URL has none.
    const QString url = location.toString();
    QVERIFY(!url.contains(location.password()));
    const QByteArray savedPassword = qgetenv("PGPASSWORD");
    const QByteArray savedCache = qgetenv("XDG_CACHE_HOME");
    qputenv("PGPASSWORD", location.password().toUtf8());
    qputenv("XDG_CACHE_HOME", path(u"cache"_s).toUtf8()); // the team store's local image folder
    auto restore = qScopeGuard([&] {
        for (const auto &[name, value] : {std::pair {"PGPASSWORD", savedPassword}, {"XDG_CACHE_HOME", savedCache}}) {
            if (value.isNull())
                qunsetenv(name);
            else
                qputenv(name, value);
        }
    });

    // A team store needs its first administrator, a server login role (roles
    // belong to the whole server: the name is this run's own).
    const QString admin = u"dr.admin_%1"_s.arg(QCoreApplication::applicationPid());
    auto dropRole = qScopeGuard([&] {
        m_pg.dropAll();
        QString ignored;
        QStringList drop {u"DROP ROLE IF EXISTS \"%1\""_s.arg(admin)};
        for (const QString &group : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s})
            drop.append(u"DROP ROLE IF EXISTS \"%1_%2\""_s.arg(m_pg.databaseName(u"team"_s), group));
        m_pg.admin(drop, &ignored);
    });
    Result r = cli({u"init"_s, u"--store"_s, url, u"--json"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--admin"), r.err.constData());
    QString error;
    QVERIFY(!m_pg.exists(u"team"_s, &error)); // nothing created without an administrator
    r = cli({u"init"_s, u"--store"_s, url, u"--admin"_s, admin, u"--json"_s}, "admin password\n");
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(u"ok"_s).toBool(), true);
    QCOMPARE(r.json().value(u"store"_s).toString(), url);
    QCOMPARE(r.json().value(u"schema_version"_s).toInt(), dl::SchemaMigrator::latestVersion());
    QCOMPARE(r.json().value(u"upgraded"_s).toBool(), false);
    QVERIFY(m_pg.exists(u"team"_s, &error));
    r = cli({u"init"_s, u"--store"_s, url});
    QVERIFY2(r.exitCode == 0, r.err.constData()); // brings it up to date, never overwrites
    QVERIFY2(r.out.contains("up to date"), r.out.constData());

    r = cli({u"users"_s, u"add"_s, u"--store"_s, url, u"--name"_s, u"dr.lee"_s, u"--role"_s, u"annotator"_s},
            "correct horse\n");
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = cli({u"stats"_s, u"--store"_s, url, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject stats = r.json();
    QCOMPARE(stats.value(u"users"_s).toInt(-1), 2);
    for (const QString &key : {u"images"_s, u"cases"_s, u"reference_labels"_s, u"annotations"_s})
        QCOMPARE(stats.value(key).toInt(-1), 0);
    r = cli({u"check"_s, u"--store"_s, url, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.out.constData());
    QCOMPARE(r.json().value(u"ok"_s).toBool(), true);
    QCOMPARE(r.json().value(u"integrity"_s).toString(), u"ok"_s);

    // Without the password: a clear message, exit status 2.
    qunsetenv("PGPASSWORD");
    qputenv("PGPASSFILE", "/nonexistent/dermlabel-pgpass");
    r = cli({u"stats"_s, u"--store"_s, url});
    qunsetenv("PGPASSFILE");
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("asks for the password"), r.err.constData());
}

void TestCli::importReportsAndExitCodes()
{
    const QString store = path(u"import.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    const QString good = path(u"good"_s);
    QVERIFY(fixtures::write(good + u"/a.jpg"_s, fixtures::jpeg(320, 240, 1)));
    QVERIFY(fixtures::write(good + u"/b.png"_s, fixtures::png(320, 240, 2)));
    Result r = cli({u"import"_s, u"--store"_s, store, u"--folder"_s, good, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QJsonObject report = r.json();
    QCOMPARE(report.value(u"imported"_s).toInt(), 2);
    for (const QString &key : {u"imported"_s, u"duplicates"_s, u"rejected"_s, u"missing"_s, u"cases"_s,
                               u"reference_labels"_s})
        QVERIFY2(report.contains(key), qPrintable(key));

    const QString mixed = path(u"mixed"_s);
    QVERIFY(fixtures::write(mixed + u"/c.jpg"_s, fixtures::jpeg(320, 240, 3)));
    QVERIFY(fixtures::write(mixed + u"/dup.jpg"_s, fixtures::jpeg(320, 240, 1)));
    QVERIFY(fixtures::write(mixed + u"/broken.jpg"_s, fixtures::truncatedJpeg(5)));
    r = cli({u"import"_s, u"--store"_s, store, u"--folder"_s, mixed, u"--json"_s});
    QCOMPARE(r.exitCode, 1);
    report = r.json();
    QCOMPARE(report.value(u"imported"_s).toInt(), 1);
    QCOMPARE(report.value(u"duplicates"_s).toInt(), 1);
    const QJsonArray rejected = report.value(u"rejected"_s).toArray();
    QCOMPARE(rejected.size(), 1);
    QVERIFY(rejected.first().toObject().value(u"path"_s).toString().endsWith(u"broken.jpg"_s));
    QCOMPARE(rejected.first().toObject().value(u"reason"_s).toString(), u"truncated"_s);

    // Human output names the file and the reason.
    r = cli({u"import"_s, u"--store"_s, store, u"--folder"_s, mixed});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("broken.jpg"), r.out.constData());

    r = cli({u"import"_s, u"--store"_s, store, u"--scin"_s, good, u"--json"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.json().value(u"error"_s).toString().contains(u"scin_cases.csv"_s));

    r = cli({u"stats"_s, u"--store"_s, store, u"--json"_s});
    QCOMPARE(r.json().value(u"images"_s).toInt(), 3);
}

void TestCli::usersAddReadsPasswordFromStdin()
{
    const QString store = path(u"users.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    Result r = cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"dr.lee"_s, u"--role"_s, u"annotator"_s,
                    u"--json"_s},
                   "s3cret-pass\n");
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.json().value(u"role"_s).toString(), u"annotator"_s);
    r = cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"dr.lee"_s, u"--role"_s, u"qa"_s}, "another-one-1\n");
    QCOMPARE(r.exitCode, 2);
    r = cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"x"_s, u"--role"_s, u"boss"_s}, "another-one-1\n");
    QCOMPARE(r.exitCode, 2);
    r = cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"nopass"_s, u"--role"_s, u"qa"_s});
    QCOMPARE(r.exitCode, 2);
    r = cli({u"users"_s, u"list"_s, u"--store"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.json().value(u"users"_s).toArray().size(), 1);
    QCOMPARE(cli({u"stats"_s, u"--store"_s, store, u"--json"_s}).json().value(u"users"_s).toInt(), 1);

    // Only a salted PBKDF2 hash is stored.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"peek"_s);
        db.setDatabaseName(store);
        QVERIFY(db.open());
        QString error;
        const QString hash = dl::Sql::scalar(db, u"SELECT password_hash FROM users"_s, {}, &error)->toString();
        QVERIFY(hash.startsWith(u"pbkdf2-sha256$"_s));
        QVERIFY(!hash.contains(u"s3cret"_s));
    }
    QSqlDatabase::removeDatabase(u"peek"_s);
}

void TestCli::usersAddWritesAnAuditEntry()
{
    const QString store = path(u"audited.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    // The entry names the operating-system user who ran the command.
    const bool hadUser = qEnvironmentVariableIsSet("USER");
    const QByteArray systemUser = qgetenv("USER");
    qputenv("USER", "ward.admin");
    const int added =
        cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"dr.amara"_s, u"--role"_s, u"annotator"_s},
            "s3cret-pass\n")
            .exitCode;
    if (hadUser)
        qputenv("USER", systemUser);
    else
        qunsetenv("USER");
    QCOMPARE(added, 0);
    // A refused add (the name is taken) leaves no entry.
    QCOMPARE(cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"dr.amara"_s, u"--role"_s, u"qa"_s},
                 "another-one-1\n")
                 .exitCode,
             2);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"audit"_s);
        db.setDatabaseName(store);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(u"SELECT a.user_id, a.entity, a.entity_id, a.detail, u.id FROM audit_log a "
                           "LEFT JOIN users u ON u.name = 'dr.amara' WHERE a.action = 'add_user'"_s));
        QVERIFY(query.next());
        QVERIFY(query.value(0).isNull()); // the command line is no account of the store
        QCOMPARE(query.value(1).toString(), u"user"_s);
        QCOMPARE(query.value(2).toLongLong(), query.value(4).toLongLong());
        const QJsonObject detail = QJsonDocument::fromJson(query.value(3).toByteArray()).object();
        QCOMPARE(detail.value(u"name"_s).toString(), u"dr.amara"_s);
        QCOMPARE(detail.value(u"role"_s).toString(), u"annotator"_s);
        QCOMPARE(detail.value(u"via"_s).toString(), u"command line"_s);
        QCOMPARE(detail.value(u"os_user"_s).toString(), u"ward.admin"_s);
        QVERIFY(!query.next());
    }
    QSqlDatabase::removeDatabase(u"audit"_s);
}

void TestCli::checkNamesTheFirstBrokenAuditEntry()
{
    const QString store = path(u"tampered.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    for (const QString &name : {u"amara"_s, u"lee"_s, u"silva"_s})
        QCOMPARE(cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, name, u"--role"_s, u"annotator"_s},
                     "long-enough-pass\n")
                     .exitCode,
                 0);
    Result r = cli({u"check"_s, u"--store"_s, store, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.out.constData());
    const QJsonObject intact = r.json().value(u"audit_chain"_s).toObject();
    QVERIFY(intact.value(u"ok"_s).toBool());
    const int entries = intact.value(u"entries"_s).toInt();
    QVERIFY(entries >= 3);

    // Someone with the file drops the guard and gives lee another role in the log.
    qint64 seq = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tamper"_s);
        db.setDatabaseName(store);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(u"SELECT seq FROM audit_log WHERE action = 'add_user' AND detail LIKE '%\"lee\"%'"_s));
        QVERIFY(query.next());
        seq = query.value(0).toLongLong();
        QVERIFY(query.exec(u"DROP TRIGGER audit_log_no_update"_s));
        QVERIFY(query.exec(u"UPDATE audit_log SET detail = replace(detail, 'annotator', 'admin') WHERE seq = %1"_s.arg(seq)));
        QCOMPARE(query.numRowsAffected(), 1);
        db.close();
    }
    QSqlDatabase::removeDatabase(u"tamper"_s);
    r = cli({u"check"_s, u"--store"_s, store});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("broken at entry " + QByteArray::number(seq) + " ("), r.out.constData());
    QVERIFY2(r.out.contains("add_user"), r.out.constData());
    r = cli({u"check"_s, u"--store"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.json().value(u"ok"_s).toBool(), false);
    const QJsonObject broken = r.json().value(u"audit_chain"_s).toObject().value(u"broken"_s).toObject();
    QCOMPARE(broken.value(u"seq"_s).toInteger(), seq);
    QCOMPARE(broken.value(u"action"_s).toString(), u"add_user"_s);

    // --repair does not "repair" it: it says so, fails, and the entry stays as found.
    r = cli({u"check"_s, u"--store"_s, store, u"--repair"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("never repaired"), r.out.constData());
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tamper-after"_s);
        db.setDatabaseName(store);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(u"SELECT detail FROM audit_log WHERE seq = %1"_s.arg(seq)));
        QVERIFY(query.next());
        QVERIFY(query.value(0).toString().contains(u"admin"_s));
        QVERIFY(query.exec(u"SELECT COUNT(*) FROM audit_log"_s));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), entries);
        db.close();
    }
    QSqlDatabase::removeDatabase(u"tamper-after"_s);

    // A backup prints the copy's audit head, broken chain or not.
    r = cli({u"backup"_s, u"--store"_s, store, u"--out"_s, path(u"tampered-copy.dermlabel"_s), u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(u"audit_head"_s).toObject().value(u"seq"_s).toInt(), entries);
    QCOMPARE(r.json().value(u"audit_head"_s).toObject().value(u"hash"_s).toString().size(), 64);
}

void TestCli::whatCoreThrowsEndsTheCommandCleanly_data()
{
    QTest::addColumn<QByteArray>("fault");
    QTest::addColumn<QString>("message");
    QTest::newRow("out of memory") << QByteArray("audit.record") << u"not enough memory"_s;
    QTest::newRow("runtime error") << QByteArray("audit.record:runtime_error") << u"audit.record fault injected"_s;
}

void TestCli::whatCoreThrowsEndsTheCommandCleanly()
{
    QFETCH(QByteArray, fault);
    QFETCH(QString, message);
    const QString store = path(u"throws-%1.dermlabel"_s.arg(QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-')));
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    QCOMPARE(cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"amara"_s, u"--role"_s, u"admin"_s},
                 "long-enough-pass\n")
                 .exitCode,
             0);
    QString error;
    QList<dl::TableComparison> before;
    {
        auto opened = dl::Store::open(store, dl::Store::OpenMode::MustExist, &error);
        QVERIFY2(opened, qPrintable(error));
        before = dl::StoreCopier::checksums(*opened, &error);
        QVERIFY2(!before.isEmpty(), qPrintable(error));
    }

    // Core throws deep inside the command, after the user's row and its audit entry were
    // written in the command's transaction (a test hook of AuditLog::record).
    qputenv("DERMLABEL_TEST_FAULT", fault);
    const Result r =
        cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"lee"_s, u"--role"_s, u"qa"_s}, "long-enough-pass\n");
    qunsetenv("DERMLABEL_TEST_FAULT");
    QCOMPARE(r.exitCode, 2); // not a crash (-1), not success
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY2(r.err.contains("nothing more was done"), r.err.constData());
    QVERIFY2(!r.out.contains("Added"), r.out.constData());

    // Nothing stored changed: every table as before, the chain intact, the store not locked.
    {
        auto opened = dl::Store::open(store, dl::Store::OpenMode::MustExist, &error);
        QVERIFY2(opened, qPrintable(error));
        const QList<dl::TableComparison> after = dl::StoreCopier::checksums(*opened, &error);
        QCOMPARE(after.size(), before.size());
        for (qsizetype i = 0; i < before.size(); ++i) {
            QCOMPARE(after.at(i).table, before.at(i).table);
            QCOMPARE(after.at(i).sourceRows, before.at(i).sourceRows);
            QCOMPARE(after.at(i).sourceSha256, before.at(i).sourceSha256);
        }
    }
    const Result check = cli({u"check"_s, u"--store"_s, store, u"--json"_s});
    QVERIFY2(check.exitCode == 0, check.out.constData());
    QVERIFY(check.json().value(u"audit_chain"_s).toObject().value(u"ok"_s).toBool());
    // And the same command without the fault works.
    QCOMPARE(cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"lee"_s, u"--role"_s, u"qa"_s},
                 "long-enough-pass\n")
                 .exitCode,
             0);
}

void TestCli::lockedStoreIsRefused()
{
    const QString store = path(u"locked.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    // Another live process holds the writer lock: this test process.
    QFile lock(store + u".lock"_s);
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.write(QByteArray::number(QCoreApplication::applicationPid()) + "\ntst_cli\n" + QSysInfo::machineHostName().toUtf8() + "\n");
    lock.close();
    const QString folder = path(u"lockfolder"_s);
    QVERIFY(fixtures::write(folder + u"/a.jpg"_s, fixtures::jpeg(100, 100, 9)));
    const Result r = cli({u"import"_s, u"--store"_s, store, u"--folder"_s, folder});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("in use"), r.err.constData());
    QFile::remove(store + u".lock"_s);
    QCOMPARE(cli({u"import"_s, u"--store"_s, store, u"--folder"_s, folder}).exitCode, 0);
}

void TestCli::checkFailsOnInterruptedImportsAndRepairs()
{
    const QString store = path(u"repair.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    const QString folder = path(u"repairfolder"_s);
    for (int i = 0; i < 3; ++i)
        QVERIFY(fixtures::write(folder + u"/r%1.jpg"_s.arg(i), fixtures::jpeg(120, 90, 40 + i)));
    QCOMPARE(cli({u"import"_s, u"--store"_s, store, u"--folder"_s, folder}).exitCode, 0);
    // What a killed import leaves: its run still "running", a file copied before its row was written.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"repair"_s);
        db.setDatabaseName(store);
        QVERIFY(db.open());
        QString error;
        QVERIFY2(dl::Sql::exec(db, u"INSERT INTO import_runs (source_id, started_at, status) "
                                   "SELECT id, '2026-12-01T10:00:00Z', 'running' FROM sources LIMIT 1"_s, {}, &error),
                 qPrintable(error));
    }
    QSqlDatabase::removeDatabase(u"repair"_s);
    const QString orphan = store + u".images/ff/"_s + QString(64, u'f') + u".jpg"_s;
    QVERIFY(fixtures::write(orphan, fixtures::jpeg(50, 50, 99)));

    Result r = cli({u"check"_s, u"--store"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.json().value(u"ok"_s).toBool(), false);
    QCOMPARE(r.json().value(u"interrupted_imports"_s).toInt(), 1);
    QCOMPARE(r.json().value(u"orphan_files"_s).toArray().size(), 1);
    r = cli({u"check"_s, u"--store"_s, store});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("check --repair"), r.out.constData());

    // While another program writes to the store, its import may be running: no problem then, and
    // no repair.
    QFile lock(store + u".lock"_s);
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.write(QByteArray::number(QCoreApplication::applicationPid()) + "\ntst_cli\n" + QSysInfo::machineHostName().toUtf8() + "\n");
    lock.close();
    r = cli({u"check"_s, u"--store"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.json().value(u"writer_active"_s).toBool(), true);
    r = cli({u"check"_s, u"--store"_s, store, u"--repair"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("in use"), r.err.constData());
    QVERIFY(QFile::exists(orphan));
    QFile::remove(store + u".lock"_s);

    r = cli({u"check"_s, u"--store"_s, store, u"--repair"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.out.constData());
    const QJsonObject repair = r.json().value(u"repair"_s).toObject();
    QCOMPARE(repair.value(u"closed_imports"_s).toInt(), 1);
    QCOMPARE(repair.value(u"removed_files"_s).toArray().size(), 1);
    QVERIFY(!QFile::exists(orphan));
    QCOMPARE(r.json().value(u"ok"_s).toBool(), true);
    // The imported images and their files are untouched.
    r = cli({u"check"_s, u"--store"_s, store, u"--verify-hashes"_s, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(cli({u"stats"_s, u"--store"_s, store, u"--json"_s}).json().value(u"images"_s).toInt(), 3);
    // Nothing left to repair: a second run changes nothing.
    r = cli({u"check"_s, u"--store"_s, store, u"--repair"_s, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(!r.json().contains(u"repair"_s));
}

void TestCli::backupWhileAWriterWorks()
{
    const QString store = path(u"busy.dermlabel"_s);
    QVERIFY2(cli({u"demo"_s, u"--store"_s, store, u"--images"_s, u"6"_s}).exitCode == 0, "demo");
    // The workstation holds the writer lock and is in the middle of a save (a write transaction
    // not committed yet) while the backup runs.
    QFile lock(store + u".lock"_s);
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.write(QByteArray::number(QCoreApplication::applicationPid()) + "\ntst_cli\n" + QSysInfo::machineHostName().toUtf8() + "\n");
    lock.close();
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"busy"_s);
    db.setDatabaseName(store);
    QVERIFY(db.open());
    QString error;
    QVERIFY2(dl::Sql::exec(db, u"BEGIN IMMEDIATE"_s, {}, &error), qPrintable(error));
    QVERIFY2(dl::Sql::exec(db, u"INSERT INTO settings (key, value) VALUES ('half-done', 'yes')"_s, {}, &error),
             qPrintable(error));

    const QString copy = path(u"backups/busy-copy.dermlabel"_s);
    Result r = cli({u"backup"_s, u"--store"_s, store, u"--out"_s, copy, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(u"images"_s).toInt(), 6);
    QCOMPARE(r.json().value(u"check"_s).toObject().value(u"integrity"_s).toString(), u"ok"_s);
    QVERIFY2(dl::Sql::exec(db, u"COMMIT"_s, {}, &error), qPrintable(error));
    db.close();
    QSqlDatabase::removeDatabase(u"busy"_s);
    QFile::remove(store + u".lock"_s);

    // The copy is the store as it was before the unfinished save: everything else, nothing of it.
    QSqlDatabase peek = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"peek-copy"_s);
    peek.setDatabaseName(copy);
    QVERIFY(peek.open());
    QCOMPARE(dl::Sql::scalar(peek, u"SELECT COUNT(*) FROM settings WHERE key = 'half-done'"_s, {}, &error)->toInt(), 0);
    QCOMPARE(dl::Sql::scalar(peek, u"SELECT COUNT(*) FROM users"_s, {}, &error)->toInt(), 5);
    peek.close();
    QSqlDatabase::removeDatabase(u"peek-copy"_s);
    r = cli({u"check"_s, u"--store"_s, copy, u"--verify-hashes"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.out.constData());
    QCOMPARE(cli({u"stats"_s, u"--store"_s, copy, u"--json"_s}).json().value(u"annotations"_s).toInt(),
             cli({u"stats"_s, u"--store"_s, store, u"--json"_s}).json().value(u"annotations"_s).toInt());

    // Never over anything, never onto the store itself.
    r = cli({u"backup"_s, u"--store"_s, store, u"--out"_s, copy});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("never overwrites"), r.err.constData());
    QCOMPARE(cli({u"backup"_s, u"--store"_s, store}).exitCode, 2);
}

void TestCli::newerStoreIsRefused()
{
    const QString store = path(u"newer.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"future"_s);
        db.setDatabaseName(store);
        QVERIFY(db.open());
        QString error;
        QVERIFY(dl::Sql::exec(db, u"INSERT INTO schema_version VALUES (500, 'future', '')"_s, {}, &error));
    }
    QSqlDatabase::removeDatabase(u"future"_s);
    const Result r = cli({u"stats"_s, u"--store"_s, store});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("newer version"), r.err.constData());
}

void TestCli::demoStore()
{
    const QString store = path(u"demo.dermlabel"_s);
    Result r = cli({u"demo"_s, u"--store"_s, store, u"--images"_s, u"8"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(u"imported"_s).toInt(), 8);
    r = cli({u"stats"_s, u"--store"_s, store, u"--json"_s});
    const QJsonObject stats = r.json();
    QCOMPARE(stats.value(u"images"_s).toInt(), 8);
    QVERIFY(stats.value(u"cases"_s).toInt() >= 3);
    QVERIFY(stats.value(u"reference_labels"_s).toInt() > 0);
    QCOMPARE(stats.value(u"users"_s).toInt(), 5);
    r = cli({u"check"_s, u"--store"_s, store, u"--verify-hashes"_s, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    // Never over an existing store.
    QCOMPARE(cli({u"demo"_s, u"--store"_s, store}).exitCode, 2);
}

void TestCli::agreementAndConsensusOfAStore()
{
    const QString store = path(u"rated.dermlabel"_s);
    Result r = cli({u"demo"_s, u"--store"_s, store, u"--images"_s, u"12"_s, u"--rated"_s, u"1"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(u"annotations"_s).toInt(), 36); // 12 images x 3 raters

    r = cli({u"agreement"_s, u"--store"_s, store, u"--by"_s, u"sex"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject report = r.json();
    const QJsonArray fields = report.value(u"fields"_s).toArray();
    QVERIFY(fields.size() >= 10);
    const QJsonObject gradable = fields.at(0).toObject();
    QCOMPARE(gradable.value(u"field"_s).toString(), u"gradable"_s);
    QCOMPARE(gradable.value(u"items"_s).toInt(), 12);
    QCOMPARE(gradable.value(u"pairs"_s).toArray().size(), 3);
    QCOMPARE(gradable.value(u"pairs"_s).toArray().at(0).toObject().value(u"rater_a"_s).toString(), u"dr.amara"_s);
    QVERIFY(report.value(u"diagnoses"_s).toObject().value(u"top1_agreement"_s).isDouble());
    QVERIFY(!report.value(u"reference"_s).toArray().isEmpty());
    const QJsonArray strata = report.value(u"strata"_s).toArray();
    QCOMPARE(strata.size(), 1);
    QCOMPARE(strata.at(0).toObject().value(u"by"_s).toString(), u"sex"_s);

    QCOMPARE(cli({u"agreement"_s, u"--store"_s, store, u"--by"_s, u"shoe_size"_s}).exitCode, 2);
    QCOMPARE(cli({u"agreement"_s, u"--store"_s, store, u"--ratings"_s, u"x.csv"_s}).exitCode, 2);
    QCOMPARE(cli({u"agreement"_s}).exitCode, 2);
    r = cli({u"agreement"_s, u"--store"_s, store});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("By fitzpatrick:"), r.out.constData());

    r = cli({u"consensus"_s, u"--store"_s, store, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QJsonObject consensus = r.json();
    QCOMPARE(consensus.value(u"images"_s).toInt(), 12);
    QCOMPARE(consensus.value(u"quorum"_s).toInt(), 2);
    QCOMPARE(consensus.value(u"fields_pending"_s).toInt(), 0); // every rater is in
    QVERIFY(consensus.value(u"fields_agreed"_s).toInt() > 12 * 5);
    const int toAdjudicate = consensus.value(u"fields_to_adjudicate"_s).toInt();
    r = cli({u"consensus"_s, u"--store"_s, store, u"--quorum"_s, u"3"_s, u"--json"_s});
    QCOMPARE(r.json().value(u"quorum"_s).toInt(), 3);
    QVERIFY(r.json().value(u"fields_to_adjudicate"_s).toInt() > toAdjudicate); // unanimity is rarer
    QCOMPARE(cli({u"consensus"_s, u"--store"_s, store, u"--quorum"_s, u"0"_s}).exitCode, 2);
    QCOMPARE(cli({u"consensus"_s}).exitCode, 2);
}

void TestCli::exportBundle()
{
    const QString store = path(u"export.dermlabel"_s);
    Result r = cli({u"demo"_s, u"--store"_s, store, u"--images"_s, u"10"_s, u"--rated"_s, u"1"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = cli({u"export"_s, u"--store"_s, store, u"--preview"_s, u"--k"_s, u"1"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject preview = r.json();
    const int released = preview.value(u"released"_s).toInt();
    QCOMPARE(released + preview.value(u"held_back"_s).toInt(), 10);
    QVERIFY(released > 0);

    const QString out = path(u"bundle.zip"_s);
    r = cli({u"export"_s, u"--store"_s, store, u"--out"_s, out, u"--zip"_s, u"--k"_s, u"1"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(u"images"_s).toInt(), released);
    QVERIFY(QFileInfo(out).isFile());
    // Again without --overwrite: refused, the bundle untouched.
    const qint64 size = QFileInfo(out).size();
    QCOMPARE(cli({u"export"_s, u"--store"_s, store, u"--out"_s, out, u"--zip"_s}).exitCode, 2);
    QCOMPARE(QFileInfo(out).size(), size);

    QCOMPARE(cli({u"export"_s, u"--store"_s, store}).exitCode, 2); // no --out
    QCOMPARE(cli({u"export"_s, u"--store"_s, store, u"--out"_s, path(u"x"_s), u"--k"_s, u"0"_s}).exitCode, 2);
    QCOMPARE(cli({u"export"_s, u"--store"_s, store, u"--out"_s, path(u"x"_s), u"--source"_s, u"all"_s}).exitCode, 2);
    // The gate's options reach the preview: a pinned level, l, the suppression limit.
    r = cli({u"export"_s, u"--store"_s, store, u"--preview"_s, u"--max-level"_s, u"age_group=1"_s, u"--l"_s, u"1"_s,
             u"--suppression-limit"_s, u"10"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject anonymity = r.json().value(u"anonymity"_s).toObject();
    const QJsonObject age = anonymity.value(u"quasi_identifiers"_s).toArray().first().toObject();
    QCOMPARE(age.value(u"column"_s).toString(), u"age_group"_s);
    QCOMPARE(age.value(u"max_level"_s).toInt(), 1);
    QVERIFY(age.value(u"level"_s).toInt() <= 1);
    QCOMPARE(anonymity.value(u"l"_s).toInt(), 1);
    QCOMPARE(anonymity.value(u"suppression_limit"_s).toDouble(), 0.1);
    r = cli({u"export"_s, u"--store"_s, store, u"--preview"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("Generalisation (lattice of 216 nodes"), r.out.constData());
    r = cli({u"export"_s, u"--store"_s, store, u"--preview"_s, u"--hierarchy"_s, u"country="_s + path(u"none.csv"_s)});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("none.csv"), r.err.constData());
    QCOMPARE(cli({u"export"_s, u"--store"_s, store, u"--preview"_s, u"--max-level"_s, u"age_group"_s}).exitCode, 2);
    QCOMPARE(cli({u"export"_s, u"--store"_s, store, u"--preview"_s, u"--l"_s, u"0"_s}).exitCode, 2);
    QCOMPARE(cli({u"export"_s, u"--store"_s, store, u"--preview"_s, u"--suppression-limit"_s, u"101"_s}).exitCode, 2);
    QCOMPARE(cli({u"export"_s, u"--store"_s, store, u"--preview"_s, u"--quasi-identifiers"_s, u"shoe_size"_s}).exitCode, 2);
    r = cli({u"export"_s, u"--store"_s, store, u"--out"_s, path(u"raters"_s), u"--source"_s, u"raters"_s,
             u"--k"_s, u"1"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(QFileInfo(path(u"raters/ratings.csv"_s)).isFile());

    // --rater-seed repeats a numbering; the seed used is reported.
    r = cli({u"export"_s, u"--store"_s, store, u"--out"_s, path(u"seeded"_s), u"--source"_s, u"raters"_s,
             u"--k"_s, u"1"_s, u"--rater-seed"_s, u"4242"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(u"rater_seed"_s).toDouble(), 4242.0);
    QCOMPARE(cli({u"export"_s, u"--store"_s, store, u"--out"_s, path(u"y"_s), u"--rater-seed"_s, u"-1"_s}).exitCode, 2);
    // --overwrite replaces a previous bundle, never another folder.
    r = cli({u"export"_s, u"--store"_s, store, u"--out"_s, path(u"seeded"_s), u"--source"_s, u"raters"_s,
             u"--k"_s, u"1"_s, u"--overwrite"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(QDir().mkpath(path(u"papers"_s)));
    QFile paper(path(u"papers/thesis.txt"_s));
    QVERIFY(paper.open(QIODevice::WriteOnly));
    paper.write("mine");
    paper.close();
    r = cli({u"export"_s, u"--store"_s, store, u"--out"_s, path(u"papers"_s), u"--k"_s, u"1"_s, u"--overwrite"_s});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("not a bundle written by DermLabel"), r.err.constData());
    QCOMPARE(QDir(path(u"papers"_s)).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList {u"thesis.txt"_s});
}

void TestCli::agreementOnRatingsTable()
{
    // Krippendorff's published reliability data (4 coders, 12 units, gaps).
    const QString file = QStringLiteral(DERMLABEL_TEST_DATA) + u"/agreement/krippendorff_example.csv"_s;
    Result r = cli({u"agreement"_s, u"--ratings"_s, file, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QJsonArray fields = r.json().value(u"fields"_s).toArray();
    QVERIFY(!fields.isEmpty());
    QJsonObject field = fields.first().toObject();
    QCOMPARE(field.value(u"level"_s).toString(), u"nominal"_s);
    QVERIFY(qAbs(field.value(u"krippendorff_alpha"_s).toDouble() - 0.743) < 5e-4);
    const QString name = field.value(u"field"_s).toString();
    r = cli({u"agreement"_s, u"--ratings"_s, file, u"--level"_s, name + u"=interval"_s, u"--json"_s});
    field = r.json().value(u"fields"_s).toArray().first().toObject();
    QVERIFY(qAbs(field.value(u"krippendorff_alpha"_s).toDouble() - 0.849) < 5e-4);
    QVERIFY(field.value(u"pairs"_s).toArray().first().toObject().contains(u"cohen_kappa_quadratic"_s));
    r = cli({u"agreement"_s, u"--ratings"_s, file});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("Krippendorff"));
    QCOMPARE(cli({u"agreement"_s, u"--ratings"_s, file, u"--level"_s, u"x=fuzzy"_s}).exitCode, 2);
    QCOMPARE(cli({u"agreement"_s, u"--ratings"_s, path(u"absent.csv"_s)}).exitCode, 2);
}

void TestCli::workstationAnswersWithoutDisplay_data()
{
    QTest::addColumn<QString>("arg");
    QTest::addColumn<QString>("expected");
    QTest::newRow("--version") << u"--version"_s << u"DermLabel 0."_s;
    QTest::newRow("--help") << u"--help"_s << u"--store <PATH|URL>"_s;
}

void TestCli::workstationAnswersWithoutDisplay()
{
    QFETCH(QString, arg);
    QFETCH(QString, expected);
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(u"DISPLAY"_s);
    environment.remove(u"WAYLAND_DISPLAY"_s);
    environment.remove(u"QT_QPA_PLATFORM"_s);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(DERMLABEL_GUI_PATH), {arg});
    QVERIFY(process.waitForFinished(30'000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY2(QString::fromUtf8(process.readAllStandardOutput()).contains(expected), "output");
}

void TestCli::helpNamesTheCommandAndAlignsTheList()
{
    // A command's help names the command (the man pages are written from it), not the path started.
    auto r = cli({u"export"_s, u"--help"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith("Usage: dermlabel-cli export [options]\n"), r.out.left(80).constData());
    // The command list: every description starts in the same column.
    r = cli({u"--help"_s});
    QCOMPARE(r.exitCode, 0);
    const QString text = QString::fromUtf8(r.out);
    const qsizetype begin = text.indexOf(u"Commands:\n"_s);
    QVERIFY(begin >= 0);
    const QStringList lines = text.mid(begin).split(u'\n').mid(1);
    QSet<qsizetype> columns;
    int commands = 0;
    for (const QString &line : lines) {
        if (line.isEmpty())
            break;
        const qsizetype name = line.indexOf(u' ', 2);
        qsizetype description = name;
        while (description < line.size() && line.at(description) == u' ')
            ++description;
        columns.insert(description);
        ++commands;
    }
    QVERIFY(commands >= 13);
    QCOMPARE(columns.size(), 1);
}

// import --labelme / --coco: LabelMe and COCO regions as a rater's labels.
static QByteArray labelMeFile(const QString &imagePath, int width, int height, const QJsonArray &shapes)
{
    QJsonObject o {{u"version"_s, u"5.2.1"_s}, {u"flags"_s, QJsonObject()}, {u"shapes"_s, shapes},
                   {u"imagePath"_s, imagePath}, {u"imageData"_s, QJsonValue()},
                   {u"imageHeight"_s, height}, {u"imageWidth"_s, width}};
    return QJsonDocument(o).toJson();
}

static QJsonObject rectangleShape(const QString &label, int x0, int y0, int x1, int y1)
{
    return {{u"label"_s, label},
            {u"shape_type"_s, u"rectangle"_s},
            {u"points"_s, QJsonArray {QJsonArray {x0, y0}, QJsonArray {x1, y1}}},
            {u"flags"_s, QJsonObject()}};
}

void TestCli::importLabelMeAndCoco()
{
    const QString store = path(u"interchange.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    const QString images = path(u"interchange-images"_s);
    QVERIFY(fixtures::write(images + u"/a.png"_s, fixtures::png(64, 48, 21)));
    QVERIFY(fixtures::write(images + u"/b.png"_s, fixtures::png(64, 48, 22)));
    QCOMPARE(cli({u"import"_s, u"--store"_s, store, u"--folder"_s, images}).exitCode, 0);

    const QString labelme = path(u"interchange-labelme"_s);
    QVERIFY(fixtures::write(labelme + u"/a.json"_s,
                            labelMeFile(u"../interchange-images/a.png"_s, 64, 48,
                                        {rectangleShape(u"Eczema"_s, 10, 10, 19, 19),
                                         rectangleShape(u"banana"_s, 0, 0, 3, 3)})));
    Result r = cli({u"import"_s, u"--store"_s, store, u"--labelme"_s, labelme, u"--as"_s, u"dr.imported"_s,
                    u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.out.constData());
    QJsonObject report = r.json();
    QCOMPARE(report.value(u"format"_s).toString(), u"labelme"_s);
    QCOMPARE(report.value(u"files_read"_s).toInt(), 1);
    QCOMPARE(report.value(u"images_matched"_s).toInt(), 1);
    QCOMPARE(report.value(u"annotations_written"_s).toInt(), 1);
    QCOMPARE(report.value(u"masks_written"_s).toInt(), 1);
    QCOMPARE(report.value(u"rater_created"_s).toBool(), true);
    QCOMPARE(report.value(u"warnings"_s).toInt(), 1);
    QJsonArray issues = report.value(u"issues"_s).toArray();
    QCOMPARE(issues.size(), 1);
    QCOMPARE(issues.at(0).toObject().value(u"code"_s).toString(), u"unknown_label"_s);
    QCOMPARE(issues.at(0).toObject().value(u"file"_s).toString(), u"a.json"_s);

    // Again: nothing changes; the human summary says so and names the skipped label.
    r = cli({u"import"_s, u"--store"_s, store, u"--labelme"_s, labelme, u"--as"_s, u"dr.imported"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("1 already up to date") && r.out.contains("0 masks written"), r.out.constData());
    QVERIFY2(r.out.contains("banana"), r.out.constData());
    QVERIFY2(!r.out.contains("Created"), r.out.constData());

    // COCO: one image found, one file missing.
    const QJsonObject coco {
        {u"images"_s,
         QJsonArray {QJsonObject {{u"id"_s, 1}, {u"file_name"_s, u"b.png"_s}, {u"width"_s, 64}, {u"height"_s, 48}},
                     QJsonObject {{u"id"_s, 2}, {u"file_name"_s, u"gone.png"_s}, {u"width"_s, 64}, {u"height"_s, 48}}}},
        {u"categories"_s, QJsonArray {QJsonObject {{u"id"_s, 7}, {u"name"_s, u"psoriasis"_s}}}},
        {u"annotations"_s,
         QJsonArray {QJsonObject {{u"id"_s, 1}, {u"image_id"_s, 1}, {u"category_id"_s, 7}, {u"iscrowd"_s, 0},
                                  {u"segmentation"_s, QJsonArray {QJsonArray {2, 2, 12, 2, 12, 12, 2, 12}}}},
                     QJsonObject {{u"id"_s, 2}, {u"image_id"_s, 2}, {u"category_id"_s, 7}, {u"iscrowd"_s, 0},
                                  {u"segmentation"_s, QJsonArray {QJsonArray {2, 2, 12, 2, 12, 12}}}}}}};
    const QString cocoFile = path(u"interchange-coco.json"_s);
    QVERIFY(fixtures::write(cocoFile, QJsonDocument(coco).toJson()));
    r = cli({u"import"_s, u"--store"_s, store, u"--coco"_s, cocoFile, u"--images"_s, images, u"--as"_s, u"dr.coco"_s,
             u"--json"_s});
    QCOMPARE(r.exitCode, 1);
    report = r.json();
    QCOMPARE(report.value(u"format"_s).toString(), u"coco"_s);
    QCOMPARE(report.value(u"files_read"_s).toInt(), 2);
    QCOMPARE(report.value(u"images_matched"_s).toInt(), 1);
    QCOMPARE(report.value(u"masks_written"_s).toInt(), 1);
    QCOMPARE(report.value(u"skipped"_s).toInt(), 1);
    issues = report.value(u"issues"_s).toArray();
    QCOMPARE(issues.size(), 1);
    QCOMPARE(issues.at(0).toObject().value(u"code"_s).toString(), u"missing_image"_s);
    QCOMPARE(issues.at(0).toObject().value(u"file"_s).toString(), u"gone.png"_s);
    QCOMPARE(issues.at(0).toObject().value(u"skipped"_s).toBool(), true);
    r = cli({u"import"_s, u"--store"_s, store, u"--coco"_s, cocoFile, u"--images"_s, images, u"--as"_s, u"dr.coco"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("Skipped:") && r.out.contains("gone.png"), r.out.constData());

    r = cli({u"stats"_s, u"--store"_s, store, u"--json"_s});
    QCOMPARE(r.json().value(u"annotations"_s).toInt(), 2);
    QCOMPARE(r.json().value(u"users"_s).toInt(), 2);
}

void TestCli::consensusRegionsByStaple()
{
    // One image, three raters' eczema regions brought in from LabelMe: two agree, one draws wider.
    const QString store = path(u"regions.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
    const QString images = path(u"regions-images"_s);
    QVERIFY(fixtures::write(images + u"/a.png"_s, fixtures::png(64, 48, 31)));
    QCOMPARE(cli({u"import"_s, u"--store"_s, store, u"--folder"_s, images}).exitCode, 0);
    const QList<std::array<int, 4>> boxes {{10, 10, 19, 19}, {10, 10, 19, 19}, {5, 5, 29, 29}};
    QList<cv::Mat> masks;
    for (int j = 0; j < 3; ++j) {
        const QString folder = path(u"regions-labelme-%1"_s.arg(j));
        const auto &b = boxes.at(j);
        QVERIFY(fixtures::write(folder + u"/a.json"_s, labelMeFile(u"../regions-images/a.png"_s, 64, 48,
                                                                   {rectangleShape(u"Eczema"_s, b[0], b[1], b[2], b[3])})));
        const Result r = cli({u"import"_s, u"--store"_s, store, u"--labelme"_s, folder, u"--as"_s,
                              u"dr.r%1"_s.arg(j)});
        QVERIFY2(r.exitCode == 0, r.out.constData());
        cv::Mat m = cv::Mat::zeros(48, 64, CV_8UC1);
        m(cv::Rect(b[0], b[1], b[2] - b[0] + 1, b[3] - b[1] + 1)).setTo(255);
        masks.append(m);
    }
    const auto expected = dl::MaskConsensus::staple(masks);
    QVERIFY(expected);

    Result r = cli({u"consensus"_s, u"--store"_s, store, u"--masks"_s, u"staple"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject report = r.json().value(u"masks"_s).toObject();
    QCOMPARE(report.value(u"method"_s).toString(), u"staple"_s);
    const QJsonArray layers = report.value(u"layers"_s).toArray();
    QCOMPARE(layers.size(), 1);
    const QJsonObject layer = layers.first().toObject();
    QCOMPARE(layer.value(u"layer"_s).toString(), u"condition:eczema"_s);
    QCOMPARE(layer.value(u"area"_s).toInt(), cv::countNonZero(expected->mask));
    QCOMPARE(layer.value(u"iterations"_s).toInt(), expected->iterations);
    const QJsonArray raters = layer.value(u"raters"_s).toArray();
    QCOMPARE(raters.size(), 3);
    for (const QJsonValue &v : raters) {
        const QJsonObject rater = v.toObject();
        const int j = rater.value(u"rater"_s).toString().mid(4).toInt(); // dr.rJ: staff see user names
        QVERIFY(std::abs(rater.value(u"sensitivity"_s).toDouble() - expected->raters.at(j).sensitivity) < 1e-9);
        QVERIFY(std::abs(rater.value(u"specificity"_s).toDouble() - expected->raters.at(j).specificity) < 1e-9);
    }
    // The majority: the two agreeing raters' square.
    r = cli({u"consensus"_s, u"--store"_s, store, u"--masks"_s, u"majority"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject majority = r.json().value(u"masks"_s).toObject().value(u"layers"_s).toArray().first().toObject();
    QCOMPARE(majority.value(u"area"_s).toInt(), 100);
    QVERIFY(!majority.contains(u"iterations"_s));
    r = cli({u"consensus"_s, u"--store"_s, store, u"--masks"_s, u"staple"_s});
    QVERIFY2(r.exitCode == 0 && r.out.contains("dr.r2 sensitivity"), r.out.constData());
    QCOMPARE(cli({u"consensus"_s, u"--store"_s, store, u"--masks"_s, u"vote"_s}).exitCode, 2);
    QCOMPARE(cli({u"consensus"_s, u"--store"_s, store, u"--staple-threshold"_s, u"0.7"_s}).exitCode, 2);

    // export --mask-consensus staple: staple.csv, the soft maps; bad combinations are refused.
    r = cli({u"export"_s, u"--store"_s, store, u"--out"_s, path(u"regions-bundle"_s), u"--k"_s, u"1"_s,
             u"--mask-consensus"_s, u"staple"_s, u"--staple-probabilities"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, (r.err + r.out).constData());
    if (r.json().value(u"images"_s).toInt() == 1) {
        QVERIFY(QFileInfo(path(u"regions-bundle/staple.csv"_s)).isFile());
        QVERIFY(QFileInfo(path(u"regions-bundle/probabilities"_s)).isDir());
    }
    for (const QStringList &bad : {QStringList {u"--mask-consensus"_s, u"vote"_s},
                                   QStringList {u"--staple-threshold"_s, u"0.7"_s},
                                   QStringList {u"--mask-consensus"_s, u"staple"_s, u"--staple-threshold"_s, u"0"_s},
                                   QStringList {u"--mask-consensus"_s, u"staple"_s, u"--source"_s, u"raters"_s}})
        QCOMPARE(cli(QStringList {u"export"_s, u"--store"_s, store, u"--out"_s, path(u"z"_s)} + bad).exitCode, 2);
}

void TestCli::importInterchangeErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString images = path(u"interchange-errors-images"_s);
    const QString labelme = path(u"interchange-errors-labelme"_s);
    QTest::newRow("no folder") << QStringList {u"--labelme"_s, path(u"nowhere"_s), u"--as"_s, u"dr.x"_s}
                               << u"There is no folder"_s;
    QTest::newRow("no rater") << QStringList {u"--labelme"_s, labelme} << u"--as NAME"_s;
    QTest::newRow("no COCO file") << QStringList {u"--coco"_s, path(u"nowhere.json"_s), u"--images"_s, images,
                                                  u"--as"_s, u"dr.x"_s}
                                  << u"There is no COCO file"_s;
    QTest::newRow("COCO without images") << QStringList {u"--coco"_s, path(u"nowhere.json"_s), u"--as"_s, u"dr.x"_s}
                                         << u"--images DIR"_s;
    QTest::newRow("both kinds") << QStringList {u"--labelme"_s, labelme, u"--folder"_s, images, u"--as"_s, u"dr.x"_s}
                                << u"exactly one of"_s;
    QTest::newRow("--as with a folder") << QStringList {u"--folder"_s, images, u"--as"_s, u"dr.x"_s}
                                        << u"--labelme or --coco only"_s;
    QTest::newRow("administrator as rater") << QStringList {u"--labelme"_s, labelme, u"--as"_s, u"boss"_s}
                                            << u"has the role Administrator"_s;
    QTest::newRow("nothing in the store") << QStringList {u"--labelme"_s, labelme, u"--as"_s, u"dr.x"_s}
                                          << u"not in the store"_s;
}

void TestCli::importInterchangeErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const QString store = path(u"interchange-errors.dermlabel"_s);
    if (!QFile::exists(store)) {
        QCOMPARE(cli({u"init"_s, u"--store"_s, store}).exitCode, 0);
        QCOMPARE(cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"boss"_s, u"--role"_s, u"admin"_s},
                     "password-1\n")
                     .exitCode,
                 0);
        const QString images = path(u"interchange-errors-images"_s);
        QVERIFY(fixtures::write(images + u"/stranger.png"_s, fixtures::png(64, 48, 31)));
        QVERIFY(fixtures::write(path(u"interchange-errors-labelme/s.json"_s),
                                labelMeFile(u"../interchange-errors-images/stranger.png"_s, 64, 48,
                                            {rectangleShape(u"eczema"_s, 1, 1, 5, 5)})));
    }
    const Result r = cli(QStringList {u"import"_s, u"--store"_s, store, u"--json"_s} + args);
    QCOMPARE(r.exitCode, 2);
    const QString all = QString::fromUtf8(r.out + r.err);
    QVERIFY2(all.contains(message), qPrintable(all));
    QCOMPARE(r.json().value(u"ok"_s).toBool(true), false);
}

void TestCli::migrateToServerAndBack()
{
    if (PostgresTestServer::disabled())
        QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
    const QString source = path(u"migrate-source.dermlabel"_s);
    Result r = cli({u"demo"_s, u"--store"_s, source, u"--images"_s, u"6"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const dl::StoreLocation location = m_pg.location(u"migrated"_s);
    const QString url = location.toString(); // the password comes from PGPASSWORD
    const QByteArray savedPassword = qgetenv("PGPASSWORD");
    const QByteArray savedCache = qgetenv("XDG_CACHE_HOME");
    qputenv("PGPASSWORD", location.password().toUtf8());
    qputenv("XDG_CACHE_HOME", path(u"migrate-cache"_s).toUtf8());
    const QStringList demoUsers {u"admin"_s, u"qa.lead"_s, u"dr.amara"_s, u"dr.lee"_s, u"dr.silva"_s};
    auto restore = qScopeGuard([&] {
        for (const auto &[name, value] : {std::pair {"PGPASSWORD", savedPassword}, {"XDG_CACHE_HOME", savedCache}}) {
            if (value.isNull())
                qunsetenv(name);
            else
                qputenv(name, value);
        }
        m_pg.dropAll();
        QStringList drop;
        for (const QString &name : demoUsers)
            drop.append(u"DROP ROLE IF EXISTS \"%1\""_s.arg(name));
        for (const QString &group : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s})
            drop.append(u"DROP ROLE IF EXISTS \"%1_%2\""_s.arg(m_pg.databaseName(u"migrated"_s), group));
        QString ignored;
        m_pg.admin(drop, &ignored);
    });

    r = cli({u"migrate"_s, u"--from"_s, source, u"--json"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--to"), r.err.constData());

    // To the server: every table and the image files verified.
    r = cli({u"migrate"_s, u"--from"_s, source, u"--to"_s, url, u"--json"_s});
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    QJsonObject report = r.json();
    QCOMPARE(report.value(u"ok"_s).toBool(), true);
    QCOMPARE(report.value(u"outcome"_s).toString(), u"copied"_s);
    const QJsonArray tables = report.value(u"tables"_s).toArray();
    QVERIFY(tables.size() >= 20);
    for (const QJsonValue &table : tables) {
        QVERIFY(table.toObject().value(u"match"_s).toBool());
        QCOMPARE(table.toObject().value(u"source_sha256"_s).toString().size(), 64);
    }
    QCOMPARE(report.value(u"images"_s).toObject().value(u"target_files"_s).toInt(), 6);
    QStringList users;
    for (const QString &key : {u"users_without_password"_s, u"users_with_existing_role"_s}) {
        for (const QJsonValue &name : report.value(key).toArray())
            users.append(name.toString());
    }
    users.sort();
    QStringList expected = demoUsers;
    expected.sort();
    QCOMPARE(users, expected);
    QVERIFY(r.err.contains("copying annotations")); // progress on stderr

    // Again: nothing to do, in words.
    r = cli({u"migrate"_s, u"--from"_s, source, u"--to"_s, url});
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    QVERIFY2(r.out.contains("already is an identical copy"), r.out.constData());
    QVERIFY2(r.out.contains("audit_log"), r.out.constData());

    // A password for a rater's new login; then the server lets them in.
    r = cli({u"users"_s, u"password"_s, u"--store"_s, url, u"dr.amara"_s}, "amara's password\n");
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(cli({u"users"_s, u"password"_s, u"--store"_s, url, u"nobody"_s}, "whatever1\n").exitCode, 2);
    {
        QString error;
        auto team = dl::Store::open(location, dl::Store::OpenMode::MustExist, &error);
        QVERIFY2(team, qPrintable(error));
        bool refused = false;
        QVERIFY2(team->connectAs(u"dr.amara"_s, u"amara's password"_s, &refused, &error), qPrintable(error));
    }

    // assign works on the team store too: the demo's assignments came along.
    r = cli({u"assign"_s, u"--store"_s, url, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(u"added"_s).toInt(-1), 0);
    r = cli({u"assign"_s, u"--store"_s, url, u"--k"_s, u"4"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("only 3 active annotators"), r.err.constData());

    // Back to a store file: the same checksums; the users need a local password.
    const QString copy = path(u"migrate-copy.dermlabel"_s);
    r = cli({u"migrate"_s, u"--from"_s, url, u"--to"_s, copy});
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    QVERIFY2(r.out.contains("users password"), r.out.constData());
    QVERIFY2(!r.out.contains("DIFFERENT"), r.out.constData());
    r = cli({u"users"_s, u"password"_s, u"--store"_s, copy, u"--name"_s, u"admin"_s}, "new admin pass\n");
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject before = cli({u"stats"_s, u"--store"_s, source, u"--json"_s}).json();
    const QJsonObject after = cli({u"stats"_s, u"--store"_s, copy, u"--json"_s}).json();
    QCOMPARE(after, before);
    QCOMPARE(cli({u"check"_s, u"--store"_s, copy, u"--verify-hashes"_s}).exitCode, 0);

    // Never into another store.
    const QString other = path(u"migrate-other.dermlabel"_s);
    QCOMPARE(cli({u"init"_s, u"--store"_s, other}).exitCode, 0);
    QCOMPARE(cli({u"users"_s, u"add"_s, u"--store"_s, other, u"--name"_s, u"x.admin"_s, u"--role"_s, u"admin"_s},
                 "x-password\n")
                 .exitCode,
             0);
    r = cli({u"migrate"_s, u"--from"_s, source, u"--to"_s, other});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("another store"), r.err.constData());
}

void TestCli::assignForScripts()
{
    const QString store = path(u"assign.dermlabel"_s);
    Result r = cli({u"demo"_s, u"--store"_s, store, u"--images"_s, u"4"_s, u"--rated"_s, u"0"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    // The demo assigned every image to its three dermatologists already.
    r = cli({u"assign"_s, u"--store"_s, store});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("Nothing to assign"), r.out.constData());
    r = cli({u"assign"_s, u"--store"_s, store, u"--k"_s, u"4"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("only 3 active annotators"), r.err.constData());
    r = cli({u"assign"_s, u"--store"_s, store, u"--raters"_s, u"dr.amara,nobody"_s, u"--k"_s, u"1"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("no user named 'nobody'"), r.err.constData());
    r = cli({u"assign"_s, u"--store"_s, store, u"--raters"_s, u"qa.lead"_s, u"--k"_s, u"1"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("not an annotator"), r.err.constData());
    r = cli({u"assign"_s, u"--store"_s, store, u"--raters"_s, u"dr.amara,dr.lee"_s, u"--k"_s, u"3"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("names only 2"), r.err.constData());
    QCOMPARE(cli({u"assign"_s, u"--store"_s, store, u"--k"_s, u"zero"_s}).exitCode, 2);

    // A fourth dermatologist: K=4 gives each image to them.
    QCOMPARE(cli({u"users"_s, u"add"_s, u"--store"_s, store, u"--name"_s, u"dr.new"_s, u"--role"_s, u"annotator"_s},
                 "new-password\n")
                 .exitCode,
             0);
    const bool hadUser = qEnvironmentVariableIsSet("USER");
    const QByteArray systemUser = qgetenv("USER");
    auto restoreUser = qScopeGuard([&] {
        if (hadUser)
            qputenv("USER", systemUser);
        else
            qunsetenv("USER");
    });
    qputenv("USER", "ward.admin");
    r = cli({u"assign"_s, u"--store"_s, store, u"--k"_s, u"4"_s, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QJsonObject result = r.json();
    QCOMPARE(result.value(u"added"_s).toInt(), 4);
    QCOMPARE(result.value(u"images"_s).toInt(), 4);
    QCOMPARE(result.value(u"added_per_user"_s).toObject().value(u"dr.new"_s).toInt(), 4);
    r = cli({u"assign"_s, u"--store"_s, store, u"--json"_s}); // the store remembers K=4
    QCOMPARE(r.json().value(u"k"_s).toInt(), 4);
    QCOMPARE(r.json().value(u"added"_s).toInt(), 0);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"assign-audit"_s);
        db.setDatabaseName(store);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(u"SELECT user_id, detail FROM audit_log WHERE action = 'assign' ORDER BY id DESC"_s));
        QVERIFY(query.next());
        QVERIFY(query.value(0).isNull()); // the command line is no account of the store
        const QJsonObject detail = QJsonDocument::fromJson(query.value(1).toByteArray()).object();
        QCOMPARE(detail.value(u"via"_s).toString(), u"command line"_s);
        QCOMPARE(detail.value(u"os_user"_s).toString(), u"ward.admin"_s);
        QCOMPARE(detail.value(u"k"_s).toInt(), 4);
    }
    QSqlDatabase::removeDatabase(u"assign-audit"_s);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
