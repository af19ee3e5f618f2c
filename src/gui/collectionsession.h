#pragma once

#include "ingest/ingestjob.h"
#include "search/outlierfinder.h"
#include "search/query.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace lookalike {

class Collection;
class Embedder;

// The collection the window works on, and the long-running work done to it: loading its model,
// searches and ingests run on worker threads and report back here, on the GUI thread, as
// signals. Widgets read the collection through collection() (short reads are fine on the GUI
// thread) but never start work that can take long themselves.
//
// The collection's embedder loads in the background after open() and create() (a SigLIP model
// takes seconds and gigabytes). Until it is ready, queries by example image fail with a message
// saying so, text queries use the report words only, and ingests wait for it.
class CollectionSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CollectionSession)

public:
    explicit CollectionSession(QObject *parent = nullptr);
    ~CollectionSession() override;

    Result<void> open(const QString &dir);
    // Waits until the index of a collection closed before is written back (before deleting its
    // folder, say).
    void waitForBackgroundWork();
    // Reads the model's description only (ModelCatalog::describe), never its weights; the model
    // then loads in the background as after open().
    Result<void> create(const QString &dir, const QString &name, const QString &embedderId);
    // Cancels a running ingest (keeping what it committed), saves indexes, lets go of the files.
    // A model still loading is not waited for: its result is dropped on arrival, and the next
    // load starts after it (one loader thread), so two models never load at once.
    void close();

    bool isOpen() const { return bool(m_collection); }
    std::shared_ptr<Collection> collection() const { return m_collection; }
    QString path() const;
    QString embedderId() const;
    // False until the embedder is ready.
    bool embedderHasText() const;

    enum class EmbedderState { None, Loading, Ready, Failed };
    EmbedderState embedderState() const { return m_embedderState; }
    // Why the embedder could not be loaded (EmbedderState::Failed).
    QString embedderError() const { return m_embedderError; }

    // Starts a search; an earlier one still running is superseded (its result is dropped).
    // Answers with searchFinished or searchFailed.
    void search(const SearchQuery &query);
    // The collection's outliers (OutlierFinder), on the search thread: answers with
    // outliersFound or searchFailed; a later search supersedes it, and it supersedes earlier ones.
    void findOutliers(const OutlierParams &params);
    bool isSearching() const { return m_searchWatcher.isRunning(); }

    // Queues files and folders for adding; they start at once when no ingest runs and the model
    // is ready, else when the running one finishes or the model has loaded.
    void ingest(const QStringList &inputs);
    // An ingest runs, or inputs wait for the model.
    bool isIngesting() const { return m_ingestJob != nullptr || !m_ingestQueue.isEmpty(); }
    void cancelIngest();
    // Ingest settings applied to jobs started from now on.
    void setIngestThreads(int threads) { m_ingestThreads = threads; }
    void setThumbnailSide(int side) { m_thumbnailSide = side; }

    Result<void> removeItems(const std::vector<qint64> &ids);

Q_SIGNALS:
    void opened();
    void closed();
    void embedderLoading(const QString &modelId);
    void embedderReady(const QString &modelId);
    void embedderFailed(const QString &modelId, const QString &message);
    void searchFinished(const lookalike::SearchQuery &query, const lookalike::SearchResult &result);
    void searchFailed(const QString &message);
    void outliersFound(const lookalike::SearchResult &result, int neighbours);
    void ingestStarted(qint64 total);
    void ingestProgress(const lookalike::IngestProgress &progress);
    // New or changed items were committed: by an ingest of this session (after each chunk), or
    // by another program (noticed within about two seconds).
    void itemsChanged();
    void itemsRemoved(const std::vector<qint64> &ids);
    void ingestFinished(const lookalike::IngestResult &result);
    void ingestFailed(const QString &message);

private:
    void startNextIngest();
    void onSearchDone();
    void startLoadingEmbedder();

    struct LoadOutcome
    {
        quint64 generation = 0;
        QString modelId;
        std::shared_ptr<Embedder> embedder;
        QString error;
    };
    void onEmbedderLoaded(const LoadOutcome &outcome);

    struct SearchOutcome
    {
        quint64 generation = 0;
        SearchQuery query;
        std::optional<OutlierParams> outliers; // set when this answers findOutliers()
        Result<SearchResult> result = Error();
    };

    std::shared_ptr<Collection> m_collection;
    // Embeds example images and query texts. A vision-language or TorchScript model is shared
    // with the ingest (their methods are thread-safe; a second copy would double gigabytes).
    std::shared_ptr<Embedder> m_queryEmbedder;
    EmbedderState m_embedderState = EmbedderState::None;
    QString m_embedderError;
    quint64 m_loadGeneration = 0;
    // One thread: loads run one after the other. Its destructor waits for a load in flight.
    QThreadPool m_loaderPool;
    // One thread for the image index: read into memory right after open (the first search would
    // otherwise pay for it: ~2 s for 100,000 items), written back after close, off the GUI
    // thread. Its destructor waits for both.
    QThreadPool m_indexPool;
    quint64 m_searchGeneration = 0;
    QFutureWatcher<SearchOutcome> m_searchWatcher;
    std::optional<SearchQuery> m_pendingSearch; // asked for while one was running
    std::optional<OutlierParams> m_pendingOutliers; // the same for findOutliers()

    QStringList m_ingestQueue;
    IngestJob *m_ingestJob = nullptr;
    QFutureWatcher<Result<IngestResult>> m_ingestWatcher;
    std::shared_ptr<Embedder> m_ingestEmbedder;
    int m_ingestThreads = 0;
    int m_thumbnailSide = 256;

    // Other programs (lookalike-cli, the REST server) may write to the open collection: a
    // poll of its data version tells the window to show what they added or removed.
    QTimer m_externalChanges;
    qint64 m_dataVersion = -1;
    void checkExternalChanges();
};

} // namespace lookalike
