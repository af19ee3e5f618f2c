// Several programs on one collection, as real processes: two `lookalike-cli add` writers at
// once (overlapping folders), searches from a third process while they write, and the REST
// server (`lookalike-cli serve`) answering while a CLI process adds to its collection. What
// must hold: every writer either finishes or says the collection is busy (and a re-run then
// finishes); nothing is lost or doubled; `check` passes; every search answer during the writes
// is well-formed and names only items that exist; the server sees the other process's items.
#include "collection/collection.h"
#include "testsupport.h"

#include <QDir>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace lookalike;
using namespace lookalike::test;

namespace {

QProcess *startCli(const QStringList &args, QObject *parent)
{
    auto *p = new QProcess(parent);
    p->start(cliPath(), args);
    return p;
}

struct Finished
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Polls: QProcess learns that its child exited only when asked (or from an event loop).
bool running(QProcess *p)
{
    p->waitForFinished(1);
    return p->state() != QProcess::NotRunning;
}

Finished finish(QProcess *p, int timeoutMs = 600000)
{
    p->waitForFinished(timeoutMs);
    Finished f;
    f.exitCode = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1;
    f.out = p->readAllStandardOutput();
    f.err = p->readAllStandardError();
    return f;
}

Finished runCli(const QStringList &args)
{
    QProcess p;
    p.start(cliPath(), args);
    return finish(&p);
}

void writePhotos(const QString &dir, int n, quint32 seed)
{
    QDir().mkpath(dir);
    for (int i = 0; i < n; ++i)
        QVERIFY(saveImage(makeSyntheticImage(800, 600, seed + quint32(i)), QDir(dir).filePath(QStringLiteral("p%1.jpg").arg(i)), "jpg"));
}

qint64 itemCount(const QString &collection)
{
    auto c = Collection::open(collection);
    return c ? *(*c)->itemCount() : -1;
}

// An add that ran beside another writer: it finished, or it said clearly that the collection
// was busy, in which case running it again (alone) must finish.
void expectFinishedOrBusy(const Finished &f, const QStringList &args)
{
    if (f.exitCode == 0)
        return;
    QVERIFY2(f.err.contains("busy"), f.err.constData());
    const Finished again = runCli(args);
    QVERIFY2(again.exitCode == 0, again.err.constData());
}

} // namespace

class TestMultiProcess final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_a, m_b, m_shared; // 60 + 60 images, and 20 that both writers add

    // `search --image` from another process: well-formed, sorted, only existing items.
    void searchWhileWriting(const QString &collection, const QString &image, int &answered)
    {
        const Finished s = runCli({QStringLiteral("search"), collection, QStringLiteral("--image"), image, QStringLiteral("-k"),
                                   QStringLiteral("20"), QStringLiteral("--json")});
        if (s.exitCode != 0) {
            // A search may only fail by finding the collection busy (a migration or a checkpoint
            // holding the file), never with a damaged answer.
            QVERIFY2(s.err.contains("busy"), s.err.constData());
            return;
        }
        const QJsonArray results = QJsonDocument::fromJson(s.out).object().value(u"results"_qs).toArray();
        double previous = 2;
        for (const auto &v : results) {
            const QJsonObject hit = v.toObject();
            QVERIFY(hit.value(u"score"_qs).toDouble() <= previous);
            previous = hit.value(u"score"_qs).toDouble();
            QVERIFY2(QFile::exists(hit.value(u"uri"_qs).toString()), qPrintable(hit.value(u"uri"_qs).toString()));
        }
        ++answered;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(cliPath()), qPrintable(cliPath()));
        m_a = m_tmp.filePath(QStringLiteral("a"));
        m_b = m_tmp.filePath(QStringLiteral("b"));
        m_shared = m_tmp.filePath(QStringLiteral("shared"));
        writePhotos(m_a, 60, 1000);
        writePhotos(m_b, 60, 2000);
        writePhotos(m_shared, 20, 3000);
    }

    void twoWritersAndAReader()
    {
        const QString coll = m_tmp.filePath(QStringLiteral("two-writers"));
        QCOMPARE(runCli({QStringLiteral("create"), coll}).exitCode, 0);
        const QStringList addA{QStringLiteral("add"), coll, m_a, m_shared, QStringLiteral("--threads"), QStringLiteral("1")};
        const QStringList addB{QStringLiteral("add"), coll, m_shared, m_b, QStringLiteral("--threads"), QStringLiteral("1")};
        QObject owner;
        QProcess *first = startCli(addA, &owner);
        QProcess *second = startCli(addB, &owner);
        QVERIFY(first->waitForStarted() && second->waitForStarted());
        int answered = 0;
        const QString probe = QDir(m_shared).filePath(QStringLiteral("p3.jpg"));
        while (running(first) | running(second))
            searchWhileWriting(coll, probe, answered);
        QVERIFY(answered > 0);
        qInfo("%d searches answered while writing", answered);
        expectFinishedOrBusy(finish(first), addA);
        expectFinishedOrBusy(finish(second), addB);

        // 140 files, each once: the 20 both writers added were not doubled.
        QCOMPARE(itemCount(coll), qint64(140));
        const Finished check = runCli({QStringLiteral("check"), coll});
        QVERIFY2(check.exitCode == 0, check.out.constData());
        QVERIFY2(!check.out.contains("no thumbnail"), check.out.constData());
        // Nothing left to do, and the shared image finds itself first.
        const Finished again = runCli({QStringLiteral("add"), coll, m_a, m_b, m_shared, QStringLiteral("--json")});
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(again.out).object().value(u"unchanged"_qs).toInt(), 140);
        const Finished s = runCli({QStringLiteral("search"), coll, QStringLiteral("--image"), probe, QStringLiteral("--json")});
        QCOMPARE(QJsonDocument::fromJson(s.out).object().value(u"results"_qs).toArray().first().toObject().value(u"uri"_qs).toString(), probe);
    }

    void restServerSeesAnotherProcesssWrites()
    {
        const QString coll = m_tmp.filePath(QStringLiteral("served"));
        QCOMPARE(runCli({QStringLiteral("create"), coll}).exitCode, 0);
        QCOMPARE(runCli({QStringLiteral("add"), coll, m_a}).exitCode, 0);

        QObject owner;
        QProcess *server = startCli({QStringLiteral("serve"), coll, QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--token-file"),
                                     m_tmp.filePath(QStringLiteral("token")), QStringLiteral("--json")},
                                    &owner);
        QVERIFY(server->waitForStarted());
        QVERIFY(server->waitForReadyRead(60000));
        const QJsonObject started = QJsonDocument::fromJson(server->readLine()).object();
        const QString api = started.value(u"url"_qs).toString();
        const QByteArray token = started.value(u"token"_qs).toString().toLatin1();
        QVERIFY2(!api.isEmpty() && !token.isEmpty(), server->readAllStandardError().constData());

        QNetworkAccessManager net;
        auto call = [&](const QByteArray &verb, const QString &path, const QJsonObject &body = {}) -> std::pair<int, QJsonObject> {
            QNetworkRequest req(QUrl(api + path));
            req.setRawHeader("Authorization", "Bearer " + token);
            req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
            req.setTransferTimeout(60000);
            QNetworkReply *reply = net.sendCustomRequest(req, verb, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson());
            QEventLoop loop;
            QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            loop.exec();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
            reply->deleteLater();
            return {status, json};
        };

        // Item 1 is in the collection from the start: search by it while another process adds.
        const QJsonObject byFirst{{QStringLiteral("item_ids"), QJsonArray{1}}, {QStringLiteral("k"), 50}};
        const QStringList addB{QStringLiteral("add"), coll, m_b, QStringLiteral("--threads"), QStringLiteral("1")};
        QProcess *writer = startCli(addB, &owner);
        QVERIFY(writer->waitForStarted());
        int answered = 0;
        while (running(writer)) {
            const auto [status, json] = call("POST", QStringLiteral("served/search"), byFirst);
            QCOMPARE(status, 200);
            const QJsonArray hits = json.value(u"hits"_qs).toArray();
            QVERIFY(!hits.isEmpty());
            for (const auto &h : hits)
                QVERIFY2(QFile::exists(h.toObject().value(u"uri"_qs).toString()), qPrintable(h.toObject().value(u"uri"_qs).toString()));
            ++answered;
        }
        QVERIFY(answered > 0);
        qInfo("%d searches answered while writing", answered);
        expectFinishedOrBusy(finish(writer), addB);

        // The server catches up with what the other process committed: counts and search.
        const auto [statsStatus, stats] = call("GET", QStringLiteral("served/stats"));
        QCOMPARE(statsStatus, 200);
        QCOMPARE(stats.value(u"items"_qs).toInteger(), qint64(120));
        auto c = Collection::open(coll);
        QVERIFY(c);
        auto added = (*c)->itemByUri(QDir(m_b).filePath(QStringLiteral("p7.jpg")));
        QVERIFY(added && *added);
        const qint64 newId = (**added).id;
        c->reset();
        const auto [status, json] = call("POST", QStringLiteral("served/search"),
                                         QJsonObject{{QStringLiteral("item_ids"), QJsonArray{newId}}, {QStringLiteral("k"), 5},
                                                     {QStringLiteral("include_query"), true}});
        QCOMPARE(status, 200);
        QCOMPARE(json.value(u"hits"_qs).toArray().first().toObject().value(u"id"_qs).toInteger(), newId);

        server->terminate();
        QVERIFY(server->waitForFinished(30000));
        QCOMPARE(server->exitCode(), 0);
        QCOMPARE(runCli({QStringLiteral("check"), coll}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestMultiProcess)
#include "tst_multiprocess.moc"
