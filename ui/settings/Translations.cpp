// SPDX-License-Identifier: GPL-3.0-or-later
#include "settings/Translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QPointer>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

const QString Prefix = u"dermlabel_"_s;

struct Installed
{
    QPointer<QTranslator> own;
    QPointer<QTranslator> qt;
    QString code = u"en"_s;
};

Installed &installedState()
{
    static Installed state;
    return state;
}

void remove(QPointer<QTranslator> &translator)
{
    if (translator) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
    translator = nullptr;
}

} // namespace

QStringList Translations::available()
{
    QStringList codes;
    const QStringList files = QDir(ResourceFolder.toString()).entryList({Prefix + u"*.qm"_s}, QDir::Files, QDir::Name);
    for (const QString &file : files)
        codes.append(file.mid(Prefix.size(), file.size() - Prefix.size() - 3));
    codes.removeAll(u"en"_s);
    codes.prepend(u"en"_s);
    return codes;
}

QString Translations::displayName(const QString &code)
{
    if (code == u"en"_s)
        return u"English"_s; // not "American English": the source texts are plain English
    const QLocale locale(code);
    QString name = locale.nativeLanguageName();
    if (name.isEmpty())
        return code;
    name[0] = name.at(0).toUpper();
    return name;
}

bool Translations::install(const QString &code)
{
    Installed &state = installedState();
    remove(state.own);
    remove(state.qt);
    state.code = u"en"_s;
    if (code.isEmpty() || code == u"en"_s)
        return true;
    auto *own = new QTranslator(QCoreApplication::instance());
    if (!own->load(Prefix + code, ResourceFolder.toString())) {
        delete own;
        return false;
    }
    QCoreApplication::installTranslator(own);
    state.own = own;
    state.code = code;
    auto *qt = new QTranslator(QCoreApplication::instance());
    if (qt->load(u"qtbase_"_s + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt);
        state.qt = qt;
    } else {
        delete qt;
    }
    return true;
}

QString Translations::installed()
{
    return installedState().code;
}

} // namespace dl
