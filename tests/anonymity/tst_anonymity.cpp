// SPDX-License-Identifier: GPL-3.0-or-later
// The release gate generalises before it suppresses, over people: hierarchies (format, refusals,
// the shipped ones), hand-computed lattices, the chosen node against a brute force written here,
// cases with several images, l-diversity, and a demo store's bundle recounted from consensus.csv.
#include "anonymity/Anonymiser.h"
#include "anonymity/Hierarchy.h"
#include "annotation/AssignmentService.h"
#include "demo/DemoDataset.h"
#include "demo/DemoRatings.h"
#include "import/ImportService.h"
#include "release/BundleExporter.h"
#include "release/ReleaseGate.h"
#include "store/Store.h"
#include "store/UserRepository.h"
#include "text/CsvReader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <numeric>

using namespace Qt::StringLiterals;
using namespace dl;

class TestAnonymity : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void hierarchyFormat();
    void hierarchyRefusals();
    void shippedHierarchies();
    void handComputedLattice();
    void pinnedLevel();
    void limitTradesSuppressionForDetail();
    void chosenNodeEqualsBruteForce();
    void casesAreCountedOnce();
    void caseWhoseImagesDisagree();
    void lDiversityHoldsBackAGroup();
    void uncoveredValueIsRefused();
    void kOneTurnsTheGateOff();
    void conditionGeneralisedOnlyWhenAllowed();
    void demoBundleRecount();

private:
    QString write(const QString &name, const QByteArray &text);
    AnonymityOptions smallOptions() const;
    static QList<PersonRecord> smallTable();

    QTemporaryDir m_dir;
};

void TestAnonymity::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

QString TestAnonymity::write(const QString &name, const QByteArray &text)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(text);
    return path;
}

void TestAnonymity::hierarchyFormat()
{
    QString error;
    const auto h = Hierarchy::parse("value,decade,any\n21,20-29,*\n25,20-29,*\n33,30-39,*\nunknown,unknown,*\n",
                                    u"age_group"_s, u"test"_s, &error);
    QVERIFY2(h, qPrintable(error));
    QCOMPARE(h->height(), 2);
    QCOMPARE(h->levelName(0), u"as recorded"_s);
    QCOMPARE(h->levelName(1), u"decade"_s);
    QCOMPARE(h->generalise(u"25"_s, 0).value_or(QString()), u"25"_s);
    QCOMPARE(h->generalise(u"25"_s, 1).value_or(QString()), u"20-29"_s);
    QCOMPARE(h->generalise(u" 33 "_s, 2).value_or(QString()), u"*"_s);
    QCOMPARE(h->generalise(u"UNKNOWN"_s, 1).value_or(QString()), u"unknown"_s); // without regard to case
    QVERIFY(!h->generalise(u"44"_s, 1));
    QVERIFY(!h->covers(u"44"_s));
    QVERIFY(Hierarchy::flat(u"condition"_s).covers(u"anything"_s));
    QCOMPARE(Hierarchy::flat(u"condition"_s).height(), 0);
}

void TestAnonymity::hierarchyRefusals()
{
    QString error;
    QVERIFY(!Hierarchy::parse("value,decade\n21,20-29\n21,20-29\n", u"a"_s, u"twice.csv"_s, &error));
    QVERIFY2(error.contains(u"twice.csv"_s) && error.contains(u"\"21\" is listed twice"_s), qPrintable(error));
    QVERIFY(!Hierarchy::parse("value,decade,any\n21,20-29,*\n25,20-29,adult\n", u"a"_s, u"x.csv"_s, &error));
    QVERIFY2(error.contains(u"\"20-29\" generalises to both"_s) && error.contains(u"line 3"_s), qPrintable(error));
    QVERIFY(!Hierarchy::parse("value,decade\n21,\n", u"a"_s, u"x.csv"_s, &error));
    QVERIFY2(error.contains(u"every level needs a value"_s), qPrintable(error));
    QVERIFY(!Hierarchy::parse("value\n21\n", u"a"_s, u"x.csv"_s, &error));
    QVERIFY(!Hierarchy::load(m_dir.filePath(u"missing.csv"_s), u"a"_s, &error));
    QVERIFY2(error.contains(u"missing.csv"_s), qPrintable(error));
}

void TestAnonymity::shippedHierarchies()
{
    // Heights as documented, and every value the importers and the demo write is covered.
    const QHash<QString, int> heights {{u"age_group"_s, 3}, {u"sex_at_birth"_s, 1}, {u"skin_type"_s, 2},
                                       {u"body_site"_s, 2}, {u"country"_s, 2},      {u"condition_duration"_s, 2}};
    const QHash<QString, QStringList> values {
        {u"age_group"_s, {u"AGE_0_TO_2"_s, u"AGE_3_TO_11"_s, u"AGE_12_TO_17"_s, u"AGE_18_TO_29"_s, u"AGE_30_TO_39"_s,
                          u"AGE_40_TO_49"_s, u"AGE_50_TO_59"_s, u"AGE_50_TO_64"_s, u"AGE_60_TO_69"_s, u"AGE_65_TO_74"_s,
                          u"AGE_70_TO_79"_s, u"AGE_75_TO_84"_s, u"AGE_80_OR_ABOVE"_s, u"AGE_85_PLUS"_s,
                          u"AGE_UNKNOWN"_s, u"unknown"_s}},
        {u"sex_at_birth"_s, {u"female"_s, u"male"_s, u"other"_s, u"unknown"_s}},
        {u"skin_type"_s, {u"FST1"_s, u"FST6"_s, u"NONE_IDENTIFIED"_s, u"NONE_SELECTED"_s, u"unknown"_s}},
        {u"body_site"_s, {u"head_or_neck"_s, u"arm"_s, u"palm"_s, u"back_of_hand"_s, u"torso_front"_s,
                          u"torso_back"_s, u"genitalia_or_groin"_s, u"buttocks"_s, u"leg"_s, u"foot_top_or_side"_s,
                          u"foot_sole"_s, u"other"_s, u"torso"_s, u"back"_s, u"pelvic"_s, u"hand"_s, u"hair"_s,
                          u"face"_s, u"foot"_s, u"unknown"_s}},
        {u"country"_s, {u"Malawi"_s, u"Tanzania"_s, u"Guinea"_s, u"Kenya"_s, u"KE"_s, u"NG"_s, u"unknown"_s}},
        {u"condition_duration"_s, {u"ONE_DAY"_s, u"MORE_THAN_FIVE_YEARS"_s, u"UNKNOWN"_s, u"unknown"_s}},
    };
    for (const QString &column : QuasiIdentifiers::demographic()) {
        QString error;
        const auto h = Hierarchy::load(QuasiIdentifiers::shippedHierarchy(column), column, &error);
        QVERIFY2(h, qPrintable(error));
        QCOMPARE(h->height(), heights.value(column));
        for (const QString &v : values.value(column))
            QVERIFY2(h->covers(v), qPrintable(column + u": "_s + v));
        // The top level is one value for everything.
        QSet<QString> top;
        for (const QString &v : values.value(column))
            top.insert(*h->generalise(v, h->height()));
        QCOMPARE(top.size(), 1);
    }
    QString error;
    const auto age = Hierarchy::load(QuasiIdentifiers::shippedHierarchy(u"age_group"_s), u"age_group"_s, &error);
    QCOMPARE(age->generalise(u"AGE_30_TO_39"_s, 1).value_or(QString()), u"AGE_18_TO_39"_s);
    QCOMPARE(age->generalise(u"AGE_70_TO_79"_s, 2).value_or(QString()), u"OLDER_ADULT"_s);
    const auto site = Hierarchy::load(QuasiIdentifiers::shippedHierarchy(u"body_site"_s), u"body_site"_s, &error);
    QCOMPARE(site->generalise(u"foot_sole"_s, 1).value_or(QString()), u"hands_and_feet"_s);
}

/// Two quasi-identifiers with small hierarchies of the test's own (age: value, decade, any;
/// sex: value, any), k = 2, l = 2, limit 25 %.
AnonymityOptions TestAnonymity::smallOptions() const
{
    AnonymityOptions o;
    o.k = 2;
    o.l = 2;
    o.suppressionLimit = 0.25;
    o.columns = {u"age_group"_s, u"sex_at_birth"_s};
    o.hierarchyFiles = {{u"age_group"_s, m_dir.filePath(u"age.csv"_s)}, {u"sex_at_birth"_s, m_dir.filePath(u"sex.csv"_s)}};
    return o;
}

QList<PersonRecord> TestAnonymity::smallTable()
{
    auto p = [](const QString &id, const QString &age, const QString &sex, const QString &condition) {
        return PersonRecord {id, {{u"age_group"_s, {age}}, {u"sex_at_birth"_s, {sex}}}, {condition}};
    };
    return {p(u"P1"_s, u"21"_s, u"f"_s, u"A"_s), p(u"P2"_s, u"25"_s, u"f"_s, u"B"_s), p(u"P3"_s, u"21"_s, u"m"_s, u"A"_s),
            p(u"P4"_s, u"25"_s, u"m"_s, u"B"_s), p(u"P5"_s, u"33"_s, u"f"_s, u"A"_s), p(u"P6"_s, u"38"_s, u"f"_s, u"B"_s),
            p(u"P7"_s, u"33"_s, u"m"_s, u"A"_s), p(u"P8"_s, u"38"_s, u"m"_s, u"C"_s)};
}

void TestAnonymity::handComputedLattice()
{
    QVERIFY(!write(u"age.csv"_s, "value,decade,any\n21,20-29,*\n25,20-29,*\n33,30-39,*\n38,30-39,*\nunknown,unknown,*\n").isEmpty());
    QVERIFY(!write(u"sex.csv"_s, "value,any\nf,*\nm,*\nunknown,*\n").isEmpty());
    // By hand, held back (of 8 people, at most 2 allowed) per node (age level, sex level):
    //   (0,0) 8, (1,0) 8: every class has one person;
    //   (0,1) 8: 38/C and 38/B alone (k), the ages 21, 25, 33 each hold one condition (l);
    //   (1,1) 4: 30-39 holds B and C alone (k), then only A (l);
    //   (2,0) 4: male B and C alone (k), then only A (l);
    //   (2,1) 1: C alone. The only node within the limit:
    //   loss = 0.5 x (2/2 + 1/1) / 2 + 0.5 x 1/8 = 0.5625.
    const AnonymityResult r = Anonymiser::run(smallTable(), smallOptions());
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.nodes, 6);
    QCOMPARE(r.nodesWithinLimit, 1);
    QCOMPARE(r.allowedSuppressed, 2);
    QCOMPARE(r.chosen.levels, (QList<int> {2, 1, 0}));
    QCOMPARE(r.chosen.suppressed, 1);
    QCOMPARE(r.suppressed.keys(), QStringList {u"P8"_s});
    QCOMPARE(r.suppressed.value(u"P8"_s), Suppression::KAnonymity);
    QVERIFY(qFuzzyCompare(r.chosen.loss, 0.5625));
    QCOMPARE(r.chosen.classes, 2);
    QCOMPARE(r.released.value(u"P1"_s).value(u"age_group"_s), u"*"_s);
    QCOMPARE(r.columns.at(0).levelName, u"any"_s);
    // What blocks the finer levels, counted: age as decades (1,1) and sex as itself (2,0) each
    // hold back 4; two classes of one person need one more person each; one group lacks a condition.
    QCOMPARE(r.blocking.size(), 2);
    QVERIFY2(r.blocking.at(0).startsWith(u"age group (decade) would hold back 4 of 8 people (the limit is 2)"_s),
             qPrintable(r.blocking.at(0)));
    QVERIFY2(r.blocking.at(0).contains(u"2 groups of people with the same values and condition have fewer than 2 "
                                       u"people and need about 2 more people"_s),
             qPrintable(r.blocking.at(0)));
    QVERIFY2(r.blocking.at(0).contains(u"1 groups with the same demographics have fewer than 2 distinct conditions"_s),
             qPrintable(r.blocking.at(0)));
    QVERIFY2(r.blocking.at(1).startsWith(u"sex at birth (as recorded) would hold back 4 of 8 people"_s),
             qPrintable(r.blocking.at(1)));
    const QJsonObject json = r.toJson();
    QCOMPARE(json.value(u"people_held_back"_s).toInt(), 1);
    QCOMPARE(json.value(u"quasi_identifiers"_s).toArray().at(0).toObject().value(u"level"_s).toInt(), 2);
}

void TestAnonymity::pinnedLevel()
{
    // Age at most decades: no node keeps within the limit, so the one holding back the fewest
    // people among (a <= 1) is taken: (1,1) with 4 (tie with none: (1,0) holds back 8).
    AnonymityOptions o = smallOptions();
    o.maxLevel.insert(u"age_group"_s, 1);
    const AnonymityResult r = Anonymiser::run(smallTable(), o);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.nodes, 4);
    QCOMPARE(r.columns.at(0).maxLevel, 1);
    QCOMPARE(r.chosen.levels, (QList<int> {1, 1, 0}));
    QVERIFY(!r.chosen.withinLimit);
    QCOMPARE(r.suppressed.value(u"P5"_s), Suppression::LDiversity);
    QCOMPARE(r.suppressed.value(u"P7"_s), Suppression::LDiversity);
    QCOMPARE(r.suppressed.value(u"P6"_s), Suppression::KAnonymity);
    QCOMPARE(r.suppressed.value(u"P8"_s), Suppression::KAnonymity);
    QCOMPARE(r.suppressed.size(), 4);
    QCOMPARE(r.released.value(u"P1"_s).value(u"age_group"_s), u"20-29"_s);
}

void TestAnonymity::limitTradesSuppressionForDetail()
{
    // With half the people allowed: (1,1) 0.5 x 0.75 + 0.5 x 0.5 = 0.625, (2,0) 0.5 x 0.5 + 0.25
    // = 0.5, (2,1) 0.5625: sex is kept, four people are held back.
    AnonymityOptions o = smallOptions();
    o.suppressionLimit = 0.5;
    const AnonymityResult r = Anonymiser::run(smallTable(), o);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.nodesWithinLimit, 3);
    QCOMPARE(r.chosen.levels, (QList<int> {2, 0, 0}));
    QVERIFY(qFuzzyCompare(r.chosen.loss, 0.5));
    QCOMPARE(r.released.value(u"P2"_s).value(u"sex_at_birth"_s), u"f"_s);
    QStringList held = r.suppressed.keys();
    held.sort();
    QCOMPARE(held, (QStringList {u"P3"_s, u"P4"_s, u"P7"_s, u"P8"_s}));
}

namespace {

struct BruteNode
{
    QList<int> levels;
    QSet<QString> held;
    double loss = 0;
    bool within = false;
};

QString joinedSet(const Hierarchy &h, QStringList values, int level)
{
    if (values.isEmpty())
        values = {u"unknown"_s};
    QStringList out;
    for (const QString &v : values)
        out.append(h.generalise(v.isEmpty() ? u"unknown"_s : v, level).value());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out.join(u"; "_s);
}

/// The documented rule, written out plainly over strings.
BruteNode bruteForce(const QList<PersonRecord> &people, const QList<Hierarchy> &hs, const QStringList &columns,
                     int k, int l, double limit)
{
    QList<QList<int>> nodes {{}};
    for (const Hierarchy &h : hs) {
        QList<QList<int>> next;
        for (const QList<int> &n : nodes) {
            for (int level = 0; level <= h.height(); ++level)
                next.append(n + QList<int> {level});
        }
        nodes = next;
    }
    const int allowed = int(std::floor(limit * people.size() + 1e-9));
    std::optional<BruteNode> best;
    for (const QList<int> &levels : nodes) {
        QMap<QString, QStringList> classes; // demographics + condition -> people
        QHash<QString, QString> demographicsOf, conditionOf;
        for (const PersonRecord &p : people) {
            QStringList key;
            for (qsizetype c = 0; c < columns.size(); ++c)
                key.append(joinedSet(hs.at(c), p.values.value(columns.at(c)), levels.at(c)));
            QStringList conditions;
            for (const QString &c : p.conditions) {
                if (!c.isEmpty())
                    conditions.append(c);
            }
            conditions.sort();
            conditions.removeDuplicates();
            const QString condition = conditions.isEmpty() ? u"unknown"_s : conditions.join(u"; "_s);
            demographicsOf.insert(p.person, key.join(u'|'));
            conditionOf.insert(p.person, condition);
            classes[key.join(u'|') + u'#' + condition].append(p.person);
        }
        BruteNode node;
        node.levels = levels;
        for (const QStringList &members : std::as_const(classes)) {
            if (members.size() < k)
                node.held.unite(QSet<QString>(members.cbegin(), members.cend()));
        }
        QHash<QString, QSet<QString>> conditionsOfGroup;
        QHash<QString, QStringList> membersOfGroup;
        for (const PersonRecord &p : people) {
            if (node.held.contains(p.person))
                continue;
            membersOfGroup[demographicsOf.value(p.person)].append(p.person);
            if (conditionOf.value(p.person) != u"unknown"_s)
                conditionsOfGroup[demographicsOf.value(p.person)].insert(conditionOf.value(p.person));
        }
        for (auto it = membersOfGroup.cbegin(); it != membersOfGroup.cend(); ++it) {
            if (l > 1 && conditionsOfGroup.value(it.key()).size() < l)
                node.held.unite(QSet<QString>(it->cbegin(), it->cend()));
        }
        double h = 0;
        int n = 0;
        for (qsizetype c = 0; c < hs.size(); ++c) {
            if (hs.at(c).height() > 0) {
                h += double(levels.at(c)) / hs.at(c).height();
                ++n;
            }
        }
        node.loss = 0.5 * (n ? h / n : 0) + 0.5 * double(node.held.size()) / people.size();
        node.within = node.held.size() <= allowed;
        auto sum = [](const QList<int> &v) { return std::accumulate(v.cbegin(), v.cend(), 0); };
        auto better = [&](const BruteNode &a, const BruteNode &b) {
            if (a.within != b.within)
                return a.within;
            if (!a.within && a.held.size() != b.held.size())
                return a.held.size() < b.held.size();
            if (std::abs(a.loss - b.loss) > 1e-12)
                return a.loss < b.loss;
            if (sum(a.levels) != sum(b.levels))
                return sum(a.levels) < sum(b.levels);
            return a.levels < b.levels;
        };
        if (!best || better(node, *best))
            best = node;
    }
    return *best;
}

} // namespace

void TestAnonymity::chosenNodeEqualsBruteForce()
{
    const QStringList columns {u"age_group"_s, u"skin_type"_s, u"body_site"_s};
    QList<Hierarchy> hs;
    for (const QString &column : columns) {
        QString error;
        hs.append(Hierarchy::load(QuasiIdentifiers::shippedHierarchy(column), column, &error).value());
    }
    hs.append(Hierarchy::flat(u"condition"_s));
    const QStringList ages {u"AGE_18_TO_29"_s, u"AGE_30_TO_39"_s, u"AGE_40_TO_49"_s, u"AGE_60_TO_69"_s,
                            u"AGE_80_OR_ABOVE"_s, u"AGE_UNKNOWN"_s};
    const QStringList types {u"FST1"_s, u"FST2"_s, u"FST3"_s, u"FST5"_s, QString()};
    const QStringList sites {u"arm"_s, u"leg"_s, u"palm"_s, u"torso_back"_s, u"torso_front"_s};
    const QStringList conditions {u"eczema"_s, u"psoriasis"_s, u"acne"_s, u"tinea"_s, QString()};
    QRandomGenerator random(20261208);
    int nonTrivial = 0;
    for (int round = 0; round < 40; ++round) {
        const int n = random.bounded(20, 150);
        QList<PersonRecord> people;
        for (int i = 0; i < n; ++i) {
            PersonRecord p;
            p.person = u"P%1"_s.arg(i);
            // Skewed draws, so that some classes are large and some small.
            auto skewed = [&](const QStringList &list) {
                return list.at(std::min(random.bounded(int(list.size())), random.bounded(int(list.size()))));
            };
            p.values.insert(u"age_group"_s, {skewed(ages)});
            p.values.insert(u"skin_type"_s, {skewed(types)});
            QStringList s {skewed(sites)};
            if (random.bounded(5) == 0)
                s.append(skewed(sites));
            p.values.insert(u"body_site"_s, s);
            p.conditions = {skewed(conditions)};
            if (random.bounded(10) == 0)
                p.conditions.append(skewed(conditions)); // a case whose images disagree
            people.append(p);
        }
        AnonymityOptions o;
        o.columns = columns;
        o.k = QList<int> {2, 3, 5}.at(random.bounded(3));
        o.l = QList<int> {1, 2, 3}.at(random.bounded(3));
        o.suppressionLimit = QList<double> {0.0, 0.05, 0.2}.at(random.bounded(3));
        const AnonymityResult r = Anonymiser::run(people, o);
        QVERIFY2(r.ok, qPrintable(r.error));
        const BruteNode expected = bruteForce(people, hs, columns, o.k, o.l, o.suppressionLimit);
        const QString where = u"round %1: n %2, k %3, l %4, limit %5"_s.arg(round).arg(n).arg(o.k).arg(o.l).arg(o.suppressionLimit);
        QVERIFY2(r.chosen.levels == expected.levels, qPrintable(where));
        const QStringList held = r.suppressed.keys();
        QVERIFY2(QSet<QString>(held.cbegin(), held.cend()) == expected.held, qPrintable(where));
        QVERIFY2(std::abs(r.chosen.loss - expected.loss) < 1e-12, qPrintable(where));
        QCOMPARE(r.nodes, 4 * 3 * 3);
        if (std::accumulate(expected.levels.cbegin(), expected.levels.cend(), 0) > 0 && !expected.held.isEmpty())
            ++nonTrivial;
    }
    QVERIFY(nonTrivial >= 5); // the rounds exercise generalisation and suppression together
}

namespace {

ReleaseCandidate candidate(const QString &image, const QString &person, const QString &age, const QString &condition)
{
    ReleaseCandidate c;
    c.imageName = image;
    c.raters = 3;
    c.person = person;
    c.demographics = {{u"age_group"_s, {age}}, {u"sex_at_birth"_s, {u"female"_s}}, {u"skin_type"_s, {u"FST3"_s}},
                      {u"body_site"_s, {u"arm"_s}}, {u"country"_s, {}}};
    c.condition = condition;
    return c;
}

} // namespace

void TestAnonymity::casesAreCountedOnce()
{
    // Eczema: case-1 with three images, case-2 and case-3 with one: 5 images, 3 people.
    // Psoriasis: 3 people, one image each. All of one demographic group at every level.
    QList<ReleaseCandidate> candidates;
    for (int i = 1; i <= 3; ++i)
        candidates.append(candidate(u"img-1%1"_s.arg(i), u"case-1"_s, u"AGE_30_TO_39"_s, u"eczema"_s));
    candidates.append(candidate(u"img-2"_s, u"case-2"_s, u"AGE_30_TO_39"_s, u"eczema"_s));
    candidates.append(candidate(u"img-3"_s, u"case-3"_s, u"AGE_30_TO_39"_s, u"eczema"_s));
    for (int i = 4; i <= 6; ++i)
        candidates.append(candidate(u"img-%1"_s.arg(i), u"case-%1"_s.arg(i), u"AGE_30_TO_39"_s, u"psoriasis"_s));
    ReleaseOptions options;
    options.k = 3;
    ReleasePlan plan = ReleaseGate::decide(candidates, options);
    QVERIFY2(plan.error.isEmpty(), qPrintable(plan.error));
    QCOMPARE(plan.released, 8);
    QCOMPARE(plan.anonymity.people, 6);
    QCOMPARE(plan.anonymity.chosen.levels, (QList<int> {0, 0, 0, 0, 0, 0})); // nothing to generalise
    // The recount over the released images: two classes of 3 people (5 and 3 images).
    QCOMPARE(plan.kAnonymity.classCount(), 2);
    QCOMPARE(plan.kAnonymity.classes.at(0).size, 3);
    QCOMPARE(plan.kAnonymity.classes.at(0).records, 5);
    // k = 4: five images of eczema are still three people, held back; psoriasis too, and so the
    // whole demographic group.
    options.k = 4;
    plan = ReleaseGate::decide(candidates, options);
    QCOMPARE(plan.released, 0);
    QCOMPARE(plan.countByReason.value(HoldReason::KAnonymity), 8);
    QCOMPARE(plan.anonymity.suppressed.size(), 6);
}

void TestAnonymity::caseWhoseImagesDisagree()
{
    // case-1's third image was settled as psoriasis: the case is one record with both conditions
    // (the union), a class of its own, held back with all three images; the eczema class keeps
    // case-2, case-3 and case-7.
    QList<ReleaseCandidate> candidates;
    candidates.append(candidate(u"img-11"_s, u"case-1"_s, u"AGE_30_TO_39"_s, u"eczema"_s));
    candidates.append(candidate(u"img-12"_s, u"case-1"_s, u"AGE_30_TO_39"_s, u"eczema"_s));
    candidates.append(candidate(u"img-13"_s, u"case-1"_s, u"AGE_30_TO_39"_s, u"psoriasis"_s));
    candidates.append(candidate(u"img-14"_s, u"case-1"_s, u"AGE_30_TO_39"_s, QString())); // no settled condition
    for (int i : {2, 3, 7})
        candidates.append(candidate(u"img-%1"_s.arg(i), u"case-%1"_s.arg(i), u"AGE_30_TO_39"_s, u"eczema"_s));
    for (int i = 4; i <= 6; ++i)
        candidates.append(candidate(u"img-%1"_s.arg(i), u"case-%1"_s.arg(i), u"AGE_30_TO_39"_s, u"psoriasis"_s));
    ReleaseOptions options;
    options.k = 3;
    options.suppressionLimit = 0.2;
    const ReleasePlan plan = ReleaseGate::decide(candidates, options);
    QVERIFY2(plan.error.isEmpty(), qPrintable(plan.error));
    QCOMPARE(plan.anonymity.people, 7);
    QCOMPARE(plan.anonymity.suppressed.keys(), QStringList {u"case-1"_s});
    QCOMPARE(plan.released, 6);
    for (const ReleaseDecision &d : plan.decisions)
        QCOMPARE(d.released(), d.person != u"case-1"_s);
}

void TestAnonymity::lDiversityHoldsBackAGroup()
{
    // Two age groups apart at every level but the top: 18-29 (3 eczema), 80+ (3 eczema, 3 acne).
    // At the values themselves, 18-29 has one condition: held back for l = 2 (3 of 9 people,
    // beyond a 5 % limit); so the gate generalises age to "any", where the group holds both.
    QList<ReleaseCandidate> candidates;
    for (int i = 0; i < 3; ++i)
        candidates.append(candidate(u"img-a%1"_s.arg(i), u"a%1"_s.arg(i), u"AGE_18_TO_29"_s, u"eczema"_s));
    for (int i = 0; i < 3; ++i)
        candidates.append(candidate(u"img-b%1"_s.arg(i), u"b%1"_s.arg(i), u"AGE_80_OR_ABOVE"_s, u"eczema"_s));
    for (int i = 0; i < 3; ++i)
        candidates.append(candidate(u"img-c%1"_s.arg(i), u"c%1"_s.arg(i), u"AGE_80_OR_ABOVE"_s, u"acne"_s));
    ReleaseOptions options;
    options.k = 3;
    ReleasePlan plan = ReleaseGate::decide(candidates, options);
    QCOMPARE(plan.released, 9);
    QCOMPARE(plan.anonymity.levelOf(u"age_group"_s), 3);
    QCOMPARE(plan.decisions.first().generalised.value(u"age_group"_s), u"ANY_AGE"_s);
    // Age pinned at its values: the 18-29 group goes, for l-diversity.
    options.maxLevel.insert(u"age_group"_s, 0);
    plan = ReleaseGate::decide(candidates, options);
    QCOMPARE(plan.released, 6);
    QCOMPARE(plan.countByReason.value(HoldReason::LDiversity), 3);
    QCOMPARE(plan.decisions.first().reasons, QList<HoldReason> {HoldReason::LDiversity});
    QCOMPARE(plan.decisions.last().generalised.value(u"age_group"_s), u"AGE_80_OR_ABOVE"_s);
    // l = 1: nothing for l-diversity.
    options.l = 1;
    plan = ReleaseGate::decide(candidates, options);
    QCOMPARE(plan.released, 9);
}

void TestAnonymity::uncoveredValueIsRefused()
{
    QList<ReleaseCandidate> candidates;
    for (int i = 0; i < 6; ++i)
        candidates.append(candidate(u"img-%1"_s.arg(i), u"c%1"_s.arg(i), u"AGE_30_TO_39"_s, u"eczema"_s));
    candidates[3].demographics[u"body_site"_s] = {u"elbow pit"_s};
    const ReleasePlan plan = ReleaseGate::decide(candidates, ReleaseOptions());
    QVERIFY2(plan.error.contains(u"\"elbow pit\""_s) && plan.error.contains(u"body site"_s), qPrintable(plan.error));
    QCOMPARE(plan.released, 0);
    // The admin's hierarchy that covers it is accepted.
    ReleaseOptions options;
    const QString path = write(u"sites.csv"_s, "value,region,any\narm,upper_limb,any\nelbow pit,upper_limb,any\nunknown,unknown,any\n");
    options.hierarchyFiles.insert(u"body_site"_s, path);
    const ReleasePlan accepted = ReleaseGate::decide(candidates, options);
    QVERIFY2(accepted.error.isEmpty(), qPrintable(accepted.error));
    // A hierarchy for a column that is not a quasi-identifier, or an unknown column, is refused.
    options.hierarchyFiles.insert(u"condition_duration"_s, path);
    QVERIFY(ReleaseGate::decide(candidates, options).error.contains(u"not among the quasi-identifiers"_s));
    options.hierarchyFiles.remove(u"condition_duration"_s);
    options.quasiIdentifiers.append(u"eye_colour"_s);
    QVERIFY(ReleaseGate::decide(candidates, options).error.contains(u"eye_colour"_s));
}

void TestAnonymity::kOneTurnsTheGateOff()
{
    QList<ReleaseCandidate> candidates {candidate(u"img-1"_s, u"c1"_s, u"AGE_30_TO_39"_s, u"eczema"_s)};
    ReleaseOptions options;
    options.k = 1;
    const ReleasePlan plan = ReleaseGate::decide(candidates, options);
    QCOMPARE(plan.released, 1);
    QVERIFY(!plan.generalised);
    QVERIFY(plan.decisions.first().generalised.isEmpty());
}

void TestAnonymity::conditionGeneralisedOnlyWhenAllowed()
{
    // One demographic group: eczema 2, contact dermatitis 2 (both "Dermatitis and eczema"),
    // psoriasis 4 ("Papulosquamous disorders"). k = 4, l = 2.
    QList<ReleaseCandidate> candidates;
    const QStringList conditions {u"eczema"_s, u"eczema"_s, u"contact_dermatitis"_s, u"contact_dermatitis"_s,
                                  u"psoriasis"_s, u"psoriasis"_s, u"psoriasis"_s, u"psoriasis"_s};
    for (qsizetype i = 0; i < conditions.size(); ++i)
        candidates.append(candidate(u"img-%1"_s.arg(i), u"c%1"_s.arg(i), u"AGE_30_TO_39"_s, conditions.at(i)));
    ReleaseOptions options;
    options.k = 4;
    // Not allowed: the condition stays; eczema and contact dermatitis are too few, psoriasis
    // alone fails l: nothing is released, and no demographic level helps.
    ReleasePlan plan = ReleaseGate::decide(candidates, options);
    QVERIFY2(plan.error.isEmpty(), qPrintable(plan.error));
    QCOMPARE(plan.released, 0);
    QCOMPARE(plan.anonymity.columns.size(), 6);
    QCOMPARE(plan.anonymity.columns.last().column, u"condition"_s);
    QCOMPARE(plan.anonymity.columns.last().height, 0);
    // Allowed: along the taxonomy's groups, two classes of four with two conditions.
    options.generaliseCondition = true;
    plan = ReleaseGate::decide(candidates, options);
    QVERIFY2(plan.error.isEmpty(), qPrintable(plan.error));
    QCOMPARE(plan.released, 8);
    QCOMPARE(plan.anonymity.levelOf(u"condition"_s), 1);
    QCOMPARE(plan.anonymity.levelOf(u"age_group"_s), 0);
    QCOMPARE(plan.decisions.at(2).generalised.value(u"condition"_s), u"dermatitis_eczema"_s);
    QCOMPARE(plan.decisions.at(5).generalised.value(u"condition"_s), u"papulosquamous"_s);
    QCOMPARE(plan.anonymity.generalise(u"condition"_s, u"eczema"_s), u"dermatitis_eczema"_s);
}

void TestAnonymity::demoBundleRecount()
{
    // A demo store as `dermlabel-cli demo` makes it, every image rated; the bundle exported with
    // the defaults (k = 5 people, l = 2, limit 5 %), then recounted from consensus.csv alone.
    QString error;
    DemoOptions demo;
    demo.images = 400;
    demo.size = QSize(96, 72);
    const QString layout = m_dir.filePath(u"layout"_s);
    QVERIFY2(DemoDataset::writeScinLayout(layout, demo, &error), qPrintable(error));
    auto store = Store::open(m_dir.filePath(u"demo.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    QVERIFY2(store, qPrintable(error));
    ImportService import(*store);
    const auto importPlan = ImportService::plan(ImportKind::Scin, layout, &error);
    QVERIFY2(importPlan, qPrintable(error));
    QCOMPARE(import.run(*importPlan, {}).imported, 400);
    UserRepository users(store->db());
    const User admin = users.findById(users.add(u"admin"_s, {}, Role::Admin, u"password"_s, &error, 1), &error).value();
    for (const QString &name : {u"dr.a"_s, u"dr.b"_s, u"dr.c"_s})
        QVERIFY(users.add(name, {}, Role::Annotator, u"password"_s, &error, 1) > 0);
    QVERIFY(AssignmentService(*store, admin).assign({}, 3, &error));
    QVERIFY(DemoRatings::simulate(*store, {1.0, 7}, &error) > 0);

    BundleExportOptions options;
    options.outPath = m_dir.filePath(u"bundle"_s);
    const BundleExportReport report = BundleExporter(*store, admin).run(options);
    QVERIFY2(report.ok, qPrintable(report.error));
    QVERIFY(report.images > 0);
    const AnonymityResult &a = report.plan.anonymity;
    QVERIFY(a.ok);
    QVERIFY(a.chosen.withinLimit);

    const auto table = CsvReader::readFile(options.outPath + u"/consensus.csv"_s, &error);
    QVERIFY2(table, qPrintable(error));
    QCOMPARE(table->rows.size(), report.images);
    const QStringList demographics {u"age_group"_s, u"sex_at_birth"_s, u"fitzpatrick_skin_type"_s, u"body_parts"_s,
                                    u"country"_s};
    QHash<QString, QString> demographicsOf;
    QHash<QString, QSet<QString>> conditionsOf;
    for (const QStringList &row : table->rows) {
        const QString person = row.at(table->header.indexOf(u"case_id"_s));
        QVERIFY(!person.isEmpty());
        QStringList values;
        for (const QString &column : demographics)
            values.append(row.at(table->header.indexOf(column)));
        // Every row of a case carries the same (generalised) demographics.
        const QString key = values.join(u'|');
        QCOMPARE(demographicsOf.value(person, key), key);
        demographicsOf.insert(person, key);
        const QString condition = row.at(table->header.indexOf(u"skin_condition_label"_s));
        if (!condition.isEmpty())
            conditionsOf[person].insert(condition);
    }
    // The released values are generalised as the report says: e.g. age at its chosen level.
    const int ageLevel = a.levelOf(u"age_group"_s);
    QString hierarchyError;
    const auto ageHierarchy
        = Hierarchy::load(QuasiIdentifiers::shippedHierarchy(u"age_group"_s), u"age_group"_s, &hierarchyError);
    QSet<QString> ageValues;
    for (const QStringList &row : table->rows)
        ageValues.insert(row.at(table->header.indexOf(u"age_group"_s)));
    for (const QString &v : std::as_const(ageValues)) {
        bool atLevel = false;
        for (const QString &raw : {u"AGE_18_TO_29"_s, u"AGE_30_TO_39"_s, u"AGE_40_TO_49"_s, u"AGE_50_TO_59"_s,
                                   u"AGE_60_TO_69"_s, u"AGE_70_TO_79"_s, u"AGE_80_OR_ABOVE"_s, u"AGE_UNKNOWN"_s})
            atLevel = atLevel || ageHierarchy->generalise(raw, ageLevel) == v;
        QVERIFY2(atLevel, qPrintable(v));
    }
    // k over people: each class (demographics, condition set) holds >= 5 cases.
    QHash<QString, QSet<QString>> classes;
    QHash<QString, QSet<QString>> groupConditions;
    for (auto it = demographicsOf.cbegin(); it != demographicsOf.cend(); ++it) {
        QStringList set(conditionsOf.value(it.key()).cbegin(), conditionsOf.value(it.key()).cend());
        set.sort();
        const QString condition = set.isEmpty() ? u"unknown"_s : set.join(u"; "_s);
        classes[it.value() + u'#' + condition].insert(it.key());
        if (!set.isEmpty())
            groupConditions[it.value()].insert(condition);
        else
            groupConditions[it.value()]; // a group with no known condition at all fails below
    }
    for (auto it = classes.cbegin(); it != classes.cend(); ++it)
        QVERIFY2(it->size() >= 5, qPrintable(it.key()));
    // l over demographic groups: >= 2 distinct conditions.
    for (auto it = groupConditions.cbegin(); it != groupConditions.cend(); ++it)
        QVERIFY2(it->size() >= 2, qPrintable(it.key()));
    QCOMPARE(int(demographicsOf.size()), int(a.released.size()));

    // release_report.json names the levels, k, l, the loss and the people held back and why.
    QFile reportFile(options.outPath + u"/release_report.json"_s);
    QVERIFY(reportFile.open(QIODevice::ReadOnly));
    const QJsonObject json = QJsonDocument::fromJson(reportFile.readAll()).object();
    const QJsonObject anonymity = json.value(u"anonymity"_s).toObject();
    QCOMPARE(anonymity.value(u"k"_s).toInt(), 5);
    QCOMPARE(anonymity.value(u"l"_s).toInt(), 2);
    QCOMPARE(anonymity.value(u"quasi_identifiers"_s).toArray().size(), 6); // five and the condition
    QCOMPARE(anonymity.value(u"quasi_identifiers"_s).toArray().at(0).toObject().value(u"level"_s).toInt(), ageLevel);
    QCOMPARE(anonymity.value(u"people_held_back"_s).toInt(), int(a.suppressed.size()));
    QVERIFY(anonymity.contains(u"information_loss"_s));

    // LabelMe carries the same generalised values as consensus.csv (COCO's attributes are the
    // same object, on each region).
    for (const QStringList &row : table->rows) {
        QFile labelMe(options.outPath + u"/labelme/"_s + row.at(0) + u".json"_s);
        QVERIFY(labelMe.open(QIODevice::ReadOnly));
        const QJsonObject attributes = QJsonDocument::fromJson(labelMe.readAll()).object().value(u"attributes"_s).toObject();
        for (const QString &column : demographics)
            QCOMPARE(attributes.value(column).toString(), row.at(table->header.indexOf(column)));
    }
}

QTEST_GUILESS_MAIN(TestAnonymity)
#include "tst_anonymity.moc"
