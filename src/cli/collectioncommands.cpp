// Commands that create, fill, inspect and repair a collection.
#include "cli.h"
#include "progressprinter.h"

#include "collection/collection.h"
#include "embed/embedder.h"
#include "embed/embedderfactory.h"
#include "ingest/ingestjob.h"

#include <QColor>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>

#include <optional>

namespace lookalike::cli {

namespace {

QJsonArray errorsToJson(const QList<IngestErrorRecord> &errors)
{
    QJsonArray out;
    for (const IngestErrorRecord &e : errors)
        out.append(QJsonObject{{QStringLiteral("uri"), e.uri}, {QStringLiteral("stage"), e.stage}, {QStringLiteral("message"), e.message}});
    return out;
}

QJsonObject itemToJson(const ItemRecord &r)
{
    return {{QStringLiteral("id"), r.id},
            {QStringLiteral("uri"), r.uri},
            {QStringLiteral("filename"), r.filename},
            {QStringLiteral("width"), r.width},
            {QStringLiteral("height"), r.height},
            {QStringLiteral("format"), r.format},
            {QStringLiteral("size"), r.size}};
}

} // namespace

// One input a line; '#' comments and blank lines skipped; "-" is standard input.
Result<QStringList> readInputList(const QString &file)
{
    QFile f;
    const bool ok = file == QLatin1String("-") ? f.open(stdin, QIODevice::ReadOnly) : (f.setFileName(file), f.open(QIODevice::ReadOnly));
    if (!ok)
        return Error(QStringLiteral("cannot read %1: %2").arg(file, f.errorString()), Error::Code::Io);
    constexpr qint64 kMaxListBytes = 64 << 20;
    const QByteArray bytes = f.read(kMaxListBytes + 1);
    if (bytes.size() > kMaxListBytes)
        return Error(QStringLiteral("%1 is larger than 64 MiB; split the list").arg(file), Error::Code::TooLarge);
    QStringList out;
    for (const QByteArray &raw : bytes.split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (!line.isEmpty() && !line.startsWith(QLatin1Char('#')))
            out << line;
    }
    return out;
}

// Shared by `add` and `demo`: runs an ingest with progress and Ctrl-C handling.
Result<IngestResult> runIngest(Collection &collection, IngestParams params, bool quiet)
{
    auto embedder = EmbedderFactory::create(collection.embedderId());
    if (!embedder)
        return embedder.error();
    params.interrupt = &g_interrupted;
    IngestJob job(collection, **embedder, params);
    ProgressPrinter printer(quiet);
    QObject::connect(&job, &IngestJob::progressChanged, [&](const IngestProgress &p) { printer.update(p); });
    auto result = job.run();
    printer.finish();
    return result;
}

int ingestExitCode(const IngestResult &r)
{
    return r.failed > 0 || r.cancelled ? SomeFailed : Ok;
}

void printIngestSummary(const IngestResult &r)
{
    printLine(QStringLiteral("%1 added, %2 updated, %3 unchanged, %4 moved, %5 failed (%6 files seen in %7 s)%8")
                  .arg(r.added)
                  .arg(r.updated)
                  .arg(r.unchanged)
                  .arg(r.relinked)
                  .arg(r.failed)
                  .arg(r.discovered)
                  .arg(r.seconds, 0, 'f', 1)
                  .arg(r.cancelled ? QStringLiteral(" — interrupted; what was added is kept, run add again to finish")
                                   : QString()));
    constexpr int kShown = 20;
    for (int i = 0; i < r.errors.size() && i < kShown; ++i)
        printLine(QStringLiteral("  failed: %1 (%2: %3)").arg(printable(r.errors[i].uri), r.errors[i].stage, printable(r.errors[i].message)));
    if (r.errors.size() > kShown)
        printLine(QStringLiteral("  … and %1 more (`lookalike-cli stats --errors`)").arg(r.errors.size() - kShown));
    if (!r.missing.isEmpty()) {
        printLine(QStringLiteral("%1 items' files are gone from disk (`lookalike-cli remove --missing` drops them):").arg(r.missing.size()));
        for (int i = 0; i < r.missing.size() && i < kShown; ++i)
            printLine(QStringLiteral("  missing: %1").arg(printable(r.missing[i])));
    }
    if (r.skippedNonImages > 0)
        printLine(QStringLiteral("%1 files that are not images were skipped").arg(r.skippedNonImages));
    if (r.fetched > 0)
        printLine(QStringLiteral("%1 URLs downloaded (%2 MB) into the collection's files/")
                      .arg(r.fetched)
                      .arg(double(r.fetchedBytes) / 1e6, 0, 'f', 1));
    if (r.reportsEmbedded > 0)
        printLine(QStringLiteral("%1 reports embedded by the model's text tower").arg(r.reportsEmbedded));
}

QJsonObject ingestToJson(const IngestResult &r)
{
    return {{QStringLiteral("discovered"), r.discovered},
            {QStringLiteral("added"), r.added},
            {QStringLiteral("updated"), r.updated},
            {QStringLiteral("unchanged"), r.unchanged},
            {QStringLiteral("moved"), r.relinked},
            {QStringLiteral("failed"), r.failed},
            {QStringLiteral("skipped_non_images"), r.skippedNonImages},
            {QStringLiteral("fetched"), r.fetched},
            {QStringLiteral("fetched_bytes"), r.fetchedBytes},
            {QStringLiteral("cancelled"), r.cancelled},
            {QStringLiteral("seconds"), r.seconds},
            {QStringLiteral("errors"), errorsToJson(r.errors)},
            {QStringLiteral("missing"), QJsonArray::fromStringList(r.missing)},
            {QStringLiteral("reports_embedded"), r.reportsEmbedded}};
}

int createCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("create"), QStringLiteral("Create a collection in DIR."), QStringLiteral("DIR"));
    QCommandLineOption model{QStringLiteral("model"), QStringLiteral("Embedder (default: classic)."), QStringLiteral("name"),
                             EmbedderFactory::defaultId()};
    QCommandLineOption name{QStringLiteral("name"), QStringLiteral("Display name."), QStringLiteral("name")};
    QCommandLineOption background{QStringLiteral("background"),
                                  QStringLiteral("Colour transparent images (and SVG) are composited onto, e.g. white, black, "
                                                 "#808080 (default white; fixed for the collection)."),
                                  QStringLiteral("color"), QStringLiteral("white")};
    cmd.parser.addOption(model);
    cmd.parser.addOption(name);
    cmd.parser.addOption(background);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1)
        return usageError(QStringLiteral("create takes one folder"), cmd.wantsJson());
    auto embedder = EmbedderFactory::create(cmd.parser.value(model));
    if (!embedder)
        return usageError(embedder.errorMessage(), cmd.wantsJson());
    CollectionOptions options;
    options.embedderId = (*embedder)->id();
    options.dimension = (*embedder)->dimension();
    options.name = cmd.parser.value(name);
    const QColor color = QColor::fromString(cmd.parser.value(background));
    if (!color.isValid())
        return usageError(QStringLiteral("--background: %1 is not a colour (a name such as white, or #rrggbb)")
                              .arg(cmd.parser.value(background)),
                          cmd.wantsJson());
    options.background = color.name(QColor::HexRgb);
    auto c = Collection::create(pos.first(), options);
    if (!c)
        return fail(c.error(), cmd.wantsJson());
    if (cmd.wantsJson())
        printJson({{QStringLiteral("path"), (*c)->path()}, {QStringLiteral("model"), options.embedderId}});
    else
        printLine(QStringLiteral("created %1 (model %2)").arg((*c)->path(), options.embedderId));
    return Ok;
}

int addCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("add"),
                QStringLiteral("Add images to the collection in DIR: files, folders (recursively) and http(s) URLs. An image "
                               "added by URL is downloaded into the collection's files/ and keeps its URL."),
                QStringLiteral("DIR [PATH|URL]..."));
    QCommandLineOption threads{QStringLiteral("threads"), QStringLiteral("Decode threads (default: one per core)."), QStringLiteral("n"), QStringLiteral("0")};
    QCommandLineOption noSidecars{QStringLiteral("no-sidecars"), QStringLiteral("Do not read <image>.txt files as reports.")};
    QCommandLineOption quiet{{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress output.")};
    QCommandLineOption urls{QStringLiteral("urls"),
                            QStringLiteral("A text file of URLs (or paths), one a line; blank lines and lines starting with # "
                                           "are skipped; - reads standard input."),
                            QStringLiteral("file")};
    QCommandLineOption concurrency{QStringLiteral("url-concurrency"), QStringLiteral("Downloads at once (default 8)."), QStringLiteral("n"),
                                   QStringLiteral("8")};
    QCommandLineOption timeout{QStringLiteral("url-timeout"),
                               QStringLiteral("Seconds one download may take, redirects included (default 60)."), QStringLiteral("s"),
                               QStringLiteral("60")};
    cmd.parser.addOption(threads);
    cmd.parser.addOption(noSidecars);
    cmd.parser.addOption(quiet);
    cmd.parser.addOption(urls);
    cmd.parser.addOption(concurrency);
    cmd.parser.addOption(timeout);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    QStringList pos = cmd.parser.positionalArguments();
    if (pos.isEmpty() || (pos.size() < 2 && !cmd.parser.isSet(urls)))
        return usageError(QStringLiteral("add takes a collection folder and at least one file, folder or URL"), cmd.wantsJson());
    bool ok = false;
    const int urlConcurrency = cmd.parser.value(concurrency).toInt(&ok);
    if (!ok || urlConcurrency < 1 || urlConcurrency > 64)
        return usageError(QStringLiteral("--url-concurrency takes a number from 1 to 64"), cmd.wantsJson());
    const double urlTimeout = cmd.parser.value(timeout).toDouble(&ok);
    if (!ok || urlTimeout <= 0 || urlTimeout > 3600)
        return usageError(QStringLiteral("--url-timeout takes seconds, more than 0 and at most 3600"), cmd.wantsJson());
    auto c = openCollection(pos.takeFirst());
    if (!c)
        return fail(c.error(), cmd.wantsJson());
    QStringList inputs = pos;
    if (cmd.parser.isSet(urls)) {
        auto listed = readInputList(cmd.parser.value(urls));
        if (!listed)
            return fail(listed.error(), cmd.wantsJson());
        inputs += *listed;
    }
    IngestParams params;
    params.inputs = inputs;
    params.threads = cmd.parser.value(threads).toInt();
    params.readSidecarReports = !cmd.parser.isSet(noSidecars);
    params.fetch.concurrency = urlConcurrency;
    params.fetch.totalTimeoutMs = int(urlTimeout * 1000);
    auto r = runIngest(**c, params, cmd.parser.isSet(quiet) || cmd.wantsJson());
    if (!r)
        return fail(r.error(), cmd.wantsJson());
    if (cmd.wantsJson())
        printJson(ingestToJson(*r));
    else
        printIngestSummary(*r);
    return ingestExitCode(*r);
}

int listCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("list"), QStringLiteral("List the items of the collection in DIR, by id."), QStringLiteral("DIR"));
    QCommandLineOption offset{QStringLiteral("offset"), QStringLiteral("Skip this many items."), QStringLiteral("n"), QStringLiteral("0")};
    QCommandLineOption limit{QStringLiteral("limit"), QStringLiteral("At most this many items (default 100; 0 = all)."), QStringLiteral("n"), QStringLiteral("100")};
    cmd.parser.addOption(offset);
    cmd.parser.addOption(limit);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1)
        return usageError(QStringLiteral("list takes one collection folder"), cmd.wantsJson());
    bool ok1 = false, ok2 = false;
    const qint64 off = cmd.parser.value(offset).toLongLong(&ok1);
    const qint64 lim = cmd.parser.value(limit).toLongLong(&ok2);
    if (!ok1 || !ok2 || off < 0 || lim < 0)
        return usageError(QStringLiteral("--offset and --limit want numbers of at least 0"), cmd.wantsJson());
    auto c = openCollection(pos.first());
    if (!c)
        return fail(c.error(), cmd.wantsJson());
    auto items = (*c)->items(off, lim == 0 ? -1 : lim);
    if (!items)
        return fail(items.error(), cmd.wantsJson());
    auto total = (*c)->itemCount();
    if (!total)
        return fail(total.error(), cmd.wantsJson());
    if (cmd.wantsJson()) {
        QJsonArray arr;
        for (const ItemRecord &r : std::as_const(*items))
            arr.append(itemToJson(r));
        printJson({{QStringLiteral("items"), arr}, {QStringLiteral("total"), *total}, {QStringLiteral("offset"), off}});
    } else {
        for (const ItemRecord &r : std::as_const(*items))
            printLine(QStringLiteral("%1\t%2×%3\t%4").arg(r.id).arg(r.width).arg(r.height).arg(printable(r.uri)));
        printLine(QStringLiteral("(%1 of %2 items)").arg(items->size()).arg(*total));
    }
    return Ok;
}

int statsCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("stats"), QStringLiteral("Show what the collection in DIR holds."), QStringLiteral("DIR"));
    QCommandLineOption errors{QStringLiteral("errors"), QStringLiteral("Also list the files that failed.")};
    cmd.parser.addOption(errors);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1)
        return usageError(QStringLiteral("stats takes one collection folder"), cmd.wantsJson());
    auto c = openCollection(pos.first());
    if (!c)
        return fail(c.error(), cmd.wantsJson());
    for (const QString &space : {(*c)->imageSpaceName()}) // load the index so its kind is known
        (void)(*c)->index(space);
    auto s = (*c)->stats();
    if (!s)
        return fail(s.error(), cmd.wantsJson());
    QList<IngestErrorRecord> errorList;
    if (cmd.parser.isSet(errors)) {
        auto e = (*c)->ingestErrors(100000);
        if (!e)
            return fail(e.error(), cmd.wantsJson());
        errorList = *e;
    }
    if (cmd.wantsJson()) {
        QJsonArray spaces;
        for (const SpaceInfo &sp : std::as_const(s->spaces))
            spaces.append(QJsonObject{{QStringLiteral("name"), sp.name},
                                      {QStringLiteral("modality"), sp.modality},
                                      {QStringLiteral("model"), sp.modelId},
                                      {QStringLiteral("dimension"), sp.dimension},
                                      {QStringLiteral("count"), sp.count},
                                      {QStringLiteral("index"), s->indexDescriptions.value(sp.name)}});
        QJsonObject o{{QStringLiteral("path"), (*c)->path()},
                      {QStringLiteral("name"), (*c)->name()},
                      {QStringLiteral("model"), s->embedderId},
                      {QStringLiteral("background"), (*c)->background()},
                      {QStringLiteral("items"), s->items},
                      {QStringLiteral("reports"), s->reports},
                      {QStringLiteral("errors"), s->errors},
                      {QStringLiteral("schema_version"), s->schemaVersion},
                      {QStringLiteral("spaces"), spaces}};
        if (cmd.parser.isSet(errors))
            o.insert(QStringLiteral("error_list"), errorsToJson(errorList));
        printJson(o);
    } else {
        printLine(QStringLiteral("collection  %1 (%2)").arg((*c)->name(), (*c)->path()));
        printLine(QStringLiteral("model       %1").arg(s->embedderId));
        printLine(QStringLiteral("background  %1").arg((*c)->background()));
        printLine(QStringLiteral("items       %1").arg(s->items));
        printLine(QStringLiteral("reports     %1").arg(s->reports));
        printLine(QStringLiteral("errors      %1").arg(s->errors));
        for (const SpaceInfo &sp : std::as_const(s->spaces))
            printLine(QStringLiteral("space       %1: %2 vectors of %3 dimensions%4")
                          .arg(sp.name)
                          .arg(sp.count)
                          .arg(sp.dimension)
                          .arg(s->indexDescriptions.contains(sp.name) ? QStringLiteral(", index: ") + s->indexDescriptions.value(sp.name)
                                                                      : QString()));
        for (const IngestErrorRecord &e : std::as_const(errorList))
            printLine(QStringLiteral("  failed: %1 (%2: %3)").arg(printable(e.uri), e.stage, printable(e.message)));
    }
    return Ok;
}

int removeCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("remove"), QStringLiteral("Remove items from the collection in DIR (the image files are not touched)."),
                QStringLiteral("DIR [ID...]"));
    QCommandLineOption missing{QStringLiteral("missing"), QStringLiteral("Remove the items whose files are gone from disk.")};
    cmd.parser.addOption(missing);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    QStringList pos = cmd.parser.positionalArguments();
    if (pos.isEmpty() || (pos.size() == 1 && !cmd.parser.isSet(missing)))
        return usageError(QStringLiteral("remove takes a collection folder and item ids (or --missing)"), cmd.wantsJson());
    auto c = openCollection(pos.takeFirst());
    if (!c)
        return fail(c.error(), cmd.wantsJson());
    std::vector<qint64> ids;
    for (const QString &p : std::as_const(pos)) {
        bool ok = false;
        const qint64 id = p.toLongLong(&ok);
        if (!ok || id <= 0)
            return usageError(QStringLiteral("\"%1\" is not an item id").arg(p), cmd.wantsJson());
        ids.push_back(id);
    }
    if (cmd.parser.isSet(missing)) {
        auto all = (*c)->items(0, -1);
        if (!all)
            return fail(all.error(), cmd.wantsJson());
        for (const ItemRecord &r : std::as_const(*all)) {
            if (!r.uri.contains(QLatin1String("://")) && !QFileInfo::exists(r.uri))
                ids.push_back(r.id);
        }
    }
    auto known = (*c)->itemsByIds(ids);
    if (!known)
        return fail(known.error(), cmd.wantsJson());
    QJsonArray unknown;
    std::vector<qint64> present;
    for (qint64 id : ids) {
        if (known->contains(id))
            present.push_back(id);
        else
            unknown.append(id);
    }
    if (auto r = (*c)->removeItems(present); !r)
        return fail(r.error(), cmd.wantsJson());
    if (auto r = (*c)->saveIndexes(); !r)
        return fail(r.error(), cmd.wantsJson());
    if (cmd.wantsJson()) {
        printJson({{QStringLiteral("removed"), qint64(present.size())}, {QStringLiteral("unknown"), unknown}});
    } else {
        printLine(QStringLiteral("removed %1 items").arg(present.size()));
        for (const auto &u : std::as_const(unknown))
            printLine(QStringLiteral("  no item %1").arg(u.toInteger()));
    }
    return unknown.isEmpty() ? Ok : SomeFailed;
}

namespace {

// What a salvage did, as lines for the check report.
QStringList salvageLines(const SalvageReport &s)
{
    QStringList lines;
    lines << QStringLiteral("salvaged the damaged database into a new file: %1 items, %2 vectors, %3 thumbnails, %4 reports read; "
                            "%5 damaged places skipped")
                 .arg(s.copied(QStringLiteral("items")))
                 .arg(s.copied(QStringLiteral("embeddings")))
                 .arg(s.copied(QStringLiteral("thumbnails")))
                 .arg(s.copied(QStringLiteral("reports")))
                 .arg(s.damagedRanges());
    lines << QStringLiteral("the damaged file is kept as %1 (delete it once you are satisfied)").arg(s.damagedFile);
    if (s.orphansDropped > 0)
        lines << QStringLiteral("dropped %1 rows that belonged to items that could not be read").arg(s.orphansDropped);
    if (s.itemsToRedo > 0)
        lines << QStringLiteral("%1 items lost their vector or thumbnail: add their folders again to redo them").arg(s.itemsToRedo);
    for (const QString &n : s.notes)
        lines << n;
    return lines;
}

} // namespace

int checkCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("check"), QStringLiteral("Check the collection in DIR: database integrity and its agreement with the indexes."),
                QStringLiteral("DIR"));
    QCommandLineOption repair{QStringLiteral("repair"),
                              QStringLiteral("Fix what can be fixed; a damaged database is salvaged into a new file and the damaged "
                                             "one kept beside it.")};
    cmd.parser.addOption(repair);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1)
        return usageError(QStringLiteral("check takes one collection folder"), cmd.wantsJson());
    const QString dir = pos.first();
    const bool repairing = cmd.parser.isSet(repair);

    // A damaged database either cannot be opened or fails SQLite's integrity check; either way
    // only a salvage into a new file helps, and only when asked for.
    std::optional<CheckReport> report;
    QStringList before; // what was wrong when a salvage was needed
    {
        auto c = openCollection(dir);
        if (c) {
            auto r = (*c)->check(repairing);
            if (!r && (r.error().code != Error::Code::Corrupt || !repairing))
                return fail(r.error(), cmd.wantsJson());
            if (r && (!r->databaseDamaged || !repairing))
                report = *r;
            else
                before = r ? r->problems : QStringList{r.errorMessage()};
        } else if (!repairing || c.error().code != Error::Code::Corrupt || !Collection::isCollection(dir)
                   || Collection::wasInterruptedCreate(dir)) {
            return fail(c.error(), cmd.wantsJson());
        } else {
            before << c.errorMessage();
        }
    } // closed: the salvage replaces its file
    if (!report) {
        auto s = Collection::repairDatabase(dir);
        if (!s)
            return fail(s.error(), cmd.wantsJson());
        auto c = openCollection(dir);
        if (!c)
            return fail(c.error(), cmd.wantsJson());
        auto r = (*c)->check(true);
        if (!r)
            return fail(r.error(), cmd.wantsJson());
        report = *r;
        report->repairs = salvageLines(*s) + report->repairs;
        report->notes.prepend(QStringLiteral("before the repair: %1").arg(before.join(QLatin1String("; "))));
    }
    if (cmd.wantsJson()) {
        printJson({{QStringLiteral("ok"), report->ok},
                   {QStringLiteral("problems"), QJsonArray::fromStringList(report->problems)},
                   {QStringLiteral("notes"), QJsonArray::fromStringList(report->notes)},
                   {QStringLiteral("repairs"), QJsonArray::fromStringList(report->repairs)}});
    } else {
        for (const QString &p : std::as_const(report->problems))
            printLine(QStringLiteral("problem: %1").arg(p));
        for (const QString &n : std::as_const(report->notes))
            printLine(QStringLiteral("note: %1").arg(n));
        for (const QString &r : std::as_const(report->repairs))
            printLine(QStringLiteral("repaired: %1").arg(r));
        printLine(report->ok ? QStringLiteral("ok") : QStringLiteral("check failed"));
    }
    return report->ok ? Ok : Fatal;
}

} // namespace lookalike::cli
