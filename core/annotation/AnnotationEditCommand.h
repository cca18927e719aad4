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
class AnnotationEditCommand : public QUndoCommand
{
public:
    /// Called after every save with the labels now stored, or with an error.
    using Applied = std::function<void(const Annotation &, const QString &error)>;

    AnnotationEditCommand(AnnotationService &service, Annotation before, Annotation after, const QString &text,
                          int mergeKey = -1, Applied applied = {});

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
};

} // namespace dl
