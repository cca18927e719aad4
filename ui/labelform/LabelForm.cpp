// SPDX-License-Identifier: GPL-3.0-or-later
#include "labelform/LabelForm.h"

#include "annotation/AnnotationEditCommand.h"
#include "annotation/AnnotationService.h"
#include "labelform/DiagnosisRow.h"
#include "labelform/MonkSwatches.h"
#include "labelform/SegmentedButtons.h"
#include "model/LabelVocabulary.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QFrame>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString yesNo(const std::optional<bool> &value)
{
    return value ? (*value ? u"yes"_s : u"no"_s) : QString();
}

} // namespace

LabelForm::LabelForm(QWidget *parent)
    : QWidget(parent)
    , m_noteTimer(new QTimer(this))
{
    setObjectName(u"labelForm"_s);
    setFocusPolicy(Qt::ClickFocus);

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(0);

    m_status = new QLabel(this);
    m_status->setObjectName(u"completeness"_s);
    m_status->setContentsMargins(10, 6, 10, 6);
    m_status->setAutoFillBackground(true);
    outer->addWidget(m_status);

    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(u"scroll"_s);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setFocusPolicy(Qt::NoFocus);
    outer->addWidget(m_scroll, 1);

    m_content = new QWidget(m_scroll);
    m_content->setObjectName(u"content"_s);
    // A click on empty space gives the form the focus, so the single-key shortcuts work.
    m_content->setFocusPolicy(Qt::ClickFocus);
    auto *layout = new QVBoxLayout(m_content);
    layout->setContentsMargins(10, 4, 10, 10);
    layout->setSpacing(4);
    layout->addWidget(buildQuality(m_content));
    layout->addWidget(buildSuitability(m_content));
    layout->addWidget(buildDiagnoses(m_content));
    layout->addWidget(buildSkinType(m_content));
    layout->addWidget(buildNote(m_content));
    layout->addStretch(1);
    m_scroll->setWidget(m_content);

    for (qsizetype i = 1; i < m_tabOrder.size(); ++i)
        QWidget::setTabOrder(m_tabOrder.at(i - 1), m_tabOrder.at(i));

    m_noteTimer->setSingleShot(true);
    m_noteTimer->setInterval(NotePauseMs);
    connect(m_noteTimer, &QTimer::timeout, this, &LabelForm::flushPendingEdit);

    setMinimumWidth(300);
    refresh();
}

LabelForm::~LabelForm() = default;

QLabel *LabelForm::sectionHeader(const QString &text, QWidget *parent)
{
    auto *header = new QLabel(text, parent);
    QFont font = header->font();
    font.setBold(true);
    header->setFont(font);
    header->setContentsMargins(0, 8, 0, 2);
    return header;
}

QLabel *LabelForm::keyHint(const QString &text, QWidget *parent)
{
    // The keys of a section, always on screen (not only in tooltips or the F1 sheet).
    auto *hint = new QLabel(text, parent);
    hint->setObjectName(u"keyHint"_s);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    QFont font = hint->font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    hint->setFont(font);
    return hint;
}

static QWidget *sectionWidget(QWidget *parent, QVBoxLayout **layout)
{
    auto *section = new QWidget(parent);
    *layout = new QVBoxLayout(section);
    (*layout)->setContentsMargins(0, 0, 0, 0);
    (*layout)->setSpacing(4);
    return section;
}

static QFrame *separator(QWidget *parent)
{
    auto *line = new QFrame(parent);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    return line;
}

static QFormLayout *compactForm()
{
    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(4);
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    return form;
}

QWidget *LabelForm::buildQuality(QWidget *parent)
{
    QVBoxLayout *layout = nullptr;
    QWidget *section = sectionWidget(parent, &layout);
    QLabel *header = sectionHeader(tr("&Quality"), section);
    layout->addWidget(header);
    layout->addWidget(keyHint(tr("Keys: G gradable, Shift+G not gradable"), section));
    auto *form = compactForm();
    layout->addLayout(form);

    m_gradable = new SegmentedButtons(section);
    m_gradable->setObjectName(u"gradable"_s);
    m_gradable->addOption(u"yes"_s, tr("Yes"), tr("Gradable for a skin condition (G)"));
    m_gradable->addOption(u"no"_s, tr("No"), tr("Not gradable (Shift+G)"));
    form->addRow(tr("Gradable"), m_gradable);
    header->setBuddy(m_gradable);
    m_tabOrder << m_gradable->buttons().constFirst() << m_gradable->buttons().constLast();
    connect(m_gradable, &SegmentedButtons::activated, this, [this](const QString &value) {
        applyEdit(
            [&](Annotation &a) {
                a.gradable = value == u"yes"_s;
                if (*a.gradable)
                    a.ungradableReason.clear();
            },
            value == u"yes"_s ? tr("Gradable: yes") : tr("Gradable: no"));
    });

    m_reason = new QComboBox(section);
    m_reason->setObjectName(u"ungradableReason"_s);
    m_reason->setPlaceholderText(tr("Choose a reason…"));
    for (const LabelTerm &reason : LabelVocabulary::ungradableReasons())
        m_reason->addItem(LabelVocabulary::text(reason), reason.id);
    m_reason->installEventFilter(this);
    m_reasonLabel = new QLabel(tr("Reason"), section);
    m_reasonLabel->setBuddy(m_reason);
    form->addRow(m_reasonLabel, m_reason);
    m_tabOrder << m_reason;
    connect(m_reason, &QComboBox::activated, this, [this](int index) {
        const QString value = m_reason->itemData(index).toString();
        applyEdit([&](Annotation &a) { a.ungradableReason = value; },
            tr("Not gradable because: %1").arg(m_reason->itemText(index)));
    });
    return section;
}

QWidget *LabelForm::buildSuitability(QWidget *parent)
{
    QVBoxLayout *layout = nullptr;
    QWidget *section = sectionWidget(parent, &layout);
    layout->addWidget(separator(section));
    QLabel *header = sectionHeader(tr("S&uitability"), section);
    layout->addWidget(header);
    layout->addWidget(keyHint(
        tr("Keys: V visible, N not visible, U unsure · S sensitive, Shift+S not sensitive"), section));
    auto *form = compactForm();
    layout->addLayout(form);

    m_visible = new SegmentedButtons(section);
    m_visible->setObjectName(u"visibleCondition"_s);
    m_visible->addOption(u"yes"_s, tr("Yes"), tr("Shows a visible skin condition (V)"));
    m_visible->addOption(u"no"_s, tr("No"), tr("Shows no visible skin condition (N)"));
    m_visible->addOption(u"unsure"_s, tr("Unsure"), tr("Unsure whether a skin condition is visible (U)"));
    form->addRow(tr("Visible skin condition"), m_visible);
    header->setBuddy(m_visible);
    for (QToolButton *button : m_visible->buttons())
        m_tabOrder << button;
    connect(m_visible, &SegmentedButtons::activated, this, [this](const QString &value) {
        applyEdit([&](Annotation &a) { a.visibleCondition = value; },
            tr("Visible skin condition: %1").arg(m_visible->button(value)->text().toLower()));
    });

    m_sensitive = new SegmentedButtons(section);
    m_sensitive->setObjectName(u"sensitive"_s);
    m_sensitive->addOption(u"yes"_s, tr("Yes"), tr("Sensitive content (S; S again toggles)"));
    m_sensitive->addOption(u"no"_s, tr("No"), tr("No sensitive content (Shift+S)"));
    form->addRow(tr("Sensitive content"), m_sensitive);
    for (QToolButton *button : m_sensitive->buttons())
        m_tabOrder << button;
    connect(m_sensitive, &SegmentedButtons::activated, this, [this](const QString &value) {
        applyEdit([&](Annotation &a) { a.sensitive = value == u"yes"_s; },
            value == u"yes"_s ? tr("Sensitive content: yes") : tr("Sensitive content: no"));
    });

    layout->addWidget(new QLabel(tr("Identifying content"), section));
    auto *grid = new QGridLayout;
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(2);
    const QList<LabelTerm> &kindTerms = LabelVocabulary::identifyingKinds();
    for (qsizetype i = 0; i < kindTerms.size(); ++i) {
        const LabelTerm &kind = kindTerms.at(i);
        auto *box = new QCheckBox(LabelVocabulary::text(kind), section);
        box->setObjectName(u"identifying_"_s + kind.id);
        box->setProperty("optionValue", kind.id);
        grid->addWidget(box, int(i / 2), int(i % 2));
        m_identifying.append(box);
        m_tabOrder << box;
        connect(box, &QCheckBox::clicked, this, [this, box](bool checked) {
            applyEdit(
                [&](Annotation &a) {
                    // Keep the stored list in the order of the form, whatever the order of the clicks.
                    QStringList kinds;
                    for (QCheckBox *other : std::as_const(m_identifying)) {
                        const QString kind = other->property("optionValue").toString();
                        const bool on = other == box ? checked : a.identifying.contains(kind);
                        if (on)
                            kinds.append(kind);
                    }
                    a.identifying = kinds;
                },
                checked ? tr("Identifying content: %1").arg(box->text().toLower())
                        : tr("No identifying content: %1").arg(box->text().toLower()));
        });
    }
    layout->addLayout(grid);
    return section;
}

QWidget *LabelForm::buildDiagnoses(QWidget *parent)
{
    QVBoxLayout *layout = nullptr;
    QWidget *section = sectionWidget(parent, &layout);
    layout->addWidget(separator(section));
    QLabel *header = sectionHeader(tr("Potential &diagnoses"), section);
    layout->addWidget(header);
    layout->addWidget(keyHint(tr("Keys: D types a condition, Enter chooses, then 1-5 its confidence · "
                                 "C cannot determine · Esc leaves a field"),
        section));

    for (int i = 0; i < Annotation::MaxDiagnoses; ++i) {
        auto *row = new DiagnosisRow(i + 1, section);
        m_rows[std::size_t(i)] = row;
        layout->addWidget(row);
        m_tabOrder << row->conditionEdit() << row->removeButton();
        for (QToolButton *button : row->confidenceButtons()->buttons())
            m_tabOrder << button;
        connect(row, &DiagnosisRow::conditionChosen, this,
            [this, i](const QString &id) { chooseCondition(i, id); });
        connect(row, &DiagnosisRow::confidenceChosen, this,
            [this, i](int confidence) { chooseConfidence(i, confidence); });
        connect(row, &DiagnosisRow::removeRequested, this, [this, i] { removeDiagnosis(i); });
        connect(row, &DiagnosisRow::otherChosen, this, [this, i](const QString &text) { chooseOther(i, text); });
        connect(row, &DiagnosisRow::leaveRequested, this, &LabelForm::focusForm);
        // After F or M the next digit is theirs, not a confidence (see eventFilter()).
        row->installEventFilter(this);
    }
    header->setBuddy(m_rows[0]->conditionEdit());

    m_cannotDetermine = new QCheckBox(tr("Cannot determine"), section);
    m_cannotDetermine->setObjectName(u"cannotDetermine"_s);
    m_cannotDetermine->setToolTip(tr("No diagnosis can be given from this image (C)"));
    layout->addWidget(m_cannotDetermine);
    m_tabOrder << m_cannotDetermine;
    connect(m_cannotDetermine, &QCheckBox::clicked, this, [this](bool checked) {
        applyEdit(
            [&](Annotation &a) {
                a.cannotDetermine = checked;
                if (checked)
                    a.diagnoses.clear();
            },
            checked ? tr("Diagnosis: cannot determine") : tr("Diagnosis: can be determined"));
    });
    return section;
}

QWidget *LabelForm::buildSkinType(QWidget *parent)
{
    QVBoxLayout *layout = nullptr;
    QWidget *section = sectionWidget(parent, &layout);
    layout->addWidget(separator(section));
    QLabel *header = sectionHeader(tr("Skin &type"), section);
    layout->addWidget(header);
    layout->addWidget(keyHint(tr("Keys: F then 1-6 (N not gradable) · M then 1-9, 0 for 10 (N not gradable)"),
        section));

    layout->addWidget(new QLabel(tr("Fitzpatrick"), section));
    m_fitzpatrick = new SegmentedButtons(section);
    m_fitzpatrick->setObjectName(u"fitzpatrick"_s);
    const QStringList roman = { u"I"_s, u"II"_s, u"III"_s, u"IV"_s, u"V"_s, u"VI"_s };
    for (int type = 1; type <= 6; ++type)
        m_fitzpatrick->addOption(QString::number(type), roman.at(type - 1),
            tr("Fitzpatrick type %1 (F then %2)").arg(roman.at(type - 1)).arg(type));
    m_fitzpatrick->addOption(
        u"not_gradable"_s, tr("Not gradable"), tr("Fitzpatrick type not gradable (F then N)"));
    layout->addWidget(m_fitzpatrick);
    header->setBuddy(m_fitzpatrick);
    for (QToolButton *button : m_fitzpatrick->buttons())
        m_tabOrder << button;
    connect(m_fitzpatrick, &SegmentedButtons::activated, this, [this](const QString &value) {
        applyEdit([&](Annotation &a) { a.fitzpatrick = value; },
            tr("Fitzpatrick type: %1").arg(m_fitzpatrick->button(value)->text()));
    });

    layout->addWidget(new QLabel(tr("Monk skin tone"), section));
    m_monk = new MonkSwatches(section);
    m_monk->setObjectName(u"monk"_s);
    layout->addWidget(m_monk);
    for (QToolButton *button : m_monk->buttons())
        m_tabOrder << button;
    connect(m_monk, &SegmentedButtons::activated, this, [this](const QString &value) {
        applyEdit([&](Annotation &a) { a.monk = value; },
            value == u"not_gradable"_s ? tr("Monk skin tone: not gradable")
                                       : tr("Monk skin tone: %1").arg(value));
    });
    return section;
}

QWidget *LabelForm::buildNote(QWidget *parent)
{
    QVBoxLayout *layout = nullptr;
    QWidget *section = sectionWidget(parent, &layout);
    layout->addWidget(separator(section));
    QLabel *header = sectionHeader(tr("N&ote"), section);
    layout->addWidget(header);
    m_note = new QPlainTextEdit(section);
    m_note->setObjectName(u"note"_s);
    m_note->setPlaceholderText(tr("Anything a reviewer should know about this image"));
    m_note->setTabChangesFocus(true);
    m_note->setFixedHeight(m_note->fontMetrics().lineSpacing() * 4 + 12);
    m_note->installEventFilter(this);
    header->setBuddy(m_note);
    layout->addWidget(m_note);
    m_tabOrder << m_note;
    connect(m_note, &QPlainTextEdit::textChanged, this, &LabelForm::noteChanged);
    return section;
}

void LabelForm::setAnnotation(const Annotation &annotation)
{
    flushPendingEdit();
    m_prefixKey = 0;
    // A draft of the image left is not carried to another image.
    if (annotation.imageId != m_annotation.imageId) {
        for (DiagnosisRow *row : m_rows)
            row->clearDraft();
    }
    m_annotation = annotation;
    refresh();
}

void LabelForm::setTaxonomy(const Taxonomy &taxonomy)
{
    m_taxonomy = taxonomy;
    m_loading = true;
    for (DiagnosisRow *row : m_rows)
        row->setTaxonomy(taxonomy);
    m_loading = false;
    refresh();
}

void LabelForm::setReadOnly(bool readOnly)
{
    if (readOnly)
        flushPendingEdit();
    m_readOnly = readOnly;
    m_prefixKey = 0;
    refresh();
}

void LabelForm::applyEdit(const std::function<void(Annotation &)> &change, const QString &description)
{
    if (m_loading)
        return;
    if (m_readOnly) {
        refresh();
        return;
    }
    flushPendingEdit();
    const Annotation before = m_annotation;
    Annotation after = before;
    change(after);
    if (after.sameLabels(before)) {
        refresh();
        return;
    }
    m_annotation = after;
    refresh();
    Q_EMIT edited(before, after, description, -1);
}

void LabelForm::flushPendingEdit()
{
    m_noteTimer->stop();
    if (!m_noteBefore)
        return;
    const Annotation before = *m_noteBefore;
    m_noteBefore.reset();
    if (before.note != m_annotation.note)
        Q_EMIT edited(before, m_annotation, tr("Edit note"), AnnotationEditCommand::NoteKey);
}

void LabelForm::noteChanged()
{
    if (m_loading)
        return;
    const QString text = m_note->toPlainText();
    if (m_readOnly || text == m_annotation.note)
        return;
    if (!m_noteBefore)
        m_noteBefore = m_annotation;
    m_annotation.note = text;
    m_noteTimer->start();
    updateStatus();
}

void LabelForm::chooseCondition(int row, const QString &conditionId)
{
    const qsizetype existing = [&] {
        for (qsizetype i = 0; i < m_annotation.diagnoses.size(); ++i)
            if (m_annotation.diagnoses.at(i).conditionId == conditionId)
                return i;
        return qsizetype(-1);
    }();
    if (existing >= 0 && existing != row) {
        // Each condition appears once in a differential.
        refresh();
        return;
    }
    applyEdit(
        [&](Annotation &a) {
            a.cannotDetermine = false;
            if (row < a.diagnoses.size())
                a.diagnoses[row].conditionId = conditionId;
            else if (a.diagnoses.size() < Annotation::MaxDiagnoses)
                a.diagnoses.append(Diagnosis { conditionId, 3 });
        },
        tr("Diagnosis %1: %2").arg(row + 1).arg(m_taxonomy.displayName(conditionId)));
}

void LabelForm::chooseOther(int row, const QString &text)
{
    // The taxonomy's "Other" condition is stored as the diagnosis; the rater's own words go to the note,
    // never into the differential.
    const QString other = DiagnosisRow::otherConditionId();
    for (qsizetype i = 0; i < m_annotation.diagnoses.size(); ++i) {
        if (m_annotation.diagnoses.at(i).conditionId == other && i != row) {
            refresh(); // each condition appears once in a differential
            return;
        }
    }
    const QString line = tr("Other condition: %1").arg(text.simplified());
    applyEdit(
        [&](Annotation &a) {
            a.cannotDetermine = false;
            if (row < a.diagnoses.size())
                a.diagnoses[row].conditionId = other;
            else if (a.diagnoses.size() < Annotation::MaxDiagnoses)
                a.diagnoses.append(Diagnosis { other, 3 });
            if (!a.note.split(u'\n').contains(line))
                a.note = a.note.isEmpty() ? line : a.note + u'\n' + line;
        },
        tr("Diagnosis %1: %2 (%3)").arg(row + 1).arg(m_taxonomy.displayName(other), text.simplified()));
}

void LabelForm::chooseConfidence(int row, int confidence)
{
    applyEdit(
        [&](Annotation &a) {
            if (row < a.diagnoses.size())
                a.diagnoses[row].confidence = confidence;
        },
        tr("Diagnosis %1 confidence: %2").arg(row + 1).arg(confidence));
}

void LabelForm::removeDiagnosis(int row)
{
    if (row >= m_annotation.diagnoses.size())
        return;
    const QString name = m_taxonomy.displayName(m_annotation.diagnoses.at(row).conditionId);
    applyEdit([&](Annotation &a) { a.diagnoses.removeAt(row); },
        tr("Remove diagnosis %1: %2").arg(row + 1).arg(name));
    m_rows[std::size_t(row)]->conditionEdit()->setFocus(Qt::OtherFocusReason);
}

void LabelForm::refresh()
{
    const bool wasLoading = m_loading;
    m_loading = true;
    const Annotation &a = m_annotation;
    const bool editable = !m_readOnly;

    m_gradable->setValue(yesNo(a.gradable));
    m_gradable->setEnabled(editable);
    const bool notGradable = a.gradable.has_value() && !*a.gradable;
    m_reason->setCurrentIndex(m_reason->findData(a.ungradableReason));
    m_reason->setEnabled(editable && notGradable);
    m_reason->setVisible(notGradable);
    m_reasonLabel->setVisible(notGradable);

    m_visible->setValue(a.visibleCondition);
    m_visible->setEnabled(editable);
    m_sensitive->setValue(yesNo(a.sensitive));
    m_sensitive->setEnabled(editable);
    for (QCheckBox *box : std::as_const(m_identifying)) {
        box->setChecked(a.identifying.contains(box->property("optionValue").toString()));
        box->setEnabled(editable);
    }

    m_cannotDetermine->setChecked(a.cannotDetermine);
    m_cannotDetermine->setEnabled(editable);
    for (int i = 0; i < Annotation::MaxDiagnoses; ++i) {
        DiagnosisRow *row = m_rows[std::size_t(i)];
        if (i < a.diagnoses.size())
            row->setDiagnosis(a.diagnoses.at(i).conditionId, a.diagnoses.at(i).confidence);
        else
            row->setDiagnosis(QString(), 3);
        // The filled rows and one empty row to add the next condition.
        row->setVisible(i <= a.diagnoses.size());
        row->setReadOnly(m_readOnly || a.cannotDetermine);
        row->setEnabled(!a.cannotDetermine);
    }

    m_fitzpatrick->setValue(a.fitzpatrick);
    m_fitzpatrick->setEnabled(editable);
    m_monk->setValue(a.monk);
    m_monk->setEnabled(editable);

    if (m_note->toPlainText() != a.note)
        m_note->setPlainText(a.note);
    m_note->setReadOnly(m_readOnly);

    m_loading = wasLoading;
    updateStatus();
}

int LabelForm::questionsLeft(const Annotation &a)
{
    if (!a.gradable)
        return 1;
    if (!*a.gradable)
        return a.ungradableReason.isEmpty() ? 1 : 0;
    int left = 0;
    left += a.visibleCondition.isEmpty() ? 1 : 0;
    left += a.sensitive.has_value() ? 0 : 1;
    left += (a.cannotDetermine || !a.diagnoses.isEmpty()) ? 0 : 1;
    left += a.fitzpatrick.isEmpty() ? 1 : 0;
    left += a.monk.isEmpty() ? 1 : 0;
    return left;
}

QString LabelForm::completenessText() const
{
    if (AnnotationService::isComplete(m_annotation))
        return tr("Complete");
    // Nothing answered yet: gradability comes first and decides what else is asked (six
    // questions in all for a gradable image).
    if (!m_annotation.gradable)
        return tr("Not started: 6 questions, gradability first");
    const int left = qMax(1, questionsLeft(m_annotation));
    return left == 1 ? tr("1 question left") : tr("%1 questions left").arg(left);
}

void LabelForm::updateStatus()
{
    const bool complete = AnnotationService::isComplete(m_annotation);
    QString text = completenessText();
    if (m_prefixKey == Qt::Key_F)
        text += tr("  ·  Fitzpatrick: press 1-6 or N");
    else if (m_prefixKey == Qt::Key_M)
        text += tr("  ·  Monk tone: press 1-9, 0 (10) or N");
    else if (complete && !m_readOnly)
        text += tr("  ·  Page Down: next image");
    if (m_readOnly)
        text += tr("  ·  read only");
    m_status->setText(text);
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::Window, complete ? QColor(0xdf, 0xf0, 0xd8) : QColor(0xfc, 0xf3, 0xd9));
    palette.setColor(QPalette::WindowText, complete ? QColor(0x2b, 0x5a, 0x1e) : QColor(0x6b, 0x4e, 0x0a));
    m_status->setPalette(palette);
    m_status->setAccessibleDescription(text);
}

void LabelForm::focusFirstEmptyDiagnosis()
{
    if (m_annotation.cannotDetermine) {
        m_cannotDetermine->setFocus(Qt::ShortcutFocusReason);
        return;
    }
    const qsizetype index = qMin<qsizetype>(m_annotation.diagnoses.size(), Annotation::MaxDiagnoses - 1);
    QLineEdit *edit = m_rows[std::size_t(index)]->conditionEdit();
    edit->setFocus(Qt::OtherFocusReason); // a draft left with Escape goes on where it was left
    m_scroll->ensureWidgetVisible(edit);
}

QList<QPair<QString, QString>> LabelForm::shortcuts()
{
    return {
        { u"G"_s, tr("Gradable: yes") },
        { u"Shift+G"_s, tr("Gradable: no") },
        { u"V"_s, tr("Visible skin condition: yes") },
        { u"N"_s, tr("Visible skin condition: no") },
        { u"U"_s, tr("Visible skin condition: unsure") },
        { u"S"_s, tr("Sensitive content: yes (again: toggle yes / no)") },
        { u"Shift+S"_s, tr("Sensitive content: no") },
        { u"D"_s, tr("Go to the first empty diagnosis and type a condition") },
        { u"Enter"_s, tr("Type-ahead: choose the highlighted condition, then go to its confidence") },
        { u"Down, Enter"_s, tr("Type-ahead: choose another offer, or \"Other: ...\" (last, never preselected)") },
        { u"1 - 5"_s, tr("Confidence of the diagnosis that has the focus (then back to the form)") },
        { u"Esc"_s, tr("Close the offers; again: leave the text field, keeping what was typed") },
        { u"C"_s, tr("Diagnosis: toggle cannot determine") },
        { u"F, 1 - 6"_s, tr("Fitzpatrick type I - VI") },
        { u"F, N"_s, tr("Fitzpatrick type not gradable") },
        { u"M, 1 - 9, 0"_s, tr("Monk skin tone 1 - 10 (0 is 10)") },
        { u"M, N"_s, tr("Monk skin tone not gradable") },
        { u"Alt+Q, U, D, T, O"_s, tr("Go to Quality, Suitability, Diagnoses, Skin type, Note") },
    };
}

bool LabelForm::handleSectionKey(QKeyEvent *event)
{
    const Qt::KeyboardModifiers modifiers = event->modifiers() & ~Qt::KeypadModifier;
    if (modifiers & ~Qt::ShiftModifier)
        return false;
    const bool shift = modifiers & Qt::ShiftModifier;
    const int key = event->key();

    if (m_prefixKey != 0) {
        const int prefix = m_prefixKey;
        m_prefixKey = 0;
        QString value;
        if (key == Qt::Key_N && !shift)
            value = u"not_gradable"_s;
        else if (prefix == Qt::Key_F && key >= Qt::Key_1 && key <= Qt::Key_6 && !shift)
            value = QString::number(key - Qt::Key_0);
        else if (prefix == Qt::Key_M && key >= Qt::Key_0 && key <= Qt::Key_9 && !shift)
            value = QString::number(key == Qt::Key_0 ? 10 : key - Qt::Key_0);
        if (value.isEmpty()) {
            updateStatus();
            if (key == Qt::Key_Escape)
                return true;
            // Any other key cancels the prefix and then does its own thing.
            return handleSectionKey(event);
        }
        // The chosen answer takes the focus when the form had it (not from the image or the queue).
        const bool inForm = isAncestorOf(QApplication::focusWidget());
        if (prefix == Qt::Key_F) {
            if (inForm)
                m_fitzpatrick->button(value)->setFocus(Qt::ShortcutFocusReason);
            applyEdit([&](Annotation &a) { a.fitzpatrick = value; },
                tr("Fitzpatrick type: %1").arg(m_fitzpatrick->button(value)->text()));
        } else {
            if (inForm)
                m_monk->button(value)->setFocus(Qt::ShortcutFocusReason);
            applyEdit([&](Annotation &a) { a.monk = value; },
                value == u"not_gradable"_s ? tr("Monk skin tone: not gradable")
                                           : tr("Monk skin tone: %1").arg(value));
        }
        updateStatus();
        return true;
    }

    if (m_readOnly)
        return false;
    switch (key) {
    case Qt::Key_G:
        applyEdit(
            [&](Annotation &a) {
                a.gradable = !shift;
                if (!shift)
                    a.ungradableReason.clear();
            },
            shift ? tr("Gradable: no") : tr("Gradable: yes"));
        if (shift)
            m_reason->setFocus(Qt::ShortcutFocusReason);
        return true;
    case Qt::Key_V:
    case Qt::Key_N:
    case Qt::Key_U: {
        if (shift)
            return false;
        const QString value = key == Qt::Key_V ? u"yes"_s : key == Qt::Key_N ? u"no"_s : u"unsure"_s;
        applyEdit([&](Annotation &a) { a.visibleCondition = value; },
            tr("Visible skin condition: %1").arg(m_visible->button(value)->text().toLower()));
        return true;
    }
    case Qt::Key_S: {
        // S answers yes (and toggles once answered), Shift+S answers no.
        const bool sensitive = shift ? false : !m_annotation.sensitive.value_or(false);
        applyEdit([&](Annotation &a) { a.sensitive = sensitive; },
            sensitive ? tr("Sensitive content: yes") : tr("Sensitive content: no"));
        return true;
    }
    case Qt::Key_C: {
        if (shift)
            return false;
        const bool cannot = !m_annotation.cannotDetermine;
        applyEdit(
            [&](Annotation &a) {
                a.cannotDetermine = cannot;
                if (cannot)
                    a.diagnoses.clear();
            },
            cannot ? tr("Diagnosis: cannot determine") : tr("Diagnosis: can be determined"));
        return true;
    }
    case Qt::Key_D:
        if (shift)
            return false;
        focusFirstEmptyDiagnosis();
        return true;
    case Qt::Key_F:
    case Qt::Key_M:
        if (shift)
            return false;
        m_prefixKey = key;
        updateStatus();
        return true;
    default:
        return false;
    }
}

void LabelForm::focusForm()
{
    m_content->setFocus(Qt::OtherFocusReason);
}

void LabelForm::keyPressEvent(QKeyEvent *event)
{
    // Keys that a focused button, check box or the form itself did not use arrive here.
    if (handleSectionKey(event)) {
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

bool LabelForm::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress && m_prefixKey != 0 && qobject_cast<DiagnosisRow *>(watched)) {
        if (handleSectionKey(static_cast<QKeyEvent *>(event)))
            return true;
    }
    if (watched == m_reason && event->type() == QEvent::KeyPress) {
        // The combo box would use letters to search its items; the form's shortcuts come first.
        if (handleSectionKey(static_cast<QKeyEvent *>(event)))
            return true;
    } else if (watched == m_note && event->type() == QEvent::FocusOut) {
        flushPendingEdit();
    } else if (watched == m_note && event->type() == QEvent::KeyPress
        && static_cast<QKeyEvent *>(event)->key() == Qt::Key_Escape
        && (static_cast<QKeyEvent *>(event)->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier) {
        // Escape leaves the note, with all that was typed (reported now), for the section keys.
        flushPendingEdit();
        focusForm();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace dl
