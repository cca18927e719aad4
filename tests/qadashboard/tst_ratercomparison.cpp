// SPDX-License-Identifier: GPL-3.0-or-later
// Rater comparison: confusion matrices, label distributions per rater and the per-rater report
// of a store (throughput and agreement with the consensus), on hand-computable data. Runs on
// SQLite and, as ratercomparison_postgres, on PostgreSQL (TestStores).
#include "TestStores.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "qa/ConsensusService.h"
#include "qa/RaterComparison.h"
#include "qa/RatingTable.h"
#include "store/ImageRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

using Counts = QList<QList<qsizetype>>;

class TestRaterComparison : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void sortedLabels_data();
    void sortedLabels();
    void confusion_data();
    void confusion();
    void confusionOfUnknownRaters();
    void distribution();
    void distributionMeansForOrdinalFields();

    void reportNeedsQaOrAdmin();
    void reportCountsWorkAndConsensus();

private:
    TestStores m_stores {u"ratercomparison"_s};
};

void TestRaterComparison::initTestCase()
{
    DL_REQUIRE_TEST_STORES(m_stores);
}

/// Ratings as "item rater value" triples.
static RatingTable makeTable(MeasureLevel level, std::initializer_list<std::array<const char16_t *, 3>> ratings)
{
    RatingTable t(u"f"_s, level);
    for (const auto &r : ratings)
        t.add(QString::fromUtf16(r[0]), QString::fromUtf16(r[1]), QString::fromUtf16(r[2]));
    return t;
}

// a: i1 x, i2 y, i3 x, i4 z, i5 x; b: i1 x, i2 x, i3 x, i4 z; c: i1 y
static RatingTable nominalTable()
{
    return makeTable(MeasureLevel::Nominal, {{u"i1", u"a", u"x"},
                                             {u"i1", u"b", u"x"},
                                             {u"i1", u"c", u"y"},
                                             {u"i2", u"a", u"y"},
                                             {u"i2", u"b", u"x"},
                                             {u"i3", u"b", u"x"},
                                             {u"i3", u"a", u"x"},
                                             {u"i4", u"a", u"z"},
                                             {u"i4", u"b", u"z"},
                                             {u"i5", u"a", u"x"}});
}

// a: 2, 10, 9, 2; b: 10, 10, 9, -; values appear in the order 10, 2, 9
static RatingTable ordinalTable()
{
    return makeTable(MeasureLevel::Ordinal, {{u"i1", u"b", u"10"},
                                             {u"i1", u"a", u"2"},
                                             {u"i2", u"a", u"10"},
                                             {u"i2", u"b", u"10"},
                                             {u"i3", u"a", u"9"},
                                             {u"i3", u"b", u"9"},
                                             {u"i4", u"a", u"2"}});
}

void TestRaterComparison::sortedLabels_data()
{
    QTest::addColumn<QStringList>("labels");
    QTest::addColumn<int>("level");
    QTest::addColumn<QStringList>("sorted");
    QTest::newRow("nominal as strings") << QStringList {u"no"_s, u"yes"_s, u"10"_s, u"9"_s} << int(MeasureLevel::Nominal)
                                        << QStringList {u"10"_s, u"9"_s, u"no"_s, u"yes"_s};
    QTest::newRow("ordinal numerically") << QStringList {u"10"_s, u"2"_s, u"9"_s, u"1"_s} << int(MeasureLevel::Ordinal)
                                         << QStringList {u"1"_s, u"2"_s, u"9"_s, u"10"_s};
    QTest::newRow("interval with decimals") << QStringList {u"2.5"_s, u"-1"_s, u"2"_s} << int(MeasureLevel::Interval)
                                            << QStringList {u"-1"_s, u"2"_s, u"2.5"_s};
    QTest::newRow("same number, then text") << QStringList {u"3.0"_s, u"3"_s, u"x"_s} << int(MeasureLevel::Ordinal)
                                            << QStringList {u"3"_s, u"3.0"_s, u"x"_s};
}

void TestRaterComparison::sortedLabels()
{
    QFETCH(QStringList, labels);
    QFETCH(int, level);
    QFETCH(QStringList, sorted);
    QCOMPARE(RaterComparison::sortedLabels(labels, MeasureLevel(level)), sorted);
}

void TestRaterComparison::confusion_data()
{
    QTest::addColumn<bool>("ordinal");
    QTest::addColumn<QString>("raterA");
    QTest::addColumn<QString>("raterB");
    QTest::addColumn<QStringList>("labels");
    QTest::addColumn<Counts>("counts");
    QTest::addColumn<qsizetype>("items");
    QTest::addColumn<qsizetype>("agreeing");

    // Items both rated: i1 (x, x), i2 (y, x), i3 (x, x), i4 (z, z).
    QTest::newRow("a vs b") << false << u"a"_s << u"b"_s << QStringList {u"x"_s, u"y"_s, u"z"_s}
                            << Counts {{2, 0, 0}, {1, 0, 0}, {0, 0, 1}} << qsizetype(4) << qsizetype(3);
    QTest::newRow("b vs a is the transpose") << false << u"b"_s << u"a"_s << QStringList {u"x"_s, u"y"_s, u"z"_s}
                                             << Counts {{2, 1, 0}, {0, 0, 0}, {0, 0, 1}} << qsizetype(4) << qsizetype(3);
    // Only i1 in common: labels are the union of what the two said there.
    QTest::newRow("a vs c, one item") << false << u"a"_s << u"c"_s << QStringList {u"x"_s, u"y"_s}
                                      << Counts {{0, 1}, {0, 0}} << qsizetype(1) << qsizetype(0);
    // Ordinal labels sorted numerically: 2 < 9 < 10.
    QTest::newRow("ordinal") << true << u"a"_s << u"b"_s << QStringList {u"2"_s, u"9"_s, u"10"_s}
                             << Counts {{0, 0, 1}, {0, 1, 0}, {0, 0, 1}} << qsizetype(3) << qsizetype(2);
}

void TestRaterComparison::confusion()
{
    QFETCH(bool, ordinal);
    QFETCH(QString, raterA);
    QFETCH(QString, raterB);
    QFETCH(QStringList, labels);
    QFETCH(Counts, counts);
    QFETCH(qsizetype, items);
    QFETCH(qsizetype, agreeing);
    const RatingTable table = ordinal ? ordinalTable() : nominalTable();
    const ConfusionMatrix m = RaterComparison::confusion(table, raterA, raterB);
    QCOMPARE(m.field, u"f"_s);
    QCOMPARE(m.raterA, raterA);
    QCOMPARE(m.raterB, raterB);
    QCOMPARE(m.labels, labels);
    QCOMPARE(m.counts, counts);
    QCOMPARE(m.items, items);
    QCOMPARE(m.agreeing(), agreeing);
    QCOMPARE(m.count(labels.first(), labels.first()), counts.at(0).at(0));
    QCOMPARE(m.count(u"absent"_s, labels.first()), qsizetype(0));
}

void TestRaterComparison::confusionOfUnknownRaters()
{
    const RatingTable table = nominalTable();
    ConfusionMatrix m = RaterComparison::confusion(table, u"a"_s, u"nobody"_s);
    QCOMPARE(m.items, 0);
    QVERIFY(m.labels.isEmpty());
    QVERIFY(m.counts.isEmpty());
    m = RaterComparison::confusion(table, u"a"_s, u"a"_s);
    QCOMPARE(m.items, 0);
}

void TestRaterComparison::distribution()
{
    const LabelDistribution d = RaterComparison::distribution(nominalTable());
    QCOMPARE(d.field, u"f"_s);
    QCOMPARE(d.labels, (QStringList {u"x"_s, u"y"_s, u"z"_s}));
    QCOMPARE(d.raters, (QStringList {u"a"_s, u"b"_s, u"c"_s}));
    QCOMPARE(d.counts, (Counts {{3, 1, 1}, {3, 0, 1}, {0, 1, 0}}));
    QCOMPARE(d.totals, (QList<qsizetype> {5, 4, 1}));
    QCOMPARE(d.count(u"b"_s, u"z"_s), 1);
    QCOMPARE(d.share(u"a"_s, u"x"_s), 0.6);
    QCOMPARE(d.share(u"c"_s, u"y"_s), 1.0);
    QCOMPARE(d.share(u"nobody"_s, u"x"_s), 0.0);
    // Nominal fields have no means.
    QCOMPARE(d.means.size(), 3);
    for (const auto &mean : d.means)
        QVERIFY(!mean);
}

void TestRaterComparison::distributionMeansForOrdinalFields()
{
    const LabelDistribution d = RaterComparison::distribution(ordinalTable());
    QCOMPARE(d.labels, (QStringList {u"2"_s, u"9"_s, u"10"_s}));
    QCOMPARE(d.raters, (QStringList {u"a"_s, u"b"_s}));
    QCOMPARE(d.counts, (Counts {{2, 1, 1}, {0, 1, 2}}));
    // a: (2 + 10 + 9 + 2) / 4 = 5.75; b: (10 + 10 + 9) / 3 = 29 / 3 (b rates higher).
    QCOMPARE(d.means.at(0).value(), 5.75);
    QCOMPARE(d.means.at(1).value(), 29.0 / 3.0);
}

namespace {

struct Fixture
{
    std::unique_ptr<Store> store;
    User admin, qa;
    QList<User> raters;
    QList<qint64> images;
};

void label(Fixture &f, int rater, int image, const QString &condition, const QString &fitzpatrick)
{
    AnnotationService service(*f.store, f.raters.at(rater));
    QString error;
    auto a = service.own(f.images.at(image), &error);
    QVERIFY2(a, qPrintable(error));
    a->gradable = true;
    a->visibleCondition = u"yes"_s;
    a->sensitive = false;
    a->diagnoses = {{condition, 4}};
    a->fitzpatrick = fitzpatrick;
    a->monk = u"5"_s;
    QVERIFY2(service.save(*a, &error), qPrintable(error));
}

void setStatus(Fixture &f, int rater, int image, const QString &status)
{
    QString error;
    QVERIFY2(AnnotationService(*f.store, f.raters.at(rater)).setStatus(f.images.at(image), status, &error),
             qPrintable(error));
}

void setUpdatedAt(Fixture &f, int rater, int image, const QString &at)
{
    QString error;
    QVERIFY2(Sql::exec(f.store->db(), u"UPDATE annotations SET updated_at = ? WHERE user_id = ? AND image_id = ?"_s,
                       {at, f.raters.at(rater).id, f.images.at(image)}, &error),
             qPrintable(error));
}

} // namespace

void TestRaterComparison::reportNeedsQaOrAdmin()
{
    Fixture f;
    QString error;
    f.store = m_stores.create(u"r"_s, &error);
    QVERIFY2(f.store, qPrintable(error));
    UserRepository users(f.store->db());
    const User rater = users.findById(users.add(u"r"_s, {}, Role::Annotator, u"password"_s, &error, 1)).value();
    QVERIFY(!RaterComparison::report(*f.store, rater, &error));
    QVERIFY(!error.isEmpty());
}

void TestRaterComparison::reportCountsWorkAndConsensus()
{
    Fixture f;
    QString error;
    f.store = m_stores.create(u"r"_s, &error);
    QVERIFY2(f.store, qPrintable(error));
    UserRepository users(f.store->db());
    auto add = [&](const QString &name, const QString &display, Role role) {
        return users.findById(users.add(name, display, role, u"password"_s, &error, 1), &error).value_or(User {});
    };
    f.admin = add(u"admin"_s, {}, Role::Admin);
    f.qa = add(u"qa"_s, {}, Role::Qa);
    // Names out of order: the report is sorted by name.
    const QList<std::pair<QString, QString>> names {{u"r0"_s, u"Dr Zero"_s}, {u"r2"_s, u"Dr Two"_s}, {u"r1"_s, u"Dr One"_s}};
    for (const auto &[name, display] : names)
        f.raters.append(add(name, display, Role::Annotator));
    std::swap(f.raters[1], f.raters[2]); // raters[i] is ri
    ImageRepository images(f.store->db());
    for (int i = 0; i < 3; ++i) {
        ImageRecord record;
        record.publicId = u"img-%1"_s.arg(i);
        record.sha256 = u"%1"_s.arg(i, 64, 16, QLatin1Char('0'));
        record.format = u"jpeg"_s;
        record.width = record.height = 100;
        record.byteSize = 1000;
        f.images.append(images.insert(record, &error));
    }
    QVERIFY2(AssignmentService(*f.store, f.admin).assign({}, 3, &error), qPrintable(error));
    // An annotator added later has no work and is not in the report.
    add(u"r3"_s, {}, Role::Annotator);

    //           rater image condition   Fitzpatrick
    label(f, 0, 0, u"eczema"_s, u"3"_s);
    label(f, 1, 0, u"eczema"_s, u"3"_s);
    label(f, 2, 0, u"psoriasis"_s, u"4"_s);
    setStatus(f, 2, 1, u"skipped"_s); // image 1 expects two raters
    label(f, 0, 1, u"acne"_s, u"2"_s);
    label(f, 1, 1, u"acne"_s, u"5"_s);
    label(f, 0, 2, u"scabies"_s, u"6"_s);
    label(f, 1, 2, u"impetigo"_s, u"5"_s);
    label(f, 2, 2, u"impetigo"_s, u"4"_s);
    for (int image : {0, 1, 2})
        setStatus(f, 0, image, u"done"_s);
    setStatus(f, 1, 0, u"done"_s);
    setStatus(f, 1, 1, u"done"_s);
    setStatus(f, 1, 2, u"flagged"_s);
    setStatus(f, 2, 0, u"done"_s);
    // r2 is still in progress on image 2.

    // Image 1's Fitzpatrick type (2 vs 5) is settled by QA as 5; image 2's (6, 5, 4) stays open.
    ConsensusService consensus(*f.store, f.qa);
    QVERIFY2(consensus.adjudicate(f.images.at(1), u"fitzpatrick_type"_s, u"5"_s, u"seen in person"_s, &error),
             qPrintable(error));

    setUpdatedAt(f, 0, 0, u"2026-03-02T10:00:00.000Z"_s);
    setUpdatedAt(f, 0, 1, u"2026-03-02T23:30:00.000Z"_s);
    setUpdatedAt(f, 0, 2, u"2026-03-04T08:00:00.000Z"_s);
    for (int image : {0, 1, 2})
        setUpdatedAt(f, 1, image, u"2026-03-03T12:00:00.000Z"_s);
    setUpdatedAt(f, 2, 0, u"2026-03-05T07:00:00.000Z"_s);
    setUpdatedAt(f, 2, 2, u"2026-03-05T19:00:00.000Z"_s);

    const auto report = RaterComparison::report(*f.store, f.qa, &error);
    QVERIFY2(report, qPrintable(error));
    QCOMPARE(report->size(), 3);
    const RaterReport &r0 = report->at(0), &r1 = report->at(1), &r2 = report->at(2);
    QCOMPARE(r0.name, u"r0"_s);
    QCOMPARE(r1.name, u"r1"_s);
    QCOMPARE(r2.name, u"r2"_s);
    QCOMPARE(r1.displayName, u"Dr One"_s);
    QCOMPARE(r1.userId, f.raters.at(1).id);

    // Throughput.
    QCOMPARE(r0.assigned, 3);
    QCOMPARE(r0.done, 3);
    QCOMPARE(r1.done, 2);
    QCOMPARE(r1.flagged, 1);
    QCOMPARE(r2.done, 1);
    QCOMPARE(r2.skipped, 1);
    QCOMPARE(r2.inProgress, 1);
    QCOMPARE(r2.todo, 0);
    QCOMPARE(r2.assigned, 3);
    QCOMPARE(r0.annotations, 3);
    QCOMPARE(r2.annotations, 2);
    const QMap<QDate, qsizetype> r0Days {{QDate(2026, 3, 2), 2}, {QDate(2026, 3, 4), 1}};
    QCOMPARE(r0.labelsPerDay, r0Days);
    QCOMPARE(r0.labelsPerActiveDay().value(), 1.5);
    QCOMPARE(r1.labelsPerDay, (QMap<QDate, qsizetype> {{QDate(2026, 3, 3), 3}}));
    QCOMPARE(r1.labelsPerActiveDay().value(), 3.0);
    QCOMPARE(r2.labelsPerDay, (QMap<QDate, qsizetype> {{QDate(2026, 3, 5), 2}}));

    // Agreement with the consensus. Settled consensus fields answered per image: gradable,
    // visible condition, sensitive, six identifying kinds, Monk tone, and the Fitzpatrick type
    // where agreed (image 0: 3) or adjudicated (image 1: 5). The reason not gradable is moot.
    // r0: 11 of 11, 10 of 11 (Fitzpatrick 2), 10 of 10.
    QCOMPARE(r0.consensusFields, 32);
    QCOMPARE(r0.consensusMatches, 31);
    QCOMPARE(r0.consensusAgreement().value(), 31.0 / 32.0);
    QCOMPARE(r1.consensusFields, 32);
    QCOMPARE(r1.consensusMatches, 32);
    QCOMPARE(r1.consensusAgreement().value(), 1.0);
    // r2: 10 of 11 on image 0 (Fitzpatrick 4), nothing on image 1, 10 of 10 on image 2.
    QCOMPARE(r2.consensusFields, 21);
    QCOMPARE(r2.consensusMatches, 20);
    // Diagnosis: eczema, acne, impetigo agreed.
    QCOMPARE(r0.diagnosisImages, 3);
    QCOMPARE(r0.diagnosisMatches, 2);
    QCOMPARE(r1.diagnosisMatches, 3);
    QCOMPARE(r2.diagnosisImages, 2);
    QCOMPARE(r2.diagnosisMatches, 1);
    QCOMPARE(r2.diagnosisAgreement().value(), 0.5);
}

QTEST_GUILESS_MAIN(TestRaterComparison)
#include "tst_ratercomparison.moc"
