// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "annotation/AssignmentService.h"
#include "model/User.h"

#include <QDialog>

#include <optional>

class QLabel;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTreeWidget;

namespace dl {

class Store;

/// Admin ▸ Assign Images: K annotators per image, the scope (all images, or only those with fewer
/// than K annotators) and which active dermatologists take part (a checkable list that is also the
/// preview: how many assignments each has and would get, from AssignmentService::preview, before
/// anything changes). Assign runs AssignmentService::assign with the same request.
class AssignDialog : public QDialog
{
    Q_OBJECT

public:
    AssignDialog(Store &store, const User &actor, QWidget *parent = nullptr);

    /// The request the controls describe.
    AssignmentRequest request() const;
    /// The preview for request(), or std::nullopt (then previewMessage() says why).
    std::optional<AssignmentResult> preview() const { return m_preview; }
    QString previewMessage() const;
    /// Preview rows: (user id, assigned now, to be added).
    QList<std::tuple<qint64, qint64, qint64>> previewRows() const;

    /// Assigns as previewed; true on success (then assignmentResult() has what was done).
    bool apply();
    std::optional<AssignmentResult> assignmentResult() const { return m_result; }

private:
    void updatePreview();

    Store &m_store;
    User m_actor;
    QSpinBox *m_k = nullptr;
    QRadioButton *m_allImages = nullptr;
    QRadioButton *m_underAssigned = nullptr;
    QTreeWidget *m_table = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_assign = nullptr;
    QHash<qint64, qint64> m_assignedNow;
    std::optional<AssignmentResult> m_preview;
    std::optional<AssignmentResult> m_result;
};

} // namespace dl
