// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"

#include <QUndoCommand>

#include <functional>

namespace dl {

class AnnotationService;

/// One label-form edit as an undoable step. Redo saves the labels after the
/// edit, undo saves the labels before it; each save is its own transaction
/// through AnnotationService, so undo is as durable as the edit. Consecutive
/// edits of the same text field merge into one step (typing a note is one
/// undo, not one per keystroke).
///
/// Every save is based on the version of the stored labels that the owner of
/// the history knows now (baseVersion()), not on the version the step was made
/// from: steps of one history save one after the other, and a save is refused
/// (SaveResult::Conflict) only when somebody else saved in between.
class AnnotationEditCommand : public QUndoCommand
{
public:
    /// What became of one save of the step.
    struct Outcome
    {
        Annotation labels; ///< the labels saved (with their new version), or meant to be
        SaveResult result = SaveResult::Failed;
        QString error; ///< empty when saved
        Annotation stored; ///< on a conflict: the labels stored now
    };
    /// Called after every save.
    using Applied = std::function<void(const Outcome &)>;
    /// The version of the stored labels the next save is based on.
    using BaseVersion = std::function<int()>;

    AnnotationEditCommand(AnnotationService &service, Annotation before, Annotation after, const QString &text,
                          int mergeKey, Applied applied, BaseVersion baseVersion);

    void undo() override;
    void redo() override;
    int id() const override { return m_mergeKey; }
    bool mergeWith(const QUndoCommand *other) override;

    /// Merge keys for fields edited by typing.
    enum MergeKey { NoteKey = 1 };

private:
    void apply(Annotation labels);

    AnnotationService &m_service;
    Annotation m_before;
    Annotation m_after;
    int m_mergeKey;
    Applied m_applied;
    BaseVersion m_baseVersion;
};

} // namespace dl
