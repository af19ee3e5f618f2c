#pragma once

#include "collection/collection.h"

#include <functional>

namespace lookalike {

class Embedder;

struct ReembedOptions
{
    int threads = 0; // decode workers; 0 = one per core
    int batchSize = 64;
    // After the switch, delete the old model's spaces (image and report vectors) and index
    // files. Off by default: switching back is then free.
    bool dropOldSpaces = false;
    std::function<bool()> stopRequested;
    std::function<void(qint64 done, qint64 total)> progress;
};

struct ReembedResult
{
    qint64 total = 0;     // items in the collection
    qint64 embedded = 0;  // vectors computed by this run
    qint64 fromThumbnail = 0; // items whose file is gone or unreadable, embedded from their thumbnail
    qint64 reportsEmbedded = 0;
    QList<IngestErrorRecord> errors; // items that could not be embedded at all
    bool cancelled = false;
    bool switched = false; // the collection now uses the new model
    QString previousModel;
};

// Moves a collection to another model. Every item is embedded into the new model's space
// ("image:<new id>") while the collection keeps using the old one, so search works throughout;
// items already there are skipped, so an interrupted run resumes where it stopped. When every
// item has a vector, the collection switches to the new model in one transaction
// (Collection::switchModel), and the reports get vectors from the new model's text tower. If
// some items could not be embedded, nothing switches and the errors say which.
// Items are decoded from their files; one whose file is gone or unreadable is embedded from its
// stored thumbnail (256 px) instead, and counted as such.
class Reembedder final
{
public:
    static Result<ReembedResult> run(Collection &collection, Embedder &embedder, const ReembedOptions &options = {});
};

} // namespace lookalike
