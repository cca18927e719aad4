// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QDialog>

#include <memory>
#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace dl {

class Store;

/// Signs a user in to a store. On a store without users it first asks for
/// the administrator account instead.
///
/// A team store is opened by signing in: the server checks the name and the
/// password before anything of the store is read, so the dialog is given the
/// store's URL, opens it as the user on "Sign In" and hands over the open
/// store (takeStore()). A refused sign-in keeps the dialog open.
class SignInDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SignInDialog(Store &store, QWidget *parent = nullptr);
    /// Signs in to the team store at teamStoreUrl (a postgresql:// URL).
    explicit SignInDialog(const QString &teamStoreUrl, QWidget *parent = nullptr);
    ~SignInDialog() override;

    /// The team store opened by signing in (once accepted); null for a local store.
    std::unique_ptr<Store> takeStore();

    /// True when the store has no users yet and the dialog creates the admin.
    bool createsAdmin() const { return m_createAdmin; }
    std::optional<User> user() const { return m_user; }

    void accept() override;

private:
    void build(const QString &storeName, const QString &server, const QString &lastName);
    void updateButton();
    void refuse(const QString &message, bool focusPassword);

    Store *m_store = nullptr;
    QString m_teamStoreUrl;
    std::unique_ptr<Store> m_opened;
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
