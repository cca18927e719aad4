// SPDX-License-Identifier: GPL-3.0-or-later
#include "TeamStoreDialog.h"

#include "session/SessionService.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

TeamStoreDialog::TeamStoreDialog(const QStringList &recent, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"teamStoreDialog"_s);
    setWindowTitle(tr("Open Team Store"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("A team store lives on a PostgreSQL server that your team's administrator set up. "
                                "Enter the address they gave you; you sign in next."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_url = new QComboBox(this);
    m_url->setObjectName(u"url"_s);
    m_url->setEditable(true);
    m_url->setInsertPolicy(QComboBox::NoInsert);
    m_url->addItems(recent);
    m_url->setCurrentIndex(recent.isEmpty() ? -1 : 0);
    m_url->lineEdit()->setPlaceholderText(u"postgresql://labels.example.org/dermlabel"_s);
    m_url->setMinimumContentsLength(48);
    form->addRow(tr("&Address:"), m_url);
    layout->addLayout(form);

    auto *hint = new QLabel(tr("The connection is encrypted whenever the server offers it. To also check the "
                               "server's certificate, end the address with "
                               "<tt style=\"white-space: nowrap\">?sslmode=verify-full</tt>."),
                            this);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(hint);

    m_message = new QLabel(this);
    m_message->setObjectName(u"message"_s);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(u"color: #b42318;"_s);
    layout->addWidget(m_message);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Continue"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_url, &QComboBox::editTextChanged, this, &TeamStoreDialog::check);
    m_url->setFocus();
    check();
}

QString TeamStoreDialog::url() const
{
    return m_url->currentText().trimmed();
}

void TeamStoreDialog::check()
{
    QString error;
    const bool empty = url().isEmpty();
    const bool valid = !empty && !SessionService::checkTeamStoreUrl(url(), &error).isEmpty();
    m_ok->setEnabled(valid);
    m_message->setText(empty || valid ? QString() : error);
    m_message->setVisible(!empty && !valid);
}

} // namespace dl
