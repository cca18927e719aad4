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

/// Runs an import off the UI thread with a progress dialog and Cancel, then the face check of the
/// new images in the background (FaceCheck::runPending) with a progress window that does not block
/// the workstation; the images are held back from export until they are checked.
class ImportController : public QObject
{
    Q_OBJECT

public:
    ImportController(Store &store, QWidget *window);
    ~ImportController() override;

    bool isRunning() const { return m_watcher.isRunning(); }
    bool isCheckingFaces() const { return m_faceWatcher.isRunning(); }
    void start(ImportKind kind, const QString &path, const ImportOptions &options = {});
    /// Blocks until a running import and face check have stopped (used on close); images not yet
    /// checked keep waiting for the next check.
    void cancelAndWait();

signals:
    void finished(const dl::ImportReport &report);
    /// The background face check has ended: `error` empty when it ran (`checked` images,
    /// `newFlags` possible faces flagged).
    void faceCheckFinished(int checked, int newFlags, const QString &error);

private:
    struct FaceCheckResult
    {
        int checked = 0;
        int newFlags = 0;
        QString error;
    };

    void onProgress(const ImportProgress &progress);
    void startFaceCheck(qint64 userId);
    void onFaceProgress(int done, int total);

    Store &m_store;
    QPointer<QWidget> m_window;
    QPointer<QProgressDialog> m_dialog;
    QFutureWatcher<ImportReport> m_watcher;
    std::atomic_bool m_cancel {false};
    bool m_checkFaces = false;
    qint64 m_userId = -1;
    bool m_faceRerun = false; ///< another import finished while the check ran
    bool m_stopped = false;   ///< cancelAndWait(): start nothing more
    QPointer<QProgressDialog> m_faceDialog;
    QFutureWatcher<FaceCheckResult> m_faceWatcher;
    std::atomic_bool m_faceCancel {false};
};

} // namespace dl
