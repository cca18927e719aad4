// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/PasswordDialog.h"

#include "users/UserService.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

PasswordDialog::PasswordDialog(const QString &userName, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"passwordDialog"_s);
    setWindowTitle(tr("Reset Password"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("A new password for <b>%1</b>. Tell it to them in person; they sign in with it "
                                "from now on.")
                                 .arg(userName.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    m_password = new QLineEdit(this);
    m_password->setObjectName(u"password"_s);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setMinimumWidth(240);
    form->addRow(tr("New &password:"), m_password);
    m_repeat = new QLineEdit(this);
    m_repeat->setObjectName(u"repeat"_s);
    m_repeat->setEchoMode(QLineEdit::Password);
    form->addRow(tr("R&epeat:"), m_repeat);
    m_hint = new QLabel(this);
    m_hint->setObjectName(u"hint"_s);
    layout->addWidget(m_hint);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Set Password"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
    connect(m_password, &QLineEdit::textChanged, this, &PasswordDialog::validate);
    connect(m_repeat, &QLineEdit::textChanged, this, &PasswordDialog::validate);
    validate();
}

QString PasswordDialog::password() const
{
    return m_password->text();
}

void PasswordDialog::validate()
{
    QString hint;
    if (password().size() < UserService::minimumPasswordLength())
        hint = tr("At least %1 characters.").arg(UserService::minimumPasswordLength());
    else if (password() != m_repeat->text())
        hint = tr("The two passwords differ.");
    m_hint->setText(hint);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(hint.isEmpty());
}

} // namespace dl
