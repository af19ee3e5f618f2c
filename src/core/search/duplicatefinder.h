#pragma once

#include "collection/collection.h"

#include <atomic>

namespace lookalike {

struct DuplicateGroup
{
    std::vector<qint64> ids; // ascending
    float maxScore = 0;      // the most similar pair inside the group
    float minLinkScore = 0;  // the weakest link that joined the group
};

struct DuplicateParams
{
    float threshold = 0.95f; // cosine at or above which two items are near-duplicates
    int neighbours = 16;     // neighbours examined per item
    QString space;           // empty = the collection's image space
};

struct DuplicateResult
{
    std::vector<DuplicateGroup> groups; // largest first, then by maxScore
    std::vector<float> pairScores;      // score of every neighbour pair seen (a < b), for histograms
};

// Near-duplicate groups: every item's nearest neighbours at or above the threshold are linked,
// and linked items form a group (single linkage), minus pairs marked "not a duplicate".
class DuplicateFinder final
{
public:
    static Result<DuplicateResult> find(Collection &collection, const DuplicateParams &params,
                                        const std::atomic<bool> *cancel = nullptr);
};

} // namespace lookalike
