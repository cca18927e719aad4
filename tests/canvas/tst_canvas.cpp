// SPDX-License-Identifier: GPL-3.0-or-later
// The image canvas on the offscreen platform: fit, zoom around a point, clamping, coordinate
// mapping, pan limits, wheel and keyboard, display-only adjustments, the mip pyramid and the level
// painting picks, and the overlay hook.
#include "canvas/ImageCanvas.h"
#include "canvas/ImagePyramid.h"

#include "../support/NumericCompare.h"

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

const QRgb Background = qRgb(0x2b, 0x2b, 0x2b);

QImage solidImage(int w, int h, QRgb colour = qRgb(120, 140, 160))
{
    QImage image(w, h, QImage::Format_RGB32);
    image.fill(colour);
    return image;
}

// Every pixel differs from its neighbours in a way that depends on its position.
QImage patternImage(int w, int h)
{
    QImage image(w, h, QImage::Format_RGB32);
    for (int y = 0; y < h; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < w; ++x)
            line[x] = qRgb(x % 256, y % 256, (x / 7 + y / 5) % 256);
    }
    return image;
}

// Left half red, right half blue.
QImage halvesImage(int w, int h)
{
    QImage image(w, h, QImage::Format_RGB32);
    image.fill(qRgb(200, 30, 30));
    QPainter(&image).fillRect(QRect(w / 2, 0, w - w / 2, h), QColor(30, 30, 200));
    return image;
}

std::unique_ptr<ImageCanvas> makeCanvas(QSize size, const QImage &image)
{
    auto canvas = std::make_unique<ImageCanvas>();
    canvas->resize(size);
    canvas->show();
    if (!QTest::qWaitForWindowExposed(canvas.get()))
        qWarning("canvas window not exposed");
    canvas->setImage(image);
    return canvas;
}

bool nearPoint(QPointF a, QPointF b, double tolerance)
{
    return dl::test::withinTolerance(a.x(), b.x(), tolerance) && dl::test::withinTolerance(a.y(), b.y(), tolerance);
}

int lutValue(int v, int brightness, int contrast)
{
    const double out = (v - 127.5) * std::pow(4.0, contrast / 100.0) + 127.5 + brightness * 1.275;
    return int(std::clamp(std::lround(out), 0L, 255L));
}

void sendWheel(QWidget *widget, QPointF pos, int delta)
{
    QWheelEvent event(pos, widget->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget, &event);
}

void sendMouse(QWidget *widget, QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons)
{
    QMouseEvent event(type, pos, widget->mapToGlobal(pos), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(widget, &event);
}

void drag(QWidget *widget, QPointF from, QPointF to, Qt::MouseButton button)
{
    sendMouse(widget, QEvent::MouseButtonPress, from, button, button);
    sendMouse(widget, QEvent::MouseMove, (from + to) / 2, Qt::NoButton, button);
    sendMouse(widget, QEvent::MouseMove, to, Qt::NoButton, button);
    sendMouse(widget, QEvent::MouseButtonRelease, to, button, Qt::NoButton);
}

// Records what the overlay hook receives and paints a green square at image (100,100)-(110,110).
class OverlayCanvas : public ImageCanvas
{
public:
    QRect lastVisible;
    QTransform lastTransform;
    int calls = 0;

protected:
    void paintOverlay(QPainter &painter, const QRect &visibleImageRect) override
    {
        ++calls;
        lastVisible = visibleImageRect;
        lastTransform = painter.transform();
        painter.fillRect(QRect(100, 100, 10, 10), QColor(0, 255, 0));
    }
};

} // namespace

class TestCanvas : public QObject
{
    Q_OBJECT

private slots:
    void fit_data();
    void fit();
    void fitSticksAcrossResize();
    void zoomAroundPoint_data();
    void zoomAroundPoint();
    void zoomClamps();
    void zoomText_data();
    void zoomText();
    void mappingRoundTrip_data();
    void mappingRoundTrip();
    void panLimits();
    void panByMouse();
    void wheelZoomsAroundCursor();
    void keyboard_data();
    void keyboard();
    void arrowKeysPan();
    void adjustmentsChangeDisplayOnly();
    void adjustmentsFollowPanOnLargeImage();
    void plannedSizes_data();
    void plannedSizes();
    void halveAveragesBlocks();
    void pyramidBuilds();
    void levelForZoom_data();
    void levelForZoom();
    void fitPaintUsesReducedLevel();
    void screenCopyDrawnWhileItsSize();
    void overlayHook();
    void otherFormats();
    void clearShowsBackground();
};

void TestCanvas::fit_data()
{
    QTest::addColumn<QSize>("imageSize");
    QTest::addColumn<QSize>("widgetSize");
    QTest::addColumn<double>("expectedZoom");

    QTest::newRow("landscape in 4:3") << QSize(4000, 3000) << QSize(800, 600) << 0.2;
    QTest::newRow("portrait in 4:3") << QSize(3000, 4000) << QSize(800, 600) << 0.15;
    QTest::newRow("landscape in wide") << QSize(4000, 3000) << QSize(1000, 300) << 0.1;
    QTest::newRow("square in tall") << QSize(1000, 1000) << QSize(300, 500) << 0.3;
    QTest::newRow("small image enlarged") << QSize(200, 100) << QSize(800, 600) << 4.0;
    QTest::newRow("panorama clamped to 5%") << QSize(20000, 50) << QSize(500, 500) << 0.05;
}

void TestCanvas::fit()
{
    QFETCH(QSize, imageSize);
    QFETCH(QSize, widgetSize);
    QFETCH(double, expectedZoom);

    auto canvas = makeCanvas(widgetSize, solidImage(imageSize.width(), imageSize.height()));
    QCOMPARE(canvas->size(), widgetSize);
    QVERIFY(canvas->isFitMode());
    QVERIFY(qFuzzyCompare(canvas->zoom(), expectedZoom));
    QVERIFY(qFuzzyCompare(canvas->fitZoom(), expectedZoom));

    const QPointF topLeft = canvas->imageToWidget(QPointF(0, 0));
    const QPointF bottomRight = canvas->imageToWidget(QPointF(imageSize.width(), imageSize.height()));
    if (expectedZoom > ImageCanvas::MinZoom) {
        // Centred: equal margins on both sides of each axis.
        QVERIFY(std::abs(topLeft.x() - (widgetSize.width() - bottomRight.x())) < 1e-6);
        QVERIFY(std::abs(topLeft.y() - (widgetSize.height() - bottomRight.y())) < 1e-6);
        // The image touches the view on at least one axis and is inside on both.
        QVERIFY(topLeft.x() > -1e-6 && topLeft.y() > -1e-6);
        QVERIFY(std::abs(topLeft.x()) < 1e-6 || std::abs(topLeft.y()) < 1e-6);
    } else {
        // Clamped at 5%, the panorama overhangs horizontally (no gap at either side) and is centred
        // vertically.
        QVERIFY(topLeft.x() <= 0 && bottomRight.x() >= widgetSize.width());
        QVERIFY(std::abs(topLeft.y() - (widgetSize.height() - bottomRight.y())) < 1e-6);
    }

    // fitToWindow() after zooming comes back to the same view.
    canvas->setZoom(1.0);
    QVERIFY(!canvas->isFitMode());
    canvas->fitToWindow();
    QVERIFY(canvas->isFitMode());
    QVERIFY(qFuzzyCompare(canvas->zoom(), expectedZoom));
    QVERIFY(nearPoint(canvas->imageToWidget(QPointF(0, 0)), topLeft, 1e-6));
}

void TestCanvas::fitSticksAcrossResize()
{
    auto canvas = makeCanvas(QSize(800, 600), solidImage(4000, 3000));
    QVERIFY(qFuzzyCompare(canvas->zoom(), 0.2));

    canvas->resize(400, 600);
    QVERIFY(qFuzzyCompare(canvas->zoom(), 0.1));
    QVERIFY(canvas->isFitMode());

    canvas->zoomIn();
    QVERIFY(!canvas->isFitMode());
    const double zoomed = canvas->zoom();
    QVERIFY(zoomed > 0.1);
    canvas->resize(800, 600);
    QCOMPARE(canvas->zoom(), zoomed);

    canvas->fitToWindow();
    canvas->resize(1200, 600);
    QVERIFY(qFuzzyCompare(canvas->zoom(), 0.2));
}

void TestCanvas::zoomAroundPoint_data()
{
    QTest::addColumn<double>("startZoom");
    QTest::addColumn<double>("newZoom");
    QTest::addColumn<QPointF>("anchor");

    // Start states where the image covers the whole view, so the pan limits do not move the anchor.
    QTest::newRow("fit to 50% at top-left") << 0.2 << 0.5 << QPointF(100, 100);
    QTest::newRow("fit to 100% at centre") << 0.2 << 1.0 << QPointF(400, 300);
    QTest::newRow("fit to 370% at corner") << 0.2 << 3.7 << QPointF(799, 1);
    QTest::newRow("fit to 3200% bottom-left") << 0.2 << 32.0 << QPointF(10, 590);
    QTest::newRow("100% out to 30%") << 1.0 << 0.3 << QPointF(420, 280);
    QTest::newRow("800% out to 150%") << 8.0 << 1.5 << QPointF(640, 80);
}

void TestCanvas::zoomAroundPoint()
{
    QFETCH(double, startZoom);
    QFETCH(double, newZoom);
    QFETCH(QPointF, anchor);

    auto canvas = makeCanvas(QSize(800, 600), patternImage(4000, 3000));
    canvas->setZoom(startZoom, QPointF(333, 222));
    QVERIFY(qFuzzyCompare(canvas->zoom(), startZoom));

    QSignalSpy zoomSpy(canvas.get(), &ImageCanvas::zoomChanged);
    QSignalSpy viewSpy(canvas.get(), &ImageCanvas::viewChanged);
    const QPointF before = canvas->widgetToImage(anchor);
    canvas->setZoom(newZoom, anchor);
    const QPointF after = canvas->widgetToImage(anchor);
    QVERIFY(qFuzzyCompare(canvas->zoom(), newZoom));
    QVERIFY2(nearPoint(before, after, 0.5),
             qPrintable(u"before (%1,%2) after (%3,%4)"_s.arg(before.x()).arg(before.y()).arg(after.x()).arg(after.y())));
    QCOMPARE(zoomSpy.count(), 1);
    QCOMPARE(zoomSpy.at(0).at(0).toDouble(), newZoom);
    QCOMPARE(viewSpy.count(), 1);
}

void TestCanvas::zoomClamps()
{
    auto canvas = makeCanvas(QSize(800, 600), solidImage(4000, 3000));
    canvas->setZoom(0.001);
    QCOMPARE(canvas->zoom(), ImageCanvas::MinZoom);
    QCOMPARE(canvas->zoomText(), u"5%"_s);
    canvas->setZoom(1000.0, QPointF(10, 10));
    QCOMPARE(canvas->zoom(), ImageCanvas::MaxZoom);
    QCOMPARE(canvas->zoomText(), u"3200%"_s);

    for (int i = 0; i < 100; ++i)
        canvas->zoomOut();
    QCOMPARE(canvas->zoom(), 0.05);
    for (int i = 0; i < 100; ++i)
        canvas->zoomIn();
    QCOMPARE(canvas->zoom(), 32.0);

    // The ladder steps by at most about sqrt(2) and visits 100%.
    canvas->setZoom(0.05);
    bool sawOne = false;
    while (canvas->zoom() < 32.0) {
        const double before = canvas->zoom();
        canvas->zoomIn();
        QVERIFY(canvas->zoom() > before);
        QVERIFY(canvas->zoom() / before <= 1.51);
        sawOne = sawOne || canvas->zoom() == 1.0;
    }
    QVERIFY(sawOne);
}

void TestCanvas::zoomText_data()
{
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QString>("text");
    QTest::newRow("25") << 0.25 << u"25%"_s;
    QTest::newRow("100") << 1.0 << u"100%"_s;
    QTest::newRow("33") << 1.0 / 3 << u"33%"_s;
    QTest::newRow("6.25") << 0.0625 << u"6.3%"_s;
    QTest::newRow("8") << 0.08 << u"8%"_s;
    QTest::newRow("1600") << 16.0 << u"1600%"_s;
}

void TestCanvas::zoomText()
{
    QFETCH(double, zoom);
    QFETCH(QString, text);
    auto canvas = makeCanvas(QSize(800, 600), solidImage(400, 300));
    canvas->setZoom(zoom);
    QCOMPARE(canvas->zoomText(), text);
}

void TestCanvas::mappingRoundTrip_data()
{
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QPointF>("pan");
    QTest::newRow("fit") << 0.0 << QPointF();
    QTest::newRow("13%") << 0.13 << QPointF(-40, 25);
    QTest::newRow("100% panned") << 1.0 << QPointF(-1234.5, -321.25);
    QTest::newRow("2400%") << 24.0 << QPointF(-5000, -7000);
}

void TestCanvas::mappingRoundTrip()
{
    QFETCH(double, zoom);
    QFETCH(QPointF, pan);
    auto canvas = makeCanvas(QSize(800, 600), solidImage(4000, 3000));
    if (zoom > 0)
        canvas->setZoom(zoom);
    canvas->panBy(pan);

    const QTransform t = canvas->imageToWidgetTransform();
    QCOMPARE(t.m11(), canvas->zoom());
    QCOMPARE(t.m22(), canvas->zoom());
    for (const QPointF p : {QPointF(0, 0), QPointF(17.25, 599.5), QPointF(799, 0), QPointF(400.125, 300.75)}) {
        const QPointF image = canvas->widgetToImage(p);
        QVERIFY(nearPoint(canvas->imageToWidget(image), p, 1e-9));
        QVERIFY(nearPoint(t.map(image), p, 1e-9));
    }
    // Image corners map to where the image is drawn.
    QVERIFY(nearPoint(canvas->imageToWidget(QPointF(0, 0)), canvas->offset(), 1e-12));
}

void TestCanvas::panLimits()
{
    auto canvas = makeCanvas(QSize(800, 600), solidImage(4000, 3000));
    canvas->setZoom(1.0);
    QSignalSpy viewSpy(canvas.get(), &ImageCanvas::viewChanged);

    // Far right/down: the image's top-left corner stops at the widget's top-left corner.
    canvas->panBy(QPointF(1e6, 1e6));
    QCOMPARE(canvas->offset(), QPointF(0, 0));
    QCOMPARE(canvas->visibleImageRect(), QRect(0, 0, 800, 600));
    // Far left/up: the bottom-right corner stops at the widget's bottom-right corner.
    canvas->panBy(QPointF(-1e6, -1e6));
    QCOMPARE(canvas->offset(), QPointF(800 - 4000, 600 - 3000));
    QCOMPARE(canvas->visibleImageRect(), QRect(3200, 2400, 800, 600));
    QCOMPARE(viewSpy.count(), 2);
    // Already at the limit: nothing changes, no signal.
    canvas->panBy(QPointF(-10, -10));
    QCOMPARE(viewSpy.count(), 2);

    // Smaller than the view: centred on both axes, and panning does nothing (fit mode kept).
    canvas->setImage(solidImage(200, 100));
    canvas->setZoom(1.0);
    QCOMPARE(canvas->offset(), QPointF(300, 250));
    canvas->fitToWindow();
    const QPointF fitOffset = canvas->offset();
    canvas->panBy(QPointF(123, -45));
    QCOMPARE(canvas->offset(), fitOffset);
    QVERIFY(canvas->isFitMode());

    // Wider than the view but shorter: free horizontally, centred vertically.
    canvas->setImage(solidImage(4000, 200));
    canvas->setZoom(1.0);
    canvas->panBy(QPointF(-500, 300));
    QCOMPARE(canvas->offset().y(), 200.0);
    QVERIFY(canvas->offset().x() <= 0 && canvas->offset().x() >= 800 - 4000);
}

void TestCanvas::panByMouse()
{
    auto canvas = makeCanvas(QSize(800, 600), solidImage(4000, 3000));
    canvas->centerOn(QPointF(2000, 1500));
    QCOMPARE(canvas->zoom(), 0.2); // centerOn keeps the zoom
    canvas->setZoom(1.0);
    canvas->centerOn(QPointF(2000, 1500));
    QCOMPARE(canvas->offset(), QPointF(400 - 2000, 300 - 1500));

    drag(canvas.get(), QPointF(400, 300), QPointF(300, 250), Qt::LeftButton);
    QCOMPARE(canvas->offset(), QPointF(400 - 2000 - 100, 300 - 1500 - 50));

    drag(canvas.get(), QPointF(100, 100), QPointF(160, 140), Qt::MiddleButton);
    QCOMPARE(canvas->offset(), QPointF(400 - 2000 - 40, 300 - 1500 - 10));

    // A tool owns the left button: a plain left drag does not pan, space + left drag does.
    canvas->setLeftButtonPans(false);
    const QPointF before = canvas->offset();
    drag(canvas.get(), QPointF(400, 300), QPointF(500, 400), Qt::LeftButton);
    QCOMPARE(canvas->offset(), before);
    QTest::keyPress(canvas.get(), Qt::Key_Space);
    drag(canvas.get(), QPointF(400, 300), QPointF(390, 280), Qt::LeftButton);
    QTest::keyRelease(canvas.get(), Qt::Key_Space);
    QCOMPARE(canvas->offset(), before + QPointF(-10, -20));
    drag(canvas.get(), QPointF(400, 300), QPointF(500, 400), Qt::LeftButton);
    QCOMPARE(canvas->offset(), before + QPointF(-10, -20));
}

void TestCanvas::wheelZoomsAroundCursor()
{
    auto canvas = makeCanvas(QSize(800, 600), patternImage(4000, 3000));
    canvas->setZoom(1.0);
    const double start = canvas->zoom();
    const QPointF cursor(213, 157);
    const QPointF before = canvas->widgetToImage(cursor);
    QSignalSpy zoomSpy(canvas.get(), &ImageCanvas::zoomChanged);

    sendWheel(canvas.get(), cursor, 120);
    QVERIFY(qFuzzyCompare(canvas->zoom(), start * M_SQRT2));
    QVERIFY(nearPoint(canvas->widgetToImage(cursor), before, 0.5));
    sendWheel(canvas.get(), cursor, 240);
    QVERIFY(qFuzzyCompare(canvas->zoom(), start * 2 * M_SQRT2));
    QVERIFY(nearPoint(canvas->widgetToImage(cursor), before, 0.5));
    sendWheel(canvas.get(), cursor, -360);
    QVERIFY(qFuzzyCompare(canvas->zoom(), start));
    QVERIFY(nearPoint(canvas->widgetToImage(cursor), before, 0.5));
    QCOMPARE(zoomSpy.count(), 3);
    QVERIFY(!canvas->isFitMode());
}

void TestCanvas::keyboard_data()
{
    QTest::addColumn<double>("startZoom");
    QTest::addColumn<int>("key");
    QTest::addColumn<double>("expectedZoom");

    // 4000 x 3000 in 800 x 600: fit is 20%.
    QTest::newRow("+ from 100%") << 1.0 << int(Qt::Key_Plus) << 1.5;
    QTest::newRow("= from 25%") << 0.25 << int(Qt::Key_Equal) << 1.0 / 3;
    QTest::newRow("- from 100%") << 1.0 << int(Qt::Key_Minus) << 2.0 / 3;
    QTest::newRow("- from 7%") << 0.07 << int(Qt::Key_Minus) << 0.0625;
    QTest::newRow("0 fits") << 3.0 << int(Qt::Key_0) << 0.2;
    QTest::newRow("F fits") << 0.5 << int(Qt::Key_F) << 0.2;
    QTest::newRow("1 is 100%") << 0.37 << int(Qt::Key_1) << 1.0;
}

void TestCanvas::keyboard()
{
    QFETCH(double, startZoom);
    QFETCH(int, key);
    QFETCH(double, expectedZoom);

    auto canvas = makeCanvas(QSize(800, 600), solidImage(4000, 3000));
    canvas->setZoom(startZoom);
    QTest::keyClick(canvas.get(), Qt::Key(key));
    QVERIFY2(qFuzzyCompare(canvas->zoom(), expectedZoom), qPrintable(QString::number(canvas->zoom())));
}

void TestCanvas::arrowKeysPan()
{
    auto canvas = makeCanvas(QSize(800, 600), solidImage(4000, 3000));
    canvas->setZoom(1.0);
    canvas->centerOn(QPointF(2000, 1500));
    const QPointF start = canvas->offset();

    QTest::keyClick(canvas.get(), Qt::Key_Right); // shows more of the right: the image moves left
    QCOMPARE(canvas->offset(), start + QPointF(-120, 0));
    QTest::keyClick(canvas.get(), Qt::Key_Down);
    QCOMPARE(canvas->offset(), start + QPointF(-120, -90));
    QTest::keyClick(canvas.get(), Qt::Key_Left);
    QTest::keyClick(canvas.get(), Qt::Key_Up);
    QCOMPARE(canvas->offset(), start);
}

void TestCanvas::adjustmentsChangeDisplayOnly()
{
    // Exactly 1:1 at fit, so displayed pixels are image pixels.
    QImage image(400, 300, QImage::Format_RGB32);
    image.fill(qRgb(100, 200, 60));
    const QImage original = image.copy();
    auto canvas = makeCanvas(QSize(400, 300), image);
    QCOMPARE(canvas->zoom(), 1.0);
    const QPoint probe(200, 150);

    QCOMPARE(canvas->grab().toImage().pixel(probe), qRgb(100, 200, 60));

    canvas->setBrightness(50);
    QCOMPARE(canvas->brightness(), 50);
    QRgb shown = canvas->grab().toImage().pixel(probe);
    QCOMPARE(qRed(shown), lutValue(100, 50, 0));
    QCOMPARE(qGreen(shown), lutValue(200, 50, 0));
    QCOMPARE(qBlue(shown), lutValue(60, 50, 0));
    QVERIFY(qRed(shown) > 100);
    QCOMPARE(canvas->image(), original);

    canvas->setBrightness(0);
    canvas->setContrast(100);
    shown = canvas->grab().toImage().pixel(probe);
    QCOMPARE(qRed(shown), lutValue(100, 0, 100)); // darker than mid-grey gets darker
    QCOMPARE(qGreen(shown), 255);                 // brighter gets brighter
    QVERIFY(qRed(shown) < 100);

    canvas->setBrightness(-30);
    canvas->setContrast(-60);
    shown = canvas->grab().toImage().pixel(probe);
    QCOMPARE(qRed(shown), lutValue(100, -30, -60));
    QCOMPARE(qGreen(shown), lutValue(200, -30, -60));
    QCOMPARE(qBlue(shown), lutValue(60, -30, -60));

    // Out of range values are clamped.
    canvas->setBrightness(500);
    QCOMPARE(canvas->brightness(), 100);

    canvas->resetAdjustments();
    QCOMPARE(canvas->brightness(), 0);
    QCOMPARE(canvas->contrast(), 0);
    QCOMPARE(canvas->grab().toImage().pixel(probe), qRgb(100, 200, 60));
    QCOMPARE(canvas->image(), original);
    QCOMPARE(image, original);
}

void TestCanvas::adjustmentsFollowPanOnLargeImage()
{
    // At 100% a 12 MP image is adjusted only around the view; panning must still show the right pixels.
    const QImage image = patternImage(4000, 3000);
    auto canvas = makeCanvas(QSize(800, 600), image);
    canvas->setZoom(1.0);
    canvas->centerOn(QPointF(2000, 1500));
    canvas->setBrightness(20);
    canvas->setContrast(30);

    const auto check = [&] {
        const QImage grabbed = canvas->grab().toImage();
        for (const QPoint p : {QPoint(0, 0), QPoint(799, 599), QPoint(411, 277), QPoint(20, 580)}) {
            const QPointF at = canvas->widgetToImage(QPointF(p) + QPointF(0.5, 0.5));
            const QRgb source = image.pixel(int(std::floor(at.x())), int(std::floor(at.y())));
            const QRgb shown = grabbed.pixel(p);
            QCOMPARE(qRed(shown), lutValue(qRed(source), 20, 30));
            QCOMPARE(qGreen(shown), lutValue(qGreen(source), 20, 30));
            QCOMPARE(qBlue(shown), lutValue(qBlue(source), 20, 30));
        }
    };
    check();
    canvas->panBy(QPointF(-300, -200)); // within the cached margin
    check();
    canvas->panBy(QPointF(-1500, -1000)); // beyond it
    check();
    canvas->panBy(QPointF(1e6, 1e6)); // to the top-left corner
    QCOMPARE(canvas->offset(), QPointF(0, 0));
    check();
    QCOMPARE(canvas->image(), image);
}

void TestCanvas::plannedSizes_data()
{
    QTest::addColumn<QSize>("full");
    QTest::addColumn<QList<QSize>>("expected");
    QTest::newRow("12 MP") << QSize(4000, 3000)
                           << QList<QSize>{{4000, 3000}, {2000, 1500}, {1000, 750}, {500, 375}};
    QTest::newRow("odd") << QSize(4001, 2999)
                         << QList<QSize>{{4001, 2999}, {2000, 1499}, {1000, 749}, {500, 374}};
    QTest::newRow("portrait") << QSize(1200, 1600) << QList<QSize>{{1200, 1600}, {600, 800}, {300, 400}};
    QTest::newRow("just above 512") << QSize(513, 100) << QList<QSize>{{513, 100}, {256, 50}};
    QTest::newRow("small") << QSize(512, 300) << QList<QSize>{{512, 300}};
    QTest::newRow("thin") << QSize(5000, 1) << QList<QSize>{{5000, 1}};
}

void TestCanvas::plannedSizes()
{
    QFETCH(QSize, full);
    QFETCH(QList<QSize>, expected);
    QCOMPARE(ImagePyramid::plannedSizes(full), expected);
}

void TestCanvas::halveAveragesBlocks()
{
    QImage image(5, 3, QImage::Format_RGB32); // odd: last column and row dropped
    image.fill(qRgb(0, 0, 0));
    image.setPixel(0, 0, qRgb(0, 10, 255));
    image.setPixel(1, 0, qRgb(100, 20, 255));
    image.setPixel(0, 1, qRgb(200, 30, 255));
    image.setPixel(1, 1, qRgb(255, 41, 254));
    image.setPixel(2, 0, qRgb(8, 8, 8));
    image.setPixel(4, 2, qRgb(255, 255, 255));
    const QImage half = ImagePyramid::halve(image);
    QCOMPARE(half.size(), QSize(2, 1));
    QCOMPARE(half.format(), QImage::Format_RGB32);
    // Rounded averages of each 2x2 block.
    QCOMPARE(half.pixel(0, 0), qRgb(139, 25, 255));
    QCOMPARE(half.pixel(1, 0), qRgb(2, 2, 2));
    QCOMPARE(qAlpha(half.pixel(1, 0)), 255);
}

void TestCanvas::pyramidBuilds()
{
    auto canvas = makeCanvas(QSize(800, 600), patternImage(4000, 3000));
    // Right after setImage only the full image is there; painting uses it meanwhile.
    QCOMPARE(canvas->availablePyramidLevels(), 1);
    QVERIFY(!canvas->pyramidReady());
    QCOMPARE(canvas->levelForZoom(0.2), 0);
    QSignalSpy levelSpy(canvas.get(), &ImageCanvas::pyramidLevelReady);

    QTRY_VERIFY(canvas->pyramidReady());
    QCOMPARE(canvas->pyramidLevelCount(), 4);
    QCOMPARE(canvas->availablePyramidLevels(), 4);
    QCOMPARE(levelSpy.count(), 3);
    QCOMPARE(canvas->pyramidLevelSize(1), QSize(2000, 1500));
    QCOMPARE(canvas->pyramidLevelSize(3), QSize(500, 375));
    QCOMPARE(canvas->levelForZoom(0.2), 2);

    // A new image restarts the pyramid; results of the previous image still on their way are not
    // mixed in.
    auto *pyramid = canvas->findChild<ImagePyramid *>();
    QVERIFY(pyramid);
    canvas->setImage(patternImage(4000, 3000));
    pyramid->waitForFinished(); // its levels are built and sent, none handled yet
    const QImage solid = solidImage(1000, 800);
    canvas->setImage(solid);
    QCOMPARE(canvas->availablePyramidLevels(), 1);
    QTRY_VERIFY(canvas->pyramidReady());
    QCOMPARE(canvas->pyramidLevelCount(), 2);
    QCOMPARE(canvas->pyramidLevelSize(1), QSize(500, 400));
    // Every build has finished and everything it sent has been handled: nothing more can come.
    pyramid->waitForFinished();
    QCoreApplication::sendPostedEvents();
    QCOMPARE(canvas->availablePyramidLevels(), 2);
    QCOMPARE(pyramid->level(1).size(), QSize(500, 400));
    QCOMPARE(pyramid->level(1).pixel(250, 200), solid.pixel(500, 400));

    // Replacing the image while the build runs, then destroying the canvas, must be safe.
    canvas->setImage(patternImage(4000, 3000));
    canvas->setImage(patternImage(3000, 2000));
    QTRY_VERIFY(canvas->pyramidReady());
    QCOMPARE(canvas->pyramidLevelSize(1), QSize(1500, 1000));
    canvas->setImage(patternImage(4000, 3000));
    canvas.reset();
}

void TestCanvas::levelForZoom_data()
{
    QTest::addColumn<double>("zoom");
    QTest::addColumn<int>("level");
    // Levels of 4000 x 3000: 1, 1/2, 1/4, 1/8. Smallest level with scale >= zoom.
    QTest::newRow("3200%") << 32.0 << 0;
    QTest::newRow("100%") << 1.0 << 0;
    QTest::newRow("60%") << 0.6 << 0;
    QTest::newRow("50%") << 0.5 << 1;
    QTest::newRow("40%") << 0.4 << 1;
    QTest::newRow("26%") << 0.26 << 1;
    QTest::newRow("25%") << 0.25 << 2;
    QTest::newRow("20%") << 0.2 << 2;
    QTest::newRow("12.5%") << 0.125 << 3;
    QTest::newRow("10%") << 0.1 << 3;
    QTest::newRow("5%") << 0.05 << 3;
}

void TestCanvas::levelForZoom()
{
    QFETCH(double, zoom);
    QFETCH(int, level);
    auto canvas = makeCanvas(QSize(800, 600), patternImage(4000, 3000));
    QTRY_VERIFY(canvas->pyramidReady());
    QCOMPARE(canvas->levelForZoom(zoom), level);

    // Painting at that zoom uses that level.
    canvas->setZoom(zoom);
    canvas->grab();
    QCOMPARE(canvas->lastPaintedLevel(), level);
}

void TestCanvas::fitPaintUsesReducedLevel()
{
    auto canvas = makeCanvas(QSize(1600, 1000), halvesImage(4000, 3000));
    QCOMPARE(canvas->size(), QSize(1600, 1000));
    QVERIFY(qFuzzyCompare(canvas->zoom(), 1.0 / 3));
    QTRY_VERIFY(canvas->pyramidReady());

    const QImage grabbed = canvas->grab().toImage();
    QCOMPARE(canvas->lastPaintedLevel(), 1); // 2000 x 1500 for a 1333 x 1000 display
    QCOMPARE(canvas->pyramidLevelSize(canvas->lastPaintedLevel()), QSize(2000, 1500));

    // The reduced level is drawn in the right place: red left half, blue right half, dark margins.
    QCOMPARE(grabbed.pixel(canvas->imageToWidget(QPointF(1000, 1500)).toPoint()), qRgb(200, 30, 30));
    QCOMPARE(grabbed.pixel(canvas->imageToWidget(QPointF(3000, 1500)).toPoint()), qRgb(30, 30, 200));
    QCOMPARE(grabbed.pixel(canvas->imageToWidget(QPointF(10, 10)).toPoint()), qRgb(200, 30, 30));
    QCOMPARE(grabbed.pixel(canvas->imageToWidget(QPointF(3990, 2990)).toPoint()), qRgb(30, 30, 200));
    QCOMPARE(grabbed.pixel(10, 500), Background);
    QCOMPARE(grabbed.pixel(1590, 500), Background);

    // At 100% the full image is used.
    canvas->actualSize();
    canvas->grab();
    QCOMPARE(canvas->lastPaintedLevel(), 0);
}

void TestCanvas::screenCopyDrawnWhileItsSize()
{
    // A 4000 x 3000 image fitted into 1600 x 1000 is 1333 x 1000 on screen; its copy of that size
    // (here green, to tell it from the image) is drawn 1:1 while the view shows it at that size.
    auto canvas = makeCanvas(QSize(1600, 1000), halvesImage(4000, 3000));
    const QImage copy = solidImage(1333, 1000, qRgb(20, 180, 40));
    canvas->setImage(halvesImage(4000, 3000), copy);
    QVERIFY(canvas->usesScreenCopy());
    QImage grabbed = canvas->grab().toImage();
    QCOMPARE(canvas->lastPaintedLevel(), ImageCanvas::ScreenCopyLevel);
    QCOMPARE(grabbed.pixel(canvas->imageToWidget(QPointF(1000, 1500)).toPoint()), qRgb(20, 180, 40));
    QCOMPARE(grabbed.pixel(canvas->imageToWidget(QPointF(3990, 2990)).toPoint()), qRgb(20, 180, 40));
    // Placed where the image is: the margins stay background, no column left unpainted.
    const QRect placed = canvas->imageToWidgetTransform().mapRect(QRectF(0, 0, 4000, 3000)).toAlignedRect();
    QCOMPARE(grabbed.pixel(placed.left() - 1, 500), Background);
    QCOMPARE(grabbed.pixel(placed.left() + 1, 500), qRgb(20, 180, 40));
    QCOMPARE(grabbed.pixel(placed.right() - 1, 500), qRgb(20, 180, 40));
    for (int x = 0; x < 1600; ++x) {
        const QRgb p = grabbed.pixel(x, 500);
        QVERIFY2(p == Background || p == qRgb(20, 180, 40), qPrintable(QString::number(x)));
    }
    // View adjustments apply to it too.
    canvas->setBrightness(50);
    grabbed = canvas->grab().toImage();
    QCOMPARE(canvas->lastPaintedLevel(), ImageCanvas::ScreenCopyLevel);
    QVERIFY(qGreen(grabbed.pixel(800, 500)) > 180);
    canvas->resetAdjustments();

    // Another zoom: the image itself (its pyramid), never the copy scaled.
    canvas->zoomIn();
    QVERIFY(!canvas->usesScreenCopy());
    grabbed = canvas->grab().toImage();
    QVERIFY(canvas->lastPaintedLevel() >= 0);
    QCOMPARE(grabbed.pixel(canvas->imageToWidget(QPointF(1000, 1500)).toPoint()), qRgb(200, 30, 30));
    // Back to fitted: the copy again.
    canvas->fitToWindow();
    canvas->grab();
    QCOMPARE(canvas->lastPaintedLevel(), ImageCanvas::ScreenCopyLevel);

    // A copy of another size (the window was resized since) is not used; nor one larger than the
    // image, nor after another image is set.
    canvas->setImage(halvesImage(4000, 3000), solidImage(1200, 900));
    QVERIFY(!canvas->usesScreenCopy());
    canvas->grab();
    QVERIFY(canvas->lastPaintedLevel() >= 0);
    canvas->setImage(halvesImage(400, 300), solidImage(1333, 1000));
    QVERIFY(!canvas->usesScreenCopy());
    canvas->setImage(halvesImage(4000, 3000), copy);
    QVERIFY(canvas->usesScreenCopy());
    canvas->setImage(halvesImage(4000, 3000));
    QVERIFY(!canvas->usesScreenCopy());
}

void TestCanvas::overlayHook()
{
    OverlayCanvas canvas;
    canvas.resize(800, 600);
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    canvas.setImage(solidImage(1000, 1000, qRgb(0, 0, 0)));
    canvas.setZoom(2.0);
    canvas.centerOn(QPointF(200, 200));

    const QImage grabbed = canvas.grab().toImage();
    QVERIFY(canvas.calls > 0);
    QCOMPARE(canvas.lastVisible, canvas.visibleImageRect());
    QCOMPARE(canvas.lastVisible, QRect(0, 50, 400, 300));
    QCOMPARE(canvas.lastTransform, canvas.imageToWidgetTransform());
    QCOMPARE(grabbed.pixel(canvas.imageToWidget(QPointF(105, 105)).toPoint()), qRgb(0, 255, 0));
    QCOMPARE(grabbed.pixel(canvas.imageToWidget(QPointF(120, 105)).toPoint()), qRgb(0, 0, 0));
}

void TestCanvas::otherFormats()
{
    // RGB888 is converted to RGB32 for display.
    QImage rgb(600, 400, QImage::Format_RGB888);
    rgb.fill(QColor(10, 150, 240));
    auto canvas = makeCanvas(QSize(600, 400), rgb);
    QCOMPARE(canvas->image().format(), QImage::Format_RGB32);
    QCOMPARE(canvas->zoom(), 1.0);
    QCOMPARE(canvas->grab().toImage().pixel(300, 200), qRgb(10, 150, 240));

    // ARGB32 is kept as given; the reduced levels are premultiplied and show the same colour, and a
    // transparent area shows the background through.
    QImage argb(1200, 800, QImage::Format_ARGB32);
    argb.fill(qRgba(40, 200, 90, 255));
    for (int y = 0; y < 800; ++y)
        for (int x = 0; x < 300; ++x)
            argb.setPixel(x, y, qRgba(255, 255, 255, 0));
    canvas->setImage(argb);
    QCOMPARE(canvas->image().format(), QImage::Format_ARGB32);
    QTRY_VERIFY(canvas->pyramidReady());
    QCOMPARE(canvas->pyramidLevelCount(), 3);
    canvas->setZoom(0.5);
    const QImage grabbed = canvas->grab().toImage();
    QCOMPARE(canvas->lastPaintedLevel(), 1);
    QCOMPARE(grabbed.pixel(canvas->imageToWidget(QPointF(900, 400)).toPoint()), qRgb(40, 200, 90));
    QCOMPARE(grabbed.pixel(canvas->imageToWidget(QPointF(100, 400)).toPoint()), Background);
}

void TestCanvas::clearShowsBackground()
{
    auto canvas = makeCanvas(QSize(300, 200), solidImage(300, 200, qRgb(255, 255, 255)));
    QCOMPARE(canvas->grab().toImage().pixel(150, 100), qRgb(255, 255, 255));
    canvas->clear();
    QVERIFY(!canvas->hasImage());
    QCOMPARE(canvas->pyramidLevelCount(), 0);
    QCOMPARE(canvas->grab().toImage().pixel(150, 100), Background);
    // Zooming an empty canvas is harmless.
    canvas->zoomIn();
    QCOMPARE(canvas->widgetToImage(canvas->imageToWidget(QPointF(3, 4))), QPointF(3, 4));
}

QTEST_MAIN(TestCanvas)
#include "tst_canvas.moc"
