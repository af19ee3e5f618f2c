// `import`: reports and metadata from a CSV export, and precomputed embeddings from .npy files.
#include "cli.h"

#include "collection/collection.h"
#include "importers/embeddingimporter.h"
#include "importers/reportimporter.h"
#include "embed/embedderfactory.h"
#include "ingest/ingestjob.h"
#include "ingest/reportembedder.h"

namespace lookalike::cli {

namespace {

QJsonArray rowErrorsToJson(const QList<ImportRowError> &errors)
{
    QJsonArray out;
    for (const ImportRowError &e : errors)
        out.append(QJsonObject{{QStringLiteral("line"), e.line}, {QStringLiteral("message"), e.message}});
    return out;
}

void printRowErrors(const QList<ImportRowError> &errors)
{
    constexpr int kShown = 20;
    for (int i = 0; i < errors.size() && i < kShown; ++i)
        printLine(QStringLiteral("  %1").arg(printable(errors[i].message)));
    if (errors.size() > kShown)
        printLine(QStringLiteral("  … and %1 more").arg(errors.size() - kShown));
}

} // namespace

int importCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("import"),
                QStringLiteral("Import a CSV export (image_id, filename, image_path, uid, report_text, more columns as "
                               "metadata) into the collection in DIR: its images are added first, then each row's report "
                               "and metadata. --npy FILE --space MODALITY:MODEL imports precomputed float32 N×D embeddings "
                               "aligned with the CSV's rows as a space of their own (repeatable, in pairs)."),
                QStringLiteral("DIR"));
    QCommandLineOption csv{QStringLiteral("csv"), QStringLiteral("The CSV file."), QStringLiteral("file")};
    QCommandLineOption noAdd{QStringLiteral("no-add"), QStringLiteral("Do not add the CSV's images; only match rows to items already there.")};
    QCommandLineOption allowOutside{QStringLiteral("allow-outside"), QStringLiteral("Let image_path name files outside the CSV's folder.")};
    QCommandLineOption npy{QStringLiteral("npy"), QStringLiteral("A .npy of embeddings aligned with the CSV rows (repeatable)."), QStringLiteral("file")};
    QCommandLineOption space{QStringLiteral("space"), QStringLiteral("Space for the matching --npy, e.g. image:medsiglip-448 or text:medsiglip-448."), QStringLiteral("modality:model")};
    QCommandLineOption quiet{{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress output.")};
    for (const QCommandLineOption *o : {&csv, &noAdd, &allowOutside, &npy, &space, &quiet})
        cmd.parser.addOption(*o);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const bool json = cmd.wantsJson();
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1 || !cmd.parser.isSet(csv))
        return usageError(QStringLiteral("import takes a collection folder and --csv FILE"), json);
    const QStringList npys = cmd.parser.values(npy);
    const QStringList spaces = cmd.parser.values(space);
    if (npys.size() != spaces.size())
        return usageError(QStringLiteral("give one --space for each --npy"), json);
    for (const QString &s : spaces) {
        if (!s.contains(QLatin1Char(':')))
            return usageError(QStringLiteral("--space wants modality:model, e.g. image:medsiglip-448, not \"%1\"").arg(s), json);
    }
    auto c = openCollection(pos.first());
    if (!c)
        return fail(c.error(), json);

    ReportImportOptions options;
    options.allowOutside = cmd.parser.isSet(allowOutside);
    const QString csvPath = cmd.parser.value(csv);
    QJsonObject out;
    bool someFailed = false;

    if (!cmd.parser.isSet(noAdd)) {
        QList<ImportRowError> pathErrors;
        auto paths = ReportImporter::imagePaths(csvPath, options, &pathErrors);
        if (!paths)
            return fail(paths.error(), json);
        IngestParams params;
        params.inputs = *paths;
        auto ingest = runIngest(**c, params, cmd.parser.isSet(quiet) || json);
        if (!ingest)
            return fail(ingest.error(), json);
        someFailed |= ingestExitCode(*ingest) != Ok;
        if (json) {
            out.insert(QStringLiteral("ingest"), ingestToJson(*ingest));
        } else {
            printIngestSummary(*ingest);
        }
        if (ingest->cancelled) {
            if (json)
                printJson(out);
            return SomeFailed;
        }
    }

    ReportImporter reports(**c);
    auto r = reports.importCsv(csvPath, options);
    if (!r)
        return fail(r.error(), json);
    someFailed |= !r->errors.isEmpty() || !r->unmatchedLines.isEmpty();
    if (json) {
        QJsonArray unmatched;
        for (qint64 line : std::as_const(r->unmatchedLines))
            unmatched.append(line);
        out.insert(QStringLiteral("reports"), QJsonObject{{QStringLiteral("rows"), r->rowsRead},
                                                          {QStringLiteral("matched"), r->matched},
                                                          {QStringLiteral("reports_set"), r->reportsSet},
                                                          {QStringLiteral("metadata_entries"), r->metadataEntries},
                                                          {QStringLiteral("unmatched_lines"), unmatched},
                                                          {QStringLiteral("errors"), rowErrorsToJson(r->errors)}});
    } else {
        printLine(QStringLiteral("%1 of %2 rows matched an item: %3 reports, %4 metadata values")
                      .arg(r->matched)
                      .arg(r->rowsRead)
                      .arg(r->reportsSet)
                      .arg(r->metadataEntries));
        if (!r->unmatchedLines.isEmpty())
            printLine(QStringLiteral("  %1 rows matched no item").arg(r->unmatchedLines.size()));
        printRowErrors(r->errors);
    }

    // With a vision-language model the reports also get vectors from its text tower.
    if (r->reportsSet > 0 && (*c)->embedderId() != EmbedderFactory::defaultId()) {
        auto embedder = EmbedderFactory::create((*c)->embedderId());
        if (!embedder)
            return fail(embedder.error(), json);
        auto embedded = ReportEmbedder::run(**c, **embedder, [] { return g_interrupted.load(); });
        if (!embedded)
            return fail(embedded.error(), json);
        if (json)
            out.insert(QStringLiteral("reports_embedded"), embedded->embedded);
        else if (embedded->embedded > 0)
            printLine(QStringLiteral("%1 reports embedded into %2").arg(embedded->embedded).arg(ReportEmbedder::spaceName(**c)));
    }

    QJsonArray embeddingResults;
    EmbeddingImporter embeddings(**c);
    for (qsizetype i = 0; i < npys.size(); ++i) {
        EmbeddingImportOptions eo;
        eo.modality = spaces[i].section(QLatin1Char(':'), 0, 0);
        eo.modelId = spaces[i].section(QLatin1Char(':'), 1);
        eo.match = options;
        auto e = embeddings.importNpy(npys[i], csvPath, eo);
        if (!e)
            return fail(e.error(), json);
        someFailed |= e->rejected > 0;
        if (json) {
            embeddingResults.append(QJsonObject{{QStringLiteral("space"), e->spaceName},
                                                {QStringLiteral("dimension"), e->dimension},
                                                {QStringLiteral("rows"), e->rows},
                                                {QStringLiteral("imported"), e->imported},
                                                {QStringLiteral("skipped_unmatched"), e->skippedUnmatched},
                                                {QStringLiteral("rejected"), e->rejected},
                                                {QStringLiteral("warnings"), QJsonArray::fromStringList(e->warnings)},
                                                {QStringLiteral("errors"), rowErrorsToJson(e->errors)}});
        } else {
            printLine(QStringLiteral("%1: %2 vectors of %3 dimensions imported, %4 rows without an item, %5 rejected")
                          .arg(e->spaceName)
                          .arg(e->imported)
                          .arg(e->dimension)
                          .arg(e->skippedUnmatched)
                          .arg(e->rejected));
            for (const QString &w : std::as_const(e->warnings))
                printLine(QStringLiteral("  note: %1").arg(w));
            printRowErrors(e->errors);
        }
    }
    if (auto s = (*c)->saveIndexes(); !s)
        return fail(s.error(), json);
    if (json) {
        out.insert(QStringLiteral("embeddings"), embeddingResults);
        printJson(out);
    }
    return someFailed ? SomeFailed : Ok;
}

} // namespace lookalike::cli
