// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Image.h"

#include <QString>

namespace dl {

class Store;

/// The local image files of a store, the one way to an image's file.
///
/// An SQLite store keeps its files beside it (`<store>.images`): localFile()
/// is simply that file. A team store keeps them in the server
/// (ImageBlobRepository); each workstation caches them in its image folder
/// (Store::imageDirectory()), which this class keeps within a size bound
/// (budgetBytes(), default 2 GiB) by removing the least recently used files.
/// localFile() downloads a missing file, and also one whose content no longer
/// matches its SHA-256 (checked once per process for each version of the
/// file), then marks the file as used (its modification time, shared by
/// every process of the workstation).
///
/// Safe from several threads and processes at once: a download appears by an
/// atomic rename, a file is downloaded once at a time per process, and
/// eviction never removes a file pinned by this process (Pin), nor the
/// files this process handed out most recently (RecentlyUsedKept of them, so
/// that a file is not removed between localFile() and its opening); a file
/// already opened stays readable when another process removes it.
class ImageFileCache
{
public:
    /// The default bound of a workstation's cache of a team store.
    static constexpr qint64 DefaultBudgetBytes = 2LL * 1024 * 1024 * 1024;
    /// How many of the files handed out last are never evicted (the labelling screen's two
    /// decoders and its preview reader open theirs right away).
    static constexpr int RecentlyUsedKept = 4;

    explicit ImageFileCache(Store &store) : m_store(store) { }

    /// The path of the image's file on this workstation, downloading it from
    /// the server when a team store's cache lacks it; empty with *error on
    /// failure.
    QString localFile(const ImageRecord &image, QString *error);
    /// The same for a path made by Store::imageFilePath() (the file name is
    /// the hash and the format's extension), for code that holds paths.
    QString localFile(const QString &storePath, QString *error);

    /// Whether localFile() downloads into a bounded cache (a team store).
    bool isCache() const;
    /// The bytes of the image files in the cache folder now.
    qint64 bytesUsed() const;
    /// Removes least recently used files until the folder holds at most the
    /// budget (pinned and recently handed out files stay).
    void evictToBudget();

    /// The bound of every team store's cache in this process.
    static qint64 budgetBytes();
    /// Sets it (the Preferences); applies at the next download or evictToBudget().
    static void setBudgetBytes(qint64 bytes);

    /// While a Pin of a path exists, this process's eviction leaves the file.
    class Pin
    {
    public:
        explicit Pin(const QString &path);
        ~Pin();
        Pin(const Pin &) = delete;
        Pin &operator=(const Pin &) = delete;

    private:
        QString m_path;
    };

private:
    QString download(const QString &sha256, const QString &path, QString *error);

    Store &m_store;
};

} // namespace dl
