// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/DemoDataset.h"
#include "demo/DemoMetadata.h"
#include "demo/SyntheticSkin.h"
#include "import/ScinReader.h"
#include "text/CsvReader.h"
#include "text/PyLiteral.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace Qt::StringLiterals;
using dl::DemoDataset;
using dl::DemoMetadata;
using dl::SkinParams;
using dl::SyntheticSkin;

namespace {

SkinParams params(const QString &condition, int fitzpatrick, quint32 seed, QSize size = { 400, 300 })
{
    SkinParams p;
    p.condition = condition;
    p.fitzpatrick = fitzpatrick;
    p.monk = SyntheticSkin::monkForFitzpatrick(fitzpatrick, seed);
    p.lesions = 2;
    p.size = size;
    p.seed = seed;
    return p;
}

bool sameBytes(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    for (int y = 0; y < a.rows; ++y) {
        if (std::memcmp(a.ptr(y), b.ptr(y), a.cols * a.elemSize()) != 0)
            return false;
    }
    return true;
}

double luminance(const cv::Scalar &bgr)
{
    return 0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2];
}

// The scin_cases.csv header as the brief documents it, column by column.
QStringList documentedCaseColumns()
{
    QStringList columns = { u"case_id"_s, u"source"_s, u"release"_s, u"year"_s, u"age_group"_s,
        u"sex_at_birth"_s, u"fitzpatrick_skin_type"_s };
    for (const char *race : { "american_indian_or_alaska_native", "asian", "black_or_african_american",
             "hispanic_latino_or_spanish_origin", "middle_eastern_or_north_african",
             "native_hawaiian_or_pacific_islander", "white", "other_race", "prefer_not_to_answer",
             "two_or_more_after_mitigation" })
        columns.append(u"race_ethnicity_"_s + QLatin1StringView(race));
    for (const char *t : { "raised_or_bumpy", "flat", "rough_or_flaky", "fluid_filled" })
        columns.append(u"textures_"_s + QLatin1StringView(t));
    for (const char *b : { "head_or_neck", "arm", "palm", "back_of_hand", "torso_front", "torso_back",
             "genitalia_or_groin", "buttocks", "leg", "foot_top_or_side", "foot_sole", "other" })
        columns.append(u"body_parts_"_s + QLatin1StringView(b));
    for (const char *s : { "bothersome_appearance", "bleeding", "increasing_size", "darkening", "itching",
             "burning", "pain", "no_relevant_experience" })
        columns.append(u"condition_symptoms_"_s + QLatin1StringView(s));
    for (const char *s : { "fever", "chills", "fatigue", "joint_pain", "mouth_sores", "shortness_of_breath",
             "no_relevant_symptoms" })
        columns.append(u"other_symptoms_"_s + QLatin1StringView(s));
    columns << u"related_category"_s << u"condition_duration"_s << u"image_1_path"_s << u"image_2_path"_s
            << u"image_3_path"_s << u"image_1_shot_type"_s << u"image_2_shot_type"_s << u"image_3_shot_type"_s
            << u"combined_race"_s;
    return columns;
}

QStringList documentedLabelColumns()
{
    return { u"case_id"_s, u"dermatologist_gradable_for_skin_condition_1"_s,
        u"dermatologist_gradable_for_skin_condition_2"_s, u"dermatologist_gradable_for_skin_condition_3"_s,
        u"dermatologist_skin_condition_on_label_name"_s, u"dermatologist_skin_condition_confidence"_s,
        u"weighted_skin_condition_label"_s, u"dermatologist_gradable_for_fitzpatrick_skin_type_1"_s,
        u"dermatologist_gradable_for_fitzpatrick_skin_type_2"_s,
        u"dermatologist_gradable_for_fitzpatrick_skin_type_3"_s,
        u"dermatologist_fitzpatrick_skin_type_label_1"_s, u"dermatologist_fitzpatrick_skin_type_label_2"_s,
        u"dermatologist_fitzpatrick_skin_type_label_3"_s, u"gradable_for_monk_skin_tone_india"_s,
        u"gradable_for_monk_skin_tone_us"_s, u"monk_skin_tone_label_india"_s, u"monk_skin_tone_label_us"_s };
}

} // namespace

class TestDemo : public QObject
{
    Q_OBJECT

private slots:
    void conditionsAndMonk();
    void renderIsDeterministic_data();
    void renderIsDeterministic();
    void renderSizes_data();
    void renderSizes();
    void rendersAtFullSize();
    void lesionMask_data();
    void lesionMask();
    void unknownConditionHasNoLesion();
    void luminanceFallsWithType_data();
    void luminanceFallsWithType();
    void weightedLabel_data();
    void weightedLabel();
    void pythonLiterals();
    void writeScinLayout_data();
    void writeScinLayout();
    void writeIsDeterministic();
    void scinReaderReadsDemo();
    void progressAndCancel();
    void rejectsBadOptions();
};

void TestDemo::conditionsAndMonk()
{
    const QStringList conditions = SyntheticSkin::demoConditions();
    QCOMPARE(conditions.size(), 10);
    QCOMPARE(QSet<QString>(conditions.begin(), conditions.end()).size(), 10);
    for (const QString &name :
        { u"Eczema"_s, u"Psoriasis"_s, u"Acne"_s, u"Urticaria"_s, u"Tinea"_s, u"Melanocytic naevus"_s,
            u"Seborrhoeic keratosis"_s, u"Impetigo"_s, u"Insect bite"_s, u"Scabies"_s })
        QVERIFY2(conditions.contains(name), qPrintable(name));

    int previousFirst = 0;
    for (int type = 1; type <= 6; ++type) {
        const auto [first, last] = SyntheticSkin::monkRangeForFitzpatrick(type);
        QVERIFY(first >= 1 && last <= 10 && first <= last);
        QVERIFY(first > previousFirst); // darker types never map to lighter Monk tones
        previousFirst = first;
        QSet<int> seen;
        for (quint32 seed = 1; seed <= 50; ++seed) {
            const int monk = SyntheticSkin::monkForFitzpatrick(type, seed);
            QVERIFY(monk >= first && monk <= last);
            QCOMPARE(SyntheticSkin::monkForFitzpatrick(type, seed), monk);
            seen.insert(monk);
        }
        QCOMPARE(seen.size(), last - first + 1); // the seed reaches every tone of the range
    }
    QCOMPARE(SyntheticSkin::monkRangeForFitzpatrick(1), std::make_pair(1, 2));
    QCOMPARE(SyntheticSkin::monkRangeForFitzpatrick(6), std::make_pair(9, 10));
}

void TestDemo::renderIsDeterministic_data()
{
    QTest::addColumn<QString>("condition");
    for (const QString &condition : SyntheticSkin::demoConditions())
        QTest::newRow(qPrintable(condition)) << condition;
}

void TestDemo::renderIsDeterministic()
{
    QFETCH(QString, condition);
    cv::Mat maskA, maskB, maskC;
    const cv::Mat a = SyntheticSkin::render(params(condition, 3, 77), &maskA);
    const cv::Mat b = SyntheticSkin::render(params(condition, 3, 77), &maskB);
    const cv::Mat c = SyntheticSkin::render(params(condition, 3, 78), &maskC);
    QVERIFY(sameBytes(a, b));
    QVERIFY(sameBytes(maskA, maskB));
    QVERIFY(!sameBytes(a, c));
    QVERIFY(!sameBytes(maskA, maskC));
    // Without a mask pointer the image is the same.
    QVERIFY(sameBytes(a, SyntheticSkin::render(params(condition, 3, 77))));
}

void TestDemo::renderSizes_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1600x1200") << QSize(1600, 1200);
    QTest::newRow("640x480") << QSize(640, 480);
    QTest::newRow("odd portrait 333x517") << QSize(333, 517);
    QTest::newRow("tiny 17x9") << QSize(17, 9);
    QTest::newRow("one pixel") << QSize(1, 1);
}

void TestDemo::renderSizes()
{
    QFETCH(QSize, size);
    cv::Mat mask;
    const cv::Mat image = SyntheticSkin::render(params(u"Psoriasis"_s, 2, 5, size), &mask);
    QCOMPARE(image.cols, size.width());
    QCOMPARE(image.rows, size.height());
    QCOMPARE(image.type(), CV_8UC3);
    QCOMPARE(mask.cols, size.width());
    QCOMPARE(mask.rows, size.height());
    QCOMPARE(mask.type(), CV_8UC1);
    const int zeros = mask.total() - cv::countNonZero(mask);
    QCOMPARE(zeros + cv::countNonZero(mask == 255), int(mask.total())); // strictly 0 / 255

    cv::Mat emptyMask = cv::Mat::ones(2, 2, CV_8U);
    QVERIFY(SyntheticSkin::render(params(u"Acne"_s, 2, 5, QSize(0, 10)), &emptyMask).empty());
    QVERIFY(emptyMask.empty());
}

void TestDemo::rendersAtFullSize()
{
    // Renders at full demo size; how long it takes is printed, not checked (tests never depend on timing).
    const SkinParams p = params(u"Eczema"_s, 4, 9, QSize(1600, 1200));
    qint64 best = std::numeric_limits<qint64>::max();
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer timer;
        timer.start();
        cv::Mat mask;
        const cv::Mat image = SyntheticSkin::render(p, &mask);
        best = std::min(best, timer.elapsed());
        QVERIFY(!image.empty());
    }
    qInfo("best of 3 renders at 1600x1200: %lld ms (a figure, never a pass mark)", best);
}

void TestDemo::lesionMask_data()
{
    QTest::addColumn<QString>("condition");
    QTest::addColumn<int>("fitzpatrick");
    QTest::addColumn<quint32>("seed");
    quint32 seed = 100;
    for (const QString &condition : SyntheticSkin::demoConditions()) {
        for (int type : { 1, 3, 6 })
            QTest::addRow("%s FST%d", qPrintable(condition), type) << condition << type << ++seed;
    }
}

void TestDemo::lesionMask()
{
    QFETCH(QString, condition);
    QFETCH(int, fitzpatrick);
    QFETCH(quint32, seed);
    cv::Mat mask;
    const cv::Mat image = SyntheticSkin::render(params(condition, fitzpatrick, seed, QSize(480, 360)), &mask);
    const int lesion = cv::countNonZero(mask);
    QVERIFY2(lesion > 20, qPrintable(u"%1 lesion pixels"_s.arg(lesion)));
    QVERIFY2(lesion < int(mask.total() / 2), qPrintable(u"%1 lesion pixels"_s.arg(lesion)));

    // The lesion lies inside the frame: its centroid is in the middle part and it leaves the border free.
    const cv::Moments m = cv::moments(mask, true);
    const double cx = m.m10 / m.m00 / mask.cols, cy = m.m01 / m.m00 / mask.rows;
    QVERIFY2(cx > 0.1 && cx < 0.9 && cy > 0.1 && cy < 0.9, qPrintable(u"centroid %1, %2"_s.arg(cx).arg(cy)));
    QCOMPARE(cv::countNonZero(mask.row(0)) + cv::countNonZero(mask.row(mask.rows - 1))
            + cv::countNonZero(mask.col(0)) + cv::countNonZero(mask.col(mask.cols - 1)),
        0);

    // Lesion pixels differ in colour from a band of skin around them (from 4% to 12% of the short side).
    const int unit = std::min(mask.cols, mask.rows);
    cv::Mat near, far;
    cv::dilate(mask, near,
        cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(unit / 25 * 2 + 1, unit / 25 * 2 + 1)));
    cv::dilate(mask, far,
        cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(unit / 8 * 2 + 1, unit / 8 * 2 + 1)));
    const cv::Mat band = far & ~near;
    QVERIFY(cv::countNonZero(band) > 0);
    const cv::Scalar inside = cv::mean(image, mask), around = cv::mean(image, band);
    const double distance
        = cv::norm(cv::Vec3d(inside[0], inside[1], inside[2]) - cv::Vec3d(around[0], around[1], around[2]));
    // Measured relative to the brightness of the skin: on type VI skin everything is dark, so the same
    // visible contrast is a smaller distance in 8-bit values.
    const double contrast = distance / luminance(around);
    QVERIFY2(distance > 5.0 && contrast > 0.08,
        qPrintable(u"colour distance %1, relative %2"_s.arg(distance).arg(contrast)));
}

void TestDemo::unknownConditionHasNoLesion()
{
    for (const QString &condition : { QString(), u"Not a condition"_s }) {
        cv::Mat mask;
        const cv::Mat image = SyntheticSkin::render(params(condition, 3, 4), &mask);
        QVERIFY(!image.empty());
        QCOMPARE(cv::countNonZero(mask), 0);
    }
    // Names match case-insensitively.
    cv::Mat mask;
    SyntheticSkin::render(params(u"melanocytic NAEVUS"_s, 3, 4), &mask);
    QVERIFY(cv::countNonZero(mask) > 0);
}

void TestDemo::luminanceFallsWithType_data()
{
    QTest::addColumn<QString>("condition");
    QTest::addColumn<quint32>("seed");
    const QStringList conditions = SyntheticSkin::demoConditions();
    for (quint32 seed = 1; seed <= 12; ++seed) {
        const QString condition = conditions.at(int(seed) % conditions.size());
        QTest::addRow("%s seed %u", qPrintable(condition), seed) << condition << seed;
    }
}

void TestDemo::luminanceFallsWithType()
{
    QFETCH(QString, condition);
    QFETCH(quint32, seed);
    double previous = 256.0;
    for (int type = 1; type <= 6; ++type) {
        cv::Mat mask;
        const cv::Mat image = SyntheticSkin::render(params(condition, type, seed, QSize(320, 240)), &mask);
        const double skin = luminance(cv::mean(image, mask == 0));
        QVERIFY2(skin < previous, qPrintable(u"FST%1: %2 after %3"_s.arg(type).arg(skin).arg(previous)));
        previous = skin;
    }
    QVERIFY(previous < 110.0); // type VI is really dark, not just slightly darker
}

void TestDemo::weightedLabel_data()
{
    using D = DemoMetadata::Differential;
    QTest::addColumn<QList<D>>("dermatologists");
    QTest::addColumn<QString>("expected");
    // The schema's worked example: Eczema 3, two conditions 1/2 each, Psoriasis 1/3.
    QTest::newRow("schema example") << QList<D> { D { { u"Eczema"_s, 5 } },
        D { { u"Eczema"_s, 4 }, { u"Acute and chronic dermatitis"_s, 2 } },
        D { { u"Post-inflammatory hyperpigmentation"_s, 2 }, { u"Eczema"_s, 4 }, { u"Psoriasis"_s, 1 } } }
                                    << u"{'Eczema': 0.69, 'Acute and chronic dermatitis': 0.12, "
                                       u"'Post-inflammatory hyperpigmentation': 0.12, "
                                       "'Psoriasis': 0.08}"_s;
    QTest::newRow("confidence ties keep the given order")
        << QList<D> { D { { u"Tinea"_s, 3 }, { u"Eczema"_s, 3 } } } << u"{'Tinea': 0.67, 'Eczema': 0.33}"_s;
    QTest::newRow("single") << QList<D> { D { { u"Acne"_s, 2 } } } << u"{'Acne': 1.0}"_s;
    QTest::newRow("equal weights sorted by name") << QList<D> { D { { u"Scabies"_s, 4 } },
        D { { u"Insect bite"_s, 4 } } } << u"{'Insect bite': 0.5, 'Scabies': 0.5}"_s;
    QTest::newRow("nobody graded") << QList<D> {} << u"{}"_s;
    QTest::newRow("empty differentials") << QList<D> { D {}, D {} } << u"{}"_s;
}

void TestDemo::weightedLabel()
{
    using D = DemoMetadata::Differential;
    QFETCH(QList<D>, dermatologists);
    QFETCH(QString, expected);
    QCOMPARE(DemoMetadata::weightedLabel(dermatologists), expected);
}

void TestDemo::pythonLiterals()
{
    QCOMPARE(DemoMetadata::pythonString(u"Eczema"_s), u"'Eczema'"_s);
    QCOMPARE(DemoMetadata::pythonString(u"O'Brien"_s), u"\"O'Brien\""_s);
    QCOMPARE(DemoMetadata::pythonString(u"it's \"x\""_s), u"'it\\'s \"x\"'"_s);
    QCOMPARE(DemoMetadata::pythonString(u"a\\b"_s), u"'a\\\\b'"_s);
    QCOMPARE(DemoMetadata::pythonList(QStringList { u"Eczema"_s, u"Psoriasis"_s, u"Eczema"_s }),
        u"['Eczema', 'Psoriasis', 'Eczema']"_s);
    QCOMPARE(DemoMetadata::pythonList(QStringList {}), u"[]"_s);
    QCOMPARE(DemoMetadata::pythonList(QList<int> { 4, 3, 5 }), u"[4, 3, 5]"_s);
    QCOMPARE(DemoMetadata::pythonFloat(0.5), u"0.5"_s);
    QCOMPARE(DemoMetadata::pythonFloat(1.0), u"1.0"_s);
    QCOMPARE(DemoMetadata::pythonFloat(0.6923), u"0.69"_s);
    QCOMPARE(DemoMetadata::pythonFloat(0.115385), u"0.12"_s);
    QCOMPARE(DemoMetadata::pythonFloat(0.004), u"0.0"_s);
}

void TestDemo::writeScinLayout_data()
{
    QTest::addColumn<int>("images");
    QTest::addColumn<quint32>("seed");
    QTest::newRow("25 images") << 25 << quint32(20261125);
    QTest::newRow("one image") << 1 << quint32(7);
    QTest::newRow("no images") << 0 << quint32(7);
}

void TestDemo::writeScinLayout()
{
    QFETCH(int, images);
    QFETCH(quint32, seed);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString root = tmp.filePath(u"demo"_s); // does not exist yet: must be created
    dl::DemoOptions options;
    options.images = images;
    options.seed = seed;
    options.size = QSize(320, 240);
    QString error;
    QVERIFY2(DemoDataset::writeScinLayout(root, options, &error), qPrintable(error));

    QCOMPARE(DemoDataset::caseColumns(), documentedCaseColumns());
    QCOMPARE(DemoDataset::labelColumns(), documentedLabelColumns());
    const auto cases = dl::CsvReader::readFile(root + u"/scin_cases.csv"_s, &error);
    QVERIFY2(cases, qPrintable(error));
    const auto labels = dl::CsvReader::readFile(root + u"/scin_labels.csv"_s, &error);
    QVERIFY2(labels, qPrintable(error));
    QCOMPARE(cases->header, documentedCaseColumns());
    QCOMPARE(labels->header, documentedLabelColumns());
    QCOMPARE(cases->rows.size(), labels->rows.size());
    if (images == 0) {
        QCOMPARE(cases->rows.size(), 0);
        return;
    }
    QVERIFY(cases->rows.size() >= (images + 2) / 3 && cases->rows.size() <= images);

    const QSet<QString> shotTypes { u"CLOSE_UP"_s, u"AT_AN_ANGLE"_s, u"AT_DISTANCE"_s };
    const QStringList conditionList = SyntheticSkin::demoConditions();
    const QSet<QString> conditions(conditionList.begin(), conditionList.end());
    const QRegularExpression idPattern(u"^-?[0-9]{1,19}$"_s);
    const QRegularExpression pathPattern(u"^dataset/images/-?[0-9]{1,19}\\.jpg$"_s);
    const QRegularExpression nameList(u"^\\[('[^'\\\\]*'(, '[^'\\\\]*')*)?\\]$"_s);
    const QRegularExpression numberList(u"^\\[([1-5](, [1-5])*)?\\]$"_s);
    const QRegularExpression dictPattern(
        u"^\\{('[^']+': [01]\\.[0-9]{1,2}(, '[^']+': [01]\\.[0-9]{1,2})*)?\\}$"_s);
    QSet<QString> caseIds, imagePaths;
    int imageCount = 0;
    for (qsizetype r = 0; r < cases->rows.size(); ++r) {
        const QString id = cases->value(r, u"case_id");
        QVERIFY2(idPattern.match(id).hasMatch(), qPrintable(id));
        QVERIFY2(!caseIds.contains(id), qPrintable(u"duplicate case id "_s + id));
        caseIds.insert(id);
        QCOMPARE(labels->value(r, u"case_id"), id);
        QCOMPARE(cases->value(r, u"source"), u"SYNTHETIC_DEMO"_s);
        QVERIFY(cases->value(r, u"fitzpatrick_skin_type")
                    .contains(QRegularExpression(u"^(FST[1-6]|NONE_IDENTIFIED)$"_s)));
        for (int i = 1; i <= 3; ++i) {
            const QString path = cases->value(r, u"image_%1_path"_s.arg(i));
            const QString shot = cases->value(r, u"image_%1_shot_type"_s.arg(i));
            if (path.isEmpty()) {
                QVERIFY(shot.isEmpty());
                continue;
            }
            QVERIFY2(i == 1 || !cases->value(r, u"image_%1_path"_s.arg(i - 1)).isEmpty(),
                "images fill slots in order");
            QVERIFY2(pathPattern.match(path).hasMatch(), qPrintable(path));
            QVERIFY2(shotTypes.contains(shot), qPrintable(shot));
            QVERIFY2(!imagePaths.contains(path), qPrintable(u"duplicate image "_s + path));
            imagePaths.insert(path);
            const cv::Mat image = cv::imread((root + u'/' + path).toStdString(), cv::IMREAD_COLOR);
            QVERIFY2(!image.empty(), qPrintable(path));
            QCOMPARE(image.cols, 320);
            QCOMPARE(image.rows, 240);
            ++imageCount;
        }
        QVERIFY(!cases->value(r, u"image_1_path").isEmpty());

        // Labels: list literals well formed, parallel and readable by the project's Python-literal parser.
        const QString names = labels->value(r, u"dermatologist_skin_condition_on_label_name");
        const QString confidences = labels->value(r, u"dermatologist_skin_condition_confidence");
        const QString weighted = labels->value(r, u"weighted_skin_condition_label");
        QVERIFY2(nameList.match(names).hasMatch(), qPrintable(names));
        QVERIFY2(numberList.match(confidences).hasMatch(), qPrintable(confidences));
        QVERIFY2(dictPattern.match(weighted).hasMatch(), qPrintable(weighted));
        const auto nameValues = dl::PyLiteral::parseStringList(names, &error);
        QVERIFY2(nameValues, qPrintable(error));
        const auto confidenceValues = dl::PyLiteral::parseNumberList(confidences, &error);
        QVERIFY2(confidenceValues, qPrintable(error));
        QCOMPARE(nameValues->size(), confidenceValues->size());
        for (const QString &name : *nameValues)
            QVERIFY2(conditions.contains(name), qPrintable(name));
        const auto weights = dl::PyLiteral::parseStringNumberDict(weighted, &error);
        QVERIFY2(weights, qPrintable(error));
        double sum = 0.0;
        for (const auto &[name, weight] : *weights) {
            QVERIFY2(nameValues->contains(name), qPrintable(name));
            sum += weight;
        }
        if (!nameValues->isEmpty())
            QVERIFY2(std::abs(sum - 1.0) < 0.03, qPrintable(weighted));

        int raters = 0;
        for (int i = 1; i <= 3; ++i) {
            const QString gradable
                = labels->value(r, u"dermatologist_gradable_for_skin_condition_%1"_s.arg(i));
            QVERIFY2(
                gradable.isEmpty() || gradable == u"True"_s || gradable == u"False"_s, qPrintable(gradable));
            QVERIFY2(gradable.isEmpty() || i == 1
                    || !labels->value(r, u"dermatologist_gradable_for_skin_condition_%1"_s.arg(i - 1))
                            .isEmpty(),
                "raters fill slots in order");
            raters += gradable.isEmpty() ? 0 : 1;
            const QString fstGradable
                = labels->value(r, u"dermatologist_gradable_for_fitzpatrick_skin_type_%1"_s.arg(i));
            const QString fst = labels->value(r, u"dermatologist_fitzpatrick_skin_type_label_%1"_s.arg(i));
            QVERIFY(fstGradable.isEmpty() || fstGradable == u"YES"_s || fstGradable == u"NO"_s);
            QCOMPARE(fst.isEmpty(), fstGradable != u"YES"_s);
            QVERIFY2(fst.isEmpty() || fst.contains(QRegularExpression(u"^FST[1-6]$"_s)), qPrintable(fst));
        }
        QVERIFY(raters >= 1);
        for (const QString &region : { u"india"_s, u"us"_s }) {
            const QString gradable = labels->value(r, u"gradable_for_monk_skin_tone_"_s + region);
            const QString monk = labels->value(r, u"monk_skin_tone_label_"_s + region);
            QVERIFY(gradable == u"True"_s || gradable == u"False"_s);
            QCOMPARE(monk.isEmpty(), gradable == u"False"_s);
            QVERIFY2(
                monk.isEmpty() || monk.contains(QRegularExpression(u"^([1-9]|10)\\.0$"_s)), qPrintable(monk));
        }
    }
    QCOMPARE(imageCount, images);
    // Nothing but the referenced images was written.
    QCOMPARE(QDir(root + u"/dataset/images"_s).entryList(QDir::Files).size(), images);
}

void TestDemo::writeIsDeterministic()
{
    QTemporaryDir a, b;
    dl::DemoOptions options;
    options.images = 5;
    options.size = QSize(200, 160);
    QString error;
    QVERIFY2(DemoDataset::writeScinLayout(a.path(), options, &error), qPrintable(error));
    QVERIFY2(DemoDataset::writeScinLayout(b.path(), options, &error), qPrintable(error));
    auto bytes = [](const QString &path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    };
    for (const QString &name : { u"scin_cases.csv"_s, u"scin_labels.csv"_s }) {
        const QByteArray first = bytes(a.filePath(name));
        QVERIFY(!first.isEmpty());
        QCOMPARE(bytes(b.filePath(name)), first);
    }
    const QStringList images = QDir(a.filePath(u"dataset/images"_s)).entryList(QDir::Files, QDir::Name);
    QCOMPARE(images.size(), 5);
    for (const QString &image : images)
        QCOMPARE(
            bytes(b.filePath(u"dataset/images/"_s + image)), bytes(a.filePath(u"dataset/images/"_s + image)));

    QTemporaryDir c;
    options.seed += 1;
    QVERIFY2(DemoDataset::writeScinLayout(c.path(), options, &error), qPrintable(error));
    QVERIFY(bytes(c.filePath(u"scin_cases.csv"_s)) != bytes(a.filePath(u"scin_cases.csv"_s)));
}

void TestDemo::scinReaderReadsDemo()
{
    // The lead's `demo` command imports the folder with the real SCIN importer: it must take all of it.
    QTemporaryDir tmp;
    dl::DemoOptions options;
    options.images = 9;
    options.size = QSize(160, 120);
    QString error;
    QVERIFY2(DemoDataset::writeScinLayout(tmp.path(), options, &error), qPrintable(error));
    const auto plan = dl::ScinReader::read(tmp.path(), &error);
    QVERIFY2(plan, qPrintable(error));
    QVERIFY2(plan->missing.isEmpty(), qPrintable(plan->missing.value(0).message));
    QVERIFY2(plan->rejected.isEmpty(), qPrintable(plan->rejected.value(0).message));
    QVERIFY2(plan->warnings.isEmpty(), qPrintable(plan->warnings.join(u'\n')));
    int images = 0;
    for (const dl::PlannedCase &planned : plan->cases) {
        images += int(planned.images.size());
        QVERIFY(!planned.labels.isEmpty());
        for (const dl::PlannedImage &image : planned.images)
            QVERIFY2(QFile::exists(image.absolutePath), qPrintable(image.absolutePath));
    }
    QCOMPARE(images, 9);
}

void TestDemo::progressAndCancel()
{
    QTemporaryDir tmp;
    dl::DemoOptions options;
    options.images = 6;
    options.size = QSize(160, 120);
    QList<int> calls;
    QString error;
    QVERIFY(DemoDataset::writeScinLayout(tmp.filePath(u"all"_s), options, &error, [&](int done, int total) {
        calls.append(done);
        return total == 6;
    }));
    QCOMPARE(calls, (QList<int> { 0, 1, 2, 3, 4, 5, 6 }));

    const QString root = tmp.filePath(u"cancelled"_s);
    int seen = 0;
    error.clear();
    QVERIFY(!DemoDataset::writeScinLayout(root, options, &error, [&](int done, int) {
        seen = done;
        return done < 3;
    }));
    QCOMPARE(error, u"cancelled"_s);
    QCOMPARE(seen, 3);
    QVERIFY(!QFile::exists(root + u"/scin_cases.csv"_s));
    QVERIFY(!QFile::exists(root + u"/scin_labels.csv"_s));
    QCOMPARE(QDir(root + u"/dataset/images"_s).entryList(QDir::Files).size(), 0);

    // Cancelling before the first image also works.
    QVERIFY(!DemoDataset::writeScinLayout(
        tmp.filePath(u"early"_s), options, &error, [](int, int) { return false; }));
    QCOMPARE(error, u"cancelled"_s);
}

void TestDemo::rejectsBadOptions()
{
    QTemporaryDir tmp;
    dl::DemoOptions options;
    options.images = -1;
    QString error;
    QVERIFY(!DemoDataset::writeScinLayout(tmp.path(), options, &error));
    QVERIFY(error.contains(u"negative"_s));

    options.images = 2;
    options.size = QSize(8, 8);
    error.clear();
    QVERIFY(!DemoDataset::writeScinLayout(tmp.path(), options, &error));
    QVERIFY(error.contains(u"too small"_s));

    // A file where the folder should be.
    QFile blocker(tmp.filePath(u"file"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    options.size = QSize(64, 48);
    error.clear();
    QVERIFY(!DemoDataset::writeScinLayout(tmp.filePath(u"file"_s), options, &error));
    QVERIFY2(error.contains(u"Cannot create"_s), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
