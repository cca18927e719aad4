// SPDX-License-Identifier: GPL-3.0-or-later
// The layering of the source tree (LayerCheck): SQL only behind the repositories of core/store,
// value types and the store below the services, no include loops between core's folders.
#include "LayerCheck.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

using Files = QMap<QString, QString>; // path below the root -> content

class TestArchitecture : public QObject
{
    Q_OBJECT

private slots:
    void sourceTreeKeepsTheLayers();
    void findsViolations_data();
    void findsViolations();
    void allows_data();
    void allows();

private:
    static QList<LayerViolation> checkTree(const Files &files);
    static QString describe(const QList<LayerViolation> &violations);
};

QList<LayerViolation> TestArchitecture::checkTree(const Files &files)
{
    QTemporaryDir root;
    if (!root.isValid())
        qFatal("no temporary folder");
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const QString path = root.filePath(it.key());
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(it.value().toUtf8()) < 0)
            qFatal("cannot write a fixture file");
    }
    return LayerCheck::check(root.path());
}

QString TestArchitecture::describe(const QList<LayerViolation> &violations)
{
    QStringList lines;
    for (const LayerViolation &v : violations)
        lines.append(u"%1 [%2] %3"_s.arg(v.file, v.rule, v.detail));
    return lines.join(u'\n');
}

void TestArchitecture::sourceTreeKeepsTheLayers()
{
    const QString root = QStringLiteral(DERMLABEL_SOURCE_DIR);
    QVERIFY2(QFileInfo(root + u"/core/store/Store.h"_s).isFile(), qPrintable(root));
    const QList<LayerViolation> violations = LayerCheck::check(root);
    for (const QString &line : describe(violations).split(u'\n', Qt::SkipEmptyParts))
        qWarning().noquote() << line;
    QVERIFY2(violations.isEmpty(), qPrintable(u"%1 violations, listed above"_s.arg(violations.size())));
}

void TestArchitecture::findsViolations_data()
{
    QTest::addColumn<Files>("files");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("rule");

    const QString store = u"core/store/Store.h"_s;
    QTest::newRow("QSql header in a service")
        << Files {{store, {}}, {u"core/qa/Report.cpp"_s, u"#include <QSqlQuery>\n"_s}} << u"core/qa/Report.cpp"_s
        << u"sql-header"_s;
    QTest::newRow("QtSql module header in ui")
        << Files {{store, {}}, {u"ui/View.cpp"_s, u"#include <QtSql/QSqlRecord>\n"_s}} << u"ui/View.cpp"_s
        << u"sql-header"_s;
    QTest::newRow("statement in a service")
        << Files {{store, {}}, {u"core/users/Users.cpp"_s, u"auto sql = u\"UPDATE users SET role = ?\"_s;\n"_s}}
        << u"core/users/Users.cpp"_s << u"sql-text"_s;
    QTest::newRow("select in app")
        << Files {{store, {}}, {u"app/cli/Stats.cpp"_s, u"run(\"SELECT COUNT(*) FROM images\");\n"_s}}
        << u"app/cli/Stats.cpp"_s << u"sql-text"_s;
    QTest::newRow("Sql helper in a service")
        << Files {{store, {}}, {u"core/release/Check.cpp"_s, u"Sql::exec(db, text, {}, &error);\n"_s}}
        << u"core/release/Check.cpp"_s << u"sql-text"_s;
    QTest::newRow("connection in a service")
        << Files {{store, {}}, {u"core/demo/Demo.cpp"_s, u"const QSqlDatabase db = store.db();\n"_s}}
        << u"core/demo/Demo.cpp"_s << u"sql-text"_s;
    QTest::newRow("store-internal header")
        << Files {{store, {}}, {u"core/import/Run.cpp"_s, u"#include \"store/Transaction.h\"\n"_s}}
        << u"core/import/Run.cpp"_s << u"store-internal"_s;
    QTest::newRow("store includes a service")
        << Files {{store, {}},
                  {u"core/qa/Calculator.h"_s, {}},
                  {u"core/store/Repository.h"_s, u"#include \"qa/Calculator.h\"\n"_s}}
        << u"core/store/Repository.h"_s << u"layer"_s;
    QTest::newRow("model includes the store")
        << Files {{store, {}}, {u"core/model/Image.h"_s, u"#pragma once\n#include \"store/Store.h\"\n"_s}}
        << u"core/model/Image.h"_s << u"layer"_s;
    QTest::newRow("two services include each other")
        << Files {{store, {}},
                  {u"core/users/UserService.cpp"_s, u"#include \"annotation/AssignmentService.h\"\n"_s},
                  {u"core/annotation/AssignmentService.cpp"_s, u"#include \"users/UserService.h\"\n"_s}}
        << u"core/annotation/AssignmentService.cpp, core/users/UserService.cpp"_s << u"loop"_s;
}

void TestArchitecture::findsViolations()
{
    QFETCH(Files, files);
    QFETCH(QString, file);
    QFETCH(QString, rule);
    const QList<LayerViolation> violations = checkTree(files);
    QCOMPARE(violations.size(), 1);
    QCOMPARE(violations.first().file, file);
    QCOMPARE(violations.first().rule, rule);
}

void TestArchitecture::allows_data()
{
    QTest::addColumn<Files>("files");

    QTest::newRow("SQL in a repository")
        << Files {{u"core/store/ImageRepository.cpp"_s,
                   u"#include <QSqlQuery>\nSql::exec(query, u\"SELECT id FROM images\"_s, {}, error);\n"_s}};
    QTest::newRow("store on model and helpers")
        << Files {{u"core/model/Image.h"_s, {}},
                  {u"core/auth/PasswordHasher.h"_s, {}},
                  {u"core/store/ImageRepository.h"_s,
                   u"#include \"model/Image.h\"\n#include \"auth/PasswordHasher.h\"\n#include <QString>\n"_s}};
    QTest::newRow("service on the store")
        << Files {{u"core/store/Store.h"_s, {}},
                  {u"core/store/StoreTransaction.h"_s, {}},
                  {u"core/users/UserService.cpp"_s,
                   u"#include \"store/Store.h\"\n#include \"store/StoreTransaction.h\"\n// Selects nothing\n"_s}};
    QTest::newRow("one-way services")
        << Files {{u"core/store/Store.h"_s, {}},
                  {u"core/annotation/AssignmentService.h"_s, {}},
                  {u"core/users/UserService.cpp"_s, u"#include \"annotation/AssignmentService.h\"\n"_s}};
}

void TestArchitecture::allows()
{
    QFETCH(Files, files);
    const QList<LayerViolation> violations = checkTree(files);
    QVERIFY2(violations.isEmpty(), qPrintable(describe(violations)));
}

QTEST_GUILESS_MAIN(TestArchitecture)
#include "tst_architecture.moc"
