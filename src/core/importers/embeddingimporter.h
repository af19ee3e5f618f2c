#pragma once

#include "importers/reportimporter.h"
#include "util/result.h"

#include <QString>
#include <QStringList>

namespace lookalike {

class Collection;

struct EmbeddingImportOptions
{
    QString modality = QStringLiteral("image"); // "image" or "text"
    QString modelId;                            // required, e.g. "medsiglip-448"
    ReportImportOptions match;                  // how CSV rows find their items
    qint64 batchRows = 4096;                    // rows per transaction
    // Vectors whose L2 norm is further than this from 1 are reported as "were not unit".
    double unitTolerance = 1e-3;
};

struct EmbeddingImportResult
{
    QString spaceName;
    int dimension = 0;
    QString sourceDtype;         // as the .npy declared it, e.g. "<f4"
    qint64 rows = 0;             // N, = data rows of the CSV
    qint64 imported = 0;
    qint64 skippedUnmatched = 0; // rows whose CSV row matched no item (or was rejected)
    qint64 rejected = 0;         // NaN/Inf or all-zero vectors
    qint64 notUnit = 0;          // imported vectors that had to be normalised noticeably
    QList<ImportRowError> errors; // rejected vectors, and the CSV's own row errors
    QStringList warnings;
};

// Imports precomputed embeddings (a float .npy of shape (N, D), row i ↔ data row i of the
// CSV the same export produced) as an embedding space of its own, named by the user:
// "<modality>:<model id>", with the .npy's path recorded as the space's source. Rows are
// matched to items exactly as ReportImporter::matchRows does; unmatched rows are skipped.
// Vectors are stored L2-normalised (search scores are inner products); rows with NaN/Inf or
// zero norm are rejected one by one. Everything that can be known before writing is checked
// first (header, file size, N against the CSV's rows, D against an existing space): a
// mismatch imports nothing. Writes then go in batches of batchRows, each a transaction.
class EmbeddingImporter final
{
public:
    explicit EmbeddingImporter(Collection &collection);

    Result<EmbeddingImportResult> importNpy(const QString &npyPath, const QString &csvPath,
                                            const EmbeddingImportOptions &options);

private:
    Collection &m_collection;
};

} // namespace lookalike
