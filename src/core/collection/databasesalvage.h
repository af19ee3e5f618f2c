#pragma once

#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace lookalike {

// What a salvage could read out of one table of the damaged database.
struct SalvagedTable
{
    QString name;
    qint64 copied = 0;
    // Places where SQLite could not read on and the copy had to skip ahead (rows there lost).
    int damagedRanges = 0;
};

struct SalvageReport
{
    int schemaVersion = 0;
    QList<SalvagedTable> tables;
    // Rows whose item (or space) could not be salvaged: vectors, reports, metadata of lost items.
    qint64 orphansDropped = 0;
    // Items that lost their vector or thumbnail: marked changed, so the next `add` of their
    // folder embeds them again.
    qint64 itemsToRedo = 0;
    QStringList notes;
    // Where the damaged file was moved to (Collection::repairDatabase keeps it).
    QString damagedFile;

    qint64 copied(const QString &table) const;
    int damagedRanges() const;
    int damagedRanges(const QString &table) const;
};

// Reads every row SQLite can still read from a damaged collection database and writes them
// into a new database of the same schema version; the damaged file is only ever read.
//
// Rows are read in key order. Where reading fails (a corrupt page), the copy probes ahead on
// the leading integer key (exponentially, then by bisection) for the first key it can read
// again, so one bad page costs the rows on it rather than the rest of the table; a table with
// a text key is read from both ends instead. Afterwards rows pointing at a lost item are
// dropped (foreign keys), items that lost their vector or thumbnail are marked for re-adding,
// and every space's revision is bumped so that index files on disk are rebuilt rather than
// trusted: they may hold ids that did not survive.
class DatabaseSalvage final
{
public:
    static Result<SalvageReport> copy(const QString &damagedPath, const QString &newPath);
};

} // namespace lookalike
