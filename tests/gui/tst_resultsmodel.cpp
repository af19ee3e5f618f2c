// The grid's data side on a real collection of 600 items: paging by id, items appended by a
// writer appearing at the end, removal, drag data, and thumbnails loaded off the GUI thread into
// a cache bounded in bytes.
#include "collection/collection.h"
#include "collection/collectionwriter.h"
#include "dropparser.h"
#include "resultsmodel.h"
#include "testsupport.h"
#include "thumbnailcache.h"

#include <QBuffer>
#include <QMimeData>
#include <QPixmap>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace lookalike;

namespace {
constexpr int kItems = 600; // more than two pages of ResultsModel::kPageSize

QByteArray jpeg(int side, quint32 seed)
{
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    test::makeSyntheticImage(side, side, seed).save(&buffer, "JPEG", 80);
    return out;
}
} // namespace

class TestResultsModel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::shared_ptr<Collection> m_c;

    std::vector<qint64> addItems(int first, int count, bool withThumbnails)
    {
        auto w = m_c->openWriter();
        if (!w)
            return {};
        std::vector<NewItem> items;
        for (int i = first; i < first + count; ++i) {
            NewItem n;
            n.record.uri = QStringLiteral("/data/set/%1.png").arg(i, 5, 10, QLatin1Char('0'));
            n.record.filename = QStringLiteral("%1.png").arg(i, 5, 10, QLatin1Char('0'));
            n.spaceName = m_c->imageSpaceName();
            n.embedding = {float(i % 7), 1.f, float(i % 3), 0.5f};
            if (withThumbnails) {
                n.thumbnailJpeg = jpeg(64, quint32(i));
                n.thumbnailWidth = n.thumbnailHeight = 64;
            }
            items.push_back(std::move(n));
        }
        auto ids = (*w)->writeItems(items);
        return ids ? *ids : std::vector<qint64>{};
    }

private Q_SLOTS:
    void initTestCase()
    {
        CollectionOptions o;
        o.embedderId = QStringLiteral("test-4d");
        o.dimension = 4;
        auto c = Collection::create(m_tmp.path(), o);
        QVERIFY(c);
        m_c = std::shared_ptr<Collection>(std::move(*c));
        // Thumbnails for the first 40 only: the rest exercise the "no thumbnail" path.
        QCOMPARE(addItems(0, 40, true).size(), size_t(40));
        QCOMPARE(addItems(40, kItems - 40, false).size(), size_t(kItems - 40));
    }

    void browsesEveryItemInIdOrderAcrossPages()
    {
        ThumbnailCache cache;
        ResultsModel model(&cache);
        model.setCollection(m_c);
        QCOMPARE(model.rowCount(), kItems);
        QCOMPARE(model.mode(), ResultsModel::Mode::Browse);
        qint64 previous = -1;
        for (int row : {0, 1, 255, 256, 257, 511, 512, kItems - 1}) {
            const QModelIndex i = model.index(row);
            const QString name = i.data(Qt::DisplayRole).toString();
            QCOMPARE(name, QStringLiteral("%1.png").arg(row, 5, 10, QLatin1Char('0')));
            QCOMPARE(i.data(ResultsModel::UriRole).toString(), QStringLiteral("/data/set/") + name);
            const qint64 id = i.data(ResultsModel::IdRole).toLongLong();
            QVERIFY(id > previous);
            previous = id;
            QCOMPARE(model.rowOf(id), row);
            QVERIFY(!i.data(ResultsModel::HasScoreRole).toBool());
        }
        QCOMPARE(model.idAt(kItems), qint64(-1));
        QCOMPARE(model.rowOf(-5), -1);
    }

    void newItemsAppearAtTheEndAndRemovedOnesGo()
    {
        ThumbnailCache cache;
        ResultsModel model(&cache);
        model.setCollection(m_c);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        // Touch the last page so that it is cached short, then grow the collection.
        QVERIFY(model.index(kItems - 1).data(Qt::DisplayRole).isValid());
        const std::vector<qint64> added = addItems(kItems, 5, false);
        QCOMPARE(added.size(), size_t(5));
        model.refreshItems();
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(reset.size(), 0); // an append, not a reset: scroll position and selection survive
        QCOMPARE(model.rowCount(), kItems + 5);
        QCOMPARE(model.index(kItems + 4).data(Qt::DisplayRole).toString(), QStringLiteral("%1.png").arg(kItems + 4, 5, 10, QLatin1Char('0')));

        QVERIFY(m_c->removeItems(added));
        model.removeIds(added);
        QCOMPARE(model.rowCount(), kItems);
        for (qint64 id : added)
            QCOMPARE(model.rowOf(id), -1);
        // Removed behind the model's back (another process): a refresh starts over.
        model.refreshItems();
        QCOMPARE(model.rowCount(), kItems);
    }

    void searchResultsCarryScores()
    {
        ThumbnailCache cache;
        ResultsModel model(&cache);
        model.setCollection(m_c);
        SearchResult result;
        for (int r = 0; r < 3; ++r) {
            SearchHit h;
            h.id = model.idAt(10 + r);
            h.score = 0.9f - 0.1f * r;
            h.imageScore = 0.8f;
            h.textScore = 0.25f;
            h.item = *model.itemAt(10 + r);
            h.report = QStringLiteral("report %1").arg(r);
            result.hits << h;
        }
        model.setSearchResult(SearchQuery{}, result);
        QCOMPARE(model.mode(), ResultsModel::Mode::Search);
        QCOMPARE(model.rowCount(), 3);
        const QModelIndex second = model.index(1);
        QVERIFY(second.data(ResultsModel::HasScoreRole).toBool());
        QCOMPARE(second.data(ResultsModel::ScoreRole).toFloat(), 0.8f);
        QCOMPARE(second.data(ResultsModel::TextScoreRole).toFloat(), 0.25f);
        QCOMPARE(second.data(ResultsModel::ReportRole).toString(), QStringLiteral("report 1"));
        QVERIFY(second.data(Qt::ToolTipRole).toString().contains(QStringLiteral("0.800")));
        model.browseAll();
        QCOMPARE(model.rowCount(), kItems);
    }

    void dragDataRoundTripsThroughTheDropParser()
    {
        ThumbnailCache cache;
        ResultsModel model(&cache);
        model.setCollection(m_c);
        std::unique_ptr<QMimeData> mime(model.mimeData({model.index(3), model.index(300)}));
        QVERIFY(mime->hasUrls());
        QCOMPARE(mime->urls().first(), QUrl::fromLocalFile(QStringLiteral("/data/set/00003.png")));
        const DropContents drop = DropParser::parse(mime.get());
        QCOMPARE(drop.itemIds, (std::vector<qint64>{model.idAt(3), model.idAt(300)}));
        QVERIFY(drop.localPaths.isEmpty()); // our own items come back as ids, not as new files
    }

    void dropParserSortsWhatADropCarries()
    {
        QMimeData mime;
        mime.setText(QStringLiteral("https://example.invalid/a.png\n  http://example.invalid/b.svg \n# comment\n"
                                    "ftp://example.invalid/c.png\n%1\njavascript:alert(1)\n")
                         .arg(m_tmp.path()));
        const DropContents d = DropParser::parse(&mime);
        QCOMPARE(d.urls, (QStringList{QStringLiteral("https://example.invalid/a.png"), QStringLiteral("http://example.invalid/b.svg")}));
        QCOMPARE(d.localPaths, QStringList{m_tmp.path()});
        QCOMPARE(d.unsupported.size(), 2);
        QVERIFY(d.images.isEmpty());

        QMimeData pixels;
        pixels.setImageData(test::makeSyntheticImage(20, 10, 1));
        const DropContents p = DropParser::parse(&pixels);
        QCOMPARE(p.images.size(), 1);
        QCOMPARE(p.images.first().size(), QSize(20, 10));
    }

    void thumbnailsLoadAsynchronouslyAndFailuresAreRemembered()
    {
        ThumbnailCache cache;
        cache.setCollection(m_c);
        auto ids = m_c->itemIds();
        QVERIFY(ids);
        const qint64 withThumb = ids->at(5);
        const qint64 without = ids->at(100);
        QSignalSpy ready(&cache, &ThumbnailCache::thumbnailReady);
        QVERIFY(cache.thumbnail(withThumb).isNull()); // not yet: queued
        QVERIFY(cache.thumbnail(without).isNull());
        QTRY_COMPARE(ready.size(), 2);
        const QPixmap p = cache.thumbnail(withThumb);
        QCOMPARE(p.size(), QSize(64, 64));
        QVERIFY(!cache.failed(withThumb));
        QVERIFY(cache.failed(without));
        QVERIFY(cache.thumbnail(without).isNull());
        QCOMPARE(ready.size(), 2); // a failure is not retried
        QCOMPARE(cache.cachedBytes(), qint64(64 * 64 * 4));
    }

    void cacheStaysWithinItsByteBudget()
    {
        constexpr qint64 budget = 64 * 64 * 4 * 10; // ten thumbnails
        ThumbnailCache cache(nullptr, budget);
        cache.setCollection(m_c);
        auto ids = m_c->itemIds();
        QSignalSpy ready(&cache, &ThumbnailCache::thumbnailReady);
        for (int i = 0; i < 40; ++i)
            cache.thumbnail(ids->at(size_t(i)));
        QTRY_COMPARE(ready.size(), 40);
        QVERIFY(cache.cachedBytes() <= budget);
        QVERIFY(cache.cachedBytes() >= budget / 2);
        // Switching collections drops everything, including late results.
        cache.thumbnail(ids->at(0));
        cache.setCollection(nullptr);
        QCOMPARE(cache.cachedBytes(), qint64(0));
        QVERIFY(cache.thumbnail(ids->at(0)).isNull());
    }

    void resultsModelRepaintsWhenAThumbnailArrives()
    {
        ThumbnailCache cache;
        cache.setCollection(m_c);
        ResultsModel model(&cache);
        model.setCollection(m_c);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.index(7).data(Qt::DecorationRole).value<QPixmap>().isNull());
        QTRY_VERIFY(!changed.isEmpty());
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 7);
        QVERIFY(!model.index(7).data(Qt::DecorationRole).value<QPixmap>().isNull());
    }
};

QTEST_MAIN(TestResultsModel)
#include "tst_resultsmodel.moc"
