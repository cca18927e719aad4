// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QSet>
#include <QString>

namespace dl {

// Writes an export bundle atomically, as a directory or as one .zip with the same contents.
//
//   BundleWriter w;
//   w.begin(out, BundleWriter::Kind::Zip, false, &error);
//   w.addFile(u"coco.json"_s, json, &error);            // any number, any order
//   w.addFileFromDisk(u"images/img-1.jpg"_s, path, &error);
//   w.finish(extras, &error);                           // manifest.json, then rename into place
//
// Everything is written below a temporary sibling "<out>.partial-<random>" (a directory) and only
// renamed to <out> by finish(), so <out> either does not exist or is a complete bundle. abort(), a
// failed finish() and the destructor without finish() remove everything temporary. An existing
// <out> is refused unless overwrite is given, and even then unless isReplaceable() says it is a
// previous bundle or an empty folder; it is then replaced only when the new bundle is complete (a
// directory is moved aside, the new one renamed into place, the old one removed).
//
// manifest.json holds "format_version", "generator" ("DermLabel <version>", how a previous bundle
// is recognised), the extras given to finish() and "files": one
// {path, size, sha256} per file (lower-case hex SHA-256), sorted by path. The manifest does not list
// itself. It is written indented with sorted keys, so the same content gives the same bytes.
//
// Zip: the archive is built with libzip from the temporary files, entries sorted by path (the
// manifest among them), every entry dated 1980-01-01 00:00 (DOS time) with Unix mode 0644, .jpg,
// .jpeg and .png stored, everything else deflated: the same content gives a byte-identical zip.
//
// addFile() and addFileFromDisk() may be called from several threads at once (each file is
// written and hashed by the calling thread); begin(), finish() and abort() may not overlap them.
class BundleWriter
{
public:
    enum class Kind
    {
        Directory,
        Zip
    };
    static constexpr int FormatVersion = 1;

    struct Entry
    {
        QString path; // relative, '/'-separated
        qint64 size = 0;
        QByteArray sha256; // lower-case hex
    };

    BundleWriter();
    ~BundleWriter(); // aborts when finish() was not called
    BundleWriter(const BundleWriter &) = delete;
    BundleWriter &operator=(const BundleWriter &) = delete;

    // Creates the temporary directory next to outPath (creating outPath's parent if needed).
    // Fails when a bundle is already open or outPath exists and overwrite is false.
    bool begin(const QString &outPath, Kind kind, bool overwrite, QString *error);
    bool addFile(const QString &relativePath, QByteArrayView bytes, QString *error);
    bool addFileFromDisk(const QString &relativePath, const QString &sourcePath, QString *error);
    // Writes manifest.json and moves the bundle into place. The extras may not set "files" or
    // "format_version". On failure everything temporary is removed and outPath is untouched.
    bool finish(const QJsonObject &manifestExtras, QString *error);
    // Removes everything temporary; nothing is left at outPath. Safe to call at any time.
    void abort();

    bool isOpen() const { return m_open; }
    QString outputPath() const { return m_outPath; }
    QString temporaryPath() const { return m_tempDir; } // empty when not open
    // The files added so far, sorted by path.
    QList<Entry> entries() const;

    // True when outPath may be replaced by a bundle: it does not exist, is an empty folder, or is a
    // bundle a BundleWriter wrote (a folder or a zip whose manifest.json names DermLabel as its
    // generator and lists every other file in it). A symbolic link is not replaced. Else false and
    // *error says what is there; nothing is changed either way.
    static bool isReplaceable(const QString &outPath, QString *error);

    // A path inside the bundle: non-empty, '/'-separated, relative, no "." or ".." or empty
    // component, no backslash, colon or control character, not "manifest.json".
    static bool isValidRelativePath(const QString &relativePath, QString *error);

private:
    bool reserve(const QString &relativePath, QString *error);
    void release(const QString &relativePath);
    void record(const Entry &entry);
    bool buildZip(const QString &zipPath, const QList<Entry> &files, QString *error);
    bool moveIntoPlace(const QString &from, QString *error);

    mutable QMutex m_mutex;
    bool m_open = false;
    Kind m_kind = Kind::Directory;
    bool m_overwrite = false;
    QString m_outPath;
    QString m_tempDir;
    QSet<QString> m_reserved; // paths being written or written
    QSet<QString> m_directories; // every parent directory of a reserved path
    QHash<QString, Entry> m_entries;
};

} // namespace dl
