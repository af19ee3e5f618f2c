#pragma once

#include "embed/embedder.h"

#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace lookalike {

// Creates the embedder a collection was made with, by its id. Model-backed embedders
// (CLIP, SigLIP, TorchScript) register here when the models layer is built.
class EmbedderFactory final
{
public:
    static QString defaultId();
    static QStringList builtInIds();
    static Result<std::unique_ptr<Embedder>> create(const QString &id);

    // A provider claims the ids it understands (nullopt: not mine) and creates the embedder.
    // Providers are consulted in the order added, after the built-in ids; this is how
    // core/models adds CLIP/SigLIP without the embed layer depending on it
    // (see ModelRegistry::registerProviders()).
    using Provider = std::function<std::optional<Result<std::unique_ptr<Embedder>>>(const QString &id)>;
    static void addProvider(Provider provider);
};

} // namespace lookalike
