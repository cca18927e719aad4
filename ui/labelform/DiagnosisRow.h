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
class DiagnosisRow : public QWidget
{
    Q_OBJECT

public:
    /// Role of the completion model that holds the condition id.
    static constexpr int IdRole = Qt::UserRole + 1;
    /// Role of the completion model that holds the text put in the field when a match is chosen.
    static constexpr int NameRole = Qt::UserRole + 2;

    explicit DiagnosisRow(int rank, QWidget *parent = nullptr);

    void setTaxonomy(const Taxonomy &taxonomy);
    /// Shows \a conditionId (empty for an empty row) and \a confidence without emitting signals.
    void setDiagnosis(const QString &conditionId, int confidence);
    QString conditionId() const { return m_id; }
    int confidence() const { return m_confidence; }
    void setReadOnly(bool readOnly);

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

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateMatches(const QString &text);
    void chooseMatch(const QModelIndex &index);
    void commitTypedText();
    bool handleConfidenceKey(QKeyEvent *event);
    void updateEnabled();
    QString shownName() const;

    Taxonomy m_taxonomy;
    QString m_id;
    int m_confidence = 3;
    bool m_readOnly = false;
    QLabel *m_rank;
    QLineEdit *m_edit;
    QToolButton *m_remove;
    QLabel *m_confidenceLabel;
    SegmentedButtons *m_confidenceButtons;
    QStandardItemModel *m_matches;
    QCompleter *m_completer;
};

} // namespace dl
