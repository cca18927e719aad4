// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QHBoxLayout;
class QLabel;

namespace dl {

class Store;

/// Under the image: the other images of the same case as small thumbnails
/// and what the contributor reported (age group, sex, body site, duration,
/// symptoms). Never shows reference labels or other raters' work.
class CaseContextBar : public QWidget
{
    Q_OBJECT

public:
    explicit CaseContextBar(Store &store, QWidget *parent = nullptr);

    void showImage(qint64 imageId);
    /// The metadata line as shown (for tests).
    QString metadataText() const;
    int thumbnailCount() const;

private:
    Store &m_store;
    QHBoxLayout *m_thumbnails = nullptr;
    QLabel *m_metadata = nullptr;
};

} // namespace dl
