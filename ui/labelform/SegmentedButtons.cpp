// SPDX-License-Identifier: GPL-3.0-or-later
#include "labelform/SegmentedButtons.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace dl {

SegmentedButtons::SegmentedButtons(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QHBoxLayout(this))
    , m_group(new QButtonGroup(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(2);
    m_layout->addStretch(1);
    m_group->setExclusive(true);
    // Not a Tab stop itself (its chosen button is), but a label's mnemonic may focus it.
    setFocusPolicy(Qt::ClickFocus);
    // The chosen answer must stand out at a glance, in every style.
    setStyleSheet(u"QToolButton:checked { background: palette(highlight); color: palette(highlighted-text);"
                  " border: 1px solid palette(highlight); border-radius: 3px; padding: 2px 6px; }"_s);
    connect(m_group, &QButtonGroup::buttonClicked, this, &SegmentedButtons::onClicked);
}

QToolButton *SegmentedButtons::addOption(const QString &value, const QString &text, const QString &toolTip)
{
    auto *button = new QToolButton(this);
    button->setText(text);
    button->setToolTip(toolTip);
    button->setCheckable(true);
    button->setFocusPolicy(Qt::StrongFocus);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    button->setMinimumWidth(30);
    button->setProperty("optionValue", value);
    m_group->addButton(button);
    // Keep the stretch last so the buttons stay packed to the left.
    m_layout->insertWidget(m_layout->count() - 1, button);
    m_buttons.append(button);
    m_values.append(value);
    updateTabStop();
    return button;
}

QString SegmentedButtons::value() const
{
    return m_value;
}

void SegmentedButtons::setValue(const QString &value)
{
    const qsizetype index = m_values.indexOf(value);
    m_value = index < 0 ? QString() : value;
    if (index < 0) {
        // An exclusive group never unchecks its last checked button by itself.
        m_group->setExclusive(false);
        for (QToolButton *button : std::as_const(m_buttons))
            button->setChecked(false);
        m_group->setExclusive(true);
    } else {
        m_buttons.at(index)->setChecked(true);
    }
    updateTabStop();
}

void SegmentedButtons::updateTabStop()
{
    // Like a group of radio buttons: Tab stops once, on the chosen button (the first when none is),
    // and the arrow keys move between the buttons.
    QToolButton *stop = button(m_value);
    if (!stop && !m_buttons.isEmpty())
        stop = m_buttons.constFirst();
    for (QToolButton *b : std::as_const(m_buttons))
        b->setFocusPolicy(b == stop ? Qt::StrongFocus : Qt::ClickFocus);
    // Focusing the row (e.g. through a label's mnemonic) focuses that button.
    setFocusProxy(stop);
}

QToolButton *SegmentedButtons::button(const QString &value) const
{
    const qsizetype index = m_values.indexOf(value);
    return index < 0 ? nullptr : m_buttons.at(index);
}

void SegmentedButtons::onClicked(QAbstractButton *button)
{
    const QString value = button->property("optionValue").toString();
    if (value == m_value)
        return;
    m_value = value;
    updateTabStop();
    Q_EMIT activated(value);
}

} // namespace dl
