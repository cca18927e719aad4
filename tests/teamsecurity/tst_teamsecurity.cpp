// SPDX-License-Identifier: GPL-3.0-or-later
// Team store security enforced by the PostgreSQL server: raters connect with
// plain SQL as their own login roles, and every read the rules forbid returns
// nothing while every forbidden write is refused, whatever the client does.
#include "PostgresTestServer.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "qa/ConsensusService.h"
#include "qa/StaleConsensus.h"
#include "session/SessionService.h"
#include "store/AuditLog.h"
#include "store/ImageRepository.h"
#include "store/PostgresServer.h"
#include "store/SchemaMigrator.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"
#include "store/TeamSecurity.h"
#include "store/UserRepository.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QSignalSpy>
#include <QSqlDriver>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace dl;

class TestTeamSecurity : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void scriptSplitsIntoStatements();
    void installingAgainChangesNothing();
    void consensusStaleExistsOnSqliteToo();

    void annotatorReadsOnlyTheirOwn();
    void annotatorForbiddenWritesAreRefused();
    void annotatorWritesTheirOwnLabels();
    void auditChainIsTheServersWhateverARaterSends();
    void labelSaveMarksConsensusStale();
    void qaReadsAllAndAdjudicatesButCannotChangeUsers();
    void adminManagesUsersKeepingOneAdmin();
    void disabledUserCannotConnect();
    void wrongPasswordIsRefused();
    void raterCannotInstallTheRules();

    void teamSessionsMatchLocalConsensus();

private:
    QString user(const QString &base) const { return u"%1_%2"_s.arg(base).arg(m_suffix); }
    QSqlDatabase connectAs(const QString &name, const QString &password, PostgresServer::Failure *failure,
                           QString *error);
    QSqlDatabase as(const QString &base);
    static int count(const QSqlDatabase &db, const QString &sql);
    /// Rows a write changed; -1 when the server refused it.
    static int write(const QSqlDatabase &db, const QString &sql);
    int ownerCount(const QString &sql);
    qint64 insert(const QString &sql, const QVariantList &binds);

    PostgresTestServer m_pg {u"teamsecurity"_s};
    std::unique_ptr<Store> m_store;
    QString m_suffix;
    QStringList m_connections;
    QStringList m_roles;
    qint64 m_ann1 = 0, m_ann2 = 0, m_qa = 0, m_admin = 0;
    qint64 m_image1 = 0, m_image2 = 0, m_image3 = 0, m_case = 0;
    qint64 m_label1 = 0, m_label2 = 0, m_label2b = 0;
};

static const QString password = u"correct horse battery"_s;

#define REQUIRE_SERVER()                                                                                              \
    do {                                                                                                              \
        if (PostgresTestServer::disabled())                                                                           \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QVERIFY2(m_store, "the team store was not set up");                                                           \
    } while (false)

void TestTeamSecurity::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_suffix = QString::number(QCoreApplication::applicationPid());
    if (PostgresTestServer::disabled())
        return;
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
    QString error;
    m_store = Store::open(m_pg.location(u"sec"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(m_store, qPrintable(error));
    const QSqlDatabase db = m_store->db();
    QVERIFY2(TeamSecurity::canInstall(db, &error), qPrintable(error));
    QVERIFY2(TeamSecurity::install(db, &error), qPrintable(error));
    QVERIFY(TeamSecurity::isInstalled(db, &error));
    QVERIFY(TeamSecurity::isCurrent(db, &error));

    // Users through dl_add_user, as the owner: login roles of the same name.
    const struct
    {
        QString base;
        Role role;
        bool active;
        qint64 *id;
    } users[] = {{u"ann1"_s, Role::Annotator, true, &m_ann1},
                 {u"ann2"_s, Role::Annotator, true, &m_ann2},
                 {u"qa"_s, Role::Qa, true, &m_qa},
                 {u"adm"_s, Role::Admin, true, &m_admin},
                 {u"gone"_s, Role::Annotator, false, nullptr}};
    for (const auto &u : users) {
        m_roles.append(user(u.base));
        const auto id = TeamSecurity::addUser(db, user(u.base), u.base, u.role, password, u.active, &error);
        QVERIFY2(id, qPrintable(error));
        if (u.id)
            *u.id = *id;
    }
    for (const QString &kind : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s})
        m_roles.append(TeamSecurity::groupName(db, kind, &error));

    // Content, as the owner (who is not bound by the row rules).
    const QString now = Sql::now();
    const qint64 source = insert(u"INSERT INTO sources (kind, name, root_path, created_at) VALUES ('folder', 's', '/s', ?) RETURNING id"_s, {now});
    auto image = [&](const QString &sha) {
        return insert(u"INSERT INTO images (public_id, sha256, format, width, height, byte_size, created_at)"
                      " VALUES (?, ?, 'jpeg', 10, 10, 100, ?) RETURNING id"_s,
                      {u"img-"_s + sha, sha, now});
    };
    m_image1 = image(u"a1"_s);
    m_image2 = image(u"a2"_s);
    m_image3 = image(u"a3"_s);
    insert(u"INSERT INTO image_files (image_id, source_id, source_path, file_size, file_mtime, imported_at)"
           " VALUES (?, ?, '/s/secret-name.jpg', 100, ?, ?) RETURNING id"_s,
           {m_image1, source, now, now});
    m_case = insert(u"INSERT INTO cases (public_id, source_id, source_case_id, created_at) VALUES ('case-1', ?, 'c1', ?) RETURNING id"_s,
                    {source, now});
    const qint64 otherCase = insert(u"INSERT INTO cases (public_id, source_id, source_case_id, created_at) VALUES ('case-3', ?, 'c3', ?) RETURNING id"_s,
                                    {source, now});
    QVERIFY(Sql::exec(db, u"INSERT INTO case_images (case_id, image_id, position) VALUES (?, ?, 1), (?, ?, 1)"_s,
                      {m_case, m_image1, otherCase, m_image3}, &error));
    QVERIFY(Sql::exec(db, u"INSERT INTO case_attributes (case_id, name, value) VALUES (?, 'age', '40'), (?, 'age', '50')"_s,
                      {m_case, otherCase}, &error));
    QVERIFY(Sql::exec(db, u"INSERT INTO reference_labels (case_id, field, value) VALUES (?, 'diagnosis', 'psoriasis')"_s,
                      {m_case}, &error));
    // ann1: image 1; ann2: images 1 and 2; image 3: nobody.
    QVERIFY(Sql::exec(db, u"INSERT INTO assignments (image_id, user_id, assigned_at, updated_at) VALUES"
                          " (?, ?, ?, ?), (?, ?, ?, ?), (?, ?, ?, ?)"_s,
                      {m_image1, m_ann1, now, now, m_image1, m_ann2, now, now, m_image2, m_ann2, now, now}, &error));
    auto label = [&](qint64 image, qint64 user, const QString &condition) {
        const qint64 id = insert(u"INSERT INTO annotations (image_id, user_id, gradable, fitzpatrick, created_at, updated_at)"
                                 " VALUES (?, ?, 1, 'III', ?, ?) RETURNING id"_s,
                                 {image, user, now, now});
        Sql::exec(db, u"INSERT INTO annotation_diagnoses (annotation_id, position, condition_id, confidence) VALUES (?, 1, ?, 4)"_s,
                  {id, condition}, nullptr);
        Sql::exec(db, u"INSERT INTO masks (annotation_id, layer, version, encoding, width, height, data, created_at)"
                      " VALUES (?, 'lesion', 1, 'rle', 10, 10, ?, ?)"_s,
                  {id, QByteArray("\x01\x02"), now}, nullptr);
        return id;
    };
    m_label1 = label(m_image1, m_ann1, u"psoriasis"_s);
    m_label2 = label(m_image1, m_ann2, u"eczema"_s);
    m_label2b = label(m_image2, m_ann2, u"acne"_s);
    QVERIFY(Sql::exec(db, u"INSERT INTO consensus (image_id, field, value, status, computed_at) VALUES (?, 'gradable', '1', 'agreed', ?)"_s,
                      {m_image1, now}, &error));
    QVERIFY(Sql::exec(db, u"INSERT INTO consensus_diagnoses (image_id, position, condition_id, weight) VALUES (?, 1, 'psoriasis', 0.5)"_s,
                      {m_image1}, &error));
    QVERIFY(Sql::exec(db, u"INSERT INTO image_flags (image_id, kind, created_at) VALUES (?, 'face', ?), (?, 'face', ?)"_s,
                      {m_image1, now, m_image3, now}, &error));
    QVERIFY(Sql::exec(db, u"INSERT INTO audit_log (at, user_id, action, entity, entity_id, detail) VALUES (?, ?, 'save', 'annotation', ?, 'eczema')"_s,
                      {now, m_ann2, m_label2}, &error));
    // The owner's writes above marked images 1 and 2; start from a clean slate.
    QVERIFY(Sql::exec(db, u"DELETE FROM consensus_stale"_s, {}, &error));
}

void TestTeamSecurity::cleanupTestCase()
{
    for (const QString &name : std::as_const(m_connections))
        QSqlDatabase::removeDatabase(name);
    m_store.reset();
    m_pg.dropAll();
    if (!PostgresTestServer::disabled() && m_pg.isAvailable() && !m_roles.isEmpty()) {
        QStringList drop;
        for (const QString &role : std::as_const(m_roles))
            if (!role.isEmpty())
                drop.append(u"DROP ROLE IF EXISTS %1"_s.arg(PostgresServer::quoteIdentifier(role)));
        QString error;
        QVERIFY2(m_pg.admin(drop, &error), qPrintable(error));
    }
}

QSqlDatabase TestTeamSecurity::connectAs(const QString &name, const QString &secret, PostgresServer::Failure *failure,
                                         QString *error)
{
    QUrl url(m_store->location().toString(), QUrl::StrictMode);
    url.setUserName(name);
    url.setPassword(secret);
    const StoreLocation location = StoreLocation::parse(url.toString(QUrl::FullyEncoded), error);
    const QString connection = u"as-%1-%2"_s.arg(name).arg(m_connections.size());
    m_connections.append(connection);
    return PostgresServer::connect(location, connection, failure, error);
}

QSqlDatabase TestTeamSecurity::as(const QString &base)
{
    const QString connection = u"rater-"_s + base;
    if (QSqlDatabase::contains(connection))
        return QSqlDatabase::database(connection);
    QUrl url(m_store->location().toString(), QUrl::StrictMode);
    url.setUserName(user(base));
    url.setPassword(password);
    QString error;
    const StoreLocation location = StoreLocation::parse(url.toString(QUrl::FullyEncoded), &error);
    PostgresServer::Failure failure = PostgresServer::Failure::None;
    m_connections.append(connection);
    QSqlDatabase db = PostgresServer::connect(location, connection, &failure, &error);
    if (failure != PostgresServer::Failure::None)
        qWarning("Cannot connect as %s: %s", qPrintable(user(base)), qPrintable(error));
    return db;
}

int TestTeamSecurity::count(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next()) {
        qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return -1;
    }
    return query.value(0).toInt();
}

int TestTeamSecurity::write(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        return -1;
    return query.numRowsAffected();
}

int TestTeamSecurity::ownerCount(const QString &sql)
{
    return count(m_store->db(), sql);
}

qint64 TestTeamSecurity::insert(const QString &sql, const QVariantList &binds)
{
    QString error;
    const qint64 id = Sql::insertReturningId(m_store->db(), sql, binds, &error);
    if (id < 0)
        qWarning("%s: %s", qPrintable(sql), qPrintable(error));
    return id;
}

void TestTeamSecurity::scriptSplitsIntoStatements()
{
    const QStringList list = TeamSecurity::statements(
        u"SELECT 'a;b'; -- c;d\nDO $$ BEGIN PERFORM 1; END $$;\nCREATE FUNCTION f() RETURNS int AS $x$ SELECT 1; $x$;"
        "SELECT \"q;\""_s);
    QCOMPARE(list.size(), 4);
    QCOMPARE(list.at(0), u"SELECT 'a;b'"_s);
    QCOMPARE(list.at(1), u"DO $$ BEGIN PERFORM 1; END $$"_s);
    QCOMPARE(list.at(2), u"CREATE FUNCTION f() RETURNS int AS $x$ SELECT 1; $x$"_s);
    QCOMPARE(list.at(3), u"SELECT \"q;\""_s);
    QVERIFY(TeamSecurity::statements(TeamSecurity::script()).size() > 20);
}

void TestTeamSecurity::installingAgainChangesNothing()
{
    REQUIRE_SERVER();
    const QString policies = u"SELECT COUNT(*) FROM pg_policies WHERE schemaname = 'public'"_s;
    const int before = ownerCount(policies);
    QVERIFY(before > 20);
    QString error;
    QVERIFY2(TeamSecurity::install(m_store->db(), &error), qPrintable(error));
    QCOMPARE(ownerCount(policies), before);
    // Every table is owned by the store's owner group and has row-level security.
    const QString owner = TeamSecurity::groupName(m_store->db(), u"owner"_s, &error);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND (tableowner <> '%1' OR NOT rowsecurity)"_s.arg(owner)),
             0);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'consensus_stale'"_s), 1);
}

void TestTeamSecurity::consensusStaleExistsOnSqliteToo()
{
    QTemporaryDir dir;
    QString error;
    auto store = Store::open(dir.filePath(u"s.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(count(store->db(), u"SELECT COUNT(*) FROM consensus_stale"_s), 0);
}

void TestTeamSecurity::annotatorReadsOnlyTheirOwn()
{
    REQUIRE_SERVER();
    const QSqlDatabase db = as(u"ann1"_s);
    QVERIFY(db.isOpen());
    // Their own label, with its diagnoses and masks; nobody else's.
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM annotations"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM annotations WHERE id = %1"_s.arg(m_label1)), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM annotation_diagnoses"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM annotation_diagnoses WHERE condition_id = 'eczema'"_s), 0);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM masks"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM masks WHERE annotation_id <> %1"_s.arg(m_label1)), 0);
    // Only the images (cases, attributes, flags) assigned to them.
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM images"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM images WHERE id = %1"_s.arg(m_image1)), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM case_images"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM cases"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM case_attributes"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM image_flags"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM assignments"_s), 1);
    // Not a training store: no reference labels.
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM reference_labels"_s), 0);
    // No consensus, adjudications, audit entries, source paths; only their own user row.
    for (const QString &table : {u"consensus"_s, u"consensus_diagnoses"_s, u"adjudications"_s, u"consensus_stale"_s,
                                 u"audit_log"_s, u"image_files"_s, u"import_runs"_s}) {
        QSqlQuery query(db);
        const bool read = query.exec(u"SELECT COUNT(*) FROM "_s + table) && query.next();
        QVERIFY2(!read || query.value(0).toInt() == 0, qPrintable(table));
    }
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM users"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM users WHERE name = session_user"_s), 1);
    // The store's secret (the key of the pseudonyms) stays hidden.
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM settings WHERE key = 'secret'"_s), 0);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM settings WHERE key = 'secret'"_s), 1);
}

void TestTeamSecurity::annotatorForbiddenWritesAreRefused()
{
    REQUIRE_SERVER();
    const QSqlDatabase db = as(u"ann1"_s);
    QVERIFY(db.isOpen());
    const QString now = u"'2026-01-01T00:00:00.000Z'"_s;
    // Another rater's label: hidden, so neither changed nor deleted; nor can one be written in their name.
    QVERIFY(write(db, u"UPDATE annotations SET fitzpatrick = 'VI' WHERE id = %1"_s.arg(m_label2)) <= 0);
    QVERIFY(write(db, u"DELETE FROM annotations WHERE id = %1"_s.arg(m_label2)) <= 0);
    QVERIFY(write(db, u"UPDATE annotation_diagnoses SET condition_id = 'x' WHERE annotation_id = %1"_s.arg(m_label2)) <= 0);
    QVERIFY(write(db, u"DELETE FROM masks WHERE annotation_id = %1"_s.arg(m_label2)) <= 0);
    QCOMPARE(write(db, u"INSERT INTO annotation_diagnoses (annotation_id, position, condition_id) VALUES (%1, 2, 'x')"_s.arg(m_label2)), -1);
    QCOMPARE(write(db, u"INSERT INTO annotations (image_id, user_id, created_at, updated_at) VALUES (%1, %2, %3, %3)"_s
                           .arg(m_image2).arg(m_ann2).arg(now)),
             -1);
    // Moving their own label to someone else, or to an image not assigned to them.
    QCOMPARE(write(db, u"UPDATE annotations SET user_id = %1 WHERE id = %2"_s.arg(m_ann2).arg(m_label1)), -1);
    // Labelling an image not assigned to them.
    QCOMPARE(write(db, u"INSERT INTO annotations (image_id, user_id, created_at, updated_at) VALUES (%1, %2, %3, %3)"_s
                           .arg(m_image3).arg(m_ann1).arg(now)),
             -1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM annotations WHERE id = %1 AND fitzpatrick = 'III'"_s.arg(m_label2)), 1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM masks WHERE annotation_id = %1"_s.arg(m_label2)), 1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM annotations WHERE image_id = %1"_s.arg(m_image3)), 0);
    // Users, roles and assignments.
    QCOMPARE(write(db, u"UPDATE users SET role = 'admin' WHERE name = session_user"_s), -1);
    QCOMPARE(write(db, u"INSERT INTO users (name, role, password_hash, created_at) VALUES ('x', 'admin', 'x', %1)"_s.arg(now)), -1);
    QCOMPARE(write(db, u"SELECT dl_set_user('%1', 'admin', true)"_s.arg(user(u"ann1"_s))), -1);
    QCOMPARE(write(db, u"SELECT dl_add_user('intruder_%1', '', 'admin', 'pw', true, %2)"_s.arg(m_suffix, now)), -1);
    QCOMPARE(write(db, u"SELECT dl_set_password('%1', 'pw')"_s.arg(user(u"ann2"_s))), -1);
    QCOMPARE(write(db, u"INSERT INTO assignments (image_id, user_id, assigned_at, updated_at) VALUES (%1, %2, %3, %3)"_s
                           .arg(m_image3).arg(m_ann1).arg(now)),
             -1);
    QVERIFY(write(db, u"UPDATE assignments SET user_id = %1 WHERE user_id = %2"_s.arg(m_ann2).arg(m_ann1)) <= 0);
    QVERIFY(write(db, u"DELETE FROM assignments"_s) <= 0);
    QCOMPARE(write(db, u"GRANT %1 TO %2"_s.arg(TeamSecurity::groupName(m_store->db(), u"admin"_s, nullptr),
                                                user(u"ann1"_s))),
             -1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM assignments"_s), 3);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM users WHERE role = 'admin'"_s), 1);
    // The audit log: appending their own entries only, never changing or deleting one.
    QCOMPARE(write(db, u"INSERT INTO audit_log (at, user_id, action, entity) VALUES (%1, %2, 'x', 'y')"_s.arg(now).arg(m_ann2)), -1);
    QVERIFY(write(db, u"UPDATE audit_log SET detail = ''"_s) <= 0);
    QVERIFY(write(db, u"DELETE FROM audit_log"_s) <= 0);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM audit_log WHERE detail = 'eczema'"_s), 1);
    // Adjudicating, writing consensus, settings, images.
    QCOMPARE(write(db, u"INSERT INTO adjudications (image_id, field, value, reason, user_id, decided_at) VALUES (%1, 'gradable', '0', 'r', %2, %3)"_s
                           .arg(m_image1).arg(m_ann1).arg(now)),
             -1);
    QVERIFY(write(db, u"UPDATE consensus SET value = '0'"_s) <= 0);
    QCOMPARE(write(db, u"INSERT INTO settings (key, value) VALUES ('consensus_quorum', '1')"_s), -1);
    QCOMPARE(write(db, u"UPDATE settings SET value = 'x' WHERE key = 'secret'"_s), -1);
    QVERIFY(write(db, u"DELETE FROM images"_s) <= 0);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM adjudications"_s), 0);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM consensus WHERE value = '1'"_s), 1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM images"_s), 3);
}

void TestTeamSecurity::annotatorWritesTheirOwnLabels()
{
    REQUIRE_SERVER();
    const QSqlDatabase db = as(u"ann1"_s);
    QVERIFY(db.isOpen());
    QCOMPARE(write(db, u"UPDATE annotations SET note = 'mine' WHERE id = %1"_s.arg(m_label1)), 1);
    QCOMPARE(write(db, u"INSERT INTO annotation_diagnoses (annotation_id, position, condition_id) VALUES (%1, 2, 'eczema')"_s.arg(m_label1)), 1);
    QCOMPARE(write(db, u"UPDATE assignments SET status = 'done' WHERE image_id = %1"_s.arg(m_image1)), 1);
    QCOMPARE(write(db, u"INSERT INTO audit_log (at, user_id, action, entity) VALUES ('t', %1, 'save', 'annotation')"_s.arg(m_ann1)), 1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM annotations WHERE note = 'mine'"_s), 1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM assignments WHERE status = 'done'"_s), 1);
}

void TestTeamSecurity::auditChainIsTheServersWhateverARaterSends()
{
    REQUIRE_SERVER();
    const QSqlDatabase db = as(u"ann1"_s);
    QVERIFY(db.isOpen());
    // A rater may not read the log, yet their entry is chained (the trigger runs as the owner),
    // and the place in the chain they send is replaced by the server's.
    QCOMPARE(write(db, u"INSERT INTO audit_log (at, user_id, action, entity, seq, prev_hash, hash) VALUES "
                       "('t', %1, 'forged', 'annotation', 1, repeat('a', 64), repeat('b', 64))"_s.arg(m_ann1)),
             1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM audit_log WHERE action = 'forged' AND hash <> repeat('b', 64) "
                        "AND seq = (SELECT MAX(seq) FROM audit_log) AND seq > 1"_s),
             1);
    QString error;
    const auto check = AuditLog::verify(m_store->db(), &error);
    QVERIFY2(check, qPrintable(error));
    QVERIFY2(check->ok(), qPrintable(check->problem));
    // Raters, QA leads and admins cannot change or delete entries (see the role tests); the
    // store's owner can, and check then finds it.
    QCOMPARE(write(db, u"UPDATE audit_log SET detail = 'x' WHERE action = 'forged'"_s), -1);
    QCOMPARE(write(as(u"adm"_s), u"DELETE FROM audit_log WHERE action = 'forged'"_s), -1);
    {
        StoreTransaction tx(*m_store);
        QVERIFY(tx.isActive());
        QVERIFY(Sql::exec(m_store->db(), u"DELETE FROM audit_log WHERE action = 'forged'"_s, {}, &error));
        const auto cut = AuditLog::verify(m_store->db(), &error);
        QVERIFY(cut);
        QVERIFY(!cut->ok());
        QCOMPARE(cut->brokenSeq, check->head.seq);
        tx.rollback();
    }
    const auto after = AuditLog::verify(m_store->db(), &error);
    QVERIFY(after && after->ok());
}

void TestTeamSecurity::labelSaveMarksConsensusStale()
{
    REQUIRE_SERVER();
    QString error;
    QVERIFY(Sql::exec(m_store->db(), u"DELETE FROM consensus_stale"_s, {}, &error));
    const QSqlDatabase db = as(u"ann2"_s);
    QVERIFY(db.isOpen());
    // QA leads and admins are told (on the channel the server names for them); the annotator is not.
    const QSqlDatabase qa = as(u"qa"_s);
    QVERIFY(qa.isOpen());
    const QString staffChannel = Sql::scalar(qa, u"SELECT dl_staff_channel()"_s, {}, &error).value_or(QVariant()).toString();
    QVERIFY2(!staffChannel.isEmpty(), qPrintable(error));
    QVERIFY(Sql::scalar(db, u"SELECT dl_staff_channel()"_s, {}, &error).value_or(QVariant(1)).isNull());
    QVERIFY(qa.driver()->subscribeToNotification(staffChannel));
    QSignalSpy notified(qa.driver(), &QSqlDriver::notification);
    QCOMPARE(write(db, u"UPDATE annotations SET note = 'changed' WHERE id = %1"_s.arg(m_label2b)), 1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM consensus_stale WHERE image_id = %1"_s.arg(m_image2)), 1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM consensus_stale"_s), 1);
    // A diagnosis change marks the image of its label.
    QCOMPARE(write(db, u"UPDATE annotation_diagnoses SET confidence = 2 WHERE annotation_id = %1"_s.arg(m_label2)), 1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM consensus_stale WHERE image_id = %1"_s.arg(m_image1)), 1);
    // The annotator cannot see or clear the marks.
    QCOMPARE(write(db, u"SELECT COUNT(*) FROM consensus_stale"_s), -1);
    QVERIFY(write(db, u"DELETE FROM consensus_stale"_s) <= 0);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM consensus_stale"_s), 2);
    // The notification of the save arrives (delivered at commit), with the image's id only.
    QTRY_VERIFY(!notified.isEmpty());
    QCOMPARE(notified.first().at(2).toString(), u"labels %1"_s.arg(m_image2));
    qa.driver()->unsubscribeFromNotification(staffChannel);
}

void TestTeamSecurity::qaReadsAllAndAdjudicatesButCannotChangeUsers()
{
    REQUIRE_SERVER();
    const QSqlDatabase db = as(u"qa"_s);
    QVERIFY(db.isOpen());
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM annotations"_s), ownerCount(u"SELECT COUNT(*) FROM annotations"_s));
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM annotation_diagnoses"_s),
             ownerCount(u"SELECT COUNT(*) FROM annotation_diagnoses"_s));
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM masks"_s), 3);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM images"_s), 3);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM users"_s), 5);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM consensus"_s), 1);
    QVERIFY(count(db, u"SELECT COUNT(*) FROM audit_log"_s) >= 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM reference_labels"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM settings WHERE key = 'secret'"_s), 0);
    // Adjudicates, recomputes consensus, clears stale marks, sets the quorum.
    QCOMPARE(write(db, u"INSERT INTO adjudications (image_id, field, value, reason, user_id, decided_at) VALUES (%1, 'gradable', '1', 'clear', %2, 't')"_s
                           .arg(m_image1).arg(m_qa)),
             1);
    QCOMPARE(write(db, u"UPDATE consensus SET status = 'adjudicated' WHERE image_id = %1"_s.arg(m_image1)), 1);
    QVERIFY(write(db, u"DELETE FROM consensus_stale"_s) >= 0);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM consensus_stale"_s), 0);
    QCOMPARE(write(db, u"INSERT INTO settings (key, value) VALUES ('consensus_quorum', '2') ON CONFLICT (key) DO UPDATE SET value = excluded.value"_s), 1);
    // Does not write raters' labels, users, assignments, the audit log's past.
    QVERIFY(write(db, u"UPDATE annotations SET note = 'qa'"_s) <= 0);
    QCOMPARE(write(db, u"SELECT dl_set_user('%1', 'admin', true)"_s.arg(user(u"qa"_s))), -1);
    QCOMPARE(write(db, u"SELECT dl_add_user('intruder_%1', '', 'qa', 'pw', true, 't')"_s.arg(m_suffix)), -1);
    QCOMPARE(write(db, u"UPDATE users SET active = 0"_s), -1);
    QCOMPARE(write(db, u"INSERT INTO assignments (image_id, user_id, assigned_at, updated_at) VALUES (%1, %2, 't', 't')"_s
                           .arg(m_image3).arg(m_ann1)),
             -1);
    QVERIFY(write(db, u"DELETE FROM audit_log"_s) <= 0);
    QVERIFY(write(db, u"UPDATE audit_log SET detail = ''"_s) <= 0);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM audit_log WHERE detail = 'eczema'"_s), 1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM annotations WHERE note = 'qa'"_s), 0);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM pg_roles WHERE rolname = 'intruder_%1'"_s.arg(m_suffix)), 0);
}

void TestTeamSecurity::adminManagesUsersKeepingOneAdmin()
{
    REQUIRE_SERVER();
    const QSqlDatabase db = as(u"adm"_s);
    QVERIFY(db.isOpen());
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM settings WHERE key = 'secret'"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM image_files"_s), 1);
    QCOMPARE(count(db, u"SELECT COUNT(*) FROM annotations"_s), 3);
    QCOMPARE(write(db, u"INSERT INTO assignments (image_id, user_id, assigned_at, updated_at) VALUES (%1, %2, 't', 't')"_s
                           .arg(m_image3).arg(m_ann1)),
             1);
    // A new rater, through the function: a login role that can connect.
    const QString fresh = user(u"fresh"_s);
    m_roles.append(fresh);
    QSqlQuery add(db);
    add.prepare(u"SELECT dl_add_user(?, 'Fresh', 'annotator', ?, true, 't')"_s);
    add.addBindValue(fresh);
    add.addBindValue(password);
    QVERIFY2(add.exec(), qPrintable(add.lastError().text()));
    QVERIFY(as(u"fresh"_s).isOpen());
    QCOMPARE(count(as(u"fresh"_s), u"SELECT COUNT(*) FROM users"_s), 1);
    // Promoted to QA: reads every label at once.
    QCOMPARE(write(db, u"SELECT dl_set_user('%1', 'qa', true)"_s.arg(fresh)), 1);
    QCOMPARE(count(as(u"fresh"_s), u"SELECT COUNT(*) FROM annotations"_s), 3);
    QCOMPARE(write(db, u"SELECT dl_set_user('%1', 'annotator', true)"_s.arg(fresh)), 1);
    QCOMPARE(count(as(u"fresh"_s), u"SELECT COUNT(*) FROM annotations"_s), 0);
    // The last active administrator cannot be demoted or disabled.
    QCOMPARE(write(db, u"SELECT dl_set_user('%1', 'qa', true)"_s.arg(user(u"adm"_s))), -1);
    QCOMPARE(write(db, u"SELECT dl_set_user('%1', 'admin', false)"_s.arg(user(u"adm"_s))), -1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1"_s), 1);
    // A password reset through the function.
    QCOMPARE(write(db, u"SELECT dl_set_password('%1', 'another one')"_s.arg(fresh)), 1);
    PostgresServer::Failure failure = PostgresServer::Failure::None;
    QString error;
    connectAs(fresh, u"another one"_s, &failure, &error);
    QCOMPARE(failure, PostgresServer::Failure::None);
    // Even an admin cannot rewrite the audit log, or change users by hand.
    QVERIFY(write(db, u"DELETE FROM audit_log"_s) <= 0);
    QVERIFY(write(db, u"UPDATE audit_log SET detail = ''"_s) <= 0);
    QCOMPARE(write(db, u"UPDATE users SET role = 'admin'"_s), -1);
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM audit_log WHERE detail = 'eczema'"_s), 1);
}

void TestTeamSecurity::disabledUserCannotConnect()
{
    REQUIRE_SERVER();
    PostgresServer::Failure failure = PostgresServer::Failure::None;
    QString error;
    connectAs(user(u"gone"_s), password, &failure, &error);
    QCOMPARE(failure, PostgresServer::Failure::NotAllowed);
    // Disabling an active rater takes their connection right away.
    const QString admin = u"SELECT dl_set_user('%1', 'annotator', false)"_s.arg(user(u"ann2"_s));
    QCOMPARE(write(as(u"adm"_s), admin), 1);
    connectAs(user(u"ann2"_s), password, &failure, &error);
    QCOMPARE(failure, PostgresServer::Failure::NotAllowed);
    QCOMPARE(write(as(u"adm"_s), u"SELECT dl_set_user('%1', 'annotator', true)"_s.arg(user(u"ann2"_s))), 1);
    connectAs(user(u"ann2"_s), password, &failure, &error);
    QCOMPARE(failure, PostgresServer::Failure::None);
}

void TestTeamSecurity::wrongPasswordIsRefused()
{
    REQUIRE_SERVER();
    PostgresServer::Failure failure = PostgresServer::Failure::None;
    QString error;
    connectAs(user(u"ann1"_s), u"not the password"_s, &failure, &error);
    QCOMPARE(failure, PostgresServer::Failure::WrongPassword);
    QVERIFY(!error.contains(u"not the password"_s));
}

void TestTeamSecurity::raterCannotInstallTheRules()
{
    REQUIRE_SERVER();
    QString error;
    const QSqlDatabase db = as(u"adm"_s);
    QVERIFY(!TeamSecurity::canInstall(db, &error));
    QVERIFY(!TeamSecurity::install(db, &error));
    QVERIFY(!error.isEmpty());
    // A rater never migrates: a secured store older than the program is refused with the command to run.
    QVERIFY(!TeamSecurity::checkBeforeMigration(db, 1, 3, &error));
    QVERIFY2(error.contains(u"dermlabel-cli init --store"_s), qPrintable(error));
    QVERIFY(TeamSecurity::checkBeforeMigration(db, 3, 3, &error));
}

// The same users, images, assignments and labels on a local store and on a
// team store; on the team store each rater signs in with their own server
// login and the QA lead's session recomputes the marked images.
struct Seeded
{
    QList<User> raters;
    User admin, qa;
    QList<qint64> images;
};

static Seeded seed(Store &store, const QString &suffix, QString *error)
{
    Seeded s;
    UserRepository users(store.db());
    auto add = [&](const QString &base, Role role) {
        const qint64 id = users.add(base + suffix, {}, role, password, error, 1);
        return users.findById(id, error).value_or(User {});
    };
    s.admin = add(u"c.admin"_s, Role::Admin);
    s.qa = add(u"c.qa"_s, Role::Qa);
    for (int r = 0; r < 3; ++r)
        s.raters.append(add(u"c.rater%1"_s.arg(r), Role::Annotator));
    ImageRepository repository(store.db());
    for (int i = 0; i < 2; ++i) {
        ImageRecord record;
        record.publicId = u"img-%1"_s.arg(i);
        record.sha256 = u"%1"_s.arg(i, 64, 16, QLatin1Char('0'));
        record.format = u"jpeg"_s;
        record.width = record.height = 100;
        record.byteSize = 1000;
        s.images.append(repository.insert(record, error));
    }
    AssignmentService(store, s.admin).assign({}, 3, error);
    return s;
}

static Annotation labels(qint64 image, const User &rater, const QString &condition, const QString &fitzpatrick)
{
    Annotation a;
    a.imageId = image;
    a.userId = rater.id;
    a.gradable = true;
    a.visibleCondition = u"yes"_s;
    a.sensitive = false;
    a.diagnoses = {{condition, 4}};
    a.fitzpatrick = fitzpatrick;
    a.monk = u"5"_s;
    return a;
}

// Who labels what: image 0 by all three raters, image 1 by two (the third is still to come).
static const struct
{
    int image;
    int rater;
    const char16_t *condition;
    const char16_t *fitzpatrick;
} plan[] = {{0, 0, u"psoriasis", u"3"}, {0, 1, u"eczema", u"3"}, {0, 2, u"psoriasis", u"4"},
            {1, 0, u"acne", u"2"},       {1, 1, u"acne", u"2"}};

static QStringList consensusText(Store &store, const User &qa, const QList<qint64> &images)
{
    QString error;
    ConsensusService service(store, qa);
    QStringList lines;
    for (const ConsensusRow &row : service.rows(std::nullopt, &error).value_or(QList<ConsensusRow> {}))
        lines.append(u"%1 %2=%3 %4 %5/%6"_s.arg(row.imageName, row.consensus.field, row.consensus.value)
                         .arg(int(row.consensus.status))
                         .arg(row.consensus.votes)
                         .arg(row.consensus.ratings));
    for (int i = 0; i < images.size(); ++i) {
        for (const WeightedCondition &c : service.differential(images.at(i), &error).value_or(QList<WeightedCondition> {}))
            lines.append(u"img-%1 dx %2 %3 %4"_s.arg(i).arg(c.conditionId).arg(c.weight, 0, 'f', 6).arg(c.raters));
    }
    if (!error.isEmpty())
        lines.append(u"error: "_s + error);
    lines.sort();
    return lines;
}

void TestTeamSecurity::teamSessionsMatchLocalConsensus()
{
    REQUIRE_SERVER();
    QString error;
    // The local store: consensus follows each save.
    QTemporaryDir dir;
    auto local = Store::open(dir.filePath(u"l.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(local, qPrintable(error));
    const Seeded l = seed(*local, {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const auto &p : plan) {
        Annotation a = labels(l.images.at(p.image), l.raters.at(p.rater), QString::fromUtf16(p.condition),
                              QString::fromUtf16(p.fitzpatrick));
        QVERIFY2(AnnotationService(*local, l.raters.at(p.rater)).save(a, &error), qPrintable(error));
    }
    QCOMPARE(count(local->db(), u"SELECT COUNT(*) FROM consensus_stale"_s), 0);
    const QStringList expected = consensusText(*local, l.qa, l.images);
    QVERIFY(expected.size() > 10);

    // The team store: users are server logins (made through dl_add_user by UserRepository).
    const StoreLocation location = m_pg.location(u"core"_s);
    auto owner = Store::open(location, Store::OpenMode::CreateNew, &error);
    QVERIFY2(owner, qPrintable(error));
    QVERIFY2(TeamSecurity::install(owner->db(), &error), qPrintable(error));
    const QString suffix = u"_"_s + m_suffix;
    for (const QString &base : {u"c.admin"_s, u"c.qa"_s, u"c.rater0"_s, u"c.rater1"_s, u"c.rater2"_s})
        m_roles.append(base + suffix);
    for (const QString &kind : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s})
        m_roles.append(TeamSecurity::groupName(owner->db(), kind, &error));
    const Seeded t = seed(*owner, suffix, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(ownerCount(u"SELECT COUNT(*) FROM pg_roles WHERE rolname LIKE 'c.rater%%%1'"_s.arg(suffix)), 3);
    QVERIFY(Sql::exec(owner->db(), u"DELETE FROM consensus_stale"_s, {}, &error));

    // A wrong password: refused with the one message that does not tell what was wrong.
    {
        auto session = Store::open(location, Store::OpenMode::MustExist, &error);
        QVERIFY2(session, qPrintable(error));
        QVERIFY(!SessionService(*session).signIn(t.raters.at(0).name, u"wrong password"_s, &error));
        QCOMPARE(error, u"The user name or password is wrong, or the account is disabled."_s);
        QVERIFY(!SessionService(*session).signIn(u"nobody"_s + suffix, password, &error));
        QCOMPARE(error, u"The user name or password is wrong, or the account is disabled."_s);
    }
    // Each rater saves as themselves: the consensus is left to QA, the images are marked.
    for (const auto &p : plan) {
        auto session = Store::open(location, Store::OpenMode::MustExist, &error);
        QVERIFY2(session, qPrintable(error));
        const auto rater = SessionService(*session).signIn(t.raters.at(p.rater).name, password, &error);
        QVERIFY2(rater, qPrintable(error));
        QCOMPARE(rater->id, t.raters.at(p.rater).id);
        QCOMPARE(session->location().user(), t.raters.at(p.rater).name);
        QCOMPARE(count(session->db(), u"SELECT current_user = session_user AND session_user = '%1'"_s.arg(rater->name)), 1);
        QVERIFY(StaleConsensus::isDeferred(*session));
        Annotation a = labels(t.images.at(p.image), *rater, QString::fromUtf16(p.condition),
                              QString::fromUtf16(p.fitzpatrick));
        QVERIFY2(AnnotationService(*session, *rater).save(a, &error), qPrintable(error));
        // Blinded: their own label only.
        QCOMPARE(count(session->db(), u"SELECT COUNT(*) FROM annotations"_s),
                 int(std::count_if(std::begin(plan), std::end(plan), [&](const auto &q) { return q.rater == p.rater && q.image <= p.image; })));
    }
    QCOMPARE(count(owner->db(), u"SELECT COUNT(*) FROM consensus_stale"_s), 2);
    QCOMPARE(count(owner->db(), u"SELECT COUNT(*) FROM consensus"_s), 0);

    // The QA lead's session recomputes the marked images, with the same result as locally.
    auto qaSession = Store::open(location, Store::OpenMode::MustExist, &error);
    QVERIFY2(qaSession, qPrintable(error));
    const auto qa = SessionService(*qaSession).signIn(t.qa.name, password, &error);
    QVERIFY2(qa, qPrintable(error));
    QVERIFY(!StaleConsensus::isDeferred(*qaSession));
    QCOMPARE(StaleConsensus::recompute(*qaSession, &error).value_or(-1), 2);
    QCOMPARE(count(owner->db(), u"SELECT COUNT(*) FROM consensus_stale"_s), 0);
    QCOMPARE(consensusText(*qaSession, *qa, t.images), expected);
    QCOMPARE(StaleConsensus::recompute(*qaSession, &error).value_or(-1), 0);

    // A rater's own URL opens the store without the owner's rights (no secret to read, no DDL).
    {
        auto session = Store::open(location.withCredentials(t.raters.at(0).name, password),
                                   Store::OpenMode::MustExist, &error);
        QVERIFY2(session, qPrintable(error));
        QCOMPARE(session->schemaVersion(), SchemaMigrator::latestVersion());
        QVERIFY2(SessionService(*session).signIn(t.raters.at(0).name, password, &error), qPrintable(error));
    }

    // The admin screen's changes go through the server's functions: disabling takes the login's access.
    auto adminSession = Store::open(location, Store::OpenMode::MustExist, &error);
    QVERIFY2(adminSession, qPrintable(error));
    const auto admin = SessionService(*adminSession).signIn(t.admin.name, password, &error);
    QVERIFY2(admin, qPrintable(error));
    QVERIFY2(UserRepository(adminSession->db()).setActive(t.raters.at(2).id, false, &error), qPrintable(error));
    {
        auto session = Store::open(location, Store::OpenMode::MustExist, &error);
        QVERIFY2(session, qPrintable(error));
        QVERIFY(!SessionService(*session).signIn(t.raters.at(2).name, password, &error));
        QCOMPARE(error, u"The user name or password is wrong, or the account is disabled."_s);
    }
    QVERIFY2(UserRepository(adminSession->db()).setPassword(t.raters.at(1).id, u"new password"_s, &error), qPrintable(error));
    {
        auto session = Store::open(location, Store::OpenMode::MustExist, &error);
        QVERIFY2(session, qPrintable(error));
        QVERIFY2(SessionService(*session).signIn(t.raters.at(1).name, u"new password"_s, &error), qPrintable(error));
    }
}

QTEST_GUILESS_MAIN(TestTeamSecurity)
#include "tst_teamsecurity.moc"
