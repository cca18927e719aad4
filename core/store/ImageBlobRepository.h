// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace dl {

class Store;

/// The image files kept in the store itself (table image_blobs): a team store's
/// home of its images, content-addressed by SHA-256 and split into chunks of
/// ChunkSize bytes, so that no workstation needs a shared file system. Every
/// chunk row carries the file's chunk count and size, so a missing or
/// truncated chunk is noticed. On a team store the server decides who reads
/// what: staff every file, an annotator the files of images assigned to them;
/// only administrators upload. (An SQLite store keeps its files beside it and
/// leaves the table empty, though the class works there too.)
///
/// Each call uses the calling thread's connection of the store.
class ImageBlobRepository
{
public:
    /// The size of a chunk (1 MiB): a 12 MP JPEG is a handful of rows.
    static constexpr qint64 ChunkSize = 1024 * 1024;

    explicit ImageBlobRepository(Store &store);

    /// Whether the file with this hash is stored whole (every chunk present,
    /// with the recorded size) and readable by the signed-in user.
    bool contains(const QString &sha256, QString *error) const;
    /// Uploads the file at filePath under sha256 in a transaction (a
    /// savepoint of the caller's when one is open on this thread), after
    /// checking that its SHA-256 is sha256. Nothing is written when the file
    /// is already stored whole; a partial or damaged copy is replaced. On any
    /// failure nothing of the file stays stored.
    bool put(const QString &sha256, const QString &filePath, QString *error);
    /// Downloads the file to targetPath (its folder is created), atomically:
    /// the file appears whole and with the right SHA-256, or not at all (an
    /// existing file at targetPath is then left as it was).
    bool fetch(const QString &sha256, const QString &targetPath, QString *error) const;
    /// Every hash with a stored file (at least its first chunk), in order.
    QStringList hashes(QString *error) const;

private:
    Store &m_store;
};

} // namespace dl
