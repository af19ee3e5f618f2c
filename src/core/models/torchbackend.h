#pragma once

#include <QString>

namespace lookalike {

// The libtorch side of TorchRuntime, for the code inside the plug-in: applies the settings to
// libtorch and answers from it. (TorchRuntime itself would load the plug-in again.)
class TorchBackend final
{
public:
    // Applies TorchRuntime::settings() (the thread count) to libtorch.
    static void apply();
    // Applies the settings once, the first time a model loads.
    static void ensureApplied();
    static bool cudaAvailable();
    // "cuda" or "cpu": the configured device, "auto" resolved.
    static QString device();
};

} // namespace lookalike
