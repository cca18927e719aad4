// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "taxonomy/Taxonomy.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>
#include <array>
#include <functional>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QScrollArea;
class QTimer;

namespace dl {

class DiagnosisRow;
class MonkSwatches;
class SegmentedButtons;

/// The form a rater fills in for every image: quality, suitability, potential diagnoses, skin type and
/// a note, keyboard first. The form never saves: every user change is reported once through edited()
/// and its owner turns it into an AnnotationEditCommand.
///
/// Single-key shortcuts (see shortcuts()) work while the focus is in the form but not in a text field;
/// the labelling screen routes the keys typed anywhere in it here (handleSectionKey()). Every section
/// shows its keys in a hint line under its title.
class LabelForm : public QWidget
{
    Q_OBJECT

public:
    explicit LabelForm(QWidget *parent = nullptr);
    ~LabelForm() override;

    /// Shows the stored labels of \a annotation; emits nothing (a pending note edit is reported first).
    void setAnnotation(const Annotation &annotation);
    /// The labels as shown, with the ids and times of the annotation last set.
    Annotation annotation() const { return m_annotation; }
    /// The conditions offered by the type-ahead and used to show names.
    void setTaxonomy(const Taxonomy &taxonomy);
    Taxonomy taxonomy() const { return m_taxonomy; }
    /// A read-only form shows the labels and ignores every attempt to change them.
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }

    /// The completeness line shown at the top ("Complete" or "N questions left").
    QString completenessText() const;
    /// Questions still unanswered in \a annotation (0 when AnnotationService::isComplete()).
    static int questionsLeft(const Annotation &annotation);

    /// Reports note typing not yet reported (it is otherwise reported after a short pause).
    void flushPendingEdit();

    /// The form's single-key shortcuts as (key, description), for the shortcut sheet.
    static QList<QPair<QString, QString>> shortcuts();

    /// Handles \a event if it is one of the form's section keys (or the key after F or M); returns
    /// true when it was. For keys typed elsewhere in the labelling screen, never in a text field.
    bool handleSectionKey(QKeyEvent *event);
    /// True while F or M waits for its second key.
    bool waitingForSecondKey() const { return m_prefixKey != 0; }
    /// Gives the focus to the form itself (not to one of its fields), where the section keys work.
    void focusForm();

    /// Milliseconds of typing pause that end one note edit.
    static constexpr int NotePauseMs = 800;

Q_SIGNALS:
    /// The user changed the labels from \a before to \a after. \a mergeKey is
    /// AnnotationEditCommand::NoteKey for note typing and -1 otherwise.
    void edited(
        const dl::Annotation &before, const dl::Annotation &after, const QString &description, int mergeKey);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QWidget *buildQuality(QWidget *parent);
    QWidget *buildSuitability(QWidget *parent);
    QWidget *buildDiagnoses(QWidget *parent);
    QWidget *buildSkinType(QWidget *parent);
    QWidget *buildNote(QWidget *parent);
    QLabel *sectionHeader(const QString &text, QWidget *parent);
    QLabel *keyHint(const QString &text, QWidget *parent);

    void applyEdit(const std::function<void(Annotation &)> &change, const QString &description);
    void refresh();
    void updateStatus();
    void focusFirstEmptyDiagnosis();
    void noteChanged();

    void chooseCondition(int row, const QString &conditionId);
    void chooseOther(int row, const QString &text);
    void chooseConfidence(int row, int confidence);
    void removeDiagnosis(int row);

    Annotation m_annotation;
    Taxonomy m_taxonomy;
    bool m_readOnly = false;
    bool m_loading = false;
    int m_prefixKey = 0; ///< Qt::Key_F or Qt::Key_M while waiting for the second key
    std::optional<Annotation> m_noteBefore; ///< labels before the note typing not yet reported

    QLabel *m_status = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_content = nullptr;
    SegmentedButtons *m_gradable = nullptr;
    QLabel *m_reasonLabel = nullptr;
    QComboBox *m_reason = nullptr;
    SegmentedButtons *m_visible = nullptr;
    SegmentedButtons *m_sensitive = nullptr;
    QList<QCheckBox *> m_identifying;
    QCheckBox *m_cannotDetermine = nullptr;
    std::array<DiagnosisRow *, Annotation::MaxDiagnoses> m_rows {};
    SegmentedButtons *m_fitzpatrick = nullptr;
    MonkSwatches *m_monk = nullptr;
    QPlainTextEdit *m_note = nullptr;
    QTimer *m_noteTimer = nullptr;
    QList<QWidget *> m_tabOrder;
};

} // namespace dl
