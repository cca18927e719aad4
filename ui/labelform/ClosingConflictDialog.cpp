// SPDX-License-Identifier: GPL-3.0-or-later
#include "labelform/ClosingConflictDialog.h"

#include <QPushButton>

using namespace Qt::StringLiterals;

namespace dl {

ClosingConflictDialog::ClosingConflictDialog(const QStringList &images, bool quitting, QWidget *parent)
    : QMessageBox(parent)
{
    setObjectName(u"closingConflictDialog"_s);
    setIcon(QMessageBox::Warning);
    setWindowTitle(quitting ? tr("Quit with Labels Not Saved") : tr("Close the Store with Labels Not Saved"));
    setText(tr("The labels or regions of %n image(s) could not be saved: they were changed elsewhere (in another "
               "window or on another workstation) since they were read here.",
               "", int(images.size())));
    QString list = images.mid(0, 10).join(u", "_s);
    if (images.size() > 10)
        list += tr(" and %n more", "", int(images.size() - 10));
    setInformativeText(tr("Images: %1.\n\nKeep mine: your labels and regions are saved over the stored ones.\n"
                          "Take theirs: the stored ones replace yours.\nCancel: %2")
                           .arg(list, quitting ? tr("DermLabel stays open; the labelling screen shows both.")
                                               : tr("the store stays open; the labelling screen shows both.")));
    m_keepMine = addButton(tr("&Keep Mine"), QMessageBox::AcceptRole);
    m_keepMine->setObjectName(u"keepMine"_s);
    m_takeTheirs = addButton(tr("&Take Theirs"), QMessageBox::DestructiveRole);
    m_takeTheirs->setObjectName(u"takeTheirs"_s);
    m_cancel = addButton(QMessageBox::Cancel);
    setDefaultButton(m_cancel);
    setEscapeButton(m_cancel);
}

ClosingConflictDialog::Choice ClosingConflictDialog::choice() const
{
    const QAbstractButton *pressed = clickedButton();
    if (pressed == m_keepMine)
        return Choice::KeepMine;
    if (pressed == m_takeTheirs)
        return Choice::TakeTheirs;
    return Choice::Cancel;
}

} // namespace dl
