// Search: fusion of image and text scores, filters, paging, thresholds, negatives.
#include "collection/collection.h"
#include "collection/collectionwriter.h"
#include "search/searchengine.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace lookalike;

namespace {

// Items on a circle in the first two dimensions: item i sits at angle i × 10°, so cosine
// similarity to item 0 falls with i.
std::vector<float> onCircle(int i)
{
    std::vector<float> v(4, 0.f);
    const double a = i * 10.0 * M_PI / 180.0;
    v[0] = float(std::cos(a));
    v[1] = float(std::sin(a));
    return v;
}

} // namespace

class TestSearch final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<Collection> m_c;
    std::vector<qint64> m_ids;

private Q_SLOTS:
    void initTestCase()
    {
        CollectionOptions o;
        o.embedderId = QStringLiteral("circle");
        o.dimension = 4;
        auto c = Collection::create(m_tmp.path(), o);
        QVERIFY(c);
        m_c = std::move(*c);
        auto w = m_c->openWriter();
        std::vector<NewItem> items;
        for (int i = 0; i < 10; ++i) {
            NewItem n;
            n.record.uri = QStringLiteral("/x/%1.png").arg(i);
            n.record.filename = QStringLiteral("%1.png").arg(i);
            n.spaceName = m_c->imageSpaceName();
            n.embedding = onCircle(i);
            items.push_back(n);
        }
        auto ids = (*w)->writeItems(items);
        QVERIFY(ids);
        m_ids = *ids;
        // Reports: "effusion" in items 7 and 9 (9 says it twice: higher bm25); "normal" elsewhere.
        std::vector<std::pair<qint64, QString>> reports;
        for (int i = 0; i < 10; ++i) {
            QString text = QStringLiteral("chest radiograph normal");
            if (i == 7)
                text = QStringLiteral("small left pleural effusion with a long description of other things seen");
            if (i == 9)
                text = QStringLiteral("effusion effusion");
            reports.push_back({m_ids[size_t(i)], text});
        }
        QVERIFY((*w)->setReports(reports, QStringLiteral("test")));
        std::vector<std::tuple<qint64, QString, QString>> meta;
        for (int i = 0; i < 10; ++i)
            meta.push_back({m_ids[size_t(i)], QStringLiteral("parity"), i % 2 ? QStringLiteral("odd") : QStringLiteral("even")});
        QVERIFY((*w)->setMetadata(meta));
    }

    void byItemRanksByCosineAndExcludesItself()
    {
        SearchEngine engine(*m_c, nullptr);
        SearchQuery q;
        q.itemIds = {m_ids[0]};
        q.k = 3;
        auto r = engine.search(q);
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(r->hits.size(), 3);
        QCOMPARE(r->hits[0].id, m_ids[1]);
        QCOMPARE(r->hits[1].id, m_ids[2]);
        QVERIFY(qAbs(r->hits[0].imageScore - float(std::cos(10 * M_PI / 180))) < 1e-5f);
        QCOMPARE(r->hits[0].score, r->hits[0].imageScore);
        QCOMPARE(r->totalMatches, qint64(9));
        q.includeQueryItems = true;
        QCOMPARE(engine.search(q)->hits[0].id, m_ids[0]);
    }

    void pagingAndThreshold()
    {
        SearchEngine engine(*m_c, nullptr);
        SearchQuery q;
        q.itemIds = {m_ids[0]};
        q.k = 2;
        q.offset = 2;
        auto page = engine.search(q);
        QCOMPARE(page->hits.size(), 2);
        QCOMPARE(page->hits[0].id, m_ids[3]);
        q.offset = 0;
        q.k = 100;
        q.threshold = std::cos(35 * M_PI / 180); // items 1..3
        QCOMPARE(engine.search(q)->hits.size(), 3);
    }

    void rawVectorAndNegatives()
    {
        SearchEngine engine(*m_c, nullptr);
        SearchQuery q;
        q.vector = onCircle(5);
        q.k = 1;
        QCOMPARE(engine.search(q)->hits[0].id, m_ids[5]);
        // Positive 4, negative 2: the query moves away from 2, so 5 beats 3.
        SearchQuery n;
        n.itemIds = {m_ids[4]};
        n.negativeIds = {m_ids[2]};
        n.k = 1;
        QCOMPARE(engine.search(n)->hits[0].id, m_ids[6]);
        SearchQuery bad;
        bad.vector = {1, 0};
        QVERIFY(!engine.search(bad));
    }

    void textOnlyUsesBm25Normalised()
    {
        SearchEngine engine(*m_c, nullptr);
        SearchQuery q;
        q.text = QStringLiteral("effusion");
        auto r = engine.search(q);
        QVERIFY(r);
        QCOMPARE(r->hits.size(), 2);
        QCOMPARE(r->hits[0].id, m_ids[9]);
        QCOMPARE(r->hits[0].textScore, 1.f);
        QVERIFY(r->hits[1].textScore > 0 && r->hits[1].textScore < 1);
        QVERIFY(r->hits[0].matchedText);
        QVERIFY(r->hits[0].report.contains(QLatin1String("effusion")));
    }

    void hostileTextNeverErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("quote") << QStringLiteral("\"");
        QTest::newRow("near") << QStringLiteral("NEAR(");
        QTest::newRow("sql") << QStringLiteral("'); DROP TABLE items; --");
        QTest::newRow("star") << QStringLiteral("*");
        QTest::newRow("column") << QStringLiteral("text: effusion");
    }

    void hostileTextNeverErrors()
    {
        QFETCH(QString, text);
        SearchEngine engine(*m_c, nullptr);
        SearchQuery q;
        q.text = text;
        auto r = engine.search(q);
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(*m_c->itemCount(), qint64(10));
    }

    void anyWordFallback()
    {
        SearchEngine engine(*m_c, nullptr);
        SearchQuery q;
        q.text = QStringLiteral("effusion zebra");
        auto r = engine.search(q);
        QCOMPARE(r->hits.size(), 2);
        QCOMPARE(r->warnings.size(), 1);
    }

    void hybridFusesWithAlpha()
    {
        SearchEngine engine(*m_c, nullptr);
        SearchQuery q;
        q.itemIds = {m_ids[0]};
        q.text = QStringLiteral("effusion");
        q.alpha = 0.5;
        q.k = 10;
        auto r = engine.search(q);
        QVERIFY(r);
        for (const SearchHit &h : r->hits)
            QVERIFY(qAbs(h.score - (0.5f * h.imageScore + 0.5f * h.textScore)) < 1e-6f);
        // 9 has the best text but the worst image score; 1 has the best image score, no text.
        // With alpha 0.5: 9 → 0.5·cos90° + 0.5·1 = 0.5; 1 → 0.5·cos10° = 0.49.
        QCOMPARE(r->hits[0].id, m_ids[9]);
        q.alpha = 0.9;
        QCOMPARE(engine.search(q)->hits[0].id, m_ids[1]);
        q.alpha = 0.0;
        QCOMPARE(engine.search(q)->hits[0].id, m_ids[9]);
    }

    void metadataFilters()
    {
        SearchEngine engine(*m_c, nullptr);
        SearchQuery q;
        q.itemIds = {m_ids[0]};
        q.filters = {{QStringLiteral("parity"), QStringLiteral("even")}};
        auto r = engine.search(q);
        QCOMPARE(r->hits.size(), 4); // 2, 4, 6, 8
        QCOMPARE(r->hits[0].id, m_ids[2]);
        for (const SearchHit &h : r->hits)
            QVERIFY((h.id - m_ids[0]) % 2 == 0);
        q.filters = {{QStringLiteral("parity"), QStringLiteral("none")}};
        QCOMPARE(engine.search(q)->hits.size(), 0);
    }

    void emptyQueryIsAnError()
    {
        SearchEngine engine(*m_c, nullptr);
        QVERIFY(!engine.search(SearchQuery{}));
        SearchQuery q;
        q.imageFiles << QStringLiteral("/nonexistent.png");
        QVERIFY(!engine.search(q)); // no embedder, and no such file
    }
};

QTEST_GUILESS_MAIN(TestSearch)
#include "tst_search.moc"
