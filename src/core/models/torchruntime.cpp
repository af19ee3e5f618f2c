#include "torchruntime.h"

#include "models/torchmodule.h"

#include <QThread>

#include <algorithm>
#include <mutex>

namespace lookalike {

namespace {
std::mutex g_mutex;
TorchSettings g_settings;
} // namespace

void TorchRuntime::configure(const TorchSettings &settings)
{
    {
        std::lock_guard lock(g_mutex);
        g_settings = settings;
    }
    // A plug-in that is not loaded yet picks the settings up when it loads.
    if (TorchModule::isLoaded()) {
        if (auto api = TorchModule::api())
            (*api)->configure(settings);
    }
}

TorchSettings TorchRuntime::settings()
{
    std::lock_guard lock(g_mutex);
    return g_settings;
}

bool TorchRuntime::cudaAvailable()
{
    auto api = TorchModule::api();
    return api && (*api)->cudaAvailable();
}

QString TorchRuntime::resolvedDevice()
{
    const QString asked = settings().device;
    if (asked == QLatin1String("cpu") || asked == QLatin1String("cuda"))
        return asked; // loading reports the error if there is no GPU
    return cudaAvailable() ? QStringLiteral("cuda") : QStringLiteral("cpu");
}

int TorchRuntime::threads()
{
    const int asked = settings().threads;
    return asked > 0 ? asked : std::max(1, QThread::idealThreadCount());
}

} // namespace lookalike
