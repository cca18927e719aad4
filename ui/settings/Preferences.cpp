// SPDX-License-Identifier: GPL-3.0-or-later
#include "settings/Preferences.h"

#include <QSettings>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

const QString ZoomKey = u"view/zoomOnImageChange"_s;
const QString LanguageKey = u"ui/language"_s;
const QString PrefetchKey = u"labelling/prefetchDepth"_s;
const QString ImageCacheKey = u"teamStore/imageCacheMegabytes"_s;

QString zoomName(ZoomOnImageChange zoom)
{
    switch (zoom) {
    case ZoomOnImageChange::Fit:
        return u"fit"_s;
    case ZoomOnImageChange::Keep:
        return u"keep"_s;
    case ZoomOnImageChange::ActualSize:
        return u"100%"_s;
    }
    return u"fit"_s;
}

} // namespace

Preferences Preferences::load()
{
    const QSettings settings;
    Preferences preferences;
    const QString zoom = settings.value(ZoomKey).toString();
    for (ZoomOnImageChange candidate : {ZoomOnImageChange::Fit, ZoomOnImageChange::Keep, ZoomOnImageChange::ActualSize}) {
        if (zoom == zoomName(candidate))
            preferences.zoomOnImageChange = candidate;
    }
    const QString language = settings.value(LanguageKey).toString();
    if (!language.isEmpty())
        preferences.language = language;
    bool ok = false;
    const int depth = settings.value(PrefetchKey).toInt(&ok);
    if (ok && depth >= 0 && depth <= MaxPrefetchDepth)
        preferences.prefetchDepth = depth;
    const int cache = settings.value(ImageCacheKey).toInt(&ok);
    if (ok && cache >= MinImageCacheMegabytes && cache <= MaxImageCacheMegabytes)
        preferences.imageCacheMegabytes = cache;
    return preferences;
}

void Preferences::save() const
{
    QSettings settings;
    settings.setValue(ZoomKey, zoomName(zoomOnImageChange));
    settings.setValue(LanguageKey, language);
    settings.setValue(PrefetchKey, prefetchDepth);
    settings.setValue(ImageCacheKey, imageCacheMegabytes);
}

} // namespace dl
