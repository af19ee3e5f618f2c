#include "schema.h"

#include "database.h"
#include "util/logging.h"

#include <algorithm>
#include <array>

namespace lookalike {

namespace {

// Append-only: a released migration is never edited; changes go into a new one.
constexpr std::array kMigrations = {
    // 1: the initial layout (see docs/collection-format.md).
    R"sql(
CREATE TABLE collection_info(
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- AUTOINCREMENT: ids are never reused, so a stale index can never point at a new item.
CREATE TABLE items(
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uri          TEXT NOT NULL UNIQUE,
    filename     TEXT NOT NULL,
    size         INTEGER NOT NULL DEFAULT 0,
    mtime_ms     INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL DEFAULT '',
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    format       TEXT NOT NULL DEFAULT '',
    added_ms     INTEGER NOT NULL
);
CREATE INDEX items_filename ON items(filename);
CREATE INDEX items_hash ON items(content_hash);

CREATE TABLE metadata(
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY(item_id, key)
) WITHOUT ROWID;
CREATE INDEX metadata_key_value ON metadata(key, value);

CREATE TABLE reports(
    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    text    TEXT NOT NULL,
    source  TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE reports_fts USING fts5(
    text, content='reports', content_rowid='item_id',
    tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER reports_ai AFTER INSERT ON reports BEGIN
    INSERT INTO reports_fts(rowid, text) VALUES (new.item_id, new.text);
END;
CREATE TRIGGER reports_ad AFTER DELETE ON reports BEGIN
    INSERT INTO reports_fts(reports_fts, rowid, text) VALUES ('delete', old.item_id, old.text);
END;
CREATE TRIGGER reports_au AFTER UPDATE ON reports BEGIN
    INSERT INTO reports_fts(reports_fts, rowid, text) VALUES ('delete', old.item_id, old.text);
    INSERT INTO reports_fts(rowid, text) VALUES (new.item_id, new.text);
END;

-- An embedding space is (modality, model): "image:classic-v1", "text:siglip-...".
-- revision increases with every committed change to its embeddings; the index file on disk
-- records the revision it was built from, so a stale index is recognised at open.
CREATE TABLE spaces(
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    modality   TEXT NOT NULL,
    model_id   TEXT NOT NULL,
    dimension  INTEGER NOT NULL CHECK (dimension > 0),
    revision   INTEGER NOT NULL DEFAULT 0,
    source     TEXT NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL
);

CREATE TABLE embeddings(
    space_id INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    vector   BLOB NOT NULL,
    PRIMARY KEY(space_id, item_id)
) WITHOUT ROWID;
CREATE INDEX embeddings_item ON embeddings(item_id);

CREATE TABLE thumbnails(
    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    width   INTEGER NOT NULL,
    height  INTEGER NOT NULL,
    data    BLOB NOT NULL
);

-- The latest failure per file; cleared when the file is later ingested successfully.
CREATE TABLE ingest_errors(
    uri     TEXT PRIMARY KEY,
    stage   TEXT NOT NULL,
    message TEXT NOT NULL,
    at_ms   INTEGER NOT NULL
) WITHOUT ROWID;

-- Pairs a user marked "not a duplicate" (a < b).
CREATE TABLE not_duplicates(
    a INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    b INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY(a, b),
    CHECK (a < b)
) WITHOUT ROWID;
)sql",
};

} // namespace

int Schema::latestVersion()
{
    return int(kMigrations.size());
}

Result<int> Schema::currentVersion(Database &db)
{
    auto exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'");
    if (!exists)
        return exists.error();
    auto has = exists->step();
    if (!has)
        return has.error();
    if (!*has)
        return 0;
    auto q = db.prepare("SELECT version FROM schema_version");
    if (!q)
        return q.error();
    auto row = q->step();
    if (!row)
        return row.error();
    return *row ? int(q->int64(0)) : 0;
}

Result<void> Schema::migrate(Database &db)
{
    return migrateTo(db, latestVersion());
}

Result<void> Schema::migrateTo(Database &db, int target)
{
    target = std::min(target, latestVersion());
    auto version = currentVersion(db);
    if (!version)
        return version.error();
    if (*version > latestVersion())
        return Error(QStringLiteral("this collection was written by a newer Lookalike (schema %1; this build knows up to %2)")
                         .arg(*version)
                         .arg(latestVersion()),
                     Error::Code::Unsupported);
    for (int v = *version; v < target; ++v) {
        Transaction tx(db);
        if (auto r = tx.begin(); !r)
            return r;
        if (v == 0) {
            if (auto r = db.exec("CREATE TABLE schema_version(version INTEGER NOT NULL); "
                                 "INSERT INTO schema_version VALUES (0)");
                !r)
                return r;
        }
        if (auto r = db.exec(kMigrations[size_t(v)]); !r)
            return Error(QStringLiteral("migration %1 failed: %2").arg(v + 1).arg(r.errorMessage()), r.error().code);
        auto bump = db.prepare("UPDATE schema_version SET version = ?");
        if (!bump)
            return bump.error();
        if (auto r = bump->bind(1, v + 1).run(); !r)
            return r;
        if (auto r = tx.commit(); !r)
            return r;
        qCInfo(lcCollection) << "migrated schema to version" << v + 1;
    }
    return {};
}

} // namespace lookalike
