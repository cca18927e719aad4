// SPDX-License-Identifier: GPL-3.0-or-later
// The audit log's hash chain (AuditLog): the documented serialisation (known answers), the chain
// written on SQLite under the write transaction and by the server's trigger on PostgreSQL (the same
// hash for the same entry), entries written before the chain sealed at the upgrade, changes and
// deletions refused, and a store file edited behind DermLabel's back (a changed entry, a removed
// one, a cut tail) found with the first broken entry named. Migrating copies the chain verbatim.
#include "PostgresTestServer.h"

#include "store/AuditLog.h"
#include "store/Schema.h"
#include "store/SchemaMigrator.h"
#include "store/Sql.h"
#include "store/SqlDialect.h"
#include "store/Store.h"
#include "store/StoreCopier.h"
#include "store/StoreTransaction.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestAuditChain : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void canonicalSerialisationKnownAnswers();
    void sqliteChainIsWrittenAndVerified();
    void sqliteRefusesChangesDeletionsAndUnsealedEntries();
    void changedEntryIsNamed();
    void removedEntryIsNamed();
    void cutTailIsFoundAndStaysVisible();
    void upgradeSealsEarlierEntriesInIdOrder();
    void entryWrittenInARolledBackTransactionLeavesNoGap();

    void serverComputesTheSameHash();
    void serverOverwritesWhatAClientSends();
    void migrateCopiesTheChainBothWays();

private:
    std::unique_ptr<Store> newStore(const QString &name);
    /// A raw connection to a store file, outside DermLabel (as someone with the file would).
    QSqlDatabase raw(const QString &path, const QString &connection);
    static bool recordSome(const Store &store, int count, QString *error);

    QTemporaryDir m_dir;
    PostgresTestServer m_pg {u"auditchain"_s};
};

#define REQUIRE_SERVER()                                                                                              \
    do {                                                                                                              \
        if (PostgresTestServer::disabled())                                                                           \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));                                                      \
    } while (false)

void TestAuditChain::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

std::unique_ptr<Store> TestAuditChain::newStore(const QString &name)
{
    QString error;
    auto store = Store::open(m_dir.filePath(name), Store::OpenMode::CreateNew, &error);
    if (!store)
        qWarning("%s", qPrintable(error));
    return store;
}

QSqlDatabase TestAuditChain::raw(const QString &path, const QString &connection)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
    db.setDatabaseName(path);
    db.open();
    return db;
}

bool TestAuditChain::recordSome(const Store &store, int count, QString *error)
{
    for (int i = 0; i < count; ++i) {
        if (!AuditLog::record(store, -1, u"test.step"_s, u"image"_s, i + 1, {{u"step"_s, i}, {u"note"_s, u"é"_s}},
                              error))
            return false;
    }
    return true;
}

void TestAuditChain::canonicalSerialisationKnownAnswers()
{
    // Computed independently (Python's hashlib) from the serialisation documented in AuditLog.h.
    AuditEntry first;
    first.seq = 1;
    first.at = u"2026-12-08T00:00:00.000Z"_s;
    first.action = u"add_user"_s;
    first.entity = u"user"_s;
    first.entityId = qint64(7);
    first.detail = u"{\"name\":\"amara\"}"_s;
    first.prevHash = AuditLog::genesisHash();
    QCOMPARE(AuditLog::canonical(first),
             QByteArray("dermlabel-audit-11:124:2026-12-08T00:00:00.000Z-1:8:add_user4:user1:716:{\"name\":\"amara\"}64:"
                        "0000000000000000000000000000000000000000000000000000000000000000"));
    QCOMPARE(AuditLog::entryHash(first), u"08c593a3cd6a2749cca5cf9c976cac35007e635b65cc0a97df0a72395fdc5902"_s);

    AuditEntry second;
    second.seq = 2;
    second.at = u"2026-12-08T00:00:01.000Z"_s;
    second.userId = qint64(3);
    second.action = u"annotation.update"_s;
    second.entity = u"annotation"_s;
    second.detail = u"{\"note\":\"é\"}"_s; // UTF-8 bytes are counted, not characters
    second.prevHash = AuditLog::entryHash(first);
    QCOMPARE(AuditLog::entryHash(second), u"c8d1a47ec77e79577a44470a4c657b805c978351c8698c2891d002701209c42a"_s);
    QCOMPARE(AuditLog::genesisHash(), QString(64, u'0'));
}

void TestAuditChain::sqliteChainIsWrittenAndVerified()
{
    auto store = newStore(u"written.dermlabel"_s);
    QVERIFY(store);
    QString error;
    QVERIFY2(recordSome(*store, 5, &error), qPrintable(error));
    {
        // Inside a caller's transaction too.
        StoreTransaction tx(*store);
        QVERIFY(tx.isActive());
        QVERIFY2(AuditLog::record(*store, -1, u"in.transaction"_s, u"store"_s, -1, {}, &error), qPrintable(error));
        QVERIFY(tx.commit());
    }
    const auto check = AuditLog::verify(store->db(), &error);
    QVERIFY2(check, qPrintable(error));
    QVERIFY2(check->ok(), qPrintable(check->problem));
    QCOMPARE(check->entries, 6);
    QCOMPARE(check->head.seq, 6);
    QVERIFY(check->recordedHead);
    QCOMPARE(*check->recordedHead, check->head);

    // Every link as documented: seq 1.., the previous hash, the entry's own hash.
    QSqlQuery q(store->db());
    QVERIFY(q.exec(u"SELECT id, seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash FROM audit_log "
                   "ORDER BY seq"_s));
    QString previous = AuditLog::genesisHash();
    qint64 expected = 1;
    while (q.next()) {
        QCOMPARE(q.value(1).toLongLong(), expected++);
        QCOMPARE(q.value(8).toString(), previous);
        AuditEntry e;
        e.seq = q.value(1).toLongLong();
        e.at = q.value(2).toString();
        e.userId = q.value(3).isNull() ? QVariant() : q.value(3);
        e.action = q.value(4).toString();
        e.entity = q.value(5).toString();
        e.entityId = q.value(6).isNull() ? QVariant() : q.value(6);
        e.detail = q.value(7).toString();
        e.prevHash = previous;
        QCOMPARE(q.value(9).toString(), AuditLog::entryHash(e));
        previous = q.value(9).toString();
    }
    QCOMPARE(expected, 7);
}

void TestAuditChain::sqliteRefusesChangesDeletionsAndUnsealedEntries()
{
    auto store = newStore(u"guarded.dermlabel"_s);
    QVERIFY(store);
    QString error;
    QVERIFY2(recordSome(*store, 3, &error), qPrintable(error));
    QVERIFY(!Sql::exec(store->db(), u"UPDATE audit_log SET detail = 'rewritten' WHERE seq = 2"_s, {}, &error));
    QVERIFY2(error.contains(u"append-only"_s), qPrintable(error));
    QVERIFY(!Sql::exec(store->db(), u"DELETE FROM audit_log WHERE seq = 3"_s, {}, &error));
    QVERIFY2(error.contains(u"append-only"_s), qPrintable(error));
    // An entry written past AuditLog (no place in the chain) is refused.
    QVERIFY(!Sql::exec(store->db(), u"INSERT INTO audit_log (at, action, entity, detail) VALUES (?, 'x', 'y', '')"_s,
                       {Sql::now()}, &error));
    QVERIFY2(error.contains(u"chain"_s), qPrintable(error));
    const auto check = AuditLog::verify(store->db(), &error);
    QVERIFY(check && check->ok());
    QCOMPARE(check->entries, 3);
}

void TestAuditChain::changedEntryIsNamed()
{
    const QString path = m_dir.filePath(u"changed.dermlabel"_s);
    {
        QString error;
        auto store = Store::open(path, Store::OpenMode::CreateNew, &error);
        QVERIFY2(store, qPrintable(error));
        QVERIFY2(recordSome(*store, 4, &error), qPrintable(error));
    }
    {
        QSqlDatabase db = raw(path, u"tamper-change"_s);
        QSqlQuery q(db);
        QVERIFY2(q.exec(u"DROP TRIGGER audit_log_no_update"_s), qPrintable(q.lastError().text()));
        QVERIFY(q.exec(u"UPDATE audit_log SET detail = '{\"step\":99}' WHERE seq = 2"_s));
        QCOMPARE(q.numRowsAffected(), 1);
        db.close();
    }
    QSqlDatabase::removeDatabase(u"tamper-change"_s);
    QString error;
    auto store = Store::open(path, Store::OpenMode::MustExist, &error);
    QVERIFY2(store, qPrintable(error));
    const auto check = AuditLog::verify(store->db(), &error);
    QVERIFY2(check, qPrintable(error));
    QVERIFY(!check->ok());
    QCOMPARE(check->brokenSeq, 2);
    QCOMPARE(check->brokenAction, u"test.step"_s);
    QVERIFY(!check->brokenAt.isEmpty());
    QVERIFY2(check->problem.contains(u"hash"_s), qPrintable(check->problem));

    // Rewriting the changed entry's hash as well moves the break to the entry after it.
    {
        QSqlDatabase db = raw(path, u"tamper-rehash"_s);
        QSqlQuery q(db);
        QVERIFY(q.exec(u"SELECT id, seq, at, user_id, action, entity, entity_id, detail, prev_hash FROM audit_log "
                       "WHERE seq = 2"_s));
        QVERIFY(q.next());
        AuditEntry e;
        e.seq = 2;
        e.at = q.value(2).toString();
        e.action = q.value(4).toString();
        e.entity = q.value(5).toString();
        e.entityId = q.value(6);
        e.detail = q.value(7).toString();
        e.prevHash = q.value(8).toString();
        QSqlQuery update(db);
        QVERIFY(update.prepare(u"UPDATE audit_log SET hash = ? WHERE seq = 2"_s));
        update.addBindValue(AuditLog::entryHash(e));
        QVERIFY(update.exec());
        db.close();
    }
    QSqlDatabase::removeDatabase(u"tamper-rehash"_s);
    const auto again = AuditLog::verify(store->db(), &error);
    QVERIFY(again && !again->ok());
    QCOMPARE(again->brokenSeq, 3);
    QVERIFY2(again->problem.contains(u"previous hash"_s), qPrintable(again->problem));
}

void TestAuditChain::removedEntryIsNamed()
{
    const QString path = m_dir.filePath(u"removed.dermlabel"_s);
    {
        QString error;
        auto store = Store::open(path, Store::OpenMode::CreateNew, &error);
        QVERIFY2(store, qPrintable(error));
        QVERIFY2(recordSome(*store, 5, &error), qPrintable(error));
    }
    {
        QSqlDatabase db = raw(path, u"tamper-remove"_s);
        QSqlQuery q(db);
        QVERIFY(q.exec(u"DROP TRIGGER audit_log_no_delete"_s));
        QVERIFY(q.exec(u"DELETE FROM audit_log WHERE seq = 3"_s));
        QCOMPARE(q.numRowsAffected(), 1);
        db.close();
    }
    QSqlDatabase::removeDatabase(u"tamper-remove"_s);
    QString error;
    auto store = Store::open(path, Store::OpenMode::MustExist, &error);
    QVERIFY2(store, qPrintable(error));
    const auto check = AuditLog::verify(store->db(), &error);
    QVERIFY(check && !check->ok());
    QCOMPARE(check->brokenSeq, 4);
    QCOMPARE(check->brokenAction, u"test.step"_s);
    QVERIFY2(check->problem.contains(u"(3)"_s), qPrintable(check->problem));
    QCOMPARE(check->entries, 4);
}

void TestAuditChain::cutTailIsFoundAndStaysVisible()
{
    const QString path = m_dir.filePath(u"cut.dermlabel"_s);
    {
        QString error;
        auto store = Store::open(path, Store::OpenMode::CreateNew, &error);
        QVERIFY2(store, qPrintable(error));
        QVERIFY2(recordSome(*store, 5, &error), qPrintable(error));
    }
    {
        QSqlDatabase db = raw(path, u"tamper-cut"_s);
        QSqlQuery q(db);
        QVERIFY(q.exec(u"DROP TRIGGER audit_log_no_delete"_s));
        QVERIFY(q.exec(u"DELETE FROM audit_log WHERE seq >= 4"_s));
        QCOMPARE(q.numRowsAffected(), 2);
        db.close();
    }
    QSqlDatabase::removeDatabase(u"tamper-cut"_s);
    QString error;
    auto store = Store::open(path, Store::OpenMode::MustExist, &error);
    QVERIFY2(store, qPrintable(error));
    auto check = AuditLog::verify(store->db(), &error);
    QVERIFY(check && !check->ok());
    QCOMPARE(check->brokenSeq, 4);
    QCOMPARE(check->head.seq, 3);
    QVERIFY2(check->problem.contains(u"4 to 5"_s), qPrintable(check->problem));

    // New work continues after the recorded head, so the cut is not chained over.
    QVERIFY2(AuditLog::record(*store, -1, u"after.cut"_s, u"store"_s, -1, {}, &error), qPrintable(error));
    check = AuditLog::verify(store->db(), &error);
    QVERIFY(check && !check->ok());
    QCOMPARE(check->brokenSeq, 6);
    QCOMPARE(check->brokenAction, u"after.cut"_s);
    QVERIFY2(check->problem.contains(u"4 to 5"_s), qPrintable(check->problem));
}

void TestAuditChain::upgradeSealsEarlierEntriesInIdOrder()
{
    const QString path = m_dir.filePath(u"older.dermlabel"_s);
    {
        // A store as written by the program before the chain (schema 5), with entries.
        QSqlDatabase db = raw(path, u"older"_s);
        QList<Migration> before = Schema::migrations();
        while (!before.isEmpty() && before.last().version > 5)
            before.removeLast();
        QString error;
        SchemaMigrator migrator(db, SqlDialect(SqlDialect::Engine::Sqlite), before);
        QVERIFY2(migrator.migrate(&error), qPrintable(error));
        for (int i = 0; i < 4; ++i) {
            QVERIFY2(Sql::exec(db, u"INSERT INTO audit_log (at, user_id, action, entity, entity_id, detail) "
                                   "VALUES (?, NULL, ?, 'image', ?, ?)"_s,
                               {u"2026-01-0%1T00:00:00.000Z"_s.arg(i + 1), u"old.%1"_s.arg(i), i, u"{}"_s}, &error),
                     qPrintable(error));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(u"older"_s);
    QString error;
    auto store = Store::open(path, Store::OpenMode::MustExist, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(store->schemaVersion(), SchemaMigrator::latestVersion());
    const auto check = AuditLog::verify(store->db(), &error);
    QVERIFY2(check, qPrintable(error));
    QVERIFY2(check->ok(), qPrintable(check->problem));
    QCOMPARE(check->entries, 4);
    QStringList actions;
    QVERIFY(Sql::forEachRow(store->db(), u"SELECT action FROM audit_log ORDER BY seq"_s, {}, &error,
                            [&](const QSqlQuery &q) { actions.append(q.value(0).toString()); }));
    QCOMPARE(actions, (QStringList {u"old.0"_s, u"old.1"_s, u"old.2"_s, u"old.3"_s}));
    // And the chain goes on from there.
    QVERIFY2(AuditLog::record(*store, -1, u"new"_s, u"store"_s, -1, {}, &error), qPrintable(error));
    const auto after = AuditLog::verify(store->db(), &error);
    QVERIFY(after && after->ok());
    QCOMPARE(after->head.seq, 5);
}

void TestAuditChain::entryWrittenInARolledBackTransactionLeavesNoGap()
{
    auto store = newStore(u"rolledback.dermlabel"_s);
    QVERIFY(store);
    QString error;
    QVERIFY2(recordSome(*store, 2, &error), qPrintable(error));
    {
        StoreTransaction tx(*store);
        QVERIFY(tx.isActive());
        QVERIFY2(AuditLog::record(*store, -1, u"undone"_s, u"store"_s, -1, {}, &error), qPrintable(error));
        tx.rollback();
    }
    QVERIFY2(AuditLog::record(*store, -1, u"kept"_s, u"store"_s, -1, {}, &error), qPrintable(error));
    const auto check = AuditLog::verify(store->db(), &error);
    QVERIFY(check && check->ok());
    QCOMPARE(check->entries, 3);
    QCOMPARE(check->head.seq, 3);
}

void TestAuditChain::serverComputesTheSameHash()
{
    REQUIRE_SERVER();
    QString error;
    auto store = Store::open(m_pg.location(u"samehash"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(store, qPrintable(error));
    // The server's function over the known-answer entries of canonicalSerialisationKnownAnswers().
    const auto first = Sql::scalar(store->db(),
                                   u"SELECT dl_audit_hash(1, '2026-12-08T00:00:00.000Z', NULL, 'add_user', 'user', 7, "
                                   "'{\"name\":\"amara\"}', repeat('0', 64))"_s,
                                   {}, &error);
    QVERIFY2(first, qPrintable(error));
    QCOMPARE(first->toString(), u"08c593a3cd6a2749cca5cf9c976cac35007e635b65cc0a97df0a72395fdc5902"_s);
    const auto second = Sql::scalar(
        store->db(),
        u"SELECT dl_audit_hash(2, '2026-12-08T00:00:01.000Z', 3, 'annotation.update', 'annotation', NULL, ?, "
        "'08c593a3cd6a2749cca5cf9c976cac35007e635b65cc0a97df0a72395fdc5902')"_s,
        {u"{\"note\":\"é\"}"_s}, &error);
    QVERIFY2(second, qPrintable(error));
    QCOMPARE(second->toString(), u"c8d1a47ec77e79577a44470a4c657b805c978351c8698c2891d002701209c42a"_s);

    // Entries written through core: the server's trigger chains them, C++ verifies them.
    QVERIFY2(recordSome(*store, 4, &error), qPrintable(error));
    const auto check = AuditLog::verify(store->db(), &error);
    QVERIFY2(check, qPrintable(error));
    QVERIFY2(check->ok(), qPrintable(check->problem));
    QCOMPARE(check->entries, 4);
    QVERIFY(check->recordedHead);
    QCOMPARE(*check->recordedHead, check->head);
}

void TestAuditChain::serverOverwritesWhatAClientSends()
{
    REQUIRE_SERVER();
    QString error;
    auto store = Store::open(m_pg.location(u"forged"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(store, qPrintable(error));
    QVERIFY2(recordSome(*store, 2, &error), qPrintable(error));
    // A client sending its own place in the chain: replaced by the server's.
    QVERIFY2(Sql::exec(store->db(),
                       u"INSERT INTO audit_log (at, action, entity, detail, seq, prev_hash, hash) "
                       "VALUES (?, 'forged', 'store', '', 1000, ?, ?)"_s,
                       {Sql::now(), QString(64, u'f'), QString(64, u'e')}, &error),
             qPrintable(error));
    const auto row = Sql::scalar(store->db(), u"SELECT seq FROM audit_log WHERE action = 'forged'"_s, {}, &error);
    QVERIFY2(row, qPrintable(error));
    QCOMPARE(row->toLongLong(), 3);
    const auto check = AuditLog::verify(store->db(), &error);
    QVERIFY(check);
    QVERIFY2(check->ok(), qPrintable(check->problem));
    QCOMPARE(check->head.seq, 3);

    // Two connections writing in turn share one gap-free chain.
    {
        QSqlDatabase other = QSqlDatabase::cloneDatabase(store->db(), u"auditchain-other"_s);
        QVERIFY2(other.open(), qPrintable(other.lastError().text()));
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(AuditLog::record(other, -1, u"other"_s, u"store"_s, -1, {}, &error), qPrintable(error));
            QVERIFY2(AuditLog::record(*store, -1, u"mine"_s, u"store"_s, -1, {}, &error), qPrintable(error));
        }
        other.close();
    }
    QSqlDatabase::removeDatabase(u"auditchain-other"_s);
    const auto after = AuditLog::verify(store->db(), &error);
    QVERIFY(after && after->ok());
    QCOMPARE(after->head.seq, 9);
}

void TestAuditChain::migrateCopiesTheChainBothWays()
{
    REQUIRE_SERVER();
    auto source = newStore(u"migrate-source.dermlabel"_s);
    QVERIFY(source);
    QString error;
    QVERIFY2(recordSome(*source, 6, &error), qPrintable(error));
    const auto sourceCheck = AuditLog::verify(source->db(), &error);
    QVERIFY(sourceCheck && sourceCheck->ok());

    auto team = StoreCopier::openTarget(m_pg.location(u"migrated"_s), source->schemaVersion(), &error);
    QVERIFY2(team, qPrintable(error));
    const CopyReport up = StoreCopier(*source, *team).run();
    QVERIFY2(up.ok(), qPrintable(up.error));
    QVERIFY(up.identical());
    QCOMPARE(up.sourceAuditHead, sourceCheck->head);
    QCOMPARE(up.targetAuditHead, sourceCheck->head);
    auto teamCheck = AuditLog::verify(team->db(), &error);
    QVERIFY2(teamCheck, qPrintable(error));
    QVERIFY2(teamCheck->ok(), qPrintable(teamCheck->problem));
    QCOMPARE(teamCheck->head, sourceCheck->head);
    QVERIFY(teamCheck->recordedHead);
    QCOMPARE(*teamCheck->recordedHead, sourceCheck->head);

    // The server continues the chain SQLite began, and C++ verifies the server's links.
    QVERIFY2(AuditLog::record(*team, -1, u"on.server"_s, u"store"_s, -1, {}, &error), qPrintable(error));
    teamCheck = AuditLog::verify(team->db(), &error);
    QVERIFY(teamCheck);
    QVERIFY2(teamCheck->ok(), qPrintable(teamCheck->problem));
    QCOMPARE(teamCheck->head.seq, 7);

    // And back to a store file, verbatim.
    auto back = StoreCopier::openTarget(StoreLocation::parse(m_dir.filePath(u"migrate-back.dermlabel"_s), &error),
                                        team->schemaVersion(), &error);
    QVERIFY2(back, qPrintable(error));
    const CopyReport down = StoreCopier(*team, *back).run();
    QVERIFY2(down.ok(), qPrintable(down.error));
    QVERIFY(down.identical());
    QCOMPARE(down.targetAuditHead, teamCheck->head);
    const auto backCheck = AuditLog::verify(back->db(), &error);
    QVERIFY(backCheck);
    QVERIFY2(backCheck->ok(), qPrintable(backCheck->problem));
    QCOMPARE(backCheck->head, teamCheck->head);
    QCOMPARE(*backCheck->recordedHead, teamCheck->head);
}

QTEST_GUILESS_MAIN(TestAuditChain)
#include "tst_auditchain.moc"
