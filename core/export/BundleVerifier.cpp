// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/BundleVerifier.h"

#include "export/BundleWriter.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <zip.h>

#include <cmath>
#include <functional>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::BundleVerifier", text);
}

const QString ManifestName = u"manifest.json"_s;
constexpr qint64 ReadChunk = 1 << 20;

struct Digest
{
    qint64 size = 0;
    QByteArray sha256; // hex
};

// The contents of a bundle, directory or zip, behind one interface.
class Source
{
public:
    virtual ~Source() = default;
    virtual QStringList files() const = 0; // every regular file, relative
    virtual std::optional<QByteArray> readAll(const QString &relative, QString *error) = 0;
    virtual std::optional<Digest> digest(const QString &relative, QString *error) = 0;
};

class DirectorySource final : public Source
{
public:
    explicit DirectorySource(const QString &root)
        : m_root(root)
    { }

    QStringList files() const override
    {
        QStringList list;
        QDirIterator it(m_root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        const QDir root(m_root);
        while (it.hasNext())
            list.append(root.relativeFilePath(it.next()));
        return list;
    }

    std::optional<QByteArray> readAll(const QString &relative, QString *error) override
    {
        QFile f(m_root + u'/' + relative);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = f.errorString();
            return std::nullopt;
        }
        return f.readAll();
    }

    std::optional<Digest> digest(const QString &relative, QString *error) override
    {
        QFile f(m_root + u'/' + relative);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = f.errorString();
            return std::nullopt;
        }
        QCryptographicHash hash(QCryptographicHash::Sha256);
        if (!hash.addData(&f)) {
            *error = f.errorString();
            return std::nullopt;
        }
        return Digest { f.size(), hash.result().toHex() };
    }

private:
    QString m_root;
};

class ZipSource final : public Source
{
public:
    explicit ZipSource(zip_t *za)
        : m_zip(za)
    {
        const zip_int64_t n = zip_get_num_entries(m_zip, 0);
        for (zip_int64_t i = 0; i < n; ++i) {
            const char *name = zip_get_name(m_zip, zip_uint64_t(i), 0);
            if (!name)
                continue;
            const QString s = QString::fromUtf8(name);
            if (!s.endsWith(u'/'))
                m_files.append(s);
        }
    }
    ~ZipSource() override { zip_discard(m_zip); }

    QStringList files() const override { return m_files; }

    std::optional<QByteArray> readAll(const QString &relative, QString *error) override
    {
        QByteArray out;
        const bool ok = read(relative, error, [&](const char *data, qint64 n) { out.append(data, n); });
        return ok ? std::optional<QByteArray>(out) : std::nullopt;
    }

    std::optional<Digest> digest(const QString &relative, QString *error) override
    {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        qint64 size = 0;
        const bool ok = read(relative, error, [&](const char *data, qint64 n) {
            hash.addData(QByteArrayView(data, n));
            size += n;
        });
        return ok ? std::optional<Digest>(Digest { size, hash.result().toHex() }) : std::nullopt;
    }

private:
    bool read(const QString &relative, QString *error, const std::function<void(const char *, qint64)> &sink)
    {
        zip_file_t *f = zip_fopen(m_zip, relative.toUtf8().constData(), 0);
        if (!f) {
            *error = QString::fromLocal8Bit(zip_strerror(m_zip));
            return false;
        }
        QByteArray buffer(ReadChunk, Qt::Uninitialized);
        for (;;) {
            const zip_int64_t n = zip_fread(f, buffer.data(), zip_uint64_t(buffer.size()));
            if (n < 0) {
                *error = QString::fromLocal8Bit(zip_file_strerror(f));
                zip_fclose(f);
                return false;
            }
            if (n == 0)
                break;
            sink(buffer.constData(), qint64(n));
        }
        zip_fclose(f);
        return true;
    }

    zip_t *m_zip;
    QStringList m_files;
};

} // namespace

BundleVerification BundleVerifier::verify(const QString &path)
{
    BundleVerification result;
    const QFileInfo info(path);
    std::unique_ptr<Source> source;
    if (info.isDir()) {
        source = std::make_unique<DirectorySource>(info.absoluteFilePath());
    } else if (info.isFile()) {
        int code = 0;
        zip_t *za = zip_open(QFile::encodeName(path).constData(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
        if (!za) {
            zip_error_t ze;
            zip_error_init_with_code(&ze, code);
            result.problems.append(tr("%1 is not a readable zip archive: %2")
                                       .arg(path, QString::fromLocal8Bit(zip_error_strerror(&ze))));
            zip_error_fini(&ze);
            return result;
        }
        source = std::make_unique<ZipSource>(za);
    } else {
        result.problems.append(tr("%1 does not exist.").arg(path));
        return result;
    }

    QString error;
    const std::optional<QByteArray> manifestBytes = source->readAll(ManifestName, &error);
    if (!manifestBytes) {
        result.problems.append(tr("manifest.json cannot be read: %1").arg(error));
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*manifestBytes, &parseError);
    if (!doc.isObject()) {
        result.problems.append(tr("manifest.json is not a JSON object: %1").arg(parseError.errorString()));
        return result;
    }
    result.manifest = doc.object();
    const QJsonValue version = result.manifest.value("format_version"_L1);
    if (!version.isDouble() || version.toDouble() != std::floor(version.toDouble()) || version.toInt() < 1
        || version.toInt() > BundleWriter::FormatVersion) {
        result.problems.append(tr("manifest.json has an unknown format_version (this program reads "
                                  "1 to %1).")
                                   .arg(BundleWriter::FormatVersion));
        return result;
    }
    const QJsonValue filesValue = result.manifest.value("files"_L1);
    if (!filesValue.isArray()) {
        result.problems.append(tr("manifest.json has no \"files\" list."));
        return result;
    }

    const QStringList present = source->files();
    const QSet<QString> presentSet(present.begin(), present.end());
    QSet<QString> listed;
    const QJsonArray files = filesValue.toArray();
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QJsonObject entry = files.at(i).toObject();
        const QJsonValue pathValue = entry.value("path"_L1);
        const QJsonValue sizeValue = entry.value("size"_L1);
        const QJsonValue shaValue = entry.value("sha256"_L1);
        if (!pathValue.isString() || !sizeValue.isDouble() || !shaValue.isString()) {
            result.problems.append(tr("manifest.json: files[%1] needs a path, a size and a sha256.").arg(i));
            continue;
        }
        const QString rel = pathValue.toString();
        QString why;
        if (!BundleWriter::isValidRelativePath(rel, &why)) {
            result.problems.append(tr("manifest.json: files[%1]: %2").arg(i).arg(why));
            continue;
        }
        if (listed.contains(rel)) {
            result.problems.append(tr("manifest.json lists %1 twice.").arg(rel));
            continue;
        }
        listed.insert(rel);
        if (!presentSet.contains(rel)) {
            result.problems.append(tr("%1 is missing.").arg(rel));
            continue;
        }
        const std::optional<Digest> d = source->digest(rel, &error);
        if (!d) {
            result.problems.append(tr("%1 cannot be read: %2").arg(rel, error));
            continue;
        }
        ++result.filesChecked;
        const qint64 expectedSize = qint64(sizeValue.toDouble());
        if (d->size != expectedSize) {
            result.problems.append(
                tr("%1 has %2 bytes; the manifest says %3.").arg(rel).arg(d->size).arg(expectedSize));
        } else if (QString::fromLatin1(d->sha256) != shaValue.toString().toLower()) {
            result.problems.append(tr("%1 does not match its SHA-256 in the manifest.").arg(rel));
        }
    }
    QStringList extra;
    for (const QString &rel : present) {
        if (rel != ManifestName && !listed.contains(rel))
            extra.append(rel);
    }
    extra.sort();
    for (const QString &rel : std::as_const(extra))
        result.problems.append(tr("%1 is in the bundle but not in the manifest.").arg(rel));
    return result;
}

} // namespace dl
