#include "collectionwriter.h"

#include "database.h"
#include "util/logging.h"

#include <QDateTime>

#include <unordered_map>
#include <utility>

namespace lookalike {

CollectionWriter::CollectionWriter(Collection &collection, std::unique_ptr<Database> db)
    : m_collection(collection), m_db(std::move(db))
{
}

CollectionWriter::~CollectionWriter() = default;

Result<std::optional<KnownFile>> CollectionWriter::lookup(const QString &uri)
{
    auto q = m_db->prepare("SELECT id, size, mtime_ms, content_hash FROM items WHERE uri = ?");
    if (!q)
        return q.error();
    q->bind(1, uri);
    auto row = q->step();
    if (!row)
        return row.error();
    if (!*row)
        return std::optional<KnownFile>();
    return std::optional(KnownFile{q->int64(0), q->int64(1), q->int64(2), q->text(3), uri});
}

Result<SpaceInfo> CollectionWriter::spaceByName(const QString &name)
{
    if (auto it = m_spaces.constFind(name); it != m_spaces.cend())
        return *it;
    auto q = m_db->prepare("SELECT id, modality, model_id, dimension FROM spaces WHERE name = ?");
    if (!q)
        return q.error();
    q->bind(1, name);
    auto row = q->step();
    if (!row)
        return row.error();
    if (!*row)
        return Error(QStringLiteral("no embedding space %1").arg(name), Error::Code::NotFound);
    SpaceInfo s;
    s.id = q->int64(0);
    s.name = name;
    s.modality = q->text(1);
    s.modelId = q->text(2);
    s.dimension = int(q->int64(3));
    m_spaces.insert(name, s);
    return s;
}

Result<SpaceInfo> CollectionWriter::ensureSpace(const QString &modality, const QString &modelId, int dimension,
                                                const QString &source)
{
    const QString name = Collection::spaceName(modality, modelId);
    m_spaces.remove(name);
    if (auto existing = spaceByName(name)) {
        if (existing->dimension != dimension)
            return Error(QStringLiteral("space %1 holds %2-dimensional vectors, not %3")
                             .arg(name)
                             .arg(existing->dimension)
                             .arg(dimension),
                         Error::Code::InvalidArgument);
        return existing;
    } else if (existing.error().code != Error::Code::NotFound) {
        return existing.error();
    }
    auto q = m_db->prepare("INSERT INTO spaces(name, modality, model_id, dimension, source, created_ms) "
                           "VALUES (?, ?, ?, ?, ?, ?)");
    if (!q)
        return q.error();
    q->bind(1, name).bind(2, modality).bind(3, modelId).bind(4, dimension).bind(5, source).bind(
        6, QDateTime::currentMSecsSinceEpoch());
    if (auto r = q->run(); !r)
        return r.error();
    return spaceByName(name);
}

Result<quint64> CollectionWriter::bumpRevision(qint64 spaceId)
{
    auto q = m_db->prepare("UPDATE spaces SET revision = revision + 1 WHERE id = ? RETURNING revision");
    if (!q)
        return q.error();
    q->bind(1, spaceId);
    auto row = q->step();
    if (!row)
        return row.error();
    const quint64 rev = quint64(q->int64(0));
    // A RETURNING statement is run to its end before it is reset: resetting it midway can roll
    // back the enclosing transaction.
    if (auto done = q->step(); !done)
        return done.error();
    q->reset();
    return rev;
}

Result<std::vector<qint64>> CollectionWriter::writeItems(std::span<const NewItem> items,
                                                         std::span<const IngestErrorRecord> errors)
{
    struct SpaceChanges
    {
        SpaceInfo space;
        std::vector<qint64> removed; // re-embedded items: old vector out, new in
        std::vector<qint64> ids;
        std::vector<float> vectors;
        quint64 revision = 0;
    };
    std::unordered_map<qint64, SpaceChanges> changes;
    std::vector<qint64> ids;
    ids.reserve(items.size());

    Transaction tx(*m_db);
    if (auto r = tx.begin(); !r)
        return r.error();
    auto find = m_db->prepare("SELECT id FROM items WHERE uri = ?");
    auto insert = m_db->prepare(
        "INSERT INTO items(uri, filename, size, mtime_ms, content_hash, width, height, format, added_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto update = m_db->prepare("UPDATE items SET filename = ?, size = ?, mtime_ms = ?, content_hash = ?, "
                                "width = ?, height = ?, format = ? WHERE id = ?");
    auto thumb = m_db->prepare("INSERT OR REPLACE INTO thumbnails(item_id, width, height, data) VALUES (?, ?, ?, ?)");
    auto vec = m_db->prepare("INSERT OR REPLACE INTO embeddings(space_id, item_id, vector) VALUES (?, ?, ?)");
    // An upsert, not INSERT OR REPLACE: REPLACE's implicit delete skips the FTS triggers.
    auto report = m_db->prepare("INSERT INTO reports(item_id, text, source) VALUES (?, ?, 'sidecar') "
                                "ON CONFLICT(item_id) DO UPDATE SET text = excluded.text, source = excluded.source");
    auto clearError = m_db->prepare("DELETE FROM ingest_errors WHERE uri = ?");
    for (auto *s : {&find, &insert, &update, &thumb, &vec, &report, &clearError}) {
        if (!*s)
            return s->error();
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const NewItem &item : items) {
        const ItemRecord &r = item.record;
        find->bind(1, r.uri);
        auto found = find->step();
        if (!found)
            return found.error();
        const qint64 existing = *found ? find->int64(0) : -1;
        find->reset();
        qint64 id = existing;
        if (existing >= 0) {
            update->bind(1, r.filename).bind(2, r.size).bind(3, r.mtimeMs).bind(4, r.contentHash);
            update->bind(5, r.width).bind(6, r.height).bind(7, r.format).bind(8, existing);
            if (auto x = update->run(); !x)
                return x.error();
        } else {
            insert->bind(1, r.uri).bind(2, r.filename).bind(3, r.size).bind(4, r.mtimeMs).bind(5, r.contentHash);
            insert->bind(6, r.width).bind(7, r.height).bind(8, r.format).bind(9, now);
            if (auto x = insert->run(); !x)
                return x.error();
            id = m_db->lastInsertId();
        }
        ids.push_back(id);
        if (!item.thumbnailJpeg.isEmpty()) {
            thumb->bind(1, id).bind(2, item.thumbnailWidth).bind(3, item.thumbnailHeight).bind(4, QByteArrayView(item.thumbnailJpeg));
            if (auto x = thumb->run(); !x)
                return x.error();
        }
        if (!item.embedding.empty()) {
            auto space = spaceByName(item.spaceName);
            if (!space)
                return space.error();
            if (int(item.embedding.size()) != space->dimension)
                return Error(QStringLiteral("vector of %1 has %2 values; space %3 wants %4")
                                 .arg(r.uri)
                                 .arg(item.embedding.size())
                                 .arg(space->name)
                                 .arg(space->dimension),
                             Error::Code::InvalidArgument);
            vec->bind(1, space->id).bind(2, id).bindFloats(3, item.embedding);
            if (auto x = vec->run(); !x)
                return x.error();
            SpaceChanges &c = changes[space->id];
            c.space = *space;
            if (existing >= 0)
                c.removed.push_back(existing);
            c.ids.push_back(id);
            c.vectors.insert(c.vectors.end(), item.embedding.begin(), item.embedding.end());
        }
        if (item.report) {
            if (existing >= 0) {
                if (auto x = noteReportChange(id, *item.report); !x)
                    return x.error();
            }
            report->bind(1, id).bind(2, *item.report);
            if (auto x = report->run(); !x)
                return x.error();
        }
        if (auto x = clearError->bind(1, r.uri).run(); !x)
            return x.error();
    }
    if (auto r = recordErrors(errors); !r)
        return r.error();
    for (auto &[spaceId, c] : changes) {
        auto rev = bumpRevision(spaceId);
        if (!rev)
            return rev.error();
        c.revision = *rev;
    }
    auto drops = dropChangedReportVectors();
    if (!drops)
        return drops.error();
    if (auto r = tx.commit(); !r)
        return r.error();
    for (auto &[spaceId, c] : changes)
        m_collection.applyIndexChanges(c.space.name, c.revision, c.removed, c.ids, c.vectors);
    applyReportVectorDrops(*drops);
    return ids;
}

Result<void> CollectionWriter::recordErrors(std::span<const IngestErrorRecord> errors)
{
    if (errors.empty())
        return {};
    auto q = m_db->prepare("INSERT OR REPLACE INTO ingest_errors(uri, stage, message, at_ms) VALUES (?, ?, ?, ?)");
    if (!q)
        return q.error();
    for (const IngestErrorRecord &e : errors) {
        q->bind(1, e.uri).bind(2, e.stage).bind(3, e.message).bind(4, e.atMs ? e.atMs : QDateTime::currentMSecsSinceEpoch());
        if (auto r = q->run(); !r)
            return r;
    }
    return {};
}

Result<QList<KnownFile>> CollectionWriter::itemsWithHash(const QString &contentHash)
{
    if (contentHash.isEmpty())
        return QList<KnownFile>();
    auto q = m_db->prepare("SELECT id, size, mtime_ms, content_hash, uri FROM items WHERE content_hash = ?");
    if (!q)
        return q.error();
    q->bind(1, contentHash);
    return q->collect<KnownFile>([](const Statement &s) {
        return KnownFile{s.int64(0), s.int64(1), s.int64(2), s.text(3), s.text(4)};
    });
}

Result<void> CollectionWriter::relink(qint64 id, const ItemRecord &moved)
{
    auto q = m_db->prepare("UPDATE items SET uri = ?, filename = ?, size = ?, mtime_ms = ? WHERE id = ?");
    if (!q)
        return q.error();
    return q->bind(1, moved.uri).bind(2, moved.filename).bind(3, moved.size).bind(4, moved.mtimeMs).bind(5, id).run();
}

Result<void> CollectionWriter::touch(qint64 id, qint64 size, qint64 mtimeMs)
{
    auto q = m_db->prepare("UPDATE items SET size = ?, mtime_ms = ? WHERE id = ?");
    if (!q)
        return q.error();
    return q->bind(1, size).bind(2, mtimeMs).bind(3, id).run();
}

Result<void> CollectionWriter::writeEmbeddings(const QString &spaceName, std::span<const qint64> ids,
                                               std::span<const float> vectors)
{
    auto space = spaceByName(spaceName);
    if (!space)
        return space.error();
    const size_t dim = size_t(space->dimension);
    if (vectors.size() != ids.size() * dim)
        return Error(QStringLiteral("%1 vectors of %2 values expected").arg(ids.size()).arg(dim), Error::Code::InvalidArgument);
    Transaction tx(*m_db);
    if (auto r = tx.begin(); !r)
        return r;
    auto vec = m_db->prepare("INSERT OR REPLACE INTO embeddings(space_id, item_id, vector) VALUES (?, ?, ?)");
    if (!vec)
        return vec.error();
    for (size_t i = 0; i < ids.size(); ++i) {
        vec->bind(1, space->id).bind(2, ids[i]).bindFloats(3, vectors.subspan(i * dim, dim));
        if (auto r = vec->run(); !r)
            return r;
    }
    auto rev = bumpRevision(space->id);
    if (!rev)
        return rev.error();
    if (auto r = tx.commit(); !r)
        return r;
    // Replacing vectors: remove then add keeps the in-memory index exact.
    m_collection.applyIndexChanges(spaceName, *rev, ids, ids, vectors);
    return {};
}

Result<void> CollectionWriter::setReports(std::span<const std::pair<qint64, QString>> reports, const QString &source)
{
    Transaction tx(*m_db);
    if (auto r = tx.begin(); !r)
        return r;
    auto q = m_db->prepare("INSERT INTO reports(item_id, text, source) VALUES (?, ?, ?) "
                           "ON CONFLICT(item_id) DO UPDATE SET text = excluded.text, source = excluded.source");
    if (!q)
        return q.error();
    for (const auto &[id, text] : reports) {
        if (auto r = noteReportChange(id, text); !r)
            return r;
        if (auto r = q->bind(1, id).bind(2, text).bind(3, source).run(); !r)
            return r;
    }
    auto drops = dropChangedReportVectors();
    if (!drops)
        return drops.error();
    if (auto r = tx.commit(); !r)
        return r;
    applyReportVectorDrops(*drops);
    return {};
}

Result<void> CollectionWriter::noteReportChange(qint64 id, const QString &text)
{
    auto q = m_db->prepare("SELECT text FROM reports WHERE item_id = ?");
    if (!q)
        return q.error();
    q->bind(1, id);
    auto row = q->step();
    if (!row)
        return row.error();
    if (*row && q->text(0) != text)
        m_changedReports.push_back(id);
    q->reset();
    return {};
}

Result<std::vector<CollectionWriter::ReportVectorDrop>> CollectionWriter::dropChangedReportVectors()
{
    std::vector<ReportVectorDrop> drops;
    const std::vector<qint64> changed = std::exchange(m_changedReports, {});
    if (changed.empty())
        return drops;
    auto spaces = m_db->prepare("SELECT id, name FROM spaces WHERE modality = 'text' AND source = ''");
    if (!spaces)
        return spaces.error();
    auto textSpaces = spaces->collect<std::pair<qint64, QString>>([](const Statement &s) {
        return std::pair(s.int64(0), s.text(1));
    });
    if (!textSpaces)
        return textSpaces.error();
    auto del = m_db->prepare("DELETE FROM embeddings WHERE space_id = ? AND item_id = ?");
    if (!del)
        return del.error();
    for (const auto &[spaceId, name] : *textSpaces) {
        ReportVectorDrop drop{name, 0, {}};
        for (qint64 id : changed) {
            if (auto r = del->bind(1, spaceId).bind(2, id).run(); !r)
                return r.error();
            if (m_db->changes() > 0)
                drop.ids.push_back(id);
        }
        if (drop.ids.empty())
            continue;
        auto rev = bumpRevision(spaceId);
        if (!rev)
            return rev.error();
        drop.revision = *rev;
        drops.push_back(std::move(drop));
    }
    return drops;
}

void CollectionWriter::applyReportVectorDrops(const std::vector<ReportVectorDrop> &drops)
{
    for (const ReportVectorDrop &d : drops)
        m_collection.applyIndexChanges(d.space, d.revision, d.ids, {}, {});
}

Result<void> CollectionWriter::setMetadata(std::span<const std::tuple<qint64, QString, QString>> entries)
{
    Transaction tx(*m_db);
    if (auto r = tx.begin(); !r)
        return r;
    auto q = m_db->prepare("INSERT OR REPLACE INTO metadata(item_id, key, value) VALUES (?, ?, ?)");
    if (!q)
        return q.error();
    for (const auto &[id, key, value] : entries) {
        if (auto r = q->bind(1, id).bind(2, key).bind(3, value).run(); !r)
            return r;
    }
    return tx.commit();
}

} // namespace lookalike
