// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QDialog>

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace dl {

class Store;

/// Signs a user in to a store. On a store without users it first asks for
/// the administrator account instead.
class SignInDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SignInDialog(Store &store, QWidget *parent = nullptr);

    /// True when the store has no users yet and the dialog creates the admin.
    bool createsAdmin() const { return m_createAdmin; }
    std::optional<User> user() const { return m_user; }

    void accept() override;

private:
    void updateButton();

    Store &m_store;
    bool m_createAdmin = false;
    std::optional<User> m_user;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_displayName = nullptr;
    QLineEdit *m_password = nullptr;
    QLineEdit *m_repeat = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace dl
