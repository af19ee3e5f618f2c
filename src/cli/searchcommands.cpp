// Commands that query a collection: search, export, duplicates, outliers.
#include "cli.h"
#include "searchoptions.h"

#include "collection/collection.h"
#include "embed/embedderfactory.h"
#include "search/duplicatefinder.h"
#include "search/inspectionjson.h"
#include "search/outlierfinder.h"
#include "search/resultexporter.h"
#include "search/searchengine.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <functional>
#include <optional>

namespace lookalike::cli {

namespace {

QString snippet(const QString &report, int length = 100)
{
    QString s = report.simplified();
    return s.size() > length ? s.left(length - 1) + QChar(0x2026) : s;
}

Result<SearchResult> runSearch(Collection &collection, const SearchQuery &query)
{
    std::unique_ptr<Embedder> embedder;
    // Example images need the collection's model; so does text when that model has a text
    // tower (text-to-image search). The built-in has none: text is matched in reports only.
    const bool modelText = query.hasTextPart() && collection.embedderId() != EmbedderFactory::defaultId();
    if (!query.imageFiles.isEmpty() || !query.negativeImageFiles.isEmpty() || !query.images.isEmpty() || modelText) {
        auto e = EmbedderFactory::create(collection.embedderId());
        if (!e)
            return e.error();
        embedder = std::move(*e);
    }
    SearchEngine engine(collection, embedder.get());
    return engine.search(query);
}

// Opens the collection in `dir` and runs a whole-collection check on it. With --json the check's
// JSON is printed here and nullopt returned; so it is after an error, printed too. Otherwise the
// JSON comes back for the command's text output. `exit` is the exit code in every case.
std::optional<QJsonObject> runCheck(const Command &cmd, const QString &dir, int &exit,
                                    const std::function<Result<QJsonObject>(Collection &)> &check)
{
    auto c = openCollection(dir);
    auto json = c ? check(**c) : Result<QJsonObject>(c.error());
    if (!json) {
        exit = fail(json.error(), cmd.wantsJson());
        return std::nullopt;
    }
    exit = Ok;
    if (!cmd.wantsJson())
        return *json;
    printJson(*json);
    return std::nullopt;
}

} // namespace

int searchCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("search"),
                QStringLiteral("Search the collection in DIR by example images or items (--image, --item), by report text "
                               "(--text), or both (fused with --alpha)."),
                QStringLiteral("DIR"));
    SearchOptions options(cmd);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1)
        return usageError(QStringLiteral("search takes one collection folder"), cmd.wantsJson());
    auto query = options.query();
    if (!query)
        return usageError(query.errorMessage(), cmd.wantsJson());
    if (!query->hasImagePart() && !query->hasTextPart())
        return usageError(QStringLiteral("give --image, --item or --text"), cmd.wantsJson());
    auto c = openCollection(pos.first());
    if (!c)
        return fail(c.error(), cmd.wantsJson());
    auto result = runSearch(**c, *query);
    if (!result)
        return result.error().code == Error::Code::InvalidArgument || result.error().code == Error::Code::NotFound
            ? usageError(result.errorMessage(), cmd.wantsJson())
            : fail(result.error(), cmd.wantsJson());
    if (cmd.wantsJson()) {
        QJsonArray hits;
        int rank = query->offset;
        for (const SearchHit &h : std::as_const(result->hits))
            hits.append(SearchOptions::hitToJson(h, ++rank));
        printJson({{QStringLiteral("results"), hits},
                   {QStringLiteral("total"), result->totalMatches},
                   {QStringLiteral("offset"), query->offset},
                   {QStringLiteral("fusion"), result->fusion},
                   {QStringLiteral("exact"), result->exact},
                   {QStringLiteral("warnings"), QJsonArray::fromStringList(result->warnings)}});
        return Ok;
    }
    for (const QString &w : std::as_const(result->warnings))
        printLine(QStringLiteral("note: %1").arg(w));
    printLine(QStringLiteral("%1 — %2 matches").arg(result->fusion).arg(result->totalMatches));
    printLine(QStringLiteral("rank  score  image   text   id      file"));
    int rank = query->offset;
    for (const SearchHit &h : std::as_const(result->hits)) {
        printLine(QStringLiteral("%1  %2  %3  %4  %5  %6")
                      .arg(++rank, 4)
                      .arg(h.score, 5, 'f', 3)
                      .arg(h.imageScore, 6, 'f', 3)
                      .arg(h.textScore, 5, 'f', 3)
                      .arg(h.id, -6)
                      .arg(printable(h.item.uri)));
        if (!h.report.isEmpty())
            printLine(QStringLiteral("      report: %1").arg(snippet(h.report)));
    }
    return Ok;
}

int similarCommand(const QStringList &args)
{
    // `similar DIR ID...` is `search DIR --item ID...`: the neighbours of items. Arguments that
    // are option values (`-k 5`) stay with their option.
    static const QStringList kTakesValue = {u"--image"_qs, u"--item"_qs, u"--negative"_qs, u"--negative-image"_qs,
                                            u"--text"_qs, u"--alpha"_qs, u"-k"_qs, u"--limit"_qs, u"--offset"_qs,
                                            u"--threshold"_qs, u"--where"_qs, u"--space"_qs};
    QStringList rewritten;
    bool sawDir = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a.startsWith(QLatin1Char('-'))) {
            rewritten << a;
            if (kTakesValue.contains(a) && i + 1 < args.size())
                rewritten << args[++i];
        } else if (!sawDir) {
            rewritten << a;
            sawDir = true;
        } else {
            rewritten << QStringLiteral("--item") << a;
        }
    }
    return searchCommand(rewritten);
}

int exportCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("export"),
                QStringLiteral("Copy the results of a search (or, without query options, every item) into OUT, with a "
                               "results.csv describing them."),
                QStringLiteral("DIR OUT"));
    SearchOptions options(cmd);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 2)
        return usageError(QStringLiteral("export takes a collection folder and an output folder"), cmd.wantsJson());
    auto query = options.query();
    if (!query)
        return usageError(query.errorMessage(), cmd.wantsJson());
    auto c = openCollection(pos.first());
    if (!c)
        return fail(c.error(), cmd.wantsJson());

    QList<SearchHit> hits;
    if (query->hasImagePart() || query->hasTextPart()) {
        auto result = runSearch(**c, *query);
        if (!result)
            return fail(result.error(), cmd.wantsJson());
        hits = result->hits;
    } else {
        auto all = (*c)->items(0, -1);
        if (!all)
            return fail(all.error(), cmd.wantsJson());
        std::vector<qint64> ids;
        for (const ItemRecord &r : std::as_const(*all))
            ids.push_back(r.id);
        auto reports = (*c)->reports(ids);
        if (!reports)
            return fail(reports.error(), cmd.wantsJson());
        for (const ItemRecord &r : std::as_const(*all)) {
            SearchHit h;
            h.id = r.id;
            h.item = r;
            h.report = reports->value(r.id);
            hits.push_back(h);
        }
    }

    auto exported = ResultExporter::exportHits(**c, hits, pos.at(1), query->offset + 1);
    if (!exported)
        return fail(exported.error(), cmd.wantsJson());
    QJsonArray failures;
    for (const IngestErrorRecord &f : std::as_const(exported->failures))
        failures.append(QJsonObject{{QStringLiteral("uri"), f.uri}, {QStringLiteral("message"), f.message}});
    const int copied = exported->copied;
    const QDir out(exported->folder);
    if (cmd.wantsJson()) {
        printJson({{QStringLiteral("exported"), copied},
                   {QStringLiteral("folder"), out.absolutePath()},
                   {QStringLiteral("csv"), out.filePath(QStringLiteral("results.csv"))},
                   {QStringLiteral("failed"), failures}});
    } else {
        printLine(QStringLiteral("exported %1 files and results.csv to %2").arg(copied).arg(out.absolutePath()));
        for (const auto &f : std::as_const(failures))
            printLine(QStringLiteral("  could not copy %1").arg(printable(f.toObject().value(QStringLiteral("uri")).toString())));
    }
    return failures.isEmpty() ? Ok : SomeFailed;
}

int duplicatesCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("duplicates"),
                QStringLiteral("List groups of near-duplicate images in the collection in DIR. With --across, only the "
                               "groups that span parts of a dataset (leaks: the same image in train and test)."),
                QStringLiteral("DIR"));
    QCommandLineOption threshold{QStringLiteral("threshold"), QStringLiteral("Cosine similarity at or above which images are near-duplicates (default 0.95)."),
                                 QStringLiteral("t"), QStringLiteral("0.95")};
    QCommandLineOption neighbours{QStringLiteral("neighbours"), QStringLiteral("Neighbours examined per image (default 16)."), QStringLiteral("n"), QStringLiteral("16")};
    QCommandLineOption across{QStringLiteral("across"),
                              QStringLiteral("Only groups whose images come from different splits: KEY is a metadata key "
                                             "(e.g. split), or 'folder' for the first folder below the one that holds "
                                             "every file (data/train/…, data/test/…)."),
                              QStringLiteral("KEY")};
    cmd.parser.addOption(threshold);
    cmd.parser.addOption(neighbours);
    cmd.parser.addOption(across);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1)
        return usageError(QStringLiteral("duplicates takes one collection folder"), cmd.wantsJson());
    DuplicateParams params;
    bool ok1 = false, ok2 = false;
    params.threshold = cmd.parser.value(threshold).toFloat(&ok1);
    params.neighbours = cmd.parser.value(neighbours).toInt(&ok2);
    if (!ok1 || !ok2 || params.threshold < -1 || params.threshold > 1 || params.neighbours < 1 || params.neighbours > 1000)
        return usageError(QStringLiteral("--threshold wants -1..1 and --neighbours 1..1000"), cmd.wantsJson());
    if (cmd.parser.isSet(across)) {
        const QString key = cmd.parser.value(across);
        if (key.isEmpty())
            return usageError(QStringLiteral("--across wants a metadata key or 'folder'"), cmd.wantsJson());
        params.splitBy = key == QLatin1String("folder") ? SplitBy::TopFolder : SplitBy::Metadata;
        params.splitKey = key;
    }
    const auto json = runCheck(cmd, pos.first(), exit, [&](Collection &c) -> Result<QJsonObject> {
        auto found = DuplicateFinder::find(c, params, &g_interrupted);
        if (!found)
            return found.error();
        return InspectionJson::duplicates(c, *found, params);
    });
    if (!json)
        return exit;
    const QJsonArray groups = (*json)[QStringLiteral("groups")].toArray();
    for (const QJsonValue &v : groups) {
        const QJsonObject g = v.toObject();
        const QJsonArray ids = g[QStringLiteral("ids")].toArray(), uris = g[QStringLiteral("uris")].toArray(),
                         splits = g[QStringLiteral("splits")].toArray();
        printLine(QStringLiteral("group of %1 (best pair %2):").arg(ids.size()).arg(g[QStringLiteral("max_score")].toDouble(), 0, 'f', 3));
        for (qsizetype i = 0; i < ids.size(); ++i) {
            const QString split = splits.isEmpty() ? QString() : QStringLiteral("\t[%1]").arg(printable(splits[i].toString()));
            printLine(QStringLiteral("  %1%2\t%3").arg(ids[i].toInteger()).arg(split, printable(uris[i].toString())));
        }
    }
    if (params.splitBy != SplitBy::None)
        printLine(QStringLiteral("%1 groups across %2 at threshold %3").arg(groups.size()).arg(params.splitKey).arg(params.threshold));
    else
        printLine(QStringLiteral("%1 groups at threshold %2").arg(groups.size()).arg(params.threshold));
    return Ok;
}

int outliersCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("outliers"),
                QStringLiteral("List the images of the collection in DIR that are least like any others: lowest mean "
                               "similarity to their nearest neighbours first (odd, mislabelled or broken images of a dataset)."),
                QStringLiteral("DIR"));
    QCommandLineOption neighbours{QStringLiteral("neighbours"), QStringLiteral("Nearest neighbours the score averages over (default 10)."),
                                  QStringLiteral("n"), QStringLiteral("10")};
    QCommandLineOption limit{QStringLiteral("limit"), QStringLiteral("How many to list (default 20)."), QStringLiteral("n"), QStringLiteral("20")};
    cmd.parser.addOption(neighbours);
    cmd.parser.addOption(limit);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1)
        return usageError(QStringLiteral("outliers takes one collection folder"), cmd.wantsJson());
    OutlierParams params;
    bool ok1 = false, ok2 = false;
    params.neighbours = cmd.parser.value(neighbours).toInt(&ok1);
    params.limit = cmd.parser.value(limit).toInt(&ok2);
    if (!ok1 || !ok2 || params.neighbours < 1 || params.neighbours > 1000 || params.limit < 1 || params.limit > 100000)
        return usageError(QStringLiteral("--neighbours wants 1..1000 and --limit 1..100000"), cmd.wantsJson());
    const auto json = runCheck(cmd, pos.first(), exit, [&](Collection &c) -> Result<QJsonObject> {
        auto found = OutlierFinder::find(c, params, &g_interrupted);
        if (!found)
            return found.error();
        return InspectionJson::outliers(c, *found, params.neighbours);
    });
    if (!json)
        return exit;
    const QJsonArray list = (*json)[QStringLiteral("outliers")].toArray();
    if (!list.isEmpty())
        printLine(QStringLiteral("rank  score  id      file                                   (nearest: score id)"));
    int rank = 0;
    for (const QJsonValue &v : list) {
        const QJsonObject o = v.toObject();
        printLine(QStringLiteral("%1  %2  %3  %4   (nearest: %5 %6)")
                      .arg(++rank, 4)
                      .arg(o[QStringLiteral("mean_score")].toDouble(), 5, 'f', 3)
                      .arg(o[QStringLiteral("id")].toInteger(), -6)
                      .arg(printable(o[QStringLiteral("uri")].toString()))
                      .arg(o[QStringLiteral("nearest_score")].toDouble(), 0, 'f', 3)
                      .arg(o[QStringLiteral("nearest_id")].toInteger()));
    }
    return Ok;
}

} // namespace lookalike::cli
