// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/ImageBlobRepository.h"

#include "store/Sql.h"
#include "store/Store.h"
#include "store/Transaction.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSqlError>
#include <QSqlQuery>

#include <optional>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::ImageBlobRepository", text);
}

static QString shortHash(const QString &sha256)
{
    return sha256.left(12);
}

static qint64 chunkCountFor(qint64 size)
{
    // An empty file is one empty chunk, so that it is stored at all.
    return size <= 0 ? 1 : (size + ImageBlobRepository::ChunkSize - 1) / ImageBlobRepository::ChunkSize;
}

namespace {

/// The writes of one put(): its own transaction, or a savepoint in the
/// caller's transaction, so that a failed upload leaves nothing behind and
/// the caller's transaction stays usable.
class WriteScope
{
public:
    explicit WriteScope(const QSqlDatabase &db)
        : m_db(db)
    {
        if (Transaction::isOpenOn(m_db)) {
            m_savepoint = true;
            QSqlQuery query(m_db);
            m_active = query.exec(u"SAVEPOINT dl_image_blob"_s);
            if (!m_active)
                m_error = query.lastError().text();
        } else {
            m_transaction.emplace(m_db);
            m_active = m_transaction->isActive();
            m_error = m_transaction->error();
        }
    }
    ~WriteScope()
    {
        if (m_active && m_savepoint && !m_done) {
            QSqlQuery query(m_db);
            query.exec(u"ROLLBACK TO SAVEPOINT dl_image_blob"_s);
            query.exec(u"RELEASE SAVEPOINT dl_image_blob"_s);
        }
    }
    WriteScope(const WriteScope &) = delete;
    WriteScope &operator=(const WriteScope &) = delete;

    bool isActive() const { return m_active; }
    QString error() const { return m_error; }

    bool commit(QString *error)
    {
        if (m_savepoint) {
            QSqlQuery query(m_db);
            if (!query.exec(u"RELEASE SAVEPOINT dl_image_blob"_s)) {
                *error = query.lastError().text();
                return false;
            }
            m_done = true;
            return true;
        }
        if (!m_transaction->commit()) {
            *error = m_transaction->error();
            return false;
        }
        return true;
    }

private:
    QSqlDatabase m_db;
    std::optional<Transaction> m_transaction;
    bool m_savepoint = false;
    bool m_active = false;
    bool m_done = false;
    QString m_error;
};

} // namespace

ImageBlobRepository::ImageBlobRepository(Store &store)
    : m_store(store)
{
}

bool ImageBlobRepository::contains(const QString &sha256, QString *error) const
{
    QSqlQuery query(m_store.db());
    if (!Sql::exec(query,
                   u"SELECT COUNT(*), MIN(chunk), MAX(chunk), MIN(chunk_count), MAX(chunk_count), "
                   "SUM(length(data)), MIN(total_size), MAX(total_size) FROM image_blobs WHERE sha256 = ?"_s,
                   {sha256}, error)
        || !query.next())
        return false;
    const qint64 rows = query.value(0).toLongLong();
    if (rows == 0)
        return false;
    const qint64 expectedChunks = query.value(3).toLongLong();
    // The chunks are unique per hash: as many rows as expected, numbered from
    // 0 to count - 1, are all of them.
    return query.value(4).toLongLong() == expectedChunks && rows == expectedChunks && query.value(1).toLongLong() == 0
        && query.value(2).toLongLong() == expectedChunks - 1 && query.value(6) == query.value(7)
        && query.value(5).toLongLong() == query.value(6).toLongLong();
}

bool ImageBlobRepository::put(const QString &sha256, const QString &filePath, QString *error)
{
    QString checkError;
    if (contains(sha256, &checkError))
        return true;
    if (!checkError.isEmpty()) {
        *error = checkError;
        return false;
    }
    QFile file(filePath);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(filePath), file.errorString());
        return false;
    }
    const qint64 size = file.size();
    const qint64 chunks = chunkCountFor(size);

    const QSqlDatabase db = m_store.db();
    // The queries outlive the scope: a PostgreSQL statement is freed after the rollback, not
    // inside the aborted transaction.
    QSqlQuery remove(db);
    QSqlQuery insert(db);
    WriteScope scope(db);
    if (!scope.isActive()) {
        *error = tr("Cannot upload the image file %1: %2").arg(shortHash(sha256), scope.error());
        return false;
    }
    // A partial or damaged copy (an interrupted upload) is replaced.
    if (!Sql::exec(remove, u"DELETE FROM image_blobs WHERE sha256 = ?"_s, {sha256}, error))
        return false;
    if (!insert.prepare(u"INSERT INTO image_blobs (sha256, chunk, chunk_count, total_size, data) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (sha256, chunk) DO NOTHING"_s)) {
        *error = tr("Cannot upload the image file %1: %2").arg(shortHash(sha256), insert.lastError().text());
        return false;
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    qint64 written = 0;
    for (qint64 chunk = 0; chunk < chunks; ++chunk) {
        QByteArray data = file.read(ChunkSize);
        if (data.isEmpty() && size > 0) {
            *error = tr("Cannot read %1: %2")
                         .arg(QDir::toNativeSeparators(filePath),
                              file.error() != QFile::NoError ? file.errorString() : tr("the file became shorter"));
            return false;
        }
        if (data.isNull())
            data = QByteArray("", 0); // an empty file: an empty chunk, never NULL
        hash.addData(data);
        written += data.size();
        insert.addBindValue(sha256);
        insert.addBindValue(chunk);
        insert.addBindValue(chunks);
        insert.addBindValue(size);
        insert.addBindValue(data);
        if (!insert.exec()) {
            *error = tr("Cannot upload the image file %1: %2").arg(shortHash(sha256), insert.lastError().text());
            return false;
        }
    }
    if (written != size || !file.atEnd()) {
        *error = tr("%1 changed while it was uploaded.").arg(QDir::toNativeSeparators(filePath));
        return false;
    }
    const QString actual = QString::fromLatin1(hash.result().toHex());
    if (actual != sha256) {
        *error = tr("The file %1 is not the image %2 (its SHA-256 is %3): not uploaded.")
                     .arg(QDir::toNativeSeparators(filePath), shortHash(sha256), shortHash(actual));
        return false;
    }
    QString commitError;
    if (!scope.commit(&commitError)) {
        *error = tr("Cannot upload the image file %1: %2").arg(shortHash(sha256), commitError);
        return false;
    }
    return true;
}

bool ImageBlobRepository::fetch(const QString &sha256, const QString &targetPath, QString *error) const
{
    const QSqlDatabase db = m_store.db();
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(u"SELECT data, chunk_count, total_size FROM image_blobs WHERE sha256 = ? AND chunk = ?"_s)) {
        *error = tr("Cannot download the image file %1: %2").arg(shortHash(sha256), query.lastError().text());
        return false;
    }
    auto readChunk = [&](qint64 chunk) -> bool {
        query.addBindValue(sha256);
        query.addBindValue(chunk);
        if (!query.exec()) {
            *error = tr("Cannot download the image file %1: %2").arg(shortHash(sha256), query.lastError().text());
            return false;
        }
        return true;
    };
    if (!readChunk(0))
        return false;
    if (!query.next()) {
        // Tell a file that was never uploaded from an image this user may not see.
        QString countError;
        const auto visible = Sql::scalar(db, u"SELECT COUNT(*) FROM images WHERE sha256 = ?"_s, {sha256}, &countError);
        if (visible && visible->toLongLong() > 0)
            *error = tr("The file of image %1 is missing from the store: it was never uploaded.").arg(shortHash(sha256));
        else
            *error = tr("The image file %1 is not in this store, or you may not read it (the image is not assigned "
                        "to you).")
                         .arg(shortHash(sha256));
        return false;
    }
    const qint64 chunks = query.value(1).toLongLong();
    const qint64 size = query.value(2).toLongLong();

    if (!QDir().mkpath(QFileInfo(targetPath).absolutePath())) {
        *error = tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(QFileInfo(targetPath).absolutePath()));
        return false;
    }
    QSaveFile file(targetPath);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(targetPath), file.errorString());
        return false;
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    qint64 received = 0;
    for (qint64 chunk = 0; chunk < chunks; ++chunk) {
        if (chunk > 0) {
            if (!readChunk(chunk))
                return false;
            if (!query.next()) {
                *error = tr("The file of image %1 in the store is incomplete (part %2 of %3 is missing).")
                             .arg(shortHash(sha256))
                             .arg(chunk + 1)
                             .arg(chunks);
                return false;
            }
        }
        const QByteArray data = query.value(0).toByteArray();
        query.finish();
        hash.addData(data);
        received += data.size();
        if (received > size) {
            *error = tr("The file of image %1 in the store is damaged (longer than recorded).").arg(shortHash(sha256));
            return false;
        }
        if (file.write(data) != data.size()) {
            *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(targetPath), file.errorString());
            return false;
        }
    }
    if (received != size) {
        *error = tr("The file of image %1 in the store is incomplete (%2 of %3 bytes).")
                     .arg(shortHash(sha256))
                     .arg(received)
                     .arg(size);
        return false;
    }
    if (QString::fromLatin1(hash.result().toHex()) != sha256) {
        *error = tr("The file of image %1 in the store is damaged (its SHA-256 does not match).").arg(shortHash(sha256));
        return false;
    }
    if (!file.commit()) {
        *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(targetPath), file.errorString());
        return false;
    }
    return true;
}

QStringList ImageBlobRepository::hashes(QString *error) const
{
    QStringList result;
    QString queryError;
    if (!Sql::forEachRow(m_store.db(), u"SELECT sha256 FROM image_blobs WHERE chunk = 0 ORDER BY sha256"_s, {},
                         &queryError, [&](const QSqlQuery &q) { result.append(q.value(0).toString()); })) {
        *error = queryError;
        return {};
    }
    return result;
}

} // namespace dl
