// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/AssignDialog.h"

#include "users/UserService.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

enum Column { NameColumn, NowColumn, AddColumn, AfterColumn };
constexpr int UserIdRole = Qt::UserRole + 1;

} // namespace

AssignDialog::AssignDialog(Store &store, const User &actor, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_actor(actor)
{
    setObjectName(u"assignDialog"_s);
    setWindowTitle(tr("Assign Images"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Every image is labelled independently by K different dermatologists. New "
                                "assignments go to whoever has the least work; nobody gets an image twice."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    layout->addLayout(form);
    m_k = new QSpinBox(this);
    m_k->setObjectName(u"k"_s);
    m_k->setRange(1, 20);
    m_k->setValue(qBound(1, AssignmentService(store, actor).ratersPerImage(), 20));
    m_k->setSuffix(tr(" dermatologists"));
    form->addRow(tr("&Raters per image (K):"), m_k);
    auto *scope = new QWidget(this);
    auto *scopeLayout = new QVBoxLayout(scope);
    scopeLayout->setContentsMargins(0, 0, 0, 0);
    m_allImages = new QRadioButton(tr("A&ll images"), scope);
    m_allImages->setObjectName(u"allImages"_s);
    m_underAssigned = new QRadioButton(tr("Only images with &fewer than K raters"), scope);
    m_underAssigned->setObjectName(u"underAssigned"_s);
    m_allImages->setChecked(true);
    scopeLayout->addWidget(m_allImages);
    scopeLayout->addWidget(m_underAssigned);
    auto *group = new QButtonGroup(this);
    group->addButton(m_allImages);
    group->addButton(m_underAssigned);
    form->addRow(tr("Scope:"), scope);

    auto *listLabel = new QLabel(tr("&Dermatologists taking part (Space toggles):"), this);
    layout->addWidget(listLabel);
    m_table = new QTreeWidget(this);
    m_table->setObjectName(u"annotators"_s);
    listLabel->setBuddy(m_table);
    m_table->setRootIsDecorated(false);
    m_table->setAlternatingRowColors(true);
    m_table->setHeaderLabels({tr("Dermatologist"), tr("Assigned now"), tr("To add"), tr("After")});
    for (int column : {NowColumn, AddColumn, AfterColumn})
        m_table->headerItem()->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
    m_table->header()->setStretchLastSection(false);
    m_table->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int column : {NowColumn, AddColumn, AfterColumn})
        m_table->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_table->setMinimumSize(480, 140);
    layout->addWidget(m_table, 1);

    QString error;
    const auto users = UserService(store, actor).list(&error);
    for (const UserSummary &summary : users.value_or(QList<UserSummary>())) {
        if (!summary.user.active || summary.user.role != Role::Annotator)
            continue;
        auto *item = new QTreeWidgetItem(m_table);
        item->setText(NameColumn, u"%1 (%2)"_s.arg(summary.user.displayName, summary.user.name));
        item->setData(NameColumn, UserIdRole, summary.user.id);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(NameColumn, Qt::Checked);
        item->setText(NowColumn, QString::number(summary.assigned));
        for (int column : {NowColumn, AddColumn, AfterColumn})
            item->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
        m_assignedNow.insert(summary.user.id, summary.assigned);
    }
    if (m_table->topLevelItemCount() > 0)
        m_table->setCurrentItem(m_table->topLevelItem(0));

    m_summary = new QLabel(this);
    m_summary->setObjectName(u"summary"_s);
    m_summary->setWordWrap(true);
    m_summary->setText(error);
    layout->addWidget(m_summary);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_assign = buttons->addButton(tr("&Assign"), QDialogButtonBox::AcceptRole);
    m_assign->setObjectName(u"assign"_s);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (apply())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_k, &QSpinBox::valueChanged, this, &AssignDialog::updatePreview);
    connect(m_allImages, &QRadioButton::toggled, this, &AssignDialog::updatePreview);
    connect(m_table, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *, int column) {
        if (column == NameColumn)
            updatePreview();
    });
    updatePreview();
    resize(600, 440);
}

AssignmentRequest AssignDialog::request() const
{
    AssignmentRequest request;
    request.k = m_k->value();
    request.onlyUnderAssigned = m_underAssigned->isChecked();
    for (int i = 0; i < m_table->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_table->topLevelItem(i);
        if (item->checkState(NameColumn) == Qt::Checked)
            request.annotators.append(item->data(NameColumn, UserIdRole).toLongLong());
    }
    return request;
}

QString AssignDialog::previewMessage() const
{
    return m_summary->text();
}

QList<std::tuple<qint64, qint64, qint64>> AssignDialog::previewRows() const
{
    QList<std::tuple<qint64, qint64, qint64>> rows;
    for (int i = 0; i < m_table->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_table->topLevelItem(i);
        const qint64 id = item->data(NameColumn, UserIdRole).toLongLong();
        rows.append({id, m_assignedNow.value(id), item->text(AddColumn).toLongLong()});
    }
    return rows;
}

void AssignDialog::updatePreview()
{
    const AssignmentRequest wanted = request();
    QString error;
    if (wanted.annotators.isEmpty()) {
        m_preview.reset();
        error = tr("Choose at least one dermatologist.");
    } else {
        m_preview = AssignmentService(m_store, m_actor).preview(wanted, &error);
    }
    const QSignalBlocker blocker(m_table); // itemChanged would come back here
    for (int i = 0; i < m_table->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_table->topLevelItem(i);
        const qint64 id = item->data(NameColumn, UserIdRole).toLongLong();
        const bool taking = item->checkState(NameColumn) == Qt::Checked;
        const qint64 added = m_preview ? m_preview->addedPerUser.value(id) : 0;
        item->setText(AddColumn, m_preview && taking ? QString::number(added) : u"–"_s);
        item->setText(AfterColumn, QString::number(m_assignedNow.value(id) + added));
        item->setForeground(AddColumn, added > 0 ? palette().brush(QPalette::Link) : palette().brush(QPalette::Text));
    }
    if (!m_preview) {
        m_summary->setText(error);
        m_assign->setEnabled(false);
        return;
    }
    QString text;
    if (m_preview->images == 0)
        text = tr("Every image already has %1 raters.").arg(wanted.k);
    else if (m_preview->added == 0)
        text = tr("Nothing to add to the %1 images in scope.").arg(m_preview->images);
    else
        text = tr("%1 new assignments over %2 images in scope.").arg(m_preview->added).arg(m_preview->images);
    if (m_preview->underAssigned > 0)
        text += u' '
            + tr("%1 images cannot reach %2 raters with the dermatologists chosen.")
                  .arg(m_preview->underAssigned)
                  .arg(wanted.k);
    m_summary->setText(text);
    m_assign->setEnabled(m_preview->added > 0);
}

bool AssignDialog::apply()
{
    QString error;
    m_result = AssignmentService(m_store, m_actor).assign(request(), &error);
    if (!m_result) {
        m_summary->setText(error);
        return false;
    }
    return true;
}

} // namespace dl
