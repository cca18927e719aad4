// SPDX-License-Identifier: GPL-3.0-or-later
// Image files kept in the store (ImageBlobRepository), on SQLite and on a real
// PostgreSQL server: bit-exact round trips in chunks, idempotent uploads, hash
// checks, damaged copies noticed, and on a team store the server's rule that an
// annotator reads only the files of the images assigned to them.
#include "PostgresTestServer.h"

#include "store/ImageBlobRepository.h"
#include "store/ImageRepository.h"
#include "store/PostgresServer.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"
#include "store/TeamSecurity.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestImageBlobs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void roundTripIsBitExact_data() { engines(); }
    void roundTripIsBitExact();
    void putIsIdempotent_data() { engines(); }
    void putIsIdempotent();
    void wrongHashIsRefused_data() { engines(); }
    void wrongHashIsRefused();
    void putJoinsTheCallersTransaction_data() { engines(); }
    void putJoinsTheCallersTransaction();
    void missingOrTruncatedChunkIsNoticed_data() { engines(); }
    void missingOrTruncatedChunkIsNoticed();

    void annotatorReadsOnlyAssignedFiles();

private:
    void engines();
    /// A new, empty store of the current row's engine.
    std::unique_ptr<Store> newStore();
    /// A file of random bytes; returns its SHA-256 (hex).
    QString writeRandomFile(const QString &path, qint64 size);

    QTemporaryDir m_dir;
    PostgresTestServer m_pg {u"imageblobs"_s};
    int m_stores = 0;
    QStringList m_roles;
};

static QString sha256Of(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

static QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

static qint64 countRows(Store &store, const QString &sha256)
{
    QString error;
    const auto n = Sql::scalar(store.db(), u"SELECT COUNT(*) FROM image_blobs WHERE sha256 = ?"_s, {sha256}, &error);
    return n ? n->toLongLong() : -1;
}

void TestImageBlobs::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    if (!PostgresTestServer::disabled())
        QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
}

void TestImageBlobs::cleanupTestCase()
{
    m_pg.dropAll();
    if (!m_roles.isEmpty() && !PostgresTestServer::disabled()) {
        QStringList drop;
        for (const QString &role : std::as_const(m_roles))
            drop.append(u"DROP ROLE IF EXISTS %1"_s.arg(PostgresServer::quoteIdentifier(role)));
        QString error;
        QVERIFY2(m_pg.admin(drop, &error), qPrintable(error));
    }
}

void TestImageBlobs::engines()
{
    QTest::addColumn<bool>("postgres");
    QTest::newRow("sqlite") << false;
    QTest::newRow("postgres") << true;
}

std::unique_ptr<Store> TestImageBlobs::newStore()
{
    QFETCH(bool, postgres);
    QString error;
    const QString name = u"s%1"_s.arg(++m_stores);
    std::unique_ptr<Store> store;
    if (postgres)
        store = Store::open(m_pg.location(name), Store::OpenMode::CreateNew, &error);
    else
        store = Store::open(m_dir.filePath(name + u".dermlabel"_s), Store::OpenMode::CreateNew, &error);
    if (!store)
        qWarning("%s", qPrintable(error));
    return store;
}

QString TestImageBlobs::writeRandomFile(const QString &path, qint64 size)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator generator {quint32(size)};
    for (qint64 i = 0; i < size; ++i)
        data[i] = char(generator.bounded(256));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != size)
        return {};
    return sha256Of(data);
}

// QSKIP and QVERIFY return from the test function, so they stay in a macro.
#define OPEN_STORE(store)                                                                                             \
    if (qstrcmp(QTest::currentDataTag(), "postgres") == 0 && PostgresTestServer::disabled())                 \
        QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                       \
    auto store = newStore();                                                                                          \
    QVERIFY(store)

void TestImageBlobs::roundTripIsBitExact()
{
    OPEN_STORE(store);
    // Two whole chunks and a partial one.
    const QString source = m_dir.filePath(u"three-chunks.bin"_s);
    const qint64 size = 2 * ImageBlobRepository::ChunkSize + 12345;
    const QString sha = writeRandomFile(source, size);
    QVERIFY(!sha.isEmpty());

    ImageBlobRepository blobs(*store);
    QString error;
    QVERIFY(!blobs.contains(sha, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(blobs.put(sha, source, &error), qPrintable(error));
    QVERIFY2(blobs.contains(sha, &error), qPrintable(error));
    QCOMPARE(countRows(*store, sha), 3);
    QCOMPARE(blobs.hashes(&error), QStringList {sha});

    const QString target = m_dir.filePath(u"fetched/%1/%2.bin"_s.arg(QString::fromLatin1(QTest::currentDataTag()), sha));
    QVERIFY2(blobs.fetch(sha, target, &error), qPrintable(error));
    const QByteArray original = readAll(source);
    QCOMPARE(readAll(target).size(), original.size());
    QVERIFY(readAll(target) == original);

    // A file of exactly one chunk, and an empty one, come back too.
    const QString exact = m_dir.filePath(u"one-chunk.bin"_s);
    const QString exactSha = writeRandomFile(exact, ImageBlobRepository::ChunkSize);
    QVERIFY2(blobs.put(exactSha, exact, &error), qPrintable(error));
    QCOMPARE(countRows(*store, exactSha), 1);
    const QString empty = m_dir.filePath(u"empty.bin"_s);
    const QString emptySha = writeRandomFile(empty, 0);
    QVERIFY2(blobs.put(emptySha, empty, &error), qPrintable(error));
    QVERIFY(blobs.contains(emptySha, &error));
    for (const QString &hash : {exactSha, emptySha}) {
        const QString out = m_dir.filePath(u"fetched/%1/%2.bin"_s.arg(QString::fromLatin1(QTest::currentDataTag()), hash));
        QVERIFY2(blobs.fetch(hash, out, &error), qPrintable(error));
        QCOMPARE(sha256Of(readAll(out)), hash);
    }
    QCOMPARE(blobs.hashes(&error).size(), 3);
}

void TestImageBlobs::putIsIdempotent()
{
    OPEN_STORE(store);
    const QString source = m_dir.filePath(u"idempotent.bin"_s);
    const QString sha = writeRandomFile(source, ImageBlobRepository::ChunkSize + 1);
    ImageBlobRepository blobs(*store);
    QString error;
    QVERIFY2(blobs.put(sha, source, &error), qPrintable(error));
    QVERIFY2(blobs.put(sha, source, &error), qPrintable(error));
    QCOMPARE(countRows(*store, sha), 2);
    // Once stored, a put does not even read the file: it changes nothing.
    QVERIFY2(blobs.put(sha, m_dir.filePath(u"no-such-file.bin"_s), &error), qPrintable(error));
    QCOMPARE(countRows(*store, sha), 2);
    QCOMPARE(blobs.hashes(&error), QStringList {sha});
}

void TestImageBlobs::wrongHashIsRefused()
{
    OPEN_STORE(store);
    const QString source = m_dir.filePath(u"wrong.bin"_s);
    const QString sha = writeRandomFile(source, ImageBlobRepository::ChunkSize + 100);
    QString claimed = sha;
    claimed[0] = claimed[0] == u'0' ? u'1' : u'0';
    ImageBlobRepository blobs(*store);
    QString error;
    QVERIFY(!blobs.put(claimed, source, &error));
    QVERIFY2(error.contains(u"SHA-256"_s), qPrintable(error));
    QCOMPARE(countRows(*store, claimed), 0);
    QVERIFY(!blobs.contains(claimed, &error));
    QVERIFY(blobs.hashes(&error).isEmpty());
    // Nothing to fetch, and no file is left behind.
    const QString target = m_dir.filePath(u"wrong-target.bin"_s);
    error.clear();
    QVERIFY(!blobs.fetch(claimed, target, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!QFile::exists(target));
}

void TestImageBlobs::putJoinsTheCallersTransaction()
{
    OPEN_STORE(store);
    const QString a = m_dir.filePath(u"tx-a.bin"_s);
    const QString b = m_dir.filePath(u"tx-b.bin"_s);
    const QString shaA = writeRandomFile(a, ImageBlobRepository::ChunkSize + 7);
    const QString shaB = writeRandomFile(b, 3 * ImageBlobRepository::ChunkSize);
    ImageBlobRepository blobs(*store);
    QString error;
    {
        // Rolled back with the caller's transaction.
        StoreTransaction transaction(*store);
        QVERIFY(transaction.isActive());
        QVERIFY2(blobs.put(shaA, a, &error), qPrintable(error));
        QVERIFY(blobs.contains(shaA, &error));
    }
    QCOMPARE(countRows(*store, shaA), 0);
    {
        // A failed upload leaves nothing of itself, and the caller's transaction goes on.
        StoreTransaction transaction(*store);
        QVERIFY(transaction.isActive());
        QVERIFY2(blobs.put(shaA, a, &error), qPrintable(error));
        QString wrong = shaB;
        wrong[1] = wrong[1] == u'0' ? u'1' : u'0';
        QVERIFY(!blobs.put(wrong, b, &error));
        QCOMPARE(countRows(*store, wrong), 0);
        QVERIFY2(store->setSetting(u"after_failed_put"_s, u"1"_s, &error), qPrintable(error));
        QVERIFY2(transaction.commit(), qPrintable(transaction.error()));
    }
    QVERIFY(blobs.contains(shaA, &error));
    QCOMPARE(store->setting(u"after_failed_put"_s), u"1"_s);
}

void TestImageBlobs::missingOrTruncatedChunkIsNoticed()
{
    OPEN_STORE(store);
    const QString source = m_dir.filePath(u"damaged.bin"_s);
    const QString sha = writeRandomFile(source, 3 * ImageBlobRepository::ChunkSize - 5);
    ImageBlobRepository blobs(*store);
    QString error;
    QVERIFY2(blobs.put(sha, source, &error), qPrintable(error));
    const QString target = m_dir.filePath(u"damaged-%1.bin"_s.arg(QString::fromLatin1(QTest::currentDataTag())));
    // A file already at the target stays as it was when a download fails.
    {
        QFile old(target);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("previous");
    }

    // The middle chunk missing.
    QVERIFY2(Sql::exec(store->db(), u"DELETE FROM image_blobs WHERE sha256 = ? AND chunk = 1"_s, {sha}, &error),
             qPrintable(error));
    QVERIFY(!blobs.contains(sha, &error));
    QVERIFY(!blobs.fetch(sha, target, &error));
    QVERIFY2(error.contains(u"incomplete"_s), qPrintable(error));
    QCOMPARE(readAll(target), QByteArray("previous"));
    // The last chunk missing: the count recorded in the others tells.
    QVERIFY2(blobs.put(sha, source, &error), qPrintable(error)); // repairs the copy
    QVERIFY(blobs.contains(sha, &error));
    QVERIFY(Sql::exec(store->db(), u"DELETE FROM image_blobs WHERE sha256 = ? AND chunk = 2"_s, {sha}, &error));
    QVERIFY(!blobs.contains(sha, &error));
    error.clear();
    QVERIFY(!blobs.fetch(sha, target, &error));
    QVERIFY2(error.contains(u"incomplete"_s), qPrintable(error));
    QCOMPARE(readAll(target), QByteArray("previous"));

    // A truncated chunk.
    QVERIFY2(blobs.put(sha, source, &error), qPrintable(error));
    QVERIFY(Sql::exec(store->db(), u"UPDATE image_blobs SET data = ? WHERE sha256 = ? AND chunk = 1"_s,
                      {QByteArray(1000, 'x'), sha}, &error));
    QVERIFY(!blobs.contains(sha, &error));
    error.clear();
    QVERIFY(!blobs.fetch(sha, target, &error));
    QVERIFY2(error.contains(u"incomplete"_s), qPrintable(error));
    QCOMPARE(readAll(target), QByteArray("previous"));

    // Flipped bytes of the same length: only the hash tells.
    QVERIFY2(blobs.put(sha, source, &error), qPrintable(error));
    QVERIFY(Sql::exec(store->db(), u"UPDATE image_blobs SET data = ? WHERE sha256 = ? AND chunk = 0"_s,
                      {QByteArray(ImageBlobRepository::ChunkSize, 'y'), sha}, &error));
    error.clear();
    QVERIFY(!blobs.fetch(sha, target, &error));
    QVERIFY2(error.contains(u"damaged"_s), qPrintable(error));
    QCOMPARE(readAll(target), QByteArray("previous"));

    // Repaired, it downloads over the old file.
    QVERIFY(Sql::exec(store->db(), u"DELETE FROM image_blobs WHERE sha256 = ?"_s, {sha}, &error));
    QVERIFY2(blobs.put(sha, source, &error), qPrintable(error));
    QVERIFY2(blobs.fetch(sha, target, &error), qPrintable(error));
    QVERIFY(readAll(target) == readAll(source));
}

void TestImageBlobs::annotatorReadsOnlyAssignedFiles()
{
    if (PostgresTestServer::disabled())
        QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");
    QString error;
    const StoreLocation location = m_pg.location(u"secured"_s);
    auto owner = Store::open(location, Store::OpenMode::CreateNew, &error);
    QVERIFY2(owner, qPrintable(error));
    QVERIFY2(TeamSecurity::install(owner->db(), &error), qPrintable(error));
    for (const QString &kind : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s})
        m_roles.prepend(TeamSecurity::groupName(owner->db(), kind, &error));
    const QString suffix = u"_%1"_s.arg(QCoreApplication::applicationPid());
    const QString password = u"blob password"_s;
    qint64 annotatorId = -1;
    for (const auto &[base, role] : {std::pair {u"b.ann"_s, Role::Annotator}, std::pair {u"b.qa"_s, Role::Qa},
                                     std::pair {u"b.adm"_s, Role::Admin}}) {
        m_roles.prepend(base + suffix);
        const auto id = TeamSecurity::addUser(owner->db(), base + suffix, base, role, password, true, &error);
        QVERIFY2(id, qPrintable(error));
        if (role == Role::Annotator)
            annotatorId = *id;
    }
    auto signedIn = [&](const QString &base) {
        auto session = Store::open(location, Store::OpenMode::MustExist, &error);
        bool refused = false;
        if (!session || !session->connectAs(base + suffix, password, &refused, &error)) {
            qWarning("%s", qPrintable(error));
            return std::unique_ptr<Store>();
        }
        return session;
    };

    // The admin uploads two images; the annotator is assigned the first only.
    auto admin = signedIn(u"b.adm"_s);
    QVERIFY(admin);
    QStringList shas;
    QList<qint64> ids;
    for (int i = 0; i < 2; ++i) {
        const QString path = m_dir.filePath(u"secured-%1.bin"_s.arg(i));
        const QString sha = writeRandomFile(path, ImageBlobRepository::ChunkSize + 1000 + i);
        ImageRecord record;
        record.publicId = u"img-%1"_s.arg(i);
        record.sha256 = sha;
        record.format = u"jpeg"_s;
        record.width = record.height = 10;
        record.byteSize = ImageBlobRepository::ChunkSize + 1000 + i;
        const qint64 id = ImageRepository(*admin).insert(record, &error);
        QVERIFY2(id > 0, qPrintable(error));
        QVERIFY2(ImageBlobRepository(*admin).put(sha, path, &error), qPrintable(error));
        shas.append(sha);
        ids.append(id);
    }
    const QString now = Sql::now();
    QVERIFY2(Sql::exec(admin->db(), u"INSERT INTO assignments (image_id, user_id, assigned_at, updated_at) VALUES (?, ?, ?, ?)"_s,
                       {ids.at(0), annotatorId, now, now}, &error),
             qPrintable(error));

    auto annotator = signedIn(u"b.ann"_s);
    QVERIFY(annotator);
    ImageBlobRepository annotatorBlobs(*annotator);
    QVERIFY2(annotatorBlobs.contains(shas.at(0), &error), qPrintable(error));
    QVERIFY(!annotatorBlobs.contains(shas.at(1), &error));
    QCOMPARE(annotatorBlobs.hashes(&error), QStringList {shas.at(0)});
    const QString mine = m_dir.filePath(u"annotator/mine.bin"_s);
    QVERIFY2(annotatorBlobs.fetch(shas.at(0), mine, &error), qPrintable(error));
    QCOMPARE(sha256Of(readAll(mine)), shas.at(0));
    const QString theirs = m_dir.filePath(u"annotator/theirs.bin"_s);
    error.clear();
    QVERIFY(!annotatorBlobs.fetch(shas.at(1), theirs, &error));
    QVERIFY2(error.contains(u"not assigned to you"_s), qPrintable(error));
    QVERIFY(!QFile::exists(theirs));
    // Plain SQL sees no row of it either, and an annotator uploads or deletes nothing.
    QCOMPARE(countRows(*annotator, shas.at(1)), 0);
    const QString extra = m_dir.filePath(u"secured-extra.bin"_s);
    const QString extraSha = writeRandomFile(extra, 10);
    QVERIFY(!annotatorBlobs.put(extraSha, extra, &error));
    QVERIFY(!Sql::exec(annotator->db(), u"DELETE FROM image_blobs WHERE sha256 = ?"_s, {shas.at(0)}, &error)
            || countRows(*admin, shas.at(0)) == 2);
    QCOMPARE(countRows(*admin, shas.at(0)), 2);
    QCOMPARE(countRows(*admin, extraSha), 0);

    // A QA lead reads every file but uploads none.
    auto qa = signedIn(u"b.qa"_s);
    QVERIFY(qa);
    ImageBlobRepository qaBlobs(*qa);
    QCOMPARE(qaBlobs.hashes(&error).size(), 2);
    QVERIFY2(qaBlobs.fetch(shas.at(1), m_dir.filePath(u"qa/theirs.bin"_s), &error), qPrintable(error));
    QVERIFY(!qaBlobs.put(extraSha, extra, &error));
    QCOMPARE(countRows(*owner, extraSha), 0);
}

QTEST_GUILESS_MAIN(TestImageBlobs)
#include "tst_imageblobs.moc"
