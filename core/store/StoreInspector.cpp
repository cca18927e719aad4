// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/StoreInspector.h"

#include "imaging/ImageFormat.h"
#include "store/ImageBlobRepository.h"
#include "store/SourceRepository.h"
#include "store/Sql.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;

namespace dl {

QJsonObject StoreStats::toJson() const
{
    return {{u"images"_s, images},       {u"cases"_s, cases},
            {u"users"_s, users},         {u"reference_labels"_s, referenceLabels},
            {u"annotations"_s, annotations}, {u"masks"_s, masks},
            {u"sources"_s, sources},     {u"image_bytes"_s, imageBytes}};
}

bool StoreCheck::ok() const
{
    return integrityProblems.isEmpty() && foreignKeyViolations.isEmpty() && missingImageFiles.isEmpty()
        && corruptImageFiles.isEmpty() && auditChain.ok() && (writerActive || (interruptedImports == 0 && orphanFiles.isEmpty()));
}

QJsonObject StoreRepairReport::toJson() const
{
    return {{u"ok"_s, ok()},
            {u"closed_imports"_s, closedImports},
            {u"removed_files"_s, QJsonArray::fromStringList(removedFiles)},
            {u"failures"_s, QJsonArray::fromStringList(failures)}};
}

QJsonObject StoreCheck::toJson() const
{
    return {{u"ok"_s, ok()},
            {u"integrity"_s, integrityProblems.isEmpty() ? u"ok"_s : integrityProblems.join(u"; "_s)},
            {u"foreign_key_violations"_s, QJsonArray::fromStringList(foreignKeyViolations)},
            {u"missing_image_files"_s, QJsonArray::fromStringList(missingImageFiles)},
            {u"corrupt_image_files"_s, QJsonArray::fromStringList(corruptImageFiles)},
            {u"orphan_files"_s, QJsonArray::fromStringList(orphanFiles)},
            {u"images_without_source"_s, imagesWithoutSource},
            {u"cases_without_images"_s, casesWithoutImages},
            {u"interrupted_imports"_s, interruptedImports},
            {u"writer_active"_s, writerActive},
            {u"audit_chain"_s, auditChain.toJson()}};
}

static qint64 count(const QSqlDatabase &db, const QString &sql, QString *error)
{
    return Sql::scalar(db, sql, {}, error).value_or(0).toLongLong();
}

StoreStats StoreInspector::stats(QString *error) const
{
    const QSqlDatabase db = m_store.db();
    StoreStats s;
    s.images = count(db, u"SELECT COUNT(*) FROM images"_s, error);
    s.cases = count(db, u"SELECT COUNT(*) FROM cases"_s, error);
    s.users = count(db, u"SELECT COUNT(*) FROM users"_s, error);
    s.referenceLabels = count(db, u"SELECT COUNT(*) FROM reference_labels"_s, error);
    s.annotations = count(db, u"SELECT COUNT(*) FROM annotations"_s, error);
    s.masks = count(db, u"SELECT COUNT(*) FROM masks"_s, error);
    s.sources = count(db, u"SELECT COUNT(*) FROM sources"_s, error);
    s.imageBytes = count(db, u"SELECT COALESCE(SUM(byte_size), 0) FROM images"_s, error);
    return s;
}

StoreCheck StoreInspector::check(bool verifyHashes, QString *error) const
{
    const QSqlDatabase db = m_store.db();
    StoreCheck c;
    c.integrityProblems = m_store.dialect().integrityProblems(db, error);
    c.foreignKeyViolations = m_store.dialect().foreignKeyViolations(db, error);
    c.imagesWithoutSource = count(
        db, u"SELECT COUNT(*) FROM images i WHERE NOT EXISTS (SELECT 1 FROM image_files f WHERE f.image_id = i.id)"_s,
        error);
    c.casesWithoutImages = count(
        db, u"SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_images ci WHERE ci.case_id = c.id)"_s,
        error);
    c.interruptedImports = count(db, u"SELECT COUNT(*) FROM import_runs WHERE status = 'running'"_s,
                                 error);
    if (const auto chain = AuditLog::verify(db, error))
        c.auditChain = *chain;

    if (m_store.location().isPostgres()) {
        checkServerFiles(c, verifyHashes, error);
        return c;
    }
    QSet<QString> known;
    QSqlQuery query(db);
    if (Sql::exec(query, u"SELECT public_id, sha256, format FROM images ORDER BY id"_s, {}, error)) {
        while (query.next()) {
            const QString sha = query.value(1).toString();
            const QString format = query.value(2).toString();
            const QString path = m_store.imageFilePath(sha, formatExtension(formatFromName(format)));
            known.insert(QFileInfo(path).absoluteFilePath());
            if (!QFileInfo::exists(path)) {
                c.missingImageFiles.append(query.value(0).toString());
                continue;
            }
            if (verifyHashes) {
                QFile file(path);
                QCryptographicHash hash(QCryptographicHash::Sha256);
                if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file)
                    || QString::fromLatin1(hash.result().toHex()) != sha)
                    c.corruptImageFiles.append(query.value(0).toString());
            }
        }
    }
    QDirIterator it(m_store.imageDirectory(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = QFileInfo(it.next()).absoluteFilePath();
        if (!known.contains(path))
            c.orphanFiles.append(path);
    }
    c.orphanFiles.sort();
    return c;
}

std::optional<StoreRepairReport> StoreInspector::repair(const StoreCheck &check, QString *error) const
{
    StoreRepairReport report;
    if (check.writerActive) {
        *error = QCoreApplication::translate("dl::StoreInspector",
                                             "The store is being written by another program: close it first.");
        return std::nullopt;
    }
    const QSqlDatabase db = m_store.db();
    // Interrupted imports: each stored image was its own transaction, so it is complete; the run is
    // closed as interrupted, and running the same import again adds what it had not reached.
    SourceRepository sources(db);
    QSet<qint64> sourceIds;
    QString readError;
    for (const ImportRunRecord &run : sources.unfinishedRuns(-1, &readError))
        sourceIds.insert(run.sourceId);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    for (qint64 sourceId : std::as_const(sourceIds)) {
        const qint64 closed = sources.markInterrupted(sourceId, error);
        if (closed < 0)
            return std::nullopt;
        report.closedImports += closed;
    }
    // Orphan files: only inside the image folder, and only while still no image row names them.
    const QString folder = QFileInfo(m_store.imageDirectory()).absoluteFilePath() + u'/';
    for (const QString &path : check.orphanFiles) {
        const QFileInfo info(path);
        const QString absolute = info.absoluteFilePath();
        if (!absolute.startsWith(folder)) {
            report.failures.append(QCoreApplication::translate("dl::StoreInspector", "%1: not in the image folder")
                                       .arg(QDir::toNativeSeparators(absolute)));
            continue;
        }
        const QString sha = info.completeBaseName();
        const auto used = Sql::scalar(db, u"SELECT COUNT(*) FROM images WHERE sha256 = ?"_s, {sha}, error);
        if (!used)
            return std::nullopt;
        if (used->toLongLong() > 0 && m_store.imageFilePath(sha, info.suffix()) == absolute)
            continue;
        QFile file(absolute);
        if (file.remove())
            report.removedFiles.append(absolute);
        else if (file.exists())
            report.failures.append(u"%1: %2"_s.arg(QDir::toNativeSeparators(absolute), file.errorString()));
    }
    return report;
}

void StoreInspector::checkServerFiles(StoreCheck &c, bool verifyHashes, QString *error) const
{
    // A team store keeps its files in the server (image_blobs): every image
    // must have all of its chunks there, whatever this workstation's cache holds.
    const QSqlDatabase db = m_store.db();
    QList<QPair<QString, QString>> stored; // public id, sha256
    Sql::forEachRow(
        db,
        u"SELECT i.public_id, i.sha256, b.sha256 IS NOT NULL AND b.n = b.chunks AND b.chunks = b.chunks_max "
        "AND b.first = 0 AND b.last = b.chunks - 1 AND b.bytes = b.size "
        "FROM images i LEFT JOIN (SELECT sha256, COUNT(*) AS n, MIN(chunk_count) AS chunks, "
        "MAX(chunk_count) AS chunks_max, MIN(chunk) AS first, MAX(chunk) AS last, SUM(length(data)) AS bytes, "
        "MIN(total_size) AS size FROM image_blobs GROUP BY sha256) b ON b.sha256 = i.sha256 ORDER BY i.id"_s,
        {}, error, [&](const QSqlQuery &q) {
            if (q.value(2).toInt() == 1)
                stored.append({q.value(0).toString(), q.value(1).toString()});
            else
                c.missingImageFiles.append(q.value(0).toString());
        });
    // The workstation's cache folder is only a cache: its files are not checked, nor listed as
    // orphans (nothing in it needs repairing).
    if (!verifyHashes || stored.isEmpty())
        return;
    // Each file is downloaded (and its SHA-256 checked) into a temporary folder.
    QTemporaryDir scratch;
    ImageBlobRepository blobs(const_cast<Store &>(m_store)); // fetch() changes nothing
    for (const auto &[publicId, sha] : std::as_const(stored)) {
        QString fetchError;
        const QString target = scratch.filePath(sha);
        if (!scratch.isValid() || !blobs.fetch(sha, target, &fetchError))
            c.corruptImageFiles.append(publicId);
        QFile::remove(target);
    }
}

} // namespace dl
