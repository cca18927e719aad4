// SPDX-License-Identifier: GPL-3.0-or-later
// The agreement of a store: every label field read from the annotations, reference labels,
// strata by skin type and case metadata, and blinding. Runs on SQLite and, as
// storeagreement_postgres, on PostgreSQL (TestStores).
#include "TestStores.h"

#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "masks/MaskService.h"
#include "qa/AgreementCalculator.h"
#include "qa/LayerAgreement.h"
#include "qa/MaskAgreement.h"
#include "qa/StoreAgreementReport.h"
#include "qa/StoreRatings.h"
#include "store/CaseRepository.h"
#include "store/ImageRepository.h"
#include "store/SourceRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QDateTime>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestStoreAgreement : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void annotatorsAreRefused();
    void tablesHoldEveryField();
    void strataFromRatersAndCases();
    void referenceLabels();
    void reportMatchesTheCalculator();
    void maskLayersComparedPairwise();
    void maskLayersStratified();
    void diagnosesStratified();
    void runLengthOverlapEqualsPixels_data();
    void runLengthOverlapEqualsPixels();
    void runLengthOverlapRefusesMismatch();

private:
    void label(int rater, int image, bool gradable, const QString &fitzpatrick, const QString &monk,
               const QStringList &conditions);

    TestStores m_stores {u"storeagreement"_s};
    std::unique_ptr<Store> m_store;
    User m_qa;
    QList<User> m_raters;
    QList<qint64> m_images;
    std::optional<StoreRatingSet> m_set;
};

void TestStoreAgreement::initTestCase()
{
    DL_REQUIRE_TEST_STORES(m_stores);
    QString error;
    m_store = m_stores.create(u"s"_s, &error);
    QVERIFY2(m_store, qPrintable(error));
    UserRepository users(m_store->db());
    auto add = [&](const QString &name, Role role) {
        return users.findById(users.add(name, {}, role, u"password"_s, &error, 1), &error).value_or(User {});
    };
    const User admin = add(u"admin"_s, Role::Admin);
    m_qa = add(u"qa"_s, Role::Qa);
    for (const QString &name : {u"b.rater"_s, u"a.rater"_s, u"c.rater"_s})
        m_raters.append(add(name, Role::Annotator));

    // Four images in two cases of one source, with metadata.
    const qint64 source = SourceRepository(m_store->db()).findOrCreate({-1, u"scin"_s, u"Test"_s, u"/data"_s, {}, {}, false},
                                                                       &error);
    QVERIFY2(source > 0, qPrintable(error));
    CaseRepository cases(m_store->db());
    CaseMetadata first;
    first.ageGroup = u"AGE_18_TO_29"_s;
    first.sex = u"female"_s;
    first.country = u"Kenya"_s;
    first.bodySites = {u"arm"_s, u"leg"_s};
    first.skinTypeSelf = u"FST2"_s;
    CaseMetadata second;
    second.ageGroup = u"AGE_60_TO_69"_s;
    second.sex = u"male"_s;
    second.skinTypeSelf = u"FST6"_s;
    const qint64 case1 = cases.insert(source, u"c1"_s, u"case-1"_s, first, &error);
    const qint64 case2 = cases.insert(source, u"c2"_s, u"case-2"_s, second, &error);
    QVERIFY2(case1 > 0 && case2 > 0, qPrintable(error));
    ImageRepository images(m_store->db());
    for (int i = 0; i < 5; ++i) {
        ImageRecord record;
        record.publicId = u"img-%1"_s.arg(i);
        record.sha256 = u"%1"_s.arg(i, 64, 16, QLatin1Char('0'));
        record.format = u"jpeg"_s;
        record.width = record.height = 100;
        record.byteSize = 1000;
        m_images.append(images.insert(record, &error));
        QVERIFY(cases.linkImage(i < 2 ? case1 : case2, m_images.last(), i, {}, &error));
    }
    // Reference labels as a SCIN import stores them.
    for (const ReferenceLabel &r : QList<ReferenceLabel> {{u"dermatologist_1"_s, u"fitzpatrick"_s, u"3"_s},
                                                          {u"dermatologist_2"_s, u"fitzpatrick"_s, u"4"_s},
                                                          {u"dermatologist_1"_s, u"gradable_for_skin_condition"_s, u"yes"_s},
                                                          {{}, u"monk_skin_tone_india"_s, u"5"_s},
                                                          {{}, u"monk_skin_tone_us"_s, u"6"_s},
                                                          {{}, u"weighted_skin_condition_label"_s, u"{}"_s}})
        QCOMPARE(cases.setReferenceLabel(case1, r, &error), CaseRepository::Change::Inserted);
    QCOMPARE(cases.setReferenceLabel(case2, {u"dermatologist_1"_s, u"fitzpatrick"_s, u"6"_s}, &error),
             CaseRepository::Change::Inserted);
    QCOMPARE(cases.setReferenceLabel(case2, {u"dermatologist_2"_s, u"fitzpatrick"_s, u"6"_s}, &error),
             CaseRepository::Change::Inserted);

    QVERIFY(AssignmentService(*m_store, admin).assign({}, 3, &error));
    //           rater image gradable FST     Monk      differential
    label(0, 0, true, u"3"_s, u"4"_s, {u"eczema"_s, u"psoriasis"_s});
    label(1, 0, true, u"4"_s, u"4"_s, {u"eczema"_s});
    label(2, 0, true, u"5"_s, u"5"_s, {u"psoriasis"_s, u"eczema"_s});
    label(0, 1, true, u"2"_s, u"not_gradable"_s, {u"acne"_s});
    label(1, 1, false, {}, {}, {});
    label(0, 2, true, u"6"_s, u"9"_s, {u"scabies"_s});
    label(1, 2, true, u"6"_s, u"10"_s, {u"scabies"_s, u"impetigo"_s});
    label(2, 2, true, u"not_gradable"_s, u"10"_s, {u"impetigo"_s});
    label(2, 3, true, u"1"_s, u"1"_s, {u"urticaria"_s}); // a single rating
    // image 4: nobody yet

    m_set = StoreRatings::load(*m_store, m_qa, &error);
    QVERIFY2(m_set, qPrintable(error));
}

void TestStoreAgreement::label(int rater, int image, bool gradable, const QString &fitzpatrick, const QString &monk,
                               const QStringList &conditions)
{
    AnnotationService service(*m_store, m_raters.at(rater));
    QString error;
    auto a = service.own(m_images.at(image), &error);
    QVERIFY2(a, qPrintable(error));
    a->gradable = gradable;
    if (!gradable) {
        a->ungradableReason = u"blurry"_s;
    } else {
        a->visibleCondition = u"yes"_s;
        a->sensitive = false;
        a->identifying = image == 2 ? QStringList {u"tattoo"_s} : QStringList {};
        for (const QString &c : conditions)
            a->diagnoses.append({c, 4});
        a->fitzpatrick = fitzpatrick;
        a->monk = monk;
    }
    QVERIFY2(service.save(*a, &error), qPrintable(error));
}

void TestStoreAgreement::annotatorsAreRefused()
{
    QString error;
    QVERIFY(!StoreRatings::load(*m_store, m_raters.first(), &error));
    QVERIFY(!error.isEmpty());
}

static const RatingTable *table(const QList<RatingTable> &tables, const QString &field)
{
    for (const RatingTable &t : tables) {
        if (t.field() == field)
            return &t;
    }
    return nullptr;
}

static QString valueOf(const RatingTable &t, const QString &item, const QString &rater)
{
    for (qsizetype i = 0; i < t.ratingCount(); ++i) {
        if (t.items().at(t.itemOf().at(i)) == item && t.raters().at(t.raterOf().at(i)) == rater)
            return t.values().at(t.valueOf().at(i));
    }
    return {};
}

void TestStoreAgreement::tablesHoldEveryField()
{
    const QList<RatingTable> &fields = m_set->fields;
    const RatingTable *gradable = table(fields, u"gradable"_s);
    QVERIFY(gradable);
    QCOMPARE(gradable->ratingCount(), 9);
    QCOMPARE(valueOf(*gradable, u"img-1"_s, u"a.rater"_s), u"no"_s); // raters are user names
    QCOMPARE(valueOf(*gradable, u"img-1"_s, u"b.rater"_s), u"yes"_s);

    const RatingTable *fitzpatrick = table(fields, u"fitzpatrick"_s);
    QCOMPARE(fitzpatrick->level(), MeasureLevel::Ordinal);
    QCOMPARE(fitzpatrick->ratingCount(), 7); // not the ungradable rater, not "not gradable"
    QCOMPARE(valueOf(*fitzpatrick, u"img-2"_s, u"c.rater"_s), QString());
    const RatingTable *fitzpatrickGradable = table(fields, u"fitzpatrick_gradable"_s);
    QCOMPARE(valueOf(*fitzpatrickGradable, u"img-2"_s, u"c.rater"_s), u"no"_s);
    const RatingTable *monk = table(fields, u"monk"_s);
    QCOMPARE(valueOf(*monk, u"img-2"_s, u"a.rater"_s), u"10"_s);

    QCOMPARE(valueOf(*table(fields, u"diagnosis_1"_s), u"img-0"_s, u"c.rater"_s), u"psoriasis"_s);
    QCOMPARE(valueOf(*table(fields, u"diagnosis_2"_s), u"img-0"_s, u"b.rater"_s), u"psoriasis"_s);
    QCOMPARE(table(fields, u"diagnosis_3"_s)->ratingCount(), 0);
    QCOMPARE(valueOf(*table(fields, u"identifying_tattoo"_s), u"img-2"_s, u"c.rater"_s), u"yes"_s);
    QCOMPARE(valueOf(*table(fields, u"identifying_tattoo"_s), u"img-0"_s, u"c.rater"_s), u"no"_s);
    QCOMPARE(valueOf(*table(fields, u"identifying_tattoo"_s), u"img-1"_s, u"a.rater"_s), QString()); // not asked
    QCOMPARE(valueOf(*table(fields, u"ungradable_reason"_s), u"img-1"_s, u"a.rater"_s), u"blurry"_s);
    // No consensus-only fields among the agreement tables.
    QVERIFY(!table(fields, u"fitzpatrick_type"_s));
    QCOMPARE(m_set->diagnoses.ratingCount(), 8);
}

void TestStoreAgreement::strataFromRatersAndCases()
{
    const auto fst = m_set->strata.value(u"fitzpatrick"_s);
    QCOMPARE(fst.value(u"img-0"_s), u"IV"_s);  // 3, 4, 5
    QCOMPARE(fst.value(u"img-1"_s), u"II"_s);  // one rater's 2
    QCOMPARE(fst.value(u"img-2"_s), u"VI"_s);  // 6, 6 (not gradable left out)
    QCOMPARE(fst.value(u"img-3"_s), u"I"_s);
    QCOMPARE(fst.value(u"img-4"_s), u"VI"_s);  // nobody rated: the case's self-reported FST6
    const auto monk = m_set->strata.value(u"monk"_s);
    QCOMPARE(monk.value(u"img-0"_s), u"04"_s); // 4, 4, 5
    QCOMPARE(monk.value(u"img-2"_s), u"10"_s); // 9, 10, 10
    QVERIFY(!monk.contains(u"img-4"_s));
    QCOMPARE(m_set->strata.value(u"sex"_s).value(u"img-1"_s), u"female"_s);
    QCOMPARE(m_set->strata.value(u"sex"_s).value(u"img-3"_s), u"male"_s);
    QCOMPARE(m_set->strata.value(u"body_site"_s).value(u"img-0"_s), u"arm; leg"_s);
    QCOMPARE(m_set->strata.value(u"country"_s).value(u"img-0"_s), u"Kenya"_s);
    QVERIFY(!m_set->strata.value(u"country"_s).contains(u"img-2"_s)); // unknown: no group
    QCOMPARE(m_set->strata.value(u"source"_s).value(u"img-2"_s), u"Test"_s);
    QCOMPARE(m_set->strata.value(u"age_group"_s).value(u"img-2"_s), u"AGE_60_TO_69"_s);
    // Labelled moments ago: this ISO week (of the UTC date; a minute's slack at a week's turn).
    auto weekOf = [](const QDateTime &t) {
        int year = 0;
        const int week = t.date().weekNumber(&year);
        return u"%1-W%2"_s.arg(year).arg(week, 2, 10, QChar(u'0'));
    };
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString img0Week = m_set->strata.value(u"week"_s).value(u"img-0"_s);
    QVERIFY2(img0Week == weekOf(now) || img0Week == weekOf(now.addSecs(-60)), qPrintable(img0Week));
    QVERIFY(!m_set->strata.value(u"week"_s).contains(u"img-4"_s));
}

void TestStoreAgreement::referenceLabels()
{
    const RatingTable *fst = table(m_set->reference, u"reference.fitzpatrick"_s);
    QVERIFY(fst);
    QCOMPARE(fst->level(), MeasureLevel::Ordinal);
    QCOMPARE(fst->ratingCount(), 4);
    QCOMPARE(valueOf(*fst, u"case-1"_s, u"dermatologist_2"_s), u"4"_s);
    const RatingTable *monk = table(m_set->reference, u"reference.monk_skin_tone"_s);
    QVERIFY(monk);
    QCOMPARE(valueOf(*monk, u"case-1"_s, u"india"_s), u"5"_s);
    QCOMPARE(valueOf(*monk, u"case-1"_s, u"us"_s), u"6"_s);
    QVERIFY(!table(m_set->reference, u"reference.weighted_skin_condition_label"_s)); // a summary, not a rating
}

void TestStoreAgreement::reportMatchesTheCalculator()
{
    const StoreAgreement report = StoreAgreementReport::compute(*m_set, {u"fitzpatrick"_s, u"sex"_s});
    // Fields without any rating are left out; the others in form order.
    QCOMPARE(report.fields.first().field, u"gradable"_s);
    QVERIFY(std::none_of(report.fields.cbegin(), report.fields.cend(),
                         [](const FieldAgreement &f) { return f.field == u"diagnosis_3"_s; }));
    const FieldAgreement *fst = nullptr;
    for (const FieldAgreement &f : report.fields)
        if (f.field == u"fitzpatrick"_s)
            fst = &f;
    QVERIFY(fst);
    const auto direct = AgreementCalculator().compute(*table(m_set->fields, u"fitzpatrick"_s));
    QCOMPARE(fst->items, direct->items);
    QCOMPARE(fst->items, 2); // img-0 and img-2 have two or more numeric types
    QCOMPARE(*fst->alpha, *direct->alpha);

    // Diagnoses: img-0 (three raters), img-2 (three); top-1 agreement per item: img-0 has
    // pairs (a,b) eczema/eczema, (a,c) eczema/psoriasis... exact values are the calculator's.
    QCOMPARE(report.diagnoses.items, 2);
    QVERIFY(report.diagnoses.top1Agreement);

    QCOMPARE(report.strata.size(), 2);
    QCOMPARE(report.strata.at(0).key, u"fitzpatrick"_s);
    const StratifiedAgreement *gradableBySex = nullptr;
    for (const StratifiedAgreement &s : report.strata.at(1).fields)
        if (s.field == u"gradable"_s)
            gradableBySex = &s;
    QVERIFY(gradableBySex);
    QCOMPARE(gradableBySex->groups.size(), 2);
    QCOMPARE(gradableBySex->groups.at(0).group, u"female"_s);
    QCOMPARE(gradableBySex->groups.at(0).agreement.items, 2);       // img-0 and img-1
    QCOMPARE(*gradableBySex->groups.at(0).agreement.percentAgreement, (1.0 + 0.0) / 2);

    const QJsonObject json = StoreAgreementReport::toJson(report);
    QCOMPARE(json.value(u"fields"_s).toArray().size(), report.fields.size());
    QCOMPARE(json.value(u"diagnoses"_s).toObject().value(u"items"_s).toInt(), 2);
    QCOMPARE(json.value(u"reference"_s).toArray().size(), 3); // fitzpatrick, gradable_for_skin_condition, monk
    QCOMPARE(json.value(u"strata"_s).toArray().at(1).toObject().value(u"by"_s).toString(), u"sex"_s);
}

void TestStoreAgreement::maskLayersComparedPairwise()
{
    // Image 0 (100 x 100): three raters draw eczema; a.rater and b.rater the same 20 x 20 square,
    // c.rater one shifted by 10 px (overlap 10 x 20). Only a.rater draws psoriasis: no pair.
    auto paint = [&](int rater, const QString &layer, const cv::Rect &r) {
        MaskService service(*m_store, m_raters.at(rater));
        QString error;
        auto document = service.openOwn(m_images.at(0), &error);
        QVERIFY2(document, qPrintable(error));
        cv::Mat m = cv::Mat::zeros(100, 100, CV_8UC1);
        m(r).setTo(255);
        QVERIFY(document->setMask(layer, m, &error));
        QVERIFY2(service.saveChanged(*document, &error), qPrintable(error));
    };
    paint(1, u"condition:eczema"_s, {10, 10, 20, 20}); // a.rater
    paint(0, u"condition:eczema"_s, {10, 10, 20, 20}); // b.rater
    paint(2, u"condition:eczema"_s, {20, 10, 20, 20}); // c.rater
    paint(1, u"condition:psoriasis"_s, {50, 50, 10, 10});
    QString error;
    QVERIFY(!LayerAgreementReport::compute(*m_store, m_raters.first(), &error)); // blinded
    const auto layers = LayerAgreementReport::compute(*m_store, m_qa, &error);
    QVERIFY2(layers, qPrintable(error));
    QCOMPARE(layers->size(), 1);
    const LayerAgreement &eczema = layers->first();
    QCOMPARE(eczema.layer, u"condition:eczema"_s);
    QCOMPARE(eczema.images, 1);
    QCOMPARE(eczema.pairs, 3);
    // Dice: 1 (a, b), 2*200/800 = 0.5 twice; IoU: 1, 200/600 twice.
    QVERIFY(qAbs(eczema.meanDice - (1.0 + 0.5 + 0.5) / 3) < 1e-12);
    QVERIFY(qAbs(eczema.meanIou - (1.0 + 2.0 * 200.0 / 600.0) / 3) < 1e-12);
    QCOMPARE(eczema.minDice, 0.5);
    const QJsonArray json = LayerAgreementReport::toJson(*layers);
    QCOMPARE(json.first().toObject().value(u"pairs"_s).toInt(), 3);
}

void TestStoreAgreement::maskLayersStratified()
{
    // After maskLayersComparedPairwise: image 0 (case 1, female) has three eczema pairs. Now
    // a.rater and c.rater draw the same eczema square on image 2 (case 2, male): one pair, Dice 1.
    for (int rater : {1, 2}) {
        MaskService service(*m_store, m_raters.at(rater));
        QString error;
        auto document = service.openOwn(m_images.at(2), &error);
        QVERIFY2(document, qPrintable(error));
        cv::Mat m = cv::Mat::zeros(100, 100, CV_8UC1);
        m(cv::Rect(40, 40, 30, 30)).setTo(255);
        QVERIFY(document->setMask(u"condition:eczema"_s, m, &error));
        QVERIFY2(service.saveChanged(*document, &error), qPrintable(error));
    }
    QString error;
    const auto set = StoreRatings::load(*m_store, m_qa, &error);
    QVERIFY2(set, qPrintable(error));
    QCOMPARE(set->regions.size(), 4);
    const StoreAgreement agreement = StoreAgreementReport::compute(*set, {u"sex"_s});
    QCOMPARE(agreement.masks.size(), 1);
    QCOMPARE(agreement.masks.first().pairs, 4);
    QCOMPARE(agreement.masks.first().images, 2);
    QVERIFY(qAbs(agreement.masks.first().meanDice - (1.0 + 0.5 + 0.5 + 1.0) / 4) < 1e-12);

    const QList<GroupLayerAgreement> &groups = agreement.strata.first().masks;
    QCOMPARE(groups.size(), 2);
    QCOMPARE(groups.at(0).group, u"female"_s);
    QCOMPARE(groups.at(0).layers.size(), 1);
    QCOMPARE(groups.at(0).layers.first().pairs, 3);
    QVERIFY(qAbs(groups.at(0).layers.first().meanDice - 2.0 / 3.0) < 1e-12);
    QVERIFY(qAbs(groups.at(0).layers.first().meanIou - (1.0 + 2.0 * 200.0 / 600.0) / 3) < 1e-12);
    QCOMPARE(groups.at(1).group, u"male"_s);
    QCOMPARE(groups.at(1).layers.first().pairs, 1);
    QCOMPARE(groups.at(1).layers.first().images, 1);
    QCOMPARE(groups.at(1).layers.first().meanDice, 1.0);
    QCOMPARE(groups.at(1).layers.first().minDice, 1.0);

    const QJsonObject json = StoreAgreementReport::toJson(agreement);
    QCOMPARE(json.value(u"masks"_s).toArray().first().toObject().value(u"pairs"_s).toInt(), 4);
    const QJsonObject stratum = json.value(u"strata"_s).toArray().first().toObject();
    const QJsonObject male = stratum.value(u"masks"_s).toArray().at(1).toObject();
    QCOMPARE(male.value(u"group"_s).toString(), u"male"_s);
    QCOMPARE(male.value(u"layers"_s).toArray().first().toObject().value(u"mean_dice"_s).toDouble(), 1.0);
}

void TestStoreAgreement::diagnosesStratified()
{
    const StoreAgreement agreement = StoreAgreementReport::compute(*m_set, {u"sex"_s, u"country"_s});
    const QList<GroupDiagnosisAgreement> &bySex = agreement.strata.at(0).diagnoses;
    QCOMPARE(bySex.size(), 2);
    // female: img-0 (b: eczema, psoriasis; a: eczema; c: psoriasis, eczema) and img-1 (one
    // differential). Pairs of img-0: (a, b) same first, overlap 1; (a, c) and (b, c) differ
    // first, overlap 1.
    QCOMPARE(bySex.at(0).group, u"female"_s);
    QCOMPARE(bySex.at(0).size, 2);
    QCOMPARE(bySex.at(0).agreement.items, 1);
    QVERIFY(qAbs(*bySex.at(0).agreement.top1Agreement - 1.0 / 3.0) < 1e-12);
    QCOMPARE(*bySex.at(0).agreement.top3Overlap, 1.0);
    // male: img-2 (b: scabies; a: scabies, impetigo; c: impetigo) and img-3 (one).
    // (a, b) top-1 1, overlap 1; (a, c) 0, 1; (b, c) 0, 0.
    QCOMPARE(bySex.at(1).group, u"male"_s);
    QCOMPARE(bySex.at(1).size, 2);
    QCOMPARE(bySex.at(1).agreement.items, 1);
    QVERIFY(qAbs(*bySex.at(1).agreement.top1Agreement - 1.0 / 3.0) < 1e-12);
    QVERIFY(qAbs(*bySex.at(1).agreement.top3Overlap - 2.0 / 3.0) < 1e-12);
    QCOMPARE(bySex.at(1).agreement.pairs.size(), 3);
    // Only case 1 names a country: one group, with img-0 and img-1.
    const QList<GroupDiagnosisAgreement> &byCountry = agreement.strata.at(1).diagnoses;
    QCOMPARE(byCountry.size(), 1);
    QCOMPARE(byCountry.first().group, u"Kenya"_s);
    QCOMPARE(byCountry.first().size, 2);

    const QJsonObject stratum = StoreAgreementReport::toJson(agreement.strata.at(0));
    const QJsonObject male = stratum.value(u"diagnoses"_s).toArray().at(1).toObject();
    QCOMPARE(male.value(u"group"_s).toString(), u"male"_s);
    QCOMPARE(male.value(u"size"_s).toInt(), 2);
    QVERIFY(qAbs(male.value(u"top3_overlap"_s).toDouble() - 2.0 / 3.0) < 1e-12);
}

void TestStoreAgreement::runLengthOverlapEqualsPixels_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<double>("density");
    QTest::newRow("sparse") << 64 << 48 << 0.05;
    QTest::newRow("half") << 31 << 17 << 0.5;
    QTest::newRow("dense") << 40 << 40 << 0.95;
    QTest::newRow("one pixel") << 1 << 1 << 0.5;
}

void TestStoreAgreement::runLengthOverlapEqualsPixels()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(double, density);
    QRandomGenerator random(width * 1000 + height);
    for (int round = 0; round < 20; ++round) {
        cv::Mat a(height, width, CV_8UC1), b(height, width, CV_8UC1);
        // Random pixels: many short runs, the hardest case for the run walk.
        for (cv::Mat *m : {&a, &b}) {
            for (int y = 0; y < height; ++y) {
                for (int x = 0; x < width; ++x)
                    m->at<uchar>(y, x) = random.generateDouble() < density ? 255 : 0;
            }
        }
        if (round == 0)
            b.setTo(0); // one empty
        if (round == 1)
            a.setTo(0), b.setTo(0); // both empty: 1.0
        const Rle ra = CocoRle::encode(a), rb = CocoRle::encode(b);
        QCOMPARE(MaskAgreement::dice(ra, rb), MaskAgreement::dice(a, b));
        QCOMPARE(MaskAgreement::iou(ra, rb), MaskAgreement::iou(a, b));
    }
}

void TestStoreAgreement::runLengthOverlapRefusesMismatch()
{
    const cv::Mat a = cv::Mat::ones(10, 10, CV_8UC1) * 255;
    const cv::Mat b = cv::Mat::ones(10, 11, CV_8UC1) * 255;
    QVERIFY(!MaskAgreement::dice(CocoRle::encode(a), CocoRle::encode(b)));
    Rle truncated = CocoRle::encode(a);
    truncated.counts.back() -= 1; // covers 99 of 100 pixels
    QVERIFY(!MaskAgreement::iou(CocoRle::encode(a), truncated));
    QCOMPARE(MaskAgreement::dice(CocoRle::encode(a), CocoRle::encode(a)), 1.0);
}

QTEST_GUILESS_MAIN(TestStoreAgreement)
#include "tst_storeagreement.moc"
