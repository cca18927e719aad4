// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/NewUserDialog.h"

#include "users/UserService.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

NewUserDialog::NewUserDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"newUserDialog"_s);
    setWindowTitle(tr("Add User"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    auto field = [this, form](const QString &objectName, const QString &label, bool secret) {
        auto *edit = new QLineEdit(this);
        edit->setObjectName(objectName);
        if (secret)
            edit->setEchoMode(QLineEdit::Password);
        edit->setMinimumWidth(260);
        form->addRow(label, edit);
        connect(edit, &QLineEdit::textChanged, this, &NewUserDialog::validate);
        return edit;
    };
    m_name = field(u"name"_s, tr("User &name:"), false);
    m_name->setPlaceholderText(tr("e.g. dr.okafor"));
    m_displayName = field(u"displayName"_s, tr("&Display name:"), false);
    m_displayName->setPlaceholderText(tr("e.g. Dr. Amara Okafor"));
    m_role = new QComboBox(this);
    m_role->setObjectName(u"role"_s);
    for (Role role : {Role::Annotator, Role::Qa, Role::Admin})
        m_role->addItem(roleDisplayName(role), roleKey(role));
    form->addRow(tr("&Role:"), m_role);
    m_password = field(u"password"_s, tr("&Password:"), true);
    m_repeat = field(u"repeat"_s, tr("R&epeat password:"), true);
    m_hint = new QLabel(this);
    m_hint->setObjectName(u"hint"_s);
    m_hint->setWordWrap(true);
    layout->addWidget(m_hint);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Add User"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
    validate();
}

QString NewUserDialog::name() const
{
    return m_name->text().trimmed();
}

QString NewUserDialog::displayName() const
{
    return m_displayName->text().trimmed();
}

Role NewUserDialog::role() const
{
    return roleFromKey(m_role->currentData().toString()).value_or(Role::Annotator);
}

QString NewUserDialog::password() const
{
    return m_password->text();
}

void NewUserDialog::validate()
{
    QString hint;
    QString error;
    if (name().isEmpty())
        hint = tr("The user name is what they type to sign in.");
    else if (!UserService::isValidName(name(), &error))
        hint = error;
    else if (password().size() < UserService::minimumPasswordLength())
        hint = tr("The password needs at least %1 characters.").arg(UserService::minimumPasswordLength());
    else if (password() != m_repeat->text())
        hint = tr("The two passwords differ.");
    m_hint->setText(hint);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(hint.isEmpty());
}

} // namespace dl
