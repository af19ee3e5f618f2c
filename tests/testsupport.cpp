#include "testsupport.h"

#include <QPainter>
#include <QRandomGenerator>

namespace lookalike::test {

QString testDataDir()
{
    return QStringLiteral(LOOKALIKE_TESTDATA);
}

QString cliPath()
{
    return QStringLiteral(LOOKALIKE_CLI_PATH);
}

QImage makeSyntheticImage(int width, int height, quint32 seed)
{
    QRandomGenerator rng(seed);
    QImage img(width, height, QImage::Format_RGB32);
    const QColor a = QColor::fromHsv(int(rng.bounded(360)), 120 + int(rng.bounded(120)), 200);
    const QColor b = QColor::fromHsv(int(rng.bounded(360)), 80 + int(rng.bounded(150)), 60 + int(rng.bounded(150)));
    QPainter p(&img);
    QLinearGradient g(0, 0, width, height);
    g.setColorAt(0, a);
    g.setColorAt(1, b);
    p.fillRect(img.rect(), g);
    for (int i = 0; i < 6; ++i) {
        p.setBrush(QColor::fromHsv(int(rng.bounded(360)), int(rng.bounded(256)), int(rng.bounded(256))));
        p.setPen(Qt::NoPen);
        const int w = 10 + int(rng.bounded(width / 2 + 1));
        const int h = 10 + int(rng.bounded(height / 2 + 1));
        const QRect r(int(rng.bounded(width)), int(rng.bounded(height)), w, h);
        if (i % 2)
            p.drawEllipse(r);
        else
            p.drawRect(r);
    }
    p.end();
    return img.convertToFormat(QImage::Format_RGB888);
}

} // namespace lookalike::test
