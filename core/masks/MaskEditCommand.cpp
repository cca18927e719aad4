// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskEditCommand.h"

#include "masks/MaskDocument.h"

#include <QCoreApplication>
#include <QUndoStack>

namespace dl {

namespace {

constexpr int kIdBase = 0x4d41534b; // "MASK"

qint64 commandBytes(const QUndoCommand *command)
{
    qint64 total = 0;
    if (const auto *mask = dynamic_cast<const MaskEditCommand *>(command))
        total += mask->byteCost();
    for (int i = 0; i < command->childCount(); ++i)
        total += commandBytes(command->child(i));
    return total;
}

} // namespace

MaskEditCommand::MaskEditCommand(MaskDocument &document, const QString &layerId, MaskTool tool,
    MaskPatch before, MaskPatch after, bool continuesPrevious, Applied applied, QUndoCommand *parent)
    : QUndoCommand(toolName(tool), parent)
    , m_document(&document)
    , m_layerId(layerId)
    , m_tool(tool)
    , m_before(std::move(before))
    , m_after(std::move(after))
    , m_continues(continuesPrevious)
    , m_appliedCallback(std::move(applied))
{
    if (m_before.rect() != m_after.rect() || m_before.isNull())
        setObsolete(true);
}

void MaskEditCommand::apply(const MaskPatch &patch)
{
    cv::Mat mask = m_document->mask(m_layerId);
    patch.paste(mask);
    m_document->markChanged(m_layerId);
    if (m_appliedCallback)
        m_appliedCallback(m_layerId, patch.rect());
}

void MaskEditCommand::undo()
{
    apply(m_before);
}

void MaskEditCommand::redo()
{
    if (m_firstRedo) { // the stroke has already painted the after state
        m_firstRedo = false;
        m_document->markChanged(m_layerId);
        if (m_appliedCallback)
            m_appliedCallback(m_layerId, m_after.rect());
        return;
    }
    apply(m_after);
}

int MaskEditCommand::commandId(MaskTool tool)
{
    return kIdBase + int(tool);
}

int MaskEditCommand::id() const
{
    return commandId(m_tool);
}

bool MaskEditCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = dynamic_cast<const MaskEditCommand *>(other);
    if (!next || !next->m_continues || next->m_document != m_document || next->m_layerId != m_layerId
        || next->m_tool != m_tool || isObsolete() || next->isObsolete())
        return false;
    // The mask is in the state after `next`. Over the union of both rectangles, the state before
    // `this` is: the current pixels, overwritten by next's before (the state between the steps) and
    // then by this's before (which predates both where they overlap).
    const cv::Rect united = m_before.rect() | next->m_before.rect();
    const cv::Mat mask = m_document->mask(m_layerId);
    cv::Mat before = mask(united).clone();
    next->m_before.paste(before, united.tl());
    m_before.paste(before, united.tl());
    m_before = MaskPatch::capture(before, united, united.tl());
    m_after = MaskPatch::capture(mask, united);
    // The later step undid this one (painted, then erased the same pixels): nothing left to undo,
    // and QUndoStack drops an obsolete step after a merge.
    if (m_before.sameContent(m_after))
        setObsolete(true);
    return true;
}

qint64 MaskEditCommand::byteCost() const
{
    return qint64(sizeof(MaskEditCommand)) + m_layerId.capacity() * 2 + text().capacity() * 2
        + m_before.byteCost() + m_after.byteCost();
}

qint64 MaskEditCommand::historyBytes(const QUndoStack &stack)
{
    qint64 total = 0;
    for (int i = 0; i < stack.count(); ++i)
        total += commandBytes(stack.command(i));
    return total;
}

QString MaskEditCommand::toolName(MaskTool tool)
{
    switch (tool) {
    case MaskTool::Brush:
        return QCoreApplication::translate("dl::MaskEditCommand", "Brush");
    case MaskTool::Eraser:
        return QCoreApplication::translate("dl::MaskEditCommand", "Eraser");
    case MaskTool::Polygon:
        return QCoreApplication::translate("dl::MaskEditCommand", "Polygon");
    case MaskTool::Rectangle:
        return QCoreApplication::translate("dl::MaskEditCommand", "Rectangle");
    case MaskTool::Fill:
        return QCoreApplication::translate("dl::MaskEditCommand", "Fill");
    case MaskTool::FillHoles:
        return QCoreApplication::translate("dl::MaskEditCommand", "Fill holes");
    case MaskTool::RemoveSpecks:
        return QCoreApplication::translate("dl::MaskEditCommand", "Remove specks");
    case MaskTool::SmoothEdge:
        return QCoreApplication::translate("dl::MaskEditCommand", "Smooth edge");
    case MaskTool::Assisted:
        return QCoreApplication::translate("dl::MaskEditCommand", "Assisted segmentation");
    case MaskTool::Superpixel:
        return QCoreApplication::translate("dl::MaskEditCommand", "Superpixel brush");
    }
    return {};
}

} // namespace dl
