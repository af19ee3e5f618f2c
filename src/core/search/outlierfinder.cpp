#include "outlierfinder.h"

#include "neighbourscan.h"

#include <algorithm>
#include <queue>

namespace lookalike {

namespace {

// Orders the kept outliers so that the heap's top is the least unusual one (first to go).
bool moreUnusual(const Outlier &a, const Outlier &b)
{
    return a.meanScore != b.meanScore ? a.meanScore < b.meanScore : a.id < b.id;
}

} // namespace

Result<std::vector<Outlier>> OutlierFinder::find(Collection &collection, const OutlierParams &params,
                                                 const std::atomic<bool> *cancel)
{
    const QString spaceName = params.space.isEmpty() ? collection.imageSpaceName() : params.space;
    const size_t limit = size_t(std::max(0, params.limit));
    // The `limit` most unusual so far, in a bounded heap: memory does not grow with the collection.
    std::priority_queue<Outlier, std::vector<Outlier>, decltype(&moreUnusual)> kept(&moreUnusual);
    auto scan = forEachNeighbourList(collection, spaceName, params.neighbours, cancel,
                                     [&](qint64 id, std::span<const ScoredId> neighbours) {
                                         if (neighbours.empty() || limit == 0)
                                             return true;
                                         double sum = 0;
                                         for (const ScoredId &h : neighbours)
                                             sum += h.score;
                                         const Outlier o{id, float(sum / double(neighbours.size())),
                                                         neighbours.front().id, neighbours.front().score};
                                         if (kept.size() < limit)
                                             kept.push(o);
                                         else if (moreUnusual(o, kept.top())) {
                                             kept.pop();
                                             kept.push(o);
                                         }
                                         return true;
                                     });
    if (!scan)
        return scan.error();
    std::vector<Outlier> result;
    result.reserve(kept.size());
    for (; !kept.empty(); kept.pop())
        result.push_back(kept.top());
    std::reverse(result.begin(), result.end());
    return result;
}

Result<SearchResult> OutlierFinder::findAsResult(Collection &collection, const OutlierParams &params,
                                                 const std::atomic<bool> *cancel)
{
    auto found = find(collection, params, cancel);
    if (!found)
        return found.error();
    std::vector<qint64> ids;
    for (const Outlier &o : *found)
        ids.push_back(o.id);
    auto items = collection.itemsByIds(ids);
    if (!items)
        return items.error();
    auto reports = collection.reports(ids);
    if (!reports)
        return reports.error();
    SearchResult result;
    for (const Outlier &o : *found) {
        SearchHit hit;
        hit.id = o.id;
        hit.score = hit.imageScore = o.meanScore;
        hit.item = items->value(o.id);
        hit.report = reports->value(o.id);
        result.hits.append(hit);
    }
    result.totalMatches = result.hits.size();
    const QString spaceName = params.space.isEmpty() ? collection.imageSpaceName() : params.space;
    if (auto index = collection.index(spaceName); index && !(*index)->isExact())
        result.exact = false; // the neighbours came from the ANN index
    result.fusion = QStringLiteral("outliers: mean cosine to the %1 nearest neighbours, lowest first").arg(params.neighbours);
    return result;
}

} // namespace lookalike
