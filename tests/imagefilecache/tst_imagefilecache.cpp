// SPDX-License-Identifier: GPL-3.0-or-later
// A team store's images live in the server; each workstation keeps a bounded
// cache of their files (ImageFileCache). A second workstation, with its own
// empty cache, shows through the labelling path (ImageCache with the store's
// file source) what the first imported; the cache stays within its bound
// without removing a file being read; a damaged cached file is fetched again.
#include "PostgresTestServer.h"

#include "imaging/ImageCache.h"
#include "import/ImportService.h"
#include "session/ImageService.h"
#include "store/ImageBlobRepository.h"
#include "store/ImageFileCache.h"
#include "store/ImageRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreInspector.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestImageFileCache : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void sqliteStoreUsesItsImageFolder();
    void secondWorkstationShowsImportedImages();
    void failedUploadStoresNothingOfTheImage();
    void evictionKeepsTheBoundAndReadFiles();
    void damagedCachedFileIsFetchedAgain();
    void checkLooksForTheServersFiles();

private:
    /// Opens the team store as a workstation whose cache folder is below root.
    std::unique_ptr<Store> workstation(const QString &name, const QString &root);
    /// A folder of noisy JPEG photos to import.
    QString photoFolder(const QString &name, int count);
    /// A random file stored in the server as an image row of format "bin"; returns its record.
    ImageRecord storedFile(Store &store, int index, qint64 size);

    QTemporaryDir m_dir;
    PostgresTestServer m_pg {u"imagefilecache"_s};
    StoreLocation m_location;
    QByteArray m_cacheHome;
};

#define REQUIRE_SERVER()                                                                                              \
    do {                                                                                                              \
        if (PostgresTestServer::disabled())                                                                           \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QVERIFY2(m_location.isValid(), "the team store was not set up");                                              \
    } while (false)

void TestImageFileCache::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_cacheHome = qgetenv("XDG_CACHE_HOME");
    if (PostgresTestServer::disabled())
        return;
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
    m_location = m_pg.location(u"team"_s);
    QString error;
    QVERIFY2(Store::open(m_location, Store::OpenMode::CreateNew, &error), qPrintable(error));
}

void TestImageFileCache::cleanupTestCase()
{
    m_pg.dropAll();
}

void TestImageFileCache::cleanup()
{
    ImageFileCache::setBudgetBytes(ImageFileCache::DefaultBudgetBytes);
    if (m_cacheHome.isNull())
        qunsetenv("XDG_CACHE_HOME");
    else
        qputenv("XDG_CACHE_HOME", m_cacheHome);
}

std::unique_ptr<Store> TestImageFileCache::workstation(const QString &name, const QString &root)
{
    // Each workstation has its own cache folder (QStandardPaths reads XDG_CACHE_HOME when the
    // store opens).
    qputenv("XDG_CACHE_HOME", QFile::encodeName(m_dir.filePath(root)));
    QString error;
    auto store = Store::open(m_location, Store::OpenMode::MustExist, &error);
    if (!store) {
        qWarning("%s: %s", qPrintable(name), qPrintable(error));
    } else if (!store->imageDirectory().startsWith(m_dir.filePath(root))) {
        qWarning("%s: the cache folder %s is not below %s", qPrintable(name), qPrintable(store->imageDirectory()),
                 qPrintable(root));
        store.reset();
    }
    return store;
}

QString TestImageFileCache::photoFolder(const QString &name, int count)
{
    const QString folder = m_dir.filePath(name);
    QDir().mkpath(folder);
    QRandomGenerator generator(qHash(name));
    for (int i = 0; i < count; ++i) {
        QImage image(640, 480, QImage::Format_RGB32);
        for (int y = 0; y < image.height(); ++y) {
            auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
            for (int x = 0; x < image.width(); ++x)
                line[x] = qRgb(generator.bounded(256), generator.bounded(256), generator.bounded(256));
        }
        if (!image.save(u"%1/photo-%2.jpg"_s.arg(folder).arg(i), "JPEG", 95))
            return {};
    }
    return folder;
}

ImageRecord TestImageFileCache::storedFile(Store &store, int index, qint64 size)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator generator {quint32(1000 + index)};
    for (qint64 i = 0; i < size; ++i)
        data[i] = char(generator.bounded(256));
    const QString path = m_dir.filePath(u"upload-%1.bin"_s.arg(index));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != size)
        return {};
    file.close();
    ImageRecord record;
    record.sha256 = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
    record.format = u"png"_s;
    QString error;
    if (!ImageBlobRepository(store).put(record.sha256, path, &error)) {
        qWarning("%s", qPrintable(error));
        return {};
    }
    return record;
}

void TestImageFileCache::sqliteStoreUsesItsImageFolder()
{
    QString error;
    auto store = Store::open(m_dir.filePath(u"local.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(store, qPrintable(error));
    ImageRecord image;
    image.sha256 = QString(64, u'a');
    image.format = u"jpeg"_s;
    ImageFileCache cache(*store);
    QVERIFY(!cache.isCache());
    const QString path = cache.localFile(image, &error);
    QCOMPARE(path, store->imageFilePath(image.sha256, u"jpg"_s));
    QVERIFY(path.startsWith(m_dir.filePath(u"local.dermlabel.images/"_s)));
    QVERIFY(error.isEmpty());
}

void TestImageFileCache::secondWorkstationShowsImportedImages()
{
    REQUIRE_SERVER();
    const QString folder = photoFolder(u"photos"_s, 3);
    QVERIFY(!folder.isEmpty());
    QString error;
    {
        auto first = workstation(u"first"_s, u"first-cache"_s);
        QVERIFY(first);
        QVERIFY(first->lockForWriting(&error));
        ImportOptions options;
        options.faceCheck = false;
        options.batchSize = 2;
        const ImportReport report = ImportService(*first).importPath(ImportKind::Folder, folder, options);
        QVERIFY2(!report.failed(), qPrintable(report.error));
        QCOMPARE(report.imported, 3);
        // Every new image's file went up with its rows.
        QCOMPARE(ImageBlobRepository(*first).hashes(&error).size(), 3);
    }

    auto second = workstation(u"second"_s, u"second-cache"_s);
    QVERIFY(second);
    QVERIFY(!QDir(second->imageDirectory()).exists() || QDir(second->imageDirectory()).isEmpty(QDir::Files));
    const QList<qint64> ids = ImageRepository(*second).ids(&error);
    QCOMPARE(ids.size(), 3);
    ImageService images(*second);

    // The labelling screen's path: ImageCache decodes on worker threads, where the store's file
    // source downloads the file first; the next images are prefetched the same way.
    ImageCache cache;
    cache.setFileSource([store = second.get()](const QString &, const QString &path, QString *e) {
        return ImageService(*store).localFileAt(path, e);
    });
    QSignalSpy ready(&cache, &ImageCache::ready);
    QSignalSpy failed(&cache, &ImageCache::failed);
    const QString firstPath = images.filePath(ids.at(0), &error);
    QVERIFY(!QFileInfo::exists(firstPath));
    QVERIFY(cache.request(u"0"_s, firstPath).isNull());
    cache.prefetch({{u"1"_s, images.filePath(ids.at(1), &error)}, {u"2"_s, images.filePath(ids.at(2), &error)}});
    while (ready.size() + failed.size() < 3)
        QVERIFY(ready.wait(30000));
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
    for (const QString &key : {u"0"_s, u"1"_s, u"2"_s}) {
        const QImage image = cache.cached(key);
        QCOMPARE(image.size(), QSize(640, 480));
    }
    // The files are now in the second workstation's own cache, whole.
    for (qint64 id : ids) {
        const auto record = images.find(id, &error);
        QVERIFY(record);
        const QString path = images.filePath(*record);
        QVERIFY(path.startsWith(second->imageDirectory()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex()),
                 record->sha256);
    }
    QVERIFY(ImageCache::waitForDecoders(30000));
}

void TestImageFileCache::failedUploadStoresNothingOfTheImage()
{
    REQUIRE_SERVER();
    // The upload reads the workstation's copy of the file: when it is not the image (a damaged
    // copy), the batch stores nothing of it.
    const QString folder = photoFolder(u"photos-bad"_s, 1);
    QString error;
    auto ws = workstation(u"bad"_s, u"bad-cache"_s);
    QVERIFY(ws);
    QVERIFY(ws->lockForWriting(&error));
    ImageRepository images(*ws);
    const qint64 before = images.count(&error);
    // Make the copy the import will write read-only and wrong: the import's atomic write then
    // keeps the existing (wrong) copy only if the size matches, so give it the same size.
    QFile photo(folder + u"/photo-0.jpg"_s);
    QVERIFY(photo.open(QIODevice::ReadOnly));
    const QByteArray data = photo.readAll();
    photo.close();
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
    const QString copy = ws->imageFilePath(sha, u"jpg"_s);
    QVERIFY(QDir().mkpath(QFileInfo(copy).absolutePath()));
    QFile wrong(copy);
    QVERIFY(wrong.open(QIODevice::WriteOnly));
    wrong.write(QByteArray(data.size(), 'z'));
    wrong.close();

    ImportOptions options;
    options.faceCheck = false;
    const ImportReport report = ImportService(*ws).importPath(ImportKind::Folder, folder, options);
    QVERIFY(report.failed());
    QVERIFY2(report.error.contains(u"SHA-256"_s), qPrintable(report.error));
    QCOMPARE(images.count(&error), before);
    QVERIFY(!images.findIdBySha(sha, &error));
    QVERIFY(!ImageBlobRepository(*ws).contains(sha, &error));
}

void TestImageFileCache::evictionKeepsTheBoundAndReadFiles()
{
    REQUIRE_SERVER();
    auto ws = workstation(u"bounded"_s, u"bounded-cache"_s);
    QVERIFY(ws);
    constexpr qint64 size = 200 * 1000;
    constexpr int files = 12;
    QList<ImageRecord> records;
    for (int i = 0; i < files; ++i) {
        records.append(storedFile(*ws, i, size));
        QVERIFY(!records.last().sha256.isEmpty());
    }
    // Room for five files: one held open (pinned) while reading, and the last ones handed out.
    constexpr qint64 budget = 5 * size;
    static_assert(ImageFileCache::RecentlyUsedKept + 1 <= budget / size);
    ImageFileCache::setBudgetBytes(budget);
    ImageFileCache cache(*ws);
    QString error;
    const QString first = cache.localFile(records.first(), &error);
    QVERIFY2(!first.isEmpty(), qPrintable(error));
    const ImageFileCache::Pin pin(first);
    QFile reading(first);
    QVERIFY(reading.open(QIODevice::ReadOnly));
    const QByteArray head = reading.read(1000);
    for (int i = 1; i < files; ++i) {
        const QString path = cache.localFile(records.at(i), &error);
        QVERIFY2(!path.isEmpty(), qPrintable(error));
        QVERIFY(QFileInfo::exists(path));
        QVERIFY2(cache.bytesUsed() <= budget, qPrintable(u"%1 > %2"_s.arg(cache.bytesUsed()).arg(budget)));
        QVERIFY(QFileInfo::exists(first));
    }
    // The pinned file was never removed, and reads on to its end.
    QCOMPARE(head.size(), 1000);
    QCOMPARE(reading.readAll().size(), size - 1000);
    // The least recently used went first: the oldest unpinned files are gone, the newest stay.
    QVERIFY(!QFileInfo::exists(ws->imageFilePath(records.at(1).sha256, u"png"_s)));
    QVERIFY(QFileInfo::exists(ws->imageFilePath(records.last().sha256, u"png"_s)));

    // Using a file again makes it the most recent: it outlives files fetched before it.
    const QString again = cache.localFile(records.at(files - 4), &error);
    QVERIFY(!again.isEmpty());
    for (int i = 1; i <= 3; ++i) {
        QVERIFY(!cache.localFile(records.at(i), &error).isEmpty());
        QVERIFY(cache.bytesUsed() <= budget);
    }
    QVERIFY(QFileInfo::exists(again));
    QVERIFY(!QFileInfo::exists(ws->imageFilePath(records.at(files - 3).sha256, u"png"_s)));

    // A smaller bound applies at once.
    ImageFileCache::setBudgetBytes(2 * size);
    cache.evictToBudget();
    QVERIFY(cache.bytesUsed() <= 5 * size); // the pinned file and the recent ones stay
    QVERIFY(QFileInfo::exists(first));
}

void TestImageFileCache::damagedCachedFileIsFetchedAgain()
{
    REQUIRE_SERVER();
    auto ws = workstation(u"damaged"_s, u"damaged-cache"_s);
    QVERIFY(ws);
    const ImageRecord record = storedFile(*ws, 100, 3 * 1024 * 1024 + 5);
    QVERIFY(!record.sha256.isEmpty());
    ImageFileCache cache(*ws);
    QString error;
    const QString path = cache.localFile(record, &error);
    QVERIFY2(!path.isEmpty(), qPrintable(error));
    const QByteArray good = [&] {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    // Damage it in place: same size, other bytes, another modification time.
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(1024 * 1024 + 17);
        f.write("damaged");
        // Written out before the time is set: a later flush would stamp the file "now" again.
        QVERIFY(f.flush());
        QVERIFY(f.setFileTime(QDateTime(QDate(2001, 1, 1), QTime(0, 0), Qt::UTC), QFileDevice::FileModificationTime));
    }
    QCOMPARE(QFileInfo(path).size(), good.size());
    const QString again = cache.localFile(record, &error);
    QCOMPARE(again, path);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll() == good);

    // A file removed behind the cache's back comes back too.
    QVERIFY(QFile::remove(path));
    QCOMPARE(cache.localFile(record, &error), path);
    QVERIFY(QFileInfo::exists(path));
}

void TestImageFileCache::checkLooksForTheServersFiles()
{
    REQUIRE_SERVER();
    auto ws = workstation(u"check"_s, u"check-cache"_s);
    QVERIFY(ws);
    QString error;
    const StoreCheck before = StoreInspector(*ws).check(true, &error);
    QVERIFY2(before.missingImageFiles.isEmpty(), qPrintable(before.missingImageFiles.join(u", "_s)));
    QVERIFY2(before.corruptImageFiles.isEmpty(), qPrintable(before.corruptImageFiles.join(u", "_s)));
    // The workstation's cache is only a cache: a stray file in it is no problem of the store.
    QVERIFY(before.orphanFiles.isEmpty());
    QVERIFY(QDir().mkpath(ws->imageDirectory() + u"/zz"_s));
    QFile stray(ws->imageDirectory() + u"/zz/"_s + QString(64, u'f') + u".jpg"_s);
    QVERIFY(stray.open(QIODevice::WriteOnly));
    stray.write("stray");
    stray.close();
    const QList<qint64> ids = ImageRepository(*ws).ids(&error);
    QVERIFY(!ids.isEmpty());
    const auto image = ImageRepository(*ws).find(ids.first(), &error);
    QVERIFY(image);
    // Not the local cache: an empty cache is fine, a file missing in the server is not.
    QVERIFY(!QFileInfo::exists(ws->imageFilePath(image->sha256, u"jpg"_s)));
    QVERIFY(Sql::exec(ws->db(), u"DELETE FROM image_blobs WHERE sha256 = ? AND chunk = 0"_s, {image->sha256}, &error));
    const StoreCheck after = StoreInspector(*ws).check(false, &error);
    QVERIFY(!after.ok());
    QCOMPARE(after.missingImageFiles, QStringList {image->publicId});
    QVERIFY(after.orphanFiles.isEmpty());
}

QTEST_GUILESS_MAIN(TestImageFileCache)
#include "tst_imagefilecache.moc"
