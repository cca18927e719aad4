// SPDX-License-Identifier: GPL-3.0-or-later
// The QA dashboard on a store with known labels: the overview equals StoreAgreementReport, the
// stratum selector adds group columns, the disagreement list holds the rows to adjudicate, the
// plots and the per-rater report show the core's numbers, the review dialog shows every rater's
// labels and masks and adjudicates through ConsensusService, and annotators get an error.
// Runs on SQLite and, as qadashboard_postgres, on PostgreSQL (TestStores).
#include "TestStores.h"

#include "CaseContextBar.h"
#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "masks/MaskService.h"
#include "qa/AgreementCalculator.h"
#include "qa/AgreementTableModel.h"
#include "qa/ConfusionHeatMap.h"
#include "qa/ConsensusService.h"
#include "qa/DisagreementFilterModel.h"
#include "qa/DisagreementModel.h"
#include "qa/FaceFlagModel.h"
#include "qa/OverlapTableModel.h"
#include "qa/QaDashboard.h"
#include "qa/QaPlots.h"
#include "qa/RaterComparison.h"
#include "qa/RaterReportModel.h"
#include "qa/ReviewCanvas.h"
#include "qa/ReviewDialog.h"
#include "qa/ReviewTableModel.h"
#include "qa/StoreAgreementReport.h"
#include "qa/StoreRatings.h"
#include "release/FaceCheck.h"
#include "store/CaseRepository.h"
#include "store/ImageRepository.h"
#include "store/SourceRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPointF>
#include <QPushButton>
#include <QTabWidget>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTableView>
#include <QTest>
#include <QtCharts/QAbstractSeries>
#include <QtCharts/QChart>

#include <opencv2/imgproc.hpp>

using namespace Qt::StringLiterals;
using namespace dl;

class TestQaDashboard : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void annotatorGetsAnError();
    void overviewEqualsTheReport();
    void stratumAddsGroupColumns();
    void overlapTableShowsDiagnosesAndRegions();
    void confidenceIntervalsOnDemand();
    void disagreementListHoldsTheRowsToAdjudicate();
    void plotsShowTheCoreNumbers();
    void raterReport();
    void reviewShowsEveryRaterAndTheirMasks();
    void reviewAdjudicatesWithAReason();
    void reviewRefusesAnnotators();
    void faceFlagsShownAndReviewed();
    void screenshots();

private:
    void label(int rater, int image, bool gradable, const QString &fitzpatrick, const QString &monk,
               const QStringList &conditions, bool tattoo = false);
    void drawMask(int rater, int image, const QString &layer, const cv::Rect &rect);
    static void waitIdle(QaDashboard &dashboard);

    TestStores m_stores {u"qadashboard"_s};
    std::unique_ptr<Store> m_store;
    User m_admin, m_qa;
    QList<User> m_raters;
    QList<qint64> m_images;
    std::optional<StoreRatingSet> m_set;
};

void TestQaDashboard::initTestCase()
{
    DL_REQUIRE_TEST_STORES(m_stores);
    QString error;
    m_store = m_stores.create(u"qa"_s, &error);
    QVERIFY2(m_store, qPrintable(error));
    UserRepository users(m_store->db());
    auto add = [&](const QString &name, const QString &display, Role role) {
        return users.findById(users.add(name, display, role, u"password"_s, &error, 1), &error).value_or(User {});
    };
    m_admin = add(u"admin"_s, {}, Role::Admin);
    m_qa = add(u"qa"_s, u"QA Lead"_s, Role::Qa);
    m_raters.append(add(u"r.alpha"_s, u"Dr Alpha"_s, Role::Annotator));
    m_raters.append(add(u"r.beta"_s, u"Dr Beta"_s, Role::Annotator));
    m_raters.append(add(u"r.gamma"_s, u"Dr Gamma"_s, Role::Annotator));

    // Six real PNG images in the store's image folder, in two cases with metadata.
    const qint64 source =
        SourceRepository(m_store->db()).findOrCreate({-1, u"scin"_s, u"Test"_s, u"/data"_s, {}, {}, false}, &error);
    QVERIFY2(source > 0, qPrintable(error));
    CaseRepository cases(m_store->db());
    CaseMetadata first;
    first.sex = u"female"_s;
    first.ageGroup = u"AGE_18_TO_29"_s;
    CaseMetadata second;
    second.sex = u"male"_s;
    second.ageGroup = u"AGE_60_TO_69"_s;
    const qint64 case1 = cases.insert(source, u"c1"_s, u"case-1"_s, first, &error);
    const qint64 case2 = cases.insert(source, u"c2"_s, u"case-2"_s, second, &error);
    QVERIFY2(case1 > 0 && case2 > 0, qPrintable(error));
    ImageRepository images(m_store->db());
    for (int i = 0; i < 6; ++i) {
        QImage picture(64, 48, QImage::Format_RGB32);
        picture.fill(QColor::fromHsv(20 + i * 10, 90, 200 - i * 20));
        QPainter(&picture).fillRect(20, 14, 24, 20, QColor(150, 60, 60));
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(picture.save(&buffer, "PNG"));
        ImageRecord record;
        record.publicId = u"img-%1"_s.arg(i);
        record.sha256 = QString::fromLatin1(QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex());
        record.format = u"png"_s;
        record.width = 64;
        record.height = 48;
        record.byteSize = png.size();
        const QString path = m_store->imageFilePath(record.sha256, u"png"_s);
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(png);
        file.close();
        m_images.append(images.insert(record, &error));
        QVERIFY2(m_images.last() > 0, qPrintable(error));
        QVERIFY(cases.linkImage(i < 3 ? case1 : case2, m_images.last(), i, {}, &error));
    }
    for (const ReferenceLabel &r : QList<ReferenceLabel> {{u"dermatologist_1"_s, u"fitzpatrick"_s, u"3"_s},
                                                          {u"dermatologist_2"_s, u"fitzpatrick"_s, u"4"_s}})
        QCOMPARE(cases.setReferenceLabel(case1, r, &error), CaseRepository::Change::Inserted);
    for (const ReferenceLabel &r : QList<ReferenceLabel> {{u"dermatologist_1"_s, u"fitzpatrick"_s, u"6"_s},
                                                          {u"dermatologist_2"_s, u"fitzpatrick"_s, u"6"_s}})
        QCOMPARE(cases.setReferenceLabel(case2, r, &error), CaseRepository::Change::Inserted);

    QVERIFY2(AssignmentService(*m_store, m_admin).assign({}, 3, &error), qPrintable(error));
    //     rater image gradable FST  Monk  differential
    label(0, 0, true, u"3"_s, u"4"_s, {u"eczema"_s, u"psoriasis"_s});
    label(1, 0, true, u"4"_s, u"4"_s, {u"eczema"_s});
    label(2, 0, true, u"5"_s, u"5"_s, {u"psoriasis"_s, u"eczema"_s}); // FST 3/4/5: adjudicate
    label(0, 1, true, u"2"_s, u"3"_s, {u"acne"_s});
    label(1, 1, false, {}, {}, {});
    label(2, 1, true, u"2"_s, u"3"_s, {u"acne"_s});
    label(0, 2, true, u"6"_s, u"9"_s, {u"scabies"_s}, true);
    label(1, 2, true, u"6"_s, u"10"_s, {u"scabies"_s, u"impetigo"_s}, true);
    label(2, 2, true, u"not_gradable"_s, u"10"_s, {u"impetigo"_s});
    label(0, 3, true, u"1"_s, u"1"_s, {u"urticaria"_s}); // gamma still to label: pending
    label(1, 3, true, u"2"_s, u"2"_s, {u"eczema"_s});
    label(0, 4, true, u"3"_s, u"5"_s, {u"eczema"_s});
    label(1, 4, true, u"3"_s, u"5"_s, {u"psoriasis"_s});
    label(2, 4, true, u"3"_s, u"5"_s, {u"acne"_s}); // three conditions, one each: adjudicate
    for (int r = 0; r < 3; ++r)
        label(r, 5, true, u"4"_s, u"6"_s, {u"eczema"_s});

    // Alpha and beta outline the eczema on image 0, overlapping.
    drawMask(0, 0, u"condition:eczema"_s, cv::Rect(10, 10, 30, 20));
    drawMask(1, 0, u"condition:eczema"_s, cv::Rect(15, 12, 30, 20));

    m_set = StoreRatings::load(*m_store, m_qa, &error);
    QVERIFY2(m_set, qPrintable(error));
}

void TestQaDashboard::label(int rater, int image, bool gradable, const QString &fitzpatrick, const QString &monk,
                            const QStringList &conditions, bool tattoo)
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
        a->identifying = tattoo ? QStringList {u"tattoo"_s} : QStringList {};
        int confidence = 5;
        for (const QString &c : conditions)
            a->diagnoses.append({c, confidence--});
        a->fitzpatrick = fitzpatrick;
        a->monk = monk;
        a->note = rater == 0 && image == 0 ? u"border irregular"_s : QString();
    }
    QVERIFY2(service.save(*a, &error), qPrintable(error));
}

void TestQaDashboard::drawMask(int rater, int image, const QString &layer, const cv::Rect &rect)
{
    MaskService service(*m_store, m_raters.at(rater));
    QString error;
    auto document = service.openOwn(m_images.at(image), &error);
    QVERIFY2(document, qPrintable(error));
    cv::Mat mask = document->mask(layer);
    QVERIFY(!mask.empty());
    cv::rectangle(mask, rect, cv::Scalar(255), cv::FILLED);
    document->markChanged(layer);
    QVERIFY2(service.saveChanged(*document, &error), qPrintable(error));
}

void TestQaDashboard::waitIdle(QaDashboard &dashboard)
{
    QTRY_VERIFY_WITH_TIMEOUT(!dashboard.isBusy(), 30000);
}

static void compareOptional(const QVariant &shown, const std::optional<double> &expected)
{
    QCOMPARE(shown.isValid(), expected.has_value());
    if (expected)
        QCOMPARE(shown.toDouble(), *expected);
}

void TestQaDashboard::annotatorGetsAnError()
{
    QaDashboard dashboard(*m_store, m_raters.first());
    waitIdle(dashboard);
    QVERIFY(!dashboard.errorString().isEmpty());
    QCOMPARE(dashboard.overviewModel()->rowCount(), 0);
    QCOMPARE(dashboard.referenceModel()->rowCount(), 0);
    QCOMPARE(dashboard.disagreementModel()->rowCount(), 0);
    QCOMPARE(dashboard.raterModel()->rowCount(), 0);
    QVERIFY(!dashboard.tabs()->isEnabled());
    QVERIFY(dashboard.data().ratings.fields.isEmpty());
}

void TestQaDashboard::overviewEqualsTheReport()
{
    QaDashboard dashboard(*m_store, m_qa);
    QVERIFY(dashboard.isBusy()); // the load runs in the background
    waitIdle(dashboard);
    QVERIFY2(dashboard.errorString().isEmpty(), qPrintable(dashboard.errorString()));
    QAbstractItemModelTester overviewTester(dashboard.overviewModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester referenceTester(dashboard.referenceModel(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);

    const StoreAgreement expected = StoreAgreementReport::compute(*m_set, {});
    AgreementTableModel *model = dashboard.overviewModel();
    QCOMPARE(model->rowCount(), expected.fields.size());
    QCOMPARE(model->columnCount(), int(AgreementTableModel::FixedColumnCount));
    using M = AgreementTableModel;
    for (const FieldAgreement &f : expected.fields) {
        const int row = model->rowOf(f.field);
        QVERIFY2(row >= 0, qPrintable(f.field));
        auto value = [&](int column) { return model->index(row, column).data(M::ValueRole); };
        QCOMPARE(value(M::ItemsColumn).toLongLong(), f.items);
        QCOMPARE(value(M::RatersColumn).toLongLong(), f.raters);
        compareOptional(value(M::PercentColumn), f.percentAgreement);
        compareOptional(value(M::FleissColumn), f.fleissKappa);
        compareOptional(value(M::AlphaColumn), f.alpha);
        QVERIFY(!value(M::AlphaCiColumn).isValid()); // no bootstrap yet
        // Mean pairwise kappa: quadratic for ordinal fields.
        double sum = 0;
        int n = 0;
        for (const PairAgreement &p : f.pairs) {
            const auto &k = f.level == MeasureLevel::Ordinal ? p.kappaQuadratic : p.kappa;
            if (k) {
                sum += *k;
                ++n;
            }
        }
        compareOptional(value(M::PairKappaColumn), n ? std::optional<double>(sum / n) : std::nullopt);
        // Colour band follows alpha.
        QCOMPARE(model->index(row, M::AlphaColumn).data(M::BandRole).toInt(), int(M::band(f.alpha)));
    }
    // A few numbers by hand: gradable is "no" once (image 1, beta), "yes" otherwise; over the six
    // images with two or more ratings, percent agreement is (5 * 1 + 1/3) / 6.
    const int gradable = model->rowOf(u"gradable"_s);
    QCOMPARE(model->index(gradable, M::ItemsColumn).data(M::ValueRole).toLongLong(), 6);
    QCOMPARE(model->index(gradable, M::PercentColumn).data(M::ValueRole).toDouble(), (5.0 + 1.0 / 3.0) / 6.0);
    QCOMPARE(model->index(gradable, M::FieldColumn).data().toString(), u"Gradable"_s);
    QCOMPARE(M::band(0.85), M::AlphaBand::Good);
    QCOMPARE(M::band(0.7), M::AlphaBand::Tentative);
    QCOMPARE(M::band(0.5), M::AlphaBand::Poor);
    QCOMPARE(M::band(std::nullopt), M::AlphaBand::None);

    // Reference labels in their own table.
    QCOMPARE(dashboard.referenceModel()->rowCount(), expected.reference.size());
    QCOMPARE(expected.reference.size(), 1);
    const FieldAgreement &reference = expected.reference.first();
    compareOptional(dashboard.referenceModel()->index(0, M::AlphaColumn).data(M::ValueRole), reference.alpha);
    QCOMPARE(dashboard.referenceModel()->index(0, M::FieldColumn).data(M::FieldRole).toString(),
             u"reference.fitzpatrick"_s);

    // The diagnosis figures in the summary come from the same report.
    QCOMPARE(dashboard.data().agreement.diagnoses.top1Agreement, expected.diagnoses.top1Agreement);
    QCOMPARE(dashboard.data().agreement.diagnoses.top3Overlap, expected.diagnoses.top3Overlap);

    // A refresh reads the store again and shows the same.
    dashboard.refresh();
    QVERIFY(dashboard.isBusy());
    waitIdle(dashboard);
    QCOMPARE(model->rowCount(), expected.fields.size());
}

void TestQaDashboard::stratumAddsGroupColumns()
{
    QaDashboard dashboard(*m_store, m_qa);
    waitIdle(dashboard);
    AgreementTableModel *model = dashboard.overviewModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QComboBox *selector = dashboard.stratumSelector();
    QCOMPARE(selector->count(), StoreRatings::strataKeys().size() + 1); // none + every key
    QCOMPARE(selector->itemData(0).toString(), QString());

    // Fitzpatrick groups: the lower median of the raters' types per image.
    dashboard.setStratum(u"fitzpatrick"_s);
    waitIdle(dashboard);
    QCOMPARE(model->stratumKey(), u"fitzpatrick"_s);
    const QHash<QString, QString> groupOf = m_set->strata.value(u"fitzpatrick"_s);
    QStringList groups;
    for (const QString &g : groupOf)
        if (!groups.contains(g))
            groups.append(g);
    std::sort(groups.begin(), groups.end());
    QCOMPARE(model->groups(), groups);
    QCOMPARE(model->columnCount(), int(AgreementTableModel::FixedColumnCount) + 2 * groups.size());

    const AgreementCalculator calculator;
    for (const RatingTable &table : m_set->fields) {
        if (table.ratingCount() == 0)
            continue;
        const auto stratified = calculator.computeStratified(table, groupOf);
        QVERIFY(stratified);
        const int row = model->rowOf(table.field());
        for (const GroupAgreement &g : stratified->groups) {
            const int column = model->groupColumn(g.group);
            QVERIFY(column >= AgreementTableModel::FixedColumnCount);
            compareOptional(model->index(row, column).data(AgreementTableModel::ValueRole), g.agreement.alpha);
            QCOMPARE(model->index(row, column + 1).data(AgreementTableModel::ValueRole).toLongLong(),
                     g.agreement.items);
            QCOMPARE(model->index(row, column).data(AgreementTableModel::GroupRole).toString(), g.group);
        }
    }
    QVERIFY(model->headerData(model->groupColumn(groups.first()), Qt::Horizontal).toString().contains(groups.first()));

    // The week stratum is computed with every load: shown at once.
    dashboard.setStratum(u"week"_s);
    QVERIFY(!dashboard.isBusy());
    QCOMPARE(model->stratumKey(), u"week"_s);
    QCOMPARE(model->groups().size(), 1); // every label was changed this week

    dashboard.setStratum(QString());
    QCOMPARE(model->columnCount(), int(AgreementTableModel::FixedColumnCount));
}

void TestQaDashboard::overlapTableShowsDiagnosesAndRegions()
{
    QaDashboard dashboard(*m_store, m_qa);
    waitIdle(dashboard);
    OverlapTableModel *model = dashboard.overlapModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // top-1, top-3, then Dice and IoU of the one layer two raters drew.
    QCOMPARE(model->rowCount(), 4);
    const DiagnosisAgreement diagnoses = DiagnosisAgreementCalculator::compute(m_set->diagnoses);
    compareOptional(model->index(model->rowOf(u"top1"_s), OverlapTableModel::ValueColumn)
                        .data(OverlapTableModel::ValueRole),
                    diagnoses.top1Agreement);
    compareOptional(model->index(model->rowOf(u"top3"_s), OverlapTableModel::ValueColumn)
                        .data(OverlapTableModel::ValueRole),
                    diagnoses.top3Overlap);
    // Alpha's 30 x 20 at (10, 10) and beta's at (15, 12) share 25 x 18 = 450 pixels:
    // Dice 900 / 1200, IoU 450 / 750.
    const int dice = model->rowOf(u"dice:condition:eczema"_s);
    const int iou = model->rowOf(u"iou:condition:eczema"_s);
    QVERIFY(dice >= 0 && iou >= 0);
    QCOMPARE(model->index(dice, OverlapTableModel::ValueColumn).data().toString(), u"0.750"_s);
    QCOMPARE(model->index(iou, OverlapTableModel::ValueColumn).data().toString(), u"0.600"_s);
    QCOMPARE(model->index(dice, OverlapTableModel::PairsColumn).data().toLongLong(), 1);
    QCOMPARE(model->index(dice, OverlapTableModel::ImagesColumn).data().toLongLong(), 1);
    QVERIFY(model->index(dice, OverlapTableModel::MeasureColumn).data().toString().contains(u"Eczema"_s));

    // By sex: image 0 is in the female case; nobody drew a region on the male case's images.
    dashboard.setStratum(u"sex"_s);
    waitIdle(dashboard);
    QCOMPARE(model->groups(), (QStringList {u"female"_s, u"male"_s}));
    QCOMPARE(model->columnCount(), int(OverlapTableModel::FixedColumnCount) + 4);
    const int female = model->groupColumn(u"female"_s);
    const int male = model->groupColumn(u"male"_s);
    QCOMPARE(model->index(dice, female).data(OverlapTableModel::ValueRole).toDouble(), 0.75);
    QCOMPARE(model->index(dice, female + 1).data().toLongLong(), 1);
    QVERIFY(!model->index(dice, male).data(OverlapTableModel::ValueRole).isValid());
    QCOMPARE(model->index(dice, male).data().toString(), u"\u2014"_s);
    const auto byGroup = DiagnosisAgreementCalculator::computeStratified(m_set->diagnoses, m_set->strata.value(u"sex"_s));
    QCOMPARE(byGroup.size(), 2);
    for (const GroupDiagnosisAgreement &g : byGroup) {
        const int column = model->groupColumn(g.group);
        compareOptional(model->index(model->rowOf(u"top1"_s), column).data(OverlapTableModel::ValueRole),
                        g.agreement.top1Agreement);
        compareOptional(model->index(model->rowOf(u"top3"_s), column).data(OverlapTableModel::ValueRole),
                        g.agreement.top3Overlap);
        QCOMPARE(model->index(model->rowOf(u"top3"_s), column + 1).data(OverlapTableModel::ValueRole).toLongLong(),
                 g.agreement.items);
    }
    // Every image has at least two differentials (image 1: two of three raters, one said not
    // gradable; image 3: two, the third still to label): three images in each case.
    QCOMPARE(byGroup.at(0).agreement.items, 3);
    QCOMPARE(byGroup.at(1).agreement.items, 3);

    dashboard.setStratum(QString());
    QCOMPARE(model->columnCount(), int(OverlapTableModel::FixedColumnCount));
}

void TestQaDashboard::confidenceIntervalsOnDemand()
{
    QaDashboard dashboard(*m_store, m_qa);
    dashboard.resize(1200, 800);
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    waitIdle(dashboard);
    QVERIFY(dashboard.confidenceButton()->isEnabled());
    QTest::mouseClick(dashboard.confidenceButton(), Qt::LeftButton);
    QVERIFY(dashboard.isBusy());
    waitIdle(dashboard);

    AgreementOptions options;
    options.bootstrap = true;
    const StoreAgreement expected = StoreAgreementReport::compute(*m_set, {}, options);
    AgreementTableModel *model = dashboard.overviewModel();
    int withInterval = 0;
    for (const FieldAgreement &f : expected.fields) {
        const QVariant shown = model->index(model->rowOf(f.field), AgreementTableModel::AlphaCiColumn)
                                   .data(AgreementTableModel::ValueRole);
        QCOMPARE(shown.isValid(), f.alphaCi.has_value());
        if (f.alphaCi) {
            ++withInterval;
            QCOMPARE(shown.toPointF(), QPointF(f.alphaCi->lower, f.alphaCi->upper)); // seeded: the same
        }
    }
    QVERIFY(withInterval > 0);
}

void TestQaDashboard::disagreementListHoldsTheRowsToAdjudicate()
{
    QaDashboard dashboard(*m_store, m_qa);
    waitIdle(dashboard);
    QAbstractItemModelTester sourceTester(dashboard.disagreementModel(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(dashboard.disagreementProxy(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    QString error;
    ConsensusService consensus(*m_store, m_qa);
    const auto toAdjudicate = consensus.rows(ConsensusStatus::Adjudicate, &error);
    const auto pending = consensus.rows(ConsensusStatus::Pending, &error);
    QVERIFY2(toAdjudicate && pending, qPrintable(error));

    QSortFilterProxyModel *proxy = dashboard.disagreementProxy();
    QCOMPARE(proxy->rowCount(), toAdjudicate->size());
    QSet<QString> expected, shown;
    for (const ConsensusRow &row : *toAdjudicate)
        expected.insert(row.imageName + u'/' + row.consensus.field);
    for (int row = 0; row < proxy->rowCount(); ++row) {
        const QModelIndex index = proxy->index(row, 0);
        QCOMPARE(index.data(DisagreementModel::StatusRole).toInt(), int(ConsensusStatus::Adjudicate));
        shown.insert(index.data(DisagreementModel::ImageNameRole).toString() + u'/'
                     + index.data(DisagreementModel::FieldRole).toString());
    }
    QCOMPARE(shown, expected);
    // Image 4's diagnosis (three conditions, one vote each) and image 0's Fitzpatrick type (3, 4, 5):
    // the same severity (two of three raters against), the diagnosis first.
    QCOMPARE(proxy->rowCount(), 2);
    QCOMPARE(proxy->index(0, 0).data(DisagreementModel::FieldRole).toString(), u"diagnosis"_s);
    QCOMPARE(proxy->index(0, 0).data(DisagreementModel::ImageNameRole).toString(), u"img-4"_s);
    QCOMPARE(proxy->index(1, 0).data(DisagreementModel::FieldRole).toString(), u"fitzpatrick_type"_s);
    QCOMPARE(proxy->index(0, 0).data(DisagreementModel::SeverityRole).toDouble(), 2.0 / 3.0);
    QCOMPARE(proxy->index(0, DisagreementModel::VotesColumn).data().toString(), u"1 of 3"_s);

    // Pending rows on request (image 3 waits for gamma), still by severity.
    dashboard.setShowPending(true);
    QCOMPARE(proxy->rowCount(), toAdjudicate->size() + pending->size());
    QVERIFY(pending->size() > 0);
    for (int row = 1; row < proxy->rowCount(); ++row)
        QVERIFY(proxy->index(row - 1, 0).data(DisagreementModel::SeverityRole).toDouble()
                >= proxy->index(row, 0).data(DisagreementModel::SeverityRole).toDouble());
    dashboard.setShowPending(false);
    QCOMPARE(proxy->rowCount(), toAdjudicate->size());

    // Enter on a row asks for its review.
    dashboard.setOpensReviewDialog(false);
    dashboard.tabs()->setCurrentIndex(2);
    dashboard.resize(1000, 700);
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    QSignalSpy requested(&dashboard, &QaDashboard::reviewRequested);
    QTableView *view = dashboard.disagreementView();
    view->setFocus();
    view->setCurrentIndex(proxy->index(1, 0));
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.first().at(0).toLongLong(), m_images.at(0));
    QCOMPARE(requested.first().at(1).toString(), u"fitzpatrick_type"_s);

    // By default the dashboard opens the review itself, stepping through the list in its order.
    dashboard.setOpensReviewDialog(true);
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(requested.size(), 2);
    const QList<ReviewDialog *> dialogs = dashboard.findChildren<ReviewDialog *>();
    QCOMPARE(dialogs.size(), 1);
    ReviewDialog *review = dialogs.first();
    QVERIFY(review->isVisible());
    QCOMPARE(review->imageId(), m_images.at(0));
    QCOMPARE(review->queue().size(), 2);
    QCOMPARE(review->queuePosition(), 1);
    QCOMPARE(review->fieldSelector()->currentData().toString(), u"fitzpatrick_type"_s);
    review->close();
}

void TestQaDashboard::plotsShowTheCoreNumbers()
{
    QaDashboard dashboard(*m_store, m_qa);
    waitIdle(dashboard);
    QaPlots *plots = dashboard.plots();
    QCOMPARE(plots->field(), u"diagnosis_1"_s); // the first field shown
    QVERIFY(plots->setField(u"fitzpatrick"_s));
    QVERIFY(plots->setRaters(u"r.alpha"_s, u"r.gamma"_s));
    const RatingTable *table = dashboard.data().table(u"fitzpatrick"_s);
    QVERIFY(table);
    const ConfusionMatrix expected = RaterComparison::confusion(*table, u"r.alpha"_s, u"r.gamma"_s);
    const ConfusionMatrix &shown = plots->heatMap()->matrix();
    QCOMPARE(shown.labels, expected.labels);
    QCOMPARE(shown.counts, expected.counts);
    // alpha / gamma on Fitzpatrick: image 0 (3, 5), 1 (2, 2), 4 (3, 3), 5 (4, 4); gamma did not grade image 2.
    QCOMPARE(shown.items, 4);
    QCOMPARE(shown.agreeing(), 3);
    QCOMPARE(shown.labels, (QStringList {u"2"_s, u"3"_s, u"4"_s, u"5"_s}));

    // Label distribution: one bar set per Fitzpatrick type used, one category per rater.
    QChart *distribution = plots->distributionChart();
    QCOMPARE(distribution->series().size(), 1);
    const LabelDistribution d = RaterComparison::distribution(*table);
    QCOMPARE(distribution->series().first()->type(), QAbstractSeries::SeriesTypeHorizontalPercentBar);
    QCOMPARE(d.raters.size(), 3);

    // Agreement over time: percent agreement and alpha per week.
    QChart *time = plots->timeChart();
    QCOMPARE(time->series().size(), 2);

    // The rater combos offer the field's raters by display name.
    QCOMPARE(plots->raterASelector()->count(), 3);
    QCOMPARE(plots->raterASelector()->itemText(0), u"Dr Alpha"_s);
}

void TestQaDashboard::raterReport()
{
    QaDashboard dashboard(*m_store, m_qa);
    waitIdle(dashboard);
    RaterReportModel *model = dashboard.raterModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QString error;
    const auto expected = RaterComparison::report(*m_store, m_qa, &error);
    QVERIFY2(expected, qPrintable(error));
    QCOMPARE(model->rowCount(), 3);
    for (int row = 0; row < model->rowCount(); ++row) {
        const RaterReport &r = expected->at(row);
        auto value = [&](int column) { return model->index(row, column).data(RaterReportModel::ValueRole); };
        QCOMPARE(model->index(row, 0).data(RaterReportModel::UserNameRole).toString(), r.name);
        QCOMPARE(value(RaterReportModel::AssignedColumn).toLongLong(), r.assigned);
        QCOMPARE(value(RaterReportModel::DoneColumn).toLongLong(), r.done);
        compareOptional(value(RaterReportModel::ConsensusColumn), r.consensusAgreement());
        compareOptional(value(RaterReportModel::DiagnosisColumn), r.diagnosisAgreement());
    }
    QCOMPARE(model->index(0, RaterReportModel::RaterColumn).data().toString(), u"Dr Alpha"_s);
    QCOMPARE(model->index(0, RaterReportModel::AssignedColumn).data(RaterReportModel::ValueRole).toLongLong(), 6);
    QCOMPARE(model->index(2, RaterReportModel::OpenColumn).data(RaterReportModel::ValueRole).toLongLong(), 6);
}

void TestQaDashboard::reviewShowsEveryRaterAndTheirMasks()
{
    ReviewDialog dialog(*m_store, m_qa);
    QSignalSpy loaded(&dialog, &ReviewDialog::imageLoaded);
    QVERIFY2(dialog.showImage(m_images.at(0), u"fitzpatrick_type"_s), qPrintable(dialog.errorString()));
    ReviewTableModel *model = dialog.model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // Raters by name, in columns; the consensus last.
    QCOMPARE(model->columnCount(), 5);
    QCOMPARE(model->headerData(1, Qt::Horizontal).toString(), u"Dr Alpha"_s);
    QCOMPARE(model->headerData(2, Qt::Horizontal).toString(), u"Dr Beta"_s);
    QCOMPARE(model->headerData(3, Qt::Horizontal).toString(), u"Dr Gamma"_s);
    QCOMPARE(model->headerData(4, Qt::Horizontal).toString(), u"Consensus"_s);
    const int fitzpatrick = model->rowOf(u"fitzpatrick_type"_s);
    QCOMPARE(model->index(fitzpatrick, 0).data().toString(), u"Fitzpatrick type"_s);
    QCOMPARE(model->index(fitzpatrick, 1).data().toString(), u"III"_s);
    QCOMPARE(model->index(fitzpatrick, 2).data().toString(), u"IV"_s);
    QCOMPARE(model->index(fitzpatrick, 3).data().toString(), u"V"_s);
    QCOMPARE(model->index(fitzpatrick, 3).data(ReviewTableModel::ValueRole).toString(), u"5"_s);
    QCOMPARE(model->index(fitzpatrick, 4).data(ReviewTableModel::StatusRole).toInt(), int(ConsensusStatus::Adjudicate));
    QVERIFY(model->index(fitzpatrick, 1).data(ReviewTableModel::DisagreementRole).toBool());
    QCOMPARE(model->level(fitzpatrick), ReviewTableModel::Open);
    // Monk 4, 4, 5: agreed by majority but the raters differ.
    QCOMPARE(model->level(model->rowOf(u"monk_tone"_s)), ReviewTableModel::Differs);
    QCOMPARE(model->level(model->rowOf(u"gradable"_s)), ReviewTableModel::Agreement);
    // The differential with confidences, the rank-1 diagnosis and the note.
    const int differential = model->rowOf(u"differential"_s);
    QVERIFY(model->index(differential, 1).data().toString().contains(u"(5)"_s));
    QVERIFY(model->index(differential, 1).data().toString().contains(u"(4)"_s));
    QCOMPARE(model->index(model->rowOf(u"diagnosis"_s), 3).data(ReviewTableModel::ValueRole).toString(),
             u"psoriasis"_s);
    QCOMPARE(model->index(model->rowOf(u"diagnosis"_s), 4).data(ReviewTableModel::ValueRole).toString(),
             u"eczema"_s);
    QCOMPARE(model->index(model->rowOf(u"note"_s), 1).data().toString(), u"border irregular"_s);
    // The selected row is the field asked for, and so is the adjudication panel.
    QCOMPARE(dialog.table()->currentIndex().row(), fitzpatrick);
    QCOMPARE(dialog.fieldSelector()->currentData().toString(), u"fitzpatrick_type"_s);

    // The picture is decoded off the UI thread, with the raters' masks as switchable overlays:
    // alpha's and beta's eczema outlines, then their majority and STAPLE consensus (off).
    QTRY_VERIFY_WITH_TIMEOUT(loaded.size() == 1, 20000);
    QVERIFY(dialog.canvas()->hasImage());
    QCOMPARE(dialog.canvas()->image().size(), QSize(64, 48));
    const auto &overlays = dialog.canvas()->overlays();
    QCOMPARE(overlays.size(), 4);
    QVERIFY(overlays.at(0).name.startsWith(u"Dr Alpha"_s));
    QVERIFY(overlays.at(1).name.startsWith(u"Dr Beta"_s));
    QVERIFY(overlays.at(0).visible && overlays.at(1).visible);
    QVERIFY(!overlays.at(2).visible && !overlays.at(3).visible);
    QCOMPARE(dialog.overlayList()->count(), 4);
    dialog.overlayList()->item(0)->setCheckState(Qt::Unchecked);
    QVERIFY(!dialog.canvas()->overlays().at(0).visible);
    // Rectangles 30x20 offset by (5, 2): overlap 25x18 = 450; Dice 900/1200, IoU 450/750.
    QVERIFY2(dialog.maskScores()->text().contains(u"Dice 0.75, IoU 0.60"_s), qPrintable(dialog.maskScores()->text()));
}

void TestQaDashboard::reviewAdjudicatesWithAReason()
{
    ReviewDialog dialog(*m_store, m_qa);
    const QList<ReviewItem> queue {{m_images.at(4), u"img-4"_s, u"diagnosis"_s},
                                   {m_images.at(0), u"img-0"_s, u"fitzpatrick_type"_s}};
    dialog.setQueue(queue);
    QVERIFY(dialog.showImage(m_images.at(4), u"diagnosis"_s));
    QCOMPARE(dialog.queuePosition(), 0);
    QSignalSpy adjudicated(&dialog, &ReviewDialog::adjudicated);

    // The diagnosis can be settled as one of the raters' conditions or cannot determine.
    QComboBox *values = dialog.valueSelector();
    QStringList offered;
    for (int i = 0; i < values->count(); ++i)
        offered.append(values->itemData(i).toString());
    QCOMPARE(offered, (QStringList {u"eczema"_s, u"psoriasis"_s, u"acne"_s, u"cannot_determine"_s}));
    QCOMPARE(values->currentIndex(), -1); // nothing agreed: the QA lead chooses
    values->setCurrentIndex(values->findData(u"psoriasis"_s));
    QVERIFY(values->itemText(values->currentIndex()).contains(u"soriasis"_s));

    // A reason is required: Apply is off without one, and the core refuses a blank one.
    QVERIFY(!dialog.applyButton()->isEnabled());
    dialog.reasonEdit()->setText(u"   "_s);
    QVERIFY(!dialog.applyButton()->isEnabled());
    QVERIFY(!dialog.apply());
    QVERIFY(!dialog.errorString().isEmpty());
    QCOMPARE(adjudicated.size(), 0);
    QString error;
    ConsensusService consensus(*m_store, m_qa);
    auto rows = consensus.forImage(m_images.at(4), &error);
    auto diagnosis = std::find_if(rows->begin(), rows->end(),
                                  [](const ConsensusRow &r) { return r.consensus.field == u"diagnosis"_s; });
    QCOMPARE(diagnosis->consensus.status, ConsensusStatus::Adjudicate);

    QTest::keyClicks(dialog.reasonEdit(), u"plaques with silvery scale"_s);
    QVERIFY(dialog.applyButton()->isEnabled());
    QTest::mouseClick(dialog.applyButton(), Qt::LeftButton);
    QCOMPARE(adjudicated.size(), 1);
    QCOMPARE(adjudicated.first().at(1).toString(), u"diagnosis"_s);

    // The consensus changed in the store, and the row shows it.
    rows = consensus.forImage(m_images.at(4), &error);
    diagnosis = std::find_if(rows->begin(), rows->end(),
                             [](const ConsensusRow &r) { return r.consensus.field == u"diagnosis"_s; });
    QCOMPARE(diagnosis->consensus.status, ConsensusStatus::Adjudicated);
    QCOMPARE(diagnosis->consensus.value, u"psoriasis"_s);
    QCOMPARE(diagnosis->consensus.reason, u"plaques with silvery scale"_s);
    const int row = dialog.model()->rowOf(u"diagnosis"_s);
    const QModelIndex cell = dialog.model()->index(row, dialog.model()->consensusColumn());
    QCOMPARE(cell.data(ReviewTableModel::StatusRole).toInt(), int(ConsensusStatus::Adjudicated));
    QCOMPARE(cell.data(ReviewTableModel::ValueRole).toString(), u"psoriasis"_s);
    QVERIFY(dialog.reasonEdit()->text().isEmpty());

    // Page Down goes to the next disagreement, Page Up back; Escape closes.
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::keyClick(dialog.table(), Qt::Key_PageDown);
    QCOMPARE(dialog.queuePosition(), 1);
    QCOMPARE(dialog.imageId(), m_images.at(0));
    QCOMPARE(dialog.fieldSelector()->currentData().toString(), u"fitzpatrick_type"_s);
    QTest::keyClick(dialog.table(), Qt::Key_PageUp);
    QCOMPARE(dialog.queuePosition(), 0);
    QCOMPARE(dialog.imageId(), m_images.at(4));
    QTest::keyClick(&dialog, Qt::Key_Escape);
    QVERIFY(!dialog.isVisible());

    // Restore the vote for the other tests: drop the decision and recompute.
    QVERIFY(QSqlQuery(m_store->db()).exec(u"DELETE FROM adjudications"_s));
    QVERIFY2(consensus.compute(&error), qPrintable(error));
}

void TestQaDashboard::reviewRefusesAnnotators()
{
    ReviewDialog dialog(*m_store, m_raters.first());
    QVERIFY(!dialog.showImage(m_images.at(0)));
    QVERIFY(!dialog.errorString().isEmpty());
    QVERIFY(dialog.model()->raters().isEmpty());
    QCOMPARE(dialog.model()->columnCount(), 2);
    QVERIFY(!dialog.applyButton()->isEnabled());
}

void TestQaDashboard::faceFlagsShownAndReviewed()
{
    // The face check flagged image 4 (as an import would).
    const QList<QRect> faces {QRect(10, 8, 20, 22)};
    QString error;
    QCOMPARE(FaceCheck::recordFlag(*m_store, m_admin.id, m_images.at(4), faces, &error), std::optional<bool>(true));
    QCOMPARE(FaceCheck::recordFlag(*m_store, m_admin.id, m_images.at(4), faces, &error), std::optional<bool>(false));

    // The annotator sees a notice under the image; other images have none.
    CaseContextBar bar(*m_store);
    bar.setViewer(m_raters.first());
    bar.showImage(m_images.at(4));
    QVERIFY2(bar.faceFlagText().contains(u"Possible face"_s), qPrintable(bar.faceFlagText()));
    bar.showImage(m_images.at(0));
    QVERIFY(bar.faceFlagText().isEmpty());

    // The dashboard lists it as open, on its own tab.
    QaDashboard dashboard(*m_store, m_qa);
    waitIdle(dashboard);
    FaceFlagModel *model = dashboard.faceModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->openCount(), 1);
    QCOMPARE(model->index(0, FaceFlagModel::ImageColumn).data().toString(), u"img-4"_s);
    QCOMPARE(model->index(0, FaceFlagModel::FacesColumn).data().toInt(), 1);
    QCOMPARE(dashboard.tabs()->tabText(4), u"&Faces (1)"_s);
    QVERIFY(dashboard.faceCheckButton()->isHidden()); // QA leads do not run the check

    // The review shows the boxes and confirms the face.
    ReviewDialog review(*m_store, m_qa);
    QSignalSpy resolved(&review, &ReviewDialog::faceFlagResolved);
    QVERIFY(review.showImage(m_images.at(4)));
    QVERIFY(review.faceBar()->isVisibleTo(&review));
    QCOMPARE(review.canvas()->markedRegions(), faces);
    QVERIFY(review.faceText()->text().contains(u"Possible face"_s));
    QVERIFY(review.resolveFace(true));
    QCOMPARE(resolved.size(), 1);
    QVERIFY(review.faceText()->text().contains(u"confirmed"_s));
    bar.showImage(m_images.at(4));
    QVERIFY2(bar.faceFlagText().contains(u"Face confirmed"_s), qPrintable(bar.faceFlagText()));
    auto flag = FaceCheck(*m_store, m_qa).flag(m_images.at(4), &error);
    QVERIFY(flag);
    QCOMPARE(flag->status, u"confirmed"_s);
    // No flag on another image: no bar, no boxes.
    QVERIFY(review.showImage(m_images.at(0)));
    QVERIFY(!review.faceBar()->isVisibleTo(&review));
    QVERIFY(review.canvas()->markedRegions().isEmpty());

    // Dismissed from the dashboard: the notice goes, the flag stays listed as reviewed.
    QVERIFY(dashboard.resolveFace(m_images.at(4), false));
    waitIdle(dashboard);
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->openCount(), 0);
    QCOMPARE(model->index(0, FaceFlagModel::StatusColumn).data().toString(), FaceFlagModel::statusText(u"dismissed"_s));
    QCOMPARE(dashboard.tabs()->tabText(4), u"&Faces"_s);
    bar.showImage(m_images.at(4));
    QVERIFY(bar.faceFlagText().isEmpty());
    // Annotators may not settle a flag.
    QVERIFY(!FaceCheck(*m_store, m_raters.first()).resolve(m_images.at(4), true, &error));

    // Admins run the check over every image from the tab; a reviewed flag keeps its state.
    QaDashboard admin(*m_store, m_admin);
    waitIdle(admin);
    QVERIFY(!admin.faceCheckButton()->isHidden());
    QSignalSpy updated(&admin, &QaDashboard::updated);
    admin.runFaceCheck();
    QVERIFY(admin.isBusy());
    QCOMPARE(admin.faceCheckButton()->text(), u"Stop Face &Check"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!updated.isEmpty() && !admin.isBusy(), 30000); // the check and the reload after it
    QVERIFY2(admin.errorString().isEmpty(), qPrintable(admin.errorString()));
    QCOMPARE(admin.faceCheckButton()->text(), u"Run Face &Check"_s);
    QCOMPARE(admin.faceModel()->rowCount(), 1);
    QCOMPARE(admin.faceModel()->index(0, FaceFlagModel::StatusColumn).data(FaceFlagModel::StatusRole).toString(),
             u"dismissed"_s);
}

void TestQaDashboard::screenshots()
{
    // Renders every tab and the review at the size QA leads use; set DERMLABEL_QA_SCREENSHOTS to a
    // folder to keep the pictures.
    const QString folder = qEnvironmentVariable("DERMLABEL_QA_SCREENSHOTS");
    QaDashboard dashboard(*m_store, m_qa);
    dashboard.resize(1400, 900);
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    waitIdle(dashboard);
    dashboard.setStratum(u"fitzpatrick"_s);
    waitIdle(dashboard);
    const QStringList names {u"overview"_s, u"plots"_s, u"disagreements"_s, u"raters"_s, u"faces"_s};
    QCOMPARE(dashboard.tabs()->count(), names.size());
    for (int tab = 0; tab < dashboard.tabs()->count(); ++tab) {
        dashboard.tabs()->setCurrentIndex(tab);
        QCoreApplication::processEvents();
        const QPixmap picture = dashboard.grab();
        QCOMPARE(picture.size(), QSize(1400, 900));
        if (!folder.isEmpty())
            QVERIFY(picture.save(QDir(folder).filePath(u"qa-%1.png"_s.arg(names.at(tab)))));
    }
    ReviewDialog review(*m_store, m_qa);
    QSignalSpy loaded(&review, &ReviewDialog::imageLoaded);
    review.resize(1400, 900);
    review.show();
    QVERIFY(review.showImage(m_images.at(0), u"fitzpatrick_type"_s));
    QTRY_VERIFY_WITH_TIMEOUT(loaded.size() == 1, 20000);
    QCoreApplication::processEvents();
    const QPixmap picture = review.grab();
    QVERIFY(!picture.isNull());
    if (!folder.isEmpty())
        QVERIFY(picture.save(QDir(folder).filePath(u"qa-review.png"_s)));
}

QTEST_MAIN(TestQaDashboard)
#include "tst_qadashboard.moc"
