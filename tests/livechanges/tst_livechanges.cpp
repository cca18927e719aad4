// SPDX-License-Identifier: GPL-3.0-or-later
// Other people's changes on a team store, on a real server: raters, a QA lead and an admin sign in
// as their own server logins, each with a Store of their own (a workstation). A label save made
// from a stale copy is refused with both values; a label change makes the QA dashboard refresh;
// a re-assignment reaches an annotator's queue; notification payloads carry ids only, and an
// annotator's connection hears of its own assignments only, never of other raters' images.
// Everything waits on signals, never on sleeps.
#include "PostgresTestServer.h"

#include "ImageListModel.h"
#include "LiveRefresh.h"
#include "admin/UserTableModel.h"
#include "admin/UsersDialog.h"
#include "qa/DisagreementModel.h"
#include "qa/QaDashboard.h"

#include "annotation/AnnotationService.h"
#include "session/SessionService.h"
#include "store/AssignmentRepository.h"
#include "store/ImageRepository.h"
#include "store/PostgresServer.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreChangeListener.h"
#include "store/TeamSecurity.h"
#include "store/UserRepository.h"

#include <QAbstractItemModelTester>
#include <algorithm>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QItemSelectionModel>
#include <QSqlDriver>
#include <QTableView>
#include <QStandardPaths>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

const QString Password = u"correct horse battery"_s;
constexpr int Timeout = 30000;

struct Session
{
    std::unique_ptr<Store> store;
    User user;
};

} // namespace

class TestLiveChanges : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void annotatorsHearOnlyTheirOwn();
    void staleSaveOnTwoWorkstations();
    void labelChangeRefreshesTheDashboard();
    void reassignmentReachesTheQueue();
    void newUserReachesTheUsersDialog();

private:
    QString name(const QString &base) const { return base + u"_"_s + m_suffix; }
    Session signIn(const QString &base);
    qint64 addImage(int n);
    Annotation labels(qint64 image, const User &rater, const QString &fitzpatrick, const QString &note);

    PostgresTestServer m_pg {u"livechanges"_s};
    std::unique_ptr<Store> m_owner;
    QString m_suffix;
    QStringList m_roles;
    QList<qint64> m_images;
    qint64 m_rater1 = -1, m_rater2 = -1;
};

#define REQUIRE_SERVER()                                                                                              \
    do {                                                                                                              \
        if (PostgresTestServer::disabled())                                                                           \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QVERIFY2(m_owner, "the team store was not set up");                                                           \
    } while (false)

void TestLiveChanges::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_suffix = QString::number(QCoreApplication::applicationPid());
    if (PostgresTestServer::disabled())
        return;
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
    QString error;
    auto owner = Store::open(m_pg.location(u"live"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(owner, qPrintable(error));
    QVERIFY2(TeamSecurity::install(owner->db(), &error), qPrintable(error));
    for (const QString &kind : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s})
        m_roles.append(TeamSecurity::groupName(owner->db(), kind, &error));
    UserRepository users(owner->db());
    const struct
    {
        QString base;
        Role role;
        qint64 *id;
    } accounts[] = {{u"l.admin"_s, Role::Admin, nullptr},
                    {u"l.qa"_s, Role::Qa, nullptr},
                    {u"l.rater1"_s, Role::Annotator, &m_rater1},
                    {u"l.rater2"_s, Role::Annotator, &m_rater2}};
    for (const auto &account : accounts) {
        m_roles.append(name(account.base));
        const qint64 id = users.add(name(account.base), {}, account.role, Password, &error, 1);
        QVERIFY2(id > 0, qPrintable(error));
        if (account.id)
            *account.id = id;
    }
    m_owner = std::move(owner);
    for (int i = 0; i < 6; ++i) {
        m_images.append(addImage(i));
        QVERIFY(m_images.last() > 0);
    }
    // Both raters: images 0 and 1; images 2 to 5 for nobody yet.
    AssignmentRepository assignments(m_owner->db());
    for (const qint64 rater : {m_rater1, m_rater2})
        for (int i = 0; i < 2; ++i)
            QVERIFY2(assignments.add(m_images.at(i), rater, &error), qPrintable(error));
}

void TestLiveChanges::cleanupTestCase()
{
    m_owner.reset();
    m_pg.dropAll();
    if (!PostgresTestServer::disabled() && m_pg.isAvailable() && !m_roles.isEmpty()) {
        QStringList drop;
        for (const QString &role : std::as_const(m_roles))
            if (!role.isEmpty())
                drop.append(u"DROP ROLE IF EXISTS %1"_s.arg(PostgresServer::quoteIdentifier(role)));
        QString error;
        QVERIFY2(m_pg.admin(drop, &error), qPrintable(error));
    }
}

Session TestLiveChanges::signIn(const QString &base)
{
    Session session;
    QString error;
    session.store = Store::open(m_owner->location(), Store::OpenMode::MustExist, &error);
    if (!session.store) {
        qWarning("%s", qPrintable(error));
        return session;
    }
    const auto user = SessionService(*session.store).signIn(name(base), Password, &error);
    if (!user)
        qWarning("Cannot sign in as %s: %s", qPrintable(name(base)), qPrintable(error));
    session.user = user.value_or(User());
    return session;
}

qint64 TestLiveChanges::addImage(int n)
{
    ImageRecord record;
    record.publicId = u"img-live-%1"_s.arg(n);
    record.sha256 = u"%1"_s.arg(n + 1, 64, 16, QLatin1Char('0'));
    record.format = u"jpeg"_s;
    record.width = record.height = 100;
    record.byteSize = 1000;
    QString error;
    const qint64 id = ImageRepository(m_owner->db()).insert(record, &error);
    if (id < 0)
        qWarning("%s", qPrintable(error));
    return id;
}

Annotation TestLiveChanges::labels(qint64 image, const User &rater, const QString &fitzpatrick, const QString &note)
{
    Annotation a;
    a.imageId = image;
    a.userId = rater.id;
    a.gradable = true;
    a.fitzpatrick = fitzpatrick;
    a.note = note;
    return a;
}

void TestLiveChanges::annotatorsHearOnlyTheirOwn()
{
    REQUIRE_SERVER();
    // An annotator's own connection, listening as the listener does, and a QA lead's.
    Session rater2 = signIn(u"l.rater2"_s);
    QVERIFY(rater2.store && rater2.user.id == m_rater2);
    StoreChangeListener annotatorListener(*rater2.store);
    QVERIFY2(annotatorListener.isActive(), qPrintable(annotatorListener.error()));
    QVERIFY(!annotatorListener.hearsEverything());
    QCOMPARE(annotatorListener.channels().size(), 1);
    Session qa = signIn(u"l.qa"_s);
    QVERIFY(qa.store && qa.user.role == Role::Qa);
    StoreChangeListener qaListener(*qa.store);
    QVERIFY2(qaListener.isActive(), qPrintable(qaListener.error()));
    QVERIFY(qaListener.hearsEverything());
    QVERIFY(!qaListener.channels().contains(annotatorListener.channels().first()));

    // A raw connection with the annotator's credentials listens where it can: the channel every
    // earlier program used, its own channel, and whatever else it can learn from the server.
    PostgresServer::Failure failure = PostgresServer::Failure::None;
    QString error;
    const QString connection = u"raw-annotator"_s;
    {
        QSqlDatabase raw = PostgresServer::connect(rater2.store->location(), connection, &failure, &error);
        QVERIFY2(raw.isOpen(), qPrintable(error));
        const auto staffChannel = Sql::scalar(raw, u"SELECT dl_staff_channel()"_s, {}, &error);
        QVERIFY2(staffChannel, qPrintable(error));
        QVERIFY(staffChannel->isNull()); // the server does not tell an annotator the staff channel
        QVERIFY(!Sql::scalar(raw, u"SELECT dl_channel('staff', NULL)"_s, {}, &error)); // nor lets it compute one
        QVERIFY(!Sql::scalar(raw, u"SELECT dl_channel('user', ?)"_s, {m_rater1}, &error));
        const auto secret = Sql::scalar(raw, u"SELECT dl_setting('secret')"_s, {}, &error);
        QVERIFY2(secret, qPrintable(error));
        QVERIFY(secret->isNull()); // the channels' names derive from it
        for (const QString &channel : {u"dermlabel"_s, annotatorListener.channels().first()})
            QVERIFY(raw.driver()->subscribeToNotification(channel));
        QSignalSpy raw2(raw.driver(), &QSqlDriver::notification);
        QSignalSpy labels2(&annotatorListener, &StoreChangeListener::labelsChanged);
        QSignalSpy assignments2(&annotatorListener, &StoreChangeListener::assignmentsChanged);
        QSignalSpy all2(&annotatorListener, &StoreChangeListener::changed);
        QSignalSpy labelsQa(&qaListener, &StoreChangeListener::labelsChanged);
        QSignalSpy assignmentsQa(&qaListener, &StoreChangeListener::assignmentsChanged);

        // Rater 1 saves labels with a telling note on image 0 (which rater 2 also has), and the
        // admin assigns image 4 to rater 1 and takes it back.
        Session rater1 = signIn(u"l.rater1"_s);
        Session admin = signIn(u"l.admin"_s);
        Annotation a = labels(m_images.at(0), rater1.user, u"4"_s, u"secret-lesion-note"_s);
        QVERIFY2(AnnotationService(*rater1.store, rater1.user).save(a, &error), qPrintable(error));
        AssignmentRepository assignments(admin.store->db());
        QVERIFY2(assignments.add(m_images.at(4), m_rater1, &error), qPrintable(error));
        QVERIFY2(assignments.remove(m_images.at(4), m_rater1, &error), qPrintable(error));
        // Then image 5 to rater 2 and back: the notifications of one server reach a session in
        // the order of their commits, so once these arrived, everything before them has too.
        QVERIFY2(assignments.add(m_images.at(5), m_rater2, &error), qPrintable(error));
        QVERIFY2(assignments.remove(m_images.at(5), m_rater2, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(assignments2.size(), 2, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(raw2.size(), 2, Timeout);

        // The annotator heard of its own assignment only, and of nothing else.
        for (const QList<QVariant> &change : std::as_const(assignments2)) {
            QCOMPARE(change.at(0).toLongLong(), m_images.at(5));
            QCOMPARE(change.at(1).toLongLong(), m_rater2);
        }
        QVERIFY(labels2.isEmpty());
        QCOMPARE(all2.size(), 2);
        static const QRegularExpression idsOnly(uR"(^assignments \d+ \d+$)"_s);
        for (const QList<QVariant> &notification : std::as_const(raw2)) {
            const QString payload = notification.at(2).toString();
            QCOMPARE(notification.at(0).toString(), annotatorListener.channels().first());
            QVERIFY2(idsOnly.match(payload).hasMatch(), qPrintable(payload));
            QCOMPARE(payload, u"assignments %1 %2"_s.arg(m_images.at(5)).arg(m_rater2));
        }

        // The QA lead heard all of it: the label save, both raters' assignments.
        QTRY_VERIFY_WITH_TIMEOUT(!labelsQa.isEmpty(), Timeout);
        QCOMPARE(labelsQa.first().at(0).toLongLong(), m_images.at(0));
        auto heard = [&](qint64 image, qint64 rater) {
            return std::count_if(assignmentsQa.cbegin(), assignmentsQa.cend(), [&](const QList<QVariant> &change) {
                return change.at(0).toLongLong() == image && change.at(1).toLongLong() == rater;
            });
        };
        QTRY_COMPARE_WITH_TIMEOUT(heard(m_images.at(5), m_rater2), 2, Timeout);
        QCOMPARE(heard(m_images.at(4), m_rater1), 2);
        QVERIFY(heard(m_images.at(0), m_rater1) >= 1); // the save moved rater 1's image 0 to in progress

        // The row rules still decide what the annotator reads: not rater 1's labels.
        const auto all = AnnotationService(*rater2.store, rater2.user).all(m_images.at(0), &error);
        QVERIFY(!all);
    }
    QSqlDatabase::removeDatabase(connection);
}

void TestLiveChanges::staleSaveOnTwoWorkstations()
{
    REQUIRE_SERVER();
    QString error;
    Session here = signIn(u"l.rater2"_s);
    Session there = signIn(u"l.rater2"_s);
    AnnotationService first(*here.store, here.user);
    AnnotationService second(*there.store, there.user);
    Annotation mine = *first.own(m_images.at(1), &error);
    Annotation stale = *second.own(m_images.at(1), &error);
    mine = labels(m_images.at(1), here.user, u"2"_s, u"here"_s);
    mine.version = stale.version;
    QCOMPARE(first.save(mine, &error, nullptr), SaveResult::Saved);
    Annotation late = labels(m_images.at(1), there.user, u"5"_s, u"there"_s);
    late.version = stale.version;
    Annotation stored;
    QCOMPARE(second.save(late, &error, &stored), SaveResult::Conflict);
    QCOMPARE(stored.note, u"here"_s);
    QCOMPARE(stored.fitzpatrick, u"2"_s);
    QCOMPARE(late.note, u"there"_s);
    // Keep mine (there): a new save based on the version stored now.
    late.version = stored.version;
    QCOMPARE(second.save(late, &error, &stored), SaveResult::Saved);
    QCOMPARE(first.own(m_images.at(1), &error)->note, u"there"_s);
    // Keep theirs (here, stale now): reading again is all it takes; its next save is based on it.
    Annotation reread = *first.own(m_images.at(1), &error);
    QCOMPARE(reread.note, u"there"_s);
    reread.fitzpatrick = u"3"_s;
    QCOMPARE(first.save(reread, &error, nullptr), SaveResult::Saved);
}

void TestLiveChanges::labelChangeRefreshesTheDashboard()
{
    REQUIRE_SERVER();
    Session qa = signIn(u"l.qa"_s);
    QVERIFY(qa.store && qa.user.role == Role::Qa);
    QaDashboard dashboard(*qa.store, qa.user);
    dashboard.show();
    QTRY_VERIFY_WITH_TIMEOUT(!dashboard.isBusy(), Timeout);
    QVERIFY2(dashboard.data().ok(), qPrintable(dashboard.errorString()));
    LiveRefresh live(*qa.store, qa.user);
    QVERIFY2(live.isActive(), qPrintable(live.error()));
    live.setDelay(50);
    live.setDashboard(&dashboard);
    auto inProgress = [&](qint64 rater) {
        for (const RaterReport &report : dashboard.data().raters)
            if (report.userId == rater)
                return report.inProgress + report.done;
        return qsizetype(-1);
    };
    const qsizetype before = inProgress(m_rater1);
    QVERIFY(before >= 0);
    // A disagreement selected (image 0 waits for rater 2: pending rows), kept across the refresh.
    dashboard.setShowPending(true);
    QTRY_VERIFY_WITH_TIMEOUT(!dashboard.isBusy(), Timeout);
    QTableView *view = dashboard.disagreementView();
    QVERIFY(view->model()->rowCount() > 1);
    int chosen = -1; // the last row of image 0 (the save below is on image 1)
    for (int row = 0; row < view->model()->rowCount(); ++row)
        if (view->model()->index(row, 0).data(DisagreementModel::ImageIdRole).toLongLong() == m_images.at(0))
            chosen = row;
    QVERIFY(chosen > 0);
    view->selectionModel()->setCurrentIndex(view->model()->index(chosen, 0),
                                            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const qint64 chosenImage = view->currentIndex().data(DisagreementModel::ImageIdRole).toLongLong();
    const QString chosenField = view->currentIndex().data(DisagreementModel::FieldRole).toString();
    QCOMPARE(chosenImage, m_images.at(0));

    QSignalSpy refreshed(&live, &LiveRefresh::changed);
    QSignalSpy updated(&dashboard, &QaDashboard::updated);
    Session rater1 = signIn(u"l.rater1"_s);
    QString error;
    Annotation a = *AnnotationService(*rater1.store, rater1.user).own(m_images.at(1), &error);
    a.gradable = true;
    a.fitzpatrick = u"6"_s;
    QVERIFY2(AnnotationService(*rater1.store, rater1.user).save(a, &error), qPrintable(error));
    QVERIFY(refreshed.wait(Timeout));
    QTRY_VERIFY_WITH_TIMEOUT(!updated.isEmpty() && !dashboard.isBusy(), Timeout);
    QCOMPARE(inProgress(m_rater1), before + 1);
    QCOMPARE(view->currentIndex().data(DisagreementModel::ImageIdRole).toLongLong(), chosenImage);
    QCOMPARE(view->currentIndex().data(DisagreementModel::FieldRole).toString(), chosenField);
    QVERIFY(view->selectionModel()->isRowSelected(view->currentIndex().row(), {}));
}

void TestLiveChanges::reassignmentReachesTheQueue()
{
    REQUIRE_SERVER();
    Session rater1 = signIn(u"l.rater1"_s);
    ImageListModel queue;
    QAbstractItemModelTester tester(&queue, QAbstractItemModelTester::FailureReportingMode::QtTest);
    queue.setStore(rater1.store.get(), rater1.user);
    QCOMPARE(queue.rowCount(), 2);
    const qint64 open = m_images.at(0);
    LiveRefresh live(*rater1.store, rater1.user);
    QVERIFY2(live.isActive(), qPrintable(live.error()));
    live.setDelay(50);
    live.setImageList(&queue, [open] { return open; });
    auto ids = [&queue] {
        QList<qint64> list;
        for (int row = 0; row < queue.rowCount(); ++row)
            list.append(queue.index(row, 0).data(ImageListModel::ImageIdRole).toLongLong());
        return list;
    };

    // The admin assigns image 2 to rater 1: it appears.
    Session admin = signIn(u"l.admin"_s);
    QString error;
    QSignalSpy inserted(&queue, &QAbstractItemModel::rowsInserted);
    QVERIFY2(AssignmentRepository(admin.store->db()).add(m_images.at(2), m_rater1, &error), qPrintable(error));
    QVERIFY(inserted.wait(Timeout));
    QCOMPARE(ids(), (QList<qint64> {m_images.at(0), m_images.at(1), m_images.at(2)}));

    // An assignment of somebody else does not even reach this workstation.
    QSignalSpy heard(live.listener(), &StoreChangeListener::assignmentsChanged);
    QVERIFY2(AssignmentRepository(admin.store->db()).add(m_images.at(3), m_rater2, &error), qPrintable(error));

    // Images taken away: the open one stays until it is closed, the other disappears.
    QSignalSpy removed(&queue, &QAbstractItemModel::rowsRemoved);
    QVERIFY2(AssignmentRepository(admin.store->db()).remove(m_images.at(0), m_rater1, &error), qPrintable(error));
    QVERIFY2(AssignmentRepository(admin.store->db()).remove(m_images.at(2), m_rater1, &error), qPrintable(error));
    QVERIFY(removed.wait(Timeout));
    QTRY_COMPARE_WITH_TIMEOUT(ids(), (QList<qint64> {m_images.at(0), m_images.at(1)}), Timeout);
    // Both removals were heard (in commit order, after the other rater's assignment), nothing else.
    QTRY_COMPARE_WITH_TIMEOUT(heard.size(), 2, Timeout);
    for (const QList<QVariant> &change : std::as_const(heard))
        QCOMPARE(change.at(1).toLongLong(), m_rater1);
}

void TestLiveChanges::newUserReachesTheUsersDialog()
{
    REQUIRE_SERVER();
    Session admin = signIn(u"l.admin"_s);
    QVERIFY(admin.store && admin.user.role == Role::Admin);
    UsersDialog dialog(*admin.store, admin.user);
    const int before = dialog.model()->rowCount();
    QVERIFY(before >= 4);
    QVERIFY(dialog.selectUser(m_rater1));
    LiveRefresh live(*admin.store, admin.user);
    QVERIFY2(live.isActive(), qPrintable(live.error()));
    live.setDelay(50);
    connect(&live, &LiveRefresh::usersChanged, &dialog, &UsersDialog::reload);
    QSignalSpy users(&live, &LiveRefresh::usersChanged);

    // Another admin session adds a rater: the open dialog shows it, keeping the selection.
    Session other = signIn(u"l.admin"_s);
    QString error;
    m_roles.append(name(u"l.rater3"_s));
    QVERIFY2(UserRepository(other.store->db()).add(name(u"l.rater3"_s), {}, Role::Annotator, Password, &error, 1) > 0,
             qPrintable(error));
    QVERIFY(users.wait(Timeout));
    QCOMPARE(dialog.model()->rowCount(), before + 1);
    QCOMPARE(dialog.selectedUserId(), m_rater1);
}

QTEST_MAIN(TestLiveChanges)
#include "tst_livechanges.moc"
