#include "duplicatefinder.h"

#include "neighbourscan.h"

#include <QSet>
#include <QUrl>

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

// The folder that holds every file item (its path ends in '/'); empty when there are none.
// Read in chunks of ids, so a collection of a million items is never in memory at once.
Result<QString> commonFolder(Collection &collection)
{
    auto ids = collection.itemIds();
    if (!ids)
        return ids.error();
    QString common;
    bool first = true;
    constexpr size_t kChunk = 4096;
    for (size_t at = 0; at < ids->size(); at += kChunk) {
        auto items = collection.itemsByIds(std::span(*ids).subspan(at, std::min(kChunk, ids->size() - at)));
        if (!items)
            return items.error();
        for (const ItemRecord &item : std::as_const(*items)) {
            if (!item.uri.startsWith(u'/'))
                continue;
            const QString folder = item.uri.left(item.uri.lastIndexOf(u'/') + 1);
            if (first) {
                common = folder;
                first = false;
                continue;
            }
            qsizetype same = 0;
            while (same < common.size() && same < folder.size() && common[same] == folder[same])
                ++same;
            common.truncate(common.left(same).lastIndexOf(u'/') + 1); // whole folder names only
        }
    }
    return common;
}

QString topFolderBelow(const QString &common, const ItemRecord &item)
{
    if (!item.uri.startsWith(u'/'))
        return QUrl(item.uri).host();
    const QString rest = item.uri.mid(common.size());
    const qsizetype slash = rest.indexOf(u'/');
    return slash < 0 ? QString() : rest.left(slash); // a file in the common folder itself: no split
}

// Gives each group's items their split and keeps the groups that span two or more.
Result<void> keepGroupsAcrossSplits(Collection &collection, const DuplicateParams &params,
                                    std::vector<DuplicateGroup> &groups)
{
    QString common;
    if (params.splitBy == SplitBy::TopFolder) {
        auto folder = commonFolder(collection);
        if (!folder)
            return folder.error();
        common = *folder;
    }
    for (DuplicateGroup &g : groups) {
        if (params.splitBy == SplitBy::TopFolder) {
            auto items = collection.itemsByIds(g.ids);
            if (!items)
                return items.error();
            for (qint64 id : g.ids)
                g.splits << topFolderBelow(common, items->value(id));
        } else {
            for (qint64 id : g.ids) {
                auto metadata = collection.metadata(id);
                if (!metadata)
                    return metadata.error();
                g.splits << metadata->value(params.splitKey);
            }
        }
    }
    std::erase_if(groups, [](const DuplicateGroup &g) {
        QSet<QString> distinct(g.splits.begin(), g.splits.end());
        distinct.remove(QString());
        return distinct.size() < 2;
    });
    return {};
}

} // namespace

Result<DuplicateResult> DuplicateFinder::find(Collection &collection, const DuplicateParams &params,
                                              const std::atomic<bool> *cancel)
{
    const QString spaceName = params.space.isEmpty() ? collection.imageSpaceName() : params.space;
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
    auto scan = forEachNeighbourList(collection, spaceName, params.neighbours, cancel,
                                     [&](qint64 id, std::span<const ScoredId> neighbours) {
                                         for (const ScoredId &h : neighbours) {
                                             const qint64 a = std::min(id, h.id), b = std::max(id, h.id);
                                             if (id < h.id)
                                                 result.pairScores.push_back(h.score);
                                             if (h.score >= params.threshold && !ignored->contains({a, b}))
                                                 links.push_back({a, b, h.score});
                                         }
                                         return true;
                                     });
    if (!scan)
        return scan.error();

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
    if (params.splitBy != SplitBy::None) {
        auto split = keepGroupsAcrossSplits(collection, params, result.groups);
        if (!split)
            return split.error();
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
