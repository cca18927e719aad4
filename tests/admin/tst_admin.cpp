// SPDX-License-Identifier: GPL-3.0-or-later
// Administration and the workstation's settings on the offscreen platform: UserService (roles
// checked in core, the last administrator kept, disabling hands the unfinished work on, password
// reset), the Users and Assign Images dialogs, the labelling screen's view controls, the
// preferences and the German translation.
#include "LabellingView.h"
#include "ImageListModel.h"
#include "MainWindow.h"
#include "ShortcutSheet.h"
#include "admin/AssignDialog.h"
#include "admin/UserTableModel.h"
#include "admin/UsersDialog.h"
#include "canvas/ImageCanvas.h"
#include "labelform/LabelForm.h"
#include "settings/Preferences.h"
#include "settings/PreferencesDialog.h"
#include "settings/Translations.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "imaging/ImageCache.h"
#include "import/ImportService.h"
#include "store/AssignmentRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/UserRepository.h"
#include "users/UserService.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUndoGroup>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

constexpr int FastHash = 1; // PBKDF2 iterations for users made by the fixtures

/// A JPEG of skin-coloured noise.
bool writeJpeg(const QString &path, int width, int height, int seed)
{
    QImage image(width, height, QImage::Format_RGB32);
    QRandomGenerator random {quint32(seed)};
    for (int y = 0; y < height; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const int n = int(random.bounded(40));
            line[x] = qRgb(180 + n / 2, 130 + n, 110 + n);
        }
    }
    return QDir().mkpath(QFileInfo(path).absolutePath()) && image.save(path, "JPEG", 85);
}

QStringList menuTitles(const MainWindow &window)
{
    QStringList titles;
    for (QAction *action : window.menuBar()->actions())
        titles << action->text();
    return titles;
}

} // namespace

class TestAdmin : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    // UserService
    void onlyAdminsManageUsers_data();
    void onlyAdminsManageUsers();
    void lastActiveAdminIsKept();
    void actorIsCheckedAsStoredNow();
    void addListAndCounts();
    void disableRebalancesKeepingKAndDoneWork();
    void roleChangeHandsWorkOn();
    void resetPasswordAndReenable();

    // Admin dialogs
    void usersModelPassesTester();
    void usersDialogChangesThroughCore();
    void assignPreviewEqualsAssign_data();
    void assignPreviewEqualsAssign();
    void adminMenuOnlyForAdmins();

    // Labelling screen, preferences, translations
    void viewControlsAdjustTheViewOnly();
    void zoomOnImageChange_data();
    void zoomOnImageChange();
    void coldOpenShowsPreviewThenFullImage();
    void coldOpenFullImageFirstShowsNoPreview();
    void preferencesPersistAndApply();
    void germanMenuTitles();

private:
    User addUser(const QString &name, Role role);
    void addImages(int count, int width = 64, int height = 48);
    QList<qint64> imageIds() const;
    /// Users who count towards K on an image: active annotators and anyone who is done.
    QSet<qint64> countingRaters(qint64 imageId) const;
    QString auditActions() const;

    QTemporaryDir m_settings;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    QString m_path;
    User m_admin;
    int m_imageSeed = 0;
};

void TestAdmin::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"DermLabelTest"_s);
    QCoreApplication::setApplicationName(u"tst_admin"_s);
    // Settings of this run only.
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings.path());
}

void TestAdmin::init()
{
    QSettings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = m_dir->filePath(u"admin.dermlabel"_s);
    QString error;
    m_store = Store::open(m_path, Store::OpenMode::CreateNew, &error);
    QVERIFY2(m_store, qPrintable(error));
    m_admin = addUser(u"admin"_s, Role::Admin);
}

void TestAdmin::cleanup()
{
    Translations::install(u"en"_s);
    m_store.reset();
    QVERIFY(ImageCache::waitForDecoders(30000));
    m_dir.reset();
}

User TestAdmin::addUser(const QString &name, Role role)
{
    QString error;
    UserRepository users(m_store->db());
    const qint64 id = users.add(name, {}, role, u"password"_s, &error, FastHash);
    return users.findById(id, &error).value_or(User {});
}

void TestAdmin::addImages(int count, int width, int height)
{
    const QString folder = m_dir->filePath(u"images-%1"_s.arg(m_imageSeed));
    for (int i = 0; i < count; ++i)
        QVERIFY(writeJpeg(u"%1/i%2.jpg"_s.arg(folder).arg(i, 3, 10, QLatin1Char('0')), width, height,
                          ++m_imageSeed));
    const ImportReport report = ImportService(*m_store).importPath(ImportKind::Folder, folder, {});
    QVERIFY2(!report.failed(), qPrintable(report.error));
}

QList<qint64> TestAdmin::imageIds() const
{
    QList<qint64> ids;
    QSqlQuery query(m_store->db());
    query.exec(u"SELECT id FROM images ORDER BY id"_s);
    while (query.next())
        ids.append(query.value(0).toLongLong());
    return ids;
}

QSet<qint64> TestAdmin::countingRaters(qint64 imageId) const
{
    QSet<qint64> users;
    QSqlQuery query(m_store->db());
    query.prepare(u"SELECT a.user_id FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.image_id = ? "
                  "AND ((u.active = 1 AND u.role = 'annotator') OR a.status = 'done')"_s);
    query.addBindValue(imageId);
    query.exec();
    while (query.next())
        users.insert(query.value(0).toLongLong());
    return users;
}

QString TestAdmin::auditActions() const
{
    QStringList actions;
    QSqlQuery query(m_store->db());
    query.exec(u"SELECT action FROM audit_log ORDER BY id"_s);
    while (query.next())
        actions << query.value(0).toString();
    return actions.join(u',');
}

// --- UserService ---

void TestAdmin::onlyAdminsManageUsers_data()
{
    QTest::addColumn<Role>("role");
    QTest::addColumn<bool>("active");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("annotator") << Role::Annotator << true << false;
    QTest::newRow("qa") << Role::Qa << true << false;
    QTest::newRow("disabled admin") << Role::Admin << false << false;
    QTest::newRow("admin") << Role::Admin << true << true;
}

void TestAdmin::onlyAdminsManageUsers()
{
    QFETCH(Role, role);
    QFETCH(bool, active);
    QFETCH(bool, allowed);
    addImages(3);
    User actor = addUser(u"actor"_s, role);
    const User rater = addUser(u"dr.x"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    if (!active) {
        QVERIFY(UserRepository(m_store->db()).setActive(actor.id, false, &error));
        actor.active = false;
    }
    const QString before = auditActions();
    const qsizetype queued = AssignmentRepository(m_store->db()).forUser(rater.id, &error).size();
    QVERIFY(queued > 0);
    UserService service(*m_store, actor);

    QCOMPARE(bool(service.list(&error)), allowed);
    QCOMPARE(bool(service.add(u"new.one"_s, {}, Role::Annotator, u"secret-one-1"_s, &error, FastHash)), allowed);
    if (!allowed) {
        QVERIFY2(error.contains(u"not allowed"_s) || error.contains(u"disabled"_s), qPrintable(error));
        QVERIFY(!UserRepository(m_store->db()).findByName(u"new.one"_s));
        QVERIFY(!service.changeRole(rater.id, Role::Admin, &error));
        QVERIFY(!service.disable(rater.id, &error));
        QVERIFY(!service.resetPassword(rater.id, u"another-pw"_s, &error));
        QVERIFY(!AssignmentService(*m_store, actor).preview({}, &error));
        // Nothing changed: role, account, password, assignments, audit log.
        const auto stored = UserRepository(m_store->db()).findById(rater.id);
        QCOMPARE(stored->role, Role::Annotator);
        QVERIFY(stored->active);
        QVERIFY(UserRepository(m_store->db()).authenticate(u"dr.x"_s, u"password"_s));
        QCOMPARE(AssignmentRepository(m_store->db()).forUser(rater.id, &error).size(), queued);
        QCOMPARE(auditActions(), before);
    } else {
        QVERIFY2(UserRepository(m_store->db()).findByName(u"new.one"_s), qPrintable(error));
    }
}

void TestAdmin::lastActiveAdminIsKept()
{
    QString error;
    UserService service(*m_store, m_admin);
    QCOMPARE(service.activeAdminCount(&error), 1);
    // The only admin can neither disable nor demote themselves.
    QVERIFY(!service.disable(m_admin.id, &error));
    QVERIFY2(error.contains(u"last active administrator"_s), qPrintable(error));
    QVERIFY(!service.changeRole(m_admin.id, Role::Qa, &error));
    QVERIFY2(error.contains(u"last active administrator"_s), qPrintable(error));
    QCOMPARE(UserRepository(m_store->db()).findById(m_admin.id)->role, Role::Admin);
    QVERIFY(UserRepository(m_store->db()).findById(m_admin.id)->active);

    // A disabled admin does not count.
    const User second = addUser(u"second"_s, Role::Admin);
    QVERIFY2(service.disable(second.id, &error), qPrintable(error));
    QCOMPARE(service.activeAdminCount(&error), 1);
    QVERIFY(!service.changeRole(m_admin.id, Role::Annotator, &error));

    // With a second active admin, the first may step down; then the second is the last one.
    QVERIFY2(service.enable(second.id, &error), qPrintable(error));
    QVERIFY2(service.changeRole(m_admin.id, Role::Qa, &error), qPrintable(error));
    UserService other(*m_store, *UserRepository(m_store->db()).findById(second.id));
    QVERIFY(!other.disable(second.id, &error));
    QVERIFY(!other.changeRole(second.id, Role::Annotator, &error));
    QCOMPARE(other.activeAdminCount(&error), 1);
    // Promoting is always allowed.
    QVERIFY2(other.changeRole(m_admin.id, Role::Admin, &error), qPrintable(error));
    QCOMPARE(other.activeAdminCount(&error), 2);
}

void TestAdmin::actorIsCheckedAsStoredNow()
{
    const User second = addUser(u"second"_s, Role::Admin);
    QString error;
    UserService first(*m_store, m_admin); // m_admin still says Role::Admin...
    QVERIFY(UserService(*m_store, second).changeRole(m_admin.id, Role::Qa, &error));
    // ...but the store knows better.
    QVERIFY(!first.list(&error));
    QVERIFY(!first.add(u"sneaky"_s, {}, Role::Admin, u"secret-one-1"_s, &error, FastHash));
    QVERIFY2(error.contains(u"not allowed"_s), qPrintable(error));
}

void TestAdmin::addListAndCounts()
{
    addImages(4);
    QString error;
    UserService service(*m_store, m_admin);
    const auto added = service.add(u"  dr.new "_s, u" Dr. New "_s, Role::Annotator, u"secret-one-1"_s, &error, FastHash);
    QVERIFY2(added, qPrintable(error));
    QCOMPARE(added->name, u"dr.new"_s);
    QCOMPARE(added->displayName, u"Dr. New"_s);
    QVERIFY(!service.add(u"dr.new"_s, {}, Role::Annotator, u"secret-one-1"_s, &error, FastHash));
    QVERIFY2(error.contains(u"already"_s), qPrintable(error));
    QVERIFY(!service.add(u"bad name"_s, {}, Role::Annotator, u"secret-one-1"_s, &error, FastHash));
    QVERIFY(!service.add(u"short.pw"_s, {}, Role::Annotator, u"abc"_s, &error, FastHash));

    const User other = addUser(u"dr.other"_s, Role::Annotator);
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 2, &error));
    AnnotationService rater(*m_store, *added);
    const qint64 image = AssignmentRepository(m_store->db()).forUser(added->id, &error).first().imageId;
    QVERIFY2(rater.setStatus(image, AssignmentStatus::Done, &error), qPrintable(error));

    const auto users = service.list(&error);
    QVERIFY2(users, qPrintable(error));
    QCOMPARE(users->size(), 3);
    for (const UserSummary &summary : *users) {
        if (summary.user.id == added->id) {
            QCOMPARE(summary.assigned, 4);
            QCOMPARE(summary.done, 1);
            QCOMPARE(summary.toDo(), 3);
        } else if (summary.user.id == other.id) {
            QCOMPARE(summary.assigned, 4);
            QCOMPARE(summary.done, 0);
        } else {
            QCOMPARE(summary.assigned, 0);
        }
    }
    QVERIFY2(auditActions().contains(u"add_user"_s), qPrintable(auditActions()));
}

void TestAdmin::disableRebalancesKeepingKAndDoneWork()
{
    addImages(16);
    QList<User> raters;
    for (int i = 0; i < 5; ++i)
        raters.append(addUser(u"dr.%1"_s.arg(i), Role::Annotator));
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 3, &error));
    const User leaving = raters.first();
    AnnotationService work(*m_store, leaving);
    const QList<AssignmentRecord> queue = AssignmentRepository(m_store->db()).forUser(leaving.id, &error);
    QVERIFY(queue.size() >= 4);
    // Two done (with labels), one started, the rest untouched.
    QList<qint64> done;
    for (int i = 0; i < 2; ++i) {
        auto a = work.own(queue.at(i).imageId, &error);
        a->gradable = false;
        a->ungradableReason = u"blurry"_s;
        QVERIFY2(work.save(*a, &error), qPrintable(error));
        QVERIFY(work.setStatus(queue.at(i).imageId, AssignmentStatus::Done, &error));
        done.append(queue.at(i).imageId);
    }
    auto started = work.own(queue.at(2).imageId, &error);
    started->note = u"begun"_s;
    QVERIFY(work.save(*started, &error));

    const auto moved = UserService(*m_store, m_admin).disable(leaving.id, &error);
    QVERIFY2(moved, qPrintable(error));
    QCOMPARE(moved->removed, queue.size() - 3);
    QCOMPARE(moved->added, queue.size() - 2); // every unfinished image got someone new
    QCOMPARE(moved->underAssigned, 0);

    // Every image has exactly K = 3 distinct raters who count; nobody has an image twice (UNIQUE).
    for (qint64 image : imageIds())
        QCOMPARE(countingRaters(image).size(), 3);
    // Done work is kept: the assignments and the labels.
    AssignmentRepository assignments(m_store->db());
    for (qint64 image : std::as_const(done)) {
        QCOMPARE(assignments.status(image, leaving.id, &error), AssignmentStatus::Done);
        QVERIFY(countingRaters(image).contains(leaving.id));
        QCOMPARE(assignments.usersOf(image, &error).size(), 3); // nobody added to a finished image
    }
    QCOMPARE(AnnotationService(*m_store, m_admin).all(done.first(), &error)->size(), 1);
    // Unstarted work is gone from the queue; started work stays on record.
    const QList<AssignmentRecord> after = assignments.forUser(leaving.id, &error);
    QCOMPARE(after.size(), 3);
    QVERIFY(!UserRepository(m_store->db()).authenticate(leaving.name, u"password"_s));
    // The load stays even among the four who are left.
    const auto load = assignments.loadPerUser(&error);
    qint64 low = std::numeric_limits<qint64>::max(), high = 0;
    for (int i = 1; i < raters.size(); ++i) {
        low = qMin(low, load.value(raters.at(i).id));
        high = qMax(high, load.value(raters.at(i).id));
    }
    QVERIFY2(high - low <= 1, qPrintable(u"%1..%2"_s.arg(low).arg(high)));
    QVERIFY(auditActions().endsWith(u"disable_user"_s));
    // Once is enough.
    QVERIFY(!UserService(*m_store, m_admin).disable(leaving.id, &error));
    QVERIFY(error.contains(u"already disabled"_s));
}

void TestAdmin::roleChangeHandsWorkOn()
{
    addImages(6);
    QList<User> raters;
    for (int i = 0; i < 3; ++i)
        raters.append(addUser(u"dr.%1"_s.arg(i), Role::Annotator));
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 2, &error));
    const qint64 before = AssignmentRepository(m_store->db()).forUser(raters[0].id, &error).size();
    QVERIFY(before > 0);
    const auto moved = UserService(*m_store, m_admin).changeRole(raters[0].id, Role::Qa, &error);
    QVERIFY2(moved, qPrintable(error));
    QCOMPARE(moved->removed, before);
    QCOMPARE(AssignmentRepository(m_store->db()).forUser(raters[0].id, &error).size(), 0);
    for (qint64 image : imageIds())
        QCOMPARE(countingRaters(image).size(), 2);
    QCOMPARE(UserRepository(m_store->db()).findById(raters[0].id)->role, Role::Qa);
    QVERIFY(auditActions().endsWith(u"change_role"_s));
    // Same role: nothing to do, nothing recorded.
    QVERIFY(UserService(*m_store, m_admin).changeRole(raters[0].id, Role::Qa, &error));
    QVERIFY(auditActions().endsWith(u"change_role"_s));
}

void TestAdmin::resetPasswordAndReenable()
{
    const User rater = addUser(u"dr.pw"_s, Role::Annotator);
    QString error;
    UserService service(*m_store, m_admin);
    QVERIFY(!service.resetPassword(rater.id, u"short"_s, &error));
    QVERIFY(UserRepository(m_store->db()).authenticate(u"dr.pw"_s, u"password"_s));
    QVERIFY2(service.resetPassword(rater.id, u"brand-new-pw"_s, &error), qPrintable(error));
    QVERIFY(!UserRepository(m_store->db()).authenticate(u"dr.pw"_s, u"password"_s));
    QVERIFY(UserRepository(m_store->db()).authenticate(u"dr.pw"_s, u"brand-new-pw"_s));
    QVERIFY(!service.resetPassword(9999, u"brand-new-pw"_s, &error));
    // The audit log says that it changed, never what to.
    QVERIFY(auditActions().endsWith(u"reset_password"_s));
    const QString details = Sql::scalar(m_store->db(), u"SELECT group_concat(detail) FROM audit_log"_s, {}, &error)
                                ->toString();
    QVERIFY(!details.contains(u"brand-new-pw"_s));

    QVERIFY(service.disable(rater.id, &error));
    QVERIFY(!UserRepository(m_store->db()).authenticate(u"dr.pw"_s, u"brand-new-pw"_s));
    QVERIFY2(service.enable(rater.id, &error), qPrintable(error));
    QVERIFY(UserRepository(m_store->db()).authenticate(u"dr.pw"_s, u"brand-new-pw"_s));
    QVERIFY(auditActions().endsWith(u"disable_user,enable_user"_s));
}

// --- Admin dialogs ---

void TestAdmin::usersModelPassesTester()
{
    UserTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.columnCount(), 6);
    User a;
    a.id = 7;
    a.name = u"dr.a"_s;
    a.displayName = u"Dr. A"_s;
    User b = a;
    b.id = 8;
    b.name = u"qa.b"_s;
    b.role = Role::Qa;
    b.active = false;
    model.setUsers({{a, 10, 4}, {b, 0, 0}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, UserTableModel::Name).data().toString(), u"dr.a"_s);
    QCOMPARE(model.index(0, UserTableModel::DisplayName).data().toString(), u"Dr. A"_s);
    QCOMPARE(model.index(0, UserTableModel::RoleColumn).data().toString(), roleDisplayName(Role::Annotator));
    QCOMPARE(model.index(0, UserTableModel::Active).data().toString(), u"active"_s);
    QCOMPARE(model.index(1, UserTableModel::Active).data().toString(), u"disabled"_s);
    QCOMPARE(model.index(0, UserTableModel::Assigned).data().toLongLong(), 10);
    QCOMPARE(model.index(0, UserTableModel::Done).data().toLongLong(), 4);
    QCOMPARE(model.index(1, 0).data(UserTableModel::UserIdRole).toLongLong(), 8);
    QCOMPARE(model.headerData(UserTableModel::Done, Qt::Horizontal).toString(), u"Done"_s);
    QCOMPARE(model.rowOf(8), 1);
    QCOMPARE(model.rowOf(99), -1);
    model.setUsers({});
    QCOMPARE(model.rowCount(), 0);
}

void TestAdmin::usersDialogChangesThroughCore()
{
    addImages(6);
    QList<User> raters;
    for (int i = 0; i < 4; ++i)
        raters.append(addUser(u"dr.%1"_s.arg(i), Role::Annotator));
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 3, &error));

    UsersDialog dialog(*m_store, m_admin);
    QAbstractItemModelTester tester(dialog.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    dialog.show();
    QCOMPARE(dialog.model()->rowCount(), 5);
    const int row = dialog.model()->rowOf(raters[1].id);
    QCOMPARE(dialog.model()->index(row, UserTableModel::Assigned).data().toLongLong(),
             AssignmentRepository(m_store->db()).forUser(raters[1].id, &error).size());

    // Disable through the button; the confirmation is answered with Disable.
    QVERIFY(dialog.selectUser(raters[1].id));
    auto *toggle = dialog.findChild<QPushButton *>(u"toggleActive"_s);
    QCOMPARE(toggle->text(), u"&Disable"_s);
    QTimer::singleShot(0, this, [] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        QVERIFY(box);
        for (QAbstractButton *button : box->buttons()) {
            if (box->buttonRole(button) == QMessageBox::AcceptRole)
                button->click();
        }
    });
    toggle->click();
    QVERIFY2(dialog.message().contains(u"is disabled"_s), qPrintable(dialog.message()));
    QVERIFY(dialog.changed());
    QCOMPARE(dialog.selectedUserId(), raters[1].id); // the selection survives the reload
    QVERIFY(!dialog.model()->index(dialog.model()->rowOf(raters[1].id), 0).data(UserTableModel::ActiveRole).toBool());
    QCOMPARE(toggle->text(), u"&Enable"_s);
    for (qint64 image : imageIds())
        QCOMPARE(countingRaters(image).size(), 3);

    // Refusals from core show in the dialog.
    QVERIFY(!dialog.setActive(m_admin.id, false));
    QVERIFY2(dialog.message().contains(u"last active administrator"_s), qPrintable(dialog.message()));
    QVERIFY(!dialog.addUser(u"dr.0"_s, {}, Role::Annotator, u"secret-one-1"_s));
    QVERIFY2(dialog.message().contains(u"already"_s), qPrintable(dialog.message()));

    QVERIFY(dialog.setActive(raters[1].id, true));
    QVERIFY(dialog.model()->index(dialog.model()->rowOf(raters[1].id), 0).data(UserTableModel::ActiveRole).toBool());
    QVERIFY(dialog.setRole(raters[2].id, Role::Admin));
    QCOMPARE(dialog.model()->index(dialog.model()->rowOf(raters[2].id), UserTableModel::RoleColumn).data().toString(),
             roleDisplayName(Role::Admin));
    QVERIFY(dialog.resetPassword(raters[3].id, u"fresh-pass"_s));
    QVERIFY(UserRepository(m_store->db()).authenticate(u"dr.3"_s, u"fresh-pass"_s));
    QVERIFY(dialog.addUser(u"dr.new"_s, u"Dr. New"_s, Role::Annotator, u"secret-one-1"_s));
    QCOMPARE(dialog.model()->rowCount(), 6);
    QCOMPARE(dialog.selectedUserId(), UserRepository(m_store->db()).findByName(u"dr.new"_s)->id);
}

void TestAdmin::assignPreviewEqualsAssign_data()
{
    QTest::addColumn<int>("k");
    QTest::addColumn<bool>("dropSecond");
    QTest::addColumn<bool>("onlyUnderAssigned");
    QTest::addColumn<int>("alreadyK");
    QTest::newRow("K=3, all take part") << 3 << false << false << 0;
    QTest::newRow("K=2, one left out") << 2 << true << false << 0;
    QTest::newRow("K=3 over K=1, under-assigned only") << 3 << false << true << 1;
    QTest::newRow("K=4 with three chosen") << 4 << true << false << 2;
}

void TestAdmin::assignPreviewEqualsAssign()
{
    QFETCH(int, k);
    QFETCH(bool, dropSecond);
    QFETCH(bool, onlyUnderAssigned);
    QFETCH(int, alreadyK);
    addImages(10);
    QList<User> raters;
    for (int i = 0; i < 4; ++i)
        raters.append(addUser(u"dr.%1"_s.arg(i), Role::Annotator));
    addUser(u"qa"_s, Role::Qa);
    QString error;
    if (alreadyK > 0) // some images already assigned
        QVERIFY(AssignmentService(*m_store, m_admin).assign(imageIds().mid(0, 5), alreadyK, &error));

    AssignDialog dialog(*m_store, m_admin);
    dialog.show();
    auto *table = dialog.findChild<QTreeWidget *>(u"annotators"_s);
    QCOMPARE(table->topLevelItemCount(), 4); // active dermatologists only
    dialog.findChild<QSpinBox *>(u"k"_s)->setValue(k);
    if (onlyUnderAssigned)
        dialog.findChild<QRadioButton *>(u"underAssigned"_s)->setChecked(true);
    if (dropSecond)
        table->topLevelItem(1)->setCheckState(0, Qt::Unchecked);
    const AssignmentRequest request = dialog.request();
    QCOMPARE(request.k, k);
    QCOMPARE(request.annotators.size(), dropSecond ? 3 : 4);
    QCOMPARE(request.onlyUnderAssigned, onlyUnderAssigned);
    const auto preview = dialog.preview();
    QVERIFY2(preview, qPrintable(dialog.previewMessage()));
    const auto rows = dialog.previewRows();

    AssignmentRepository assignments(m_store->db());
    const auto loadBefore = assignments.loadPerUser(&error);
    auto *assign = dialog.findChild<QPushButton *>(u"assign"_s);
    QVERIFY(assign->isEnabled());
    assign->click();
    QVERIFY(!dialog.isVisible()); // accepted
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const auto result = dialog.assignmentResult();
    QVERIFY(result);
    QCOMPARE(result->added, preview->added);
    QCOMPARE(result->images, preview->images);
    QCOMPARE(result->underAssigned, preview->underAssigned);
    QCOMPARE(result->addedPerUser, preview->addedPerUser);

    // The numbers shown are what happened, per annotator.
    const auto loadAfter = assignments.loadPerUser(&error);
    qint64 shownTotal = 0;
    for (const auto &[userId, now, added] : rows) {
        QCOMPARE(now, loadBefore.value(userId));
        QCOMPARE(loadAfter.value(userId) - loadBefore.value(userId), added);
        shownTotal += added;
    }
    QCOMPARE(shownTotal, result->added);
    if (dropSecond)
        QCOMPARE(loadAfter.value(raters[1].id), loadBefore.value(raters[1].id));
    // Every image reached K, except those the result says could not.
    qint64 short_ = 0;
    for (qint64 image : imageIds())
        short_ += assignments.usersOf(image, &error).size() < k ? 1 : 0;
    QCOMPARE(short_, result->underAssigned);
    QCOMPARE(result->underAssigned > 0, k == 4);
    QCOMPARE(m_store->setting(u"raters_per_image"_s), QString::number(k));
    // Nothing left to add for the same request.
    QCOMPARE(AssignmentService(*m_store, m_admin).preview(request, &error)->added, 0);
}

void TestAdmin::adminMenuOnlyForAdmins()
{
    addImages(2);
    addUser(u"qa.lead"_s, Role::Qa);
    m_store.reset();
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openStore(m_path, u"admin"_s, u"password"_s));
        QVERIFY(window.adminMenu()->menuAction()->isVisible());
        QVERIFY(window.findChild<QAction *>(u"manageUsers"_s));
        const std::unique_ptr<UsersDialog> users(window.createUsersDialog());
        QVERIFY(users);
        QCOMPARE(users->model()->rowCount(), 2);
        // The admin's main view stays the image browser.
        QVERIFY(!window.labellingView());
    }
    MainWindow window;
    window.show();
    QVERIFY(window.openStore(m_path, u"qa.lead"_s, u"password"_s));
    QVERIFY(!window.adminMenu()->menuAction()->isVisible());
    QVERIFY(!window.createUsersDialog());
    QVERIFY(!window.createAssignDialog());
}

// --- Labelling screen ---

void TestAdmin::viewControlsAdjustTheViewOnly()
{
    addImages(2, 320, 240);
    const User rater = addUser(u"dr.v"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    m_store.reset();
    MainWindow window;
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(window.openStore(m_path, u"dr.v"_s, u"password"_s));
    LabellingView *view = window.labellingView();
    QVERIFY(view);
    QTRY_VERIFY_WITH_TIMEOUT(view->canvas()->hasImage() && !view->showingPreview(), 20'000);
    LabelForm *form = view->form();
    form->setFocus();
    const Annotation before = form->annotation();

    // From the keyboard, wherever the focus is in the labelling screen.
    QTest::keyClick(form, Qt::Key_B, Qt::ControlModifier);
    QTest::keyClick(form, Qt::Key_B, Qt::ControlModifier);
    QCOMPARE(view->canvas()->brightness(), 20);
    QCOMPARE(view->brightnessSlider()->value(), 20);
    QTest::keyClick(form, Qt::Key_B, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->canvas()->brightness(), 10);
    QTest::keyClick(form, Qt::Key_E, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->canvas()->contrast(), -10);
    view->contrastSlider()->setValue(35);
    QCOMPARE(view->canvas()->contrast(), 35);
    QCOMPARE(view->findChild<QLabel *>(u"contrastValue"_s)->text(), u"+35"_s);
    // Zoom: 1:1, then fit, with the zoom shown.
    QTest::keyClick(form, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(view->imageZoom(), 1.0);
    QCOMPARE(view->findChild<QLabel *>(u"zoomLabel"_s)->text(), u"100%"_s);
    QTest::keyClick(form, Qt::Key_Equal, Qt::ControlModifier);
    QVERIFY(view->imageZoom() > 1.0);
    QTest::keyClick(form, Qt::Key_Minus, Qt::ControlModifier);
    QCOMPARE(view->imageZoom(), 1.0);
    QTest::keyClick(form, Qt::Key_0, Qt::ControlModifier);
    QVERIFY(view->canvas()->isFitMode());
    QCOMPARE(view->findChild<QLabel *>(u"zoomLabel"_s)->text(), view->zoomText());

    // The image itself and the labels are untouched: view only.
    QCOMPARE(form->annotation().fitzpatrick, before.fitzpatrick);
    QVERIFY(form->annotation().sameLabels(before));
    QCOMPARE(view->undoGroup()->activeStack()->count(), 0);
    // Reset View.
    QTest::keyClick(form, Qt::Key_1, Qt::ControlModifier); // 100%, so that reset has a zoom to undo
    QVERIFY(!view->canvas()->isFitMode());
    QTest::keyClick(form, Qt::Key_R, Qt::ControlModifier);
    QCOMPARE(view->canvas()->brightness(), 0);
    QCOMPARE(view->canvas()->contrast(), 0);
    QCOMPARE(view->brightnessSlider()->value(), 0);
    QVERIFY(view->canvas()->isFitMode());

    // All of it is in the shortcut sheet.
    QList<QPair<QString, QString>> rows;
    QTimer::singleShot(50, this, [&rows] {
        if (auto *sheet = qobject_cast<ShortcutSheet *>(QApplication::activeModalWidget())) {
            rows = sheet->rows();
            sheet->reject();
        }
    });
    QTest::keyClick(form, Qt::Key_F1);
    QStringList lines;
    for (const auto &[keys, description] : rows)
        lines << keys + u" = "_s + description;
    const QString sheet = lines.join(u'\n');
    for (const QString &expected : {u"Ctrl+B = Brighter"_s, u"Ctrl+Shift+B = Darker"_s, u"Ctrl+E = More Contrast"_s,
                                    u"Ctrl+Shift+E = Less Contrast"_s, u"Ctrl+R = Reset View"_s,
                                    u"Ctrl+0 = Fit to Window"_s, u"Ctrl+1 = Actual Size (100%)"_s, u"Zoom In"_s,
                                    u"Zoom Out"_s})
        QVERIFY2(sheet.contains(expected), qPrintable(expected + u" not in\n"_s + sheet));
}

void TestAdmin::zoomOnImageChange_data()
{
    QTest::addColumn<ZoomOnImageChange>("mode");
    QTest::newRow("fit") << ZoomOnImageChange::Fit;
    QTest::newRow("keep") << ZoomOnImageChange::Keep;
    QTest::newRow("100%") << ZoomOnImageChange::ActualSize;
}

void TestAdmin::zoomOnImageChange()
{
    QFETCH(ZoomOnImageChange, mode);
    addImages(3, 400, 300);
    const User rater = addUser(u"dr.z"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    ImageListModel queue;
    queue.setStore(m_store.get(), rater);
    LabellingView view(*m_store, rater, &queue);
    view.setZoomOnImageChange(mode);
    view.resize(1200, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.openRow(0);
    QTRY_VERIFY_WITH_TIMEOUT(view.canvas()->hasImage() && !view.showingPreview(), 20'000);
    view.canvas()->setZoom(2.0);
    view.next();
    QTRY_VERIFY_WITH_TIMEOUT(view.canvas()->hasImage() && !view.showingPreview(), 20'000);
    QCOMPARE(view.currentRow(), 1);
    switch (mode) {
    case ZoomOnImageChange::Fit:
        QVERIFY(view.canvas()->isFitMode());
        break;
    case ZoomOnImageChange::Keep:
        QCOMPARE(view.imageZoom(), 2.0);
        break;
    case ZoomOnImageChange::ActualSize:
        QCOMPARE(view.imageZoom(), 1.0);
        QCOMPARE(view.zoomText(), u"100%"_s);
        break;
    }
}

void TestAdmin::coldOpenShowsPreviewThenFullImage()
{
    // Large enough that a reduced preview is made.
    addImages(2, 3200, 2400);
    const User rater = addUser(u"dr.c"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    ImageListModel queue;
    queue.setStore(m_store.get(), rater);
    LabellingView view(*m_store, rater, &queue);
    view.setPrefetchDepth(0);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *cache = view.findChild<ImageCache *>();
    QVERIFY(cache);
    // The preview arrives first: the full image is held back until the preview is on screen.
    cache->holdResults(ImageCache::ResultKind::Full);
    view.openRow(0);
    QVERIFY(!view.canvas()->hasImage()); // nothing decoded yet: nothing wrong is shown
    QTRY_VERIFY_WITH_TIMEOUT(view.showingPreview(), 30'000);
    QVERIFY(view.canvas()->hasImage());
    const QSize previewShown = view.canvas()->image().size();
    QVERIFY(previewShown.width() < 3200);
    QVERIFY(previewShown.width() >= 640);
    // The preview is shown at the zoom the full image will have.
    QVERIFY(view.canvas()->isFitMode());
    cache->releaseHeldResults(ImageCache::ResultKind::Full);
    QTRY_VERIFY_WITH_TIMEOUT(!view.showingPreview(), 30'000);
    QCOMPARE(view.canvas()->image().size(), QSize(3200, 2400));
    QVERIFY(view.canvas()->isFitMode());
}

void TestAdmin::coldOpenFullImageFirstShowsNoPreview()
{
    addImages(2, 3200, 2400);
    const User rater = addUser(u"dr.c"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    ImageListModel queue;
    queue.setStore(m_store.get(), rater);
    LabellingView view(*m_store, rater, &queue);
    view.setPrefetchDepth(0);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *cache = view.findChild<ImageCache *>();
    QVERIFY(cache);
    QSignalSpy previews(cache, &ImageCache::previewReady);
    // Both decodes done; the full image arrives first, its preview after it.
    cache->holdResults(ImageCache::ResultKind::Preview);
    cache->holdResults(ImageCache::ResultKind::Full);
    view.openRow(0);
    QTRY_COMPARE_WITH_TIMEOUT(cache->heldResults(ImageCache::ResultKind::Preview), 1, 30'000);
    QTRY_COMPARE_WITH_TIMEOUT(cache->heldResults(ImageCache::ResultKind::Full), 1, 30'000);
    QVERIFY(!view.canvas()->hasImage());
    cache->releaseHeldResults(ImageCache::ResultKind::Full);
    QVERIFY(view.canvas()->hasImage());
    QVERIFY(!view.showingPreview());
    QCOMPARE(view.canvas()->image().size(), QSize(3200, 2400));
    // The late preview is dropped: never shown over (or after) the full image.
    cache->releaseHeldResults(ImageCache::ResultKind::Preview);
    QCOMPARE(previews.size(), 0);
    QVERIFY(!view.showingPreview());
    QCOMPARE(view.canvas()->image().size(), QSize(3200, 2400));
    QVERIFY(view.canvas()->isFitMode());
}

void TestAdmin::preferencesPersistAndApply()
{
    // Defaults, then a round trip through QSettings.
    QCOMPARE(Preferences::load(), Preferences());
    Preferences chosen;
    chosen.zoomOnImageChange = ZoomOnImageChange::ActualSize;
    chosen.language = u"de"_s;
    chosen.prefetchDepth = 5;
    chosen.save();
    QCOMPARE(Preferences::load(), chosen);
    {
        // Out-of-range values fall back to the defaults.
        QSettings settings;
        settings.setValue(u"labelling/prefetchDepth"_s, 99);
        settings.setValue(u"view/zoomOnImageChange"_s, u"sideways"_s);
    }
    QCOMPARE(Preferences::load().prefetchDepth, Preferences::DefaultPrefetchDepth);
    QCOMPARE(Preferences::load().zoomOnImageChange, ZoomOnImageChange::Fit);
    chosen.save();

    // The dialog shows and edits them.
    PreferencesDialog dialog(Preferences::load());
    auto *zoom = dialog.findChild<QComboBox *>(u"zoomOnImageChange"_s);
    auto *language = dialog.findChild<QComboBox *>(u"language"_s);
    auto *depth = dialog.findChild<QSpinBox *>(u"prefetchDepth"_s);
    QCOMPARE(ZoomOnImageChange(zoom->currentData().toInt()), ZoomOnImageChange::ActualSize);
    QCOMPARE(language->currentData().toString(), u"de"_s);
    QCOMPARE(language->currentText(), u"Deutsch"_s);
    QCOMPARE(depth->value(), 5);
    zoom->setCurrentIndex(zoom->findData(int(ZoomOnImageChange::Keep)));
    depth->setValue(1);
    language->setCurrentIndex(language->findData(u"en"_s));
    QVERIFY(dialog.findChild<QLabel *>(u"languageNote"_s)->text().contains(u"restarted"_s));
    const Preferences edited = dialog.preferences();
    QCOMPARE(edited.zoomOnImageChange, ZoomOnImageChange::Keep);
    QCOMPARE(edited.prefetchDepth, 1);
    QCOMPARE(edited.language, u"en"_s);
    edited.save();

    // The workstation applies them to the labelling screen, and keeps the window layout and the
    // last store as before.
    addImages(2);
    const User rater = addUser(u"dr.p"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    m_store.reset();
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openStore(m_path, u"dr.p"_s, u"password"_s));
        QVERIFY(window.labellingView());
        QCOMPARE(window.labellingView()->zoomOnImageChange(), ZoomOnImageChange::Keep);
        QCOMPARE(window.labellingView()->prefetchDepth(), 1);
        window.close();
    }
    QSettings settings;
    QCOMPARE(settings.value(u"store/last"_s).toString(), m_path);
    QVERIFY(!settings.value(u"window/geometry"_s).toByteArray().isEmpty());
    QCOMPARE(settings.value(u"labelling/prefetchDepth"_s).toInt(), 1);
}

void TestAdmin::germanMenuTitles()
{
    QVERIFY(Translations::available().contains(u"de"_s));
    QCOMPARE(Translations::available().first(), u"en"_s);
    Preferences german;
    german.language = u"de"_s;
    german.save();
    // As at startup: the stored language, installed before any widget is made.
    QVERIFY(Translations::install(Preferences::load().language));
    QCOMPARE(Translations::installed(), u"de"_s);
    {
        MainWindow window;
        const QStringList titles = menuTitles(window);
        QVERIFY2(titles.contains(u"&Datei"_s), qPrintable(titles.join(u", "_s)));
        QVERIFY(titles.contains(u"&Hilfe"_s));
    }
    QVERIFY(!Translations::install(u"xx"_s)); // no such translation: English
    QCOMPARE(Translations::installed(), u"en"_s);
    MainWindow window;
    QVERIFY(menuTitles(window).contains(u"&File"_s));
}

QTEST_MAIN(TestAdmin)
#include "tst_admin.moc"
