#pragma once

#include "util/result.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <atomic>
#include <memory>

namespace lookalike {
class Collection;
struct IngestResult;
struct IngestParams;
}

namespace lookalike::cli {

// Exit codes, documented in docs/cli.md.
enum ExitCode : int {
    Ok = 0,
    Usage = 1,
    SomeFailed = 2,
    Fatal = 3,
};

// Set by the SIGINT handler; long commands poll it and stop cleanly.
extern std::atomic<bool> g_interrupted;

// The parser every command starts from: --json, --help, and the command's own options.
struct Command
{
    QCommandLineParser parser;
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print machine-readable JSON (stable keys).")};
    QCommandLineOption help{{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")};

    Command(const QString &name, const QString &description, const QString &positional);
    // Parses `args`; on a usage error prints it and returns false with `exit` set.
    bool parse(const QStringList &args, int &exit);
    bool wantsJson() const { return parser.isSet(json); }
    QString m_name;
};

void printJson(const QJsonObject &object);
void printLine(const QString &line);
void printError(const QString &line);
int fail(const Error &error, bool json);
int usageError(const QString &message, bool json);
// Quotes control characters (a newline in a file name) so that one item stays one line.
QString printable(const QString &text);

Result<std::unique_ptr<Collection>> openCollection(const QString &dir);

// Ingest with a progress bar and Ctrl-C handling (add, import, demo).
Result<IngestResult> runIngest(Collection &collection, IngestParams params, bool quiet);
// A list of inputs, one a line (# comments, blank lines skipped); "-" reads standard input.
Result<QStringList> readInputList(const QString &file);
void printIngestSummary(const IngestResult &result);
QJsonObject ingestToJson(const IngestResult &result);
int ingestExitCode(const IngestResult &result);

int createCommand(const QStringList &args);
int addCommand(const QStringList &args);
int importCommand(const QStringList &args);
int searchCommand(const QStringList &args);
int similarCommand(const QStringList &args);
int listCommand(const QStringList &args);
int statsCommand(const QStringList &args);
int removeCommand(const QStringList &args);
int duplicatesCommand(const QStringList &args);
int outliersCommand(const QStringList &args);
int exportCommand(const QStringList &args);
int checkCommand(const QStringList &args);
int demoCommand(const QStringList &args);
int embedCommand(const QStringList &args);
int modelsCommand(const QStringList &args);
int reembedCommand(const QStringList &args);
int serveCommand(const QStringList &args);

} // namespace lookalike::cli
