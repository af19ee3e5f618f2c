#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace lookalike {

// Connects model files to EmbedderFactory ids. An id names a Hugging Face CLIP or SigLIP
// folder, or a TorchScript image encoder (a .pt with its .json sidecar, see
// TorchScriptEmbedder), in one of these ways:
//   "clip:<name>", "siglip:<name>"  <name>: a folder in modelsDir() (what
//                                   VisionLanguageEmbedder::id() gives), or an absolute path;
//                                   the family must match config.json's model_type
//   "torchscript:<name>"            <name>: "<name>.pt" in modelsDir() (what
//                                   TorchScriptEmbedder::id() gives), or the absolute path of
//                                   a .pt file (any name)
//   "<absolute path>"               a folder holding config.json, the family from its
//                                   model_type; else, when it ends in ".pt", a TorchScript file
//   "<name>"                        a folder in modelsDir() holding config.json
// Ids of none of these forms are left to the factory's other providers.
class ModelRegistry final
{
public:
    // The per-user models folder: $LOOKALIKE_MODELS_DIR when set, else
    // QStandardPaths::GenericDataLocation + "/lookalike/models" (~/.local/share/lookalike/models).
    static QString modelsDir();

    // The id of the model at `path` (a folder, or a TorchScript .pt): an entry of the models
    // folder is named by its name, so a collection keeps working when the models folder moves
    // (another user, LOOKALIKE_MODELS_DIR); anything else by its absolute path, the only name
    // that finds it again. Only "<name>.pt" gets the short TorchScript form.
    static QString idFor(const QString &family, const QString &path);
    // "<dir>/<name>.json" for "<dir>/<name>.pt".
    static QString torchScriptSidecar(const QString &ptPath);

    // Adds the CLIP/SigLIP/TorchScript provider to EmbedderFactory once (later calls do
    // nothing). The CLI, the GUI and tests call it at start-up; the factory's built-in ids are
    // unaffected.
    static void registerProviders();

    struct Resolved
    {
        QString family; // "clip", "siglip" or "torchscript"
        QString folder; // absolute: the model folder, or the folder holding the .pt
        QString file;   // torchscript: the .pt, absolute; empty otherwise
    };
    // nullopt when `id` is not of a form above; an error when it is but names no usable
    // folder or file (NotFound, or InvalidArgument for a family that contradicts config.json
    // or a name that is not a plain file name). The TorchScript sidecar is checked on load.
    static std::optional<Result<Resolved>> resolve(const QString &id);

    // Ids of the CLIP/SigLIP folders in modelsDir(), sorted, then of the "<name>.pt" files
    // there that have a "<name>.json" sidecar, sorted.
    static QStringList installedIds();
};

} // namespace lookalike
