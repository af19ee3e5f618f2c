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
    // Unsupported, not NotFound: the id is well-formed (it may name a collection's model from a
    // newer or larger build), this build just has no embedder for it.
    return Error(QStringLiteral("unsupported model \"%1\": this build has %2").arg(id, builtInIds().join(QStringLiteral(", "))),
                 Error::Code::Unsupported);
}

} // namespace lookalike
