#include "collection/vectorindex.h"

#include "collection/ivflists.h"

#include "util/logging.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <faiss/invlists/InvertedLists.h>
#include <faiss/utils/distances.h>

#include <omp.h>
#include <xxhash.h>

#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <optional>
#include <random>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_set>

namespace lookalike {

namespace {

using FaissId = faiss::Index::idx_t;
static_assert(sizeof(FaissId) == sizeof(qint64));

// Tuning constants. docs/index.md explains each; bench/bench_index.cpp measures them.
constexpr int kMaxDimension = 65536;
constexpr int kMetaFormatVersion = 1;
constexpr qint64 kMaxMetaBytes = 64 * 1024;
constexpr int kCalibrationQueries = 500;
constexpr double kCalibrationZ = 2.0; // standard errors of margin on the calibrated recall
constexpr int kCalibrationK = 10;
constexpr int kTrainPointsPerList = 40;  // FAISS warns below 39 points per centroid
constexpr int kKmeansIterations = 10;    // FAISS's default is 25; nprobe calibration absorbs the difference
constexpr int kMinNlist = 16;
constexpr int kMaxNlist = 16384;
constexpr qint64 kStageRows = 16384;     // rows buffered while building (32 MiB at d=512)
constexpr qint64 kExactFilterMin = 4096; // allowed sets this small are always scanned exactly
constexpr qint64 kScanBlock = 4096;
// An IVF index trained on N vectors is rebuilt once it holds this many times N.
constexpr qint64 kRegrowFactor = 4;

const char *kKindFlat = "flat";
const char *kKindIvf = "ivf-flat";

// nlist ≈ 2·√N, bounded so that every list gets kTrainPointsPerList training points.
// With a flat coarse quantizer a query costs ~(nlist + nprobe·N/nlist)·d. On the bench's
// clustered set at 1M×512, 2·√N and 4·√N lists needed the same nprobe (8) for recall@10 ≥ 0.97,
// so queries cost the same, while 2·√N trains and assigns in a quarter of the time
// (docs/index.md has the figures).
int nlistFor(qint64 n)
{
    const double raw = 2.0 * std::sqrt(double(std::max<qint64>(n, 1)));
    qint64 nlist = std::clamp<qint64>(qint64(std::lround(raw)), kMinNlist, kMaxNlist);
    nlist = std::min<qint64>(nlist, std::max<qint64>(1, n / kTrainPointsPerList));
    return int(std::max<qint64>(nlist, 1));
}

// ---------------------------------------------------------------------------------------
// Threads. A single query gains nothing from FAISS's per-query OpenMP parallelism, and
// OpenMP teams from concurrent callers on two cores spin against each other (measured:
// 2-thread BLAS search 10-30× slower under load). Single-query searches therefore run on
// one thread (omp_set_num_threads is per calling thread in libgomp, and OpenBLAS's OpenMP
// build follows it); batch searches, build and add keep the caller's OpenMP setting.
class OmpThreadsScope
{
public:
    explicit OmpThreadsScope(int n) : m_previous(omp_get_max_threads()) { omp_set_num_threads(n); }
    ~OmpThreadsScope() { omp_set_num_threads(m_previous); }
    OmpThreadsScope(const OmpThreadsScope &) = delete;
    OmpThreadsScope &operator=(const OmpThreadsScope &) = delete;

private:
    int m_previous;
};

void configureFaissOnce()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Debian's FAISS is built "generic": its non-BLAS distance loop is scalar, and for
        // the IVF coarse quantizer (one query against nlist centroids) BLAS is faster from
        // one query up (measured in bench/; TOOLCHAIN pitfall 4). Flat single-query search
        // does not go through FAISS at all (see innerProducts below).
        faiss::distance_compute_blas_threshold = 1;
        IvfLists::registerIo();
    });
}

// ---------------------------------------------------------------------------------------
// Inner-product kernels for single queries. FAISS's generic build computes one query
// against a flat matrix at ~2 GFLOP/s (scalar); this loop is vectorised (AVX2 chosen at run
// time by target_clones) and bandwidth-bound: 10k×512 in ~1 ms instead of ~4 ms.

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LOOKALIKE_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define LOOKALIKE_SIMD_CLONES
#endif

LOOKALIKE_SIMD_CLONES
void innerProductsRows(const float *q, const float *const *rows, qint64 n, int d, float *out)
{
    qint64 i = 0;
    for (; i + 4 <= n; i += 4) {
        const float *a = rows[i], *b = rows[i + 1], *c = rows[i + 2], *e = rows[i + 3];
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
        for (int j = 0; j < d; ++j) {
            const float x = q[j];
            s0 += x * a[j];
            s1 += x * b[j];
            s2 += x * c[j];
            s3 += x * e[j];
        }
        out[i] = s0;
        out[i + 1] = s1;
        out[i + 2] = s2;
        out[i + 3] = s3;
    }
    for (; i < n; ++i) {
        const float *a = rows[i];
        float s = 0;
#pragma omp simd reduction(+ : s)
        for (int j = 0; j < d; ++j)
            s += q[j] * a[j];
        out[i] = s;
    }
}

LOOKALIKE_SIMD_CLONES
void innerProductsContiguous(const float *q, const float *x, qint64 n, int d, float *out)
{
    qint64 i = 0;
    for (; i + 4 <= n; i += 4) {
        const float *a = x + i * d, *b = a + d, *c = b + d, *e = c + d;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
        for (int j = 0; j < d; ++j) {
            const float v = q[j];
            s0 += v * a[j];
            s1 += v * b[j];
            s2 += v * c[j];
            s3 += v * e[j];
        }
        out[i] = s0;
        out[i + 1] = s1;
        out[i + 2] = s2;
        out[i + 3] = s3;
    }
    for (; i < n; ++i) {
        const float *a = x + i * d;
        float s = 0;
#pragma omp simd reduction(+ : s)
        for (int j = 0; j < d; ++j)
            s += q[j] * a[j];
        out[i] = s;
    }
}

// Keeps the k best (score desc, then id asc so that ties are deterministic).
class TopK
{
public:
    explicit TopK(qint64 k) : m_k(std::max<qint64>(k, 0)) { m_heap.reserve(size_t(std::min<qint64>(m_k, 1 << 16))); }

    bool full() const { return qint64(m_heap.size()) >= m_k; }
    // Scores at or below this cannot enter (when full).
    float threshold() const { return full() && m_k > 0 ? m_heap.front().score : -std::numeric_limits<float>::infinity(); }

    void push(float score, qint64 id)
    {
        if (m_k == 0)
            return;
        const ScoredId s{id, score};
        if (!full()) {
            m_heap.push_back(s);
            std::push_heap(m_heap.begin(), m_heap.end(), better);
        } else if (better(s, m_heap.front())) {
            std::pop_heap(m_heap.begin(), m_heap.end(), better);
            m_heap.back() = s;
            std::push_heap(m_heap.begin(), m_heap.end(), better);
        }
    }

    std::vector<ScoredId> take()
    {
        std::sort(m_heap.begin(), m_heap.end(), better);
        return std::move(m_heap);
    }

    static bool better(const ScoredId &a, const ScoredId &b)
    {
        return a.score > b.score || (a.score == b.score && a.id < b.id);
    }

private:
    qint64 m_k;
    std::vector<ScoredId> m_heap; // heap whose front is the worst kept entry
};

bool allFinite(std::span<const float> v)
{
    for (float x : v)
        if (!std::isfinite(x))
            return false;
    return true;
}

// FAISS and allocation failures become Errors at every public entry point.
template <typename F>
auto guarded(const char *what, F &&f) -> decltype(f())
{
    try {
        return f();
    } catch (const faiss::FaissException &e) {
        qCWarning(lcIndex) << what << "failed in FAISS:" << e.what();
        return Error(QStringLiteral("Vector index: %1 failed: %2").arg(QLatin1String(what), QString::fromUtf8(e.what())),
                     Error::Code::Generic);
    } catch (const std::bad_alloc &) {
        qCWarning(lcIndex) << what << "ran out of memory";
        return Error(QStringLiteral("Vector index: %1 ran out of memory").arg(QLatin1String(what)), Error::Code::TooLarge);
    } catch (const std::exception &e) {
        qCWarning(lcIndex) << what << "failed:" << e.what();
        return Error(QStringLiteral("Vector index: %1 failed: %2").arg(QLatin1String(what), QString::fromUtf8(e.what())),
                     Error::Code::Generic);
    }
}

// ---------------------------------------------------------------------------------------
// Files: written through POSIX descriptors so that every byte can be fsynced and hashed.

class FdWriter final : public OffsetWriter
{
public:
    explicit FdWriter(int fd) : m_fd(fd), m_state(XXH3_createState())
    {
        if (!m_state)
            throw std::bad_alloc();
        XXH3_64bits_reset(m_state);
    }
    ~FdWriter() override { XXH3_freeState(m_state); }

    size_t operator()(const void *ptr, size_t size, size_t nitems) override
    {
        const size_t total = size * nitems;
        if (total == 0)
            return nitems;
        XXH3_64bits_update(m_state, ptr, total);
        const auto *p = static_cast<const char *>(ptr);
        size_t left = total;
        while (left > 0) {
            const ssize_t w = ::write(m_fd, p, std::min<size_t>(left, size_t(1) << 30));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                m_error = errno;
                return 0; // FAISS throws on a short write
            }
            p += w;
            left -= size_t(w);
        }
        m_bytes += total;
        return nitems;
    }
    int fileno() override { return m_fd; }
    quint64 offset() const override { return m_bytes; } // the file was created empty

    quint64 digest() const { return XXH3_64bits_digest(m_state); }
    quint64 bytes() const { return m_bytes; }
    int error() const { return m_error; }

private:
    int m_fd;
    XXH3_state_t *m_state;
    quint64 m_bytes = 0;
    int m_error = 0;
};

struct FileHash
{
    quint64 size = 0;
    quint64 xxh3 = 0;
};

Result<void> fsyncPath(const QString &path, bool directory)
{
    const int fd = ::open(QFile::encodeName(path).constData(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return Error(QStringLiteral("Cannot open %1: %2").arg(path, errnoText(errno)), Error::Code::Io);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0)
        return Error(QStringLiteral("Cannot sync %1: %2").arg(path, errnoText(err)), Error::Code::Io);
    return {};
}

// Writes `tmp` through `writeFn(FdWriter&)`, fsyncs it and renames it over `target`.
template <typename F>
Result<FileHash> writeAtomically(const QString &target, F &&writeFn)
{
    const QString tmp = target + QStringLiteral(".tmp");
    const QByteArray tmpName = QFile::encodeName(tmp);
    const int fd = ::open(tmpName.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return Error(QStringLiteral("Cannot create %1: %2").arg(tmp, errnoText(errno)), Error::Code::Io);
    auto fail = [&](Error e) {
        ::close(fd);
        ::unlink(tmpName.constData());
        return e;
    };
    FileHash hash;
    try {
        FdWriter writer(fd);
        writeFn(writer);
        if (writer.error() != 0)
            return fail(Error(QStringLiteral("Cannot write %1: %2").arg(tmp, errnoText(writer.error())), Error::Code::Io));
        hash.size = writer.bytes();
        hash.xxh3 = writer.digest();
    } catch (...) {
        ::close(fd);
        ::unlink(tmpName.constData());
        throw;
    }
    if (::fsync(fd) != 0)
        return fail(Error(QStringLiteral("Cannot sync %1: %2").arg(tmp, errnoText(errno)), Error::Code::Io));
    if (::close(fd) != 0) {
        ::unlink(tmpName.constData());
        return Error(QStringLiteral("Cannot close %1: %2").arg(tmp, errnoText(errno)), Error::Code::Io);
    }
    if (::rename(tmpName.constData(), QFile::encodeName(target).constData()) != 0) {
        const int err = errno;
        ::unlink(tmpName.constData());
        return Error(QStringLiteral("Cannot rename %1 to %2: %3").arg(tmp, target, errnoText(err)), Error::Code::Io);
    }
    return hash;
}

QString hex64(quint64 v) { return QStringLiteral("%1").arg(v, 16, 16, QLatin1Char('0')); }

} // namespace

// =======================================================================================

struct VectorIndex::Private
{
    int dim = 0;
    IndexParams params;

    // Exactly one of these layouts: flatMap (owning flat) or ivf (owning its quantizer).
    std::unique_ptr<faiss::Index> index;
    faiss::IndexIDMap2 *flatMap = nullptr;
    faiss::IndexFlat *flat = nullptr;
    faiss::IndexIVFFlat *ivf = nullptr;
    const IvfLists *ivfLists = nullptr;                  // the IVF's lists (in RAM or mapped)
    const faiss::IndexFlat *coarse = nullptr;            // the IVF's quantizer

    // IVF only.
    int nprobe = 0;
    qint64 builtCount = 0; // vectors the IVF index held when it was built
    double calibratedRecall = 0;
    int calibrationQueries = 0;
    bool olderFormat = false; // loaded from a file with FAISS's own list format

    mutable std::shared_mutex mutex; // searches share, add/remove exclusive
    mutable std::mutex turnstile;    // see readLock()
    mutable std::mutex saveMutex;    // one save at a time (they share the .tmp names)

    // glibc's rwlock prefers readers: a steady stream of searches would starve add() for
    // ever. A writer holds the turnstile while it waits, so new readers queue behind it.
    std::shared_lock<std::shared_mutex> readLock() const
    {
        std::lock_guard gate(turnstile);
        return std::shared_lock(mutex);
    }
    std::unique_lock<std::shared_mutex> writeLock() const
    {
        std::lock_guard gate(turnstile);
        return std::unique_lock(mutex);
    }

    void setFlat(std::unique_ptr<faiss::IndexIDMap2> m)
    {
        flatMap = m.get();
        flat = dynamic_cast<faiss::IndexFlat *>(m->index);
        if (!flat)
            throw std::runtime_error("unexpected exact index layout");
        ivf = nullptr;
        ivfLists = nullptr;
        coarse = nullptr;
        index = std::move(m);
    }
    void setIvf(std::unique_ptr<faiss::IndexIVFFlat> i)
    {
        // FAISS's own lists (a new index, or a file written before IvfLists) are moved over.
        if (auto *array = dynamic_cast<faiss::ArrayInvertedLists *>(i->invlists))
            i->replace_invlists(IvfLists::adopt(*array), true);
        ivf = i.get();
        ivfLists = dynamic_cast<const IvfLists *>(i->invlists);
        coarse = dynamic_cast<const faiss::IndexFlat *>(i->quantizer);
        if (!ivfLists || !coarse || i->code_size != size_t(i->d) * sizeof(float))
            throw std::runtime_error("unexpected IVF layout (unknown lists or quantizer not flat)");
        flatMap = nullptr;
        flat = nullptr;
        index = std::move(i);
    }

    qint64 count() const { return index ? qint64(index->ntotal) : 0; }

    // Row of `id` inside the index, or null.
    const float *rowOf(qint64 id) const
    {
        if (flatMap) {
            const auto it = flatMap->rev_map.find(FaissId(id));
            if (it == flatMap->rev_map.end())
                return nullptr;
            return flat->get_xb() + size_t(it->second) * size_t(dim);
        }
        if (ivf) {
            const auto &table = ivf->direct_map.hashtable;
            const auto it = table.find(FaissId(id));
            if (it == table.end())
                return nullptr;
            const size_t list = faiss::lo_listno(it->second);
            const size_t offset = faiss::lo_offset(it->second);
            return reinterpret_cast<const float *>(ivfLists->get_codes(list)) + offset * size_t(dim);
        }
        return nullptr;
    }

    bool contains(qint64 id) const
    {
        if (flatMap)
            return flatMap->rev_map.count(FaissId(id)) != 0;
        if (ivf)
            return ivf->direct_map.hashtable.count(FaissId(id)) != 0;
        return false;
    }

    // Exact scan of the given ids (sorted, may contain ids absent from the index).
    std::vector<ScoredId> scanIds(const float *q, qint64 k, std::span<const qint64> ids) const
    {
        TopK top(k);
        std::vector<const float *> rows;
        std::vector<qint64> rowIds;
        std::vector<float> scores;
        rows.reserve(size_t(std::min<qint64>(kScanBlock, qint64(ids.size()))));
        rowIds.reserve(rows.capacity());
        size_t i = 0;
        while (i < ids.size()) {
            rows.clear();
            rowIds.clear();
            for (; i < ids.size() && qint64(rows.size()) < kScanBlock; ++i) {
                if (i > 0 && ids[i] == ids[i - 1])
                    continue;
                if (const float *row = rowOf(ids[i])) {
                    rows.push_back(row);
                    rowIds.push_back(ids[i]);
                }
            }
            scores.resize(rows.size());
            innerProductsRows(q, rows.data(), qint64(rows.size()), dim, scores.data());
            for (size_t r = 0; r < rows.size(); ++r)
                top.push(scores[r], rowIds[r]);
        }
        return top.take();
    }

    // Exact scan of the whole flat index; with `allowed`, ids outside it are skipped.
    std::vector<ScoredId> scanFlat(const float *q, qint64 k, std::span<const qint64> allowed) const
    {
        TopK top(k);
        const qint64 n = count();
        const float *xb = flat->get_xb();
        const auto &idMap = flatMap->id_map;
        std::vector<float> scores(size_t(std::min(n, kScanBlock)));
        for (qint64 start = 0; start < n; start += kScanBlock) {
            const qint64 len = std::min(kScanBlock, n - start);
            innerProductsContiguous(q, xb + size_t(start) * size_t(dim), len, dim, scores.data());
            for (qint64 r = 0; r < len; ++r) {
                const float s = scores[size_t(r)];
                if (top.full() && s < top.threshold())
                    continue;
                const qint64 id = idMap[size_t(start + r)];
                if (!allowed.empty() && !std::binary_search(allowed.begin(), allowed.end(), id))
                    continue;
                top.push(s, id);
            }
        }
        return top.take();
    }

    // One query against the IVF index: the same lists FAISS would probe (the `probe` best
    // centroids), scanned with the vectorised kernel straight from FAISS's inverted lists
    // (IVFFlat stores raw float rows). With `allowed`, ids outside it are skipped; only
    // rows that beat the current k-th score pay for the membership test. Lists after the
    // first `probe` are scanned, best centroid first, until k results are found.
    std::vector<ScoredId> scanIvf(const float *q, qint64 k, int probe, std::span<const qint64> allowed) const
    {
        const qint64 nlist = qint64(ivf->nlist);
        std::vector<float> centroidScores(static_cast<size_t>(nlist));
        innerProductsContiguous(q, coarse->get_xb(), nlist, dim, centroidScores.data());
        std::vector<qint32> order(static_cast<size_t>(nlist));
        for (qint64 i = 0; i < nlist; ++i)
            order[size_t(i)] = qint32(i);
        const auto byScore = [&](qint32 a, qint32 b) {
            return centroidScores[size_t(a)] > centroidScores[size_t(b)] ||
                   (centroidScores[size_t(a)] == centroidScores[size_t(b)] && a < b);
        };
        qint64 sorted = std::clamp<qint64>(probe, 1, nlist);
        std::partial_sort(order.begin(), order.begin() + sorted, order.end(), byScore);

        TopK top(k);
        std::vector<float> scores(static_cast<size_t>(kScanBlock));
        for (qint64 rank = 0; rank < nlist; ++rank) {
            if (rank >= probe && top.full())
                break;
            if (rank == sorted) { // more lists needed: order the rest (rare)
                std::sort(order.begin() + sorted, order.end(), byScore);
                sorted = nlist;
            }
            const size_t list = size_t(order[size_t(rank)]);
            const qint64 n = qint64(ivfLists->list_size(list));
            const float *rows = reinterpret_cast<const float *>(ivfLists->get_codes(list));
            const FaissId *ids = ivfLists->get_ids(list);
            for (qint64 start = 0; start < n; start += kScanBlock) {
                const qint64 len = std::min(kScanBlock, n - start);
                innerProductsContiguous(q, rows + size_t(start) * size_t(dim), len, dim, scores.data());
                for (qint64 r = 0; r < len; ++r) {
                    const float s = scores[size_t(r)];
                    if (top.full() && s < top.threshold())
                        continue;
                    const qint64 id = qint64(ids[start + r]);
                    if (!allowed.empty() && !std::binary_search(allowed.begin(), allowed.end(), id))
                        continue;
                    top.push(s, id);
                }
            }
        }
        return top.take();
    }

    // FAISS IVF search of n queries at `probe`, raising nprobe for rows that come back
    // short (fewer than `want` results) until every list is probed.
    std::vector<std::vector<ScoredId>> searchIvf(const float *queries, qint64 n, qint64 k, int probe, qint64 want) const
    {
        std::vector<std::vector<ScoredId>> out(static_cast<size_t>(n));
        std::vector<qint64> pending(static_cast<size_t>(n));
        for (qint64 i = 0; i < n; ++i)
            pending[size_t(i)] = i;
        const int nlist = int(ivf->nlist);
        probe = std::clamp(probe, 1, nlist);
        std::vector<float> sub;
        for (;;) {
            const qint64 m = qint64(pending.size());
            const float *x = queries;
            if (m != n) {
                sub.resize(size_t(m) * size_t(dim));
                for (qint64 i = 0; i < m; ++i)
                    std::memcpy(sub.data() + size_t(i) * size_t(dim), queries + size_t(pending[size_t(i)]) * size_t(dim),
                                size_t(dim) * sizeof(float));
                x = sub.data();
            }
            faiss::SearchParametersIVF sp;
            sp.nprobe = size_t(probe);
            std::vector<float> dist(size_t(m) * size_t(k));
            std::vector<FaissId> labels(size_t(m) * size_t(k));
            ivf->search(m, x, k, dist.data(), labels.data(), &sp);
            std::vector<qint64> still;
            for (qint64 i = 0; i < m; ++i) {
                auto &row = out[size_t(pending[size_t(i)])];
                row.clear();
                for (qint64 j = 0; j < k; ++j) {
                    const FaissId id = labels[size_t(i * k + j)];
                    if (id >= 0)
                        row.push_back({qint64(id), dist[size_t(i * k + j)]});
                }
                if (qint64(row.size()) < want && probe < nlist)
                    still.push_back(pending[size_t(i)]);
            }
            if (still.empty())
                break;
            pending = std::move(still);
            probe = std::min(nlist, probe * 4);
        }
        return out;
    }

    QString describe() const
    {
        if (!ivf)
            return QStringLiteral("exact (flat inner product)");
        return QStringLiteral("IVF%1, nprobe %2 (recall@%3 %4 on %5 sampled queries)")
            .arg(ivf->nlist)
            .arg(nprobe)
            .arg(kCalibrationK)
            .arg(calibratedRecall, 0, 'f', 3)
            .arg(calibrationQueries);
    }
};

// =======================================================================================

namespace {

std::unique_ptr<faiss::IndexIDMap2> makeFlat(int dim)
{
    auto map = std::make_unique<faiss::IndexIDMap2>(new faiss::IndexFlatIP(dim));
    map->own_fields = true;
    return map;
}

// Validates one batch of ids/vectors for `dim`.
Result<void> checkBatch(std::span<const qint64> ids, std::span<const float> vectors, int dim)
{
    if (vectors.size() != ids.size() * size_t(dim))
        return Error(QStringLiteral("Vector index: %1 ids but %2 floats (dimension %3)")
                         .arg(ids.size())
                         .arg(vectors.size())
                         .arg(dim),
                     Error::Code::InvalidArgument);
    for (qint64 id : ids)
        if (id < 0)
            return Error(QStringLiteral("Vector index: negative id %1").arg(id), Error::Code::InvalidArgument);
    if (!allFinite(vectors))
        return Error(QStringLiteral("Vector index: vector contains NaN or infinity"), Error::Code::InvalidArgument);
    return {};
}

std::vector<FaissId> toFaissIds(std::span<const qint64> ids) { return {ids.begin(), ids.end()}; }

// Rows delivered by a VectorSource, buffered so that FAISS sees large batches.
class Stager
{
public:
    using Sink = std::function<void(qint64 n, const FaissId *ids, const float *x)>;
    Stager(int dim, Sink sink) : m_dim(dim), m_sink(std::move(sink))
    {
        m_ids.reserve(size_t(kStageRows));
        m_x.reserve(size_t(kStageRows) * size_t(dim));
    }
    void push(std::span<const qint64> ids, std::span<const float> x)
    {
        size_t i = 0;
        while (i < ids.size()) {
            const size_t take = std::min(ids.size() - i, size_t(kStageRows) - m_ids.size());
            m_ids.insert(m_ids.end(), ids.begin() + i, ids.begin() + i + take);
            m_x.insert(m_x.end(), x.begin() + i * size_t(m_dim), x.begin() + (i + take) * size_t(m_dim));
            i += take;
            if (qint64(m_ids.size()) >= kStageRows)
                flush();
        }
    }
    void flush()
    {
        if (m_ids.empty())
            return;
        m_sink(qint64(m_ids.size()), m_ids.data(), m_x.data());
        m_ids.clear();
        m_x.clear();
    }

private:
    int m_dim;
    Sink m_sink;
    std::vector<FaissId> m_ids;
    std::vector<float> m_x;
};

// Per-query exact top list, merged across batches (ids, best first).
struct GroundTruth
{
    int k = 0;
    std::vector<std::vector<ScoredId>> rows;

    void merge(qint64 nq, const float *dist, const FaissId *local, qint64 kk, const FaissId *batchIds)
    {
        for (qint64 q = 0; q < nq; ++q) {
            auto &row = rows[size_t(q)];
            for (qint64 j = 0; j < kk; ++j) {
                const FaissId l = local[size_t(q * kk + j)];
                if (l >= 0)
                    row.push_back({qint64(batchIds[l]), dist[size_t(q * kk + j)]});
            }
            std::sort(row.begin(), row.end(), TopK::better);
            if (qint64(row.size()) > k)
                row.resize(size_t(k));
        }
    }
};

// How well an IVF search at each nprobe finds the exact neighbours of the calibration
// queries. An IVF search that probes the p best lists returns the top k of the rows in those
// lists, so an exact neighbour is found iff its list ranks among the query's p best
// centroids: no trial searches are needed, the list rank of every exact neighbour gives the
// recall at every p at once. Exact neighbours are the ground truth without the query's own
// id (it is in the index).
class RecallCurve
{
public:
    RecallCurve(const faiss::IndexIVFFlat &ivf, const faiss::IndexFlat &coarse, const float *queries,
                const std::vector<qint64> &selfIds, const GroundTruth &gt, int k, int dim)
    {
        const size_t nlist = ivf.nlist;
        std::vector<float> scores(nlist);
        std::vector<qint32> order(nlist);
        std::vector<qint32> rankOf(nlist);
        for (size_t q = 0; q < gt.rows.size(); ++q) {
            innerProductsContiguous(queries + q * size_t(dim), coarse.get_xb(), qint64(nlist), dim, scores.data());
            for (size_t l = 0; l < nlist; ++l)
                order[l] = qint32(l);
            std::sort(order.begin(), order.end(), [&](qint32 a, qint32 b) {
                return scores[size_t(a)] > scores[size_t(b)] || (scores[size_t(a)] == scores[size_t(b)] && a < b);
            });
            for (size_t r = 0; r < nlist; ++r)
                rankOf[size_t(order[r])] = qint32(r);
            std::vector<qint32> ranks;
            for (const auto &s : gt.rows[q]) {
                if (s.id == selfIds[q] || int(ranks.size()) >= k)
                    continue;
                const auto it = ivf.direct_map.hashtable.find(FaissId(s.id));
                ranks.push_back(it == ivf.direct_map.hashtable.end() ? qint32(nlist)
                                                                      : rankOf[faiss::lo_listno(quint64(it->second))]);
            }
            if (!ranks.empty())
                m_ranks.push_back(std::move(ranks));
        }
    }

    qint64 queries() const { return qint64(m_ranks.size()); }

    // Mean recall@k over the queries at nprobe = p, and its standard error.
    std::pair<double, double> at(int p) const
    {
        if (m_ranks.empty())
            return {1.0, 0.0};
        double sum = 0, sumSq = 0;
        for (const auto &ranks : m_ranks) {
            const double r = double(std::count_if(ranks.begin(), ranks.end(), [p](qint32 x) { return x < p; })) /
                             double(ranks.size());
            sum += r;
            sumSq += r * r;
        }
        const double n = double(m_ranks.size());
        const double mean = sum / n;
        const double var = n > 1 ? std::max(0.0, (sumSq - n * mean * mean) / (n - 1)) : 0.0;
        return {mean, std::sqrt(var / n)};
    }

private:
    std::vector<std::vector<qint32>> m_ranks; // list rank of each exact neighbour, per query
};

// Everything the search code relies on, checked on a freshly read IVF index: a file that
// passed the checksum can still have been written by something else.
bool ivfConsistent(const faiss::IndexIVFFlat &ivf, qint64 count)
{
    // Our lists, or FAISS's own from an older file; no other kind (FAISS's on-disk lists
    // would point at another file).
    const faiss::InvertedLists *lists = ivf.invlists;
    if (!dynamic_cast<const IvfLists *>(lists) && !dynamic_cast<const faiss::ArrayInvertedLists *>(lists))
        return false;
    const auto *coarse = dynamic_cast<const faiss::IndexFlat *>(ivf.quantizer);
    if (!ivf.is_trained || !lists || !coarse || coarse->d != ivf.d || size_t(coarse->ntotal) != ivf.nlist ||
        coarse->metric_type != faiss::METRIC_INNER_PRODUCT || ivf.code_size != size_t(ivf.d) * sizeof(float) ||
        lists->nlist != ivf.nlist || lists->code_size != ivf.code_size ||
        ivf.direct_map.type != faiss::DirectMap::Hashtable || ivf.direct_map.hashtable.size() != size_t(count))
        return false;
    // (IvfLists and ArrayInvertedLists keep codes and ids of equal length by construction.)
    size_t total = 0;
    for (size_t l = 0; l < lists->nlist; ++l)
        total += lists->list_size(l);
    if (total != size_t(count))
        return false;
    for (const auto &[id, lo] : ivf.direct_map.hashtable) {
        const size_t list = faiss::lo_listno(quint64(lo)), offset = faiss::lo_offset(quint64(lo));
        if (list >= lists->nlist || offset >= lists->list_size(list) || lists->get_ids(list)[offset] != id)
            return false;
    }
    return true;
}

} // namespace

// =======================================================================================

VectorIndex::VectorIndex(std::unique_ptr<Private> p) : d(std::move(p)) {}
VectorIndex::~VectorIndex() = default;

std::unique_ptr<VectorIndex> VectorIndex::createEmpty(int dimension, const IndexParams &params)
{
    if (dimension <= 0 || dimension > kMaxDimension) {
        qCWarning(lcIndex) << "createEmpty: invalid dimension" << dimension;
        return nullptr;
    }
    configureFaissOnce();
    try {
        auto p = std::make_unique<Private>();
        p->dim = dimension;
        p->params = params;
        p->setFlat(makeFlat(dimension));
        return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(p)));
    } catch (const std::exception &e) {
        qCWarning(lcIndex) << "createEmpty failed:" << e.what();
        return nullptr;
    }
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::build(const VectorSource &source, const IndexParams &params)
{
    configureFaissOnce();
    return guarded("build", [&]() -> Result<std::unique_ptr<VectorIndex>> {
        const int dim = source.dimension();
        if (dim <= 0 || dim > kMaxDimension)
            return Error(QStringLiteral("Vector index: invalid dimension %1").arg(dim), Error::Code::InvalidArgument);
        auto p = std::make_unique<Private>();
        p->dim = dim;
        p->params = params;
        QElapsedTimer timer;
        timer.start();

        std::optional<Error> batchError;
        auto checked = [&](std::span<const qint64> ids, std::span<const float> x) {
            if (auto r = checkBatch(ids, x, dim); !r) {
                batchError = r.error();
                return false;
            }
            return true;
        };

        // Pass 1 (only when the source says IVF): count and reservoir-sample training rows.
        qint64 n = 0;
        std::vector<float> sample;
        std::vector<qint64> sampleIds;
        int nlist = 0;
        if (source.count() >= params.exactThreshold) {
            nlist = nlistFor(source.count());
            const qint64 want = qint64(nlist) * kTrainPointsPerList;
            sample.reserve(size_t(want) * size_t(dim));
            std::mt19937_64 rng(0x10011A7E);
            auto r = source.forEachBatch([&](std::span<const qint64> ids, std::span<const float> x) {
                if (!checked(ids, x))
                    return false;
                for (size_t i = 0; i < ids.size(); ++i, ++n) {
                    const float *row = x.data() + i * size_t(dim);
                    if (n < want) {
                        sample.insert(sample.end(), row, row + dim);
                        sampleIds.push_back(ids[i]);
                    } else {
                        const qint64 j = qint64(std::uniform_int_distribution<quint64>(0, quint64(n))(rng));
                        if (j < want) {
                            std::copy(row, row + dim, sample.begin() + j * dim);
                            sampleIds[size_t(j)] = ids[i];
                        }
                    }
                }
                return true;
            });
            if (!r)
                return r.error();
            if (batchError)
                return *batchError;
            if (n < params.exactThreshold) { // the source was smaller than it said
                sample = {};
                sampleIds = {};
            } else {
                nlist = nlistFor(n);
                const qint64 keep = std::min<qint64>(qint64(sampleIds.size()), qint64(nlist) * kTrainPointsPerList);
                sample.resize(size_t(keep) * size_t(dim));
                sampleIds.resize(size_t(keep));
            }
        }

        if (sampleIds.empty()) {
            // Exact: stream every batch into the flat index.
            p->setFlat(makeFlat(dim));
            std::optional<Error> dup;
            std::unordered_set<qint64> seen;
            Stager stager(dim, [&](qint64 m, const FaissId *ids, const float *x) {
                p->flatMap->add_with_ids(m, x, ids);
            });
            auto r = source.forEachBatch([&](std::span<const qint64> ids, std::span<const float> x) {
                if (!checked(ids, x))
                    return false;
                for (qint64 id : ids)
                    if (!seen.insert(id).second) {
                        dup = Error(QStringLiteral("Vector index: duplicate id %1").arg(id), Error::Code::InvalidArgument);
                        return false;
                    }
                stager.push(ids, x);
                return true;
            });
            if (!r)
                return r.error();
            if (batchError)
                return *batchError;
            if (dup)
                return *dup;
            stager.flush();
            qCInfo(lcIndex) << "built exact index:" << p->count() << "vectors, d =" << dim << "in" << timer.elapsed() << "ms";
            return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(p)));
        }

        // IVF: train on the sample.
        const qint64 nTrain = qint64(sampleIds.size());
        auto ivf = std::make_unique<faiss::IndexIVFFlat>(new faiss::IndexFlatIP(dim), dim, size_t(nlist),
                                                         faiss::METRIC_INNER_PRODUCT);
        ivf->own_fields = true;
        ivf->replace_invlists(new IvfLists(size_t(nlist), ivf->code_size), true);
        ivf->cp.niter = kKmeansIterations;
        ivf->cp.max_points_per_centroid = std::numeric_limits<int>::max(); // already sampled
        ivf->cp.min_points_per_centroid = 1;
        ivf->cp.seed = 1234;
        ivf->train(nTrain, sample.data());
        ivf->set_direct_map_type(faiss::DirectMap::Hashtable);
        const qint64 trainMs = timer.elapsed();

        // Calibration queries: random rows of the sample (a reservoir slot is a uniform
        // draw, but early slots still favour the first rows of the stream).
        const int nq = int(std::min<qint64>(kCalibrationQueries, nTrain));
        std::vector<qint64> slots(static_cast<size_t>(nTrain));
        for (qint64 i = 0; i < nTrain; ++i)
            slots[size_t(i)] = i;
        std::mt19937_64 pick(0xCA11B4A7E);
        std::vector<float> queries(static_cast<size_t>(nq) * size_t(dim));
        std::vector<qint64> queryIds(static_cast<size_t>(nq));
        for (int i = 0; i < nq; ++i) {
            const qint64 j = i + qint64(std::uniform_int_distribution<quint64>(0, quint64(nTrain - 1 - i))(pick));
            std::swap(slots[size_t(i)], slots[size_t(j)]);
            std::copy_n(sample.begin() + slots[size_t(i)] * dim, dim, queries.begin() + qint64(i) * dim);
            queryIds[size_t(i)] = sampleIds[size_t(slots[size_t(i)])];
        }
        sample = {};
        sampleIds = {};
        GroundTruth gt;
        gt.k = kCalibrationK + 1; // +1: the query itself is in the index
        gt.rows.resize(size_t(nq));

        // Pass 2: add every row and accumulate the exact top-k of the calibration queries.
        std::optional<Error> dup;
        std::vector<float> gtDist;
        std::vector<FaissId> gtLabels;
        Stager stager(dim, [&](qint64 m, const FaissId *ids, const float *x) {
            ivf->add_with_ids(m, x, ids);
            const qint64 kk = std::min<qint64>(gt.k, m);
            gtDist.resize(size_t(nq) * size_t(kk));
            gtLabels.resize(size_t(nq) * size_t(kk));
            faiss::knn_inner_product(queries.data(), x, size_t(dim), size_t(nq), size_t(m), size_t(kk), gtDist.data(),
                                     gtLabels.data());
            gt.merge(nq, gtDist.data(), gtLabels.data(), kk, ids);
        });
        std::unordered_set<qint64> seen;
        seen.reserve(size_t(n));
        auto r = source.forEachBatch([&](std::span<const qint64> ids, std::span<const float> x) {
            if (!checked(ids, x))
                return false;
            for (qint64 id : ids)
                if (!seen.insert(id).second) {
                    dup = Error(QStringLiteral("Vector index: duplicate id %1").arg(id), Error::Code::InvalidArgument);
                    return false;
                }
            stager.push(ids, x);
            return true;
        });
        if (!r)
            return r.error();
        if (batchError)
            return *batchError;
        if (dup)
            return *dup;
        stager.flush();
        seen = {};
        // The lists grew by doubling: drop their spare capacity and hand the freed heap pages
        // back (200k × 512 after a build: 577 MiB resident for 391 MiB of vectors, 412 after).
        static_cast<IvfLists *>(ivf->invlists)->shrinkToFit();
#ifdef __GLIBC__
        malloc_trim(0);
#endif
        const qint64 addMs = timer.elapsed() - trainMs;

        // Calibrate nprobe: the smallest one whose recall@10 reaches the target with margin.
        // Recall varies a lot from query to query on clustered data (a query's neighbours sit
        // in one list or straddle several), so the mean over a few hundred queries is noisy
        // (±0.01); requiring mean − 2·standard error ≥ target keeps held-out recall above it.
        p->setIvf(std::move(ivf));
        const RecallCurve curve(*p->ivf, *p->coarse, queries.data(), queryIds, gt, kCalibrationK, dim);
        int chosen = nlist;
        for (int probe = 1; probe <= nlist; ++probe) {
            const auto [mean, stderr_] = curve.at(probe);
            if (mean - kCalibrationZ * stderr_ >= params.targetRecall) {
                chosen = probe;
                break;
            }
        }
        const double chosenRecall = curve.at(chosen).first;
        qCDebug(lcIndex).noquote() << QStringLiteral("calibration: recall@10 at nprobe 1, 2, 4, 8, 16, 32: %1 %2 %3 %4 %5 %6")
                                          .arg(curve.at(1).first, 0, 'f', 3)
                                          .arg(curve.at(2).first, 0, 'f', 3)
                                          .arg(curve.at(4).first, 0, 'f', 3)
                                          .arg(curve.at(8).first, 0, 'f', 3)
                                          .arg(curve.at(16).first, 0, 'f', 3)
                                          .arg(curve.at(32).first, 0, 'f', 3);
        p->nprobe = chosen;
        p->ivf->nprobe = size_t(chosen);
        p->calibratedRecall = chosenRecall;
        p->calibrationQueries = int(curve.queries());
        p->builtCount = p->count();
        qCInfo(lcIndex).noquote() << QStringLiteral("built %1 over %2 vectors (d=%3): train %4 ms on %5 rows, add %6 ms, "
                                                    "calibration %7 ms")
                                         .arg(p->describe())
                                         .arg(p->count())
                                         .arg(dim)
                                         .arg(trainMs)
                                         .arg(nTrain)
                                         .arg(addMs)
                                         .arg(timer.elapsed() - trainMs - addMs);
        return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(p)));
    });
}

Result<void> VectorIndex::add(std::span<const qint64> ids, std::span<const float> vectors)
{
    return guarded("add", [&]() -> Result<void> {
        if (auto r = checkBatch(ids, vectors, d->dim); !r)
            return r;
        if (ids.empty())
            return {};
        std::vector<qint64> sorted(ids.begin(), ids.end());
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
            return Error(QStringLiteral("Vector index: the same id twice in one add"), Error::Code::InvalidArgument);

        const auto lock = d->writeLock();
        // add() replaces the vectors of ids already present.
        std::vector<FaissId> present;
        for (qint64 id : sorted)
            if (d->contains(id))
                present.push_back(FaissId(id));
        if (!present.empty()) {
            if (d->ivf)
                d->ivf->remove_ids(faiss::IDSelectorArray(present.size(), present.data()));
            else
                d->flatMap->remove_ids(faiss::IDSelectorBatch(present.size(), present.data()));
        }
        const auto fids = toFaissIds(ids);
        d->index->add_with_ids(FaissId(ids.size()), vectors.data(), fids.data());
        return {};
    });
}

Result<void> VectorIndex::remove(std::span<const qint64> ids)
{
    return guarded("remove", [&]() -> Result<void> {
        if (ids.empty())
            return {};
        const auto lock = d->writeLock();
        std::vector<FaissId> present;
        for (qint64 id : ids)
            if (d->contains(id))
                present.push_back(FaissId(id));
        std::sort(present.begin(), present.end());
        present.erase(std::unique(present.begin(), present.end()), present.end());
        if (present.empty())
            return {};
        if (d->ivf)
            d->ivf->remove_ids(faiss::IDSelectorArray(present.size(), present.data()));
        else
            d->flatMap->remove_ids(faiss::IDSelectorBatch(present.size(), present.data()));
        return {};
    });
}

Result<std::vector<ScoredId>> VectorIndex::search(std::span<const float> query, int k,
                                                  std::span<const qint64> allowed) const
{
    return guarded("search", [&]() -> Result<std::vector<ScoredId>> {
        if (query.size() != size_t(d->dim))
            return Error(QStringLiteral("Vector index: query has %1 values, the index has dimension %2")
                             .arg(query.size())
                             .arg(d->dim),
                         Error::Code::InvalidArgument);
        if (k < 0)
            return Error(QStringLiteral("Vector index: negative k"), Error::Code::InvalidArgument);
        if (!allFinite(query))
            return Error(QStringLiteral("Vector index: query contains NaN or infinity"), Error::Code::InvalidArgument);
        if (!std::is_sorted(allowed.begin(), allowed.end()))
            return Error(QStringLiteral("Vector index: allowed ids must be sorted"), Error::Code::InvalidArgument);

        OmpThreadsScope oneThread(1);
        const auto lock = d->readLock();
        const qint64 n = d->count();
        const qint64 kk = std::min<qint64>(k, n);
        if (kk == 0)
            return std::vector<ScoredId>{};
        const float *q = query.data();

        if (!d->ivf) {
            // Few allowed ids: score just those; otherwise one pass over the whole matrix.
            if (!allowed.empty() && qint64(allowed.size()) < n / 4)
                return d->scanIds(q, kk, allowed);
            return d->scanFlat(q, kk, allowed);
        }
        if (allowed.empty())
            return d->scanIvf(q, kk, d->nprobe, {});

        // Filtered IVF. With a fraction f of the ids allowed, scoring just those rows costs
        // ~f·N random row reads; an IVF scan needs ~nprobe/f lists to meet as many allowed
        // candidates, i.e. ~N·nprobe/(f·nlist) sequential rows, about half the cost per row
        // (measured). Exact wins while f ≤ √(nprobe / (2·nlist)); at 1M × 512 that is
        // ~50k ids (~15 ms).
        const double f = double(allowed.size()) / double(n);
        const double crossover = std::sqrt(double(d->nprobe) / (2.0 * double(d->ivf->nlist)));
        if (qint64(allowed.size()) <= kExactFilterMin || f <= crossover)
            return d->scanIds(q, kk, allowed);
        const int probe = int(std::min<double>(double(d->ivf->nlist), std::ceil(double(d->nprobe) / f)));
        return d->scanIvf(q, kk, probe, allowed);
    });
}

Result<std::vector<std::vector<ScoredId>>> VectorIndex::searchBatch(std::span<const float> queries, int k) const
{
    return guarded("searchBatch", [&]() -> Result<std::vector<std::vector<ScoredId>>> {
        if (queries.size() % size_t(d->dim) != 0)
            return Error(QStringLiteral("Vector index: %1 query values is not a multiple of the dimension %2")
                             .arg(queries.size())
                             .arg(d->dim),
                         Error::Code::InvalidArgument);
        if (k < 0)
            return Error(QStringLiteral("Vector index: negative k"), Error::Code::InvalidArgument);
        if (!allFinite(queries))
            return Error(QStringLiteral("Vector index: query contains NaN or infinity"), Error::Code::InvalidArgument);
        const qint64 nq = qint64(queries.size() / size_t(d->dim));

        const auto lock = d->readLock();
        const qint64 kk = std::min<qint64>(k, d->count());
        if (nq == 0)
            return std::vector<std::vector<ScoredId>>{};
        if (kk == 0)
            return std::vector<std::vector<ScoredId>>(size_t(nq));
        if (d->ivf)
            return d->searchIvf(queries.data(), nq, kk, d->nprobe, kk);

        // Flat: FAISS's BLAS path (one GEMM per block of queries), in slices so that the
        // temporary label/distance arrays stay bounded for very large batches.
        std::vector<std::vector<ScoredId>> out(static_cast<size_t>(nq));
        constexpr qint64 kSlice = 4096;
        std::vector<float> dist;
        std::vector<FaissId> labels;
        for (qint64 start = 0; start < nq; start += kSlice) {
            const qint64 m = std::min(kSlice, nq - start);
            dist.resize(size_t(m) * size_t(kk));
            labels.resize(size_t(m) * size_t(kk));
            d->flatMap->search(m, queries.data() + size_t(start) * size_t(d->dim), kk, dist.data(), labels.data());
            for (qint64 i = 0; i < m; ++i) {
                auto &row = out[size_t(start + i)];
                row.reserve(size_t(kk));
                for (qint64 j = 0; j < kk; ++j) {
                    const FaissId id = labels[size_t(i * kk + j)];
                    if (id >= 0)
                        row.push_back({qint64(id), dist[size_t(i * kk + j)]});
                }
            }
        }
        return out;
    });
}

qint64 VectorIndex::size() const
{
    const auto lock = d->readLock();
    return d->count();
}

int VectorIndex::dimension() const { return d->dim; }

bool VectorIndex::isExact() const
{
    const auto lock = d->readLock();
    return d->ivf == nullptr;
}

QString VectorIndex::description() const
{
    const auto lock = d->readLock();
    return d->describe();
}

bool VectorIndex::needsRebuild() const
{
    const auto lock = d->readLock();
    const qint64 n = d->count();
    if (!d->ivf)
        return n >= d->params.exactThreshold;
    return n > kRegrowFactor * std::max<qint64>(d->builtCount, 1) || n < d->params.exactThreshold / 2;
}

bool VectorIndex::loadedFromOlderFormat() const { return d->olderFormat; }

qint64 VectorIndex::mappedBytes() const
{
    const auto lock = d->readLock();
    return d->ivfLists ? qint64(d->ivfLists->mappedBytes()) : 0;
}

// ---------------------------------------------------------------------------------------
// Files

Result<void> VectorIndex::save(const QString &path, quint64 revision) const
{
    return guarded("save", [&]() -> Result<void> {
        std::lock_guard saveLock(d->saveMutex);
        const auto lock = d->readLock();
        const QFileInfo info(path);
        const QString dir = info.absolutePath();
        if (!QDir().mkpath(dir))
            return Error(QStringLiteral("Cannot create the index folder %1").arg(dir), Error::Code::Io);
        QElapsedTimer timer;
        timer.start();

        auto indexHash = writeAtomically(path, [&](FdWriter &w) { faiss::write_index(d->index.get(), &w); });
        if (!indexHash)
            return indexHash.error();

        QJsonObject meta;
        meta[QStringLiteral("format")] = kMetaFormatVersion;
        meta[QStringLiteral("kind")] = QLatin1String(d->ivf ? kKindIvf : kKindFlat);
        meta[QStringLiteral("revision")] = QString::number(revision); // 64-bit: not a JSON double
        meta[QStringLiteral("count")] = double(d->count());
        meta[QStringLiteral("dimension")] = d->dim;
        meta[QStringLiteral("nlist")] = d->ivf ? double(d->ivf->nlist) : 0.0;
        meta[QStringLiteral("nprobe")] = d->nprobe;
        meta[QStringLiteral("builtCount")] = double(d->builtCount);
        meta[QStringLiteral("calibrationRecall")] = d->calibratedRecall;
        meta[QStringLiteral("calibrationQueries")] = d->calibrationQueries;
        meta[QStringLiteral("fileSize")] = double(indexHash->size);
        meta[QStringLiteral("xxh3")] = hex64(indexHash->xxh3);
        const QByteArray json = QJsonDocument(meta).toJson(QJsonDocument::Indented);
        auto metaHash = writeAtomically(path + QStringLiteral(".meta"), [&](FdWriter &w) {
            w(json.constData(), 1, size_t(json.size()));
        });
        if (!metaHash)
            return metaHash.error();
        if (auto r = fsyncPath(dir, true); !r)
            return r;
        qCInfo(lcIndex) << "saved" << path << indexHash->size << "bytes, revision" << revision << "in" << timer.elapsed()
                        << "ms";
        return {};
    });
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::load(const QString &path, quint64 expectedRevision, qint64 expectedCount,
                                                       int expectedDimension, const IndexParams &params)
{
    configureFaissOnce();
    return guarded("load", [&]() -> Result<std::unique_ptr<VectorIndex>> {
        const QString metaPath = path + QStringLiteral(".meta");
        if (!QFileInfo::exists(path))
            return Error(QStringLiteral("Index file %1 is missing").arg(path), Error::Code::NotFound);
        if (!QFileInfo::exists(metaPath))
            return Error(QStringLiteral("Index sidecar %1 is missing").arg(metaPath), Error::Code::NotFound);
        auto corrupt = [&](const QString &why) {
            qCWarning(lcIndex).noquote() << "index" << path << "is corrupt:" << why;
            return Error(QStringLiteral("Index %1 is corrupt: %2").arg(path, why), Error::Code::Corrupt);
        };

        QFile metaFile(metaPath);
        if (!metaFile.open(QIODevice::ReadOnly))
            return Error(QStringLiteral("Cannot read %1: %2").arg(metaPath, metaFile.errorString()), Error::Code::Io);
        if (metaFile.size() > kMaxMetaBytes)
            return corrupt(QStringLiteral("sidecar is too large"));
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(metaFile.readAll(), &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject())
            return corrupt(QStringLiteral("sidecar is not valid JSON (%1)").arg(parseError.errorString()));
        const QJsonObject meta = doc.object();
        const QStringList required = {QStringLiteral("format"), QStringLiteral("kind"), QStringLiteral("revision"),
                                      QStringLiteral("count"), QStringLiteral("dimension"), QStringLiteral("fileSize"),
                                      QStringLiteral("xxh3")};
        for (const QString &key : required)
            if (!meta.contains(key))
                return corrupt(QStringLiteral("sidecar lacks \"%1\"").arg(key));
        const int format = meta.value(QStringLiteral("format")).toInt(-1);
        if (format != kMetaFormatVersion)
            return Error(QStringLiteral("Index %1 is stale: format version %2, expected %3")
                             .arg(path, QString::number(format), QString::number(kMetaFormatVersion)),
                         Error::Code::Generic);
        const QString kind = meta.value(QStringLiteral("kind")).toString();
        bool revisionOk = false;
        const quint64 revision = meta.value(QStringLiteral("revision")).toString().toULongLong(&revisionOk);
        const double countValue = meta.value(QStringLiteral("count")).toDouble(-1);
        const int dim = meta.value(QStringLiteral("dimension")).toInt(-1);
        const double fileSize = meta.value(QStringLiteral("fileSize")).toDouble(-1);
        bool hashOk = false;
        const quint64 xxh3 = meta.value(QStringLiteral("xxh3")).toString().toULongLong(&hashOk, 16);
        if ((kind != QLatin1String(kKindFlat) && kind != QLatin1String(kKindIvf)) || !revisionOk || countValue < 0 ||
            countValue != std::floor(countValue) || dim <= 0 || dim > kMaxDimension || fileSize < 0 || !hashOk)
            return corrupt(QStringLiteral("sidecar has invalid values"));
        const qint64 count = qint64(countValue);

        if (revision != expectedRevision || count != expectedCount || dim != expectedDimension)
            return Error(QStringLiteral("Index %1 is stale: it has revision %2, %3 vectors of dimension %4; "
                                        "the collection has revision %5, %6 vectors of dimension %7")
                             // One multi-argument arg(): the path's own "%3A" (a space
                             // name's ':') must not be taken for a placeholder.
                             .arg(path, QString::number(revision), QString::number(count), QString::number(dim),
                                  QString::number(expectedRevision), QString::number(expectedCount),
                                  QString::number(expectedDimension)),
                         Error::Code::Generic);

        // Verify the bytes before FAISS parses them: a damaged length field would otherwise
        // make it allocate whatever the file claims. The file is mapped once for both: the
        // IVF lists are then used where they lie (IvfLists) instead of being copied.
        auto mapped = MappedFile::open(path);
        if (!mapped)
            return mapped.error().code == Error::Code::Corrupt ? corrupt(mapped.errorMessage()) : mapped.error();
        const std::shared_ptr<const MappedFile> file = *mapped;
        if (file->size() != quint64(fileSize))
            return corrupt(QStringLiteral("file has %1 bytes, the sidecar says %2 (truncated?)")
                               .arg(file->size())
                               .arg(qint64(fileSize)));
        file->willNeed();
        if (XXH3_64bits(file->data(), file->size()) != xxh3)
            return corrupt(QStringLiteral("checksum mismatch"));

        std::unique_ptr<faiss::Index> raw;
        try {
            MappedFileReader reader(file);
            if (kind == QLatin1String(kKindIvf))
                reader.expectLists(size_t(std::max<qint64>(0, meta.value(QStringLiteral("nlist")).toInteger(0))),
                                   size_t(dim) * sizeof(float));
            raw.reset(faiss::read_index(&reader));
        } catch (const faiss::FaissException &e) {
            return corrupt(QStringLiteral("FAISS cannot read it (%1)").arg(QString::fromUtf8(e.what())));
        }
        if (!raw || raw->d != dim || qint64(raw->ntotal) != count || raw->metric_type != faiss::METRIC_INNER_PRODUCT)
            return corrupt(QStringLiteral("contents do not match the sidecar"));

        auto p = std::make_unique<Private>();
        p->dim = dim;
        p->params = params;
        if (kind == QLatin1String(kKindFlat)) {
            auto *map = dynamic_cast<faiss::IndexIDMap2 *>(raw.get());
            const auto *flat = map ? dynamic_cast<const faiss::IndexFlat *>(map->index) : nullptr;
            if (!flat || flat->d != dim || qint64(flat->ntotal) != count ||
                flat->codes.size() != size_t(count) * size_t(dim) * sizeof(float) || map->id_map.size() != size_t(count) ||
                map->rev_map.size() != size_t(count)) // rev_map is rebuilt from id_map: duplicates shrink it
                return corrupt(QStringLiteral("not the exact index the sidecar describes"));
            raw.release();
            p->setFlat(std::unique_ptr<faiss::IndexIDMap2>(map));
        } else {
            auto *ivf = dynamic_cast<faiss::IndexIVFFlat *>(raw.get());
            if (const auto *lists = ivf ? dynamic_cast<const IvfLists *>(ivf->invlists) : nullptr;
                lists && !lists->damage().empty())
                return corrupt(QStringLiteral("its IVF lists are damaged (%1)").arg(QString::fromStdString(lists->damage())));
            const int nprobe = meta.value(QStringLiteral("nprobe")).toInt(0);
            if (!ivf || !ivfConsistent(*ivf, count) || qint64(ivf->nlist) != meta.value(QStringLiteral("nlist")).toInteger(-1) ||
                nprobe <= 0 || size_t(nprobe) > ivf->nlist)
                return corrupt(QStringLiteral("not the IVF index the sidecar describes"));
            raw.release();
            p->olderFormat = dynamic_cast<const faiss::ArrayInvertedLists *>(ivf->invlists) != nullptr;
            p->setIvf(std::unique_ptr<faiss::IndexIVFFlat>(ivf));
            p->nprobe = nprobe;
            p->ivf->nprobe = size_t(nprobe);
            p->builtCount = qint64(meta.value(QStringLiteral("builtCount")).toDouble(double(count)));
            p->calibratedRecall = meta.value(QStringLiteral("calibrationRecall")).toDouble(0);
            p->calibrationQueries = meta.value(QStringLiteral("calibrationQueries")).toInt(0);
        }
        qCInfo(lcIndex).noquote() << "loaded" << path << "-" << p->describe() << "," << count << "vectors"
                                  << (p->ivfLists ? QStringLiteral(", %1 of %2 lists used from the mapped file")
                                                        .arg(p->ivfLists->mappedLists())
                                                        .arg(p->ivfLists->nlist)
                                                  : QString());
        return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(p)));
    });
}

} // namespace lookalike
