// SPDX-License-Identifier: GPL-3.0-or-later
// Region masks in core: layers, the raster tools, patch-based undo, the overlay, versioned storage
// and blinding. Runs on SQLite and, as masks_postgres, on PostgreSQL (TestStores).
#include "TestStores.h"

#include "annotation/AssignmentService.h"
#include "imaging/ImageDecoder.h"
#include "imaging/ImageProbe.h"
#include "masks/MaskDocument.h"
#include "masks/MaskEditCommand.h"
#include "masks/MaskLayer.h"
#include "masks/MaskOverlay.h"
#include "masks/MaskPatch.h"
#include "store/MaskRepository.h"
#include "masks/MaskService.h"
#include "masks/MaskStroke.h"
#include "masks/MaskTools.h"
#include "model/Annotation.h"
#include "model/LabelVocabulary.h"
#include "store/AssignmentRepository.h"
#include "store/ImageRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/UserRepository.h"
#include "taxonomy/Taxonomy.h"

#include "../support/NumericCompare.h"

#include <QElapsedTimer>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

int differing(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return -1;
    cv::Mat diff;
    cv::compare(a, b, diff, cv::CMP_NE);
    return cv::countNonZero(diff);
}

double segmentDistance(cv::Point2d p, cv::Point2d a, cv::Point2d b)
{
    const cv::Point2d d = b - a;
    const double len2 = d.dot(d);
    double t = len2 > 0 ? (p - a).dot(d) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    const cv::Point2d q = a + t * d;
    return std::hypot(p.x - q.x, p.y - q.y);
}

// Irregular blobs: star-shaped polygons, an ellipse with a hole, a thin polyline.
cv::Mat randomBlobs(int width, int height, unsigned seed)
{
    cv::Mat mask = cv::Mat::zeros(height, width, CV_8UC1);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double scale = std::min(width, height);
    for (int blob = 0; blob < 6; ++blob) {
        const cv::Point2d centre(unit(rng) * width, unit(rng) * height);
        const double radius = scale * (0.03 + 0.12 * unit(rng));
        std::vector<cv::Point> outline;
        for (int i = 0; i < 60; ++i) {
            const double angle = 2 * M_PI * i / 60;
            const double r = radius * (0.5 + 0.5 * unit(rng));
            outline.emplace_back(int(centre.x + r * std::cos(angle)), int(centre.y + r * std::sin(angle)));
        }
        cv::fillPoly(mask, std::vector<std::vector<cv::Point>> { outline }, cv::Scalar(255));
    }
    const cv::Point c(width / 2, height / 2);
    cv::ellipse(mask, c, cv::Size(width / 6, height / 7), 20, 0, 360, cv::Scalar(255), cv::FILLED);
    cv::ellipse(mask, c, cv::Size(width / 20, height / 25), 70, 0, 360, cv::Scalar(0), cv::FILLED);
    cv::polylines(mask,
        std::vector<std::vector<cv::Point>> {
            { { 0, height - 5 }, { width / 2, height / 2 }, { width - 1, 3 } } },
        false, cv::Scalar(255), 3);
    return mask;
}

// A JPEG whose EXIF orientation is 6 (stored landscape, displayed portrait).
QByteArray jpegWithOrientation6(int width, int height)
{
    cv::Mat bgr(height, width, CV_8UC3, cv::Scalar(40, 120, 200));
    cv::rectangle(bgr, cv::Rect(0, 0, width / 4, height / 4), cv::Scalar(255, 255, 255), cv::FILLED);
    std::vector<uchar> encoded;
    cv::imencode(".jpg", bgr, encoded);
    static const unsigned char app1[] = { 0xff, 0xe1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, // APP1, length 34
        'M', 'M', 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF, IFD at 8
        0x00, 0x01, // one entry
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, // orientation = 6
        0x00, 0x00, 0x00, 0x00 }; // no next IFD
    QByteArray jpeg(reinterpret_cast<const char *>(encoded.data()), qsizetype(encoded.size()));
    jpeg.insert(2, reinterpret_cast<const char *>(app1), sizeof app1);
    return jpeg;
}

struct History
{
    QStringList layers;
    std::vector<std::vector<cv::Mat>> states; // states[i] = every layer at stack index i

    std::vector<cv::Mat> snapshot(MaskDocument &doc) const
    {
        std::vector<cv::Mat> state;
        for (const QString &id : layers)
            state.push_back(doc.mask(id).clone());
        return state;
    }
    bool matches(MaskDocument &doc, int index) const
    {
        for (size_t i = 0; i < size_t(layers.size()); ++i) {
            if (differing(doc.mask(layers.at(qsizetype(i))), states[size_t(index)][i]) != 0)
                return false;
        }
        return true;
    }
};

} // namespace

class TestMasks : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    // layers and documents
    void layerIds_data();
    void layerIds();
    void layerNamesAndColours();
    void documentLayersAndChanges();

    // tools
    void rectangleArea_data();
    void rectangleArea();
    void pixelRect();
    void polygonMatchesFillPoly();
    void polygonFarOutside();
    void brushMatchesDistanceDefinition();
    void brushStrokeHasNoGaps_data();
    void brushStrokeHasNoGaps();
    void eraserClearsOnlyTheCapsule();
    void fillStopsAtPaintedBoundaries();
    void fillEraseClearsOneBlob();
    void fillHoles();
    void removeSpecks();
    void smoothEdge();

    // undo
    void patchRoundTrip_data();
    void patchRoundTrip();
    void strokeRecordsOnlyChangedPixels();
    void mergeOnlyWhenContinuing();
    void superpixelStepsAreTheirOwnTool();
    void undoRedoExactAfterRandomStrokes();
    void historyMemoryIsBounded();

    // overlay
    void overlayColours();
    void overlayIncrementalEqualsFull_data();
    void overlayIncrementalEqualsFull();
    void overlayCompositesLayers();

    // storage and blinding
    void roundTripIsBitIdentical_data();
    void roundTripIsBitIdentical();
    void versionsIncrease();
    void maskSaveStartsWork_data();
    void maskSaveStartsWork();
    void maskFollowsExifOrientation();
    void ratersAreBlinded();

private:
    User addUser(const QString &name, Role role);
    qint64 addImage(int width, int height, int orientation = 1);
    bool assignAll(int k);

    TestStores m_stores {u"masks"_s};
    std::unique_ptr<Store> m_store;
    User m_admin;
    int m_images = 0;
};

void TestMasks::initTestCase()
{
    DL_REQUIRE_TEST_STORES(m_stores);
}

void TestMasks::init()
{
    m_store.reset();
    QString error;
    m_store = m_stores.create(u"m"_s, &error);
    QVERIFY2(m_store, qPrintable(error));
    m_admin = addUser(u"admin"_s, Role::Admin);
}

User TestMasks::addUser(const QString &name, Role role)
{
    QString error;
    UserRepository users(m_store->db());
    const qint64 id = users.add(name, {}, role, u"password"_s, &error, 1);
    return users.findById(id, &error).value_or(User {});
}

qint64 TestMasks::addImage(int width, int height, int orientation)
{
    QString error;
    ImageRecord r;
    const int n = m_images++;
    r.publicId = u"img-%1"_s.arg(n);
    r.sha256 = u"%1"_s.arg(n, 64, 16, QLatin1Char('0'));
    r.format = u"jpeg"_s;
    r.width = width;
    r.height = height;
    r.orientation = orientation;
    r.byteSize = 1000;
    return ImageRepository(m_store->db()).insert(r, &error);
}

bool TestMasks::assignAll(int k)
{
    QString error;
    return AssignmentService(*m_store, m_admin).assign({}, k, &error).has_value();
}

// ---------------------------------------------------------------------------------------------
// Layers and documents

void TestMasks::layerIds_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("identifying");
    QTest::addColumn<QString>("key");
    QTest::newRow("condition") << u"condition:eczema"_s << true << false << u"eczema"_s;
    QTest::newRow("condition with digits")
        << u"condition:tinea_pedis_2"_s << true << false << u"tinea_pedis_2"_s;
    QTest::newRow("face") << u"identifying:face"_s << true << true << u"face"_s;
    QTest::newRow("visible text") << u"identifying:visible_text"_s << true << true << u"visible_text"_s;
    QTest::newRow("jewellery") << u"identifying:jewellery_or_birthmark"_s << true << true
                               << u"jewellery_or_birthmark"_s;
    QTest::newRow("empty condition") << u"condition:"_s << false << false << QString();
    QTest::newRow("upper case") << u"condition:Eczema"_s << false << false << QString();
    QTest::newRow("space") << u"condition:tinea pedis"_s << false << false << QString();
    QTest::newRow("unknown kind") << u"identifying:passport"_s << false << false << QString();
    QTest::newRow("no prefix") << u"eczema"_s << false << false << QString();
    QTest::newRow("other prefix") << u"region:face"_s << false << false << QString();
}

void TestMasks::layerIds()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QFETCH(bool, identifying);
    QFETCH(QString, key);
    QCOMPARE(MaskLayer::isValidId(id), valid);
    const MaskLayer layer(id);
    QCOMPARE(layer.isValid(), valid);
    if (!valid)
        return;
    const auto parsed = MaskLayer::parseId(id);
    QCOMPARE(parsed->key, key);
    QCOMPARE(parsed->kind == MaskLayer::Kind::Identifying, identifying);
    QCOMPARE(layer.key(), key);
    const QString rebuilt
        = identifying ? MaskLayer::identifyingLayerId(key) : MaskLayer::conditionLayerId(key);
    QCOMPARE(rebuilt, id);
}

void TestMasks::layerNamesAndColours()
{
    const Taxonomy &taxonomy = Taxonomy::builtin();
    QCOMPARE(MaskLayer(u"condition:eczema"_s).displayName(&taxonomy), u"Eczema"_s);
    QCOMPARE(MaskLayer(u"condition:eczema"_s).displayName(), u"eczema"_s);
    QCOMPARE(MaskLayer(u"condition:no_such_condition"_s).displayName(&taxonomy), u"no_such_condition"_s);
    QCOMPARE(MaskLayer(u"identifying:face"_s).displayName(), u"Face (identifying)"_s);

    // Stable: the same colour every time; identifying kinds fixed and distinct from each other and
    // from every condition colour.
    QCOMPARE(
        MaskLayer::defaultColour(u"condition:psoriasis"), MaskLayer::defaultColour(u"condition:psoriasis"));
    QSet<QRgb> identifyingColours;
    for (const QString &kind : LabelVocabulary::identifyingKindIds())
        identifyingColours.insert(MaskLayer::defaultColour(MaskLayer::identifyingLayerId(kind)).rgba());
    QCOMPARE(identifyingColours.size(), LabelVocabulary::identifyingKindIds().size());
    for (const QString &id : { u"eczema"_s, u"psoriasis"_s, u"melanoma"_s, u"acne"_s, u"tinea"_s }) {
        const QRgb c = MaskLayer::defaultColour(MaskLayer::conditionLayerId(id)).rgba();
        QVERIFY(!identifyingColours.contains(c));
    }

    // In one document every layer gets a different colour, even when condition hashes collide.
    MaskDocument doc(QSize(10, 10));
    QStringList ids;
    for (int i = 0; i < 12; ++i)
        ids << MaskLayer::conditionLayerId(u"c%1"_s.arg(i));
    for (const QString &kind : LabelVocabulary::identifyingKindIds())
        ids << MaskLayer::identifyingLayerId(kind);
    QSet<QRgb> used;
    for (const QString &id : ids)
        used.insert(doc.addLayer(id)->colour().rgba());
    QCOMPARE(used.size(), ids.size());

    // Layers for labels: diagnoses in rank order, then identifying kinds in form order.
    Annotation a;
    a.diagnoses = { { u"psoriasis"_s, 4 }, { u"eczema"_s, 2 } };
    a.identifying = { u"visible_text"_s, u"face"_s };
    QCOMPARE(MaskLayer::layerIdsFor(a),
        (QStringList { u"condition:psoriasis"_s, u"condition:eczema"_s, u"identifying:face"_s,
            u"identifying:visible_text"_s }));

    MaskLayer style(u"identifying:tattoo"_s);
    style.setOpacity(1.7);
    QCOMPARE(style.opacity(), 1.0);
    style.setOpacity(-1);
    QCOMPARE(style.opacity(), 0.0);
}

void TestMasks::documentLayersAndChanges()
{
    MaskDocument doc(QSize(30, 20));
    QCOMPARE(doc.layerCount(), 0);
    QVERIFY(!doc.addLayer(u"condition:Bad"_s));
    QVERIFY(doc.mask(u"nonsense"_s).empty());
    QVERIFY(doc.addLayer(u"condition:eczema"_s));
    QVERIFY(!doc.hasPixels(u"condition:eczema"_s));
    QVERIFY(doc.maskIfAllocated(u"condition:eczema"_s).empty());
    QVERIFY(!doc.isChanged(u"condition:eczema"_s));

    // Lazily allocated at the document's size, all outside, shared with the document.
    cv::Mat m = doc.mask(u"identifying:face"_s);
    QCOMPARE(m.cols, 30);
    QCOMPARE(m.rows, 20);
    QCOMPARE(m.type(), CV_8UC1);
    QCOMPARE(cv::countNonZero(m), 0);
    QCOMPARE(doc.layerIds(), (QStringList { u"condition:eczema"_s, u"identifying:face"_s }));
    MaskTools::rectangle(m, cv::Rect(0, 0, 5, 5), PaintMode::Paint);
    QCOMPARE(cv::countNonZero(doc.maskIfAllocated(u"identifying:face"_s)), 25);

    // setMask checks the size and makes every nonzero value 255.
    QString error;
    QVERIFY(!doc.setMask(u"condition:eczema"_s, cv::Mat::zeros(30, 20, CV_8UC1), &error));
    QVERIFY2(error.contains(u"20 x 30"_s), qPrintable(error));
    cv::Mat ones = cv::Mat::ones(20, 30, CV_8UC1);
    QVERIFY(doc.setMask(u"condition:eczema"_s, ones, &error));
    QCOMPARE(doc.mask(u"condition:eczema"_s).at<uchar>(3, 3), uchar(255));
    QCOMPARE(ones.at<uchar>(3, 3), uchar(1)); // the caller's matrix is not shared
    QCOMPARE(doc.changedLayers(), QStringList { u"condition:eczema"_s });
    doc.markSaved(u"condition:eczema"_s, 7);
    QVERIFY(doc.changedLayers().isEmpty());
    QCOMPARE(doc.savedVersion(u"condition:eczema"_s), 7);

    // A clone is deep.
    MaskDocument copy = doc.clone();
    doc.mask(u"condition:eczema"_s).setTo(0);
    QCOMPARE(cv::countNonZero(copy.mask(u"condition:eczema"_s)), 600);
    QVERIFY(doc.removeLayer(u"identifying:face"_s));
    QCOMPARE(doc.layerIds(), QStringList { u"condition:eczema"_s });
}

// ---------------------------------------------------------------------------------------------
// Tools

void TestMasks::rectangleArea_data()
{
    QTest::addColumn<QRect>("rect");
    QTest::addColumn<int>("area");
    QTest::newRow("inside") << QRect(10, 20, 30, 7) << 210;
    QTest::newRow("one pixel") << QRect(0, 0, 1, 1) << 1;
    QTest::newRow("clipped left top") << QRect(-5, -5, 10, 10) << 25;
    QTest::newRow("clipped right bottom") << QRect(95, 75, 10, 10) << 25;
    QTest::newRow("covers all") << QRect(-100, -100, 1000, 1000) << 8000;
    QTest::newRow("outside") << QRect(100, 0, 5, 5) << 0;
}

void TestMasks::rectangleArea()
{
    QFETCH(QRect, rect);
    QFETCH(int, area);
    cv::Mat mask = cv::Mat::zeros(80, 100, CV_8UC1);
    const cv::Rect r = MaskTools::rectangle(
        mask, cv::Rect(rect.x(), rect.y(), rect.width(), rect.height()), PaintMode::Paint);
    QCOMPARE(cv::countNonZero(mask), area);
    QCOMPARE(r.area(), area);
    if (area > 0)
        QCOMPARE(cv::boundingRect(mask), r);
    MaskTools::rectangle(mask, cv::Rect(rect.x(), rect.y(), rect.width(), rect.height()), PaintMode::Erase);
    QCOMPARE(cv::countNonZero(mask), 0);
}

void TestMasks::pixelRect()
{
    // Pixels whose centres lie in the spanned rectangle, corners in any order.
    QCOMPARE(MaskTools::pixelRect({ 10.0f, 10.0f }, { 20.0f, 15.0f }), cv::Rect(10, 10, 10, 5));
    QCOMPARE(MaskTools::pixelRect({ 20.0f, 15.0f }, { 10.0f, 10.0f }), cv::Rect(10, 10, 10, 5));
    QCOMPARE(MaskTools::pixelRect({ 10.6f, 10.4f }, { 12.4f, 11.6f }), cv::Rect(11, 10, 1, 2));
    QVERIFY(MaskTools::pixelRect({ 10.6f, 10.6f }, { 11.4f, 11.4f }).empty());
}

void TestMasks::polygonMatchesFillPoly()
{
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> coord(-20, 220);
    std::uniform_int_distribution<int> count(3, 12);
    for (int trial = 0; trial < 100; ++trial) {
        std::vector<cv::Point> pixels;
        std::vector<cv::Point2f> vertices;
        const int n = count(rng);
        for (int i = 0; i < n; ++i) {
            pixels.emplace_back(coord(rng), coord(rng));
            vertices.emplace_back(pixels.back().x + 0.5f, pixels.back().y + 0.5f); // pixel centres
        }
        cv::Mat reference = cv::Mat::zeros(150, 200, CV_8UC1);
        cv::fillPoly(reference, std::vector<std::vector<cv::Point>> { pixels }, cv::Scalar(255));
        cv::Mat mask = cv::Mat::zeros(150, 200, CV_8UC1);
        const cv::Rect dirty = MaskTools::polygon(mask, vertices, PaintMode::Paint);
        QCOMPARE(differing(mask, reference), 0);
        const cv::Rect set = cv::boundingRect(mask);
        QCOMPARE(set & dirty, set); // every changed pixel inside the reported rectangle
        QCOMPARE(MaskTools::polygonBounds(mask.size(), vertices), dirty);
        // Erase gives back what fillPoly with 0 gives.
        cv::Mat full(150, 200, CV_8UC1, cv::Scalar(255));
        cv::Mat fullReference = full.clone();
        cv::fillPoly(fullReference, std::vector<std::vector<cv::Point>> { pixels }, cv::Scalar(0));
        MaskTools::polygon(full, vertices, PaintMode::Erase);
        QCOMPARE(differing(full, fullReference), 0);
    }
    cv::Mat mask = cv::Mat::zeros(10, 10, CV_8UC1);
    QVERIFY(MaskTools::polygon(mask, { { 1, 1 }, { 5, 5 } }, PaintMode::Paint).empty());
    QCOMPARE(cv::countNonZero(mask), 0);
}

void TestMasks::polygonFarOutside()
{
    // Vertices millions of pixels away: clipped before rasterising, the image is covered exactly.
    cv::Mat mask = cv::Mat::zeros(100, 120, CV_8UC1);
    MaskTools::polygon(mask, { { -1e7f, -1e7f }, { 1e7f, -1e7f }, { 0.0f, 1e7f } }, PaintMode::Paint);
    QCOMPARE(cv::countNonZero(mask), 120 * 100);
    // A half plane x < 60 (pixel centres 0.5 .. 59.5) drawn with far vertices.
    mask.setTo(0);
    MaskTools::polygon(mask, { { 60.0f, -5e6f }, { 60.0f, 5e6f }, { -5e6f, 0.0f } }, PaintMode::Paint);
    QCOMPARE(cv::countNonZero(mask(cv::Rect(0, 0, 60, 100))), 6000);
    QCOMPARE(cv::countNonZero(mask(cv::Rect(61, 0, 59, 100))), 0);
}

void TestMasks::brushMatchesDistanceDefinition()
{
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> x(-30.f, 150.f);
    std::uniform_real_distribution<float> y(-30.f, 110.f);
    std::uniform_real_distribution<float> radius(0.3f, 30.f);
    const cv::Size size(120, 80);
    for (int trial = 0; trial < 300; ++trial) {
        const cv::Point2f from(x(rng), y(rng));
        const cv::Point2f to = trial % 5 == 0 ? from : cv::Point2f(x(rng), y(rng));
        const float r = radius(rng);
        const double rr = std::max(double(r), double(MaskTools::MinBrushRadius));
        cv::Mat mask = cv::Mat::zeros(size, CV_8UC1);
        const cv::Rect dirty = MaskTools::brushSegment(mask, from, to, r, PaintMode::Paint);
        int mismatches = 0;
        for (int py = 0; py < size.height; ++py) {
            for (int px = 0; px < size.width; ++px) {
                const double d = segmentDistance({ px + 0.5, py + 0.5 }, { from.x, from.y }, { to.x, to.y });
                const bool expected = d <= rr;
                const bool set = mask.at<uchar>(py, px) == 255;
                if (expected != set && !dl::test::withinTolerance(d, rr, 1e-6))
                    ++mismatches;
            }
        }
        QCOMPARE(mismatches, 0);
        QCOMPARE(dirty, cv::boundingRect(mask)); // tight
        const cv::Rect bounds = MaskTools::brushBounds(size, from, to, r);
        QCOMPARE(dirty & bounds, dirty);
    }
}

void TestMasks::brushStrokeHasNoGaps_data()
{
    QTest::addColumn<float>("radius");
    QTest::newRow("thinnest") << MaskTools::MinBrushRadius;
    QTest::newRow("asked 0.2") << 0.2f;
    QTest::newRow("1 px") << 1.0f;
    QTest::newRow("5 px") << 5.0f;
}

void TestMasks::brushStrokeHasNoGaps()
{
    QFETCH(float, radius);
    // Very fast moves: 40 jumps of up to the whole image between pointer events.
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> x(0.f, 500.f);
    std::uniform_real_distribution<float> y(0.f, 400.f);
    cv::Mat mask = cv::Mat::zeros(400, 500, CV_8UC1);
    std::vector<cv::Point2f> path { { x(rng), y(rng) } };
    MaskTools::brushSegment(mask, path[0], path[0], radius, PaintMode::Paint);
    for (int i = 0; i < 40; ++i) {
        path.emplace_back(x(rng), y(rng));
        MaskTools::brushSegment(mask, path[path.size() - 2], path.back(), radius, PaintMode::Paint);
    }
    cv::Mat labels;
    QCOMPARE(cv::connectedComponents(mask, labels, 4) - 1, 1); // one 4-connected stroke
    // Every pixel the pointer passed over is painted.
    for (size_t i = 1; i < path.size(); ++i) {
        for (int s = 0; s <= 2000; ++s) {
            const cv::Point2f p = path[i - 1] + (path[i] - path[i - 1]) * (s / 2000.f);
            QCOMPARE(mask.at<uchar>(int(p.y), int(p.x)), uchar(255));
        }
    }
}

void TestMasks::eraserClearsOnlyTheCapsule()
{
    cv::Mat mask(60, 80, CV_8UC1, cv::Scalar(255));
    const cv::Rect dirty
        = MaskTools::brushSegment(mask, { 10.5f, 30.5f }, { 70.5f, 30.5f }, 4.0f, PaintMode::Erase);
    // Pixel centres within 4 of the segment: rows 26..34 (|dy| <= 4), plus the rounded caps.
    QCOMPARE(dirty, cv::Rect(6, 26, 69, 9));
    for (int yy = 0; yy < 60; ++yy) {
        for (int xx = 0; xx < 80; ++xx) {
            const double d = segmentDistance({ xx + 0.5, yy + 0.5 }, { 10.5, 30.5 }, { 70.5, 30.5 });
            QCOMPARE(mask.at<uchar>(yy, xx) == 0, d <= 4.0);
        }
    }
    // A straight band of 61 columns x 9 rows, plus two caps: the disc pixels beyond it (20 each).
    QCOMPARE(80 * 60 - cv::countNonZero(mask), 61 * 9 + 2 * 20);
}

void TestMasks::fillStopsAtPaintedBoundaries()
{
    cv::Mat mask = cv::Mat::zeros(200, 240, CV_8UC1);
    // A thin 8-connected ring (diagonal steps only) and a square outline.
    cv::circle(mask, cv::Point(70, 100), 50, cv::Scalar(255), 1, cv::LINE_8);
    cv::rectangle(mask, cv::Rect(150, 20, 60, 40), cv::Scalar(255), 1);
    const cv::Mat before = mask.clone();
    cv::Mat background = before == 0;
    cv::Mat labels;
    cv::connectedComponents(background, labels, 4);
    auto regionSize = [&](cv::Point p) { return cv::countNonZero(labels == labels.at<int>(p)); };
    const int inside = regionSize({ 70, 100 });
    const int outside = regionSize({ 0, 0 });

    cv::Rect r = MaskTools::fillRegion(mask, { 70, 100 }, PaintMode::Paint);
    QCOMPARE(cv::countNonZero(mask) - cv::countNonZero(before), inside);
    QCOMPARE(cv::countNonZero(mask(cv::Rect(0, 0, 10, 10))), 0); // outside untouched
    QCOMPARE(r, cv::Rect(21, 51, 99, 99));

    // The square's inside: exactly 58 x 38.
    r = MaskTools::fillRegion(mask, { 180, 40 }, PaintMode::Paint);
    QCOMPARE(r, cv::Rect(151, 21, 58, 38));
    QCOMPARE(cv::countNonZero(mask(cv::Rect(150, 20, 60, 40))), 60 * 40);

    // On a painted pixel nothing happens; outside the mask neither.
    const cv::Mat now = mask.clone();
    QVERIFY(MaskTools::fillRegion(mask, { 70, 100 }, PaintMode::Paint).empty());
    QVERIFY(MaskTools::fillRegion(mask, { -1, 5 }, PaintMode::Paint).empty());
    QCOMPARE(differing(mask, now), 0);

    // The outer region fills everything else.
    MaskTools::fillRegion(mask, { 0, 0 }, PaintMode::Paint);
    QCOMPARE(cv::countNonZero(mask), cv::countNonZero(now) + outside);
    QCOMPARE(cv::countNonZero(mask), 240 * 200);
}

void TestMasks::fillEraseClearsOneBlob()
{
    cv::Mat mask = cv::Mat::zeros(50, 50, CV_8UC1);
    MaskTools::rectangle(mask, { 5, 5, 10, 10 }, PaintMode::Paint);
    MaskTools::rectangle(mask, { 15, 15, 10, 10 }, PaintMode::Paint); // touches the first diagonally
    MaskTools::rectangle(mask, { 35, 35, 10, 10 }, PaintMode::Paint);
    const cv::Rect r = MaskTools::fillRegion(mask, { 7, 7 }, PaintMode::Erase);
    QCOMPARE(r, cv::Rect(5, 5, 20, 20));
    QCOMPARE(cv::countNonZero(mask), 100);
    QVERIFY(MaskTools::fillRegion(mask, { 0, 0 }, PaintMode::Erase).empty());
}

void TestMasks::fillHoles()
{
    cv::Mat mask = cv::Mat::zeros(100, 100, CV_8UC1);
    MaskTools::rectangle(mask, { 10, 10, 50, 50 }, PaintMode::Paint);
    MaskTools::rectangle(mask, { 20, 20, 3, 3 }, PaintMode::Erase); // hole
    MaskTools::rectangle(mask, { 30, 30, 10, 10 }, PaintMode::Erase); // hole
    MaskTools::rectangle(mask, { 50, 25, 10, 5 }, PaintMode::Erase); // notch open to the outside
    // A shape along the border whose gap touches the border: not a hole.
    MaskTools::rectangle(mask, { 70, 0, 30, 20 }, PaintMode::Paint);
    MaskTools::rectangle(mask, { 80, 0, 5, 10 }, PaintMode::Erase);
    const int before = cv::countNonZero(mask);
    const cv::Rect r = MaskTools::fillHoles(mask);
    QCOMPARE(r, cv::Rect(20, 20, 20, 20));
    QCOMPARE(cv::countNonZero(mask), before + 9 + 100);
    QCOMPARE(mask.at<uchar>(27, 55), uchar(0)); // the notch stays open
    QCOMPARE(mask.at<uchar>(5, 82), uchar(0));
    QVERIFY(MaskTools::fillHoles(mask).empty()); // nothing left to fill
    cv::Mat empty = cv::Mat::zeros(10, 10, CV_8UC1);
    QVERIFY(MaskTools::fillHoles(empty).empty());

    // Against a reference: outside components (4-connected) not touching the border are holes.
    cv::RNG rng(12);
    for (int trial = 0; trial < 6; ++trial) {
        cv::Mat noisy(240, 320, CV_8UC1);
        rng.fill(noisy, cv::RNG::UNIFORM, 0, 100);
        noisy = (noisy < 45 + trial * 5) | randomBlobs(320, 240, unsigned(trial)); // 0/255, many holes
        cv::Mat labels;
        const int n = cv::connectedComponents(noisy == 0, labels, 4, CV_32S);
        std::vector<uchar> border(size_t(n), 0);
        for (int x = 0; x < labels.cols; ++x)
            border[size_t(labels.at<int>(0, x))] = border[size_t(labels.at<int>(labels.rows - 1, x))] = 1;
        for (int y = 0; y < labels.rows; ++y)
            border[size_t(labels.at<int>(y, 0))] = border[size_t(labels.at<int>(y, labels.cols - 1))] = 1;
        cv::Mat reference = noisy.clone();
        for (int y = 0; y < labels.rows; ++y) {
            for (int x = 0; x < labels.cols; ++x) {
                if (noisy.at<uchar>(y, x) == 0 && !border[size_t(labels.at<int>(y, x))])
                    reference.at<uchar>(y, x) = 255;
            }
        }
        cv::Mat changedPixels = reference != noisy;
        const cv::Rect r = MaskTools::fillHoles(noisy);
        QCOMPARE(differing(noisy, reference), 0);
        QCOMPARE(r, cv::boundingRect(changedPixels));
    }
}

void TestMasks::removeSpecks()
{
    cv::Mat mask = cv::Mat::zeros(100, 100, CV_8UC1);
    MaskTools::rectangle(mask, { 5, 5, 1, 1 }, PaintMode::Paint); // 1
    MaskTools::rectangle(mask, { 10, 80, 2, 2 }, PaintMode::Paint); // 4
    MaskTools::rectangle(mask, { 90, 10, 3, 3 }, PaintMode::Paint); // 9
    MaskTools::rectangle(mask, { 50, 50, 5, 5 }, PaintMode::Paint); // 25
    MaskTools::rectangle(mask, { 20, 20, 20, 20 }, PaintMode::Paint); // 400
    mask.at<uchar>(40, 40) = 255; // diagonal neighbour of the big square: part of it (8-connected)
    const cv::Rect r = MaskTools::removeSpecks(mask, 10);
    QCOMPARE(cv::countNonZero(mask), 25 + 401);
    QCOMPARE(r, cv::Rect(5, 5, 88, 77)); // the removed specks' bounding box
    QVERIFY(MaskTools::removeSpecks(mask, 10).empty());
    MaskTools::removeSpecks(mask, 26);
    QCOMPARE(cv::countNonZero(mask), 401);

    // Against a reference from cv::connectedComponentsWithStats on noisy masks.
    cv::RNG rng(13);
    for (int minPixels : { 2, 5, 30, 500 }) {
        cv::Mat noisy(240, 320, CV_8UC1);
        rng.fill(noisy, cv::RNG::UNIFORM, 0, 100);
        noisy = (noisy < 40) | randomBlobs(320, 240, unsigned(minPixels));
        cv::Mat labels, stats, centroids;
        const int n = cv::connectedComponentsWithStats(noisy, labels, stats, centroids, 8, CV_32S);
        cv::Mat reference = noisy.clone();
        for (int y = 0; y < labels.rows; ++y) {
            for (int x = 0; x < labels.cols; ++x) {
                const int label = labels.at<int>(y, x);
                if (label > 0 && label < n && stats.at<int>(label, cv::CC_STAT_AREA) < minPixels)
                    reference.at<uchar>(y, x) = 0;
            }
        }
        cv::Mat changedPixels = reference != noisy;
        const cv::Rect r = MaskTools::removeSpecks(noisy, minPixels);
        QCOMPARE(differing(noisy, reference), 0);
        QCOMPARE(r, cv::boundingRect(changedPixels));
    }
}

void TestMasks::smoothEdge()
{
    cv::Mat mask = cv::Mat::zeros(120, 120, CV_8UC1);
    MaskTools::rectangle(mask, { 20, 20, 80, 80 }, PaintMode::Paint);
    MaskTools::rectangle(mask, { 100, 50, 2, 1 }, PaintMode::Paint); // a 1-pixel-wide spur
    MaskTools::rectangle(mask, { 60, 20, 1, 2 }, PaintMode::Erase); // a 1-pixel-wide notch
    mask.at<uchar>(5, 5) = 255; // a speck
    const cv::Mat before = mask.clone();
    const cv::Rect r = MaskTools::smoothEdge(mask, 4);
    QCOMPARE(mask.at<uchar>(50, 100), uchar(0)); // spur gone
    QCOMPARE(mask.at<uchar>(20, 60), uchar(255)); // notch filled
    QCOMPARE(mask.at<uchar>(5, 5), uchar(0)); // speck gone
    // Straight edges stay where they were: the middle of each side is unchanged.
    QCOMPARE(mask.at<uchar>(60, 20), uchar(255));
    QCOMPARE(mask.at<uchar>(60, 19), uchar(0));
    QCOMPARE(mask.at<uchar>(99, 40), uchar(255));
    QCOMPARE(mask.at<uchar>(100, 40), uchar(0));
    // Corners round off, so a little area is lost; the rectangle is the exact box of the changes.
    const int lost = cv::countNonZero(before) - cv::countNonZero(mask);
    QVERIFY2(lost > 0 && lost < 60, qPrintable(QString::number(lost)));
    cv::Mat diff;
    cv::compare(before, mask, diff, cv::CMP_NE);
    QCOMPARE(r, cv::boundingRect(diff));
    QVERIFY(MaskTools::smoothEdge(mask, 0).empty());

    // Tile by tile, it gives exactly what blurring the whole mask at once gives.
    for (int radius : { 1, 3, 8, 40 }) {
        cv::Mat blobs = randomBlobs(700, 500, unsigned(radius));
        cv::Mat blurred, reference;
        cv::GaussianBlur(blobs, blurred, cv::Size(2 * radius + 1, 2 * radius + 1), radius / 2.0, radius / 2.0,
            cv::BORDER_REPLICATE);
        cv::compare(blurred, 128, reference, cv::CMP_GE);
        cv::Mat changedPixels;
        cv::compare(blobs, reference, changedPixels, cv::CMP_NE);
        const cv::Rect dirty = MaskTools::smoothEdge(blobs, radius);
        QCOMPARE(differing(blobs, reference), 0);
        QCOMPARE(dirty, cv::boundingRect(changedPixels));
    }
}

// ---------------------------------------------------------------------------------------------
// Undo

void TestMasks::patchRoundTrip_data()
{
    QTest::addColumn<QString>("content");
    QTest::addColumn<int>("encoding");
    QTest::newRow("blank") << u"blank"_s << int(MaskPatch::Encoding::Runs);
    QTest::newRow("full") << u"full"_s << int(MaskPatch::Encoding::Runs);
    QTest::newRow("blobs") << u"blobs"_s << int(MaskPatch::Encoding::Runs);
    QTest::newRow("binary noise") << u"noise"_s << int(MaskPatch::Encoding::Zlib);
    QTest::newRow("all byte values") << u"bytes"_s << int(MaskPatch::Encoding::Raw);
}

void TestMasks::patchRoundTrip()
{
    QFETCH(QString, content);
    QFETCH(int, encoding);
    cv::Mat mask = cv::Mat::zeros(300, 400, CV_8UC1);
    cv::RNG rng(5);
    if (content == u"full"_s)
        mask.setTo(255);
    else if (content == u"blobs"_s)
        mask = randomBlobs(400, 300, 9);
    else if (content == u"noise"_s) {
        rng.fill(mask, cv::RNG::UNIFORM, 0, 2);
        mask *= 255;
    } else if (content == u"bytes"_s)
        rng.fill(mask, cv::RNG::UNIFORM, 0, 256);
    const cv::Rect rect(17, 23, 301, 211); // not continuous in memory
    const MaskPatch patch = MaskPatch::capture(mask, rect);
    QCOMPARE(int(patch.encoding()), encoding);
    QCOMPARE(patch.rect(), rect);
    QCOMPARE(differing(patch.toMat(), mask(rect)), 0);
    cv::Mat target(300, 400, CV_8UC1, cv::Scalar(77));
    QVERIFY(patch.paste(target));
    QCOMPARE(differing(target(rect), mask(rect)), 0);
    QCOMPARE(cv::countNonZero(target != 77) - cv::countNonZero(target(rect) != 77), 0); // nothing else
    // Into a piece of the mask, given where it lies.
    cv::Mat piece(250, 350, CV_8UC1, cv::Scalar(0));
    QVERIFY(patch.paste(piece, { 10, 10 }));
    QCOMPARE(differing(piece(rect - cv::Point(10, 10)), mask(rect)), 0);
    QVERIFY(!patch.paste(piece, { 100, 100 })); // does not fit
    if (content == u"blank"_s || content == u"full"_s)
        QVERIFY(patch.dataSize() < 8);
    // Clipped to the source.
    QCOMPARE(MaskPatch::capture(mask, cv::Rect(390, 290, 50, 50)).rect(), cv::Rect(390, 290, 10, 10));
    QVERIFY(MaskPatch::capture(mask, cv::Rect(500, 0, 5, 5)).isNull());
}

void TestMasks::strokeRecordsOnlyChangedPixels()
{
    MaskDocument doc(QSize(400, 300));
    const QString layer = u"condition:eczema"_s;
    cv::Mat painted = doc.mask(layer);
    MaskTools::rectangle(painted, { 100, 100, 100, 100 }, PaintMode::Paint);
    doc.markSaved(layer, 1);
    const cv::Mat before = doc.mask(layer).clone();

    // Painting over what is already painted changes nothing: no undo step.
    MaskStroke idle(doc, layer, MaskTool::Brush);
    QVERIFY(!idle.brush({ 150, 150 }, { 160, 160 }, 10, PaintMode::Paint).empty());
    QVERIFY(!idle.finish());

    MaskStroke stroke(doc, layer, MaskTool::Brush);
    stroke.brush({ 150, 150 }, { 250, 150 }, 10, PaintMode::Paint);
    stroke.brush({ 250, 150 }, { 250, 250 }, 10, PaintMode::Paint);
    QCOMPARE(stroke.dirtyRect(), cv::Rect(140, 140, 120, 120));
    QVERIFY(doc.isChanged(layer));
    int calls = 0;
    cv::Rect notified;
    auto command = stroke.finish(false, [&](const QString &id, const cv::Rect &r) {
        QCOMPARE(id, layer);
        notified = r;
        ++calls;
    });
    QVERIFY(command);
    // Trimmed to the pixels that changed: the square's own pixels were painted already.
    cv::Mat diff;
    cv::compare(before, doc.mask(layer), diff, cv::CMP_NE);
    QCOMPARE(command->rect(), cv::boundingRect(diff));
    QCOMPARE(command->rect(), cv::Rect(200, 140, 60, 120));
    const cv::Mat after = doc.mask(layer).clone();

    QUndoStack stack;
    stack.push(command.release());
    QCOMPARE(calls, 1); // push saves through the callback
    QCOMPARE(differing(doc.mask(layer), after), 0);
    stack.undo();
    QCOMPARE(calls, 2);
    QCOMPARE(notified, cv::Rect(200, 140, 60, 120));
    QCOMPARE(differing(doc.mask(layer), before), 0);
    stack.redo();
    QCOMPARE(differing(doc.mask(layer), after), 0);

    // Cancelling puts the pixels back and leaves no step.
    MaskStroke cancelled(doc, layer, MaskTool::Eraser);
    cancelled.brush({ 150, 150 }, { 300, 200 }, 25, PaintMode::Erase);
    QVERIFY(differing(doc.mask(layer), after) > 0);
    cancelled.cancel();
    QCOMPARE(differing(doc.mask(layer), after), 0);
    QVERIFY(!cancelled.finish());
}

void TestMasks::mergeOnlyWhenContinuing()
{
    MaskDocument doc(QSize(200, 200));
    const QString a = u"condition:eczema"_s;
    const QString b = u"identifying:face"_s;
    QUndoStack stack;
    auto stroke = [&](const QString &layer, MaskTool tool, cv::Point2f from, cv::Point2f to, bool continues) {
        MaskStroke s(doc, layer, tool);
        s.brush(from, to, 5, tool == MaskTool::Eraser ? PaintMode::Erase : PaintMode::Paint);
        auto command = s.finish(continues);
        QVERIFY(command);
        stack.push(command.release());
    };
    const cv::Mat empty = doc.mask(a).clone();
    stroke(a, MaskTool::Brush, { 10, 10 }, { 50, 10 }, false);
    const cv::Mat afterFirst = doc.mask(a).clone();
    stroke(a, MaskTool::Brush, { 10, 50 }, { 50, 50 }, false);
    QCOMPARE(stack.count(), 2);
    stroke(a, MaskTool::Brush, { 50, 50 }, { 150, 150 }, true); // continues: merges
    QCOMPARE(stack.count(), 2);
    stroke(b, MaskTool::Brush, { 50, 50 }, { 150, 150 }, true); // other layer: new step
    QCOMPARE(stack.count(), 3);
    stroke(b, MaskTool::Eraser, { 50, 50 }, { 150, 150 }, true); // other tool: new step
    QCOMPARE(stack.count(), 4);
    stack.undo();
    stack.undo();
    QCOMPARE(cv::countNonZero(doc.mask(b)), 0);
    stack.undo(); // the merged step: both brush strokes at once
    QCOMPARE(differing(doc.mask(a), afterFirst), 0);
    stack.undo();
    QCOMPARE(differing(doc.mask(a), empty), 0);

    // A continuing step that exactly reverses the previous one leaves no step at all.
    const cv::Mat beforeRectangles = doc.mask(a).clone();
    const int steps = stack.index();
    for (const PaintMode mode : { PaintMode::Paint, PaintMode::Erase }) {
        MaskStroke s(doc, a, MaskTool::Rectangle);
        s.rectangle({ 150, 150, 30, 30 }, mode);
        auto command = s.finish(mode == PaintMode::Erase);
        QVERIFY(command);
        stack.push(command.release());
    }
    QCOMPARE(stack.count(), steps);
    QCOMPARE(stack.index(), steps);
    QCOMPARE(differing(doc.mask(a), beforeRectangles), 0);

    QVERIFY(MaskEditCommand::commandId(MaskTool::Brush) != 1);
    QVERIFY(MaskEditCommand::commandId(MaskTool::Brush) != MaskEditCommand::commandId(MaskTool::Eraser));
}

void TestMasks::superpixelStepsAreTheirOwnTool()
{
    // The superpixel brush has its own undo text and merge key: continuing dabs merge like brush
    // strokes, never with a GrabCut result (Assisted) or a brush stroke.
    QCOMPARE(MaskEditCommand::toolName(MaskTool::Superpixel), u"Superpixel brush"_s);
    QCOMPARE(MaskEditCommand::toolName(MaskTool::Assisted), u"Assisted segmentation"_s);
    QVERIFY(MaskEditCommand::commandId(MaskTool::Superpixel) != MaskEditCommand::commandId(MaskTool::Assisted));
    QVERIFY(MaskEditCommand::commandId(MaskTool::Superpixel) != MaskEditCommand::commandId(MaskTool::Brush));
    QVERIFY(MaskEditCommand::commandId(MaskTool::Superpixel) != 1);

    MaskDocument doc(QSize(120, 100));
    const QString layer = u"condition:eczema"_s;
    QUndoStack stack;
    // A dab paints a whole block (a stand-in for a superpixel) through edit().
    auto dab = [&](MaskTool tool, const cv::Rect &block, bool continues) {
        MaskStroke s(doc, layer, tool);
        s.edit(block, [&](cv::Mat &mask) {
            mask(block).setTo(255);
            return block;
        });
        auto command = s.finish(continues);
        QVERIFY(command);
        QCOMPARE(command->text(), MaskEditCommand::toolName(tool));
        stack.push(command.release());
    };
    dab(MaskTool::Assisted, { 0, 0, 20, 20 }, false);
    QCOMPARE(stack.undoText(), u"Assisted segmentation"_s);
    dab(MaskTool::Superpixel, { 20, 0, 20, 20 }, true); // another tool: a new step
    QCOMPARE(stack.count(), 2);
    QCOMPARE(stack.undoText(), u"Superpixel brush"_s);
    dab(MaskTool::Superpixel, { 40, 0, 20, 20 }, true); // continues: merges
    dab(MaskTool::Superpixel, { 40, 20, 20, 30 }, true);
    QCOMPARE(stack.count(), 2);
    dab(MaskTool::Superpixel, { 90, 60, 10, 10 }, false); // a new dab elsewhere
    QCOMPARE(stack.count(), 3);
    dab(MaskTool::Brush, { 0, 80, 10, 10 }, true); // a brush stroke never merges with it
    QCOMPARE(stack.count(), 4);
    stack.undo();
    stack.undo();
    QCOMPARE(cv::countNonZero(doc.mask(layer)), 400 + 400 + 400 + 600);
    stack.undo(); // the three merged dabs at once
    QCOMPARE(cv::countNonZero(doc.mask(layer)), 400);
    QCOMPARE(stack.undoText(), u"Assisted segmentation"_s);
}

void TestMasks::undoRedoExactAfterRandomStrokes()
{
    const int w = 320, h = 240;
    auto doc = std::make_unique<MaskDocument>(QSize(w, h));
    History history;
    history.layers = { u"condition:eczema"_s, u"condition:psoriasis"_s, u"identifying:tattoo"_s };
    QUndoStack stack;
    stack.setUndoLimit(MaskEditCommand::RecommendedUndoLimit);
    history.states.push_back(history.snapshot(*doc));

    int applied = 0;
    auto onApplied = [&](const QString &layer, const cv::Rect &r) {
        QVERIFY(history.layers.contains(layer));
        QVERIFY((r & cv::Rect(0, 0, w, h)) == r);
        ++applied;
    };
    std::mt19937 rng(20240611);
    std::uniform_real_distribution<float> px(-10.f, w + 10.f);
    std::uniform_real_distribution<float> py(-10.f, h + 10.f);
    std::uniform_real_distribution<float> unit(0.f, 1.f);
    QList<int> toolsUsed(9, 0);
    int merges = 0;
    int pushed = 0;
    QString layer = history.layers.first();
    int kind = 0;
    // 300 strokes that change something (a fill on a painted pixel, say, makes no step).
    for (int step = 0; pushed < 300 && step < 1000; ++step) {
        // Now and then a stroke continues the previous one: same layer, same tool.
        const bool continues = step > 0 && unit(rng) < 0.2f;
        if (!continues) {
            layer = history.layers.at(int(rng() % 3));
            kind = int(rng() % 10);
        }
        std::unique_ptr<MaskStroke> stroke;
        const PaintMode mode = unit(rng) < 0.7f ? PaintMode::Paint : PaintMode::Erase;
        MaskTool tool = MaskTool::Brush;
        switch (kind) {
        case 0:
        case 1:
        case 2: {
            tool = mode == PaintMode::Paint ? MaskTool::Brush : MaskTool::Eraser;
            stroke = std::make_unique<MaskStroke>(*doc, layer, tool);
            cv::Point2f p(px(rng), py(rng));
            const float r = 1 + unit(rng) * 15;
            const int segments = 1 + int(rng() % 12);
            for (int i = 0; i < segments; ++i) {
                const cv::Point2f q = p + cv::Point2f((unit(rng) - 0.5f) * 60, (unit(rng) - 0.5f) * 60);
                stroke->brush(p, q, r, mode);
                p = q;
            }
            break;
        }
        case 3: {
            tool = MaskTool::Polygon;
            stroke = std::make_unique<MaskStroke>(*doc, layer, tool);
            std::vector<cv::Point2f> v;
            const int n = 3 + int(rng() % 8);
            for (int i = 0; i < n; ++i)
                v.emplace_back(px(rng), py(rng));
            stroke->polygon(v, mode);
            break;
        }
        case 4:
            tool = MaskTool::Rectangle;
            stroke = std::make_unique<MaskStroke>(*doc, layer, tool);
            stroke->rectangle(MaskTools::pixelRect({ px(rng), py(rng) }, { px(rng), py(rng) }), mode);
            break;
        case 5:
            tool = MaskTool::Fill;
            stroke = std::make_unique<MaskStroke>(*doc, layer, tool);
            stroke->fillRegion(cv::Point(int(px(rng)), int(py(rng))), mode);
            break;
        case 6:
            tool = MaskTool::FillHoles;
            stroke = std::make_unique<MaskStroke>(*doc, layer, tool);
            stroke->fillHoles();
            break;
        case 7:
            tool = MaskTool::RemoveSpecks;
            stroke = std::make_unique<MaskStroke>(*doc, layer, tool);
            stroke->removeSpecks(1 + int(rng() % 200));
            break;
        case 8:
            tool = MaskTool::SmoothEdge;
            stroke = std::make_unique<MaskStroke>(*doc, layer, tool);
            stroke->smoothEdge(1 + int(rng() % 5));
            break;
        default: {
            // An assisted tool's result pasted through edit(): an ellipse within a box.
            tool = MaskTool::Assisted;
            stroke = std::make_unique<MaskStroke>(*doc, layer, tool);
            const cv::Rect box = MaskTools::pixelRect({ px(rng), py(rng) }, { px(rng), py(rng) });
            const uchar value = mode == PaintMode::Paint ? 255 : 0;
            stroke->edit(box, [&](cv::Mat &mask) {
                const cv::Rect clipped = box & cv::Rect(0, 0, mask.cols, mask.rows);
                if (clipped.width < 2 || clipped.height < 2)
                    return cv::Rect();
                cv::Mat roi = mask(clipped);
                cv::ellipse(roi, cv::Point(clipped.width / 2, clipped.height / 2),
                    cv::Size(clipped.width / 2, clipped.height / 2), 0, 0, 360, cv::Scalar(value),
                    cv::FILLED);
                return clipped;
            });
            break;
        }
        }
        const int countBefore = stack.count();
        const bool atTop = stack.index() == countBefore;
        if (auto command = stroke->finish(continues, onApplied)) {
            ++toolsUsed[int(tool)];
            ++pushed;
            stack.push(command.release());
            if (atTop && stack.count() == countBefore)
                ++merges;
        }
        // The state at each stack index, the latest overwriting what a merge replaced.
        history.states.resize(size_t(stack.index()));
        history.states.push_back(history.snapshot(*doc));

        // Now and then undo a few steps (checking each) and go on from there.
        if (unit(rng) < 0.08f) {
            const int k = 1 + int(rng() % 5);
            for (int i = 0; i < k && stack.canUndo(); ++i) {
                stack.undo();
                QVERIFY2(history.matches(*doc, stack.index()), qPrintable(u"step %1"_s.arg(step)));
            }
            if (unit(rng) < 0.5f && stack.canRedo()) {
                stack.redo();
                QVERIFY(history.matches(*doc, stack.index()));
            }
            history.states.resize(size_t(stack.index()) + 1);
        }
    }
    qInfo("%d steps pushed, %d merged, %d on the stack", pushed, merges, stack.count());
    QCOMPARE(pushed, 300);
    QVERIFY(merges > 10);
    QVERIFY(stack.count() > 50);
    for (int used : std::as_const(toolsUsed))
        QVERIFY(used > 0);

    // All the way back, then all the way forward, comparing with the snapshot at every step.
    const int top = stack.index();
    while (stack.canUndo()) {
        stack.undo();
        QVERIFY2(history.matches(*doc, stack.index()), qPrintable(u"undo to %1"_s.arg(stack.index())));
    }
    for (const QString &id : history.layers)
        QCOMPARE(cv::countNonZero(doc->mask(id)), 0);
    while (stack.canRedo()) {
        stack.redo();
        QVERIFY2(history.matches(*doc, stack.index()), qPrintable(u"redo to %1"_s.arg(stack.index())));
    }
    QCOMPARE(stack.index(), top);
    QVERIFY(applied >= 2 * top);
}

void TestMasks::historyMemoryIsBounded()
{
    // 300 brush strokes of 60 segments (radius 10 to 40, a hand moving steadily) on a 12-megapixel
    // layer. A full copy per step would be 3.6 GB; the compressed patches of the dirty rectangles
    // must stay under 2 MB in all (measured: 1.5 MB, about 5 KB a stroke; no step over 64 KB).
    constexpr qint64 kBound = 2 * 1024 * 1024;
    auto doc = std::make_unique<MaskDocument>(QSize(4000, 3000));
    const QString layer = u"condition:eczema"_s;
    QUndoStack stack;
    stack.setUndoLimit(MaskEditCommand::RecommendedUndoLimit);
    std::mt19937 rng(99);
    std::uniform_real_distribution<float> unit(0.f, 1.f);
    qint64 largest = 0;
    cv::Point2f lastStart;
    for (int i = 0; i < 300; ++i) {
        // Every fourth stroke erases across the start of the previous one.
        const bool erase = i % 4 == 3;
        MaskStroke stroke(*doc, layer, erase ? MaskTool::Eraser : MaskTool::Brush);
        const PaintMode mode = erase ? PaintMode::Erase : PaintMode::Paint;
        cv::Point2f p = erase ? lastStart : cv::Point2f(200 + unit(rng) * 3600, 200 + unit(rng) * 2600);
        lastStart = p;
        const float r = 10 + unit(rng) * 30;
        float angle = unit(rng) * 6.283f;
        for (int s = 0; s < 60; ++s) {
            angle += (unit(rng) - 0.5f) * 0.6f;
            const float step = 4 + 12 * unit(rng);
            const cv::Point2f q = p + cv::Point2f(step * std::cos(angle), step * std::sin(angle));
            stroke.brush(p, q, r, mode);
            p = q;
        }
        auto command = stroke.finish();
        if (!command)
            continue;
        largest = std::max(largest, command->byteCost());
        stack.push(command.release());
    }
    QCOMPARE(stack.count(), 300);
    const qint64 total = MaskEditCommand::historyBytes(stack);
    qInfo("history of %d strokes on 4000 x 3000: %lld bytes (largest step %lld)", stack.count(), total,
        largest);
    QVERIFY2(total < kBound, qPrintable(QString::number(total)));
    QVERIFY(largest < 64 * 1024);
    QVERIFY(total > 0);
    // Other commands on the same stack (label edits) count nothing.
    stack.push(new QUndoCommand(u"label edit"_s));
    QCOMPARE(MaskEditCommand::historyBytes(stack), total);
    QVERIFY(MaskEditCommand::RecommendedUndoLimit >= 200);
}

// ---------------------------------------------------------------------------------------------
// Overlay

void TestMasks::overlayColours()
{
    cv::Mat mask = cv::Mat::zeros(10, 20, CV_8UC1);
    MaskTools::rectangle(mask, { 5, 2, 8, 6 }, PaintMode::Paint);
    MaskLayer layer(u"condition:eczema"_s);
    layer.setColour(QColor(200, 100, 50));
    layer.setOpacity(0.5);
    MaskOverlay overlay(QSize(20, 10));
    QCOMPARE(overlay.image().format(), QImage::Format_ARGB32_Premultiplied);
    QCOMPARE(overlay.updateAll(mask, layer), QRect(0, 0, 20, 10));
    QVERIFY(overlay.update(mask, layer, cv::Rect()).isNull()); // nothing changed: nothing to do
    const QRgb fill = MaskOverlay::premultiplied(QColor(200, 100, 50), 0.5);
    QCOMPARE(qAlpha(fill), 128);
    QCOMPARE(qRed(fill), 100);
    QCOMPARE(overlay.image().pixel(6, 3), fill);
    QCOMPARE(overlay.image().pixel(8, 5), fill);
    QCOMPARE(qAlpha(overlay.image().pixel(4, 3)), 0);

    // Outline only: the boundary pixels of the rectangle, not its inside.
    layer.setOutlineOnly(true);
    overlay.updateAll(mask, layer);
    int coloured = 0;
    for (int y = 0; y < 10; ++y) {
        for (int x = 0; x < 20; ++x) {
            const bool on = overlay.image().pixel(x, y) == fill;
            const bool boundary
                = (x == 5 || x == 12 || y == 2 || y == 7) && x >= 5 && x <= 12 && y >= 2 && y <= 7;
            QCOMPARE(on, boundary);
            coloured += on;
        }
    }
    QCOMPARE(coloured, 2 * 8 + 2 * 4);

    // Hidden: cleared.
    layer.setVisible(false);
    overlay.updateAll(mask, layer);
    QCOMPARE(overlay.image().pixel(6, 3), QRgb(0));

    // Scaled: half size, each pixel shows the mask pixel under its centre.
    MaskOverlay half(QSize(20, 10), 0.5);
    QCOMPARE(half.image().size(), QSize(10, 5));
    layer.setVisible(true);
    layer.setOutlineOnly(false);
    half.updateAll(mask, layer);
    for (int v = 0; v < 5; ++v) {
        for (int u = 0; u < 10; ++u)
            QCOMPARE(half.image().pixel(u, v) == fill, mask.at<uchar>(2 * v + 1, 2 * u + 1) != 0);
    }
    QCOMPARE(half.overlayRect({ 5, 3, 1, 1 }), QRect(2, 1, 1, 1));
    QVERIFY(half.overlayRect({ 4, 3, 1, 1 }).isEmpty()); // no overlay pixel shows column 4
}

void TestMasks::overlayIncrementalEqualsFull_data()
{
    QTest::addColumn<double>("scale");
    QTest::addColumn<bool>("outline");
    QTest::newRow("1:1 filled") << 1.0 << false;
    QTest::newRow("1:1 outline") << 1.0 << true;
    QTest::newRow("0.37 filled") << 0.37 << false;
    QTest::newRow("0.37 outline") << 0.37 << true;
}

void TestMasks::overlayIncrementalEqualsFull()
{
    QFETCH(double, scale);
    QFETCH(bool, outline);
    MaskDocument doc(QSize(300, 200));
    const QString layer = u"condition:psoriasis"_s;
    doc.addLayer(layer)->setOutlineOnly(outline);
    MaskOverlay incremental(doc.size(), scale);
    std::mt19937 rng(4);
    std::uniform_real_distribution<float> unit(0.f, 1.f);
    for (int i = 0; i < 200; ++i) {
        cv::Mat mask = doc.mask(layer);
        const cv::Point2f a(unit(rng) * 300, unit(rng) * 200);
        const cv::Point2f b = a + cv::Point2f(unit(rng) * 40 - 20, unit(rng) * 40 - 20);
        const cv::Rect dirty = MaskTools::brushSegment(
            mask, a, b, 1 + unit(rng) * 10, i % 3 == 2 ? PaintMode::Erase : PaintMode::Paint);
        incremental.update(mask, *doc.layer(layer), dirty);
    }
    MaskOverlay full(doc.size(), scale);
    full.updateAll(doc.mask(layer), *doc.layer(layer));
    QCOMPARE(incremental.image(), full.image());
    QVERIFY(!full.image().isNull());
}

void TestMasks::overlayCompositesLayers()
{
    MaskDocument doc(QSize(40, 30));
    const QString a = u"condition:eczema"_s;
    const QString b = u"identifying:face"_s;
    doc.addLayer(a)->setColour(QColor(255, 0, 0));
    doc.addLayer(b)->setColour(QColor(0, 0, 255));
    doc.layer(b)->setOpacity(0.25);
    cv::Mat maskA = doc.mask(a);
    cv::Mat maskB = doc.mask(b);
    MaskTools::rectangle(maskA, { 0, 0, 20, 30 }, PaintMode::Paint);
    MaskTools::rectangle(maskB, { 10, 0, 20, 30 }, PaintMode::Paint);
    MaskOverlay overlay(doc.size());
    QCOMPARE(overlay.updateAll(doc), QRect(0, 0, 40, 30));
    const QRgb red = MaskOverlay::premultiplied(QColor(255, 0, 0), 0.5);
    const QRgb blue = MaskOverlay::premultiplied(QColor(0, 0, 255), 0.25);
    QCOMPARE(overlay.image().pixel(5, 5), red);
    QCOMPARE(overlay.image().pixel(25, 5), blue);
    QCOMPARE(overlay.image().pixel(35, 5), QRgb(0));
    // Where both are set the upper layer lies over the lower one (premultiplied "over").
    const QRgb both = overlay.image().pixel(15, 5);
    QCOMPARE(qAlpha(both), 64 + (128 * 191 + 127) / 255);
    QCOMPARE(qRed(both), (128 * 191 + 127) / 255);
    QCOMPARE(qBlue(both), 64);
    // Hiding the upper layer and recolouring a rectangle shows the lower one there.
    doc.layer(b)->setVisible(false);
    QCOMPARE(overlay.update(doc, cv::Rect(12, 0, 4, 30)), QRect(12, 0, 4, 30));
    QCOMPARE(overlay.image().pixel(15, 5), red);
    QCOMPARE(overlay.image().pixel(25, 5), blue); // outside the rectangle: not redrawn
}

// ---------------------------------------------------------------------------------------------
// Storage and blinding

void TestMasks::roundTripIsBitIdentical_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::newRow("640 x 480") << 640 << 480;
    QTest::newRow("odd 333 x 517") << 333 << 517;
    QTest::newRow("12 MP") << 4000 << 3000;
}

void TestMasks::roundTripIsBitIdentical()
{
    QFETCH(int, width);
    QFETCH(int, height);
    const qint64 image = addImage(width, height);
    const User rater = addUser(u"dr.a"_s, Role::Annotator);
    QVERIFY(assignAll(1));
    MaskService service(*m_store, rater);
    QString error;
    auto doc = service.openOwn(image, &error);
    QVERIFY2(doc, qPrintable(error));
    QCOMPARE(doc->size(), QSize(width, height));
    QCOMPARE(doc->layerCount(), 0);

    const cv::Mat a = randomBlobs(width, height, 1);
    const cv::Mat b = randomBlobs(width, height, 2);
    QVERIFY(doc->setMask(u"condition:eczema"_s, a, &error));
    QVERIFY(doc->setMask(u"identifying:face"_s, b, &error));
    QElapsedTimer timer;
    timer.start();
    const auto version = service.save(*doc, u"condition:eczema"_s, &error);
    const qint64 saveMs = timer.elapsed();
    QVERIFY2(version, qPrintable(error));
    QCOMPARE(*version, 1);
    QVERIFY(doc->isChanged(u"identifying:face"_s));
    QVERIFY(!doc->isChanged(u"condition:eczema"_s));
    QVERIFY2(service.saveChanged(*doc, &error), qPrintable(error));
    QVERIFY(doc->changedLayers().isEmpty());
    if (width * height >= 12'000'000)
        qInfo("12 MP save of one layer: %lld ms", saveMs);

    const auto reloaded = MaskService(*m_store, rater).openOwn(image, &error);
    QVERIFY2(reloaded, qPrintable(error));
    QCOMPARE(reloaded->layerIds(), (QStringList { u"condition:eczema"_s, u"identifying:face"_s }));
    QCOMPARE(differing(reloaded->maskIfAllocated(u"condition:eczema"_s), a), 0);
    QCOMPARE(differing(reloaded->maskIfAllocated(u"identifying:face"_s), b), 0);
    QCOMPARE(reloaded->savedVersion(u"identifying:face"_s), 1);
    QCOMPARE(reloaded->raterId(), rater.id);
    QVERIFY(reloaded->annotationId() > 0);
    QVERIFY(reloaded->changedLayers().isEmpty());
    // Stored as COCO RLE strings.
    QCOMPARE(Sql::scalar(m_store->db(), u"SELECT COUNT(*) FROM masks WHERE encoding = 'rle'"_s, {}, &error)
                 ->toInt(),
        2);
    // The first mask save made the assignment in progress.
    QCOMPARE(
        AssignmentRepository(m_store->db()).status(image, rater.id, &error), AssignmentStatus::InProgress);
}

void TestMasks::maskSaveStartsWork_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("expected");
    QTest::newRow("todo") << AssignmentStatus::Todo << AssignmentStatus::InProgress;
    QTest::newRow("in progress") << AssignmentStatus::InProgress << AssignmentStatus::InProgress;
    QTest::newRow("done") << AssignmentStatus::Done << AssignmentStatus::Done;
    QTest::newRow("skipped") << AssignmentStatus::Skipped << AssignmentStatus::Skipped;
    QTest::newRow("flagged") << AssignmentStatus::Flagged << AssignmentStatus::Flagged;
}

void TestMasks::maskSaveStartsWork()
{
    // Saving a mask is work on the image: "todo" becomes "in progress" (in the save's transaction);
    // done, skipped and flagged stay; nobody else's assignment changes.
    QFETCH(QString, status);
    QFETCH(QString, expected);
    const qint64 image = addImage(200, 100);
    const User rater = addUser(u"dr.a"_s, Role::Annotator);
    const User other = addUser(u"dr.b"_s, Role::Annotator);
    QVERIFY(assignAll(2));
    AssignmentRepository assignments(m_store->db());
    QString error;
    QVERIFY2(assignments.setStatus(image, rater.id, status, &error), qPrintable(error));
    QCOMPARE(assignments.status(image, other.id, &error), AssignmentStatus::Todo);

    MaskService service(*m_store, rater);
    auto doc = service.openOwn(image, &error);
    QVERIFY2(doc, qPrintable(error));
    const QString layer = u"condition:eczema"_s;
    cv::Mat mask = doc->mask(layer); // shares the document's pixels
    MaskTools::rectangle(mask, { 10, 10, 30, 20 }, PaintMode::Paint);
    QCOMPARE(service.save(*doc, layer, &error).value_or(-1), 1);
    QCOMPARE(assignments.status(image, rater.id, &error), expected);
    QCOMPARE(assignments.status(image, other.id, &error), AssignmentStatus::Todo);

    // A save that writes nothing (the content is stored already) is no work either.
    QVERIFY(assignments.setStatus(image, rater.id, status, &error));
    QCOMPARE(service.save(*doc, layer, &error).value_or(-1), 1);
    QCOMPARE(assignments.status(image, rater.id, &error), status);
    // saveChanged() does the same.
    MaskTools::rectangle(mask, { 50, 10, 30, 20 }, PaintMode::Paint);
    doc->markChanged(layer);
    QVERIFY2(service.saveChanged(*doc, &error), qPrintable(error));
    QCOMPARE(assignments.status(image, rater.id, &error), expected);
    QCOMPARE(service.versions(image, rater.id, layer, &error)->size(), 2);

    // A failed save changes no status: the transaction holds both.
    QVERIFY(assignments.setStatus(image, rater.id, status, &error));
    MaskTools::rectangle(mask, { 90, 10, 30, 20 }, PaintMode::Paint);
    doc->markChanged(layer);
    const bool postgres = TestStores::postgres();
    QVERIFY(QSqlQuery(m_store->db()).exec(postgres ? u"SET default_transaction_read_only = on"_s
                                                   : u"PRAGMA query_only = ON"_s));
    QVERIFY(!service.saveChanged(*doc, &error));
    QVERIFY(QSqlQuery(m_store->db()).exec(postgres ? u"SET default_transaction_read_only = off"_s
                                                   : u"PRAGMA query_only = OFF"_s));
    QVERIFY(doc->isChanged(layer));
    QCOMPARE(assignments.status(image, rater.id, &error), status);
    QCOMPARE(service.versions(image, rater.id, layer, &error)->size(), 2);
}

void TestMasks::versionsIncrease()
{
    const qint64 image = addImage(200, 100);
    const User rater = addUser(u"dr.a"_s, Role::Annotator);
    QVERIFY(assignAll(1));
    MaskService service(*m_store, rater);
    QString error;
    auto doc = service.openOwn(image, &error);
    QVERIFY2(doc, qPrintable(error));
    const QString layer = u"condition:eczema"_s;
    cv::Mat mask = doc->mask(layer);

    std::vector<cv::Mat> saved;
    for (int i = 1; i <= 3; ++i) {
        MaskTools::rectangle(mask, { 10 * i, 10, 10, 10 }, PaintMode::Paint);
        QCOMPARE(service.save(*doc, layer, &error).value_or(-1), i);
        saved.push_back(mask.clone());
    }
    // Unchanged: no new version.
    QCOMPARE(service.save(*doc, layer, &error).value_or(-1), 3);
    // Erasing everything is a change too.
    mask.setTo(0);
    QCOMPARE(service.save(*doc, layer, &error).value_or(-1), 4);
    saved.push_back(mask.clone());
    // A layer never painted saves as an empty mask.
    QCOMPARE(service.save(*doc, u"identifying:other"_s, &error).value_or(-1), 1);

    const auto versions = service.versions(image, rater.id, layer, &error);
    QVERIFY2(versions, qPrintable(error));
    QCOMPARE(versions->size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(versions->at(i).version, i + 1);
        QCOMPARE(versions->at(i).layer, layer);
        QVERIFY(versions->at(i).data.isEmpty()); // listings carry no data
        QVERIFY(versions->at(i).dataSize > 0);
        const auto old = service.loadVersion(image, rater.id, layer, i + 1, &error);
        QVERIFY2(old, qPrintable(error));
        QCOMPARE(differing(*old, saved[size_t(i)]), 0);
    }
    QCOMPARE(service.versions(image, rater.id, {}, &error)->size(), 5);
    QVERIFY(!service.loadVersion(image, rater.id, layer, 9, &error));

    const auto latest = service.openOwn(image, &error);
    QCOMPARE(cv::countNonZero(latest->maskIfAllocated(layer)), 0);
    QCOMPARE(latest->savedVersion(layer), 4);

    // One audit entry per version written, naming layer and version.
    QSqlQuery query(m_store->db());
    QVERIFY(query.exec(u"SELECT COUNT(*), MAX(user_id) FROM audit_log WHERE action = 'mask.save'"_s));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 5);
    QCOMPARE(query.value(1).toLongLong(), rater.id);

    // Damaged data is reported, not returned as a mask.
    MaskRecord broken;
    broken.encoding = u"rle"_s;
    broken.width = 10;
    broken.height = 10;
    broken.layer = layer;
    broken.data = "~~~";
    QVERIFY(MaskService::decode(broken, &error).empty());
    QVERIFY(error.contains(layer));
    broken.encoding = u"bmp"_s;
    QVERIFY(MaskService::decode(broken, &error).empty());
}

void TestMasks::maskFollowsExifOrientation()
{
    // A JPEG stored 64 x 48 with EXIF orientation 6 is displayed 48 x 64: so are its masks.
    const QByteArray jpeg = jpegWithOrientation6(64, 48);
    const ImageHeader header = ImageProbe::probe(jpeg);
    QVERIFY2(header.ok(), qPrintable(header.message));
    QCOMPARE(header.orientation, 6);
    QString error;
    const QImage shown = ImageDecoder::decode(jpeg, &error);
    QVERIFY2(!shown.isNull(), qPrintable(error));
    QCOMPARE(shown.size(), QSize(48, 64));

    const qint64 image = addImage(header.width, header.height, header.orientation);
    const User rater = addUser(u"dr.a"_s, Role::Annotator);
    QVERIFY(assignAll(1));
    MaskService service(*m_store, rater);
    QCOMPARE(service.displayedSize(image, &error).value_or(QSize()), shown.size());
    auto doc = service.openOwn(image, &error);
    QVERIFY2(doc, qPrintable(error));
    QCOMPARE(doc->size(), shown.size());
    cv::Mat mask = doc->mask(u"identifying:face"_s);
    QCOMPARE(mask.cols, 48);
    QCOMPARE(mask.rows, 64);
    MaskTools::rectangle(mask, { 0, 0, 48, 10 }, PaintMode::Paint);
    QVERIFY2(service.save(*doc, u"identifying:face"_s, &error), qPrintable(error));
    QCOMPARE(
        Sql::scalar(m_store->db(), u"SELECT width || 'x' || height FROM masks"_s, {}, &error)->toString(),
        u"48x64"_s);
    const auto reloaded = service.openOwn(image, &error);
    QCOMPARE(reloaded->size(), QSize(48, 64));
    QCOMPARE(cv::countNonZero(reloaded->maskIfAllocated(u"identifying:face"_s)), 480);

    // A document of the stored (unrotated) size is refused.
    MaskDocument wrong(QSize(64, 48));
    wrong.setOwner(image, rater.id);
    wrong.mask(u"identifying:face"_s);
    QVERIFY(!service.save(wrong, u"identifying:face"_s, &error));
    QVERIFY2(error.contains(u"48 x 64"_s), qPrintable(error));
}

void TestMasks::ratersAreBlinded()
{
    const qint64 image = addImage(80, 60);
    const User a = addUser(u"dr.a"_s, Role::Annotator);
    const User b = addUser(u"dr.b"_s, Role::Annotator);
    QVERIFY(assignAll(2)); // both raters label the image
    const User outsider = addUser(u"dr.c"_s, Role::Annotator); // not assigned
    const User qa = addUser(u"qa"_s, Role::Qa);
    const QString layer = u"condition:eczema"_s;
    QString error;

    MaskService serviceA(*m_store, a);
    auto docA = serviceA.openOwn(image, &error);
    QVERIFY2(docA, qPrintable(error));
    cv::Mat maskA = docA->mask(layer);
    MaskTools::rectangle(maskA, { 5, 5, 20, 20 }, PaintMode::Paint);
    QVERIFY2(serviceA.save(*docA, layer, &error), qPrintable(error));

    // B reads only their own (empty) masks and cannot list or load A's.
    MaskService serviceB(*m_store, b);
    QVERIFY(!serviceB.open(image, a.id, &error));
    QVERIFY2(error.contains(u"not allowed"_s), qPrintable(error));
    QVERIFY(!serviceB.versions(image, a.id, layer, &error));
    QVERIFY(!serviceB.loadVersion(image, a.id, layer, 1, &error));
    auto docB = serviceB.openOwn(image, &error);
    QVERIFY2(docB, qPrintable(error));
    QVERIFY(!docB->hasPixels(layer));
    QCOMPARE(docB->raterId(), b.id);

    // B cannot write into A's masks, even with a document naming A.
    MaskDocument forged(QSize(80, 60));
    forged.setOwner(image, a.id);
    forged.mask(layer).setTo(255);
    QVERIFY(!serviceB.save(forged, layer, &error));
    QVERIFY2(error.contains(u"author"_s), qPrintable(error));
    // B's own save goes to B's annotation and leaves A's alone.
    cv::Mat maskB = docB->mask(layer);
    MaskTools::rectangle(maskB, { 40, 40, 5, 5 }, PaintMode::Paint);
    QVERIFY2(serviceB.save(*docB, layer, &error), qPrintable(error));
    QCOMPARE(serviceA.versions(image, a.id, layer, &error)->size(), 1);
    QCOMPARE(cv::countNonZero(serviceA.openOwn(image, &error)->maskIfAllocated(layer)), 400);

    // Not assigned: nothing at all.
    MaskService serviceC(*m_store, outsider);
    QVERIFY(!serviceC.openOwn(image, &error));
    QVERIFY(error.contains(u"not assigned"_s));
    QVERIFY(!serviceC.open(image, a.id, &error));

    // QA reads every rater, writes nobody's.
    MaskService serviceQa(*m_store, qa);
    auto seenA = serviceQa.open(image, a.id, &error);
    QVERIFY2(seenA, qPrintable(error));
    QCOMPARE(cv::countNonZero(seenA->maskIfAllocated(layer)), 400);
    auto seenB = serviceQa.open(image, b.id, &error);
    QVERIFY2(seenB, qPrintable(error));
    QCOMPARE(cv::countNonZero(seenB->maskIfAllocated(layer)), 25);
    QCOMPARE(serviceQa.versions(image, a.id, {}, &error)->size(), 1);
    seenA->mask(layer).setTo(0);
    QVERIFY(!serviceQa.save(*seenA, layer, &error));
    QVERIFY(!serviceQa.openOwn(image, &error)); // QA does not annotate
    QCOMPARE(serviceQa.versions(image, a.id, layer, &error)->size(), 1);
}

QTEST_GUILESS_MAIN(TestMasks)
#include "tst_masks.moc"
