#pragma once

#include "collection/collection.h"

#include <QByteArray>

namespace lookalike {

// One item ready to be written: everything the pipeline computed for one file.
struct NewItem
{
    ItemRecord record;      // id ignored; uri is the key (an existing uri is updated in place)
    QByteArray thumbnailJpeg;
    int thumbnailWidth = 0;
    int thumbnailHeight = 0;
    QString spaceName;      // where `embedding` goes
    std::vector<float> embedding;
    std::optional<QString> report; // e.g. from a sidecar <image>.txt
};

// What the writer knows about a uri, for incremental re-adds.
struct KnownFile
{
    qint64 id = -1;
    qint64 size = 0;
    qint64 mtimeMs = 0;
    QString contentHash;
    QString uri;
};

// Bulk writes on a connection of its own. Each write*() call is one transaction: it either
// lands whole or not at all, and the collection's in-memory index is updated after commit.
class CollectionWriter final
{
public:
    ~CollectionWriter();
    CollectionWriter(const CollectionWriter &) = delete;
    CollectionWriter &operator=(const CollectionWriter &) = delete;

    Result<std::optional<KnownFile>> lookup(const QString &uri);
    // Returns the ids given to the items, in order.
    Result<std::vector<qint64>> writeItems(std::span<const NewItem> items, std::span<const IngestErrorRecord> errors = {});
    Result<void> recordErrors(std::span<const IngestErrorRecord> errors);
    Result<QList<KnownFile>> itemsWithHash(const QString &contentHash);
    // Points an existing item at a new location (a moved file with the same bytes).
    Result<void> relink(qint64 id, const ItemRecord &moved);
    // Updates size/mtime of a file whose bytes did not change (same content hash).
    Result<void> touch(qint64 id, qint64 size, qint64 mtimeMs);

    Result<SpaceInfo> ensureSpace(const QString &modality, const QString &modelId, int dimension, const QString &source = {});
    // Replaces vectors of existing items in a space (import of precomputed embeddings).
    Result<void> writeEmbeddings(const QString &spaceName, std::span<const qint64> ids, std::span<const float> vectors);
    Result<void> setReports(std::span<const std::pair<qint64, QString>> reports, const QString &source);
    Result<void> setMetadata(std::span<const std::tuple<qint64, QString, QString>> entries);

private:
    friend class Collection;
    CollectionWriter(Collection &collection, std::unique_ptr<Database> db);
    Result<SpaceInfo> spaceByName(const QString &name);
    Result<quint64> bumpRevision(qint64 spaceId);

    // Report vectors embedded here ("text:<model>" spaces without an import source) describe
    // a report's old text once it changes. Inside the caller's transaction: remembers whether
    // `text` differs from the item's current report (call before writing it), ...
    Result<void> noteReportChange(qint64 id, const QString &text);
    // ... and drops those items' report vectors, bumping the spaces' revisions. After commit,
    // applyReportVectorDrops() updates the in-memory indexes; ReportEmbedder embeds the new text.
    struct ReportVectorDrop
    {
        QString space;
        quint64 revision = 0;
        std::vector<qint64> ids;
    };
    Result<std::vector<ReportVectorDrop>> dropChangedReportVectors();
    void applyReportVectorDrops(const std::vector<ReportVectorDrop> &drops);
    std::vector<qint64> m_changedReports;

    Collection &m_collection;
    std::unique_ptr<Database> m_db;
    QHash<QString, SpaceInfo> m_spaces;
};

} // namespace lookalike
