// SPDX-License-Identifier: GPL-3.0-or-later
// Consensus: majority vote with quorum, the SCIN weighted differential, mask majority and
// STAPLE, and the store side: consensus following the labels, adjudication, blinding.
#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "qa/ConsensusCalculator.h"
#include "qa/ConsensusService.h"
#include "qa/MaskAgreement.h"
#include "qa/MaskConsensus.h"
#include "store/ImageRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>

using namespace Qt::StringLiterals;
using namespace dl;

class TestConsensus : public QObject
{
    Q_OBJECT

private slots:
    void majorityVote_data();
    void majorityVote();
    void weightedDifferentialWorkedExample();
    void weightedRanksByConfidence();
    void weightedTieOrderAndAggregation();
    void imageConsensusLeavesOutMootQuestions();
    void pendingWhileRatersAreMissing();
    void maskMajority();
    void stapleRecoversBetterAndWorseRaters();
    void stapleRejectsBadInput();

    void consensusFollowsLabels();
    void adjudicationOverridesAndIsAudited();
    void adjudicationIsCheckedInCore();
    void computeRebuildsAndCounts();

private:
    struct Fixture
    {
        std::unique_ptr<QTemporaryDir> dir;
        std::unique_ptr<Store> store;
        User admin, qa;
        QList<User> raters;
        QList<qint64> images;
    };
    static Fixture makeStore(int images, int raters);
    static Annotation label(Fixture &f, int rater, qint64 image, bool gradable, const QString &condition,
                            const QString &fitzpatrick);
};

static QList<Diagnosis> dx(std::initializer_list<std::pair<const char16_t *, int>> items)
{
    QList<Diagnosis> list;
    for (const auto &[id, confidence] : items)
        list.append({QString::fromUtf16(id), confidence});
    return list;
}

void TestConsensus::majorityVote_data()
{
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<int>("quorum");
    QTest::addColumn<QString>("value");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("votes");
    QTest::addColumn<int>("ratings");
    const int agreed = int(ConsensusStatus::Agreed), adjudicate = int(ConsensusStatus::Adjudicate);
    QTest::newRow("2 of 3") << QStringList {u"yes"_s, u"no"_s, u"yes"_s} << 2 << u"yes"_s << agreed << 2 << 3;
    QTest::newRow("3 of 3") << QStringList {u"no"_s, u"no"_s, u"no"_s} << 2 << u"no"_s << agreed << 3 << 3;
    QTest::newRow("all differ") << QStringList {u"1"_s, u"2"_s, u"3"_s} << 2 << QString() << adjudicate << 1 << 3;
    QTest::newRow("tie 2-2") << QStringList {u"a"_s, u"b"_s, u"b"_s, u"a"_s} << 2 << QString() << adjudicate << 2 << 4;
    QTest::newRow("unanswered do not vote") << QStringList {u"yes"_s, QString(), u"yes"_s} << 2 << u"yes"_s << agreed
                                            << 2 << 2;
    QTest::newRow("one rating, quorum 2") << QStringList {u"yes"_s, QString()} << 2 << QString() << adjudicate << 1 << 1;
    QTest::newRow("one rating, quorum 1") << QStringList {u"yes"_s} << 1 << u"yes"_s << agreed << 1 << 1;
    QTest::newRow("quorum 3 not reached") << QStringList {u"yes"_s, u"yes"_s, u"no"_s} << 3 << QString() << adjudicate
                                          << 2 << 3;
    QTest::newRow("nobody") << QStringList {QString(), QString()} << 2 << QString() << adjudicate << 0 << 0;
}

void TestConsensus::majorityVote()
{
    QFETCH(QStringList, values);
    QFETCH(int, quorum);
    QFETCH(QString, value);
    QFETCH(int, status);
    QFETCH(int, votes);
    QFETCH(int, ratings);
    const FieldConsensus c = ConsensusCalculator(quorum).vote(u"f"_s, values);
    QCOMPARE(c.field, u"f"_s);
    QCOMPARE(c.value, value);
    QCOMPARE(int(c.status), status);
    QCOMPARE(c.votes, votes);
    QCOMPARE(c.ratings, ratings);
    QCOMPARE(c.reason.isEmpty(), status == int(ConsensusStatus::Agreed));
}

void TestConsensus::weightedDifferentialWorkedExample()
{
    // The schema document's example: Eczema 3, Acute and chronic dermatitis 0.5,
    // Post-inflammatory hyperpigmentation 0.5, Psoriasis 1/3 -> 0.692 / 0.115 / 0.115 / 0.077.
    const QList<QList<Diagnosis>> raters {
        dx({{u"eczema", 5}, {u"acute_chronic_dermatitis", 4}, {u"psoriasis", 2}}),
        dx({{u"eczema", 4}, {u"post_inflammatory_hyperpigmentation", 3}}),
        dx({{u"eczema", 3}}),
    };
    const WeightedDifferential w = ConsensusCalculator::weighted(raters);
    QCOMPARE(w.raters, 3);
    QCOMPARE(w.conditions.size(), 4);
    QCOMPARE(w.conditions.at(0).conditionId, u"eczema"_s);
    QCOMPARE(w.conditions.at(0).raters, 3);
    // Equal weights: ordered by raters naming them (one each), then by id.
    QCOMPARE(w.conditions.at(1).conditionId, u"acute_chronic_dermatitis"_s);
    QCOMPARE(w.conditions.at(2).conditionId, u"post_inflammatory_hyperpigmentation"_s);
    QCOMPARE(w.conditions.at(3).conditionId, u"psoriasis"_s);
    const double total = 3.0 + 0.5 + 0.5 + 1.0 / 3.0;
    QCOMPARE(w.conditions.at(0).weight, 3.0 / total);
    QCOMPARE(w.conditions.at(1).weight, 0.5 / total);
    QCOMPARE(w.conditions.at(3).weight, (1.0 / 3.0) / total);
    QCOMPARE(qRound(w.conditions.at(0).weight * 1000), 692);
    QCOMPARE(qRound(w.conditions.at(1).weight * 1000), 115);
    QCOMPARE(qRound(w.conditions.at(2).weight * 1000), 115);
    QCOMPARE(qRound(w.conditions.at(3).weight * 1000), 77);
    double sum = 0;
    for (const WeightedCondition &c : w.conditions)
        sum += c.weight;
    QVERIFY(qAbs(sum - 1.0) < 1e-12);
    QVERIFY(!w.topTied);
}

void TestConsensus::weightedRanksByConfidence()
{
    // Listed psoriasis first, but with the lower confidence: eczema ranks first.
    WeightedDifferential w = ConsensusCalculator::weighted({dx({{u"psoriasis", 2}, {u"eczema", 5}})});
    QCOMPARE(w.conditions.at(0).conditionId, u"eczema"_s);
    QCOMPARE(w.conditions.at(0).weight, 1.0 / 1.5);
    // Equal confidences keep the rater's order.
    w = ConsensusCalculator::weighted({dx({{u"psoriasis", 3}, {u"eczema", 3}})});
    QCOMPARE(w.conditions.at(0).conditionId, u"psoriasis"_s);
    // Nothing named: empty, no raters.
    w = ConsensusCalculator::weighted({{}, {}});
    QVERIFY(w.conditions.isEmpty());
    QCOMPARE(w.raters, 0);
}

void TestConsensus::weightedTieOrderAndAggregation()
{
    // Two raters, each other's first and second choice: a tie at the top.
    WeightedDifferential w = ConsensusCalculator::weighted(
        {dx({{u"scabies", 4}, {u"eczema", 3}}), dx({{u"eczema", 4}, {u"scabies", 3}})});
    QVERIFY(w.topTied);
    QCOMPARE(w.conditions.at(0).conditionId, u"eczema"_s); // by id when weight and raters are equal
    // Mapping to aggregate names: both dermatitis kinds count as one condition, and the rater who
    // names both keeps only the best rank of it (the rank after it stays third).
    const QHash<QString, QString> aggregate {{u"contact_dermatitis"_s, u"dermatitis_eczema"_s},
                                             {u"eczema"_s, u"dermatitis_eczema"_s}};
    w = ConsensusCalculator::weighted({dx({{u"contact_dermatitis", 5}, {u"eczema", 4}, {u"scabies", 3}}),
                                       dx({{u"scabies", 5}})},
                                      aggregate);
    QCOMPARE(w.conditions.size(), 2);
    QCOMPARE(w.conditions.at(0).conditionId, u"scabies"_s); // 1 + 1/3
    QCOMPARE(w.conditions.at(1).conditionId, u"dermatitis_eczema"_s); // 1
    QCOMPARE(w.conditions.at(0).weight, (4.0 / 3.0) / (7.0 / 3.0));
}

static Annotation annotation(bool gradable, const QString &condition, const QString &fitzpatrick)
{
    Annotation a;
    a.gradable = gradable;
    if (!gradable) {
        a.ungradableReason = u"blurry"_s;
        return a;
    }
    a.visibleCondition = u"yes"_s;
    a.sensitive = false;
    a.diagnoses = {{condition, 4}};
    a.fitzpatrick = fitzpatrick;
    a.monk = u"5"_s;
    return a;
}

void TestConsensus::imageConsensusLeavesOutMootQuestions()
{
    const ConsensusCalculator calculator(2);
    // Agreed gradable: no reason field; the rest voted.
    ImageConsensus c = calculator.compute({annotation(true, u"eczema"_s, u"3"_s), annotation(true, u"eczema"_s, u"4"_s),
                                           annotation(false, {}, {})},
                                          3);
    QVERIFY(!c.field(u"ungradable_reason"_s));
    QCOMPARE(c.field(u"gradable"_s)->value, u"yes"_s);
    QCOMPARE(c.field(u"diagnosis"_s)->value, u"eczema"_s);
    QCOMPARE(c.field(u"diagnosis"_s)->status, ConsensusStatus::Agreed);
    QCOMPARE(c.field(u"fitzpatrick_type"_s)->status, ConsensusStatus::Adjudicate); // 3 vs 4
    QCOMPARE(c.field(u"monk_tone"_s)->value, u"5"_s);
    QCOMPARE(c.field(u"identifying_face"_s)->value, u"no"_s);
    QCOMPARE(c.differential.conditions.size(), 1);
    // Agreed not gradable: only gradability and its reason remain.
    c = calculator.compute({annotation(false, {}, {}), annotation(false, {}, {}), annotation(true, u"eczema"_s, u"3"_s)},
                           3);
    QCOMPARE(c.fields.size(), 2);
    QCOMPARE(c.field(u"gradable"_s)->value, u"no"_s);
    QCOMPARE(c.field(u"ungradable_reason"_s)->value, u"blurry"_s);
    QVERIFY(c.differential.conditions.isEmpty());
}

void TestConsensus::pendingWhileRatersAreMissing()
{
    const ConsensusCalculator calculator(2);
    // Two of three raters in, disagreeing: the third may settle it.
    ImageConsensus c = calculator.compute({annotation(true, u"eczema"_s, u"3"_s), annotation(true, u"psoriasis"_s, u"3"_s)},
                                          3);
    QCOMPARE(c.field(u"diagnosis"_s)->status, ConsensusStatus::Pending);
    QVERIFY(c.field(u"diagnosis"_s)->reason.contains(u"1"_s));
    QCOMPARE(c.field(u"fitzpatrick_type"_s)->status, ConsensusStatus::Agreed); // agreed stays agreed
    // Everyone in: the same disagreement goes to adjudication.
    c = calculator.compute({annotation(true, u"eczema"_s, u"3"_s), annotation(true, u"psoriasis"_s, u"3"_s)}, 2);
    QCOMPARE(c.field(u"diagnosis"_s)->status, ConsensusStatus::Adjudicate);
}

void TestConsensus::maskMajority()
{
    cv::Mat a = cv::Mat::zeros(4, 4, CV_8UC1), b = a.clone(), c = a.clone();
    a(cv::Rect(0, 0, 2, 2)).setTo(255);
    b(cv::Rect(1, 1, 2, 2)).setTo(1); // any nonzero value is inside
    c(cv::Rect(1, 0, 2, 2)).setTo(255);
    const auto two = MaskConsensus::majority({a, b, c});
    QVERIFY(two);
    // Votes at (x, y): (1,0) a+c, (1,1) a+b+c, (2,1) b+c; every other marked pixel has one vote.
    QCOMPARE(cv::countNonZero(*two), 3);
    QCOMPARE(two->at<uchar>(0, 1), uchar(255));
    QCOMPARE(two->at<uchar>(1, 1), uchar(255));
    QCOMPARE(two->at<uchar>(1, 2), uchar(255));
    QCOMPARE(two->at<uchar>(0, 0), uchar(0));
    const auto all = MaskConsensus::majority({a, b, c}, 3);
    QCOMPARE(cv::countNonZero(*all), 1);
    const auto any = MaskConsensus::majority({a, b, c}, 1);
    QCOMPARE(cv::countNonZero(*any), 4 + 4 + 4 - 1 - 2 - 2 + 1); // inclusion-exclusion
    QVERIFY(!MaskConsensus::majority({a, b}, 3));
    QVERIFY(!MaskConsensus::majority({a, cv::Mat::zeros(5, 4, CV_8UC1)}, 1));
}

void TestConsensus::stapleRecoversBetterAndWorseRaters()
{
    // A known true region; a careful rater (few flipped pixels), one who draws too tight
    // (low sensitivity) and one who draws too wide with noise (low specificity).
    const cv::Size size(400, 300);
    cv::Mat truth = cv::Mat::zeros(size, CV_8UC1);
    cv::ellipse(truth, {200, 150}, {110, 70}, 15, 0, 360, 255, cv::FILLED);
    QRandomGenerator random(7);
    auto flip = [&](cv::Mat m, double share) {
        for (int y = 0; y < m.rows; ++y)
            for (int x = 0; x < m.cols; ++x)
                if (random.generateDouble() < share)
                    m.at<uchar>(y, x) = 255 - m.at<uchar>(y, x);
        return m;
    };
    cv::Mat careful = flip(truth.clone(), 0.01);
    cv::Mat tight;
    cv::erode(truth, tight, cv::getStructuringElement(cv::MORPH_ELLIPSE, {31, 31}));
    cv::Mat wide;
    cv::dilate(truth, wide, cv::getStructuringElement(cv::MORPH_ELLIPSE, {41, 41}));
    wide = flip(wide, 0.05);

    const auto result = MaskConsensus::staple({careful, tight, wide});
    QVERIFY(result);
    QVERIFY(result->converged);
    QCOMPARE(result->raters.size(), 3);
    const RaterPerformance &c = result->raters.at(0), &t = result->raters.at(1), &w = result->raters.at(2);
    qInfo("sensitivity %.3f %.3f %.3f, specificity %.3f %.3f %.3f, %d iterations", c.sensitivity, t.sensitivity,
          w.sensitivity, c.specificity, t.specificity, w.specificity, result->iterations);
    QVERIFY(c.sensitivity > 0.97 && c.specificity > 0.97);
    QVERIFY(t.sensitivity < c.sensitivity - 0.2); // the tight rater misses the rim
    QVERIFY(t.specificity > 0.99);               // ... but never marks outside
    QVERIFY(w.specificity < c.specificity - 0.05); // the wide rater marks outside
    QVERIFY(w.sensitivity > 0.9);
    // The estimate is close to the truth, closer than the plain majority of this panel.
    const double stapleIou = *MaskAgreement::iou(result->mask, truth);
    QVERIFY2(stapleIou > 0.95, qPrintable(QString::number(stapleIou)));
    QCOMPARE(result->probability.type(), CV_32FC1);
    QCOMPARE(result->mask.size(), size);

    // Identical raters: perfect agreement, the mask itself.
    const auto same = MaskConsensus::staple({truth, truth, truth});
    QVERIFY(same);
    QCOMPARE(cv::countNonZero(same->mask != truth), 0);
    QVERIFY(same->raters.at(0).sensitivity > 0.999);
}

void TestConsensus::stapleRejectsBadInput()
{
    QVERIFY(!MaskConsensus::staple({}));
    QVERIFY(!MaskConsensus::staple({cv::Mat::zeros(3, 3, CV_8UC1), cv::Mat::zeros(3, 3, CV_16UC1)}));
    QList<cv::Mat> many(17, cv::Mat::zeros(2, 2, CV_8UC1));
    QVERIFY(!MaskConsensus::staple(many));
}

TestConsensus::Fixture TestConsensus::makeStore(int images, int raters)
{
    Fixture f;
    f.dir = std::make_unique<QTemporaryDir>();
    QString error;
    f.store = Store::open(f.dir->filePath(u"c.dermlabel"_s), Store::OpenMode::CreateNew, &error);
    if (!f.store)
        qFatal("store: %s", qPrintable(error));
    UserRepository users(f.store->db());
    auto add = [&](const QString &name, Role role) {
        const qint64 id = users.add(name, {}, role, u"password"_s, &error, 1);
        return users.findById(id, &error).value_or(User {});
    };
    f.admin = add(u"admin"_s, Role::Admin);
    f.qa = add(u"qa"_s, Role::Qa);
    for (int r = 0; r < raters; ++r)
        f.raters.append(add(u"rater%1"_s.arg(r), Role::Annotator));
    ImageRepository repository(f.store->db());
    for (int i = 0; i < images; ++i) {
        ImageRecord record;
        record.publicId = u"img-%1"_s.arg(i);
        record.sha256 = u"%1"_s.arg(i, 64, 16, QLatin1Char('0'));
        record.format = u"jpeg"_s;
        record.width = record.height = 100;
        record.byteSize = 1000;
        f.images.append(repository.insert(record, &error));
    }
    if (!AssignmentService(*f.store, f.admin).assign({}, raters, &error))
        qFatal("assign: %s", qPrintable(error));
    return f;
}

Annotation TestConsensus::label(Fixture &f, int rater, qint64 image, bool gradable, const QString &condition,
                                const QString &fitzpatrick)
{
    AnnotationService service(*f.store, f.raters.at(rater));
    QString error;
    Annotation a = service.own(image, &error).value_or(Annotation {});
    const Annotation labels = annotation(gradable, condition, fitzpatrick);
    a.gradable = labels.gradable;
    a.ungradableReason = labels.ungradableReason;
    a.visibleCondition = labels.visibleCondition;
    a.sensitive = labels.sensitive;
    a.diagnoses = labels.diagnoses;
    a.fitzpatrick = labels.fitzpatrick;
    a.monk = labels.monk;
    if (!service.save(a, &error))
        qWarning("save: %s", qPrintable(error));
    return a;
}

static QHash<QString, FieldConsensus> byField(const QList<ConsensusRow> &rows)
{
    QHash<QString, FieldConsensus> map;
    for (const ConsensusRow &row : rows)
        map.insert(row.consensus.field, row.consensus);
    return map;
}

void TestConsensus::consensusFollowsLabels()
{
    Fixture f = makeStore(2, 3);
    const qint64 image = f.images.first();
    ConsensusService qa(*f.store, f.qa);
    QString error;
    QVERIFY(qa.forImage(image, &error)->isEmpty());

    label(f, 0, image, true, u"eczema"_s, u"3"_s);
    auto rows = byField(*qa.forImage(image, &error));
    QCOMPARE(rows.value(u"diagnosis"_s).status, ConsensusStatus::Pending); // one of three raters in
    label(f, 1, image, true, u"eczema"_s, u"4"_s);
    rows = byField(*qa.forImage(image, &error));
    QCOMPARE(rows.value(u"diagnosis"_s).status, ConsensusStatus::Agreed);
    QCOMPARE(rows.value(u"diagnosis"_s).value, u"eczema"_s);
    QCOMPARE(rows.value(u"fitzpatrick_type"_s).status, ConsensusStatus::Pending);
    label(f, 2, image, true, u"psoriasis"_s, u"5"_s);
    rows = byField(*qa.forImage(image, &error));
    QCOMPARE(rows.value(u"fitzpatrick_type"_s).status, ConsensusStatus::Adjudicate); // 3, 4, 5
    QCOMPARE(rows.value(u"fitzpatrick_type"_s).ratings, 3);
    QCOMPARE(rows.value(u"gradable"_s).votes, 3);
    const auto differential = qa.differential(image, &error);
    QVERIFY(differential);
    QCOMPARE(differential->size(), 2);
    QCOMPARE(differential->at(0).conditionId, u"eczema"_s);
    QCOMPARE(differential->at(0).weight, 2.0 / 3.0);

    // A rater changes their mind: the consensus follows in the same save.
    label(f, 2, image, true, u"eczema"_s, u"4"_s);
    rows = byField(*qa.forImage(image, &error));
    QCOMPARE(rows.value(u"fitzpatrick_type"_s).value, u"4"_s);
    QCOMPARE(qa.differential(image, &error)->size(), 1);

    // Blinding: annotators cannot read the consensus (it reveals the others' labels).
    ConsensusService annotator(*f.store, f.raters.at(0));
    QVERIFY(!annotator.forImage(image, &error));
    QVERIFY(!annotator.rows(std::nullopt, &error));
    QVERIFY(!annotator.compute(&error));
}

void TestConsensus::adjudicationOverridesAndIsAudited()
{
    Fixture f = makeStore(1, 3);
    const qint64 image = f.images.first();
    label(f, 0, image, true, u"eczema"_s, u"3"_s);
    label(f, 1, image, true, u"psoriasis"_s, u"4"_s);
    label(f, 2, image, true, u"scabies"_s, u"5"_s);
    ConsensusService qa(*f.store, f.qa);
    QString error;
    QCOMPARE(byField(*qa.forImage(image, &error)).value(u"diagnosis"_s).status, ConsensusStatus::Adjudicate);
    const auto before = qa.summary(&error);
    QCOMPARE(before->imagesToAdjudicate, 1);

    QVERIFY2(qa.adjudicate(image, u"diagnosis"_s, u"psoriasis"_s, u"Silvery plaques on extensor surfaces"_s, &error),
             qPrintable(error));
    QVERIFY2(qa.adjudicate(image, u"fitzpatrick_type"_s, u"4"_s, u"Median of the three"_s, &error), qPrintable(error));
    auto rows = byField(*qa.forImage(image, &error));
    QCOMPARE(rows.value(u"diagnosis"_s).status, ConsensusStatus::Adjudicated);
    QCOMPARE(rows.value(u"diagnosis"_s).value, u"psoriasis"_s);
    QCOMPARE(rows.value(u"diagnosis"_s).reason, u"Silvery plaques on extensor surfaces"_s);
    QCOMPARE(qa.summary(&error)->adjudicated, 2);
    QCOMPARE(qa.summary(&error)->toAdjudicate, 0);

    // The decision survives label changes and a full recompute.
    label(f, 0, image, true, u"urticaria"_s, u"2"_s);
    QVERIFY(qa.compute(&error));
    rows = byField(*qa.forImage(image, &error));
    QCOMPARE(rows.value(u"diagnosis"_s).value, u"psoriasis"_s);
    QCOMPARE(rows.value(u"diagnosis"_s).status, ConsensusStatus::Adjudicated);

    // A second decision replaces the first; both are in the audit log with the reason.
    QVERIFY(qa.adjudicate(image, u"diagnosis"_s, u"eczema"_s, u"Second look at the close-up"_s, &error));
    QSqlQuery query(f.store->db());
    QVERIFY(query.exec(u"SELECT user_id, detail FROM audit_log WHERE action = 'consensus.adjudicate' ORDER BY id"_s));
    QStringList details;
    while (query.next()) {
        QCOMPARE(query.value(0).toLongLong(), f.qa.id);
        details.append(query.value(1).toString());
    }
    QCOMPARE(details.size(), 3);
    QVERIFY(details.last().contains(u"Second look at the close-up"_s));
    QVERIFY(details.last().contains(u"psoriasis"_s)); // the previous decision
    QCOMPARE(byField(*qa.forImage(image, &error)).value(u"diagnosis"_s).value, u"eczema"_s);
}

void TestConsensus::adjudicationIsCheckedInCore()
{
    Fixture f = makeStore(1, 3);
    const qint64 image = f.images.first();
    label(f, 0, image, true, u"eczema"_s, u"3"_s);
    QString error;
    // Annotators may not adjudicate, even through core.
    QVERIFY(!ConsensusService(*f.store, f.raters.at(0)).adjudicate(image, u"diagnosis"_s, u"eczema"_s, u"x"_s, &error));
    ConsensusService qa(*f.store, f.qa);
    QVERIFY(!qa.adjudicate(image, u"diagnosis"_s, u"eczema"_s, u"   "_s, &error)); // reason required
    QVERIFY(error.contains(u"reason"_s));
    QVERIFY(!qa.adjudicate(image, u"fitzpatrick_type"_s, u"7"_s, u"typo"_s, &error)); // out of scale
    QVERIFY(!qa.adjudicate(image, u"gradable"_s, u"maybe"_s, u"typo"_s, &error));
    QVERIFY(!qa.adjudicate(image, u"note"_s, u"x"_s, u"not a consensus field"_s, &error));
    QVERIFY(!qa.adjudicate(image, u"diagnosis_1"_s, u"eczema"_s, u"agreement-only field"_s, &error));
    QVERIFY(!qa.adjudicate(999999, u"gradable"_s, u"yes"_s, u"no such image"_s, &error));
    QVERIFY(qa.adjudicate(image, u"monk_tone"_s, u"not_gradable"_s, u"Poor lighting"_s, &error));
    QSqlQuery query(f.store->db());
    QVERIFY(query.exec(u"SELECT COUNT(*) FROM adjudications"_s) && query.next());
    QCOMPARE(query.value(0).toInt(), 1);
    QVERIFY(!qa.setQuorum(0, &error));
    QVERIFY(!ConsensusService(*f.store, f.raters.at(1)).setQuorum(3, &error));
}

void TestConsensus::computeRebuildsAndCounts()
{
    Fixture f = makeStore(4, 3);
    for (int r = 0; r < 3; ++r) {
        label(f, r, f.images.at(0), true, u"eczema"_s, u"3"_s);                     // all agree
        label(f, r, f.images.at(1), r != 2, u"eczema"_s, u"3"_s);                   // 2 of 3 gradable
        label(f, r, f.images.at(2), true, r == 0 ? u"acne"_s : u"eczema"_s, QString::number(r + 2)); // fst split
    }
    label(f, 0, f.images.at(3), true, u"eczema"_s, u"3"_s); // one rater so far
    ConsensusService qa(*f.store, f.qa);
    QString error;
    // Wipe what the saves computed and rebuild it: the same result.
    const auto incremental = qa.rows(std::nullopt, &error);
    QVERIFY(Sql::exec(f.store->db(), u"DELETE FROM consensus"_s, {}, &error));
    qsizetype calls = 0;
    const auto summary = qa.compute(&error, [&](qsizetype, qsizetype total) {
        ++calls;
        return total == 4;
    });
    QVERIFY2(summary, qPrintable(error));
    QCOMPARE(calls, 4);
    QCOMPARE(summary->images, 4);
    QCOMPARE(summary->imagesToAdjudicate, 1); // image 2's Fitzpatrick type
    QCOMPARE(summary->toAdjudicate, 1);
    const auto rebuilt = qa.rows(std::nullopt, &error);
    QCOMPARE(rebuilt->size(), incremental->size());
    for (qsizetype i = 0; i < rebuilt->size(); ++i) {
        QCOMPARE(rebuilt->at(i).consensus.field, incremental->at(i).consensus.field);
        QCOMPARE(rebuilt->at(i).consensus.value, incremental->at(i).consensus.value);
        QCOMPARE(rebuilt->at(i).consensus.status, incremental->at(i).consensus.status);
    }
    QVERIFY(summary->pending > 0); // image 3

    // Cancelling changes nothing.
    QVERIFY(qa.setQuorum(3, &error));
    QVERIFY(!qa.compute(&error, [](qsizetype done, qsizetype) { return done < 2; }));
    QCOMPARE(qa.summary(&error)->toAdjudicate, 1);
    // With quorum 3 the 2-of-3 gradable vote no longer agrees.
    QVERIFY(qa.compute(&error));
    QVERIFY(qa.summary(&error)->toAdjudicate > 1);
    QCOMPARE(ConsensusService::quorum(*f.store), 3);
    // The quorum change is in the audit log: who, from what, to what.
    QSqlQuery audit(f.store->db());
    QVERIFY(audit.exec(u"SELECT user_id, detail FROM audit_log WHERE action = 'consensus.quorum'"_s));
    QVERIFY(audit.next());
    QCOMPARE(audit.value(0).toLongLong(), f.qa.id);
    const QJsonObject detail = QJsonDocument::fromJson(audit.value(1).toString().toUtf8()).object();
    QCOMPARE(detail.value(u"from"_s).toInt(), 2);
    QCOMPARE(detail.value(u"to"_s).toInt(), 3);
    QVERIFY(!audit.next());
}

QTEST_GUILESS_MAIN(TestConsensus)
#include "tst_consensus.moc"
