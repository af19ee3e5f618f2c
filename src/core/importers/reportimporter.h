#pragma once

#include "util/csvreader.h"
#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <span>
#include <vector>

namespace lookalike {

class Collection;

// A problem with one CSV row (or one item, for sidecars); the import goes on without it.
struct ImportRowError
{
    qint64 line = 0; // physical line in the CSV where the row starts; 0 when not from a CSV
    QString message; // begins with "line N: " for CSV rows
};

struct ReportImportOptions
{
    // Let image_path name files outside the CSV's folder (absolute paths elsewhere, "..",
    // symbolic links leading out). Off by default: a CSV received from elsewhere must not
    // make the importer touch arbitrary files.
    bool allowOutside = false;
    // Recorded with every report (reports.source).
    QString source = QStringLiteral("csv");
    CsvOptions csv;
};

// How the rows of a CSV map to items of a collection.
//  - image_path (relative to the CSV's folder, or absolute) is resolved and compared with the
//    items' uri (its canonical form and the cleaned absolute form are both tried).
//  - Failing that, the filename column (or the last segment of image_path) is looked up;
//    exactly one item with that file name is a match, several are an error naming them.
//  - A row whose image_path leaves the CSV's folder (lexically, or through a symbolic link)
//    is rejected unless allowOutside; it does not fall back to its filename.
//  - Rows that are malformed (wrong field count, invalid UTF-8) are rejected.
//  - When several rows land on one item the first wins; later ones are errors.
struct CsvRowMatches
{
    QStringList header;
    // One entry per data row (CsvRow::index): the item id, or -1 (unmatched or rejected).
    std::vector<qint64> itemIds;
    std::vector<qint64> lines; // CSV line of each data row
    qint64 matchedByPath = 0;
    qint64 matchedByFilename = 0;
    QList<ImportRowError> errors;
    QList<qint64> unmatchedLines; // well-formed rows that matched no item
};

struct ReportImportResult
{
    qint64 rowsRead = 0;
    qint64 matched = 0;
    qint64 matchedByPath = 0;
    qint64 matchedByFilename = 0;
    qint64 reportsSet = 0;
    qint64 metadataEntries = 0;
    QList<ImportRowError> errors;
    QList<qint64> unmatchedLines;
};

struct SidecarOptions
{
    qint64 maxBytes = 1 << 20;
    // Replace a report the item already has (e.g. from a CSV); off by default.
    bool overwrite = false;
    QString source = QStringLiteral("sidecar");
};

struct SidecarImportResult
{
    qint64 itemsScanned = 0;
    qint64 found = 0;      // items with a sidecar file
    qint64 reportsSet = 0;
    qint64 skippedExisting = 0;
    QList<ImportRowError> errors; // message names the sidecar file
};

// Imports radiology reports and metadata from a CSV in the layout
// `image_id, filename, image_path, uid, report_text[, more columns…]` into an existing
// collection (the images themselves are ingested first, e.g. from imagePaths()).
// report_text becomes the item's report (CRLF normalised to LF; empty cells leave the
// report as it was); every other non-empty column except filename and image_path becomes a
// metadata key/value, image_id and uid included. Column names are matched case-insensitively.
// The CSV is parsed completely before anything is written: a file that turns out malformed
// (an unterminated quote, say) imports nothing.
class ReportImporter final
{
public:
    explicit ReportImporter(Collection &collection);

    Result<ReportImportResult> importCsv(const QString &csvPath, const ReportImportOptions &options = {});

    // The image files the CSV's rows name, resolved and checked as for matching (rows
    // escaping the CSV's folder, missing files and malformed rows are left out and reported
    // in `errors` when given), in row order without duplicates.
    static Result<QStringList> imagePaths(const QString &csvPath, const ReportImportOptions &options = {},
                                          QList<ImportRowError> *errors = nullptr);

    // Row → item matching alone; shared with EmbeddingImporter so that both agree.
    Result<CsvRowMatches> matchRows(const QString &csvPath, const ReportImportOptions &options = {});

    // Reports from text files beside the images: for an item /a/b/x.png, /a/b/x.png.txt is
    // read, else /a/b/x.txt. UTF-8 (a BOM is skipped), at most maxBytes, CRLF normalised,
    // surrounding whitespace trimmed; empty files are ignored. `ids` empty = every item.
    Result<SidecarImportResult> importSidecars(std::span<const qint64> ids = {}, const SidecarOptions &options = {});

private:
    Collection &m_collection;
};

} // namespace lookalike
