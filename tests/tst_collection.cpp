// Collection: schema, writes, reads, index derivation and its recovery from damaged files.
#include "collection/collection.h"
#include "collection/collectionwriter.h"
#include "collection/database.h"
#include "collection/schema.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace lookalike;
using namespace lookalike::test;

namespace {

constexpr int kDim = 8;

std::vector<float> unitVector(quint32 seed)
{
    QRandomGenerator rng(seed);
    std::vector<float> v(kDim);
    double n = 0;
    for (float &x : v) {
        x = float(rng.generateDouble() * 2 - 1);
        n += double(x) * x;
    }
    for (float &x : v)
        x = float(x / std::sqrt(n));
    return v;
}

NewItem makeItem(int i, const QString &space)
{
    NewItem item;
    item.record.uri = QStringLiteral("/data/img%1.png").arg(i);
    item.record.filename = QStringLiteral("img%1.png").arg(i);
    item.record.size = 100 + i;
    item.record.mtimeMs = 1000 + i;
    item.record.contentHash = QStringLiteral("hash%1").arg(i);
    item.record.width = 10;
    item.record.height = 20;
    item.record.format = QStringLiteral("png");
    item.thumbnailJpeg = QByteArray("jpegbytes") + QByteArray::number(i);
    item.thumbnailWidth = 5;
    item.thumbnailHeight = 10;
    item.spaceName = space;
    item.embedding = unitVector(quint32(i));
    return item;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// tests/data/damage_pages.py: garbage over some leaf pages of the named tables.
bool damagePages(const QString &database, const QStringList &tableSpecs)
{
    QProcess py;
    py.start(QStringLiteral("/usr/bin/python3"),
             QStringList{QStringLiteral(LOOKALIKE_SOURCE_DIR "/tests/data/damage_pages.py"), database} + tableSpecs);
    if (!py.waitForFinished(60000) || py.exitCode() != 0) {
        qWarning("python: %s", py.readAllStandardError().constData());
        return false;
    }
    return true;
}

} // namespace

class TestCollection final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Collection> createWithItems(const QString &dir, int n)
    {
        CollectionOptions options;
        options.embedderId = QStringLiteral("test-model");
        options.dimension = kDim;
        auto c = Collection::create(dir, options);
        if (!c)
            qFatal("create failed: %s", qPrintable(c.errorMessage()));
        auto w = (*c)->openWriter();
        std::vector<NewItem> items;
        for (int i = 0; i < n; ++i)
            items.push_back(makeItem(i, (*c)->imageSpaceName()));
        auto ids = (*w)->writeItems(items);
        if (!ids)
            qFatal("write failed: %s", qPrintable(ids.errorMessage()));
        return std::move(*c);
    }

private Q_SLOTS:
    void createAndReopen()
    {
        QTemporaryDir tmp;
        {
            auto c = createWithItems(tmp.path(), 5);
            QCOMPARE(*c->itemCount(), qint64(5));
            QCOMPARE(c->imageSpaceName(), QStringLiteral("image:test-model"));
        }
        QVERIFY(QFile::exists(tmp.filePath(QStringLiteral("collection.sqlite"))));
        auto again = Collection::create(tmp.path(), {});
        QVERIFY(!again);
        auto c = Collection::open(tmp.path());
        QVERIFY2(c, qPrintable(c.errorMessage()));
        QCOMPARE(*(*c)->itemCount(), qint64(5));
        QCOMPARE((*c)->embedderId(), QStringLiteral("test-model"));
        auto stats = (*c)->stats();
        QVERIFY(stats);
        QCOMPARE(stats->schemaVersion, Schema::latestVersion());
        QCOMPARE(stats->spaces.size(), 1);
        QCOMPARE(stats->spaces.first().count, qint64(5));
        QCOMPARE(stats->thumbnails, qint64(5));
    }

    void interruptedCreateIsFinishedByCreatingAgain()
    {
        // What a create killed between its schema and its settings leaves: the migrated schema
        // and nothing else. open() must not take it for a classic collection with a white
        // background; create() finishes it with the options asked for.
        QTemporaryDir tmp;
        {
            auto db = Database::open(tmp.filePath(Collection::databaseFileName()), Database::Mode::ReadWriteCreate);
            QVERIFY(db);
            QVERIFY(Schema::migrate(**db));
        }
        QVERIFY(Collection::isCollection(tmp.path()));
        QVERIFY(Collection::wasInterruptedCreate(tmp.path()));
        auto opened = Collection::open(tmp.path());
        QVERIFY(!opened);
        QVERIFY2(opened.errorMessage().contains(QStringLiteral("interrupted")), qPrintable(opened.errorMessage()));
        CollectionOptions options;
        options.embedderId = QStringLiteral("test-model");
        options.dimension = kDim;
        options.background = QStringLiteral("#000000");
        auto c = Collection::create(tmp.path(), options);
        QVERIFY2(c, qPrintable(c.errorMessage()));
        QVERIFY(!Collection::wasInterruptedCreate(tmp.path()));
        c->reset();
        auto again = Collection::open(tmp.path());
        QVERIFY2(again, qPrintable(again.errorMessage()));
        QCOMPARE((*again)->embedderId(), QStringLiteral("test-model"));
        QCOMPARE((*again)->background(), QStringLiteral("#000000"));
        QCOMPARE((*again)->stats()->spaces.size(), 1);
        // A finished collection is never "interrupted", and another SQLite file is not ours.
        QVERIFY(!Collection::create(tmp.path(), options));
        QTemporaryDir other;
        {
            auto db = Database::open(other.filePath(Collection::databaseFileName()), Database::Mode::ReadWriteCreate);
            QVERIFY((*db)->exec("CREATE TABLE notes(x)"));
        }
        QVERIFY(!Collection::wasInterruptedCreate(other.path()));
    }

    // A create killed inside its very first transaction (before the switch to WAL) leaves a
    // hot rollback journal, which a read-only connection cannot read past. Creating again must
    // still finish it, as for any other interrupted create (found by the crash harness).
    void createAfterAKillInTheFirstTransaction()
    {
        QTemporaryDir scratch, tmp;
        // Python's sqlite3 (Debian's) makes the state: a transaction that spilled pages into
        // the database file, copied with its journal while still open.
        const QString script = QStringLiteral(
            "import os, shutil, sqlite3, sys\n"
            "db = os.path.join(sys.argv[1], 'collection.sqlite')\n"
            "c = sqlite3.connect(db, isolation_level=None)\n"
            "c.execute('PRAGMA journal_mode=DELETE'); c.execute('PRAGMA cache_size=1')\n"
            "c.execute('BEGIN'); c.execute('CREATE TABLE schema_version(v)')\n"
            "c.execute('CREATE TABLE filler(x)')\n"
            "for i in range(200): c.execute('INSERT INTO filler VALUES (randomblob(2000))')\n"
            "for f in ('collection.sqlite', 'collection.sqlite-journal'):\n"
            "    shutil.copy(os.path.join(sys.argv[1], f), os.path.join(sys.argv[2], f))\n"
            "os._exit(0)\n");
        QProcess python;
        python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script, scratch.path(), tmp.path()});
        QVERIFY(python.waitForFinished(60000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const QString journal = tmp.filePath(Collection::databaseFileName() + QStringLiteral("-journal"));
        QVERIFY(QFileInfo(journal).size() > 512); // a journal with pages in it, not just a header
        QVERIFY(QFileInfo(tmp.filePath(Collection::databaseFileName())).size() > 0);

        QVERIFY(Collection::wasInterruptedCreate(tmp.path()));
        CollectionOptions options;
        options.embedderId = QStringLiteral("test-model");
        options.dimension = kDim;
        auto c = Collection::create(tmp.path(), options);
        QVERIFY2(c, qPrintable(c.errorMessage()));
        c->reset();
        QVERIFY(!QFileInfo::exists(journal));
        auto opened = Collection::open(tmp.path());
        QVERIFY2(opened, qPrintable(opened.errorMessage()));
        QCOMPARE((*opened)->embedderId(), QStringLiteral("test-model"));
    }

    void openRefusesNonCollection()
    {
        QTemporaryDir tmp;
        auto c = Collection::open(tmp.path());
        QVERIFY(!c);
        QCOMPARE(c.error().code, Error::Code::NotFound);
    }

    void openRefusesGarbageDatabase()
    {
        QTemporaryDir tmp;
        QFile f(tmp.filePath(QStringLiteral("collection.sqlite")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
        f.close();
        auto c = Collection::open(tmp.path());
        QVERIFY(!c);
        QVERIFY2(c.errorMessage().contains(QLatin1String("damaged")) || c.error().code == Error::Code::Corrupt,
                 qPrintable(c.errorMessage()));
    }

    void itemsRoundTrip()
    {
        QTemporaryDir tmp;
        auto c = createWithItems(tmp.path(), 3);
        auto byUri = c->itemByUri(QStringLiteral("/data/img1.png"));
        QVERIFY(byUri && *byUri);
        QCOMPARE((*byUri)->filename, QStringLiteral("img1.png"));
        QCOMPARE((*byUri)->size, qint64(101));
        auto thumb = c->thumbnail((*byUri)->id);
        QVERIFY(thumb);
        QCOMPARE(*thumb, QByteArray("jpegbytes1"));
        auto v = c->embedding((*byUri)->id, c->imageSpaceName());
        QVERIFY(v);
        QCOMPARE(*v, unitVector(1));
        auto page = c->items(1, 1);
        QVERIFY(page);
        QCOMPARE(page->size(), 1);
        QCOMPARE(page->first().uri, QStringLiteral("/data/img1.png"));
        auto under = c->itemsUnder(QStringLiteral("/data/"));
        QCOMPARE(under->size(), 3);
        auto none = c->itemsUnder(QStringLiteral("/dat/"));
        QCOMPARE(none->size(), 0);
    }

    void rewriteKeepsIdAndReplacesVector()
    {
        QTemporaryDir tmp;
        auto c = createWithItems(tmp.path(), 3);
        const qint64 id = (*c->itemByUri(QStringLiteral("/data/img2.png")))->id;
        auto w = c->openWriter();
        NewItem changed = makeItem(2, c->imageSpaceName());
        changed.embedding = unitVector(99);
        auto ids = (*w)->writeItems(std::vector<NewItem>{changed});
        QVERIFY(ids);
        QCOMPARE(ids->front(), id);
        QCOMPARE(*c->itemCount(), qint64(3));
        QCOMPARE(*c->embedding(id, c->imageSpaceName()), unitVector(99));
        auto idx = c->index(c->imageSpaceName());
        QVERIFY(idx);
        QCOMPARE((*idx)->size(), qint64(3));
        auto hits = (*idx)->search(unitVector(99), 1);
        QVERIFY(hits);
        QCOMPARE(hits->front().id, id);
    }

    void reportsMetadataAndTextSearch()
    {
        QTemporaryDir tmp;
        auto c = createWithItems(tmp.path(), 3);
        auto w = c->openWriter();
        const std::pair<qint64, QString> reports[] = {{1, QStringLiteral("Left lower lobe consolidation.")},
                                                      {2, QStringLiteral("No acute findings; clear lungs.")}};
        QVERIFY((*w)->setReports(reports, QStringLiteral("test")));
        const std::tuple<qint64, QString, QString> meta[] = {{1, QStringLiteral("view"), QStringLiteral("PA")},
                                                             {2, QStringLiteral("view"), QStringLiteral("AP")},
                                                             {3, QStringLiteral("view"), QStringLiteral("PA")}};
        QVERIFY((*w)->setMetadata(meta));
        auto hits = c->searchReports(QStringLiteral("\"consolidation\""), 10);
        QVERIFY(hits);
        QCOMPARE(hits->size(), size_t(1));
        QCOMPARE(hits->front().id, qint64(1));
        QVERIFY(hits->front().score > 0);
        // Porter stemming: "finding" matches "findings".
        QCOMPARE(c->searchReports(QStringLiteral("\"finding\""), 10)->size(), size_t(1));
        auto pa = c->idsWithMetadata({{QStringLiteral("view"), QStringLiteral("PA")}});
        QCOMPARE(*pa, (std::vector<qint64>{1, 3}));
        QCOMPARE(c->metadata(2)->value(QStringLiteral("view")), QStringLiteral("AP"));
        // Updating a report keeps the full-text index in step (triggers).
        const std::pair<qint64, QString> update[] = {{1, QStringLiteral("Resolved.")}};
        QVERIFY((*w)->setReports(update, QStringLiteral("test")));
        QCOMPARE(c->searchReports(QStringLiteral("\"consolidation\""), 10)->size(), size_t(0));
    }

    void removeUpdatesIndexAndCascades()
    {
        QTemporaryDir tmp;
        auto c = createWithItems(tmp.path(), 4);
        auto idx = c->index(c->imageSpaceName());
        QVERIFY(idx);
        const std::vector<qint64> gone = {2};
        QVERIFY(c->removeItems(gone));
        auto after = c->index(c->imageSpaceName());
        QCOMPARE((*after)->size(), qint64(3));
        auto hits = (*after)->search(unitVector(1), 10);
        for (const ScoredId &h : *hits)
            QVERIFY(h.id != 2);
        QVERIFY(!c->thumbnail(2));
        QCOMPARE(c->stats()->spaces.first().count, qint64(3));
    }

    void repairRemovesMalformedVectorsAndKeepsNoStaleBackup()
    {
        QTemporaryDir tmp;
        {
            auto c = createWithItems(tmp.path(), 4);
        }
        // Damage one vector behind the collection's back (another program, a bad disk).
        const QString db = QDir(tmp.path()).filePath(Collection::databaseFileName());
        QProcess py;
        py.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral("-c"), QStringLiteral("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                                                       "c.execute('UPDATE embeddings SET vector = x\\'0000\\' WHERE item_id = 3'); c.commit()"),
                  db});
        QVERIFY(py.waitForFinished(30000));
        QCOMPARE(py.exitCode(), 0);
        auto c = Collection::open(tmp.path());
        QVERIFY(c);
        auto looked = (*c)->check(false);
        QVERIFY(looked);
        QVERIFY(!looked->ok);
        QVERIFY(looked->repairs.isEmpty());
        auto repaired = (*c)->check(true);
        QVERIFY(repaired);
        QVERIFY2(repaired->repairs.join(u' ').contains(QStringLiteral("removed 1 malformed")), qPrintable(repaired->repairs.join(u'\n')));
        // The backup taken before the repair is gone once the repair succeeded.
        QVERIFY(!QFileInfo::exists(db + QStringLiteral(".before-repair")));
        auto again = (*c)->check(false);
        QVERIFY2(again->ok, qPrintable(again->problems.join(u'\n')));
        QCOMPARE(*(*c)->itemCount(), qint64(4)); // items stay; only the bad vector went
    }

    void backupIsAWholeCollectionDatabase()
    {
        // What a repair keeps while it rewrites: a complete, openable copy.
        QTemporaryDir tmp;
        auto c = createWithItems(QDir(tmp.path()).filePath(QStringLiteral("a")), 6);
        QVERIFY(c->setName(QStringLiteral("Original")));
        const QString copyDir = QDir(tmp.path()).filePath(QStringLiteral("b"));
        QVERIFY(QDir().mkpath(copyDir));
        auto db = Database::open(QDir(c->path()).filePath(Collection::databaseFileName()), Database::Mode::ReadWrite);
        QVERIFY(db);
        QVERIFY((*db)->backupTo(QDir(copyDir).filePath(Collection::databaseFileName())));
        auto copy = Collection::open(copyDir);
        QVERIFY2(copy, qPrintable(copy.errorMessage()));
        QCOMPARE(*(*copy)->itemCount(), qint64(6));
        QCOMPARE((*copy)->name(), QStringLiteral("Original"));
        QCOMPARE(*(*copy)->embedding(2, (*copy)->imageSpaceName()), *c->embedding(2, c->imageSpaceName()));
    }

    void removingItemsWithReportsIsOneTransaction()
    {
        // Regression: removing an item whose report cascades into the full-text index once
        // rolled the transaction back half-way (DELETE … RETURNING reset after one row), so
        // `remove 1 2` removed only item 2 and `remove 1` failed.
        QTemporaryDir tmp;
        auto c = createWithItems(tmp.path(), 4);
        {
            auto w = c->openWriter();
            const std::pair<qint64, QString> reports[] = {{1, QStringLiteral("Left basal effusion.")},
                                                          {2, QStringLiteral("Small effusion, right.")}};
            QVERIFY((*w)->setReports(reports, QStringLiteral("test")));
        }
        const std::vector<qint64> gone = {1, 2};
        auto removed = c->removeItems(gone);
        QVERIFY2(removed, qPrintable(removed.errorMessage()));
        QCOMPARE(*c->itemCount(), qint64(2));
        QVERIFY(!*c->item(1));
        QVERIFY(!*c->item(2));
        QCOMPARE(c->searchReports(QStringLiteral("\"effusion\""), 10)->size(), size_t(0));
        QCOMPARE(c->stats()->spaces.first().count, qint64(2));
        auto reopened = Collection::open(tmp.path());
        QCOMPARE(*(*reopened)->itemCount(), qint64(2));
        auto check = (*reopened)->check(false);
        QVERIFY2(check->ok, qPrintable(check->problems.join(u'\n')));
    }

    void staleIndexIsRebuilt()
    {
        QTemporaryDir tmp;
        {
            auto c = createWithItems(tmp.path(), 4);
            QVERIFY(c->index(c->imageSpaceName()));
            QVERIFY(c->saveIndexes());
        }
        // A second process (here: a second Collection) writes while the index file stays old.
        {
            auto c = Collection::open(tmp.path());
            auto w = (*c)->openWriter();
            QVERIFY((*w)->writeItems(std::vector<NewItem>{makeItem(10, (*c)->imageSpaceName())}));
        }
        auto c = Collection::open(tmp.path());
        auto idx = (*c)->index((*c)->imageSpaceName());
        QVERIFY(idx);
        QCOMPARE((*idx)->size(), qint64(5));
        auto check = (*c)->check(false);
        QVERIFY(check);
        QVERIFY2(check->ok, qPrintable(check->problems.join(u'\n')));
    }

    void growingPastTheThresholdRebuildsAtSave_data()
    {
        QTest::addColumn<bool>("searchInFlight");
        QTest::newRow("index not held") << false; // the old index is dropped before the build
        QTest::newRow("a search holds it") << true; // kept, and still answers
    }

    void growingPastTheThresholdRebuildsAtSave()
    {
        QFETCH(bool, searchInFlight);
        QTemporaryDir tmp;
        IndexParams params;
        params.exactThreshold = 300;
        {
            auto created = createWithItems(tmp.path(), 10);
        }
        auto c = Collection::open(tmp.path(), params);
        QVERIFY(c);
        const QString space = (*c)->imageSpaceName();
        std::shared_ptr<VectorIndex> held;
        {
            auto before = (*c)->index(space);
            QVERIFY(before && (*before)->isExact());
            std::vector<NewItem> items;
            for (int i = 10; i < 400; ++i)
                items.push_back(makeItem(i, space));
            auto w = (*c)->openWriter();
            QVERIFY((*w)->writeItems(items));
            QCOMPARE((*before)->size(), qint64(400)); // kept up to date by the writer's commits
            if (searchInFlight)
                held = *before;
        }

        QVERIFY((*c)->saveIndexes());
        auto after = (*c)->index(space);
        QVERIFY(after && *after);
        QVERIFY2(!(*after)->isExact(), qPrintable((*after)->description()));
        QCOMPARE((*after)->size(), qint64(400));
        const std::vector<float> probe = unitVector(123);
        QCOMPARE((*after)->search(probe, 1)->front().id, (*(*c)->itemByUri(QStringLiteral("/data/img123.png")))->id);
        if (held) {
            QVERIFY(held->isExact());
            QCOMPARE(held->search(probe, 1)->front().id, (*after)->search(probe, 1)->front().id);
        }
        // What was saved is what a new process loads.
        auto reopened = Collection::open(tmp.path(), params);
        QVERIFY(reopened);
        auto loaded = (*reopened)->index(space);
        QVERIFY(loaded && !(*loaded)->isExact());
        QCOMPARE((*loaded)->size(), qint64(400));
    }

    // An index file from before the mapped list format is used (read into memory) and is
    // rewritten in the current format when the collection closes, after which it is mapped.
    void olderIndexFormatIsRewrittenOnClose()
    {
        QTemporaryDir tmp;
        IndexParams params;
        params.exactThreshold = 300;
        QString file;
        QString space;
        {
            auto created = createWithItems(tmp.path(), 10);
            space = created->imageSpaceName();
            file = created->indexPath(space);
            std::vector<NewItem> items;
            for (int i = 10; i < 400; ++i)
                items.push_back(makeItem(i, space));
            QVERIFY((*created->openWriter())->writeItems(items));
        }
        {
            auto c = Collection::open(tmp.path(), params);
            QVERIFY(c);
            auto index = (*c)->index(space); // rebuilt as IVF (the file is exact), saved
            QVERIFY(index && !(*index)->isExact());
        }
        QVERIFY(readFile(file).contains("ilLk"));
        const QByteArray old = ivfIndexWithFaissOwnLists(file);
        QVERIFY(!old.isEmpty() && !old.contains("ilLk"));
        QVERIFY(writeIndexVouchedFor(file, old, file));
        {
            auto c = Collection::open(tmp.path(), params);
            QVERIFY(c);
            auto index = (*c)->index(space);
            QVERIFY(index && (*index)->loadedFromOlderFormat());
            QCOMPARE((*index)->mappedBytes(), qint64(0));
            QCOMPARE((*index)->search(unitVector(123), 1)->front().id,
                     (*(*c)->itemByUri(QStringLiteral("/data/img123.png")))->id);
        }
        QVERIFY(readFile(file).contains("ilLk"));
        auto c = Collection::open(tmp.path(), params);
        QVERIFY(c);
        auto index = (*c)->index(space);
        QVERIFY(index && !(*index)->loadedFromOlderFormat());
        QVERIFY((*index)->mappedBytes() > 0);
        QCOMPARE((*index)->size(), qint64(400));
        QCOMPARE((*index)->search(unitVector(123), 1)->front().id,
                 (*(*c)->itemByUri(QStringLiteral("/data/img123.png")))->id);
    }

    void corruptIndexIsRebuilt_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::newRow("missing") << QStringLiteral("missing");
        QTest::newRow("truncated") << QStringLiteral("truncated");
        QTest::newRow("garbage") << QStringLiteral("garbage");
    }

    void corruptIndexIsRebuilt()
    {
        QFETCH(QString, damage);
        QTemporaryDir tmp;
        QString indexFile;
        {
            auto c = createWithItems(tmp.path(), 6);
            QVERIFY(c->index(c->imageSpaceName()));
            QVERIFY(c->saveIndexes());
            indexFile = c->indexPath(c->imageSpaceName());
        }
        QVERIFY(QFile::exists(indexFile));
        if (damage == QLatin1String("missing")) {
            QVERIFY(QFile::remove(indexFile));
        } else {
            QFile f(indexFile);
            QVERIFY(f.open(QIODevice::ReadWrite));
            if (damage == QLatin1String("truncated")) {
                QVERIFY(f.resize(f.size() / 2));
            } else {
                f.seek(f.size() / 2);
                f.write(QByteArray(16, '\x5a'));
            }
        }
        auto c = Collection::open(tmp.path());
        auto idx = (*c)->index((*c)->imageSpaceName());
        QVERIFY2(idx, qPrintable(idx.errorMessage()));
        QCOMPARE((*idx)->size(), qint64(6));
        auto hits = (*idx)->search(unitVector(3), 1);
        QCOMPARE(hits->front().id, (*(*c)->itemByUri(QStringLiteral("/data/img3.png")))->id);
    }

    void spacesAndImportedVectors()
    {
        QTemporaryDir tmp;
        auto c = createWithItems(tmp.path(), 3);
        auto w = c->openWriter();
        auto s = (*w)->ensureSpace(QStringLiteral("text"), QStringLiteral("ext"), 4, QStringLiteral("x.npy"));
        QVERIFY(s);
        QCOMPARE(s->name, QStringLiteral("text:ext"));
        QVERIFY(!(*w)->ensureSpace(QStringLiteral("text"), QStringLiteral("ext"), 5)); // dimension clash
        const std::vector<qint64> ids = {1, 2};
        const std::vector<float> vecs = {1, 0, 0, 0, 0, 1, 0, 0};
        QVERIFY((*w)->writeEmbeddings(QStringLiteral("text:ext"), ids, vecs));
        auto idx = c->index(QStringLiteral("text:ext"));
        QVERIFY(idx);
        QCOMPARE((*idx)->size(), qint64(2));
        const std::vector<float> q = {0, 1, 0, 0};
        QCOMPARE((*idx)->search(q, 1)->front().id, qint64(2));
        QVERIFY(!(*w)->writeEmbeddings(QStringLiteral("text:ext"), ids, std::vector<float>(3)));
    }

    void damagedDatabaseIsSalvaged()
    {
        QTemporaryDir tmp;
        const int n = 3000;
        QString space;
        {
            CollectionOptions options;
            options.embedderId = QStringLiteral("test-model");
            options.dimension = kDim;
            auto c = Collection::create(tmp.path(), options);
            QVERIFY(c);
            space = (*c)->imageSpaceName();
            auto w = (*c)->openWriter();
            QVERIFY(w);
            std::vector<NewItem> items;
            for (int i = 0; i < n; ++i) {
                NewItem item = makeItem(i, space);
                item.thumbnailJpeg = QByteArray(400, char('a' + i % 26));
                item.report = QStringLiteral("report %1: left lower lobe consolidation").arg(i);
                items.push_back(std::move(item));
            }
            QVERIFY((*w)->writeItems(items));
            QVERIFY((*c)->index(space)); // an index file on disk that still names every item
        }
        const QString db = QDir(tmp.path()).filePath(Collection::databaseFileName());
        QVERIFY(!QFileInfo::exists(db + QStringLiteral("-wal"))); // closed cleanly: all in the file
        // One leaf page from the middle of the items, two of the thumbnails'.
        QVERIFY(damagePages(db, {QStringLiteral("items:0.5"), QStringLiteral("thumbnails:0.33:2")}));
        {
            // Damage is reported, not repaired in place and not hidden.
            auto c = Collection::open(tmp.path());
            if (c) {
                auto looked = (*c)->check(true);
                QVERIFY(looked);
                QVERIFY(!looked->ok);
                QVERIFY(looked->databaseDamaged);
                QVERIFY(looked->repairs.isEmpty());
            } else {
                QCOMPARE(c.error().code, Error::Code::Corrupt);
            }
        }
        const QByteArray damagedBytes = readAll(db);

        auto salvage = Collection::repairDatabase(tmp.path());
        QVERIFY2(salvage, qPrintable(salvage.errorMessage()));
        // The damaged file is kept as it was.
        QCOMPARE(readAll(salvage->damagedFile), damagedBytes);
        QVERIFY(salvage->damagedRanges() >= 2);
        const qint64 kept = salvage->copied(QStringLiteral("items"));
        QVERIFY2(kept < n && kept >= n * 9 / 10, qPrintable(QString::number(kept))); // one page of rows lost
        QVERIFY(salvage->copied(QStringLiteral("thumbnails")) < n);
        QVERIFY(salvage->orphansDropped > 0); // vectors and reports of the items that were lost
        QVERIFY(salvage->itemsToRedo > 0);    // items whose thumbnail was lost

        auto c = Collection::open(tmp.path());
        QVERIFY2(c, qPrintable(c.errorMessage()));
        QCOMPARE(*(*c)->itemCount(), kept);
        auto report = (*c)->check(false);
        QVERIFY(report);
        QVERIFY2(report->ok, qPrintable(report->problems.join(u'\n')));
        // The old index file named items that are gone: it was rebuilt, not trusted.
        auto idx = (*c)->index(space);
        QVERIFY(idx);
        QCOMPARE((*idx)->size(), kept);
        // Items that lost their thumbnail look changed, so `add` redoes them; the rest do not.
        auto all = (*c)->items(0, n);
        QVERIFY(all);
        qint64 toRedo = 0;
        for (const ItemRecord &r : std::as_const(*all)) {
            const auto thumbnail = (*c)->thumbnail(r.id);
            const bool lostThumbnail = !thumbnail || thumbnail->isEmpty();
            QCOMPARE(r.mtimeMs == -1, lostThumbnail);
            toRedo += lostThumbnail ? 1 : 0;
        }
        QCOMPARE(toRedo, salvage->itemsToRedo);
        // Reports survived with their search index, and a new item never reuses a lost id.
        QVERIFY((*c)->report(1)->contains(QStringLiteral("consolidation")));
        auto w = (*c)->openWriter();
        auto ids = (*w)->writeItems(std::vector<NewItem>{makeItem(n + 1, space)});
        QVERIFY(ids);
        QVERIFY(ids->front() > n);
    }

    void unreadableDatabaseIsLeftAsItIs()
    {
        QTemporaryDir tmp;
        createWithItems(tmp.path(), 5).reset();
        const QString db = QDir(tmp.path()).filePath(Collection::databaseFileName());
        QFile f(db);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.write(QByteArray(100, '\x5a')); // the header: SQLite no longer recognises the file
        f.close();
        const QByteArray before = readAll(db);
        auto salvage = Collection::repairDatabase(tmp.path());
        QVERIFY(!salvage);
        QVERIFY2(salvage.errorMessage().contains(QStringLiteral("left as it is")), qPrintable(salvage.errorMessage()));
        QCOMPARE(readAll(db), before);
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files), QStringList{Collection::databaseFileName()});
    }

    void notDuplicates()
    {
        QTemporaryDir tmp;
        auto c = createWithItems(tmp.path(), 3);
        QVERIFY(c->markNotDuplicate(3, 1));
        QVERIFY(!c->markNotDuplicate(2, 2));
        auto pairs = c->notDuplicatePairs();
        QVERIFY(pairs->contains({1, 3}));
    }
};

QTEST_GUILESS_MAIN(TestCollection)
#include "tst_collection.moc"
