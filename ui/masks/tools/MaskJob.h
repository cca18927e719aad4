// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFutureWatcher>
#include <QString>

#include <functional>
#include <opencv2/core/mat.hpp>

namespace dl {

class MaskDocument;
class MaskToolContext;

/// Background work of a tool that ends in a mask (magic wand, GrabCut): it reports the busy state
/// to the context, and hands its result to the tool only when it was neither cancelled nor made for
/// a document that is no longer edited.
class MaskJob
{
public:
    using Apply = std::function<void(const cv::Mat &result)>;

    MaskJob(MaskToolContext &context, Apply apply);
    ~MaskJob();
    MaskJob(const MaskJob &) = delete;
    MaskJob &operator=(const MaskJob &) = delete;

    bool isRunning() const { return m_running; }
    /// Watches future, made for the document edited now; what: "Segmenting…".
    void start(const QFuture<cv::Mat> &future, const QString &what);
    /// The result will be dropped; the busy state is the caller's to end.
    void cancel();

private:
    void finished();

    MaskToolContext &m_context;
    Apply m_apply;
    QFutureWatcher<cv::Mat> m_watcher;
    bool m_running = false;
    const MaskDocument *m_document = nullptr; // the document the result applies to
};

} // namespace dl
