// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/StoreInspector.h"

#include <QJsonObject>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>

namespace dl {

class Store;

/// What a backup made.
struct BackupReport
{
    QString path;           ///< the copy's store file
    qint64 images = 0;      ///< image files in the copy's image folder
    qint64 linkedImages = 0; ///< of them, hard links to the original's (same file system)
    qint64 imageBytes = 0;
    StoreCheck check;       ///< the copy checked, every image's checksum read again, its audit chain verified
                            ///< (check.auditChain.head: the audit head to keep with the backup)
    QJsonObject toJson() const;
};

/// A consistent copy of a local (SQLite) store while others keep writing to it: the database is
/// copied by SQLite itself in one read transaction (VACUUM INTO), so it is the store as it was at
/// one moment, never half of a save; then the image files that copy names are copied beside it
/// (hard-linked when on the same file system: they never change, being named by their content).
/// Finally the copy is checked, every image's checksum included. The target must not exist; on
/// any failure nothing is left behind.
class StoreBackup
{
public:
    explicit StoreBackup(Store &store) : m_store(store) { }

    /// progress(done, total) after each image file; cancel stops between files.
    std::optional<BackupReport> run(const QString &targetPath, const std::function<void(qint64, qint64)> &progress,
                                    const std::atomic_bool *cancel, QString *error);

private:
    Store &m_store;
};

} // namespace dl
