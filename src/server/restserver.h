#pragma once

#include "apilimits.h"
#include "apirequest.h"
#include "apiresponse.h"
#include "apitoken.h"
#include "collectionapi.h"

#include <QAbstractHttpServer>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

// QAbstractHttpServer's request interface changed in Qt 6.5 (a QHttpServerResponder instead of
// the socket): handleRequest() and HttpConnection::respond() are what a port would touch.
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
#error "RestServer is written against Qt HttpServer 6.4's QAbstractHttpServer (Debian 12)"
#endif

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace lookalike::server {

struct RestServerOptions
{
    // Loopback unless the caller says otherwise; lookalike-cli serve warns when it does.
    QHostAddress host = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 5002; // 0 = any free port (tests)
    ApiLimits limits;
    UrlFetchOptions fetch; // for adds by URL
    int workers = 0;       // threads answering requests; 0 = one per core, at least 2
};

// The REST API of `lookalike-cli serve` (docs/api.md) over served collections.
//
// Built on QAbstractHttpServer rather than QHttpServer's router: Qt 6.4's QHttpServer answers
// a QFuture through a raw socket pointer, which dangles when the client hangs up before the
// answer is ready, and cannot tell a wrong method (405) from an unknown path (404). Here every
// request is copied out (ApiRequest), the work runs on a thread pool (searches on one, adds on
// another, so a long add never holds a search up), and the answer goes back through the
// connection's HttpConnection, which is gone with the client and writes answers in order.
//
// Every endpoint but GET /api/health wants the bearer token. Collections are added before
// start() and not changed afterwards.
class RestServer final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RestServer)

public:
    RestServer(ApiToken token, RestServerOptions options, QObject *parent = nullptr);
    ~RestServer() override;

    // Serves a collection under /api/{setup.name}. Errors: InvalidArgument for a name already
    // served (or one that cannot be a URL segment), Busy once started.
    Result<void> addCollection(CollectionApi::Setup setup);
    // Listens on the options' address and port; returns the port (the one picked for port 0).
    Result<quint16> start();
    QHostAddress address() const;
    quint16 port() const;
    // Stops accepting connections, cancels running adds (what they committed stays), waits for
    // the work in flight and saves the collections' indexes. The destructor calls it too.
    void stop();

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    // What a request leads to: an answer now, or work for one of the pools.
    struct Routed
    {
        std::optional<ApiResponse> now;
        std::function<ApiResponse()> work;
        bool isAdd = false;
    };

    Routed route(const ApiRequest &request);
    Routed routeCollection(const ApiRequest &request, CollectionApi &collection);
    bool authorised(const QByteArray &authorization) const;
    CollectionApi *collection(const QString &name) const;
    ApiResponse collections();

    ApiToken m_token;
    RestServerOptions m_options;
    std::vector<std::unique_ptr<CollectionApi>> m_collections;
    std::atomic<bool> m_stopping{false};
    QThreadPool m_pool;
    QThreadPool m_addPool;
    QTcpServer *m_listener = nullptr;
    bool m_stopped = false;
};

} // namespace lookalike::server
