#include "embed/classicembedder.h"
#include "embed/embedderfactory.h"
#include "testsupport.h"

#include <QBuffer>
#include <QTest>

#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

using namespace lookalike;

namespace {

std::vector<float> embedOne(const ClassicEmbedder &e, const QImage &img)
{
    std::vector<float> v(size_t(e.dimension()), std::nanf(""));
    e.embed(img, v.data());
    return v;
}

double norm(const std::vector<float> &v)
{
    double s = 0;
    for (float x : v)
        s += double(x) * x;
    return std::sqrt(s);
}

double cosine(const std::vector<float> &a, const std::vector<float> &b)
{
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i)
        s += double(a[i]) * b[i];
    return s;
}

bool allFinite(const std::vector<float> &v)
{
    for (float x : v) {
        if (!std::isfinite(x))
            return false;
    }
    return true;
}

QImage uniform(int w, int h, QColor c)
{
    QImage img(w, h, QImage::Format_RGB888);
    img.fill(c);
    return img;
}

QImage jpegRoundTrip(const QImage &img, int quality)
{
    QByteArray bytes;
    QBuffer buf(&bytes);
    buf.open(QIODevice::WriteOnly);
    if (!img.save(&buf, "JPG", quality))
        return {};
    return QImage::fromData(bytes, "JPG").convertToFormat(QImage::Format_RGB888);
}

} // namespace

class TestClassicEmbedder final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void identity()
    {
        ClassicEmbedder e;
        QCOMPARE(e.id(), QStringLiteral("classic-v1"));
        QVERIFY(e.dimension() >= 256 && e.dimension() <= 1024);
        QVERIFY(e.isReentrant());
        QVERIFY(!e.hasTextTower());
        QVERIFY(!e.embedTexts(std::vector<QString>{QStringLiteral("cat")}).ok());
    }

    // The factory resolves the default, the short name and the full id; any other id (a model
    // this build lacks, e.g. a collection made elsewhere) is Unsupported, with the id named.
    void factory()
    {
        for (const QString &id : {QString(), QStringLiteral("classic"), QString::fromLatin1(ClassicEmbedder::kId)}) {
            auto e = EmbedderFactory::create(id);
            QVERIFY2(e.ok(), qPrintable(id));
            QCOMPARE((*e)->id(), QString::fromLatin1(ClassicEmbedder::kId));
        }
        QCOMPARE(EmbedderFactory::defaultId(), QString::fromLatin1(ClassicEmbedder::kId));
        auto unknown = EmbedderFactory::create(QStringLiteral("classic-v0"));
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, Error::Code::Unsupported);
        QVERIFY(unknown.errorMessage().contains(QStringLiteral("classic-v0")));
    }

    void shapes_data()
    {
        QTest::addColumn<QImage>("image");
        QTest::newRow("photo-like 256x192") << test::makeSyntheticImage(256, 192, 1);
        QTest::newRow("1x1") << uniform(1, 1, QColor(200, 30, 40));
        QTest::newRow("2000x3 wide") << test::makeSyntheticImage(2000, 3, 2);
        QTest::newRow("3x2000 tall") << test::makeSyntheticImage(3, 2000, 3);
        QTest::newRow("1x500 line") << test::makeSyntheticImage(1, 500, 4);
        QTest::newRow("black") << uniform(64, 64, Qt::black);
        QTest::newRow("white") << uniform(300, 200, Qt::white);
        QTest::newRow("mid grey") << uniform(17, 33, QColor(128, 128, 128));
        QTest::newRow("grayscale as RGB")
            << test::makeSyntheticImage(120, 80, 5).convertToFormat(QImage::Format_Grayscale8).convertToFormat(QImage::Format_RGB888);
        // Not the documented input format: converted, never read as RGB888 bytes.
        QTest::newRow("ARGB32 input") << test::makeSyntheticImage(90, 60, 6).convertToFormat(QImage::Format_ARGB32);
        // bytesPerLine > 3 * width: rows padded to 4 bytes (width 5 → 15 bytes → 16).
        QTest::newRow("padded rows") << test::makeSyntheticImage(5, 7, 7);
    }

    void shapes()
    {
        QFETCH(QImage, image);
        ClassicEmbedder e;
        const std::vector<float> v = embedOne(e, image);
        QVERIFY(allFinite(v));
        QVERIFY2(std::fabs(norm(v) - 1.0) < 1e-5, qPrintable(QString::number(norm(v), 'g', 10)));
    }

    // Rows are read through bytesPerLine: the same pixels with tight or padded rows embed alike.
    void honoursBytesPerLine()
    {
        ClassicEmbedder e;
        const QImage padded = test::makeSyntheticImage(37, 29, 8); // 111 bytes of pixels, 112 per line
        QVERIFY(padded.bytesPerLine() != padded.width() * 3);
        std::vector<uchar> tight(size_t(padded.width()) * 3 * padded.height());
        for (int y = 0; y < padded.height(); ++y)
            std::memcpy(tight.data() + size_t(y) * padded.width() * 3, padded.constScanLine(y), size_t(padded.width()) * 3);
        const QImage tightImage(tight.data(), padded.width(), padded.height(), padded.width() * 3, QImage::Format_RGB888);
        const std::vector<float> a = embedOne(e, padded);
        const std::vector<float> b = embedOne(e, tightImage);
        QVERIFY(std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0);
    }

    void dimensionMatchesOutput()
    {
        ClassicEmbedder e;
        const std::vector<QImage> batch = {test::makeSyntheticImage(64, 48, 10), test::makeSyntheticImage(48, 64, 11)};
        const auto r = e.embedImages(batch);
        QVERIFY2(r.ok(), qPrintable(r.errorMessage()));
        QCOMPARE(r->size(), batch.size() * size_t(e.dimension()));
        // embed() writes exactly dimension() floats: a guard value after them survives.
        std::vector<float> buf(size_t(e.dimension()) + 1, 12345.f);
        e.embed(batch[0], buf.data());
        QCOMPARE(buf.back(), 12345.f);
    }

    void batchEqualsSingle()
    {
        ClassicEmbedder e;
        std::vector<QImage> batch;
        for (quint32 s = 0; s < 5; ++s)
            batch.push_back(test::makeSyntheticImage(40 + 30 * int(s), 100 - 10 * int(s), 100 + s));
        const auto r = e.embedImages(batch);
        QVERIFY2(r.ok(), qPrintable(r.errorMessage()));
        const int d = e.dimension();
        for (size_t i = 0; i < batch.size(); ++i) {
            const std::vector<float> single = embedOne(e, batch[i]);
            QVERIFY(std::memcmp(single.data(), r->data() + i * d, sizeof(float) * d) == 0);
            QVERIFY(std::fabs(norm(std::vector<float>(r->begin() + i * d, r->begin() + (i + 1) * d)) - 1.0) < 1e-5);
        }
        QVERIFY(e.embedImages({}).ok());
        QCOMPARE(e.embedImages({}).value().size(), size_t(0));
    }

    void nullImageInBatchIsAnError()
    {
        ClassicEmbedder e;
        const std::vector<QImage> batch = {test::makeSyntheticImage(32, 32, 1), QImage()};
        const auto r = e.embedImages(batch);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, Error::Code::InvalidArgument);
    }

    void deterministic()
    {
        ClassicEmbedder e;
        const QImage img = test::makeSyntheticImage(256, 171, 42);
        const std::vector<float> a = embedOne(e, img);
        const std::vector<float> b = embedOne(ClassicEmbedder(), img.copy());
        QVERIFY(std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0);
    }

    void deterministicAcrossThreads()
    {
        ClassicEmbedder e;
        std::vector<QImage> images;
        for (quint32 s = 0; s < 16; ++s)
            images.push_back(test::makeSyntheticImage(200 + int(s), 150, 1000 + s % 4)); // repeats on purpose
        std::vector<std::vector<float>> serial;
        for (const QImage &img : images)
            serial.push_back(embedOne(e, img));
        // Four threads embed all images at once, each with its own output.
        std::vector<std::vector<std::vector<float>>> results(4);
        std::vector<std::thread> threads;
        for (auto &r : results)
            threads.emplace_back([&e, &images, &r] {
                for (const QImage &img : images)
                    r.push_back(embedOne(e, img));
            });
        for (std::thread &t : threads)
            t.join();
        for (const auto &r : results) {
            QCOMPARE(r.size(), serial.size());
            for (size_t i = 0; i < serial.size(); ++i)
                QVERIFY(std::memcmp(r[i].data(), serial[i].data(), sizeof(float) * serial[i].size()) == 0);
        }
    }

    void distinctImagesDiffer()
    {
        ClassicEmbedder e;
        const std::vector<float> a = embedOne(e, test::makeSyntheticImage(128, 128, 1));
        const std::vector<float> b = embedOne(e, test::makeSyntheticImage(128, 128, 2));
        QVERIFY(cosine(a, b) < 0.999);
    }

    // Edited copies of an image stay closer to it than unrelated images do.
    void nearDuplicates_data()
    {
        QTest::addColumn<int>("edit");
        QTest::newRow("rescaled 0.5x") << 0;
        QTest::newRow("jpeg q50") << 1;
        QTest::newRow("upscaled 1.7x + jpeg q75") << 2;
        QTest::newRow("brightness +20%") << 3;
        QTest::newRow("crop 5% each side") << 4;
    }

    void nearDuplicates()
    {
        QFETCH(int, edit);
        ClassicEmbedder e;
        for (quint32 seed = 1; seed <= 6; ++seed) {
            const QImage original = test::makeSyntheticImage(256, 192, seed);
            QImage copy;
            switch (edit) {
            case 0:
                copy = original.scaled(128, 96, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
                break;
            case 1:
                copy = jpegRoundTrip(original, 50);
                break;
            case 2:
                copy = jpegRoundTrip(original.scaled(435, 326, Qt::IgnoreAspectRatio, Qt::SmoothTransformation), 75);
                break;
            case 3:
                copy = original.copy();
                for (int y = 0; y < copy.height(); ++y) {
                    uchar *p = copy.scanLine(y);
                    for (int x = 0; x < copy.width() * 3; ++x)
                        p[x] = uchar(std::min(255, int(std::lround(p[x] * 1.2))));
                }
                break;
            case 4:
                copy = original.copy(13, 10, 256 - 26, 192 - 20);
                break;
            }
            QVERIFY(!copy.isNull());
            const std::vector<float> vo = embedOne(e, original);
            const double self = cosine(vo, embedOne(e, copy));
            for (quint32 other = 1; other <= 6; ++other) {
                if (other == seed)
                    continue;
                const double unrelated = cosine(vo, embedOne(e, test::makeSyntheticImage(256, 192, 50 + other)));
                QVERIFY2(self > unrelated,
                         qPrintable(QStringLiteral("seed %1: copy %2 <= unrelated %3").arg(seed).arg(self).arg(unrelated)));
            }
            QVERIFY2(self > 0.9, qPrintable(QStringLiteral("seed %1: copy similarity %2").arg(seed).arg(self)));
        }
    }
};

QTEST_GUILESS_MAIN(TestClassicEmbedder)
#include "tst_classicembedder.moc"
