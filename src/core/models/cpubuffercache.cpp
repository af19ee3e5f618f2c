#include "cpubuffercache.h"

#include <c10/core/CPUAllocator.h>

#include <bit>
#include <cstdlib>
#include <new>

// Under AddressSanitizer a kept buffer is poisoned until it is handed out again, so that a
// use after free of a tensor's data is still caught although the memory is not freed.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define LOOKALIKE_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define LOOKALIKE_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define LOOKALIKE_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define LOOKALIKE_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#endif
#endif
#ifndef LOOKALIKE_POISON
#define LOOKALIKE_POISON(p, n) ((void)(p), (void)(n))
#define LOOKALIKE_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace lookalike {

namespace {

// In front of every buffer: its size class. 64 bytes keep the buffer at libtorch's alignment.
constexpr std::size_t kHeader = 64;
constexpr std::size_t kAlignment = 64;

std::size_t &headerOf(void *block) { return *static_cast<std::size_t *>(block); }

void *allocateBlock(std::size_t cls)
{
    void *block = nullptr;
    if (posix_memalign(&block, kAlignment, cls + kHeader) != 0)
        return nullptr;
    headerOf(block) = cls;
    return block;
}

} // namespace

CpuBufferCache &CpuBufferCache::instance()
{
    // Never destroyed: tensors held by statics may be freed after main() returns.
    static auto *cache = new CpuBufferCache;
    return *cache;
}

void CpuBufferCache::install()
{
    static std::once_flag once;
    std::call_once(once, [] { c10::SetCPUAllocator(&instance(), /*priority=*/1); });
}

std::size_t CpuBufferCache::sizeClass(std::size_t bytes)
{
    if (bytes < kMinCachedBytes)
        return (bytes + kAlignment - 1) / kAlignment * kAlignment;
    const std::size_t step = std::bit_floor(bytes) / 8;
    return (bytes + step - 1) / step * step;
}

c10::DataPtr CpuBufferCache::allocate(std::size_t bytes) const
{
    if (bytes == 0)
        return {nullptr, nullptr, &release, c10::Device(c10::DeviceType::CPU)};
    const std::size_t cls = sizeClass(bytes);
    void *block = take(cls);
    if (!block) {
        block = allocateBlock(cls);
        if (!block) {
            // Out of memory: what the free lists hold may be enough, in other sizes.
            const_cast<CpuBufferCache *>(this)->trim();
            block = allocateBlock(cls);
        }
        if (!block)
            throw std::bad_alloc();
    }
    void *data = static_cast<char *>(block) + kHeader;
    return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
}

void *CpuBufferCache::take(std::size_t cls) const
{
    if (cls < kMinCachedBytes)
        return nullptr;
    std::lock_guard lock(m_mutex);
    auto it = m_free.find(cls);
    if (it == m_free.end() || it->second.empty()) {
        ++m_stats.misses;
        return nullptr;
    }
    void *block = it->second.back();
    it->second.pop_back();
    m_stats.cachedBytes -= cls;
    ++m_stats.hits;
    LOOKALIKE_UNPOISON(static_cast<char *>(block) + kHeader, cls);
    return block;
}

void CpuBufferCache::release(void *data)
{
    if (!data)
        return;
    void *block = static_cast<char *>(data) - kHeader;
    const std::size_t cls = headerOf(block);
    if (cls < kMinCachedBytes) {
        std::free(block);
        return;
    }
    instance().keepOrFree(block, cls);
}

void CpuBufferCache::keepOrFree(void *block, std::size_t cls)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stats.cachedBytes + cls <= m_limit) {
            LOOKALIKE_POISON(static_cast<char *>(block) + kHeader, cls);
            m_free[cls].push_back(block);
            m_stats.cachedBytes += cls;
            return;
        }
    }
    std::free(block);
}

void CpuBufferCache::trim()
{
    std::unordered_map<std::size_t, std::vector<void *>> blocks;
    {
        std::lock_guard lock(m_mutex);
        blocks.swap(m_free);
        m_stats.cachedBytes = 0;
    }
    for (auto &[cls, list] : blocks) {
        for (void *block : list) {
            LOOKALIKE_UNPOISON(static_cast<char *>(block) + kHeader, cls);
            std::free(block);
        }
    }
}

void CpuBufferCache::setLimit(std::size_t bytes)
{
    {
        std::lock_guard lock(m_mutex);
        m_limit = bytes;
        if (m_stats.cachedBytes <= m_limit)
            return;
    }
    trim();
}

CpuBufferCache::Stats CpuBufferCache::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

} // namespace lookalike
