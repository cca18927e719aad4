// SPDX-License-Identifier: GPL-3.0-or-later
#include "SignInDialog.h"

#include "store/AuditLog.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

SignInDialog::SignInDialog(Store &store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
{
    setObjectName(u"signInDialog"_s);
    QString error;
    m_createAdmin = UserRepository(store.db()).count(&error) == 0;
    setWindowTitle(m_createAdmin ? tr("Create the administrator account") : tr("Sign in"));

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(this);
    intro->setWordWrap(true);
    intro->setText(m_createAdmin
                       ? tr("<b>%1</b> has no users yet. Create the administrator account: it imports images, "
                            "adds raters and assigns work.")
                             .arg(QFileInfo(store.path()).completeBaseName().toHtmlEscaped())
                       : tr("Sign in to <b>%1</b>.").arg(QFileInfo(store.path()).completeBaseName().toHtmlEscaped()));
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(u"name"_s);
    m_name->setText(m_createAdmin ? u"admin"_s : QSettings().value(u"signin/last"_s).toString());
    form->addRow(tr("&User name:"), m_name);
    if (m_createAdmin) {
        m_displayName = new QLineEdit(this);
        m_displayName->setObjectName(u"displayName"_s);
        m_displayName->setPlaceholderText(tr("e.g. Dr. Ana Silva"));
        form->addRow(tr("&Full name:"), m_displayName);
    }
    m_password = new QLineEdit(this);
    m_password->setObjectName(u"password"_s);
    m_password->setEchoMode(QLineEdit::Password);
    form->addRow(tr("&Password:"), m_password);
    if (m_createAdmin) {
        m_repeat = new QLineEdit(this);
        m_repeat->setObjectName(u"repeat"_s);
        m_repeat->setEchoMode(QLineEdit::Password);
        form->addRow(tr("&Repeat password:"), m_repeat);
    }
    layout->addLayout(form);

    m_message = new QLabel(this);
    m_message->setObjectName(u"message"_s);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(u"color: #b42318;"_s);
    m_message->hide();
    layout->addWidget(m_message);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(m_createAdmin ? tr("Create and Sign In") : tr("Sign In"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    for (QLineEdit *edit : {m_name, m_password, m_repeat}) {
        if (edit)
            connect(edit, &QLineEdit::textChanged, this, &SignInDialog::updateButton);
    }
    (m_name->text().isEmpty() || m_createAdmin ? m_name : m_password)->setFocus();
    setMinimumWidth(420);
    updateButton();
}

void SignInDialog::updateButton()
{
    m_ok->setEnabled(!m_name->text().trimmed().isEmpty() && !m_password->text().isEmpty());
}

void SignInDialog::accept()
{
    const QString name = m_name->text().trimmed();
    QString error;
    UserRepository users(m_store.db());
    if (m_createAdmin) {
        if (m_password->text() != m_repeat->text()) {
            error = tr("The passwords do not match.");
        } else {
            const qint64 id = users.add(name, m_displayName->text().trimmed(), Role::Admin, m_password->text(), &error);
            if (id > 0) {
                AuditLog::record(m_store.db(), id, u"user.create"_s, u"user"_s, id, {{u"role"_s, u"admin"_s}}, &error);
                m_user = users.findById(id, &error);
            }
        }
    } else {
        m_user = users.authenticate(name, m_password->text());
        if (!m_user) {
            error = tr("The user name or password is wrong, or the account is disabled.");
            m_password->selectAll();
            m_password->setFocus();
        }
    }
    if (!m_user) {
        m_message->setText(error);
        m_message->show();
        return;
    }
    QSettings().setValue(u"signin/last"_s, name);
    QDialog::accept();
}

} // namespace dl
