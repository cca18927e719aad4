// SPDX-License-Identifier: GPL-3.0-or-later
#include "annotation/AnnotationEditCommand.h"

#include "annotation/AnnotationService.h"

namespace dl {

AnnotationEditCommand::AnnotationEditCommand(AnnotationService &service, Annotation before, Annotation after,
                                             const QString &text, int mergeKey, Applied applied,
                                             BaseVersion baseVersion)
    : QUndoCommand(text)
    , m_service(service)
    , m_before(std::move(before))
    , m_after(std::move(after))
    , m_mergeKey(mergeKey)
    , m_applied(std::move(applied))
    , m_baseVersion(std::move(baseVersion))
{
}

void AnnotationEditCommand::apply(Annotation labels)
{
    if (m_baseVersion)
        labels.version = m_baseVersion();
    Outcome outcome;
    outcome.result = m_service.save(labels, &outcome.error, &outcome.stored);
    if (outcome.result == SaveResult::Saved)
        outcome.error.clear();
    outcome.labels = std::move(labels);
    if (m_applied)
        m_applied(outcome);
}

void AnnotationEditCommand::undo()
{
    apply(m_before);
}

void AnnotationEditCommand::redo()
{
    apply(m_after);
}

bool AnnotationEditCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = static_cast<const AnnotationEditCommand *>(other);
    if (next->m_mergeKey != m_mergeKey || next->m_before.imageId != m_after.imageId)
        return false;
    m_after = next->m_after;
    return true;
}

} // namespace dl
