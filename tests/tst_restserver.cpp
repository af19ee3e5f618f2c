// The REST API (lookalike-cli serve) over real HTTP on loopback, driven by QNetworkAccessManager:
// the token on every endpoint but health (401 with WWW-Authenticate otherwise); 400 naming the
// field for bad JSON and bad fields; 413 for a body over the limit (refused before it is read)
// and for an image over the cap; 404 for unknown collections, items and routes; 405 for a wrong
// method; listing with paging and vectors; an item, its thumbnail; search by text, by a base64
// image and by items with threshold and paging; delete, then 404; adding a base64 image and
// URLs from a loopback web server (tests/data/image_server.py); searches answered while an add
// is held open by a URL that has not answered yet, and a second add refused with 409 meanwhile;
// the token file made 0600 in a 0700 folder; loopback only by default; idle connections and
// requests that trickle in are closed (408), connections past the cap get 503. The real
// `lookalike-cli serve` process: token shown on the first start only, duplicate names refused,
// a warning for a non-loopback --host, SIGTERM stops it cleanly.
#include "apitoken.h"
#include "restserver.h"

#include "collection/collection.h"
#include "embed/classicembedder.h"
#include "ingest/ingestjob.h"
#include "search/duplicatefinder.h"
#include "search/outlierfinder.h"
#include "testsupport.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkInterface>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>
#include <set>
#include <sys/stat.h>

using namespace lookalike;
using namespace lookalike::test;
using lookalike::server::ApiToken;
using lookalike::server::RestServer;

namespace {

const QByteArray kToken = QByteArrayLiteral("test-token-0123456789abcdef");
constexpr int kImages = 30;
constexpr qint64 kMaxBody = 1 << 20;
constexpr qint64 kMaxImage = 256 << 10;

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QList<QNetworkReply::RawHeaderPair> headers;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[k, v] : headers)
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        return {};
    }
    QString errorCode() const { return json.value(u"error"_qs).toObject().value(u"code"_qs).toString(); }
    QString errorMessage() const { return json.value(u"error"_qs).toObject().value(u"message"_qs).toString(); }
    QString describe() const { return QStringLiteral("HTTP %1: %2").arg(status).arg(QString::fromUtf8(body.left(500))); }
};

QByteArray pngBytes(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

int mode(const QString &path)
{
    struct stat st{};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 07777) : -1;
}

QList<qint64> hitIds(const Reply &r)
{
    QList<qint64> ids;
    for (const auto &h : r.json.value(u"hits"_qs).toArray())
        ids << h.toObject().value(u"id"_qs).toInteger();
    return ids;
}

// An HTTP server that accepts requests and answers none until told to: an add whose URL waits
// here is still running, whatever the clock says.
class GateServer final : public QTcpServer
{
public:
    QList<QTcpSocket *> waiting;
    bool requestArrived = false;

    GateServer()
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = nextPendingConnection()) {
                waiting << s;
                connect(s, &QTcpSocket::readyRead, this, [this, s] {
                    if (s->readAll().contains("\r\n\r\n"))
                        requestArrived = true;
                });
            }
        });
    }

    void open(const QByteArray &png)
    {
        for (QTcpSocket *s : std::as_const(waiting)) {
            s->write("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: " + QByteArray::number(png.size())
                     + "\r\nConnection: close\r\n\r\n" + png);
            s->disconnectFromHost();
        }
    }
};

struct RawResponse
{
    int status = 0;
    QByteArray head;
    QByteArray body;
};

// HTTP/1.1 by hand over a socket, read without blocking the event loop the server runs in.
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] { m_in += m_socket.readAll(); });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        static_cast<void>(QTest::qWaitFor([this] { return connected(); }, 10000)); // the tests check connected()
    }

    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    void write(const QByteArray &bytes) { m_socket.write(bytes); }
    void close() { m_socket.abort(); }

    // The next response (an interim 100 counts as one); status 0 if none came in 30 s.
    RawResponse response()
    {
        RawResponse r;
        if (!QTest::qWaitFor([&] { return take(r); }, 30000))
            return {};
        return r;
    }

private:
    bool take(RawResponse &r)
    {
        const qsizetype end = m_in.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QByteArray head = m_in.left(end);
        qsizetype length = 0;
        for (const QByteArray &line : head.split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (m_in.size() < end + 4 + length)
            return false;
        r.head = head;
        r.status = head.mid(9, 3).toInt();
        r.body = m_in.mid(end + 4, length);
        m_in.remove(0, end + 4 + length);
        return true;
    }

    QTcpSocket m_socket;
    QByteArray m_in;
};

} // namespace

class TestRestServer final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QNetworkAccessManager m_nam;
    std::unique_ptr<RestServer> m_server;
    Collection *m_photos = nullptr; // owned by the server
    QString m_base;                 // http://127.0.0.1:<port>
    QProcess m_web;
    QString m_webBase;
    QList<qint64> m_ids; // of the images made in initTestCase, in file order
    int m_cats = 0;      // items whose report says "cat"

    QString web(const QString &path) const { return m_webBase + path; }
    QString imagePath(int i) const { return m_tmp.filePath(QStringLiteral("images/img%1.png").arg(i, 2, 10, QLatin1Char('0'))); }

    QNetworkReply *start(const QByteArray &method, const QString &path, const QByteArray &body = {},
                         const QByteArray &authorization = "Bearer " + kToken)
    {
        QNetworkRequest request(QUrl(m_base + path));
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        return m_nam.sendCustomRequest(request, method, body);
    }

    static Reply finish(QNetworkReply *reply)
    {
        if (!reply->isFinished()) {
            QSignalSpy done(reply, &QNetworkReply::finished);
            done.wait(120000);
        }
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.headers = reply->rawHeaderPairs();
        r.error = reply->error();
        r.json = QJsonDocument::fromJson(r.body).object();
        reply->deleteLater();
        return r;
    }

    Reply send(const QByteArray &method, const QString &path, const QByteArray &body = {},
               const QByteArray &authorization = "Bearer " + kToken)
    {
        return finish(start(method, path, body, authorization));
    }

    Reply search(const QJsonObject &query) { return send("POST", QStringLiteral("/api/photos/search"), json(query)); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // The collection: synthetic photos, every third with a report about a cat, the rest a dog.
        QVERIFY(QDir().mkpath(m_tmp.filePath(QStringLiteral("images"))));
        for (int i = 0; i < kImages; ++i) {
            QVERIFY(saveImage(makeSyntheticImage(120 + i, 90, quint32(100 + i)), imagePath(i), "png"));
            QFile report(imagePath(i) + QStringLiteral(".txt"));
            QVERIFY(report.open(QIODevice::WriteOnly));
            report.write(i % 3 == 0 ? "a grey cat asleep on a chair" : "a brown dog in the park");
            m_cats += i % 3 == 0;
        }
        auto embedder = std::make_shared<ClassicEmbedder>();
        CollectionOptions o;
        o.embedderId = embedder->id();
        o.dimension = embedder->dimension();
        auto c = Collection::create(m_tmp.filePath(QStringLiteral("photos")), o);
        QVERIFY2(c, qPrintable(c.errorMessage()));
        IngestParams p;
        p.inputs = {m_tmp.filePath(QStringLiteral("images"))};
        auto ingested = IngestJob(**c, *embedder, p).run();
        QVERIFY2(ingested, qPrintable(ingested.errorMessage()));
        QCOMPARE(ingested->added, qint64(kImages));
        for (int i = 0; i < kImages; ++i)
            m_ids << (*(*c)->itemByUri(imagePath(i)))->id;
        m_photos = c->get();

        server::RestServerOptions options;
        options.port = 0;
        options.limits.maxBodyBytes = kMaxBody;
        options.limits.maxImageBytes = kMaxImage;
        // Long enough that the gated URL of searchesAreAnsweredWhileAnAddRuns() does not time out.
        options.fetch.connectTimeoutMs = 60000;
        options.fetch.stallTimeoutMs = 60000;
        options.fetch.totalTimeoutMs = 120000;
        options.fetch.retries = 0;
        m_server = std::make_unique<RestServer>(ApiToken::fromValue(kToken), options);
        server::CollectionApi::Setup setup;
        setup.name = QStringLiteral("photos");
        setup.collection = std::move(*c);
        setup.embedder = embedder;
        QVERIFY(m_server->addCollection(std::move(setup)));
        auto port = m_server->start();
        QVERIFY2(port, qPrintable(port.errorMessage()));
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(*port);

        // The web server that URL adds download from.
        const QDir www(m_tmp.filePath(QStringLiteral("www")));
        QVERIFY(QDir().mkpath(www.path()));
        for (int i = 0; i < 48; ++i)
            QVERIFY(saveImage(makeSyntheticImage(100 + i, 80, quint32(900 + i)), www.filePath(QStringLiteral("w%1.png").arg(i)), "png"));
        m_webBase = startImageServer(m_web, www.path());
        QVERIFY2(!m_webBase.isEmpty(), "tests/data/image_server.py did not start");
    }

    void cleanupTestCase()
    {
        m_web.kill();
        m_web.waitForFinished();
        m_server.reset();
    }

    void healthNeedsNoToken()
    {
        const Reply r = send("GET", QStringLiteral("/api/health"), {}, {});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(u"status"_qs).toString(), u"ok"_qs);
        QVERIFY(!r.json.value(u"version"_qs).toString().isEmpty());
        QVERIFY(r.header("Content-Type").startsWith("application/json"));
    }

    void theTokenIsRequired_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<int>("status");
        QTest::newRow("none") << QByteArray() << 401;
        QTest::newRow("wrong") << QByteArray("Bearer " + kToken + "x") << 401;
        QTest::newRow("prefix of the token") << QByteArray("Bearer " + kToken.left(10)) << 401;
        QTest::newRow("not bearer") << QByteArray("Basic " + kToken) << 401;
        QTest::newRow("bare token") << kToken << 401;
        QTest::newRow("right") << QByteArray("Bearer " + kToken) << 200;
        QTest::newRow("scheme in capitals") << QByteArray("BEARER " + kToken) << 200;
    }

    void theTokenIsRequired()
    {
        QFETCH(QByteArray, authorization);
        QFETCH(int, status);
        const Reply r = send("GET", QStringLiteral("/api/collections"), {}, authorization);
        QCOMPARE(r.status, status);
        if (status == 401) {
            QVERIFY2(r.header("WWW-Authenticate").startsWith("Bearer"), r.header("WWW-Authenticate").constData());
            QCOMPARE(r.errorCode(), u"unauthorized"_qs);
        } else {
            const QJsonArray list = r.json.value(u"collections"_qs).toArray();
            QCOMPARE(list.size(), 1);
            const QJsonObject c = list.first().toObject();
            QCOMPARE(c.value(u"name"_qs).toString(), u"photos"_qs);
            QCOMPARE(c.value(u"model"_qs).toString(), ClassicEmbedder().id());
            QCOMPARE(c.value(u"items"_qs).toInteger(), *m_photos->itemCount());
            QCOMPARE(c.value(u"path"_qs).toString(), m_photos->path());
        }
    }

    void everyEndpointWantsTheToken_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        const QByteArray search = json({{u"text"_qs, u"cat"_qs}});
        QTest::newRow("stats") << QByteArray("GET") << u"/api/photos/stats"_qs << QByteArray();
        QTest::newRow("list") << QByteArray("GET") << u"/api/photos/items"_qs << QByteArray();
        QTest::newRow("item") << QByteArray("GET") << u"/api/photos/items/1"_qs << QByteArray();
        QTest::newRow("thumbnail") << QByteArray("GET") << u"/api/photos/items/1/thumbnail"_qs << QByteArray();
        QTest::newRow("delete") << QByteArray("DELETE") << u"/api/photos/items/1"_qs << QByteArray();
        QTest::newRow("add") << QByteArray("POST") << u"/api/photos/items"_qs << json({{u"url"_qs, web(u"/img/w0.png"_qs)}});
        QTest::newRow("search") << QByteArray("POST") << u"/api/photos/search"_qs << search;
        QTest::newRow("outliers") << QByteArray("GET") << u"/api/photos/outliers"_qs << QByteArray();
        QTest::newRow("duplicates") << QByteArray("GET") << u"/api/photos/duplicates"_qs << QByteArray();
        QTest::newRow("unknown collection") << QByteArray("GET") << u"/api/nope/stats"_qs << QByteArray();
    }

    void everyEndpointWantsTheToken()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        const qint64 before = *m_photos->itemCount();
        const Reply r = send(method, path, body, {});
        QCOMPARE(r.status, 401);
        QCOMPARE(r.errorCode(), u"unauthorized"_qs);
        QCOMPARE(*m_photos->itemCount(), before); // nothing was added or deleted
    }

    void badRequestsAre400AndNameTheField_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not JSON") << QByteArray("{\"text\": ") << u"JSON"_qs;
        QTest::newRow("an array") << QByteArray("[1, 2]") << u"object"_qs;
        QTest::newRow("empty") << QByteArray() << u"empty"_qs;
        QTest::newRow("k a string") << json({{u"text"_qs, u"cat"_qs}, {u"k"_qs, u"ten"_qs}}) << u"k wants"_qs;
        QTest::newRow("k too big") << json({{u"text"_qs, u"cat"_qs}, {u"k"_qs, 5000}}) << u"k wants"_qs;
        QTest::newRow("k fractional") << json({{u"text"_qs, u"cat"_qs}, {u"k"_qs, 2.5}}) << u"k wants"_qs;
        QTest::newRow("misspelt field") << json({{u"text"_qs, u"cat"_qs}, {u"treshold"_qs, 0.5}}) << u"treshold"_qs;
        QTest::newRow("bad item id") << json({{u"item_ids"_qs, QJsonArray{1, 0}}}) << u"item_ids[1]"_qs;
        QTest::newRow("ids not an array") << json({{u"item_ids"_qs, 3}}) << u"item_ids"_qs;
        QTest::newRow("alpha out of range") << json({{u"text"_qs, u"cat"_qs}, {u"alpha"_qs, 2}}) << u"alpha"_qs;
        QTest::newRow("nothing to search for") << json({{u"k"_qs, 5}}) << u"text, image or item_ids"_qs;
        QTest::newRow("image not base64") << json({{u"image"_qs, u"***"_qs}}) << u"image"_qs;
        QTest::newRow("image not an image") << json({{u"image"_qs, QString::fromLatin1(QByteArray("hello there").toBase64())}})
                                            << u"image"_qs;
        QTest::newRow("filter not a string") << json({{u"text"_qs, u"cat"_qs}, {u"filters"_qs, QJsonObject{{u"site"_qs, true}}}})
                                             << u"filters.site"_qs;
        QTest::newRow("k and limit differ") << json({{u"text"_qs, u"cat"_qs}, {u"k"_qs, 3}, {u"limit"_qs, 4}}) << u"limit"_qs;
    }

    void badRequestsAre400AndNameTheField()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);
        const Reply r = send("POST", QStringLiteral("/api/photos/search"), body);
        QVERIFY2(r.status == 400, qPrintable(r.describe()));
        QVERIFY2(r.errorMessage().contains(mentions), qPrintable(r.errorMessage()));
        QVERIFY(!r.errorCode().isEmpty());
    }

    void badAddsAre400_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("a path") << json({{u"url"_qs, u"/etc/passwd"_qs}}) << u"url"_qs;
        QTest::newRow("file URL") << json({{u"urls"_qs, QJsonArray{web(u"/img/w1.png"_qs), u"file:///etc/passwd"_qs}}})
                                  << u"urls[1]"_qs;
        QTest::newRow("ftp URL") << json({{u"url"_qs, u"ftp://127.0.0.1/x.png"_qs}}) << u"url"_qs;
        QTest::newRow("nothing") << json({{u"filename"_qs, u"a.png"_qs}}) << u"filename"_qs;
        QTest::newRow("images not objects") << json({{u"images"_qs, QJsonArray{u"abc"_qs}}}) << u"images[0]"_qs;
        QTest::newRow("unknown field") << json({{u"path"_qs, u"/tmp"_qs}}) << u"path"_qs;
    }

    void badAddsAre400()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);
        const qint64 before = *m_photos->itemCount();
        const Reply r = send("POST", QStringLiteral("/api/photos/items"), body);
        QVERIFY2(r.status == 400, qPrintable(r.describe()));
        QVERIFY2(r.errorMessage().contains(mentions), qPrintable(r.errorMessage()));
        QCOMPARE(*m_photos->itemCount(), before);
    }

    void bodiesOverTheLimitAre413()
    {
        // Refused from its Content-Length, before the body is read; the connection then closes
        // and the server goes on.
        QByteArray huge = json({{u"text"_qs, u"cat"_qs}});
        huge.append(QByteArray(kMaxBody + 1000, ' '));
        const Reply r = send("POST", QStringLiteral("/api/photos/search"), huge);
        QVERIFY2(r.status == 413, qPrintable(r.describe()));
        QCOMPARE(r.errorCode(), u"too_large"_qs);
        QCOMPARE(send("GET", QStringLiteral("/api/health")).status, 200);
        // Just under the limit is read (and here judged as JSON).
        QByteArray fits = json({{u"text"_qs, u"cat"_qs}});
        fits.append(QByteArray(kMaxBody - fits.size(), ' '));
        const Reply under = send("POST", QStringLiteral("/api/photos/search"), fits);
        QVERIFY2(under.status == 200, qPrintable(under.describe()));

        // An image over its own cap, in a body that fits.
        QByteArray big(kMaxImage + 10, 'x');
        const Reply image = send("POST", QStringLiteral("/api/photos/items"),
                                 json({{u"image"_qs, QString::fromLatin1(big.toBase64())}, {u"filename"_qs, u"big.png"_qs}}));
        QVERIFY2(image.status == 413, qPrintable(image.describe()));
        QVERIFY2(image.errorMessage().contains(u"image"_qs), qPrintable(image.errorMessage()));
    }

    // The size checks read each request's head on the wire (HttpConnection); these speak HTTP
    // over a plain socket to see exactly what goes back and forth.
    void theConnectionChecksSizesOnTheWire()
    {
        RawClient raw(m_server->port());
        QVERIFY(raw.connected());
        // A body that arrives in many pieces, then a second request on the same connection:
        // the check must find where the first body ended to see the second head.
        QByteArray body = json({{u"text"_qs, u"cat"_qs}, {u"k"_qs, 2}});
        body.append(QByteArray(600 << 10, ' '));
        QByteArray request = "POST /api/photos/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken
                             + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
        raw.write(request);
        for (qsizetype at = 0; at < body.size(); at += 64 << 10) {
            raw.write(body.mid(at, 64 << 10));
            QTest::qWait(1);
        }
        const RawResponse first = raw.response();
        QVERIFY2(first.status == 200, first.head.constData());
        raw.write("POST /api/photos/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken
                  + "\r\nContent-Length: 900000000\r\n\r\n{\"text\": ");
        const RawResponse second = raw.response();
        QVERIFY2(second.status == 413, second.head.constData());
        QVERIFY(second.head.toLower().contains("connection: close"));
        QTRY_VERIFY_WITH_TIMEOUT(!raw.connected(), 30000); // and the server hangs up

        // Expect: 100-continue within the limit gets the go-ahead, then the answer.
        RawClient expect(m_server->port());
        const QByteArray small = json({{u"text"_qs, u"dog"_qs}});
        expect.write("POST /api/photos/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken
                     + "\r\nExpect: 100-continue\r\nContent-Length: " + QByteArray::number(small.size()) + "\r\n\r\n");
        const RawResponse go = expect.response();
        QCOMPARE(go.status, 100);
        expect.write(small);
        QCOMPARE(expect.response().status, 200);
        // Over the limit, it is refused without the body being sent.
        expect.write("POST /api/photos/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken
                     + "\r\nExpect: 100-continue\r\nContent-Length: " + QByteArray::number(kMaxBody + 1) + "\r\n\r\n");
        QCOMPARE(expect.response().status, 413);

        // A body of unknown length (chunked) is refused; so are oversized headers.
        RawClient chunked(m_server->port());
        chunked.write("POST /api/photos/search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        QCOMPARE(chunked.response().status, 411);
        RawClient headers(m_server->port());
        headers.write("GET /api/health HTTP/1.1\r\nHost: x\r\nX-Padding: " + QByteArray(70 << 10, 'a') + "\r\n\r\n");
        QCOMPARE(headers.response().status, 431);
        QCOMPARE(send("GET", QStringLiteral("/api/health")).status, 200);
    }

    void clientsThatHangUpEarlyDoNotHurt()
    {
        // Answers for clients that are gone are dropped (the socket and its HttpConnection are).
        for (int round = 0; round < 3; ++round) {
            QList<QNetworkReply *> replies;
            for (int i = 0; i < 12; ++i)
                replies << start("POST", QStringLiteral("/api/photos/search"),
                                 json({{u"item_ids"_qs, QJsonArray{m_ids.at(i)}}, {u"text"_qs, u"cat"_qs}}));
            QTest::qWait(round); // 0, 1, 2 ms: before, while and after the work
            for (QNetworkReply *r : std::as_const(replies)) {
                r->abort();
                r->deleteLater();
            }
        }
        RawClient raw(m_server->port());
        raw.write("POST /api/photos/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken + "\r\nContent-Length: 2\r\n\r\n{}");
        raw.close();
        QTest::qWait(50);
        const Reply r = search({{u"text"_qs, u"cat"_qs}});
        QVERIFY2(r.status == 200, qPrintable(r.describe()));
    }

    void idleAndSlowConnectionsAreClosed()
    {
        // A server of its own with short limits (health needs no collection).
        server::RestServerOptions options;
        options.port = 0;
        options.limits.idleTimeoutMs = 400;
        options.limits.requestTimeoutMs = 1500;
        RestServer bare(ApiToken::fromValue(kToken), options);
        auto port = bare.start();
        QVERIFY2(port, qPrintable(port.errorMessage()));

        // Connected, then nothing: closed by the server.
        RawClient silent(*port);
        QVERIFY(silent.connected());
        QTRY_VERIFY_WITH_TIMEOUT(!silent.connected(), 20000);

        // Served, then idle: closed too, after the answer.
        RawClient served(*port);
        served.write("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(served.response().status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(!served.connected(), 20000);

        // A head sent a line at a time, each line well within the idle timeout, never finishing:
        // bytes arriving do not extend the request's deadline; 408, then closed.
        RawClient trickle(*port);
        trickle.write("GET /api/health HTTP/1.1\r\n");
        QTimer drip;
        int lines = 0;
        QObject::connect(&drip, &QTimer::timeout, [&] {
            trickle.write("X-Drip: " + QByteArray::number(++lines) + "\r\n");
        });
        drip.start(100);
        const RawResponse late = trickle.response();
        drip.stop();
        QVERIFY2(late.status == 408, late.head.constData());
        QVERIFY(late.head.toLower().contains("connection: close")); // an idle close would say nothing
        QTRY_VERIFY_WITH_TIMEOUT(!trickle.connected(), 20000);
    }

    void connectionsOverTheCapAre503()
    {
        server::RestServerOptions options;
        options.port = 0;
        options.limits.maxConnections = 3;
        RestServer bare(ApiToken::fromValue(kToken), options);
        auto port = bare.start();
        QVERIFY2(port, qPrintable(port.errorMessage()));
        const QByteArray health = "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n";

        std::vector<std::unique_ptr<RawClient>> open;
        for (int i = 0; i < 3; ++i) {
            open.push_back(std::make_unique<RawClient>(*port));
            open.back()->write(health);
            QCOMPARE(open.back()->response().status, 200); // kept alive
        }
        RawClient fourth(*port);
        fourth.write(health);
        const RawResponse refused = fourth.response();
        QVERIFY2(refused.status == 503, refused.head.constData());
        QVERIFY(refused.head.contains("Retry-After"));
        QTRY_VERIFY_WITH_TIMEOUT(!fourth.connected(), 20000);

        // A client leaves: its place is free again.
        open.front()->close();
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     RawClient next(*port);
                                     next.write(health);
                                     return next.response().status == 200;
                                 }()),
                                 20000);
        // The ones still open are still served.
        open.back()->write(health);
        QCOMPARE(open.back()->response().status, 200);
    }

    void unknownThingsAre404_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("collection") << u"/api/nope/stats"_qs;
        QTest::newRow("collection items") << u"/api/nope/items/1"_qs;
        QTest::newRow("item") << u"/api/photos/items/999999"_qs;
        QTest::newRow("item, not a number") << u"/api/photos/items/abc"_qs;
        QTest::newRow("thumbnail of no item") << u"/api/photos/items/999999/thumbnail"_qs;
        QTest::newRow("route under a collection") << u"/api/photos/nothing"_qs;
        QTest::newRow("route under an item") << u"/api/photos/items/1/nothing"_qs;
        QTest::newRow("outside /api") << u"/index.html"_qs;
    }

    void unknownThingsAre404()
    {
        QFETCH(QString, path);
        const Reply r = send("GET", path);
        QVERIFY2(r.status == 404, qPrintable(r.describe()));
        QCOMPARE(r.errorCode(), u"not_found"_qs);
    }

    void wrongMethodsAre405_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("allowed");
        QTest::newRow("GET search") << QByteArray("GET") << u"/api/photos/search"_qs << QByteArray("POST");
        QTest::newRow("PUT items") << QByteArray("PUT") << u"/api/photos/items"_qs << QByteArray("GET, POST");
        QTest::newRow("POST item") << QByteArray("POST") << u"/api/photos/items/1"_qs << QByteArray("GET, DELETE");
        QTest::newRow("DELETE stats") << QByteArray("DELETE") << u"/api/photos/stats"_qs << QByteArray("GET");
        QTest::newRow("POST outliers") << QByteArray("POST") << u"/api/photos/outliers"_qs << QByteArray("GET");
        QTest::newRow("POST health") << QByteArray("POST") << u"/api/health"_qs << QByteArray("GET");
    }

    void wrongMethodsAre405()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, allowed);
        const Reply r = send(method, path, method == "GET" || method == "DELETE" ? QByteArray() : QByteArray("{}"));
        QVERIFY2(r.status == 405, qPrintable(r.describe()));
        QCOMPARE(r.header("Allow"), allowed);
        QCOMPARE(r.errorCode(), u"method_not_allowed"_qs);
    }

    void statsCountWhatIsThere()
    {
        const Reply r = send("GET", QStringLiteral("/api/photos/stats"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(u"items"_qs).toInteger(), *m_photos->itemCount());
        QCOMPARE(r.json.value(u"reports"_qs).toInteger(), qint64(kImages));
        const QJsonArray spaces = r.json.value(u"spaces"_qs).toArray();
        QCOMPARE(spaces.size(), 1);
        QCOMPARE(spaces.first().toObject().value(u"dimension"_qs).toInt(), ClassicEmbedder().dimension());
    }

    void listingPages()
    {
        const qint64 total = *m_photos->itemCount();
        const Reply all = send("GET", QStringLiteral("/api/photos/items?limit=1000"));
        QCOMPARE(all.status, 200);
        QCOMPARE(all.json.value(u"total"_qs).toInteger(), total);
        QList<qint64> everything;
        for (const auto &v : all.json.value(u"items"_qs).toArray())
            everything << v.toObject().value(u"id"_qs).toInteger();
        QCOMPARE(everything.size(), total);

        QList<qint64> paged;
        for (int offset = 0; offset < total; offset += 7) {
            const Reply page = send("GET", QStringLiteral("/api/photos/items?offset=%1&limit=7").arg(offset));
            QCOMPARE(page.status, 200);
            const QJsonArray items = page.json.value(u"items"_qs).toArray();
            QCOMPARE(items.size(), std::min<qint64>(7, total - offset));
            for (const auto &v : items)
                paged << v.toObject().value(u"id"_qs).toInteger();
        }
        QCOMPARE(paged, everything);

        const QJsonObject first = all.json.value(u"items"_qs).toArray().first().toObject();
        for (const char *key : {"id", "uri", "filename", "width", "height", "format", "size"})
            QVERIFY2(first.contains(QLatin1String(key)), key);
        QVERIFY(first.value(u"report"_qs).toString().contains(u"cat"_qs) || first.value(u"report"_qs).toString().contains(u"dog"_qs));
        QVERIFY(!first.contains(u"vector"_qs));

        for (const QString &bad : {u"limit=0"_qs, u"limit=5000"_qs, u"offset=-1"_qs, u"limit=ten"_qs, u"vectors=maybe"_qs, u"sort=id"_qs}) {
            const Reply r = send("GET", u"/api/photos/items?"_qs + bad);
            QVERIFY2(r.status == 400, qPrintable(bad + u": "_qs + r.describe()));
        }
    }

    void listingWithVectors()
    {
        const Reply r = send("GET", QStringLiteral("/api/photos/items?limit=3&vectors=1"));
        QCOMPARE(r.status, 200);
        const QJsonArray items = r.json.value(u"items"_qs).toArray();
        QCOMPARE(items.size(), 3);
        for (const auto &v : items) {
            const QJsonArray vector = v.toObject().value(u"vector"_qs).toArray();
            QCOMPARE(vector.size(), ClassicEmbedder().dimension());
            double norm = 0;
            for (const auto &x : vector)
                norm += x.toDouble() * x.toDouble();
            QVERIFY2(std::abs(norm - 1.0) < 1e-3, qPrintable(QString::number(norm)));
        }
        // The vector is the item's own.
        const qint64 id = items.first().toObject().value(u"id"_qs).toInteger();
        const auto stored = m_photos->embedding(id, m_photos->imageSpaceName());
        QVERIFY(stored);
        QCOMPARE(float(items.first().toObject().value(u"vector"_qs).toArray().at(5).toDouble()), stored->at(5));
    }

    void anItemAndItsThumbnail()
    {
        const qint64 id = m_ids.at(3);
        const Reply r = send("GET", QStringLiteral("/api/photos/items/%1").arg(id));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(u"id"_qs).toInteger(), id);
        QCOMPARE(r.json.value(u"uri"_qs).toString(), imagePath(3));
        QCOMPARE(r.json.value(u"width"_qs).toInt(), 123);
        QCOMPARE(r.json.value(u"height"_qs).toInt(), 90);
        QCOMPARE(r.json.value(u"format"_qs).toString(), u"png"_qs);
        QCOMPARE(r.json.value(u"report"_qs).toString(), u"a grey cat asleep on a chair"_qs);
        QVERIFY(r.json.value(u"metadata"_qs).isObject());

        const Reply thumb = send("GET", QStringLiteral("/api/photos/items/%1/thumbnail").arg(id));
        QCOMPARE(thumb.status, 200);
        QCOMPARE(thumb.header("Content-Type"), QByteArray("image/jpeg"));
        QVERIFY(thumb.body.startsWith("\xFF\xD8"));
        QImage decoded;
        QVERIFY(decoded.loadFromData(thumb.body, "JPEG"));
        QCOMPARE(decoded.size(), QSize(123, 90)); // smaller than the thumbnail side: kept as is
    }

    void searchByText()
    {
        const Reply r = search({{u"text"_qs, u"cat"_qs}, {u"k"_qs, 100}});
        QVERIFY2(r.status == 200, qPrintable(r.describe()));
        QCOMPARE(r.json.value(u"total"_qs).toInteger(), qint64(m_cats));
        const QJsonArray hits = r.json.value(u"hits"_qs).toArray();
        QCOMPARE(hits.size(), m_cats);
        for (const auto &h : hits) {
            const QJsonObject o = h.toObject();
            QVERIFY(o.value(u"report"_qs).toString().contains(u"cat"_qs));
            QVERIFY(o.value(u"text_score"_qs).toDouble() > 0);
            for (const char *key : {"id", "uri", "filename", "score", "image_score", "text_score"})
                QVERIFY2(o.contains(QLatin1String(key)), key);
        }
    }

    void searchByBase64Image()
    {
        for (int i : {0, 7, 22}) {
            const Reply r = search({{u"image"_qs, QString::fromLatin1(readFile(imagePath(i)).toBase64())}, {u"k"_qs, 3}});
            QVERIFY2(r.status == 200, qPrintable(r.describe()));
            const QJsonObject top = r.json.value(u"hits"_qs).toArray().first().toObject();
            QCOMPARE(top.value(u"id"_qs).toInteger(), m_ids.at(i));
            QVERIFY(top.value(u"image_score"_qs).toDouble() > 0.99);
        }
    }

    void searchByItemsWithThresholdAndPaging()
    {
        const qint64 id = m_ids.at(5);
        const Reply ten = search({{u"item_ids"_qs, QJsonArray{id}}, {u"k"_qs, 10}});
        QVERIFY2(ten.status == 200, qPrintable(ten.describe()));
        const QList<qint64> ids = hitIds(ten);
        QCOMPARE(ids.size(), 10);
        QVERIFY(!ids.contains(id)); // an example is not its own result unless asked
        QList<qint64> paged = hitIds(search({{u"item_ids"_qs, QJsonArray{id}}, {u"k"_qs, 5}}));
        const Reply second = search({{u"item_ids"_qs, QJsonArray{id}}, {u"limit"_qs, 5}, {u"offset"_qs, 5}});
        QCOMPARE(second.json.value(u"hits"_qs).toArray().first().toObject().value(u"rank"_qs).toInt(), 6);
        paged += hitIds(second);
        QCOMPARE(paged, ids);
        QCOMPARE(hitIds(search({{u"item_ids"_qs, QJsonArray{id}}, {u"k"_qs, 3}, {u"include_query"_qs, true}})).first(), id);

        // The threshold keeps the hits at or above it, and counts only those.
        const double t = ten.json.value(u"hits"_qs).toArray().at(3).toObject().value(u"score"_qs).toDouble();
        const Reply above = search({{u"item_ids"_qs, QJsonArray{id}}, {u"k"_qs, 10}, {u"threshold"_qs, t}});
        QCOMPARE(above.status, 200);
        QCOMPARE(hitIds(above), ids.mid(0, 4));
        QCOMPARE(above.json.value(u"total"_qs).toInteger(), 4);
        const Reply none = search({{u"item_ids"_qs, QJsonArray{id}}, {u"threshold"_qs, 1.5}});
        QCOMPARE(none.status, 200);
        QCOMPARE(none.json.value(u"hits"_qs).toArray().size(), 0);

        // Unknown example items are 404.
        const Reply unknown = search({{u"item_ids"_qs, QJsonArray{999999}}});
        QVERIFY2(unknown.status == 404, qPrintable(unknown.describe()));
    }

    // The dataset checks answer what the core answers, in the command line's JSON.
    void outliersAndDuplicates()
    {
        const Reply r = send("GET", QStringLiteral("/api/photos/outliers?limit=3&neighbours=5"));
        QVERIFY2(r.status == 200, qPrintable(r.describe()));
        QCOMPARE(r.json.value(u"neighbours"_qs).toInt(), 5);
        OutlierParams params;
        params.neighbours = 5;
        params.limit = 3;
        auto expected = OutlierFinder::find(*m_photos, params);
        QVERIFY(expected);
        const QJsonArray outliers = r.json.value(u"outliers"_qs).toArray();
        QCOMPARE(outliers.size(), 3);
        for (qsizetype i = 0; i < outliers.size(); ++i) {
            const QJsonObject o = outliers[i].toObject();
            QCOMPARE(o.value(u"id"_qs).toInteger(), (*expected)[size_t(i)].id);
            QCOMPARE(float(o.value(u"mean_score"_qs).toDouble()), (*expected)[size_t(i)].meanScore);
            QCOMPARE(o.value(u"nearest_id"_qs).toInteger(), (*expected)[size_t(i)].nearestId);
            QVERIFY(m_ids.contains(o.value(u"id"_qs).toInteger()));
            QVERIFY(o.value(u"uri"_qs).toString().startsWith(m_tmp.filePath(QStringLiteral("images"))));
        }

        // Every photo has a re-encoded twin nowhere, so at 0.5 the groups are whatever the
        // core finds: the same ones.
        const Reply d = send("GET", QStringLiteral("/api/photos/duplicates?threshold=0.5&neighbours=3"));
        QVERIFY2(d.status == 200, qPrintable(d.describe()));
        DuplicateParams dp;
        dp.threshold = 0.5f;
        dp.neighbours = 3;
        auto groups = DuplicateFinder::find(*m_photos, dp);
        QVERIFY(groups);
        QVERIFY(!groups->groups.empty()); // else this compares nothing
        const QJsonArray got = d.json.value(u"groups"_qs).toArray();
        QCOMPARE(size_t(got.size()), groups->groups.size());
        for (qsizetype i = 0; i < got.size(); ++i) {
            QList<qint64> ids;
            for (const auto &v : got[i].toObject().value(u"ids"_qs).toArray())
                ids << v.toInteger();
            QCOMPARE(ids, QList<qint64>(groups->groups[size_t(i)].ids.begin(), groups->groups[size_t(i)].ids.end()));
            QVERIFY(!got[i].toObject().contains(u"splits"_qs));
        }
        // All photos are in one folder: no group spans two.
        const Reply across = send("GET", QStringLiteral("/api/photos/duplicates?threshold=0.5&across=folder"));
        QVERIFY2(across.status == 200, qPrintable(across.describe()));
        QCOMPARE(across.json.value(u"across"_qs).toString(), u"folder"_qs);
        QCOMPARE(across.json.value(u"groups"_qs).toArray().size(), 0);

        for (const QString &bad : {u"/api/photos/outliers?limit=0"_qs, u"/api/photos/outliers?neighbours=x"_qs,
                                   u"/api/photos/duplicates?threshold=2"_qs, u"/api/photos/duplicates?treshold=0.9"_qs,
                                   u"/api/photos/duplicates?across="_qs}) {
            const Reply b = send("GET", bad);
            QVERIFY2(b.status == 400, qPrintable(bad + u' ' + b.describe()));
            QCOMPARE(b.errorCode(), u"bad_request"_qs);
        }
        // A refused request gives its scan slot back.
        QCOMPARE(send("GET", QStringLiteral("/api/photos/outliers")).status, 200);
    }

    void addingABase64Image()
    {
        const QByteArray png = pngBytes(makeSyntheticImage(140, 100, 4242));
        const Reply r = send("POST", QStringLiteral("/api/photos/items"),
                             json({{u"image"_qs, QString::fromLatin1(png.toBase64())}, {u"filename"_qs, u"holiday.png"_qs}}));
        QVERIFY2(r.status == 201, qPrintable(r.describe()));
        QCOMPARE(r.json.value(u"added"_qs).toInt(), 1);
        QCOMPARE(r.json.value(u"failed"_qs).toInt(), 0);
        const qint64 id = r.json.value(u"ids"_qs).toArray().first().toInteger();
        const Reply item = send("GET", QStringLiteral("/api/photos/items/%1").arg(id));
        QCOMPARE(item.status, 200);
        QCOMPARE(item.json.value(u"width"_qs).toInt(), 140);
        QVERIFY(item.json.value(u"uri"_qs).toString().startsWith(m_photos->filesDir()));
        QCOMPARE(readFile(item.json.value(u"uri"_qs).toString()), png);
        QCOMPARE(item.json.value(u"metadata"_qs).toObject().value(u"upload_filename"_qs).toString(), u"holiday.png"_qs);
        // It is found by its own pixels.
        QCOMPARE(hitIds(search({{u"image"_qs, QString::fromLatin1(png.toBase64())}, {u"k"_qs, 1}})).value(0), id);
        // The same bytes again are the same item.
        const Reply again = send("POST", QStringLiteral("/api/photos/items"), json({{u"image"_qs, QString::fromLatin1(png.toBase64())}}));
        QVERIFY2(again.status == 200, qPrintable(again.describe()));
        QCOMPARE(again.json.value(u"unchanged"_qs).toInt(), 1);
        QCOMPARE(again.json.value(u"items"_qs).toArray().first().toObject().value(u"id"_qs).toInteger(), id);

        // In a batch, bytes that are no image, or a truncated one, fail alone; the truncated
        // one leaves no copy behind in files/.
        const QByteArray other = pngBytes(makeSyntheticImage(90, 90, 4343));
        const QByteArray truncated = pngBytes(makeSyntheticImage(90, 90, 4444)).left(200);
        const qsizetype filesBefore = QDir(m_photos->filesDir()).entryList(QDir::Files).size();
        const Reply batch = send("POST", QStringLiteral("/api/photos/items"),
                                 json({{u"images"_qs, QJsonArray{QJsonObject{{u"image"_qs, QString::fromLatin1(QByteArray("<html>no</html>").toBase64())}},
                                                                 QJsonObject{{u"image"_qs, QString::fromLatin1(other.toBase64())},
                                                                             {u"filename"_qs, u"b.png"_qs}},
                                                                 QJsonObject{{u"image"_qs, QString::fromLatin1(truncated.toBase64())}}}}}));
        QVERIFY2(batch.status == 201, qPrintable(batch.describe()));
        QCOMPARE(batch.json.value(u"added"_qs).toInt(), 1);
        QCOMPARE(batch.json.value(u"failed"_qs).toInt(), 2);
        const QJsonArray items = batch.json.value(u"items"_qs).toArray();
        QCOMPARE(items.at(0).toObject().value(u"status"_qs).toString(), u"failed"_qs);
        QCOMPARE(items.at(0).toObject().value(u"input"_qs).toString(), u"images[0]"_qs);
        QVERIFY(!items.at(0).toObject().value(u"error"_qs).toString().isEmpty());
        QCOMPARE(items.at(1).toObject().value(u"status"_qs).toString(), u"added"_qs);
        QCOMPARE(items.at(2).toObject().value(u"status"_qs).toString(), u"failed"_qs);
        QVERIFY2(items.at(2).toObject().value(u"error"_qs).toString().startsWith(u"decode"_qs), qPrintable(batch.describe()));
        QCOMPARE(QDir(m_photos->filesDir()).entryList(QDir::Files).size(), filesBefore + 1);
    }

    void addingByUrl()
    {
        const QString url = web(u"/img/w0.png"_qs);
        const Reply r = send("POST", QStringLiteral("/api/photos/items"),
                             json({{u"urls"_qs, QJsonArray{url, web(u"/missing"_qs)}}}));
        QVERIFY2(r.status == 201, qPrintable(r.describe()));
        QCOMPARE(r.json.value(u"added"_qs).toInt(), 1);
        QCOMPARE(r.json.value(u"failed"_qs).toInt(), 1);
        const QJsonArray items = r.json.value(u"items"_qs).toArray();
        QCOMPARE(items.at(0).toObject().value(u"uri"_qs).toString(), url);
        QVERIFY2(items.at(1).toObject().value(u"error"_qs).toString().contains(u"404"_qs), qPrintable(r.describe()));
        const qint64 id = items.at(0).toObject().value(u"id"_qs).toInteger();
        const Reply item = send("GET", QStringLiteral("/api/photos/items/%1").arg(id));
        QCOMPARE(item.json.value(u"uri"_qs).toString(), url);
        QCOMPARE(item.json.value(u"filename"_qs).toString(), u"w0.png"_qs);
        QCOMPARE(item.json.value(u"width"_qs).toInt(), 100);
        // A URL already there is not fetched again.
        const Reply again = send("POST", QStringLiteral("/api/photos/items"), json({{u"url"_qs, url}}));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json.value(u"unchanged"_qs).toInt(), 1);
    }

    void deletingThenNotFound()
    {
        const QByteArray png = pngBytes(makeSyntheticImage(70, 70, 777));
        const Reply added = send("POST", QStringLiteral("/api/photos/items"), json({{u"image"_qs, QString::fromLatin1(png.toBase64())}}));
        QCOMPARE(added.status, 201);
        const qint64 id = added.json.value(u"ids"_qs).toArray().first().toInteger();
        const qint64 before = *m_photos->itemCount();
        const Reply removed = send("DELETE", QStringLiteral("/api/photos/items/%1").arg(id));
        QVERIFY2(removed.status == 200, qPrintable(removed.describe()));
        QCOMPARE(removed.json.value(u"removed"_qs).toInteger(), id);
        QCOMPARE(*m_photos->itemCount(), before - 1);
        QCOMPARE(send("GET", QStringLiteral("/api/photos/items/%1").arg(id)).status, 404);
        QCOMPARE(send("GET", QStringLiteral("/api/photos/items/%1/thumbnail").arg(id)).status, 404);
        QCOMPARE(send("DELETE", QStringLiteral("/api/photos/items/%1").arg(id)).status, 404);
        QCOMPARE(search({{u"item_ids"_qs, QJsonArray{id}}}).status, 404);
        // Gone from the index too: its pixels find something else.
        QVERIFY(!hitIds(search({{u"image"_qs, QString::fromLatin1(png.toBase64())}, {u"k"_qs, 5}})).contains(id));
    }

    void searchesAreAnsweredWhileAnAddRuns()
    {
        // The add fetches 40 URLs from the web server and one from a server that holds its answer
        // until the searches below are done: the add is running all the while.
        GateServer gate;
        QVERIFY(gate.listen(QHostAddress::LocalHost));
        QJsonArray urls;
        for (int i = 8; i < 48; ++i)
            urls.append(web(QStringLiteral("/img/w%1.png").arg(i)));
        urls.append(QStringLiteral("http://127.0.0.1:%1/held.png").arg(gate.serverPort()));
        const qint64 before = *m_photos->itemCount();
        QNetworkReply *add = start("POST", QStringLiteral("/api/photos/items"), json({{u"urls"_qs, urls}}));
        QTRY_VERIFY_WITH_TIMEOUT(gate.requestArrived, 60000);

        QList<QNetworkReply *> searches;
        for (int i = 0; i < 24; ++i) {
            const QJsonObject query = i % 3 == 0   ? QJsonObject{{u"text"_qs, u"dog"_qs}}
                                      : i % 3 == 1 ? QJsonObject{{u"item_ids"_qs, QJsonArray{m_ids.at(i)}}, {u"k"_qs, 5}}
                                                   : QJsonObject{{u"item_ids"_qs, QJsonArray{m_ids.at(i), m_ids.at(i - 1)}},
                                                                 {u"text"_qs, u"cat"_qs}};
            searches << start("POST", QStringLiteral("/api/photos/search"), json(query));
        }
        for (QNetworkReply *s : std::as_const(searches)) {
            const Reply r = finish(s);
            QVERIFY2(r.status == 200, qPrintable(r.describe()));
            QVERIFY(!r.json.value(u"hits"_qs).toArray().isEmpty());
        }
        QVERIFY(!add->isFinished());
        // One add per collection at a time: the next one is refused, not queued.
        const Reply second = send("POST", QStringLiteral("/api/photos/items"), json({{u"url"_qs, web(u"/img/w2.png"_qs)}}));
        QVERIFY2(second.status == 409, qPrintable(second.describe()));
        QCOMPARE(second.errorCode(), u"busy"_qs);
        QCOMPARE(send("GET", QStringLiteral("/api/photos/items?limit=1")).status, 200);
        QVERIFY(!add->isFinished());

        gate.open(pngBytes(makeSyntheticImage(64, 64, 31337)));
        const Reply added = finish(add);
        QVERIFY2(added.status == 201, qPrintable(added.describe()));
        QCOMPARE(added.json.value(u"added"_qs).toInt(), 41);
        QCOMPARE(added.json.value(u"ids"_qs).toArray().size(), 41);
        QCOMPARE(*m_photos->itemCount(), before + 41);
        // The slot is free again.
        const Reply third = send("POST", QStringLiteral("/api/photos/items"), json({{u"url"_qs, web(u"/img/w2.png"_qs)}}));
        QVERIFY2(third.status == 201, qPrintable(third.describe()));
    }

    void theTokenFileIsTheOwnersAlone()
    {
        const QString path = m_tmp.filePath(QStringLiteral("config/lookalike/api-token"));
        auto made = ApiToken::loadOrCreate(path);
        QVERIFY2(made, qPrintable(made.errorMessage()));
        QVERIFY(made->created);
        QCOMPARE(mode(path), 0600);
        QCOMPARE(mode(QFileInfo(path).absolutePath()), 0700);
        const QByteArray value = made->token.value();
        QVERIFY(value.size() >= 43);
        QCOMPARE(readFile(path).trimmed(), value);
        QVERIFY(QDir(QFileInfo(path).absolutePath()).entryList(QDir::Files | QDir::Hidden).size() == 1); // no temporary left

        auto again = ApiToken::loadOrCreate(path);
        QVERIFY(again);
        QVERIFY(!again->created);
        QVERIFY(!again->othersCanRead);
        QCOMPARE(again->token.value(), value);
        QVERIFY(again->token.matches(value));
        QVERIFY(!again->token.matches(QByteArray(value + "x")));
        QVERIFY(!again->token.matches(value.left(value.size() - 1)));
        QVERIFY(!again->token.matches(QByteArray()));
        // Two tokens made in two places differ.
        auto other = ApiToken::loadOrCreate(m_tmp.filePath(QStringLiteral("config2/api-token")));
        QVERIFY(other);
        QVERIFY(other->token.value() != value);

        QFile short_(m_tmp.filePath(QStringLiteral("short-token")));
        QVERIFY(short_.open(QIODevice::WriteOnly));
        short_.write("abc\n");
        short_.close();
        auto bad = ApiToken::loadOrCreate(short_.fileName());
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, Error::Code::Corrupt);
    }

    void listensOnLoopbackOnly()
    {
        QCOMPARE(m_server->address(), QHostAddress(QHostAddress::LocalHost));
        QVERIFY(m_server->address().isLoopback());
        // None of this machine's other addresses answers on the port.
        for (const QHostAddress &a : QNetworkInterface::allAddresses()) {
            if (a.isLoopback() || a.protocol() != QAbstractSocket::IPv4Protocol)
                continue;
            QTcpSocket probe;
            probe.connectToHost(a, m_server->port());
            QVERIFY2(!probe.waitForConnected(5000), qPrintable(a.toString()));
        }
    }

    void theCommandServesAndStops()
    {
        // A collection of its own, so that two processes do not share one.
        const ClassicEmbedder embedder;
        CollectionOptions o;
        o.embedderId = embedder.id();
        o.dimension = embedder.dimension();
        const QString dir = m_tmp.filePath(QStringLiteral("cli/shelf"));
        QVERIFY(Collection::create(dir, o));
        const QString tokenFile = m_tmp.filePath(QStringLiteral("cli/token"));

        auto serve = [&](const QStringList &extra, QJsonObject &started) {
            auto *p = new QProcess(this);
            p->start(cliPath(), QStringList{u"serve"_qs, dir, u"--port"_qs, u"0"_qs, u"--token-file"_qs, tokenFile, u"--json"_qs} + extra);
            if (!p->waitForStarted() || !p->waitForReadyRead(60000))
                return p;
            started = QJsonDocument::fromJson(p->readLine()).object();
            return p;
        };
        QJsonObject first;
        QProcess *p = serve({}, first);
        QVERIFY2(!first.isEmpty(), p->readAllStandardError().constData());
        QCOMPARE(first.value(u"address"_qs).toString(), u"127.0.0.1"_qs);
        QVERIFY(first.value(u"token_created"_qs).toBool());
        const QByteArray token = first.value(u"token"_qs).toString().toLatin1();
        QCOMPARE(readFile(tokenFile).trimmed(), token);
        QCOMPARE(mode(tokenFile), 0600);
        const QString base = m_base;
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(first.value(u"port"_qs).toInt());
        const Reply listed = send("GET", QStringLiteral("/api/collections"), {}, "Bearer " + token);
        const Reply refused = send("GET", QStringLiteral("/api/collections"));
        m_base = base;
        QVERIFY2(listed.status == 200, qPrintable(listed.describe()));
        QCOMPARE(listed.json.value(u"collections"_qs).toArray().first().toObject().value(u"name"_qs).toString(), u"shelf"_qs);
        QCOMPARE(refused.status, 401); // this test's token is not that server's
        p->terminate(); // SIGTERM
        QVERIFY(p->waitForFinished(30000));
        QCOMPARE(p->exitStatus(), QProcess::NormalExit);
        QCOMPARE(p->exitCode(), 0);

        // Later starts say where the token is, not what it is (this one with one search thread).
        QJsonObject second;
        p = serve({u"--workers"_qs, u"1"_qs}, second);
        QVERIFY(!second.isEmpty());
        m_base = QStringLiteral("http://127.0.0.1:%1").arg(second.value(u"port"_qs).toInt());
        const Reply searched = send("POST", QStringLiteral("/api/shelf/search"), "{\"text\": \"anything\"}", "Bearer " + token);
        m_base = base;
        QVERIFY2(searched.status == 200, qPrintable(searched.describe()));
        QVERIFY(!second.value(u"token_created"_qs).toBool());
        QVERIFY(!second.contains(u"token"_qs));
        QCOMPARE(second.value(u"token_file"_qs).toString(), tokenFile);
        p->terminate();
        QVERIFY(p->waitForFinished(30000));
        QCOMPARE(p->exitCode(), 0);
        QVERIFY(!p->readAllStandardOutput().contains(token));

        // Binding beyond loopback is said out loud.
        QJsonObject wide;
        p = serve({u"--host"_qs, u"0.0.0.0"_qs}, wide);
        QCOMPARE(wide.value(u"address"_qs).toString(), u"0.0.0.0"_qs);
        p->terminate();
        QVERIFY(p->waitForFinished(30000));
        QVERIFY2(p->readAllStandardError().contains("warning: listening on 0.0.0.0"), "no warning");

        // A thread count that is no number is a usage error.
        QProcess badWorkers;
        badWorkers.start(cliPath(), {u"serve"_qs, dir, u"--port"_qs, u"0"_qs, u"--token-file"_qs, tokenFile, u"--workers"_qs, u"many"_qs});
        QVERIFY(badWorkers.waitForFinished(60000));
        QCOMPARE(badWorkers.exitCode(), 1);
        QVERIFY2(badWorkers.readAllStandardError().contains("--workers"), "no message");

                // Two collections of one name cannot both be /api/<name>.
        const QString twin = m_tmp.filePath(QStringLiteral("cli/other/shelf"));
        QVERIFY(Collection::create(twin, o));
        QProcess dup;
        dup.start(cliPath(), {u"serve"_qs, dir, twin, u"--port"_qs, u"0"_qs, u"--token-file"_qs, tokenFile});
        QVERIFY(dup.waitForFinished(60000));
        QCOMPARE(dup.exitCode(), 1);
        QVERIFY2(dup.readAllStandardError().contains("two collections are named shelf"), "no message");
    }
};

QTEST_MAIN(TestRestServer)
#include "tst_restserver.moc"
