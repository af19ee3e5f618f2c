#pragma once

#include "util/result.h"

namespace lookalike {

class Database;

// The collection's SQLite schema, reached through numbered migrations. Each migration runs
// in its own transaction together with the bump of schema_version, so a crash mid-migration
// leaves the previous version intact.
class Schema final
{
public:
    static int latestVersion();
    // 0 for a database that has never been migrated.
    static Result<int> currentVersion(Database &db);
    // Migrates to latestVersion(); refuses databases newer than this build understands.
    static Result<void> migrate(Database &db);
    // Migrates only up to `version` (<= latestVersion()): a salvaged copy is given the schema
    // of the database it came from, so that later migrations still see the data they expect.
    static Result<void> migrateTo(Database &db, int version);
};

} // namespace lookalike
