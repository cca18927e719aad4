// SPDX-License-Identifier: GPL-3.0-or-later
// Replays every fuzz target's committed corpus (tests/fuzz/corpus/<target>/) and every input that
// once crashed a target (tests/data/fuzz/<target>/) through the same bodies the fuzzers run.
#include "FuzzBodies.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;

class TestFuzzCorpus : public QObject
{
    Q_OBJECT

private slots:
    void replay_data();
    void replay();
};

void TestFuzzCorpus::replay_data()
{
    QTest::addColumn<int>("target");
    QTest::addColumn<QString>("folder");
    const QString corpus = QStringLiteral(DERMLABEL_FUZZ_CORPUS);
    const QString crashes = QStringLiteral(DERMLABEL_TEST_DATA) + u"/fuzz"_s;
    const auto &targets = dl::fuzz::targets();
    for (int i = 0; i < int(targets.size()); ++i) {
        const QString name = QString::fromLatin1(targets[size_t(i)].name);
        QTest::newRow(qPrintable(u"corpus/"_s + name)) << i << corpus + u'/' + name;
        QTest::newRow(qPrintable(u"crashes/"_s + name)) << i << crashes + u'/' + name;
    }
}

void TestFuzzCorpus::replay()
{
    QFETCH(int, target);
    QFETCH(QString, folder);
    const QDir dir(folder);
    const QStringList files = dir.entryList(QDir::Files, QDir::Name);
    if (folder.contains(u"/corpus/"_s))
        QVERIFY2(!files.isEmpty(), qPrintable(u"no seed inputs in "_s + folder));
    const dl::fuzz::Body body = dl::fuzz::targets()[size_t(target)].body;
    for (const QString &name : files) {
        QFile file(dir.filePath(name));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QByteArray data = file.readAll();
        body(reinterpret_cast<const std::uint8_t *>(data.constData()), std::size_t(data.size()));
    }
}

QTEST_GUILESS_MAIN(TestFuzzCorpus)
#include "tst_fuzzcorpus.moc"
