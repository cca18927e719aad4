// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QDialog>

class QAction;
class QLabel;
class QPushButton;
class QTableView;

namespace dl {

class Store;
class UserTableModel;

/// Admin ▸ Users: the store's users with their queues, and the buttons to add a user, reset a
/// password, disable or re-enable an account (disabling moves the unfinished work to other
/// dermatologists) and change a role. Everything goes through UserService, which checks the
/// permission and keeps one active administrator. Results and refusals show in the dialog.
class UsersDialog : public QDialog
{
    Q_OBJECT

public:
    UsersDialog(Store &store, const User &actor, QWidget *parent = nullptr);

    UserTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    /// The outcome of the last change (or why it was refused), as shown under the table.
    QString message() const;
    /// True when any change was made (the caller refreshes its summary).
    bool changed() const { return m_changed; }

    /// Re-reads the users, keeping the selection.
    void reload();
    bool selectUser(qint64 userId);
    qint64 selectedUserId() const;

    // The changes, without the questions the buttons ask first.
    bool addUser(const QString &name, const QString &displayName, Role role, const QString &password);
    bool resetPassword(qint64 userId, const QString &password);
    bool setActive(qint64 userId, bool active);
    bool setRole(qint64 userId, Role role);

private:
    void add();
    void resetSelectedPassword();
    void toggleSelectedActive();
    void updateButtons();
    void report(const QString &text, bool failure);

    Store &m_store;
    User m_actor;
    UserTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_password = nullptr;
    QPushButton *m_active = nullptr;
    QPushButton *m_role = nullptr;
    QList<QAction *> m_roleActions;
    bool m_changed = false;
};

} // namespace dl
