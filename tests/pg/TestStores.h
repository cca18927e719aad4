// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PostgresTestServer.h"

#include "store/Store.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

/// Fresh stores for the test programs that run on both engines. The engine
/// is chosen by the environment: DERMLABEL_TEST_BACKEND=postgres gives
/// databases of the PostgreSQL test server (the CTest entries
/// `<name>_postgres` set it and need the fixture `postgres`), anything else
/// SQLite files in a temporary folder (the entries `<name>`).
///
/// A store on PostgreSQL is opened as the server's superuser, without the
/// team store's rules (TeamSecurity): the same program and SQL as on SQLite,
/// on the other engine. The rules have tests of their own (tst_teamsecurity,
/// tst_load).
class TestStores
{
public:
    /// program names this program's databases.
    explicit TestStores(const QString &program);
    ~TestStores();
    TestStores(const TestStores &) = delete;
    TestStores &operator=(const TestStores &) = delete;

    /// DERMLABEL_TEST_BACKEND=postgres.
    static bool postgres();
    /// "sqlite" or "postgres".
    static QString backendName();
    /// PostgreSQL is wanted but DERMLABEL_NO_POSTGRES=1: the program skips.
    static bool skipped();

    /// True when stores can be made; otherwise *error says why.
    bool isAvailable(QString *error);

    /// Where a new store goes, different for each call: a file called name
    /// (numbered) in the temporary folder, or the URL of a new database of
    /// the test server (dropped at the end). Store::open() creates it.
    QString newStore(const QString &name);
    /// Store::open(newStore(name), CreateNew); on PostgreSQL a copy of a
    /// store made once (CREATE DATABASE ... TEMPLATE), which is faster.
    std::unique_ptr<dl::Store> create(const QString &name, QString *error);

    /// A temporary folder for the program's other files (on either engine).
    QString directory() const { return m_dir.path(); }
    PostgresTestServer &server() { return m_pg; }

    /// Drops the databases made so far (also done at the end).
    void dropAll();

private:
    QTemporaryDir m_dir;
    PostgresTestServer m_pg;
    int m_count = 0;
    QString m_template;
};

/// In initTestCase(): skips the program when its engine is switched off,
/// fails when it is missing.
#define DL_REQUIRE_TEST_STORES(stores)                                                                                \
    do {                                                                                                              \
        if (TestStores::skipped())                                                                                    \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QString storesError_;                                                                                         \
        QVERIFY2((stores).isAvailable(&storesError_), qPrintable(storesError_));                                      \
    } while (false)
