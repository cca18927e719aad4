// SPDX-License-Identifier: GPL-3.0-or-later
#include "labelform/DiagnosisRow.h"

#include "labelform/SegmentedButtons.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QStandardItemModel>
#include <QToolButton>

#include <utility>

using namespace Qt::StringLiterals;

namespace dl {

namespace {
constexpr int MaxMatches = 12;
}

QString DiagnosisRow::otherConditionId()
{
    return u"other"_s;
}

DiagnosisRow::DiagnosisRow(int rank, QWidget *parent)
    : QWidget(parent)
    , m_rank(new QLabel(u"%1."_s.arg(rank), this))
    , m_edit(new QLineEdit(this))
    , m_remove(new QToolButton(this))
    , m_confidenceLabel(new QLabel(tr("Confidence"), this))
    , m_confidenceButtons(new SegmentedButtons(this))
    , m_matches(new QStandardItemModel(this))
    , m_completer(new QCompleter(this))
{
    setObjectName(u"diagnosisRow%1"_s.arg(rank));
    m_edit->setObjectName(u"condition"_s);
    m_edit->setPlaceholderText(rank == 1 ? tr("Most likely condition…") : tr("Alternative condition…"));
    m_edit->setClearButtonEnabled(false);
    m_edit->setAccessibleName(tr("Diagnosis %1").arg(rank));
    m_edit->installEventFilter(this);

    m_remove->setObjectName(u"remove"_s);
    m_remove->setText(u"✕"_s);
    m_remove->setToolTip(tr("Remove this diagnosis"));
    m_remove->setAccessibleName(tr("Remove diagnosis %1").arg(rank));
    m_remove->setFocusPolicy(Qt::StrongFocus);
    m_remove->setAutoRaise(true);

    m_confidenceButtons->setObjectName(u"confidence"_s);
    const QStringList meanings
        = { tr("very unsure"), tr("unsure"), tr("moderately sure"), tr("sure"), tr("very sure") };
    for (int level = 1; level <= 5; ++level)
        m_confidenceButtons->addOption(QString::number(level), QString::number(level),
            tr("Confidence %1: %2 (key %1)").arg(level).arg(meanings.at(level - 1)));
    m_confidenceLabel->setBuddy(m_confidenceButtons);
    m_confidenceLabel->setForegroundRole(QPalette::PlaceholderText);

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setHorizontalSpacing(6);
    layout->setVerticalSpacing(3);
    m_rank->setMinimumWidth(m_rank->fontMetrics().horizontalAdvance(u"8."_s));
    layout->addWidget(m_rank, 0, 0);
    layout->addWidget(m_edit, 0, 1, 1, 2);
    layout->addWidget(m_remove, 0, 3);
    layout->addWidget(m_confidenceLabel, 1, 1);
    layout->addWidget(m_confidenceButtons, 1, 2, 1, 2);
    layout->setColumnStretch(2, 1);

    m_completer->setModel(m_matches);
    m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    m_completer->setCompletionRole(NameRole);
    m_completer->setMaxVisibleItems(MaxMatches);
    m_completer->setWidget(m_edit);

    connect(m_edit, &QLineEdit::textEdited, this, [this](const QString &text) {
        showDraftStyle(false);
        updateMatches(text);
    });
    // Emitted before editingFinished: that commit moves on to the confidence.
    connect(m_edit, &QLineEdit::returnPressed, this, [this] { m_enterPressed = true; });
    connect(m_edit, &QLineEdit::editingFinished, this, &DiagnosisRow::commitTypedText);
    connect(m_completer, qOverload<const QModelIndex &>(&QCompleter::activated), this,
        &DiagnosisRow::chooseMatch);
    connect(m_remove, &QToolButton::clicked, this, [this] {
        if (!m_readOnly && !m_id.isEmpty())
            Q_EMIT removeRequested();
    });
    connect(m_confidenceButtons, &SegmentedButtons::activated, this, [this](const QString &value) {
        m_confidence = value.toInt();
        Q_EMIT confidenceChosen(m_confidence);
    });
    updateEnabled();
}

void DiagnosisRow::setTaxonomy(const Taxonomy &taxonomy)
{
    m_taxonomy = taxonomy;
    m_edit->setText(shownName());
}

void DiagnosisRow::setDiagnosis(const QString &conditionId, int confidence)
{
    // A draft survives the form showing the same labels again (another field's edit).
    if (conditionId != m_id)
        m_draft.clear();
    m_id = conditionId;
    m_confidence = confidence;
    m_edit->setText(m_draft.isEmpty() ? shownName() : m_draft);
    showDraftStyle(!m_draft.isEmpty() && !m_edit->hasFocus());
    m_confidenceButtons->setValue(m_id.isEmpty() ? QString() : QString::number(confidence));
    updateEnabled();
}

void DiagnosisRow::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    m_edit->setReadOnly(readOnly);
    updateEnabled();
}

void DiagnosisRow::clearDraft()
{
    m_draft.clear();
    m_edit->setText(shownName());
    showDraftStyle(false);
}

void DiagnosisRow::focusConfidence()
{
    if (m_id.isEmpty() || m_readOnly)
        return;
    m_confidenceButtons->setFocus(Qt::OtherFocusReason);
}

void DiagnosisRow::showDraftStyle(bool draft)
{
    QFont font = m_edit->font();
    if (font.italic() != draft) {
        font.setItalic(draft);
        m_edit->setFont(font);
    }
    if (draft)
        m_edit->setToolTip(tr("Not chosen yet: press D to come back and choose a condition"));
    else
        m_edit->setToolTip(m_id.isEmpty() ? QString() : m_taxonomy.pathOf(m_id).join(u" › "_s));
}

QString DiagnosisRow::shownName() const
{
    return m_id.isEmpty() ? QString() : m_taxonomy.displayName(m_id);
}

void DiagnosisRow::updateEnabled()
{
    const bool editable = !m_readOnly && !m_id.isEmpty();
    m_confidenceButtons->setEnabled(editable);
    m_confidenceLabel->setEnabled(editable);
    m_remove->setEnabled(editable);
}

void DiagnosisRow::updateMatches(const QString &text)
{
    if (m_readOnly)
        return;
    m_matches->clear();
    const QList<Taxonomy::Match> matches = m_taxonomy.search(text, MaxMatches);
    for (const Taxonomy::Match &match : matches) {
        const QString name = m_taxonomy.displayName(match.id);
        auto *item = new QStandardItem;
        // Show why a condition matched when it was a synonym: "Urticaria — Hives".
        item->setText(match.matchedText.isEmpty() || match.matchedText == name
                ? name
                : tr("%1 — %2").arg(name, match.matchedText));
        item->setData(match.id, IdRole);
        item->setData(name, NameRole);
        item->setToolTip(m_taxonomy.pathOf(match.id).join(u" › "_s));
        item->setEditable(false);
        m_matches->appendRow(item);
    }
    // Words the taxonomy does not know become a condition only when the rater picks this offer: it
    // comes last and is never preselected.
    const QString typed = text.simplified();
    const bool offerOther = m_taxonomy.contains(otherConditionId()) && !Taxonomy::fold(typed).isEmpty()
        && !m_taxonomy.idForName(typed);
    if (offerOther) {
        auto *item = new QStandardItem(tr("Other: %1 (not in the list; the words go to the note)").arg(typed));
        item->setData(otherConditionId(), IdRole);
        item->setData(m_taxonomy.displayName(otherConditionId()), NameRole);
        item->setData(typed, OtherTextRole);
        item->setToolTip(tr("Stored as \"%1\", with your words in the note")
                             .arg(m_taxonomy.displayName(otherConditionId())));
        item->setEditable(false);
        m_matches->appendRow(item);
    }
    if (m_matches->rowCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->complete();
    // The best match is preselected: Enter takes it. "Other" never is.
    m_completer->popup()->setCurrentIndex(
        matches.isEmpty() ? QModelIndex() : m_completer->completionModel()->index(0, 0));
}

void DiagnosisRow::chooseMatch(const QModelIndex &index)
{
    const QString id = index.data(IdRole).toString();
    if (id.isEmpty() || m_readOnly)
        return;
    m_completer->popup()->hide();
    m_draft.clear();
    showDraftStyle(false);
    const QString other = index.data(OtherTextRole).toString();
    if (!other.isEmpty()) {
        Q_EMIT otherChosen(other);
    } else {
        m_edit->setText(m_taxonomy.displayName(id));
        if (id != m_id)
            Q_EMIT conditionChosen(id);
    }
    // Chosen (the form may refuse, e.g. a condition already in the differential): on to its confidence.
    if (m_id == id)
        focusConfidence();
}

void DiagnosisRow::commitTypedText()
{
    const bool enter = std::exchange(m_enterPressed, false);
    if (m_readOnly || m_leavingWithEscape)
        return; // left with Escape: what was typed stays, as a draft, and nothing is chosen
    const QString text = m_edit->text().trimmed();
    m_draft.clear();
    showDraftStyle(false);
    if (text == shownName())
        return;
    if (text.isEmpty()) {
        if (!m_id.isEmpty())
            Q_EMIT removeRequested();
        return;
    }
    // A name, id or synonym typed out in full counts as choosing it.
    const std::optional<QString> id = m_taxonomy.idForName(text);
    if (id && *id != m_id) {
        m_edit->setText(m_taxonomy.displayName(*id));
        Q_EMIT conditionChosen(*id);
        if (enter && m_id == *id)
            focusConfidence();
        return;
    }
    m_edit->setText(shownName());
}

bool DiagnosisRow::handleConfidenceKey(QKeyEvent *event)
{
    const int key = event->key();
    const Qt::KeyboardModifiers modifiers = event->modifiers() & ~Qt::KeypadModifier;
    if (key < Qt::Key_1 || key > Qt::Key_5 || modifiers != Qt::NoModifier)
        return false;
    if (m_readOnly || m_id.isEmpty())
        return false;
    const int level = key - Qt::Key_0;
    m_confidenceButtons->setValue(QString::number(level));
    if (level != m_confidence) {
        m_confidence = level;
        Q_EMIT confidenceChosen(level);
    }
    // The diagnosis is given: back to the form and its section keys.
    Q_EMIT leaveRequested();
    return true;
}

void DiagnosisRow::keyPressEvent(QKeyEvent *event)
{
    if (handleConfidenceKey(event))
        return;
    QWidget::keyPressEvent(event);
}

bool DiagnosisRow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_edit)
        return QWidget::eventFilter(watched, event);
    if (event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        // Escape (the offers are closed: the first Escape closed them) leaves the field with its text.
        if (key->key() == Qt::Key_Escape && (key->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier) {
            const QString text = m_edit->text();
            m_leavingWithEscape = true; // the focus-out commits nothing
            Q_EMIT leaveRequested();
            m_leavingWithEscape = false;
            m_completer->popup()->hide();
            m_draft = text.trimmed() == shownName() ? QString() : text;
            m_edit->setText(m_draft.isEmpty() ? shownName() : m_draft);
            showDraftStyle(!m_draft.isEmpty() && !m_edit->hasFocus());
            return true;
        }
        // A digit is a confidence only while the chosen name is shown unchanged.
        if (!m_id.isEmpty() && m_edit->text() == shownName() && handleConfidenceKey(key))
            return true;
    } else if (event->type() == QEvent::FocusIn && !m_draft.isEmpty() && !m_readOnly) {
        // Back to a draft: go on where the rater left, with the offers for it.
        showDraftStyle(false);
        m_edit->deselect();
        m_edit->end(false);
        updateMatches(m_draft);
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace dl
