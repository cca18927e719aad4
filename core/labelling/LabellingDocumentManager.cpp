// SPDX-License-Identifier: GPL-3.0-or-later
#include "labelling/LabellingDocumentManager.h"

#include "labelling/LabellingDocument.h"

namespace dl {

LabellingDocumentManager::LabellingDocumentManager(Store &store, User rater, int kept, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_rater(std::move(rater))
    , m_kept(qMax(1, kept))
{
    // One thread that lives as long as the manager: the store gives it one connection, and the
    // saves of all documents are written one after the other (a single writer).
    m_saver.setMaxThreadCount(1);
    m_saver.setExpiryTimeout(-1);
}

LabellingDocumentManager::~LabellingDocumentManager()
{
    if (!closeAll()) {
        // Nothing is left to report to: retried once more by closeAll(), then let go.
        qWarning("Labelling documents closed with changes not saved");
        for (const qint64 imageId : std::as_const(m_recent))
            emit aboutToClose(m_documents.at(imageId).get());
        m_documents.clear();
        m_recent.clear();
    }
}

LabellingDocument *LabellingDocumentManager::document(qint64 imageId) const
{
    const auto it = m_documents.find(imageId);
    return it == m_documents.end() ? nullptr : it->second.get();
}

QList<LabellingDocument *> LabellingDocumentManager::documents() const
{
    QList<LabellingDocument *> list;
    for (const qint64 imageId : m_recent)
        list.append(document(imageId));
    return list;
}

LabellingDocument *LabellingDocumentManager::open(qint64 imageId)
{
    LabellingDocument *existing = document(imageId);
    // Labels that could not be edited may be editable now (assigned since): open them again.
    if (existing && !existing->isEditable() && close(imageId))
        existing = nullptr;
    if (!existing) {
        auto opened = std::make_unique<LabellingDocument>(m_store, m_rater, imageId, m_saver);
        existing = opened.get();
        m_documents[imageId] = std::move(opened);
        emit documentOpened(existing);
    }
    m_recent.removeAll(imageId);
    m_recent.prepend(imageId);
    closeBeyondKept();
    return existing;
}

void LabellingDocumentManager::closeBeyondKept()
{
    // The oldest first; one that cannot be saved stays and the next older one is tried.
    for (qsizetype i = m_recent.size() - 1; i >= m_kept && i > 0; --i)
        close(m_recent.at(i));
}

bool LabellingDocumentManager::close(qint64 imageId)
{
    LabellingDocument *doc = document(imageId);
    if (!doc)
        return true;
    doc->retrySaves();
    if (!doc->waitForSaves())
        return false; // saveFailed() told why; the changes stay in memory
    emit aboutToClose(doc);
    m_recent.removeAll(imageId);
    m_documents.erase(imageId);
    return true;
}

bool LabellingDocumentManager::closeAll()
{
    bool all = true;
    const QList<qint64> recent = m_recent;
    for (const qint64 imageId : recent)
        all = close(imageId) && all;
    return all;
}

bool LabellingDocumentManager::waitForSaves()
{
    bool saved = true;
    for (const auto &[imageId, doc] : m_documents)
        saved = doc->waitForSaves() && saved;
    return saved;
}

} // namespace dl
