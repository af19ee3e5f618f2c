#include "neighbourscan.h"

#include <algorithm>

namespace lookalike {

Result<void> forEachNeighbourList(Collection &collection, const QString &spaceName, int neighbours,
                                  const std::atomic<bool> *cancel, const NeighbourFn &fn)
{
    auto index = collection.index(spaceName);
    if (!index)
        return index.error();
    neighbours = std::max(1, neighbours);
    const int k = neighbours + 1; // an item normally finds itself first
    Result<void> failure;
    std::vector<ScoredId> others;
    others.reserve(size_t(k));
    auto scan = collection.forEachEmbedding(spaceName, [&](std::span<const qint64> ids, std::span<const float> vectors) {
        if (cancel && cancel->load())
            return false;
        auto hits = (*index)->searchBatch(vectors, k);
        if (!hits) {
            failure = hits.error();
            return false;
        }
        for (size_t i = 0; i < ids.size(); ++i) {
            others.clear();
            for (const ScoredId &h : (*hits)[i]) {
                if (h.id != ids[i] && h.id >= 0 && int(others.size()) < neighbours)
                    others.push_back(h);
            }
            if (!fn(ids[i], others))
                return false;
        }
        return true;
    });
    if (!scan)
        return scan.error();
    return failure;
}

} // namespace lookalike
