// Commands about models: embed (one-off embeddings for interop and checks) and models
// (list, add, download, remove).
#include "cli.h"

#include "embed/embedder.h"
#include "collection/collection.h"
#include "embed/embedderfactory.h"
#include "ingest/reembedder.h"
#include "media/imagedecoder.h"
#include "models/hfconfig.h"
#include "models/modelcatalog.h"
#include "models/modeldownloader.h"
#include "models/modelregistry.h"
#include "models/torchruntime.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <cstdio>
#include <unistd.h>

namespace lookalike::cli {

namespace {

// A model given on the command line: an existing path (a Hugging Face folder, or a TorchScript
// .pt) or an id as collections store it.
QString modelIdFromArgument(const QString &argument)
{
    const QFileInfo info(argument);
    if (info.exists()) {
        if (info.isFile())
            return QStringLiteral("torchscript:") + info.absoluteFilePath();
        return info.absoluteFilePath();
    }
    return argument;
}

// Raster images at full resolution, so that `embed` reproduces the model's own processor
// exactly (ingest decodes at a reduced scale for speed); SVG rasterised to the model's size.
Result<QImage> decodeForEmbedding(const QString &file, const Embedder &embedder)
{
    DecodeOptions options;
    QFile f(file);
    const bool svg = f.open(QIODevice::ReadOnly) && ImageDecoder::sniffFormat(f.peek(4096)) == QLatin1String("svg");
    options.maxSide = svg ? embedder.preferredInputSide() : 1 << 15;
    options.minShortSide = svg ? embedder.minimumShortSide() : 0;
    auto decoded = ImageDecoder::decodeFile(file, options);
    if (!decoded)
        return Error(QStringLiteral("%1: %2").arg(file, decoded.errorMessage()), decoded.error().code);
    return decoded->image;
}

QString humanBytes(qint64 bytes)
{
    if (bytes >= (1LL << 30))
        return QStringLiteral("%1 GiB").arg(double(bytes) / double(1LL << 30), 0, 'f', 2);
    if (bytes >= (1LL << 20))
        return QStringLiteral("%1 MiB").arg(double(bytes) / double(1LL << 20), 0, 'f', 1);
    return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
}

QJsonObject modelToJson(const ModelInfo &m)
{
    return {{QStringLiteral("id"), m.id},
            {QStringLiteral("family"), m.family},
            {QStringLiteral("name"), m.name},
            {QStringLiteral("path"), m.path},
            {QStringLiteral("dimension"), m.dimension},
            {QStringLiteral("image_size"), m.imageSize},
            {QStringLiteral("bytes"), m.bytes},
            {QStringLiteral("text_tower"), m.hasTextTower},
            {QStringLiteral("built_in"), m.builtIn},
            {QStringLiteral("device"), m.builtIn ? QStringLiteral("cpu") : TorchRuntime::resolvedDevice()}};
}

void printModel(const ModelInfo &m)
{
    printLine(QStringLiteral("%1  %2  %3 dims  %4  %5")
                  .arg(m.id, -32)
                  .arg(m.family, -11)
                  .arg(m.dimension ? QString::number(m.dimension) : QStringLiteral("?"), 5)
                  .arg(m.builtIn ? QStringLiteral("built in") : humanBytes(m.bytes), 10)
                  .arg(m.builtIn ? QStringLiteral("cpu") : TorchRuntime::resolvedDevice()));
}

// Downloads report per file: a redrawn line on a terminal, a line per finished file otherwise.
class DownloadPrinter
{
public:
    explicit DownloadPrinter(bool quiet) : m_quiet(quiet), m_tty(::isatty(STDERR_FILENO)) { m_clock.start(); }
    void update(const QString &file, qint64 done, qint64 total)
    {
        if (m_quiet)
            return;
        if (m_tty) {
            if (m_clock.elapsed() < 100 && done != total)
                return;
            m_clock.restart();
            const QString line = total > 0 ? QStringLiteral("%1  %2 / %3").arg(file, humanBytes(done), humanBytes(total))
                                           : QStringLiteral("%1  %2").arg(file, humanBytes(done));
            std::fprintf(stderr, "\r\033[K%s", qPrintable(line));
            std::fflush(stderr);
            m_drawn = true;
        } else if (total > 0 && done == total) {
            printError(QStringLiteral("fetched %1 (%2)").arg(file, humanBytes(total)));
        }
    }
    void finish()
    {
        if (m_drawn)
            std::fputc('\n', stderr);
        m_drawn = false;
    }

private:
    bool m_quiet;
    bool m_tty;
    bool m_drawn = false;
    QElapsedTimer m_clock;
};

int modelsList(const QStringList &args)
{
    Command cmd(QStringLiteral("models list"), QStringLiteral("List the built-in embedder and the models in the models folder."),
                QString());
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QList<ModelInfo> models = ModelCatalog::installed();
    if (cmd.wantsJson()) {
        QJsonArray list;
        for (const ModelInfo &m : models)
            list.append(modelToJson(m));
        printJson({{QStringLiteral("models_dir"), ModelRegistry::modelsDir()}, {QStringLiteral("models"), list}});
        return Ok;
    }
    printLine(QStringLiteral("models folder: %1").arg(ModelRegistry::modelsDir()));
    for (const ModelInfo &m : models)
        printModel(m);
    return Ok;
}

int modelsAdd(const QStringList &args)
{
    Command cmd(QStringLiteral("models add"),
                QStringLiteral("Check that PATH (a Hugging Face CLIP/SigLIP folder, or a TorchScript .pt with its .json) "
                               "loads, then copy it into the models folder."),
                QStringLiteral("PATH"));
    QCommandLineOption name{QStringLiteral("name"), QStringLiteral("Name in the models folder (default: PATH's name)."),
                            QStringLiteral("name")};
    QCommandLineOption link{QStringLiteral("link"), QStringLiteral("Link to PATH instead of copying it.")};
    cmd.parser.addOption(name);
    cmd.parser.addOption(link);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1)
        return usageError(QStringLiteral("models add takes one path"), cmd.wantsJson());
    auto added = ModelCatalog::add(pos.first(), cmd.parser.value(name),
                                   cmd.parser.isSet(link) ? ModelCatalog::AddMode::Link : ModelCatalog::AddMode::Copy);
    if (!added)
        return fail(added.error(), cmd.wantsJson());
    if (cmd.wantsJson())
        printJson(modelToJson(*added));
    else
        printLine(QStringLiteral("added %1 (%2, %3 dimensions) as %4").arg(added->id, added->family).arg(added->dimension).arg(added->path));
    return Ok;
}

int modelsDownload(const QStringList &args)
{
    Command cmd(QStringLiteral("models download"),
                QStringLiteral("Download a model repository (organisation/name) from the Hugging Face hub, or from "
                               "--endpoint, or the files listed in --urls (one URL per line, optionally followed by its "
                               "SHA-256), into the models folder; an interrupted download resumes when run again. "
                               "Gated models (MedSigLIP) need a token in HF_TOKEN."),
                QStringLiteral("[REPOSITORY]"));
    QCommandLineOption urls{QStringLiteral("urls"), QStringLiteral("A text file listing the model's file URLs (needs --name)."),
                            QStringLiteral("file")};
    cmd.parser.addOption(urls);
    QCommandLineOption name{QStringLiteral("name"), QStringLiteral("Folder name (default: the repository's name)."),
                            QStringLiteral("name")};
    QCommandLineOption endpoint{QStringLiteral("endpoint"),
                                QStringLiteral("Hub base URL (default: $HF_ENDPOINT or https://huggingface.co)."),
                                QStringLiteral("url")};
    QCommandLineOption revision{QStringLiteral("revision"), QStringLiteral("Branch, tag or commit (default: main)."),
                                QStringLiteral("rev"), QStringLiteral("main")};
    QCommandLineOption quiet{{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress output.")};
    cmd.parser.addOption(name);
    cmd.parser.addOption(endpoint);
    cmd.parser.addOption(revision);
    cmd.parser.addOption(quiet);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    const bool fromList = cmd.parser.isSet(urls);
    if (fromList ? (!pos.isEmpty() || !cmd.parser.isSet(name)) : pos.size() != 1)
        return usageError(fromList ? QStringLiteral("models download --urls FILE needs --name and no repository")
                                   : QStringLiteral("models download takes one repository id"),
                          cmd.wantsJson());
    QList<FileSource> sources;
    if (fromList) {
        QFile list(cmd.parser.value(urls));
        if (!list.open(QIODevice::ReadOnly | QIODevice::Text))
            return fail(Error(QStringLiteral("%1: %2").arg(list.fileName(), list.errorString()), Error::Code::Io), cmd.wantsJson());
        auto parsed = ModelDownloader::parseFileList(QString::fromUtf8(list.read(1 << 20)));
        if (!parsed)
            return usageError(parsed.errorMessage(), cmd.wantsJson());
        sources = *parsed;
    }
    const QString what = fromList ? cmd.parser.value(urls) : pos.first();

    const QString modelsDir = ModelRegistry::modelsDir();
    if (!QDir().mkpath(modelsDir))
        return fail(Error(QStringLiteral("cannot create the models folder %1").arg(modelsDir), Error::Code::Io), cmd.wantsJson());
    DownloadPrinter printer(cmd.parser.isSet(quiet) || cmd.wantsJson());
    DownloadOptions options;
    options.endpoint = cmd.parser.value(endpoint);
    options.revision = cmd.parser.value(revision);
    options.cancel = &g_interrupted;
    options.progress = [&](const QString &file, qint64 done, qint64 total) { printer.update(file, done, total); };
    auto downloaded = fromList ? ModelDownloader::downloadFiles(sources, modelsDir, cmd.parser.value(name), options)
                               : ModelDownloader::download(pos.first(), modelsDir, cmd.parser.value(name), options);
    printer.finish();
    if (!downloaded) {
        Error e = downloaded.error();
        if (e.code == Error::Code::Cancelled || e.code == Error::Code::Io || e.code == Error::Code::Corrupt)
            e.message += QStringLiteral(" (run the same command again to resume)");
        return fail(e, cmd.wantsJson());
    }

    // A download is only useful if it loads: say so now, not at the first ingest.
    auto id = ModelCatalog::installDownloaded(downloaded->folder);
    auto valid = id ? ModelCatalog::validate(*id) : Result<ModelInfo>(id.error());
    if (!valid) {
        const QString entry = QFileInfo(downloaded->folder).fileName();
        return fail(Error(QStringLiteral("downloaded %1 into %2, but it does not load: %3 (`lookalike-cli models remove %4` "
                                         "deletes it)")
                              .arg(what, downloaded->folder, valid.errorMessage(), entry),
                          valid.error().code),
                    cmd.wantsJson());
    }
    if (cmd.wantsJson()) {
        QJsonObject out = modelToJson(*valid);
        out.insert(QStringLiteral("files"), QJsonArray::fromStringList(downloaded->files));
        out.insert(QStringLiteral("downloaded_bytes"), downloaded->bytes);
        printJson(out);
    } else {
        printLine(QStringLiteral("downloaded %1 as %2 (%3, %4 dimensions, %5)")
                      .arg(what, valid->id, valid->family)
                      .arg(valid->dimension)
                      .arg(humanBytes(valid->bytes)));
    }
    return Ok;
}

int modelsRemove(const QStringList &args)
{
    Command cmd(QStringLiteral("models remove"),
                QStringLiteral("Delete NAME from the models folder (a model added with --link: only the link)."),
                QStringLiteral("NAME"));
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1)
        return usageError(QStringLiteral("models remove takes one name"), cmd.wantsJson());
    // Accept the id form that `models list` prints.
    const QString name = pos.first().section(QLatin1Char(':'), -1);
    auto removed = ModelCatalog::remove(name);
    if (!removed)
        return fail(removed.error(), cmd.wantsJson());
    if (cmd.wantsJson())
        printJson({{QStringLiteral("removed"), name}});
    else
        printLine(QStringLiteral("removed %1").arg(name));
    return Ok;
}

} // namespace

int embedCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("embed"),
                QStringLiteral("Print the normalised embedding of images or texts under a model, one row of floats per "
                               "input (--json: with the inputs named)."),
                QString());
    QCommandLineOption model{QStringLiteral("model"),
                             QStringLiteral("A model id (see `models list`), a Hugging Face model folder or a TorchScript .pt."),
                             QStringLiteral("model"), EmbedderFactory::defaultId()};
    QCommandLineOption image{QStringLiteral("image"), QStringLiteral("An image file (repeatable)."), QStringLiteral("file")};
    QCommandLineOption text{QStringLiteral("text"), QStringLiteral("A text (repeatable)."), QStringLiteral("text")};
    cmd.parser.addOption(model);
    cmd.parser.addOption(image);
    cmd.parser.addOption(text);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList images = cmd.parser.values(image);
    const QStringList texts = cmd.parser.values(text);
    if (images.isEmpty() == texts.isEmpty())
        return usageError(QStringLiteral("give --image or --text (one kind per call)"), cmd.wantsJson());
    if (!cmd.parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("embed takes no positional arguments"), cmd.wantsJson());

    auto embedder = EmbedderFactory::create(modelIdFromArgument(cmd.parser.value(model)));
    if (!embedder)
        return fail(embedder.error(), cmd.wantsJson());
    Embedder &e = **embedder;

    Result<std::vector<float>> vectors = std::vector<float>{};
    if (!images.isEmpty()) {
        std::vector<QImage> decoded;
        for (const QString &file : images) {
            auto img = decodeForEmbedding(file, e);
            if (!img)
                return fail(img.error(), cmd.wantsJson());
            decoded.push_back(std::move(*img));
        }
        vectors = e.embedImages(decoded);
    } else {
        if (!e.hasTextTower())
            return fail(Error(QStringLiteral("%1 has no text tower: it embeds images only").arg(e.id()), Error::Code::Unsupported),
                        cmd.wantsJson());
        const std::vector<QString> list(texts.begin(), texts.end());
        vectors = e.embedTexts(list);
    }
    if (!vectors)
        return fail(vectors.error(), cmd.wantsJson());

    const QStringList &inputs = images.isEmpty() ? texts : images;
    const int dim = e.dimension();
    if (cmd.wantsJson()) {
        QJsonArray rows;
        for (int i = 0; i < inputs.size(); ++i) {
            QJsonArray v;
            for (int j = 0; j < dim; ++j)
                v.append(double((*vectors)[size_t(i) * size_t(dim) + size_t(j)]));
            rows.append(QJsonObject{{images.isEmpty() ? QStringLiteral("text") : QStringLiteral("image"), inputs[i]},
                                    {QStringLiteral("vector"), v}});
        }
        printJson({{QStringLiteral("model"), e.id()},
                   {QStringLiteral("dimension"), dim},
                   {QStringLiteral("device"), e.id().startsWith(EmbedderFactory::defaultId()) ? QStringLiteral("cpu")
                                                                                               : TorchRuntime::resolvedDevice()},
                   {QStringLiteral("embeddings"), rows}});
        return Ok;
    }
    for (int i = 0; i < inputs.size(); ++i) {
        QByteArray line;
        for (int j = 0; j < dim; ++j) {
            if (j)
                line += ' ';
            line += QByteArray::number(double((*vectors)[size_t(i) * size_t(dim) + size_t(j)]), 'g', 9);
        }
        std::puts(line.constData());
    }
    return Ok;
}

int reembedCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("reembed"),
                QStringLiteral("Move the collection in DIR to another model: every item is embedded with --model while "
                               "the collection stays searchable with its current one, then it switches in one step. "
                               "Interrupted, it resumes where it stopped when run again."),
                QStringLiteral("DIR"));
    QCommandLineOption model{QStringLiteral("model"), QStringLiteral("The new model (id, folder or .pt)."), QStringLiteral("model")};
    QCommandLineOption dropOld{QStringLiteral("drop-old"), QStringLiteral("Delete the old model's vectors after the switch.")};
    QCommandLineOption threads{QStringLiteral("threads"), QStringLiteral("Decode threads (default: one per core)."),
                               QStringLiteral("n"), QStringLiteral("0")};
    QCommandLineOption quiet{{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("No progress output.")};
    cmd.parser.addOption(model);
    cmd.parser.addOption(dropOld);
    cmd.parser.addOption(threads);
    cmd.parser.addOption(quiet);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const QStringList pos = cmd.parser.positionalArguments();
    if (pos.size() != 1 || !cmd.parser.isSet(model))
        return usageError(QStringLiteral("reembed takes a collection folder and --model"), cmd.wantsJson());
    auto c = openCollection(pos.first());
    if (!c)
        return fail(c.error(), cmd.wantsJson());
    auto embedder = EmbedderFactory::create(modelIdFromArgument(cmd.parser.value(model)));
    if (!embedder)
        return fail(embedder.error(), cmd.wantsJson());
    if ((*embedder)->id() == (*c)->embedderId())
        return usageError(QStringLiteral("the collection already uses %1").arg((*embedder)->id()), cmd.wantsJson());

    const bool showProgress = !cmd.parser.isSet(quiet) && !cmd.wantsJson();
    const bool tty = ::isatty(STDERR_FILENO);
    QElapsedTimer clock;
    clock.start();
    qint64 lastShown = -1;
    ReembedOptions options;
    options.threads = cmd.parser.value(threads).toInt();
    options.dropOldSpaces = cmd.parser.isSet(dropOld);
    options.stopRequested = [] { return g_interrupted.load(); };
    options.progress = [&](qint64 done, qint64 total) {
        if (!showProgress || (clock.elapsed() - lastShown < (tty ? 200 : 5000) && done != total))
            return;
        lastShown = clock.elapsed();
        std::fprintf(stderr, tty ? "\r\033[Kre-embedding %lld / %lld" : "re-embedding %lld / %lld\n", qlonglong(done), qlonglong(total));
        std::fflush(stderr);
    };
    auto result = Reembedder::run(**c, **embedder, options);
    if (showProgress && tty)
        std::fputc('\n', stderr);
    if (!result)
        return fail(result.error(), cmd.wantsJson());
    if (cmd.wantsJson()) {
        QJsonArray errors;
        for (const IngestErrorRecord &e : std::as_const(result->errors))
            errors.append(QJsonObject{{QStringLiteral("uri"), e.uri}, {QStringLiteral("message"), e.message}});
        printJson({{QStringLiteral("model"), (*embedder)->id()},
                   {QStringLiteral("previous_model"), result->previousModel},
                   {QStringLiteral("items"), result->total},
                   {QStringLiteral("embedded"), result->embedded},
                   {QStringLiteral("from_thumbnail"), result->fromThumbnail},
                   {QStringLiteral("reports_embedded"), result->reportsEmbedded},
                   {QStringLiteral("switched"), result->switched},
                   {QStringLiteral("cancelled"), result->cancelled},
                   {QStringLiteral("errors"), errors}});
    } else {
        printLine(QStringLiteral("%1 items embedded with %2 (%3 from thumbnails, their files being gone)")
                      .arg(result->embedded)
                      .arg((*embedder)->id())
                      .arg(result->fromThumbnail));
        for (const IngestErrorRecord &e : std::as_const(result->errors))
            printLine(QStringLiteral("  failed: %1 (%2)").arg(printable(e.uri), printable(e.message)));
        if (result->switched)
            printLine(QStringLiteral("the collection now uses %1 (was %2)").arg((*embedder)->id(), result->previousModel));
        else if (result->cancelled)
            printLine(QStringLiteral("interrupted: the collection still uses %1; run again to finish").arg(result->previousModel));
        else
            printLine(QStringLiteral("not switched: %1 items could not be embedded; the collection still uses %2")
                          .arg(result->errors.size())
                          .arg(result->previousModel));
    }
    return result->switched ? Ok : SomeFailed;
}

int modelsCommand(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    if (sub == QLatin1String("list"))
        return modelsList(rest);
    if (sub == QLatin1String("add"))
        return modelsAdd(rest);
    if (sub == QLatin1String("download"))
        return modelsDownload(rest);
    if (sub == QLatin1String("remove"))
        return modelsRemove(rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        printLine(QStringLiteral("Usage: lookalike-cli models list|add|download|remove [options]\n"
                                 "`lookalike-cli models SUBCOMMAND --help` describes each. Models live in %1\n"
                                 "(LOOKALIKE_MODELS_DIR overrides it).")
                      .arg(ModelRegistry::modelsDir()));
        return Ok;
    }
    return usageError(sub.isEmpty() ? QStringLiteral("models needs a subcommand: list, add, download or remove")
                                    : QStringLiteral("unknown models subcommand \"%1\"").arg(sub),
                      args.contains(QStringLiteral("--json")));
}

} // namespace lookalike::cli
