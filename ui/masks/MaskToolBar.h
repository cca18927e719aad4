// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/MaskCanvas.h"

#include <QWidget>

#include <array>

class QAction;
class QActionGroup;
class QLabel;
class QProgressBar;
class QSpinBox;
class QToolBar;
class QToolButton;

namespace dl {

/// The mask tools of a MaskCanvas as a compact bar: a tool bar with one checkable action per tool in
/// an exclusive group (Pan first), the brush size and the wand tolerance, a busy indicator with
/// Cancel while segmentation runs in the background; then a hint that takes the rest of the width
/// (why the tools are off, what to do next; elided when long, in full in its tool tip).
///
/// The actions' shortcuts are single keys that work while the focus is in shortcutScope (and its
/// children: the canvas); none of them is one of the label form's keys.
class MaskToolBar : public QWidget
{
    Q_OBJECT

public:
    MaskToolBar(MaskCanvas *canvas, QWidget *shortcutScope, QWidget *parent = nullptr);
    ~MaskToolBar() override;

    QAction *toolAction(MaskCanvas::Tool tool) const { return m_tools.at(size_t(tool)); }
    /// The tool actions, then smaller / larger brush (for a menu and the shortcut sheet).
    QList<QAction *> shortcutActions() const;
    QSpinBox *sizeBox() const { return m_size; }
    QSpinBox *toleranceBox() const { return m_tolerance; }
    /// The "Box" / "Strokes" choice of how a GrabCut session starts (shown with the GrabCut tool).
    QAction *grabCutStartAction(MaskCanvas::GrabCutStart start) const
    {
        return start == MaskCanvas::GrabCutStart::Box ? m_startBox : m_startStrokes;
    }
    QToolBar *toolBar() const { return m_bar; }
    QLabel *hintLabel() const { return m_hint; }
    /// The hint in full (the label may show it elided).
    QString hintText() const { return m_hintText; }
    QToolButton *cancelButton() const { return m_cancel; }
    /// Shown (with the busy indicator) while background work runs.
    QAction *cancelAction() const { return m_cancelAction; }

    /// A small painted icon for a tool (no image files needed).
    static QIcon toolIcon(MaskCanvas::Tool tool, const QColor &colour);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void setHint(const QString &text);
    void updateState();
    void onBusyChanged(bool busy, const QString &what);

    MaskCanvas *m_canvas;
    QToolBar *m_bar = nullptr;
    QString m_hintText;
    QActionGroup *m_group = nullptr;
    std::array<QAction *, 9> m_tools {};
    QAction *m_smaller = nullptr;
    QAction *m_larger = nullptr;
    QSpinBox *m_size = nullptr;
    QAction *m_sizeAction = nullptr;
    QSpinBox *m_tolerance = nullptr;
    QAction *m_toleranceAction = nullptr;
    QAction *m_startBox = nullptr;
    QAction *m_startStrokes = nullptr;
    QProgressBar *m_busy = nullptr;
    QToolButton *m_cancel = nullptr;
    QAction *m_busyAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QLabel *m_hint = nullptr;
};

} // namespace dl
