// Adding images by URL, against a real web server on loopback (tests/data/image_server.py):
// images, SVG and redirects arrive and stay usable offline in the collection's files/; redirects
// to file: and ftp:, loops, HTML pages, 404s, 5xx, stalls, servers that never answer and bodies
// over the size cap each give one error for that URL only; a hanging URL does not hold the
// others up; 5xx is retried; URLs already present are not fetched again; removing the last
// item that uses a downloaded copy deletes it; cancel stops the downloads. Nothing leaves the
// machine: every URL is 127.0.0.1.
#include "collection/collection.h"
#include "embed/classicembedder.h"
#include "ingest/ingestjob.h"
#include "net/urlfetcher.h"
#include "search/searchengine.h"
#include "util/weburl.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace lookalike;
using namespace lookalike::test;

namespace {

const char kSvg[] = R"(<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">)"
                    R"(<rect width="40" height="20" fill="#c33"/><circle cx="20" cy="10" r="8" fill="#33c"/></svg>)";

} // namespace

class TestUrlIngest final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QProcess m_server;
    QString m_base; // http://127.0.0.1:<port>
    QString m_log;
    ClassicEmbedder m_embedder;

    QString url(const QString &path) const { return m_base + path; }

    std::unique_ptr<Collection> newCollection(const QString &name)
    {
        CollectionOptions o;
        o.embedderId = m_embedder.id();
        o.dimension = m_embedder.dimension();
        auto c = Collection::create(m_tmp.filePath(name), o);
        if (!c)
            qFatal("%s", qPrintable(c.errorMessage()));
        return std::move(*c);
    }

    // Short timeouts, so that the stalls and hangs fail in seconds; long enough for a loaded
    // machine or the asan build to answer the good URLs in time.
    static IngestParams params(const QStringList &inputs, int concurrency = 8)
    {
        IngestParams p;
        p.inputs = inputs;
        p.batchSize = 8;
        p.fetch.concurrency = concurrency;
        p.fetch.connectTimeoutMs = 3000;
        p.fetch.stallTimeoutMs = 3000;
        p.fetch.totalTimeoutMs = 8000;
        p.fetch.retries = 2;
        p.fetch.retryDelayMs = 50;
        p.fetch.maxBytes = 1 << 20;
        return p;
    }

    IngestResult ingest(Collection &c, const IngestParams &p)
    {
        IngestJob job(c, m_embedder, p);
        auto r = job.run();
        if (!r)
            qFatal("ingest failed: %s", qPrintable(r.errorMessage()));
        return *r;
    }

    QStringList logLines() const { return QString::fromUtf8(readFile(m_log)).split(u'\n', Qt::SkipEmptyParts); }
    int requestsFor(const QString &path) const { return int(logLines().count(QStringLiteral("get\t") + path)); }

    static QString errorFor(const IngestResult &r, const QString &uri)
    {
        for (const IngestErrorRecord &e : r.errors)
            if (e.uri == uri)
                return e.stage + QStringLiteral(": ") + e.message;
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        const QDir root(m_tmp.filePath(QStringLiteral("www")));
        QVERIFY(QDir().mkpath(root.path()));
        for (int i = 0; i < 48; ++i)
            QVERIFY(saveImage(makeSyntheticImage(160 + i, 120, quint32(500 + i)), root.filePath(QStringLiteral("p%1.png").arg(i)), "png"));
        QVERIFY(saveImage(makeSyntheticImage(300, 200, 7), root.filePath(QStringLiteral("photo.jpg")), "jpg"));
        QFile svg(root.filePath(QStringLiteral("shape.svg")));
        QVERIFY(svg.open(QIODevice::WriteOnly));
        svg.write(kSvg);
        svg.close();
        m_log = m_tmp.filePath(QStringLiteral("server.log"));
        m_base = startImageServer(m_server, root.path(), m_log);
        QVERIFY2(!m_base.isEmpty(), "tests/data/image_server.py did not start");
    }

    void cleanupTestCase()
    {
        m_server.kill();
        m_server.waitForFinished();
    }

    void inputsAreToldApart()
    {
        QVERIFY(isWebUrl(QStringLiteral("https://example.org/a.png")));
        QVERIFY(isWebUrl(QStringLiteral("HTTP://example.org/a.png")));
        QVERIFY(!isWebUrl(QStringLiteral("/home/u/http://x")));
        QVERIFY(UrlFetcher::isFetchable(QUrl(QStringLiteral("http://127.0.0.1:1/x"))));
        QVERIFY(!UrlFetcher::isFetchable(QUrl(QStringLiteral("file:///etc/passwd"))));
        QVERIFY(!UrlFetcher::isFetchable(QUrl(QStringLiteral("ftp://example.org/a.png"))));
        QVERIFY(!UrlFetcher::isFetchable(QUrl(QStringLiteral("http:///nohost"))));
    }

    void everyBadAnswerIsOneErrorAndTheGoodOnesArrive()
    {
        auto c = newCollection(QStringLiteral("mixed"));
        const QStringList good = {url(QStringLiteral("/img/photo.jpg")), url(QStringLiteral("/img/p0.png")),
                                  url(QStringLiteral("/img/shape.svg")), url(QStringLiteral("/redirect/3/p1.png")),
                                  url(QStringLiteral("/flaky/a/p2.png"))};
        const QList<std::pair<QString, QString>> bad = {
            {url(QStringLiteral("/to-file")), QStringLiteral("refused")},
            {url(QStringLiteral("/to-ftp")), QStringLiteral("refused")},
            {url(QStringLiteral("/loop")), QStringLiteral("redirects")},
            {url(QStringLiteral("/html")), QStringLiteral("HTML")},
            {url(QStringLiteral("/text")), QStringLiteral("not")},
            {url(QStringLiteral("/missing")), QStringLiteral("404")},
            {url(QStringLiteral("/always500")), QStringLiteral("500")},
            {url(QStringLiteral("/slow/p3.png")), QStringLiteral("timed out")},
            {url(QStringLiteral("/hang")), QStringLiteral("timed out")},
            {url(QStringLiteral("/huge")), QStringLiteral("limit")},
            {url(QStringLiteral("/endless")), QStringLiteral("limit")},
            {QStringLiteral("ftp://127.0.0.1/x.png"), QStringLiteral("http")},
            {QStringLiteral("http://"), QStringLiteral("valid")},
        };
        QStringList inputs = good;
        for (const auto &b : bad)
            inputs << b.first;
        const IngestResult r = ingest(*c, params(inputs));
        for (const QString &u : good)
            QVERIFY2(errorFor(r, u).isEmpty(), qPrintable(u + QStringLiteral(" -> ") + errorFor(r, u)));
        QCOMPARE(r.added, qint64(good.size()));
        QCOMPARE(r.fetched, qint64(good.size()));
        for (const auto &[badUrl, word] : bad) {
            const QString error = errorFor(r, badUrl);
            QVERIFY2(error.contains(word, Qt::CaseInsensitive), qPrintable(badUrl + QStringLiteral(" -> ") + error));
        }
        QCOMPARE(r.failed, qint64(bad.size()));
        QCOMPARE(c->stats()->errors, qint64(bad.size()));

        // Each good URL is an item whose uri is the URL, with its bytes in files/, named by content.
        for (const QString &u : good) {
            auto item = c->itemByUri(u);
            QVERIFY2(item && *item, qPrintable(u));
            const QString local = c->localFile(**item);
            QVERIFY2(local.startsWith(c->filesDir()), qPrintable(local));
            QVERIFY2(QFileInfo(local).isFile(), qPrintable(local));
            QCOMPARE(QFileInfo(local).size(), (*item)->size);
        }
        QCOMPARE((*c->itemByUri(url(QStringLiteral("/img/shape.svg"))))->format, QStringLiteral("svg"));
        QCOMPARE((*c->itemByUri(url(QStringLiteral("/img/photo.jpg"))))->filename, QStringLiteral("photo.jpg"));
        const QString jpegCopy = c->localFile(**c->itemByUri(url(QStringLiteral("/img/photo.jpg"))));
        QVERIFY(jpegCopy.endsWith(QLatin1String(".jpg")));
        QCOMPARE(readFile(jpegCopy), readFile(m_tmp.filePath(QStringLiteral("www/photo.jpg"))));
        // Only what became items is kept: the HTML page and the rest left nothing behind.
        QCOMPARE(QDir(c->filesDir()).entryList(QDir::Files).size(), good.size());

        // The redirect chain was followed hop by hop; the file: and ftp: targets were not (the
        // server saw one request for each, and no file was read instead).
        QCOMPARE(requestsFor(QStringLiteral("/redirect/0/p1.png")), 1);
        QCOMPARE(requestsFor(QStringLiteral("/to-file")), 1);
        // 5xx is retried with backoff: the flaky URL took two requests, the broken one three.
        QCOMPARE(requestsFor(QStringLiteral("/flaky/a/p2.png")), 2);
        QCOMPARE(requestsFor(QStringLiteral("/always500")), 3);
        // A 404 and an HTML page are answers, not accidents: asked once.
        QCOMPARE(requestsFor(QStringLiteral("/missing")), 1);
        QCOMPARE(requestsFor(QStringLiteral("/html")), 1);

        // Usable offline: the server stops answering for these, and a search by one of them
        // (an image query read from its local copy) still ranks the others.
        SearchEngine engine(*c, &m_embedder);
        SearchQuery q;
        q.imageFiles = {jpegCopy};
        q.k = 10;
        auto hits = engine.search(q);
        QVERIFY2(hits, qPrintable(hits.errorMessage()));
        QCOMPARE(hits->hits.size(), good.size());
        QCOMPARE(hits->hits[0].item.uri, url(QStringLiteral("/img/photo.jpg")));
    }

    void aUrlThatHangsDoesNotHoldUpTheOthers()
    {
        auto c = newCollection(QStringLiteral("hang"));
        QFile::remove(m_log);
        QStringList inputs = {url(QStringLiteral("/hang")), url(QStringLiteral("/slow/p4.png"))};
        for (int i = 5; i < 45; ++i)
            inputs << url(QStringLiteral("/img/p%1.png").arg(i));
        // Timeouts long enough for the 40 to be served first on a busy machine, no retries.
        IngestParams p = params(inputs, 4);
        p.fetch.connectTimeoutMs = 8000;
        p.fetch.stallTimeoutMs = 8000;
        p.fetch.totalTimeoutMs = 16000;
        p.fetch.retries = 0;
        IngestJob job(*c, m_embedder, p);
        // The 40 are committed (searchable) while the stuck ones are still pending.
        bool committedWhileStuck = false;
        connect(&job, &IngestJob::progressChanged, this, [&](const IngestProgress &progress) {
            if (!committedWhileStuck && progress.done - progress.failed >= 40)
                committedWhileStuck = !logLines().contains(QStringLiteral("end\t/hang"))
                    && !logLines().contains(QStringLiteral("end\t/slow/p4.png")) && *c->itemCount() == 40;
        });
        auto run = job.run();
        QVERIFY2(run, qPrintable(run.errorMessage()));
        const IngestResult r = *run;
        QVERIFY(committedWhileStuck);
        QCOMPARE(r.added, qint64(40));
        QCOMPARE(r.failed, qint64(2));
        // With four slots and two of them stuck, the 40 others were all requested and answered
        // before the stuck ones were given up, and committed too.
        const QStringList lines = logLines();
        const qsizetype hangEnd = lines.indexOf(QStringLiteral("end\t/hang"));
        const qsizetype slowEnd = lines.indexOf(QStringLiteral("end\t/slow/p4.png"));
        QVERIFY(hangEnd > 0 && slowEnd > 0);
        for (int i = 5; i < 45; ++i) {
            const qsizetype served = lines.indexOf(QStringLiteral("end\t/img/p%1.png").arg(i));
            QVERIFY2(served >= 0 && served < std::min(hangEnd, slowEnd), qPrintable(QString::number(i)));
        }
    }

    void addingTheSameUrlsAgainFetchesNothing()
    {
        auto c = newCollection(QStringLiteral("again"));
        const QStringList inputs = {url(QStringLiteral("/img/p10.png")), url(QStringLiteral("/img/p11.png")),
                                    url(QStringLiteral("/img/p10.png#dup"))};
        QCOMPARE(ingest(*c, params(inputs)).added, qint64(2));
        QFile::remove(m_log);
        const IngestResult again = ingest(*c, params(inputs));
        QCOMPARE(again.added, qint64(0));
        QCOMPARE(again.unchanged, qint64(2));
        QCOMPARE(again.fetched, qint64(0));
        QCOMPARE(requestsFor(QStringLiteral("/img/p10.png")), 0);
    }

    void removingTheLastItemDeletesItsCopy()
    {
        auto c = newCollection(QStringLiteral("remove"));
        // The same bytes under two URLs: one copy in files/, kept while either item exists.
        const QString a = url(QStringLiteral("/img/p12.png"));
        const QString b = url(QStringLiteral("/redirect/1/p12.png"));
        const QString other = url(QStringLiteral("/img/p13.png"));
        QCOMPARE(ingest(*c, params({a, b, other})).added, qint64(3));
        QCOMPARE(QDir(c->filesDir()).entryList(QDir::Files).size(), 2);
        const ItemRecord itemA = **c->itemByUri(a);
        const QString copy = c->localFile(itemA);
        QVERIFY(c->removeItems(std::vector<qint64>{itemA.id}));
        QVERIFY2(QFileInfo::exists(copy), "the other URL's item still uses the copy");
        QVERIFY(c->removeItems(std::vector<qint64>{(*c->itemByUri(b))->id}));
        QVERIFY(!QFileInfo::exists(copy));
        QVERIFY(QFileInfo::exists(c->localFile(**c->itemByUri(other))));
    }

    void cancelStopsTheDownloads()
    {
        auto c = newCollection(QStringLiteral("cancel"));
        QFile::remove(m_log);
        IngestParams p = params({url(QStringLiteral("/hang")), url(QStringLiteral("/slow/p20.png"))});
        p.fetch.connectTimeoutMs = 60000; // only the cancel can end these
        p.fetch.stallTimeoutMs = 60000;
        p.fetch.totalTimeoutMs = 60000;
        IngestJob job(*c, m_embedder, p);
        std::atomic<bool> stop{false};
        std::thread canceller([&] {
            // Once the server has both requests in hand.
            while (!stop.load()) {
                const QStringList lines = logLines();
                if (lines.contains(QStringLiteral("get\t/hang")) && lines.contains(QStringLiteral("get\t/slow/p20.png")))
                    break;
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
            job.cancel();
        });
        auto r = job.run();
        stop.store(true);
        canceller.join();
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QVERIFY(r->cancelled);
        QCOMPARE(r->added, qint64(0));
        QCOMPARE(r->failed, qint64(0)); // cancelled downloads are not failures of those URLs
        QCOMPARE(*c->itemCount(), qint64(0));
    }

    void cliAddsAListOfUrls()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("cli"));
        QProcess create;
        create.start(cliPath(), {QStringLiteral("create"), dir});
        QVERIFY(create.waitForFinished(60000));
        QCOMPARE(create.exitCode(), 0);
        const QString list = m_tmp.filePath(QStringLiteral("urls.txt"));
        QFile f(list);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# images for the CLI\n\n");
        for (int i = 30; i < 36; ++i)
            f.write((url(QStringLiteral("/img/p%1.png").arg(i)) + QLatin1Char('\n')).toUtf8());
        f.write((url(QStringLiteral("/html")) + QLatin1Char('\n')).toUtf8());
        f.close();
        QProcess add;
        add.start(cliPath(), {QStringLiteral("add"), dir, QStringLiteral("--urls"), list, QStringLiteral("ftp://127.0.0.1/y.png"),
                              QStringLiteral("--url-concurrency"), QStringLiteral("3"), QStringLiteral("--json")});
        QVERIFY(add.waitForFinished(120000));
        QCOMPARE(add.exitCode(), 2); // some failed
        const QJsonObject out = QJsonDocument::fromJson(add.readAllStandardOutput()).object();
        QCOMPARE(out.value(QStringLiteral("added")).toInt(), 6);
        QCOMPARE(out.value(QStringLiteral("fetched")).toInt(), 6);
        QCOMPARE(out.value(QStringLiteral("failed")).toInt(), 2);
        QStringList failedUris;
        for (const QJsonValue &e : out.value(QStringLiteral("errors")).toArray())
            failedUris << e.toObject().value(QStringLiteral("uri")).toString();
        failedUris.sort();
        QCOMPARE(failedUris, (QStringList{QStringLiteral("ftp://127.0.0.1/y.png"), url(QStringLiteral("/html"))}));
        QProcess bad;
        bad.start(cliPath(), {QStringLiteral("add"), dir, QStringLiteral("--urls"), m_tmp.filePath(QStringLiteral("nope.txt"))});
        QVERIFY(bad.waitForFinished(60000));
        QVERIFY(bad.exitCode() != 0);
        QVERIFY(bad.readAllStandardError().contains("nope.txt"));
    }
};

QTEST_MAIN(TestUrlIngest)
#include "tst_urlingest.moc"
