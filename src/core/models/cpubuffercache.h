#pragma once

#include <c10/core/Allocator.h>

#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace lookalike {

// libtorch's CPU allocator, with freed large buffers kept for reuse.
//
// Why: a forward pass allocates and frees the same activation sizes layer after layer. With
// libtorch's default allocator (posix_memalign) glibc serves buffers above its mmap threshold
// (up to 32 MiB) with a fresh mmap each time, which the kernel then page-faults and zeroes
// again, and gives back the top of the heap above its trim threshold; so400m's attention
// scores alone are 34 MB per image per layer. Measured: 1.3-1.7x (ViT-B/32) and 2.2-2.8x
// (so400m) of CPU time per image (docs/BENCHMARKS.md, "Models"). Keeping the buffers here,
// rather than retuning glibc for the whole process (mallopt), bounds what is kept and lets it
// be given back when an ingest ends.
//
// Buffers of at least kMinCachedBytes are rounded up to one of 8 size classes per power of
// two (at most 12.5 % unused) and, when freed, kept in a free list per class while the cache
// holds less than its limit; smaller ones go straight back to malloc, which recycles them
// well. Every buffer carries its class in a 64-byte header in front of it (64 is also
// libtorch's alignment), so freeing needs no lookup. Thread-safe.
class CpuBufferCache final : public c10::Allocator
{
public:
    static constexpr std::size_t kMinCachedBytes = std::size_t(128) << 10;
    static constexpr std::size_t kDefaultLimitBytes = std::size_t(2) << 30;

    // The process's one instance; libtorch calls it once install() has run.
    static CpuBufferCache &instance();
    // Makes it libtorch's CPU allocator (once; later calls do nothing). Tensors allocated
    // before keep their own deleter, so installing late is safe.
    static void install();

    c10::DataPtr allocate(std::size_t bytes) const override;
    c10::DeleterFnPtr raw_deleter() const override { return &release; }

    // Frees every kept buffer (buffers in use are unaffected).
    void trim();
    // The most the free lists may hold; a buffer freed beyond it goes back to malloc.
    void setLimit(std::size_t bytes);

    struct Stats
    {
        std::size_t cachedBytes = 0; // in the free lists now
        std::size_t hits = 0;        // allocations served from a free list
        std::size_t misses = 0;      // cached-size allocations that had to malloc
    };
    Stats stats() const;

    // The size class a request of `bytes` is served with (exposed for tests).
    static std::size_t sizeClass(std::size_t bytes);

private:
    CpuBufferCache() = default;
    static void release(void *data);
    void *take(std::size_t cls) const;
    void keepOrFree(void *block, std::size_t cls);

    mutable std::mutex m_mutex;
    mutable std::unordered_map<std::size_t, std::vector<void *>> m_free; // class -> blocks
    mutable Stats m_stats;
    std::size_t m_limit = kDefaultLimitBytes;
};

} // namespace lookalike
