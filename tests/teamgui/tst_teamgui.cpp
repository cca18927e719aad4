// SPDX-License-Identifier: GPL-3.0-or-later
// The workstation on a team store (a real PostgreSQL server): the store's URL is opened by
// signing in, a wrong password keeps the dialog asking and opens nothing, the URL is checked as
// it is typed, and the team store is remembered (without its password) like a file.
#include "PostgresTestServer.h"

#include "MainWindow.h"
#include "SignInDialog.h"
#include "TeamStoreDialog.h"

#include "store/PostgresServer.h"
#include "store/Store.h"
#include "store/TeamSecurity.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <functional>

using namespace Qt::StringLiterals;
using namespace dl;

static const QString Password = u"correct horse battery"_s;

class TestTeamGui : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void urlWithoutPasswordAsksForSignIn();
    void wrongPasswordKeepsAsking();
    void namedUserSignsInDirectly();
    void teamStoreIsRememberedWithoutPassword();
    void urlIsCheckedAsTyped();

private:
    /// Runs work on the next modal dialog once it is shown (while openStore() waits in exec()).
    void onNextModal(std::function<void(QDialog *)> work);
    QString user(const QString &base) const { return u"%1_%2"_s.arg(base).arg(QCoreApplication::applicationPid()); }
    /// The store's URL as an administrator would hand it out: no user, no password.
    QString plainUrl() const;

    PostgresTestServer m_pg {u"teamgui"_s};
    std::unique_ptr<Store> m_owner;
    QStringList m_roles;
};

#define REQUIRE_SERVER()                                                                                              \
    do {                                                                                                              \
        if (PostgresTestServer::disabled())                                                                           \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QVERIFY2(m_owner, "the team store was not set up");                                                           \
    } while (false)

void TestTeamGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // keep QSettings away from the user's
    QCoreApplication::setOrganizationName(u"DermLabelTeamGuiTest"_s);
    QSettings().clear();
    if (PostgresTestServer::disabled())
        return;
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
    QString error;
    m_owner = Store::open(m_pg.location(u"gui"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(m_owner, qPrintable(error));
    QVERIFY2(TeamSecurity::install(m_owner->db(), &error), qPrintable(error));
    for (const auto &[base, role] : {std::pair {u"ann"_s, Role::Annotator}, std::pair {u"adm"_s, Role::Admin}}) {
        QVERIFY2(TeamSecurity::addUser(m_owner->db(), user(base), base, role, Password, true, &error), qPrintable(error));
        m_roles.append(user(base));
    }
    for (const QString &kind : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s})
        m_roles.append(TeamSecurity::groupName(m_owner->db(), kind, &error));
}

void TestTeamGui::cleanupTestCase()
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

void TestTeamGui::onNextModal(std::function<void(QDialog *)> work)
{
    QTimer::singleShot(0, this, [this, work] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog || !dialog->isVisible()) {
            onNextModal(work);
            return;
        }
        work(dialog);
    });
}

QString TestTeamGui::plainUrl() const
{
    QUrl url(m_owner->location().toString(), QUrl::StrictMode);
    url.setUserName({});
    url.setPassword({});
    return url.toString(QUrl::FullyEncoded);
}

void TestTeamGui::urlWithoutPasswordAsksForSignIn()
{
    REQUIRE_SERVER();
    MainWindow window;
    window.show();
    QString intro;
    onNextModal([&](QDialog *dialog) {
        QCOMPARE(dialog->objectName(), u"signInDialog"_s);
        // A team store never asks for a first administrator: `init --admin` made it.
        QVERIFY(!dialog->findChild<QLineEdit *>(u"repeat"_s));
        intro = dialog->findChild<QLabel *>(u"intro"_s)->text();
        dialog->findChild<QLineEdit *>(u"name"_s)->setText(user(u"ann"_s));
        dialog->findChild<QLineEdit *>(u"password"_s)->setText(Password);
        QTest::keyClick(dialog->findChild<QLineEdit *>(u"password"_s), Qt::Key_Return);
    });
    QVERIFY(window.openStore(plainUrl()));
    QVERIFY(window.store());
    QVERIFY(window.store()->location().isPostgres());
    QCOMPARE(window.user()->name, user(u"ann"_s));
    QCOMPARE(window.user()->role, Role::Annotator);
    QVERIFY2(intro.contains(m_pg.databaseName(u"gui"_s)), qPrintable(intro));
    QVERIFY2(!intro.contains(u"password"_s, Qt::CaseInsensitive) || intro.contains(u"checked by the server"_s),
             qPrintable(intro));
}

void TestTeamGui::wrongPasswordKeepsAsking()
{
    REQUIRE_SERVER();
    MainWindow window;
    window.show();
    QString message;
    bool stillAsking = false;
    onNextModal([&](QDialog *dialog) {
        dialog->findChild<QLineEdit *>(u"name"_s)->setText(user(u"ann"_s));
        auto *password = dialog->findChild<QLineEdit *>(u"password"_s);
        password->setText(u"not the password"_s);
        QTest::keyClick(password, Qt::Key_Return);
        auto *label = dialog->findChild<QLabel *>(u"message"_s);
        message = label->isVisible() ? label->text() : QString();
        stillAsking = dialog->isVisible();
        dialog->reject();
    });
    QVERIFY(!window.openStore(plainUrl()));
    QVERIFY(stillAsking);
    QVERIFY2(message.contains(u"wrong"_s), qPrintable(message));
    QCOMPARE(window.store(), nullptr);
}

void TestTeamGui::namedUserSignsInDirectly()
{
    REQUIRE_SERVER();
    MainWindow window;
    window.show();
    QVERIFY(window.openStore(plainUrl(), user(u"adm"_s), Password));
    QCOMPARE(window.user()->role, Role::Admin);
    QVERIFY(window.adminMenu()->menuAction()->isVisible());
}

void TestTeamGui::teamStoreIsRememberedWithoutPassword()
{
    REQUIRE_SERVER();
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openStore(plainUrl(), user(u"ann"_s), Password));
    }
    const QStringList recent = QSettings().value(u"store/recent"_s).toStringList();
    QVERIFY(!recent.isEmpty());
    QVERIFY2(recent.first().startsWith(u"postgresql://"_s), qPrintable(recent.first()));
    QVERIFY2(recent.first().contains(m_pg.databaseName(u"gui"_s)), qPrintable(recent.first()));
    for (const QString &entry : recent)
        QVERIFY2(!entry.contains(Password) && !entry.contains(u"correct%20horse"_s), qPrintable(entry));

    // Open Recent offers it (enabled, though it is no file), and opening it asks who signs in.
    MainWindow window;
    window.show();
    QMenu *recentMenu = nullptr;
    for (QAction *action : window.menuBar()->actions())
        if (action->menu())
            for (QAction *item : action->menu()->actions())
                if (item->menu() && item->text().contains(u"Recent"_s))
                    recentMenu = item->menu();
    QVERIFY(recentMenu);
    QAction *entry = recentMenu->actions().value(0);
    QVERIFY(entry);
    QCOMPARE(entry->text(), recent.first());
    QVERIFY(entry->isEnabled());
    QString prefilled;
    onNextModal([&](QDialog *dialog) {
        QCOMPARE(dialog->objectName(), u"signInDialog"_s);
        prefilled = dialog->findChild<QLineEdit *>(u"name"_s)->text();
        dialog->findChild<QLineEdit *>(u"password"_s)->setText(Password);
        QTest::keyClick(dialog->findChild<QLineEdit *>(u"password"_s), Qt::Key_Return);
    });
    entry->trigger();
    QCOMPARE(prefilled, user(u"ann"_s));
    QVERIFY(window.store());
    QCOMPARE(window.user()->name, user(u"ann"_s));
}

void TestTeamGui::urlIsCheckedAsTyped()
{
    TeamStoreDialog dialog({u"postgresql://labels.example.org/dermlabel"_s});
    auto *url = dialog.findChild<QComboBox *>(u"url"_s);
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    auto *message = dialog.findChild<QLabel *>(u"message"_s);
    dialog.show();
    QCOMPARE(dialog.url(), u"postgresql://labels.example.org/dermlabel"_s);
    QVERIFY(ok->isEnabled());

    url->setEditText(u"/home/someone/labels.dermlabel"_s);
    QVERIFY(!ok->isEnabled());
    QVERIFY(message->isVisible());
    QVERIFY(!message->text().isEmpty());

    url->setEditText(u"postgresql://db.example.org:6543/project?sslmode=verify-full"_s);
    QVERIFY(ok->isEnabled());
    QVERIFY(!message->isVisible());

    url->setEditText(QString());
    QVERIFY(!ok->isEnabled());
    QVERIFY(!message->isVisible()); // nothing typed is not an error yet
}

QTEST_MAIN(TestTeamGui)
#include "tst_teamgui.moc"
