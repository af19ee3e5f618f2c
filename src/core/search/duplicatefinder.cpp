#include "duplicatefinder.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace lookalike {

namespace {

class DisjointSets
{
public:
    size_t add()
    {
        m_parent.push_back(m_parent.size());
        return m_parent.size() - 1;
    }
    size_t find(size_t x)
    {
        while (m_parent[x] != x) {
            m_parent[x] = m_parent[m_parent[x]];
            x = m_parent[x];
        }
        return x;
    }
    void unite(size_t a, size_t b) { m_parent[find(a)] = find(b); }

private:
    std::vector<size_t> m_parent;
};

} // namespace

Result<DuplicateResult> DuplicateFinder::find(Collection &collection, const DuplicateParams &params,
                                              const std::atomic<bool> *cancel)
{
    const QString spaceName = params.space.isEmpty() ? collection.imageSpaceName() : params.space;
    auto index = collection.index(spaceName);
    if (!index)
        return index.error();
    auto ignored = collection.notDuplicatePairs();
    if (!ignored)
        return ignored.error();

    DuplicateResult result;
    std::unordered_map<qint64, size_t> slot;
    std::vector<qint64> idOf;
    DisjointSets sets;
    auto slotOf = [&](qint64 id) {
        auto [it, inserted] = slot.try_emplace(id, 0);
        if (inserted) {
            it->second = sets.add();
            idOf.push_back(id);
        }
        return it->second;
    };
    struct Link
    {
        qint64 a, b;
        float score;
    };
    std::vector<Link> links;
    const int k = std::max(2, params.neighbours + 1); // +1: an item finds itself first

    Result<void> failure;
    auto scan = collection.forEachEmbedding(spaceName, [&](std::span<const qint64> ids, std::span<const float> vectors) {
        if (cancel && cancel->load())
            return false;
        auto hits = (*index)->searchBatch(vectors, k);
        if (!hits) {
            failure = hits.error();
            return false;
        }
        for (size_t i = 0; i < ids.size(); ++i) {
            for (const ScoredId &h : (*hits)[i]) {
                if (h.id == ids[i] || h.id < 0)
                    continue;
                const qint64 a = std::min(ids[i], h.id), b = std::max(ids[i], h.id);
                if (ids[i] < h.id)
                    result.pairScores.push_back(h.score);
                if (h.score >= params.threshold && !ignored->contains({a, b}))
                    links.push_back({a, b, h.score});
            }
        }
        return true;
    });
    if (!scan)
        return scan.error();
    if (!failure)
        return failure.error();

    for (const Link &l : links)
        sets.unite(slotOf(l.a), slotOf(l.b));
    std::unordered_map<size_t, DuplicateGroup> byRoot;
    for (size_t s = 0; s < idOf.size(); ++s)
        byRoot[sets.find(s)].ids.push_back(idOf[s]);
    for (const Link &l : links) {
        DuplicateGroup &g = byRoot[sets.find(slot[l.a])];
        g.maxScore = std::max(g.maxScore, l.score);
        g.minLinkScore = g.minLinkScore == 0 ? l.score : std::min(g.minLinkScore, l.score);
    }
    for (auto &[root, g] : byRoot) {
        std::sort(g.ids.begin(), g.ids.end());
        result.groups.push_back(std::move(g));
    }
    std::sort(result.groups.begin(), result.groups.end(), [](const DuplicateGroup &a, const DuplicateGroup &b) {
        if (a.ids.size() != b.ids.size())
            return a.ids.size() > b.ids.size();
        if (a.maxScore != b.maxScore)
            return a.maxScore > b.maxScore;
        return a.ids.front() < b.ids.front();
    });
    return result;
}

} // namespace lookalike
