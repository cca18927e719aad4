// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskLayerPanel.h"

#include "masks/MaskDocument.h"
#include "masks/MaskLayer.h"
#include "model/Annotation.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

constexpr int LayerIdRole = Qt::UserRole + 1;

bool hasContent(const MaskDocument &document, const QString &id)
{
    const cv::Mat mask = document.maskIfAllocated(id);
    return !mask.empty() && cv::countNonZero(mask) > 0;
}

QIcon swatch(const QColor &colour, bool outlineOnly)
{
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(colour.darker(160), 1));
    painter.setBrush(outlineOnly ? QBrush(Qt::NoBrush) : QBrush(colour));
    if (outlineOnly)
        painter.setPen(QPen(colour, 2));
    painter.drawRoundedRect(QRectF(1.5, 1.5, 11, 11), 2, 2);
    return QIcon(pixmap);
}

} // namespace

MaskLayerPanel::MaskLayerPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"maskLayerPanel"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 0, 8, 6);
    layout->setSpacing(4);

    auto *header = new QLabel(tr("Regions"), this);
    QFont bold = header->font();
    bold.setBold(true);
    header->setFont(bold);
    header->setContentsMargins(0, 8, 0, 2);
    layout->addWidget(header);

    m_empty = new QLabel(tr("Add a potential diagnosis or tick an identifying kind to draw its region."), this);
    m_empty->setObjectName(u"noLayers"_s);
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_empty);

    m_list = new QListWidget(this);
    m_list->setObjectName(u"maskLayers"_s);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setUniformItemSizes(true);
    m_list->setFocusPolicy(Qt::NoFocus); // the form's keys stay the form's
    m_list->setToolTip(tr("Tick to show a region; select a row to draw on it"));
    m_list->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    layout->addWidget(m_list);

    auto *view = new QHBoxLayout;
    view->setSpacing(6);
    m_opacityLabel = new QLabel(tr("Opacity"), this);
    view->addWidget(m_opacityLabel);
    m_opacity = new QSlider(Qt::Horizontal, this);
    m_opacity->setObjectName(u"layerOpacity"_s);
    m_opacity->setRange(0, 100);
    m_opacity->setSingleStep(5);
    m_opacity->setPageStep(10);
    m_opacity->setFocusPolicy(Qt::NoFocus);
    m_opacity->setAccessibleName(tr("Opacity of the selected region"));
    view->addWidget(m_opacity, 1);
    m_opacityValue = new QLabel(this);
    m_opacityValue->setMinimumWidth(m_opacityValue->fontMetrics().horizontalAdvance(u"100%"_s) + 2);
    m_opacityValue->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    view->addWidget(m_opacityValue);
    m_outline = new QCheckBox(tr("Outline only"), this);
    m_outline->setObjectName(u"layerOutline"_s);
    m_outline->setFocusPolicy(Qt::NoFocus);
    view->addSpacing(6);
    view->addWidget(m_outline);
    layout->addLayout(view);

    auto *morphology = new QHBoxLayout;
    morphology->setSpacing(4);
    auto button = [this, morphology](const QString &objectName, const QString &text, const QString &tip) {
        auto *b = new QToolButton(this);
        b->setObjectName(objectName);
        b->setText(text);
        b->setToolTip(tip);
        b->setFocusPolicy(Qt::NoFocus);
        morphology->addWidget(b);
        return b;
    };
    auto spin = [this, morphology](const QString &objectName, int low, int high, int value, const QString &suffix,
                                   const QString &tip) {
        auto *s = new QSpinBox(this);
        s->setObjectName(objectName);
        s->setRange(low, high);
        s->setValue(value);
        s->setSuffix(suffix);
        s->setToolTip(tip);
        s->setAccessibleName(tip);
        s->setFocusPolicy(Qt::ClickFocus);
        morphology->addWidget(s);
        return s;
    };
    m_fillHoles = button(u"fillHoles"_s, tr("Fill holes"), tr("Fill the holes of the selected region"));
    morphology->addSpacing(6);
    m_removeSpecks = button(u"removeSpecks"_s, tr("Remove specks"),
                            tr("Remove the parts of the selected region smaller than the size given"));
    m_speckSize = spin(u"speckSize"_s, 1, 1'000'000, DefaultSpeckPixels, tr(" px"), tr("Smallest part kept, in pixels"));
    morphology->addSpacing(6);
    m_smooth = button(u"smoothEdge"_s, tr("Smooth"), tr("Smooth the outline of the selected region"));
    m_smoothRadius = spin(u"smoothRadius"_s, 1, 50, DefaultSmoothRadius, tr(" px"), tr("Smoothing radius, in pixels"));
    morphology->addStretch(1);
    layout->addLayout(morphology);

    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *current) {
        if (m_rebuilding || !current)
            return;
        const QString id = current->data(LayerIdRole).toString();
        if (id == m_active)
            return;
        m_active = id;
        updateActiveControls();
        emit activeLayerChanged(id);
    });
    connect(m_list, &QListWidget::itemChanged, this, &MaskLayerPanel::onItemChanged);
    connect(m_opacity, &QSlider::valueChanged, this, [this](int value) {
        m_opacityValue->setText(tr("%1%").arg(value));
        if (m_rebuilding || !m_document)
            return;
        if (MaskLayer *layer = m_document->layer(m_active)) {
            layer->setOpacity(value / 100.0);
            emit layerStyleChanged(m_active);
        }
    });
    connect(m_outline, &QCheckBox::toggled, this, [this](bool on) {
        if (m_rebuilding || !m_document)
            return;
        if (MaskLayer *layer = m_document->layer(m_active)) {
            layer->setOutlineOnly(on);
            if (QListWidgetItem *item = m_list->currentItem()) {
                const QSignalBlocker blocker(m_list);
                item->setIcon(swatch(layer->colour(), on));
            }
            emit layerStyleChanged(m_active);
        }
    });
    connect(m_fillHoles, &QToolButton::clicked, this, &MaskLayerPanel::fillHolesRequested);
    connect(m_removeSpecks, &QToolButton::clicked, this,
            [this] { emit removeSpecksRequested(m_speckSize->value()); });
    connect(m_smooth, &QToolButton::clicked, this, [this] { emit smoothEdgeRequested(m_smoothRadius->value()); });
    rebuild();
}

MaskLayerPanel::~MaskLayerPanel() = default;

void MaskLayerPanel::setTaxonomy(const Taxonomy &taxonomy)
{
    m_taxonomy = taxonomy;
    rebuild();
}

void MaskLayerPanel::setDocument(MaskDocument *document, const Annotation &labels)
{
    m_document = document;
    if (m_document)
        followLabels(labels);
    else
        rebuild();
}

QStringList MaskLayerPanel::followLabels(MaskDocument &document, const Annotation &labels)
{
    const QStringList wanted = MaskLayer::layerIdsFor(labels);
    QStringList added;
    for (const QString &id : wanted) {
        if (!document.hasLayer(id) && document.addLayer(id))
            added.append(id);
    }
    for (const QString &id : document.layerIds()) {
        if (!wanted.contains(id) && !hasContent(document, id))
            document.removeLayer(id);
    }
    return added;
}

bool MaskLayerPanel::followLabels(const Annotation &labels)
{
    m_wanted = MaskLayer::layerIdsFor(labels);
    if (!m_document) {
        rebuild();
        return false;
    }
    const QStringList before = m_document->layerIds();
    const QStringList added = followLabels(*m_document, labels);
    const QStringList after = m_document->layerIds();
    const QString previous = m_active;
    if (!added.isEmpty())
        m_active = added.last();
    else if (!after.contains(m_active))
        m_active = after.value(0);
    rebuild();
    if (m_active != previous)
        emit activeLayerChanged(m_active);
    return before != after;
}

void MaskLayerPanel::refresh()
{
    rebuild();
}

void MaskLayerPanel::setActiveLayer(const QString &layerId)
{
    if (layerId == m_active)
        return;
    m_active = layerId;
    rebuild();
    emit activeLayerChanged(m_active);
}

QStringList MaskLayerPanel::layerIds() const
{
    QStringList ids;
    for (int i = 0; i < m_list->count(); ++i)
        ids.append(m_list->item(i)->data(LayerIdRole).toString());
    return ids;
}

QString MaskLayerPanel::rowText(const QString &layerId) const
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(LayerIdRole).toString() == layerId)
            return m_list->item(i)->text();
    }
    return {};
}

void MaskLayerPanel::setEditingEnabled(bool enabled, const QString &reason)
{
    m_editingEnabled = enabled;
    const QString tip = enabled ? QString() : reason;
    for (QWidget *w : {static_cast<QWidget *>(m_fillHoles), static_cast<QWidget *>(m_removeSpecks),
                       static_cast<QWidget *>(m_smooth)})
        w->setStatusTip(tip);
    updateActiveControls();
}

void MaskLayerPanel::rebuild()
{
    m_rebuilding = true;
    m_list->clear();
    if (m_document) {
        if (!m_document->hasLayer(m_active))
            m_active = m_document->layerIds().value(0);
        for (const QString &id : m_document->layerIds()) {
            const MaskLayer *layer = m_document->layer(id);
            QString text = layer->displayName(&m_taxonomy);
            const bool orphan = !m_wanted.contains(id);
            if (orphan)
                text = tr("%1 — not in labels").arg(text);
            auto *item = new QListWidgetItem(swatch(layer->colour(), layer->isOutlineOnly()), text, m_list);
            item->setData(LayerIdRole, id);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
            item->setCheckState(layer->isVisible() ? Qt::Checked : Qt::Unchecked);
            item->setToolTip(orphan ? tr("%1: no longer among the labels; kept while it has pixels").arg(layer->displayName(&m_taxonomy))
                                    : layer->displayName(&m_taxonomy));
            if (orphan) {
                QFont italic = item->font();
                italic.setItalic(true);
                item->setFont(italic);
            }
            if (id == m_active)
                m_list->setCurrentItem(item);
        }
    } else {
        m_active.clear();
    }
    const bool any = m_list->count() > 0;
    m_empty->setVisible(!any);
    m_list->setVisible(any);
    // As tall as its rows (up to MaxVisibleRows; then it scrolls).
    const int rowHeight = std::max(m_list->sizeHintForRow(0), m_list->fontMetrics().height() + 4);
    const int rows = std::clamp(int(m_list->count()), 1, MaxVisibleRows);
    m_list->setFixedHeight(rows * rowHeight + 2 * m_list->frameWidth());
    if (m_list->currentItem())
        m_list->scrollToItem(m_list->currentItem());
    m_rebuilding = false;
    updateActiveControls();
}

void MaskLayerPanel::updateActiveControls()
{
    const MaskLayer *layer = m_document ? m_document->layer(m_active) : nullptr;
    m_rebuilding = true;
    m_opacity->setValue(layer ? int(std::lround(layer->opacity() * 100)) : 50);
    m_opacityValue->setText(tr("%1%").arg(m_opacity->value()));
    m_outline->setChecked(layer && layer->isOutlineOnly());
    m_rebuilding = false;
    for (QWidget *w : {static_cast<QWidget *>(m_opacityLabel), static_cast<QWidget *>(m_opacity),
                       static_cast<QWidget *>(m_opacityValue), static_cast<QWidget *>(m_outline)})
        w->setEnabled(layer != nullptr);
    const bool edit = layer != nullptr && m_editingEnabled;
    for (QWidget *w : {static_cast<QWidget *>(m_fillHoles), static_cast<QWidget *>(m_removeSpecks),
                       static_cast<QWidget *>(m_speckSize), static_cast<QWidget *>(m_smooth),
                       static_cast<QWidget *>(m_smoothRadius)})
        w->setEnabled(edit);
}

void MaskLayerPanel::onItemChanged(QListWidgetItem *item)
{
    if (m_rebuilding || !m_document || !item)
        return;
    const QString id = item->data(LayerIdRole).toString();
    MaskLayer *layer = m_document->layer(id);
    if (!layer)
        return;
    const bool visible = item->checkState() == Qt::Checked;
    if (layer->isVisible() == visible)
        return;
    layer->setVisible(visible);
    emit layerStyleChanged(id);
}

} // namespace dl
