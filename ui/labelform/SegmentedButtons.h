// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QWidget>

class QAbstractButton;
class QButtonGroup;
class QHBoxLayout;
class QToolButton;

namespace dl {

/// A row of mutually exclusive, checkable buttons, each standing for one stored value (e.g. "yes",
/// "no", "unsure"). No button is checked while the question is unanswered. Like radio buttons, the
/// row is one Tab stop (the chosen button, or the first): the arrow keys move along the row, choosing
/// as they go once an answer is given, and Space or a click chooses.
class SegmentedButtons : public QWidget
{
    Q_OBJECT

public:
    explicit SegmentedButtons(QWidget *parent = nullptr);

    /// Appends a button for \a value labelled \a text; returns it for further styling.
    QToolButton *addOption(const QString &value, const QString &text, const QString &toolTip = QString());

    /// The value of the checked button, or an empty string when none is checked.
    QString value() const;
    /// Checks the button of \a value (none for an empty or unknown value) without emitting activated().
    void setValue(const QString &value);

    QToolButton *button(const QString &value) const;
    QList<QToolButton *> buttons() const { return m_buttons; }
    QStringList values() const { return m_values; }

Q_SIGNALS:
    /// The user chose \a value (emitted only when it differs from the value before).
    void activated(const QString &value);

protected:
    QHBoxLayout *buttonLayout() const { return m_layout; }

private:
    void onClicked(QAbstractButton *button);
    void updateTabStop();

    QHBoxLayout *m_layout;
    QButtonGroup *m_group;
    QList<QToolButton *> m_buttons;
    QStringList m_values;
    QString m_value;
};

} // namespace dl
