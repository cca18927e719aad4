// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMessageBox>
#include <QStringList>

class QPushButton;

namespace dl {

/// Asked before the window closes or the store is closed while labels or regions of open images
/// could not be saved because they were changed elsewhere (the same rater in another window or on
/// another workstation): keep mine (saved over the stored ones, based on the versions stored now),
/// take theirs (the stored ones replace the edited ones), or cancel and decide on the labelling
/// screen. Keyboard: K, T (or Alt+K, Alt+T) and Escape; Cancel is the default button, so that
/// Enter decides nothing by accident.
class ClosingConflictDialog : public QMessageBox
{
    Q_OBJECT

public:
    enum class Choice { Cancel, KeepMine, TakeTheirs };

    /// images: how the images in conflict are named for the rater (their public ids).
    /// quitting: the window closes (else the store is closed).
    ClosingConflictDialog(const QStringList &images, bool quitting, QWidget *parent = nullptr);

    /// The button pressed (Cancel until one is, and for Escape).
    Choice choice() const;

    QPushButton *keepMineButton() const { return m_keepMine; }
    QPushButton *takeTheirsButton() const { return m_takeTheirs; }
    QPushButton *cancelButton() const { return m_cancel; }

private:
    QPushButton *m_keepMine = nullptr;
    QPushButton *m_takeTheirs = nullptr;
    QPushButton *m_cancel = nullptr;
};

} // namespace dl
