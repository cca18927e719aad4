// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "model/User.h"

#include <QFutureWatcher>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <optional>
#include <opencv2/core/mat.hpp>
#include <vector>

class QThreadPool;
class QUndoStack;

namespace dl {

class AnnotationService;
class MaskDocument;
class Store;

/// One image open for labelling by its rater: the labels (as the label form edits them), the
/// region masks (MaskDocument) and the one undo history of both. Views show a document and forward
/// edits to it; the document saves every undoable step and says what happened through its signals.
///
/// One save policy. Labels are saved inside their undo step (AnnotationEditCommand: redo saves the
/// labels after the edit, undo the labels before it). Masks: the document listens to its own undo
/// stack, and whenever a step is pushed, undone or redone the layers it changed are copied and saved
/// whole on the save pool (re-encoding and storing never run on the thread the document lives on;
/// the store gives the worker its own connection). Saves of a document run one batch at a time, in
/// order; a layer changed again before its save started is saved once, in its latest state.
///
/// A save that fails is reported (saveFailed()) and never dropped: the labels or layers stay
/// unsaved and are saved again by the next step of the same kind (a label edit saves all labels;
/// any step saves every changed layer), or by retrySaves(). waitForSaves() returns once
/// nothing is being saved (on closing, and for tests: no sleeping).
///
/// Saves are based on the version this document read or saved last: of the labels, and of each
/// mask layer. When the labels or a layer were saved elsewhere since (the same rater in another
/// window or on another workstation), the save is refused and nothing is overwritten: the document
/// holds a conflict (labelsConflict(): the stored labels, theirs, and the edited ones, mine, still
/// unsaved; masksConflict(): the layers) until the rater keeps theirs (keepStored()) or overwrites
/// them with mine (overwriteStored()).
class LabellingDocument : public QObject
{
    Q_OBJECT

public:
    /// Opens the rater's own labels and masks of an image (on this thread, from the store). Mask
    /// saves run on saver, which must outlive the document; a pool of one long-lived thread keeps
    /// one store connection for all of them.
    LabellingDocument(Store &store, const User &rater, qint64 imageId, QThreadPool &saver, QObject *parent = nullptr);
    /// Waits for the saves under way; a change that could not be saved is reported by a warning (the
    /// document manager retries and reports it before it closes a document).
    ~LabellingDocument() override;

    qint64 imageId() const { return m_imageId; }
    /// The rater may edit these labels (an annotator's assigned image); when not, openError() says
    /// why and annotation() is blank.
    bool isEditable() const { return m_editable; }
    QString openError() const { return m_openError; }
    /// The labels as last edited (saved unless hasUnsavedChanges()).
    const Annotation &annotation() const { return m_annotation; }

    /// The mask layers (nullptr when the labels are not editable or the masks cannot be opened:
    /// masksError() says why).
    MaskDocument *masks() const { return m_masks.get(); }
    QString masksError() const { return m_masksError; }

    /// The undo history of labels and masks (owned by the document; undo limit
    /// MaskEditCommand::RecommendedUndoLimit). Mask tools push their steps here.
    QUndoStack *undoStack() const { return m_undoStack; }

    /// A label-form edit as one undo step (saved at once; consecutive edits with the same
    /// mergeKey merge). Nothing happens for labels that are not editable.
    void editLabels(const Annotation &before, const Annotation &after, const QString &text, int mergeKey = -1);

    /// A mask save is queued or running.
    bool isSaving() const { return m_saving || !m_pending.empty(); }
    /// Labels or layers not (yet) stored: a save is under way or failed.
    bool hasUnsavedChanges() const;
    /// The message of the last failed save, while something is unsaved because of it.
    QString lastError() const { return m_lastError; }

    /// Blocks until no mask save is queued or running (results are applied and signalled before it
    /// returns). True when everything is stored.
    bool waitForSaves();
    /// Saves again what a failed save left unsaved (labels, layers), then returns at once; the mask
    /// saves run on the pool as usual.
    void retrySaves();

    /// A save was refused because the stored labels (hasLabelConflict()) or mask layers
    /// (conflictingLayers()) changed elsewhere.
    bool hasConflict() const { return hasLabelConflict() || !m_maskConflicts.isEmpty(); }
    /// annotation() holds the edited labels (mine, unsaved), storedLabels() the labels stored now.
    bool hasLabelConflict() const { return m_conflict.has_value(); }
    /// The labels stored now, while hasLabelConflict() (else annotation()).
    Annotation storedLabels() const { return m_conflict.value_or(m_annotation); }
    /// The mask layers saved elsewhere since this document read or saved them (their edited pixels
    /// are unsaved), sorted.
    QStringList conflictingLayers() const;
    /// Resolves the conflict by taking what is stored: the stored labels and layers replace the
    /// edited ones as one undo step, so that undoing it brings the edited ones back (saved as a
    /// change of the stored ones).
    void keepStored();
    /// Resolves the conflict by saving the edited labels and layers over the stored ones: new saves
    /// based on the versions stored now (a conflict again if they changed once more meanwhile).
    void overwriteStored();

signals:
    /// The labels were stored after an edit, undo, redo or retry.
    void labelsSaved(const dl::Annotation &labels);
    /// Undo steps changed these mask layers (pushed, undone or redone); their saves are queued.
    void masksEdited(const QStringList &layerIds);
    /// These mask layers are stored (the latest state or an older one with a newer save queued).
    void masksSaved(const QStringList &layerIds);
    /// A save of labels or masks failed; what it was to save stays unsaved and is saved again with
    /// the next step or retrySaves().
    void saveFailed(const QString &message);
    /// A label save was refused: the labels stored now (theirs) differ from the edited ones (mine),
    /// which stay unsaved until the conflict is resolved. Also emitted when a later save meets the
    /// same conflict. saveFailed() follows with the message.
    void labelsConflict(const dl::Annotation &stored, const dl::Annotation &mine);
    /// A mask save was refused: these layers were saved elsewhere meanwhile; the edited pixels
    /// stay unsaved until the conflict is resolved. saveFailed() follows with the message.
    void masksConflict(const QStringList &layerIds);
    /// Layers took the stored pixels (keepStored(), or its undo or redo): views repaint them.
    void masksReplaced(const QStringList &layerIds);
    /// The conflict is over (what was edited was saved, or the stored labels and layers kept).
    void conflictResolved();
    /// No mask save is queued or running any more.
    void savesFinished();

private:
    static constexpr size_t MaxSpares = 2;

    struct LayerCopy
    {
        QString layerId;
        quint64 revision = 0;
        cv::Mat mask;
        int baseVersion = -1;
    };
    struct SaveOutcome
    {
        QList<LayerCopy> layers; // with their pixels: reused for the next copies
        QList<int> versions;
        qint64 annotationId = -1;
        QHash<QString, int> conflicts; // layers saved elsewhere: their latest stored version
        QString error; // empty when saved
    };

    void onLabelsApplied(const Annotation &labels, SaveResult result, const QString &error, const Annotation &stored);
    void saveLabels(Annotation labels);
    void pushLabelStep(const Annotation &before, const Annotation &after, const QString &text, int mergeKey);
    /// A copy of a layer's pixels, into a spare buffer when there is one (a fresh 12-megapixel
    /// allocation costs more than the copy itself).
    cv::Mat copyOf(const cv::Mat &mask);
    void keepSpare(cv::Mat buffer);
    /// Copies the layers changed since they were last queued and queues their saves.
    void queueChangedLayers();
    void startNextSave();
    /// Applies the running save's outcome once it has finished (idempotent).
    void finishSave();
    void reportFailure(const QString &message);
    int layerBase(const QString &layerId) const;
    void keepStoredLayers(const QHash<QString, int> &layers);
    void endConflictIfResolved(bool hadConflict);

    Store &m_store;
    User m_rater;
    qint64 m_imageId;
    QThreadPool &m_saver;
    std::unique_ptr<AnnotationService> m_annotations;
    Annotation m_annotation;
    bool m_editable = false;
    bool m_labelsUnsaved = false;
    std::optional<Annotation> m_conflict; // the labels stored now, while a save conflicts
    QHash<QString, int> m_layerVersions; // the stored version each layer's next save is based on
    QHash<QString, int> m_maskConflicts; // layers saved elsewhere: their latest stored version
    QString m_openError;
    std::unique_ptr<MaskDocument> m_masks;
    QString m_masksError;
    QString m_lastError;
    QUndoStack *m_undoStack = nullptr;

    QHash<QString, quint64> m_seen; // layer revision last reported by masksEdited()
    QHash<QString, quint64> m_queued; // layer revision queued or being saved
    std::map<QString, LayerCopy> m_pending; // copies waiting for the next batch, latest only
    std::vector<cv::Mat> m_spares; // buffers of copies saved, at most MaxSpares
    bool m_saving = false;
    QFutureWatcher<SaveOutcome> m_watcher;
};

} // namespace dl
