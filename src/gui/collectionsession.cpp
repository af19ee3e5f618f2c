#include "collectionsession.h"

#include "collection/collection.h"
#include "embed/embedder.h"
#include "embed/embedderfactory.h"
#include "search/searchengine.h"

#include <QtConcurrent/QtConcurrentRun>

namespace lookalike {

CollectionSession::CollectionSession(QObject *parent)
    : QObject(parent)
{
    connect(&m_searchWatcher, &QFutureWatcherBase::finished, this, &CollectionSession::onSearchDone);
    connect(&m_ingestWatcher, &QFutureWatcherBase::finished, this, [this] {
        const Result<IngestResult> result = m_ingestWatcher.result();
        delete m_ingestJob;
        m_ingestJob = nullptr;
        m_ingestEmbedder.reset();
        if (result)
            Q_EMIT ingestFinished(*result);
        else
            Q_EMIT ingestFailed(result.errorMessage());
        Q_EMIT itemsChanged();
        startNextIngest();
    });
}

CollectionSession::~CollectionSession()
{
    close();
}

QString CollectionSession::path() const
{
    return m_collection ? m_collection->path() : QString();
}

QString CollectionSession::embedderId() const
{
    return m_collection ? m_collection->embedderId() : QString();
}

bool CollectionSession::embedderHasText() const
{
    return m_queryEmbedder && m_queryEmbedder->hasTextTower();
}

Result<void> CollectionSession::open(const QString &dir)
{
    close();
    auto collection = Collection::open(dir);
    if (!collection)
        return collection.error();
    // A collection whose model is not installed here can still be browsed and searched by
    // item and text; only queries by new example images need the embedder.
    auto embedder = EmbedderFactory::create((*collection)->embedderId());
    m_collection = std::shared_ptr<Collection>(std::move(*collection));
    if (embedder)
        m_queryEmbedder = std::shared_ptr<Embedder>(std::move(*embedder));
    Q_EMIT opened();
    return {};
}

Result<void> CollectionSession::create(const QString &dir, const QString &name, const QString &embedderId)
{
    auto embedder = EmbedderFactory::create(embedderId);
    if (!embedder)
        return embedder.error();
    CollectionOptions options;
    options.name = name;
    options.embedderId = (*embedder)->id();
    options.dimension = (*embedder)->dimension();
    auto created = Collection::create(dir, options);
    if (!created)
        return created.error();
    created->reset();
    return open(dir);
}

void CollectionSession::close()
{
    if (!m_collection)
        return;
    m_ingestQueue.clear();
    if (m_ingestJob) {
        m_ingestJob->cancel();
        m_ingestWatcher.waitForFinished();
        // The finished handler runs from the event loop; do its part now.
        delete m_ingestJob;
        m_ingestJob = nullptr;
        m_ingestEmbedder.reset();
    }
    ++m_searchGeneration;
    m_pendingSearch.reset();
    m_searchWatcher.waitForFinished();
    if (auto saved = m_collection->saveIndexes(); !saved)
        qWarning("could not save the indexes of %s: %s", qPrintable(m_collection->path()),
                 qPrintable(saved.errorMessage()));
    m_collection.reset();
    m_queryEmbedder.reset();
    Q_EMIT closed();
}

void CollectionSession::search(const SearchQuery &query)
{
    if (!m_collection) {
        Q_EMIT searchFailed(tr("No collection is open."));
        return;
    }
    ++m_searchGeneration;
    if (m_searchWatcher.isRunning()) {
        // One search at a time: the running one finishes (its result is dropped), then the
        // newest request runs. Typing fast never piles up threads.
        m_pendingSearch = query;
        return;
    }
    const quint64 generation = m_searchGeneration;
    std::shared_ptr<Collection> collection = m_collection;
    std::shared_ptr<Embedder> embedder = m_queryEmbedder;
    m_searchWatcher.setFuture(QtConcurrent::run([collection, embedder, query, generation] {
        SearchEngine engine(*collection, embedder.get());
        SearchOutcome outcome;
        outcome.generation = generation;
        outcome.query = query;
        outcome.result = engine.search(query);
        return outcome;
    }));
}

void CollectionSession::onSearchDone()
{
    if (m_pendingSearch) {
        SearchQuery next = std::move(*m_pendingSearch);
        m_pendingSearch.reset();
        --m_searchGeneration; // search() bumps it again
        search(next);
        return;
    }
    const SearchOutcome outcome = m_searchWatcher.result();
    if (outcome.generation != m_searchGeneration)
        return;
    if (outcome.result)
        Q_EMIT searchFinished(outcome.query, *outcome.result);
    else
        Q_EMIT searchFailed(outcome.result.errorMessage());
}

void CollectionSession::ingest(const QStringList &inputs)
{
    if (!m_collection || inputs.isEmpty())
        return;
    m_ingestQueue << inputs;
    if (!m_ingestJob)
        startNextIngest();
}

void CollectionSession::cancelIngest()
{
    m_ingestQueue.clear();
    if (m_ingestJob)
        m_ingestJob->cancel();
}

void CollectionSession::startNextIngest()
{
    if (!m_collection || m_ingestJob || m_ingestQueue.isEmpty())
        return;
    // The ingest gets an embedder of its own so that queries can embed example images while
    // it runs, whatever the embedder's thread-safety.
    auto embedder = EmbedderFactory::create(m_collection->embedderId());
    if (!embedder) {
        m_ingestQueue.clear();
        Q_EMIT ingestFailed(tr("Cannot add images: %1").arg(embedder.errorMessage()));
        return;
    }
    m_ingestEmbedder = std::shared_ptr<Embedder>(std::move(*embedder));
    IngestParams params;
    params.inputs = std::exchange(m_ingestQueue, {});
    params.threads = m_ingestThreads;
    params.thumbnailSide = m_thumbnailSide;
    m_ingestJob = new IngestJob(*m_collection, *m_ingestEmbedder, params);
    // The job signals from its worker thread; copies hop to this thread.
    connect(m_ingestJob, &IngestJob::started, m_ingestJob, [this](qint64 total) {
        QMetaObject::invokeMethod(this, [this, total] { Q_EMIT ingestStarted(total); }, Qt::QueuedConnection);
    }, Qt::DirectConnection);
    connect(m_ingestJob, &IngestJob::progressChanged, m_ingestJob, [this](const IngestProgress &p) {
        QMetaObject::invokeMethod(this, [this, p] {
            Q_EMIT ingestProgress(p);
            Q_EMIT itemsChanged();
        }, Qt::QueuedConnection);
    }, Qt::DirectConnection);
    IngestJob *job = m_ingestJob;
    std::shared_ptr<Collection> collection = m_collection;
    m_ingestWatcher.setFuture(QtConcurrent::run([job, collection]() -> Result<IngestResult> {
        auto result = job->run();
        // Saving here keeps the GUI thread free; a crash later costs no index rebuild.
        if (auto saved = collection->saveIndexes(); !saved && result)
            result->errors.append({QString(), QStringLiteral("write"), saved.errorMessage(), 0});
        return result;
    }));
}

Result<void> CollectionSession::removeItems(const std::vector<qint64> &ids)
{
    if (!m_collection)
        return Error(tr("No collection is open."), Error::Code::InvalidArgument);
    if (auto removed = m_collection->removeItems(ids); !removed)
        return removed;
    Q_EMIT itemsRemoved(ids);
    return {};
}

} // namespace lookalike
