// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QAction;

namespace dl {

/// Every keyboard shortcut of the workstation on one sheet (F1 or ?).
class ShortcutSheet : public QDialog
{
    Q_OBJECT

public:
    /// actions: the window's actions with shortcuts (menus), listed first.
    explicit ShortcutSheet(const QList<QAction *> &actions, QWidget *parent = nullptr);
    /// The sheet's rows as (keys, description), for tests.
    QList<QPair<QString, QString>> rows() const { return m_rows; }

private:
    QList<QPair<QString, QString>> m_rows;
};

} // namespace dl
