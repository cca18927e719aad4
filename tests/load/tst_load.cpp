// SPDX-License-Identifier: GPL-3.0-or-later
// Load test of a team store: three annotator processes and a QA process
// (load_worker) sign in as their roles and work through core against one
// server for at least 60 seconds (DERMLABEL_LOAD_SECONDS) while a fifth
// process imports generated images. Each logs every operation it reported as
// successful. Afterwards, whatever the timing was:
// - every reported label save is in the audit log exactly once, and each
//   rater's stored labels are the values of their last reported save;
//   every reported mask version is stored exactly once with its content, and
//   no unreported one;
// - every reported adjudication is recorded exactly once and the latest of
//   each field is the one stored;
// - no annotator read another rater's rows: their connections return their
//   own rows only (checked by each worker after each save and here again);
// - no error reached a user: every process exits 0 and logs no error;
// - every import finished, complete.
#include "PostgresTestServer.h"
#include "TeamStoreFixture.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "qa/ConsensusService.h"
#include "qa/StaleConsensus.h"
#include "store/ImageRepository.h"
#include "store/Sql.h"
#include "store/Store.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QScopeGuard>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestLoad : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void raterAndQaWorkWhileAnImportRuns();

private:
    struct Worker
    {
        QString role;
        User user;
        QString log;
        std::unique_ptr<QProcess> process;
        QList<QJsonObject> lines;
    };
    static QList<QJsonObject> readLog(const QString &path);
    qint64 count(const QString &sql, const QVariantList &binds = {});

    PostgresTestServer m_pg {u"load"_s};
    TeamStoreFixture m_team {m_pg, u"load"_s};
    QTemporaryDir m_dir;
    User m_admin, m_qa;
    QList<User> m_raters;
    QList<qint64> m_images;
    qint64 m_seedImage = -1;
};

static const QString seedNote = u"seed-"_s;
static constexpr int imageCount = 12;

void TestLoad::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    if (PostgresTestServer::disabled())
        QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY2(m_team.setUp(&error), qPrintable(error));
    const auto admin = m_team.addUser(u"load.admin"_s, Role::Admin, &error);
    QVERIFY2(admin, qPrintable(error));
    m_admin = *admin;
    const auto qa = m_team.addUser(u"load.qa"_s, Role::Qa, &error);
    QVERIFY2(qa, qPrintable(error));
    m_qa = *qa;
    for (int r = 0; r < 3; ++r) {
        const auto rater = m_team.addUser(u"load.rater%1"_s.arg(r), Role::Annotator, &error);
        QVERIFY2(rater, qPrintable(error));
        m_raters.append(*rater);
    }
    ImageRepository images(m_team.owner().db());
    for (int i = 0; i < imageCount; ++i) {
        ImageRecord record;
        record.publicId = u"img-load-%1"_s.arg(i);
        record.sha256 = u"%1"_s.arg(i + 1, 64, 16, QLatin1Char('0'));
        record.format = u"jpeg"_s;
        record.width = 64;
        record.height = 48;
        record.byteSize = 1000;
        const qint64 id = images.insert(record, &error);
        QVERIFY2(id > 0, qPrintable(error));
        m_images.append(id);
    }
    QVERIFY2(AssignmentService(m_team.owner(), m_admin).assign({}, 3, &error), qPrintable(error));
    // One image the raters disagree on from the start, and leave alone: the QA
    // lead always has a field to adjudicate.
    m_seedImage = m_images.first();
    for (int r = 0; r < m_raters.size(); ++r) {
        auto session = m_team.signIn(m_raters.at(r), &error);
        QVERIFY2(session, qPrintable(error));
        AnnotationService service(*session, m_raters.at(r));
        auto a = service.own(m_seedImage, &error);
        QVERIFY2(a, qPrintable(error));
        a->gradable = true;
        a->visibleCondition = u"yes"_s;
        a->sensitive = false;
        a->diagnoses = {{u"psoriasis"_s, 3}};
        a->fitzpatrick = QString::number(r + 1);
        a->monk = QString::number(r + 4);
        a->note = seedNote + QString::number(r);
        QVERIFY2(service.save(*a, &error), qPrintable(error));
    }
    // So the QA lead's first look finds a field to adjudicate, whatever the raters do meanwhile.
    auto qaSession = m_team.signIn(m_qa, &error);
    QVERIFY2(qaSession, qPrintable(error));
    QVERIFY2(StaleConsensus::recompute(*qaSession, &error), qPrintable(error));
    const auto rows = ConsensusService(*qaSession, m_qa).forImage(m_seedImage, &error);
    QVERIFY2(rows, qPrintable(error));
    QVERIFY(std::any_of(rows->begin(), rows->end(), [](const ConsensusRow &row) {
        return row.consensus.field == u"fitzpatrick_type"_s && row.consensus.status == ConsensusStatus::Adjudicate;
    }));
}

void TestLoad::cleanupTestCase()
{
    m_team.tearDown();
}

qint64 TestLoad::count(const QString &sql, const QVariantList &binds)
{
    QString error;
    const auto value = Sql::scalar(m_team.owner().db(), sql, binds, &error);
    if (!value)
        qWarning("%s: %s", qPrintable(sql), qPrintable(error));
    return value ? value->toLongLong() : -1;
}

QList<QJsonObject> TestLoad::readLog(const QString &path)
{
    QList<QJsonObject> lines;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return lines;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (!line.isEmpty())
            lines.append(QJsonDocument::fromJson(line).object());
    }
    return lines;
}

void TestLoad::raterAndQaWorkWhileAnImportRuns()
{
    const int seconds = qEnvironmentVariableIsSet("DERMLABEL_LOAD_SECONDS")
        ? qEnvironmentVariableIntValue("DERMLABEL_LOAD_SECONDS")
        : 60;
    std::vector<Worker> workers;
    for (const User &rater : std::as_const(m_raters))
        workers.push_back({u"annotator"_s, rater, {}, {}, {}});
    workers.push_back({u"qa"_s, m_qa, {}, {}, {}});
    workers.push_back({u"import"_s, m_admin, {}, {}, {}});

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"PGPASSWORD"_s, TeamStoreFixture::password());
    for (Worker &w : workers) {
        w.log = m_dir.filePath(w.user.name + u".log"_s);
        w.process = std::make_unique<QProcess>();
        w.process->setProcessEnvironment(environment);
        w.process->setProcessChannelMode(QProcess::ForwardedOutputChannel);
        // Each signs in with its own login: the URL names the user, the
        // password comes from PGPASSWORD, as libpq reads it.
        const QString url = m_team.location().withCredentials(w.user.name, {}).toString();
        QStringList arguments {w.role, u"--store"_s, url, u"--user"_s, w.user.name, u"--log"_s, w.log,
                               u"--seconds"_s, QString::number(seconds)};
        if (w.role == u"annotator"_s)
            arguments << u"--skip-note"_s << seedNote;
        w.process->start(QStringLiteral(DERMLABEL_LOAD_WORKER), arguments);
    }
    // Should a check below fail early, no worker outlives the test.
    const auto stopAll = qScopeGuard([&] {
        for (Worker &w : workers) {
            if (w.process && w.process->state() != QProcess::NotRunning) {
                w.process->kill();
                w.process->waitForFinished();
            }
        }
    });
    for (Worker &w : workers) {
        QVERIFY2(w.process->waitForStarted(), qPrintable(w.process->errorString()));
    }
    // A bound on a hung worker only; the outcome does not depend on it.
    for (Worker &w : workers) {
        const bool finished = w.process->waitForFinished((seconds + 300) * 1000);
        if (!finished) {
            w.process->kill();
            w.process->waitForFinished();
        }
        w.lines = readLog(w.log);
        QStringList errors;
        for (const QJsonObject &line : std::as_const(w.lines))
            if (line.value(u"kind"_s).toString() == u"error"_s)
                errors.append(line.value(u"message"_s).toString());
        QVERIFY2(finished, qPrintable(u"%1 did not finish"_s.arg(w.user.name)));
        QVERIFY2(errors.isEmpty(), qPrintable(u"%1: %2"_s.arg(w.user.name, errors.join(u"\n"_s))));
        QCOMPARE(w.process->exitStatus(), QProcess::NormalExit);
        QCOMPARE(w.process->exitCode(), 0);
        QVERIFY(!w.lines.isEmpty());
        QCOMPARE(w.lines.first().value(u"kind"_s).toString(), u"signed-in"_s);
        QCOMPARE(w.lines.first().value(u"id"_s).toInteger(), w.user.id);
        QCOMPARE(w.lines.last().value(u"kind"_s).toString(), u"end"_s);
    }

    // The audit log, as its owner reads it: the tokens of the label saves and
    // of the adjudications, counted.
    QHash<QString, int> labelTokens, adjudicationTokens;
    QString error;
    QVERIFY2(Sql::forEachRow(m_team.owner().db(), u"SELECT action, detail FROM audit_log"_s, {}, &error,
                             [&](const QSqlQuery &row) {
                                 const QString action = row.value(0).toString();
                                 const QJsonObject detail = QJsonDocument::fromJson(row.value(1).toString().toUtf8()).object();
                                 if (action.startsWith(u"annotation."_s)) {
                                     const QString to = detail.value(u"changes"_s).toObject().value(u"note"_s)
                                                            .toObject().value(u"to"_s).toString();
                                     if (!to.isEmpty())
                                         ++labelTokens[to];
                                 } else if (action == u"consensus.adjudicate"_s) {
                                     ++adjudicationTokens[detail.value(u"reason"_s).toString()];
                                 }
                             }),
             qPrintable(error));

    // Labels and masks of each annotator.
    qsizetype labelSaves = 0, maskSaves = 0;
    for (int r = 0; r < m_raters.size(); ++r) {
        const Worker &w = workers.at(size_t(r));
        const User &rater = m_raters.at(r);
        QHash<qint64, QJsonObject> last; // image -> the last reported save
        qsizetype reported = 0, masks = 0, reads = 0;
        for (const QJsonObject &line : std::as_const(w.lines)) {
            const QString kind = line.value(u"kind"_s).toString();
            if (kind == u"label"_s) {
                const QString token = line.value(u"token"_s).toString();
                QVERIFY2(labelTokens.value(token) == 1,
                         qPrintable(u"save %1 recorded %2 times"_s.arg(token).arg(labelTokens.value(token))));
                QVERIFY(m_images.contains(line.value(u"image"_s).toInteger()));
                QVERIFY(line.value(u"image"_s).toInteger() != m_seedImage);
                last.insert(line.value(u"image"_s).toInteger(), line);
                ++reported;
            } else if (kind == u"mask"_s) {
                const qint64 image = line.value(u"image"_s).toInteger();
                QString dataError;
                const auto data = Sql::scalar(
                    m_team.owner().db(),
                    u"SELECT m.data FROM masks m JOIN annotations a ON a.id = m.annotation_id"
                    " WHERE a.image_id = ? AND a.user_id = ? AND m.layer = ? AND m.version = ?"_s,
                    {image, rater.id, line.value(u"layer"_s).toString(), line.value(u"version"_s).toInt()}, &dataError);
                QVERIFY2(data, qPrintable(u"mask %1 v%2 of image %3 missing %4"_s.arg(line.value(u"layer"_s).toString())
                                              .arg(line.value(u"version"_s).toInt())
                                              .arg(image)
                                              .arg(dataError)));
                QCOMPARE(QString::fromLatin1(
                             QCryptographicHash::hash(data->toByteArray(), QCryptographicHash::Sha256).toHex()),
                         line.value(u"sha256"_s).toString());
                ++masks;
            } else if (kind == u"reads"_s) {
                reads = line.value(u"checks"_s).toInteger();
            }
        }
        QVERIFY2(reported > 0, qPrintable(rater.name));
        QVERIFY(reads > 0);
        // No save stored that was not reported (the seed label aside).
        QCOMPARE(count(u"SELECT COUNT(*) FROM audit_log WHERE user_id = ? AND action LIKE 'annotation.%'"_s, {rater.id}),
                 reported + 1);
        // Exactly the reported mask versions, no other.
        QCOMPARE(count(u"SELECT COUNT(*) FROM masks m JOIN annotations a ON a.id = m.annotation_id WHERE a.user_id = ?"_s,
                       {rater.id}),
                 masks);
        // The stored labels are those of the last reported save of each image.
        for (auto it = last.constBegin(); it != last.constEnd(); ++it) {
            const QJsonObject &save = it.value();
            QStringList stored;
            QVERIFY2(Sql::forEachRow(m_team.owner().db(),
                                     u"SELECT a.note, a.fitzpatrick, a.monk, a.visible_condition, a.sensitive,"
                                     " d.condition_id, d.confidence FROM annotations a"
                                     " JOIN annotation_diagnoses d ON d.annotation_id = a.id"
                                     " WHERE a.image_id = ? AND a.user_id = ? ORDER BY d.position"_s,
                                     {it.key(), rater.id}, &error,
                                     [&](const QSqlQuery &row) {
                                         QStringList values;
                                         for (int c = 0; c < 7; ++c)
                                             values.append(row.value(c).toString());
                                         stored.append(values.join(u'|'));
                                     }),
                     qPrintable(error));
            const QString expected = QStringList {save.value(u"token"_s).toString(),
                                                  save.value(u"fitzpatrick"_s).toString(),
                                                  save.value(u"monk"_s).toString(),
                                                  save.value(u"visible_condition"_s).toString(),
                                                  save.value(u"sensitive"_s).toBool() ? u"1"_s : u"0"_s,
                                                  save.value(u"condition"_s).toString(),
                                                  QString::number(save.value(u"confidence"_s).toInt())}
                                         .join(u'|');
            QCOMPARE(stored, QStringList {expected});
        }
        labelSaves += reported;
        maskSaves += masks;
    }
    QCOMPARE(qsizetype(labelTokens.size()), labelSaves + m_raters.size()); // and the seed labels

    // Blinding, looked at again after the run: what each annotator's own
    // connection can return is theirs alone.
    for (const User &rater : std::as_const(m_raters)) {
        auto session = m_team.signIn(rater, &error);
        QVERIFY2(session, qPrintable(error));
        // What the rater's connection returns: a count, or 0 for a table the
        // server refuses to the role altogether; -1 for another failure.
        auto own = [&](const QString &sql) -> qint64 {
            QSqlQuery query(session->db());
            query.prepare(sql);
            query.addBindValue(rater.id);
            if (!query.exec())
                return query.lastError().nativeErrorCode() == u"42501"_s ? 0 : -1;
            return query.next() ? query.value(0).toLongLong() : -1;
        };
        QVERIFY(own(u"SELECT COUNT(*) FROM annotations WHERE user_id = ?"_s) > 0);
        QCOMPARE(own(u"SELECT COUNT(*) FROM annotations WHERE user_id <> ?"_s), 0);
        QCOMPARE(own(u"SELECT COUNT(*) FROM annotation_diagnoses WHERE annotation_id NOT IN"
                     " (SELECT id FROM annotations WHERE user_id = ?)"_s),
                 0);
        QCOMPARE(own(u"SELECT COUNT(*) FROM masks WHERE annotation_id NOT IN"
                     " (SELECT id FROM annotations WHERE user_id = ?)"_s),
                 0);
        for (const QString &table : {u"audit_log"_s, u"consensus"_s, u"consensus_diagnoses"_s, u"adjudications"_s})
            QCOMPARE(own(u"SELECT COUNT(*) + 0 * ? FROM "_s + table), 0);
        // While the server holds everyone's labels.
        QVERIFY(count(u"SELECT COUNT(*) FROM annotations WHERE user_id <> ?"_s, {rater.id}) > 0);
    }

    // Adjudications.
    const Worker &qa = workers.at(3);
    QHash<QPair<qint64, QString>, QJsonObject> lastDecision;
    qsizetype adjudications = 0;
    for (const QJsonObject &line : std::as_const(qa.lines)) {
        if (line.value(u"kind"_s).toString() != u"adjudication"_s)
            continue;
        const QString token = line.value(u"token"_s).toString();
        QVERIFY2(adjudicationTokens.value(token) == 1,
                 qPrintable(u"adjudication %1 recorded %2 times"_s.arg(token).arg(adjudicationTokens.value(token))));
        lastDecision.insert({line.value(u"image"_s).toInteger(), line.value(u"field"_s).toString()}, line);
        ++adjudications;
    }
    // The seed image was open from the start.
    QVERIFY(adjudications > 0);
    QCOMPARE(qsizetype(adjudicationTokens.size()), adjudications);
    QCOMPARE(count(u"SELECT COUNT(*) FROM adjudications"_s), qint64(lastDecision.size()));
    for (auto it = lastDecision.constBegin(); it != lastDecision.constEnd(); ++it) {
        QString stored;
        QVERIFY2(Sql::forEachRow(m_team.owner().db(),
                                 u"SELECT value, reason, user_id FROM adjudications WHERE image_id = ? AND field = ?"_s,
                                 {it.key().first, it.key().second}, &error,
                                 [&](const QSqlQuery &row) {
                                     stored = u"%1|%2|%3"_s.arg(row.value(0).toString(), row.value(1).toString())
                                                  .arg(row.value(2).toLongLong());
                                 }),
                 qPrintable(error));
        QCOMPARE(stored, u"%1|%2|%3"_s.arg(it.value().value(u"value"_s).toString(), it.value().value(u"token"_s).toString())
                             .arg(m_qa.id));
    }

    // The imports: every run done, every image of it in the store once.
    qsizetype imported = 0, runs = 0;
    for (const QJsonObject &line : std::as_const(workers.at(4).lines)) {
        if (line.value(u"kind"_s).toString() != u"import"_s)
            continue;
        ++runs;
        QCOMPARE(count(u"SELECT COUNT(*) FROM import_runs WHERE id = ? AND status = 'done' AND finished_at IS NOT NULL"_s,
                       {line.value(u"run"_s).toInteger()}),
                 1);
        const QJsonArray hashes = line.value(u"sha256"_s).toArray();
        QCOMPARE(hashes.size(), line.value(u"imported"_s).toInt());
        for (const QJsonValue &hash : hashes)
            QCOMPARE(count(u"SELECT COUNT(*) FROM images WHERE sha256 = ?"_s, {hash.toString()}), 1);
        imported += hashes.size();
    }
    QVERIFY(runs > 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM import_runs WHERE status <> 'done'"_s), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM images"_s), qint64(imageCount + imported));
    qInfo("%lld label saves, %lld mask saves, %lld adjudications, %lld images imported in %lld runs, in %d s",
          qlonglong(labelSaves), qlonglong(maskSaves), qlonglong(adjudications), qlonglong(imported), qlonglong(runs),
          seconds);
}

QTEST_GUILESS_MAIN(TestLoad)
#include "tst_load.moc"
