#include "torchmodule.h"

#include "util/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLibrary>

#include <memory>
#include <mutex>
#include <optional>

namespace lookalike {

namespace {

std::mutex g_mutex;
const TorchModuleApi *g_api = nullptr;
// Never deleted: QLibrary's destructor at exit would run after Qt's library registry is gone.
QLibrary *g_library = nullptr;
std::optional<Error> g_failure;

QStringList candidates()
{
    QStringList list;
    const QString fromEnv = qEnvironmentVariable("LOOKALIKE_TORCH_MODULE");
    if (!fromEnv.isEmpty())
        list << fromEnv;
    if (QCoreApplication::instance())
        list << QDir::cleanPath(QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral(LOOKALIKE_TORCH_MODULE_RELATIVE)));
    list << QStringLiteral(LOOKALIKE_TORCH_MODULE_INSTALLED) << QStringLiteral(LOOKALIKE_TORCH_MODULE_BUILT);
    return list;
}

} // namespace

bool TorchModule::isLoaded()
{
    std::lock_guard lock(g_mutex);
    return g_api != nullptr;
}

Result<const TorchModuleApi *> TorchModule::api()
{
    std::lock_guard lock(g_mutex);
    if (g_api)
        return g_api;
    if (g_failure)
        return *g_failure;
    QStringList tried;
    for (const QString &path : candidates()) {
        if (!QFileInfo(path).isFile()) {
            tried << QStringLiteral("%1 (absent)").arg(QDir::cleanPath(path));
            continue;
        }
        // Never unloaded: embedders made by the plug-in live as long as their owners.
        auto library = std::make_unique<QLibrary>(path);
        using Entry = const TorchModuleApi *(*)();
        const auto entry = reinterpret_cast<Entry>(library->resolve(LOOKALIKE_TORCH_MODULE_ENTRY));
        if (!entry) {
            tried << QStringLiteral("%1 (%2)").arg(path, library->errorString());
            continue;
        }
        const TorchModuleApi *api = entry();
        if (!api || api->version != TorchModuleApi::kVersion || !api->createEmbedder || !api->configure || !api->cudaAvailable) {
            tried << QStringLiteral("%1 (another version of Lookalike's)").arg(path);
            continue;
        }
        api->configure(TorchRuntime::settings());
        qCInfo(lcEmbed).noquote() << "loaded model support from" << path;
        g_api = api;
        g_library = library.release();
        return g_api;
    }
    g_failure = Error(QStringLiteral("model support (libtorch) is not available: %1").arg(tried.join(QStringLiteral("; "))),
                      Error::Code::Unsupported);
    return *g_failure;
}

} // namespace lookalike
