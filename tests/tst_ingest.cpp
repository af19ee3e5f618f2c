// The ingest pipeline end to end on real files: good images, hostile ones, incremental
// re-adds, moved and deleted files, and cancellation.
#include "collection/collection.h"
#include "embed/classicembedder.h"
#include "ingest/ingestjob.h"
#include "search/searchengine.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <utime.h>

using namespace lookalike;
using namespace lookalike::test;

class TestIngest final : public QObject
{
    Q_OBJECT

private:
    ClassicEmbedder m_embedder;

    std::unique_ptr<Collection> newCollection(const QString &dir)
    {
        CollectionOptions o;
        o.embedderId = m_embedder.id();
        o.dimension = m_embedder.dimension();
        auto c = Collection::create(dir, o);
        if (!c)
            qFatal("%s", qPrintable(c.errorMessage()));
        return std::move(*c);
    }

    IngestResult ingest(Collection &c, const QStringList &inputs, int batch = 8)
    {
        IngestParams p;
        p.inputs = inputs;
        p.batchSize = batch;
        IngestJob job(c, m_embedder, p);
        auto r = job.run();
        if (!r)
            qFatal("ingest failed: %s", qPrintable(r.errorMessage()));
        return *r;
    }

    static void writeGoodImages(const QString &dir, int n, int firstSeed = 0)
    {
        QDir().mkpath(dir);
        for (int i = 0; i < n; ++i) {
            const QImage img = makeSyntheticImage(320 + 7 * i, 240, quint32(firstSeed + i));
            const char *fmt = (i % 3 == 0) ? "png" : "jpg";
            QVERIFY(saveImage(img, QDir(dir).filePath(QStringLiteral("good%1.%2").arg(firstSeed + i).arg(QLatin1String(fmt))), fmt));
        }
    }

private Q_SLOTS:
    void goodFilesAllIndexedNextToHostileOnes()
    {
        QTemporaryDir tmp;
        const QString images = tmp.filePath(QStringLiteral("images"));
        writeGoodImages(images, 12);
        const int hostile = writeHostileFiles(images);
        const int tricky = writeTrickyValidImages(images);
        QVERIFY2(tricky > 0, "python3-pil is needed to write the CMYK JPEG and animated GIF");
        // A subfolder and a hidden file, which is skipped.
        writeGoodImages(images + QStringLiteral("/sub"), 3, 100);
        QVERIFY(saveImage(makeSyntheticImage(50, 50, 9), images + QStringLiteral("/.hidden.png"), "png"));
        auto c = newCollection(tmp.filePath(QStringLiteral("coll")));
        const IngestResult r = ingest(*c, {images});
        QCOMPARE(r.added, qint64(15 + tricky));
        QCOMPARE(r.failed, qint64(hostile));
        QCOMPARE(r.errors.size(), hostile);
        QCOMPARE(*c->itemCount(), qint64(15 + tricky));
        QSet<QString> failedNames;
        for (const IngestErrorRecord &e : r.errors) {
            QVERIFY2(!e.message.isEmpty(), qPrintable(e.uri));
            failedNames.insert(QFileInfo(e.uri).fileName());
        }
        for (const char *name : {"truncated.jpg", "empty.jpg", "page.jpg", "bomb.png", "entity.svg", "href.svg", "pipe.jpg",
                                 "laughs.svg", "self.jpg"})
            QVERIFY2(failedNames.contains(QString::fromLatin1(name)), name);
        QCOMPARE(c->stats()->errors, qint64(hostile));
        // Every item has a thumbnail and a vector, and the index agrees with the database.
        auto check = c->check(false);
        QVERIFY(check);
        QVERIFY2(check->ok, qPrintable(check->problems.join(u'\n')));
        QCOMPARE(c->stats()->thumbnails, qint64(15 + tricky));
        auto cmyk = c->itemByUri(QDir(images).filePath(QStringLiteral("cmyk.jpg")));
        QVERIFY(cmyk && *cmyk);
        QCOMPARE((*cmyk)->format, QStringLiteral("jpeg"));
        auto png = c->itemByUri(QDir(images).filePath(QStringLiteral("really-a-png.jpg")));
        QCOMPARE((*png)->format, QStringLiteral("png"));
        QCOMPARE((*c->itemByUri(QDir(images).filePath(QStringLiteral("animated.gif"))))->format, QStringLiteral("gif"));
        removeNonUtf8Names(images);
    }

    void readdingSkipsUnchangedAndReembedsChanged()
    {
        QTemporaryDir tmp;
        const QString images = tmp.filePath(QStringLiteral("images"));
        writeGoodImages(images, 6);
        auto c = newCollection(tmp.filePath(QStringLiteral("coll")));
        QCOMPARE(ingest(*c, {images}).added, qint64(6));

        IngestResult again = ingest(*c, {images});
        QCOMPARE(again.added, qint64(0));
        QCOMPARE(again.unchanged, qint64(6));

        // Changed content: same path, new bytes → re-embedded in place.
        const QString changed = QDir(images).filePath(QStringLiteral("good1.jpg"));
        const qint64 id = (*c->itemByUri(changed))->id;
        const std::vector<float> before = *c->embedding(id, c->imageSpaceName());
        QVERIFY(saveImage(makeSyntheticImage(300, 300, 555), changed, "jpg"));
        // Touched only: same bytes, new mtime → not re-embedded.
        const QString touched = QDir(images).filePath(QStringLiteral("good2.jpg"));
        struct utimbuf times{1000000, 1000000};
        QCOMPARE(::utime(QFile::encodeName(touched).constData(), &times), 0);
        // Deleted: reported as missing.
        QVERIFY(QFile::remove(QDir(images).filePath(QStringLiteral("good4.jpg"))));

        IngestResult third = ingest(*c, {images});
        QCOMPARE(third.updated, qint64(1));
        QCOMPARE(third.unchanged, qint64(4)); // 3 untouched + 1 touched
        QCOMPARE(third.added, qint64(0));
        QCOMPARE(third.missing, QStringList{QDir(images).filePath(QStringLiteral("good4.jpg"))});
        QCOMPARE((*c->itemByUri(changed))->id, id);
        QVERIFY(*c->embedding(id, c->imageSpaceName()) != before);
        QCOMPARE(*c->itemCount(), qint64(6));
    }

    void movedFileIsRelinked()
    {
        QTemporaryDir tmp;
        const QString images = tmp.filePath(QStringLiteral("images"));
        writeGoodImages(images, 3);
        auto c = newCollection(tmp.filePath(QStringLiteral("coll")));
        ingest(*c, {images});
        const QString from = QDir(images).filePath(QStringLiteral("good1.jpg"));
        const QString to = QDir(images).filePath(QStringLiteral("renamed.jpg"));
        const qint64 id = (*c->itemByUri(from))->id;
        QVERIFY(QFile::rename(from, to));
        const IngestResult r = ingest(*c, {images});
        QCOMPARE(r.relinked, qint64(1));
        QCOMPARE(r.added, qint64(0));
        QCOMPARE((*c->itemByUri(to))->id, id);
        QVERIFY(!*c->itemByUri(from));
    }

    void sidecarBecomesReport()
    {
        QTemporaryDir tmp;
        const QString images = tmp.filePath(QStringLiteral("images"));
        writeGoodImages(images, 2);
        QFile side(QDir(images).filePath(QStringLiteral("good1.txt")));
        QVERIFY(side.open(QIODevice::WriteOnly));
        side.write("Right upper lobe pneumonia.\n");
        side.close();
        auto c = newCollection(tmp.filePath(QStringLiteral("coll")));
        const IngestResult r = ingest(*c, {images});
        QCOMPARE(r.added, qint64(2));
        QCOMPARE(r.skippedNonImages, qint64(1)); // the .txt itself is not an image
        const qint64 id = (*c->itemByUri(QDir(images).filePath(QStringLiteral("good1.jpg"))))->id;
        QCOMPARE(*c->report(id), QStringLiteral("Right upper lobe pneumonia."));
    }

    void cancelKeepsCommittedChunks()
    {
        QTemporaryDir tmp;
        const QString images = tmp.filePath(QStringLiteral("images"));
        writeGoodImages(images, 40);
        auto c = newCollection(tmp.filePath(QStringLiteral("coll")));
        IngestParams p;
        p.inputs = {images};
        p.batchSize = 4;
        IngestJob job(*c, m_embedder, p);
        int chunks = 0;
        connect(&job, &IngestJob::progressChanged, this, [&](const IngestProgress &) {
            if (++chunks == 2)
                job.cancel();
        }, Qt::DirectConnection);
        auto r = job.run();
        QVERIFY(r);
        QVERIFY(r->cancelled);
        const qint64 kept = *c->itemCount();
        QVERIFY2(kept >= 4 && kept < 40, qPrintable(QString::number(kept)));
        QCOMPARE(r->added, kept);
        // The index on disk agrees with what was committed; a re-run completes the rest.
        auto check = c->check(false);
        QVERIFY(check && check->ok);
        const IngestResult rest = ingest(*c, {images});
        QCOMPARE(rest.added, 40 - kept);
        QCOMPARE(*c->itemCount(), qint64(40));
    }

    void explicitFilesAndMissingInputs()
    {
        QTemporaryDir tmp;
        writeGoodImages(tmp.path(), 2);
        auto c = newCollection(tmp.filePath(QStringLiteral("coll")));
        const IngestResult r = ingest(*c, {tmp.filePath(QStringLiteral("good0.png")), tmp.filePath(QStringLiteral("nope.jpg"))});
        QCOMPARE(r.added, qint64(1));
        QCOMPARE(r.failed, qint64(1));
        QCOMPARE(r.errors.first().uri, tmp.filePath(QStringLiteral("nope.jpg")));
    }

    void transparencyIsCompositedOnTheCollectionsBackground()
    {
        // A transparent PNG and an SVG without a background, in a white and in a black
        // collection: thumbnails and vectors take each collection's colour, and a query by the
        // same transparent file (composited the same way) finds the item at cosine 1.
        QTemporaryDir tmp;
        QImage alpha(120, 80, QImage::Format_ARGB32);
        alpha.fill(Qt::transparent);
        for (int y = 30; y < 50; ++y)
            for (int x = 50; x < 70; ++x)
                alpha.setPixelColor(x, y, QColor(200, 30, 30));
        const QString png = tmp.filePath(QStringLiteral("alpha.png"));
        QVERIFY(alpha.save(png));
        const QString svg = tmp.filePath(QStringLiteral("shape.svg"));
        QFile f(svg);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("<svg xmlns='http://www.w3.org/2000/svg' width='60' height='30'><circle cx='30' cy='15' r='10' fill='#2050c0'/></svg>");
        f.close();
        QHash<QString, std::vector<float>> vectors;
        for (const QString &colour : {QStringLiteral("#ffffff"), QStringLiteral("#000000")}) {
            CollectionOptions o;
            o.embedderId = m_embedder.id();
            o.dimension = m_embedder.dimension();
            o.background = colour;
            auto c = Collection::create(tmp.filePath(colour.mid(1)), o);
            QVERIFY(c);
            QCOMPARE((*c)->background(), colour);
            QCOMPARE(ingest(**c, {png, svg}).added, qint64(2));
            for (const QString &file : {png, svg}) {
                const ItemRecord item = **(*c)->itemByUri(file);
                QImage thumb;
                QVERIFY(thumb.loadFromData(*(*c)->thumbnail(item.id)));
                const QColor corner = thumb.pixelColor(1, 1);
                QVERIFY2(qAbs(corner.red() - QColor::fromString(colour).red()) < 8, qPrintable(file + QLatin1Char(' ') + corner.name()));
                // The SVG is rasterised to fill the thumbnail box with its aspect kept (60×30 → 256×128).
                if (file == svg)
                    QCOMPARE(thumb.size(), QSize(256, 128));
            }
            SearchEngine engine(**c, &m_embedder);
            SearchQuery q;
            q.imageFiles = {png};
            q.k = 1;
            auto r = engine.search(q);
            QVERIFY2(r, qPrintable(r.errorMessage()));
            QCOMPARE(r->hits.first().item.uri, png);
            QVERIFY2(r->hits.first().imageScore > 0.999f, qPrintable(QString::number(r->hits.first().imageScore)));
            vectors.insert(colour, *(*c)->embedding((**(*c)->itemByUri(png)).id, (*c)->imageSpaceName()));
        }
        QVERIFY(vectors.value(QStringLiteral("#ffffff")) != vectors.value(QStringLiteral("#000000")));
    }

    void refusesOtherEmbedder()
    {
        QTemporaryDir tmp;
        CollectionOptions o;
        o.embedderId = QStringLiteral("other-model");
        o.dimension = 4;
        auto c = Collection::create(tmp.path(), o);
        IngestParams p;
        p.inputs = {tmp.path()};
        IngestJob job(**c, m_embedder, p);
        QVERIFY(!job.run());
    }
};

QTEST_MAIN(TestIngest)
#include "tst_ingest.moc"
