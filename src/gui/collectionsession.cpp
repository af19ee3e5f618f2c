#include "collectionsession.h"

#include "collection/collection.h"
#include "embed/embedder.h"
#include "embed/embedderfactory.h"
#include "models/modelcatalog.h"
#include "models/modelregistry.h"
#include "search/searchengine.h"

#include <QtConcurrent/QtConcurrentRun>

namespace lookalike {

namespace {

// The built-in embedder is small and quick to make: the ingest gets an instance of its own.
// Every other one is a model of gigabytes, loaded once and shared.
bool isBuiltIn(const QString &modelId)
{
    return modelId.isEmpty() || modelId == QLatin1String("classic") || EmbedderFactory::builtInIds().contains(modelId);
}

// The id the loaded embedder will report (ModelRegistry::idFor()), worked out without loading:
// the collection must store exactly that, or ingest refuses the embedder and text search does
// not use its text tower. "clip-tiny" and an absolute path into the models folder both become
// "clip:clip-tiny".
QString canonicalModelId(const QString &modelId)
{
    const auto resolved = ModelRegistry::resolve(modelId);
    if (!resolved || !*resolved)
        return modelId;
    const ModelRegistry::Resolved &r = **resolved;
    return ModelRegistry::idFor(r.family, r.file.isEmpty() ? r.folder : r.file);
}

// Example images need the embedder; items of the collection and words do not.
bool needsEmbedder(const SearchQuery &query)
{
    return !query.imageFiles.isEmpty() || !query.images.isEmpty() || !query.negativeImageFiles.isEmpty()
        || !query.negativeImages.isEmpty();
}

} // namespace

CollectionSession::CollectionSession(QObject *parent)
    : QObject(parent)
{
    m_loaderPool.setMaxThreadCount(1);
    m_indexPool.setMaxThreadCount(1);
    m_externalChanges.setInterval(2000);
    connect(&m_externalChanges, &QTimer::timeout, this, &CollectionSession::checkExternalChanges);
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
    return m_embedderState == EmbedderState::Ready && m_queryEmbedder && m_queryEmbedder->hasTextTower();
}

Result<void> CollectionSession::open(const QString &dir)
{
    close();
    auto collection = Collection::open(dir);
    if (!collection)
        return collection.error();
    m_collection = std::shared_ptr<Collection>(std::move(*collection));
    m_embedderState = EmbedderState::Loading;
    m_dataVersion = -1;
    checkExternalChanges();
    m_externalChanges.start();
    Q_EMIT opened();
    startLoadingEmbedder();
    // The task shares the collection, so closing it meanwhile costs the GUI nothing.
    m_indexPool.start([collection = m_collection] {
        if (auto index = collection->index(collection->imageSpaceName()); !index)
            qWarning("could not load the index of %s: %s", qPrintable(collection->path()), qPrintable(index.errorMessage()));
    });
    return {};
}

void CollectionSession::waitForBackgroundWork()
{
    m_indexPool.waitForDone();
}

void CollectionSession::startLoadingEmbedder()
{
    const QString modelId = m_collection->embedderId();
    const quint64 generation = ++m_loadGeneration;
    m_embedderState = EmbedderState::Loading;
    m_embedderError.clear();
    Q_EMIT embedderLoading(modelId);
    // The task owns what it makes; a session closed meanwhile only drops the result.
    QtConcurrent::run(&m_loaderPool, [modelId, generation] {
        LoadOutcome outcome;
        outcome.generation = generation;
        outcome.modelId = modelId;
        if (auto embedder = EmbedderFactory::create(modelId)) {
            outcome.embedder = std::shared_ptr<Embedder>(std::move(*embedder));
            // The built-in embedder's first image in a process costs ~140 ms more than the
            // rest (OpenCV builds its colour-conversion tables): pay it here, on the loader's
            // thread, not in the user's first query by an example image. Not for models: a
            // forward pass of a large one costs seconds of CPU that a user who only browses
            // or searches by words would pay for nothing.
            if (isBuiltIn(modelId)) {
                QImage warmUp(32, 32, QImage::Format_RGB888);
                warmUp.fill(Qt::gray);
                (void)outcome.embedder->embedImages(std::span(&warmUp, 1));
            }
        } else {
            outcome.error = embedder.errorMessage();
        }
        return outcome;
    }).then(this, [this](const LoadOutcome &outcome) { onEmbedderLoaded(outcome); });
}

void CollectionSession::onEmbedderLoaded(const LoadOutcome &outcome)
{
    if (!m_collection || outcome.generation != m_loadGeneration)
        return;
    if (!outcome.embedder) {
        // A collection whose model is not installed here can still be browsed and searched by
        // item and text; only example images and adding images need the embedder.
        m_embedderState = EmbedderState::Failed;
        m_embedderError = outcome.error;
        Q_EMIT embedderFailed(outcome.modelId, outcome.error);
        if (!m_ingestJob && !m_ingestQueue.isEmpty() && !isBuiltIn(outcome.modelId)) {
            m_ingestQueue.clear();
            Q_EMIT ingestFailed(tr("Cannot add images: %1").arg(outcome.error));
        }
        return;
    }
    m_queryEmbedder = outcome.embedder;
    m_embedderState = EmbedderState::Ready;
    Q_EMIT embedderReady(outcome.modelId);
    startNextIngest(); // inputs that waited for the model
}

Result<void> CollectionSession::create(const QString &dir, const QString &name, const QString &embedderId)
{
    // What config.json says, without loading weights: the GUI thread never waits for a model.
    auto model = ModelCatalog::describe(embedderId);
    if (!model)
        return model.error();
    CollectionOptions options;
    options.name = name;
    options.embedderId = canonicalModelId(model->id);
    // 0 when only loading tells (a TorchScript module whose sidecar states no "dimension"):
    // the collection then starts without an image space, and the first ingest creates it with
    // the loaded model's dimension. No load on the GUI thread, and no refusal.
    options.dimension = model->dimension;
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
    m_externalChanges.stop();
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
    // Saving may wait for an index still loading, or rebuild one that outgrew its kind: not on
    // the GUI thread. The task holds the last reference; the collection closes when it is done.
    m_indexPool.start([collection = std::move(m_collection)] {
        if (auto saved = collection->saveIndexes(); !saved)
            qWarning("could not save the indexes of %s: %s", qPrintable(collection->path()), qPrintable(saved.errorMessage()));
    });
    m_collection.reset();
    ++m_loadGeneration; // a load in flight is dropped when it arrives
    m_queryEmbedder.reset();
    m_embedderState = EmbedderState::None;
    m_embedderError.clear();
    Q_EMIT closed();
}

void CollectionSession::checkExternalChanges()
{
    if (!m_collection)
        return;
    auto version = m_collection->dataVersion();
    if (!version)
        return;
    const bool changed = m_dataVersion >= 0 && *version != m_dataVersion;
    m_dataVersion = *version;
    // A running ingest of ours announces its own commits.
    if (changed && !m_ingestJob)
        Q_EMIT itemsChanged();
}

void CollectionSession::search(const SearchQuery &query)
{
    if (!m_collection) {
        Q_EMIT searchFailed(tr("No collection is open."));
        return;
    }
    if (needsEmbedder(query) && m_embedderState != EmbedderState::Ready) {
        // Supersedes a search still running, as any newer request does.
        ++m_searchGeneration;
        m_pendingSearch.reset();
        m_pendingOutliers.reset();
        if (m_embedderState == EmbedderState::Failed)
            Q_EMIT searchFailed(tr("Example images cannot be searched: the model %1 is not available (%2). "
                                   "Items of the collection and words can still be searched.")
                                    .arg(m_collection->embedderId(), m_embedderError));
        else
            Q_EMIT searchFailed(tr("The model %1 is still loading; search by example images once it is ready. "
                                   "Items of the collection and words can be searched meanwhile.")
                                    .arg(m_collection->embedderId()));
        return;
    }
    ++m_searchGeneration;
    m_pendingOutliers.reset();
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

void CollectionSession::findOutliers(const OutlierParams &params)
{
    if (!m_collection) {
        Q_EMIT searchFailed(tr("No collection is open."));
        return;
    }
    ++m_searchGeneration;
    m_pendingSearch.reset();
    if (m_searchWatcher.isRunning()) { // as in search(): after the running one
        m_pendingOutliers = params;
        return;
    }
    const quint64 generation = m_searchGeneration;
    std::shared_ptr<Collection> collection = m_collection;
    m_searchWatcher.setFuture(QtConcurrent::run([collection, params, generation] {
        SearchOutcome outcome;
        outcome.generation = generation;
        outcome.outliers = params;
        outcome.result = OutlierFinder::findAsResult(*collection, params);
        return outcome;
    }));
}

void CollectionSession::onSearchDone()
{
    // Whatever was asked for while this one ran goes next; search() and findOutliers() bump
    // the generation again.
    if (m_pendingSearch) {
        SearchQuery next = std::move(*m_pendingSearch);
        m_pendingSearch.reset();
        --m_searchGeneration;
        search(next);
        return;
    }
    if (m_pendingOutliers) {
        const OutlierParams next = *m_pendingOutliers;
        m_pendingOutliers.reset();
        --m_searchGeneration;
        findOutliers(next);
        return;
    }
    const SearchOutcome outcome = m_searchWatcher.result();
    if (outcome.generation != m_searchGeneration)
        return;
    if (!outcome.result)
        Q_EMIT searchFailed(outcome.result.errorMessage());
    else if (outcome.outliers)
        Q_EMIT outliersFound(*outcome.result, outcome.outliers->neighbours);
    else
        Q_EMIT searchFinished(outcome.query, *outcome.result);
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
    const QString modelId = m_collection->embedderId();
    if (isBuiltIn(modelId)) {
        // An embedder of its own, so that queries can embed example images while the ingest
        // runs, whatever the embedder's thread-safety; it is cheap to make.
        auto embedder = EmbedderFactory::create(modelId);
        if (!embedder) {
            m_ingestQueue.clear();
            Q_EMIT ingestFailed(tr("Cannot add images: %1").arg(embedder.errorMessage()));
            return;
        }
        m_ingestEmbedder = std::shared_ptr<Embedder>(std::move(*embedder));
    } else if (m_embedderState == EmbedderState::Ready) {
        m_ingestEmbedder = m_queryEmbedder;
    } else if (m_embedderState == EmbedderState::Failed) {
        m_ingestQueue.clear();
        Q_EMIT ingestFailed(tr("Cannot add images: %1").arg(m_embedderError));
        return;
    } else {
        return; // onEmbedderLoaded() starts it
    }
    IngestParams params;
    params.inputs = std::exchange(m_ingestQueue, {});
    params.backgroundPriority = true; // the window stays responsive while every core decodes
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
