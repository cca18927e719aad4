// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "ImageListModel.h"
#include "ImportController.h"
#include "LabellingView.h"
#include "LiveRefresh.h"
#include "ShortcutSheet.h"
#include "SignInDialog.h"
#include "TeamStoreDialog.h"
#include "ThumbnailDelegate.h"
#include "admin/AssignDialog.h"
#include "admin/UsersDialog.h"
#include "export/ExportDialog.h"
#include "labelform/ClosingConflictDialog.h"
#include "qa/QaDashboard.h"
#include "settings/Preferences.h"
#include "settings/PreferencesDialog.h"

#include "annotation/ReferenceLabelAccess.h"
#include "auth/Permissions.h"
#include "base/Version.h"
#include "import/ImportService.h"
#include "labelling/LabellingDocument.h"
#include "labelling/LabellingDocumentManager.h"
#include "session/ImageService.h"
#include "session/SessionService.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedWidget>
#include <QUndoGroup>
#include <QSettings>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {


MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_images(new ImageListModel(this))
{
    setWindowTitle(programName());
    setObjectName(u"MainWindow"_s);

    m_view = new QListView(this);
    m_view->setObjectName(u"imageBrowser"_s);
    m_view->setViewMode(QListView::IconMode);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setMovement(QListView::Static);
    m_view->setUniformItemSizes(true);
    m_view->setSpacing(4);
    m_view->setMouseTracking(true);
    m_view->setItemDelegate(new ThumbnailDelegate(160, m_view));
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setModel(m_images);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    setCentralWidget(m_stack);
    // The hint fills the browser's viewport through a layout, so it is never shown at some earlier,
    // smaller size (cut off at the top-left corner).
    m_emptyHint = new QLabel(m_view->viewport());
    auto *hintLayout = new QVBoxLayout(m_view->viewport());
    hintLayout->setContentsMargins(0, 0, 0, 0);
    hintLayout->addWidget(m_emptyHint);
    m_emptyHint->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_emptyHint->setObjectName(u"emptyHint"_s);
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setStyleSheet(u"color: palette(mid); font-size: 13pt; padding: 40px;"_s);
    connect(m_images, &QAbstractItemModel::modelReset, this, &MainWindow::updateEmptyHint);
    connect(m_images, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateEmptyHint);
    connect(m_images, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateEmptyHint);

    auto *dock = m_storeDock = new QDockWidget(tr("Store"), this);
    dock->setObjectName(u"storeDock"_s);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    auto *panel = new QWidget(dock);
    auto *layout = new QVBoxLayout(panel);
    m_summary = new QLabel(panel);
    m_summary->setObjectName(u"storeSummary"_s);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_summary->setWordWrap(true);
    m_summary->setMinimumWidth(240);
    layout->addWidget(m_summary);
    layout->addStretch();
    dock->setWidget(panel);
    addDockWidget(Qt::RightDockWidgetArea, dock);

    m_storeLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_storeLabel);

    createActions();
    resize(1280, 820);
    QSettings settings;
    restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
    restoreState(settings.value(u"window/state"_s).toByteArray());
    updateState();
}

MainWindow::~MainWindow()
{
    if (m_import)
        m_import->cancelAndWait();
    // The screens that work on the store (and its connections, in their background jobs) go
    // before the store; as child widgets they would otherwise outlive it.
    delete m_dashboard;
    delete m_labelling;
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newStore = file->addAction(tr("&New Store…"), this, &MainWindow::chooseAndCreateStore);
    newStore->setShortcut(QKeySequence::New);
    QAction *open = file->addAction(tr("&Open Store…"), this, &MainWindow::chooseAndOpenStore);
    open->setShortcut(QKeySequence::Open);
    QAction *openTeam = file->addAction(tr("Open &Team Store…"), this, &MainWindow::chooseAndOpenTeamStore);
    openTeam->setObjectName(u"openTeamStore"_s);
    openTeam->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    QMenu *import = file->addMenu(tr("&Import"));
    m_adminActions << import->addAction(tr("Image &Folder…"), this, [this] { importFrom(int(ImportKind::Folder)); });
    m_adminActions.last()->setShortcut(tr("Ctrl+I"));
    m_adminActions << import->addAction(tr("&SCIN Dataset…"), this, [this] { importFrom(int(ImportKind::Scin)); });
    m_adminActions << import->addAction(tr("&PASSION Dataset…"), this, [this] { importFrom(int(ImportKind::Passion)); });
    file->addSeparator();
    m_signOut = file->addAction(tr("Sign &Out"), this, &MainWindow::closeStore);
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    m_editMenu = menuBar()->addMenu(tr("&Edit"));
    m_preferences = new QAction(tr("&Preferences…"), this);
    m_preferences->setObjectName(u"preferences"_s);
    m_preferences->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_preferences->setMenuRole(QAction::PreferencesRole);
    connect(m_preferences, &QAction::triggered, this, &MainWindow::showPreferences);
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_imageMenu = menuBar()->addMenu(tr("&Image"));
    m_toolsMenu = menuBar()->addMenu(tr("&Tools"));
    m_toolsMenu->setObjectName(u"toolsMenu"_s);

    // Administrators only (and core refuses everyone else).
    m_adminMenu = menuBar()->addMenu(tr("&Admin"));
    m_adminMenu->setObjectName(u"adminMenu"_s);
    QAction *users = m_adminMenu->addAction(tr("&Users…"), this, &MainWindow::showUsers);
    users->setObjectName(u"manageUsers"_s);
    users->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U));
    QAction *assign = m_adminMenu->addAction(tr("&Assign Images…"), this, &MainWindow::showAssign);
    assign->setObjectName(u"assignImages"_s);
    assign->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_adminMenu->addSeparator();
    // Admins switch between the image browser and the dashboard; QA leads always see the dashboard.
    QAction *quality = m_adminMenu->addAction(tr("&Quality Dashboard"));
    quality->setObjectName(u"qualityDashboard"_s);
    quality->setCheckable(true);
    connect(quality, &QAction::toggled, this, [this](bool on) {
        if (on)
            showQualityDashboard();
        else if (m_store)
            m_stack->setCurrentWidget(m_view);
    });
    quality->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Q));
    QAction *training = m_adminMenu->addAction(tr("&Training Store: Show Reference Labels to Raters"));
    training->setObjectName(u"trainingStore"_s);
    training->setCheckable(true);
    connect(training, &QAction::triggered, this, [this, training](bool on) {
        QString error;
        if (!m_store || !m_user || !ReferenceLabelAccess::setTrainingStore(*m_store, *m_user, on, &error)) {
            const QSignalBlocker blocker(training);
            training->setChecked(!on);
            if (!error.isEmpty())
                QMessageBox::warning(this, tr("Training Store"), error);
        }
    });
    QAction *exportBundle = m_adminMenu->addAction(tr("&Export Bundle…"), this, &MainWindow::showExport);
    exportBundle->setObjectName(u"exportBundle"_s);
    exportBundle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    resetSessionMenus();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    keys->setShortcuts({QKeySequence(Qt::Key_F1), QKeySequence(Qt::Key_Question)});
    help->addAction(tr("&About DermLabel"), this, &MainWindow::showAbout);
}

bool MainWindow::adopt(std::unique_ptr<Store> store, const QString &error, const QString &userName,
                       const QString &password)
{
    if (!store) {
        QMessageBox::critical(this, tr("Cannot open the store"), error);
        return false;
    }
    if (m_import && m_import->isRunning()) {
        QMessageBox::information(this, programName(), tr("Wait for the running import to finish first."));
        return false;
    }
    std::optional<User> user;
    if (!userName.isEmpty()) {
        QString signInError;
        user = SessionService(*store).signIn(userName, password, &signInError);
        if (!user) {
            QMessageBox::critical(this, tr("Cannot sign in"), signInError);
            return false;
        }
    } else {
        showSigningIn(SessionService(*store).storeName());
        SignInDialog dialog(*store, this);
        const bool accepted = dialog.exec() == QDialog::Accepted;
        showSigningIn(std::nullopt);
        if (!accepted)
            return false;
        user = dialog.user();
    }
    return startSession(std::move(store), *user);
}

bool MainWindow::openTeamStore(const QString &url, const QString &userName, const QString &password)
{
    if (m_import && m_import->isRunning()) {
        QMessageBox::information(this, programName(), tr("Wait for the running import to finish first."));
        return false;
    }
    std::unique_ptr<Store> store;
    std::optional<User> user;
    if (!userName.isEmpty()) {
        bool refused = false;
        QString error;
        store = SessionService::signInToTeamStore(url, userName, password, &user, &refused, &error);
        if (!store) {
            QMessageBox::critical(this, refused ? tr("Cannot sign in") : tr("Cannot open the store"), error);
            return false;
        }
    } else {
        showSigningIn(QString());
        SignInDialog dialog(url, this);
        const bool accepted = dialog.exec() == QDialog::Accepted;
        showSigningIn(std::nullopt);
        if (!accepted)
            return false;
        store = dialog.takeStore();
        user = dialog.user();
    }
    return store && user && startSession(std::move(store), *user);
}

bool MainWindow::startSession(std::unique_ptr<Store> store, const User &user)
{
    // The rater may cancel when labels of the open store could not be saved (a conflict).
    if (!resolveConflictsBeforeClosing(false))
        return false;
    closeStore();
    m_store = std::move(store);
    m_user = user;
    m_import = new ImportController(*m_store, this);
    connect(m_import, &ImportController::finished, this, &MainWindow::importFinished);
    m_images->setStore(m_store.get(), *m_user);
    applyPreferences(); // the image cache's size, before anything reads an image
    // Other people's changes appear as they are saved (a team store; nothing on SQLite).
    m_live = new LiveRefresh(*m_store, *m_user, this);
    m_live->setImageList(m_images, [this] { return m_labelling ? m_labelling->currentImageId() : qint64(-1); });
    connect(m_live, &LiveRefresh::changed, this, &MainWindow::refreshSummary);
    rememberStore(SessionService(*m_store).storeLocation());
    showWorkspace();
    updateState();
    if (Permissions::allows(m_user->role, Action::ImportImages))
        offerResume();
    return true;
}

bool MainWindow::resolveConflictsBeforeClosing(bool quitting)
{
    if (!m_labelling)
        return true;
    // Asked again when keeping mine meets yet another save made elsewhere meanwhile.
    for (;;) {
        QList<LabellingDocument *> conflicting;
        const QList<LabellingDocument *> open = m_labelling->documents()->documents();
        for (LabellingDocument *document : open) {
            document->waitForSaves(); // a save under way may still meet a conflict
            if (document->hasConflict())
                conflicting.append(document);
        }
        if (conflicting.isEmpty())
            return true;
        QStringList names;
        for (const LabellingDocument *document : std::as_const(conflicting)) {
            QString name;
            for (int row = 0; row < m_images->rowCount() && name.isEmpty(); ++row) {
                const QModelIndex index = m_images->index(row, 0);
                if (index.data(ImageListModel::ImageIdRole).toLongLong() == document->imageId())
                    name = index.data(ImageListModel::PublicIdRole).toString();
            }
            names.append(name.isEmpty() ? tr("image %1").arg(document->imageId()) : name);
        }
        ClosingConflictDialog dialog(names, quitting, this);
        dialog.exec();
        const ClosingConflictDialog::Choice choice = dialog.choice();
        if (choice == ClosingConflictDialog::Choice::Cancel)
            return false;
        for (LabellingDocument *document : std::as_const(conflicting)) {
            if (choice == ClosingConflictDialog::Choice::KeepMine)
                document->overwriteStored();
            else
                document->keepStored();
        }
    }
}

bool MainWindow::closeStore()
{
    if (m_import && m_import->isRunning())
        return false;
    if (!resolveConflictsBeforeClosing(false))
        return false;
    delete m_import;
    m_import = nullptr;
    delete m_labelling; // and with it the session's undo/redo and view actions
    m_labelling = nullptr;
    delete m_dashboard;
    m_dashboard = nullptr;
    delete m_live;
    m_live = nullptr;
    if (QAction *quality = m_adminMenu->findChild<QAction *>(u"qualityDashboard"_s)) {
        const QSignalBlocker blocker(quality);
        quality->setChecked(false);
    }
    resetSessionMenus();
    m_stack->setCurrentWidget(m_view);
    m_storeDock->show();
    m_images->setStore(nullptr, {});
    m_store.reset();
    m_user.reset();
    updateState();
    return true;
}

bool MainWindow::openStore(const QString &path, const QString &userName, const QString &password)
{
    if (SessionService::isTeamStore(path))
        return openTeamStore(path, userName, password);
    QString error;
    auto store = SessionService::openForWriting(path, false, &error);
    return adopt(std::move(store), error, userName, password);
}

bool MainWindow::createStore(const QString &path)
{
    QString error;
    auto store = SessionService::openForWriting(path, true, &error);
    return adopt(std::move(store), error);
}

void MainWindow::openInitialStore()
{
    const QString last = QSettings().value(u"store/last"_s).toString();
    if (!last.isEmpty() && (SessionService::isTeamStore(last) || QFileInfo::exists(last)) && openStore(last))
        return;
    QMessageBox box(this);
    box.setWindowTitle(programName());
    box.setIcon(QMessageBox::Question);
    box.setText(tr("<b>Welcome to DermLabel.</b>"));
    box.setInformativeText(tr("Labels, images and users live in a store: a file on this computer, or a team "
                              "store on your team's server. Create a new store, or open one that an "
                              "administrator gave you."));
    QPushButton *create = box.addButton(tr("Create Store…"), QMessageBox::AcceptRole);
    QPushButton *open = box.addButton(tr("Open Store…"), QMessageBox::ActionRole);
    QPushButton *team = box.addButton(tr("Open Team Store…"), QMessageBox::ActionRole);
    box.addButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == create)
        chooseAndCreateStore();
    else if (box.clickedButton() == open)
        chooseAndOpenStore();
    else if (box.clickedButton() == team)
        chooseAndOpenTeamStore();
}

static QString storeFilter()
{
    return MainWindow::tr("DermLabel stores (*.dermlabel);;All files (*)");
}

void MainWindow::showWorkspace()
{
    // QA leads work in the quality dashboard.
    if (m_user && m_user->role == Role::Qa) {
        showQualityDashboard();
        return;
    }
    if (!m_user || m_user->role != Role::Annotator || m_images->rowCount() == 0) {
        m_stack->setCurrentWidget(m_view);
        return;
    }
    // Dermatologists work in the labelling screen, starting at the first
    // image of their queue that is not done yet.
    m_labelling = new LabellingView(*m_store, *m_user, m_images, m_stack);
    // The queue and its progress are in the labelling screen and status bar. Hidden first: the
    // dock and the labelling screen side by side would widen the window past its size.
    m_storeDock->hide();
    m_stack->addWidget(m_labelling);
    m_stack->setCurrentWidget(m_labelling);
    connect(m_labelling, &LabellingView::statusMessage, this, [this](const QString &message) {
        statusBar()->showMessage(message);
    });
    connect(m_labelling, &LabellingView::queueChanged, this, &MainWindow::refreshSummary);
    QAction *undo = m_labelling->undoGroup()->createUndoAction(m_labelling, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_labelling->undoGroup()->createRedoAction(m_labelling, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    m_editMenu->insertActions(m_preferences, {undo, redo});
    m_editMenu->insertSeparator(m_preferences);
    const QList<QAction *> view = m_labelling->viewActions();
    for (qsizetype i = 0; i < view.size(); ++i) {
        if (i == 4 || i == view.size() - 1) // zoom | brightness and contrast | reset
            m_viewMenu->addSeparator();
        m_viewMenu->addAction(view.at(i));
    }
    m_imageMenu->addActions(m_labelling->navigationActions());
    // Mask tools: single keys while the image has the focus.
    const QList<QAction *> tools = m_labelling->maskToolActions();
    for (qsizetype i = 0; i < tools.size(); ++i) {
        if (i == 1 || i == tools.size() - 2) // pan | tools | brush size
            m_toolsMenu->addSeparator();
        m_toolsMenu->addAction(tools.at(i));
    }
    m_viewMenu->menuAction()->setVisible(true);
    m_imageMenu->menuAction()->setVisible(true);
    m_toolsMenu->menuAction()->setVisible(true);
    applyPreferences();
    int start = 0;
    while (start + 1 < m_images->rowCount()
           && m_images->index(start, 0).data(ImageListModel::StatusRole).toString() == u"done"_s)
        ++start;
    m_labelling->openRow(start);
    m_labelling->setFocus();
}

void MainWindow::chooseAndCreateStore()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Create Store"), QDir::homePath() + u"/labels.dermlabel"_s,
                                                storeFilter());
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += u".dermlabel"_s;
    createStore(path);
}

void MainWindow::chooseAndOpenStore()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Store"), QDir::homePath(),
                                                      storeFilter());
    if (!path.isEmpty())
        openStore(path);
}

void MainWindow::chooseAndOpenTeamStore()
{
    QStringList teamStores;
    for (const QString &path : QSettings().value(u"store/recent"_s).toStringList())
        if (SessionService::isTeamStore(path))
            teamStores.append(path);
    TeamStoreDialog dialog(teamStores, this);
    if (dialog.exec() == QDialog::Accepted)
        openStore(dialog.url());
}

void MainWindow::importFrom(int kind)
{
    if (!m_store || !m_import || m_import->isRunning() || !m_user)
        return;
    QString error;
    if (!Permissions::check(*m_user, Action::ImportImages, &error)) {
        QMessageBox::warning(this, tr("Import"), error);
        return;
    }
    const ImportKind importKind = ImportKind(kind);
    const QString title = importKind == ImportKind::Scin      ? tr("Choose the SCIN dataset folder")
        : importKind == ImportKind::Passion                   ? tr("Choose the PASSION dataset folder")
                                                              : tr("Choose a folder of images");
    const QString folder = QFileDialog::getExistingDirectory(this, title, QSettings().value(u"import/last"_s).toString());
    if (folder.isEmpty())
        return;
    QSettings().setValue(u"import/last"_s, folder);
    ImportOptions options;
    options.userId = m_user->id;
    m_import->start(importKind, folder, options);
}

void MainWindow::importFinished(const ImportReport &report)
{
    m_images->reload();
    refreshSummary();
    QMessageBox box(this);
    box.setWindowTitle(tr("Import"));
    if (report.failed()) {
        box.setIcon(QMessageBox::Critical);
        box.setText(tr("The import could not be done."));
        box.setInformativeText(report.error);
    } else {
        box.setIcon(report.exitCode() == 0 ? QMessageBox::Information : QMessageBox::Warning);
        box.setText(report.cancelled ? tr("Import cancelled.") : tr("Import finished."));
        box.setInformativeText(report.summary());
        QStringList details;
        for (const FileIssue &issue : report.rejected + report.missing)
            details << u"%1: %2"_s.arg(QDir::toNativeSeparators(issue.path), issue.message);
        details << report.warnings;
        if (!details.isEmpty())
            box.setDetailedText(details.join(u'\n'));
    }
    box.exec();
}

void MainWindow::offerResume()
{
    if (!m_store)
        return;
    QString error;
    const QList<ImportRunRecord> runs = SessionService(*m_store).unfinishedImports(&error);
    if (runs.isEmpty())
        return;
    const ImportRunRecord &run = runs.last();
    const auto answer = QMessageBox::question(
        this, tr("Interrupted import"),
        tr("An import of %1 started at %2 did not finish. Resume it now? Images already imported are kept and "
           "skipped.")
            .arg(QDir::toNativeSeparators(run.rootPath), run.startedAt),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer != QMessageBox::Yes)
        return;
    const ImportKind kind = run.kind == u"scin"_s ? ImportKind::Scin
        : run.kind == u"passion"_s               ? ImportKind::Passion
                                                 : ImportKind::Folder;
    ImportOptions options;
    options.userId = m_user->id;
    m_import->start(kind, run.rootPath, options);
}

void MainWindow::resetSessionMenus()
{
    m_editMenu->clear();
    m_editMenu->addAction(m_preferences);
    m_viewMenu->clear();
    m_imageMenu->clear();
    m_toolsMenu->clear();
    m_viewMenu->menuAction()->setVisible(false);
    m_imageMenu->menuAction()->setVisible(false);
    m_toolsMenu->menuAction()->setVisible(false);
}

void MainWindow::updateState()
{
    const bool open = m_store != nullptr && m_user;
    const bool admin = open && Permissions::allows(m_user->role, Action::ImportImages);
    for (QAction *action : std::as_const(m_adminActions))
        action->setEnabled(admin);
    m_adminMenu->menuAction()->setVisible(open && Permissions::allows(m_user->role, Action::ManageUsers));
    if (QAction *training = m_adminMenu->findChild<QAction *>(u"trainingStore"_s)) {
        const QSignalBlocker blocker(training);
        training->setChecked(open && ReferenceLabelAccess::isTrainingStore(*m_store));
    }
    m_signOut->setEnabled(open);
    if (open) {
        const SessionService session(*m_store);
        setWindowTitle(u"%1 — %2"_s.arg(session.storeName(), programName()));
        m_storeLabel->setText(tr("%1 (%2) · %3")
                                  .arg(m_user->displayName.isEmpty() ? m_user->name : m_user->displayName,
                                       roleDisplayName(m_user->role),
                                       QDir::toNativeSeparators(session.storeLocation())));
    } else {
        setWindowTitle(programName());
        m_storeLabel->setText(tr("No store open"));
    }
    refreshSummary();
    updateEmptyHint();
}

void MainWindow::showSigningIn(const std::optional<QString> &storeName)
{
    m_signingIn = storeName.has_value();
    m_signingInTo = storeName.value_or(QString());
    updateEmptyHint();
}

void MainWindow::updateEmptyHint()
{
    QString hint;
    if (m_signingIn)
        hint = m_signingInTo; // the store being signed in to (nothing for a team store's address)
    else if (!m_store || !m_user)
        hint = tr("Open a store to begin: File › Open Store, or File › Open Team Store for your team's server.");
    else if (m_images->rowCount() == 0 && m_user->role == Role::Annotator)
        hint = tr("No images are assigned to you yet.\nAn administrator assigns the work.");
    else if (m_images->rowCount() == 0)
        hint = tr("This store has no images yet.\nImport a folder or a dataset: File › Import.");
    m_emptyHint->setText(hint);
    m_emptyHint->setVisible(!hint.isEmpty());
}

void MainWindow::refreshSummary()
{
    if (!m_store || !m_user) {
        m_summary->setText(tr("<p>No store is open.</p><p>Use <b>File › New Store</b>, <b>File › Open Store</b> or, for your "
                              "team's server, <b>File › Open Team Store</b>.</p>"));
        return;
    }
    QString error;
    if (m_user->role == Role::Annotator) {
        const QueueProgress queue = SessionService(*m_store).progress(*m_user, &error);
        m_summary->setText(tr("<h3>Your queue</h3><table cellspacing='4'>"
                              "<tr><td>Assigned images</td><td align='right'><b>%1</b></td></tr>"
                              "<tr><td>Done</td><td align='right'><b>%2</b></td></tr>"
                              "<tr><td>To go</td><td align='right'><b>%3</b></td></tr></table>")
                               .arg(queue.assigned)
                               .arg(queue.done)
                               .arg(queue.toDo()));
        statusBar()->showMessage(tr("%1 of %2 images done").arg(queue.done).arg(queue.assigned));
        return;
    }
    // QA leads and admins: the project's progress first, then what the store holds.
    QString project;
    if (const auto progress = SessionService(*m_store).projectProgress(*m_user, &error)) {
        project = tr("<h3>Project</h3><table cellspacing='4'>"
                     "<tr><td>Images assigned</td><td align='right'><b>%1</b> of %2</td></tr>"
                     "<tr><td>Finished by every rater</td><td align='right'><b>%3</b></td></tr>"
                     "<tr><td>Waiting for adjudication</td><td align='right'><b>%4</b></td></tr>"
                     "<tr><td>Adjudicated</td><td align='right'><b>%5</b></td></tr></table>")
                      .arg(progress->imagesAssigned)
                      .arg(progress->images)
                      .arg(progress->imagesComplete)
                      .arg(progress->awaitingAdjudication)
                      .arg(progress->adjudicated);
        if (!progress->raters.isEmpty()) {
            QString rows;
            for (const RaterProgress &rater : progress->raters) {
                const QString name = rater.rater.active ? rater.rater.displayName.toHtmlEscaped()
                                                        : tr("%1 (disabled)").arg(rater.rater.displayName.toHtmlEscaped());
                rows += tr("<tr><td>%1</td><td align='right'><b>%2</b> of %3</td><td align='right'>%4 to go</td></tr>")
                            .arg(name)
                            .arg(rater.done)
                            .arg(rater.assigned)
                            .arg(rater.toDo());
            }
            project += tr("<h3>Raters</h3><table cellspacing='4'>%1</table>").arg(rows);
        }
    }
    const StoreStats stats = SessionService(*m_store).stats(&error);
    m_summary->setText(project + tr("<h3>%1</h3>"
                          "<table cellspacing='4'>"
                          "<tr><td>Images</td><td align='right'><b>%2</b></td></tr>"
                          "<tr><td>Cases</td><td align='right'><b>%3</b></td></tr>"
                          "<tr><td>Reference labels</td><td align='right'><b>%4</b></td></tr>"
                          "<tr><td>Users</td><td align='right'><b>%5</b></td></tr>"
                          "<tr><td>Annotations</td><td align='right'><b>%6</b></td></tr>"
                          "<tr><td>Sources</td><td align='right'><b>%7</b></td></tr>"
                          "<tr><td>Image data</td><td align='right'><b>%8 MB</b></td></tr>"
                          "</table>")
                           .arg(SessionService(*m_store).storeName().toHtmlEscaped())
                           .arg(stats.images)
                           .arg(stats.cases)
                           .arg(stats.referenceLabels)
                           .arg(stats.users)
                           .arg(stats.annotations)
                           .arg(stats.sources)
                           .arg(stats.imageBytes / 1048576.0, 0, 'f', 1));
    statusBar()->showMessage(stats.images == 1 ? tr("1 image") : tr("%1 images").arg(stats.images));
}

void MainWindow::rememberStore(const QString &path)
{
    QSettings settings;
    settings.setValue(u"store/last"_s, path);
    QStringList recent = settings.value(u"store/recent"_s).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    settings.setValue(u"store/recent"_s, recent.mid(0, 8));
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(u"store/recent"_s).toStringList();
    for (const QString &path : recent) {
        const bool team = SessionService::isTeamStore(path);
        QAction *action = m_recentMenu->addAction(team ? path : QDir::toNativeSeparators(path), this,
                                                  [this, path] { openStore(path); });
        action->setEnabled(team || QFileInfo::exists(path));
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::showShortcuts()
{
    QList<QAction *> actions;
    for (QAction *menu : menuBar()->actions()) {
        if (menu->menu() && menu->isVisible())
            actions += menu->menu()->actions();
    }
    ShortcutSheet sheet(actions, this);
    sheet.exec();
}

UsersDialog *MainWindow::createUsersDialog()
{
    if (!m_store || !m_user || !Permissions::allows(m_user->role, Action::ManageUsers))
        return nullptr;
    return new UsersDialog(*m_store, *m_user, this);
}

AssignDialog *MainWindow::createAssignDialog()
{
    if (!m_store || !m_user || !Permissions::allows(m_user->role, Action::AssignImages))
        return nullptr;
    return new AssignDialog(*m_store, *m_user, this);
}

PreferencesDialog *MainWindow::createPreferencesDialog()
{
    return new PreferencesDialog(Preferences::load(), this);
}

void MainWindow::showQualityDashboard()
{
    if (!m_store || !m_user)
        return;
    if (!m_dashboard) {
        m_dashboard = new QaDashboard(*m_store, *m_user, m_stack);
        m_dashboard->setObjectName(u"qaDashboard"_s);
        if (m_live)
            m_live->setDashboard(m_dashboard);
        m_stack->addWidget(m_dashboard);
        m_storeDock->hide(); // the dashboard has its own summary
    }
    m_stack->setCurrentWidget(m_dashboard);
}

void MainWindow::showExport()
{
    if (!m_store || !m_user)
        return;
    ExportDialog dialog(*m_store, *m_user, this);
    dialog.exec();
}

void MainWindow::showUsers()
{
    const std::unique_ptr<UsersDialog> dialog(createUsersDialog());
    if (!dialog)
        return;
    // Users changed by another admin (or `users add`) show while the dialog is open.
    if (m_live)
        connect(m_live, &LiveRefresh::usersChanged, dialog.get(), &UsersDialog::reload);
    dialog->exec();
    if (dialog->changed())
        refreshSummary();
}

void MainWindow::showAssign()
{
    const std::unique_ptr<AssignDialog> dialog(createAssignDialog());
    if (!dialog || dialog->exec() != QDialog::Accepted || !dialog->assignmentResult())
        return;
    refreshSummary();
    statusBar()->showMessage(tr("%1 new assignments over %2 images.")
                                 .arg(dialog->assignmentResult()->added)
                                 .arg(dialog->assignmentResult()->images));
}

void MainWindow::showPreferences()
{
    const std::unique_ptr<PreferencesDialog> dialog(createPreferencesDialog());
    if (dialog->exec() != QDialog::Accepted)
        return;
    const Preferences before = Preferences::load();
    const Preferences after = dialog->preferences();
    after.save();
    applyPreferences();
    if (after.language != before.language)
        statusBar()->showMessage(tr("The new language applies when DermLabel is restarted."));
}

void MainWindow::applyPreferences()
{
    const Preferences preferences = Preferences::load();
    if (m_store)
        ImageService(*m_store).setFileCacheBytes(qint64(preferences.imageCacheMegabytes) * 1024 * 1024);
    if (!m_labelling)
        return;
    m_labelling->setZoomOnImageChange(preferences.zoomOnImageChange);
    m_labelling->setPrefetchDepth(preferences.prefetchDepth);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About DermLabel"),
                       tr("<h3>DermLabel %1</h3><p>An annotation workstation for de-identified dermatology images: "
                          "quality, suitability, differential diagnoses, skin type and tone, and region masks, "
                          "labelled by several dermatologists independently.</p>")
                           .arg(programVersion()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_import && m_import->isRunning()) {
        const auto answer = QMessageBox::question(this, tr("Import running"),
                                                  tr("An import is running. Stop it and quit? What was imported so "
                                                     "far is kept; the import can be resumed later."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_import->cancelAndWait();
    }
    if (!resolveConflictsBeforeClosing(true)) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    event->accept();
}

} // namespace dl
