// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/ImageFileCache.h"

#include "imaging/ImageFormat.h"
#include "store/ImageBlobRepository.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QRegularExpression>

#include <algorithm>
#include <atomic>
#include <memory>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::ImageFileCache", text);
}

namespace {

/// What the caches of this process share, whatever Store object they serve.
struct Shared
{
    QMutex mutex;
    QHash<QString, int> pins;
    QStringList recent; ///< the files handed out last, the most recent at the end
    /// Files whose content matched their hash, with the size and modification time then.
    QHash<QString, QPair<qint64, qint64>> verified;
    /// One lock per file: a file is downloaded once at a time in this process.
    QHash<QString, std::weak_ptr<QMutex>> fileLocks;
    QMutex evicting;
};

Shared &shared()
{
    static Shared s;
    return s;
}

std::atomic<qint64> s_budget {ImageFileCache::DefaultBudgetBytes};

std::shared_ptr<QMutex> fileLock(const QString &path)
{
    Shared &s = shared();
    QMutexLocker locker(&s.mutex);
    std::shared_ptr<QMutex> lock = s.fileLocks.value(path).lock();
    if (!lock) {
        lock = std::make_shared<QMutex>();
        s.fileLocks.insert(path, lock);
    }
    return lock;
}

/// An image file of the cache: `<sha256>.<extension>` (QSaveFile's temporary
/// files and anything else are not).
bool isCacheFile(const QString &name)
{
    static const QRegularExpression pattern(u"^[0-9a-f]{64}\\.[a-z0-9]+$"_s);
    return pattern.match(name).hasMatch();
}

struct CachedFile
{
    QString path;
    qint64 size = 0;
    qint64 used = 0;
};

QList<CachedFile> scan(const QString &directory)
{
    QList<CachedFile> files;
    QDirIterator it(directory, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        if (isCacheFile(info.fileName()))
            files.append({info.filePath(), info.size(), info.lastModified().toMSecsSinceEpoch()});
    }
    return files;
}

qint64 modifiedMs(const QFileInfo &info)
{
    return info.lastModified().toMSecsSinceEpoch();
}

/// Whether the file holds the content named by sha256 (hashing it only when
/// it changed since it last matched in this process).
bool matchesHash(const QString &path, const QString &sha256)
{
    QFileInfo info(path);
    if (!info.exists())
        return false;
    const QPair<qint64, qint64> stamp {info.size(), modifiedMs(info)};
    Shared &s = shared();
    {
        QMutexLocker locker(&s.mutex);
        if (s.verified.value(path) == stamp)
            return true;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return false;
    if (QString::fromLatin1(hash.result().toHex()) != sha256)
        return false;
    QMutexLocker locker(&s.mutex);
    s.verified.insert(path, stamp);
    return true;
}

/// Marks the file as just used (least recently used files are evicted first),
/// keeping this process's knowledge that it matches its hash.
void markUsed(const QString &path)
{
    Shared &s = shared();
    QFileInfo before(path);
    const QPair<qint64, qint64> oldStamp {before.size(), modifiedMs(before)};
    // Strictly increasing within the process, so that the order of use is kept at the
    // timestamps' millisecond resolution.
    static std::atomic<qint64> lastUse {0};
    qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 previous = lastUse.load();
    while (!lastUse.compare_exchange_weak(previous, std::max(now, previous + 1))) { }
    now = std::max(now, previous + 1);
    QFile file(path);
    if (file.open(QIODevice::ReadOnly))
        file.setFileTime(QDateTime::fromMSecsSinceEpoch(now, Qt::UTC), QFileDevice::FileModificationTime);
    file.close();
    QFileInfo after(path);
    QMutexLocker locker(&s.mutex);
    if (s.verified.value(path) == oldStamp)
        s.verified.insert(path, {after.size(), modifiedMs(after)});
    s.recent.removeAll(path);
    s.recent.append(path);
    while (s.recent.size() > ImageFileCache::RecentlyUsedKept)
        s.recent.removeFirst();
}

} // namespace

ImageFileCache::Pin::Pin(const QString &path)
    : m_path(path)
{
    QMutexLocker locker(&shared().mutex);
    ++shared().pins[m_path];
}

ImageFileCache::Pin::~Pin()
{
    QMutexLocker locker(&shared().mutex);
    const auto it = shared().pins.find(m_path);
    if (it != shared().pins.end() && --it.value() <= 0)
        shared().pins.erase(it);
}

qint64 ImageFileCache::budgetBytes()
{
    return s_budget.load();
}

void ImageFileCache::setBudgetBytes(qint64 bytes)
{
    s_budget.store(std::max<qint64>(0, bytes));
}

bool ImageFileCache::isCache() const
{
    return m_store.location().isPostgres();
}

QString ImageFileCache::localFile(const ImageRecord &image, QString *error)
{
    return localFile(m_store.imageFilePath(image.sha256, formatExtension(formatFromName(image.format))), error);
}

QString ImageFileCache::localFile(const QString &storePath, QString *error)
{
    if (!isCache())
        return storePath;
    const QFileInfo info(storePath);
    if (!isCacheFile(info.fileName())) {
        *error = tr("%1 is not an image file of the store.").arg(QDir::toNativeSeparators(storePath));
        return {};
    }
    const QString sha256 = info.fileName().section(u'.', 0, 0);
    const std::shared_ptr<QMutex> lock = fileLock(storePath);
    QMutexLocker locker(lock.get());
    // Another process may evict the file between the check and its marking:
    // then it is downloaded after all.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (matchesHash(storePath, sha256)) {
            markUsed(storePath);
            if (QFileInfo::exists(storePath))
                return storePath;
            continue;
        }
        return download(sha256, storePath, error);
    }
    return download(sha256, storePath, error);
}

QString ImageFileCache::download(const QString &sha256, const QString &path, QString *error)
{
    // A damaged copy is replaced by the download's atomic rename.
    if (!ImageBlobRepository(m_store).fetch(sha256, path, error))
        return {};
    const QFileInfo info(path);
    {
        QMutexLocker locker(&shared().mutex);
        shared().verified.insert(path, {info.size(), modifiedMs(info)});
    }
    markUsed(path);
    evictToBudget();
    return path;
}

qint64 ImageFileCache::bytesUsed() const
{
    qint64 total = 0;
    for (const CachedFile &file : scan(m_store.imageDirectory()))
        total += file.size;
    return total;
}

void ImageFileCache::evictToBudget()
{
    if (!isCache())
        return;
    Shared &s = shared();
    QMutexLocker evicting(&s.evicting);
    QList<CachedFile> files = scan(m_store.imageDirectory());
    qint64 total = 0;
    for (const CachedFile &file : std::as_const(files))
        total += file.size;
    const qint64 budget = budgetBytes();
    if (total <= budget)
        return;
    std::sort(files.begin(), files.end(), [](const CachedFile &a, const CachedFile &b) {
        return a.used != b.used ? a.used < b.used : a.path < b.path;
    });
    for (const CachedFile &file : std::as_const(files)) {
        if (total <= budget)
            break;
        {
            QMutexLocker locker(&s.mutex);
            if (s.pins.contains(file.path) || s.recent.contains(file.path))
                continue;
            s.verified.remove(file.path);
        }
        if (QFile::remove(file.path) || !QFileInfo::exists(file.path))
            total -= file.size;
    }
}

} // namespace dl
