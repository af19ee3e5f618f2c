// Dataset checks over a real collection (SQLite + FAISS) with vectors placed by hand, so that
// every expected neighbour, group and outlier is known: near-duplicate groups, the same groups
// restricted to leaks across splits (by metadata key or by top folder), and outliers.
#include "collection/collection.h"
#include "collection/collectionwriter.h"
#include "search/duplicatefinder.h"
#include "search/outlierfinder.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <set>

using namespace lookalike;

namespace {

// A unit vector in 8 dimensions: mostly along `axis`, tilted by `tilt` towards axis + 1.
std::vector<float> towards(int axis, double tilt)
{
    std::vector<float> v(8, 0.f);
    v[size_t(axis)] = float(std::cos(tilt));
    v[size_t((axis + 1) % 8)] = float(std::sin(tilt));
    return v;
}

// An empty collection of 8-dimensional vectors placed by hand, in `dir`.
Result<std::unique_ptr<Collection>> createPlanted(const QString &dir)
{
    CollectionOptions o;
    o.embedderId = QStringLiteral("planted");
    o.dimension = 8;
    return Collection::create(dir, o);
}

struct Planted
{
    QString uri;
    std::vector<float> vector;
    QString split; // metadata "split"; empty: none
};

} // namespace

class TestDatasetInspection final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<Collection> m_c;
    QHash<QString, qint64> m_id; // by file name

    qint64 id(const QString &name) const { return m_id.value(name, -1); }

private Q_SLOTS:
    void initTestCase()
    {
        auto c = createPlanted(m_tmp.filePath(QStringLiteral("c")));
        QVERIFY(c);
        m_c = std::move(*c);
        // Cats along axis 0 and dogs along axis 2, spread over 0.3 rad (cosine >= 0.955 within
        // a kind, near 0 between kinds). Planted near-duplicates (cosine > 0.999):
        //  - train/cats/c1 and test/cats/leak: a leak across the top folders and the splits;
        //  - train/cats/c3 and train/cats/c3copy: a duplicate inside one split, not a leak;
        //  - test/dogs/d2 and an item added by URL: a leak by folder (the URL's host), none by
        //    metadata (the URL item has no split).
        // One odd image along axis 5, like nothing else.
        const QString root = QStringLiteral("/data/set/");
        std::vector<Planted> planted;
        for (int i = 0; i < 6; ++i)
            planted.push_back({root + QStringLiteral("train/cats/c%1.png").arg(i), towards(0, 0.06 * i), QStringLiteral("train")});
        planted.push_back({root + QStringLiteral("train/cats/c3copy.png"), towards(0, 0.06 * 3 + 0.01), QStringLiteral("train")});
        planted.push_back({root + QStringLiteral("test/cats/leak.png"), towards(0, 0.06 + 0.01), QStringLiteral("test")});
        for (int i = 0; i < 6; ++i)
            planted.push_back({root + QStringLiteral("test/dogs/d%1.png").arg(i), towards(2, 0.06 * i), QStringLiteral("test")});
        planted.push_back({QStringLiteral("https://images.example.org/d2.png"), towards(2, 0.06 * 2 + 0.01), QString()});
        planted.push_back({root + QStringLiteral("train/odd.png"), towards(5, 0.0), QStringLiteral("train")});

        auto w = m_c->openWriter();
        QVERIFY(w);
        std::vector<NewItem> items;
        for (const Planted &p : planted) {
            NewItem n;
            n.record.uri = p.uri;
            n.record.filename = p.uri.section(u'/', -1);
            n.spaceName = m_c->imageSpaceName();
            n.embedding = p.vector;
            items.push_back(n);
        }
        auto ids = (*w)->writeItems(items);
        QVERIFY(ids);
        std::vector<std::tuple<qint64, QString, QString>> meta;
        for (size_t i = 0; i < planted.size(); ++i) {
            m_id.insert(planted[i].uri.section(u'/', -1) + (planted[i].uri.startsWith(u'h') ? QStringLiteral("@url") : QString()),
                        (*ids)[i]);
            if (!planted[i].split.isEmpty())
                meta.push_back({(*ids)[i], QStringLiteral("split"), planted[i].split});
        }
        QVERIFY((*w)->setMetadata(meta));
    }

    void groupsWithoutSplit()
    {
        DuplicateParams params;
        params.threshold = 0.999f;
        auto found = DuplicateFinder::find(*m_c, params);
        QVERIFY2(found, qPrintable(found.errorMessage()));
        QCOMPARE(found->groups.size(), size_t(3));
        std::set<std::vector<qint64>> groups;
        for (const DuplicateGroup &g : found->groups) {
            QVERIFY(g.splits.isEmpty()); // none asked for
            groups.insert(g.ids);
        }
        const auto pair = [](qint64 a, qint64 b) { return std::vector<qint64>{std::min(a, b), std::max(a, b)}; };
        QVERIFY(groups.count(pair(id(u"c1.png"_qs), id(u"leak.png"_qs))));
        QVERIFY(groups.count(pair(id(u"c3.png"_qs), id(u"c3copy.png"_qs))));
        QVERIFY(groups.count(pair(id(u"d2.png"_qs), id(u"d2.png@url"_qs))));
    }

    void leaksAcrossTopFolders()
    {
        DuplicateParams params;
        params.threshold = 0.999f;
        params.splitBy = SplitBy::TopFolder;
        auto found = DuplicateFinder::find(*m_c, params);
        QVERIFY2(found, qPrintable(found.errorMessage()));
        // The duplicate inside train/ is not a leak; the other two are.
        QCOMPARE(found->groups.size(), size_t(2));
        QHash<qint64, QString> splitOf;
        for (const DuplicateGroup &g : found->groups) {
            QCOMPARE(size_t(g.splits.size()), g.ids.size());
            for (size_t i = 0; i < g.ids.size(); ++i)
                splitOf.insert(g.ids[i], g.splits[qsizetype(i)]);
        }
        QCOMPARE(splitOf.value(id(u"c1.png"_qs)), u"train"_qs);
        QCOMPARE(splitOf.value(id(u"leak.png"_qs)), u"test"_qs);
        QCOMPARE(splitOf.value(id(u"d2.png"_qs)), u"test"_qs);
        QCOMPARE(splitOf.value(id(u"d2.png@url"_qs)), u"images.example.org"_qs);
        QVERIFY(!splitOf.contains(id(u"c3.png"_qs)));
    }

    void leaksAcrossMetadataSplit()
    {
        DuplicateParams params;
        params.threshold = 0.999f;
        params.splitBy = SplitBy::Metadata;
        params.splitKey = QStringLiteral("split");
        auto found = DuplicateFinder::find(*m_c, params);
        QVERIFY2(found, qPrintable(found.errorMessage()));
        // Only c1/leak: the URL item has no split, so its pair with d2 spans one split.
        QCOMPARE(found->groups.size(), size_t(1));
        const DuplicateGroup &g = found->groups.front();
        QCOMPARE(g.ids, (std::vector<qint64>{std::min(id(u"c1.png"_qs), id(u"leak.png"_qs)),
                                             std::max(id(u"c1.png"_qs), id(u"leak.png"_qs))}));
        QStringList splits = g.splits;
        splits.sort();
        QCOMPARE(splits, (QStringList{u"test"_qs, u"train"_qs}));

        params.splitKey = QStringLiteral("no such key");
        found = DuplicateFinder::find(*m_c, params);
        QVERIFY(found);
        QVERIFY(found->groups.empty());
    }

    void outliersComeFirst()
    {
        OutlierParams params;
        params.neighbours = 3;
        params.limit = 4;
        auto found = OutlierFinder::find(*m_c, params);
        QVERIFY2(found, qPrintable(found.errorMessage()));
        QCOMPARE(found->size(), size_t(4));
        const Outlier &odd = found->front();
        QCOMPARE(odd.id, id(u"odd.png"_qs));
        QVERIFY2(std::abs(odd.meanScore) < 0.05f, qPrintable(QString::number(odd.meanScore))); // orthogonal to all
        for (size_t i = 1; i < found->size(); ++i) {
            QVERIFY((*found)[i - 1].meanScore <= (*found)[i].meanScore);
            QVERIFY((*found)[i].meanScore > 0.9f); // everything else has its own kind nearby
            QVERIFY((*found)[i].nearestId != (*found)[i].id);
            QVERIFY((*found)[i].nearestScore >= (*found)[i].meanScore);
        }

        // The mean over k neighbours, checked by hand for one item: c5, the end of the cat
        // row, is at 0.06 rad from c4, 0.11 from c3copy and 0.12 from c3.
        params.limit = 1000;
        found = OutlierFinder::find(*m_c, params);
        QVERIFY(found);
        QCOMPARE(found->size(), size_t(m_id.size()));
        const auto c5 = std::find_if(found->begin(), found->end(), [&](const Outlier &o) { return o.id == id(u"c5.png"_qs); });
        QVERIFY(c5 != found->end());
        const double expected = (std::cos(0.06) + std::cos(0.11) + std::cos(0.12)) / 3;
        QVERIFY2(std::abs(c5->meanScore - expected) < 1e-5, qPrintable(QString::number(c5->meanScore)));
        QCOMPARE(c5->nearestId, id(u"c4.png"_qs));
    }

    void outliersOfTinyCollections()
    {
        auto c = createPlanted(m_tmp.filePath(QStringLiteral("one")));
        QVERIFY(c);
        auto found = OutlierFinder::find(**c, {});
        QVERIFY(found);
        QVERIFY(found->empty()); // no items

        auto w = (*c)->openWriter();
        QVERIFY(w);
        NewItem n;
        n.record.uri = QStringLiteral("/only.png");
        n.record.filename = QStringLiteral("only.png");
        n.spaceName = (*c)->imageSpaceName();
        n.embedding = towards(1, 0);
        QVERIFY((*w)->writeItems(std::span(&n, 1)));
        found = OutlierFinder::find(**c, {});
        QVERIFY(found);
        QVERIFY(found->empty()); // one item has no neighbours to be unlike
    }
};

QTEST_GUILESS_MAIN(TestDatasetInspection)
#include "tst_datasetinspection.moc"
