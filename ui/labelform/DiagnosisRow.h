// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "taxonomy/Taxonomy.h"

#include <QWidget>

class QCompleter;
class QLabel;
class QLineEdit;
class QModelIndex;
class QStandardItemModel;
class QToolButton;

namespace dl {

class SegmentedButtons;

/// One ranked entry of the differential: a condition field with type-ahead over the taxonomy, a
/// confidence 1-5 and a remove button. The row shows a condition's display name and reports its id.
/// Keys 1-5 set the confidence while the row has focus (in the condition field once a condition is
/// chosen and its name is shown unchanged).
///
/// From the keyboard: Enter on an offered condition chooses it and moves the focus to its confidence;
/// a confidence key then hands the focus back (leaveRequested()). Only taxonomy conditions can be
/// chosen: text that names none is never stored, except through the last offer, "Other: <text>",
/// which the rater must pick explicitly (it is never preselected) and which reports otherChosen().
/// Escape (once the offers are closed) leaves the field and keeps what was typed, shown as a draft
/// that is not a label, until it is chosen, replaced or the image changes.
class DiagnosisRow : public QWidget
{
    Q_OBJECT

public:
    /// Role of the completion model that holds the condition id.
    static constexpr int IdRole = Qt::UserRole + 1;
    /// Role of the completion model that holds the text put in the field when a match is chosen.
    static constexpr int NameRole = Qt::UserRole + 2;
    /// Role of the completion model that holds the rater's own words on the "Other: ..." offer
    /// (empty on every taxonomy condition).
    static constexpr int OtherTextRole = Qt::UserRole + 3;
    /// The taxonomy id that "Other: ..." stands for.
    static QString otherConditionId();

    explicit DiagnosisRow(int rank, QWidget *parent = nullptr);

    void setTaxonomy(const Taxonomy &taxonomy);
    /// Shows \a conditionId (empty for an empty row) and \a confidence without emitting signals.
    void setDiagnosis(const QString &conditionId, int confidence);
    QString conditionId() const { return m_id; }
    int confidence() const { return m_confidence; }
    void setReadOnly(bool readOnly);
    /// Text typed and left with Escape, not chosen (empty when none).
    QString draft() const { return m_draft; }
    /// Forgets the draft and shows the chosen condition again.
    void clearDraft();
    /// Moves the focus to the confidence of the chosen condition.
    void focusConfidence();

    QLineEdit *conditionEdit() const { return m_edit; }
    SegmentedButtons *confidenceButtons() const { return m_confidenceButtons; }
    QToolButton *removeButton() const { return m_remove; }
    QCompleter *completer() const { return m_completer; }

Q_SIGNALS:
    /// The user chose the condition \a conditionId for this row.
    void conditionChosen(const QString &conditionId);
    /// The user set the confidence of this row's condition.
    void confidenceChosen(int confidence);
    /// The user removed this row's condition (remove button, or cleared the field).
    void removeRequested();
    /// The user explicitly chose "Other: \a text" for a condition the taxonomy does not name.
    void otherChosen(const QString &text);
    /// Done here from the keyboard (a confidence key, or Escape in the condition field): the form
    /// takes the focus back so that its section keys work.
    void leaveRequested();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateMatches(const QString &text);
    void chooseMatch(const QModelIndex &index);
    void commitTypedText();
    bool handleConfidenceKey(QKeyEvent *event);
    void updateEnabled();
    void showDraftStyle(bool draft);
    QString shownName() const;

    Taxonomy m_taxonomy;
    QString m_id;
    int m_confidence = 3;
    bool m_readOnly = false;
    QString m_draft; ///< typed and left with Escape
    bool m_leavingWithEscape = false;
    bool m_enterPressed = false; ///< the commit under way comes from Enter
    QLabel *m_rank;
    QLineEdit *m_edit;
    QToolButton *m_remove;
    QLabel *m_confidenceLabel;
    SegmentedButtons *m_confidenceButtons;
    QStandardItemModel *m_matches;
    QCompleter *m_completer;
};

} // namespace dl
