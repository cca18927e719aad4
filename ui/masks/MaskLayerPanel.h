// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "taxonomy/Taxonomy.h"

#include <QString>
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QSlider;
class QSpinBox;
class QToolButton;

namespace dl {

struct Annotation;
class MaskDocument;

/// The region layers of the image being labelled: one row per layer of the MaskDocument (colour
/// swatch, name, visibility check box), the opacity and outline-only view of the selected (active)
/// layer, and the morphology helpers that work on it.
///
/// The layers follow the labels (followLabels()): each potential diagnosis and each kind of
/// identifying content ticked has its layer; a layer whose label was removed stays while it has
/// pixels (marked "not in labels") and disappears when empty.
class MaskLayerPanel : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DefaultSpeckPixels = 200;
    static constexpr int DefaultSmoothRadius = 3;
    /// Rows shown before the list scrolls.
    static constexpr int MaxVisibleRows = 6;

    explicit MaskLayerPanel(QWidget *parent = nullptr);
    ~MaskLayerPanel() override;

    /// Names conditions in the rows.
    void setTaxonomy(const Taxonomy &taxonomy);
    /// Shows the layers of a document (not owned; nullptr for none) for these labels.
    void setDocument(MaskDocument *document, const Annotation &labels);
    MaskDocument *document() const { return m_document; }

    /// Makes the document's layers follow the labels (see the class comment) and shows them. A layer
    /// added here becomes the active one. Returns whether layers were added or removed.
    bool followLabels(const Annotation &labels);
    /// The same on a document alone: adds the labels' layers, removes empty layers they do not ask
    /// for. Returns the layers added.
    static QStringList followLabels(MaskDocument &document, const Annotation &labels);

    /// Redraws the rows (after an edit filled or emptied a layer).
    void refresh();

    QString activeLayer() const { return m_active; }
    void setActiveLayer(const QString &layerId);
    /// The layer ids shown, top row first.
    QStringList layerIds() const;
    /// The row text of a layer ("Eczema", "Face (identifying)", "Psoriasis — not in labels").
    QString rowText(const QString &layerId) const;

    /// Whether the morphology buttons work (off with the tools), and why not.
    void setEditingEnabled(bool enabled, const QString &reason = {});

    QSlider *opacitySlider() const { return m_opacity; }
    QCheckBox *outlineBox() const { return m_outline; }
    QSpinBox *speckSizeBox() const { return m_speckSize; }
    QSpinBox *smoothRadiusBox() const { return m_smoothRadius; }

signals:
    void activeLayerChanged(const QString &layerId);
    /// Visibility, opacity or outline of a layer changed (redraw the overlay).
    void layerStyleChanged(const QString &layerId);
    void fillHolesRequested();
    void removeSpecksRequested(int minPixels);
    void smoothEdgeRequested(int radius);

private:
    void rebuild();
    void updateActiveControls();
    void onItemChanged(QListWidgetItem *item);

    MaskDocument *m_document = nullptr;
    Taxonomy m_taxonomy;
    QStringList m_wanted; // the layer ids the labels ask for
    QString m_active;
    bool m_rebuilding = false;
    bool m_editingEnabled = true;

    QLabel *m_empty = nullptr;
    QListWidget *m_list = nullptr;
    QLabel *m_opacityLabel = nullptr;
    QSlider *m_opacity = nullptr;
    QLabel *m_opacityValue = nullptr;
    QCheckBox *m_outline = nullptr;
    QToolButton *m_fillHoles = nullptr;
    QToolButton *m_removeSpecks = nullptr;
    QSpinBox *m_speckSize = nullptr;
    QToolButton *m_smooth = nullptr;
    QSpinBox *m_smoothRadius = nullptr;
};

} // namespace dl
