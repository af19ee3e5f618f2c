#include "torchruntime.h"

#include <torch/cuda.h>
#include <ATen/Parallel.h>

#include <QThread>

#include <mutex>

namespace lookalike {

namespace {
std::mutex g_mutex;
TorchSettings g_settings;
bool g_configured = false;
} // namespace

void TorchRuntime::configure(const TorchSettings &settings)
{
    std::lock_guard lock(g_mutex);
    g_settings = settings;
    const int threads = settings.threads > 0 ? settings.threads : std::max(1, QThread::idealThreadCount());
    at::set_num_threads(threads);
    g_configured = true;
}

TorchSettings TorchRuntime::settings()
{
    std::lock_guard lock(g_mutex);
    return g_settings;
}

bool TorchRuntime::cudaAvailable()
{
    return torch::cuda::is_available();
}

QString TorchRuntime::resolvedDevice()
{
    const QString asked = settings().device;
    if (asked == QLatin1String("cpu"))
        return asked;
    if (asked == QLatin1String("cuda"))
        return asked; // loading reports the error if there is no GPU
    return cudaAvailable() ? QStringLiteral("cuda") : QStringLiteral("cpu");
}

int TorchRuntime::threads()
{
    {
        std::lock_guard lock(g_mutex);
        if (!g_configured) {
            g_configured = true;
            at::set_num_threads(std::max(1, QThread::idealThreadCount()));
        }
    }
    return at::get_num_threads();
}

} // namespace lookalike
