// SPDX-License-Identifier: GPL-3.0-or-later
// Tests for dl::Translations with the compiled catalogues: French and Swahili are offered under their
// own names and, once installed, translate the interface.
#include "settings/Translations.h"

#include <QCoreApplication>
#include <QTest>

using namespace Qt::StringLiterals;
using dl::Translations;

class TestTranslationsUi : public QObject
{
    Q_OBJECT

private slots:
    void cleanup() { Translations::install(u"en"_s); }
    void everyLanguageIsOffered();
    void languagesHaveTheirOwnNames();
    void installedCatalogueTranslates_data();
    void installedCatalogueTranslates();
};

void TestTranslationsUi::everyLanguageIsOffered()
{
    const QStringList available = Translations::available();
    QCOMPARE(available.value(0), u"en"_s);
    for (const QString &code : {u"de"_s, u"fr"_s, u"sw"_s})
        QVERIFY2(available.contains(code), qPrintable(available.join(u' ')));
}

void TestTranslationsUi::languagesHaveTheirOwnNames()
{
    QCOMPARE(Translations::displayName(u"en"_s), u"English"_s);
    QCOMPARE(Translations::displayName(u"de"_s), u"Deutsch"_s);
    QCOMPARE(Translations::displayName(u"fr"_s), u"Français"_s);
    QCOMPARE(Translations::displayName(u"sw"_s), u"Kiswahili"_s);
}

void TestTranslationsUi::installedCatalogueTranslates_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("plural");
    QTest::newRow("fr") << u"fr"_s << u"&Fichier"_s << u"en attente de 3 évaluateurs supplémentaires"_s;
    QTest::newRow("sw") << u"sw"_s << u"&Faili"_s << u"inasubiri watathmini 3 zaidi"_s;
}

void TestTranslationsUi::installedCatalogueTranslates()
{
    QFETCH(QString, code);
    QFETCH(QString, file);
    QFETCH(QString, plural);
    QVERIFY(Translations::install(code));
    QCOMPARE(Translations::installed(), code);
    QCOMPARE(QCoreApplication::translate("dl::MainWindow", "&File"), file);
    QCOMPARE(QCoreApplication::translate("dl::ConsensusCalculator", "waiting for %n more rater(s)", nullptr, 3), plural);
    QVERIFY(Translations::install(u"en"_s));
    QCOMPARE(QCoreApplication::translate("dl::MainWindow", "&File"), u"&File"_s);
}

QTEST_GUILESS_MAIN(TestTranslationsUi)
#include "tst_translations_ui.moc"
