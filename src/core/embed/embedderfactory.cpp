#include "embedderfactory.h"

#include "embed/classicembedder.h"

namespace lookalike {

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
    return Error(QStringLiteral("unknown model \"%1\"; available: %2").arg(id, builtInIds().join(QStringLiteral(", "))),
                 Error::Code::NotFound);
}

} // namespace lookalike
