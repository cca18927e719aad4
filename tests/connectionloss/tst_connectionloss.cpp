// SPDX-License-Identifier: GPL-3.0-or-later
// A team store whose connection the server drops (here: its session is
// terminated from an admin connection, as a server restart or a network
// failure would end it). The operation that meets the loss fails with a
// message that says so, never with a wrong result; the next operation
// connects again, as the same user, and works.
#include "PostgresTestServer.h"
#include "TeamStoreFixture.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "masks/MaskService.h"
#include "store/ImageRepository.h"
#include "store/PostgresServer.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/Transaction.h"

#include <QStandardPaths>
#include <QTest>
#include <QThread>

#include <opencv2/core.hpp>

using namespace Qt::StringLiterals;
using namespace dl;

class TestConnectionLoss : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void saveAfterTheSessionEndedFailsClearlyThenTheNextWorks();
    void brokenTransactionIsNotContinuedOnANewSession();
    void workerThreadConnectsAgainToo();
    void refusedReconnectFailsClearlyUntilTheServerLetsItIn();

private:
    /// Ends the server session behind store's connection of this thread, and
    /// waits until it has ended.
    void terminate(Store &store);
    qint64 backendPid(Store &store);
    QString storedFitzpatrick(qint64 image, qint64 user);

    PostgresTestServer m_pg {u"connectionloss"_s};
    TeamStoreFixture m_team {m_pg, u"loss"_s};
    User m_rater, m_locked;
    qint64 m_image = 0;
};

#define REQUIRE_SERVER()                                                                                              \
    do {                                                                                                              \
        if (PostgresTestServer::disabled())                                                                           \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QVERIFY2(m_image > 0, "the team store was not set up");                                                      \
    } while (false)

void TestConnectionLoss::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    if (PostgresTestServer::disabled())
        return;
    QString error;
    QVERIFY2(m_team.setUp(&error), qPrintable(error));
    const auto admin = m_team.addUser(u"loss.admin"_s, Role::Admin, &error);
    QVERIFY2(admin, qPrintable(error));
    const auto rater = m_team.addUser(u"loss.rater"_s, Role::Annotator, &error);
    QVERIFY2(rater, qPrintable(error));
    m_rater = *rater;
    const auto locked = m_team.addUser(u"loss.locked"_s, Role::Annotator, &error);
    QVERIFY2(locked, qPrintable(error));
    m_locked = *locked;
    ImageRecord record;
    record.publicId = u"img-loss"_s;
    record.sha256 = QString(64, u'a');
    record.format = u"jpeg"_s;
    record.width = 40;
    record.height = 30;
    record.byteSize = 1000;
    m_image = ImageRepository(m_team.owner().db()).insert(record, &error);
    QVERIFY2(m_image > 0, qPrintable(error));
    QVERIFY2(AssignmentService(m_team.owner(), *admin).assign({}, 2, &error), qPrintable(error));
}

void TestConnectionLoss::cleanupTestCase()
{
    m_team.tearDown();
}

qint64 TestConnectionLoss::backendPid(Store &store)
{
    QString error;
    const auto pid = Sql::scalar(store.db(), u"SELECT pg_backend_pid()"_s, {}, &error);
    return pid ? pid->toLongLong() : -1;
}

void TestConnectionLoss::terminate(Store &store)
{
    const qint64 pid = backendPid(store);
    QVERIFY(pid > 0);
    QString error;
    // With a timeout the server answers once the session has ended.
    const auto ended = Sql::scalar(m_team.owner().db(), u"SELECT pg_terminate_backend(?, 30000)"_s, {pid}, &error);
    QVERIFY2(ended && ended->toBool(), qPrintable(error));
}

QString TestConnectionLoss::storedFitzpatrick(qint64 image, qint64 user)
{
    QString error;
    const auto value = Sql::scalar(m_team.owner().db(),
                                   u"SELECT fitzpatrick FROM annotations WHERE image_id = ? AND user_id = ?"_s,
                                   {image, user}, &error);
    return value ? value->toString() : u"(none: %1)"_s.arg(error);
}

static Annotation labels(qint64 image, const User &rater, const QString &fitzpatrick)
{
    Annotation a;
    a.imageId = image;
    a.userId = rater.id;
    a.gradable = true;
    a.visibleCondition = u"yes"_s;
    a.sensitive = false;
    a.diagnoses = {{u"psoriasis"_s, 4}};
    a.fitzpatrick = fitzpatrick;
    a.monk = u"5"_s;
    return a;
}

void TestConnectionLoss::saveAfterTheSessionEndedFailsClearlyThenTheNextWorks()
{
    REQUIRE_SERVER();
    QString error;
    auto session = m_team.signIn(m_rater, &error);
    QVERIFY2(session, qPrintable(error));
    AnnotationService service(*session, m_rater);
    Annotation first = labels(m_image, m_rater, u"2"_s);
    QVERIFY2(service.save(first, &error), qPrintable(error));
    QCOMPARE(storedFitzpatrick(m_image, m_rater.id), u"2"_s);
    const qint64 before = backendPid(*session);

    terminate(*session);
    // The save that meets the loss says so, and nothing of it is stored.
    Annotation second = labels(m_image, m_rater, u"5"_s);
    second.version = first.version; // based on the stored row
    error.clear();
    QVERIFY(!service.save(second, &error));
    QCOMPARE(error, PostgresServer::connectionLostMessage());
    QCOMPARE(storedFitzpatrick(m_image, m_rater.id), u"2"_s);

    // The next one connects again, as the same user with the same settings.
    error.clear();
    QVERIFY2(service.save(second, &error), qPrintable(error));
    QCOMPARE(storedFitzpatrick(m_image, m_rater.id), u"5"_s);
    const qint64 after = backendPid(*session);
    QVERIFY(after > 0);
    QVERIFY(after != before);
    QCOMPARE(Sql::scalar(session->db(), u"SELECT session_user"_s, {}, &error)->toString(), m_rater.name);
    QCOMPARE(Sql::scalar(session->db(), u"SELECT current_setting('client_min_messages')"_s, {}, &error)->toString(), u"warning"_s);
    // And reads are right again: the rater's own label, nobody else's.
    const auto own = service.own(m_image, &error);
    QVERIFY2(own, qPrintable(error));
    QCOMPARE(own->fitzpatrick, u"5"_s);

    // A read that meets the loss fails too (an error, not an empty answer).
    terminate(*session);
    error.clear();
    QVERIFY(!service.own(m_image, &error));
    QCOMPARE(error, PostgresServer::connectionLostMessage());
    const auto again = service.own(m_image, &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->fitzpatrick, u"5"_s);
}

void TestConnectionLoss::brokenTransactionIsNotContinuedOnANewSession()
{
    REQUIRE_SERVER();
    QString error;
    auto session = m_team.signIn(m_rater, &error);
    QVERIFY2(session, qPrintable(error));
    {
        Transaction tx(session->db());
        QVERIFY2(tx.isActive(), qPrintable(tx.error()));
        terminate(*session);
        QVERIFY(!Sql::exec(session->db(), u"SELECT 1"_s, {}, &error));
        QCOMPARE(error, PostgresServer::connectionLostMessage());
        // Still inside the transaction the loss broke: the rest of it fails
        // as well rather than running outside a transaction on a new session.
        QVERIFY(Transaction::isOpenOn(session->db()));
        error.clear();
        QVERIFY(!Sql::exec(session->db(), u"SELECT 1"_s, {}, &error));
        QCOMPARE(error, PostgresServer::connectionLostMessage());
        QVERIFY(!tx.commit());
        QCOMPARE(tx.error(), PostgresServer::connectionLostMessage());
    }
    QVERIFY(!Transaction::isOpenOn(session->db()));
    QVERIFY2(Sql::exec(session->db(), u"SELECT 1"_s, {}, &error), qPrintable(error));
    // A transaction that begins on a lost connection says so as well.
    terminate(*session);
    {
        // db() cannot know yet: the loss shows when the connection is used.
        Transaction tx(session->db());
        QVERIFY(!tx.isActive());
        QCOMPARE(tx.error(), PostgresServer::connectionLostMessage());
    }
    Transaction tx(session->db());
    QVERIFY2(tx.isActive(), qPrintable(tx.error()));
    QVERIFY(tx.commit());
}

void TestConnectionLoss::workerThreadConnectsAgainToo()
{
    REQUIRE_SERVER();
    QString error;
    auto session = m_team.signIn(m_rater, &error);
    QVERIFY2(session, qPrintable(error));
    const auto size = MaskService(*session, m_rater).displayedSize(m_image, &error);
    QVERIFY2(size, qPrintable(error));
    // Mask saves run on a worker thread that keeps a connection of its own.
    QThread worker;
    auto *context = new QObject;
    context->moveToThread(&worker);
    connect(&worker, &QThread::finished, context, &QObject::deleteLater);
    worker.start();
    auto onWorker = [&](const std::function<void()> &work) {
        QMetaObject::invokeMethod(context, work, Qt::BlockingQueuedConnection);
    };
    auto save = [&](int x, QString *saveError) {
        bool saved = false;
        onWorker([&] {
            cv::Mat mask(size->height(), size->width(), CV_8UC1, cv::Scalar(0));
            mask(cv::Rect(x, 1, 5, 5)).setTo(255);
            saved = MaskService(*session, m_rater)
                        .saveMasks(m_image, *size, {{u"condition:psoriasis"_s, mask}}, saveError)
                        .has_value();
        });
        return saved;
    };
    QVERIFY2(save(1, &error), qPrintable(error));
    qint64 pid = -1;
    onWorker([&] { pid = backendPid(*session); });
    QVERIFY(pid > 0);
    QVERIFY(pid != backendPid(*session));
    const auto ended = Sql::scalar(m_team.owner().db(), u"SELECT pg_terminate_backend(?, 30000)"_s, {pid}, &error);
    QVERIFY2(ended && ended->toBool(), qPrintable(error));

    error.clear();
    QVERIFY(!save(10, &error));
    QCOMPARE(error, PostgresServer::connectionLostMessage());
    error.clear();
    QVERIFY2(save(10, &error), qPrintable(error));
    qint64 newPid = -1;
    onWorker([&] { newPid = backendPid(*session); });
    QVERIFY(newPid > 0 && newPid != pid);
    worker.quit();
    worker.wait();
}

void TestConnectionLoss::refusedReconnectFailsClearlyUntilTheServerLetsItIn()
{
    REQUIRE_SERVER();
    QString error;
    auto session = m_team.signIn(m_locked, &error);
    QVERIFY2(session, qPrintable(error));
    AnnotationService service(*session, m_locked);
    Annotation a = labels(m_image, m_locked, u"1"_s);
    QVERIFY2(service.save(a, &error), qPrintable(error));

    // The server ends the session and, for now, refuses the login.
    const QString role = PostgresServer::quoteIdentifier(m_locked.name);
    QVERIFY2(m_pg.admin({u"ALTER ROLE %1 NOLOGIN"_s.arg(role)}, &error), qPrintable(error));
    terminate(*session);
    const int stored = a.version;
    a = labels(m_image, m_locked, u"6"_s);
    a.version = stored;
    error.clear();
    QVERIFY(!service.save(a, &error));
    QCOMPARE(error, PostgresServer::connectionLostMessage());
    // Connecting again is refused: each step says the connection is lost.
    error.clear();
    QVERIFY(!service.save(a, &error));
    QCOMPARE(error, PostgresServer::connectionLostMessage());
    error.clear();
    QVERIFY(!service.own(m_image, &error));
    QCOMPARE(error, PostgresServer::connectionLostMessage());
    QCOMPARE(storedFitzpatrick(m_image, m_locked.id), u"1"_s);

    QVERIFY2(m_pg.admin({u"ALTER ROLE %1 LOGIN"_s.arg(role)}, &error), qPrintable(error));
    error.clear();
    QVERIFY2(service.save(a, &error), qPrintable(error));
    QCOMPARE(storedFitzpatrick(m_image, m_locked.id), u"6"_s);
}

QTEST_GUILESS_MAIN(TestConnectionLoss)
#include "tst_connectionloss.moc"
