// `demo`: the README's first command. Builds (or refreshes) a collection from images that a
// Debian package installs, then shows what a query by one of them returns.
#include "cli.h"
#include "searchoptions.h"

#include "collection/collection.h"
#include "embed/embedder.h"
#include "embed/embedderfactory.h"
#include "ingest/demosources.h"
#include "ingest/ingestjob.h"
#include "search/searchengine.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace lookalike::cli {

int demoCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("demo"),
                QStringLiteral("Build a demo collection from images installed on this system (by default the "
                               "plasma-workspace-wallpapers package) and show the images most similar to one of them."),
                QString());
    QCommandLineOption source{QStringLiteral("source"), QStringLiteral("Folder of images (repeatable)."), QStringLiteral("dir")};
    QCommandLineOption collectionDir{QStringLiteral("collection"), QStringLiteral("Where to keep the demo collection."),
                                     QStringLiteral("dir")};
    QCommandLineOption queryImage{QStringLiteral("query"), QStringLiteral("Image to search with."), QStringLiteral("file")};
    cmd.parser.addOption(source);
    cmd.parser.addOption(collectionDir);
    cmd.parser.addOption(queryImage);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;

    QStringList sources = cmd.parser.values(source);
    if (sources.isEmpty())
        sources = DemoSources::folders();
    if (sources.isEmpty())
        return fail(Error(QStringLiteral("no demo images found: install plasma-workspace-wallpapers or pass --source DIR"),
                          Error::Code::NotFound),
                    cmd.wantsJson());
    const QString dir = cmd.parser.isSet(collectionDir)
        ? cmd.parser.value(collectionDir)
        : QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("demo"));

    std::unique_ptr<Collection> collection;
    if (Collection::isCollection(dir)) {
        auto c = Collection::open(dir);
        if (!c)
            return fail(c.error(), cmd.wantsJson());
        collection = std::move(*c);
    } else {
        auto embedder = EmbedderFactory::create(EmbedderFactory::defaultId());
        if (!embedder)
            return fail(embedder.error(), cmd.wantsJson());
        CollectionOptions options;
        options.embedderId = (*embedder)->id();
        options.dimension = (*embedder)->dimension();
        options.name = QStringLiteral("Demo");
        auto c = Collection::create(dir, options);
        if (!c)
            return fail(c.error(), cmd.wantsJson());
        collection = std::move(*c);
    }
    if (!cmd.wantsJson())
        printLine(QStringLiteral("Indexing %1 into %2 …").arg(sources.join(QStringLiteral(", ")), collection->path()));
    IngestParams params;
    params.inputs = sources;
    auto ingest = runIngest(*collection, params, cmd.wantsJson());
    if (!ingest)
        return fail(ingest.error(), cmd.wantsJson());
    if (!cmd.wantsJson())
        printIngestSummary(*ingest);

    QString query = cmd.parser.value(queryImage);
    if (query.isEmpty())
        query = DemoSources::queryImage(sources.first());
    if (query.isEmpty())
        return fail(Error(QStringLiteral("no image to query with under %1").arg(sources.first()), Error::Code::NotFound), cmd.wantsJson());
    auto embedder = EmbedderFactory::create(collection->embedderId());
    if (!embedder)
        return fail(embedder.error(), cmd.wantsJson());
    SearchEngine engine(*collection, embedder->get());
    SearchQuery q;
    q.imageFiles << query;
    q.k = 10;
    auto result = engine.search(q);
    if (!result)
        return fail(result.error(), cmd.wantsJson());
    if (cmd.wantsJson()) {
        QJsonArray hits;
        int rank = 0;
        for (const SearchHit &h : std::as_const(result->hits))
            hits.append(SearchOptions::hitToJson(h, ++rank));
        printJson({{QStringLiteral("collection"), collection->path()},
                   {QStringLiteral("ingest"), ingestToJson(*ingest)},
                   {QStringLiteral("query"), query},
                   {QStringLiteral("results"), hits}});
    } else {
        printLine(QString());
        printLine(QStringLiteral("Images most similar to %1:").arg(query));
        int rank = 0;
        for (const SearchHit &h : std::as_const(result->hits))
            printLine(QStringLiteral("%1. %2  %3").arg(++rank, 2).arg(h.score, 0, 'f', 3).arg(printable(h.item.uri)));
        printLine(QString());
        printLine(QStringLiteral("Try: lookalike-cli search \"%1\" --image FILE   or   lookalike-cli duplicates \"%1\"")
                      .arg(collection->path()));
    }
    return ingestExitCode(*ingest) == Ok ? Ok : SomeFailed;
}

} // namespace lookalike::cli
