#include "embedderfactory.h"

#include "embed/classicembedder.h"

#include <mutex>
#include <vector>

namespace lookalike {

namespace {
std::mutex g_providersMutex;
std::vector<EmbedderFactory::Provider> &providers()
{
    static std::vector<EmbedderFactory::Provider> list;
    return list;
}
} // namespace

QString EmbedderFactory::defaultId()
{
    return QString::fromLatin1(ClassicEmbedder::kId);
}

QStringList EmbedderFactory::builtInIds()
{
    return {defaultId()};
}

Result<std::unique_ptr<Embedder>> EmbedderFactory::create(const QString &id)
{
    if (id.isEmpty() || id == defaultId() || id == QLatin1String("classic"))
        return std::unique_ptr<Embedder>(std::make_unique<ClassicEmbedder>());
    std::vector<Provider> snapshot;
    {
        std::lock_guard lock(g_providersMutex);
        snapshot = providers();
    }
    for (const Provider &provider : snapshot) {
        if (auto made = provider(id))
            return std::move(*made);
    }
    // Unsupported, not NotFound: the id is well-formed (it may name a collection's model from a
    // newer or larger build), this build just has no embedder for it.
    return Error(QStringLiteral("unsupported model \"%1\": this build has %2").arg(id, builtInIds().join(QStringLiteral(", "))),
                 Error::Code::Unsupported);
}

void EmbedderFactory::addProvider(Provider provider)
{
    std::lock_guard lock(g_providersMutex);
    providers().push_back(std::move(provider));
}

} // namespace lookalike
