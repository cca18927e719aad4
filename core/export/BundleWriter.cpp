// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/BundleWriter.h"

#include "base/Version.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonParseError>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QRandomGenerator>

#include <fcntl.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::BundleWriter", text);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

const QString ManifestName = u"manifest.json"_s;
constexpr qint64 CopyChunk = 1 << 20;

QString randomSuffix()
{
    return QString::number(QRandomGenerator::global()->generate(), 16).rightJustified(8, u'0');
}

std::filesystem::path fsPath(const QString &path)
{
    return std::filesystem::path(QFile::encodeName(path).toStdString());
}

bool renamePath(const QString &from, const QString &to, QString *message)
{
    std::error_code ec;
    std::filesystem::rename(fsPath(from), fsPath(to), ec);
    if (ec && message)
        *message = QString::fromLocal8Bit(ec.message().c_str());
    return !ec;
}

// A rename that fails when the target exists (an empty directory included), where the system has
// one; elsewhere the caller's check just before must do.
bool renameNoReplace(const QString &from, const QString &to, QString *message)
{
#if defined(__linux__) && defined(RENAME_NOREPLACE)
    const QByteArray a = QFile::encodeName(from), b = QFile::encodeName(to);
    if (::renameat2(AT_FDCWD, a.constData(), AT_FDCWD, b.constData(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno != ENOSYS && errno != EINVAL) {
        if (message)
            *message = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
#endif
    return renamePath(from, to, message);
}

void removePath(const QString &path)
{
    std::error_code ec;
    std::filesystem::remove_all(fsPath(path), ec);
}

bool storedInZip(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == "jpg"_L1 || suffix == "jpeg"_L1 || suffix == "png"_L1;
}

QString zipMessage(zip_t *za)
{
    return QString::fromLocal8Bit(zip_strerror(za));
}


constexpr qint64 MaxManifestSize = 256 * 1024 * 1024;

// The files a manifest written by a BundleWriter lists, or nullopt when the bytes are not such a
// manifest: a JSON object with a "generator" naming DermLabel (or, before that field, "program":
// "DermLabel"), a "format_version" and a "files" list.
std::optional<QSet<QString>> bundleFiles(const QByteArray &bytes)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    const QJsonObject manifest = document.object();
    const bool ours = manifest.value("generator"_L1).toString().startsWith("DermLabel"_L1)
        || manifest.value("program"_L1).toString() == "DermLabel"_L1;
    if (!ours || !manifest.value("format_version"_L1).isDouble() || !manifest.value("files"_L1).isArray())
        return std::nullopt;
    QSet<QString> files;
    for (const QJsonValue &file : manifest.value("files"_L1).toArray())
        files.insert(file.toObject().value("path"_L1).toString());
    return files;
}

bool replaceableDirectory(const QString &path, QString *why)
{
    const QDir dir(path);
    if (dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System).isEmpty())
        return true;
    QFile file(dir.filePath(ManifestName));
    if (!QFileInfo(file.fileName()).isFile() || !file.open(QIODevice::ReadOnly)) {
        *why = tr("the folder is not empty and holds no manifest.json");
        return false;
    }
    if (file.size() > MaxManifestSize) {
        *why = tr("its manifest.json is too large to be a bundle's");
        return false;
    }
    const auto files = bundleFiles(file.readAll());
    if (!files) {
        *why = tr("its manifest.json was not written by DermLabel");
        return false;
    }
    QDirIterator it(path, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
        QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString entry = it.next();
        const QFileInfo info = it.fileInfo();
        if (info.isDir() && !info.isSymLink())
            continue;
        const QString relative = dir.relativeFilePath(entry);
        if (relative != ManifestName && !files->contains(relative)) {
            *why = tr("it holds %1, which its manifest does not list").arg(relative);
            return false;
        }
    }
    return true;
}

bool replaceableZip(const QString &path, QString *why)
{
    int code = 0;
    zip_t *za = zip_open(QFile::encodeName(path).constData(), ZIP_RDONLY, &code);
    if (!za) {
        *why = tr("the file is not a zip archive");
        return false;
    }
    const auto refuse = [&](const QString &message) {
        zip_discard(za);
        *why = message;
        return false;
    };
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat(za, ManifestName.toUtf8().constData(), 0, &stat) < 0 || !(stat.valid & ZIP_STAT_SIZE))
        return refuse(tr("the archive holds no manifest.json"));
    if (stat.size > zip_uint64_t(MaxManifestSize))
        return refuse(tr("its manifest.json is too large to be a bundle's"));
    QByteArray bytes(qsizetype(stat.size), '\0');
    zip_file_t *f = zip_fopen(za, ManifestName.toUtf8().constData(), 0);
    const bool read = f && zip_fread(f, bytes.data(), stat.size) == zip_int64_t(stat.size);
    if (f)
        zip_fclose(f);
    if (!read)
        return refuse(tr("its manifest.json cannot be read"));
    const auto files = bundleFiles(bytes);
    if (!files)
        return refuse(tr("its manifest.json was not written by DermLabel"));
    const zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        const char *name = zip_get_name(za, zip_uint64_t(i), 0);
        const QString entry = name ? QString::fromUtf8(name) : QString();
        if (entry != ManifestName && !entry.endsWith(u'/') && !files->contains(entry))
            return refuse(tr("it holds %1, which its manifest does not list").arg(entry));
    }
    zip_discard(za);
    return true;
}
} // namespace

BundleWriter::BundleWriter() = default;

BundleWriter::~BundleWriter()
{
    abort();
}

bool BundleWriter::isValidRelativePath(const QString &relativePath, QString *error)
{
    const auto fail = [&](const QString &why) {
        setError(error, tr("Invalid path in bundle \"%1\": %2").arg(relativePath, why));
        return false;
    };
    if (relativePath.isEmpty())
        return fail(tr("empty"));
    if (relativePath.startsWith(u'/'))
        return fail(tr("absolute"));
    for (QChar c : relativePath) {
        if (c == u'\\' || c == u':' || c.unicode() < 0x20 || c.unicode() == 0x7F)
            return fail(tr("contains a backslash, colon or control character"));
    }
    const QStringList parts = relativePath.split(u'/');
    for (const QString &part : parts) {
        if (part.isEmpty() || part == "."_L1 || part == ".."_L1)
            return fail(tr("empty, \".\" or \"..\" component"));
    }
    if (relativePath == ManifestName)
        return fail(tr("reserved for the manifest"));
    return true;
}

bool BundleWriter::isReplaceable(const QString &outPath, QString *error)
{
    const QString out = QDir::cleanPath(QFileInfo(outPath).absoluteFilePath());
    const QFileInfo info(out);
    QString why;
    bool ok = true;
    if (info.isSymLink()) {
        why = tr("it is a symbolic link");
        ok = false;
    } else if (!info.exists()) {
        return true;
    } else if (info.isDir()) {
        ok = replaceableDirectory(out, &why);
    } else if (info.isFile()) {
        ok = replaceableZip(out, &why);
    } else {
        why = tr("it is neither a folder nor a file");
        ok = false;
    }
    if (!ok)
        setError(error,
            tr("%1 is not a bundle written by DermLabel (%2). Nothing was replaced or deleted; choose a "
               "new path, an empty folder or a previous bundle.")
                .arg(out, why));
    return ok;
}

bool BundleWriter::begin(const QString &outPath, Kind kind, bool overwrite, QString *error)
{
    if (m_open) {
        setError(error, tr("A bundle is already being written to %1.").arg(m_outPath));
        return false;
    }
    if (outPath.isEmpty()) {
        setError(error, tr("No output path given."));
        return false;
    }
    const QString out = QDir::cleanPath(QFileInfo(outPath).absoluteFilePath());
    const QFileInfo info(out);
    if ((info.exists() || info.isSymLink()) && !overwrite) {
        setError(error, tr("%1 already exists; choose another path or allow overwriting.").arg(out));
        return false;
    }
    if (overwrite && !isReplaceable(out, error))
        return false;
    if (!QDir().mkpath(info.absolutePath())) {
        setError(error, tr("Cannot create the folder %1.").arg(info.absolutePath()));
        return false;
    }
    QString temp;
    for (int attempt = 0; attempt < 16 && temp.isEmpty(); ++attempt) {
        const QString candidate = out + u".partial-"_s + randomSuffix();
        if (QFileInfo::exists(candidate))
            continue;
        if (!QDir().mkdir(candidate)) {
            setError(error, tr("Cannot create the temporary folder %1.").arg(candidate));
            return false;
        }
        temp = candidate;
    }
    if (temp.isEmpty()) {
        setError(error, tr("Cannot find a free temporary name next to %1.").arg(out));
        return false;
    }
    if (kind == Kind::Zip && !QDir().mkdir(temp + u"/content"_s)) {
        removePath(temp);
        setError(error, tr("Cannot create the temporary folder %1.").arg(temp + u"/content"_s));
        return false;
    }
    m_open = true;
    m_kind = kind;
    m_overwrite = overwrite;
    m_outPath = out;
    m_tempDir = temp;
    m_reserved.clear();
    m_directories.clear();
    m_entries.clear();
    return true;
}

bool BundleWriter::reserve(const QString &relativePath, QString *error)
{
    QMutexLocker lock(&m_mutex);
    if (!m_open) {
        setError(error, tr("No bundle is open."));
        return false;
    }
    if (m_reserved.contains(relativePath)) {
        setError(error, tr("%1 was already added to the bundle.").arg(relativePath));
        return false;
    }
    if (m_directories.contains(relativePath)) {
        setError(error, tr("%1 is already a folder in the bundle.").arg(relativePath));
        return false;
    }
    QStringList parents;
    for (qsizetype slash = relativePath.indexOf(u'/'); slash >= 0;
         slash = relativePath.indexOf(u'/', slash + 1)) {
        const QString parent = relativePath.left(slash);
        if (m_reserved.contains(parent)) {
            setError(error, tr("%1 is already a file in the bundle.").arg(parent));
            return false;
        }
        parents.append(parent);
    }
    m_reserved.insert(relativePath);
    for (const QString &parent : std::as_const(parents))
        m_directories.insert(parent);
    return true;
}

void BundleWriter::release(const QString &relativePath)
{
    // Parent directories stay registered: they may be shared, and an empty folder does no harm.
    QMutexLocker lock(&m_mutex);
    m_reserved.remove(relativePath);
}

void BundleWriter::record(const Entry &entry)
{
    QMutexLocker lock(&m_mutex);
    m_entries.insert(entry.path, entry);
}

bool BundleWriter::addFile(const QString &relativePath, QByteArrayView bytes, QString *error)
{
    if (!isValidRelativePath(relativePath, error) || !reserve(relativePath, error))
        return false;
    const QString root = m_kind == Kind::Zip ? m_tempDir + u"/content"_s : m_tempDir;
    const QString target = root + u'/' + relativePath;
    const auto fail = [&](const QString &message) {
        QFile::remove(target);
        release(relativePath);
        setError(error, message);
        return false;
    };
    if (!QDir().mkpath(QFileInfo(target).absolutePath()))
        return fail(tr("Cannot create the folder for %1.").arg(relativePath));
    QFile file(target);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return fail(tr("Cannot write %1: %2").arg(target, file.errorString()));
    if (file.write(bytes.data(), bytes.size()) != bytes.size() || !file.flush())
        return fail(tr("Cannot write %1: %2").arg(target, file.errorString()));
    file.close();
    const QByteArray sha = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
    record({ relativePath, qint64(bytes.size()), sha });
    return true;
}

bool BundleWriter::addFileFromDisk(const QString &relativePath, const QString &sourcePath, QString *error)
{
    if (!isValidRelativePath(relativePath, error))
        return false;
    QFile source(sourcePath);
    if (!source.open(QIODevice::ReadOnly)) {
        setError(error, tr("Cannot read %1: %2").arg(sourcePath, source.errorString()));
        return false;
    }
    if (!reserve(relativePath, error))
        return false;
    const QString root = m_kind == Kind::Zip ? m_tempDir + u"/content"_s : m_tempDir;
    const QString target = root + u'/' + relativePath;
    const auto fail = [&](const QString &message) {
        QFile::remove(target);
        release(relativePath);
        setError(error, message);
        return false;
    };
    if (!QDir().mkpath(QFileInfo(target).absolutePath()))
        return fail(tr("Cannot create the folder for %1.").arg(relativePath));
    QFile file(target);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return fail(tr("Cannot write %1: %2").arg(target, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray buffer(CopyChunk, Qt::Uninitialized);
    qint64 size = 0;
    for (;;) {
        const qint64 n = source.read(buffer.data(), buffer.size());
        if (n < 0)
            return fail(tr("Cannot read %1: %2").arg(sourcePath, source.errorString()));
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
        if (file.write(buffer.constData(), n) != n)
            return fail(tr("Cannot write %1: %2").arg(target, file.errorString()));
        size += n;
    }
    if (!file.flush())
        return fail(tr("Cannot write %1: %2").arg(target, file.errorString()));
    file.close();
    record({ relativePath, size, hash.result().toHex() });
    return true;
}

QList<BundleWriter::Entry> BundleWriter::entries() const
{
    QMutexLocker lock(&m_mutex);
    QList<Entry> list = m_entries.values();
    std::sort(list.begin(), list.end(), [](const Entry &a, const Entry &b) { return a.path < b.path; });
    return list;
}

bool BundleWriter::finish(const QJsonObject &manifestExtras, QString *error)
{
    if (!m_open) {
        setError(error, tr("No bundle is open."));
        return false;
    }
    const auto fail = [&](const QString &message) {
        abort();
        setError(error, message);
        return false;
    };
    if (manifestExtras.contains("files"_L1) || manifestExtras.contains("format_version"_L1)
        || manifestExtras.contains("generator"_L1))
        return fail(tr("The manifest extras may not set \"files\", \"format_version\" or \"generator\"."));
    {
        QMutexLocker lock(&m_mutex);
        if (m_reserved.size() != m_entries.size())
            return fail(tr("Files are still being added to the bundle."));
    }
    const QList<Entry> files = entries();
    QJsonArray list;
    for (const Entry &e : files) {
        list.append(QJsonObject { { u"path"_s, e.path }, { u"size"_s, double(e.size) },
            { u"sha256"_s, QString::fromLatin1(e.sha256) } });
    }
    QJsonObject manifest = manifestExtras;
    manifest.insert(u"format_version"_s, FormatVersion);
    manifest.insert(u"generator"_s, u"DermLabel "_s + programVersion());
    manifest.insert(u"files"_s, list);
    const QByteArray manifestBytes = QJsonDocument(manifest).toJson(QJsonDocument::Indented);

    const QString root = m_kind == Kind::Zip ? m_tempDir + u"/content"_s : m_tempDir;
    QFile file(root + u'/' + ManifestName);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly)
        || file.write(manifestBytes) != manifestBytes.size() || !file.flush())
        return fail(tr("Cannot write %1: %2").arg(file.fileName(), file.errorString()));
    file.close();

    if (m_kind == Kind::Zip) {
        QList<Entry> all = files;
        all.append({ ManifestName, qint64(manifestBytes.size()), {} });
        std::sort(all.begin(), all.end(), [](const Entry &a, const Entry &b) { return a.path < b.path; });
        const QString zipPath = m_tempDir + u"/bundle.zip"_s;
        QString message;
        if (!buildZip(zipPath, all, &message) || !moveIntoPlace(zipPath, &message))
            return fail(message);
        removePath(m_tempDir);
    } else {
        QString message;
        if (!moveIntoPlace(m_tempDir, &message))
            return fail(message);
    }
    m_open = false;
    m_tempDir.clear();
    return true;
}

bool BundleWriter::buildZip(const QString &zipPath, const QList<Entry> &files, QString *error)
{
    int code = 0;
    zip_t *za = zip_open(QFile::encodeName(zipPath).constData(), ZIP_CREATE | ZIP_EXCL, &code);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        setError(error,
            tr("Cannot create the archive %1: %2")
                .arg(zipPath, QString::fromLocal8Bit(zip_error_strerror(&ze))));
        zip_error_fini(&ze);
        return false;
    }
    const auto fail = [&](const QString &what) {
        setError(error, tr("Cannot add %1 to the archive: %2").arg(what, zipMessage(za)));
        zip_discard(za);
        QFile::remove(zipPath);
        return false;
    };
    // 1980-01-01 00:00, the earliest DOS date: fixed so the archive depends on the content alone.
    constexpr zip_uint16_t DosTime = 0;
    constexpr zip_uint16_t DosDate = (0 << 9) | (1 << 5) | 1;
    constexpr zip_uint32_t UnixMode = 0100644u;
    const QString root = m_tempDir + u"/content/"_s;
    for (const Entry &e : files) {
        zip_source_t *source = zip_source_file(za, QFile::encodeName(root + e.path).constData(), 0, -1);
        if (!source)
            return fail(e.path);
        const zip_int64_t index = zip_file_add(za, e.path.toUtf8().constData(), source, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(source);
            return fail(e.path);
        }
        const zip_uint64_t i = zip_uint64_t(index);
        const bool stored = storedInZip(e.path);
        if (zip_set_file_compression(za, i, stored ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0) < 0
            || zip_file_set_dostime(za, i, DosTime, DosDate, 0) < 0
            || zip_file_set_external_attributes(za, i, 0, ZIP_OPSYS_UNIX, UnixMode << 16) < 0)
            return fail(e.path);
    }
    if (zip_close(za) < 0) {
        setError(error, tr("Cannot write the archive %1: %2").arg(zipPath, zipMessage(za)));
        zip_discard(za);
        QFile::remove(zipPath);
        return false;
    }
    return true;
}

bool BundleWriter::moveIntoPlace(const QString &from, QString *error)
{
    const QFileInfo target(m_outPath);
    QString message;
    if (!target.exists() && !target.isSymLink()) {
        if (!renameNoReplace(from, m_outPath, &message)) {
            setError(error, tr("Cannot move the bundle to %1: %2").arg(m_outPath, message));
            return false;
        }
        return true;
    }
    if (!m_overwrite) {
        setError(error, tr("%1 already exists; choose another path or allow overwriting.").arg(m_outPath));
        return false;
    }
    if (!isReplaceable(m_outPath, error)) // again: it may have changed while the bundle was written
        return false;
    // A file replaces a file in one atomic rename; anything else is moved aside first.
    if (target.isFile() && !target.isSymLink() && QFileInfo(from).isFile()) {
        if (!renamePath(from, m_outPath, &message)) {
            setError(error, tr("Cannot replace %1: %2").arg(m_outPath, message));
            return false;
        }
        return true;
    }
    const QString aside = m_outPath + u".old-"_s + randomSuffix();
    if (!renamePath(m_outPath, aside, &message)) {
        setError(error, tr("Cannot move the existing %1 aside: %2").arg(m_outPath, message));
        return false;
    }
    if (!renamePath(from, m_outPath, &message)) {
        QString ignored;
        renamePath(aside, m_outPath, &ignored);
        setError(error, tr("Cannot move the bundle to %1: %2").arg(m_outPath, message));
        return false;
    }
    removePath(aside);
    return true;
}

void BundleWriter::abort()
{
    if (!m_open)
        return;
    if (!m_tempDir.isEmpty())
        removePath(m_tempDir);
    m_open = false;
    m_tempDir.clear();
    QMutexLocker lock(&m_mutex);
    m_reserved.clear();
    m_directories.clear();
    m_entries.clear();
}

} // namespace dl
