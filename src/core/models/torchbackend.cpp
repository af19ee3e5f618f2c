#include "torchbackend.h"

#include "models/cpubuffercache.h"
#include "models/torchruntime.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <atomic>

namespace lookalike {

namespace {
std::atomic<bool> g_applied{false};
} // namespace

void TorchBackend::apply()
{
    CpuBufferCache::install();
    at::set_num_threads(TorchRuntime::threads());
    g_applied.store(true);
}

void TorchBackend::ensureApplied()
{
    if (!g_applied.load())
        apply();
}

bool TorchBackend::cudaAvailable()
{
    return torch::cuda::is_available();
}

QString TorchBackend::device()
{
    const QString asked = TorchRuntime::settings().device;
    if (asked == QLatin1String("cpu") || asked == QLatin1String("cuda"))
        return asked;
    return cudaAvailable() ? QStringLiteral("cuda") : QStringLiteral("cpu");
}

} // namespace lookalike
