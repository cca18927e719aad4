// SPDX-License-Identifier: GPL-3.0-or-later
#include "settings/PreferencesDialog.h"

#include "settings/Translations.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace dl {

PreferencesDialog::PreferencesDialog(const Preferences &current, QWidget *parent)
    : QDialog(parent)
    , m_initial(current)
{
    setObjectName(u"preferencesDialog"_s);
    setWindowTitle(tr("Preferences"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    layout->addLayout(form);

    m_zoom = new QComboBox(this);
    m_zoom->setObjectName(u"zoomOnImageChange"_s);
    m_zoom->addItem(tr("Fit the image to the window"), int(ZoomOnImageChange::Fit));
    m_zoom->addItem(tr("Keep the zoom of the previous image"), int(ZoomOnImageChange::Keep));
    m_zoom->addItem(tr("Actual size (100%)"), int(ZoomOnImageChange::ActualSize));
    m_zoom->setCurrentIndex(m_zoom->findData(int(current.zoomOnImageChange)));
    form->addRow(tr("&Zoom on the next image:"), m_zoom);

    m_language = new QComboBox(this);
    m_language->setObjectName(u"language"_s);
    QStringList codes = Translations::available();
    if (!codes.contains(current.language))
        codes.append(current.language); // keep a stored choice whose translation is gone visible
    for (const QString &code : std::as_const(codes))
        m_language->addItem(Translations::displayName(code), code);
    m_language->setCurrentIndex(m_language->findData(current.language));
    form->addRow(tr("&Language:"), m_language);
    m_languageNote = new QLabel(this);
    m_languageNote->setObjectName(u"languageNote"_s);
    m_languageNote->setWordWrap(false);
    form->addRow(QString(), m_languageNote);
    connect(m_language, &QComboBox::currentIndexChanged, this, &PreferencesDialog::updateLanguageNote);

    m_prefetch = new QSpinBox(this);
    m_prefetch->setObjectName(u"prefetchDepth"_s);
    m_prefetch->setRange(0, Preferences::MaxPrefetchDepth);
    m_prefetch->setValue(current.prefetchDepth);
    m_prefetch->setSuffix(tr(" images"));
    m_prefetch->setToolTip(tr("How many of the next images are decoded in the background while you label. "
                              "Each 12-megapixel photo takes about 48 MB of memory."));
    form->addRow(tr("&Decode ahead:"), m_prefetch);

    m_imageCache = new QSpinBox(this);
    m_imageCache->setObjectName(u"imageCacheSize"_s);
    m_imageCache->setRange(Preferences::MinImageCacheMegabytes, Preferences::MaxImageCacheMegabytes);
    m_imageCache->setSingleStep(256);
    m_imageCache->setValue(current.imageCacheMegabytes);
    m_imageCache->setSuffix(tr(" MB"));
    m_imageCache->setToolTip(tr("How much disk the images of team stores may take on this computer. They are "
                                "downloaded from the server when needed; beyond this size the least recently "
                                "used are removed (a 12-megapixel photo takes about 5 MB)."));
    form->addRow(tr("Team store image &cache:"), m_imageCache);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    updateLanguageNote();
    setMinimumWidth(480);
}

Preferences PreferencesDialog::preferences() const
{
    Preferences preferences = m_initial;
    preferences.zoomOnImageChange = ZoomOnImageChange(m_zoom->currentData().toInt());
    preferences.language = m_language->currentData().toString();
    preferences.prefetchDepth = m_prefetch->value();
    preferences.imageCacheMegabytes = m_imageCache->value();
    return preferences;
}

void PreferencesDialog::updateLanguageNote()
{
    const bool changed = m_language->currentData().toString() != m_initial.language;
    m_languageNote->setText(changed ? tr("<b>The new language applies when DermLabel is restarted.</b>")
                                    : tr("A new language applies when DermLabel is restarted."));
}

} // namespace dl
