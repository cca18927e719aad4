// SPDX-License-Identifier: GPL-3.0-or-later
// Two workstations of one team store: the first (an admin) imports photos, which go up to the
// server; the second, an annotator with an empty image cache of its own, opens the store in the
// workstation's main window and its labelling screen shows the assigned image, downloaded from
// the server on the decoder thread, and the next one prefetched.
#include "PostgresTestServer.h"

#include "LabellingView.h"
#include "MainWindow.h"
#include "canvas/ImageCanvas.h"

#include "import/ImportService.h"
#include "model/Role.h"
#include "session/ImageService.h"
#include "store/ImageBlobRepository.h"
#include "store/ImageRepository.h"
#include "store/PostgresServer.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/TeamSecurity.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QMessageBox>
#include <QTimer>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestTeamLabelling : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void secondWorkstationLabelsWhatTheFirstImported();

private:
    QTemporaryDir m_dir;
    PostgresTestServer m_pg {u"teamlabelling"_s};
    QStringList m_roles;
};

void TestTeamLabelling::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // The workstation's settings and image cache below the temporary folder (not QStandardPaths'
    // test mode: it would give both workstations one cache folder).
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_dir.filePath(u"config"_s)));
    QCoreApplication::setOrganizationName(u"DermLabelTest"_s);
}

void TestTeamLabelling::cleanupTestCase()
{
    m_pg.dropAll();
    if (!m_roles.isEmpty() && !PostgresTestServer::disabled()) {
        QStringList drop;
        for (const QString &role : std::as_const(m_roles))
            drop.append(u"DROP ROLE IF EXISTS %1"_s.arg(PostgresServer::quoteIdentifier(role)));
        QString error;
        QVERIFY2(m_pg.admin(drop, &error), qPrintable(error));
    }
}

void TestTeamLabelling::secondWorkstationLabelsWhatTheFirstImported()
{
    if (PostgresTestServer::disabled())
        QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
    const StoreLocation location = m_pg.location(u"team"_s);
    const QString suffix = u"_%1"_s.arg(QCoreApplication::applicationPid());
    const QString admin = u"tl.admin"_s + suffix;
    const QString rater = u"tl.rater"_s + suffix;
    const QString password = u"team labelling"_s;
    QString error;
    qint64 raterId = -1;
    {
        auto owner = Store::open(location, Store::OpenMode::CreateNew, &error);
        QVERIFY2(owner, qPrintable(error));
        QVERIFY2(TeamSecurity::install(owner->db(), &error), qPrintable(error));
        for (const QString &kind : {u"owner"_s, u"annotator"_s, u"qa"_s, u"admin"_s})
            m_roles.prepend(TeamSecurity::groupName(owner->db(), kind, &error));
        m_roles.prepend(admin);
        m_roles.prepend(rater);
        QVERIFY2(TeamSecurity::addUser(owner->db(), admin, u"Admin"_s, Role::Admin, password, true, &error),
                 qPrintable(error));
        const auto id = TeamSecurity::addUser(owner->db(), rater, u"Rater"_s, Role::Annotator, password, true, &error);
        QVERIFY2(id, qPrintable(error));
        raterId = *id;
    }

    // The first workstation: the admin imports two photos.
    const QString folder = m_dir.filePath(u"photos"_s);
    QVERIFY(QDir().mkpath(folder));
    QRandomGenerator generator {11};
    for (int i = 0; i < 2; ++i) {
        QImage image(800, 600, QImage::Format_RGB32);
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                image.setPixel(x, y, qRgb(generator.bounded(256), 120, generator.bounded(256)));
        QVERIFY(image.save(u"%1/p%2.jpg"_s.arg(folder).arg(i), "JPEG", 92));
    }
    qputenv("XDG_CACHE_HOME", QFile::encodeName(m_dir.filePath(u"first"_s)));
    {
        auto first = Store::open(location, Store::OpenMode::MustExist, &error);
        QVERIFY2(first, qPrintable(error));
        bool refused = false;
        QVERIFY2(first->connectAs(admin, password, &refused, &error), qPrintable(error));
        QVERIFY(first->lockForWriting(&error));
        ImportOptions options;
        options.faceCheck = false;
        const ImportReport report = ImportService(*first).importPath(ImportKind::Folder, folder, options);
        QVERIFY2(!report.failed(), qPrintable(report.error));
        QCOMPARE(report.imported, 2);
        const QList<qint64> ids = ImageRepository(*first).ids(&error);
        QCOMPARE(ids.size(), 2);
        const QString now = Sql::now();
        for (qint64 id : ids)
            QVERIFY2(Sql::exec(first->db(),
                               u"INSERT INTO assignments (image_id, user_id, assigned_at, updated_at) VALUES (?, ?, ?, ?)"_s,
                               {id, raterId, now, now}, &error),
                     qPrintable(error));
    }

    // The second workstation, its cache folder empty: the annotator opens the store.
    const QString secondCache = m_dir.filePath(u"second"_s);
    qputenv("XDG_CACHE_HOME", QFile::encodeName(secondCache));
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    // A message box would wait for a click: close it and keep what it said.
    QString shown;
    QTimer closer;
    connect(&closer, &QTimer::timeout, this, [&] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            shown += box->text() + u'\n';
            box->done(QMessageBox::Cancel);
        }
    });
    closer.start(200);
    // The URL as the server's superuser (so that the store opens); signing in then connects as the rater.
    QVERIFY2(window.openStore(m_pg.databaseUrl(u"team"_s), rater, password), qPrintable(shown));
    QVERIFY2(window.store()->location().user() == rater, qPrintable(window.store()->location().user()));
    QVERIFY(window.store());
    QVERIFY(window.store()->imageDirectory().startsWith(secondCache));
    LabellingView *view = window.labellingView();
    QVERIFY(view);
    // Decoded off the UI thread, after its download there (its screen-sized preview first).
    QTRY_VERIFY2_WITH_TIMEOUT(view->canvas()->hasImage() && !view->showingPreview(), qPrintable(shown), 30'000);
    QCOMPARE(view->canvas()->image().size(), QSize(800, 600));
    // Both files are now in this workstation's cache: the shown one and the prefetched next one.
    ImageService images(*window.store());
    for (qint64 id : ImageRepository(*window.store()).ids(&error)) {
        const QString path = images.filePath(id, &error);
        QVERIFY(path.startsWith(secondCache));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(path), 30'000);
    }
}

QTEST_MAIN(TestTeamLabelling)
#include "tst_teamlabelling.moc"
