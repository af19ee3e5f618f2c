#pragma once

#include "collection/collection.h"
#include "search/query.h"

#include <atomic>

namespace lookalike {

struct Outlier
{
    qint64 id = -1;
    float meanScore = 0;    // mean cosine to its `neighbours` nearest items: low = unlike the rest
    qint64 nearestId = -1;  // its nearest item
    float nearestScore = 0; // and how similar that one is
};

struct OutlierParams
{
    int neighbours = 10; // k of the k nearest neighbours the score averages over
    int limit = 50;      // how many outliers to return
    QString space;       // empty = the collection's image space
};

// The items least like any others: each item's score is its mean similarity to its k nearest
// neighbours (a k-nearest-neighbour outlier score: unlike a single nearest neighbour, one
// accidental look-alike does not hide an odd image, and unlike a distance to a global mean, a
// small cluster of its own kind does not make an image an outlier). Mislabelled, corrupt or
// off-topic images of a dataset tend to come first. Returns the `limit` lowest, lowest first
// (ties by id); empty for a collection of fewer than two items.
class OutlierFinder final
{
public:
    static Result<std::vector<Outlier>> find(Collection &collection, const OutlierParams &params,
                                             const std::atomic<bool> *cancel = nullptr);
    // The same, as a page of search results for interfaces that show results: in the same
    // order, score = image score = the mean similarity, each hit with its item and report.
    static Result<SearchResult> findAsResult(Collection &collection, const OutlierParams &params,
                                             const std::atomic<bool> *cancel = nullptr);
};

} // namespace lookalike
