// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Role.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace dl {

/// Admin ▸ Users ▸ Add: name, display name, role and an initial password (typed twice). OK is
/// enabled once the name is valid and the passwords match and are long enough; the store's own
/// checks (name taken) come from UserService.
class NewUserDialog : public QDialog
{
    Q_OBJECT

public:
    explicit NewUserDialog(QWidget *parent = nullptr);

    QString name() const;
    QString displayName() const;
    Role role() const;
    QString password() const;

private:
    void validate();

    QLineEdit *m_name = nullptr;
    QLineEdit *m_displayName = nullptr;
    QComboBox *m_role = nullptr;
    QLineEdit *m_password = nullptr;
    QLineEdit *m_repeat = nullptr;
    QLabel *m_hint = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace dl
