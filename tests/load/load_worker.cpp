// SPDX-License-Identifier: GPL-3.0-or-later
// One participant of the load test (tst_load), a process of its own working on
// a team store through core as the workstation does:
//
//   load_worker annotator|qa|import --store URL --user NAME --log FILE --seconds N [--skip-note PREFIX]
//
// The password is PGPASSWORD (the server checks it when the worker signs in).
// Every operation it reports as successful is one JSON line in the log; so is
// every error, and the exit status is then 1. It works for at least N seconds
// and at least one round, however slow the machine.
//
// annotator: saves labels (AnnotationService) on the images of its queue, a
//   unique token in each note, and every third round the mask of a layer
//   (MaskService); after each save it checks what its own connection returns:
//   its own rows only, never another rater's.
// qa: loads the dashboard's data set (agreement, stale consensus) and
//   adjudicates a field left open, its reason a unique token.
// import: imports folders of generated images (ImportService), one after another.
#include "annotation/AnnotationService.h"
#include "masks/MaskService.h"
#include "qa/ConsensusService.h"
#include "session/QaDataSet.h"
#include "session/SessionService.h"
#include "import/ImportService.h"
#include "store/Sql.h"
#include "store/Store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

class Log
{
public:
    explicit Log(const QString &path) : m_file(path) { }
    bool open() { return m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text); }
    void write(const QJsonObject &line)
    {
        m_file.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
        m_file.flush();
    }
    void error(const QString &what)
    {
        ++m_errors;
        write({{u"kind"_s, u"error"_s}, {u"message"_s, what}});
        std::fprintf(stderr, "load_worker: %s\n", qPrintable(what));
    }
    int errors() const { return m_errors; }

private:
    QFile m_file;
    int m_errors = 0;
};

const QStringList conditions {u"psoriasis"_s, u"eczema"_s, u"acne"_s, u"tinea"_s};

/// What an annotator's own connection returns must be theirs alone: counts of
/// rows that belong to someone else (all zero when the blinding holds).
bool checkBlinding(Store &store, const User &me, Log &log, qsizetype *checks)
{
    const QSqlDatabase db = store.db();
    const struct
    {
        const char16_t *what;
        const char16_t *sql;
    } probes[] = {
        {u"other raters' labels", u"SELECT COUNT(*) FROM annotations WHERE user_id <> ?"},
        {u"other raters' diagnoses",
         u"SELECT COUNT(*) FROM annotation_diagnoses WHERE annotation_id NOT IN "
         "(SELECT id FROM annotations WHERE user_id = ?)"},
        {u"other raters' masks",
         u"SELECT COUNT(*) FROM masks WHERE annotation_id NOT IN (SELECT id FROM annotations WHERE user_id = ?)"},
        {u"the audit log", u"SELECT COUNT(*) + 0 * ? FROM audit_log"},
        {u"the consensus", u"SELECT COUNT(*) + 0 * ? FROM consensus"},
        {u"the weighted differentials", u"SELECT COUNT(*) + 0 * ? FROM consensus_diagnoses"},
        {u"the adjudications", u"SELECT COUNT(*) + 0 * ? FROM adjudications"},
        {u"other raters' assignments", u"SELECT COUNT(*) FROM assignments WHERE user_id <> ?"},
    };
    for (const auto &probe : probes) {
        // Rows the rules hide are not returned; a table the role may not
        // read at all is refused by the server (insufficient privilege).
        QSqlQuery query(db);
        query.prepare(QString::fromUtf16(probe.sql));
        query.addBindValue(me.id);
        if (!query.exec()) {
            if (query.lastError().nativeErrorCode() == u"42501"_s) {
                ++*checks;
                continue;
            }
            log.error(u"blinding check on %1 failed: %2"_s.arg(QString::fromUtf16(probe.what), query.lastError().text()));
            return false;
        }
        const qint64 count = query.next() ? query.value(0).toLongLong() : -1;
        if (count != 0) {
            log.error(u"BLINDING BROKEN: %1 read %2 rows of %3"_s.arg(me.name).arg(count)
                          .arg(QString::fromUtf16(probe.what)));
            return false;
        }
        ++*checks;
    }
    return true;
}

int runAnnotator(Store &store, const User &me, Log &log, qint64 seconds, const QString &skipNote)
{
    SessionService session(store);
    AnnotationService labels(store, me);
    MaskService masks(store, me);
    QElapsedTimer clock;
    clock.start();
    qsizetype checks = 0;
    const int raterSalt = int(qHash(me.name) % 7);
    for (int round = 0; round == 0 || clock.elapsed() < seconds * 1000; ++round) {
        QString error;
        const auto queue = session.queue(me, &error);
        if (!queue) {
            log.error(u"queue: "_s + error);
            return 1;
        }
        // The images to label: the queue, less those whose labels are the
        // test's own (their note starts with skipNote).
        const QueueEntry &entry = queue->at(round % queue->size());
        auto own = labels.own(entry.image.id, &error);
        if (!own) {
            log.error(u"own labels of image %1: %2"_s.arg(entry.image.id).arg(error));
            return 1;
        }
        if (own->userId != me.id) {
            log.error(u"BLINDING BROKEN: own() of image %1 returned user %2's labels"_s.arg(entry.image.id)
                          .arg(own->userId));
            return 1;
        }
        if (!skipNote.isEmpty() && own->note.startsWith(skipNote))
            continue;
        Annotation a = *own;
        const int v = round + raterSalt;
        a.gradable = true;
        a.ungradableReason.clear();
        a.visibleCondition = v % 3 == 0 ? u"unsure"_s : u"yes"_s;
        a.sensitive = v % 5 == 0;
        a.cannotDetermine = false;
        a.diagnoses = {{conditions.at(v % conditions.size()), 1 + v % 5}};
        a.fitzpatrick = QString::number(1 + v % 6);
        a.monk = QString::number(1 + (v * 3) % 10);
        a.note = u"L-%1-%2"_s.arg(me.name).arg(round);
        if (!labels.save(a, &error)) {
            log.error(u"save of image %1: %2"_s.arg(entry.image.id).arg(error));
            return 1;
        }
        log.write({{u"kind"_s, u"label"_s},
                   {u"image"_s, entry.image.id},
                   {u"token"_s, a.note},
                   {u"visible_condition"_s, a.visibleCondition},
                   {u"sensitive"_s, *a.sensitive},
                   {u"condition"_s, a.diagnoses.first().conditionId},
                   {u"confidence"_s, a.diagnoses.first().confidence},
                   {u"fitzpatrick"_s, a.fitzpatrick},
                   {u"monk"_s, a.monk}});

        if (round % 3 == 0) {
            const auto size = masks.displayedSize(entry.image.id, &error);
            if (!size) {
                log.error(u"mask size of image %1: %2"_s.arg(entry.image.id).arg(error));
                return 1;
            }
            // A square of its own for each round, so each save is a new version.
            const int side = 4, across = size->width() - side;
            cv::Mat mask(size->height(), size->width(), CV_8UC1, cv::Scalar(0));
            mask(cv::Rect(round % across, (round / across) % (size->height() - side), side, side)).setTo(255);
            const QString layer = u"condition:"_s + a.diagnoses.first().conditionId;
            const auto versions = masks.saveMasks(entry.image.id, *size, {{layer, mask}}, &error);
            if (!versions) {
                log.error(u"mask save of image %1: %2"_s.arg(entry.image.id).arg(error));
                return 1;
            }
            log.write({{u"kind"_s, u"mask"_s},
                       {u"image"_s, entry.image.id},
                       {u"layer"_s, layer},
                       {u"version"_s, versions->first()},
                       {u"sha256"_s, QString::fromLatin1(QCryptographicHash::hash(MaskService::encode(mask),
                                                                                  QCryptographicHash::Sha256)
                                                              .toHex())}});
        }
        if (!checkBlinding(store, me, log, &checks))
            return 1;
        // Everybody's labels are for QA leads and admins: refused.
        if (labels.all(entry.image.id, &error)) {
            log.error(u"BLINDING BROKEN: %1 read every rater's labels of image %2"_s.arg(me.name).arg(entry.image.id));
            return 1;
        }
    }
    log.write({{u"kind"_s, u"reads"_s}, {u"checks"_s, checks}});
    return 0;
}

QString adjudicationValue(const QString &field)
{
    if (field == u"fitzpatrick_type"_s)
        return u"3"_s;
    if (field == u"monk_tone"_s)
        return u"5"_s;
    if (field == u"diagnosis"_s)
        return u"psoriasis"_s;
    if (field == u"visible_condition"_s)
        return u"yes"_s;
    if (field == u"sensitive"_s || field == u"gradable"_s)
        return u"no"_s;
    return {};
}

int runQa(Store &store, const User &me, Log &log, qint64 seconds)
{
    ConsensusService consensus(store, me);
    QElapsedTimer clock;
    clock.start();
    qsizetype loads = 0;
    for (int round = 0; round == 0 || clock.elapsed() < seconds * 1000; ++round) {
        const QaDataSet data = QaDataSet::load(store, me);
        if (!data.ok()) {
            log.error(u"QA data set: "_s + data.error);
            return 1;
        }
        ++loads;
        QList<ConsensusRow> open;
        for (const ConsensusRow &row : data.openRows) {
            if (row.consensus.status == ConsensusStatus::Adjudicate && !adjudicationValue(row.consensus.field).isEmpty())
                open.append(row);
        }
        if (open.isEmpty())
            continue;
        const ConsensusRow &row = open.at(round % open.size());
        const QString token = u"Q-%1-%2"_s.arg(me.name).arg(round);
        const QString value = adjudicationValue(row.consensus.field);
        QString error;
        if (!consensus.adjudicate(row.imageId, row.consensus.field, value, token, &error)) {
            log.error(u"adjudication of image %1 %2: %3"_s.arg(row.imageId).arg(row.consensus.field, error));
            return 1;
        }
        log.write({{u"kind"_s, u"adjudication"_s},
                   {u"image"_s, row.imageId},
                   {u"field"_s, row.consensus.field},
                   {u"value"_s, value},
                   {u"token"_s, token}});
    }
    log.write({{u"kind"_s, u"reads"_s}, {u"loads"_s, loads}});
    return 0;
}

/// A folder of count JPEG images whose content is new for each (round, i).
bool writeImages(const QString &dir, int round, int count, QStringList *hashes, QString *error)
{
    for (int i = 0; i < count; ++i) {
        cv::Mat image(240, 320, CV_8UC3);
        cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
        cv::putText(image, u"%1-%2"_s.arg(round).arg(i).toStdString(), {20, 120}, cv::FONT_HERSHEY_SIMPLEX, 2.0,
                    cv::Scalar(30, 60, 200), 3);
        std::vector<uchar> bytes;
        if (!cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 90})) {
            *error = u"cannot encode a JPEG"_s;
            return false;
        }
        const QByteArray data(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
        QFile file(QDir(dir).filePath(u"r%1-%2.jpg"_s.arg(round).arg(i)));
        if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size()) {
            *error = file.errorString();
            return false;
        }
        hashes->append(QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));
    }
    return true;
}

int runImport(Store &store, const User &me, Log &log, qint64 seconds)
{
    QElapsedTimer clock;
    clock.start();
    QTemporaryDir work;
    constexpr int perRound = 8;
    for (int round = 0; round == 0 || clock.elapsed() < seconds * 1000; ++round) {
        const QString dir = work.filePath(u"round-%1"_s.arg(round));
        QStringList hashes;
        QString error;
        if (!QDir().mkpath(dir) || !writeImages(dir, round, perRound, &hashes, &error)) {
            log.error(u"writing the images of round %1: %2"_s.arg(round).arg(error));
            return 1;
        }
        ImportOptions options;
        options.userId = me.id;
        options.batchSize = 3; // several transactions per folder
        const ImportReport report = ImportService(store).importPath(ImportKind::Folder, dir, options);
        if (report.failed() || report.exitCode() != 0 || report.imported != perRound) {
            log.error(u"import of round %1: exit %2, %3 of %4 imported: %5"_s.arg(round)
                          .arg(report.exitCode())
                          .arg(report.imported)
                          .arg(perRound)
                          .arg(report.error.isEmpty() ? report.summary() : report.error));
            return 1;
        }
        log.write({{u"kind"_s, u"import"_s},
                   {u"run"_s, report.runId},
                   {u"imported"_s, report.imported},
                   {u"sha256"_s, QJsonArray::fromStringList(hashes)}});
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // a team store's image cache, as the tests keep it
    QCommandLineParser parser;
    parser.addPositionalArgument(u"role"_s, u"annotator, qa or import"_s);
    parser.addOption({u"store"_s, u"The team store's URL."_s, u"url"_s});
    parser.addOption({u"user"_s, u"Who signs in (password: PGPASSWORD)."_s, u"name"_s});
    parser.addOption({u"log"_s, u"The log of what was done."_s, u"file"_s});
    parser.addOption({u"seconds"_s, u"How long to work at least."_s, u"n"_s, u"60"_s});
    parser.addOption({u"skip-note"_s, u"Leave labels whose note starts with this alone."_s, u"prefix"_s});
    parser.process(app);
    const QString role = parser.positionalArguments().value(0);
    Log log(parser.value(u"log"_s));
    if (!log.open()) {
        std::fprintf(stderr, "load_worker: cannot write the log %s\n", qPrintable(parser.value(u"log"_s)));
        return 2;
    }
    QString error;
    auto store = Store::open(parser.value(u"store"_s), Store::OpenMode::MustExist, &error);
    if (!store) {
        log.error(u"open: "_s + error);
        return 1;
    }
    const auto me = SessionService(*store).signIn(parser.value(u"user"_s), qEnvironmentVariable("PGPASSWORD"), &error);
    if (!me) {
        log.error(u"sign-in: "_s + error);
        return 1;
    }
    log.write({{u"kind"_s, u"signed-in"_s}, {u"user"_s, me->name}, {u"id"_s, me->id}});
    const qint64 seconds = parser.value(u"seconds"_s).toLongLong();
    int status = 2;
    if (role == u"annotator"_s)
        status = runAnnotator(*store, *me, log, seconds, parser.value(u"skip-note"_s));
    else if (role == u"qa"_s)
        status = runQa(*store, *me, log, seconds);
    else if (role == u"import"_s)
        status = runImport(*store, *me, log, seconds);
    else
        log.error(u"unknown role "_s + role);
    if (status == 0 && log.errors() > 0)
        status = 1;
    log.write({{u"kind"_s, u"end"_s}, {u"status"_s, status}});
    return status;
}
