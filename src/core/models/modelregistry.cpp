#include "modelregistry.h"

#include "embed/embedderfactory.h"
#include "models/hfconfig.h"
#include "models/torchmodule.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <mutex>

namespace lookalike {

namespace {

const QString kConfig = QStringLiteral("config.json");

const QString kTorchScript = QStringLiteral("torchscript");
const QString kTorchScriptSuffix = QStringLiteral(".pt");

bool isModelFolder(const QString &folder)
{
    return QFileInfo(QDir(folder).filePath(kConfig)).isFile();
}

// `name`: what follows "torchscript:" (a plain name or an absolute path), or a plain
// absolute path ending in ".pt".
Result<ModelRegistry::Resolved> resolveTorchScript(const QString &id, const QString &name)
{
    QString file;
    if (QDir::isAbsolutePath(name)) {
        file = QDir::cleanPath(name);
    } else {
        // A plain name, never a path into or out of the models folder.
        if (name.isEmpty() || name.contains(QLatin1String("..")) || name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\'))) {
            return Error(QStringLiteral("\"%1\" does not name a TorchScript model (\"torchscript:<name>\" for <name>.pt in %2, or an absolute path)")
                             .arg(id, ModelRegistry::modelsDir()),
                         Error::Code::InvalidArgument);
        }
        file = QDir(ModelRegistry::modelsDir()).filePath(name + kTorchScriptSuffix);
    }
    const QFileInfo info(file);
    if (!info.isFile()) {
        return Error(QStringLiteral("model \"%1\": %2 is not a file (models are looked up in %3)").arg(id, file, ModelRegistry::modelsDir()),
                     Error::Code::NotFound);
    }
    return ModelRegistry::Resolved{kTorchScript, info.absolutePath(), info.absoluteFilePath()};
}

} // namespace

QString ModelRegistry::modelsDir()
{
    const QString fromEnv = qEnvironmentVariable("LOOKALIKE_MODELS_DIR");
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(QDir(fromEnv).absolutePath());
    // GenericDataLocation, not AppDataLocation: the CLI and the GUI name themselves
    // differently (organisation, application), and must share one models folder.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/lookalike/models");
}

QString ModelRegistry::idFor(const QString &family, const QString &path)
{
    const QFileInfo info(QDir::cleanPath(path));
    const bool inModels = info.absoluteDir() == QDir(modelsDir());
    if (family == kTorchScript) {
        if (inModels && info.suffix() == QLatin1String("pt"))
            return kTorchScript + QLatin1Char(':') + info.completeBaseName();
        return kTorchScript + QLatin1Char(':') + info.absoluteFilePath();
    }
    return family + QLatin1Char(':') + (inModels ? info.fileName() : info.absoluteFilePath());
}

QString ModelRegistry::torchScriptSidecar(const QString &ptPath)
{
    const QFileInfo info(ptPath);
    return info.dir().filePath(info.completeBaseName() + QStringLiteral(".json"));
}

std::optional<Result<ModelRegistry::Resolved>> ModelRegistry::resolve(const QString &id)
{
    const QString torchScriptPrefix = kTorchScript + QLatin1Char(':');
    if (id.startsWith(torchScriptPrefix))
        return resolveTorchScript(id, id.mid(torchScriptPrefix.size()));

    QString family;
    QString name = id;
    for (const char *prefix : {"clip", "siglip"}) {
        const QString p = QLatin1String(prefix) + QLatin1Char(':');
        if (id.startsWith(p)) {
            family = QLatin1String(prefix);
            name = id.mid(p.size());
            break;
        }
    }

    QString folder;
    if (QDir::isAbsolutePath(name)) {
        folder = QDir::cleanPath(name);
        if (family.isEmpty() && !isModelFolder(folder)) {
            if (folder.endsWith(kTorchScriptSuffix))
                return resolveTorchScript(id, folder);
            return std::nullopt;
        }
    } else {
        // A plain name, never a path that climbs out of the models folder.
        if (name.isEmpty() || name.contains(QLatin1String("..")) || name.contains(QLatin1Char('\\'))) {
            if (family.isEmpty())
                return std::nullopt;
            return Result<Resolved>(Error(QStringLiteral("\"%1\" does not name a model folder").arg(id), Error::Code::InvalidArgument));
        }
        folder = QDir(modelsDir()).filePath(name);
        if (family.isEmpty() && !isModelFolder(folder))
            return std::nullopt;
    }

    if (!isModelFolder(folder)) {
        return Result<Resolved>(Error(QStringLiteral("model \"%1\": %2 holds no config.json (models are looked up in %3)")
                                          .arg(id, folder, modelsDir()),
                                      Error::Code::NotFound));
    }
    auto type = modelType(QDir(folder).filePath(kConfig));
    if (!type)
        return Result<Resolved>(type.error());
    if (!family.isEmpty() && *type != family) {
        return Result<Resolved>(Error(QStringLiteral("model \"%1\": %2 holds a %3 model, not %4").arg(id, folder, *type, family),
                                      Error::Code::InvalidArgument));
    }
    return Result<Resolved>(Resolved{*type, QFileInfo(folder).absoluteFilePath(), QString()});
}

QStringList ModelRegistry::installedIds()
{
    QStringList ids;
    const QDir dir(modelsDir());
    for (const QString &name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QString folder = dir.filePath(name);
        if (!isModelFolder(folder))
            continue;
        auto type = modelType(QDir(folder).filePath(kConfig));
        if (type)
            ids.append(idFor(*type, folder));
    }
    // Case-sensitive, as resolve() appends exactly ".pt" to a name.
    const QStringList modules = dir.entryList({QStringLiteral("*") + kTorchScriptSuffix},
                                              QDir::Files | QDir::CaseSensitive, QDir::Name);
    for (const QString &name : modules) {
        const QString file = dir.filePath(name);
        if (QFileInfo(torchScriptSidecar(file)).isFile())
            ids.append(idFor(kTorchScript, file));
    }
    return ids;
}

void ModelRegistry::registerProviders()
{
    static std::once_flag once;
    std::call_once(once, [] {
        EmbedderFactory::addProvider([](const QString &id) -> std::optional<Result<std::unique_ptr<Embedder>>> {
            auto resolved = resolve(id);
            if (!resolved)
                return std::nullopt;
            if (!*resolved)
                return Result<std::unique_ptr<Embedder>>(resolved->error());
            // The networks live in the libtorch plug-in, loaded now if it is not yet.
            auto api = TorchModule::api();
            if (!api)
                return Result<std::unique_ptr<Embedder>>(api.error());
            const Resolved &r = **resolved;
            return (*api)->createEmbedder(r.family, r.family == kTorchScript ? r.file : r.folder);
        });
    });
}

} // namespace lookalike
