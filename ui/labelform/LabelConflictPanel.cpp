// SPDX-License-Identifier: GPL-3.0-or-later
#include "labelform/LabelConflictPanel.h"

#include "labelling/LabelDifferences.h"
#include "masks/MaskLayer.h"
#include "model/LabelVocabulary.h"
#include "qa/LabelFields.h"
#include "qa/ValueText.h"
#include "taxonomy/Taxonomy.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

LabelConflictPanel::LabelConflictPanel(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(u"labelConflictPanel"_s);
    setFrameShape(QFrame::StyledPanel);
    setFocusPolicy(Qt::StrongFocus);
    auto *layout = new QVBoxLayout(this);
    m_message = new QLabel(
        tr("<b>Not saved: these labels were changed elsewhere</b> (in another window or on another "
           "workstation) since they were opened here. Nothing was overwritten."),
        this);
    m_message->setWordWrap(true);
    layout->addWidget(m_message);

    m_table = new QTableWidget(0, 3, this);
    m_table->setHorizontalHeaderLabels({tr("Field"), tr("Stored now"), tr("Yours (not saved)")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(true);
    layout->addWidget(m_table);

    auto *buttons = new QHBoxLayout;
    m_keepStored = new QPushButton(tr("&Keep stored labels"), this);
    m_keepStored->setToolTip(tr("Your edits are replaced by the stored labels (Undo brings them back)."));
    m_overwrite = new QPushButton(tr("&Overwrite with mine"), this);
    m_overwrite->setToolTip(tr("Your labels are saved over the stored ones."));
    buttons->addStretch(1);
    buttons->addWidget(m_keepStored);
    buttons->addWidget(m_overwrite);
    layout->addLayout(buttons);
    setFocusProxy(m_keepStored);

    connect(m_keepStored, &QPushButton::clicked, this, &LabelConflictPanel::keepStoredRequested);
    connect(m_overwrite, &QPushButton::clicked, this, &LabelConflictPanel::overwriteRequested);
    hide();
}

QString LabelConflictPanel::fieldName(const QString &field)
{
    if (field == u"cannot_determine"_s)
        return tr("Cannot determine");
    if (field == u"note"_s)
        return tr("Note");
    if (field.startsWith(u"confidence_"_s))
        return tr("Confidence, rank %1").arg(field.mid(11));
    return LabelFields::displayName(field);
}

QString LabelConflictPanel::valueText(const QString &field, const QString &value, const Taxonomy &taxonomy)
{
    if (value.isEmpty())
        return tr("Not answered");
    if (field == u"cannot_determine"_s || field.startsWith(u"identifying_"_s))
        return ValueText::display(u"gradable"_s, value, taxonomy); // yes / no
    if (field == u"note"_s || field.startsWith(u"confidence_"_s))
        return value;
    if (field == u"monk_tone"_s && value != u"not_gradable"_s)
        return value;
    return ValueText::display(field, value, taxonomy);
}

void LabelConflictPanel::showConflict(const Annotation &stored, const Annotation &mine, const QStringList &layerIds)
{
    const Taxonomy &taxonomy = m_taxonomy ? *m_taxonomy : Taxonomy::builtin();
    const QList<LabelDifference> differences = LabelDifferences::between(stored, mine);
    m_table->setRowCount(int(differences.size() + layerIds.size()));
    int row = 0;
    for (const LabelDifference &d : differences) {
        m_table->setItem(row, 0, new QTableWidgetItem(fieldName(d.field)));
        m_table->setItem(row, 1, new QTableWidgetItem(valueText(d.field, d.stored, taxonomy)));
        m_table->setItem(row, 2, new QTableWidgetItem(valueText(d.field, d.mine, taxonomy)));
        ++row;
    }
    for (const QString &id : layerIds) {
        const MaskLayer layer(id);
        m_table->setItem(row, 0, new QTableWidgetItem(tr("Region: %1").arg(layer.displayName(&taxonomy))));
        m_table->setItem(row, 1, new QTableWidgetItem(tr("Drawn elsewhere")));
        m_table->setItem(row, 2, new QTableWidgetItem(tr("Your drawing (not saved)")));
        ++row;
    }
    m_table->resizeRowsToContents();
    const bool wasVisible = isVisible();
    show();
    if (!wasVisible)
        m_keepStored->setFocus(Qt::OtherFocusReason);
}

} // namespace dl
