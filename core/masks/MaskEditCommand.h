// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/MaskPatch.h"
#include "masks/MaskTools.h"

#include <QString>
#include <QUndoCommand>
#include <functional>

class QUndoStack;

namespace dl {

class MaskDocument;

/// One mask edit (a stroke from press to release, a fill, a morphology step) as an undo step.
///
/// Keeps only the compressed before and after content of the changed rectangle (MaskPatch), never
/// a copy of the mask: a brush stroke costs a few kilobytes. Made by MaskStroke::finish(), which
/// knows the before content; the mask is already in the after state when the command is pushed,
/// so the first redo() writes nothing.
///
/// Consecutive steps of the same tool on the same layer merge (one undo step) when the later one
/// was made with continuesPrevious (QUndoStack::push asks through id() and mergeWith()).
///
/// After every undo() and redo(), including the one QUndoStack::push makes, the Applied callback
/// runs with the layer and the rectangle that changed: the caller saves the layer (MaskService)
/// and recolours that part of the overlay (MaskOverlay).
class MaskEditCommand : public QUndoCommand
{
public:
    using Applied = std::function<void(const QString &layerId, const cv::Rect &rect)>;

    /// Undo steps worth keeping: set with QUndoStack::setUndoLimit() before the first push. 500
    /// ordinary strokes hold a few megabytes (see the memory test in tests/masks).
    static constexpr int RecommendedUndoLimit = 500;

    /// before and after must cover the same rectangle of the layer's mask.
    MaskEditCommand(MaskDocument &document, const QString &layerId, MaskTool tool, MaskPatch before,
        MaskPatch after, bool continuesPrevious, Applied applied = {}, QUndoCommand *parent = nullptr);

    void undo() override;
    void redo() override;
    /// The same for every step of one tool; mergeWith() then checks layer, document and
    /// continuesPrevious.
    int id() const override;
    bool mergeWith(const QUndoCommand *other) override;

    QString layerId() const { return m_layerId; }
    MaskTool tool() const { return m_tool; }
    bool continuesPrevious() const { return m_continues; }
    /// The rectangle the step changes.
    cv::Rect rect() const { return m_before.rect(); }
    /// Memory this step holds (object, text and both patches).
    qint64 byteCost() const;

    /// Total memory held by the MaskEditCommands of a stack (also inside macros); other commands
    /// count nothing.
    static qint64 historyBytes(const QUndoStack &stack);
    /// "Brush", "Eraser", ... for the undo history.
    static QString toolName(MaskTool tool);
    /// The id() of a tool's steps (never 1, the label form's merge key).
    static int commandId(MaskTool tool);

private:
    void apply(const MaskPatch &patch);

    MaskDocument *m_document;
    QString m_layerId;
    MaskTool m_tool;
    MaskPatch m_before;
    MaskPatch m_after;
    bool m_continues;
    bool m_firstRedo = true; // pushed after the stroke painted: nothing to write
    Applied m_appliedCallback;
};

} // namespace dl
