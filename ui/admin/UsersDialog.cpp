// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/UsersDialog.h"

#include "admin/NewUserDialog.h"
#include "admin/PasswordDialog.h"
#include "admin/UserTableModel.h"

#include "users/UserService.h"

#include <QActionGroup>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

UsersDialog::UsersDialog(Store &store, const User &actor, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_actor(actor)
    , m_model(new UserTableModel(this))
{
    setObjectName(u"usersDialog"_s);
    setWindowTitle(tr("Users"));
    auto *layout = new QVBoxLayout(this);
    auto *body = new QHBoxLayout;
    layout->addLayout(body, 1);

    m_table = new QTableView(this);
    m_table->setObjectName(u"usersTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->horizontalHeader()->setSectionResizeMode(UserTableModel::DisplayName, QHeaderView::Stretch);
    m_table->setMinimumSize(560, 220);
    body->addWidget(m_table, 1);

    auto *buttons = new QVBoxLayout;
    body->addLayout(buttons);
    auto button = [this, buttons](const QString &objectName, const QString &text, const QString &tip) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(objectName);
        b->setToolTip(tip);
        b->setAutoDefault(false);
        buttons->addWidget(b);
        return b;
    };
    m_add = button(u"addUser"_s, tr("&Add…"), tr("Add a dermatologist, QA lead or administrator (Ctrl+N)"));
    m_add->setShortcut(QKeySequence::New);
    m_password = button(u"resetPassword"_s, tr("Reset &Password…"), tr("Give the selected user a new password"));
    m_active = button(u"toggleActive"_s, tr("&Disable"),
                      tr("Disable the selected account; unfinished work goes to other dermatologists"));
    m_role = button(u"changeRole"_s, tr("&Role"), tr("Change the selected user's role"));
    auto *roleMenu = new QMenu(m_role);
    auto *roleGroup = new QActionGroup(roleMenu);
    for (Role role : {Role::Annotator, Role::Qa, Role::Admin}) {
        QAction *action = roleMenu->addAction(roleDisplayName(role));
        action->setCheckable(true);
        action->setData(roleKey(role));
        roleGroup->addAction(action);
        m_roleActions.append(action);
        connect(action, &QAction::triggered, this, [this, role] {
            if (selectedUserId() >= 0)
                setRole(selectedUserId(), role);
        });
    }
    m_role->setMenu(roleMenu);
    buttons->addStretch();

    m_message = new QLabel(this);
    m_message->setObjectName(u"message"_s);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    layout->addWidget(m_message);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(close);

    connect(m_add, &QPushButton::clicked, this, &UsersDialog::add);
    connect(m_password, &QPushButton::clicked, this, &UsersDialog::resetSelectedPassword);
    connect(m_active, &QPushButton::clicked, this, &UsersDialog::toggleSelectedActive);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &UsersDialog::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &UsersDialog::updateButtons);

    reload();
    if (m_model->rowCount() > 0)
        m_table->selectRow(0);
    m_table->setFocus();
    resize(760, 380);
}

QString UsersDialog::message() const
{
    return m_message->text();
}

void UsersDialog::reload()
{
    const qint64 selected = selectedUserId();
    QString error;
    const auto users = UserService(m_store, m_actor).list(&error);
    if (!users) {
        report(error, true);
        m_model->setUsers({});
        return;
    }
    m_model->setUsers(*users);
    // Contents plus some air; the display name takes what is left.
    for (int column = 0; column < UserTableModel::ColumnCount; ++column) {
        if (column == UserTableModel::DisplayName)
            continue;
        m_table->resizeColumnToContents(column);
        m_table->setColumnWidth(column, m_table->columnWidth(column) + 16);
    }
    if (selected >= 0)
        selectUser(selected);
}

bool UsersDialog::selectUser(qint64 userId)
{
    const int row = m_model->rowOf(userId);
    if (row < 0)
        return false;
    m_table->selectRow(row);
    m_table->setCurrentIndex(m_model->index(row, 0));
    return true;
}

qint64 UsersDialog::selectedUserId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().data(UserTableModel::UserIdRole).toLongLong();
}

void UsersDialog::report(const QString &text, bool failure)
{
    m_message->setText(text);
    QPalette palette = m_message->palette();
    palette.setColor(QPalette::WindowText, failure ? QColor(0xa0, 0x1c, 0x1c) : palette.color(QPalette::Text));
    m_message->setPalette(palette);
}

void UsersDialog::updateButtons()
{
    const int row = m_model->rowOf(selectedUserId());
    const bool any = row >= 0;
    m_password->setEnabled(any);
    m_active->setEnabled(any);
    m_role->setEnabled(any);
    if (!any)
        return;
    const UserSummary &summary = m_model->users().at(row);
    m_active->setText(summary.user.active ? tr("&Disable") : tr("&Enable"));
    m_active->setToolTip(summary.user.active
                             ? tr("Disable the selected account; unfinished work goes to other dermatologists")
                             : tr("Let the selected user sign in again"));
    for (QAction *action : std::as_const(m_roleActions))
        action->setChecked(action->data().toString() == roleKey(summary.user.role));
}

bool UsersDialog::addUser(const QString &name, const QString &displayName, Role role, const QString &password)
{
    QString error;
    const auto user = UserService(m_store, m_actor).add(name, displayName, role, password, &error);
    if (!user) {
        report(error, true);
        return false;
    }
    m_changed = true;
    reload();
    selectUser(user->id);
    report(tr("Added %1 (%2).").arg(user->name, roleDisplayName(user->role)), false);
    return true;
}

bool UsersDialog::resetPassword(qint64 userId, const QString &password)
{
    QString error;
    if (!UserService(m_store, m_actor).resetPassword(userId, password, &error)) {
        report(error, true);
        return false;
    }
    m_changed = true;
    const int row = m_model->rowOf(userId);
    report(tr("The password of %1 was changed.").arg(row >= 0 ? m_model->users().at(row).user.name : QString()),
           false);
    return true;
}

bool UsersDialog::setActive(qint64 userId, bool active)
{
    const int row = m_model->rowOf(userId);
    const QString name = row >= 0 ? m_model->users().at(row).user.name : QString();
    QString error;
    UserService service(m_store, m_actor);
    if (active) {
        if (!service.enable(userId, &error)) {
            report(error, true);
            return false;
        }
        report(tr("%1 can sign in again. Use Admin › Assign Images to give them new work.").arg(name), false);
    } else {
        const auto moved = service.disable(userId, &error);
        if (!moved) {
            report(error, true);
            return false;
        }
        QString text = tr("%1 is disabled.").arg(name);
        if (moved->removed > 0 || moved->added > 0)
            text += u' ' + tr("Unstarted images moved to other dermatologists: %1; new assignments: %2.")
                               .arg(moved->removed)
                               .arg(moved->added);
        if (moved->underAssigned > 0)
            text += u' ' + tr("Images with fewer raters than wanted: %1 (add or enable dermatologists).")
                               .arg(moved->underAssigned);
        report(text, false);
    }
    m_changed = true;
    reload();
    return true;
}

bool UsersDialog::setRole(qint64 userId, Role role)
{
    QString error;
    const auto moved = UserService(m_store, m_actor).changeRole(userId, role, &error);
    if (!moved) {
        reload(); // puts the role menu's check mark back
        report(error, true);
        return false;
    }
    m_changed = true;
    reload();
    const int row = m_model->rowOf(userId);
    QString text = tr("%1 is now %2.").arg(row >= 0 ? m_model->users().at(row).user.name : QString(),
                                           roleDisplayName(role));
    if (moved->removed > 0)
        text += u' ' + tr("Unstarted images moved to other dermatologists: %1.").arg(moved->removed);
    report(text, false);
    return true;
}

void UsersDialog::add()
{
    NewUserDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        addUser(dialog.name(), dialog.displayName(), dialog.role(), dialog.password());
}

void UsersDialog::resetSelectedPassword()
{
    const int row = m_model->rowOf(selectedUserId());
    if (row < 0)
        return;
    const User user = m_model->users().at(row).user;
    PasswordDialog dialog(user.name, this);
    if (dialog.exec() == QDialog::Accepted)
        resetPassword(user.id, dialog.password());
}

void UsersDialog::toggleSelectedActive()
{
    const int row = m_model->rowOf(selectedUserId());
    if (row < 0)
        return;
    const UserSummary summary = m_model->users().at(row);
    if (!summary.user.active) {
        setActive(summary.user.id, true);
        return;
    }
    QMessageBox box(QMessageBox::Question, tr("Disable User"),
                    tr("Disable %1 (%2)?").arg(summary.user.name, summary.user.displayName), QMessageBox::NoButton,
                    this);
    box.setInformativeText(
        summary.user.role == Role::Annotator
            ? tr("They can no longer sign in. Images they have not finished (%1) go to other dermatologists, so "
                 "that every image keeps its number of raters; the labels they finished (%2) are kept.")
                  .arg(summary.toDo())
                  .arg(summary.done)
            : tr("They can no longer sign in."));
    QPushButton *disable = box.addButton(tr("&Disable"), QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(disable);
    box.exec();
    if (box.clickedButton() == disable)
        setActive(summary.user.id, false);
}

} // namespace dl
