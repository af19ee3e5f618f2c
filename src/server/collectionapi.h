#pragma once

#include "apilimits.h"
#include "apiresponse.h"
#include "collection/collection.h"
#include "net/urlfetcher.h"
#include "search/searchengine.h"

#include <QUrlQuery>

#include <atomic>
#include <memory>

namespace lookalike {
class Embedder;
}

namespace lookalike::server {

// The endpoints of one served collection (/api/{name}/...), each a blocking call that
// RestServer runs on a worker thread. Every method may run on several threads at once: the
// collection and the search engine are thread-safe, and so are the model embedders
// (VisionLanguageEmbedder's methods may be called concurrently, TorchScriptEmbedder serialises
// its forward passes), which is why one embedder serves both searches and adds. Adds are one
// at a time per collection (tryStartAdd()), and so are the whole-collection scans
// (tryStartScan()).
class CollectionApi final
{
public:
    struct Setup
    {
        QString name; // the URL segment: the collection's folder name
        std::unique_ptr<Collection> collection;
        // The collection's embedder, or null when it could not be made (`embedderError` says
        // why): searches by item and text still work; example images and adds answer 503.
        std::shared_ptr<Embedder> embedder;
        QString embedderError;
    };

    CollectionApi(Setup setup, const ApiLimits &limits, const UrlFetchOptions &fetch, const std::atomic<bool> *stopping);
    ~CollectionApi();
    CollectionApi(const CollectionApi &) = delete;
    CollectionApi &operator=(const CollectionApi &) = delete;

    QString name() const { return m_name; }
    Collection &collection() { return *m_collection; }

    Result<QJsonObject> summary();                    // an entry of GET /api/collections
    ApiResponse stats();                              // GET /api/{c}/stats
    ApiResponse items(const QUrlQuery &query);        // GET /api/{c}/items?offset&limit&vectors
    ApiResponse item(qint64 id);                      // GET /api/{c}/items/{id}
    ApiResponse thumbnail(qint64 id);                 // GET /api/{c}/items/{id}/thumbnail
    ApiResponse remove(qint64 id);                    // DELETE /api/{c}/items/{id}
    ApiResponse search(const QByteArray &body);       // POST /api/{c}/search
    ApiResponse add(const QByteArray &body);          // POST /api/{c}/items; after tryStartAdd()
    ApiResponse outliers(const QUrlQuery &query);     // GET /api/{c}/outliers; after tryStartScan()
    ApiResponse duplicates(const QUrlQuery &query);   // GET /api/{c}/duplicates; after tryStartScan()

    // Claims the collection's one add slot; false while another add runs (the caller answers
    // 409). add() gives the slot back when it returns.
    bool tryStartAdd();
    // The same for the whole-collection scans (outliers, duplicates): one at a time per
    // collection, so that they never hold more than one of the search workers.
    bool tryStartScan();

private:
    ApiResponse modelUnavailable() const;
    // The answer for an item that could not be read: the lookup's error, else 404.
    ApiResponse absent(qint64 id, const Result<std::optional<ItemRecord>> &lookup) const;

    QString m_name;
    std::unique_ptr<Collection> m_collection;
    std::shared_ptr<Embedder> m_embedder;
    QString m_embedderError;
    SearchEngine m_engine;
    ApiLimits m_limits;
    UrlFetchOptions m_fetch;
    const std::atomic<bool> *m_stopping;
    std::atomic<bool> m_adding{false};
    std::atomic<bool> m_scanning{false};
};

} // namespace lookalike::server
