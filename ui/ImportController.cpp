// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportController.h"

#include "base/Guarded.h"

#include <QDir>
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
        emit finished(m_watcher.result());
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

    Store *store = &m_store;
    std::atomic_bool *cancel = &m_cancel;
    QPointer<ImportController> self(this);
    m_watcher.setFuture(QtConcurrent::run([store, kind, path, options, cancel, self] {
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
    case ImportProgress::Phase::Finished:
        break;
    }
}

void ImportController::cancelAndWait()
{
    if (m_watcher.isRunning()) {
        m_cancel = true;
        m_watcher.waitForFinished();
    }
}

} // namespace dl
