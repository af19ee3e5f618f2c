#pragma once

#include "embed/embedder.h"
#include "models/torchruntime.h"
#include "util/result.h"

#include <memory>

namespace lookalike {

// What the libtorch plug-in (liblookalike_torch.so, built from lookalike_models) offers the
// rest of the program. libtorch takes about a second to load and register its operators, so
// the CLI and the GUI do not link it: the plug-in is loaded the first time a model is used,
// and commands or windows that never touch a model start as fast as before.
struct TorchModuleApi
{
    static constexpr int kVersion = 1;
    int version = kVersion;
    // family: "clip", "siglip" or "torchscript"; path: the model folder or the .pt file.
    Result<std::unique_ptr<Embedder>> (*createEmbedder)(const QString &family, const QString &path) = nullptr;
    void (*configure)(const TorchSettings &settings) = nullptr;
    bool (*cudaAvailable)() = nullptr;
};

class TorchModule final
{
public:
    // The plug-in, loaded on first use (thread-safe) and never unloaded; it gets the current
    // TorchRuntime settings at once. An error names every place it was looked for:
    // $LOOKALIKE_TORCH_MODULE, <libdir>/lookalike/ beside the executable's <bindir>, the install
    // location, and the build tree's copy.
    static Result<const TorchModuleApi *> api();
    static bool isLoaded();
};

} // namespace lookalike

// The one symbol the plug-in exports.
#define LOOKALIKE_TORCH_MODULE_ENTRY "lookalike_torch_module"
