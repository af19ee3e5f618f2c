#pragma once

#include "collection/collection.h"
#include "media/imagedecoder.h"
#include "net/urlfetcher.h"

#include <QObject>
#include <QStringList>

#include <atomic>

namespace lookalike {

class Embedder;

struct IngestParams
{
    QStringList inputs;          // files, folders and http(s) URLs
    int threads = 0;             // decode workers; 0 = one per core
    int batchSize = 64;          // items per transaction (and per pipeline chunk)
    int thumbnailSide = 256;
    bool readSidecarReports = true; // <image>.txt beside an image becomes its report
    DecodeOptions decode;        // maxSide is raised to what embedder and thumbnails need;
                                 // the background is the collection's
    // For URL inputs; its maxBytes is capped at decode.maxFileBytes and its cancel is the job's.
    UrlFetchOptions fetch;
    // Decode workers run at a lower priority (nice +10), so that an interactive program (the
    // GUI) stays responsive while they keep every core busy; the CLI leaves them at full speed.
    bool backgroundPriority = false;
    // Checked like cancel(); lets a signal handler stop the job (it may only touch atomics).
    const std::atomic<bool> *interrupt = nullptr;
};

struct IngestProgress
{
    qint64 done = 0;  // files processed (written, unchanged or failed)
    qint64 total = 0; // files discovered
    qint64 failed = 0;
    double rate = 0;  // files per second, over the job so far
    double etaSeconds = -1;
    qint64 urlsFetched = 0; // URL inputs downloaded (or failed) so far, of
    qint64 urlsToFetch = 0; // those not already in the collection
};

struct IngestResult
{
    qint64 discovered = 0;
    qint64 added = 0;
    qint64 updated = 0;   // changed files, re-embedded
    qint64 unchanged = 0; // same path, size and mtime (or same bytes): skipped
    qint64 relinked = 0;  // moved files recognised by their bytes
    qint64 failed = 0;
    qint64 skippedNonImages = 0;
    qint64 fetched = 0;       // URLs downloaded (the items they became count as added or failed)
    qint64 fetchedBytes = 0;
    bool cancelled = false;
    double seconds = 0;
    QList<IngestErrorRecord> errors;
    QStringList missing; // items under the given folders whose files are gone from disk
    qint64 reportsEmbedded = 0; // report texts embedded by the model's text tower (ReportEmbedder)
};

// Adds files, folders and URLs to a collection: discover → decode + thumbnail (+ embed when the
// embedder is reentrant) on a thread pool → embed (batched, otherwise) → write (one writer,
// one transaction per chunk). Two chunks are in flight at most, so memory stays flat whatever
// the number of files. Cancellation is cooperative: what was committed stays.
// URLs download alongside (UrlDownloadStage: several at once, each under its own timeouts) into
// the collection's files/, so the collection stays usable offline; the item's uri is the URL. A
// URL already in the collection is not fetched again.
class IngestJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IngestJob)

public:
    IngestJob(Collection &collection, Embedder &embedder, IngestParams params, QObject *parent = nullptr);
    ~IngestJob() override;

    // Blocking; call it from a worker thread in a GUI. Fatal problems (the collection cannot be
    // written) are errors; per-file problems are in IngestResult::errors.
    Result<IngestResult> run();
    // Thread-safe; run() returns soon after, keeping everything already committed.
    void cancel();
    bool isCancelled() const;

Q_SIGNALS:
    void started(qint64 total);
    // Emitted from the thread that runs run(), after each committed chunk.
    void progressChanged(const lookalike::IngestProgress &progress);

private:
    bool stopRequested() const;

    Collection &m_collection;
    Embedder &m_embedder;
    IngestParams m_params;
    std::atomic<bool> m_cancel{false};
};

} // namespace lookalike
