// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "import/ImportService.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>

#include <atomic>

class QProgressDialog;
class QWidget;

namespace dl {

class Store;

/// Runs an import off the UI thread with a progress dialog and Cancel.
class ImportController : public QObject
{
    Q_OBJECT

public:
    ImportController(Store &store, QWidget *window);
    ~ImportController() override;

    bool isRunning() const { return m_watcher.isRunning(); }
    void start(ImportKind kind, const QString &path, const ImportOptions &options = {});
    /// Blocks until a running import has stopped (used on close).
    void cancelAndWait();

signals:
    void finished(const dl::ImportReport &report);

private:
    void onProgress(const ImportProgress &progress);

    Store &m_store;
    QPointer<QWidget> m_window;
    QPointer<QProgressDialog> m_dialog;
    QFutureWatcher<ImportReport> m_watcher;
    std::atomic_bool m_cancel {false};
};

} // namespace dl
