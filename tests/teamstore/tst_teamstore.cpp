// SPDX-License-Identifier: GPL-3.0-or-later
// Team stores: postgresql:// URLs (parsing, never showing the password), and
// opening a PostgreSQL database of the test server: creating a missing one,
// the rights and failures a person must be told about in plain words.
#include "PostgresTestServer.h"

#include "session/SessionService.h"
#include "store/PostgresServer.h"
#include "store/SchemaMigrator.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreInspector.h"
#include "store/StoreLocation.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace dl;

class TestTeamStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void filePathsStaySqlite_data();
    void filePathsStaySqlite();
    void goodUrls_data();
    void goodUrls();
    void badUrls_data();
    void badUrls();
    void connectOptionsHaveDefaults();
    void passwordIsNeverShown();

    void missingDatabaseIsCreated();
    void missingDatabaseWithoutTheRightToCreateIt();
    void mustExistDoesNotCreate();
    void createNewAcceptsOnlyAnEmptyDatabase();
    void wrongPasswordIsReported();
    void missingPasswordIsReadFromTheEnvironment();
    void unreachableServerIsReported();
    void teamStoreHasNoLockFileAndCachesImagesLocally();
    void invalidIndexIsAnIntegrityProblem();

private:
    bool requireServer();

    PostgresTestServer m_pg {u"teamstore"_s};
    QString m_role;
};

void TestTeamStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_role = u"dltest_nocreatedb_%1"_s.arg(QCoreApplication::applicationPid());
}

void TestTeamStore::cleanupTestCase()
{
    m_pg.dropAll();
    if (m_pg.isAvailable()) {
        QString error;
        QVERIFY2(m_pg.admin({u"DROP ROLE IF EXISTS %1"_s.arg(m_role)}, &error), qPrintable(error));
    }
}

bool TestTeamStore::requireServer()
{
    if (PostgresTestServer::disabled())
        return false;
    return m_pg.isAvailable();
}

// QSKIP and QVERIFY return from the test function, so they stay in a macro.
#define REQUIRE_SERVER()                                                                                              \
    do {                                                                                                              \
        if (PostgresTestServer::disabled())                                                                           \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QVERIFY2(requireServer(), qPrintable(m_pg.error()));                                                          \
    } while (false)

void TestTeamStore::filePathsStaySqlite_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("path");
    QTest::newRow("absolute") << u"/data/labels.dermlabel"_s << u"/data/labels.dermlabel"_s;
    QTest::newRow("relative") << u"labels.dermlabel"_s << QDir::current().absoluteFilePath(u"labels.dermlabel"_s);
    QTest::newRow("colon in name") << u"/data/a:b.dermlabel"_s << u"/data/a:b.dermlabel"_s;
    QTest::newRow("file url") << u"file:///data/x%20y.dermlabel"_s << u"/data/x y.dermlabel"_s;
}

void TestTeamStore::filePathsStaySqlite()
{
    QFETCH(QString, text);
    QFETCH(QString, path);
    QString error;
    const StoreLocation location = StoreLocation::parse(text, &error);
    QVERIFY2(location.isSqlite(), qPrintable(error));
    QCOMPARE(location.filePath(), path);
    QCOMPARE(location.toString(), path);
}

void TestTeamStore::goodUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("user");
    QTest::addColumn<bool>("hasPassword");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("sslMode");

    QTest::newRow("full") << u"postgresql://dr.lee:s3cret@db.clinic.example:5433/derm?sslmode=verify-full"
                             "&sslrootcert=/etc/ssl/clinic%20ca.pem&application_name=derm%26label"_s
                          << u"db.clinic.example"_s << 5433 << u"derm"_s << u"dr.lee"_s << true << u"s3cret"_s
                          << u"verify-full"_s;
    QTest::newRow("short scheme, default port") << u"postgres://admin@10.0.0.7/labels"_s << u"10.0.0.7"_s << 5432
                                                << u"labels"_s << u"admin"_s << false << QString() << u"prefer"_s;
    QTest::newRow("no user") << u"postgresql://localhost/derm"_s << u"localhost"_s << 5432 << u"derm"_s << QString()
                             << false << QString() << u"prefer"_s;
    QTest::newRow("local socket") << u"postgresql:///derm"_s << QString() << 5432 << u"derm"_s << QString() << false
                                  << QString() << u"prefer"_s;
    QTest::newRow("percent-encoded") << u"postgresql://dr%20lee:p%40ss%3Aw%2Fd@host/der%C3%A9m"_s << u"host"_s << 5432
                                     << u"derém"_s << u"dr lee"_s << true << u"p@ss:w/d"_s << u"prefer"_s;
    // An empty password is none, as for libpq (which then reads PGPASSWORD or ~/.pgpass).
    QTest::newRow("empty password") << u"postgresql://u:@host/db"_s << u"host"_s << 5432 << u"db"_s << u"u"_s << false
                                    << QString() << u"prefer"_s;
    QTest::newRow("ipv6") << u"postgresql://u@[::1]:6000/db?sslmode=require&connect_timeout=3"_s << u"::1"_s << 6000
                          << u"db"_s << u"u"_s << false << QString() << u"require"_s;
}

void TestTeamStore::goodUrls()
{
    QFETCH(QString, url);
    QString error;
    const StoreLocation location = StoreLocation::parse(url, &error);
    QVERIFY2(location.isPostgres(), qPrintable(error));
    QTEST(location.host(), "host");
    QTEST(location.port(), "port");
    QTEST(location.database(), "database");
    QTEST(location.user(), "user");
    QTEST(location.hasPassword(), "hasPassword");
    QFETCH(QString, password);
    if (!password.isEmpty())
        QCOMPARE(location.password(), password);
    QTEST(location.sslMode(), "sslMode");
    // What shows or reopens the location never carries the password.
    if (!password.isEmpty()) {
        QVERIFY(!location.displayName().contains(password));
        QVERIFY(!location.toString().contains(password));
        QVERIFY(!location.toString().contains(QString::fromUtf8(QUrl::toPercentEncoding(password))));
    }
    // toString() opens the same database again.
    const StoreLocation again = StoreLocation::parse(location.toString(), &error);
    QVERIFY2(again.isPostgres(), qPrintable(error));
    QCOMPARE(again.host(), location.host());
    QCOMPARE(again.port(), location.port());
    QCOMPARE(again.database(), location.database());
    QCOMPARE(again.user(), location.user());
    QCOMPARE(again.options(), location.options());
    QVERIFY(!again.hasPassword());
    QCOMPARE(again.connectOptions(), location.connectOptions());
}

void TestTeamStore::badUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("message");
    QTest::newRow("no database") << u"postgresql://u:topsecret@host"_s << u"names no database"_s;
    QTest::newRow("empty database") << u"postgresql://u:topsecret@host/"_s << u"names no database"_s;
    QTest::newRow("nested path") << u"postgresql://u:topsecret@host/a/b"_s << u"must not contain '/'"_s;
    QTest::newRow("bad port") << u"postgresql://u:topsecret@host:99999/db"_s << u"not a valid URL"_s;
    QTest::newRow("port not a number") << u"postgresql://u:topsecret@host:abc/db"_s << u"not a valid URL"_s;
    QTest::newRow("bad sslmode") << u"postgresql://u:topsecret@host/db?sslmode=sometimes"_s << u"sslmode must be"_s;
    QTest::newRow("unknown option") << u"postgresql://u:topsecret@host/db?options=-c%20x"_s
                                    << u"unknown option options"_s;
    QTest::newRow("bad timeout") << u"postgresql://u:topsecret@host/db?connect_timeout=soon"_s
                                 << u"connect_timeout must be"_s;
    QTest::newRow("twice") << u"postgresql://u:topsecret@host/db?sslmode=require&sslmode=disable"_s
                           << u"given twice"_s;
    QTest::newRow("semicolon") << u"postgresql://u:topsecret@host/db?application_name=a;b"_s << u"without ';'"_s;
    QTest::newRow("fragment") << u"postgresql://u:topsecret@host/db#x"_s << u"no #fragment"_s;
    QTest::newRow("other scheme") << u"mysql://u:topsecret@host/db"_s << u"neither a store file"_s;
    QTest::newRow("blank") << u"  "_s << u"No store given"_s;
}

void TestTeamStore::badUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, message);
    QString error;
    const StoreLocation location = StoreLocation::parse(url, &error);
    QVERIFY(!location.isValid());
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY2(!error.contains(u"topsecret"_s), qPrintable(error));
    // Store::open says the same.
    QString openError;
    QVERIFY(!Store::open(url, Store::OpenMode::CreateIfMissing, &openError));
    QVERIFY2(!openError.contains(u"topsecret"_s), qPrintable(openError));
    QVERIFY2(!openError.isEmpty(), qPrintable(url));
}

void TestTeamStore::connectOptionsHaveDefaults()
{
    QString error;
    const StoreLocation plain = StoreLocation::parse(u"postgresql://u@h/db"_s, &error);
    QCOMPARE(plain.connectOptions(), u"application_name='dermlabel';connect_timeout='10';sslmode='prefer'"_s);
    const StoreLocation given = StoreLocation::parse(
        u"postgresql://u@h/db?sslmode=verify-full&sslrootcert=/etc/ssl/clinic%20ca.pem&connect_timeout=3"
        "&application_name=o'brien"_s,
        &error);
    QVERIFY2(given.isValid(), qPrintable(error));
    QCOMPARE(given.connectOptions(),
             u"application_name='o\\'brien';connect_timeout='3';sslmode='verify-full';"
             "sslrootcert='/etc/ssl/clinic ca.pem'"_s);
    QVERIFY(!given.connectOptions().contains(u"password"_s));
}

void TestTeamStore::passwordIsNeverShown()
{
    QString error;
    const StoreLocation location =
        StoreLocation::parse(u"postgresql://dr.lee:hunter2@db.example:5433/derm?sslmode=require"_s, &error);
    QCOMPARE(location.displayName(), u"postgresql://dr.lee@db.example:5433/derm"_s);
    QCOMPARE(location.toString(), u"postgresql://dr.lee@db.example:5433/derm?sslmode=require"_s);
    QCOMPARE(StoreLocation::redacted(u"postgresql://dr.lee:hunter2@db.example/derm"_s),
             u"postgresql://dr.lee:***@db.example/derm"_s);
    QCOMPARE(StoreLocation::redacted(u"postgresql://dr.lee@db.example/derm"_s),
             u"postgresql://dr.lee@db.example/derm"_s);
    QCOMPARE(StoreLocation::redacted(u"postgresql://u:p@ss@h/db"_s), u"postgresql://u:***@h/db"_s);
    QCOMPARE(location.cacheKey(), u"db.example-5433-derm"_s);

    // Nor in a failed connection's message.
    const StoreLocation unreachable =
        StoreLocation::parse(u"postgresql://dr.lee:hunter2@127.0.0.1:1/derm?connect_timeout=2"_s, &error);
    QVERIFY(!Store::open(unreachable, Store::OpenMode::MustExist, &error));
    QVERIFY2(!error.contains(u"hunter2"_s), qPrintable(error));
}

void TestTeamStore::missingDatabaseIsCreated()
{
    REQUIRE_SERVER();
    QString error;
    QVERIFY(!m_pg.exists(u"created"_s, &error));
    auto store = Store::open(m_pg.databaseUrl(u"created"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY2(store, qPrintable(error));
    QVERIFY(m_pg.exists(u"created"_s, &error));
    QCOMPARE(store->schemaVersion(), SchemaMigrator::latestVersion());
    QCOMPARE(store->dialect().engine(), SqlDialect::Engine::Postgres);
    // Byte-order collation, as SQLite compares text.
    QCOMPARE(Sql::scalar(store->db(), u"SELECT datcollate FROM pg_database WHERE datname = current_database()"_s, {},
                         &error)
                 ->toString(),
             u"C"_s);
    QCOMPARE(Sql::scalar(store->db(), u"SELECT 'B' < 'a'"_s, {}, &error)->toBool(), true);
    // The store's own path reopens it (the password comes from elsewhere, here the original URL).
    QVERIFY(!store->path().contains(m_pg.location(u"created"_s).password()));
    store.reset();
    store = Store::open(m_pg.location(u"created"_s), Store::OpenMode::MustExist, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(StoreInspector(*store).stats(&error).images, 0);
}

void TestTeamStore::missingDatabaseWithoutTheRightToCreateIt()
{
    REQUIRE_SERVER();
    QString error;
    QVERIFY2(m_pg.admin({u"CREATE ROLE %1 LOGIN PASSWORD 'no-createdb' NOCREATEDB"_s.arg(m_role)}, &error),
             qPrintable(error));
    StoreLocation location = StoreLocation::parse(
        u"postgresql://%1:no-createdb@%2:%3/%4?sslmode=disable"_s.arg(m_role, m_pg.location(u"x"_s).host())
            .arg(m_pg.location(u"x"_s).port())
            .arg(m_pg.databaseName(u"denied"_s)),
        &error);
    QVERIFY2(location.isValid(), qPrintable(error));
    m_pg.location(u"denied"_s); // dropped at the end should it be created after all
    QVERIFY(!Store::open(location, Store::OpenMode::CreateIfMissing, &error));
    QVERIFY2(error.contains(u"CREATEDB"_s), qPrintable(error));
    QVERIFY2(error.contains(m_role), qPrintable(error));
    QVERIFY2(error.contains(m_pg.databaseName(u"denied"_s)), qPrintable(error));
    QVERIFY2(!error.contains(u"no-createdb"_s), qPrintable(error));
    QVERIFY(!m_pg.exists(u"denied"_s, &error));

    // With the right, the same role creates it and owns it.
    QVERIFY2(m_pg.admin({u"ALTER ROLE %1 CREATEDB"_s.arg(m_role)}, &error), qPrintable(error));
    auto store = Store::open(location, Store::OpenMode::CreateIfMissing, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(Sql::scalar(store->db(),
                         u"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"_s, {},
                         &error)
                 ->toString(),
             m_role);
}

void TestTeamStore::mustExistDoesNotCreate()
{
    REQUIRE_SERVER();
    QString error;
    QVERIFY(!Store::open(m_pg.location(u"absent"_s), Store::OpenMode::MustExist, &error));
    QVERIFY2(error.contains(u"There is no database %1"_s.arg(m_pg.databaseName(u"absent"_s))), qPrintable(error));
    QVERIFY2(error.contains(u"init"_s), qPrintable(error));
    QVERIFY(!m_pg.exists(u"absent"_s, &error));
}

void TestTeamStore::createNewAcceptsOnlyAnEmptyDatabase()
{
    REQUIRE_SERVER();
    QString error;
    // An administrator made an empty database for the store: init fills it.
    QVERIFY2(m_pg.create(u"prepared"_s, &error), qPrintable(error));
    auto store = Store::open(m_pg.location(u"prepared"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(store->schemaVersion(), SchemaMigrator::latestVersion());
    store.reset();
    // Once it holds a store, CreateNew refuses it.
    QVERIFY(!Store::open(m_pg.location(u"prepared"_s), Store::OpenMode::CreateNew, &error));
    QVERIFY2(error.contains(u"already exists and is not empty"_s), qPrintable(error));
}

void TestTeamStore::wrongPasswordIsReported()
{
    REQUIRE_SERVER();
    QString error;
    QVERIFY2(m_pg.create(u"guarded"_s, &error), qPrintable(error));
    const StoreLocation right = m_pg.location(u"guarded"_s);
    QUrl url(m_pg.databaseUrl(u"guarded"_s));
    url.setPassword(u"not-the-password"_s);
    QVERIFY(!Store::open(url.toString(), Store::OpenMode::CreateIfMissing, &error));
    QVERIFY2(error.contains(u"refused the password of %1"_s.arg(right.user())), qPrintable(error));
    QVERIFY2(error.contains(u"%1:%2"_s.arg(right.host()).arg(right.port())), qPrintable(error));
    QVERIFY2(!error.contains(u"not-the-password"_s), qPrintable(error));
}

void TestTeamStore::missingPasswordIsReadFromTheEnvironment()
{
    REQUIRE_SERVER();
    QString error;
    QVERIFY2(m_pg.create(u"envpass"_s, &error), qPrintable(error));
    const StoreLocation withPassword = m_pg.location(u"envpass"_s);
    const StoreLocation withoutPassword = StoreLocation::parse(withPassword.toString(), &error);
    QVERIFY(!withoutPassword.hasPassword());

    const QByteArray savedPassword = qgetenv("PGPASSWORD");
    const QByteArray savedPassFile = qgetenv("PGPASSFILE");
    qunsetenv("PGPASSWORD");
    qputenv("PGPASSFILE", "/nonexistent/dermlabel-pgpass");
    QVERIFY(!Store::open(withoutPassword, Store::OpenMode::CreateIfMissing, &error));
    QVERIFY2(error.contains(u"asks for the password"_s), qPrintable(error));
    QVERIFY2(error.contains(u"PGPASSWORD"_s), qPrintable(error));

    qputenv("PGPASSWORD", withPassword.password().toUtf8());
    auto store = Store::open(withoutPassword, Store::OpenMode::CreateIfMissing, &error);
    if (savedPassword.isNull())
        qunsetenv("PGPASSWORD");
    else
        qputenv("PGPASSWORD", savedPassword);
    if (savedPassFile.isNull())
        qunsetenv("PGPASSFILE");
    else
        qputenv("PGPASSFILE", savedPassFile);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(store->schemaVersion(), SchemaMigrator::latestVersion());
}

void TestTeamStore::unreachableServerIsReported()
{
    // Port 1 of this computer: nothing listens there, the connection is refused.
    QString error;
    QVERIFY(!Store::open(u"postgresql://u:pw@127.0.0.1:1/derm?connect_timeout=2"_s, Store::OpenMode::CreateIfMissing,
                         &error));
    QVERIFY2(error.contains(u"Cannot reach the PostgreSQL server 127.0.0.1:1"_s), qPrintable(error));
}

void TestTeamStore::teamStoreHasNoLockFileAndCachesImagesLocally()
{
    REQUIRE_SERVER();
    QString error;
    auto store = Store::open(m_pg.location(u"cache"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY2(store, qPrintable(error));
    const StoreLocation location = m_pg.location(u"cache"_s);
    // Shared by the workstation and dermlabel-cli.
    const QString expected = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
                                 .filePath(u"dermlabel/stores/%1-%2-%3"_s.arg(location.host())
                                               .arg(location.port())
                                               .arg(location.database()));
    QCOMPARE(store->imageDirectory(), expected);
    QVERIFY(QFileInfo(expected).isDir());
    QCOMPARE(store->imageFilePath(u"abcdef"_s, u"jpg"_s), expected + u"/ab/abcdef.jpg"_s);
    QVERIFY2(store->lockForWriting(&error), qPrintable(error));
    QVERIFY(store->isLockedForWriting());
    QCOMPARE(store->displayName(), location.displayName());
    QVERIFY(!store->displayName().contains(location.password()));
    QVERIFY(!store->path().contains(location.password()));
    // What the workstation shows of it.
    const SessionService session(*store);
    QCOMPARE(session.storeName(), location.database());
    QVERIFY(!session.storeLocation().contains(location.password()));
}

void TestTeamStore::invalidIndexIsAnIntegrityProblem()
{
    REQUIRE_SERVER();
    QString error;
    auto store = Store::open(m_pg.location(u"integrity"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(StoreInspector(*store).check(false, &error).integrityProblems, QStringList());
    // What a failed CREATE INDEX CONCURRENTLY leaves behind.
    QVERIFY2(Sql::exec(store->db(),
                       u"UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'consensus_status'::regclass"_s, {},
                       &error),
             qPrintable(error));
    const StoreCheck check = StoreInspector(*store).check(false, &error);
    QCOMPARE(check.integrityProblems.size(), 1);
    QVERIFY2(check.integrityProblems.first().contains(u"consensus_status"_s), qPrintable(check.integrityProblems.first()));
    QVERIFY(!check.ok());
}

QTEST_GUILESS_MAIN(TestTeamStore)
#include "tst_teamstore.moc"
