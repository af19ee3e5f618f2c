#pragma once

#include "collection/databasesalvage.h"
#include "collection/vectorindex.h"
#include "util/result.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace lookalike {

class Database;
class CollectionWriter;

struct ItemRecord
{
    qint64 id = -1;
    QString uri;      // absolute path, or the URL the bytes came from
    QString filename; // last path segment, for matching CSV rows and display
    qint64 size = 0;
    qint64 mtimeMs = 0;
    QString contentHash;
    int width = 0; // original pixel size after orientation
    int height = 0;
    QString format;
    qint64 addedMs = 0;
};

struct SpaceInfo
{
    qint64 id = -1;
    QString name;     // "<modality>:<model id>", e.g. "image:classic-v1"
    QString modality; // "image" or "text"
    QString modelId;
    int dimension = 0;
    quint64 revision = 0;
    qint64 count = 0;
    QString source; // "" for embedded here, else where imported vectors came from
};

struct IngestErrorRecord
{
    QString uri;
    QString stage; // "read", "decode", "embed", "write", "discover"
    QString message;
    qint64 atMs = 0;
};

struct CollectionStats
{
    qint64 items = 0;
    qint64 reports = 0;
    qint64 errors = 0;
    qint64 thumbnails = 0;
    QString embedderId;
    int schemaVersion = 0;
    QList<SpaceInfo> spaces;
    QMap<QString, QString> indexDescriptions; // space name → VectorIndex::description()
};

struct CheckReport
{
    bool ok = true;
    QStringList problems; // what is wrong (check fails)
    QStringList notes;    // what was found and fixed automatically, e.g. a stale index rebuilt
    QStringList repairs;  // what --repair did about the problems
    // SQLite found damaged pages: nothing is repaired in place; Collection::repairDatabase()
    // salvages what can be read into a new file.
    bool databaseDamaged = false;
};

struct CollectionOptions
{
    QString embedderId = QStringLiteral("classic-v1");
    int dimension = 0; // of the embedder's vectors; 0 = create no image space yet
    QString name;
    IndexParams indexParams;
    // What transparent pixels (PNG alpha, SVG without a background) are composited onto before
    // embedding and thumbnailing, as "#rrggbb". Fixed at creation: items and queries must see
    // the same colour for their vectors to be comparable.
    QString background = QStringLiteral("#ffffff");
};

// A collection folder: collection.sqlite (source of truth) + index/<space>.faiss (derived).
// Thread-safe: reads share one connection under a mutex (they are short); bulk writes go
// through CollectionWriter, which has its own connection and feeds the in-memory indexes.
class Collection final
{
public:
    ~Collection();
    Collection(const Collection &) = delete;
    Collection &operator=(const Collection &) = delete;

    static QString databaseFileName() { return QStringLiteral("collection.sqlite"); }
    // Creates the folder if needed; fails if it already holds a collection.
    static Result<std::unique_ptr<Collection>> create(const QString &dir, const CollectionOptions &options);
    static Result<std::unique_ptr<Collection>> open(const QString &dir, const IndexParams &indexParams = {});
    static bool isCollection(const QString &dir);
    // A collection.sqlite whose create() never finished (no settings written): create() may
    // finish it; open() refuses it with a message saying so.
    static bool wasInterruptedCreate(const QString &dir);
    // Deletes a collection's own files (database, index/, files/) and then the folder if that
    // left it empty; anything else a user keeps there stays. Close it first.
    static Result<void> remove(const QString &dir);
    // Salvages a damaged collection.sqlite (see DatabaseSalvage) and puts the copy in its
    // place. The damaged file is kept beside it (SalvageReport::damagedFile), never deleted;
    // index files are rebuilt at the next open. Refuses, changing nothing, when not a single
    // item could be read. Close the collection in every program first.
    static Result<SalvageReport> repairDatabase(const QString &dir);

    QString path() const { return m_dir; }
    QString name() const;
    // The display name (the folder keeps its own name).
    Result<void> setName(const QString &name);
    QString embedderId() const;
    // CollectionOptions::background, "#rrggbb" (white for collections made before it existed).
    QString background() const;
    // The space image vectors from the collection's embedder go into.
    QString imageSpaceName() const;
    static QString spaceName(const QString &modality, const QString &modelId);
    QString indexPath(const QString &spaceName) const;
    // files/: the collection's own copies of images that have no file of their own elsewhere
    // (added by URL, or dropped as pixels), named by content: <content hash>.<extension>.
    QString filesDir() const;
    // Stores `bytes` (an image of the sniffed `format`: "jpeg", "png", "svg", …) in files/
    // under its content name, atomically, unless that file is there already; returns its path.
    Result<QString> storeFile(const QByteArray &bytes, const QString &format);
    // Where an item's bytes are on this machine: its uri for a file, the copy in files/ for an
    // item added by URL (which stays usable offline).
    QString localFile(const ItemRecord &item) const;

    // --- items
    Result<std::optional<ItemRecord>> item(qint64 id);
    Result<std::optional<ItemRecord>> itemByUri(const QString &uri);
    Result<QList<ItemRecord>> itemsByFilename(const QString &filename);
    Result<QList<ItemRecord>> items(qint64 offset, qint64 limit);
    Result<QHash<qint64, ItemRecord>> itemsByIds(std::span<const qint64> ids);
    Result<qint64> itemCount();
    // Every item id, ascending (8 bytes per item): lets a view page through a large collection
    // by id instead of by OFFSET, which SQLite answers by scanning.
    // `afterId` >= 0 lists only the ids above it (what a running ingest added since).
    Result<std::vector<qint64>> itemIds(qint64 afterId = -1);
    // Items whose uri starts with `prefix` (a folder path ending in '/'), id and uri only.
    Result<QList<ItemRecord>> itemsUnder(const QString &prefix);
    Result<void> removeItems(std::span<const qint64> ids);

    // --- reports, metadata, thumbnails, vectors
    Result<QString> report(qint64 id);
    Result<QHash<qint64, QString>> reports(std::span<const qint64> ids);
    // Reports (id, text) with no vector in `spaceName` yet, ids above `afterId`, in id order:
    // what ReportEmbedder still has to embed.
    Result<QList<std::pair<qint64, QString>>> reportsWithoutVector(const QString &spaceName, qint64 afterId, int limit);
    // Item ids above `afterId` with no vector in `spaceName`, in id order (Reembedder).
    Result<std::vector<qint64>> idsWithoutVector(const QString &spaceName, qint64 afterId, int limit);
    // Makes `modelId` the collection's model, in one transaction, once every item has a vector
    // in its image space (else InvalidArgument saying how many lack one). With `dropOldSpaces`
    // the previous model's image and report spaces and their index files are deleted.
    Result<void> switchModel(const QString &modelId, bool dropOldSpaces);
    Result<QMap<QString, QString>> metadata(qint64 id);
    Result<QByteArray> thumbnail(qint64 id);
    Result<std::vector<float>> embedding(qint64 id, const QString &spaceName);
    // Full-text search over reports. `ftsQuery` must already be a safe FTS5 expression (see
    // FtsQuery); scores are -bm25 (higher is better), best first.
    Result<std::vector<ScoredId>> searchReports(const QString &ftsQuery, int limit);
    // Ids (ascending) of items that have metadata key=value for every pair given.
    Result<std::vector<qint64>> idsWithMetadata(const QList<std::pair<QString, QString>> &filters);

    // --- spaces and indexes
    Result<QList<SpaceInfo>> spaces();
    Result<std::optional<SpaceInfo>> space(const QString &name);
    // The index of a space, loaded from disk, or rebuilt from SQLite when missing, stale or
    // corrupt (with a log line saying why). Also catches up with other processes' writes.
    Result<std::shared_ptr<VectorIndex>> index(const QString &spaceName);
    Result<void> rebuildIndex(const QString &spaceName);
    // Streams every vector of a space in id order (a read transaction of its own).
    Result<void> forEachEmbedding(const QString &spaceName, const VectorSource::BatchFn &fn);
    // Pairs the user marked "not a duplicate", each as (smaller id, larger id).
    Result<QSet<std::pair<qint64, qint64>>> notDuplicatePairs();
    Result<void> markNotDuplicate(qint64 a, qint64 b);
    // Writes every index that changed since it was loaded; rebuilds those whose kind no longer
    // fits their size first.
    Result<void> saveIndexes();

    // Changes whenever another connection commits to the database: another process (a CLI
    // `add`, the REST server) or this process's CollectionWriter. Cheap (SQLite's shared memory),
    // so a window can poll it to notice items it did not add itself.
    Result<qint64> dataVersion();

    // --- errors, stats, integrity
    Result<QList<IngestErrorRecord>> ingestErrors(int limit = 1000);
    Result<CollectionStats> stats();
    Result<CheckReport> check(bool repair);

    // A writer with its own connection. One at a time per process is plenty; across processes
    // SQLite serialises them (a second one waits, then reports the collection busy).
    Result<std::unique_ptr<CollectionWriter>> openWriter();

private:
    friend class CollectionWriter;
    Collection(QString dir, std::unique_ptr<Database> db, IndexParams params);
    Result<void> loadInfo();
    // Called by CollectionWriter after a commit that changed a space's vectors.
    void applyIndexChanges(const QString &spaceName, quint64 newRevision, std::span<const qint64> removed,
                           std::span<const qint64> addedIds, std::span<const float> addedVectors);
    Result<std::shared_ptr<VectorIndex>> loadOrRebuild(const SpaceInfo &space);
    // The index and the revision of the vectors it was built from (read in one transaction).
    Result<std::pair<std::shared_ptr<VectorIndex>, quint64>> buildFromDatabase(const SpaceInfo &space);

    struct LoadedIndex
    {
        std::shared_ptr<VectorIndex> index;
        quint64 revision = 0;      // database revision the in-memory index reflects
        quint64 savedRevision = 0; // revision of the file on disk
    };

    QString m_dir;
    IndexParams m_indexParams;
    mutable std::mutex m_dbMutex;
    std::unique_ptr<Database> m_db;
    QMap<QString, QString> m_info;
    std::mutex m_indexMutex;
    std::map<QString, LoadedIndex> m_indexes;
};

} // namespace lookalike
