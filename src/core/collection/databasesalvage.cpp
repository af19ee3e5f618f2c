#include "databasesalvage.h"

#include "database.h"
#include "schema.h"
#include "util/logging.h"

#include <QDateTime>
#include <QFile>

#include <algorithm>
#include <limits>
#include <optional>

namespace lookalike {

qint64 SalvageReport::copied(const QString &table) const
{
    for (const SalvagedTable &t : tables) {
        if (t.name == table)
            return t.copied;
    }
    return 0;
}

int SalvageReport::damagedRanges() const
{
    int n = 0;
    for (const SalvagedTable &t : tables)
        n += t.damagedRanges;
    return n;
}

int SalvageReport::damagedRanges(const QString &table) const
{
    for (const SalvagedTable &t : tables) {
        if (t.name == table)
            return t.damagedRanges;
    }
    return 0;
}

namespace {

// Identifiers here come from the new database's own schema, never from input; quoting them
// is still the right way to splice a name into SQL.
QString quoted(const QString &identifier)
{
    return QLatin1Char('"') + QString(identifier).replace(QLatin1Char('"'), QLatin1String("\"\"")) + QLatin1Char('"');
}

Result<Statement> prepare(Database &db, const QString &sql)
{
    return db.prepare(sql.toUtf8().constData());
}

struct TableShape
{
    QString name;
    QStringList columns;
    QStringList keys; // "rowid", or the primary key's columns in key order
    // How many leading key columns are integers: damage can be probed past on them.
    int integerKeys = 0;
};

// The ordinary tables of a database, in creation order (parents before children), without
// virtual tables and their shadow tables: the FTS index is rebuilt by its triggers as the
// reports are copied, never copied page by page.
Result<QList<TableShape>> tablesOf(Database &db)
{
    auto q = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                        "ORDER BY rowid");
    if (!q)
        return q.error();
    QList<std::pair<QString, QString>> all;
    if (auto r = q->forEachRow([&](const Statement &s) { all.push_back({s.text(0), s.text(1)}); }); !r)
        return r.error();
    QStringList virtualTables;
    for (const auto &[name, sql] : std::as_const(all)) {
        if (sql.startsWith(QLatin1String("CREATE VIRTUAL TABLE"), Qt::CaseInsensitive))
            virtualTables << name;
    }
    auto info = db.prepare("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid");
    if (!info)
        return info.error();
    QList<TableShape> tables;
    for (const auto &[name, sql] : std::as_const(all)) {
        const QString &table = name; // clang 14 cannot capture a structured binding
        const bool shadow = std::any_of(virtualTables.cbegin(), virtualTables.cend(), [&table](const QString &v) {
            return table == v || table.startsWith(v + QLatin1Char('_'));
        });
        if (shadow)
            continue;
        TableShape t;
        t.name = name;
        QList<std::pair<int, std::pair<QString, QString>>> pk;
        info->bind(1, name);
        if (auto r = info->forEachRow([&](const Statement &s) {
                t.columns << s.text(0);
                if (s.int64(2) > 0)
                    pk.push_back({int(s.int64(2)), {s.text(0), s.text(1)}});
            });
            !r)
            return r.error();
        info->reset();
        if (!sql.contains(QLatin1String("WITHOUT ROWID"), Qt::CaseInsensitive)) {
            t.keys << QStringLiteral("rowid");
            t.integerKeys = 1;
        } else {
            std::sort(pk.begin(), pk.end());
            bool integers = true;
            for (const auto &p : std::as_const(pk)) {
                t.keys << quoted(p.second.first);
                integers = integers && p.second.second.contains(QLatin1String("INT"), Qt::CaseInsensitive);
                t.integerKeys += integers ? 1 : 0;
            }
        }
        tables << t;
    }
    return tables;
}

// Copies one table from the damaged database into the new one, skipping what cannot be read.
class TableCopy
{
public:
    TableCopy(Database &from, Database &to, const TableShape &t) : m_from(from), m_to(to), m_t(t)
    {
        m_result.name = t.name;
    }

    Result<SalvagedTable> run()
    {
        QStringList cols;
        for (const QString &c : m_t.columns)
            cols << quoted(c);
        const QString table = quoted(m_t.name);
        m_select = QStringLiteral("SELECT %1, %2 FROM %3").arg(m_t.keys.join(QLatin1String(", ")), cols.join(QLatin1String(", ")), table);
        auto insert = prepare(m_to, QStringLiteral("INSERT OR IGNORE INTO %1(%2) VALUES (%3)")
                                        .arg(table, cols.join(QLatin1String(", ")), marks(int(cols.size()))));
        if (!insert)
            return insert.error();
        m_insert = std::move(*insert);

        auto first = prepare(m_from, m_select + orderBy(false));
        if (!first)
            return first.error(); // the table itself cannot be found: the caller decides
        auto ended = drain(*first);
        if (!ended)
            return ended.error();
        if (!*ended && m_t.integerKeys > 0) {
            ended = skipPastDamage();
            if (!ended)
                return ended.error();
        }
        if (!*ended) {
            ++m_result.damagedRanges;
            if (auto r = readFromTheEnd(); !r)
                return r.error();
        }
        return m_result;
    }

private:
    using Key = std::vector<qint64>; // the leading integer key columns of a row

    static QString marks(int n) { return QStringList(n, QStringLiteral("?")).join(QLatin1String(", ")); }

    QString orderBy(bool descending) const
    {
        QStringList parts;
        for (const QString &k : m_t.keys)
            parts << (descending ? k + QLatin1String(" DESC") : k);
        return QLatin1String(" ORDER BY ") + parts.join(QLatin1String(", "));
    }

    // Copies the rows `q` yields: true at the end of them, false when a read failed first.
    Result<bool> drain(Statement &q)
    {
        const int nk = int(m_t.keys.size());
        for (;;) {
            auto row = q.step();
            if (!row) {
                qCWarning(lcCollection) << "salvage:" << m_t.name << "unreadable after" << m_result.copied << "rows:" << row.errorMessage();
                return false;
            }
            if (!*row) {
                q.reset();
                return true;
            }
            for (int c = 0; c < int(m_t.columns.size()); ++c)
                m_insert.bind(c + 1, q.value(nk + c));
            if (auto r = m_insert.run(); !r)
                return r.error();
            m_lastKeys.clear();
            for (int k = 0; k < nk; ++k)
                m_lastKeys << q.value(k);
            ++m_result.copied;
        }
    }

    Key lastKey() const
    {
        Key key(size_t(m_t.integerKeys), 0); // ids start at 1: zeros are before every row
        for (int i = 0; i < m_t.integerKeys && i < int(m_lastKeys.size()); ++i)
            key[size_t(i)] = m_lastKeys[i].toLongLong();
        return key;
    }

    struct Probe
    {
        bool readable = false;
        std::optional<Key> next; // the first key at or after the probe; none: the end
    };

    Probe probeAt(Statement &probe, const Key &at)
    {
        for (size_t i = 0; i < at.size(); ++i)
            probe.bind(int(i) + 1, at[i]);
        auto row = probe.step();
        Probe p;
        if (row) {
            p.readable = true;
            if (*row) {
                Key k(at.size());
                for (size_t i = 0; i < at.size(); ++i)
                    k[i] = probe.int64(int(i));
                p.next = k;
            }
        }
        probe.reset();
        return p;
    }

    // The first key after `base` from which the table can be read again. Steps that double on
    // the last integer key column find a readable point past the damage; bisection then finds
    // the damage's far edge. Gives up (nullopt) when no step reads.
    std::optional<Probe> firstReadableAfter(Statement &probe, const Key &base)
    {
        constexpr qint64 kMax = std::numeric_limits<qint64>::max();
        const qint64 last = base.back();
        Key at = base;
        qint64 bad = last;
        for (qint64 step = 1;; step *= 2) {
            if (last > kMax - step)
                return std::nullopt;
            at.back() = last + step;
            Probe p = probeAt(probe, at);
            if (p.readable) {
                qint64 lo = bad, hi = at.back();
                while (hi - lo > 1) {
                    at.back() = lo + (hi - lo) / 2;
                    if (Probe m = probeAt(probe, at); m.readable) {
                        hi = at.back();
                        p = m;
                    } else {
                        lo = at.back();
                    }
                }
                return p;
            }
            bad = at.back();
            if (step > kMax / 2)
                return std::nullopt;
        }
    }

    // True at the end of the table; false when nothing readable was found past the damage.
    Result<bool> skipPastDamage()
    {
        const QString prefix = m_t.keys.mid(0, m_t.integerKeys).join(QLatin1String(", "));
        const QString from = QStringLiteral(" WHERE (%1) >= (%2)").arg(prefix, marks(m_t.integerKeys));
        auto probe = prepare(m_from, QStringLiteral("SELECT %1 FROM %2").arg(prefix, quoted(m_t.name)) + from
                                         + QStringLiteral(" ORDER BY %1 LIMIT 1").arg(prefix));
        auto resume = prepare(m_from, m_select + from + orderBy(false));
        if (!probe)
            return probe.error();
        if (!resume)
            return resume.error();
        Key resumedAt(size_t(m_t.integerKeys), 0);
        for (;;) {
            ++m_result.damagedRanges;
            // Past the last row copied, or past where reading last failed straight away.
            const std::optional<Probe> found = firstReadableAfter(*probe, std::max(lastKey(), resumedAt));
            if (!found)
                return false;
            if (!found->next)
                return true;
            resumedAt = *found->next;
            for (size_t i = 0; i < resumedAt.size(); ++i)
                resume->bind(int(i) + 1, resumedAt[i]);
            auto ended = drain(*resume);
            if (!ended || *ended)
                return ended;
        }
    }

    // Reads back from the last row down to the damage: what probing could not reach.
    Result<void> readFromTheEnd()
    {
        QString sql = m_select;
        if (!m_lastKeys.isEmpty())
            sql += QStringLiteral(" WHERE (%1) > (%2)").arg(m_t.keys.join(QLatin1String(", ")), marks(int(m_lastKeys.size())));
        auto q = prepare(m_from, sql + orderBy(true));
        if (!q)
            return q.error();
        for (int i = 0; i < int(m_lastKeys.size()); ++i)
            q->bind(i + 1, m_lastKeys[i]);
        auto r = drain(*q);
        if (!r)
            return r.error();
        return {};
    }

    Database &m_from;
    Database &m_to;
    const TableShape &m_t;
    SalvagedTable m_result;
    QString m_select;
    Statement m_insert;
    QList<QVariant> m_lastKeys; // of the last row copied
};

Result<int> sourceSchemaVersion(Database &from, SalvageReport &report)
{
    auto q = from.prepare("SELECT version FROM schema_version");
    Result<bool> row = q ? q->step() : Result<bool>(q.error());
    if (row && *row)
        return int(q->int64(0));
    report.notes << QStringLiteral("the schema version could not be read; assumed %1").arg(Schema::latestVersion());
    return Schema::latestVersion();
}

// AUTOINCREMENT counters as they were, so that ids of lost rows are not handed out again.
void keepIdCounters(Database &from, Database &to, SalvageReport &report)
{
    auto seq = from.prepare("SELECT name, seq FROM sqlite_sequence");
    auto update = to.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?");
    auto insert = to.prepare("INSERT INTO sqlite_sequence(seq, name) VALUES (?, ?)");
    if (!seq || !update || !insert) {
        report.notes << QStringLiteral("the id counters could not be read; ids of lost items may be used again");
        return;
    }
    auto r = seq->forEachRow([&](const Statement &s) {
        if (update->bind(1, s.int64(1)).bind(2, s.text(0)).run() && to.changes() == 0)
            (void)insert->bind(1, s.int64(1)).bind(2, s.text(0)).run();
    });
    if (!r)
        report.notes << QStringLiteral("the id counters could not be read; ids of lost items may be used again");
}

// Rows whose parent row was lost (a vector of a lost item, say), until none is left.
Result<qint64> dropOrphans(Database &to, const QList<TableShape> &tables)
{
    auto fks = to.prepare("SELECT \"table\", \"from\", coalesce(\"to\", 'rowid') FROM pragma_foreign_key_list(?)");
    if (!fks)
        return fks.error();
    QStringList deletes;
    for (const TableShape &t : tables) {
        fks->bind(1, t.name);
        if (auto r = fks->forEachRow([&](const Statement &s) {
                deletes << QStringLiteral("DELETE FROM %1 WHERE %2 NOT IN (SELECT %3 FROM %4)")
                               .arg(quoted(t.name), quoted(s.text(1)), quoted(s.text(2)), quoted(s.text(0)));
            });
            !r)
            return r.error();
        fks->reset();
    }
    qint64 dropped = 0;
    for (int pass = 0; pass < 8; ++pass) {
        qint64 thisPass = 0;
        for (const QString &sql : std::as_const(deletes)) {
            if (auto r = to.exec(sql.toUtf8().constData()); !r)
                return r.error();
            thisPass += to.changes();
        }
        dropped += thisPass;
        if (thisPass == 0)
            break;
    }
    return dropped;
}

// What a collection needs beyond its rows: settings that open() relies on, and items that
// the next `add` must redo because their vector or thumbnail was lost.
Result<void> finishCollection(Database &to, SalvageReport &report)
{
    auto has = to.prepare("SELECT 1 FROM collection_info WHERE key = ?");
    auto put = to.prepare("INSERT INTO collection_info(key, value) VALUES (?, ?)");
    if (!has || !put)
        return has ? put.error() : has.error();
    auto missing = [&](const char *key) -> Result<bool> {
        has->bind(1, QString::fromLatin1(key));
        auto row = has->step();
        has->reset();
        if (!row)
            return row.error();
        return !*row;
    };
    auto embedder = missing("embedder");
    if (!embedder)
        return embedder.error();
    if (*embedder) {
        // The model whose image space holds the most vectors is the one items were embedded with.
        auto guess = to.prepare("SELECT s.model_id FROM spaces s WHERE s.modality = 'image' ORDER BY "
                                "(SELECT count(*) FROM embeddings e WHERE e.space_id = s.id) DESC, s.id DESC LIMIT 1");
        if (!guess)
            return guess.error();
        if (auto row = guess->step(); row && *row) {
            const QString model = guess->text(0);
            if (auto r = put->bind(1, QStringLiteral("embedder")).bind(2, model).run(); !r)
                return r;
            report.notes << QStringLiteral("the collection's model setting was lost; set to %1, the model of its vectors").arg(model);
        }
    }
    auto created = missing("created_ms");
    if (!created)
        return created.error();
    if (*created) {
        if (auto r = put->bind(1, QStringLiteral("created_ms")).bind(2, QString::number(QDateTime::currentMSecsSinceEpoch())).run(); !r)
            return r;
        report.notes << QStringLiteral("the collection's settings were damaged; its name and background may be back at their defaults");
    }

    // mtime -1 and no content hash: `add` sees the file as changed and embeds it again.
    if (auto r = to.exec("UPDATE items SET mtime_ms = -1, content_hash = '' WHERE "
                         "NOT EXISTS (SELECT 1 FROM thumbnails t WHERE t.item_id = items.id) OR NOT EXISTS "
                         "(SELECT 1 FROM embeddings e JOIN spaces s ON s.id = e.space_id JOIN collection_info c "
                         "ON c.key = 'embedder' AND s.modality = 'image' AND s.model_id = c.value "
                         "WHERE e.item_id = items.id)");
        !r)
        return r;
    report.itemsToRedo = to.changes();
    // Index files on disk name the revision they were built from; a new one makes them stale,
    // so they are rebuilt from what survived instead of returning ids of lost items.
    return to.exec("UPDATE spaces SET revision = revision + 1");
}

} // namespace

Result<SalvageReport> DatabaseSalvage::copy(const QString &damagedPath, const QString &newPath)
{
    SalvageReport report;
    auto from = Database::open(damagedPath, Database::Mode::ReadOnly);
    if (!from)
        return from.error();
    QFile::remove(newPath);
    auto to = Database::open(newPath, Database::Mode::ReadWriteCreate);
    if (!to)
        return to.error();
    auto version = sourceSchemaVersion(**from, report);
    if (!version)
        return version.error();
    report.schemaVersion = *version;
    if (auto r = Schema::migrateTo(**to, *version); !r)
        return r.error();
    auto tables = tablesOf(**to);
    if (!tables)
        return tables.error();

    // Parents may be lost while children survive: keys are checked once, at the end.
    if (auto r = (*to)->exec("PRAGMA foreign_keys=OFF"); !r)
        return r.error();
    {
        Transaction tx(**to);
        if (auto r = tx.begin(); !r)
            return r.error();
        int unreadableTables = 0;
        for (const TableShape &t : std::as_const(*tables)) {
            if (t.name == QLatin1String("schema_version"))
                continue; // written by migrateTo()
            auto copied = TableCopy(**from, **to, t).run();
            if (!copied) {
                ++unreadableTables;
                report.notes << QStringLiteral("table %1 could not be read at all: %2").arg(t.name, copied.errorMessage());
                report.tables << SalvagedTable{t.name, 0, 1};
                continue;
            }
            report.tables << *copied;
        }
        if (unreadableTables == int(report.tables.size()))
            return Error(QStringLiteral("nothing could be read from %1").arg(damagedPath), Error::Code::Corrupt);
        keepIdCounters(**from, **to, report);
        auto dropped = dropOrphans(**to, *tables);
        if (!dropped)
            return dropped.error();
        report.orphansDropped = *dropped;
        if (auto r = finishCollection(**to, report); !r)
            return r.error();
        if (auto r = tx.commit(); !r)
            return r.error();
    }
    if (auto r = (*to)->exec("PRAGMA foreign_keys=ON"); !r)
        return r.error();
    auto check = (*to)->prepare("PRAGMA integrity_check");
    if (!check)
        return check.error();
    if (auto row = check->step(); !row || !*row || check->text(0) != QLatin1String("ok"))
        return Error(QStringLiteral("the salvaged copy %1 does not pass SQLite's integrity check").arg(newPath), Error::Code::Corrupt);
    check = Statement();
    // One self-contained file (no WAL beside it), so that it can be renamed into place.
    if (auto r = (*to)->exec("PRAGMA journal_mode=DELETE"); !r)
        return r.error();
    return report;
}

} // namespace lookalike
