// The entry point of liblookalike_torch.so: the only thing the program sees of libtorch
// (see TorchModule).
#include "models/torchbackend.h"
#include "models/torchmodule.h"
#include "models/torchscriptembedder.h"
#include "models/visionlanguageembedder.h"

namespace {

using namespace lookalike;

Result<std::unique_ptr<Embedder>> createEmbedder(const QString &family, const QString &path)
{
    if (family == QLatin1String("torchscript")) {
        auto embedder = TorchScriptEmbedder::load(path);
        if (!embedder)
            return embedder.error();
        return std::unique_ptr<Embedder>(std::move(*embedder));
    }
    auto embedder = VisionLanguageEmbedder::load(path);
    if (!embedder)
        return embedder.error();
    return std::unique_ptr<Embedder>(std::move(*embedder));
}

void configure(const TorchSettings &settings)
{
    // This module's own copy of the settings, which TorchBackend reads.
    TorchRuntime::configure(settings);
    TorchBackend::apply();
}

bool cudaAvailable()
{
    return TorchBackend::cudaAvailable();
}

const TorchModuleApi kApi{TorchModuleApi::kVersion, &createEmbedder, &configure, &cudaAvailable};

} // namespace

extern "C" Q_DECL_EXPORT const lookalike::TorchModuleApi *lookalike_torch_module()
{
    return &kApi;
}
