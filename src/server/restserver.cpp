#include "restserver.h"

#include "httpconnection.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcServer, "lookalike.server")

namespace lookalike::server {

namespace {

// Accepts connections and puts an HttpConnection on each socket before Qt HttpServer sees it,
// so that the connection's size checks read every request first. Past ApiLimits::maxConnections
// open at once, a new connection is answered 503 and closed: each costs a descriptor and
// buffers, and the process has a bounded number of descriptors.
class Listener final : public QTcpServer
{
public:
    Listener(const ApiLimits &limits, QObject *parent) : QTcpServer(parent), m_limits(limits) {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            ::close(int(descriptor));
            return;
        }
        if (m_open >= m_limits.maxConnections) {
            ApiResponse busy = ApiResponse::error(503, QStringLiteral("busy"),
                                                  QStringLiteral("the server has %1 connections open, its limit; try again shortly")
                                                      .arg(m_open));
            busy.headers.push_back({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            socket->write(HttpConnection::serialise(busy, true));
            socket->disconnectFromHost();
            return;
        }
        ++m_open;
        connect(socket, &QObject::destroyed, this, [this] { --m_open; });
        new HttpConnection(socket, m_limits);
        addPendingConnection(socket);
    }

private:
    ApiLimits m_limits;
    int m_open = 0;
};

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get: return QByteArrayLiteral("GET");
    case QHttpServerRequest::Method::Put: return QByteArrayLiteral("PUT");
    case QHttpServerRequest::Method::Delete: return QByteArrayLiteral("DELETE");
    case QHttpServerRequest::Method::Post: return QByteArrayLiteral("POST");
    case QHttpServerRequest::Method::Head: return QByteArrayLiteral("HEAD");
    case QHttpServerRequest::Method::Options: return QByteArrayLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch: return QByteArrayLiteral("PATCH");
    case QHttpServerRequest::Method::Connect: return QByteArrayLiteral("CONNECT");
    case QHttpServerRequest::Method::Trace: return QByteArrayLiteral("TRACE");
    default: return QByteArrayLiteral("UNKNOWN");
    }
}

ApiRequest toApiRequest(const QHttpServerRequest &request)
{
    ApiRequest api;
    api.method = methodName(request.method());
    // Split before decoding: an encoded '/' stays inside its segment.
    const QString path = request.url().path(QUrl::FullyEncoded);
    for (const QString &segment : path.split(QLatin1Char('/'), Qt::SkipEmptyParts))
        api.path << QUrl::fromPercentEncoding(segment.toUtf8());
    api.query = request.query();
    api.authorization = request.value(QByteArrayLiteral("Authorization"));
    api.body = request.body();
    return api;
}

ApiResponse methodNotAllowed(const ApiRequest &request, const QByteArray &allowed)
{
    ApiResponse r = ApiResponse::error(405, QStringLiteral("method_not_allowed"),
                                       QStringLiteral("%1 is not allowed on /%2 (allowed: %3)")
                                           .arg(QString::fromLatin1(request.method), request.path.join(QLatin1Char('/')),
                                                QString::fromLatin1(allowed)));
    r.headers.push_back({QByteArrayLiteral("Allow"), allowed});
    return r;
}

ApiResponse noRoute(const ApiRequest &request)
{
    return ApiResponse::error(404, QStringLiteral("not_found"),
                              QStringLiteral("no endpoint /%1 (docs/api.md lists them)").arg(request.path.join(QLatin1Char('/'))));
}

// Runs an endpoint; whatever it throws (std::bad_alloc on a huge answer) becomes a 500.
ApiResponse guarded(const std::function<ApiResponse()> &work)
{
    try {
        return work();
    } catch (const std::exception &e) {
        qCWarning(lcServer) << "request failed:" << e.what();
        return ApiResponse::internalError(QStringLiteral("the server failed: %1").arg(QString::fromLocal8Bit(e.what())));
    } catch (...) {
        qCWarning(lcServer) << "request failed with an unknown exception";
        return ApiResponse::internalError(QStringLiteral("the server failed"));
    }
}

} // namespace

RestServer::RestServer(ApiToken token, RestServerOptions options, QObject *parent)
    : QAbstractHttpServer(parent), m_token(std::move(token)), m_options(std::move(options))
{
    const int workers = m_options.workers > 0 ? m_options.workers : std::max(2, QThread::idealThreadCount());
    m_pool.setMaxThreadCount(workers);
}

RestServer::~RestServer()
{
    stop();
}

Result<void> RestServer::addCollection(CollectionApi::Setup setup)
{
    if (m_listener)
        return Error(QStringLiteral("collections are added before the server starts"), Error::Code::Busy);
    if (setup.name.isEmpty() || setup.name.contains(QLatin1Char('/')))
        return Error(QStringLiteral("\"%1\" cannot name a collection in a URL").arg(setup.name), Error::Code::InvalidArgument);
    if (CollectionApi *other = collection(setup.name))
        return Error(QStringLiteral("two collections are named %1 (%2 and %3): the name is the folder's; serve one of them, "
                                    "or rename a folder")
                         .arg(setup.name, other->collection().path(), setup.collection ? setup.collection->path() : QString()),
                     Error::Code::InvalidArgument);
    m_collections.push_back(std::make_unique<CollectionApi>(std::move(setup), m_options.limits, m_options.fetch, &m_stopping));
    return {};
}

Result<quint16> RestServer::start()
{
    if (m_listener)
        return Error(QStringLiteral("the server is already listening"), Error::Code::Busy);
    auto *listener = new Listener(m_options.limits, this);
    if (!listener->listen(m_options.host, m_options.port)) {
        const QString why = listener->errorString();
        delete listener;
        return Error(QStringLiteral("cannot listen on %1 port %2: %3").arg(m_options.host.toString()).arg(m_options.port).arg(why),
                     Error::Code::Io);
    }
    m_listener = listener;
    m_addPool.setMaxThreadCount(std::max<int>(1, int(m_collections.size())));
    bind(listener);
    return listener->serverPort();
}

QHostAddress RestServer::address() const
{
    return m_listener ? m_listener->serverAddress() : QHostAddress();
}

quint16 RestServer::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

void RestServer::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_listener)
        m_listener->close();
    m_stopping.store(true);
    m_pool.waitForDone();
    m_addPool.waitForDone();
    for (const auto &c : m_collections) {
        if (auto r = c->collection().saveIndexes(); !r)
            qCWarning(lcServer) << "could not save the index of" << c->name() << "(it will be rebuilt at next open):" << r.errorMessage();
    }
}

bool RestServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    HttpConnection *connection = HttpConnection::of(socket);
    if (!connection)
        return false;
    const quint64 sequence = connection->nextSequence();
    const bool close = request.value(QByteArrayLiteral("Connection")).toLower().contains("close");
    Routed routed = m_stopped ? Routed{ApiResponse::error(503, QStringLiteral("cancelled"), QStringLiteral("the server is stopping")), {}, false}
                              : route(toApiRequest(request));
    if (routed.now) {
        connection->respond(sequence, *routed.now, close);
        return true;
    }
    QThreadPool *pool = routed.isAdd ? &m_addPool : &m_pool;
    QPointer<HttpConnection> target(connection);
    QtConcurrent::run(pool, [work = std::move(routed.work)] { return guarded(work); })
        .then(this, [target, sequence, close](const ApiResponse &response) {
            if (target)
                target->respond(sequence, response, close);
        });
    return true;
}

void RestServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Only for a socket that did not come through the Listener, which cannot happen.
    Q_UNUSED(request);
    socket->write(HttpConnection::serialise(ApiResponse::internalError(QStringLiteral("unexpected connection")), true));
    socket->disconnectFromHost();
}

bool RestServer::authorised(const QByteArray &authorization) const
{
    const QByteArray value = authorization.trimmed();
    const qsizetype space = value.indexOf(' ');
    if (space <= 0 || value.left(space).toLower() != "bearer")
        return false;
    return m_token.matches(value.mid(space + 1).trimmed());
}

CollectionApi *RestServer::collection(const QString &name) const
{
    for (const auto &c : m_collections) {
        if (c->name() == name)
            return c.get();
    }
    return nullptr;
}

ApiResponse RestServer::collections()
{
    QJsonArray list;
    for (const auto &c : m_collections) {
        auto summary = c->summary();
        if (!summary)
            return ApiResponse::fromError(summary.error());
        list.append(*summary);
    }
    return ApiResponse::json({{QStringLiteral("collections"), list}});
}

RestServer::Routed RestServer::route(const ApiRequest &request)
{
    const QStringList &p = request.path;
    const bool get = request.method == "GET";
    if (p.isEmpty() || p.first() != QLatin1String("api"))
        return {noRoute(request), {}, false};
    if (p.size() == 2 && p[1] == QLatin1String("health")) {
        if (!get)
            return {methodNotAllowed(request, "GET"), {}, false};
        return {ApiResponse::json({{QStringLiteral("status"), QStringLiteral("ok")},
                                   {QStringLiteral("version"), QStringLiteral(LOOKALIKE_VERSION)}}),
                {}, false};
    }
    if (!authorised(request.authorization)) {
        ApiResponse r = ApiResponse::error(401, QStringLiteral("unauthorized"),
                                           request.authorization.isEmpty()
                                               ? QStringLiteral("send the API token: Authorization: Bearer <token> (lookalike-cli serve "
                                                                "says where it is kept)")
                                               : QStringLiteral("the token is not this server's"));
        r.headers.push_back({QByteArrayLiteral("WWW-Authenticate"),
                             request.authorization.isEmpty() ? QByteArrayLiteral("Bearer realm=\"lookalike\"")
                                                             : QByteArrayLiteral("Bearer realm=\"lookalike\", error=\"invalid_token\"")});
        return {r, {}, false};
    }
    if (p.size() == 2 && p[1] == QLatin1String("collections")) {
        if (!get)
            return {methodNotAllowed(request, "GET"), {}, false};
        return {std::nullopt, [this] { return collections(); }, false};
    }
    if (p.size() < 3)
        return {noRoute(request), {}, false};
    CollectionApi *c = collection(p[1]);
    if (!c) {
        QStringList names;
        for (const auto &served : m_collections)
            names << served->name();
        return {ApiResponse::error(404, QStringLiteral("not_found"),
                                   QStringLiteral("no collection named %1 is served (served: %2)").arg(p[1], names.join(QStringLiteral(", ")))),
                {}, false};
    }
    return routeCollection(request, *c);
}

RestServer::Routed RestServer::routeCollection(const ApiRequest &request, CollectionApi &c)
{
    const QStringList &p = request.path;
    const QByteArray &method = request.method;
    const QString &what = p[2];
    if (p.size() == 3 && what == QLatin1String("stats")) {
        if (method != "GET")
            return {methodNotAllowed(request, "GET"), {}, false};
        return {std::nullopt, [&c] { return c.stats(); }, false};
    }
    if (p.size() == 3 && what == QLatin1String("search")) {
        if (method != "POST")
            return {methodNotAllowed(request, "POST"), {}, false};
        return {std::nullopt, [&c, body = request.body] { return c.search(body); }, false};
    }
    if (p.size() == 3 && (what == QLatin1String("outliers") || what == QLatin1String("duplicates"))) {
        if (method != "GET")
            return {methodNotAllowed(request, "GET"), {}, false};
        if (!c.tryStartScan())
            return {ApiResponse::error(409, QStringLiteral("busy"),
                                       QStringLiteral("%1 is already being scanned for outliers or duplicates; ask again when "
                                                      "that has finished")
                                           .arg(c.name())),
                    {}, false};
        if (what == QLatin1String("outliers"))
            return {std::nullopt, [&c, query = request.query] { return c.outliers(query); }, false};
        return {std::nullopt, [&c, query = request.query] { return c.duplicates(query); }, false};
    }
    if (p.size() == 3 && what == QLatin1String("items")) {
        if (method == "GET")
            return {std::nullopt, [&c, query = request.query] { return c.items(query); }, false};
        if (method != "POST")
            return {methodNotAllowed(request, "GET, POST"), {}, false};
        if (!c.tryStartAdd()) {
            ApiResponse busy = ApiResponse::error(409, QStringLiteral("busy"),
                                                  QStringLiteral("images are being added to %1; send this add when that one has "
                                                                 "finished")
                                                      .arg(c.name()));
            busy.headers.push_back({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
            return {busy, {}, false};
        }
        return {std::nullopt, [&c, body = request.body] { return c.add(body); }, true};
    }
    if ((p.size() == 4 || p.size() == 5) && what == QLatin1String("items")) {
        bool ok = false;
        const qint64 id = p[3].toLongLong(&ok);
        const bool thumbnail = p.size() == 5;
        if (thumbnail && p[4] != QLatin1String("thumbnail"))
            return {noRoute(request), {}, false};
        if (!ok || id < 1)
            return {ApiResponse::error(404, QStringLiteral("not_found"), QStringLiteral("\"%1\" is not an item id").arg(p[3])), {}, false};
        if (thumbnail) {
            if (method != "GET")
                return {methodNotAllowed(request, "GET"), {}, false};
            return {std::nullopt, [&c, id] { return c.thumbnail(id); }, false};
        }
        if (method == "GET")
            return {std::nullopt, [&c, id] { return c.item(id); }, false};
        if (method == "DELETE")
            return {std::nullopt, [&c, id] { return c.remove(id); }, false};
        return {methodNotAllowed(request, "GET, DELETE"), {}, false};
    }
    return {noRoute(request), {}, false};
}

} // namespace lookalike::server
