#pragma once

#include <QString>

namespace lookalike {

// What libtorch runs on. Settings are kept here, without libtorch, so that the CLI and the GUI
// can set them at start-up; the libtorch plug-in (TorchModule) receives them when it loads and
// again whenever they change. They apply to models loaded afterwards.
struct TorchSettings
{
    QString device = QStringLiteral("auto"); // "auto" (CUDA when available), "cpu", "cuda"
    int threads = 0;                          // intra-op threads on CPU; 0 = one per core
};

class TorchRuntime final
{
public:
    // libtorch starts with one intra-op thread on this platform: without this, CPU inference
    // uses one core whatever the machine.
    static void configure(const TorchSettings &settings);
    static TorchSettings settings();
    // Loads the plug-in to ask libtorch (false when it cannot be loaded).
    static bool cudaAvailable();
    // "cuda" or "cpu": what "auto" resolves to here, or what was asked for.
    static QString resolvedDevice();
    // The intra-op thread count models run with.
    static int threads();
};

} // namespace lookalike
