#pragma once

#include "collection/collection.h"

#include <atomic>

namespace lookalike {

struct DuplicateGroup
{
    std::vector<qint64> ids; // ascending
    float maxScore = 0;      // the most similar pair inside the group
    float minLinkScore = 0;  // the weakest link that joined the group
    QStringList splits;      // with a split asked for: each id's split, in the order of `ids`
};

// Which part of a dataset an item belongs to, for leak checks ("is an image of the test set
// also in the training set?").
enum class SplitBy {
    None,
    Metadata,  // the value of the metadata key `DuplicateParams::splitKey` ("" when it has none)
    TopFolder, // the first folder below the folder that holds every file of the collection
               // (data/train/cat/1.jpg and data/test/dog/2.jpg: "train", "test"; a file in that
               // folder itself: none); an item added by URL: its host
};

struct DuplicateParams
{
    float threshold = 0.95f; // cosine at or above which two items are near-duplicates
    int neighbours = 16;     // neighbours examined per item
    QString space;           // empty = the collection's image space
    // Leak check: only groups with items of at least two different (non-empty) splits.
    SplitBy splitBy = SplitBy::None;
    QString splitKey;
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
