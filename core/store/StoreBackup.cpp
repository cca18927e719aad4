// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/StoreBackup.h"

#include "imaging/ImageFormat.h"
#include "store/Sql.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QScopeGuard>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace dl {

QJsonObject BackupReport::toJson() const
{
    return {{u"ok"_s, true},
            {u"backup"_s, path},
            {u"images"_s, images},
            {u"linked_images"_s, linkedImages},
            {u"image_bytes"_s, imageBytes},
            {u"audit_head"_s, check.auditChain.head.toJson()},
            {u"check"_s, check.toJson()}};
}

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::StoreBackup", text);
}

std::optional<BackupReport> StoreBackup::run(const QString &targetPath,
                                             const std::function<void(qint64, qint64)> &progress,
                                             const std::atomic_bool *cancel, QString *error)
{
    if (!m_store.location().isSqlite()) {
        *error = tr("A team store is backed up with 'dermlabel-cli migrate --from URL --to copy.dermlabel'.");
        return std::nullopt;
    }
    const QString target = QFileInfo(targetPath).absoluteFilePath();
    const QString targetImages = target + u".images"_s;
    if (QFileInfo::exists(target) || QFileInfo::exists(targetImages)) {
        *error = tr("%1 exists already: a backup never overwrites anything.").arg(QDir::toNativeSeparators(target));
        return std::nullopt;
    }
    if (QFileInfo(target) == QFileInfo(m_store.location().filePath())) {
        *error = tr("The backup cannot be the store itself.");
        return std::nullopt;
    }
    if (!QDir().mkpath(QFileInfo(target).absolutePath())) {
        *error = tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(QFileInfo(target).absolutePath()));
        return std::nullopt;
    }
    bool done = false;
    auto cleanUp = qScopeGuard([&] {
        if (done)
            return;
        QFile::remove(target);
        QDir(targetImages).removeRecursively();
    });

    // The database at one moment, written by SQLite in a single read transaction.
    if (!Sql::exec(m_store.db(), u"VACUUM INTO ?"_s, {target}, error))
        return std::nullopt;

    // The image files the copy names.
    BackupReport report;
    report.path = target;
    QList<QPair<QString, QString>> files; // sha256, extension
    {
        const QString name = u"dermlabel-backup-%1"_s.arg(quintptr(this));
        {
            QSqlDatabase copy = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            copy.setDatabaseName(target);
            copy.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
            if (!copy.open()) {
                *error = tr("Cannot read the backup %1: %2").arg(QDir::toNativeSeparators(target), copy.lastError().text());
                QSqlDatabase::removeDatabase(name);
                return std::nullopt;
            }
            QSqlQuery query(copy);
            if (!Sql::exec(query, u"SELECT sha256, format FROM images ORDER BY id"_s, {}, error)) {
                copy.close();
                QSqlDatabase::removeDatabase(name);
                return std::nullopt;
            }
            while (query.next())
                files.append({query.value(0).toString(), formatExtension(formatFromName(query.value(1).toString()))});
            query.finish();
            copy.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
    const QString sourceImages = m_store.imageDirectory();
    for (qsizetype i = 0; i < files.size(); ++i) {
        if (cancel && cancel->load()) {
            *error = tr("The backup was cancelled; nothing was kept.");
            return std::nullopt;
        }
        const QString from = Store::imageFilePath(sourceImages, files[i].first, files[i].second);
        const QString to = Store::imageFilePath(targetImages, files[i].first, files[i].second);
        if (!QDir().mkpath(QFileInfo(to).absolutePath())) {
            *error = tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(QFileInfo(to).absolutePath()));
            return std::nullopt;
        }
        // Image files never change (they are named by their content): a hard link is a copy.
        if (::link(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) == 0) {
            ++report.linkedImages;
        } else if (!QFile::copy(from, to)) {
            *error = tr("Cannot copy the image file %1 to the backup.").arg(QDir::toNativeSeparators(from));
            return std::nullopt;
        }
        ++report.images;
        report.imageBytes += QFileInfo(to).size();
        if (progress)
            progress(i + 1, files.size());
    }

    // The copy, checked as `check --verify-hashes` would.
    auto copy = Store::open(target, Store::OpenMode::MustExist, error);
    if (!copy)
        return std::nullopt;
    report.check = StoreInspector(*copy).check(true, error);
    if (!error->isEmpty())
        return std::nullopt;
    // An import running while the copy was taken shows there as interrupted: that is no damage.
    // A broken audit chain is copied as found (the copy is evidence too) and reported by check.
    const StoreCheck &c = report.check;
    if (!c.integrityProblems.isEmpty() || !c.foreignKeyViolations.isEmpty() || !c.missingImageFiles.isEmpty()
        || !c.corruptImageFiles.isEmpty() || !c.orphanFiles.isEmpty()) {
        *error = tr("The backup does not pass its check; nothing was kept.");
        return std::nullopt;
    }
    done = true;
    return report;
}

} // namespace dl
