#include "cli.h"

#include "models/modelregistry.h"
#include "models/torchruntime.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QLoggingCategory>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace lookalike::cli;

namespace {

struct CommandEntry
{
    const char *name;
    int (*run)(const QStringList &);
    const char *summary;
    bool needsGui; // decodes images: SVG text rendering needs a QGuiApplication (fonts)
};

constexpr CommandEntry kCommands[] = {
    {"create", createCommand, "Create a collection folder", false},
    {"add", addCommand, "Add files and folders of images (incremental)", true},
    {"import", importCommand, "Import reports/metadata from CSV and precomputed embeddings (.npy)", true},
    {"search", searchCommand, "Search by example image, item, text or both", true},
    {"similar", similarCommand, "Items most similar to the given items (search --item)", false},
    {"list", listCommand, "List items", false},
    {"stats", statsCommand, "Show counts, embedding spaces and errors", false},
    {"remove", removeCommand, "Remove items (by id, or those whose files are gone)", false},
    {"duplicates", duplicatesCommand, "Find groups of near-duplicate images", false},
    {"outliers", outliersCommand, "List the images least like any others", false},
    {"export", exportCommand, "Copy search results (or all items) into a folder with results.csv", true},
    {"check", checkCommand, "Check the database and indexes; --repair fixes what it can", false},
    {"demo", demoCommand, "Build a demo collection from images installed on this system and query it", true},
    {"embed", embedCommand, "Print the embedding of images or texts under a model", true},
    {"reembed", reembedCommand, "Move a collection to another model (in the background of its use; resumable)", true},
    {"models", modelsCommand, "List, add, download or remove models (CLIP, SigLIP, TorchScript)", false},
    {"serve", serveCommand, "Serve collections over a local REST API (token-protected; docs/api.md)", true},
};

void onInterrupt(int)
{
    g_interrupted.store(true);
    // A second Ctrl-C ends the program at once.
    std::signal(SIGINT, SIG_DFL);
}

void printUsage(FILE *to)
{
    std::fprintf(to, "Usage: lookalike-cli COMMAND [options]\n\nFind similar images in local collections.\n\nCommands:\n");
    for (const CommandEntry &c : kCommands)
        std::fprintf(to, "  %-11s %s\n", c.name, c.summary);
    std::fprintf(to, "\nOptions:\n  --version   Print the version\n  --help      Print this help\n"
                "\n`lookalike-cli COMMAND --help` describes a command. Exit codes: 0 ok, 1 usage error,\n"
                "2 some items failed, 3 fatal error. See docs/cli.md.\n");
}

} // namespace

int main(int argc, char **argv)
{
    const CommandEntry *command = nullptr;
    if (argc > 1) {
        for (const CommandEntry &c : kCommands) {
            if (std::strcmp(argv[1], c.name) == 0)
                command = &c;
        }
    }
    if (command && command->needsGui) {
        // The CLI never shows a window; the offscreen platform needs no display.
        if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        if (!qEnvironmentVariableIsSet("XDG_RUNTIME_DIR")) {
            const QByteArray runtime = QByteArray("/tmp/runtime-") + QByteArray::number(::getuid());
            ::mkdir(runtime.constData(), 0700);
            qputenv("XDG_RUNTIME_DIR", runtime);
        }
    }
    // Progress and results are the CLI's output; library chatter (libpng's notes on colour
    // profiles, Qt SVG's complaints about gradients it cannot resolve: a file that cannot be
    // decoded gets its own error anyway) only with LOOKALIKE_VERBOSE=1.
    if (!qEnvironmentVariableIsSet("LOOKALIKE_VERBOSE"))
        QLoggingCategory::setFilterRules(QStringLiteral("lookalike.collection.info=false\nlookalike.ingest.info=false\n"
                                                        "lookalike.search.info=false\nlookalike.import.info=false\n"
                                                        "lookalike.embed.info=false\nlookalike.index.info=false\n"
                                                        "qt.gui.imageio.info=false\nqt.gui.imageio.warning=false\n"
                                                        "qt.svg.warning=false"));
    std::unique_ptr<QCoreApplication> app;
    if (command && command->needsGui)
        app = std::make_unique<QGuiApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("lookalike"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOOKALIKE_VERSION));

    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")
        || args.first() == QLatin1String("help")) {
        // Without a command it is a usage error: the help goes to stderr.
        printUsage(args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? Usage : Ok;
    }
    if (args.first() == QLatin1String("--version") || args.first() == QLatin1String("version")) {
        std::printf("lookalike-cli %s\n", LOOKALIKE_VERSION);
        return Ok;
    }
    if (!command)
        return usageError(QStringLiteral("unknown command \"%1\"").arg(args.first()), false);
    args.removeFirst();
    // Model ids in collections and on the command line resolve through the models folder.
    lookalike::ModelRegistry::registerProviders();
    lookalike::TorchSettings torch;
    torch.device = qEnvironmentVariable("LOOKALIKE_DEVICE", QStringLiteral("auto"));
    torch.threads = qEnvironmentVariableIntValue("LOOKALIKE_TORCH_THREADS");
    if (torch.device != QLatin1String("auto") && torch.device != QLatin1String("cpu") && torch.device != QLatin1String("cuda"))
        return usageError(QStringLiteral("LOOKALIKE_DEVICE must be auto, cpu or cuda, not \"%1\"").arg(torch.device), false);
    lookalike::TorchRuntime::configure(torch);
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    return command->run(args);
}
