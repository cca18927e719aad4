// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/AgreementCalculator.h"
#include "qa/AgreementReport.h"
#include "qa/DiagnosisAgreementCalculator.h"
#include "qa/DiagnosisTable.h"
#include "qa/MaskAgreement.h"
#include "qa/RatingTable.h"
#include "qa/RatingsFile.h"
#include "text/CsvReader.h"

#include "../support/NumericCompare.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <opencv2/core.hpp>

using namespace Qt::StringLiterals;
using namespace dl;

Q_DECLARE_METATYPE(cv::Mat)

namespace {

QString dataPath(const QString &name)
{
    return QStringLiteral(DERMLABEL_TEST_DATA) + u"/agreement/"_s + name;
}

QJsonObject expectedJson()
{
    QFile file(dataPath(u"expected.json"_s));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

/// Empty when equal: same keys, same array sizes, strings and nulls equal, numbers
/// within `tolerance` (NaN only where NaN is expected); otherwise where they differ.
QString compareJson(
    const QJsonValue &actual, const QJsonValue &expected, double tolerance, const QString &path = u"$"_s)
{
    if (expected.isDouble()) {
        if (!actual.isDouble())
            return path + u": expected a number"_s;
        if (!dl::test::withinTolerance(actual.toDouble(), expected.toDouble(), tolerance)) {
            return u"%1: %2 != expected %3"_s.arg(path)
                .arg(actual.toDouble(), 0, 'g', 17)
                .arg(expected.toDouble(), 0, 'g', 17);
        }
        return {};
    }
    if (actual.type() != expected.type())
        return u"%1: type %2 != expected %3"_s.arg(path).arg(int(actual.type())).arg(int(expected.type()));
    if (expected.isObject()) {
        const QJsonObject a = actual.toObject();
        const QJsonObject e = expected.toObject();
        if (a.keys() != e.keys()) {
            return u"%1: keys %2 != expected %3"_s.arg(path, a.keys().join(u','), e.keys().join(u','));
        }
        for (auto it = e.begin(); it != e.end(); ++it) {
            const QString diff
                = compareJson(a.value(it.key()), it.value(), tolerance, path + u'.' + it.key());
            if (!diff.isEmpty())
                return diff;
        }
        return {};
    }
    if (expected.isArray()) {
        const QJsonArray a = actual.toArray();
        const QJsonArray e = expected.toArray();
        if (a.size() != e.size())
            return u"%1: %2 elements != expected %3"_s.arg(path).arg(a.size()).arg(e.size());
        for (qsizetype i = 0; i < e.size(); ++i) {
            const QString diff = compareJson(a.at(i), e.at(i), tolerance, u"%1[%2]"_s.arg(path).arg(i));
            if (!diff.isEmpty())
                return diff;
        }
        return {};
    }
    if (actual != expected)
        return path + u": "_s + actual.toVariant().toString() + u" != expected "_s
            + expected.toVariant().toString();
    return {};
}

/// The report without the free-text "fleiss_note" (not part of the reference output).
QJsonObject withoutNotes(QJsonObject report)
{
    QJsonArray fields = report.value(u"fields"_s).toArray();
    for (qsizetype i = 0; i < fields.size(); ++i) {
        QJsonObject field = fields.at(i).toObject();
        field.remove(u"fleiss_note"_s);
        fields.replace(i, field);
    }
    report.insert(u"fields"_s, fields);
    return report;
}

RatingTable tableOf(const QString &field, MeasureLevel level, const QList<QStringList> &ratings)
{
    RatingTable table(field, level);
    for (const QStringList &r : ratings)
        table.add(r.at(0), r.at(1), r.at(2));
    return table;
}

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

cv::Mat maskWith(const QList<QPoint> &points, uchar value = 255)
{
    cv::Mat mask = cv::Mat::zeros(4, 5, CV_8UC1);
    for (const QPoint &p : points)
        mask.at<uchar>(p.y(), p.x()) = value;
    return mask;
}

} // namespace

class TestAgreement : public QObject
{
    Q_OBJECT

private slots:
    void publishedAlpha_data();
    void publishedAlpha();
    void crossCheck_data();
    void crossCheck();
    void percentAgreementByHand();
    void kappaByHand();
    void manyRaters();
    void fleissNullWhenCountsDiffer();
    void degenerateKappa();
    void numericValues();
    void bootstrap();
    void maskOverlap_data();
    void maskOverlap();
    void maskInvalid();
    void stratification();
    void jsonShapeAndOrdering();
    void notANumber_data();
    void notANumber();
    void ratingTable();
    void ratingsFileErrors_data();
    void ratingsFileErrors();
    void ratingsFileRoundTrip();
    void ratingsFileStreamedAsParsed_data();
    void ratingsFileStreamedAsParsed();
    void levelForUnknownField();
    void diagnoses();
};

void TestAgreement::publishedAlpha_data()
{
    QTest::addColumn<MeasureLevel>("level");
    QTest::addColumn<double>("published");
    QTest::newRow("nominal") << MeasureLevel::Nominal << 0.743;
    QTest::newRow("ordinal") << MeasureLevel::Ordinal << 0.815;
    QTest::newRow("interval") << MeasureLevel::Interval << 0.849;
}

void TestAgreement::publishedAlpha()
{
    // Krippendorff's reliability data: 4 coders x 12 units, '.' = missing.
    QFETCH(MeasureLevel, level);
    QFETCH(double, published);
    const QStringList coders { u"A"_s, u"B"_s, u"C"_s, u"D"_s };
    const QStringList data { u"1 2 3 3 2 1 4 1 2 . . ."_s, u"1 2 3 3 2 2 4 1 2 5 . 3"_s,
        u". 3 3 3 2 3 4 2 2 5 1 ."_s, u"1 2 3 3 2 4 4 1 2 5 1 ."_s };
    RatingTable table(u"example"_s, level);
    for (qsizetype c = 0; c < coders.size(); ++c) {
        const QStringList values = data.at(c).split(u' ');
        for (qsizetype u = 0; u < values.size(); ++u) {
            if (values.at(u) != u"."_s)
                QVERIFY(table.add(u"unit%1"_s.arg(u + 1), coders.at(c), values.at(u)));
        }
    }
    QCOMPARE(table.ratingCount(), 41);
    QString error;
    const std::optional<FieldAgreement> result = AgreementCalculator().compute(table, &error);
    QVERIFY2(result, qPrintable(error));
    QVERIFY(result->alpha);
    QVERIFY2(std::abs(*result->alpha - published) <= 0.0005, qPrintable(QString::number(*result->alpha)));
    QCOMPARE(result->items, 11); // unit 12 has a single value

    const QJsonObject exact = expectedJson().value(u"krippendorff_example"_s).toObject();
    const double reference = exact.value(u"alpha"_s).toObject().value(measureLevelName(level)).toDouble(-1);
    QVERIFY2(std::abs(*result->alpha - reference) <= 1e-9,
        qPrintable(u"%1 vs %2"_s.arg(*result->alpha, 0, 'g', 17).arg(reference, 0, 'g', 17)));

    // The same through the CSV file the script wrote.
    const QJsonObject report = AgreementReport::fromRatingsCsv(
        dataPath(exact.value(u"file"_s).toString()), { { u"example"_s, level } }, &error);
    QVERIFY2(!report.isEmpty(), qPrintable(error));
    const QJsonObject field = report.value(u"fields"_s).toArray().at(0).toObject();
    QVERIFY(std::abs(field.value(u"krippendorff_alpha"_s).toDouble() - reference) <= 1e-9);
}

void TestAgreement::crossCheck_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QJsonObject>("levels");
    QTest::addColumn<QJsonObject>("expected");
    const QJsonArray tables = expectedJson().value(u"tables"_s).toArray();
    QVERIFY(tables.size() >= 4);
    for (const QJsonValue &t : tables) {
        const QJsonObject table = t.toObject();
        const QString file = table.value(u"file"_s).toString();
        QTest::newRow(qPrintable(file))
            << file << table.value(u"levels"_s).toObject() << table.value(u"report"_s).toObject();
    }
}

void TestAgreement::crossCheck()
{
    // Against scikit-learn, statsmodels and the exact Python alpha (make_expected.py).
    QFETCH(QString, file);
    QFETCH(QJsonObject, levels);
    QFETCH(QJsonObject, expected);
    QHash<QString, MeasureLevel> levelOf;
    for (auto it = levels.begin(); it != levels.end(); ++it) {
        const std::optional<MeasureLevel> level = measureLevelFromName(it.value().toString());
        QVERIFY(level);
        levelOf.insert(it.key(), *level);
    }
    QString error;
    const QJsonObject report = AgreementReport::fromRatingsCsv(dataPath(file), levelOf, &error);
    QVERIFY2(!report.isEmpty(), qPrintable(error));
    const QString diff = compareJson(withoutNotes(report), expected, 1e-9);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));

    // A reason exactly where Fleiss' kappa is null.
    for (const QJsonValue &f : report.value(u"fields"_s).toArray()) {
        const QJsonObject field = f.toObject();
        QCOMPARE(field.contains(u"fleiss_note"_s), field.value(u"fleiss_kappa"_s).isNull());
    }
}

void TestAgreement::percentAgreementByHand()
{
    // i1: x x y -> 2 of 6 ordered pairs agree; i2: x x -> 1; i3: x y z x -> 2 of 12;
    // i4 has one rating and does not count. Mean (1/3 + 1 + 1/6) / 3 = 0.5.
    const RatingTable table = tableOf(u"f"_s, MeasureLevel::Nominal,
        { { u"i1"_s, u"a"_s, u"x"_s }, { u"i1"_s, u"b"_s, u"x"_s }, { u"i1"_s, u"c"_s, u"y"_s },
            { u"i2"_s, u"a"_s, u"x"_s }, { u"i2"_s, u"c"_s, u"x"_s }, { u"i3"_s, u"a"_s, u"x"_s },
            { u"i3"_s, u"b"_s, u"y"_s }, { u"i3"_s, u"c"_s, u"z"_s }, { u"i3"_s, u"d"_s, u"x"_s },
            { u"i4"_s, u"a"_s, u"q"_s } });
    const std::optional<FieldAgreement> result = AgreementCalculator().compute(table);
    QVERIFY(result);
    QCOMPARE(result->items, 3);
    QCOMPARE(result->ratings, 9);
    QCOMPARE(result->raters, 4);
    QVERIFY(result->percentAgreement);
    QVERIFY(std::abs(*result->percentAgreement - 0.5) < 1e-15);
}

void TestAgreement::kappaByHand()
{
    // Nominal: 8 of 10 agree, chance 0.5 -> kappa 0.6.
    RatingTable nominal(u"n"_s);
    const QString a = u"yyyyynnnnn"_s, b = u"yyyynnnnny"_s;
    for (qsizetype i = 0; i < a.size(); ++i) {
        nominal.add(QString::number(i), u"r1"_s, a.mid(i, 1));
        nominal.add(QString::number(i), u"r2"_s, b.mid(i, 1));
    }
    std::optional<FieldAgreement> result = AgreementCalculator().compute(nominal);
    QVERIFY(result);
    QCOMPARE(result->pairs.size(), 1);
    QVERIFY(std::abs(*result->pairs.at(0).kappa - 0.6) < 1e-12);
    QVERIFY(!result->pairs.at(0).kappaLinear);

    // Ordinal 1, 2, 10: the labels are indexed 0, 1, 2 in numeric order (not "1" < "10" < "2").
    // a = 1 2 10 10, b = 1 10 10 2: kappa 0.2, linear 3/7, quadratic 7/11 (as scikit-learn).
    const RatingTable ordinal = tableOf(u"o"_s, MeasureLevel::Ordinal,
        { { u"i1"_s, u"a"_s, u"1"_s }, { u"i1"_s, u"b"_s, u"1"_s }, { u"i2"_s, u"a"_s, u"2"_s },
            { u"i2"_s, u"b"_s, u"10"_s }, { u"i3"_s, u"a"_s, u"10"_s }, { u"i3"_s, u"b"_s, u"10"_s },
            { u"i4"_s, u"a"_s, u"10"_s }, { u"i4"_s, u"b"_s, u"2"_s } });
    result = AgreementCalculator().compute(ordinal);
    QVERIFY(result);
    const PairAgreement &pair = result->pairs.at(0);
    QCOMPARE(pair.items, 4);
    QVERIFY(std::abs(*pair.kappa - 0.2) < 1e-12);
    QVERIFY(std::abs(*pair.kappaLinear - 3.0 / 7.0) < 1e-12);
    QVERIFY(std::abs(*pair.kappaQuadratic - 7.0 / 11.0) < 1e-12);
}

void TestAgreement::manyRaters()
{
    // 600 raters (more pairs than a dense pair table should hold): rater k rates items
    // where k, k+1, k+2 (mod 600) form the panel. Every pair against a direct count.
    RatingTable table(u"many"_s);
    const int raters = 600;
    QHash<QString, QHash<QString, QString>> byRater; // rater -> item -> value
    for (int i = 0; i < 3000; ++i) {
        const QString item = u"i%1"_s.arg(i);
        const int first = (i * 7) % raters;
        for (int k = 0; k < 3; ++k) {
            const QString rater = u"r%1"_s.arg((first + k) % raters);
            const QString value = QString::number((i * (k + 3) + i / 5) % 4);
            QVERIFY(table.add(item, rater, value));
            byRater[rater].insert(item, value);
        }
    }
    const std::optional<FieldAgreement> result = AgreementCalculator().compute(table);
    QVERIFY(result);
    QCOMPARE(result->items, 3000);
    QCOMPARE(result->raters, raters);
    QVERIFY(result->fleissKappa && result->alpha);
    QCOMPARE(result->pairs.size(), 2 * raters); // (k, k+1) and (k, k+2)
    qsizetype checked = 0;
    for (qsizetype p = 0; p < result->pairs.size(); ++p) {
        const PairAgreement &pair = result->pairs.at(p);
        QVERIFY(pair.raterA < pair.raterB);
        if (p > 0) {
            const PairAgreement &previous = result->pairs.at(p - 1);
            QVERIFY(previous.raterA < pair.raterA
                || (previous.raterA == pair.raterA && previous.raterB < pair.raterB));
        }
        const QHash<QString, QString> &a = byRater.value(pair.raterA);
        const QHash<QString, QString> &b = byRater.value(pair.raterB);
        double n = 0, agree = 0;
        QHash<QString, double> rowCount, colCount;
        for (auto it = a.begin(); it != a.end(); ++it) {
            if (!b.contains(it.key()))
                continue;
            ++n;
            agree += it.value() == b.value(it.key());
            ++rowCount[it.value()];
            ++colCount[b.value(it.key())];
        }
        QCOMPARE(qsizetype(n), pair.items);
        double chance = 0;
        for (auto it = rowCount.begin(); it != rowCount.end(); ++it)
            chance += it.value() / n * colCount.value(it.key()) / n;
        if (std::abs(1 - chance) < 1e-12) {
            QVERIFY(!pair.kappa);
        } else {
            QVERIFY(pair.kappa);
            QVERIFY(std::abs(*pair.kappa - (agree / n - chance) / (1 - chance)) < 1e-12);
            ++checked;
        }
    }
    QVERIFY(checked > raters);
}

void TestAgreement::fleissNullWhenCountsDiffer()
{
    RatingTable table = tableOf(u"f"_s, MeasureLevel::Nominal,
        { { u"i1"_s, u"a"_s, u"x"_s }, { u"i1"_s, u"b"_s, u"y"_s }, { u"i1"_s, u"c"_s, u"y"_s },
            { u"i2"_s, u"a"_s, u"x"_s }, { u"i2"_s, u"b"_s, u"x"_s } });
    std::optional<FieldAgreement> result = AgreementCalculator().compute(table);
    QVERIFY(result);
    QVERIFY(!result->fleissKappa);
    QVERIFY2(result->fleissNote.contains(u"2 to 3"_s), qPrintable(result->fleissNote));
    QVERIFY(result->alpha);

    // With the same count everywhere it is defined: P = (1/3 + 1/3) / 2, p = (3/6, 3/6),
    // kappa = (1/3 - 1/2) / (1 - 1/2).
    QVERIFY(table.add(u"i2"_s, u"c"_s, u"y"_s));
    result = AgreementCalculator().compute(table);
    QVERIFY(result && result->fleissKappa);
    QVERIFY(result->fleissNote.isEmpty());
    QVERIFY(std::abs(*result->fleissKappa + 1.0 / 3.0) < 1e-12);

    // Single ratings only: nothing to compare.
    result = AgreementCalculator().compute(
        tableOf(u"f"_s, MeasureLevel::Nominal, { { u"i1"_s, u"a"_s, u"x"_s } }));
    QVERIFY(result);
    QCOMPARE(result->items, 0);
    QVERIFY(!result->fleissKappa && !result->fleissNote.isEmpty());
    QVERIFY(!result->percentAgreement && !result->alpha);
    QVERIFY(result->pairs.isEmpty());
}

void TestAgreement::degenerateKappa()
{
    RatingTable table(u"d"_s);
    for (int i = 0; i < 8; ++i) {
        const QString item = QString::number(i);
        table.add(item, u"a"_s, u"no"_s);
        table.add(item, u"b"_s, u"no"_s);
        table.add(item, u"c"_s, i % 2 ? u"yes"_s : u"no"_s);
    }
    const std::optional<FieldAgreement> result = AgreementCalculator().compute(table);
    QVERIFY(result);
    QCOMPARE(result->pairs.size(), 3);
    QCOMPARE(result->pairs.at(0).raterB, u"b"_s);
    QVERIFY(!result->pairs.at(0).kappa); // a-b: one label only, scikit-learn gives nan
    QCOMPARE(*result->pairs.at(1).kappa, 0.0); // a-c: a constant rater
    QCOMPARE(*result->pairs.at(2).kappa, 0.0);

    const RatingTable one
        = tableOf(u"o"_s, MeasureLevel::Nominal, { { u"i"_s, u"a"_s, u"x"_s }, { u"i"_s, u"b"_s, u"x"_s } });
    const std::optional<FieldAgreement> same = AgreementCalculator().compute(one);
    QVERIFY(same);
    QCOMPARE(*same->percentAgreement, 1.0);
    QVERIFY(!same->fleissKappa && !same->fleissNote.isEmpty());
    QVERIFY(!same->alpha);
}

void TestAgreement::numericValues()
{
    // "3" and "3.0" are the same ordinal value; "10" sorts after "9".
    const RatingTable table = tableOf(u"monk"_s, MeasureLevel::Interval,
        { { u"i1"_s, u"a"_s, u"3"_s }, { u"i1"_s, u"b"_s, u"3.0"_s }, { u"i2"_s, u"a"_s, u"9"_s },
            { u"i2"_s, u"b"_s, u"10"_s }, { u"i3"_s, u"a"_s, u"1"_s }, { u"i3"_s, u"b"_s, u" 1 "_s } });
    const std::optional<FieldAgreement> result = AgreementCalculator().compute(table);
    QVERIFY(result);
    QVERIFY(std::abs(*result->percentAgreement - 2.0 / 3.0) < 1e-15);
    // Interval alpha by hand: values 3,3,9,10,1,1; n = 6, observed sum = 2 * 1 = 2,
    // expected sum = 2 * 6 * sum (x - 4.5)^2 = 2 * 6 * 79.5 = 954; alpha = 1 - 5 * 2 / 954.
    QVERIFY(std::abs(*result->alpha - (1.0 - 10.0 / 954.0)) < 1e-12);

    // As nominal strings they all differ except "9"/"10" (still different).
    RatingTable nominal = table;
    nominal.setLevel(MeasureLevel::Nominal);
    QCOMPARE(*AgreementCalculator().compute(nominal)->percentAgreement, 0.0);
}

void TestAgreement::bootstrap()
{
    QString error;
    std::optional<QList<RatingTable>> tables = RatingsFile::read(
        dataPath(u"unequal_counts.csv"_s), &error, { { u"fitzpatrick"_s, MeasureLevel::Ordinal } });
    QVERIFY2(tables, qPrintable(error));
    QList<RatingTable> full = *RatingsFile::read(dataPath(u"full_panel.csv"_s), &error);
    QCOMPARE(full.at(0).field(), u"condition"_s);
    QCOMPARE(tables->at(0).field(), u"fitzpatrick"_s);

    AgreementOptions options;
    options.bootstrap = true;
    options.replicates = 300;
    options.seed = 42;
    for (const RatingTable &table : { full.at(0), tables->at(0) }) {
        const std::optional<FieldAgreement> plain = AgreementCalculator().compute(table);
        const std::optional<FieldAgreement> first = AgreementCalculator(options).compute(table);
        const std::optional<FieldAgreement> second = AgreementCalculator(options).compute(table);
        QVERIFY(plain && first && second);
        // Same seed, same intervals; the point estimates are untouched.
        QCOMPARE(AgreementReport::toJson(*first), AgreementReport::toJson(*second));
        QCOMPARE(first->bootstrapReplicates, 300);
        QCOMPARE(first->alpha, plain->alpha);
        QVERIFY(!plain->alphaCi && plain->bootstrapReplicates == 0);

        QVERIFY(first->alphaCi);
        QCOMPARE(first->alphaCi->replicates, 300);
        QVERIFY(first->alphaCi->lower <= *first->alpha && *first->alpha <= first->alphaCi->upper);
        QVERIFY(first->alphaCi->lower < first->alphaCi->upper);
        if (first->fleissKappa) {
            QVERIFY(first->fleissKappaCi);
            QVERIFY(first->fleissKappaCi->lower <= *first->fleissKappa);
            QVERIFY(*first->fleissKappa <= first->fleissKappaCi->upper);
        } else {
            QVERIFY(!first->fleissKappaCi);
        }
        for (const PairAgreement &pair : first->pairs) {
            QVERIFY(pair.kappaCi);
            QVERIFY2(pair.kappaCi->lower <= *pair.kappa && *pair.kappa <= pair.kappaCi->upper,
                qPrintable(pair.raterA + u'/' + pair.raterB));
            QCOMPARE(bool(pair.kappaQuadraticCi), table.level() == MeasureLevel::Ordinal);
            if (pair.kappaQuadraticCi) {
                QVERIFY(pair.kappaQuadraticCi->lower <= *pair.kappaQuadratic);
                QVERIFY(*pair.kappaQuadratic <= pair.kappaQuadraticCi->upper);
            }
        }

        options.seed = 43;
        const std::optional<FieldAgreement> other = AgreementCalculator(options).compute(table);
        options.seed = 42;
        QVERIFY(
            other->alphaCi->lower != first->alphaCi->lower || other->alphaCi->upper != first->alphaCi->upper);
    }
}

void TestAgreement::maskOverlap_data()
{
    QTest::addColumn<cv::Mat>("a");
    QTest::addColumn<cv::Mat>("b");
    QTest::addColumn<double>("dice");
    QTest::addColumn<double>("iou");
    const QList<QPoint> four { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 3, 0 } };
    const QList<QPoint> six { { 2, 0 }, { 3, 0 }, { 0, 2 }, { 1, 2 }, { 2, 2 }, { 3, 2 } };
    QTest::newRow("both empty") << maskWith({}) << maskWith({}) << 1.0 << 1.0;
    QTest::newRow("one empty") << maskWith(four) << maskWith({}) << 0.0 << 0.0;
    QTest::newRow("identical") << maskWith(four) << maskWith(four) << 1.0 << 1.0;
    QTest::newRow("disjoint") << maskWith({ { 0, 0 } }) << maskWith({ { 4, 3 } }) << 0.0 << 0.0;
    // |A| = 4, |B| = 6, overlap 2: dice 4/10, iou 2/8.
    QTest::newRow("partial") << maskWith(four) << maskWith(six) << 0.4 << 0.25;
    QTest::newRow("any nonzero is inside") << maskWith(four, 1) << maskWith(four, 2) << 1.0 << 1.0;
    const cv::Mat big = cv::Mat::zeros(10, 10, CV_8UC1);
    big(cv::Rect(2, 2, 3, 3)).setTo(255);
    QTest::newRow("views into larger images")
        << cv::Mat(big(cv::Rect(1, 1, 4, 4))) << cv::Mat(big(cv::Rect(2, 2, 4, 4))) << 8.0 / 18.0
        << 4.0 / 14.0;
}

void TestAgreement::maskOverlap()
{
    QFETCH(cv::Mat, a);
    QFETCH(cv::Mat, b);
    QFETCH(double, dice);
    QFETCH(double, iou);
    QVERIFY(MaskAgreement::dice(a, b));
    QVERIFY(std::abs(*MaskAgreement::dice(a, b) - dice) < 1e-15);
    QVERIFY(std::abs(*MaskAgreement::iou(a, b) - iou) < 1e-15);
    QCOMPARE(*MaskAgreement::dice(b, a), *MaskAgreement::dice(a, b));
}

void TestAgreement::maskInvalid()
{
    QVERIFY(!MaskAgreement::dice(cv::Mat::zeros(4, 4, CV_8UC1), cv::Mat::zeros(4, 5, CV_8UC1)));
    QVERIFY(!MaskAgreement::iou(cv::Mat::zeros(4, 4, CV_8UC1), cv::Mat::zeros(4, 4, CV_8UC3)));
    QVERIFY(!MaskAgreement::iou(cv::Mat::zeros(4, 4, CV_16UC1), cv::Mat::zeros(4, 4, CV_16UC1)));
}

void TestAgreement::stratification()
{
    QString error;
    const std::optional<QList<RatingTable>> tables = RatingsFile::read(
        dataPath(u"unequal_counts.csv"_s), &error, { { u"fitzpatrick"_s, MeasureLevel::Ordinal } });
    QVERIFY2(tables, qPrintable(error));
    const RatingTable &table = tables->at(0);

    // imgN -> "I" / "II" / "III" by N % 3; every tenth item has no group.
    const QStringList names { u"I"_s, u"II"_s, u"III"_s };
    QHash<QString, QString> groupOf;
    QHash<QString, qsizetype> expectedSize;
    qsizetype unassigned = 0;
    for (const QString &item : table.items()) {
        const int n = item.mid(3).toInt();
        if (n % 10 == 0) {
            ++unassigned;
            continue;
        }
        groupOf.insert(item, names.at(n % 3));
        ++expectedSize[names.at(n % 3)];
    }
    groupOf.insert(u"not_in_table"_s, u"IV"_s); // ignored: only the table's items count

    const std::optional<StratifiedAgreement> result
        = AgreementCalculator().computeStratified(table, groupOf, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(result->field, u"fitzpatrick"_s);
    QCOMPARE(result->unassignedItems, unassigned);
    QCOMPARE(result->groups.size(), 3);
    qsizetype total = unassigned;
    for (qsizetype g = 0; g < 3; ++g) {
        const GroupAgreement &group = result->groups.at(g);
        QCOMPARE(group.group, names.at(g));
        QCOMPARE(group.size, expectedSize.value(group.group));
        total += group.size;
        QVERIFY(group.agreement.items > 0 && group.agreement.items <= group.size);

        // Each group equals the whole computation on that group's ratings alone.
        RatingTable sub(table.field(), table.level());
        for (qsizetype i = 0; i < table.ratingCount(); ++i) {
            const QString item = table.items().at(table.itemOf().at(i));
            if (groupOf.value(item) == group.group)
                sub.add(
                    item, table.raters().at(table.raterOf().at(i)), table.values().at(table.valueOf().at(i)));
        }
        QCOMPARE(sub.itemCount(), group.size);
        const std::optional<FieldAgreement> alone = AgreementCalculator().compute(sub);
        QVERIFY(alone);
        QCOMPARE(group.agreement.items, alone->items);
        QCOMPARE(group.agreement.raters, alone->raters);
        const QString diff
            = compareJson(AgreementReport::toJson(group.agreement), AgreementReport::toJson(*alone), 1e-12);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }
    QCOMPARE(total, table.itemCount());

    const QJsonObject json = AgreementReport::toJson(*result);
    QCOMPARE(json.value(u"unassigned_items"_s).toInteger(), unassigned);
    QCOMPARE(json.value(u"groups"_s).toArray().at(1).toObject().value(u"group"_s).toString(), u"II"_s);
    QCOMPARE(json.value(u"groups"_s).toArray().at(1).toObject().value(u"size"_s).toInteger(),
        expectedSize.value(u"II"_s));
}

void TestAgreement::jsonShapeAndOrdering()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"ratings.csv"_s);
    QVERIFY(writeText(path,
        "item,rater,field,value\n"
        "i1,b,zeta,x\ni1,a,zeta,x\ni1,C,zeta,y\n"
        "i2,b,zeta,y\ni2,a,zeta,x\ni2,C,zeta,y\n"
        "i1,b,alpha,1\ni1,a,alpha,2\n"
        "i2,b,alpha,2\ni2,a,alpha,2\n"
        "i3,b,alpha,3\ni3,a,alpha,1\n"));
    QString error;
    const QJsonObject report
        = AgreementReport::fromRatingsCsv(path, { { u"alpha"_s, MeasureLevel::Ordinal } }, &error);
    QVERIFY2(!report.isEmpty(), qPrintable(error));
    QCOMPARE(report.keys(), QStringList { u"fields"_s });
    const QJsonArray fields = report.value(u"fields"_s).toArray();
    QCOMPARE(fields.size(), 2);

    const QJsonObject alpha = fields.at(0).toObject();
    QCOMPARE(alpha.value(u"field"_s).toString(), u"alpha"_s);
    QCOMPARE(alpha.value(u"level"_s).toString(), u"ordinal"_s);
    QCOMPARE(alpha.value(u"items"_s).toInteger(), 3);
    QVERIFY(alpha.value(u"fleiss_kappa"_s).isDouble());
    QCOMPARE(alpha.keys(),
        (QStringList { u"field"_s, u"fleiss_kappa"_s, u"items"_s, u"krippendorff_alpha"_s, u"level"_s,
            u"pairs"_s, u"percent_agreement"_s }));
    const QJsonObject alphaPair = alpha.value(u"pairs"_s).toArray().at(0).toObject();
    QCOMPARE(alphaPair.keys(),
        (QStringList { u"cohen_kappa"_s, u"cohen_kappa_linear"_s, u"cohen_kappa_quadratic"_s, u"items"_s,
            u"rater_a"_s, u"rater_b"_s }));
    QCOMPARE(alphaPair.value(u"rater_a"_s).toString(), u"a"_s);
    QCOMPARE(alphaPair.value(u"rater_b"_s).toString(), u"b"_s);

    const QJsonObject zeta = fields.at(1).toObject();
    QCOMPARE(zeta.value(u"field"_s).toString(), u"zeta"_s);
    QCOMPARE(zeta.value(u"level"_s).toString(), u"nominal"_s);
    QVERIFY(std::abs(zeta.value(u"percent_agreement"_s).toDouble() - 1.0 / 3.0) < 1e-15);
    const QJsonArray pairs = zeta.value(u"pairs"_s).toArray();
    QCOMPARE(pairs.size(), 3);
    const QStringList expectedOrder { u"C/a"_s, u"C/b"_s, u"a/b"_s }; // "C" < "a" as strings
    for (qsizetype i = 0; i < pairs.size(); ++i) {
        const QJsonObject pair = pairs.at(i).toObject();
        QCOMPARE(pair.value(u"rater_a"_s).toString() + u'/' + pair.value(u"rater_b"_s).toString(),
            expectedOrder.at(i));
        QCOMPARE(pair.keys(), (QStringList { u"cohen_kappa"_s, u"items"_s, u"rater_a"_s, u"rater_b"_s }));
        QCOMPARE(pair.value(u"items"_s).toInteger(), 2);
    }
    // C/a: C = y y, a = x x -> two labels, no agreement, chance 0 -> kappa 0.
    QCOMPARE(pairs.at(0).toObject().value(u"cohen_kappa"_s).toDouble(), 0.0);
    // a/b: a = x x, b = x y -> kappa 0.
    QCOMPARE(pairs.at(2).toObject().value(u"cohen_kappa"_s).toDouble(), 0.0);
    // C/b: C = y y, b = x y -> 1 of 2 agree, chance (0 * 1 + 2 * 1) / 4 = 0.5 -> 0.
    QCOMPARE(pairs.at(1).toObject().value(u"cohen_kappa"_s).toDouble(), 0.0);

    // Undefined values are JSON null, not NaN; the text form parses back.
    QJsonObject withNull = AgreementReport::toJson(QList<FieldAgreement> { FieldAgreement {} });
    const QJsonObject empty = withNull.value(u"fields"_s).toArray().at(0).toObject();
    QVERIFY(empty.value(u"fleiss_kappa"_s).isNull());
    QVERIFY(empty.value(u"krippendorff_alpha"_s).isNull());
    QVERIFY(empty.value(u"percent_agreement"_s).isNull());
    const QByteArray text = QJsonDocument(report).toJson();
    QCOMPARE(QJsonDocument::fromJson(text).object(), report);
}

void TestAgreement::notANumber_data()
{
    QTest::addColumn<MeasureLevel>("level");
    QTest::addColumn<QString>("value");
    QTest::newRow("ordinal word") << MeasureLevel::Ordinal << u"moderate"_s;
    QTest::newRow("interval word") << MeasureLevel::Interval << u"FST3"_s;
    QTest::newRow("not finite") << MeasureLevel::Ordinal << u"inf"_s;
}

void TestAgreement::notANumber()
{
    QFETCH(MeasureLevel, level);
    QFETCH(QString, value);
    const RatingTable table = tableOf(u"severity"_s, level,
        { { u"img1"_s, u"a"_s, u"2"_s }, { u"img1"_s, u"b"_s, u"3"_s }, { u"img7"_s, u"b"_s, value },
            { u"img7"_s, u"c"_s, u"1"_s } });
    QString error;
    QVERIFY(!AgreementCalculator().compute(table, &error));
    QVERIFY2(error.contains(u"\"severity\""_s) && error.contains(u"\"img7\""_s)
            && error.contains(u'"' + value + u'"') && error.contains(measureLevelName(level)),
        qPrintable(error));
    error.clear();
    QVERIFY(!AgreementCalculator().computeStratified(table, {}, &error));
    QVERIFY(error.contains(u"\"img7\""_s));

    // Through the report the message starts with the file.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"r.csv"_s);
    QVERIFY(writeText(
        path, "item,rater,field,value\nimg1,a,severity,2\nimg7,b,severity," + value.toUtf8() + "\n"));
    const QJsonObject report = AgreementReport::fromRatingsCsv(path, { { u"severity"_s, level } }, &error);
    QVERIFY(report.isEmpty());
    QVERIFY2(error.startsWith(path) && error.contains(u"\"img7\""_s), qPrintable(error));

    // Fine as nominal.
    RatingTable nominal = table;
    nominal.setLevel(MeasureLevel::Nominal);
    QVERIFY(AgreementCalculator().compute(nominal));
}

void TestAgreement::ratingTable()
{
    RatingTable table(u"f"_s, MeasureLevel::Ordinal);
    QCOMPARE(table.field(), u"f"_s);
    QCOMPARE(table.level(), MeasureLevel::Ordinal);
    QVERIFY(table.add(u"i1"_s, u"r1"_s, u"2"_s));
    QVERIFY(table.add(u"i2"_s, u"r1"_s, u"3"_s));
    QVERIFY(table.add(u"i1"_s, u"r2"_s, u"2"_s));
    QVERIFY(!table.add(u"i1"_s, u"r1"_s, u"4"_s)); // already rated
    QVERIFY(!table.add(u"i3"_s, u"r1"_s, QString())); // missing
    QCOMPARE(table.ratingCount(), 3);
    QCOMPARE(table.itemCount(), 2);
    QCOMPARE(table.raterCount(), 2);
    QCOMPARE(table.valueCount(), 2);
    QCOMPARE(table.itemId(u"i2"_s), 1);
    QCOMPARE(table.itemId(u"i3"_s), -1);
    QCOMPARE(table.valueOf(), (QList<qint32> { 0, 1, 0 }));
    QCOMPARE(table.raterOf(), (QList<qint32> { 0, 0, 1 }));
    QVERIFY(table.contains(u"i1"_s, u"r2"_s));
    QVERIFY(!table.contains(u"i2"_s, u"r2"_s));
    QCOMPARE(measureLevelFromName(u"Interval"_s), MeasureLevel::Interval);
    QVERIFY(!measureLevelFromName(u"ratio"_s));
}

void TestAgreement::ratingsFileErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("header order") << QByteArray("item,rater,value,field\ni,r,f,v\n") << u"header"_s;
    QTest::newRow("extra column") << QByteArray("item,rater,field,value,note\ni,r,f,v,\n") << u"header"_s;
    QTest::newRow("rated twice") << QByteArray("item,rater,field,value\ni,r,f,a\ni,s,f,a\ni,r,f,b\n")
                                 << u"line 4: rater \"r\" already rated item \"i\" for field \"f\""_s;
    QTest::newRow("no rater") << QByteArray("item,rater,field,value\ni,r,f,a\ni,,f,a\n") << u"line 3"_s;
}

void TestAgreement::ratingsFileErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"r.csv"_s);
    QVERIFY(writeText(path, text));
    QString error;
    QVERIFY(!RatingsFile::read(path, &error));
    QVERIFY2(error.contains(message) && error.startsWith(path), qPrintable(error));
    QVERIFY(AgreementReport::fromRatingsCsv(path, {}, &error).isEmpty());
}

void TestAgreement::ratingsFileRoundTrip()
{
    // Quoted values, missing values skipped, fields sorted, levels applied.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"r.csv"_s);
    QVERIFY(writeText(path,
        "item,rater,field,value\r\n"
        "i1,r1,dx,\"Tinea, corporis\"\r\n"
        "i1,r2,dx,\"Naevus \"\"blue\"\"\"\r\n"
        "i1,r3,dx,\r\n"
        "i1,r1,fst,2\r\n"));
    QString error;
    std::optional<QList<RatingTable>> tables
        = RatingsFile::read(path, &error, { { u"fst"_s, MeasureLevel::Ordinal } });
    QVERIFY2(tables, qPrintable(error));
    QCOMPARE(tables->size(), 2);
    QCOMPARE(tables->at(0).field(), u"dx"_s);
    QCOMPARE(tables->at(0).level(), MeasureLevel::Nominal);
    QCOMPARE(tables->at(0).values(), (QStringList { u"Tinea, corporis"_s, u"Naevus \"blue\""_s }));
    QCOMPARE(tables->at(0).ratingCount(), 2);
    QCOMPARE(tables->at(1).level(), MeasureLevel::Ordinal);

    const QString copy = dir.filePath(u"copy.csv"_s);
    QVERIFY2(RatingsFile::write(copy, *tables, &error), qPrintable(error));
    const std::optional<QList<RatingTable>> again = RatingsFile::read(copy, &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->at(0).values(), tables->at(0).values());
    QCOMPARE(again->at(0).itemOf(), tables->at(0).itemOf());
    QCOMPARE(again->at(1).ratingCount(), 1);
}

void TestAgreement::ratingsFileStreamedAsParsed_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("plain") << QByteArray("item,rater,field,value\ni1,r1,dx,a\ni1,r2,dx,b\ni2,r1,dx,a\ni1,r1,fst,2\n"
                                         "i2,r2,dx,a\ni2,r2,fst,3\n");
    QTest::newRow("quoted and escaped")
        << QByteArray("\xEF\xBB\xBF item , rater,field ,value\r\n\"i1\",r1,dx,\"Tinea, corporis\"\r\n"
                      "i1,\"r\"\"2\",dx,\"Naevus \"\"blue\"\"\"\r\n\r\n  \r\n\"i2\"x,r1,\"d\"\"x\",\"two\r\nlines\"\r\n"
                      "i2,r1,dx,\"a\"tail\ni3,r1,dx,\xC3\xA9\xE2\x80\x94\ni3,r2,dx,\xC3\xA9\xE2\x80\x94");
    QTest::newRow("short rows and empty values")
        << QByteArray("item,rater,field,value\ni1,r1,dx\ni1,r2\ni1,r3,dx,\ni1,r4,dx,v\ri2,r4,dx,\"\"\r");
    QTest::newRow("same bytes in another column") << QByteArray("item,rater,field,value\nx,x,x,x\ny,x,x,y\nx,y,y,x\n");
    QTest::newRow("rated twice") << QByteArray("item,rater,field,value\ni,r,f,a\ni,s,f,a\ni,r,f,b\n");
    QTest::newRow("rated twice, quoted") << QByteArray("item,rater,field,value\ni,r,f,a\n\"i\",\"r\",\"f\",\"b\"\n");
    QTest::newRow("no field") << QByteArray("item,rater,field,value\ni,r,f,a\ni,r2,,a\n");
    QTest::newRow("long row") << QByteArray("item,rater,field,value\ni,r,f,a,b\n");
    QTest::newRow("unterminated") << QByteArray("item,rater,field,value\ni,r,f,\"a\n");
    QTest::newRow("invalid UTF-8") << QByteArray("item,rater,field,value\ni,r,f,\xC3\n");
    QTest::newRow("wrong header") << QByteArray("item,rater,value\ni,r,a\n");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("blank only") << QByteArray("\n \n");
}

void TestAgreement::ratingsFileStreamedAsParsed()
{
    // read() interns straight from the bytes; it must give what parsing the whole table gives,
    // tables and messages alike.
    QFETCH(QByteArray, text);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"r.csv"_s);
    QVERIFY(writeText(path, text));
    const QHash<QString, MeasureLevel> levels { { u"fst"_s, MeasureLevel::Ordinal } };
    QString streamedError, parsedError;
    const std::optional<QList<RatingTable>> streamed = RatingsFile::read(path, &streamedError, levels);
    std::optional<QList<RatingTable>> parsed;
    if (const std::optional<CsvTable> csv = CsvReader::readFile(path, &parsedError))
        parsed = RatingsFile::fromCsv(*csv, path, &parsedError, levels);
    QCOMPARE(streamedError, parsedError);
    QCOMPARE(streamed.has_value(), parsed.has_value());
    if (!parsed)
        return;
    QCOMPARE(streamed->size(), parsed->size());
    for (qsizetype t = 0; t < parsed->size(); ++t) {
        const RatingTable &a = streamed->at(t);
        const RatingTable &b = parsed->at(t);
        QCOMPARE(a.field(), b.field());
        QCOMPARE(a.level(), b.level());
        QCOMPARE(a.items(), b.items());
        QCOMPARE(a.raters(), b.raters());
        QCOMPARE(a.values(), b.values());
        QCOMPARE(a.itemOf(), b.itemOf());
        QCOMPARE(a.raterOf(), b.raterOf());
        QCOMPARE(a.valueOf(), b.valueOf());
        for (const QString &item : b.items())
            QCOMPARE(a.itemId(item), b.itemId(item));
    }
}

void TestAgreement::levelForUnknownField()
{
    QString error;
    const QJsonObject report = AgreementReport::fromRatingsCsv(
        dataPath(u"degenerate.csv"_s), { { u"nonexistent"_s, MeasureLevel::Ordinal } }, &error);
    QVERIFY(report.isEmpty());
    QVERIFY2(error.contains(u"nonexistent"_s), qPrintable(error));
}

void TestAgreement::diagnoses()
{
    DiagnosisTable table;
    QVERIFY(table.add(u"i1"_s, u"a"_s, { u"E"_s, u"P"_s, u"T"_s }));
    QVERIFY(table.add(u"i1"_s, u"b"_s, { u"E"_s, u"T"_s }));
    QVERIFY(table.add(u"i1"_s, u"c"_s, { u"P"_s }));
    QVERIFY(table.add(u"i2"_s, u"a"_s, { u"X"_s, u"X"_s })); // repeat dropped: {X}
    QVERIFY(table.add(u"i2"_s, u"b"_s, { u"Y"_s, u"X"_s, u"Q"_s, u"R"_s })); // only the first three
    QVERIFY(table.add(u"i3"_s, u"a"_s, { u"Z"_s })); // alone: not compared
    QVERIFY(!table.add(u"i3"_s, u"b"_s, {}));
    QVERIFY(!table.add(u"i1"_s, u"a"_s, { u"E"_s }));
    QCOMPARE(table.rankedOf().at(3)[1], -1);
    QCOMPARE(table.rankedOf().at(4)[2], table.conditions().indexOf(u"Q"_s));

    const DiagnosisAgreement result = DiagnosisAgreementCalculator::compute(table);
    QCOMPARE(result.items, 2);
    QCOMPARE(result.pairs.size(), 3);
    // a/b: i1 same first (E), overlap {E,T} 2 / min(3, 2) = 1 (Jaccard would be 2/3);
    //      i2 X vs Y, overlap {X} 1 / min(1, 3) = 1.
    const DiagnosisPairAgreement &ab = result.pairs.at(0);
    QCOMPARE(ab.raterA + ab.raterB, u"ab"_s);
    QCOMPARE(ab.items, 2);
    QCOMPARE(ab.top1Agreement, 0.5);
    QCOMPARE(ab.top3Overlap, 1.0);
    const DiagnosisPairAgreement &ac = result.pairs.at(1);
    QCOMPARE(ac.raterA + ac.raterB, u"ac"_s);
    QCOMPARE(ac.items, 1);
    QCOMPARE(ac.top1Agreement, 0.0);
    QCOMPARE(ac.top3Overlap, 1.0); // {P} is in a's list
    const DiagnosisPairAgreement &bc = result.pairs.at(2);
    QCOMPARE(bc.raterA + bc.raterB, u"bc"_s);
    QCOMPARE(bc.top3Overlap, 0.0);
    // Overall: i1 (1 + 0 + 0) / 3 and (1 + 1 + 0) / 3, i2 0 and 1.
    QVERIFY(std::abs(*result.top1Agreement - 1.0 / 6.0) < 1e-15);
    QVERIFY(std::abs(*result.top3Overlap - 5.0 / 6.0) < 1e-15);

    QVERIFY(!DiagnosisAgreementCalculator::compute(DiagnosisTable()).top1Agreement);
}

QTEST_GUILESS_MAIN(TestAgreement)
#include "tst_agreement.moc"
