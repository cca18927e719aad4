// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QMainWindow>

#include <memory>
#include <optional>

class QAction;
class QLabel;
class QListView;
class QMenu;
class QStackedWidget;
class QDockWidget;

namespace dl {

class ImageListModel;
class ImportController;
class LabellingView;
class Store;
struct ImportReport;

/// The workstation's main window: the open store, its images, and the
/// store-level actions (create, open, import).
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens the store at path for this session and asks who signs in (or,
    /// with credentials given, signs in directly); shows why when it cannot.
    bool openStore(const QString &path, const QString &userName = {}, const QString &password = {});
    /// Creates a new, empty store at path, opens it and asks for its admin.
    bool createStore(const QString &path);
    Store *store() const { return m_store.get(); }
    std::optional<User> user() const { return m_user; }
    /// The labelling screen, while an annotator is signed in.
    LabellingView *labellingView() const { return m_labelling; }
    /// When no store was named: the last one, or a choice to create or open one.
    void openInitialStore();

protected:
    void closeEvent(QCloseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void createActions();
    void updateState();
    void refreshSummary();
    void updateEmptyHint();
    void chooseAndCreateStore();
    void chooseAndOpenStore();
    void importFrom(int kind);
    void importFinished(const ImportReport &report);
    void offerResume();
    void rememberStore(const QString &path);
    void rebuildRecentMenu();
    void showAbout();
    void showShortcuts();
    bool adopt(std::unique_ptr<Store> store, const QString &error, const QString &userName = {},
               const QString &password = {});
    void closeStore();
    void showWorkspace();

    std::unique_ptr<Store> m_store;
    std::optional<User> m_user;
    ImageListModel *m_images = nullptr;
    ImportController *m_import = nullptr;
    QListView *m_view = nullptr;
    QStackedWidget *m_stack = nullptr;
    QDockWidget *m_storeDock = nullptr;
    LabellingView *m_labelling = nullptr;
    QMenu *m_editMenu = nullptr;
    QMenu *m_imageMenu = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_emptyHint = nullptr;
    QLabel *m_storeLabel = nullptr;
    QMenu *m_recentMenu = nullptr;
    QList<QAction *> m_adminActions;
    QAction *m_signOut = nullptr;
};

} // namespace dl
