// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExportFixtures.h"

#include "export/BundleVerifier.h"
#include "export/BundleWriter.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtConcurrent>

#include <opencv2/imgcodecs.hpp>

#include <zip.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>

using namespace Qt::StringLiterals;
using namespace fixtures;
using dl::BundleVerifier;
using dl::BundleWriter;

namespace {

struct SampleFile
{
    QString path;
    QByteArray bytes;
};

QList<SampleFile> sampleFiles()
{
    return {
        { u"images/img-1.jpg"_s, encodeJpeg(testPicture(64, 48, 3), { cv::IMWRITE_JPEG_QUALITY, 90 }) },
        { u"images/img-2.png"_s, encodePng(testImage(40, 30, false, 5)) },
        { u"masks/img-1/lesion.png"_s, encodePng(testImage(20, 10, false, 7)) },
        { u"coco.json"_s, R"({"images":[],"categories":[],"annotations":[]})"_ba },
        { u"labelme/img-1.json"_s, R"({"version":"5.2.1","shapes":[]})"_ba },
        { u"consensus.csv"_s, "image_id,weighted_skin_condition_label\nimg-1,\"{'Eczema': 1.0}\"\n"_ba },
    };
}

QJsonObject sampleExtras()
{
    return QJsonObject { { u"program_version"_s, u"0.1.0"_s },
        { u"counts"_s, QJsonObject { { u"images"_s, 2 } } } };
}

// Writes the sample bundle; images/img-2.png goes through addFileFromDisk().
bool writeSample(const QString &out, BundleWriter::Kind kind, const QString &scratch, QString *error,
    bool overwrite = false)
{
    BundleWriter writer;
    if (!writer.begin(out, kind, overwrite, error))
        return false;
    for (const SampleFile &f : sampleFiles()) {
        if (f.path == "images/img-2.png"_L1) {
            const QString source = scratch + u"/source.png"_s;
            if (!writeFile(source, f.bytes))
                return false;
            if (!writer.addFileFromDisk(f.path, source, error))
                return false;
        } else if (!writer.addFile(f.path, f.bytes, error)) {
            return false;
        }
    }
    return writer.finish(sampleExtras(), error);
}

struct ZipCloser
{
    void operator()(zip_t *za) const
    {
        if (za)
            zip_discard(za);
    }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

ZipPtr openZip(const QString &path, int flags)
{
    int code = 0;
    return ZipPtr(zip_open(QFile::encodeName(path).constData(), flags, &code));
}

QByteArray zipRead(zip_t *za, const char *name)
{
    zip_stat_t st;
    if (zip_stat(za, name, 0, &st) != 0)
        return {};
    zip_file_t *f = zip_fopen(za, name, 0);
    if (!f)
        return {};
    QByteArray out(qsizetype(st.size), '\0');
    const zip_int64_t n = zip_fread(f, out.data(), st.size);
    zip_fclose(f);
    return n == zip_int64_t(st.size) ? out : QByteArray();
}

// Replaces (or with nullopt removes) one file of a directory or zip bundle; edit gets the current
// content (empty when the file does not exist).
bool editBundle(const QString &bundle, bool zip, const QString &name,
    const std::function<std::optional<QByteArray>(QByteArray)> &edit)
{
    if (!zip) {
        const QString path = bundle + u'/' + name;
        const std::optional<QByteArray> now = edit(readFile(path));
        if (!now)
            return QFile::remove(path);
        QDir().mkpath(QFileInfo(path).absolutePath());
        return writeFile(path, *now);
    }
    ZipPtr za = openZip(bundle, 0);
    if (!za)
        return false;
    const QByteArray utf8 = name.toUtf8();
    const zip_int64_t index = zip_name_locate(za.get(), utf8.constData(), 0);
    const std::optional<QByteArray> now
        = edit(index >= 0 ? zipRead(za.get(), utf8.constData()) : QByteArray());
    if (!now) {
        if (index < 0 || zip_delete(za.get(), zip_uint64_t(index)) != 0)
            return false;
    } else {
        void *copy = std::malloc(size_t(now->size()));
        std::memcpy(copy, now->constData(), size_t(now->size()));
        zip_source_t *src = zip_source_buffer(za.get(), copy, zip_uint64_t(now->size()), 1);
        if (zip_file_add(za.get(), utf8.constData(), src, ZIP_FL_OVERWRITE) < 0) {
            zip_source_free(src);
            return false;
        }
    }
    return zip_close(za.release()) == 0;
}

} // namespace

class TestExportBundle : public QObject
{
    Q_OBJECT

private slots:
    void bundleDirectory();
    void bundleZip();
    void bundleDetectsTampering_data();
    void bundleDetectsTampering();
    void bundleZipReproducible();
    void bundleInterruptedLeavesNothing_data();
    void bundleInterruptedLeavesNothing();
    void bundleRefusesExistingOutput_data();
    void bundleRefusesExistingOutput();
    void bundleOverwriteRefusesLookalikes();
    void bundleOutputAppearsBeforeFinish();
    void bundleRejectsPaths_data();
    void bundleRejectsPaths();
    void bundleParallelAdds();
};

void TestExportBundle::bundleDirectory()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString out = tmp.filePath(u"bundle"_s);
    QString error;
    QVERIFY2(writeSample(out, BundleWriter::Kind::Directory, tmp.path(), &error), qPrintable(error));
    QVERIFY(QFileInfo(out).isDir());
    QCOMPARE(entriesOf(tmp.path()), (QStringList { u"bundle"_s, u"source.png"_s }));

    const QJsonObject manifest = QJsonDocument::fromJson(readFile(out + u"/manifest.json"_s)).object();
    QCOMPARE(manifest.value("format_version"_L1).toInt(), 1);
    QCOMPARE(manifest.value("program_version"_L1).toString(), u"0.1.0"_s);
    QCOMPARE(manifest.value("counts"_L1).toObject().value("images"_L1).toInt(), 2);
    const QJsonArray files = manifest.value("files"_L1).toArray();
    QList<SampleFile> samples = sampleFiles();
    std::sort(samples.begin(), samples.end(),
        [](const SampleFile &a, const SampleFile &b) { return a.path < b.path; });
    QCOMPARE(files.size(), samples.size());
    for (qsizetype i = 0; i < samples.size(); ++i) {
        const QJsonObject f = files.at(i).toObject();
        QCOMPARE(f.value("path"_L1).toString(), samples.at(i).path);
        QCOMPARE(f.value("size"_L1).toInteger(), samples.at(i).bytes.size());
        QCOMPARE(f.value("sha256"_L1).toString().toLatin1(), sha256Hex(samples.at(i).bytes));
        QCOMPARE(readFile(out + u'/' + samples.at(i).path), samples.at(i).bytes);
    }

    const dl::BundleVerification v = BundleVerifier::verify(out);
    QVERIFY2(v.ok(), qPrintable(v.problems.join(u"\n"_s)));
    QCOMPARE(v.filesChecked, 6);
    QCOMPARE(v.manifest, manifest);
}

void TestExportBundle::bundleZip()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString out = tmp.filePath(u"bundle.zip"_s);
    QString error;
    QVERIFY2(writeSample(out, BundleWriter::Kind::Zip, tmp.path(), &error), qPrintable(error));
    QVERIFY(QFileInfo(out).isFile());
    QCOMPARE(entriesOf(tmp.path()), (QStringList { u"bundle.zip"_s, u"source.png"_s }));

    const dl::BundleVerification v = BundleVerifier::verify(out);
    QVERIFY2(v.ok(), qPrintable(v.problems.join(u"\n"_s)));
    QCOMPARE(v.filesChecked, 6);

    ZipPtr za = openZip(out, ZIP_RDONLY | ZIP_CHECKCONS);
    QVERIFY(za);
    QStringList names;
    for (zip_int64_t i = 0; i < zip_get_num_entries(za.get(), 0); ++i) {
        const QString name = QString::fromUtf8(zip_get_name(za.get(), zip_uint64_t(i), 0));
        names.append(name);
        zip_stat_t st;
        QCOMPARE(zip_stat_index(za.get(), zip_uint64_t(i), 0, &st), 0);
        const bool image = name.endsWith(u".jpg"_s) || name.endsWith(u".png"_s);
        QCOMPARE(int(st.comp_method), image ? ZIP_CM_STORE : ZIP_CM_DEFLATE);
        QCOMPARE(QDateTime::fromSecsSinceEpoch(st.mtime).date(), QDate(1980, 1, 1));
        zip_uint8_t opsys = 0;
        zip_uint32_t attributes = 0;
        QCOMPARE(zip_file_get_external_attributes(za.get(), zip_uint64_t(i), 0, &opsys, &attributes), 0);
        QCOMPARE(int(opsys), ZIP_OPSYS_UNIX);
        QCOMPARE(attributes >> 16, 0100644u);
    }
    QCOMPARE(names,
        (QStringList { u"coco.json"_s, u"consensus.csv"_s, u"images/img-1.jpg"_s, u"images/img-2.png"_s,
            u"labelme/img-1.json"_s, u"manifest.json"_s, u"masks/img-1/lesion.png"_s }));
    for (const SampleFile &f : sampleFiles())
        QCOMPARE(zipRead(za.get(), f.path.toUtf8().constData()), f.bytes);
}

void TestExportBundle::bundleDetectsTampering_data()
{
    QTest::addColumn<bool>("zip");
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("problem");
    for (bool zip : { false, true }) {
        const QByteArray kind = zip ? "zip: " : "directory: ";
        QTest::newRow((kind + "changed byte").constData())
            << zip << u"change"_s << u"images/img-1.jpg does not match its SHA-256"_s;
        QTest::newRow((kind + "truncated").constData())
            << zip << u"truncate"_s << u"coco.json has 10 bytes"_s;
        QTest::newRow((kind + "deleted").constData()) << zip << u"delete"_s << u"consensus.csv is missing"_s;
        QTest::newRow((kind + "added").constData())
            << zip << u"add"_s << u"images/extra.jpg is in the bundle but not in the manifest"_s;
        QTest::newRow((kind + "manifest edited").constData())
            << zip << u"manifest"_s << u"images/img-2.png does not match"_s;
        QTest::newRow((kind + "manifest removed").constData())
            << zip << u"no manifest"_s << u"manifest.json cannot be read"_s;
    }
}

void TestExportBundle::bundleDetectsTampering()
{
    QFETCH(bool, zip);
    QFETCH(QString, change);
    QFETCH(QString, problem);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString out = tmp.filePath(zip ? u"b.zip"_s : u"b"_s);
    QString error;
    QVERIFY2(
        writeSample(out, zip ? BundleWriter::Kind::Zip : BundleWriter::Kind::Directory, tmp.path(), &error),
        qPrintable(error));
    QVERIFY(BundleVerifier::verify(out).ok());

    using Content = std::optional<QByteArray>;
    bool edited = false;
    if (change == "change"_L1) {
        edited = editBundle(out, zip, u"images/img-1.jpg"_s, [](QByteArray b) -> Content {
            b[b.size() / 2] = char(b[b.size() / 2] ^ 1);
            return b;
        });
    } else if (change == "truncate"_L1) {
        edited = editBundle(out, zip, u"coco.json"_s, [](QByteArray b) -> Content { return b.left(10); });
    } else if (change == "delete"_L1) {
        edited = editBundle(out, zip, u"consensus.csv"_s, [](QByteArray) -> Content { return std::nullopt; });
    } else if (change == "add"_L1) {
        edited
            = editBundle(out, zip, u"images/extra.jpg"_s, [](QByteArray) -> Content { return "extra"_ba; });
    } else if (change == "manifest"_L1) {
        edited = editBundle(out, zip, u"manifest.json"_s, [](QByteArray b) -> Content {
            const QByteArray sha = sha256Hex(sampleFiles().at(1).bytes); // images/img-2.png
            b.replace(sha, QByteArray(sha.size(), 'a'));
            return b;
        });
    } else {
        edited = editBundle(out, zip, u"manifest.json"_s, [](QByteArray) -> Content { return std::nullopt; });
    }
    QVERIFY(edited);
    const dl::BundleVerification v = BundleVerifier::verify(out);
    QVERIFY(!v.ok());
    QVERIFY2(v.problems.join(u"\n"_s).contains(problem), qPrintable(v.problems.join(u"\n"_s)));
    if (change != "no manifest"_L1)
        QCOMPARE(v.problems.size(), 1);
}

void TestExportBundle::bundleZipReproducible()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QString error;
    QVERIFY2(writeSample(tmp.filePath(u"a.zip"_s), BundleWriter::Kind::Zip, tmp.path(), &error),
        qPrintable(error));
    QThread::msleep(1100); // the temporary files get other modification times
    QVERIFY2(writeSample(tmp.filePath(u"b.zip"_s), BundleWriter::Kind::Zip, tmp.path(), &error),
        qPrintable(error));
    const QByteArray a = readFile(tmp.filePath(u"a.zip"_s));
    QVERIFY(a.size() > 1000);
    QCOMPARE(a, readFile(tmp.filePath(u"b.zip"_s)));
    // The directory form gives the same manifest.
    QVERIFY2(writeSample(tmp.filePath(u"c"_s), BundleWriter::Kind::Directory, tmp.path(), &error),
        qPrintable(error));
    ZipPtr za = openZip(tmp.filePath(u"a.zip"_s), ZIP_RDONLY);
    QVERIFY(za);
    QCOMPARE(zipRead(za.get(), "manifest.json"), readFile(tmp.filePath(u"c/manifest.json"_s)));
}

void TestExportBundle::bundleInterruptedLeavesNothing_data()
{
    QTest::addColumn<bool>("zip");
    QTest::addColumn<QString>("how");
    for (bool zip : { false, true }) {
        for (const char *how : { "abort", "destructor", "failed finish" }) {
            const QByteArray name = QByteArray(zip ? "zip " : "directory ") + how;
            QTest::newRow(name.constData()) << zip << QString::fromLatin1(how);
        }
    }
}

void TestExportBundle::bundleInterruptedLeavesNothing()
{
    QFETCH(bool, zip);
    QFETCH(QString, how);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString out = tmp.filePath(u"bundle"_s);
    QString error;
    QString temporary;
    {
        BundleWriter writer;
        QVERIFY2(
            writer.begin(out, zip ? BundleWriter::Kind::Zip : BundleWriter::Kind::Directory, false, &error),
            qPrintable(error));
        temporary = writer.temporaryPath();
        QVERIFY(QFileInfo(temporary).isDir());
        QCOMPARE(QFileInfo(temporary).absolutePath(), QFileInfo(out).absolutePath());
        QVERIFY(QFileInfo(temporary).fileName().startsWith(u"bundle.partial-"_s));
        QVERIFY(writer.addFile(u"images/a.jpg"_s, "abc"_ba, &error));
        QVERIFY(writer.addFile(u"coco.json"_s, "{}"_ba, &error));
        QVERIFY(!QFileInfo::exists(out));
        if (how == "abort"_L1) {
            writer.abort();
            QVERIFY(!writer.isOpen());
            QVERIFY(!writer.addFile(u"late.json"_s, "{}"_ba, &error));
        } else if (how == "failed finish"_L1) {
            QVERIFY(!writer.finish(QJsonObject { { u"files"_s, 1 } }, &error));
            QVERIFY2(error.contains(u"\"files\""_s), qPrintable(error));
        }
    }
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(!QFileInfo::exists(temporary));
    QCOMPARE(entriesOf(tmp.path()), QStringList());
}

void TestExportBundle::bundleRefusesExistingOutput_data()
{
    QTest::addColumn<bool>("zip");
    QTest::newRow("directory") << false;
    QTest::newRow("zip") << true;
}

void TestExportBundle::bundleRefusesExistingOutput()
{
    QFETCH(bool, zip);
    const BundleWriter::Kind kind = zip ? BundleWriter::Kind::Zip : BundleWriter::Kind::Directory;
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString out = tmp.filePath(u"bundle"_s);
    if (zip) {
        QVERIFY(writeFile(out, "old archive"_ba));
    } else {
        QVERIFY(QDir().mkpath(out));
        QVERIFY(writeFile(out + u"/keep.txt"_s, "old"_ba));
    }
    BundleWriter writer;
    QString error;
    QVERIFY(!writer.begin(out, kind, false, &error));
    QVERIFY2(error.contains(u"already exists"_s), qPrintable(error));
    QVERIFY(!writer.isOpen());
    QCOMPARE(entriesOf(tmp.path()), QStringList { u"bundle"_s });
    QCOMPARE(readFile(zip ? out : out + u"/keep.txt"_s), zip ? "old archive"_ba : "old"_ba);

    // With overwrite, something that is not a bundle is still refused, and nothing is deleted.
    QVERIFY(!writeSample(out, kind, tmp.path(), &error, true));
    QVERIFY2(error.contains(u"not a bundle written by DermLabel"_s), qPrintable(error));
    QVERIFY2(error.contains(zip ? u"not a zip archive"_s : u"no manifest.json"_s), qPrintable(error));
    QCOMPARE(readFile(zip ? out : out + u"/keep.txt"_s), zip ? "old archive"_ba : "old"_ba);
    QCOMPARE(entriesOf(tmp.path()), QStringList { u"bundle"_s });

    // A previous bundle is replaced, only once the new one is complete.
    const QString previous = tmp.filePath(u"previous"_s);
    QVERIFY2(writeSample(previous, kind, tmp.path(), &error), qPrintable(error));
    const QJsonObject manifest = BundleVerifier::verify(previous).manifest;
    QVERIFY(manifest.value(u"generator"_s).toString().startsWith(u"DermLabel "_s));
    QVERIFY2(writeSample(previous, kind, tmp.path(), &error, true), qPrintable(error));
    const dl::BundleVerification v = BundleVerifier::verify(previous);
    QVERIFY2(v.ok(), qPrintable(v.problems.join(u"\n"_s)));
    QCOMPARE(entriesOf(tmp.path()), (QStringList { u"bundle"_s, u"previous"_s, u"source.png"_s }));

    // An empty folder may be replaced too.
    const QString empty = tmp.filePath(u"empty"_s);
    QVERIFY(QDir().mkpath(empty));
    QVERIFY2(writeSample(empty, kind, tmp.path(), &error, true), qPrintable(error));
    QVERIFY(BundleVerifier::verify(empty).ok());
    QCOMPARE(QFileInfo(empty).isFile(), zip);
}

void TestExportBundle::bundleOverwriteRefusesLookalikes()
{
    // Folders and archives that hold a manifest.json but are not (only) a bundle: all refused with
    // overwrite, every file still there.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QString error;
    const QString bundle = tmp.filePath(u"bundle"_s);
    QVERIFY2(writeSample(bundle, BundleWriter::Kind::Directory, tmp.path(), &error), qPrintable(error));
    const QByteArray ours = readFile(bundle + u"/manifest.json"_s);

    // A bundle someone added a file to.
    QVERIFY(QDir().mkpath(bundle + u"/notes"_s));
    QVERIFY(writeFile(bundle + u"/notes/thesis.docx"_s, "mine"_ba));
    QVERIFY(!writeSample(bundle, BundleWriter::Kind::Directory, tmp.path(), &error, true));
    QVERIFY2(error.contains(u"notes/thesis.docx"_s), qPrintable(error));
    QCOMPARE(readFile(bundle + u"/notes/thesis.docx"_s), "mine"_ba);
    QCOMPARE(readFile(bundle + u"/manifest.json"_s), ours);

    // A folder with somebody else's manifest.json.
    const QString other = tmp.filePath(u"other"_s);
    QVERIFY(QDir().mkpath(other));
    QVERIFY(writeFile(other + u"/manifest.json"_s, R"({"format_version": 1, "files": []})"_ba));
    QVERIFY(!writeSample(other, BundleWriter::Kind::Zip, tmp.path(), &error, true));
    QVERIFY2(error.contains(u"not written by DermLabel"_s), qPrintable(error));
    QVERIFY(writeFile(other + u"/manifest.json"_s, "not json"_ba));
    QVERIFY(!writeSample(other, BundleWriter::Kind::Directory, tmp.path(), &error, true));
    QCOMPARE(readFile(other + u"/manifest.json"_s), "not json"_ba);

    // A zip that is not a bundle: a manifest of ours, and a file it does not list.
    const QString archive = tmp.filePath(u"archive.zip"_s);
    {
        int code = 0;
        zip_t *za = zip_open(QFile::encodeName(archive).constData(), ZIP_CREATE | ZIP_EXCL, &code);
        QVERIFY(za);
        for (const auto &[name, bytes] : { std::pair { "manifest.json", ours }, std::pair { "photo.jpg", "x"_ba } }) {
            void *copy = std::malloc(size_t(bytes.size()));
            std::memcpy(copy, bytes.constData(), size_t(bytes.size()));
            zip_source_t *source = zip_source_buffer(za, copy, zip_uint64_t(bytes.size()), 1);
            QVERIFY(source && zip_file_add(za, name, source, 0) >= 0);
        }
        QVERIFY(zip_close(za) == 0);
    }
    const QByteArray archiveBytes = readFile(archive);
    QVERIFY(!writeSample(archive, BundleWriter::Kind::Zip, tmp.path(), &error, true));
    QVERIFY2(error.contains(u"photo.jpg"_s), qPrintable(error));
    QCOMPARE(readFile(archive), archiveBytes);

    // A symbolic link, even to a bundle.
    const QString link = tmp.filePath(u"link"_s);
    QVERIFY(QFile::link(bundle, link));
    QVERIFY(!BundleWriter::isReplaceable(link, &error));
    QVERIFY2(error.contains(u"symbolic link"_s), qPrintable(error));

    QCOMPARE(entriesOf(tmp.path()),
        (QStringList { u"archive.zip"_s, u"bundle"_s, u"link"_s, u"other"_s, u"source.png"_s }));
}

void TestExportBundle::bundleOutputAppearsBeforeFinish()
{
    // Someone creates the output while the bundle is written: finish() fails, leaves theirs alone
    // and removes its own temporary files.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    for (bool zip : { false, true }) {
        const QString out = tmp.filePath(zip ? u"bundle.zip"_s : u"bundle"_s);
        BundleWriter writer;
        QString error;
        QVERIFY(
            writer.begin(out, zip ? BundleWriter::Kind::Zip : BundleWriter::Kind::Directory, false, &error));
        QVERIFY(writer.addFile(u"coco.json"_s, "{}"_ba, &error));
        if (zip)
            QVERIFY(writeFile(out, "theirs"_ba));
        else
            QVERIFY(QDir().mkdir(out)); // even an empty folder is not replaced
        QVERIFY(!writer.finish({}, &error));
        QVERIFY2(error.contains(u"already exists"_s), qPrintable(error));
        if (zip)
            QCOMPARE(readFile(out), "theirs"_ba);
        else
            QCOMPARE(entriesOf(out), QStringList());
    }
    QCOMPARE(entriesOf(tmp.path()), (QStringList { u"bundle"_s, u"bundle.zip"_s }));
}

void TestExportBundle::bundleRejectsPaths_data()
{
    QTest::addColumn<QStringList>("before"); // added first, successfully
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QStringList() << QString() << u"empty"_s;
    QTest::newRow("absolute") << QStringList() << u"/etc/passwd"_s << u"absolute"_s;
    QTest::newRow("parent") << QStringList() << u"../outside.json"_s << u".."_s;
    QTest::newRow("inner parent") << QStringList() << u"images/../../x.jpg"_s << u".."_s;
    QTest::newRow("dot") << QStringList() << u"./a.json"_s << u"\".\""_s;
    QTest::newRow("double slash") << QStringList() << u"images//a.jpg"_s << u"empty"_s;
    QTest::newRow("trailing slash") << QStringList() << u"images/"_s << u"empty"_s;
    QTest::newRow("backslash") << QStringList() << u"images\\a.jpg"_s << u"backslash"_s;
    QTest::newRow("drive") << QStringList() << u"c:/a.jpg"_s << u"colon"_s;
    QTest::newRow("control") << QStringList() << u"a\nb.json"_s << u"control"_s;
    QTest::newRow("manifest") << QStringList() << u"manifest.json"_s << u"reserved"_s;
    QTest::newRow("duplicate") << QStringList { u"images/a.jpg"_s } << u"images/a.jpg"_s
                               << u"already added"_s;
    QTest::newRow("file under a file")
        << QStringList { u"images"_s } << u"images/a.jpg"_s << u"already a file"_s;
    QTest::newRow("file over a folder")
        << QStringList { u"images/a.jpg"_s } << u"images"_s << u"already a folder"_s;
}

void TestExportBundle::bundleRejectsPaths()
{
    QFETCH(QStringList, before);
    QFETCH(QString, path);
    QFETCH(QString, message);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    BundleWriter writer;
    QString error;
    QVERIFY(writer.begin(tmp.filePath(u"b"_s), BundleWriter::Kind::Directory, false, &error));
    for (const QString &p : std::as_const(before))
        QVERIFY2(writer.addFile(p, "x"_ba, &error), qPrintable(error));
    QVERIFY(!writer.addFile(path, "y"_ba, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(!writer.addFileFromDisk(path, tmp.filePath(u"b"_s), &error));
    QVERIFY(!QFileInfo::exists(tmp.filePath(u"outside.json"_s)));
    QVERIFY(!QFileInfo::exists(tmp.filePath(u"x.jpg"_s)));
    // The bundle is still usable and holds only the good files.
    QVERIFY2(writer.finish({}, &error), qPrintable(error));
    QCOMPARE(writer.entries().size(), before.size());
    QVERIFY(BundleVerifier::verify(tmp.filePath(u"b"_s)).ok());
}

void TestExportBundle::bundleParallelAdds()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString out = tmp.filePath(u"b.zip"_s);
    BundleWriter writer;
    QString error;
    QVERIFY(writer.begin(out, BundleWriter::Kind::Zip, false, &error));
    QList<int> ids(64);
    std::iota(ids.begin(), ids.end(), 0);
    std::atomic<int> failures = 0;
    QtConcurrent::blockingMap(ids, [&](int id) {
        QString e;
        const QByteArray bytes = QByteArray::number(id).repeated(1000 + id);
        if (!writer.addFile(u"masks/img-%1/lesion.png"_s.arg(id), bytes, &e))
            ++failures;
    });
    QCOMPARE(failures.load(), 0);
    QVERIFY2(writer.finish({}, &error), qPrintable(error));
    const QList<BundleWriter::Entry> entries = writer.entries();
    QCOMPARE(entries.size(), 64);
    QCOMPARE(entries.at(0).path, u"masks/img-0/lesion.png"_s);
    QCOMPARE(entries.at(1).path, u"masks/img-1/lesion.png"_s);
    QCOMPARE(entries.at(2).path, u"masks/img-10/lesion.png"_s);
    QCOMPARE(entries.at(1).size, qint64(1001));
    QCOMPARE(entries.at(1).sha256, sha256Hex(QByteArray::number(1).repeated(1001)));
    const dl::BundleVerification v = BundleVerifier::verify(out);
    QVERIFY2(v.ok(), qPrintable(v.problems.join(u"\n"_s)));
    QCOMPARE(v.filesChecked, 64);
}

QTEST_GUILESS_MAIN(TestExportBundle)
#include "tst_export_bundle.moc"
