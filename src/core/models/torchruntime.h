#pragma once

#include <QString>

namespace lookalike {

// What libtorch runs on, set once per process before models load. Kept out of the models'
// headers so that callers (CLI, GUI, tests) need no libtorch headers.
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
    static bool cudaAvailable();
    // "cuda" or "cpu": what "auto" resolves to here, or what was asked for.
    static QString resolvedDevice();
    static int threads();
};

} // namespace lookalike
