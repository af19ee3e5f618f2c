// `lookalike-cli serve`: the REST API of docs/api.md over the collections given.
#include "cli.h"

#include "apitoken.h"
#include "collection/collection.h"
#include "embed/embedderfactory.h"
#include "restserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QTimer>

#include <cstdio>

namespace lookalike::cli {

namespace {

QString urlHost(const QHostAddress &address)
{
    return address.protocol() == QAbstractSocket::IPv6Protocol ? u"["_qs + address.toString() + u"]"_qs : address.toString();
}

} // namespace

int serveCommand(const QStringList &args)
{
    Command cmd(QStringLiteral("serve"),
                QStringLiteral("Serve the collections in DIR... over a REST API (docs/api.md) until Ctrl-C. Each is reached by its "
                               "folder's name, /api/<name>/...; every endpoint but /api/health wants the API token, which the "
                               "first start creates and shows once."),
                QStringLiteral("DIR..."));
    QCommandLineOption host{QStringLiteral("host"),
                            QStringLiteral("Address to listen on (default 127.0.0.1). Anything but a loopback address is reachable "
                                           "from other machines, without encryption."),
                            QStringLiteral("address"), QStringLiteral("127.0.0.1")};
    QCommandLineOption port{QStringLiteral("port"), QStringLiteral("Port (default 5002; 0 picks a free one)."), QStringLiteral("n"),
                            QStringLiteral("5002")};
    QCommandLineOption tokenFile{QStringLiteral("token-file"),
                                 QStringLiteral("Where the API token is kept (default %1; created with mode 0600 when missing).")
                                     .arg(server::ApiToken::defaultPath()),
                                 QStringLiteral("file")};
    QCommandLineOption maxBody{QStringLiteral("max-body-mb"), QStringLiteral("Largest request body accepted, in MiB (default 32)."),
                               QStringLiteral("n"), QStringLiteral("32")};
    QCommandLineOption workers{QStringLiteral("workers"),
                               QStringLiteral("Threads answering searches (default 0: one per core, at least 2)."),
                               QStringLiteral("n"), QStringLiteral("0")};
    for (const QCommandLineOption *o : {&host, &port, &tokenFile, &maxBody, &workers})
        cmd.parser.addOption(*o);
    int exit = Ok;
    if (!cmd.parse(args, exit))
        return exit;
    const bool json = cmd.wantsJson();
    const QStringList dirs = cmd.parser.positionalArguments();
    if (dirs.isEmpty())
        return usageError(QStringLiteral("serve takes one or more collection folders"), json);

    server::RestServerOptions options;
    const QString hostText = cmd.parser.value(host);
    if (hostText == QLatin1String("localhost"))
        options.host = QHostAddress(QHostAddress::LocalHost);
    else if (!options.host.setAddress(hostText))
        return usageError(QStringLiteral("--host wants an IP address such as 127.0.0.1 or ::1, not \"%1\"").arg(hostText), json);
    bool ok = false;
    const uint portValue = cmd.parser.value(port).toUInt(&ok);
    if (!ok || portValue > 65535)
        return usageError(QStringLiteral("--port wants a number from 0 to 65535"), json);
    options.port = quint16(portValue);
    const int maxBodyMb = cmd.parser.value(maxBody).toInt(&ok);
    if (!ok || maxBodyMb < 1 || maxBodyMb > 4096)
        return usageError(QStringLiteral("--max-body-mb wants a number from 1 to 4096"), json);
    options.limits.maxBodyBytes = qint64(maxBodyMb) << 20;
    options.workers = cmd.parser.value(workers).toInt(&ok);
    if (!ok || options.workers < 0 || options.workers > 256)
        return usageError(QStringLiteral("--workers wants a number from 0 to 256"), json);
    if (!options.host.isLoopback())
        printError(QStringLiteral("warning: listening on %1, which other machines can reach: anyone who gets the token can read and "
                                  "change these collections, and requests are not encrypted. The default, 127.0.0.1, with an SSH "
                                  "tunnel for remote use, keeps the API on this machine.")
                       .arg(options.host.toString()));

    const QString tokenPath = cmd.parser.isSet(tokenFile) ? cmd.parser.value(tokenFile) : server::ApiToken::defaultPath();
    auto token = server::ApiToken::loadOrCreate(tokenPath);
    if (!token)
        return fail(token.error(), json);
    if (token->othersCanRead)
        printError(QStringLiteral("warning: %1 is readable by other users; chmod 600 it").arg(tokenPath));

    server::RestServer rest(token->token, options);
    QJsonArray served;
    for (const QString &dir : dirs) {
        auto c = openCollection(dir);
        if (!c)
            return fail(c.error(), json);
        server::CollectionApi::Setup setup;
        setup.name = QDir(QDir::cleanPath(QDir(dir).absolutePath())).dirName();
        // One embedder per collection, loaded now and shared by its searches and adds.
        if (auto e = EmbedderFactory::create((*c)->embedderId()))
            setup.embedder = std::shared_ptr<Embedder>(std::move(*e));
        else
            setup.embedderError = e.errorMessage();
        if (!setup.embedder)
            printError(QStringLiteral("warning: %1: its model %2 could not be loaded (%3); searches by item and by text work, "
                                      "example images and adds answer 503")
                           .arg(setup.name, (*c)->embedderId(), setup.embedderError));
        auto count = (*c)->itemCount();
        served.append(QJsonObject{{QStringLiteral("name"), setup.name},
                                  {QStringLiteral("path"), (*c)->path()},
                                  {QStringLiteral("model"), (*c)->embedderId()},
                                  {QStringLiteral("items"), count ? *count : -1}});
        setup.collection = std::move(*c);
        if (auto r = rest.addCollection(std::move(setup)); !r)
            return usageError(r.errorMessage(), json);
    }
    auto listening = rest.start();
    if (!listening)
        return fail(listening.error(), json);
    const QString url = QStringLiteral("http://%1:%2/api/").arg(urlHost(rest.address())).arg(rest.port());

    if (json) {
        QJsonObject o{{QStringLiteral("url"), url},
                      {QStringLiteral("address"), rest.address().toString()},
                      {QStringLiteral("port"), rest.port()},
                      {QStringLiteral("token_file"), tokenPath},
                      {QStringLiteral("token_created"), token->created},
                      {QStringLiteral("collections"), served}};
        if (token->created)
            o.insert(QStringLiteral("token"), QString::fromLatin1(token->token.value()));
        // One line, so that a script can read it before the server's first request.
        const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
        std::fprintf(stdout, "%s\n", line.constData());
    } else {
        printLine(QStringLiteral("Serving %1 collection%2 at %3 (Ctrl-C stops):").arg(served.size()).arg(served.size() == 1 ? QString() : QStringLiteral("s"), url));
        for (const auto &v : std::as_const(served)) {
            const QJsonObject o = v.toObject();
            printLine(QStringLiteral("  %1%2  %3 (%4, %5 items)")
                          .arg(url, printable(o.value(QStringLiteral("name")).toString()),
                               printable(o.value(QStringLiteral("path")).toString()), o.value(QStringLiteral("model")).toString())
                          .arg(o.value(QStringLiteral("items")).toInteger()));
        }
        if (token->created)
            printLine(QStringLiteral("API token, shown this once (kept in %1):\n  %2").arg(tokenPath, QString::fromLatin1(token->token.value())));
        else
            printLine(QStringLiteral("API token: in %1").arg(tokenPath));
        printLine(QStringLiteral("Try: curl -H \"Authorization: Bearer $(cat %1)\" %2collections").arg(tokenPath, url));
    }
    std::fflush(stdout);

    // The signal handler only sets g_interrupted; the event loop looks at it.
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [] {
        if (g_interrupted.load())
            QCoreApplication::quit();
    });
    poll.start(100);
    QCoreApplication::exec();
    rest.stop();
    printError(QStringLiteral("lookalike-cli serve: stopped"));
    return Ok;
}

} // namespace lookalike::cli
