// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "settings/Preferences.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QSpinBox;

namespace dl {

/// Edit ▸ Preferences: zoom when the image changes, language (applies on restart), prefetch
/// depth, the size of the local cache of team stores' images. Shows the given preferences; preferences() has the edited ones (the caller saves them).
class PreferencesDialog : public QDialog
{
    Q_OBJECT

public:
    explicit PreferencesDialog(const Preferences &current, QWidget *parent = nullptr);

    Preferences preferences() const;

private:
    void updateLanguageNote();

    Preferences m_initial;
    QComboBox *m_zoom = nullptr;
    QComboBox *m_language = nullptr;
    QLabel *m_languageNote = nullptr;
    QSpinBox *m_prefetch = nullptr;
    QSpinBox *m_imageCache = nullptr;
};

} // namespace dl
