// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace dl {

/// The workstation's translations: .qm files compiled into the program (resource folder
/// :/i18n, built by translations/CMakeLists.txt from the committed .ts files), installed with
/// QTranslator at startup. English is the source language and needs no file.
class Translations
{
public:
    static constexpr QStringView ResourceFolder = u":/i18n";

    /// "en" followed by every language with a dermlabel_<code>.qm, sorted.
    static QStringList available();
    /// The language's own name ("English", "Deutsch").
    static QString displayName(const QString &code);
    /// Replaces the installed translators with those for code ("en": none). Qt's own strings
    /// (dialog buttons) are translated too when Qt's qtbase_<code>.qm is installed. False when
    /// there is no translation for code (then English stays).
    static bool install(const QString &code);
    /// The language installed last ("en" before any).
    static QString installed();
};

} // namespace dl
