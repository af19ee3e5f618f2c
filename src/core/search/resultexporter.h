#pragma once

#include "search/query.h"

#include <atomic>

namespace lookalike {

struct ExportSummary
{
    int copied = 0;
    QString folder;
    QString csvPath;
    QList<IngestErrorRecord> failures; // uri + message of each file that could not be copied
};

// Copies hits' files into a folder as "<rank>_<file name>" (the order survives, names never
// collide) and writes results.csv beside them: rank, id, file, source, score, image_score,
// text_score, report. Used by `lookalike-cli export` and the GUI's Export.
class ResultExporter final
{
public:
    // `firstRank` is the rank of hits[0] (offset + 1 for a later page). A file that cannot be
    // copied is a failure in the summary, not an error; the CSV lists only copied files.
    // Files come from where `collection` keeps them (Collection::localFile: the copy in files/ for
    // an item added by URL); the CSV's source column keeps each item's uri.
    static Result<ExportSummary> exportHits(const Collection &collection, const QList<SearchHit> &hits, const QString &folder,
                                            int firstRank = 1, const std::atomic<bool> *cancel = nullptr);
    // RFC 4180 quoting when needed.
    static QString csvField(const QString &value);
};

} // namespace lookalike
