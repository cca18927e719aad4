// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QMainWindow>

#include <memory>
#include <optional>

class QAction;
class QDialog;
class QLabel;
class QListView;
class QMenu;
class QStackedWidget;
class QDockWidget;

namespace dl {

class AssignDialog;
class ImageListModel;
class ImportController;
class LabellingView;
class LiveRefresh;
class QaDashboard;
class PreferencesDialog;
class Store;
class UsersDialog;
struct ImportReport;

/// The workstation's main window: the open store, its images, and the
/// store-level actions (create, open, import).
///
/// The central widget is a stack with one page per role's main view: the
/// image browser (admins, QA leads), the labelling screen (dermatologists).
/// Role-specific menus (Admin; Edit, View and Image while labelling) are shown
/// only to whom they serve; core refuses the actions to anyone else anyway.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens the store at path for this session and asks who signs in (or,
    /// with credentials given, signs in directly); shows why when it cannot.
    /// A team store (a postgresql:// URL) is opened by signing in: the sign-in dialog comes first.
    bool openStore(const QString &path, const QString &userName = {}, const QString &password = {});
    /// Creates a new, empty store at path, opens it and asks for its admin.
    bool createStore(const QString &path);
    Store *store() const { return m_store.get(); }
    std::optional<User> user() const { return m_user; }
    /// The labelling screen, while an annotator is signed in.
    LabellingView *labellingView() const { return m_labelling; }
    /// When no store was named: the last one, or a choice to create or open one.
    void openInitialStore();

    /// The dialogs behind the menus, created but not shown (the menus exec() them; the
    /// workstation's --screenshot-dialog shows one). Null when not allowed or no store is open.
    UsersDialog *createUsersDialog();
    AssignDialog *createAssignDialog();
    PreferencesDialog *createPreferencesDialog();
    /// The Admin menu (hidden unless an administrator is signed in).
    QMenu *adminMenu() const { return m_adminMenu; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void updateState();
    void refreshSummary();
    void updateEmptyHint();
    /// While a sign-in dialog is open for a store (its name; empty for a team store), or std::nullopt.
    void showSigningIn(const std::optional<QString> &storeName);
    void chooseAndCreateStore();
    void chooseAndOpenStore();
    void chooseAndOpenTeamStore();
    void importFrom(int kind);
    void importFinished(const ImportReport &report);
    void offerResume();
    void rememberStore(const QString &path);
    void rebuildRecentMenu();
    void showAbout();
    void showShortcuts();
    void showUsers();
    void showAssign();
    void showExport();
    void showQualityDashboard();
    void showPreferences();
    void applyPreferences();
    void resetSessionMenus();
    bool adopt(std::unique_ptr<Store> store, const QString &error, const QString &userName = {},
               const QString &password = {});
    /// Opens a team store: signs in first (with the dialog unless a name is given).
    bool openTeamStore(const QString &url, const QString &userName, const QString &password);
    /// Makes an open store and its signed-in user this window's session.
    bool startSession(std::unique_ptr<Store> store, const User &user);
    /// Closes the session's store; false when the rater cancelled (an unresolved conflict).
    bool closeStore();
    /// Before the window or the store closes: labels or regions of open images that could not be
    /// saved because they were changed elsewhere are kept, replaced or the closing is cancelled
    /// (ClosingConflictDialog). True when nothing is left in conflict.
    bool resolveConflictsBeforeClosing(bool quitting);
    void showWorkspace();

    std::unique_ptr<Store> m_store;
    std::optional<User> m_user;
    ImageListModel *m_images = nullptr;
    ImportController *m_import = nullptr;
    QListView *m_view = nullptr;
    QStackedWidget *m_stack = nullptr;
    QDockWidget *m_storeDock = nullptr;
    LabellingView *m_labelling = nullptr;
    QaDashboard *m_dashboard = nullptr;
    LiveRefresh *m_live = nullptr; // other people's changes (team store)
    QMenu *m_editMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_imageMenu = nullptr;
    QMenu *m_toolsMenu = nullptr;
    QMenu *m_adminMenu = nullptr;
    QAction *m_preferences = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_emptyHint = nullptr;
    bool m_signingIn = false; ///< a sign-in dialog is open: the hint shows the store's name, or nothing
    QString m_signingInTo;
    QLabel *m_storeLabel = nullptr;
    QMenu *m_recentMenu = nullptr;
    QList<QAction *> m_adminActions;
    QAction *m_signOut = nullptr;
};

} // namespace dl
