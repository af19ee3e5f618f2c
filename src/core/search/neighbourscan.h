#pragma once

#include "collection/collection.h"

#include <atomic>
#include <functional>
#include <span>

namespace lookalike {

// An item of a space and its nearest other items, best first (the item itself left out).
// Returning false stops the scan.
using NeighbourFn = std::function<bool(qint64 id, std::span<const ScoredId> neighbours)>;

// Every item of a space with its `neighbours` nearest others, in id order: what the dataset
// checks (near-duplicate groups, outliers) are made of. The stored vectors stream through
// in batches, each answered by one batched index search, so memory stays flat whatever the
// collection's size. Neighbours come from the space's index, so above the exact-search
// threshold they are the ANN index's (recall as in docs/index.md). A set `cancel` stops the
// scan early without an error: the caller decides what a partial scan means.
Result<void> forEachNeighbourList(Collection &collection, const QString &spaceName, int neighbours,
                                  const std::atomic<bool> *cancel, const NeighbourFn &fn);

} // namespace lookalike
