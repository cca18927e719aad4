// SPDX-License-Identifier: GPL-3.0-or-later
#include "TestStores.h"

#include "store/PostgresServer.h"

#include <QStandardPaths>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace dl;

TestStores::TestStores(const QString &program)
    : m_pg(program)
{
    // A team store keeps its image files in a cache folder: the tests' own.
    if (postgres())
        QStandardPaths::setTestModeEnabled(true);
}

TestStores::~TestStores()
{
    dropAll();
}

bool TestStores::postgres()
{
    return qEnvironmentVariable("DERMLABEL_TEST_BACKEND") == u"postgres"_s;
}

QString TestStores::backendName()
{
    return postgres() ? u"postgres"_s : u"sqlite"_s;
}

bool TestStores::skipped()
{
    return postgres() && PostgresTestServer::disabled();
}

bool TestStores::isAvailable(QString *error)
{
    if (!m_dir.isValid()) {
        *error = u"No temporary folder: "_s + m_dir.errorString();
        return false;
    }
    if (!postgres())
        return true;
    if (!m_pg.isAvailable()) {
        *error = m_pg.error();
        return false;
    }
    return true;
}

QString TestStores::newStore(const QString &name)
{
    ++m_count;
    const QString base = name.section(u'.', 0, 0);
    if (postgres())
        return m_pg.databaseUrl(u"%1_%2"_s.arg(base).arg(m_count));
    return m_dir.filePath(u"%1-%2.dermlabel"_s.arg(base).arg(m_count));
}

std::unique_ptr<Store> TestStores::create(const QString &name, QString *error)
{
    if (!postgres())
        return Store::open(newStore(name), Store::OpenMode::CreateNew, error);
    // A new store made once, then copied by the server for each store: the
    // same tables and settings, without running the migrations each time.
    if (m_template.isEmpty()) {
        const QString url = newStore(u"template"_s);
        if (!Store::open(url, Store::OpenMode::CreateNew, error))
            return nullptr; // the store closes its connections as it goes
        m_template = url;
    }
    const QString url = newStore(name);
    const QString database = QUrl(url).path().mid(1);
    const QString source = QUrl(m_template).path().mid(1);
    if (!m_pg.admin({u"CREATE DATABASE %1 TEMPLATE %2"_s.arg(PostgresServer::quoteIdentifier(database),
                                                             PostgresServer::quoteIdentifier(source))},
                    error))
        return nullptr;
    return Store::open(url, Store::OpenMode::MustExist, error);
}

void TestStores::dropAll()
{
    m_pg.dropAll();
}
