// Search in a collection whose model has a text tower (the tiny CLIP of the shared test data):
// report text embedded into the model's text space, text↔image and text↔report scores, the
// documented fusion, and report vectors that follow report edits.
#include "collection/collection.h"
#include "collection/collectionwriter.h"
#include "embed/embedder.h"
#include "embed/embedderfactory.h"
#include "importers/reportimporter.h"
#include "ingest/ingestjob.h"
#include "ingest/reembedder.h"
#include "ingest/reportembedder.h"
#include "models/modelregistry.h"
#include "search/searchengine.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace lookalike;

namespace {

const QString kModel = QStringLiteral("clip:clip-tiny");
constexpr int kImages = 12;

float dot(const float *a, const float *b, int n)
{
    double s = 0;
    for (int i = 0; i < n; ++i)
        s += double(a[i]) * b[i];
    return float(s);
}

} // namespace

class TestVlmSearch final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    std::unique_ptr<Collection> m_collection;
    std::unique_ptr<Embedder> m_embedder;
    QString m_csv;

    std::vector<float> textVector(const QString &text)
    {
        const std::vector<QString> texts{text};
        auto v = m_embedder->embedTexts(texts);
        if (!v)
            qFatal("%s", qPrintable(v.errorMessage()));
        return *v;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!test::testDataDir().isEmpty(), "LOOKALIKE_TESTDATA is not set");
        QVERIFY(m_tmp.isValid());
        qputenv("LOOKALIKE_MODELS_DIR", (test::testDataDir() + QStringLiteral("/models")).toUtf8());
        ModelRegistry::registerProviders();
        auto embedder = EmbedderFactory::create(kModel);
        QVERIFY2(embedder.ok(), qPrintable(embedder.errorMessage()));
        m_embedder = std::move(*embedder);
        QVERIFY(m_embedder->hasTextTower());

        // A dozen radiographs of the shared sample, with a CSV holding their reports.
        const QString source = test::testDataDir() + QStringLiteral("/cxr-sample");
        const QString images = m_tmp.filePath(QStringLiteral("cases/images"));
        QVERIFY(QDir().mkpath(images));
        QFile csv(source + QStringLiteral("/cases.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList names = QDir(source + QStringLiteral("/images")).entryList(QDir::Files, QDir::Name).mid(0, kImages);
        QCOMPARE(names.size(), kImages);
        for (const QString &n : names)
            QVERIFY(QFile::copy(source + QStringLiteral("/images/") + n, images + QLatin1Char('/') + n));
        m_csv = m_tmp.filePath(QStringLiteral("cases/cases.csv"));
        QVERIFY(QFile::copy(csv.fileName(), m_csv));

        CollectionOptions options;
        options.embedderId = m_embedder->id();
        options.dimension = m_embedder->dimension();
        auto created = Collection::create(m_tmp.filePath(QStringLiteral("c")), options);
        QVERIFY2(created.ok(), qPrintable(created.errorMessage()));
        m_collection = std::move(*created);
        IngestParams params;
        params.inputs = {images};
        IngestJob job(*m_collection, *m_embedder, params);
        auto ingested = job.run();
        QVERIFY2(ingested.ok(), qPrintable(ingested.errorMessage()));
        QCOMPARE(ingested->added, qint64(kImages));
        QCOMPARE(ingested->reportsEmbedded, qint64(0)); // no sidecars: nothing to embed yet
    }

    void importedReportsAreEmbedded()
    {
        ReportImporter importer(*m_collection);
        auto imported = importer.importCsv(m_csv);
        QVERIFY2(imported.ok(), qPrintable(imported.errorMessage()));
        QCOMPARE(imported->reportsSet, qint64(kImages));

        auto embedded = ReportEmbedder::run(*m_collection, *m_embedder);
        QVERIFY2(embedded.ok(), qPrintable(embedded.errorMessage()));
        QCOMPARE(embedded->embedded, qint64(kImages));
        // Incremental: nothing left to do on a second run.
        auto again = ReportEmbedder::run(*m_collection, *m_embedder);
        QVERIFY(again.ok());
        QCOMPARE(again->embedded, qint64(0));

        // The stored vector is the text tower's embedding of the report.
        auto ids = m_collection->itemIds();
        QVERIFY(ids.ok());
        const qint64 id = ids->front();
        auto report = m_collection->report(id);
        QVERIFY(report.ok() && !report->isEmpty());
        auto stored = m_collection->embedding(id, ReportEmbedder::spaceName(*m_collection));
        QVERIFY2(stored.ok(), qPrintable(stored.errorMessage()));
        const std::vector<float> expected = textVector(*report);
        QCOMPARE(stored->size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY(std::abs((*stored)[i] - expected[i]) < 1e-5f);
    }

    void textQueryUsesBothTowersAndTheDocumentedFusion()
    {
        SearchEngine engine(*m_collection, m_embedder.get());
        SearchQuery query;
        query.text = QStringLiteral("bilateral opacities pneumonia");
        query.k = 100;
        auto result = engine.search(query);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        // Every item is a candidate of the text↔image part (12 < 100 candidates).
        QCOMPARE(result->hits.size(), kImages);
        QVERIFY2(result->fusion.contains(QStringLiteral("text↔image")) && result->fusion.contains(QStringLiteral("text↔report")),
                 qPrintable(result->fusion));

        const std::vector<float> t = textVector(query.text);
        const int dim = m_embedder->dimension();
        float loImage = 2, hiImage = -2, loReport = 2, hiReport = -2;
        for (const SearchHit &h : std::as_const(result->hits)) {
            QVERIFY(h.textImageScore.has_value());
            QVERIFY(h.textReportScore.has_value());
            // The parts are the cosines of the query text's embedding with the stored vectors.
            auto image = m_collection->embedding(h.id, m_collection->imageSpaceName());
            auto report = m_collection->embedding(h.id, ReportEmbedder::spaceName(*m_collection));
            QVERIFY(image.ok() && report.ok());
            QVERIFY(std::abs(*h.textImageScore - dot(t.data(), image->data(), dim)) < 1e-5f);
            QVERIFY(std::abs(*h.textReportScore - dot(t.data(), report->data(), dim)) < 1e-5f);
            loImage = std::min(loImage, *h.textImageScore);
            hiImage = std::max(hiImage, *h.textImageScore);
            loReport = std::min(loReport, *h.textReportScore);
            hiReport = std::max(hiReport, *h.textReportScore);
        }
        QVERIFY(hiImage > loImage && hiReport > loReport);
        // text = mean(min–max rescaled text↔image, rescaled text↔report, report words when any
        // report matched); text-only: score = text. Ordered by score.
        const bool words = std::any_of(result->hits.begin(), result->hits.end(), [](const SearchHit &h) { return h.matchedText; });
        for (const SearchHit &h : std::as_const(result->hits)) {
            const float a = (*h.textImageScore - loImage) / (hiImage - loImage);
            const float b = (*h.textReportScore - loReport) / (hiReport - loReport);
            const float expected = words ? (a + b + h.wordScore) / 3 : (a + b) / 2;
            QVERIFY2(std::abs(h.textScore - expected) < 1e-5f, qPrintable(QStringLiteral("%1 vs %2").arg(h.textScore).arg(expected)));
            QCOMPARE(h.score, h.textScore);
        }
        for (int i = 1; i < result->hits.size(); ++i)
            QVERIFY(result->hits[i - 1].score >= result->hits[i].score);
    }

    void hybridQueryWeighsImageAndText()
    {
        auto ids = m_collection->itemIds();
        QVERIFY(ids.ok());
        SearchEngine engine(*m_collection, m_embedder.get());
        SearchQuery query;
        query.itemIds = {ids->at(3)};
        query.text = QStringLiteral("effusion");
        query.alpha = 0.7;
        query.k = 100;
        auto result = engine.search(query);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->hits.size(), kImages - 1); // the example item is left out
        for (const SearchHit &h : std::as_const(result->hits)) {
            QVERIFY(h.textImageScore.has_value());
            QVERIFY(std::abs(h.score - (0.7f * h.imageScore + 0.3f * h.textScore)) < 1e-5f);
        }
    }

    void withoutTheModelTextMatchesReportWordsOnly()
    {
        // No embedder (the model is not installed here): the text part is report words only.
        SearchEngine engine(*m_collection, nullptr);
        SearchQuery query;
        query.text = QStringLiteral("pneumonia");
        query.k = 100;
        auto result = engine.search(query);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QVERIFY(!result->hits.isEmpty());
        for (const SearchHit &h : std::as_const(result->hits)) {
            QVERIFY(h.matchedText);
            QVERIFY(!h.textImageScore.has_value());
            QCOMPARE(h.textScore, h.wordScore);
        }
    }

    void editedReportIsEmbeddedAgain()
    {
        auto ids = m_collection->itemIds();
        QVERIFY(ids.ok());
        const qint64 id = ids->at(5);
        const QString space = ReportEmbedder::spaceName(*m_collection);
        auto writer = m_collection->openWriter();
        QVERIFY(writer.ok());
        const QString text = QStringLiteral("Large right pleural effusion with mediastinal shift.");
        const std::vector<std::pair<qint64, QString>> reports{{id, text}};
        QVERIFY((*writer)->setReports(reports, QStringLiteral("test")).ok());
        // The old vector described the old text: it is gone, from the database and the index.
        QVERIFY(!m_collection->embedding(id, space).ok());
        auto index = m_collection->index(space);
        QVERIFY(index.ok());
        QCOMPARE((*index)->size(), qint64(kImages - 1));

        auto embedded = ReportEmbedder::run(*m_collection, *m_embedder);
        QVERIFY(embedded.ok());
        QCOMPARE(embedded->embedded, qint64(1));
        auto stored = m_collection->embedding(id, space);
        QVERIFY(stored.ok());
        const std::vector<float> expected = textVector(text);
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY(std::abs((*stored)[i] - expected[i]) < 1e-5f);

        // Setting the same text again keeps the vector.
        QVERIFY((*writer)->setReports(reports, QStringLiteral("test")).ok());
        QVERIFY(m_collection->embedding(id, space).ok());
    }

    void reembeddingSwitchesOnlyWhenComplete()
    {
        // A classic collection of the same images moves to the tiny CLIP.
        auto classic = EmbedderFactory::create(EmbedderFactory::defaultId());
        QVERIFY(classic.ok());
        CollectionOptions options;
        options.embedderId = (*classic)->id();
        options.dimension = (*classic)->dimension();
        const QString dir = m_tmp.filePath(QStringLiteral("classic"));
        auto created = Collection::create(dir, options);
        QVERIFY2(created.ok(), qPrintable(created.errorMessage()));
        std::unique_ptr<Collection> c = std::move(*created);
        const QString images = m_tmp.filePath(QStringLiteral("moving"));
        QVERIFY(QDir().mkpath(images));
        const QStringList names = QDir(m_tmp.filePath(QStringLiteral("cases/images"))).entryList(QDir::Files, QDir::Name);
        for (const QString &n : names)
            QVERIFY(QFile::copy(m_tmp.filePath(QStringLiteral("cases/images/")) + n, images + QLatin1Char('/') + n));
        IngestParams params;
        params.inputs = {images};
        IngestJob job(*c, **classic, params);
        QVERIFY(job.run().ok());
        const QString oldSpace = c->imageSpaceName();

        // Stopped after the first batch: nothing switches, the old model keeps serving.
        int batches = 0;
        ReembedOptions stopEarly;
        stopEarly.batchSize = 5;
        stopEarly.progress = [&](qint64, qint64) { ++batches; };
        stopEarly.stopRequested = [&] { return batches >= 2; }; // the first call reports 0 done
        auto partial = Reembedder::run(*c, *m_embedder, stopEarly);
        QVERIFY2(partial.ok(), qPrintable(partial.errorMessage()));
        QVERIFY(partial->cancelled);
        QVERIFY(!partial->switched);
        QCOMPARE(partial->embedded, qint64(5));
        QCOMPARE(c->embedderId(), (*classic)->id());
        QVERIFY(!c->switchModel(m_embedder->id(), false).ok()); // refused: 7 items lack a vector

        // One file is gone: it is embedded from its thumbnail. The run resumes and switches.
        const QString newSpace = Collection::spaceName(QStringLiteral("image"), m_embedder->id());
        auto pending = c->idsWithoutVector(newSpace, 0, 100);
        QVERIFY(pending.ok());
        QCOMPARE(pending->size(), size_t(kImages - 5));
        auto gone = c->itemsByIds(std::span<const qint64>(pending->data(), 1));
        QVERIFY(gone.ok());
        QVERIFY(QFile::remove(gone->value(pending->front()).uri));
        ReembedOptions rest;
        rest.batchSize = 5;
        auto finished = Reembedder::run(*c, *m_embedder, rest);
        QVERIFY2(finished.ok(), qPrintable(finished.errorMessage()));
        QCOMPARE(finished->embedded, qint64(kImages - 5));
        QCOMPARE(finished->fromThumbnail, qint64(1));
        QVERIFY(finished->switched);
        QCOMPARE(c->embedderId(), m_embedder->id());
        QCOMPARE(finished->previousModel, (*classic)->id());

        // The old space is kept (switching back is free) and the new one answers queries.
        auto old = c->index(oldSpace);
        QVERIFY(old.ok());
        QCOMPARE((*old)->size(), qint64(kImages));
        SearchEngine engine(*c, m_embedder.get());
        SearchQuery query;
        query.text = QStringLiteral("a chest radiograph");
        query.k = 5;
        auto result = engine.search(query);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->hits.size(), 5);
        QVERIFY(result->hits.first().textImageScore.has_value());

        // Reopened, the collection remembers its new model; dropping the old space works.
        c.reset();
        auto reopened = Collection::open(dir);
        QVERIFY(reopened.ok());
        QCOMPARE((*reopened)->embedderId(), m_embedder->id());
        QVERIFY((*reopened)->switchModel(m_embedder->id(), false).ok());
    }

    void reportsOfAnotherModelAreRefused()
    {
        auto classic = EmbedderFactory::create(EmbedderFactory::defaultId());
        QVERIFY(classic.ok());
        auto nothing = ReportEmbedder::run(*m_collection, **classic);
        QVERIFY(nothing.ok()); // no text tower: nothing to do
        QCOMPARE(nothing->embedded, qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestVlmSearch)
#include "tst_vlmsearch.moc"
