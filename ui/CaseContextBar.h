// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QWidget>

#include <optional>

class QHBoxLayout;
class QLabel;

namespace dl {

class Store;

/// Under the image: the other images of the same case as small thumbnails
/// and what the contributor reported (age group, sex, body site, duration,
/// symptoms). Never shows other raters' work; the dataset's reference labels only where the
/// viewer may see them (a training store: see ReferenceLabelAccess). An image the face check
/// flagged (FaceCheck) carries a notice until a QA lead dismisses the flag.
class CaseContextBar : public QWidget
{
    Q_OBJECT

public:
    explicit CaseContextBar(Store &store, QWidget *parent = nullptr);

    /// Who looks: decides whether reference labels are shown.
    void setViewer(const User &viewer) { m_viewer = viewer; }
    void showImage(qint64 imageId);
    /// The metadata line as shown (for tests).
    QString metadataText() const;
    /// The face-check notice as shown; empty when none is (no flag, or dismissed).
    QString faceFlagText() const;
    int thumbnailCount() const;

private:
    QString referenceText(qint64 imageId) const;
    void showFaceFlag(qint64 imageId);

    Store &m_store;
    std::optional<User> m_viewer;
    QHBoxLayout *m_thumbnails = nullptr;
    QLabel *m_metadata = nullptr;
    QLabel *m_faceFlag = nullptr;
};

} // namespace dl
