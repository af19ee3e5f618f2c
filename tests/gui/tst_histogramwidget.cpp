// HistogramWidget: binning, the count at or above the threshold, keyboard and mouse moves.
#include "histogramwidget.h"

#include <QSignalSpy>
#include <QTest>

using namespace lookalike;

class TestHistogramWidget final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void binsAndCount()
    {
        HistogramWidget w;
        w.setRange(0.5, 1.0);
        w.setBinCount(50);
        w.setValues({0.1f, 0.5f, 0.6f, 0.95f, 0.97f, 1.0f, 0.949f});
        qint64 inRange = 0;
        for (qint64 c : w.bins())
            inRange += c;
        QCOMPARE(inRange, qint64(6)); // 0.1 is below the range
        QCOMPARE(w.bins().back(), qint64(1)); // 1.0 lands in the last bin, not past it
        w.setThreshold(0.95);
        QCOMPARE(w.countAtOrAbove(), qint64(3));
        w.setThreshold(0.4); // clamped to the range
        QCOMPARE(w.threshold(), 0.5);
        QCOMPARE(w.countAtOrAbove(), qint64(6));
    }

    void keyboardMovesByFineSteps()
    {
        HistogramWidget w;
        w.setRange(0.8, 1.0);
        w.setThreshold(0.95);
        QSignalSpy spy(&w, &HistogramWidget::thresholdChanged);
        QTest::keyClick(&w, Qt::Key_Left);
        QCOMPARE(spy.count(), 1);
        QVERIFY(qAbs(w.threshold() - 0.945) < 1e-9);
        QTest::keyClick(&w, Qt::Key_Right);
        QTest::keyClick(&w, Qt::Key_Right);
        QVERIFY(qAbs(w.threshold() - 0.955) < 1e-9);
        QVERIFY(qAbs(spy.last().at(0).toDouble() - 0.955) < 1e-9);
        QTest::keyClick(&w, Qt::Key_End);
        QCOMPARE(w.threshold(), 1.0);
        QTest::keyClick(&w, Qt::Key_Right); // already at the top: no change, no signal
        QCOMPARE(spy.count(), 4);
    }

    void clickMovesTheMarker()
    {
        HistogramWidget w;
        w.resize(420, 150);
        w.setRange(0.8, 1.0);
        w.setThreshold(0.95);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy spy(&w, &HistogramWidget::thresholdChanged);
        QTest::mouseClick(&w, Qt::LeftButton, {}, QPoint(8, 75)); // near the left edge of the plot
        QCOMPARE(spy.count(), 1);
        QVERIFY2(w.threshold() < 0.82, qPrintable(QString::number(w.threshold())));
        QTest::mouseClick(&w, Qt::LeftButton, {}, QPoint(w.width() - 8, 75));
        QVERIFY2(w.threshold() > 0.98, qPrintable(QString::number(w.threshold())));
    }
};

QTEST_MAIN(TestHistogramWidget)
#include "tst_histogramwidget.moc"
