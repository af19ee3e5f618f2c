#pragma once

#include "collection/collection.h"
#include "ingest/filediscovery.h"
#include "net/urlfetcher.h"

#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

class QThread;

namespace lookalike {

// The ingest's first stage for URL inputs: downloads them on a thread of its own (UrlFetcher,
// several at once) while the rest of the pipeline decodes and commits what has arrived, so a
// URL that hangs until its timeout holds up nothing but itself. What arrives is sniffed (an
// HTML page or anything else that is no image is that URL's error) and stored in the
// collection's files/ (Collection::storeFile); the ingest then reads it like any file, with
// the URL as the item's uri.
class UrlDownloadStage final
{
public:
    struct Arrived
    {
        std::vector<DiscoveredFile> files; // path = the copy in files/, sourceUrl = the URL
        QList<IngestErrorRecord> errors;   // stage "fetch" (or "write" when files/ is not writable)
        qint64 bytes = 0;
    };

    // `options.cancelled` is polled by the downloads; the stage ends soon after it says true.
    UrlDownloadStage(Collection &collection, QStringList urls, UrlFetchOptions options);
    ~UrlDownloadStage(); // waits for the download thread (cancel first to make that quick)
    Q_DISABLE_COPY_MOVE(UrlDownloadStage)

    void start();
    // What arrived since the last call: at most `maxFiles` files, and every error. With
    // `waitMs` > 0, waits that long at most for something to arrive.
    Arrived take(size_t maxFiles, int waitMs);
    // Every URL has ended (arrived or failed) and take() has handed everything out.
    bool drained() const;
    qsizetype ended() const { return m_ended.load(); } // URLs done, either way

private:
    void run();

    Collection &m_collection;
    const QStringList m_urls;
    const UrlFetchOptions m_options;
    std::unique_ptr<QThread> m_thread;
    std::atomic<qsizetype> m_ended{0};

    mutable std::mutex m_mutex;
    std::condition_variable m_arrived;
    std::deque<DiscoveredFile> m_files;
    QList<IngestErrorRecord> m_errors;
    bool m_finished = false;
};

} // namespace lookalike
