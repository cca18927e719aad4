// SPDX-License-Identifier: GPL-3.0-or-later
// A whole store copied to a team store on a real PostgreSQL server and back to a store file
// (StoreCopier): every table identical (checksums and a direct row comparison), pseudonyms and
// image files equal, migrating again changes nothing, another store or another schema version
// refused, a cancelled copy leaves nothing, the users become login roles that sign in once an
// administrator set their password.
#include "PostgresTestServer.h"

#include "annotation/AssignmentService.h"
#include "demo/DemoDataset.h"
#include "demo/DemoRatings.h"
#include "import/ImportService.h"
#include "qa/ConsensusService.h"
#include "store/AuditLog.h"
#include "store/AnnotationRepository.h"
#include "store/ImageBlobRepository.h"
#include "store/ImageFlagRepository.h"
#include "store/ImageRepository.h"
#include "store/MaskRepository.h"
#include "store/SchemaMigrator.h"
#include "store/SchemaTables.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreCopier.h"
#include "store/StoreTransaction.h"
#include "store/TeamSecurity.h"
#include "store/UserRepository.h"
#include "users/UserService.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSet>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestMigrate : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void everyTableOfTheSchemaIsInTheCopyList();
    void checksumsIgnoreEngineAndPasswordHashes();
    void cancelledCopyLeavesTheTargetEmpty();
    void toServerAndBackIsIdentical();
    void migratingAgainChangesNothing();
    void anEarlierCopyIsCompleted();
    void changedRowsAreNeverOverwritten();
    void anotherStoreIsRefused();
    void anotherSchemaVersionIsRefused();
    void usersBecomeLoginRolesThatSignIn();

private:
    QString user(const QString &base) const { return u"m%1_%2"_s.arg(m_suffix, base); }
    std::unique_ptr<Store> openTarget(const StoreLocation &location);
    static QList<QVariantList> rows(const Store &store, const QString &table);
    static QStringList userNames(const Store &store);

    QTemporaryDir m_dir;
    PostgresTestServer m_pg {u"migrate"_s};
    QString m_suffix;
    std::unique_ptr<Store> m_source;
    QStringList m_roles;
};

#define REQUIRE_SERVER()                                                                                              \
    do {                                                                                                              \
        if (PostgresTestServer::disabled())                                                                           \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));                                                      \
    } while (false)

void TestMigrate::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_suffix = QString::number(QCoreApplication::applicationPid());

    // The demo store's core code: synthetic SCIN layout, imported, users, K=3, simulated labels.
    const QString layout = m_dir.filePath(u"layout"_s);
    QString error;
    DemoOptions demo;
    demo.images = 10;
    demo.seed = 7;
    QVERIFY2(DemoDataset::writeScinLayout(layout, demo, &error), qPrintable(error));
    m_source = Store::open(m_dir.filePath(u"source.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(m_source, qPrintable(error));
    QVERIFY2(m_source->lockForWriting(&error), qPrintable(error));
    auto plan = ImportService::plan(ImportKind::Scin, layout, &error);
    QVERIFY2(plan, qPrintable(error));
    ImportService importer(*m_source);
    const ImportReport imported = importer.run(*plan, {});
    QVERIFY2(imported.exitCode() == 0, qPrintable(imported.summary()));
    QVERIFY(imported.imported >= 10);

    UserService users(*m_source, User::commandLine());
    const struct
    {
        QString base;
        Role role;
    } people[] = {{u"admin"_s, Role::Admin}, {u"qa"_s, Role::Qa}, {u"amara"_s, Role::Annotator},
                  {u"lee"_s, Role::Annotator}, {u"silva"_s, Role::Annotator}, {u"ng"_s, Role::Annotator}};
    std::optional<User> admin, qa;
    for (const auto &person : people) {
        m_roles.append(user(person.base));
        const auto added =
            users.add(user(person.base), person.base.toUpper(), person.role, u"dermlabel-pass"_s, &error, 1000);
        QVERIFY2(added, qPrintable(error));
        if (person.role == Role::Admin)
            admin = added;
        if (person.role == Role::Qa)
            qa = added;
    }
    QVERIFY2(AssignmentService(*m_source, *admin).assign({}, 3, &error), qPrintable(error));
    QVERIFY2(DemoRatings::simulate(*m_source, {0.8, 7}, &error) > 0, qPrintable(error));
    // A disabled rater (their work moves on; their login role comes over without group).
    const auto ng = UserRepository(*m_source).findByName(user(u"ng"_s));
    QVERIFY(ng);
    QVERIFY2(users.disable(ng->id, &error), qPrintable(error));

    // Masks with several versions, an adjudication, a resolved and an open flag.
    const QList<Annotation> annotations = AnnotationRepository(*m_source).all(&error);
    QVERIFY2(annotations.size() >= 4, qPrintable(error));
    {
        StoreTransaction tx(*m_source);
        QVERIFY(tx.isActive());
        MaskRepository masks(*m_source);
        for (int i = 0; i < 3; ++i) {
            for (int version = 1; version <= 3; ++version) {
                QByteArray data(2000 + 100 * version, char(i + version));
                data[0] = '\0'; // bytes, not text
                QVERIFY2(masks.addVersion(annotations.at(i).id, u"condition:eczema"_s, u"rle"_s, 64, 48, data, &error)
                             == version,
                         qPrintable(error));
            }
        }
        QVERIFY2(masks.addVersion(annotations.at(3).id, u"identifying:tattoo"_s, u"rle"_s, 64, 48, "\x01\x02", &error)
                     == 1,
                 qPrintable(error));
        QVERIFY(tx.commit());
    }
    const QList<qint64> images = ImageRepository(*m_source).ids(&error);
    QVERIFY(images.size() >= 3);
    QVERIFY2(ConsensusService(*m_source, *qa).adjudicate(images.at(0), u"diagnosis"_s, u"cannot_determine"_s,
                                                          u"too blurred, 'quoted' reason"_s, &error),
             qPrintable(error));
    ImageFlagRepository flags(*m_source);
    QVERIFY(flags.addIfMissing(images.at(1), u"face"_s, u"{\"boxes\":1}"_s, &error).value_or(false));
    QVERIFY(flags.addIfMissing(images.at(2), u"face"_s, {}, &error).value_or(false));
    QVERIFY(flags.resolve(images.at(1), u"face"_s, u"confirmed"_s, qa->id, &error).value_or(false));
    QVERIFY2(m_source->setSetting(u"consensus_quorum"_s, u"2"_s, &error), qPrintable(error));
}

void TestMigrate::cleanupTestCase()
{
    if (PostgresTestServer::disabled() || !m_pg.isAvailable())
        return;
    m_pg.dropAll();
    QStringList drop;
    for (const QString &role : std::as_const(m_roles))
        drop.append(u"DROP ROLE IF EXISTS \"%1\""_s.arg(role));
    QString ignored;
    m_pg.admin(drop, &ignored);
}

std::unique_ptr<Store> TestMigrate::openTarget(const StoreLocation &location)
{
    QString error;
    auto store = StoreCopier::openTarget(location, m_source->schemaVersion(), &error);
    if (!store)
        qWarning("%s", qPrintable(error));
    return store;
}

QList<QVariantList> TestMigrate::rows(const Store &store, const QString &table)
{
    // Every row with every column (by name), ordered by all columns; no password hashes.
    QList<QVariantList> result;
    const QSqlDatabase db = store.db();
    const QSqlRecord record = db.record(table);
    QStringList columns;
    for (int i = 0; i < record.count(); ++i) {
        if (record.fieldName(i) != u"password_hash"_s)
            columns.append(record.fieldName(i));
    }
    columns.sort();
    QSqlQuery query(db);
    if (!query.exec(u"SELECT %1 FROM %2 ORDER BY %1"_s.arg(columns.join(u", "_s), table)))
        return {};
    while (query.next()) {
        QVariantList row;
        for (int i = 0; i < columns.size(); ++i)
            row.append(query.value(i));
        if (table == u"settings"_s && StoreCopier::settingIsLocal(row.at(0).toString()))
            continue;
        result.append(row);
    }
    return result;
}

QStringList TestMigrate::userNames(const Store &store)
{
    QStringList names;
    for (const User &u : UserRepository(store).list())
        names.append(u.name);
    return names;
}

void TestMigrate::everyTableOfTheSchemaIsInTheCopyList()
{
    // A freshly migrated store of each engine: its tables are exactly the two lists.
    QSet<QString> listed;
    for (const QString &table : SchemaTables::inDependencyOrder()) {
        QVERIFY2(!listed.contains(table), qPrintable(table));
        listed.insert(table);
    }
    for (const QString &table : SchemaTables::notCopied()) {
        QVERIFY2(!listed.contains(table), qPrintable(table));
        listed.insert(table);
    }
    QString error;
    auto local = Store::open(m_dir.filePath(u"fresh.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(local, qPrintable(error));
    QSet<QString> tables;
    for (const QString &table : local->db().tables()) {
        if (!table.startsWith(u"sqlite_"_s))
            tables.insert(table);
    }
    QCOMPARE(tables, listed);

    // Parents before children: every foreign key of a copied table points at an earlier one.
    const QStringList order = SchemaTables::inDependencyOrder();
    for (qsizetype i = 0; i < order.size(); ++i) {
        QSqlQuery query(local->db());
        QVERIFY(query.exec(u"SELECT \"table\" FROM pragma_foreign_key_list('%1')"_s.arg(order.at(i))));
        while (query.next()) {
            const qsizetype parent = order.indexOf(query.value(0).toString());
            QVERIFY2(parent >= 0 && parent < i, qPrintable(order.at(i) + u" -> "_s + query.value(0).toString()));
        }
    }

    if (PostgresTestServer::disabled())
        return;
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
    auto team = Store::open(m_pg.location(u"fresh"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(team, qPrintable(error));
    const QStringList serverTables = team->db().tables();
    QCOMPARE(QSet<QString>(serverTables.begin(), serverTables.end()), listed);
}

void TestMigrate::checksumsIgnoreEngineAndPasswordHashes()
{
    QString error;
    const QList<TableComparison> first = StoreCopier::checksums(*m_source, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(first.size(), SchemaTables::inDependencyOrder().size());
    QCOMPARE(StoreCopier::checksums(*m_source, &error).first().sourceSha256, first.first().sourceSha256);
    for (const TableComparison &t : first) {
        if (t.table == u"masks"_s)
            QCOMPARE(t.sourceRows, 10);
        if (t.table == u"adjudications"_s || t.table == u"import_runs"_s)
            QCOMPARE(t.sourceRows, 1);
    }
    // A changed value changes the table's checksum; a password hash does not.
    auto copy = Store::open(m_dir.filePath(u"checksum.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(copy, qPrintable(error));
    CopyReport report = StoreCopier(*m_source, *copy).run();
    QVERIFY2(report.ok() && report.identical(), qPrintable(report.error));
    QVERIFY(Sql::exec(copy->db(), u"UPDATE users SET password_hash = 'other'"_s, {}, &error));
    QList<TableComparison> after = StoreCopier::checksums(*copy, &error);
    for (qsizetype i = 0; i < after.size(); ++i)
        QCOMPARE(after.at(i).sourceSha256, first.at(i).sourceSha256);
    QVERIFY(Sql::exec(copy->db(), u"UPDATE consensus_diagnoses SET weight = weight + 1e-12 WHERE position = 1"_s, {},
                      &error));
    after = StoreCopier::checksums(*copy, &error);
    for (qsizetype i = 0; i < after.size(); ++i)
        QCOMPARE(after.at(i).sourceSha256 == first.at(i).sourceSha256, after.at(i).table != u"consensus_diagnoses"_s);
}

void TestMigrate::cancelledCopyLeavesTheTargetEmpty()
{
    REQUIRE_SERVER();
    auto target = openTarget(m_pg.location(u"cancel"_s));
    QVERIFY(target);
    std::atomic_bool cancel {false};
    bool sawMasks = false;
    // Cancelled while the masks are copied, after the users, assignments and labels were written.
    const CopyReport report = StoreCopier(*m_source, *target).run(
        [&](const CopyProgress &p) {
            if (p.phase == CopyProgress::Phase::Tables && p.table == u"masks"_s) {
                sawMasks = true;
                cancel = true;
            }
        },
        &cancel);
    QVERIFY(sawMasks);
    QCOMPARE(report.outcome, CopyReport::Outcome::Cancelled);
    QString error;
    for (const TableComparison &t : StoreCopier::checksums(*target, &error)) {
        if (t.table != u"settings"_s)
            QVERIFY2(t.sourceRows == 0, qPrintable(t.table));
    }
    QVERIFY(userNames(*target).isEmpty());
    // The next run copies everything.
    const CopyReport again = StoreCopier(*m_source, *target).run();
    QVERIFY2(again.ok(), qPrintable(again.error));
    QCOMPARE(again.outcome, CopyReport::Outcome::Copied);
    QVERIFY(again.identical());
}

void TestMigrate::toServerAndBackIsIdentical()
{
    REQUIRE_SERVER();
    QString error;
    auto team = openTarget(m_pg.location(u"team"_s));
    QVERIFY(team);
    const CopyReport up = StoreCopier(*m_source, *team).run();
    QVERIFY2(up.ok(), qPrintable(up.error));
    QCOMPARE(up.outcome, CopyReport::Outcome::Copied);
    QVERIFY(up.identical());
    QCOMPARE(up.tables.size(), SchemaTables::inDependencyOrder().size());
    QVERIFY(up.images.sourceFiles >= 10);
    QCOMPARE(up.images.targetFiles, up.images.sourceFiles);
    QVERIFY(up.images.missingInSource.isEmpty());
    for (const TableComparison &t : up.tables)
        QVERIFY2(t.sourceRows == t.copied || t.table == u"settings"_s, qPrintable(t.table));

    auto copy = openTarget(StoreLocation::parse(m_dir.filePath(u"copy.dermlabel"_s), &error));
    QVERIFY(copy);
    const CopyReport down = StoreCopier(*team, *copy).run();
    QVERIFY2(down.ok(), qPrintable(down.error));
    QCOMPARE(down.outcome, CopyReport::Outcome::Copied);
    QVERIFY(down.identical());
    // Passwords stay on the server: the local copy's users must be given one.
    QCOMPARE(QSet<QString>(down.usersWithoutPassword.begin(), down.usersWithoutPassword.end()),
             QSet<QString>(m_roles.begin(), m_roles.end()));

    // Checksums of all three stores agree, and so does every row.
    const auto original = StoreCopier::checksums(*m_source, &error);
    const auto server = StoreCopier::checksums(*team, &error);
    const auto local = StoreCopier::checksums(*copy, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (qsizetype i = 0; i < original.size(); ++i) {
        QCOMPARE(server.at(i).sourceSha256, original.at(i).sourceSha256);
        QCOMPARE(local.at(i).sourceSha256, original.at(i).sourceSha256);
        QCOMPARE(local.at(i).sourceRows, original.at(i).sourceRows);
    }
    for (const QString &table : SchemaTables::inDependencyOrder()) {
        const auto before = rows(*m_source, table);
        QCOMPARE(rows(*copy, table), before);
        if (table != u"consensus_stale"_s && table != u"case_attributes"_s && table != u"settings"_s)
            QVERIFY2(!before.isEmpty(), qPrintable(table));
    }
    QCOMPARE(rows(*copy, u"masks"_s).size(), 10);

    // The same secret: the same pseudonyms (a store reads its secret when it opens).
    const QByteArray material = "some content hash";
    for (const StoreLocation &location : {team->location(), copy->location()}) {
        auto reopened = Store::open(location, Store::OpenMode::MustExist, &error);
        QVERIFY2(reopened, qPrintable(error));
        QCOMPARE(reopened->pseudonym(u"img"_s, material), m_source->pseudonym(u"img"_s, material));
    }
    QVERIFY(team->pseudonym(u"img"_s, material) != m_source->pseudonym(u"img"_s, material));

    // The image files: in the server, and back in the copy's folder byte for byte.
    QStringList shas;
    for (const ImageRecord &image : ImageRepository(*m_source).all(&error))
        shas.append(image.sha256);
    shas.sort();
    QCOMPARE(ImageBlobRepository(*team).hashes(&error), shas);
    for (const ImageRecord &image : ImageRepository(*m_source).all(&error)) {
        QFile a(m_source->imageFilePath(image.sha256, u"jpg"_s));
        QFile b(copy->imageFilePath(image.sha256, u"jpg"_s));
        QVERIFY(a.open(QIODevice::ReadOnly));
        QVERIFY(b.open(QIODevice::ReadOnly));
        QCOMPARE(b.readAll(), a.readAll());
    }

    // New rows on the server continue after the copied ids.
    // (Rolled back: an entry deleted afterwards would break the audit log's chain.)
    const qint64 maxAudit = Sql::scalar(team->db(), u"SELECT MAX(id) FROM audit_log"_s, {}, &error)->toLongLong();
    {
        StoreTransaction tx(*team);
        QVERIFY(tx.isActive());
        const qint64 next = Sql::insertReturningId(
            team->db(), u"INSERT INTO audit_log (at, action, entity, detail) VALUES (?, 'test', 'none', '') RETURNING id"_s,
            {Sql::now()}, &error);
        QVERIFY2(next > maxAudit, qPrintable(error));
        tx.rollback();
    }
    // The audit chain came over verbatim: it verifies on the server, ending where the source's does.
    const auto teamChain = AuditLog::verify(team->db(), &error);
    QVERIFY2(teamChain, qPrintable(error));
    QVERIFY2(teamChain->ok(), qPrintable(teamChain->problem));
    const auto sourceChain = AuditLog::verify(m_source->db(), &error);
    QVERIFY2(sourceChain && sourceChain->ok(), qPrintable(error));
    QVERIFY(sourceChain->entries > 0);
    QCOMPARE(teamChain->head, sourceChain->head);
    QCOMPARE(teamChain->recordedHead, sourceChain->recordedHead);
    // The triggers are back on: a label change marks its image stale.
    QCOMPARE(Sql::scalar(team->db(), u"SELECT COUNT(*) FROM consensus_stale"_s, {}, &error)->toInt(), 0);
    QVERIFY(Sql::exec(team->db(), u"UPDATE annotations SET note = note WHERE id = (SELECT MIN(id) FROM annotations)"_s,
                      {}, &error));
    QCOMPARE(Sql::scalar(team->db(), u"SELECT COUNT(*) FROM consensus_stale"_s, {}, &error)->toInt(), 1);
    QVERIFY(Sql::exec(team->db(), u"DELETE FROM consensus_stale"_s, {}, &error));
}

void TestMigrate::migratingAgainChangesNothing()
{
    REQUIRE_SERVER();
    QString error;
    auto team = openTarget(m_pg.location(u"team"_s));
    QVERIFY(team);
    const auto before = StoreCopier::checksums(*team, &error);
    const CopyReport again = StoreCopier(*m_source, *team).run();
    QVERIFY2(again.ok(), qPrintable(again.error));
    QCOMPARE(again.outcome, CopyReport::Outcome::Identical);
    QVERIFY(again.identical());
    QCOMPARE(again.images.copied, 0);
    for (const TableComparison &t : again.tables)
        QCOMPARE(t.copied, 0);
    const auto after = StoreCopier::checksums(*team, &error);
    for (qsizetype i = 0; i < before.size(); ++i)
        QCOMPARE(after.at(i).sourceSha256, before.at(i).sourceSha256);

    auto copy = openTarget(StoreLocation::parse(m_dir.filePath(u"copy.dermlabel"_s), &error));
    QVERIFY(copy);
    const CopyReport down = StoreCopier(*team, *copy).run();
    QVERIFY2(down.ok(), qPrintable(down.error));
    QCOMPARE(down.outcome, CopyReport::Outcome::Identical);
}

void TestMigrate::anEarlierCopyIsCompleted()
{
    REQUIRE_SERVER();
    QString error;
    auto team = openTarget(m_pg.location(u"team"_s));
    QVERIFY(team);
    // New work in the source since the copy: a flag, its audit entry.
    const QList<qint64> images = ImageRepository(*m_source).ids(&error);
    QVERIFY(ImageFlagRepository(*m_source).addIfMissing(images.last(), u"face"_s, {}, &error).value_or(false));
    QVERIFY2(AuditLog::record(*m_source, -1, u"flag"_s, u"image"_s, images.last(), {}, &error), qPrintable(error));
    const CopyReport report = StoreCopier(*m_source, *team).run();
    QVERIFY2(report.ok(), qPrintable(report.error));
    QCOMPARE(report.outcome, CopyReport::Outcome::Completed);
    QVERIFY(report.identical());
    // The new entry continues the chain on the server as in the source, and the heads follow.
    QCOMPARE(report.targetAuditHead, report.sourceAuditHead);
    const auto teamChain = AuditLog::verify(team->db(), &error);
    QVERIFY2(teamChain && teamChain->ok(), qPrintable(error));
    QCOMPARE(teamChain->head, report.sourceAuditHead);
    QCOMPARE(*teamChain->recordedHead, report.sourceAuditHead);
    for (const TableComparison &t : report.tables)
        QCOMPARE(t.copied, (t.table == u"image_flags"_s || t.table == u"audit_log"_s) ? 1 : 0);
}

void TestMigrate::changedRowsAreNeverOverwritten()
{
    REQUIRE_SERVER();
    QString error;
    auto team = openTarget(m_pg.location(u"team"_s));
    QVERIFY(team);
    const auto before = StoreCopier::checksums(*team, &error);
    const QString name = user(u"lee"_s);
    QVERIFY(Sql::exec(m_source->db(), u"UPDATE users SET display_name = 'Dr. Lee' WHERE name = ?"_s, {name}, &error));
    auto restore = qScopeGuard([&] {
        QString ignored;
        Sql::exec(m_source->db(), u"UPDATE users SET display_name = 'LEE' WHERE name = ?"_s, {name}, &ignored);
    });
    const CopyReport report = StoreCopier(*m_source, *team).run();
    QCOMPARE(report.outcome, CopyReport::Outcome::Failed);
    QVERIFY2(report.error.contains(u"users"_s), qPrintable(report.error));
    QVERIFY(!report.identical());
    const auto after = StoreCopier::checksums(*team, &error);
    for (qsizetype i = 0; i < before.size(); ++i)
        QCOMPARE(after.at(i).sourceSha256, before.at(i).sourceSha256);
}

void TestMigrate::anotherStoreIsRefused()
{
    QString error;
    auto other = Store::open(m_dir.filePath(u"other.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(other, qPrintable(error));
    QVERIFY(
        UserService(*other, User::commandLine()).add(u"someone"_s, {}, Role::Admin, u"secret-pass-1"_s, &error, 1000));
    const auto before = StoreCopier::checksums(*other, &error);
    const CopyReport report = StoreCopier(*m_source, *other).run();
    QCOMPARE(report.outcome, CopyReport::Outcome::Failed);
    QVERIFY2(report.error.contains(u"another store"_s), qPrintable(report.error));
    QVERIFY(report.tables.isEmpty());
    QCOMPARE(report.images.copied, 0);
    QVERIFY(!QFileInfo::exists(other->imageDirectory()) || QDir(other->imageDirectory()).isEmpty());
    const auto after = StoreCopier::checksums(*other, &error);
    for (qsizetype i = 0; i < before.size(); ++i)
        QCOMPARE(after.at(i).sourceSha256, before.at(i).sourceSha256);
}

void TestMigrate::anotherSchemaVersionIsRefused()
{
    QString error;
    const QString path = m_dir.filePath(u"older.dermlabel"_s);
    {
        auto older = Store::open(path, Store::OpenMode::CreateNew, &error);
        QVERIFY2(older, qPrintable(error));
        // As a store written before the last schema step.
        QVERIFY(Sql::exec(older->db(), u"DELETE FROM schema_version WHERE version = ?"_s,
                          {SchemaMigrator::latestVersion()}, &error));
    }
    const StoreLocation location = StoreLocation::parse(path, &error);
    QCOMPARE(StoreCopier::peekSchemaVersion(location, &error), SchemaMigrator::latestVersion() - 1);
    auto target = StoreCopier::openTarget(location, m_source->schemaVersion(), &error);
    QVERIFY(!target);
    QVERIFY2(error.contains(u"schema version %1"_s.arg(SchemaMigrator::latestVersion() - 1)), qPrintable(error));
    // Untouched: still the older version.
    QCOMPARE(StoreCopier::peekSchemaVersion(location, &error), SchemaMigrator::latestVersion() - 1);
    QCOMPARE(StoreCopier::peekSchemaVersion(StoreLocation::parse(m_dir.filePath(u"none.dermlabel"_s), &error), &error),
             0);
}

void TestMigrate::usersBecomeLoginRolesThatSignIn()
{
    REQUIRE_SERVER();
    QString error;
    auto team = openTarget(m_pg.location(u"team"_s));
    QVERIFY(team);
    const QSqlDatabase db = team->db();
    for (const User &u : UserRepository(*m_source).list()) {
        const auto login = Sql::scalar(db, u"SELECT rolcanlogin FROM pg_roles WHERE rolname = ?"_s, {u.name}, &error);
        QVERIFY2(login && login->toBool(), qPrintable(u.name));
        const QString group = TeamSecurity::groupName(db, roleKey(u.role), &error);
        const auto member = Sql::scalar(db, u"SELECT pg_has_role(?, ?, 'MEMBER')"_s, {u.name, group}, &error);
        QVERIFY2(member && member->toBool() == u.active, qPrintable(u.name));
        QCOMPARE(Sql::scalar(db, u"SELECT password_hash FROM users WHERE name = ?"_s, {u.name}, &error)->toString(),
                 u"server"_s);
    }
    // No password yet: refused; once an administrator set one, the user signs in.
    const QString name = user(u"amara"_s);
    bool refused = false;
    auto session = Store::open(m_pg.location(u"team"_s), Store::OpenMode::MustExist, &error);
    QVERIFY2(session, qPrintable(error));
    QVERIFY(!session->connectAs(name, u"a new password"_s, &refused, &error));
    QVERIFY(refused);
    const auto amara = UserRepository(*team).findByName(name);
    QVERIFY(amara);
    QVERIFY2(UserService(*team, User::commandLine()).resetPassword(amara->id, u"a new password"_s, &error),
             qPrintable(error));
    QVERIFY2(session->connectAs(name, u"a new password"_s, &refused, &error), qPrintable(error));
    // Signed in as the annotator, the server shows only their own assignments.
    const auto own = Sql::scalar(session->db(), u"SELECT COUNT(*) FROM assignments WHERE user_id <> ?"_s,
                                 {amara->id}, &error);
    QVERIFY2(own, qPrintable(error));
    QCOMPARE(own->toInt(), 0);
}

QTEST_GUILESS_MAIN(TestMigrate)
#include "tst_migrate.moc"
