#include "collection.h"

#include "collectionwriter.h"
#include "database.h"
#include "schema.h"
#include "util/contenthash.h"
#include "util/logging.h"
#include "util/weburl.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <optional>

namespace lookalike {

namespace {

QString storedFileName(const QString &contentHash, const QString &format)
{
    const QString extension = format == u"jpeg" ? QStringLiteral("jpg") : format == u"tiff" ? QStringLiteral("tif") : format;
    return extension.isEmpty() ? contentHash : contentHash + QLatin1Char('.') + extension;
}

// Streams one space's vectors out of SQLite in id order, in batches, for index builds.
class DatabaseVectorSource final : public VectorSource
{
public:
    DatabaseVectorSource(Database &db, const SpaceInfo &space) : m_db(db), m_space(space) {}

    qint64 count() const override { return m_space.count; }
    int dimension() const override { return m_space.dimension; }

    Result<void> forEachBatch(const BatchFn &fn) const override
    {
        auto q = m_db.prepare("SELECT item_id, vector FROM embeddings WHERE space_id = ? ORDER BY item_id");
        if (!q)
            return q.error();
        q->bind(1, m_space.id);
        constexpr size_t kBatch = 4096;
        const size_t dim = size_t(m_space.dimension);
        std::vector<qint64> ids;
        std::vector<float> vectors;
        ids.reserve(kBatch);
        vectors.reserve(kBatch * dim);
        auto flush = [&] {
            const bool more = ids.empty() || fn(ids, vectors);
            ids.clear();
            vectors.clear();
            return more;
        };
        for (;;) {
            auto row = q->step();
            if (!row)
                return row.error();
            if (!*row)
                break;
            const size_t at = vectors.size();
            vectors.resize(at + dim);
            if (!q->readFloats(1, std::span<float>(vectors.data() + at, dim))) {
                // A vector of the wrong size is skipped, never guessed at; check reports it.
                vectors.resize(at);
                qCWarning(lcCollection) << "skipping malformed vector of item" << q->int64(0) << "in" << m_space.name;
                continue;
            }
            ids.push_back(q->int64(0));
            if (ids.size() == kBatch && !flush())
                return {};
        }
        flush();
        return {};
    }

private:
    Database &m_db;
    SpaceInfo m_space;
};

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

ItemRecord readItem(const Statement &q)
{
    ItemRecord r;
    r.id = q.int64(0);
    r.uri = q.text(1);
    r.filename = q.text(2);
    r.size = q.int64(3);
    r.mtimeMs = q.int64(4);
    r.contentHash = q.text(5);
    r.width = int(q.int64(6));
    r.height = int(q.int64(7));
    r.format = q.text(8);
    r.addedMs = q.int64(9);
    return r;
}

#define ITEM_COLUMNS "id, uri, filename, size, mtime_ms, content_hash, width, height, format, added_ms"

Result<QList<ItemRecord>> collectItems(Statement &q)
{
    return q.collect<ItemRecord>(readItem);
}

SpaceInfo readSpace(const Statement &q)
{
    SpaceInfo s;
    s.id = q.int64(0);
    s.name = q.text(1);
    s.modality = q.text(2);
    s.modelId = q.text(3);
    s.dimension = int(q.int64(4));
    s.revision = quint64(q.int64(5));
    s.source = q.text(6);
    s.count = q.int64(7);
    return s;
}

// Counting a space's vectors scans its part of the embeddings table: only spaces() pays for
// it; space() (on every search) leaves count at -1.
// `+space_id` keeps SQLite off the primary key for counts: embeddings is WITHOUT ROWID, so its
// key range holds ~1 KB of every vector in the leaf pages and counting 1M vectors through it
// reads ~1 GB (16 s warm, 31 s cold, measured in bench/bench_search); the unary plus makes
// the planner scan the covering index embeddings_item (item_id, space_id) instead: 0.1 s.
#define COUNT_VECTORS_OF(spaceIdExpr) "(SELECT count(*) FROM embeddings e WHERE +e.space_id = " spaceIdExpr ")"
#define SPACE_QUERY \
    "SELECT s.id, s.name, s.modality, s.model_id, s.dimension, s.revision, s.source, " \
    COUNT_VECTORS_OF("s.id") " FROM spaces s"
#define SPACE_QUERY_NO_COUNT \
    "SELECT s.id, s.name, s.modality, s.model_id, s.dimension, s.revision, s.source, -1 FROM spaces s"

} // namespace

Collection::Collection(QString dir, std::unique_ptr<Database> db, IndexParams params)
    : m_dir(std::move(dir)), m_indexParams(params), m_db(std::move(db))
{
}

Collection::~Collection()
{
    if (auto r = saveIndexes(); !r)
        qCWarning(lcCollection) << "could not save indexes on close:" << r.errorMessage();
}

bool Collection::isCollection(const QString &dir)
{
    return QFileInfo(QDir(dir).filePath(databaseFileName())).isFile();
}

Result<void> Collection::remove(const QString &dir)
{
    const QDir d(QFileInfo(dir).absoluteFilePath());
    if (!isCollection(d.path()))
        return Error(QStringLiteral("%1 is not a Lookalike collection").arg(d.path()), Error::Code::NotFound);
    for (const QString &sub : {QStringLiteral("index"), QStringLiteral("files")}) {
        QDir owned(d.filePath(sub));
        if (owned.exists() && !owned.removeRecursively())
            return Error(QStringLiteral("cannot delete %1").arg(owned.path()), Error::Code::Io);
    }
    const QString db = databaseFileName();
    // The database last: until it is gone the folder is still recognised as a collection.
    for (const QString &f : {QString(db + QStringLiteral("-wal")), QString(db + QStringLiteral("-shm")), db}) {
        if (QFile::exists(d.filePath(f)) && !QFile::remove(d.filePath(f)))
            return Error(QStringLiteral("cannot delete %1").arg(d.filePath(f)), Error::Code::Io);
    }
    QDir().rmdir(d.path()); // only succeeds when empty
    return {};
}

Result<SalvageReport> Collection::repairDatabase(const QString &dir)
{
    const QDir d(QFileInfo(dir).absoluteFilePath());
    if (!isCollection(d.path()))
        return Error(QStringLiteral("%1 is not a Lookalike collection").arg(d.path()), Error::Code::NotFound);
    const QString db = d.filePath(databaseFileName());
    const QString copy = db + QStringLiteral(".salvage");
    auto removeWithJournal = [](const QString &path) {
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(path + QLatin1String(suffix));
    };
    removeWithJournal(copy);
    auto report = DatabaseSalvage::copy(db, copy);
    if (!report) {
        removeWithJournal(copy);
        return Error(QStringLiteral("could not salvage %1: %2; it is left as it is").arg(db, report.errorMessage()),
                     report.error().code);
    }
    if (report->copied(QStringLiteral("items")) == 0 && report->damagedRanges(QStringLiteral("items")) > 0) {
        removeWithJournal(copy);
        return Error(QStringLiteral("not a single item of %1 could be read; it is left as it is").arg(db), Error::Code::Corrupt);
    }

    // The damaged file moves aside with its WAL (which belongs to it and must never be applied
    // to the copy); the shared-memory index is rebuilt by SQLite.
    QString kept = db + QStringLiteral(".damaged");
    if (QFile::exists(kept))
        kept += QLatin1Char('-') + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss"));
    if (!QFile::rename(db, kept)) {
        removeWithJournal(copy);
        return Error(QStringLiteral("cannot move %1 aside; nothing was changed").arg(db), Error::Code::Io);
    }
    if (QFile::exists(db + QStringLiteral("-wal")))
        QFile::rename(db + QStringLiteral("-wal"), kept + QStringLiteral("-wal"));
    QFile::remove(db + QStringLiteral("-shm"));
    if (!QFile::rename(copy, db)) {
        QFile::rename(kept, db);
        QFile::rename(kept + QStringLiteral("-wal"), db + QStringLiteral("-wal"));
        removeWithJournal(copy);
        return Error(QStringLiteral("cannot put the salvaged copy in place of %1; nothing was changed").arg(db), Error::Code::Io);
    }
    report->damagedFile = kept;
    qCWarning(lcCollection) << "salvaged" << db << "; the damaged file is kept as" << kept;
    return report;
}

Result<std::unique_ptr<Collection>> Collection::create(const QString &dir, const CollectionOptions &options)
{
    const QString abs = QFileInfo(dir).absoluteFilePath();
    // A database whose settings never got written is a create that was interrupted (killed,
    // power lost): creating again finishes it.
    if (isCollection(abs) && !wasInterruptedCreate(abs))
        return Error(QStringLiteral("%1 already holds a collection").arg(abs), Error::Code::InvalidArgument);
    if (!QDir().mkpath(abs))
        return Error(QStringLiteral("cannot create folder %1").arg(abs), Error::Code::Io);
    auto db = Database::open(QDir(abs).filePath(databaseFileName()), Database::Mode::ReadWriteCreate);
    if (!db)
        return db.error();
    if (auto r = Schema::migrate(**db); !r)
        return r.error();
    {
        Transaction tx(**db);
        if (auto r = tx.begin(); !r)
            return r.error();
        auto put = (*db)->prepare("INSERT OR REPLACE INTO collection_info(key, value) VALUES (?, ?)");
        if (!put)
            return put.error();
        const QString name = options.name.isEmpty() ? QFileInfo(abs).fileName() : options.name;
        const std::pair<QString, QString> info[] = {
            {QStringLiteral("name"), name},
            {QStringLiteral("embedder"), options.embedderId},
            {QStringLiteral("created_ms"), QString::number(nowMs())},
            {QStringLiteral("created_by"), QStringLiteral("Lookalike")},
            {QStringLiteral("background"), options.background},
        };
        for (const auto &[k, v] : info) {
            if (auto r = put->bind(1, k).bind(2, v).run(); !r)
                return r.error();
        }
        // The image space in the same transaction as the settings (created_ms marks a complete
        // create): a kill leaves a whole collection or one that `create` finishes.
        if (options.dimension > 0) {
            auto space = (*db)->prepare("INSERT OR IGNORE INTO spaces(name, modality, model_id, dimension, created_ms) "
                                        "VALUES (?, 'image', ?, ?, ?)");
            if (!space)
                return space.error();
            if (auto r = space->bind(1, spaceName(QStringLiteral("image"), options.embedderId))
                             .bind(2, options.embedderId)
                             .bind(3, options.dimension)
                             .bind(4, nowMs())
                             .run();
                !r)
                return r.error();
        }
        if (auto r = tx.commit(); !r)
            return r.error();
    }
    std::unique_ptr<Collection> c(new Collection(abs, std::move(*db), options.indexParams));
    if (auto r = c->loadInfo(); !r)
        return r.error();
    qCInfo(lcCollection) << "created collection" << abs;
    return c;
}

Result<std::unique_ptr<Collection>> Collection::open(const QString &dir, const IndexParams &indexParams)
{
    const QString abs = QFileInfo(dir).absoluteFilePath();
    if (!isCollection(abs))
        return Error(QStringLiteral("%1 is not a Lookalike collection (no %2)").arg(abs, databaseFileName()),
                     Error::Code::NotFound);
    auto db = Database::open(QDir(abs).filePath(databaseFileName()), Database::Mode::ReadWrite);
    if (!db)
        return db.error();
    // Cheap structural check before trusting the file with a migration.
    if (auto r = (*db)->exec("SELECT count(*) FROM sqlite_master"); !r)
        return Error(QStringLiteral("%1 is damaged: %2 (run `lookalike-cli check --repair`)")
                         .arg(abs, r.errorMessage()),
                     Error::Code::Corrupt);
    if (auto r = Schema::migrate(**db); !r)
        return r.error();
    // The collection's own connection serves every search, page of the grid and REST request:
    // pages read through a memory map instead of one pread() each. Under load, those system
    // calls and SQLite's page copies were a fifth of the server's CPU (bench/bench_rest.sh,
    // perf). Writers, salvage and index builds keep their own connections without it, so
    // an ingest's memory is not charged with the pages it wrote. Touched pages show in RSS as
    // file pages: shared with the page cache and reclaimable like it. The size asked for is
    // more than SQLite grants: it clamps it to its build's maximum (Debian: 2 GiB), the most
    // of a large collection's file that can be mapped (a 100k bench collection is 1.4 GB; at
    // 1 GiB its last pages were still read by pread()).
    if (auto r = (*db)->exec("PRAGMA mmap_size=1099511627776"); !r)
        return r.error();
    std::unique_ptr<Collection> c(new Collection(abs, std::move(*db), indexParams));
    if (auto r = c->loadInfo(); !r)
        return r.error();
    if (!c->m_info.contains(QStringLiteral("created_ms")))
        return Error(QStringLiteral("the creation of the collection in %1 was interrupted; create it again (its settings "
                                    "were never written)")
                         .arg(abs),
                     Error::Code::Corrupt);
    return c;
}

bool Collection::wasInterruptedCreate(const QString &dir)
{
    const QString file = QDir(dir).filePath(databaseFileName());
    // true/false: the database does or does not lack its settings; nullopt: it cannot be read.
    const auto lacksSettings = [&file](Database::Mode mode) -> std::optional<bool> {
        auto db = Database::open(file, mode);
        if (!db)
            return std::nullopt;
        if (auto q = (*db)->prepare("SELECT 1 FROM collection_info WHERE key = 'created_ms'")) {
            auto row = q->step();
            return row ? std::optional<bool>(!*row) : std::nullopt;
        }
        // No settings table: an empty database (killed before the first migration committed)
        // was an interrupted create; anything else is some other file, left alone.
        auto any = (*db)->prepare("SELECT 1 FROM sqlite_master LIMIT 1");
        if (!any)
            return std::nullopt;
        auto row = any->step();
        return row ? std::optional<bool>(!*row) : std::nullopt;
    };
    if (const auto lacks = lacksSettings(Database::Mode::ReadOnly))
        return *lacks;
    // A create killed inside its first transaction (before the database is switched to WAL)
    // leaves a hot rollback journal, which a read-only connection cannot roll back. Rolling it
    // back is what any writer opening the file does first; then the database reads as it was.
    if (!QFileInfo::exists(file + QStringLiteral("-journal")))
        return false;
    return lacksSettings(Database::Mode::ReadWrite).value_or(false);
}

Result<void> Collection::loadInfo()
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT key, value FROM collection_info");
    if (!q)
        return q.error();
    return q->forEachRow([&](const Statement &s) { m_info.insert(s.text(0), s.text(1)); });
}

QString Collection::name() const
{
    std::lock_guard lock(m_dbMutex);
    return m_info.value(QStringLiteral("name"), QFileInfo(m_dir).fileName());
}

Result<void> Collection::setName(const QString &name)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        return Error(QStringLiteral("a collection needs a name"), Error::Code::InvalidArgument);
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("INSERT OR REPLACE INTO collection_info(key, value) VALUES ('name', ?)");
    if (!q)
        return q.error();
    if (auto r = q->bind(1, trimmed).run(); !r)
        return r;
    m_info.insert(QStringLiteral("name"), trimmed);
    return {};
}

QString Collection::embedderId() const
{
    std::lock_guard lock(m_dbMutex);
    return m_info.value(QStringLiteral("embedder"), QStringLiteral("classic-v1"));
}

QString Collection::background() const
{
    std::lock_guard lock(m_dbMutex);
    return m_info.value(QStringLiteral("background"), QStringLiteral("#ffffff"));
}

QString Collection::spaceName(const QString &modality, const QString &modelId)
{
    return modality + QLatin1Char(':') + modelId;
}

QString Collection::imageSpaceName() const
{
    return spaceName(QStringLiteral("image"), embedderId());
}

QString Collection::indexPath(const QString &spaceName) const
{
    // Space names contain ':' and may contain '/': percent-encoding keeps file names portable
    // and distinct ("image:a/b" and "image:a_b" must not share a file).
    const QString file = QString::fromLatin1(spaceName.toUtf8().toPercentEncoding(QByteArray(), QByteArrayLiteral("%")));
    return QDir(m_dir).filePath(QStringLiteral("index/") + file + QStringLiteral(".faiss"));
}

QString Collection::filesDir() const
{
    return QDir(m_dir).filePath(QStringLiteral("files"));
}

Result<QString> Collection::storeFile(const QByteArray &bytes, const QString &format)
{
    const QDir files(filesDir());
    if (!QDir().mkpath(files.path()))
        return Error(QStringLiteral("cannot create %1").arg(files.path()), Error::Code::Io);
    const QString path = files.filePath(storedFileName(contentHash(bytes), format));
    // The name is the content's hash: a file of that name and size holds these bytes.
    if (QFileInfo(path).size() == bytes.size())
        return path;
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit())
        return Error(QStringLiteral("cannot write %1: %2").arg(path, out.errorString()), Error::Code::Io);
    return path;
}

QString Collection::localFile(const ItemRecord &item) const
{
    if (!isWebUrl(item.uri))
        return item.uri;
    return QDir(filesDir()).filePath(storedFileName(item.contentHash, item.format));
}

Result<std::optional<ItemRecord>> Collection::item(qint64 id)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT " ITEM_COLUMNS " FROM items WHERE id = ?");
    if (!q)
        return q.error();
    q->bind(1, id);
    auto row = q->step();
    if (!row)
        return row.error();
    return *row ? std::optional(readItem(*q)) : std::nullopt;
}

Result<std::optional<ItemRecord>> Collection::itemByUri(const QString &uri)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT " ITEM_COLUMNS " FROM items WHERE uri = ?");
    if (!q)
        return q.error();
    q->bind(1, uri);
    auto row = q->step();
    if (!row)
        return row.error();
    return *row ? std::optional(readItem(*q)) : std::nullopt;
}

Result<QList<ItemRecord>> Collection::itemsByFilename(const QString &filename)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT " ITEM_COLUMNS " FROM items WHERE filename = ? ORDER BY id");
    if (!q)
        return q.error();
    q->bind(1, filename);
    return collectItems(*q);
}

Result<QList<ItemRecord>> Collection::items(qint64 offset, qint64 limit)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT " ITEM_COLUMNS " FROM items ORDER BY id LIMIT ? OFFSET ?");
    if (!q)
        return q.error();
    q->bind(1, limit < 0 ? qint64(-1) : limit).bind(2, std::max<qint64>(0, offset));
    return collectItems(*q);
}

Result<QHash<qint64, ItemRecord>> Collection::itemsByIds(std::span<const qint64> ids)
{
    std::lock_guard lock(m_dbMutex);
    Transaction snapshot(*m_db, Transaction::Kind::Read);
    if (auto r = snapshot.begin(); !r)
        return r.error();
    auto q = m_db->prepare("SELECT " ITEM_COLUMNS " FROM items WHERE id = ?");
    if (!q)
        return q.error();
    QHash<qint64, ItemRecord> out;
    out.reserve(qsizetype(ids.size()));
    for (qint64 id : ids) {
        q->bind(1, id);
        auto row = q->step();
        if (!row)
            return row.error();
        if (*row)
            out.insert(id, readItem(*q));
        q->reset();
    }
    return out;
}

Result<qint64> Collection::itemCount()
{
    std::lock_guard lock(m_dbMutex);
    return m_db->scalar("SELECT count(*) FROM items");
}

Result<std::vector<qint64>> Collection::itemIds(qint64 afterId)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT id FROM items WHERE id > ? ORDER BY id");
    if (!q)
        return q.error();
    q->bind(1, afterId);
    std::vector<qint64> ids;
    auto done = q->forEachRow([&](const Statement &row) { ids.push_back(row.int64(0)); });
    if (!done)
        return done.error();
    return ids;
}

Result<QList<ItemRecord>> Collection::itemsUnder(const QString &prefix)
{
    std::lock_guard lock(m_dbMutex);
    // substr() instead of LIKE: file names may contain % and _.
    auto q = m_db->prepare("SELECT " ITEM_COLUMNS " FROM items WHERE substr(uri, 1, ?) = ? ORDER BY id");
    if (!q)
        return q.error();
    q->bind(1, qint64(prefix.size())).bind(2, prefix);
    return collectItems(*q);
}

Result<void> Collection::removeItems(std::span<const qint64> ids)
{
    QList<SpaceInfo> touched;
    QMultiHash<QString, QString> storedCopies; // content hash → file in files/
    {
        std::lock_guard lock(m_dbMutex);
        Transaction tx(*m_db);
        if (auto r = tx.begin(); !r)
            return r;
        auto spacesQ = m_db->prepare("SELECT DISTINCT space_id FROM embeddings WHERE item_id = ?");
        // What the item was, then the DELETE run to its end: a DELETE … RETURNING reset after
        // one row, with the report-index trigger firing, rolls the whole transaction back.
        auto what = m_db->prepare("SELECT uri, content_hash, format FROM items WHERE id = ?");
        if (!what)
            return what.error();
        auto del = m_db->prepare("DELETE FROM items WHERE id = ?");
        if (!spacesQ)
            return spacesQ.error();
        if (!del)
            return del.error();
        QSet<qint64> spaceIds;
        const QString ownFiles = QDir(filesDir()).absolutePath() + QLatin1Char('/');
        for (qint64 id : ids) {
            spacesQ->bind(1, id);
            if (auto r = spacesQ->forEachRow([&](const Statement &s) { spaceIds.insert(s.int64(0)); }); !r)
                return r;
            spacesQ->reset();
            what->bind(1, id);
            auto row = what->step();
            if (!row)
                return row.error();
            if (*row) {
                ItemRecord gone;
                gone.uri = what->text(0);
                gone.contentHash = what->text(1);
                gone.format = what->text(2);
                if (const QString local = localFile(gone); local.startsWith(ownFiles))
                    storedCopies.insert(gone.contentHash, local);
            }
            what->reset();
            if (auto r = del->bind(1, id).run(); !r)
                return r;
        }
        // A copy in files/ goes with the last item that uses it (the same bytes may have come
        // from two URLs).
        if (!storedCopies.isEmpty()) {
            auto used = m_db->prepare("SELECT 1 FROM items WHERE content_hash = ? LIMIT 1");
            if (!used)
                return used.error();
            for (auto it = storedCopies.begin(); it != storedCopies.end();) {
                used->bind(1, it.key());
                auto row = used->step();
                if (!row)
                    return row.error();
                it = *row ? storedCopies.erase(it) : std::next(it);
                used->reset();
            }
        }
        auto bump = m_db->prepare("UPDATE spaces SET revision = revision + 1 WHERE id = ? RETURNING name, revision");
        if (!bump)
            return bump.error();
        for (qint64 sid : std::as_const(spaceIds)) {
            bump->bind(1, sid);
            auto row = bump->step();
            if (!row)
                return row.error();
            SpaceInfo s;
            s.name = bump->text(0);
            s.revision = quint64(bump->int64(1));
            touched.push_back(s);
            // Run a RETURNING statement to its end before resetting it (see the DELETE above).
            if (auto done = bump->step(); !done)
                return done.error();
            bump->reset();
        }
        if (auto r = tx.commit(); !r)
            return r;
    }
    for (const SpaceInfo &s : std::as_const(touched))
        applyIndexChanges(s.name, s.revision, ids, {}, {});
    // After the commit: a crash before this line leaves an unused copy, never an item without one.
    for (const QString &file : std::as_const(storedCopies))
        QFile::remove(file);
    return {};
}

Result<QString> Collection::report(qint64 id)
{
    auto r = reports(std::span<const qint64>(&id, 1));
    if (!r)
        return r.error();
    return r->value(id);
}

Result<QList<std::pair<qint64, QString>>> Collection::reportsWithoutVector(const QString &spaceName, qint64 afterId, int limit)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT r.item_id, r.text FROM reports r WHERE r.item_id > ? AND NOT EXISTS ("
                           "SELECT 1 FROM embeddings e JOIN spaces s ON s.id = e.space_id "
                           "WHERE s.name = ? AND e.item_id = r.item_id) ORDER BY r.item_id LIMIT ?");
    if (!q)
        return q.error();
    q->bind(1, afterId).bind(2, spaceName).bind(3, limit);
    return q->collect<std::pair<qint64, QString>>([](const Statement &s) { return std::pair(s.int64(0), s.text(1)); });
}

Result<std::vector<qint64>> Collection::idsWithoutVector(const QString &spaceName, qint64 afterId, int limit)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT i.id FROM items i WHERE i.id > ? AND NOT EXISTS ("
                           "SELECT 1 FROM embeddings e JOIN spaces s ON s.id = e.space_id "
                           "WHERE s.name = ? AND e.item_id = i.id) ORDER BY i.id LIMIT ?");
    if (!q)
        return q.error();
    q->bind(1, afterId).bind(2, spaceName).bind(3, limit);
    auto ids = q->collect<qint64>([](const Statement &s) { return s.int64(0); });
    if (!ids)
        return ids.error();
    return std::vector<qint64>(ids->begin(), ids->end());
}

Result<void> Collection::switchModel(const QString &modelId, bool dropOldSpaces)
{
    const QString previous = embedderId();
    const QString newSpace = spaceName(QStringLiteral("image"), modelId);
    QStringList dropped;
    {
        std::lock_guard lock(m_dbMutex);
        Transaction tx(*m_db);
        if (auto r = tx.begin(); !r)
            return r;
        auto missing = m_db->prepare("SELECT count(*) FROM items i WHERE NOT EXISTS ("
                                     "SELECT 1 FROM embeddings e JOIN spaces s ON s.id = e.space_id "
                                     "WHERE s.name = ? AND e.item_id = i.id)");
        if (!missing)
            return missing.error();
        missing->bind(1, newSpace);
        auto row = missing->step();
        if (!row)
            return row.error();
        const qint64 lacking = missing->int64(0);
        missing->reset();
        if (lacking > 0)
            return Error(QStringLiteral("%1 items have no vector from %2 yet").arg(lacking).arg(modelId),
                         Error::Code::InvalidArgument);
        auto set = m_db->prepare("INSERT OR REPLACE INTO collection_info(key, value) VALUES ('embedder', ?)");
        if (!set)
            return set.error();
        if (auto r = set->bind(1, modelId).run(); !r)
            return r;
        if (dropOldSpaces && previous != modelId) {
            auto names = m_db->prepare("SELECT name FROM spaces WHERE model_id = ? AND source = ''");
            if (!names)
                return names.error();
            names->bind(1, previous);
            auto list = names->collect<QString>([](const Statement &s) { return s.text(0); });
            if (!list)
                return list.error();
            dropped = *list;
            auto drop = m_db->prepare("DELETE FROM spaces WHERE model_id = ? AND source = ''");
            if (!drop)
                return drop.error();
            if (auto r = drop->bind(1, previous).run(); !r)
                return r;
        }
        if (auto r = tx.commit(); !r)
            return r;
        m_info.insert(QStringLiteral("embedder"), modelId);
    }
    // After the commit: a crash before this leaves index files nobody opens, which is harmless.
    std::lock_guard lock(m_indexMutex);
    for (const QString &name : std::as_const(dropped)) {
        m_indexes.erase(name);
        QFile::remove(indexPath(name));
        QFile::remove(indexPath(name) + QStringLiteral(".meta"));
    }
    return {};
}

Result<QHash<qint64, QString>> Collection::reports(std::span<const qint64> ids)
{
    std::lock_guard lock(m_dbMutex);
    Transaction snapshot(*m_db, Transaction::Kind::Read);
    if (auto r = snapshot.begin(); !r)
        return r.error();
    auto q = m_db->prepare("SELECT text FROM reports WHERE item_id = ?");
    if (!q)
        return q.error();
    QHash<qint64, QString> out;
    for (qint64 id : ids) {
        q->bind(1, id);
        auto row = q->step();
        if (!row)
            return row.error();
        if (*row)
            out.insert(id, q->text(0));
        q->reset();
    }
    return out;
}

Result<QMap<QString, QString>> Collection::metadata(qint64 id)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT key, value FROM metadata WHERE item_id = ? ORDER BY key");
    if (!q)
        return q.error();
    q->bind(1, id);
    QMap<QString, QString> out;
    if (auto r = q->forEachRow([&](const Statement &s) { out.insert(s.text(0), s.text(1)); }); !r)
        return r.error();
    return out;
}

Result<QByteArray> Collection::thumbnail(qint64 id)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT data FROM thumbnails WHERE item_id = ?");
    if (!q)
        return q.error();
    q->bind(1, id);
    auto row = q->step();
    if (!row)
        return row.error();
    if (!*row)
        return Error(QStringLiteral("item %1 has no thumbnail").arg(id), Error::Code::NotFound);
    return q->blob(0);
}

Result<std::vector<float>> Collection::embedding(qint64 id, const QString &spaceName)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT e.vector FROM embeddings e JOIN spaces s ON s.id = e.space_id "
                           "WHERE s.name = ? AND e.item_id = ?");
    if (!q)
        return q.error();
    q->bind(1, spaceName).bind(2, id);
    auto row = q->step();
    if (!row)
        return row.error();
    if (!*row)
        return Error(QStringLiteral("item %1 has no vector in space %2").arg(id).arg(spaceName), Error::Code::NotFound);
    return q->floats(0);
}

Result<std::vector<ScoredId>> Collection::searchReports(const QString &ftsQuery, int limit)
{
    std::vector<ScoredId> out;
    if (ftsQuery.isEmpty() || limit <= 0)
        return out;
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT rowid, bm25(reports_fts) FROM reports_fts WHERE reports_fts MATCH ? "
                           "ORDER BY bm25(reports_fts) LIMIT ?");
    if (!q)
        return q.error();
    q->bind(1, ftsQuery).bind(2, qint64(limit));
    if (auto r = q->forEachRow([&](const Statement &s) { out.push_back({s.int64(0), float(-s.real(1))}); }); !r)
        return Error(QStringLiteral("text search failed: %1").arg(r.errorMessage()), Error::Code::InvalidArgument);
    return out;
}

Result<std::vector<qint64>> Collection::idsWithMetadata(const QList<std::pair<QString, QString>> &filters)
{
    std::vector<qint64> ids;
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT item_id FROM metadata WHERE key = ? AND value = ? ORDER BY item_id");
    if (!q)
        return q.error();
    bool first = true;
    for (const auto &[key, value] : filters) {
        std::vector<qint64> these;
        q->bind(1, key).bind(2, value);
        if (auto r = q->forEachRow([&](const Statement &s) { these.push_back(s.int64(0)); }); !r)
            return r.error();
        q->reset();
        if (first) {
            ids = std::move(these);
            first = false;
        } else {
            std::vector<qint64> both;
            std::set_intersection(ids.begin(), ids.end(), these.begin(), these.end(), std::back_inserter(both));
            ids = std::move(both);
        }
    }
    return ids;
}

Result<QList<SpaceInfo>> Collection::spaces()
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare(SPACE_QUERY " ORDER BY s.id");
    if (!q)
        return q.error();
    return q->collect<SpaceInfo>(readSpace);
}

Result<std::optional<SpaceInfo>> Collection::space(const QString &name)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare(SPACE_QUERY_NO_COUNT " WHERE s.name = ?");
    if (!q)
        return q.error();
    q->bind(1, name);
    auto row = q->step();
    if (!row)
        return row.error();
    return *row ? std::optional(readSpace(*q)) : std::nullopt;
}

Result<std::shared_ptr<VectorIndex>> Collection::index(const QString &spaceName)
{
    auto info = space(spaceName);
    if (!info)
        return info.error();
    if (!*info)
        return Error(QStringLiteral("the collection has no embedding space %1").arg(spaceName), Error::Code::NotFound);
    std::lock_guard lock(m_indexMutex);
    auto it = m_indexes.find(spaceName);
    // A revision we did not produce means another process wrote: reload to catch up.
    if (it != m_indexes.end() && it->second.revision == (*info)->revision)
        return it->second.index;
    if (it != m_indexes.end())
        qCInfo(lcIndex) << spaceName << "changed on disk (revision" << it->second.revision << "->"
                        << (*info)->revision << "); reloading";
    return loadOrRebuild(**info);
}

Result<std::shared_ptr<VectorIndex>> Collection::loadOrRebuild(const SpaceInfo &spaceWithoutCount)
{
    SpaceInfo space = spaceWithoutCount;
    {
        std::lock_guard lock(m_dbMutex);
        auto q = m_db->prepare("SELECT " COUNT_VECTORS_OF("?1") ", (SELECT revision FROM spaces WHERE id = ?1)");
        if (!q)
            return q.error();
        q->bind(1, space.id);
        if (auto row = q->step(); !row)
            return row.error();
        space.count = q->int64(0);
        space.revision = quint64(q->int64(1));
    }
    const QString file = indexPath(space.name);
    auto loaded = VectorIndex::load(file, space.revision, space.count, space.dimension, m_indexParams);
    if (loaded) {
        std::shared_ptr<VectorIndex> idx(std::move(*loaded));
        // An index file from before the mapped list format is rewritten at the next save
        // (at the latest when the collection closes), once.
        const bool rewrite = idx->loadedFromOlderFormat();
        if (rewrite)
            qCInfo(lcIndex).noquote() << "the index of" << space.name << "will be saved again in the current format";
        m_indexes[space.name] = {idx, space.revision, rewrite ? 0 : space.revision};
        return idx;
    }
    // A rebuild means the file was lost, damaged or left stale by a crash: worth a warning.
    if (loaded.error().code != Error::Code::NotFound || space.count > 0)
        qCWarning(lcIndex).noquote() << "rebuilding the index of" << space.name << "from the database:" << loaded.errorMessage();
    auto built = buildFromDatabase(space);
    if (!built)
        return built.error();
    const auto &[index, revision] = *built;
    m_indexes[space.name] = {index, revision, 0};
    if (auto r = index->save(file, revision); !r)
        qCWarning(lcIndex) << "could not save rebuilt index:" << r.errorMessage();
    else
        m_indexes[space.name].savedRevision = revision;
    return index;
}

Result<std::pair<std::shared_ptr<VectorIndex>, quint64>> Collection::buildFromDatabase(const SpaceInfo &space)
{
    // A separate read connection: a large build must not hold m_dbMutex for seconds.
    auto db = Database::open(QDir(m_dir).filePath(databaseFileName()), Database::Mode::ReadOnly);
    if (!db)
        return db.error();
    // One read transaction, so the vectors and the revision agree.
    Transaction snapshot(**db, Transaction::Kind::Read);
    if (auto r = snapshot.begin(); !r)
        return r.error();
    SpaceInfo counted = space;
    {
        auto q = (*db)->prepare("SELECT " COUNT_VECTORS_OF("?1") ", (SELECT revision FROM spaces WHERE id = ?1)");
        if (!q)
            return q.error();
        q->bind(1, space.id);
        if (auto row = q->step(); !row)
            return row.error();
        counted.count = q->int64(0);
        counted.revision = quint64(q->int64(1));
    }
    DatabaseVectorSource source(**db, counted);
    auto built = VectorIndex::build(source, m_indexParams);
    if (!built)
        return built.error();
    return std::pair(std::shared_ptr<VectorIndex>(std::move(*built)), counted.revision);
}

Result<void> Collection::rebuildIndex(const QString &spaceName)
{
    auto info = space(spaceName);
    if (!info)
        return info.error();
    if (!*info)
        return Error(QStringLiteral("the collection has no embedding space %1").arg(spaceName), Error::Code::NotFound);
    auto built = buildFromDatabase(**info);
    if (!built)
        return built.error();
    std::lock_guard lock(m_indexMutex);
    m_indexes[spaceName] = {built->first, built->second, 0};
    return {};
}

Result<void> Collection::forEachEmbedding(const QString &spaceName, const VectorSource::BatchFn &fn)
{
    auto info = space(spaceName);
    if (!info)
        return info.error();
    if (!*info)
        return Error(QStringLiteral("the collection has no embedding space %1").arg(spaceName), Error::Code::NotFound);
    auto db = Database::open(QDir(m_dir).filePath(databaseFileName()), Database::Mode::ReadOnly);
    if (!db)
        return db.error();
    Transaction snapshot(**db, Transaction::Kind::Read);
    if (auto r = snapshot.begin(); !r)
        return r;
    DatabaseVectorSource source(**db, **info);
    return source.forEachBatch(fn);
}

Result<QSet<std::pair<qint64, qint64>>> Collection::notDuplicatePairs()
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT a, b FROM not_duplicates");
    if (!q)
        return q.error();
    QSet<std::pair<qint64, qint64>> out;
    if (auto r = q->forEachRow([&](const Statement &s) { out.insert({s.int64(0), s.int64(1)}); }); !r)
        return r.error();
    return out;
}

Result<void> Collection::markNotDuplicate(qint64 a, qint64 b)
{
    if (a == b)
        return Error(QStringLiteral("an item cannot be its own duplicate"), Error::Code::InvalidArgument);
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("INSERT OR IGNORE INTO not_duplicates(a, b) VALUES (?, ?)");
    if (!q)
        return q.error();
    return q->bind(1, std::min(a, b)).bind(2, std::max(a, b)).run();
}

void Collection::applyIndexChanges(const QString &spaceName, quint64 newRevision, std::span<const qint64> removed,
                                   std::span<const qint64> addedIds, std::span<const float> addedVectors)
{
    std::lock_guard lock(m_indexMutex);
    auto it = m_indexes.find(spaceName);
    if (it == m_indexes.end())
        return; // not loaded: the next index() call finds the file stale and rebuilds
    LoadedIndex &li = it->second;
    if (li.revision + 1 != newRevision) {
        // Someone else (another process) wrote in between: drop it, reload on next use.
        m_indexes.erase(it);
        return;
    }
    if (!removed.empty()) {
        if (auto r = li.index->remove(removed); !r) {
            qCWarning(lcIndex) << "dropping in-memory index after failed remove:" << r.errorMessage();
            m_indexes.erase(it);
            return;
        }
    }
    if (!addedIds.empty()) {
        if (auto r = li.index->add(addedIds, addedVectors); !r) {
            qCWarning(lcIndex) << "dropping in-memory index after failed add:" << r.errorMessage();
            m_indexes.erase(it);
            return;
        }
    }
    li.revision = newRevision;
}

Result<void> Collection::saveIndexes()
{
    std::lock_guard lock(m_indexMutex);
    for (auto it = m_indexes.begin(); it != m_indexes.end();) {
        const QString &name = it->first;
        LoadedIndex &li = it->second;
        if (li.index->needsRebuild()) {
            auto info = space(name);
            if (info && *info) {
                qCInfo(lcIndex).noquote() << "rebuilding" << name << "for its new size:" << li.index->size() << "vectors";
                // The old index goes first when no search holds it (none can start: they need
                // m_indexMutex): the build then never has both in memory, which was the
                // peak of a large ingest (a 50k flat index beside the new IVF, ~2x the vectors).
                const bool released = li.index.use_count() == 1;
                if (released)
                    li.index.reset();
                if (auto built = buildFromDatabase(**info)) {
                    li.index = built->first;
                    li.revision = built->second;
                    li.savedRevision = 0;
                } else {
                    qCWarning(lcIndex) << "rebuild failed:" << built.errorMessage();
                    if (released) { // nothing left to save; the next index() rebuilds or loads
                        it = m_indexes.erase(it);
                        continue;
                    }
                }
            }
        }
        if (li.savedRevision != li.revision) {
            if (auto r = li.index->save(indexPath(name), li.revision); !r)
                return r;
            li.savedRevision = li.revision;
        }
        ++it;
    }
    return {};
}

Result<QList<IngestErrorRecord>> Collection::ingestErrors(int limit)
{
    std::lock_guard lock(m_dbMutex);
    auto q = m_db->prepare("SELECT uri, stage, message, at_ms FROM ingest_errors ORDER BY at_ms DESC, uri LIMIT ?");
    if (!q)
        return q.error();
    q->bind(1, qint64(limit));
    return q->collect<IngestErrorRecord>([](const Statement &s) {
        return IngestErrorRecord{s.text(0), s.text(1), s.text(2), s.int64(3)};
    });
}

Result<CollectionStats> Collection::stats()
{
    CollectionStats s;
    s.embedderId = embedderId();
    {
        std::lock_guard lock(m_dbMutex);
        auto q = m_db->prepare("SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM reports), "
                               "(SELECT count(*) FROM ingest_errors), (SELECT count(*) FROM thumbnails)");
        if (!q)
            return q.error();
        if (auto row = q->step(); !row)
            return row.error();
        s.items = q->int64(0);
        s.reports = q->int64(1);
        s.errors = q->int64(2);
        s.thumbnails = q->int64(3);
        auto v = Schema::currentVersion(*m_db);
        if (!v)
            return v.error();
        s.schemaVersion = *v;
    }
    auto sp = spaces();
    if (!sp)
        return sp.error();
    s.spaces = *sp;
    std::lock_guard lock(m_indexMutex);
    for (const auto &[name, li] : m_indexes)
        s.indexDescriptions.insert(name, li.index->description());
    return s;
}

Result<std::unique_ptr<CollectionWriter>> Collection::openWriter()
{
    auto db = Database::open(QDir(m_dir).filePath(databaseFileName()), Database::Mode::ReadWrite);
    if (!db)
        return db.error();
    return std::unique_ptr<CollectionWriter>(new CollectionWriter(*this, std::move(*db)));
}

Result<qint64> Collection::dataVersion()
{
    std::lock_guard lock(m_dbMutex);
    return m_db->scalar("PRAGMA data_version");
}

Result<CheckReport> Collection::check(bool repair)
{
    CheckReport report;
    auto problem = [&](const QString &text) {
        report.ok = false;
        report.problems << text;
    };
    {
        std::lock_guard lock(m_dbMutex);
        auto q = m_db->prepare("PRAGMA integrity_check");
        if (!q)
            return q.error();
        for (;;) {
            auto row = q->step();
            if (!row) {
                problem(QStringLiteral("SQLite: %1").arg(row.errorMessage()));
                report.databaseDamaged = true;
                break;
            }
            if (!*row)
                break;
            if (const QString line = q->text(0); line != QLatin1String("ok")) {
                problem(QStringLiteral("SQLite: %1").arg(line));
                report.databaseDamaged = true;
            }
        }
        // Damaged pages are not rewritten in place (that could spread the damage): the caller
        // salvages the database into a new file instead (repairDatabase()).
        if (report.databaseDamaged) {
            report.problems << QStringLiteral("the database file is damaged; `lookalike-cli check --repair` salvages what can be read");
            return report;
        }
        // Before anything rewrites the database, a copy of it as it was; removed once the
        // repairs are done, kept (and named in the report) if they fail part-way.
        QString backup;
        bool repairsDone = true;
        auto keepBackup = [&]() -> bool {
            if (!backup.isEmpty())
                return true;
            const QString path = QDir(m_dir).filePath(databaseFileName() + QStringLiteral(".before-repair"));
            QFile::remove(path);
            if (auto b = m_db->backupTo(path); !b) {
                report.problems << QStringLiteral("not repaired: could not back the database up first (%1)").arg(b.errorMessage());
                return false;
            }
            backup = path;
            return true;
        };
        if (auto r = m_db->exec("INSERT INTO reports_fts(reports_fts, rank) VALUES ('integrity-check', 1)"); !r) {
            problem(QStringLiteral("report search index: %1").arg(r.errorMessage()));
            if (repair && keepBackup()) {
                if (auto rr = m_db->exec("INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')"); rr)
                    report.repairs << QStringLiteral("rebuilt the report search index");
                else
                    repairsDone = false;
            }
        }
        auto bad = m_db->prepare("SELECT s.name, count(*) FROM embeddings e JOIN spaces s ON s.id = e.space_id "
                                 "WHERE length(e.vector) != 4 * s.dimension GROUP BY s.name");
        if (!bad)
            return bad.error();
        if (auto r = bad->forEachRow([&](const Statement &s) {
                problem(QStringLiteral("%1 vectors of the wrong size in %2").arg(s.int64(1)).arg(s.text(0)));
            });
            !r)
            return r.error();
        if (repair && !report.ok && keepBackup()) {
            auto del = m_db->prepare("DELETE FROM embeddings WHERE length(vector) != 4 * "
                                     "(SELECT dimension FROM spaces WHERE spaces.id = embeddings.space_id)");
            if (!del || !del->run())
                repairsDone = false;
            else if (m_db->changes() > 0)
                report.repairs << QStringLiteral("removed %1 malformed vectors (re-add their files to embed them again)")
                                      .arg(m_db->changes());
        }
        if (!backup.isEmpty()) {
            if (repairsDone)
                QFile::remove(backup);
            else
                report.repairs << QStringLiteral("a repair failed part-way; the database as it was is kept in %1").arg(backup);
        }
        auto missing = m_db->scalar("SELECT count(*) FROM items i WHERE NOT EXISTS "
                                    "(SELECT 1 FROM thumbnails t WHERE t.item_id = i.id)");
        if (!missing)
            return missing.error();
        if (*missing > 0)
            report.notes << QStringLiteral("%1 items have no thumbnail").arg(*missing);
    }

    auto sp = spaces();
    if (!sp)
        return sp.error();
    for (const SpaceInfo &s : std::as_const(*sp)) {
        const QString file = indexPath(s.name);
        auto onDisk = VectorIndex::load(file, s.revision, s.count, s.dimension, m_indexParams);
        if (!onDisk && s.count > 0)
            report.notes << QStringLiteral("index of %1 on disk was not usable (%2); rebuilt from the database")
                                .arg(s.name, onDisk.errorMessage());
        auto idx = index(s.name);
        if (!idx) {
            problem(QStringLiteral("index of %1 cannot be built: %2").arg(s.name, idx.errorMessage()));
            continue;
        }
        if ((*idx)->size() != s.count)
            problem(QStringLiteral("index of %1 holds %2 vectors, the database %3").arg(s.name).arg((*idx)->size()).arg(s.count));
        // Every id the index can return must be an item with a vector in this space.
        if (s.count > 0) {
            auto probe = items(0, 1);
            if (probe && !probe->isEmpty()) {
                auto v = embedding(probe->first().id, s.name);
                if (v) {
                    auto hits = (*idx)->search(*v, 50);
                    if (!hits) {
                        problem(QStringLiteral("index of %1 cannot be searched: %2").arg(s.name, hits.errorMessage()));
                    } else {
                        std::vector<qint64> ids;
                        for (const ScoredId &h : *hits)
                            ids.push_back(h.id);
                        auto found = itemsByIds(ids);
                        if (found && found->size() != qsizetype(ids.size()))
                            problem(QStringLiteral("index of %1 returns items that no longer exist").arg(s.name));
                    }
                }
            }
        }
    }
    if (auto r = saveIndexes(); !r)
        problem(QStringLiteral("could not write index files: %1").arg(r.errorMessage()));
    return report;
}

} // namespace lookalike
