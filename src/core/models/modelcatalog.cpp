#include "modelcatalog.h"

#include "embed/embedder.h"
#include "embed/embedderfactory.h"
#include "models/hfconfig.h"
#include "models/modelregistry.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lookalike {

namespace {

const QString kConfig = QStringLiteral("config.json");
const QString kTorchScriptSuffix = QStringLiteral(".pt");

qint64 bytesUnder(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isDir())
        return info.size();
    qint64 total = 0;
    QDirIterator it(path, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
    while (it.hasNext()) {
        it.next();
        total += it.fileInfo().size();
    }
    return total;
}

bool isPlainName(const QString &name)
{
    return !name.isEmpty() && !name.startsWith(QLatin1Char('.')) && !name.contains(QLatin1Char('/'))
        && !name.contains(QLatin1Char('\\')) && name != QLatin1String("classic");
}

ModelInfo builtIn()
{
    ModelInfo info;
    info.id = EmbedderFactory::defaultId();
    info.family = QStringLiteral("classic");
    info.name = QStringLiteral("classic");
    info.builtIn = true;
    if (auto classic = EmbedderFactory::create(info.id))
        info.dimension = (*classic)->dimension();
    return info;
}

// Reads what config.json (or a TorchScript sidecar) says; never loads weights.
Result<ModelInfo> describePath(const QString &path, const QString &id)
{
    ModelInfo info;
    info.id = id;
    info.path = QFileInfo(path).absoluteFilePath();
    info.name = QFileInfo(path).fileName();
    info.bytes = bytesUnder(path);
    if (path.endsWith(kTorchScriptSuffix)) {
        info.family = QStringLiteral("torchscript");
        info.name.chop(kTorchScriptSuffix.size());
        const QString sidecar = ModelRegistry::torchScriptSidecar(path);
        QFile file(sidecar);
        if (!file.open(QIODevice::ReadOnly))
            return Error(QStringLiteral("%1: %2").arg(sidecar, file.errorString()), Error::Code::NotFound);
        const QJsonObject json = QJsonDocument::fromJson(file.read(1 << 20)).object();
        info.dimension = json.value(QStringLiteral("dimension")).toInt(0);
        const QJsonValue size = json.value(QStringLiteral("input_size"));
        info.imageSize = size.isArray() ? size.toArray().at(0).toInt() : size.toInt();
        info.bytes += QFileInfo(sidecar).size();
        return info;
    }
    const QString config = QDir(path).filePath(kConfig);
    auto family = modelType(config);
    if (!family)
        return family.error();
    info.family = *family;
    info.hasTextTower = true;
    if (info.family == QLatin1String("clip")) {
        auto c = ClipConfig::fromFile(config);
        if (!c)
            return c.error();
        info.dimension = c->projectionDim;
        info.imageSize = c->vision.imageSize;
    } else {
        auto c = SiglipConfig::fromFile(config);
        if (!c)
            return c.error();
        info.dimension = c->vision.hiddenSize;
        info.imageSize = c->vision.imageSize;
    }
    return info;
}

Result<void> copyTree(const QString &from, const QString &to)
{
    if (!QDir().mkpath(to))
        return Error(QStringLiteral("cannot create %1").arg(to), Error::Code::Io);
    const QDir source(from);
    for (const QFileInfo &entry : source.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden)) {
        const QString target = QDir(to).filePath(entry.fileName());
        if (entry.isDir()) {
            if (auto copied = copyTree(entry.absoluteFilePath(), target); !copied)
                return copied;
        } else if (!QFile::copy(entry.absoluteFilePath(), target)) {
            return Error(QStringLiteral("cannot copy %1 to %2").arg(entry.absoluteFilePath(), target), Error::Code::Io);
        }
    }
    return {};
}

} // namespace

QList<ModelInfo> ModelCatalog::installed()
{
    QList<ModelInfo> list{builtIn()};
    for (const QString &id : ModelRegistry::installedIds()) {
        if (auto info = describe(id))
            list.append(*info);
    }
    return list;
}

Result<ModelInfo> ModelCatalog::describe(const QString &id)
{
    if (id.isEmpty() || id == EmbedderFactory::defaultId() || id == QLatin1String("classic"))
        return builtIn();
    auto resolved = ModelRegistry::resolve(id);
    if (!resolved)
        return Error(QStringLiteral("\"%1\" names no model (installed models are in %2)").arg(id, ModelRegistry::modelsDir()),
                     Error::Code::NotFound);
    if (!*resolved)
        return resolved->error();
    const ModelRegistry::Resolved &r = **resolved;
    return describePath(r.file.isEmpty() ? r.folder : r.file, id);
}

Result<ModelInfo> ModelCatalog::validate(const QString &id)
{
    auto embedder = EmbedderFactory::create(id);
    if (!embedder)
        return embedder.error();
    auto info = describe((*embedder)->id());
    if (!info)
        return info.error();
    info->id = (*embedder)->id();
    info->dimension = (*embedder)->dimension();
    info->hasTextTower = (*embedder)->hasTextTower();
    return info;
}

Result<ModelInfo> ModelCatalog::add(const QString &source, const QString &name, AddMode mode)
{
    const QFileInfo from(source);
    if (!from.exists())
        return Error(QStringLiteral("%1 does not exist").arg(source), Error::Code::NotFound);
    const QString absolute = from.absoluteFilePath();
    const bool torchScript = from.isFile();
    if (torchScript && !absolute.endsWith(kTorchScriptSuffix))
        return Error(QStringLiteral("%1: a model is a Hugging Face folder or a TorchScript .pt file").arg(source),
                     Error::Code::InvalidArgument);
    QString target = name.isEmpty() ? from.fileName() : name;
    if (torchScript && target.endsWith(kTorchScriptSuffix))
        target.chop(kTorchScriptSuffix.size());
    if (!isPlainName(target))
        return Error(QStringLiteral("\"%1\" cannot be a model name").arg(target), Error::Code::InvalidArgument);

    // The name first (cheap), then load it where it lies: a model that does not load is refused
    // before any copy.
    const QDir models(ModelRegistry::modelsDir());
    const QString finalPath = models.filePath(torchScript ? target + kTorchScriptSuffix : target);
    if (QFileInfo(finalPath).exists() || QFileInfo(finalPath).isSymLink())
        return Error(QStringLiteral("a model named \"%1\" is already installed (%2)").arg(target, finalPath),
                     Error::Code::InvalidArgument);
    auto loaded = validate(torchScript ? QStringLiteral("torchscript:") + absolute : absolute);
    if (!loaded)
        return loaded.error();
    if (!QDir().mkpath(models.path()))
        return Error(QStringLiteral("cannot create the models folder %1").arg(models.path()), Error::Code::Io);

    if (mode == AddMode::Link) {
        if (torchScript && !QFile::link(ModelRegistry::torchScriptSidecar(absolute), ModelRegistry::torchScriptSidecar(finalPath)))
            return Error(QStringLiteral("cannot link %1").arg(ModelRegistry::torchScriptSidecar(finalPath)), Error::Code::Io);
        if (!QFile::link(absolute, finalPath)) {
            if (torchScript)
                QFile::remove(ModelRegistry::torchScriptSidecar(finalPath));
            return Error(QStringLiteral("cannot link %1 to %2").arg(finalPath, absolute), Error::Code::Io);
        }
    } else if (torchScript) {
        // The sidecar first: installed() lists a .pt only once its .json is there.
        const QString partPt = models.filePath(QLatin1Char('.') + target + QStringLiteral(".pt.part"));
        QFile::remove(partPt);
        if (!QFile::copy(ModelRegistry::torchScriptSidecar(absolute), ModelRegistry::torchScriptSidecar(finalPath)))
            return Error(QStringLiteral("cannot copy %1").arg(ModelRegistry::torchScriptSidecar(absolute)), Error::Code::Io);
        if (!QFile::copy(absolute, partPt) || !QFile::rename(partPt, finalPath)) {
            QFile::remove(partPt);
            QFile::remove(ModelRegistry::torchScriptSidecar(finalPath));
            return Error(QStringLiteral("cannot copy %1 to %2").arg(absolute, finalPath), Error::Code::Io);
        }
    } else {
        const QString part = models.filePath(QLatin1Char('.') + target + QStringLiteral(".part"));
        QDir(part).removeRecursively();
        auto copied = copyTree(absolute, part);
        if (!copied || !QDir().rename(part, finalPath)) {
            QDir(part).removeRecursively();
            return copied ? Error(QStringLiteral("cannot move %1 to %2").arg(part, finalPath), Error::Code::Io) : copied.error();
        }
    }
    const QString id = loaded->family + QLatin1Char(':') + target;
    auto info = describe(id);
    if (!info)
        return info.error();
    info->dimension = loaded->dimension;
    return info;
}

Result<QString> ModelCatalog::installDownloaded(const QString &folder)
{
    const QDir dir(folder);
    const QString name = QFileInfo(folder).fileName();
    if (QFileInfo(dir.filePath(kConfig)).isFile()) {
        auto family = modelType(dir.filePath(kConfig));
        if (!family)
            return family.error();
        return QString(*family + QLatin1Char(':') + name);
    }
    const QStringList modules = dir.entryList({QStringLiteral("*.pt")}, QDir::Files);
    if (modules.size() != 1 || !QFileInfo(ModelRegistry::torchScriptSidecar(dir.filePath(modules.first()))).isFile())
        return Error(QStringLiteral("%1 holds neither config.json nor one TorchScript .pt with its .json").arg(folder),
                     Error::Code::Corrupt);
    const QDir models = QFileInfo(folder).absoluteDir();
    const QString pt = models.filePath(name + kTorchScriptSuffix);
    if (QFileInfo::exists(pt) || QFileInfo::exists(ModelRegistry::torchScriptSidecar(pt)))
        return Error(QStringLiteral("a model named \"%1\" is already installed").arg(name), Error::Code::InvalidArgument);
    // The sidecar first: a .pt is listed only once its .json is there.
    if (!QFile::rename(ModelRegistry::torchScriptSidecar(dir.filePath(modules.first())), ModelRegistry::torchScriptSidecar(pt)) || !QFile::rename(dir.filePath(modules.first()), pt))
        return Error(QStringLiteral("cannot move the module out of %1").arg(folder), Error::Code::Io);
    QDir(folder).removeRecursively();
    return QString(QStringLiteral("torchscript:") + name);
}

Result<void> ModelCatalog::remove(const QString &name)
{
    if (!isPlainName(name))
        return Error(QStringLiteral("\"%1\" is not an installed model's name").arg(name), Error::Code::InvalidArgument);
    const QDir models(ModelRegistry::modelsDir());
    const QFileInfo folder(models.filePath(name));
    const QFileInfo module(models.filePath(name + kTorchScriptSuffix));
    if (folder.isSymLink()) {
        // A model added with --link: drop the link, never what it points to.
        if (!QFile::remove(folder.filePath()))
            return Error(QStringLiteral("cannot remove %1").arg(folder.filePath()), Error::Code::Io);
        return {};
    }
    if (folder.isDir()) {
        if (!QFileInfo(QDir(folder.filePath()).filePath(kConfig)).isFile())
            return Error(QStringLiteral("%1 is not a model folder").arg(folder.filePath()), Error::Code::InvalidArgument);
        if (!QDir(folder.filePath()).removeRecursively())
            return Error(QStringLiteral("cannot remove %1").arg(folder.filePath()), Error::Code::Io);
        return {};
    }
    if (module.exists() || module.isSymLink()) {
        QFile::remove(ModelRegistry::torchScriptSidecar(module.filePath()));
        if (!QFile::remove(module.filePath()))
            return Error(QStringLiteral("cannot remove %1").arg(module.filePath()), Error::Code::Io);
        return {};
    }
    return Error(QStringLiteral("no model named \"%1\" in %2").arg(name, models.path()), Error::Code::NotFound);
}

} // namespace lookalike
