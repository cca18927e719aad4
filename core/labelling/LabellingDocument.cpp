// SPDX-License-Identifier: GPL-3.0-or-later
#include "labelling/LabellingDocument.h"

#include "annotation/AnnotationEditCommand.h"
#include "annotation/AnnotationService.h"
#include "base/Guarded.h"
#include "masks/MaskDocument.h"
#include "masks/MaskEditCommand.h"
#include "masks/MaskPatch.h"
#include "masks/MaskService.h"

#include <QThreadPool>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace dl {

LabellingDocument::LabellingDocument(Store &store, const User &rater, qint64 imageId, QThreadPool &saver,
                                     QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_rater(rater)
    , m_imageId(imageId)
    , m_saver(saver)
    , m_annotations(std::make_unique<AnnotationService>(store, rater))
{
    QString error;
    if (const auto own = m_annotations->own(imageId, &error)) {
        m_annotation = *own;
        m_editable = true;
        // The rater's own masks (core keeps them blind to anyone else's).
        if (auto opened = MaskService(store, rater).openOwn(imageId, &m_masksError))
            m_masks = std::make_unique<MaskDocument>(std::move(*opened));
    } else {
        m_openError = error;
    }
    m_undoStack = new QUndoStack(this);
    m_undoStack->setUndoLimit(MaskEditCommand::RecommendedUndoLimit);
    // Every step pushed, undone or redone changes the index (a merged step re-announces it).
    connect(m_undoStack, &QUndoStack::indexChanged, this, &LabellingDocument::queueChangedLayers);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &LabellingDocument::finishSave);
}

LabellingDocument::~LabellingDocument()
{
    // Undo steps point at the masks and the label service: the history goes first, and clearing it
    // saves nothing.
    disconnect(m_undoStack, nullptr, this, nullptr);
    delete m_undoStack;
    m_undoStack = nullptr;
    blockSignals(true); // nobody listens to a document going away
    if (!waitForSaves())
        qWarning("Image %lld closed with changes not saved: %s", m_imageId, qPrintable(m_lastError));
}

bool LabellingDocument::hasUnsavedChanges() const
{
    return m_labelsUnsaved || isSaving() || (m_masks && !m_masks->changedLayers().isEmpty());
}

void LabellingDocument::editLabels(const Annotation &before, const Annotation &after, const QString &text,
                                   int mergeKey)
{
    if (!m_editable)
        return;
    pushLabelStep(before, after, text, mergeKey);
}

void LabellingDocument::pushLabelStep(const Annotation &before, const Annotation &after, const QString &text,
                                      int mergeKey)
{
    // The step lives in this document's stack, which goes before the document does. Each of its saves
    // is based on the version this document knows (the one it read, or its last save).
    m_undoStack->push(new AnnotationEditCommand(
        *m_annotations, before, after, text, mergeKey,
        [this](const AnnotationEditCommand::Outcome &outcome) {
            onLabelsApplied(outcome.labels, outcome.result, outcome.error, outcome.stored);
        },
        [this] { return m_annotation.version; }));
}

void LabellingDocument::saveLabels(Annotation labels)
{
    Annotation stored;
    QString error;
    const SaveResult result = m_annotations->save(labels, &error, &stored);
    onLabelsApplied(labels, result, error, stored);
}

void LabellingDocument::onLabelsApplied(const Annotation &labels, SaveResult result, const QString &error,
                                        const Annotation &stored)
{
    m_annotation = labels; // on a failure or conflict: still based on the version known before
    m_labelsUnsaved = result != SaveResult::Saved;
    if (result == SaveResult::Conflict) {
        m_conflict = stored;
        emit labelsConflict(stored, labels);
    }
    if (m_labelsUnsaved) {
        reportFailure(error);
        return;
    }
    const bool hadConflict = hasConflict();
    m_conflict.reset();
    if (!hasUnsavedChanges())
        m_lastError.clear();
    emit labelsSaved(labels);
    endConflictIfResolved(hadConflict);
}

void LabellingDocument::endConflictIfResolved(bool hadConflict)
{
    if (hadConflict && !hasConflict())
        emit conflictResolved();
}

QStringList LabellingDocument::conflictingLayers() const
{
    QStringList layers = m_maskConflicts.keys();
    layers.sort();
    return layers;
}

int LabellingDocument::layerBase(const QString &layerId) const
{
    const auto known = m_layerVersions.constFind(layerId);
    if (known != m_layerVersions.cend())
        return *known;
    return m_masks ? m_masks->savedVersion(layerId) : 0;
}

void LabellingDocument::keepStored()
{
    if (!hasConflict())
        return;
    const bool labels = m_conflict.has_value();
    // One undo step: the stored layers, then the stored labels (undone in the opposite order).
    m_undoStack->beginMacro(tr("Keep the stored labels"));
    if (!m_maskConflicts.isEmpty())
        keepStoredLayers(std::exchange(m_maskConflicts, {}));
    if (labels) {
        const Annotation stored = *m_conflict;
        const Annotation mine = m_annotation;
        // Based on the stored version: saving labels equal to the stored ones writes nothing.
        m_annotation.version = stored.version;
        pushLabelStep(mine, stored, tr("Keep the stored labels"), -1);
    }
    m_undoStack->endMacro();
    if (!labels)
        endConflictIfResolved(true);
}

void LabellingDocument::keepStoredLayers(const QHash<QString, int> &layers)
{
    QStringList replaced;
    for (auto it = layers.cbegin(); it != layers.cend(); ++it) {
        const QString &id = it.key();
        cv::Mat theirs;
        if (it.value() > 0) {
            QString error;
            const auto loaded = MaskService(m_store, m_rater).loadVersion(m_imageId, m_rater.id, id, it.value(), &error);
            if (!loaded) {
                m_maskConflicts.insert(id, it.value()); // still in conflict: nothing was replaced
                reportFailure(error);
                continue;
            }
            theirs = *loaded;
        }
        cv::Mat mask = m_masks->mask(id);
        if (theirs.empty())
            theirs = cv::Mat::zeros(mask.size(), CV_8UC1);
        const cv::Rect all(0, 0, mask.cols, mask.rows);
        MaskPatch before = MaskPatch::capture(mask, all);
        MaskPatch after = MaskPatch::capture(theirs, all);
        theirs.copyTo(mask);
        m_masks->markChanged(id);
        // Their pixels, based on their version: the save that follows writes nothing.
        m_layerVersions.insert(id, it.value());
        // Pushed in the state it makes (the first redo writes nothing), as the mask tools do.
        m_undoStack->push(new MaskEditCommand(*m_masks, id, MaskTool::Fill, std::move(before), std::move(after), false,
                                              [this](const QString &layer, const cv::Rect &) {
                                                  emit masksReplaced({layer});
                                              }));
        replaced.append(id);
    }
    if (!replaced.isEmpty())
        emit masksReplaced(replaced);
}

void LabellingDocument::overwriteStored()
{
    if (!hasConflict())
        return;
    // Based on the versions stored now.
    const bool masks = !m_maskConflicts.isEmpty();
    for (auto it = m_maskConflicts.cbegin(); it != m_maskConflicts.cend(); ++it)
        m_layerVersions.insert(it.key(), it.value());
    m_maskConflicts.clear();
    const bool labels = m_conflict.has_value();
    if (labels) {
        Annotation mine = m_annotation;
        mine.version = m_conflict->version;
        saveLabels(mine);
    }
    if (masks)
        queueChangedLayers();
    if (!labels)
        endConflictIfResolved(true);
}

void LabellingDocument::reportFailure(const QString &message)
{
    m_lastError = message;
    emit saveFailed(message);
}

void LabellingDocument::queueChangedLayers()
{
    if (!m_masks)
        return;
    QStringList edited;
    // Layers changed since their last copy, and layers a failed save left changed (no copy queued).
    for (const QString &id : m_masks->changedLayers()) {
        const quint64 revision = m_masks->revision(id);
        if (m_seen.value(id) != revision) {
            m_seen.insert(id, revision);
            edited.append(id);
        }
        const auto queued = m_queued.constFind(id);
        if (queued != m_queued.constEnd() && *queued == revision)
            continue;
        // A copy: the tools go on drawing into the document while the worker encodes. A copy still
        // waiting for its batch is replaced (the latest state wins).
        LayerCopy &copy = m_pending[id];
        keepSpare(std::move(copy.mask));
        copy = LayerCopy {id, revision, copyOf(m_masks->maskIfAllocated(id))};
        m_queued.insert(id, revision);
    }
    if (!edited.isEmpty())
        emit masksEdited(edited);
    startNextSave();
}

cv::Mat LabellingDocument::copyOf(const cv::Mat &mask)
{
    if (mask.empty())
        return {};
    cv::Mat copy;
    if (!m_spares.empty()) {
        copy = std::move(m_spares.back());
        m_spares.pop_back();
    }
    mask.copyTo(copy); // reuses the buffer when it has the size and type
    return copy;
}

void LabellingDocument::keepSpare(cv::Mat buffer)
{
    // Buffers of copies replaced before their batch started, or of a finished batch (taken out of
    // its future): nothing else holds them.
    if (!buffer.empty() && m_spares.size() < MaxSpares)
        m_spares.push_back(std::move(buffer));
}

void LabellingDocument::startNextSave()
{
    if (m_saving || m_pending.empty())
        return;
    QList<LayerCopy> batch;
    for (auto &[id, copy] : m_pending) {
        copy.baseVersion = layerBase(id); // the previous batch is in: its versions are known
        batch.append(std::move(copy));
    }
    m_pending.clear();
    m_saving = true;
    const QSize size = m_masks->size();
    m_watcher.setFuture(QtConcurrent::run(&m_saver, [store = &m_store, rater = m_rater, imageId = m_imageId, size,
                                                     batch = std::move(batch)]() mutable {
        SaveOutcome outcome;
        QList<MaskService::LayerPixels> pixels;
        for (const LayerCopy &copy : std::as_const(batch))
            pixels.append({copy.layerId, copy.mask, copy.baseVersion});
        QString error;
        // What core throws here (out of memory while encoding, say) is a failed save, caught up later.
        const auto versions = guarded(
            [&] {
                return MaskService(*store, rater)
                    .saveMasks(imageId, size, pixels, &error, &outcome.annotationId, &outcome.conflicts);
            },
            [&error](const QString &message) {
                error = message;
                return std::optional<QList<int>>();
            });
        pixels.clear();
        if (versions)
            outcome.versions = *versions;
        else
            outcome.error = error;
        outcome.layers = std::move(batch);
        return outcome;
    }));
}

void LabellingDocument::finishSave()
{
    if (!m_saving || !m_watcher.isFinished())
        return;
    // Taken out of the future: the pixel buffers are this document's alone again (spares).
    const SaveOutcome outcome = m_watcher.future().takeResult();
    m_saving = false;
    QStringList layers;
    for (qsizetype i = 0; i < outcome.layers.size(); ++i) {
        const LayerCopy &copy = outcome.layers.at(i);
        layers.append(copy.layerId);
        // A layer whose copy failed is no longer queued: the next step (or a retry) copies it again.
        const auto queued = m_queued.constFind(copy.layerId);
        if (queued != m_queued.constEnd() && *queued == copy.revision)
            m_queued.remove(copy.layerId);
        if (outcome.error.isEmpty())
            m_layerVersions.insert(copy.layerId, outcome.versions.at(i));
        // Saved in the state it still has: no longer changed. Changed since: its newer copy follows.
        if (outcome.error.isEmpty() && m_masks->revision(copy.layerId) == copy.revision)
            m_masks->markSaved(copy.layerId, outcome.versions.at(i));
        // Not saved, and the layer left the document meanwhile (an emptied layer no label asks for
        // any more): it comes back, changed, so that its state is not lost.
        if (!outcome.error.isEmpty() && !m_masks->hasLayer(copy.layerId))
            m_masks->setMask(copy.layerId,
                             copy.mask.empty() ? cv::Mat(cv::Mat::zeros(m_masks->cvSize(), CV_8UC1)) : copy.mask);
        keepSpare(copy.mask);
    }
    if (outcome.error.isEmpty()) {
        m_masks->setAnnotationId(outcome.annotationId);
        if (!hasUnsavedChanges())
            m_lastError.clear();
        emit masksSaved(layers);
    } else {
        if (!outcome.conflicts.isEmpty()) {
            for (auto it = outcome.conflicts.cbegin(); it != outcome.conflicts.cend(); ++it)
                m_maskConflicts.insert(it.key(), it.value());
            emit masksConflict(conflictingLayers());
        }
        reportFailure(outcome.error);
    }
    startNextSave();
    if (!isSaving())
        emit savesFinished();
}

bool LabellingDocument::waitForSaves()
{
    while (m_saving) {
        m_watcher.waitForFinished();
        finishSave();
    }
    return !hasUnsavedChanges();
}

void LabellingDocument::retrySaves()
{
    if (m_labelsUnsaved)
        saveLabels(m_annotation);
    queueChangedLayers();
}

} // namespace dl
