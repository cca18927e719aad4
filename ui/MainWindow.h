// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>

#include <memory>

class QAction;
class QLabel;
class QListView;
class QMenu;

namespace dl {

class ImageListModel;
class ImportController;
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

    /// Opens the store at path for this session; shows why when it cannot.
    bool openStore(const QString &path);
    /// Creates a new, empty store at path and opens it.
    bool createStore(const QString &path);
    Store *store() const { return m_store.get(); }
    /// When no store was named: the last one, or a choice to create or open one.
    void openInitialStore();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void updateState();
    void refreshSummary();
    void chooseAndCreateStore();
    void chooseAndOpenStore();
    void importFrom(int kind);
    void importFinished(const ImportReport &report);
    void offerResume();
    void rememberStore(const QString &path);
    void rebuildRecentMenu();
    void showAbout();
    bool adopt(std::unique_ptr<Store> store, const QString &error);

    std::unique_ptr<Store> m_store;
    ImageListModel *m_images = nullptr;
    ImportController *m_import = nullptr;
    QListView *m_view = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_storeLabel = nullptr;
    QMenu *m_recentMenu = nullptr;
    QList<QAction *> m_storeActions;
};

} // namespace dl
