// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/tools/MaskJob.h"

#include "masks/tools/MaskToolContext.h"

namespace dl {

MaskJob::MaskJob(MaskToolContext &context, Apply apply)
    : m_context(context)
    , m_apply(std::move(apply))
{
    QObject::connect(&m_watcher, &QFutureWatcher<cv::Mat>::finished, &m_watcher, [this] { finished(); });
}

MaskJob::~MaskJob()
{
    // The running job holds copies of what it uses; its result is dropped.
    m_watcher.disconnect();
    m_watcher.cancel();
}

void MaskJob::start(const QFuture<cv::Mat> &future, const QString &what)
{
    m_running = true;
    m_document = m_context.document();
    m_context.busyStarted(what);
    m_watcher.setFuture(future);
}

void MaskJob::cancel()
{
    m_watcher.cancel();
    m_running = false;
    m_document = nullptr;
}

void MaskJob::finished()
{
    const QFuture<cv::Mat> future = m_watcher.future();
    const bool expected = m_running;
    const MaskDocument *document = m_document;
    m_running = false;
    m_document = nullptr;
    m_context.busyEnded();
    if (!expected || document != m_context.document() || future.isCanceled() || future.resultCount() == 0)
        return; // cancelled, or for a document no longer shown
    m_apply(future.result());
}

} // namespace dl
