// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QPushButton;

namespace dl {

/// Asks for the URL of a team store (postgresql://server/database?sslmode=...), offering the
/// team stores opened before. The URL is checked as it is typed; a password in it is accepted
/// but never shown again or remembered (the sign-in asks for it).
class TeamStoreDialog : public QDialog
{
    Q_OBJECT

public:
    explicit TeamStoreDialog(const QStringList &recent, QWidget *parent = nullptr);

    /// The URL as typed (trimmed).
    QString url() const;

private:
    void check();

    QComboBox *m_url = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace dl
