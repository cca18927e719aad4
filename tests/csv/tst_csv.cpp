// SPDX-License-Identifier: GPL-3.0-or-later
// Tests for core/text: CsvWriter, CsvReader and PyLiteral.
#include "text/CsvReader.h"
#include "text/CsvWriter.h"
#include "text/PyLiteral.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using dl::CsvReader;
using dl::CsvTable;
using dl::CsvWriter;
using dl::PyLiteral;

using Rows = QList<QStringList>;
using Lines = QList<qsizetype>;
using Pairs = QList<QPair<QString, double>>;

namespace {

/// A typed, canonical rendering of a parsed literal, so tests can tell 4 from 4.0 and "4".
QString describe(const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::UnknownType:
        return u"None"_s;
    case QMetaType::QString:
        return u"str:"_s + v.toString();
    case QMetaType::LongLong:
        return u"int:"_s + QString::number(v.toLongLong());
    case QMetaType::Double:
        return u"float:"_s + QString::number(v.toDouble(), 'g', 17);
    case QMetaType::Bool:
        return v.toBool() ? u"True"_s : u"False"_s;
    case QMetaType::QVariantList: {
        QStringList parts;
        const QVariantList list = v.toList();
        for (const QVariant &item : list)
            parts.append(describe(item));
        return u"["_s + parts.join(u", "_s) + u"]"_s;
    }
    default:
        return u"?"_s + QString::fromLatin1(v.typeName());
    }
}

QByteArray utf8(const QString &s)
{
    return s.toUtf8();
}

} // namespace

class TestCsv : public QObject
{
    Q_OBJECT

private slots:
    // CsvWriter
    void escapeField_data();
    void escapeField();
    void formatRow_data();
    void formatRow();
    void writeFileRoundTrip();
    void writeFileErrors();

    // CsvReader
    void parse_data();
    void parse();
    void parseErrors_data();
    void parseErrors();
    void columnAccess();
    void requireColumns();
    void readFile();
    void readFileMissing();
    void largeFile();

    // PyLiteral
    void literal_data();
    void literal();
    void literalErrors_data();
    void literalErrors();
    void stringList_data();
    void stringList();
    void numberList_data();
    void numberList();
    void stringNumberDict_data();
    void stringNumberDict();
    void typedErrors_data();
    void typedErrors();
};

// ---------------------------------------------------------------------------------------------- CsvWriter

void TestCsv::escapeField_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain") << u"Eczema"_s << u"Eczema"_s;
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("inner space") << u"Acne vulgaris"_s << u"Acne vulgaris"_s;
    QTest::newRow("comma") << u"a,b"_s << u"\"a,b\""_s;
    QTest::newRow("quote") << u"say \"hi\""_s << u"\"say \"\"hi\"\"\""_s;
    QTest::newRow("only quote") << u"\""_s << u"\"\"\"\""_s;
    QTest::newRow("LF") << u"a\nb"_s << u"\"a\nb\""_s;
    QTest::newRow("CR") << u"a\rb"_s << u"\"a\rb\""_s;
    QTest::newRow("CRLF") << u"a\r\nb"_s << u"\"a\r\nb\""_s;
    QTest::newRow("leading space") << u" a"_s << u"\" a\""_s;
    QTest::newRow("trailing space") << u"a "_s << u"\"a \""_s;
    QTest::newRow("leading tab") << u"\ta"_s << u"\"\ta\""_s;
    QTest::newRow("only space") << u" "_s << u"\" \""_s;
    QTest::newRow("apostrophe") << u"O'Brien"_s << u"O'Brien"_s;
    QTest::newRow("python list") << u"['Eczema', 'Psoriasis']"_s << u"\"['Eczema', 'Psoriasis']\""_s;
    QTest::newRow("non-ASCII") << u"Café-au-lait macule"_s << u"Café-au-lait macule"_s;
}

void TestCsv::escapeField()
{
    QFETCH(QString, field);
    QFETCH(QString, expected);
    QCOMPARE(CsvWriter::escapeField(field), expected);
}

void TestCsv::formatRow_data()
{
    QTest::addColumn<QStringList>("fields");
    QTest::addColumn<QString>("expected");

    QTest::newRow("two") << QStringList { u"a"_s, u"b"_s } << u"a,b\n"_s;
    QTest::newRow("none") << QStringList() << u"\n"_s;
    QTest::newRow("one empty") << QStringList { QString() } << u"\"\"\n"_s;
    QTest::newRow("two empty") << QStringList { QString(), QString() } << u",\n"_s;
    QTest::newRow("mixed") << QStringList { u"1"_s, u"a,b"_s, QString(), u"x\"y"_s }
                           << u"1,\"a,b\",,\"x\"\"y\"\n"_s;
}

void TestCsv::formatRow()
{
    QFETCH(QStringList, fields);
    QFETCH(QString, expected);
    QCOMPARE(CsvWriter::formatRow(fields), expected);
}

void TestCsv::writeFileRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"round.csv"_s);

    const QStringList header { u"id"_s, u"text"_s, u"list"_s, u"note"_s };
    const Rows rows {
        { u"1"_s, u"plain"_s, u"['Eczema', 'Psoriasis']"_s, QString() },
        { u"2"_s, u"comma, inside"_s, u"{'Eczema': 0.69}"_s, u"\"quoted\""_s },
        { u"3"_s, u"line\nbreak"_s, u"lone\rCR"_s, u" padded "_s },
        { u"4"_s, u"Ünïcødé 皮膚 🙂"_s, u"\"\""_s, u","_s },
        { QString(), QString(), QString(), QString() },
        { u"6"_s, u"a\"b,c\nd"_s, u"'"_s, u"end"_s },
    };
    QString error;
    QVERIFY2(CsvWriter::writeFile(path, header, rows, &error), qPrintable(error));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.startsWith("\xEF\xBB\xBF")); // no BOM
    QVERIFY(bytes.startsWith("id,text,list,note\n"));
    QVERIFY(bytes.endsWith("\"a\"\"b,c\nd\",',end\n"));
    QCOMPARE(bytes.count("\r\n"), 0); // LF line ends
    QVERIFY(bytes.contains(utf8(u"Ünïcødé 皮膚 🙂"_s)));

    const auto table = CsvReader::readFile(path, &error);
    QVERIFY2(table, qPrintable(error));
    QCOMPARE(table->header, header);
    QCOMPARE(table->rows, rows);
    QCOMPARE(table->rowLines, (Lines { 2, 3, 4, 7, 8, 9 })); // LF and lone CR both break lines

    // A CRLF inside a field is read back as LF (the reader normalises it).
    QVERIFY(CsvWriter::writeFile(path, { u"a"_s }, { { u"x\r\ny"_s } }, &error));
    const auto crlf = CsvReader::readFile(path, &error);
    QVERIFY2(crlf, qPrintable(error));
    QCOMPARE(crlf->rows, (Rows { { u"x\ny"_s } }));

    // Overwriting replaces the old content entirely.
    QVERIFY(CsvWriter::writeFile(path, { u"only"_s }, {}, &error));
    file.close();
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("only\n"));
}

void TestCsv::writeFileErrors()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    QString error;
    const QString badPath = dir.filePath(u"no/such/folder/out.csv"_s);
    QVERIFY(!CsvWriter::writeFile(badPath, { u"a"_s }, { { u"1"_s } }, &error));
    QVERIFY2(error.contains(badPath), qPrintable(error));

    const QString path = dir.filePath(u"long %2 %3.csv"_s); // placeholders in the path stay literal
    QVERIFY(!CsvWriter::writeFile(
        path, { u"a"_s, u"b"_s }, { { u"1"_s, u"2"_s }, { u"1"_s, u"2"_s, u"3"_s } }, &error));
    QCOMPARE(error, path + u": row 2 has 3 fields, header has 2"_s);
    QVERIFY(!QFile::exists(path));
}

// ---------------------------------------------------------------------------------------------- CsvReader

void TestCsv::parse_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<Rows>("rows");
    QTest::addColumn<Lines>("lines");

    const QStringList ab { u"a"_s, u"b"_s };

    QTest::newRow("simple") << QByteArray("a,b\n1,2\n3,4\n") << ab
                            << Rows { { u"1"_s, u"2"_s }, { u"3"_s, u"4"_s } } << Lines { 2, 3 };
    QTest::newRow("no trailing newline") << QByteArray("a,b\n1,2\n3,4") << ab
                                         << Rows { { u"1"_s, u"2"_s }, { u"3"_s, u"4"_s } } << Lines { 2, 3 };
    QTest::newRow("header only") << QByteArray("a,b\n") << ab << Rows {} << Lines {};
    QTest::newRow("header only, no newline") << QByteArray("a,b") << ab << Rows {} << Lines {};
    QTest::newRow("quoted comma") << QByteArray("a,b\n\"x, y\",2\n") << ab << Rows { { u"x, y"_s, u"2"_s } }
                                  << Lines { 2 };
    QTest::newRow("doubled quotes") << QByteArray("a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n") << ab
                                    << Rows { { u"say \"hi\""_s, u"\""_s } } << Lines { 2 };
    QTest::newRow("quoted empty") << QByteArray("a,b\n\"\",\"\"\n") << ab << Rows { { QString(), QString() } }
                                  << Lines { 2 };
    QTest::newRow("embedded LF") << QByteArray("a,b\n\"one\ntwo\",2\n3,4\n") << ab
                                 << Rows { { u"one\ntwo"_s, u"2"_s }, { u"3"_s, u"4"_s } } << Lines { 2, 4 };
    QTest::newRow("embedded CRLF normalised")
        << QByteArray("a,b\r\n\"one\r\ntwo\",2\r\n3,4\r\n") << ab
        << Rows { { u"one\ntwo"_s, u"2"_s }, { u"3"_s, u"4"_s } } << Lines { 2, 4 };
    QTest::newRow("embedded lone CR kept")
        << QByteArray("a,b\n\"one\rtwo\",2\n3,4\n") << ab
        << Rows { { u"one\rtwo"_s, u"2"_s }, { u"3"_s, u"4"_s } } << Lines { 2, 4 };
    QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBF"
                                       "a,b\n1,2\n")
                         << ab << Rows { { u"1"_s, u"2"_s } } << Lines { 2 };
    QTest::newRow("CRLF records") << QByteArray("a,b\r\n1,2\r\n3,4\r\n") << ab
                                  << Rows { { u"1"_s, u"2"_s }, { u"3"_s, u"4"_s } } << Lines { 2, 3 };
    QTest::newRow("lone CR records") << QByteArray("a,b\r1,2\r3,4\r") << ab
                                     << Rows { { u"1"_s, u"2"_s }, { u"3"_s, u"4"_s } } << Lines { 2, 3 };
    QTest::newRow("mixed line ends") << QByteArray("a,b\r\n1,2\n3,4\r5,6") << ab
                                     << Rows { { u"1"_s, u"2"_s }, { u"3"_s, u"4"_s }, { u"5"_s, u"6"_s } }
                                     << Lines { 2, 3, 4 };
    QTest::newRow("blank lines") << QByteArray("\n\na,b\n\n1,2\n\r\n   \n3,4\n\n\n") << ab
                                 << Rows { { u"1"_s, u"2"_s }, { u"3"_s, u"4"_s } } << Lines { 5, 8 };
    QTest::newRow("short rows padded")
        << QByteArray("a,b,c\n1\n1,2\n1,2,3\n") << QStringList { u"a"_s, u"b"_s, u"c"_s }
        << Rows { { u"1"_s, QString(), QString() }, { u"1"_s, u"2"_s, QString() },
               { u"1"_s, u"2"_s, u"3"_s } }
        << Lines { 2, 3, 4 };
    QTest::newRow("empty fields") << QByteArray("a,b,c\n,,\n1,,\n") << QStringList { u"a"_s, u"b"_s, u"c"_s }
                                  << Rows { { QString(), QString(), QString() },
                                         { u"1"_s, QString(), QString() } }
                                  << Lines { 2, 3 };
    QTest::newRow("trailing empty field at end")
        << QByteArray("a,b\n1,") << ab << Rows { { u"1"_s, QString() } } << Lines { 2 };
    QTest::newRow("quote inside unquoted field")
        << QByteArray("a,b\n5'2\",x\"y\"z\n") << ab << Rows { { u"5'2\""_s, u"x\"y\"z"_s } } << Lines { 2 };
    QTest::newRow("text after closing quote")
        << QByteArray("a,b\n\"ab\"cd,\"x\" \n") << ab << Rows { { u"abcd"_s, u"x "_s } } << Lines { 2 };
    QTest::newRow("spaces kept in values")
        << QByteArray("a,b\n 1 , 2\n") << ab << Rows { { u" 1 "_s, u" 2"_s } } << Lines { 2 };
    QTest::newRow("header trimmed") << QByteArray(" a ,\tb\t\n1,2\n") << ab << Rows { { u"1"_s, u"2"_s } }
                                    << Lines { 2 };
    QTest::newRow("python literal field")
        << QByteArray(
               "case_id,names\n42,\"['Eczema', 'Lichen planus/lichenoid eruption', \"\"O'Brien\"\"]\"\n")
        << QStringList { u"case_id"_s, u"names"_s }
        << Rows { { u"42"_s, u"['Eczema', 'Lichen planus/lichenoid eruption', \"O'Brien\"]"_s } }
        << Lines { 2 };
    QTest::newRow("non-ASCII") << utf8(
        u"name,note\nCafé-au-lait macule,皮膚炎 🙂\n\"Ünïcødé, ß\",Ωmega\n"_s)
                               << QStringList { u"name"_s, u"note"_s }
                               << Rows { { u"Café-au-lait macule"_s, u"皮膚炎 🙂"_s },
                                      { u"Ünïcødé, ß"_s, u"Ωmega"_s } }
                               << Lines { 2, 3 };
    QTest::newRow("rowLines after multi-line fields")
        << QByteArray("a,b\n\"1\n2\n3\",x\n\"y\r\nz\",\"\r\r\"\n\n4,5\n") << ab
        << Rows { { u"1\n2\n3"_s, u"x"_s }, { u"y\nz"_s, u"\r\r"_s }, { u"4"_s, u"5"_s } }
        << Lines { 2, 5, 10 };
    QTest::newRow("single column, quoted empty row") << QByteArray("a\n\"\"\nx\n") << QStringList { u"a"_s }
                                                     << Rows { { QString() }, { u"x"_s } } << Lines { 2, 3 };
    QTest::newRow("empty header name allowed")
        << QByteArray(",id\n0,7\n") << QStringList { QString(), u"id"_s } << Rows { { u"0"_s, u"7"_s } }
        << Lines { 2 };
}

void TestCsv::parse()
{
    QFETCH(QByteArray, data);
    QFETCH(QStringList, header);
    QFETCH(Rows, rows);
    QFETCH(Lines, lines);

    QString error;
    const auto table = CsvReader::parse(data, &error);
    QVERIFY2(table, qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(table->header, header);
    QCOMPARE(table->rows, rows);
    QCOMPARE(table->rowLines, lines);
    for (const QStringList &row : table->rows)
        QCOMPARE(row.size(), header.size());
}

void TestCsv::parseErrors_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("expected");

    QTest::newRow("empty") << QByteArray() << u"the file is empty"_s;
    QTest::newRow("only BOM") << QByteArray("\xEF\xBB\xBF") << u"the file is empty"_s;
    QTest::newRow("only blank lines")
        << QByteArray("\n\r\n  \n") << u"no header row (the file holds only blank lines)"_s;
    QTest::newRow("long row") << QByteArray("a,b,c,d,e,f,g,h\n"
                                            "1,2,3,4,5,6,7,8\n"
                                            "1,2,3,4,5,6,7,8\n"
                                            "1,2,3,4,5,6,7,8\n"
                                            "\n"
                                            "1,2,3,4,5,6,7,8\n"
                                            "1,2,3,4,5,6,7,8,9\n")
                              << u"line 7: 9 fields, header has 8"_s;
    {
        QByteArray wide = "c0";
        for (int c = 1; c <= dl::CsvReader::MaxColumns; ++c)
            wide += ",c" + QByteArray::number(c);
        QTest::newRow("too many columns")
            << (wide + "\n1,2\n") << u"line 1: the header has more than 1024 columns; at most 1024 are supported"_s;
        QByteArray manyFields = "a,b\n1,2\n";
        for (int c = 0; c <= dl::CsvReader::MaxColumns; ++c)
            manyFields += "x,";
        QTest::newRow("row with too many fields")
            << (manyFields + "\n") << u"line 3: more than 1024 fields, header has 2"_s;
        const QByteArray huge(dl::CsvReader::MaxFieldBytes + 1, 'x');
        QTest::newRow("field too long") << ("a,b\n1,2\n3," + huge + "\n")
                                        << u"line 3: a field of more than 1 MB; fields are limited to 1 MB"_s;
        QTest::newRow("quoted field too long")
            << ("a,b\n\"" + huge + "\",2\n") << u"line 2: a field of more than 1 MB; fields are limited to 1 MB"_s;
        const QByteArray big(dl::CsvReader::MaxFieldBytes - 1, 'y');
        QByteArray longRow = "a,b,c,d,e\n";
        longRow += big + ',' + big + ',' + big + ',' + big + ',' + big + '\n';
        QTest::newRow("row too long")
            << longRow << u"line 2: a row of more than 4 MB; rows are limited to 4 MB"_s;
    }
    QTest::newRow("long row after multi-line field")
        << QByteArray("a,b\n\"x\ny\r\nz\",2\n1,2,3\n") << u"line 5: 3 fields, header has 2"_s;
    QTest::newRow("long row, trailing comma")
        << QByteArray("a,b\n1,2,\n") << u"line 2: 3 fields, header has 2"_s;
    QTest::newRow("unterminated quote") << QByteArray("a,b\n1,2\n3,\"four\n5,6\n7,8\n")
                                        << u"line 3: a quoted field is not closed (missing '\"')"_s;
    QTest::newRow("unterminated quote in header")
        << QByteArray("\"a,b\n") << u"line 1: a quoted field is not closed (missing '\"')"_s;
    QTest::newRow("invalid UTF-8 byte")
        << QByteArray("a,b\n1,2\n3,\xFF\n") << u"line 3: invalid UTF-8 (byte 0xff); save the file as UTF-8"_s;
    QTest::newRow("Latin-1 text") << QByteArray("name\r\nok\r\nCaf\xE9\r\n")
                                  << u"line 3: invalid UTF-8 (byte 0xe9); save the file as UTF-8"_s;
    QTest::newRow("overlong encoding")
        << QByteArray("a\n\xC0\xAF\n") << u"line 2: invalid UTF-8 (byte 0xc0); save the file as UTF-8"_s;
    QTest::newRow("encoded surrogate")
        << QByteArray("a\r\xED\xA0\x80\r") << u"line 2: invalid UTF-8 (byte 0xed); save the file as UTF-8"_s;
    QTest::newRow("truncated sequence at end")
        << QByteArray("a\nx\xE2\x82") << u"line 2: invalid UTF-8 (byte 0xe2); save the file as UTF-8"_s;
    QTest::newRow("stray continuation byte in quoted field")
        << QByteArray("a\n\"x\ny\x80\"\n") << u"line 3: invalid UTF-8 (byte 0x80); save the file as UTF-8"_s;
    QTest::newRow("duplicate header")
        << QByteArray("id,name,id\n1,2,3\n") << u"line 1: duplicate column name \"id\" in the header"_s;
    QTest::newRow("duplicate header after trimming")
        << QByteArray("\nid, name ,name\n") << u"line 2: duplicate column name \"name\" in the header"_s;
    QTest::newRow("two empty header names")
        << QByteArray("a,,\n") << u"line 1: the header has more than one empty column name"_s;
}

void TestCsv::parseErrors()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, expected);

    QString error;
    QVERIFY(!CsvReader::parse(data, &error));
    QCOMPARE(error, expected);
    QVERIFY(!CsvReader::parse(data, nullptr)); // a null error pointer is allowed
}

void TestCsv::columnAccess()
{
    QString error;
    const auto table = CsvReader::parse("case_id,Source,source\n-1,a,b\n7,c\n", &error);
    QVERIFY2(table, qPrintable(error));
    QCOMPARE(table->columnIndex(u"case_id"), 0);
    QCOMPARE(table->columnIndex(u"Source"), 1);
    QCOMPARE(table->columnIndex(u"source"), 2);
    QCOMPARE(table->columnIndex(u"SOURCE"), -1);
    QCOMPARE(table->columnIndex(u"case"), -1);
    QCOMPARE(table->value(0, u"case_id"), u"-1"_s);
    QCOMPARE(table->value(0, u"source"), u"b"_s);
    QCOMPARE(table->value(1, u"Source"), u"c"_s);
    QCOMPARE(table->value(1, u"source"), QString()); // padded
    QCOMPARE(table->value(0, u"missing"), QString());
    QCOMPARE(table->value(2, u"case_id"), QString());
    QCOMPARE(table->value(-1, u"case_id"), QString());
}

void TestCsv::requireColumns()
{
    QString error;
    const auto table = CsvReader::parse("country,age,sex\nGH,4,m\n", &error);
    QVERIFY2(table, qPrintable(error));

    error = u"untouched"_s;
    QVERIFY(CsvReader::requireColumns(*table, { u"age"_s, u"country"_s }, u"label.csv"_s, &error));
    QCOMPARE(error, u"untouched"_s);
    QVERIFY(CsvReader::requireColumns(*table, {}, u"label.csv"_s, &error));

    QVERIFY(!CsvReader::requireColumns(
        *table, { u"subject_id"_s, u"country"_s, u"fitzpatrick"_s, u"Sex"_s }, u"label.csv"_s, &error));
    QCOMPARE(error, u"label.csv: missing required column(s): subject_id, fitzpatrick, Sex"_s);

    QVERIFY(!CsvReader::requireColumns(*table, { u"body_loc"_s }, u"label.csv"_s, &error));
    QCOMPARE(error, u"label.csv: missing required column(s): body_loc"_s);
    QVERIFY(!CsvReader::requireColumns(*table, { u"body_loc"_s }, u"label.csv"_s, nullptr));
}

void TestCsv::readFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"label.csv"_s);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\xEF\xBB\xBF"
                   "subject_id,country,age,sex,fitzpatrick,body_loc,impetig,conditions_PASSION\r\n"
                   "AA00970000,Malawi,4,m,5,\"arm; leg\",0.0,Eczema\r\n"
                   "AA00970001,Guinea,11,f,6,,1.0,Scabies\r\n");
    }
    QString error;
    const auto table = CsvReader::readFile(path, &error);
    QVERIFY2(table, qPrintable(error));
    QCOMPARE(table->header.size(), 8);
    QCOMPARE(table->header.front(), u"subject_id"_s);
    QCOMPARE(table->rows.size(), 2);
    QCOMPARE(table->value(0, u"body_loc"), u"arm; leg"_s);
    QCOMPARE(table->value(1, u"conditions_PASSION"), u"Scabies"_s);
    QCOMPARE(table->value(1, u"body_loc"), QString());
    QCOMPARE(table->rowLines, (Lines { 2, 3 }));

    // A parse error names the file.
    const QString bad = dir.filePath(u"bad.csv"_s);
    {
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("a,b\n1,2,3\n");
    }
    QVERIFY(!CsvReader::readFile(bad, &error));
    QCOMPARE(error, bad + u": line 2: 3 fields, header has 2"_s);

    // A folder is not a file.
    QVERIFY(!CsvReader::readFile(dir.path(), &error));
    QVERIFY2(error.startsWith(dir.path() + u": "_s), qPrintable(error));
}

void TestCsv::readFileMissing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"scin_cases.csv"_s);
    QString error;
    QVERIFY(!CsvReader::readFile(path, &error));
    QCOMPARE(error, path + u": file not found"_s);
}

void TestCsv::largeFile()
{
    constexpr int rowCount = 100000;
    constexpr int columnCount = 60;

    QByteArray data;
    data.reserve(rowCount * columnCount * 8);
    for (int c = 0; c < columnCount; ++c) {
        if (c > 0)
            data += ',';
        data += "col_" + QByteArray::number(c);
    }
    data += "\r\n";
    for (int r = 0; r < rowCount; ++r) {
        for (int c = 0; c < columnCount; ++c) {
            if (c > 0)
                data += ',';
            if (c == 7)
                data += "\"['Eczema', 'Psoriasis, plaque']\"";
            else if (c == 8 && r % 1000 == 0)
                data += "\"two\nlines\""; // shifts physical lines
            else if (c == 9)
                data += "Café";
            else if ((r + c) % 5 != 0)
                data += QByteArray::number(r * columnCount + c);
        }
        data += "\r\n";
    }

    QString error;
    const auto table = CsvReader::parse(data, &error);
    QVERIFY2(table, qPrintable(error));
    QCOMPARE(table->header.size(), columnCount);
    QCOMPARE(table->header.at(59), u"col_59"_s);
    QCOMPARE(table->rows.size(), rowCount);
    QCOMPARE(table->rowLines.size(), rowCount);

    QCOMPARE(table->rows.at(0).at(0), QString()); // (0 + 0) % 5 == 0
    QCOMPARE(table->rows.at(0).at(1), u"1"_s);
    QCOMPARE(table->rows.at(0).at(8), u"two\nlines"_s);
    QCOMPARE(table->rows.at(1).at(8), QString::number(1 * columnCount + 8));
    QCOMPARE(table->value(12345, u"col_7"), u"['Eczema', 'Psoriasis, plaque']"_s);
    QCOMPARE(table->value(12345, u"col_9"), u"Café"_s);
    QCOMPARE(table->value(12345, u"col_11"), QString::number(12345 * columnCount + 11));
    QCOMPARE(table->value(12345, u"col_10"), QString()); // (12345 + 10) % 5 == 0
    QCOMPARE(table->rows.at(rowCount - 1).at(columnCount - 1),
        QString::number((rowCount - 1) * columnCount + columnCount - 1));
    for (const QStringList &row : table->rows)
        QCOMPARE(row.size(), columnCount);

    // Every 1000th row carries one extra physical line.
    QCOMPARE(table->rowLines.at(0), 2);
    QCOMPARE(table->rowLines.at(1), 4);
    QCOMPARE(table->rowLines.at(999), 1002);
    QCOMPARE(table->rowLines.at(1000), 1003);
    QCOMPARE(table->rowLines.at(1001), 1005);
    QCOMPARE(table->rowLines.at(rowCount - 1), rowCount + 1 + rowCount / 1000);
}

// ---------------------------------------------------------------------------------------------- PyLiteral

void TestCsv::literal_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    // The SCIN examples.
    QTest::newRow("string list") << u"['Eczema', 'Psoriasis', 'Eczema']"_s
                                 << u"[str:Eczema, str:Psoriasis, str:Eczema]"_s;
    QTest::newRow("int list") << u"[4, 3, 5]"_s << u"[int:4, int:3, int:5]"_s;
    QTest::newRow("empty list") << u"[]"_s << u"[]"_s;
    QTest::newRow("dict")
        << u"{'Eczema': 0.69, 'Psoriasis': 0.08}"_s
        << u"[[str:Eczema, float:0.68999999999999995], [str:Psoriasis, float:0.080000000000000002]]"_s;
    QTest::newRow("quotes and escapes") << u"[\"Lichen planus/lichenoid eruption\", 'O\\'Brien\\'s \"x\"']"_s
                                        << u"[str:Lichen planus/lichenoid eruption, str:O'Brien's \"x\"]"_s;
    QTest::newRow("empty dict") << u"{}"_s << u"[]"_s;

    // Names as SCIN spells them.
    QTest::newRow("names with commas and parentheses")
        << u"['Abrasion, scrape, or scab', 'Inflicted skin lesions (e.g. self-harm)', \"Kaposi's sarcoma\"]"_s
        << u"[str:Abrasion, scrape, or scab, str:Inflicted skin lesions (e.g. self-harm), str:Kaposi's sarcoma]"_s;
    QTest::newRow("non-ASCII") << u"['Café-au-lait macule', 'Ülkü', '皮膚炎', '🙂']"_s
                               << u"[str:Café-au-lait macule, str:Ülkü, str:皮膚炎, str:🙂]"_s;
    QTest::newRow("brackets inside string")
        << u"\"['not', {'a': 'list'}]\""_s << u"str:['not', {'a': 'list'}]"_s;

    // Scalars.
    QTest::newRow("int") << u"42"_s << u"int:42"_s;
    QTest::newRow("negative int") << u"-7"_s << u"int:-7"_s;
    QTest::newRow("plus int") << u"+3"_s << u"int:3"_s;
    QTest::newRow("zero") << u"0"_s << u"int:0"_s;
    QTest::newRow("float 3.0") << u"3.0"_s << u"float:3"_s;
    QTest::newRow("float 3.") << u"3."_s << u"float:3"_s;
    QTest::newRow("float .5") << u".5"_s << u"float:0.5"_s;
    QTest::newRow("float 1e-3") << u"1e-3"_s << u"float:0.001"_s;
    QTest::newRow("float 1E+2") << u"1E+2"_s << u"float:100"_s;
    QTest::newRow("negative float") << u"- 2.5"_s << u"float:-2.5"_s;
    QTest::newRow("big int") << u"9223372036854775807"_s << u"int:9223372036854775807"_s;
    QTest::newRow("True") << u"True"_s << u"True"_s;
    QTest::newRow("False") << u"False"_s << u"False"_s;
    QTest::newRow("None") << u"None"_s << u"None"_s;
    QTest::newRow("mixed list") << u"['a', 1, 2.5, True, None]"_s
                                << u"[str:a, int:1, float:2.5, True, None]"_s;

    // Strings and escapes.
    QTest::newRow("double-quoted with apostrophe") << u"\"O'Brien\""_s << u"str:O'Brien"_s;
    QTest::newRow("empty string") << u"''"_s << u"str:"_s;
    QTest::newRow("escaped backslash") << u"'a\\\\b'"_s << u"str:a\\b"_s;
    QTest::newRow("escaped quotes") << u"'\\'\\\"'"_s << u"str:'\""_s;
    QTest::newRow("escaped newline and tab") << u"'a\\nb\\tc\\rd'"_s << u"str:a\nb\tc\rd"_s;
    QTest::newRow("hex escape") << u"'\\x41\\xe9'"_s << u"str:Aé"_s;
    QTest::newRow("unicode escape") << u"'\\u00e9\\u4E2D'"_s << u"str:é中"_s;
    QTest::newRow("long unicode escape") << u"'\\U0001F642'"_s << u"str:🙂"_s;
    QTest::newRow("surrogate pair escapes") << u"'\\ud83d\\ude42'"_s << u"str:🙂"_s;
    QTest::newRow("octal escape") << u"'\\101\\0'"_s << u"str:A"_s + QChar(0);
    QTest::newRow("unknown escape kept") << u"'\\d\\('"_s << u"str:\\d\\("_s;
    QTest::newRow("line continuation") << u"'a\\\nb'"_s << u"str:ab"_s;

    // Containers.
    QTest::newRow("nested lists") << u"[[1, [2, []]], [['a']]]"_s << u"[[int:1, [int:2, []]], [[str:a]]]"_s;
    QTest::newRow("tuple") << u"(1, 'a')"_s << u"[int:1, str:a]"_s;
    QTest::newRow("one-tuple") << u"(1,)"_s << u"[int:1]"_s;
    QTest::newRow("empty tuple") << u"()"_s << u"[]"_s;
    QTest::newRow("parenthesised value") << u"(('x'))"_s << u"str:x"_s;
    QTest::newRow("dict in source order") << u"{'b': 1, 'a': [2, 3], 3: None}"_s
                                          << u"[[str:b, int:1], [str:a, [int:2, int:3]], [int:3, None]]"_s;
    QTest::newRow("repeated key takes last value")
        << u"{'a': 1, 'b': 2, 'a': 3}"_s << u"[[str:a, int:3], [str:b, int:2]]"_s;
    QTest::newRow("string and int keys differ")
        << u"{'1': 'a', 1: 'b'}"_s << u"[[str:1, str:a], [int:1, str:b]]"_s;
    QTest::newRow("1, 1.0 and True are one key")
        << u"{1: 'a', 1.0: 'b', True: 'c'}"_s << u"[[int:1, str:c]]"_s;
    QTest::newRow("tuple key") << u"{(1, 2): 'x'}"_s << u"[[[int:1, int:2], str:x]]"_s;

    // Whitespace and trailing commas.
    QTest::newRow("whitespace anywhere") << u" \n[ 'a' ,\t'b'\r\n, ( 1 , ) ,{ 'k' : 2 } ] \n"_s
                                         << u"[str:a, str:b, [int:1], [[str:k, int:2]]]"_s;
    QTest::newRow("trailing comma list") << u"[1, 2,]"_s << u"[int:1, int:2]"_s;
    QTest::newRow("trailing comma dict") << u"{'a': 1,}"_s << u"[[str:a, int:1]]"_s;
    QTest::newRow("trailing comma tuple") << u"(1, 2, )"_s << u"[int:1, int:2]"_s;
}

void TestCsv::literal()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);

    QString error;
    const auto value = PyLiteral::parse(text, &error);
    QVERIFY2(value, qPrintable(error));
    QCOMPARE(describe(*value), expected);
}

void TestCsv::literalErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("empty") << QString() << u"character 1: expected a value, found the end of the text"_s;
    QTest::newRow("blank") << u"   "_s << u"character 4: expected a value, found the end of the text"_s;
    QTest::newRow("unclosed list") << u"[1, 2"_s
                                   << u"character 6: expected ',' or ']', found the end of the text"_s;
    QTest::newRow("unclosed nested list")
        << u"[[1]"_s << u"character 5: expected ',' or ']', found the end of the text"_s;
    QTest::newRow("extra bracket") << u"[1, 2]]"_s
                                   << u"character 7: expected the end of the text, found ']'"_s;
    QTest::newRow("lone closing bracket") << u"]"_s << u"character 1: expected a value, found ']'"_s;
    QTest::newRow("mismatched brackets") << u"[1, 2)"_s << u"character 6: expected ',' or ']', found ')'"_s;
    QTest::newRow("unclosed dict") << u"{'a': 1"_s
                                   << u"character 8: expected ',' or '}', found the end of the text"_s;
    QTest::newRow("unclosed tuple") << u"(1, 2"_s
                                    << u"character 6: expected ',' or ')', found the end of the text"_s;
    QTest::newRow("missing comma") << u"[1 2]"_s << u"character 4: expected ',' or ']', found '2'"_s;
    QTest::newRow("missing comma between strings")
        << u"['a' 'b']"_s << u"character 6: expected ',' or ']', found \"'\""_s;
    QTest::newRow("missing comma in dict")
        << u"{'a': 1 'b': 2}"_s << u"character 9: expected ',' or '}', found \"'\""_s;
    QTest::newRow("missing colon") << u"{'a' 1}"_s << u"character 6: expected ':', found '1'"_s;
    QTest::newRow("double comma") << u"[1,,2]"_s << u"character 4: expected a value, found ','"_s;
    QTest::newRow("only comma") << u"[,]"_s << u"character 2: expected a value, found ','"_s;
    QTest::newRow("bare word")
        << u"[Eczema]"_s
        << u"character 2: unexpected word 'Eczema' (expected a value; text must be quoted)"_s;
    QTest::newRow("lower-case true")
        << u"true"_s << u"character 1: unexpected word 'true' (expected a value; text must be quoted)"_s;
    QTest::newRow("nan") << u"[1.0, nan]"_s
                         << u"character 7: unexpected word 'nan' (expected a value; text must be quoted)"_s;
    QTest::newRow("inf") << u"-inf"_s << u"character 2: expected a number after '-', found 'i'"_s;
    QTest::newRow("huge float") << u"1e999"_s << u"character 1: number out of range"_s;
    QTest::newRow("huge int") << u"99999999999999999999"_s << u"character 1: integer out of range"_s;
    QTest::newRow("unterminated string")
        << u"'abc"_s << u"character 1: string not closed (expected a closing \"'\")"_s;
    QTest::newRow("unterminated string in list")
        << u"['a', \"b]"_s << u"character 7: string not closed (expected a closing '\"')"_s;
    QTest::newRow("newline in string")
        << u"'a\nb'"_s << u"character 1: string not closed (expected a closing \"'\")"_s;
    QTest::newRow("trailing backslash")
        << u"'abc\\"_s << u"character 5: string not closed (it ends with a backslash)"_s;
    QTest::newRow("short hex escape")
        << u"'\\x4'"_s << u"character 2: \\x must be followed by 2 hexadecimal digits"_s;
    QTest::newRow("bad unicode escape")
        << u"'\\u12G4'"_s << u"character 2: \\u must be followed by 4 hexadecimal digits"_s;
    QTest::newRow("unicode escape too big")
        << u"'\\U00110000'"_s << u"character 2: \\U escape beyond U+10FFFF"_s;
    QTest::newRow("named escape") << u"'\\N{BULLET}'"_s
                                  << u"character 2: \\N{...} escapes are not supported"_s;
    QTest::newRow("two dots") << u"1.2.3"_s << u"character 1: malformed number"_s;
    QTest::newRow("lone dot") << u"[.]"_s << u"character 2: malformed number"_s;
    QTest::newRow("exponent without digits")
        << u"1e"_s << u"character 1: malformed number (exponent without digits)"_s;
    QTest::newRow("digits then letters") << u"12abc"_s << u"character 1: malformed number"_s;
    QTest::newRow("lone minus") << u"-"_s
                                << u"character 2: expected a number after '-', found the end of the text"_s;
    QTest::newRow("list as dict key") << u"{[1]: 2}"_s << u"character 2: a dict key cannot be a list"_s;
    QTest::newRow("two values") << u"'a'\n'b'"_s
                                << u"character 5: expected the end of the text, found \"'\""_s;
    QTest::newRow("set-like dict") << u"{'a', 'b'}"_s << u"character 5: expected ':', found ','"_s;
    QTest::newRow("stray symbol") << u"[1, @]"_s << u"character 5: expected a value, found '@'"_s;
    QTest::newRow("too deep") << QString(101, u'[') + QString(101, u']')
                              << u"character 101: nested more than 100 levels deep"_s;
}

void TestCsv::literalErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);

    QString error;
    QVERIFY(!PyLiteral::parse(text, &error));
    QCOMPARE(error, expected);
    QVERIFY(!PyLiteral::parse(text, nullptr));
}

void TestCsv::stringList_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("SCIN") << u"['Eczema', 'Psoriasis', 'Eczema']"_s
                          << QStringList { u"Eczema"_s, u"Psoriasis"_s, u"Eczema"_s };
    QTest::newRow("quotes") << u"[\"Lichen planus/lichenoid eruption\", 'O\\'Brien\\'s \"x\"']"_s
                            << QStringList { u"Lichen planus/lichenoid eruption"_s, u"O'Brien's \"x\""_s };
    QTest::newRow("empty list") << u"[]"_s << QStringList();
    QTest::newRow("empty cell") << QString() << QStringList();
    QTest::newRow("blank cell") << u" \t"_s << QStringList();
    QTest::newRow("tuple") << u"('a', 'b',)"_s << QStringList { u"a"_s, u"b"_s };
    QTest::newRow("empty strings") << u"['', \"\"]"_s << QStringList { QString(), QString() };
}

void TestCsv::stringList()
{
    QFETCH(QString, text);
    QFETCH(QStringList, expected);

    QString error;
    const auto list = PyLiteral::parseStringList(text, &error);
    QVERIFY2(list, qPrintable(error));
    QCOMPARE(*list, expected);
}

void TestCsv::numberList_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<double>>("expected");

    QTest::newRow("SCIN confidences") << u"[4, 3, 5]"_s << QList<double> { 4, 3, 5 };
    QTest::newRow("floats") << u"[3.0, 1e-3, -0.5, .25]"_s << QList<double> { 3.0, 0.001, -0.5, 0.25 };
    QTest::newRow("empty list") << u"[]"_s << QList<double>();
    QTest::newRow("empty cell") << QString() << QList<double>();
    QTest::newRow("tuple") << u"(1, 2.5)"_s << QList<double> { 1, 2.5 };
}

void TestCsv::numberList()
{
    QFETCH(QString, text);
    QFETCH(QList<double>, expected);

    QString error;
    const auto list = PyLiteral::parseNumberList(text, &error);
    QVERIFY2(list, qPrintable(error));
    QCOMPARE(*list, expected);
}

void TestCsv::stringNumberDict_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<Pairs>("expected");

    QTest::newRow("SCIN") << u"{'Eczema': 0.69, 'Psoriasis': 0.08}"_s
                          << Pairs { { u"Eczema"_s, 0.69 }, { u"Psoriasis"_s, 0.08 } };
    QTest::newRow("source order kept")
        << u"{'Psoriasis': 0.077, 'Eczema': 0.692, \"Kaposi's sarcoma\": 1}"_s
        << Pairs { { u"Psoriasis"_s, 0.077 }, { u"Eczema"_s, 0.692 }, { u"Kaposi's sarcoma"_s, 1.0 } };
    QTest::newRow("empty dict") << u"{}"_s << Pairs();
    QTest::newRow("empty cell") << QString() << Pairs();
    QTest::newRow("trailing comma") << u"{ 'a' : 1 , }"_s << Pairs { { u"a"_s, 1.0 } };
}

void TestCsv::stringNumberDict()
{
    QFETCH(QString, text);
    QFETCH(Pairs, expected);

    QString error;
    const auto dict = PyLiteral::parseStringNumberDict(text, &error);
    QVERIFY2(dict, qPrintable(error));
    QCOMPARE(*dict, expected);
}

void TestCsv::typedErrors_data()
{
    QTest::addColumn<QString>("helper");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("strings: int element")
        << u"strings"_s << u"['a', 1]"_s << u"character 7: element 2 is an integer, expected a string"_s;
    QTest::newRow("strings: None element")
        << u"strings"_s << u"[None]"_s << u"character 2: element 1 is None, expected a string"_s;
    QTest::newRow("strings: nested list")
        << u"strings"_s << u"[['a']]"_s << u"character 2: element 1 is a list, expected a string"_s;
    QTest::newRow("strings: dict") << u"strings"_s << u"{'a': 1}"_s
                                   << u"character 1: expected a list of strings, found a dict"_s;
    QTest::newRow("strings: bare string")
        << u"strings"_s << u"  'Eczema'"_s << u"character 3: expected a list of strings, found a string"_s;
    QTest::newRow("strings: syntax error")
        << u"strings"_s << u"['a', 'b'"_s
        << u"character 10: expected ',' or ']', found the end of the text"_s;
    QTest::newRow("numbers: string element")
        << u"numbers"_s << u"[4, '3']"_s << u"character 5: element 2 is a string, expected a number"_s;
    QTest::newRow("numbers: boolean element")
        << u"numbers"_s << u"[True]"_s << u"character 2: element 1 is a boolean, expected a number"_s;
    QTest::newRow("numbers: None element")
        << u"numbers"_s << u"[1, None]"_s << u"character 5: element 2 is None, expected a number"_s;
    QTest::newRow("numbers: scalar") << u"numbers"_s << u"4"_s
                                     << u"character 1: expected a list of numbers, found an integer"_s;
    QTest::newRow("numbers: bare word")
        << u"numbers"_s << u"[4, x]"_s
        << u"character 5: unexpected word 'x' (expected a value; text must be quoted)"_s;
    QTest::newRow("dict: string value")
        << u"dict"_s << u"{'a': 0.5, 'b': 'high'}"_s
        << u"character 17: the value of key 2 is a string, expected a number"_s;
    QTest::newRow("dict: int key") << u"dict"_s << u"{1: 0.5}"_s
                                   << u"character 2: key 1 is an integer, expected a string"_s;
    QTest::newRow("dict: list") << u"dict"_s << u"['a']"_s
                                << u"character 1: expected a dict of numbers, found a list"_s;
    QTest::newRow("dict: None value")
        << u"dict"_s << u"{'a': None}"_s << u"character 7: the value of key 1 is None, expected a number"_s;
    QTest::newRow("dict: missing colon")
        << u"dict"_s << u"{'a' 0.5}"_s << u"character 6: expected ':', found '0'"_s;
}

void TestCsv::typedErrors()
{
    QFETCH(QString, helper);
    QFETCH(QString, text);
    QFETCH(QString, expected);

    QString error;
    bool ok = true;
    if (helper == u"strings")
        ok = PyLiteral::parseStringList(text, &error).has_value();
    else if (helper == u"numbers")
        ok = PyLiteral::parseNumberList(text, &error).has_value();
    else
        ok = PyLiteral::parseStringNumberDict(text, &error).has_value();
    QVERIFY(!ok);
    QCOMPARE(error, expected);
}

QTEST_GUILESS_MAIN(TestCsv)
#include "tst_csv.moc"
