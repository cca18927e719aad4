// SPDX-License-Identifier: GPL-3.0-or-later
#include "ShortcutSheet.h"

#include "labelform/LabelForm.h"
#include "masks/MaskCanvas.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

ShortcutSheet::ShortcutSheet(const QList<QAction *> &actions, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"shortcutSheet"_s);
    setWindowTitle(tr("Keyboard Shortcuts"));
    auto *layout = new QVBoxLayout(this);
    auto *tree = new QTreeWidget(this);
    tree->setColumnCount(2);
    tree->setHeaderLabels({tr("Keys"), tr("Action")});
    tree->setRootIsDecorated(false);
    tree->setAlternatingRowColors(true);
    tree->setSelectionMode(QAbstractItemView::NoSelection);
    layout->addWidget(tree);

    auto section = [&](const QString &title, const QList<QPair<QString, QString>> &rows) {
        if (rows.isEmpty())
            return;
        auto *header = new QTreeWidgetItem(tree, {title});
        QFont bold = header->font(0);
        bold.setBold(true);
        header->setFont(0, bold);
        header->setFirstColumnSpanned(true);
        for (const auto &[keys, description] : rows) {
            new QTreeWidgetItem(tree, {keys, description});
            m_rows.append({keys, description});
        }
    };

    QList<QPair<QString, QString>> commands;
    for (QAction *action : actions) {
        QStringList keys;
        for (const QKeySequence &sequence : action->shortcuts())
            keys << sequence.toString(QKeySequence::NativeText);
        if (!keys.isEmpty())
            commands.append({keys.join(tr(" or ")), action->text().remove(u'&')});
    }
    section(tr("Commands"), commands);
    section(tr("Label form (anywhere in the labelling screen, except while typing in a text field)"),
            LabelForm::shortcuts());
    section(tr("Image (when it has the focus)"),
            {{tr("+ / −, mouse wheel"), tr("Zoom in / out around the cursor")},
             {tr("0"), tr("Fit the image to the window (F is the label form's Fitzpatrick key)")},
             {tr("1"), tr("Actual size (100%)")},
             {tr("Arrow keys, middle drag, Space+drag"), tr("Pan (and left drag with the Pan tool, H)")}});
    section(tr("Mask tools (when the image has the focus)"), MaskCanvas::shortcuts());
    tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(620, 640);
}

} // namespace dl
