// SPDX-License-Identifier: GPL-3.0-or-later
// The start of a session: the first administrator, signing in, the blinded queue, unfinished
// imports; what a session shows of images; the QA data set; the command line as administrator.
#include "annotation/AnnotationService.h"
#include "session/QaDataSet.h"
#include "session/ImageService.h"
#include "session/SessionService.h"
#include "store/AssignmentRepository.h"
#include "store/ConsensusRepository.h"
#include "store/CaseRepository.h"
#include "store/ImageRepository.h"
#include "store/SourceRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"
#include "users/UserService.h"
#include "auth/PasswordHasher.h"
#include "auth/SignInThrottle.h"

#include <QBuffer>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestSession : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void openForWritingTakesTheLock();
    void firstAdmin();
    void firstAdminIsRefusedOnceThereAreUsers();
    void signIn_data();
    void signIn();
    void everyRefusalCostsTheSame_data();
    void everyRefusalCostsTheSame();
    void olderHashUpgradedAtSignIn();
    void repeatedFailuresMakeTheNameWait();
    void signInsAreAudited();
    void annotatorSeesOnlyTheirQueue();
    void qaAndAdminSeeEveryImage_data();
    void qaAndAdminSeeEveryImage();
    void progressCountsDoneImages();
    void projectProgressForQaAndAdmins();
    void unfinishedImports();
    void usersOnlyForThoseWhoSeeAllLabels();
    void imageService();
    void qaDataSetScopes();
    void commandLineAddsUsersWithAnAuditEntry();
    void userNameAndPasswordRules();

private:
    User addUser(const QString &name, Role role, bool active = true);
    QList<qint64> addImages(int count);
    QString auditDetail(const QString &action, qint64 *userId = nullptr);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
};

void TestSession::init()
{
    // A new store per test, opened as the workstation opens one.
    m_store.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    QString error;
    m_store = SessionService::openForWriting(m_dir->filePath(u"s.dermlabel"_s), true, &error);
    QVERIFY2(m_store && m_store->isLockedForWriting(), qPrintable(error));
}

User TestSession::addUser(const QString &name, Role role, bool active)
{
    QString error;
    UserRepository users(m_store->db());
    const qint64 id = users.add(name, name.toUpper(), role, u"password"_s, &error, 1);
    if (!active)
        users.setActive(id, false, &error);
    return users.findById(id, &error).value_or(User {});
}

QList<qint64> TestSession::addImages(int count)
{
    QImage small(16, 12, QImage::Format_RGB32);
    small.fill(Qt::red);
    QByteArray jpeg;
    QBuffer buffer(&jpeg);
    buffer.open(QIODevice::WriteOnly);
    small.save(&buffer, "JPEG");
    QString error;
    ImageRepository images(m_store->db());
    QList<qint64> ids;
    for (int i = 0; i < count; ++i) {
        const ImageRecord image {.publicId = u"img-%1"_s.arg(i),
                                 .sha256 = u"%1"_s.arg(i, 64, 16, QLatin1Char('0')),
                                 .format = u"jpeg"_s,
                                 .width = 100,
                                 .height = 80,
                                 .byteSize = 1000,
                                 .thumbnail = jpeg,
                                 .thumbnailWidth = small.width(),
                                 .thumbnailHeight = small.height()};
        ids.append(images.insert(image, &error));
    }
    return ids;
}

/// The detail of the only audit entry with this action (and its user id, 0 when none).
QString TestSession::auditDetail(const QString &action, qint64 *userId)
{
    QSqlQuery query(m_store->db());
    query.prepare(u"SELECT user_id, detail FROM audit_log WHERE action = ?"_s);
    query.addBindValue(action);
    if (!query.exec() || !query.next())
        return {};
    if (userId)
        *userId = query.value(0).isNull() ? 0 : query.value(0).toLongLong();
    const QString detail = query.value(1).toString();
    return query.next() ? QString() : detail;
}

void TestSession::openForWritingTakesTheLock()
{
    const QString path = m_dir->filePath(u"new.dermlabel"_s);
    QString error;
    QVERIFY(!SessionService::openForWriting(path, false, &error)); // must exist
    QVERIFY(!error.isEmpty());
    error.clear();
    const auto created = SessionService::openForWriting(path, true, &error);
    QVERIFY2(created, qPrintable(error));
    QVERIFY(created->isLockedForWriting());
    QCOMPARE(SessionService(*created).storeName(), u"new"_s);
    QCOMPARE(SessionService(*created).storeLocation(), created->path());
    // A second session is refused while the first holds the lock.
    QVERIFY(!SessionService::openForWriting(path, false, &error));
    QVERIFY(!error.isEmpty());
}

void TestSession::firstAdmin()
{
    SessionService session(*m_store);
    QString error;
    QVERIFY(session.needsFirstAdmin(&error));
    QVERIFY(error.isEmpty());

    // Refused input leaves the store without users.
    QVERIFY(!session.createFirstAdmin(u"chief"_s, {}, u"short"_s, &error, 1));
    QVERIFY(!error.isEmpty());
    QVERIFY(session.needsFirstAdmin(&error));

    error.clear();
    const auto admin = session.createFirstAdmin(u" chief "_s, u"Dr. Chief"_s, u"long-enough"_s, &error, 1);
    QVERIFY2(admin, qPrintable(error));
    QCOMPARE(admin->name, u"chief"_s);
    QCOMPARE(admin->displayName, u"Dr. Chief"_s);
    QCOMPARE(admin->role, Role::Admin);
    QVERIFY(admin->active);
    QVERIFY(!session.needsFirstAdmin(&error));
    qint64 auditUser = -1;
    const QJsonObject detail = QJsonDocument::fromJson(auditDetail(u"user.create"_s, &auditUser).toUtf8()).object();
    QCOMPARE(auditUser, admin->id);
    QCOMPARE(detail.value(u"role"_s).toString(), u"admin"_s);
    QVERIFY(session.signIn(u"chief"_s, u"long-enough"_s, &error));
}

void TestSession::firstAdminIsRefusedOnceThereAreUsers()
{
    addUser(u"someone"_s, Role::Annotator);
    SessionService session(*m_store);
    QString error;
    QVERIFY(!session.needsFirstAdmin(&error));
    QVERIFY(!session.createFirstAdmin(u"intruder"_s, {}, u"long-enough"_s, &error, 1));
    QVERIFY(!error.isEmpty());
    QVERIFY(!UserRepository(m_store->db()).findByName(u"intruder"_s));
}

void TestSession::signIn_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("signedIn");
    QTest::newRow("right password") << u"dr.lee"_s << u"password"_s << true;
    QTest::newRow("wrong password") << u"dr.lee"_s << u"Password"_s << false;
    QTest::newRow("empty password") << u"dr.lee"_s << QString() << false;
    QTest::newRow("unknown user") << u"dr.who"_s << u"password"_s << false;
    QTest::newRow("disabled user") << u"dr.gone"_s << u"password"_s << false;
}

void TestSession::signIn()
{
    QFETCH(QString, name);
    QFETCH(QString, password);
    QFETCH(bool, signedIn);
    const User lee = addUser(u"dr.lee"_s, Role::Annotator);
    addUser(u"dr.gone"_s, Role::Annotator, false);
    QString error;
    const auto user = SessionService(*m_store).signIn(name, password, &error);
    QCOMPARE(user.has_value(), signedIn);
    if (signedIn) {
        QCOMPARE(user->id, lee.id);
        QCOMPARE(user->role, Role::Annotator);
        QVERIFY(error.isEmpty());
    } else {
        // One message for all: it does not tell which names exist.
        QCOMPARE(error, u"The user name or password is wrong, or the account is disabled."_s);
    }
}

void TestSession::everyRefusalCostsTheSame_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("password");
    QTest::newRow("wrong password") << u"dr.lee"_s << u"not-the-password"_s;
    QTest::newRow("unknown user") << u"dr.who"_s << u"not-the-password"_s;
    QTest::newRow("disabled user") << u"dr.gone"_s << u"correct-password"_s;
}

void TestSession::everyRefusalCostsTheSame()
{
    QFETCH(QString, name);
    QFETCH(QString, password);
    QString error;
    UserRepository users(m_store->db());
    // Accounts with today's hashes: a refusal must not be cheaper for a name that has none.
    QVERIFY(users.add(u"dr.lee"_s, {}, Role::Annotator, u"correct-password"_s, &error) > 0);
    const qint64 gone = users.add(u"dr.gone"_s, {}, Role::Annotator, u"correct-password"_s, &error);
    QVERIFY(users.setActive(gone, false, &error));
    const quint64 derivations = PasswordHasher::derivations();
    const quint64 iterations = PasswordHasher::derivedIterations();
    QVERIFY(!SessionService(*m_store).signIn(name, password, &error));
    QCOMPARE(PasswordHasher::derivations() - derivations, quint64(1));
    QCOMPARE(PasswordHasher::derivedIterations() - iterations, quint64(PasswordHasher::DefaultIterations));
}

void TestSession::olderHashUpgradedAtSignIn()
{
    addUser(u"dr.lee"_s, Role::Annotator); // a hash of 1 iteration, as an old store may hold
    auto storedHash = [this] {
        QSqlQuery query(m_store->db());
        query.exec(u"SELECT password_hash FROM users WHERE name = 'dr.lee'"_s);
        return query.next() ? query.value(0).toString() : QString();
    };
    QCOMPARE(PasswordHasher::iterationsOf(storedHash()), 1);
    QString error;
    QVERIFY(!SessionService(*m_store).signIn(u"dr.lee"_s, u"wrong-password"_s, &error));
    QCOMPARE(PasswordHasher::iterationsOf(storedHash()), 1); // only a right password upgrades
    QVERIFY2(SessionService(*m_store).signIn(u"dr.lee"_s, u"password"_s, &error), qPrintable(error));
    QCOMPARE(PasswordHasher::iterationsOf(storedHash()), PasswordHasher::DefaultIterations);
    QVERIFY(!storedHash().contains(u"password"_s.mid(1)));
    QVERIFY2(SessionService(*m_store).signIn(u"dr.lee"_s, u"password"_s, &error), qPrintable(error));
}

void TestSession::repeatedFailuresMakeTheNameWait()
{
    addUser(u"dr.lee"_s, Role::Annotator);
    qint64 now = 1'000'000;
    SignInThrottle &throttle = SignInThrottle::instance();
    throttle.reset();
    throttle.setClockForTesting([&now] { return now; });
    auto attempt = [this](const QString &password, QString *error) {
        return SessionService(*m_store).signIn(u"dr.lee"_s, password, error).has_value();
    };
    QString error;
    for (int i = 0; i < SignInThrottle::FreeAttempts; ++i) {
        QVERIFY(!attempt(u"guess"_s, &error));
        QVERIFY2(error.contains(u"wrong"_s), qPrintable(error));
    }
    QVERIFY(!attempt(u"guess"_s, &error)); // the fourth failure: 2 s to wait
    QVERIFY(!attempt(u"password"_s, &error)); // even the right password waits
    QVERIFY2(error.contains(u"Try again in 2 second"_s), qPrintable(error));
    // Another name is not held back by this one's failures.
    addUser(u"dr.amara"_s, Role::Annotator);
    QVERIFY(SessionService(*m_store).signIn(u"dr.amara"_s, u"password"_s, &error));
    now += 2000;
    QVERIFY(!attempt(u"guess"_s, &error)); // the fifth failure: 4 s
    now += 3000;
    QVERIFY(!attempt(u"password"_s, &error));
    QVERIFY2(error.contains(u"Try again in 1 second"_s), qPrintable(error));
    now += 1000;
    QVERIFY2(attempt(u"password"_s, &error), qPrintable(error));
    // Success clears the record: the next failures are free again.
    QVERIFY(!attempt(u"guess"_s, &error));
    QVERIFY2(error.contains(u"wrong"_s), qPrintable(error));
    QCOMPARE(throttle.secondsToWait(m_store->displayName(), u"dr.lee"_s), 0);
    throttle.setClockForTesting({});
    throttle.reset();
}

void TestSession::signInsAreAudited()
{
    const User lee = addUser(u"dr.lee"_s, Role::Annotator);
    QString error;
    QVERIFY(SessionService(*m_store).signIn(u"dr.lee"_s, u"password"_s, &error));
    qint64 userId = 0;
    QCOMPARE(auditDetail(u"sign-in"_s, &userId), u"{}"_s);
    QCOMPARE(userId, lee.id);
    QVERIFY(!SessionService(*m_store).signIn(u"dr.lee"_s, u"wrong-password"_s, &error));
    QVERIFY(!SessionService(*m_store).signIn(u"my-secret-typed-as-name"_s, u"x"_s, &error));
    QSqlQuery query(m_store->db());
    QVERIFY(query.exec(u"SELECT user_id, detail FROM audit_log WHERE action = 'sign-in-failed' ORDER BY id"_s));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toLongLong(), lee.id);
    QVERIFY(query.value(1).toString().contains(u"dr.lee"_s));
    QVERIFY(query.next());
    QVERIFY(query.value(0).isNull());
    // A name that is no account is not written down: it may be a password typed in the wrong field.
    QVERIFY(!query.value(1).toString().contains(u"my-secret"_s));
    QVERIFY(!query.next());
    SignInThrottle::instance().reset();
}

void TestSession::annotatorSeesOnlyTheirQueue()
{
    const User lee = addUser(u"dr.lee"_s, Role::Annotator);
    const User amara = addUser(u"dr.amara"_s, Role::Annotator);
    const QList<qint64> images = addImages(5);
    QString error;
    AssignmentRepository assignments(m_store->db());
    // Assignment order, not image order.
    QVERIFY(assignments.add(images[3], lee.id, &error));
    QVERIFY(assignments.add(images[1], lee.id, &error));
    QVERIFY(assignments.add(images[0], amara.id, &error));
    QVERIFY(assignments.setStatus(images[1], lee.id, AssignmentStatus::Skipped, &error));

    const auto queue = SessionService(*m_store).queue(lee, &error);
    QVERIFY2(queue, qPrintable(error));
    QCOMPARE(queue->size(), 2);
    QCOMPARE(queue->at(0).image.id, images[3]);
    QCOMPARE(queue->at(0).image.publicId, u"img-3"_s);
    QCOMPARE(queue->at(0).image.width, 100);
    QCOMPARE(queue->at(0).status, AssignmentStatus::Todo);
    QCOMPARE(queue->at(1).image.id, images[1]);
    QCOMPARE(queue->at(1).status, AssignmentStatus::Skipped);

    const auto other = SessionService(*m_store).queue(amara, &error);
    QVERIFY(other);
    QCOMPARE(other->size(), 1);
    QCOMPARE(other->first().image.id, images[0]);

    const User newcomer = addUser(u"dr.new"_s, Role::Annotator);
    const auto empty = SessionService(*m_store).queue(newcomer, &error);
    QVERIFY(empty);
    QVERIFY(empty->isEmpty());
}

void TestSession::qaAndAdminSeeEveryImage_data()
{
    QTest::addColumn<Role>("role");
    QTest::newRow("qa") << Role::Qa;
    QTest::newRow("admin") << Role::Admin;
}

void TestSession::qaAndAdminSeeEveryImage()
{
    QFETCH(Role, role);
    const User viewer = addUser(u"viewer"_s, role);
    const User lee = addUser(u"dr.lee"_s, Role::Annotator);
    const QList<qint64> images = addImages(4);
    QString error;
    QVERIFY(AssignmentRepository(m_store->db()).add(images[2], lee.id, &error));
    const auto queue = SessionService(*m_store).queue(viewer, &error);
    QVERIFY2(queue, qPrintable(error));
    QCOMPARE(queue->size(), images.size());
    for (qsizetype i = 0; i < images.size(); ++i) {
        QCOMPARE(queue->at(i).image.id, images.at(i));
        QVERIFY(queue->at(i).status.isEmpty());
    }
}

void TestSession::progressCountsDoneImages()
{
    const User lee = addUser(u"dr.lee"_s, Role::Annotator);
    const QList<qint64> images = addImages(3);
    QString error;
    AssignmentRepository assignments(m_store->db());
    for (qint64 id : images)
        QVERIFY(assignments.add(id, lee.id, &error));
    SessionService session(*m_store);
    QueueProgress progress = session.progress(lee, &error);
    QCOMPARE(progress.assigned, 3);
    QCOMPARE(progress.done, 0);
    QVERIFY(assignments.setStatus(images[0], lee.id, AssignmentStatus::Done, &error));
    QVERIFY(assignments.setStatus(images[1], lee.id, AssignmentStatus::Skipped, &error));
    progress = session.progress(lee, &error);
    QCOMPARE(progress.assigned, 3);
    QCOMPARE(progress.done, 1);
    QCOMPARE(progress.toDo(), 2);
}

void TestSession::projectProgressForQaAndAdmins()
{
    const User admin = addUser(u"admin"_s, Role::Admin);
    const User qa = addUser(u"qa.lead"_s, Role::Qa);
    const User lee = addUser(u"dr.lee"_s, Role::Annotator);
    const User amara = addUser(u"dr.amara"_s, Role::Annotator);
    const User idle = addUser(u"dr.idle"_s, Role::Annotator, false);  // disabled, never assigned: left out
    const User gone = addUser(u"dr.gone"_s, Role::Annotator);          // disabled below, after work
    const QList<qint64> images = addImages(5);
    QString error;
    AssignmentRepository assignments(m_store->db());
    // Image 0: both done (complete). Image 1: lee done, amara skipped (complete). Image 2: lee done,
    // amara to do. Image 3: gone's, in progress. Image 4: not assigned.
    for (const User &rater : {lee, amara}) {
        for (int i = 0; i < 3; ++i)
            QVERIFY(assignments.add(images[i], rater.id, &error));
    }
    QVERIFY(assignments.add(images[3], gone.id, &error));
    for (int i = 0; i < 3; ++i)
        QVERIFY(assignments.setStatus(images[i], lee.id, AssignmentStatus::Done, &error));
    QVERIFY(assignments.setStatus(images[0], amara.id, AssignmentStatus::Done, &error));
    QVERIFY(assignments.setStatus(images[1], amara.id, AssignmentStatus::Skipped, &error));
    QVERIFY(assignments.setStatus(images[3], gone.id, AssignmentStatus::InProgress, &error));
    QVERIFY(UserRepository(m_store->db()).setActive(gone.id, false, &error));

    // Image 0 waits for a QA lead on two fields (one image), image 1 was settled.
    ConsensusRepository consensus(m_store->db());
    auto field = [](const QString &name, const QString &value, ConsensusStatus status) {
        FieldConsensus f;
        f.field = name;
        f.value = value;
        f.status = status;
        f.votes = 1;
        f.ratings = 2; // a field nobody answered is not stored
        return f;
    };
    ImageConsensus open;
    open.fields = {field(u"gradable"_s, {}, ConsensusStatus::Adjudicate),
                   field(u"fitzpatrick"_s, {}, ConsensusStatus::Adjudicate),
                   field(u"monk"_s, u"5"_s, ConsensusStatus::Agreed)};
    QVERIFY2(consensus.replace(images[0], open, &error), qPrintable(error));
    ImageConsensus settled;
    settled.fields = {field(u"gradable"_s, u"yes"_s, ConsensusStatus::Adjudicated)};
    QVERIFY2(consensus.replace(images[1], settled, &error), qPrintable(error));

    SessionService session(*m_store);
    for (const User &viewer : {admin, qa}) {
        const auto progress = session.projectProgress(viewer, &error);
        QVERIFY2(progress, qPrintable(error));
        QCOMPARE(progress->images, 5);
        QCOMPARE(progress->imagesAssigned, 4);
        QCOMPARE(progress->imagesComplete, 2);
        QCOMPARE(progress->awaitingAdjudication, 1);
        QCOMPARE(progress->adjudicated, 1);
        QStringList names;
        for (const RaterProgress &rater : progress->raters)
            names.append(rater.rater.name);
        QCOMPARE(names, (QStringList {u"dr.amara"_s, u"dr.gone"_s, u"dr.lee"_s}));
        const RaterProgress &a = progress->raters.at(0), &g = progress->raters.at(1), &l = progress->raters.at(2);
        QCOMPARE(a.assigned, 3);
        QCOMPARE(a.done, 1);
        QCOMPARE(a.skipped, 1);
        QCOMPARE(a.toDo(), 1);
        QCOMPARE(g.assigned, 1);
        QCOMPARE(g.toDo(), 1);
        QVERIFY(!g.rater.active);
        QCOMPARE(l.assigned, 3);
        QCOMPARE(l.done, 3);
        QCOMPARE(l.toDo(), 0);
    }
    Q_UNUSED(idle);
    // Annotators see only their own queue, never the project's.
    error.clear();
    QVERIFY(!session.projectProgress(lee, &error));
    QVERIFY(!error.isEmpty());
}

void TestSession::unfinishedImports()
{
    SessionService session(*m_store);
    QString error;
    QVERIFY(session.unfinishedImports(&error).isEmpty());
    SourceRepository sources(m_store->db());
    SourceRecord source;
    source.kind = u"folder"_s;
    source.name = u"photos"_s;
    source.rootPath = u"/data/photos"_s;
    const qint64 sourceId = sources.findOrCreate(source, &error);
    QVERIFY2(sourceId > 0, qPrintable(error));
    const qint64 finished = sources.startRun(sourceId, &error);
    QVERIFY(sources.finishRun(finished, u"done"_s, {}, &error));
    const qint64 running = sources.startRun(sourceId, &error);
    const QList<ImportRunRecord> runs = session.unfinishedImports(&error);
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs.first().id, running);
    QCOMPARE(runs.first().kind, u"folder"_s);
    QCOMPARE(runs.first().rootPath, u"/data/photos"_s);
}

void TestSession::usersOnlyForThoseWhoSeeAllLabels()
{
    const User qa = addUser(u"qa.lead"_s, Role::Qa);
    const User lee = addUser(u"dr.lee"_s, Role::Annotator);
    SessionService session(*m_store);
    QString error;
    const auto users = session.users(qa, &error);
    QVERIFY2(users, qPrintable(error));
    QCOMPARE(users->size(), 2);
    QCOMPARE(users->at(0).name, u"dr.lee"_s);
    QCOMPARE(users->at(0).displayName, u"DR.LEE"_s);
    QVERIFY(!session.users(lee, &error));
    QVERIFY(!error.isEmpty());
}

void TestSession::imageService()
{
    const QList<qint64> images = addImages(3);
    QString error;
    ImageService service(*m_store);
    const auto image = service.find(images[1], &error);
    QVERIFY2(image, qPrintable(error));
    QCOMPARE(image->publicId, u"img-1"_s);
    QCOMPARE(service.filePath(*image), m_store->imageFilePath(image->sha256, u"jpg"_s));
    QCOMPARE(service.filePath(images[1], &error), service.filePath(*image));
    QVERIFY(!service.find(999, &error));
    QVERIFY(service.filePath(999, &error).isEmpty());
    // The stored thumbnail comes back decoded.
    QCOMPARE(service.thumbnail(images[2], &error).size(), QSize(16, 12));
    QVERIFY(service.thumbnail(999, &error).isNull());

    // The case of an image: its images in position order and what the contributor reported.
    QVERIFY(!service.caseOf(images[0], &error));
    SourceRecord source;
    source.kind = u"scin"_s;
    source.name = u"SCIN"_s;
    source.rootPath = u"/data/scin"_s;
    const qint64 sourceId = SourceRepository(m_store->db()).findOrCreate(source, &error);
    CaseRepository cases(m_store->db());
    CaseMetadata metadata;
    metadata.sex = u"FEMALE"_s;
    const qint64 caseId = cases.insert(sourceId, u"c1"_s, u"case-1"_s, metadata, &error);
    QVERIFY2(caseId > 0, qPrintable(error));
    QVERIFY(cases.linkImage(caseId, images[2], 2, {}, &error));
    QVERIFY(cases.linkImage(caseId, images[0], 1, {}, &error));
    const auto context = service.caseOf(images[2], &error);
    QVERIFY2(context, qPrintable(error));
    QCOMPARE(context->caseId, caseId);
    QCOMPARE(context->imageIds, (QList<qint64> {images[0], images[2]}));
    QCOMPARE(context->metadata.sex, u"FEMALE"_s);
    QVERIFY(!service.caseOf(images[1], &error));
}

void TestSession::qaDataSetScopes()
{
    const User admin = addUser(u"admin"_s, Role::Admin);
    const User qa = addUser(u"qa.lead"_s, Role::Qa);
    const User lee = addUser(u"dr.lee"_s, Role::Annotator);
    const User amara = addUser(u"dr.amara"_s, Role::Annotator);
    const QList<qint64> images = addImages(2);
    QString error;
    AssignmentRepository assignments(m_store->db());
    for (const User &rater : {lee, amara}) {
        for (qint64 image : images) {
            QVERIFY(assignments.add(image, rater.id, &error));
            AnnotationService service(*m_store, rater);
            auto annotation = service.own(image, &error);
            QVERIFY2(annotation, qPrintable(error));
            annotation->gradable = true;
            annotation->fitzpatrick = rater.id == lee.id ? u"2"_s : u"3"_s;
            QVERIFY2(service.save(*annotation, &error), qPrintable(error));
        }
    }

    // The command line's scope: ratings and agreement, with the strata asked for.
    const QaDataSet agreement =
        QaDataSet::load(*m_store, admin, {}, {u"fitzpatrick"_s}, QaDataSet::Scope::Agreement);
    QVERIFY2(agreement.ok(), qPrintable(agreement.error));
    const RatingTable *fitzpatrick = agreement.table(u"fitzpatrick"_s);
    QVERIFY(fitzpatrick);
    QVERIFY(agreement.fieldAgreement(u"fitzpatrick"_s));
    QVERIFY(agreement.stratum(u"fitzpatrick"_s));
    QVERIFY(!agreement.stratum(QaDataSet::timeStratum()));
    QVERIFY(agreement.displayNames.isEmpty());
    QVERIFY(agreement.raters.isEmpty());

    // The dashboard's: the same agreement, and the rest of what it shows.
    const QaDataSet dashboard = QaDataSet::load(*m_store, qa);
    QVERIFY2(dashboard.ok(), qPrintable(dashboard.error));
    QCOMPARE(dashboard.table(u"fitzpatrick"_s)->items(), fitzpatrick->items());
    QVERIFY(dashboard.stratum(QaDataSet::timeStratum()));
    QVERIFY(!dashboard.stratum(u"fitzpatrick"_s));
    QCOMPARE(dashboard.raterLabel(u"dr.lee"_s), u"DR.LEE"_s);
    QCOMPARE(dashboard.raters.size(), 2);

    // Blinding: an annotator reads no one's ratings.
    const QaDataSet refused = QaDataSet::load(*m_store, lee, {}, {}, QaDataSet::Scope::Agreement);
    QVERIFY(!refused.ok());
    QVERIFY(refused.ratings.fields.isEmpty());
}

void TestSession::commandLineAddsUsersWithAnAuditEntry()
{
    const User commandLine = User::commandLine();
    QVERIFY(commandLine.isCommandLine());
    QCOMPARE(commandLine.role, Role::Admin);
    QVERIFY(!commandLine.displayName.isEmpty());
    User impostor = commandLine;
    impostor.id = 7; // an account of the store with that name is no command line
    QVERIFY(!impostor.isCommandLine());

    QString error;
    const auto added = UserService(*m_store, commandLine).add(u"dr.lee"_s, {}, Role::Annotator, u"password-10"_s, &error, 1);
    QVERIFY2(added, qPrintable(error));
    qint64 auditUser = -1;
    const QJsonObject detail = QJsonDocument::fromJson(auditDetail(u"add_user"_s, &auditUser).toUtf8()).object();
    QCOMPARE(auditUser, 0);
    QCOMPARE(detail.value(u"name"_s).toString(), u"dr.lee"_s);
    QCOMPARE(detail.value(u"os_user"_s).toString(), commandLine.displayName);

    // A disabled command-line actor is refused like any other.
    User disabled = commandLine;
    disabled.active = false;
    QVERIFY(!UserService(*m_store, disabled).add(u"dr.amara"_s, {}, Role::Annotator, u"password-10"_s, &error, 1));
    // A signed-in admin's entries carry no command-line details.
    const User admin = addUser(u"admin"_s, Role::Admin);
    QVERIFY(UserService(*m_store, admin).add(u"dr.amara"_s, {}, Role::Annotator, u"password-10"_s, &error, 1));
    QSqlQuery query(m_store->db());
    QVERIFY(query.exec(u"SELECT user_id, detail FROM audit_log WHERE action = 'add_user' ORDER BY id DESC"_s));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toLongLong(), admin.id);
    QVERIFY(!QJsonDocument::fromJson(query.value(1).toByteArray()).object().contains(u"os_user"_s));
}

void TestSession::userNameAndPasswordRules()
{
    QString error;
    QVERIFY(UserService::isValidName(u"dr.lee-2_b"_s, &error));
    QVERIFY(!UserService::isValidName(u"dr lee"_s, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!UserService::isValidName(QString(65, u'a'), &error));
    QCOMPARE(UserService::minimumPasswordLength(), 10);
    QVERIFY(!UserService::checkNewPassword(u"nine-char"_s, &error));
    QVERIFY2(error.contains(u"10"_s), qPrintable(error));
    QVERIFY(UserService::checkNewPassword(u"ten-chars!"_s, &error));
}

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
