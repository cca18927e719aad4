// SPDX-License-Identifier: GPL-3.0-or-later
// Tests for the translations: every catalogue translations/dermlabel_<code>.ts is complete and keeps
// what the program relies on (placeholders, plural forms, one keyboard mnemonic, HTML markup), and
// the translated taxonomy files core/taxonomy/default_taxonomy_<code>.csv cover exactly the built-in
// taxonomy's conditions. The files are read from the source tree, so a broken catalogue fails here
// before anybody sees it in the program.
#include "taxonomy/Taxonomy.h"
#include "text/CsvReader.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;
using dl::CsvReader;
using dl::CsvTable;
using dl::Taxonomy;

namespace {

const QString TranslationsDir = QStringLiteral(DERMLABEL_TRANSLATIONS_DIR);
const QString TaxonomyDir = QStringLiteral(DERMLABEL_TAXONOMY_DIR);

/// The languages whose catalogue must be complete, and the number of plural forms each has in Qt.
const QList<std::pair<QString, int>> Languages = {{u"de"_s, 2}, {u"fr"_s, 2}, {u"sw"_s, 2}};

struct Message
{
    QString context;
    QString source;
    bool numerus = false;
    bool unfinished = false;
    QStringList forms; ///< the translation, or its plural forms
    qint64 line = 0;

    QString where() const { return u"line %1 [%2] \"%3\""_s.arg(line).arg(context, source); }
};

struct Catalogue
{
    QString language; ///< the TS element's language attribute, e.g. "fr_FR"
    QList<Message> messages;
};

std::optional<Catalogue> readCatalogue(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return std::nullopt;
    }
    Catalogue catalogue;
    QXmlStreamReader xml(&file);
    QString context;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        const QStringView name = xml.name();
        if (name == u"TS") {
            catalogue.language = xml.attributes().value(u"language"_s).toString();
        } else if (name == u"context") {
            // its children are read in turn by the loop
        } else if (name == u"name") {
            context = xml.readElementText();
        } else if (name == u"message") {
            Message message;
            message.context = context;
            message.numerus = xml.attributes().value(u"numerus"_s) == u"yes";
            message.line = xml.lineNumber();
            while (xml.readNextStartElement()) {
                if (xml.name() == u"source") {
                    message.source = xml.readElementText();
                } else if (xml.name() == u"translation") {
                    const QStringView type = xml.attributes().value(u"type"_s);
                    if (type == u"vanished" || type == u"obsolete") {
                        message.source.clear(); // not part of the program any more
                        xml.skipCurrentElement();
                        continue;
                    }
                    message.unfinished = type == u"unfinished";
                    if (message.numerus) {
                        while (xml.readNextStartElement()) {
                            if (xml.name() == u"numerusform")
                                message.forms.append(xml.readElementText());
                            else
                                xml.skipCurrentElement();
                        }
                    } else {
                        message.forms.append(xml.readElementText());
                    }
                } else {
                    xml.skipCurrentElement();
                }
            }
            if (!message.source.isNull())
                catalogue.messages.append(message);
        }
    }
    if (xml.hasError()) {
        *error = u"%1:%2: %3"_s.arg(path).arg(xml.lineNumber()).arg(xml.errorString());
        return std::nullopt;
    }
    return catalogue;
}

/// The placeholders of a message: %1 to %99, %L1 and %n, each as written.
QStringList placeholders(const QString &text)
{
    static const QRegularExpression pattern(u"%L?(?:[1-9][0-9]?|n)"_s);
    QSet<QString> found;
    for (auto it = pattern.globalMatch(text); it.hasNext();)
        found.insert(it.next().captured());
    QStringList sorted(found.begin(), found.end());
    sorted.sort();
    return sorted;
}

/// The keyboard mnemonics of a text: '&' before a character other than a space ("&&" is a literal
/// ampersand).
int mnemonicCount(const QString &text)
{
    int count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) != u'&')
            continue;
        if (i + 1 < text.size() && text.at(i + 1) == u'&') {
            ++i;
            continue;
        }
        if (i + 1 < text.size() && !text.at(i + 1).isSpace())
            ++count;
    }
    return count;
}

/// The HTML tags of a text in order ("<b", "</b", ...), attributes left out.
QStringList tags(const QString &text)
{
    static const QRegularExpression pattern(u"</?[A-Za-z][A-Za-z0-9_]*"_s);
    QStringList found;
    for (auto it = pattern.globalMatch(text); it.hasNext();)
        found.append(it.next().captured());
    return found;
}

QString cataloguePath(const QString &code)
{
    return TranslationsDir + u"/dermlabel_"_s + code + u".ts"_s;
}

Catalogue loadOrFail(const QString &code)
{
    QString error;
    const std::optional<Catalogue> catalogue = readCatalogue(cataloguePath(code), &error);
    if (!catalogue)
        qFatal("cannot read %s: %s", qPrintable(cataloguePath(code)), qPrintable(error));
    return *catalogue;
}

/// Up to 20 problems, one a line, for a readable failure message.
QByteArray report(const QStringList &problems)
{
    QStringList shown = problems.mid(0, 20);
    if (problems.size() > shown.size())
        shown.append(u"... and %1 more"_s.arg(problems.size() - shown.size()));
    return (u"%1 problem(s):\n"_s.arg(problems.size()) + shown.join(u'\n')).toUtf8();
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private slots:
    void checkersSeeWhatTheyCheck();
    void everyLanguageHasACatalogue();
    void catalogueIsComplete_data();
    void catalogueIsComplete();
    void placeholdersAreKept_data() { catalogueIsComplete_data(); }
    void placeholdersAreKept();
    void pluralFormsAreFilled_data() { catalogueIsComplete_data(); }
    void pluralFormsAreFilled();
    void mnemonicsAreKept_data() { catalogueIsComplete_data(); }
    void mnemonicsAreKept();
    void markupIsKept_data() { catalogueIsComplete_data(); }
    void markupIsKept();
    void taxonomyTranslationCoversTheDefault_data();
    void taxonomyTranslationCoversTheDefault();
};

void TestTranslations::checkersSeeWhatTheyCheck()
{
    QCOMPARE(placeholders(u"%2 of %1 images, %L3 MB, %n rater(s), 100% done, %1 again"_s),
        (QStringList{u"%1"_s, u"%2"_s, u"%L3"_s, u"%n"_s}));
    QCOMPARE(placeholders(u"no placeholder: 95% CI"_s), QStringList());
    QVERIFY(placeholders(u"%1 sur %2"_s) != placeholders(u"%1 sur 2"_s));

    QCOMPARE(mnemonicCount(u"&File"_s), 1);
    QCOMPARE(mnemonicCount(u"Save && Close"_s), 0);
    QCOMPARE(mnemonicCount(u"Rock & Roll"_s), 0);
    QCOMPARE(mnemonicCount(u"&Tom && &Jerry"_s), 2);
    QCOMPARE(mnemonicCount(u"Fichier"_s), 0);

    QCOMPARE(tags(u"<b>%1</b> of <i>%2</i>"_s), (QStringList{u"<b"_s, u"</b"_s, u"<i"_s, u"</i"_s}));

    // A broken catalogue is seen as such.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"broken.ts"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"(<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>dl::Sample</name>
    <message>
        <source>&amp;Open %1</source>
        <translation type="unfinished">Ouvrir</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n image</numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
</TS>
)");
    file.close();
    QString error;
    const std::optional<Catalogue> broken = readCatalogue(path, &error);
    QVERIFY2(broken, qPrintable(error));
    QCOMPARE(broken->language, u"fr_FR"_s);
    QCOMPARE(broken->messages.size(), 2);
    const Message &open = broken->messages.at(0);
    QCOMPARE(open.context, u"dl::Sample"_s);
    QCOMPARE(open.source, u"&Open %1"_s);
    QVERIFY(open.unfinished);
    QCOMPARE(mnemonicCount(open.source), 1);
    QCOMPARE(mnemonicCount(open.forms.value(0)), 0);
    QVERIFY(placeholders(open.source) != placeholders(open.forms.value(0)));
    const Message &plural = broken->messages.at(1);
    QVERIFY(plural.numerus);
    QVERIFY(!plural.unfinished);
    QCOMPARE(plural.forms, (QStringList{u"%n image"_s, QString()}));
}

void TestTranslations::everyLanguageHasACatalogue()
{
    QStringList found = QDir(TranslationsDir).entryList({u"dermlabel_*.ts"_s}, QDir::Files, QDir::Name);
    for (QString &file : found)
        file = file.mid(10, file.size() - 13);
    QStringList expected;
    for (const auto &[code, forms] : Languages)
        expected.append(code);
    QCOMPARE(found, expected);
    for (const auto &[code, forms] : Languages)
        QVERIFY2(loadOrFail(code).language.startsWith(code + u'_'), qPrintable(code));
}

void TestTranslations::catalogueIsComplete_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("pluralForms");
    for (const auto &[code, forms] : Languages)
        QTest::newRow(qPrintable(code)) << code << forms;
}

void TestTranslations::catalogueIsComplete()
{
    QFETCH(QString, code);
    const Catalogue catalogue = loadOrFail(code);
    QVERIFY(catalogue.messages.size() > 1000); // the whole interface, not a stub
    QStringList problems;
    for (const Message &message : catalogue.messages) {
        if (message.unfinished)
            problems.append(u"unfinished: "_s + message.where());
        else if (message.forms.isEmpty() || message.forms.contains(QString()))
            problems.append(u"empty: "_s + message.where());
    }
    QVERIFY2(problems.isEmpty(), report(problems).constData());
}

void TestTranslations::placeholdersAreKept()
{
    QFETCH(QString, code);
    QStringList problems;
    for (const Message &message : loadOrFail(code).messages) {
        const QStringList expected = placeholders(message.source);
        for (const QString &form : message.forms) {
            if (!form.isEmpty() && placeholders(form) != expected) {
                problems.append(u"%1: %2 in \"%3\""_s.arg(
                    message.where(), placeholders(form).join(u' '), form));
            }
        }
    }
    QVERIFY2(problems.isEmpty(), report(problems).constData());
}

void TestTranslations::pluralFormsAreFilled()
{
    QFETCH(QString, code);
    QFETCH(int, pluralForms);
    QStringList problems;
    int plurals = 0;
    for (const Message &message : loadOrFail(code).messages) {
        if (!message.numerus)
            continue;
        ++plurals;
        if (message.forms.size() != pluralForms)
            problems.append(u"%1: %2 forms"_s.arg(message.where()).arg(message.forms.size()));
        else if (message.forms.contains(QString()))
            problems.append(u"empty form: "_s + message.where());
    }
    QVERIFY(plurals > 0);
    QVERIFY2(problems.isEmpty(), report(problems).constData());
}

void TestTranslations::mnemonicsAreKept()
{
    QFETCH(QString, code);
    QStringList problems;
    for (const Message &message : loadOrFail(code).messages) {
        const int expected = mnemonicCount(message.source);
        QVERIFY2(expected <= 1, qPrintable(message.where()));
        for (const QString &form : message.forms) {
            if (!form.isEmpty() && mnemonicCount(form) != expected)
                problems.append(u"%1: \"%2\""_s.arg(message.where(), form));
        }
    }
    QVERIFY2(problems.isEmpty(), report(problems).constData());
}

void TestTranslations::markupIsKept()
{
    QFETCH(QString, code);
    QStringList problems;
    for (const Message &message : loadOrFail(code).messages) {
        const QStringList expected = tags(message.source);
        for (const QString &form : message.forms) {
            if (!form.isEmpty() && tags(form) != expected)
                problems.append(u"%1: \"%2\""_s.arg(message.where(), form));
        }
    }
    QVERIFY2(problems.isEmpty(), report(problems).constData());
}

void TestTranslations::taxonomyTranslationCoversTheDefault_data()
{
    QTest::addColumn<QString>("code");
    QTest::newRow("fr") << u"fr"_s;
    QTest::newRow("sw") << u"sw"_s;
}

void TestTranslations::taxonomyTranslationCoversTheDefault()
{
    QFETCH(QString, code);
    const QString path = TaxonomyDir + u"/default_taxonomy_"_s + code + u".csv"_s;
    QString error;
    const std::optional<CsvTable> table = CsvReader::readFile(path, &error);
    QVERIFY2(table, qPrintable(error));
    QCOMPARE(table->header, (QStringList{u"id"_s, u"name"_s, u"synonyms"_s}));

    const Taxonomy &builtin = Taxonomy::builtin();
    QVERIFY(builtin.size() > 50);
    QStringList expected;
    for (const dl::Condition &condition : builtin.conditions())
        expected.append(condition.id);

    QStringList ids;
    QStringList problems;
    for (qsizetype row = 0; row < table->rows.size(); ++row) {
        const QString id = table->value(row, u"id");
        const QString name = table->value(row, u"name").trimmed();
        if (ids.contains(id))
            problems.append(u"line %1: %2 twice"_s.arg(table->rowLines.at(row)).arg(id));
        ids.append(id);
        if (!builtin.contains(id))
            problems.append(u"line %1: %2 is not a condition of the default taxonomy"_s.arg(table->rowLines.at(row)).arg(id));
        if (name.isEmpty())
            problems.append(u"line %1: %2 has no name"_s.arg(table->rowLines.at(row)).arg(id));
    }
    for (const QString &id : expected) {
        if (!ids.contains(id))
            problems.append(u"%1 is missing"_s.arg(id));
    }
    QVERIFY2(problems.isEmpty(), report(problems).constData());

    // The translated names and synonyms obey the taxonomy's own rules (unique names, no synonym that
    // is another condition's name), so that a search over them finds each condition unambiguously.
    QStringList warnings;
    const std::optional<Taxonomy> translated = Taxonomy::fromFile(path, &error, &warnings);
    QVERIFY2(translated, qPrintable(error));
    QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(u'\n')));
    QCOMPARE(translated->size(), builtin.size());
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
