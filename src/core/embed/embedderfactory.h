#pragma once

#include "embed/embedder.h"

#include <QStringList>

#include <memory>

namespace lookalike {

// Creates the embedder a collection was made with, by its id. Model-backed embedders
// (CLIP, SigLIP, TorchScript) register here when the models layer is built.
class EmbedderFactory final
{
public:
    static QString defaultId();
    static QStringList builtInIds();
    static Result<std::unique_ptr<Embedder>> create(const QString &id);
};

} // namespace lookalike
