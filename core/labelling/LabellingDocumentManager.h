// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <unordered_map>

namespace dl {

class LabellingDocument;
class Store;

/// The documents a rater's labelling session has open: one LabellingDocument per image, opened on
/// first use and kept for the images visited last (memory stays bounded: masks and undo histories
/// are large). The least recently used documents beyond kept() are closed, after their saves;
/// a document whose changes still cannot be saved stays open (and is reported) rather than losing
/// them. All documents save their masks on one worker thread with its own store connection.
class LabellingDocumentManager : public QObject
{
    Q_OBJECT

public:
    /// Images whose documents stay open by default.
    static constexpr int DefaultKept = 16;

    LabellingDocumentManager(Store &store, User rater, int kept = DefaultKept, QObject *parent = nullptr);
    /// Closes every document (closeAll()).
    ~LabellingDocumentManager() override;

    int kept() const { return m_kept; }
    /// The document of an image, opened on first use (or again, when its labels were not editable),
    /// made the most recently used; older documents beyond kept() are closed. Never nullptr: a
    /// document that cannot be edited says why (LabellingDocument::openError()).
    LabellingDocument *open(qint64 imageId);
    /// The open document of an image, or nullptr.
    LabellingDocument *document(qint64 imageId) const;
    /// The open documents, most recently used first.
    QList<LabellingDocument *> documents() const;

    /// Saves what is unsaved (again, after a failure), waits for the saves and closes the document.
    /// False (and the document stays open) when a save failed.
    bool close(qint64 imageId);
    /// close() for every document; false when one stays open because its saves failed.
    bool closeAll();
    /// Waits until no document is saving; true when everything is stored.
    bool waitForSaves();

signals:
    void documentOpened(dl::LabellingDocument *document);
    /// The document is about to be destroyed: stop showing it.
    void aboutToClose(dl::LabellingDocument *document);

private:
    void closeBeyondKept();

    Store &m_store;
    User m_rater;
    int m_kept;
    QThreadPool m_saver; // before the documents: they save on it until they are gone
    std::unordered_map<qint64, std::unique_ptr<LabellingDocument>> m_documents;
    QList<qint64> m_recent; // most recent first
};

} // namespace dl
