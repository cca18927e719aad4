// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"

#include <QFrame>

class QLabel;
class QPushButton;
class QTableWidget;

namespace dl {

class Taxonomy;

/// Shown above the label form when the labels or regions of the open image could not be saved
/// because they were changed elsewhere (the same rater in another window or on another workstation): the fields
/// that differ, each with the value stored now (theirs) and the edited one (mine, not saved), and
/// the two ways out: keep the stored labels (they replace the edited ones) or overwrite them with
/// mine. Keyboard: the panel takes the focus when it appears; Alt+K and Alt+O press the buttons.
class LabelConflictPanel : public QFrame
{
    Q_OBJECT

public:
    explicit LabelConflictPanel(QWidget *parent = nullptr);

    void setTaxonomy(const Taxonomy *taxonomy) { m_taxonomy = taxonomy; }
    /// Fills the table with the fields in which the two differ, and a row for each region layer
    /// saved elsewhere (layerIds), and shows the panel.
    void showConflict(const Annotation &stored, const Annotation &mine, const QStringList &layerIds = {});

    QTableWidget *table() const { return m_table; }
    QPushButton *keepStoredButton() const { return m_keepStored; }
    QPushButton *overwriteButton() const { return m_overwrite; }

    /// A field of LabelDifferences as the panel names it.
    static QString fieldName(const QString &field);
    /// A stored value of such a field as the panel shows it ("Not answered" when empty).
    static QString valueText(const QString &field, const QString &value, const Taxonomy &taxonomy);

signals:
    void keepStoredRequested();
    void overwriteRequested();

private:
    const Taxonomy *m_taxonomy = nullptr;
    QLabel *m_message = nullptr;
    QTableWidget *m_table = nullptr;
    QPushButton *m_keepStored = nullptr;
    QPushButton *m_overwrite = nullptr;
};

} // namespace dl
