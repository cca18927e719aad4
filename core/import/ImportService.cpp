// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/ImportService.h"

#include "import/FolderScanner.h"
#include "import/PassionReader.h"
#include "import/ScinReader.h"
#include "imaging/ImageFormat.h"
#include "release/FaceCheck.h"
#include "store/AuditLog.h"
#include "store/CaseRepository.h"
#include "store/ImageBlobRepository.h"
#include "store/ImageFileCache.h"
#include "store/ImageRepository.h"
#include "store/SourceRepository.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFuture>
#include <QSet>
#include <QtConcurrent/QtConcurrentMap>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::ImportService", text);
}

QString importKindKey(ImportKind kind)
{
    switch (kind) {
    case ImportKind::Folder:
        return u"folder"_s;
    case ImportKind::Scin:
        return u"scin"_s;
    case ImportKind::Passion:
        return u"passion"_s;
    }
    return {};
}

std::optional<ImportPlan> ImportService::plan(ImportKind kind, const QString &path, QString *error,
                                              const std::atomic_bool *cancel)
{
    switch (kind) {
    case ImportKind::Scin:
        return ScinReader::read(path, error);
    case ImportKind::Passion:
        return PassionReader::read(path, error);
    case ImportKind::Folder:
        break;
    }
    const QFileInfo info(path);
    if (!info.isDir()) {
        *error = info.exists() ? tr("%1 is not a folder.").arg(QDir::toNativeSeparators(path))
                               : tr("The folder %1 does not exist.").arg(QDir::toNativeSeparators(path));
        return std::nullopt;
    }
    ImportPlan plan;
    plan.kind = u"folder"_s;
    plan.rootPath = info.canonicalFilePath();
    plan.name = info.fileName();
    FolderScanner::Result scan = FolderScanner::scan(plan.rootPath, cancel);
    plan.looseImages = scan.images;
    plan.rejected = scan.rejected + scan.unreadable;
    plan.ignoredFiles = scan.ignored;
    return plan;
}

ImportReport ImportService::importPath(ImportKind kind, const QString &path, const ImportOptions &options,
                                       const ProgressCallback &progress, const std::atomic_bool *cancel)
{
    if (progress)
        progress({ImportProgress::Phase::Reading, 0, 0, path});
    QString error;
    const auto planned = plan(kind, path, &error, cancel);
    if (!planned) {
        ImportReport report;
        report.kind = importKindKey(kind);
        report.error = error;
        return report;
    }
    return run(*planned, options, progress, cancel);
}

namespace {

/// The state of one run, shared by its phases.
class ImportRun
{
public:
    ImportRun(Store &store, const ImportPlan &plan, const ImportOptions &options,
              const ImportService::ProgressCallback &progress, const std::atomic_bool *cancel)
        : m_store(store)
        , m_plan(plan)
        , m_options(options)
        , m_progress(progress)
        , m_cancel(cancel)
        , m_images(store)
        , m_cases(store)
        , m_sources(store)
    {
    }

    ImportReport execute();

private:
    bool cancelled() const { return m_cancel && m_cancel->load(); }
    void report(ImportProgress::Phase phase, qint64 done, qint64 total, const QString &path = {})
    {
        if (m_progress)
            m_progress({phase, done, total, path});
    }
    bool begin();
    bool importImages();
    bool writeBatch(const QList<IngestResult> &results);
    bool importCases();
    void checkFaces();
    void finish();

    Store &m_store;
    const ImportPlan &m_plan;
    const ImportOptions &m_options;
    const ImportService::ProgressCallback &m_progress;
    const std::atomic_bool *m_cancel;
    ImageRepository m_images;
    CaseRepository m_cases;
    SourceRepository m_sources;
    ImportReport m_report;
    qint64 m_sourceId = -1;
    QHash<QString, qint64> m_imageIdByPath;   // absolute path -> image id
};

bool ImportRun::begin()
{
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        m_report.error = tx.error();
        return false;
    }
    SourceRecord source;
    source.kind = m_plan.kind;
    source.name = m_plan.name;
    source.rootPath = m_plan.rootPath;
    source.licence = m_options.licence.isEmpty() ? m_plan.licence : m_options.licence;
    source.attribution = m_options.attribution;
    QString error;
    m_sourceId = m_sources.findOrCreate(source, &error);
    if (m_sourceId < 0) {
        m_report.error = error;
        return false;
    }
    const QString lastStatus = m_sources.lastRunStatus(m_sourceId, &error);
    m_report.resumed = lastStatus == u"running"_s || lastStatus == u"cancelled"_s;
    if (m_sources.markInterrupted(m_sourceId, &error) < 0) {
        m_report.error = error;
        return false;
    }
    m_report.sourceId = m_sourceId;
    m_report.runId = m_sources.startRun(m_sourceId, &error);
    if (m_report.runId < 0 || !tx.commit()) {
        m_report.error = error.isEmpty() ? tx.error() : error;
        return false;
    }
    return true;
}

bool ImportRun::importImages()
{
    QList<PlannedImage> files;
    QSet<QString> seen;
    auto add = [&](const PlannedImage &image) {
        if (!seen.contains(image.absolutePath)) {
            seen.insert(image.absolutePath);
            files.append(image);
        }
    };
    for (const PlannedCase &c : m_plan.cases) {
        for (const PlannedImage &image : c.images)
            add(image);
    }
    for (const PlannedImage &image : m_plan.looseImages)
        add(image);

    QString error;
    const QHash<QString, KnownFile> known = m_images.knownFiles(m_sourceId, &error);
    if (!error.isEmpty()) {
        m_report.error = error;
        return false;
    }
    QList<PlannedImage> toRead;
    for (const PlannedImage &image : std::as_const(files)) {
        const auto it = known.constFind(image.relativePath);
        if (it != known.constEnd()) {
            const QFileInfo info(image.absolutePath);
            if (info.size() == it->size && info.lastModified().toUTC().toString(Qt::ISODateWithMs) == it->modified) {
                m_imageIdByPath.insert(image.absolutePath, it->imageId);
                ++m_report.alreadyImported;
                continue;
            }
        }
        toRead.append(image);
    }

    const qint64 total = files.size();
    qint64 done = m_report.alreadyImported;
    report(ImportProgress::Phase::Images, done, total);

    ImageIngest::Options ingest;
    ingest.imageDirectory = m_store.imageDirectory();
    ingest.pixelLimit = m_options.pixelLimit;
    ingest.thumbnailEdge = m_options.thumbnailEdge;
    ingest.detectFaces = false; // after the files are stored: checkFaces()
    const std::atomic_bool *cancel = m_cancel;
    auto startBatch = [&](qsizetype from) {
        return QtConcurrent::mapped(toRead.mid(from, m_options.batchSize), [ingest, cancel](const PlannedImage &image) {
            return ImageIngest::run(image.absolutePath, image.relativePath, ingest, cancel);
        });
    };

    // Read batch n+1 on the pool while batch n is written here.
    const qsizetype batch = qMax(1, m_options.batchSize);
    QFuture<IngestResult> pending = toRead.isEmpty() ? QFuture<IngestResult>() : startBatch(0);
    for (qsizetype from = 0; from < toRead.size(); from += batch) {
        pending.waitForFinished();
        const QList<IngestResult> results = pending.results();
        const qsizetype next = from + batch;
        if (next < toRead.size() && !cancelled())
            pending = startBatch(next);
        else
            pending = QFuture<IngestResult>();
        if (!writeBatch(results)) {
            pending.waitForFinished();
            return false;
        }
        done += results.size();
        report(ImportProgress::Phase::Images, done, total, results.isEmpty() ? QString() : results.last().absolutePath);
        if (cancelled()) {
            pending.waitForFinished();
            m_report.cancelled = true;
            return true;
        }
    }
    return true;
}

bool ImportRun::writeBatch(const QList<IngestResult> &results)
{
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        m_report.error = tr("The store could not be updated: %1").arg(tx.error());
        return false;
    }
    QString error;
    for (const IngestResult &r : results) {
        if (r.cancelled)
            continue;
        if (r.rejectKey == ImageIngest::StoreWriteFailed) {
            m_report.error = r.message;
            return false;
        }
        if (!r.ok) {
            m_report.rejected.append({r.absolutePath, r.rejectKey, r.message});
            continue;
        }
        qint64 imageId = m_images.findIdBySha(r.sha256, &error).value_or(-1);
        if (imageId < 0) {
            if (!error.isEmpty())
                break;
            ImageRecord record;
            record.publicId = m_store.pseudonym(u"img"_s, r.sha256.toLatin1());
            record.sha256 = r.sha256;
            record.format = formatName(r.header.format);
            record.width = r.header.width;
            record.height = r.header.height;
            record.orientation = r.header.orientation;
            record.byteSize = r.fileSize;
            record.thumbnail = r.thumbnail.jpeg;
            record.thumbnailWidth = r.thumbnail.width;
            record.thumbnailHeight = r.thumbnail.height;
            imageId = m_images.insert(record, &error);
            if (imageId < 0)
                break;
            ++m_report.imported;
            if (m_options.faceCheck && !FaceCheck::markPending(m_store, imageId, &error))
                break;
        } else {
            ++m_report.duplicates;
        }
        // A team store's images live in the server: the file goes up in this
        // transaction (a no-op when it is there already), or nothing of the
        // image is stored.
        if (m_store.location().isPostgres()
            && !ImageBlobRepository(m_store).put(
                r.sha256,
                Store::imageFilePath(m_store.imageDirectory(), r.sha256, formatExtension(r.header.format)), &error))
            break;
        if (!m_images.recordFile(imageId, m_sourceId, r.relativePath, r.fileSize, r.modified, &error))
            break;
        m_imageIdByPath.insert(r.absolutePath, imageId);
    }
    if (!error.isEmpty() || !tx.commit()) {
        m_report.error = tr("The store could not be updated: %1").arg(error.isEmpty() ? tx.error() : error);
        return false;
    }
    // The copies just read stay in this workstation's bounded cache.
    ImageFileCache(m_store).evictToBudget();
    return true;
}

bool ImportRun::importCases()
{
    const qsizetype total = m_plan.cases.size();
    constexpr qsizetype batch = 200;
    qint64 withoutImages = 0;
    for (qsizetype from = 0; from < total; from += batch) {
        if (cancelled()) {
            m_report.cancelled = true;
            return true;
        }
        StoreTransaction tx(m_store);
        if (!tx.isActive()) {
            m_report.error = tr("The store could not be updated: %1").arg(tx.error());
            return false;
        }
        QString error;
        for (qsizetype i = from; i < qMin(total, from + batch) && error.isEmpty(); ++i) {
            const PlannedCase &planned = m_plan.cases.at(i);
            QList<QPair<qint64, const PlannedImage *>> images;
            for (const PlannedImage &image : planned.images) {
                if (const auto it = m_imageIdByPath.constFind(image.absolutePath); it != m_imageIdByPath.constEnd())
                    images.append({*it, &image});
            }
            if (images.isEmpty()) {
                ++withoutImages;
                continue;
            }
            qint64 caseId = m_cases.findId(m_sourceId, planned.sourceCaseId, &error).value_or(-1);
            if (caseId >= 0) {
                ++m_report.casesExisting;
                if (!m_cases.updateMetadata(caseId, planned.metadata, &error))
                    break;
            } else {
                if (!error.isEmpty())
                    break;
                const QString publicId = m_store.pseudonym(
                    u"case"_s, (QString::number(m_sourceId) + u'/' + planned.sourceCaseId).toUtf8());
                caseId = m_cases.insert(m_sourceId, planned.sourceCaseId, publicId, planned.metadata, &error);
                if (caseId < 0)
                    break;
                ++m_report.cases;
            }
            for (const auto &[imageId, image] : images) {
                if (!m_cases.linkImage(caseId, imageId, image->position, image->shotType, &error))
                    break;
            }
            if (!error.isEmpty() || !m_cases.setAttributes(caseId, planned.attributes, &error))
                break;
            for (const ReferenceLabel &label : planned.labels) {
                const auto change = m_cases.setReferenceLabel(caseId, label, &error);
                if (change == CaseRepository::Change::Failed)
                    break;
                if (change == CaseRepository::Change::Inserted)
                    ++m_report.referenceLabels;
            }
        }
        if (!error.isEmpty() || !tx.commit()) {
            m_report.error = tr("The store could not be updated: %1").arg(error.isEmpty() ? tx.error() : error);
            return false;
        }
        report(ImportProgress::Phase::Cases, qMin(total, from + batch), total);
    }
    if (withoutImages > 0)
        m_report.warnings.append(tr("%1 cases have no importable image and were not added.").arg(withoutImages));
    return true;
}

void ImportRun::checkFaces()
{
    // The check runs as the importer: whoever may import may check what they imported.
    User importer;
    importer.id = m_options.userId;
    importer.role = Role::Admin;
    FaceCheck check(m_store, importer);
    QString error;
    const std::optional<int> waiting = check.pendingCount(&error);
    if (waiting && *waiting > 0) {
        report(ImportProgress::Phase::Faces, 0, *waiting);
        const std::optional<FaceCheckSummary> summary = check.runPending(&error, [this](int done, int total) {
            report(ImportProgress::Phase::Faces, done, total);
            return !cancelled();
        });
        if (summary) {
            m_report.faceFlags += summary->newFlags;
            if (cancelled())
                m_report.cancelled = true;
        }
    }
    const std::optional<int> left = error.isEmpty() ? check.pendingCount(&error) : std::nullopt;
    if (!error.isEmpty()) {
        m_report.warnings.append(tr("The face check did not run: %1").arg(error));
        return;
    }
    if (left && *left > 0) {
        m_report.warnings.append(
            tr("%1 images still wait for the face check and are held back from export until it has run "
               "(dermlabel-cli faces).")
                .arg(*left));
    }
}

void ImportRun::finish()
{
    const QString status = m_report.failed() ? u"failed"_s : m_report.cancelled ? u"cancelled"_s : u"done"_s;
    QString error;
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        m_report.warnings.append(tr("The end of the import could not be recorded: %1").arg(tx.error()));
        return;
    }
    if (m_report.runId >= 0)
        m_sources.finishRun(m_report.runId, status, m_report.toJson(), &error);
    AuditLog::record(m_store, m_options.userId, u"import"_s, u"source"_s, m_sourceId,
                     {{u"status"_s, status},
                      {u"kind"_s, m_plan.kind},
                      {u"imported"_s, m_report.imported},
                      {u"duplicates"_s, m_report.duplicates},
                      {u"rejected"_s, m_report.rejected.size()},
                      {u"cases"_s, m_report.cases}},
                     &error);
    if (!error.isEmpty() || !tx.commit())
        m_report.warnings.append(
            tr("The end of the import could not be recorded: %1").arg(error.isEmpty() ? tx.error() : error));
}

ImportReport ImportRun::execute()
{
    QElapsedTimer timer;
    timer.start();
    m_report.kind = m_plan.kind;
    m_report.missing = m_plan.missing;
    m_report.rejected = m_plan.rejected;
    m_report.warnings = m_plan.warnings;
    m_report.unknownSplitSubjects = m_plan.unknownSplitSubjects;
    m_report.ignoredFiles = m_plan.ignoredFiles;
    if (begin()) {
        if (importImages() && !m_report.cancelled && importCases() && !m_report.cancelled && m_options.faceCheck
            && !m_options.faceCheckLater)
            checkFaces();
        finish();
    }
    m_report.seconds = timer.elapsed() / 1000.0;
    report(ImportProgress::Phase::Finished, 1, 1);
    return m_report;
}

} // namespace

ImportReport ImportService::run(const ImportPlan &plan, const ImportOptions &options, const ProgressCallback &progress,
                                const std::atomic_bool *cancel)
{
    ImportRun run(m_store, plan, options, progress, cancel);
    return run.execute();
}

} // namespace dl
