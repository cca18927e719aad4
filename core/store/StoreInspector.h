// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/AuditLog.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace dl {

class Store;

struct StoreStats
{
    qint64 images = 0;
    qint64 cases = 0;
    qint64 users = 0;
    qint64 referenceLabels = 0;
    qint64 annotations = 0;
    qint64 masks = 0;
    qint64 sources = 0;
    qint64 imageBytes = 0;
    QJsonObject toJson() const;
};

struct StoreCheck
{
    QStringList integrityProblems;
    QStringList foreignKeyViolations;
    QStringList missingImageFiles;     ///< image rows whose file is not in the image folder
    QStringList corruptImageFiles;     ///< files whose content hash is not their name
    QStringList orphanFiles;           ///< files in the image folder no image row names
    qint64 imagesWithoutSource = 0;    ///< images with no recorded source file
    qint64 casesWithoutImages = 0;
    qint64 interruptedImports = 0;
    /// Another process holds the store's writer lock (a workstation or an import): an import
    /// that is still running and the files it is copying are not counted as problems then.
    bool writerActive = false;
    /// The audit log's hash chain verified whole (the first broken entry named). Never repaired.
    AuditChainCheck auditChain;
    /// False on any problem, a broken audit chain, interrupted imports and orphan files included (the
    /// last two unless writerActive).
    bool ok() const;
    /// Whether check --repair can fix what was found (interrupted imports, orphan files).
    bool repairable() const { return !writerActive && (interruptedImports > 0 || !orphanFiles.isEmpty()); }
    QJsonObject toJson() const;
};

/// What check --repair did.
struct StoreRepairReport
{
    qint64 closedImports = 0;  ///< interrupted imports marked as such (their stored images stay)
    QStringList removedFiles;  ///< orphan files deleted
    QStringList failures;      ///< files that could not be deleted, with the reason
    bool ok() const { return failures.isEmpty(); }
    QJsonObject toJson() const;
};

/// Counts and consistency checks over a store, for `dermlabel-cli stats` and `check`.
class StoreInspector
{
public:
    explicit StoreInspector(const Store &store) : m_store(store) { }

    StoreStats stats(QString *error) const;
    /// verifyHashes re-reads every image file and compares its SHA-256. On a
    /// team store the files are those in the server: every image must have
    /// its whole file there (missingImageFiles), and verifyHashes downloads
    /// each one; the workstation's cache folder is not checked.
    StoreCheck check(bool verifyHashes, QString *error) const;
    /// Closes the interrupted imports that check found (each image an import stored is
    /// complete, being one transaction; running the import again adds the rest) and deletes the
    /// orphan files it listed. The caller holds the store's writer lock, so no import can be
    /// running; a file that an image row names by now is kept.
    std::optional<StoreRepairReport> repair(const StoreCheck &check, QString *error) const;

private:
    void checkServerFiles(StoreCheck &check, bool verifyHashes, QString *error) const;

    const Store &m_store;
};

} // namespace dl
