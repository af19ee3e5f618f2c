#pragma once

#include "util/result.h"

#include <QList>
#include <QString>

namespace lookalike {

// What the user sees of a model without loading it (the CLI's `models list`, the GUI's Models
// dialog): read from config.json or the TorchScript sidecar, and the files' sizes.
struct ModelInfo
{
    QString id;            // what EmbedderFactory::create() and collections take
    QString family;        // "classic", "clip", "siglip" or "torchscript"
    QString name;          // folder or file name; "classic" for the built-in
    QString path;          // absolute; empty for the built-in
    int dimension = 0;     // 0 when only loading tells (a TorchScript module without "dimension")
    int imageSize = 0;     // the vision tower's input side; 0 for classic
    qint64 bytes = 0;      // on disk
    bool hasTextTower = false;
    bool builtIn = false;
};

// The models this user has: the built-in classic embedder and what lies in
// ModelRegistry::modelsDir(). Adding a model validates it by loading it first, so a folder that
// would fail at ingest time never lands in the list.
class ModelCatalog final
{
public:
    // The built-in first, then the models folder's entries by name. Entries that cannot be
    // described (a broken config.json) are left out; describe() says why.
    static QList<ModelInfo> installed();
    static Result<ModelInfo> describe(const QString &id);

    enum class AddMode { Copy, Link };
    // Loads the model at `source` (a Hugging Face folder, or a TorchScript .pt with its .json),
    // then copies it (or links to it) into the models folder as `name` (default: its own
    // name). The copy goes to a hidden folder that is renamed at the end, so an interrupted
    // copy never shows up as a model.
    static Result<ModelInfo> add(const QString &source, const QString &name = {}, AddMode mode = AddMode::Copy);
    // Names what a download left in `folder` (in the models folder): a Hugging Face folder
    // stays as it is; a folder holding one TorchScript .pt and its .json becomes the pair
    // <name>.pt + <name>.json beside it. Returns the id; loads nothing.
    static Result<QString> installDownloaded(const QString &folder);
    // Deletes an entry of the models folder (and a TorchScript module's sidecar).
    static Result<void> remove(const QString &name);
    // Loads the model to prove it works (weights, tokenizer, preprocessor) and returns its
    // description with the real dimension.
    static Result<ModelInfo> validate(const QString &id);
};

} // namespace lookalike
