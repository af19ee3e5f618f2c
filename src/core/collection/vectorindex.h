#pragma once

#include "util/result.h"

#include <QString>

#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace lookalike {

struct ScoredId
{
    qint64 id = -1;
    float score = 0.f; // inner product = cosine for L2-normalised vectors
};

// How a space's index is built. Documented in docs/index.md; defaults measured in bench/.
struct IndexParams
{
    // Below this many vectors the index is exact (flat inner product behind an id map);
    // at or above it an IVF index is trained on the vectors themselves.
    qint64 exactThreshold = 20000;
    // IVF nprobe is calibrated at build time on a sample of the collection's own vectors
    // until recall@10 against exact search reaches this (as a lower bound: mean − 2 SE).
    // 0.96 keeps measured recall@10 above the product's 0.95 with margin (0.957 on the 1M
    // bench set) at about half the probes 0.97 needs there (docs/BENCHMARKS.md).
    double targetRecall = 0.96;
};

// Streams the vectors of one space out of the collection so that an index can be built
// without a second full copy of them in memory.
class VectorSource
{
public:
    using BatchFn = std::function<bool(std::span<const qint64> ids, std::span<const float> vectors)>;
    virtual ~VectorSource() = default;
    virtual qint64 count() const = 0;
    virtual int dimension() const = 0;
    // Calls fn with consecutive batches (vectors holds ids.size() × dimension() floats) until
    // every vector was delivered or fn returns false.
    virtual Result<void> forEachBatch(const BatchFn &fn) const = 0;
};

// A FAISS index over one embedding space, keyed by item id (FAISS id = SQLite rowid).
// Thread-safe: searches share a lock, add/remove take it exclusively.
// FAISS exceptions never escape: they become Errors.
class VectorIndex final
{
public:
    ~VectorIndex();
    VectorIndex(const VectorIndex &) = delete;
    VectorIndex &operator=(const VectorIndex &) = delete;

    // An empty exact index (a new space); null for a dimension outside 1…65536.
    static std::unique_ptr<VectorIndex> createEmpty(int dimension, const IndexParams &params = {});
    static Result<std::unique_ptr<VectorIndex>> build(const VectorSource &source, const IndexParams &params = {});

    // Loads `path` and its sidecar `path + ".meta"` (written by save()). Errors:
    // NotFound when either is missing; Corrupt when unreadable, truncated or the checksum
    // does not match; Generic ("stale") when revision, count or dimension differ from
    // what the database says. The caller then rebuilds from SQLite.
    static Result<std::unique_ptr<VectorIndex>> load(const QString &path, quint64 expectedRevision,
                                                     qint64 expectedCount, int expectedDimension,
                                                     const IndexParams &params = {});

    // Atomic: writes temp files, fsyncs, renames the index file, then the sidecar.
    Result<void> save(const QString &path, quint64 revision) const;

    // Ids already present get the new vector; an id twice in one call, a negative id, a size
    // that is not ids × dimension() or NaN/∞ is InvalidArgument. remove() ignores absent ids.
    Result<void> add(std::span<const qint64> ids, std::span<const float> vectors);
    Result<void> remove(std::span<const qint64> ids);

    // The k best ids by inner product, best first (min(k, size) of them; fewer only when
    // `allowed` leaves fewer). With `allowed` (sorted ascending; empty = no restriction) only
    // those ids can be returned; small allowed sets are scanned exactly. A query of the wrong
    // length, NaN/∞, k < 0 or an unsorted `allowed` is InvalidArgument.
    Result<std::vector<ScoredId>> search(std::span<const float> query, int k,
                                         std::span<const qint64> allowed = {}) const;
    // One result list per query row (queries holds n × dimension() floats).
    Result<std::vector<std::vector<ScoredId>>> searchBatch(std::span<const float> queries, int k) const;

    qint64 size() const;
    int dimension() const;
    bool isExact() const;
    // e.g. "exact (flat inner product)" or "IVF1024, nprobe 24 (recall@10 0.98 on 200 sampled queries)"
    QString description() const;
    // True when the index kind no longer suits its size (flat past the threshold, or IVF that
    // has grown far beyond what it was trained on); the owner rebuilds it when convenient.
    bool needsRebuild() const;
    // Bytes of vectors and ids used straight from the mapped index file (not copied into
    // memory): all of an IVF index's lists after load(), less the lists changed since.
    qint64 mappedBytes() const;
    // True when load() read a file whose lists are in FAISS's own format (written before
    // the mapped lists): it works, in memory; saving it again makes later loads map it.
    bool loadedFromOlderFormat() const;

private:
    struct Private;
    explicit VectorIndex(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace lookalike
