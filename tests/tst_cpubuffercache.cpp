// CpuBufferCache, libtorch's CPU allocator in this product: size classes; installed, it serves
// tensors (a freed large buffer is handed out again, small ones are not kept); arithmetic on
// its buffers is right; the limit and trim() bound what it keeps; concurrent use from two
// threads.
// libtorch before any Qt header: Qt's keyword macros break its headers.
#include <c10/core/CPUAllocator.h>
#include <torch/torch.h>

#include "models/cpubuffercache.h"
#include "models/torchbackend.h"

#include <QTest>

#include <thread>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

using namespace lookalike;

class TestCpuBufferCache final : public QObject
{
    Q_OBJECT

    static CpuBufferCache &cache() { return CpuBufferCache::instance(); }

private Q_SLOTS:
    void initTestCase()
    {
        TorchBackend::apply(); // what every model load does first: installs the cache
        QCOMPARE(c10::GetCPUAllocator(), static_cast<c10::Allocator *>(&cache()));
    }

    void init() { cache().trim(); }

    void sizeClasses()
    {
        for (std::size_t bytes : {std::size_t(1), std::size_t(63), std::size_t(64), std::size_t(100000),
                                  CpuBufferCache::kMinCachedBytes - 1}) {
            const std::size_t cls = CpuBufferCache::sizeClass(bytes);
            QVERIFY(cls >= bytes && cls % 64 == 0 && cls < bytes + 64);
        }
        for (std::size_t bytes = CpuBufferCache::kMinCachedBytes; bytes < (std::size_t(1) << 34); bytes = bytes * 3 / 2 + 4097) {
            const std::size_t cls = CpuBufferCache::sizeClass(bytes);
            QVERIFY2(cls >= bytes && cls <= bytes + bytes / 8 && cls % 64 == 0, qPrintable(QString::number(bytes)));
            QCOMPARE(CpuBufferCache::sizeClass(cls), cls); // a class is its own class
        }
        // Near sizes share a class; that is what lets a last, shorter batch reuse buffers.
        QCOMPARE(CpuBufferCache::sizeClass(1000000), CpuBufferCache::sizeClass(1000001));
    }

    void aFreedLargeBufferIsHandedOutAgain()
    {
        const auto before = cache().stats();
        const void *first = nullptr;
        {
            torch::Tensor t = torch::empty({1 << 20}, torch::kFloat32); // 4 MiB
            first = t.data_ptr();
            QCOMPARE(reinterpret_cast<std::uintptr_t>(first) % 64, std::uintptr_t(0));
        }
        QCOMPARE(cache().stats().cachedBytes, CpuBufferCache::sizeClass(4 << 20));
#if defined(__SANITIZE_ADDRESS__)
        QVERIFY(__asan_address_is_poisoned(first)); // kept, but a use after free is still caught
#endif
        torch::Tensor again = torch::empty({(1 << 20) - 100}, torch::kFloat32); // same class
        QCOMPARE(static_cast<const void *>(again.data_ptr()), first);
#if defined(__SANITIZE_ADDRESS__)
        QVERIFY(!__asan_address_is_poisoned(first));
#endif
        QCOMPARE(cache().stats().hits, before.hits + 1);
        QCOMPARE(cache().stats().cachedBytes, std::size_t(0));
    }

    void smallBuffersAreNotKept()
    {
        {
            torch::Tensor t = torch::empty({1000}, torch::kFloat32);
            t.fill_(1.f);
        }
        QCOMPARE(cache().stats().cachedBytes, std::size_t(0));
    }

    void arithmeticOnReusedBuffersIsRight()
    {
        torch::manual_seed(7);
        const torch::Tensor a = torch::randn({300, 400});
        const torch::Tensor b = torch::randn({400, 500});
        // Each round's product and temporaries reuse the previous round's freed buffers.
        const torch::Tensor reference = torch::matmul(a, b).relu().sum(1);
        for (int round = 0; round < 5; ++round) {
            torch::Tensor x = torch::matmul(a, b);
            x = x.relu();
            QVERIFY(torch::equal(x.sum(1), reference));
        }
        QVERIFY(cache().stats().hits > 0);
    }

    void theLimitAndTrimBoundWhatIsKept()
    {
        cache().setLimit(std::size_t(6) << 20);
        {
            torch::Tensor a = torch::empty({1 << 20}); // 4 MiB: kept
            torch::Tensor b = torch::empty({1 << 20}); // would make 8: freed
        }
        QCOMPARE(cache().stats().cachedBytes, CpuBufferCache::sizeClass(4 << 20));
        cache().setLimit(CpuBufferCache::kDefaultLimitBytes);
        {
            torch::Tensor c = torch::empty({1 << 21});
            torch::Tensor d = torch::empty({1 << 21});
        }
        QVERIFY(cache().stats().cachedBytes >= std::size_t(16) << 20);
        cache().trim();
        QCOMPARE(cache().stats().cachedBytes, std::size_t(0));
        cache().setLimit(std::size_t(1) << 20); // below one buffer: a shrinking limit trims too
        {
            torch::Tensor e = torch::empty({1 << 20});
        }
        QCOMPARE(cache().stats().cachedBytes, std::size_t(0));
        cache().setLimit(CpuBufferCache::kDefaultLimitBytes);
    }

    void twoThreadsAtOnce()
    {
        torch::manual_seed(11);
        const torch::Tensor a = torch::randn({256, 256});
        const torch::Tensor expected = torch::matmul(a, a).sum();
        std::atomic<int> wrong{0};
        auto work = [&] {
            for (int i = 0; i < 50; ++i) {
                torch::Tensor big = torch::empty({(1 << 18) + i * 1000});
                big.fill_(float(i));
                if (big[0].item<float>() != float(i) || !torch::equal(torch::matmul(a, a).sum(), expected))
                    ++wrong;
            }
        };
        std::thread one(work);
        std::thread two(work);
        one.join();
        two.join();
        QCOMPARE(wrong.load(), 0);
        QVERIFY(cache().stats().cachedBytes > 0);
        cache().trim();
        QCOMPARE(cache().stats().cachedBytes, std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestCpuBufferCache)
#include "tst_cpubuffercache.moc"
