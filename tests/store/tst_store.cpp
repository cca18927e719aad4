// SPDX-License-Identifier: GPL-3.0-or-later
// The store: migrations, connection settings, refusing newer or foreign
// stores, the writer lock, transactions (SQLite's busy retry), consistency
// checks, users and password hashing. Every test runs twice: on an SQLite
// file and on a PostgreSQL database of the test server (global data rows
// "sqlite" and "postgres").
#include "PostgresTestServer.h"

#include "auth/PasswordHasher.h"
#include "store/PostgresServer.h"
#include "store/SchemaMigrator.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreInspector.h"
#include "store/Transaction.h"
#include "store/UserRepository.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanupTestCase();

    void freshStoreHasLatestSchema();
    void ddlPlaceholders();
    void pragmasAreInForce();
    void migrationsStepOneAtATime();
    void failingMigrationRollsBack();
    void newerStoreIsRefused();
    void foreignFileIsRefused();
    void missingStoreIsReported();
    void writerLockNamesHolder();
    void transactionRollsBackUnlessCommitted();
    void busyWriterRetriesUntilTheLockIsReleased();
    void busyWriterGivesUpWithAClearMessage();
    void foreignKeyViolationsAreFound();
    void pseudonymsAreStableAndOpaque();
    void pbkdf2MatchesReferenceVectors_data();
    void pbkdf2MatchesReferenceVectors();
    void passwordHashRoundTrip();
    void usersAddAndAuthenticate();
    void checkReportsMissingImageFiles();

private:
    bool postgres() const;
    /// The store called name on this row's backend: a file, or a database
    /// of the test server (dropped at the end).
    QString path(const QString &name);
    /// A plain connection (no store) to the store called name, created empty.
    QSqlDatabase rawConnection(const QString &name, const QString &connectionName);

    QTemporaryDir m_dir;
    PostgresTestServer m_pg {u"store"_s};
};

void TestStore::initTestCase_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("postgres") << u"postgres"_s;
}

void TestStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // team stores cache their images below it
    QVERIFY(m_dir.isValid());
}

void TestStore::init()
{
    if (!postgres())
        return;
    if (PostgresTestServer::disabled())
        QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
}

void TestStore::cleanupTestCase()
{
    m_pg.dropAll();
}

bool TestStore::postgres() const
{
    QFETCH_GLOBAL(QString, backend);
    return backend == u"postgres"_s;
}

QString TestStore::path(const QString &name)
{
    if (postgres())
        return m_pg.databaseUrl(name.section(u'.', 0, 0));
    return m_dir.filePath(name);
}

QSqlDatabase TestStore::rawConnection(const QString &name, const QString &connectionName)
{
    if (!postgres()) {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connectionName);
        db.setDatabaseName(path(name));
        db.open();
        return db;
    }
    QString error;
    if (!m_pg.exists(name.section(u'.', 0, 0), &error) && !m_pg.create(name.section(u'.', 0, 0), &error))
        qWarning("%s", qPrintable(error));
    PostgresServer::Failure failure = PostgresServer::Failure::None;
    return PostgresServer::connect(m_pg.location(name.section(u'.', 0, 0)), connectionName, &failure, &error);
}

void TestStore::freshStoreHasLatestSchema()
{
    QString error;
    auto store = Store::open(path(u"fresh.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(store->schemaVersion(), SchemaMigrator::latestVersion());
    const QStringList tables = store->db().tables();
    for (const QString &table : {u"images"_s, u"image_files"_s, u"cases"_s, u"case_images"_s, u"case_attributes"_s,
                                 u"reference_labels"_s, u"users"_s, u"assignments"_s, u"annotations"_s,
                                 u"annotation_diagnoses"_s, u"masks"_s, u"audit_log"_s, u"import_runs"_s,
                                 u"sources"_s, u"settings"_s, u"schema_version"_s})
        QVERIFY2(tables.contains(table), qPrintable(table));
    // Opening again migrates nothing and keeps the version.
    store.reset();
    store = Store::open(path(u"fresh.dermlabel"_s), Store::OpenMode::MustExist, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(Sql::scalar(store->db(), u"SELECT COUNT(*) FROM schema_version"_s, {}, &error)->toInt(),
             SchemaMigrator::latestVersion());
}

void TestStore::ddlPlaceholders()
{
    const QString statement = u"CREATE TABLE t (id {id}, parent_id {bigint} REFERENCES p(id), w {real}, d {blob})"_s;
    if (postgres()) {
        QCOMPARE(SqlDialect(SqlDialect::Engine::Postgres).ddl(statement),
                 u"CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, parent_id BIGINT "
                 "REFERENCES p(id), w DOUBLE PRECISION, d BYTEA)"_s);
        // The store's tables have those types.
        QString error;
        auto store = Store::open(path(u"types.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
        QVERIFY2(store, qPrintable(error));
        auto type = [&](const QString &table, const QString &column) {
            return Sql::scalar(store->db(),
                               u"SELECT data_type FROM information_schema.columns WHERE table_schema = "
                               "current_schema() AND table_name = ? AND column_name = ?"_s,
                               {table, column}, &error)
                .value_or(QVariant())
                .toString();
        };
        QCOMPARE(type(u"images"_s, u"id"_s), u"bigint"_s);
        QCOMPARE(type(u"masks"_s, u"annotation_id"_s), u"bigint"_s);
        QCOMPARE(type(u"masks"_s, u"data"_s), u"bytea"_s);
        QCOMPARE(type(u"consensus_diagnoses"_s, u"weight"_s), u"double precision"_s);
        QCOMPARE(type(u"users"_s, u"active"_s), u"integer"_s); // booleans are integers
        QCOMPARE(type(u"annotations"_s, u"created_at"_s), u"text"_s);
        return;
    }
    // The released SQLite schema is unchanged by the placeholders.
    QCOMPARE(SqlDialect(SqlDialect::Engine::Sqlite).ddl(statement),
             u"CREATE TABLE t (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES p(id), w REAL, d BLOB)"_s);
}

void TestStore::pragmasAreInForce()
{
    QString error;
    auto store = Store::open(path(u"pragmas.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY2(store, qPrintable(error));
    const QString settingQuery =
        postgres() ? u"SELECT current_setting('client_min_messages')"_s : u"PRAGMA foreign_keys"_s;
    const QString expected = postgres() ? u"warning"_s : u"1"_s;
    if (postgres()) {
        QCOMPARE(store->dialect().engine(), SqlDialect::Engine::Postgres);
        auto setting = [&](const QString &name) {
            return Sql::scalar(store->db(), u"SELECT current_setting(?)"_s, {name}, &error).value_or(QVariant()).toString();
        };
        QCOMPARE(setting(u"standard_conforming_strings"_s), u"on"_s);
        QCOMPARE(setting(u"application_name"_s), u"dermlabel"_s);
        QCOMPARE(setting(u"client_min_messages"_s), u"warning"_s);
    } else {
        QCOMPARE(Sql::scalar(store->db(), u"PRAGMA journal_mode"_s, {}, &error)->toString(), u"wal"_s);
        QCOMPARE(Sql::scalar(store->db(), u"PRAGMA foreign_keys"_s, {}, &error)->toInt(), 1);
        QCOMPARE(Sql::scalar(store->db(), u"PRAGMA busy_timeout"_s, {}, &error)->toInt(), SqlDialect::BusyTimeoutMs);
    }
    // Foreign keys really are enforced.
    QVERIFY(!Sql::exec(store->db(), u"INSERT INTO case_images (case_id, image_id, position) VALUES (99, 99, 1)"_s, {},
                       &error));
    QVERIFY2(error.contains(u"FOREIGN KEY"_s, Qt::CaseInsensitive), qPrintable(error));
    // Booleans are stored as integers on both engines.
    QVERIFY2(Sql::exec(store->db(),
                       u"INSERT INTO users (name, role, password_hash, active, created_at) VALUES (?, ?, ?, ?, ?)"_s,
                       {u"flag"_s, u"qa"_s, u"x"_s, false, Sql::now()}, &error),
             qPrintable(error));
    QCOMPARE(Sql::scalar(store->db(), u"SELECT active FROM users WHERE name = 'flag'"_s, {}, &error)->toInt(), 0);
    // A connection made on another thread gets the same settings.
    QString threadSetting;
    QThread *thread = QThread::create([&] {
        threadSetting = Sql::scalar(store->db(), settingQuery, {}, nullptr).value_or(QVariant()).toString();
    });
    thread->start();
    thread->wait();
    delete thread;
    QCOMPARE(threadSetting, expected);
}

static QList<Migration> testMigrations(int upTo)
{
    QList<Migration> all {
        {1, u"one"_s, {u"CREATE TABLE a (id {id}, name TEXT NOT NULL)"_s}, {}},
        {2, u"two"_s, {u"ALTER TABLE a ADD COLUMN size INTEGER NOT NULL DEFAULT 0"_s, u"INSERT INTO a (name) VALUES ('x')"_s}, {}},
        {3, u"three"_s, {u"CREATE TABLE b (id {id}, a_id INTEGER REFERENCES a(id))"_s}, {}},
    };
    return all.mid(0, upTo);
}

void TestStore::migrationsStepOneAtATime()
{
    const QString name = u"migrations-step"_s;
    {
        QSqlDatabase db = rawConnection(u"steps.db"_s, name);
        QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
        const SqlDialect dialect(SqlDialect::engineOf(db));
        QString error;
        SchemaMigrator v1(db, dialect, testMigrations(1));
        QCOMPARE(v1.storeVersion(&error), 0);
        QVERIFY2(v1.migrate(&error), qPrintable(error));
        QCOMPARE(v1.storeVersion(&error), 1);
        SchemaMigrator v3(db, dialect, testMigrations(3));
        QVERIFY2(v3.migrate(&error), qPrintable(error));
        QCOMPARE(v3.storeVersion(&error), 3);
        QVERIFY(db.tables().contains(u"b"_s));
        QCOMPARE(Sql::scalar(db, u"SELECT COUNT(*) FROM schema_version"_s, {}, &error)->toInt(), 3);
        QCOMPARE(Sql::scalar(db, u"SELECT size FROM a WHERE name = 'x'"_s, {}, &error)->toInt(), 0);
        // Running again applies nothing twice.
        QVERIFY(v3.migrate(&error));
        QCOMPARE(Sql::scalar(db, u"SELECT COUNT(*) FROM a"_s, {}, &error)->toInt(), 1);
    }
    QSqlDatabase::removeDatabase(name);
}

void TestStore::failingMigrationRollsBack()
{
    const QString name = u"migrations-fail"_s;
    {
        QSqlDatabase db = rawConnection(u"fail.db"_s, name);
        QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
        QString error;
        QList<Migration> migrations = testMigrations(2);
        migrations.append({3, u"broken"_s, {u"CREATE TABLE c (id INTEGER)"_s, u"THIS IS NOT SQL"_s}, {}});
        SchemaMigrator migrator(db, SqlDialect(SqlDialect::engineOf(db)), migrations);
        QVERIFY(!migrator.migrate(&error));
        QVERIFY2(error.contains(u"3"_s), qPrintable(error));
        QCOMPARE(migrator.storeVersion(&error), 2);
        QVERIFY(!db.tables().contains(u"c"_s)); // the half of step 3 that ran is gone
    }
    QSqlDatabase::removeDatabase(name);
}

void TestStore::newerStoreIsRefused()
{
    const QString file = path(u"newer.dermlabel"_s);
    QString error;
    {
        auto store = Store::open(file, Store::OpenMode::CreateIfMissing, &error);
        QVERIFY(store);
        QVERIFY(Sql::exec(store->db(), u"INSERT INTO schema_version (version, description, applied_at) VALUES (999, 'future', '')"_s,
                          {}, &error));
    }
    auto store = Store::open(file, Store::OpenMode::MustExist, &error);
    QVERIFY(!store);
    QVERIFY2(error.contains(u"newer"_s), qPrintable(error));
    QVERIFY2(error.contains(u"999"_s), qPrintable(error));
}

void TestStore::foreignFileIsRefused()
{
    QString error;
    if (!postgres()) {
        const QString file = path(u"notes.txt"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("these are not the images you are looking for\n");
        f.close();
        QVERIFY(!Store::open(file, Store::OpenMode::MustExist, &error));
        QVERIFY2(error.contains(u"not a DermLabel store"_s), qPrintable(error));
        QCOMPARE(f.size(), qint64(45)); // untouched
    }

    // A database of another program is refused too, and not changed.
    {
        QSqlDatabase db = rawConnection(u"other.sqlite"_s, u"other"_s);
        QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
        QVERIFY(QSqlQuery(db).exec(u"CREATE TABLE notes (t TEXT)"_s));
    }
    QSqlDatabase::removeDatabase(u"other"_s);
    QVERIFY(!Store::open(path(u"other.sqlite"_s), Store::OpenMode::MustExist, &error));
    QVERIFY2(error.contains(u"not a DermLabel store"_s), qPrintable(error));
    {
        QSqlDatabase db = rawConnection(u"other.sqlite"_s, u"other"_s);
        QCOMPARE(db.tables(), QStringList {u"notes"_s});
    }
    QSqlDatabase::removeDatabase(u"other"_s);
}

void TestStore::missingStoreIsReported()
{
    QString error;
    QVERIFY(!Store::open(path(u"nowhere/none.dermlabel"_s), Store::OpenMode::MustExist, &error));
    if (postgres()) {
        QVERIFY2(error.contains(u"There is no database"_s), qPrintable(error));
        QVERIFY2(error.contains(m_pg.databaseName(u"nowhere/none"_s)), qPrintable(error));
        error.clear();
        QCOMPARE(m_pg.exists(u"nowhere/none"_s, &error), false); // nothing was created
        QVERIFY2(error.isEmpty(), qPrintable(error));
        return;
    }
    QVERIFY2(error.contains(u"There is no store"_s), qPrintable(error));
    QVERIFY(!QFile::exists(path(u"nowhere/none.dermlabel"_s)));
    QVERIFY(!Store::open(m_dir.path(), Store::OpenMode::MustExist, &error));
    QVERIFY2(error.contains(u"folder"_s), qPrintable(error));
}

void TestStore::writerLockNamesHolder()
{
    const QString file = path(u"locked.dermlabel"_s);
    QString error;
    auto first = Store::open(file, Store::OpenMode::CreateIfMissing, &error);
    auto second = Store::open(file, Store::OpenMode::MustExist, &error);
    QVERIFY(first && second);
    QVERIFY2(first->lockForWriting(&error), qPrintable(error));
    QVERIFY(first->isLockedForWriting());
    if (postgres()) {
        // The server arbitrates a team store's writers: no lock file.
        QVERIFY2(second->lockForWriting(&error), qPrintable(error));
        QVERIFY(second->isLockedForWriting());
        return;
    }
    QVERIFY(QFile::exists(file + u".lock"_s));
    QVERIFY(!second->lockForWriting(&error));
    QVERIFY2(error.contains(u"in use"_s), qPrintable(error));
    QVERIFY2(error.contains(QString::number(QCoreApplication::applicationPid())), qPrintable(error));
    first.reset(); // releases the lock
    QVERIFY2(second->lockForWriting(&error), qPrintable(error));
}

void TestStore::transactionRollsBackUnlessCommitted()
{
    QString error;
    auto store = Store::open(path(u"tx.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY(store);
    {
        Transaction tx(store->db());
        QVERIFY(tx.isActive());
        QVERIFY(store->setSetting(u"k"_s, u"rolled back"_s, &error));
    }
    QCOMPARE(store->setting(u"k"_s, u"absent"_s), u"absent"_s);
    {
        Transaction tx(store->db());
        QVERIFY(store->setSetting(u"k"_s, u"kept"_s, &error));
        QVERIFY(tx.commit());
    }
    QCOMPARE(store->setting(u"k"_s), u"kept"_s);
}

void TestStore::busyWriterRetriesUntilTheLockIsReleased()
{
    QString error;
    auto store = Store::open(path(u"busy.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY2(store, qPrintable(error));
    // Another writer of the same store (on SQLite a connection of its own,
    // as another process would have).
    auto other = Store::open(path(u"busy.dermlabel"_s), Store::OpenMode::MustExist, &error);
    QVERIFY2(other, qPrintable(error));
    QSqlDatabase writer = store->db();
    if (!postgres()) // each attempt then fails at once instead of waiting
        QVERIFY(Sql::exec(writer, u"PRAGMA busy_timeout = 0"_s, {}, &error));

    // The other writer has begun and written nothing yet: on SQLite it holds
    // the write lock already (BEGIN IMMEDIATE).
    Transaction held(other->db());
    QVERIFY2(held.isActive(), qPrintable(held.error()));

    Transaction::Options options;
    options.attempts = 5;
    options.backoffMs = 0;
    QList<int> busyAttempts;
    options.onBusy = [&](int attempt) {
        busyAttempts.append(attempt);
        if (attempt == 2)
            QVERIFY(held.commit()); // the other writer finishes
    };
    Transaction tx(writer, options);
    QVERIFY2(tx.isActive(), qPrintable(tx.error()));
    QVERIFY(!tx.isBusy());
    if (postgres()) {
        // A plain BEGIN: the server locks rows, not the database.
        QCOMPARE(tx.attempts(), 1);
        QVERIFY(busyAttempts.isEmpty());
        QVERIFY(held.commit());
    } else {
        QCOMPARE(busyAttempts, (QList<int> {1, 2}));
        QCOMPARE(tx.attempts(), 3);
    }
    QVERIFY2(store->setSetting(u"k"_s, u"written"_s, &error), qPrintable(error));
    QVERIFY2(tx.commit(), qPrintable(tx.error()));
    QCOMPARE(other->setting(u"k"_s), u"written"_s);
}

void TestStore::busyWriterGivesUpWithAClearMessage()
{
    QString error;
    auto store = Store::open(path(u"busier.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    auto other = Store::open(path(u"busier.dermlabel"_s), Store::OpenMode::MustExist, &error);
    QVERIFY2(store && other, qPrintable(error));
    QSqlDatabase writer = store->db();
    if (!postgres())
        QVERIFY(Sql::exec(writer, u"PRAGMA busy_timeout = 0"_s, {}, &error));
    Transaction held(other->db());
    QVERIFY(held.isActive());
    QVERIFY(other->setSetting(u"k"_s, u"held"_s, &error));

    Transaction::Options options;
    options.attempts = 3;
    options.backoffMs = 0;
    QList<int> busyAttempts;
    options.onBusy = [&](int attempt) { busyAttempts.append(attempt); };
    Transaction tx(writer, options);
    if (postgres()) {
        QVERIFY(tx.isActive());
        QVERIFY(!tx.isBusy());
        QCOMPARE(tx.attempts(), 1);
        return;
    }
    QVERIFY(!tx.isActive());
    QVERIFY(tx.isBusy());
    QCOMPARE(tx.attempts(), 3);
    QCOMPARE(busyAttempts, (QList<int> {1, 2})); // no pause after the last attempt
    QVERIFY2(tx.error().contains(u"store is busy"_s), qPrintable(tx.error()));
    QVERIFY(!tx.commit());
    QVERIFY(held.commit());
    QCOMPARE(store->setting(u"k"_s), u"held"_s);
}

void TestStore::foreignKeyViolationsAreFound()
{
    QString error;
    auto store = Store::open(path(u"orphans.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(store->dialect().foreignKeyViolations(store->db(), &error), QStringList());
    // Rows written while enforcement was off (a restore, a replica).
    const QStringList off = postgres() ? QStringList {u"SET session_replication_role = replica"_s}
                                       : QStringList {u"PRAGMA foreign_keys = OFF"_s};
    const QStringList on = postgres() ? QStringList {u"SET session_replication_role = DEFAULT"_s}
                                      : QStringList {u"PRAGMA foreign_keys = ON"_s};
    // (Statements without parameters: PostgreSQL prepares no SET.)
    QSqlQuery query(store->db());
    for (const QString &statement : off)
        QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
    QVERIFY2(Sql::exec(store->db(), u"INSERT INTO case_images (case_id, image_id, position) VALUES (99, 98, 1)"_s, {},
                       &error),
             qPrintable(error));
    for (const QString &statement : on)
        QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));

    QStringList violations = store->dialect().foreignKeyViolations(store->db(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    violations.sort();
    QCOMPARE(violations.size(), 2);
    QVERIFY2(violations.at(0).startsWith(u"case_images row "_s), qPrintable(violations.at(0)));
    QVERIFY2(violations.at(0).endsWith(u" -> cases"_s), qPrintable(violations.at(0)));
    QVERIFY2(violations.at(1).endsWith(u" -> images"_s), qPrintable(violations.at(1)));
    const StoreCheck check = StoreInspector(*store).check(false, &error);
    QVERIFY(!check.ok());
    QCOMPARE(check.foreignKeyViolations.size(), 2);
    QCOMPARE(check.integrityProblems, QStringList());
}

void TestStore::pseudonymsAreStableAndOpaque()
{
    QString error;
    auto a = Store::open(path(u"p1.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    auto b = Store::open(path(u"p2.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY(a && b);
    const QString id = a->pseudonym(u"img"_s, "IMG_0042_patient_smith.jpg");
    QVERIFY(id.startsWith(u"img-"_s));
    QCOMPARE(id.size(), 4 + 16);
    QVERIFY(!id.contains(u"smith"_s));
    QCOMPARE(a->pseudonym(u"img"_s, "IMG_0042_patient_smith.jpg"), id);
    QVERIFY(b->pseudonym(u"img"_s, "IMG_0042_patient_smith.jpg") != id); // not linkable across stores
    // The secret survives reopening.
    a.reset();
    a = Store::open(path(u"p1.dermlabel"_s), Store::OpenMode::MustExist, &error);
    QCOMPARE(a->pseudonym(u"img"_s, "IMG_0042_patient_smith.jpg"), id);
}

void TestStore::pbkdf2MatchesReferenceVectors_data()
{
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QByteArray>("salt");
    QTest::addColumn<int>("iterations");
    QTest::addColumn<QByteArray>("expectedHex");
    // RFC 7914 section 11.
    QTest::newRow("rfc7914-1") << QByteArray("passwd") << QByteArray("salt") << 1
                               << QByteArray("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                                             "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
    QTest::newRow("rfc7914-2") << QByteArray("Password") << QByteArray("NaCl") << 80000
                               << QByteArray("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                                             "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
    QTest::newRow("4096") << QByteArray("password") << QByteArray("salt") << 4096
                          << QByteArray("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
    // A key longer than the hash block is hashed first (HMAC rule).
    QTest::newRow("long-key") << QByteArray(100, 'a') << QByteArray("salt") << 3
                              << QByteArray("338c89a22703aed3e2d593f2febdd48122aedc8ee805d48b5aa2a6b2c2d3db60a5e653c37a22cf6d");
}

void TestStore::pbkdf2MatchesReferenceVectors()
{
    QFETCH(QByteArray, password);
    QFETCH(QByteArray, salt);
    QFETCH(int, iterations);
    QFETCH(QByteArray, expectedHex);
    QCOMPARE(PasswordHasher::pbkdf2Sha256(password, salt, iterations, int(expectedHex.size() / 2)).toHex(), expectedHex);
}

void TestStore::passwordHashRoundTrip()
{
    const QString hash = PasswordHasher::hash(u"correct horse"_s, 1000);
    QVERIFY(hash.startsWith(u"pbkdf2-sha256$1000$"_s));
    QVERIFY(!hash.contains(u"correct"_s));
    QVERIFY(PasswordHasher::verify(u"correct horse"_s, hash));
    QVERIFY(!PasswordHasher::verify(u"correct horsE"_s, hash));
    QVERIFY(PasswordHasher::hash(u"correct horse"_s, 1000) != hash); // salted
    QVERIFY(!PasswordHasher::verify(u"x"_s, u"garbage"_s));
    QVERIFY(!PasswordHasher::verify(u"x"_s, u"pbkdf2-sha256$0$AA==$AA=="_s));
}

void TestStore::usersAddAndAuthenticate()
{
    QString error;
    auto store = Store::open(path(u"users.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY(store);
    UserRepository users(store->db());
    const qint64 id = users.add(u"dr.amara"_s, u"Dr. Amara"_s, Role::Annotator, u"secret-1"_s, &error, 1000);
    QVERIFY2(id > 0, qPrintable(error));
    QCOMPARE(users.add(u"dr.amara"_s, {}, Role::Qa, u"secret-2"_s, &error, 1000), -1);
    QVERIFY(error.contains(u"already"_s));
    QCOMPARE(users.add(u"short"_s, {}, Role::Qa, u"abc"_s, &error, 1000), -1);
    QVERIFY(error.contains(u"at least"_s));
    QCOMPARE(users.add(u"bad name"_s, {}, Role::Qa, u"secret-3"_s, &error, 1000), -1);
    QVERIFY(error.contains(u"not a valid user name"_s));

    const auto user = users.authenticate(u"dr.amara"_s, u"secret-1"_s);
    QVERIFY(user);
    QCOMPARE(user->id, id);
    QCOMPARE(user->role, Role::Annotator);
    QCOMPARE(user->displayName, u"Dr. Amara"_s);
    QVERIFY(!users.authenticate(u"dr.amara"_s, u"secret-2"_s));
    QVERIFY(!users.authenticate(u"nobody"_s, u"secret-1"_s));
    QVERIFY(users.setActive(id, false, &error));
    QVERIFY(!users.authenticate(u"dr.amara"_s, u"secret-1"_s));
    QCOMPARE(users.count(), 1);
    // Only a hash is stored.
    const QString stored = Sql::scalar(store->db(), u"SELECT password_hash FROM users"_s, {}, &error)->toString();
    QVERIFY(stored.startsWith(u"pbkdf2-sha256$"_s));
}

void TestStore::checkReportsMissingImageFiles()
{
    QString error;
    auto store = Store::open(path(u"check.dermlabel"_s), Store::OpenMode::CreateIfMissing, &error);
    QVERIFY(store);
    StoreCheck check = StoreInspector(*store).check(true, &error);
    QVERIFY(check.ok());
    QVERIFY(Sql::exec(store->db(),
                      u"INSERT INTO images (public_id, sha256, format, width, height, byte_size, created_at) "
                      "VALUES ('img-1', 'abcdef', 'jpeg', 10, 10, 100, '')"_s,
                      {}, &error));
    check = StoreInspector(*store).check(false, &error);
    QVERIFY(!check.ok());
    QCOMPARE(check.missingImageFiles, QStringList {u"img-1"_s});
    QCOMPARE(check.imagesWithoutSource, 1);
    QCOMPARE(StoreInspector(*store).stats(&error).images, 1);
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
