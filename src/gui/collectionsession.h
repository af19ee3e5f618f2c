#pragma once

#include "ingest/ingestjob.h"
#include "search/query.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <memory>

namespace lookalike {

class Collection;
class Embedder;

// The collection the window works on, and the long-running work done to it: searches and
// ingests run on worker threads and report back here, on the GUI thread, as signals. Widgets
// read the collection through collection() (short reads are fine on the GUI thread) but never
// start work that can take long themselves.
class CollectionSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CollectionSession)

public:
    explicit CollectionSession(QObject *parent = nullptr);
    ~CollectionSession() override;

    Result<void> open(const QString &dir);
    Result<void> create(const QString &dir, const QString &name, const QString &embedderId);
    // Cancels a running ingest (keeping what it committed), saves indexes, lets go of the files.
    void close();

    bool isOpen() const { return bool(m_collection); }
    std::shared_ptr<Collection> collection() const { return m_collection; }
    QString path() const;
    QString embedderId() const;
    bool embedderHasText() const;

    // Starts a search; an earlier one still running is superseded (its result is dropped).
    // Answers with searchFinished or searchFailed.
    void search(const SearchQuery &query);
    bool isSearching() const { return m_searchWatcher.isRunning(); }

    // Queues files and folders for adding; they start at once when no ingest runs, else when
    // the running one finishes.
    void ingest(const QStringList &inputs);
    bool isIngesting() const { return m_ingestJob != nullptr; }
    void cancelIngest();
    // Ingest settings applied to jobs started from now on.
    void setIngestThreads(int threads) { m_ingestThreads = threads; }
    void setThumbnailSide(int side) { m_thumbnailSide = side; }

    Result<void> removeItems(const std::vector<qint64> &ids);

Q_SIGNALS:
    void opened();
    void closed();
    void searchFinished(const lookalike::SearchQuery &query, const lookalike::SearchResult &result);
    void searchFailed(const QString &message);
    void ingestStarted(qint64 total);
    void ingestProgress(const lookalike::IngestProgress &progress);
    // New or changed items were committed (during an ingest, after each chunk).
    void itemsChanged();
    void itemsRemoved(const std::vector<qint64> &ids);
    void ingestFinished(const lookalike::IngestResult &result);
    void ingestFailed(const QString &message);

private:
    void startNextIngest();
    void onSearchDone();

    struct SearchOutcome
    {
        quint64 generation = 0;
        SearchQuery query;
        Result<SearchResult> result = Error();
    };

    std::shared_ptr<Collection> m_collection;
    std::shared_ptr<Embedder> m_queryEmbedder; // embeds example images for queries
    quint64 m_searchGeneration = 0;
    QFutureWatcher<SearchOutcome> m_searchWatcher;
    std::optional<SearchQuery> m_pendingSearch; // asked for while one was running

    QStringList m_ingestQueue;
    IngestJob *m_ingestJob = nullptr;
    QFutureWatcher<Result<IngestResult>> m_ingestWatcher;
    std::shared_ptr<Embedder> m_ingestEmbedder;
    int m_ingestThreads = 0;
    int m_thumbnailSide = 256;
};

} // namespace lookalike
