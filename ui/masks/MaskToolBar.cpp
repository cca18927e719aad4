// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskToolBar.h"

#include <QAction>
#include <QEvent>
#include <QActionGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QProgressBar>
#include <QSpinBox>
#include <QToolBar>
#include <QToolButton>

#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

struct ToolInfo
{
    MaskCanvas::Tool tool;
    const char *objectName;
    const char *text;
    Qt::Key key;
    const char *help;
};

// Keys: none of the label form's (G V N U S D C F M, digits) nor the canvas's (F, 0, 1, + and -).
const ToolInfo Tools[] = {
    {MaskCanvas::Tool::Pan, "toolPan", QT_TRANSLATE_NOOP("dl::MaskToolBar", "Pan"), Qt::Key_H,
     QT_TRANSLATE_NOOP("dl::MaskToolBar", "drag to move the image (the masks are not changed)")},
    {MaskCanvas::Tool::Brush, "toolBrush", QT_TRANSLATE_NOOP("dl::MaskToolBar", "Brush"), Qt::Key_B,
     QT_TRANSLATE_NOOP("dl::MaskToolBar", "paint the selected region; Shift erases; [ and ] set the size")},
    {MaskCanvas::Tool::Eraser, "toolEraser", QT_TRANSLATE_NOOP("dl::MaskToolBar", "Eraser"), Qt::Key_E,
     QT_TRANSLATE_NOOP("dl::MaskToolBar", "erase from the selected region; [ and ] set the size")},
    {MaskCanvas::Tool::Polygon, "toolPolygon", QT_TRANSLATE_NOOP("dl::MaskToolBar", "Polygon / Lasso"), Qt::Key_L,
     QT_TRANSLATE_NOOP("dl::MaskToolBar",
                       "click vertices or drag freehand; Enter or double-click closes, Backspace removes a vertex, "
                       "Esc cancels")},
    {MaskCanvas::Tool::Rectangle, "toolRectangle", QT_TRANSLATE_NOOP("dl::MaskToolBar", "Rectangle"), Qt::Key_R,
     QT_TRANSLATE_NOOP("dl::MaskToolBar", "drag a rectangle; Shift erases")},
    {MaskCanvas::Tool::Fill, "toolFill", QT_TRANSLATE_NOOP("dl::MaskToolBar", "Fill"), Qt::Key_K,
     QT_TRANSLATE_NOOP("dl::MaskToolBar", "click inside a closed outline to fill it; Shift+click clears a region")},
    {MaskCanvas::Tool::Wand, "toolWand", QT_TRANSLATE_NOOP("dl::MaskToolBar", "Magic Wand"), Qt::Key_W,
     QT_TRANSLATE_NOOP("dl::MaskToolBar", "click to add the area of similar colour (see Tolerance); Shift removes it")},
    {MaskCanvas::Tool::GrabCut, "toolGrabCut", QT_TRANSLATE_NOOP("dl::MaskToolBar", "Assisted (GrabCut)"), Qt::Key_A,
     QT_TRANSLATE_NOOP("dl::MaskToolBar",
                       "start from a box dragged around the lesion or (Strokes) from rough strokes over it; refine: "
                       "drag over what belongs, right drag (or Alt+drag) over what does not; Esc ends")},
    {MaskCanvas::Tool::Superpixel, "toolSuperpixel", QT_TRANSLATE_NOOP("dl::MaskToolBar", "Superpixel Brush"),
     Qt::Key_X, QT_TRANSLATE_NOOP("dl::MaskToolBar", "paint whole superpixels (similar-looking patches); Shift erases")},
};

} // namespace

QIcon MaskToolBar::toolIcon(MaskCanvas::Tool tool, const QColor &colour)
{
    constexpr int Size = 20;
    constexpr qreal Ratio = 2.0;
    QPixmap pixmap(int(Size * Ratio), int(Size * Ratio));
    pixmap.setDevicePixelRatio(Ratio);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    QPen pen(colour, 1.6, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    switch (tool) {
    case MaskCanvas::Tool::Pan: {
        // Four arrows from the centre.
        const QPointF c(10, 10);
        for (int i = 0; i < 4; ++i) {
            p.save();
            p.translate(c);
            p.rotate(90.0 * i);
            p.drawLine(QPointF(0, 0), QPointF(0, -7.5));
            p.drawLine(QPointF(0, -7.5), QPointF(-2.5, -5));
            p.drawLine(QPointF(0, -7.5), QPointF(2.5, -5));
            p.restore();
        }
        break;
    }
    case MaskCanvas::Tool::Brush:
        p.setBrush(colour);
        p.drawEllipse(QPointF(10, 10), 6, 6);
        break;
    case MaskCanvas::Tool::Eraser: {
        p.save();
        p.translate(10, 10);
        p.rotate(-40);
        p.drawRoundedRect(QRectF(-7, -4, 14, 8), 1.5, 1.5);
        p.setBrush(colour);
        p.drawRoundedRect(QRectF(-7, -4, 5, 8), 1.5, 1.5);
        p.restore();
        break;
    }
    case MaskCanvas::Tool::Polygon: {
        const QPolygonF shape({QPointF(3, 15), QPointF(6, 4), QPointF(16, 3), QPointF(17, 12), QPointF(10, 17)});
        p.drawPolygon(shape);
        p.setBrush(colour);
        for (const QPointF &v : shape)
            p.drawEllipse(v, 1.5, 1.5);
        break;
    }
    case MaskCanvas::Tool::Rectangle:
        p.drawRect(QRectF(3.5, 5.5, 13, 9));
        break;
    case MaskCanvas::Tool::Fill: {
        // A drop.
        QPainterPath drop;
        drop.moveTo(10, 2.5);
        drop.cubicTo(13, 7, 16, 10, 16, 12.5);
        drop.arcTo(QRectF(4, 6.5, 12, 12), 0, -180);
        drop.cubicTo(4, 10, 7, 7, 10, 2.5);
        p.setBrush(colour);
        p.drawPath(drop);
        break;
    }
    case MaskCanvas::Tool::Wand: {
        p.drawLine(QPointF(3, 17), QPointF(12, 8));
        QPainterPath star;
        const QPointF c(14.5, 5.5);
        for (int i = 0; i < 8; ++i) {
            const double a = M_PI / 4 * i;
            const double r = (i % 2 == 0) ? 4.0 : 1.5;
            const QPointF v(c.x() + r * std::cos(a), c.y() + r * std::sin(a));
            if (i == 0)
                star.moveTo(v);
            else
                star.lineTo(v);
        }
        star.closeSubpath();
        p.setBrush(colour);
        p.drawPath(star);
        break;
    }
    case MaskCanvas::Tool::GrabCut: {
        QPen dashed = pen;
        dashed.setWidthF(1.2);
        dashed.setDashPattern({2, 2});
        p.setPen(dashed);
        p.drawRect(QRectF(2.5, 3.5, 15, 13));
        p.setPen(pen);
        p.setBrush(colour);
        p.drawEllipse(QPointF(10, 10), 4.5, 3.5);
        break;
    }
    case MaskCanvas::Tool::Superpixel: {
        // Cells, two of them filled.
        const QPolygonF cells[] = {
            QPolygonF({QPointF(2, 2), QPointF(10, 2), QPointF(8, 9), QPointF(2, 10)}),
            QPolygonF({QPointF(10, 2), QPointF(18, 2), QPointF(18, 8), QPointF(8, 9)}),
            QPolygonF({QPointF(2, 10), QPointF(8, 9), QPointF(11, 18), QPointF(2, 18)}),
            QPolygonF({QPointF(8, 9), QPointF(18, 8), QPointF(18, 18), QPointF(11, 18)}),
        };
        for (int i = 0; i < 4; ++i) {
            p.setBrush(i == 1 || i == 3 ? QBrush(colour) : QBrush(Qt::NoBrush));
            p.drawPolygon(cells[i]);
        }
        break;
    }
    }
    p.end();
    return QIcon(pixmap);
}

MaskToolBar::MaskToolBar(MaskCanvas *canvas, QWidget *shortcutScope, QWidget *parent)
    : QWidget(parent)
    , m_canvas(canvas)
{
    setObjectName(u"maskToolBar"_s);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 6, 0);
    layout->setSpacing(0);
    m_bar = new QToolBar(tr("Mask Tools"), this);
    m_bar->setObjectName(u"maskTools"_s);
    m_bar->setIconSize(QSize(20, 20));
    m_bar->setToolButtonStyle(Qt::ToolButtonIconOnly);
    m_bar->setFloatable(false);
    m_bar->setMovable(false);
    layout->addWidget(m_bar);

    m_group = new QActionGroup(this);
    m_group->setExclusive(true);
    const QColor iconColour = palette().color(QPalette::ButtonText);
    for (const ToolInfo &info : Tools) {
        const QString text = tr(info.text);
        auto *action = new QAction(toolIcon(info.tool, iconColour), text, this);
        action->setObjectName(QString::fromLatin1(info.objectName));
        action->setCheckable(true);
        action->setShortcut(QKeySequence(info.key));
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        const QString tip = tr("%1 (%2): %3")
                                .arg(text, QKeySequence(info.key).toString(QKeySequence::NativeText), tr(info.help));
        action->setToolTip(tip);
        action->setStatusTip(tip);
        action->setData(int(info.tool));
        m_group->addAction(action);
        m_bar->addAction(action);
        shortcutScope->addAction(action);
        m_tools.at(size_t(info.tool)) = action;
        const MaskCanvas::Tool tool = info.tool;
        connect(action, &QAction::triggered, this, [this, tool] { m_canvas->setTool(tool); });
        if (info.tool == MaskCanvas::Tool::Pan)
            m_bar->addSeparator();
    }
    m_tools.at(size_t(m_canvas->tool()))->setChecked(true);
    for (QToolButton *button : m_bar->findChildren<QToolButton *>())
        button->setFocusPolicy(Qt::NoFocus);

    auto sizeAction = [this, shortcutScope](const QString &name, const QString &text, Qt::Key key, auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcut(QKeySequence(key));
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, m_canvas, slot);
        shortcutScope->addAction(action);
        return action;
    };
    m_smaller = sizeAction(u"brushSmaller"_s, tr("Smaller Brush"), Qt::Key_BracketLeft, &MaskCanvas::shrinkBrush);
    m_larger = sizeAction(u"brushLarger"_s, tr("Larger Brush"), Qt::Key_BracketRight, &MaskCanvas::growBrush);

    m_bar->addSeparator();
    m_size = new QSpinBox(this);
    m_size->setObjectName(u"brushSize"_s);
    m_size->setRange(MaskCanvas::MinBrushSize, MaskCanvas::MaxBrushSize);
    m_size->setValue(m_canvas->brushSize());
    m_size->setPrefix(u"\u2300 "_s);
    m_size->setSuffix(tr(" px"));
    m_size->setToolTip(tr("Brush size in image pixels ([ and ], Shift+wheel)"));
    m_size->setAccessibleName(tr("Brush size"));
    m_size->setFocusPolicy(Qt::ClickFocus);
    m_size->setKeyboardTracking(false);
    m_sizeAction = m_bar->addWidget(m_size);
    connect(m_size, &QSpinBox::valueChanged, m_canvas, &MaskCanvas::setBrushSize);
    connect(m_canvas, &MaskCanvas::brushSizeChanged, m_size, &QSpinBox::setValue);

    m_tolerance = new QSpinBox(this);
    m_tolerance->setObjectName(u"wandTolerance"_s);
    m_tolerance->setRange(0, 255);
    m_tolerance->setValue(m_canvas->wandTolerance());
    m_tolerance->setPrefix(tr("Tolerance "));
    m_tolerance->setToolTip(tr("Magic wand: how far a colour may be from the clicked one (0-255 per channel)"));
    m_tolerance->setAccessibleName(tr("Magic wand tolerance"));
    m_tolerance->setFocusPolicy(Qt::ClickFocus);
    m_tolerance->setKeyboardTracking(false);
    m_toleranceAction = m_bar->addWidget(m_tolerance);
    connect(m_tolerance, &QSpinBox::valueChanged, m_canvas, &MaskCanvas::setWandTolerance);
    connect(m_canvas, &MaskCanvas::wandToleranceChanged, m_tolerance, &QSpinBox::setValue);

    // How a GrabCut session starts.
    auto *startGroup = new QActionGroup(this);
    startGroup->setExclusive(true);
    auto startAction = [this, startGroup](const QString &name, const QString &text, const QString &tip,
                                          MaskCanvas::GrabCutStart start) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setCheckable(true);
        action->setChecked(m_canvas->grabCutStart() == start);
        action->setToolTip(tip);
        action->setStatusTip(tip);
        startGroup->addAction(action);
        m_bar->addAction(action);
        if (auto *button = qobject_cast<QToolButton *>(m_bar->widgetForAction(action)))
            button->setFocusPolicy(Qt::NoFocus);
        connect(action, &QAction::triggered, this, [this, start] { m_canvas->setGrabCutStart(start); });
        return action;
    };
    m_startBox = startAction(u"grabCutBox"_s, tr("Box"),
                             tr("GrabCut starts from a box: drag it around the lesion, leaving some skin outside"),
                             MaskCanvas::GrabCutStart::Box);
    m_startStrokes = startAction(u"grabCutStrokes"_s, tr("Strokes"),
                                 tr("GrabCut starts from rough strokes: drag over the lesion (foreground), right drag "
                                    "or Alt+drag over skin (background); it segments when a foreground stroke ends, "
                                    "or on Enter"),
                                 MaskCanvas::GrabCutStart::Strokes);
    connect(m_canvas, &MaskCanvas::grabCutStartChanged, this, [this](MaskCanvas::GrabCutStart start) {
        grabCutStartAction(start)->setChecked(true);
        updateState();
    });

    m_busy = new QProgressBar(this);
    m_busy->setObjectName(u"maskBusy"_s);
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setFixedWidth(60);
    m_busy->setMaximumHeight(12);
    m_busyAction = m_bar->addWidget(m_busy);
    m_cancel = new QToolButton(this);
    m_cancel->setObjectName(u"maskCancel"_s);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the segmentation (Esc)"));
    m_cancel->setFocusPolicy(Qt::NoFocus);
    m_cancelAction = m_bar->addWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, m_canvas, &MaskCanvas::cancelBusy);

    m_hint = new QLabel(this);
    m_hint->setObjectName(u"maskHint"_s);
    m_hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    m_hint->setContentsMargins(8, 0, 0, 0);
    layout->addWidget(m_hint, 1);
    m_hint->installEventFilter(this);

    connect(m_canvas, &MaskCanvas::toolChanged, this, [this](MaskCanvas::Tool tool) {
        if (QAction *action = toolAction(tool))
            action->setChecked(true);
        updateState();
    });
    connect(m_canvas, &MaskCanvas::toolsStateChanged, this, &MaskToolBar::updateState);
    connect(m_canvas, &MaskCanvas::busyChanged, this, &MaskToolBar::onBusyChanged);
    onBusyChanged(false, {});
    updateState();
}

MaskToolBar::~MaskToolBar() = default;

QList<QAction *> MaskToolBar::shortcutActions() const
{
    QList<QAction *> actions;
    for (QAction *action : m_tools)
        actions.append(action);
    actions << m_smaller << m_larger;
    return actions;
}

void MaskToolBar::updateState()
{
    const QString reason = m_canvas->toolsDisabledReason();
    const bool enabled = reason.isEmpty();
    for (QAction *action : m_tools) {
        if (action == toolAction(MaskCanvas::Tool::Pan))
            continue;
        action->setEnabled(enabled);
        // The status tip keeps the plain description; the tool tip says why the tool is off.
        action->setToolTip(enabled ? action->statusTip() : tr("%1\n\nOff: %2").arg(action->statusTip(), reason));
    }
    m_smaller->setEnabled(enabled);
    m_larger->setEnabled(enabled);
    const MaskCanvas::Tool tool = m_canvas->tool();
    const bool sized = tool == MaskCanvas::Tool::Brush || tool == MaskCanvas::Tool::Eraser
        || tool == MaskCanvas::Tool::Superpixel || tool == MaskCanvas::Tool::GrabCut;
    m_sizeAction->setVisible(sized);
    m_toleranceAction->setVisible(tool == MaskCanvas::Tool::Wand);
    const bool grabCut = tool == MaskCanvas::Tool::GrabCut;
    m_startBox->setVisible(grabCut);
    m_startStrokes->setVisible(grabCut);
    m_startBox->setEnabled(enabled);
    m_startStrokes->setEnabled(enabled);
    m_size->setEnabled(enabled);
    m_tolerance->setEnabled(enabled);
    QString hint;
    if (!m_canvas->isBusy()) {
        if (!enabled && m_canvas->hasImage())
            hint = reason;
        else if (enabled && tool == MaskCanvas::Tool::Pan)
            hint = tr("Choose a tool to draw the selected region");
        else if (enabled && grabCut && m_canvas->grabCutStart() == MaskCanvas::GrabCutStart::Box)
            hint = tr("Drag a box around the lesion; then drag over what belongs, right drag over what does not; "
                      "Esc ends");
        else if (enabled && grabCut)
            hint = tr("Drag over the lesion, right drag (or Alt+drag) over skin: it segments when a stroke ends "
                      "(Enter runs waiting strokes); more strokes refine; Esc ends");
    }
    setHint(hint);
    m_bar->setToolTip(enabled ? QString() : reason);
}

void MaskToolBar::setHint(const QString &text)
{
    m_hintText = text;
    const int width = m_hint->contentsRect().width();
    m_hint->setText(width > 0 ? m_hint->fontMetrics().elidedText(text, Qt::ElideRight, width) : text);
    m_hint->setToolTip(text);
}

bool MaskToolBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_hint && event->type() == QEvent::Resize)
        setHint(m_hintText); // elided anew for the width it has now
    return QWidget::eventFilter(watched, event);
}

void MaskToolBar::onBusyChanged(bool busy, const QString &what)
{
    m_busyAction->setVisible(busy);
    m_cancelAction->setVisible(busy);
    m_busy->setToolTip(what);
    if (busy) {
        setHint(what);
    } else {
        updateState();
    }
}

} // namespace dl
