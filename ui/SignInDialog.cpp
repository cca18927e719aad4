// SPDX-License-Identifier: GPL-3.0-or-later
#include "SignInDialog.h"

#include "session/SessionService.h"

#include <QApplication>
#include <QDialogButtonBox>
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
    , m_store(&store)
{
    QString error;
    const SessionService session(store);
    m_createAdmin = session.needsFirstAdmin(&error);
    build(session.storeName(), {}, QSettings().value(u"signin/last"_s).toString());
}

SignInDialog::SignInDialog(const QString &teamStoreUrl, QWidget *parent)
    : QDialog(parent)
    , m_teamStoreUrl(teamStoreUrl)
{
    QString error;
    const QString server = SessionService::checkTeamStoreUrl(teamStoreUrl, &error);
    QString name = SessionService::teamStoreUser(teamStoreUrl);
    if (name.isEmpty())
        name = QSettings().value(u"signin/last"_s).toString();
    build({}, server.isEmpty() ? teamStoreUrl : server, name);
    if (server.isEmpty())
        refuse(error, false);
}

SignInDialog::~SignInDialog() = default;

std::unique_ptr<Store> SignInDialog::takeStore()
{
    return std::move(m_opened);
}

void SignInDialog::build(const QString &storeName, const QString &server, const QString &lastName)
{
    setObjectName(u"signInDialog"_s);
    setWindowTitle(m_createAdmin ? tr("Create the administrator account") : tr("Sign in"));

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(this);
    intro->setObjectName(u"intro"_s);
    intro->setWordWrap(true);
    if (!server.isEmpty())
        intro->setText(tr("Sign in to the team store <b>%1</b>. Your user name and password are checked by the "
                          "server.")
                           .arg(server.toHtmlEscaped()));
    else if (m_createAdmin)
        intro->setText(tr("<b>%1</b> has no users yet. Create the administrator account: it imports images, "
                          "adds raters and assigns work.")
                           .arg(storeName.toHtmlEscaped()));
    else
        intro->setText(tr("Sign in to <b>%1</b>.").arg(storeName.toHtmlEscaped()));
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(u"name"_s);
    m_name->setText(m_createAdmin ? u"admin"_s : lastName);
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
    setMinimumWidth(440);
    updateButton();
}

void SignInDialog::refuse(const QString &message, bool focusPassword)
{
    m_message->setText(message);
    m_message->show();
    if (focusPassword) {
        m_password->selectAll();
        m_password->setFocus();
    }
}

void SignInDialog::updateButton()
{
    m_ok->setEnabled(!m_name->text().trimmed().isEmpty() && !m_password->text().isEmpty());
}

void SignInDialog::accept()
{
    const QString name = m_name->text().trimmed();
    QString error;
    if (!m_store) {
        // A team store: opening it is signing in.
        bool refused = false;
        QApplication::setOverrideCursor(Qt::WaitCursor);
        m_opened = SessionService::signInToTeamStore(m_teamStoreUrl, name, m_password->text(), &m_user, &refused,
                                                     &error);
        QApplication::restoreOverrideCursor();
        if (!m_opened) {
            m_user.reset();
            refuse(error, refused);
            return;
        }
    } else if (m_createAdmin) {
        SessionService session(*m_store);
        if (m_password->text() != m_repeat->text())
            error = tr("The passwords do not match.");
        else
            m_user = session.createFirstAdmin(name, m_displayName->text(), m_password->text(), &error);
    } else {
        m_user = SessionService(*m_store).signIn(name, m_password->text(), &error);
    }
    if (!m_user) {
        refuse(error, !m_createAdmin);
        return;
    }
    QSettings().setValue(u"signin/last"_s, name);
    QDialog::accept();
}

} // namespace dl
