// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportController.h"

#include "base/Guarded.h"
#include "release/FaceCheck.h"

#include <QDir>
#include <QMessageBox>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace dl {

ImportController::ImportController(Store &store, QWidget *window)
    : QObject(window)
    , m_store(store)
    , m_window(window)
{
    connect(&m_watcher, &QFutureWatcher<ImportReport>::finished, this, [this] {
        if (m_dialog)
            m_dialog->deleteLater();
        const ImportReport report = m_watcher.result();
        emit finished(report);
        if (m_checkFaces && !report.failed())
            startFaceCheck(m_userId);
    });
    connect(&m_faceWatcher, &QFutureWatcher<FaceCheckResult>::finished, this, [this] {
        if (m_faceDialog)
            m_faceDialog->deleteLater();
        const FaceCheckResult result = m_faceWatcher.result();
        if (!result.error.isEmpty() && m_window && !m_stopped) {
            // Not modal: the work goes on; the images stay held back from export.
            auto *box = new QMessageBox(QMessageBox::Warning, tr("Face check"),
                                        tr("The face check of the new images did not finish: %1\nThe images not yet "
                                           "checked are held back from export until the check runs again "
                                           "(next import, or dermlabel-cli faces --pending).")
                                            .arg(result.error),
                                        QMessageBox::Ok, m_window);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->setWindowModality(Qt::NonModal);
            box->show();
        }
        emit faceCheckFinished(result.checked, result.newFlags, result.error);
        if (m_faceRerun && !m_faceCancel) {
            m_faceRerun = false;
            startFaceCheck(m_userId);
        }
    });
}

ImportController::~ImportController()
{
    cancelAndWait();
}

void ImportController::start(ImportKind kind, const QString &path, const ImportOptions &options)
{
    if (isRunning())
        return;
    m_cancel = false;
    m_stopped = false;
    m_dialog = new QProgressDialog(tr("Reading %1…").arg(QDir::toNativeSeparators(path)), tr("Cancel"), 0, 0, m_window);
    m_dialog->setWindowTitle(tr("Importing images"));
    m_dialog->setWindowModality(Qt::WindowModal);
    m_dialog->setMinimumDuration(0);
    m_dialog->setMinimumWidth(460);
    m_dialog->setAutoClose(false);
    m_dialog->setAutoReset(false);
    connect(m_dialog, &QProgressDialog::canceled, this, [this] {
        m_cancel = true;
        if (m_dialog) {
            m_dialog->setLabelText(tr("Stopping after the current batch; what was imported is kept…"));
            m_dialog->setCancelButton(nullptr);
        }
    });
    m_dialog->show();

    // The new images are stored as waiting for the face check, which runs after the import, in
    // the background (startFaceCheck).
    m_checkFaces = options.faceCheck;
    m_userId = options.userId;
    ImportOptions importOptions = options;
    importOptions.faceCheckLater = true;
    Store *store = &m_store;
    std::atomic_bool *cancel = &m_cancel;
    QPointer<ImportController> self(this);
    m_watcher.setFuture(QtConcurrent::run([store, kind, path, options = importOptions, cancel, self] {
        return guarded(
            [&] {
                ImportService service(*store);
                return service.importPath(kind, path, options, [self](const ImportProgress &progress) {
                    QMetaObject::invokeMethod(self.data(), [self, progress] {
                        if (self)
                            self->onProgress(progress);
                    }, Qt::QueuedConnection);
                }, cancel);
            },
            [](const QString &message) {
                ImportReport failed;
                failed.error = message;
                return failed;
            });
    }));
}

void ImportController::onProgress(const ImportProgress &progress)
{
    if (!m_dialog || m_cancel)
        return;
    switch (progress.phase) {
    case ImportProgress::Phase::Reading:
        m_dialog->setRange(0, 0);
        break;
    case ImportProgress::Phase::Images:
        m_dialog->setRange(0, int(progress.total));
        m_dialog->setValue(int(progress.done));
        m_dialog->setLabelText(tr("Checking and copying images: %1 of %2").arg(progress.done).arg(progress.total));
        break;
    case ImportProgress::Phase::Cases:
        m_dialog->setRange(0, int(progress.total));
        m_dialog->setValue(int(progress.done));
        m_dialog->setLabelText(tr("Recording cases and labels: %1 of %2").arg(progress.done).arg(progress.total));
        break;
    case ImportProgress::Phase::Faces:
    case ImportProgress::Phase::Finished:
        break;
    }
}

void ImportController::startFaceCheck(qint64 userId)
{
    if (m_stopped)
        return;
    if (m_faceWatcher.isRunning()) {
        m_faceRerun = true; // the running check may have read the list of waiting images already
        return;
    }
    m_faceCancel = false;
    m_faceDialog = new QProgressDialog(tr("Checking the new images for faces…"), tr("Stop"), 0, 0, m_window);
    m_faceDialog->setWindowTitle(tr("Face check"));
    m_faceDialog->setWindowModality(Qt::NonModal); // the workstation stays usable meanwhile
    m_faceDialog->setMinimumDuration(500);
    m_faceDialog->setMinimumWidth(460);
    m_faceDialog->setAutoClose(false);
    m_faceDialog->setAutoReset(false);
    connect(m_faceDialog, &QProgressDialog::canceled, this, [this] {
        m_faceCancel = true;
        if (m_faceDialog) {
            m_faceDialog->setLabelText(tr("Stopping; the images not yet checked stay held back from export until "
                                          "the next check…"));
            m_faceDialog->setCancelButton(nullptr);
        }
    });

    // The check runs as the importer: whoever may import may check what they imported.
    User importer;
    importer.id = userId;
    importer.role = Role::Admin;
    Store *store = &m_store;
    std::atomic_bool *cancel = &m_faceCancel;
    QPointer<ImportController> self(this);
    m_faceWatcher.setFuture(QtConcurrent::run([store, importer, cancel, self] {
        return guarded(
            [&] {
                FaceCheck check(*store, importer);
                FaceCheckResult result;
                const auto summary = check.runPending(&result.error, [self, cancel](int done, int total) {
                    QMetaObject::invokeMethod(self.data(), [self, done, total] {
                        if (self)
                            self->onFaceProgress(done, total);
                    }, Qt::QueuedConnection);
                    return !cancel->load();
                });
                if (summary) {
                    result.checked = summary->checked;
                    result.newFlags = summary->newFlags;
                }
                return result;
            },
            [](const QString &message) {
                FaceCheckResult failed;
                failed.error = message;
                return failed;
            });
    }));
}

void ImportController::onFaceProgress(int done, int total)
{
    if (!m_faceDialog || m_faceCancel)
        return;
    m_faceDialog->setRange(0, total);
    m_faceDialog->setValue(done);
    m_faceDialog->setLabelText(tr("Checking the new images for faces: %1 of %2.\nYou can keep working; each image "
                                  "can be exported once it is checked.")
                                   .arg(done)
                                   .arg(total));
}

void ImportController::cancelAndWait()
{
    m_stopped = true;
    if (m_watcher.isRunning()) {
        m_cancel = true;
        m_watcher.waitForFinished();
    }
    if (m_faceWatcher.isRunning()) {
        m_faceCancel = true;
        m_faceWatcher.waitForFinished();
    }
}

} // namespace dl
