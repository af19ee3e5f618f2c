// ImageViewer: fit and 1:1 factors, zoom clamps, wheel zoom anchored at the cursor, panning.
#include "imageviewer.h"

#include <QApplication>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <cmath>

using namespace lookalike;

namespace {

QImage checkerboard(int w, int h)
{
    QImage image(w, h, QImage::Format_RGB32);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            image.setPixel(x, y, ((x / 16 + y / 16) % 2) ? 0xff202020 : 0xffe0e0e0);
    return image;
}

void sendWheel(QWidget *viewport, QPoint pos, int delta, Qt::KeyboardModifiers modifiers = {})
{
    QWheelEvent event(QPointF(pos), QPointF(viewport->mapToGlobal(pos)), QPoint(), QPoint(0, delta), Qt::NoButton,
                      modifiers, Qt::NoScrollPhase, false);
    QApplication::sendEvent(viewport, &event);
}

} // namespace

class TestImageViewer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fitAndOriginalFactors()
    {
        ImageViewer v;
        v.resize(400, 300);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        const QSize vp = v.viewport()->size();
        QCOMPARE(vp, QSize(400, 300)); // no frame, no scroll bars in fit mode

        v.setImage(checkerboard(1600, 600));
        QVERIFY(v.fitsToWindow());
        QCOMPARE(v.zoomFactor(), 400.0 / 1600); // width decides
        QCOMPARE(v.horizontalScrollBar()->maximum(), 0);

        QSignalSpy spy(&v, &ImageViewer::zoomChanged);
        v.zoomToOriginal();
        QVERIFY(!v.fitsToWindow());
        QCOMPARE(v.zoomFactor(), 1.0);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.last().at(0).toDouble(), 1.0);
        QVERIFY(v.horizontalScrollBar()->maximum() > 0);

        // A new image keeps fit mode once it is chosen again.
        v.setFitToWindow();
        v.setImage(checkerboard(300, 900));
        QVERIFY(v.fitsToWindow());
        QCOMPARE(v.zoomFactor(), 300.0 / 900); // height decides
        // Smaller than the viewport: shown at 1:1, centred, not enlarged.
        v.setImage(checkerboard(100, 50));
        QCOMPARE(v.zoomFactor(), 1.0);
        QCOMPARE(v.mapFromImage(QPointF(0, 0)), QPointF(150, 125));
        // Resizing the window refits.
        v.setImage(checkerboard(800, 600));
        v.resize(200, 300);
        QCOMPARE(v.zoomFactor(), 200.0 / 800);
    }

    void zoomStepsAndClamps()
    {
        ImageViewer v;
        v.resize(400, 300);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        v.setImage(checkerboard(400, 300));
        v.zoomToOriginal();
        v.zoomIn();
        QCOMPARE(v.zoomFactor(), 1.25);
        v.zoomOut();
        v.zoomOut();
        QCOMPARE(v.zoomFactor(), 0.8);
        for (int i = 0; i < 100; ++i)
            v.zoomIn();
        QCOMPARE(v.zoomFactor(), ImageViewer::kMaxZoom);
        for (int i = 0; i < 100; ++i)
            v.zoomOut();
        QCOMPARE(v.zoomFactor(), ImageViewer::kMinZoom);
        v.setZoomFactor(1e9);
        QCOMPARE(v.zoomFactor(), ImageViewer::kMaxZoom);
    }

    void wheelZoomKeepsThePointUnderTheCursor_data()
    {
        QTest::addColumn<QPoint>("cursor");
        QTest::addColumn<int>("delta");
        QTest::addColumn<bool>("ctrl");
        QTest::newRow("in, centre") << QPoint(200, 150) << 120 << false;
        QTest::newRow("in, off centre, ctrl") << QPoint(90, 210) << 120 << true;
        QTest::newRow("in, two notches") << QPoint(333, 40) << 240 << false;
        QTest::newRow("out") << QPoint(120, 100) << -120 << false;
    }
    void wheelZoomKeepsThePointUnderTheCursor()
    {
        QFETCH(QPoint, cursor);
        QFETCH(int, delta);
        QFETCH(bool, ctrl);
        ImageViewer v;
        v.resize(400, 300);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        v.setImage(checkerboard(3000, 2000));
        v.setZoomFactor(1.0);
        // Somewhere away from the edges, so that the scroll range does not interfere.
        v.horizontalScrollBar()->setValue(1100);
        v.verticalScrollBar()->setValue(700);
        const QPoint local = cursor;
        const QPointF before = v.mapToImage(local);
        const double zoomBefore = v.zoomFactor();
        sendWheel(v.viewport(), local, delta, ctrl ? Qt::ControlModifier : Qt::NoModifier);
        QVERIFY(v.zoomFactor() != zoomBefore);
        QVERIFY(qAbs(v.zoomFactor() - zoomBefore * std::pow(ImageViewer::kZoomStep, delta / 120.0)) < 1e-9);
        const QPointF after = v.mapFromImage(before);
        QVERIFY2(qAbs(after.x() - local.x()) <= 1.0 && qAbs(after.y() - local.y()) <= 1.0,
                 qPrintable(QStringLiteral("moved to %1,%2").arg(after.x()).arg(after.y())));
    }

    void dragPansAndDoubleClickToggles()
    {
        ImageViewer v;
        v.resize(400, 300);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        v.setImage(checkerboard(2000, 1500));
        QVERIFY(v.fitsToWindow());

        QTest::mouseDClick(v.viewport(), Qt::LeftButton, {}, QPoint(200, 150));
        QVERIFY(!v.fitsToWindow());
        QCOMPARE(v.zoomFactor(), 1.0);

        const int h = v.horizontalScrollBar()->value();
        const int vv = v.verticalScrollBar()->value();
        QTest::mousePress(v.viewport(), Qt::LeftButton, {}, QPoint(200, 150));
        QMouseEvent move(QEvent::MouseMove, QPointF(150, 120), QPointF(v.viewport()->mapToGlobal(QPoint(150, 120))),
                         Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(v.viewport(), &move);
        QTest::mouseRelease(v.viewport(), Qt::LeftButton, {}, QPoint(150, 120));
        QCOMPARE(v.horizontalScrollBar()->value(), h + 50);
        QCOMPARE(v.verticalScrollBar()->value(), vv + 30);

        QTest::mouseDClick(v.viewport(), Qt::LeftButton, {}, QPoint(200, 150));
        QVERIFY(v.fitsToWindow());
        QVERIFY(v.zoomFactor() < 1.0);
    }

    void paintsLargeImageAtSmallZoom()
    {
        // The pyramid path: rendering at 1/8 must produce the image's average grey, not the
        // aliasing pattern that sparse sampling of a fine checkerboard gives.
        ImageViewer v;
        v.resize(200, 200);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QImage fine(1600, 1600, QImage::Format_RGB32);
        for (int y = 0; y < 1600; ++y)
            for (int x = 0; x < 1600; ++x)
                fine.setPixel(x, y, ((x + y) % 2) ? 0xff000000 : 0xffffffff);
        v.setImage(fine);
        QCOMPARE(v.zoomFactor(), 0.125);
        const QImage shot = v.viewport()->grab().toImage();
        const QRgb centre = shot.pixel(shot.width() / 2, shot.height() / 2);
        QVERIFY2(qGray(centre) > 90 && qGray(centre) < 165, qPrintable(QString::number(qGray(centre))));
    }
};

QTEST_MAIN(TestImageViewer)
#include "tst_imageviewer.moc"
