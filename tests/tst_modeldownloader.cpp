// The model downloader against a fake hub on loopback (tests/data/fake_hub.py): sharded and
// single-file repositories, redirects (the token stays on the hub's host), gated models,
// redirects to other schemes, oversized and stalled transfers, missing files; SHA-256 checks
// against what the hub states, resuming after a dropped connection or a cancel (with servers
// that honour, ignore or refuse Range), and downloads by URL list. Nothing leaves the machine.
#include "models/modeldownloader.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLockFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace lookalike;
using lookalike::test::readFile;

namespace {
void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

// Incompressible, so that a wrong byte anywhere changes the hash.
QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator rng(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &c : bytes)
        c = char(rng.bounded(256));
    return bytes;
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

struct Request
{
    QString path;
    QString range; // "-" when none
    bool auth = false;
};

// One progress report.
struct Report
{
    QString file;
    qint64 bytes;
    qint64 total;
};
} // namespace

class TestModelDownloader : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QProcess m_hub;
    QString m_endpoint;
    QString m_models;
    QString m_root; // what the hub serves
    QString m_log;  // the hub's request log
    QByteArray m_clipWeights;

    DownloadOptions options() const
    {
        DownloadOptions o;
        o.endpoint = m_endpoint;
        o.token = QStringLiteral("not-the-right-one");
        o.connectTimeoutMs = 5000;
        o.stallTimeoutMs = 5000;
        return o;
    }

    bool hasPartFolders() const
    {
        return !QDir(m_models).entryList({QStringLiteral(".*.part")}, QDir::Dirs | QDir::Hidden).isEmpty();
    }

    QString partDir(const QString &name) const
    {
        return QDir(m_models).filePath(QLatin1Char('.') + name + QStringLiteral(".part"));
    }

    QString served(const QString &repoFile) const { return QDir(m_root).filePath(repoFile); }

    // The hub's requests whose path ends with `suffix`, oldest first.
    QList<Request> requests(const QString &suffix) const
    {
        QList<Request> found;
        const QStringList lines = QString::fromUtf8(readFile(m_log)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        for (const QString &line : lines) {
            const QStringList fields = line.split(QLatin1Char('\t'));
            if (fields.size() == 3 && fields[0].endsWith(suffix))
                found.append({fields[0], fields[1], fields[2] == QLatin1String("yes")});
        }
        return found;
    }

    // A first download of `repo` that stops inside model.safetensors: the storage host cuts it
    // short (org/flaky), or, with `cancelAt`, the progress callback cancels it past that many
    // bytes. It must leave a .part folder holding config.json and the bytes received; returns
    // their count.
    qint64 interruptedDownload(const QString &repo, qint64 cancelAt = -1)
    {
        const QString name = repo.section(QLatin1Char('/'), 1);
        std::atomic<bool> cancel = false;
        DownloadOptions o = options();
        if (cancelAt >= 0) {
            o.cancel = &cancel;
            o.progress = [&](const QString &file, qint64 bytes, qint64) {
                if (file == QLatin1String("model.safetensors") && bytes >= cancelAt)
                    cancel = true;
            };
        }
        auto first = ModelDownloader::download(repo, m_models, QString(), o);
        [&] {
            QVERIFY(!first);
            QCOMPARE(first.error().code, cancelAt >= 0 ? Error::Code::Cancelled : Error::Code::Io);
            QVERIFY2(first.errorMessage().contains(QStringLiteral("model.safetensors")),
                     qPrintable(first.errorMessage()));
            QVERIFY(!QDir(m_models).exists(name));
            QVERIFY(QFileInfo(QDir(partDir(name)).filePath(QStringLiteral("config.json"))).isFile());
            QVERIFY(!QDir(partDir(name)).exists(QStringLiteral("model.safetensors")));
        }();
        return QFileInfo(QDir(partDir(name)).filePath(QStringLiteral("model.safetensors.incomplete"))).size();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QDir root(m_tmp.filePath(QStringLiteral("hub")));
        m_models = m_tmp.filePath(QStringLiteral("models"));
        QVERIFY(QDir().mkpath(m_models));
        const QByteArray config = R"({"model_type": "siglip"})";
        // A sharded model with tokenizer files.
        writeFile(root.filePath(QStringLiteral("org/sharded/config.json")), config);
        writeFile(root.filePath(QStringLiteral("org/sharded/model.safetensors.index.json")),
                  R"({"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})");
        writeFile(root.filePath(QStringLiteral("org/sharded/model-00001-of-00002.safetensors")), QByteArray(3000, 'a'));
        writeFile(root.filePath(QStringLiteral("org/sharded/model-00002-of-00002.safetensors")), QByteArray(5000, 'b'));
        writeFile(root.filePath(QStringLiteral("org/sharded/spiece.model")), "spm");
        writeFile(root.filePath(QStringLiteral("org/sharded/preprocessor_config.json")), "{}");
        for (const char *repo : {"org/redirected", "org/gated", "org/to-file", "org/huge", "org/stall"}) {
            writeFile(root.filePath(QString::fromLatin1(repo) + QStringLiteral("/config.json")), config);
            writeFile(root.filePath(QString::fromLatin1(repo) + QStringLiteral("/model.safetensors")), QByteArray(4096, 'w'));
        }
        writeFile(root.filePath(QStringLiteral("org/missing-shard/config.json")), config);
        writeFile(root.filePath(QStringLiteral("org/missing-shard/model.safetensors.index.json")),
                  R"({"weight_map": {"a": "model-00001-of-00002.safetensors"}})");
        writeFile(root.filePath(QStringLiteral("org/evil-index/config.json")), config);
        writeFile(root.filePath(QStringLiteral("org/evil-index/model.safetensors.index.json")),
                  R"({"weight_map": {"a": "../../etc/passwd"}})");
        // The tiny CLIP model, as LFS weights; org/slow serves it slowly enough to cancel midway.
        const QDir clip(test::testDataDir() + QStringLiteral("/models/clip-tiny"));
        m_clipWeights = readFile(clip.filePath(QStringLiteral("model.safetensors")));
        QVERIFY2(m_clipWeights.size() > (2 << 20), qPrintable(clip.path()));
        for (const char *repo : {"org/lfs", "org/slow"}) {
            const QDir repoDir(root.filePath(QString::fromLatin1(repo)));
            QVERIFY(QDir().mkpath(repoDir.path()));
            for (const char *file : {"config.json", "model.safetensors", "preprocessor_config.json",
                                     "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt"})
                QVERIFY(QFile::copy(clip.filePath(QString::fromLatin1(file)),
                                    repoDir.filePath(QString::fromLatin1(file))));
        }
        quint32 seed = 1;
        for (const char *repo : {"org/etag", "org/badsum", "org/flaky", "org/norange", "org/range416", "org/short"}) {
            writeFile(root.filePath(QString::fromLatin1(repo) + QStringLiteral("/config.json")), config);
            writeFile(root.filePath(QString::fromLatin1(repo) + QStringLiteral("/model.safetensors")),
                      randomBytes(1 << 20, seed++));
        }
        writeFile(root.filePath(QStringLiteral("files/weights.pt")), randomBytes(300000, 99));
        writeFile(root.filePath(QStringLiteral("files/weights.json")), R"({"input_size": 224})");
        m_root = root.path();
        m_log = m_tmp.filePath(QStringLiteral("requests.log"));

        m_hub.start(QStringLiteral("/usr/bin/python3"),
                    {QStringLiteral(LOOKALIKE_SOURCE_DIR "/tests/data/fake_hub.py"), root.path(), m_log});
        QVERIFY(m_hub.waitForStarted());
        QVERIFY(m_hub.waitForReadyRead(10000));
        const QByteArray line = m_hub.readLine().trimmed();
        QVERIFY2(line.startsWith("PORT "), line.constData());
        m_endpoint = QStringLiteral("http://127.0.0.1:%1").arg(QString::fromLatin1(line.mid(5)));
    }

    void shardedRepositoryArrivesWhole()
    {
        auto r = ModelDownloader::download(QStringLiteral("org/sharded"), m_models, QString(), options());
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(r->folder, QDir(m_models).filePath(QStringLiteral("sharded")));
        const QDir d(r->folder);
        for (const char *f : {"config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                              "model-00002-of-00002.safetensors", "spiece.model", "preprocessor_config.json"})
            QVERIFY2(d.exists(QString::fromLatin1(f)), f);
        QVERIFY(!d.exists(QStringLiteral("vocab.json"))); // optional and absent: skipped
        QCOMPARE(QFileInfo(d.filePath(QStringLiteral("model-00002-of-00002.safetensors"))).size(), qint64(5000));
        qint64 onDisk = 0;
        for (const QFileInfo &fi : d.entryInfoList(QDir::Files))
            onDisk += fi.size();
        QCOMPARE(r->bytes, onDisk);
        QCOMPARE(r->files.size(), 6);
        QVERIFY(!hasPartFolders());
        // The same name again is refused, not overwritten.
        QVERIFY(!ModelDownloader::download(QStringLiteral("org/sharded"), m_models, QString(), options()));
    }

    void redirectsAreFollowedWithoutTheToken()
    {
        // The fake storage host answers 400 if the Authorization header followed the redirect.
        auto r = ModelDownloader::download(QStringLiteral("org/redirected"), m_models, QString(), options());
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(QFileInfo(QDir(r->folder).filePath(QStringLiteral("model.safetensors"))).size(), qint64(4096));
    }

    void gatedModelsNeedTheToken()
    {
        auto denied = ModelDownloader::download(QStringLiteral("org/gated"), m_models, QString(), options());
        QVERIFY(!denied);
        QVERIFY2(denied.errorMessage().contains(QStringLiteral("HF_TOKEN")), qPrintable(denied.errorMessage()));
        QVERIFY(!QDir(m_models).exists(QStringLiteral("gated")));
        QVERIFY(!hasPartFolders()); // asking again without a token cannot help: nothing kept
        DownloadOptions o = options();
        o.token = QStringLiteral("secret-token");
        auto allowed = ModelDownloader::download(QStringLiteral("org/gated"), m_models, QString(), o);
        QVERIFY2(allowed, qPrintable(allowed.errorMessage()));
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("repo");
        QTest::addColumn<QString>("mentions");
        QTest::addColumn<bool>("resumable"); // the .part folder is kept for a later call
        QTest::newRow("redirect to file:") << "org/to-file" << "refusing" << false;
        QTest::newRow("over the size limit") << "org/huge" << "limit" << false;
        QTest::newRow("stalled transfer") << "org/stall" << "stalled" << true;
        QTest::newRow("missing shard") << "org/missing-shard" << "missing" << false;
        QTest::newRow("shard outside the folder") << "org/evil-index" << "refusing shard" << false;
        QTest::newRow("no such repository") << "org/nothing-here" << "config.json" << false;
    }

    void refusals()
    {
        QFETCH(QString, repo);
        QFETCH(QString, mentions);
        QFETCH(bool, resumable);
        DownloadOptions o = options();
        o.maxFileBytes = 1 << 20;
        o.stallTimeoutMs = 1500;
        auto r = ModelDownloader::download(repo, m_models, QString(), o);
        QVERIFY(!r);
        QVERIFY2(r.errorMessage().contains(mentions), qPrintable(r.errorMessage()));
        const QString name = repo.section(QLatin1Char('/'), 1);
        QVERIFY(!QDir(m_models).exists(name));
        QCOMPARE(QFileInfo::exists(partDir(name)), resumable);
        // What callers go by (modeldownloader.h): these codes, and only these, leave a .part.
        const Error::Code code = r.error().code;
        QCOMPARE(code == Error::Code::Cancelled || code == Error::Code::Io || code == Error::Code::Corrupt, resumable);
        if (resumable) {
            const QFileInfo kept(QDir(partDir(name)).filePath(QStringLiteral("model.safetensors.incomplete")));
            QCOMPARE(kept.size(), qint64(10));
            QVERIFY(QDir(partDir(name)).removeRecursively());
        }
        QVERIFY(!hasPartFolders());
    }

    void lfsWeightsAreVerified()
    {
        auto r = ModelDownloader::download(QStringLiteral("org/lfs"), m_models, QString(), options());
        QVERIFY2(r, qPrintable(r.errorMessage()));
        const QDir d(r->folder);
        QCOMPARE(readFile(d.filePath(QStringLiteral("model.safetensors"))), m_clipWeights);
        // The hub states the weights' SHA-256; the git SHA-1 ETags of the small files mean nothing.
        QCOMPARE(r->verified, QStringList{QStringLiteral("model.safetensors")});
        QCOMPARE(r->files.size(), 7);
        QCOMPARE(r->received, r->bytes);
        QVERIFY(d.entryList(QDir::Files | QDir::Hidden).filter(QStringLiteral(".incomplete")).isEmpty());
        QVERIFY(!d.exists(QStringLiteral(".manifest.json")));
        QVERIFY(!hasPartFolders());
    }

    void sha256EtagOnTheFinalAnswerIsChecked()
    {
        auto r = ModelDownloader::download(QStringLiteral("org/etag"), m_models, QString(), options());
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(r->verified, QStringList{QStringLiteral("model.safetensors")});
    }

    void wrongChecksumDeletesTheFile()
    {
        const QByteArray weights = readFile(served(QStringLiteral("org/badsum/model.safetensors")));
        const QString wrong = sha256Hex("something else");
        writeFile(served(QStringLiteral("org/badsum/model.safetensors.sha256")), wrong.toLatin1());
        auto bad = ModelDownloader::download(QStringLiteral("org/badsum"), m_models, QString(), options());
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, Error::Code::Corrupt);
        for (const QString &part : {QStringLiteral("model.safetensors"), wrong, sha256Hex(weights)})
            QVERIFY2(bad.errorMessage().contains(part), qPrintable(bad.errorMessage()));
        QVERIFY(!QDir(m_models).exists(QStringLiteral("badsum")));
        // The bad bytes are gone; what arrived intact stays for the next call.
        const QDir part(partDir(QStringLiteral("badsum")));
        QVERIFY(!part.exists(QStringLiteral("model.safetensors")));
        QVERIFY(!part.exists(QStringLiteral("model.safetensors.incomplete")));
        QVERIFY(part.exists(QStringLiteral("config.json")));

        // The hub fixed: the retry fetches the weights from the start, and checks them.
        QVERIFY(QFile::remove(served(QStringLiteral("org/badsum/model.safetensors.sha256"))));
        auto good = ModelDownloader::download(QStringLiteral("org/badsum"), m_models, QString(), options());
        QVERIFY2(good, qPrintable(good.errorMessage()));
        QCOMPARE(readFile(QDir(good->folder).filePath(QStringLiteral("model.safetensors"))), weights);
        QCOMPARE(good->verified, QStringList{QStringLiteral("model.safetensors")});
        const auto fetched = requests(QStringLiteral("/cdn/org/badsum/model.safetensors"));
        QCOMPARE(fetched.size(), 2);
        QCOMPARE(fetched[1].range, QStringLiteral("-"));
        QCOMPARE(requests(QStringLiteral("/org/badsum/resolve/main/config.json")).size(), 1);
    }

    void interruptedDownloadResumes()
    {
        const QByteArray weights = readFile(served(QStringLiteral("org/flaky/model.safetensors")));
        const qint64 kept = interruptedDownload(QStringLiteral("org/flaky"));
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(kept > 0 && kept < weights.size(), qPrintable(QString::number(kept)));

        QList<Report> reports;
        DownloadOptions o = options();
        o.progress = [&](const QString &file, qint64 bytes, qint64 total) { reports.append({file, bytes, total}); };
        auto r = ModelDownloader::download(QStringLiteral("org/flaky"), m_models, QString(), o);
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(readFile(QDir(r->folder).filePath(QStringLiteral("model.safetensors"))), weights);
        // The hash covered the bytes kept from the first call too.
        QCOMPARE(r->verified, QStringList{QStringLiteral("model.safetensors")});
        QCOMPARE(r->files, (QStringList{QStringLiteral("config.json"), QStringLiteral("model.safetensors")}));
        QCOMPARE(r->received, weights.size() - kept);
        QCOMPARE(r->bytes, weights.size() + qint64(readFile(served(QStringLiteral("org/flaky/config.json"))).size()));

        // The storage host cuts every request without Range short, so the success alone shows
        // that the second call asked for the rest; the log says from where. (Requests without
        // Range may appear too: Qt silently resends a GET whose connection closed early.)
        QCOMPARE(requests(QStringLiteral("/org/flaky/resolve/main/config.json")).size(), 1);
        QStringList ranges;
        for (const Request &request : requests(QStringLiteral("/cdn/org/flaky/model.safetensors"))) {
            if (request.range != QLatin1String("-"))
                ranges << request.range;
        }
        QCOMPARE(ranges, QStringList{QStringLiteral("bytes=%1-").arg(kept)});

        // Progress counts the part already on disk, out of the whole file.
        QList<Report> weightReports;
        for (const Report &report : std::as_const(reports)) {
            if (report.file == QLatin1String("model.safetensors"))
                weightReports << report;
        }
        QVERIFY(!weightReports.isEmpty());
        QVERIFY(weightReports.first().bytes > kept);
        QCOMPARE(weightReports.first().total, weights.size());
        QCOMPARE(weightReports.last().bytes, weights.size());
    }

    void connectionClosedEarlyIsNoCompleteFile()
    {
        // Qt mostly reports "Connection closed", but when it notices the close with bytes still
        // unread it ends the reply as if complete (seen in busy runs); then only the size the
        // server announced tells, since no hash is known for this file.
        auto r = ModelDownloader::download(QStringLiteral("org/short"), m_models, QString(), options());
        QVERIFY(!r);
        QCOMPARE(r.error().code, Error::Code::Io);
        QVERIFY(!QDir(m_models).exists(QStringLiteral("short")));
        QVERIFY(!QDir(partDir(QStringLiteral("short"))).exists(QStringLiteral("model.safetensors")));
        QVERIFY(QDir(partDir(QStringLiteral("short"))).removeRecursively());
    }

    void serverIgnoringRangeRestartsTheFile()
    {
        const QByteArray weights = readFile(served(QStringLiteral("org/norange/model.safetensors")));
        const qint64 kept = interruptedDownload(QStringLiteral("org/norange"), 256 << 10);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(kept >= (256 << 10) && kept < weights.size(), qPrintable(QString::number(kept)));
        QList<Report> reports;
        DownloadOptions o = options();
        o.progress = [&](const QString &file, qint64 bytes, qint64 total) {
            if (file == QLatin1String("model.safetensors"))
                reports.append({file, bytes, total});
        };
        auto r = ModelDownloader::download(QStringLiteral("org/norange"), m_models, QString(), o);
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(readFile(QDir(r->folder).filePath(QStringLiteral("model.safetensors"))), weights);
        QCOMPARE(r->verified, QStringList{QStringLiteral("model.safetensors")});
        QCOMPARE(r->received, weights.size()); // all of it again, nothing appended
        QVERIFY(!reports.isEmpty());
        for (const Report &report : std::as_const(reports))
            QCOMPARE(report.total, weights.size());
        QCOMPARE(reports.last().bytes, weights.size());
        const auto fetched = requests(QStringLiteral("/cdn/org/norange/model.safetensors"));
        QCOMPARE(fetched.size(), 2);
        QCOMPARE(fetched[1].range, QStringLiteral("bytes=%1-").arg(kept)); // asked, and got a 200
    }

    void refusedRangeRestartsTheFile()
    {
        const QByteArray weights = readFile(served(QStringLiteral("org/range416/model.safetensors")));
        const qint64 kept = interruptedDownload(QStringLiteral("org/range416"), 256 << 10);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(kept >= (256 << 10) && kept < weights.size(), qPrintable(QString::number(kept)));
        auto r = ModelDownloader::download(QStringLiteral("org/range416"), m_models, QString(), options());
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(readFile(QDir(r->folder).filePath(QStringLiteral("model.safetensors"))), weights);
        QCOMPARE(r->verified, QStringList{QStringLiteral("model.safetensors")});
        const auto fetched = requests(QStringLiteral("/cdn/org/range416/model.safetensors"));
        QCOMPARE(fetched.size(), 3);
        QCOMPARE(fetched[1].range, QStringLiteral("bytes=%1-").arg(kept)); // answered 416
        QCOMPARE(fetched[2].range, QStringLiteral("-"));
    }

    void cancelLeavesAResumableDownload()
    {
        // The progress callback sets the cancel flag past 1 MiB of the weights.
        const qint64 kept = interruptedDownload(QStringLiteral("org/slow"), 1 << 20);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(kept >= (1 << 20) && kept < m_clipWeights.size(), qPrintable(QString::number(kept)));

        auto r = ModelDownloader::download(QStringLiteral("org/slow"), m_models, QString(), options());
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(readFile(QDir(r->folder).filePath(QStringLiteral("model.safetensors"))), m_clipWeights);
        QCOMPARE(r->verified, QStringList{QStringLiteral("model.safetensors")});
        const qint64 configSize = QFileInfo(served(QStringLiteral("org/slow/config.json"))).size();
        QCOMPARE(r->received, r->bytes - kept - configSize);
        const auto fetched = requests(QStringLiteral("/cdn/org/slow/model.safetensors"));
        QCOMPARE(fetched.size(), 2);
        QCOMPARE(fetched[1].range, QStringLiteral("bytes=%1-").arg(kept));
        QCOMPARE(requests(QStringLiteral("/org/slow/resolve/main/config.json")).size(), 1);
        QVERIFY(!hasPartFolders());
    }

    void partFromAnotherSourceIsDiscarded()
    {
        // A .part that org/elsewhere left, claiming a complete config.json of the right size.
        const QByteArray config = readFile(served(QStringLiteral("org/etag/config.json")));
        const QDir part(partDir(QStringLiteral("mixed")));
        writeFile(part.filePath(QStringLiteral("config.json")), QByteArray(config.size(), 'x'));
        writeFile(part.filePath(QStringLiteral(".manifest.json")),
                  QStringLiteral(R"({"source": {"repo": "org/elsewhere", "revision": "main", "endpoint": "%1"},
                                     "files": {"config.json": {"size": %2, "sha256": "", "verified": false}}})")
                      .arg(m_endpoint)
                      .arg(config.size())
                      .toUtf8());
        auto r = ModelDownloader::download(QStringLiteral("org/etag"), m_models, QStringLiteral("mixed"), options());
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(readFile(QDir(r->folder).filePath(QStringLiteral("config.json"))), config);
        QCOMPARE(r->received, r->bytes);
    }

    void oneDownloadPerFolderAtATime()
    {
        QLockFile held(QDir(m_models).filePath(QStringLiteral(".locked.lock")));
        QVERIFY(held.tryLock(0));
        auto busy =
            ModelDownloader::download(QStringLiteral("org/etag"), m_models, QStringLiteral("locked"), options());
        QVERIFY(!busy);
        QCOMPARE(busy.error().code, Error::Code::Busy);
        held.unlock();
        auto r = ModelDownloader::download(QStringLiteral("org/etag"), m_models, QStringLiteral("locked"), options());
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QVERIFY(!QFileInfo::exists(QDir(m_models).filePath(QStringLiteral(".locked.lock"))));
    }

    void fileListDownload()
    {
        const QByteArray pt = readFile(served(QStringLiteral("files/weights.pt")));
        auto list = ModelDownloader::parseFileList(QStringLiteral("# a TorchScript model and its sidecar\n"
                                                                  "%1/files/weights.pt  %2\n"
                                                                  "\n"
                                                                  "%1/files/weights.json   # no hash: not checked\n")
                                                       .arg(m_endpoint, sha256Hex(pt).toUpper()));
        QVERIFY2(list, qPrintable(list.errorMessage()));
        QCOMPARE(list->size(), 2);
        // Through the hub's redirect to its storage host, under another name: the hash the hub
        // states is checked, and the token (the storage host answers 400 to one) stays home.
        FileSource clip;
        clip.url = QUrl(m_endpoint + QStringLiteral("/org/lfs/resolve/main/model.safetensors"));
        clip.fileName = QStringLiteral("clip.safetensors");
        list->append(clip);
        DownloadOptions o = options();
        o.token = QStringLiteral("secret-token");
        auto r = ModelDownloader::downloadFiles(*list, m_models, QStringLiteral("listed"), o);
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(r->folder, QDir(m_models).filePath(QStringLiteral("listed")));
        const QDir d(r->folder);
        QCOMPARE(d.entryList(QDir::Files | QDir::Hidden),
                 (QStringList{QStringLiteral("clip.safetensors"), QStringLiteral("weights.json"),
                              QStringLiteral("weights.pt")}));
        QCOMPARE(readFile(d.filePath(QStringLiteral("weights.pt"))), pt);
        QCOMPARE(readFile(d.filePath(QStringLiteral("clip.safetensors"))), m_clipWeights);
        QCOMPARE(r->verified, (QStringList{QStringLiteral("weights.pt"), QStringLiteral("clip.safetensors")}));
        for (const Request &request : requests(QStringLiteral("/files/weights.pt")))
            QVERIFY(!request.auth);
        QVERIFY(!hasPartFolders());
    }

    void fileListWithAWrongHashFails()
    {
        FileSource source;
        source.url = QUrl(m_endpoint + QStringLiteral("/files/weights.json"));
        source.sha256 = sha256Hex("not the sidecar");
        auto r = ModelDownloader::downloadFiles({source}, m_models, QStringLiteral("wronghash"), options());
        QVERIFY(!r);
        QCOMPARE(r.error().code, Error::Code::Corrupt);
        for (const QString &part : {QStringLiteral("weights.json"), source.sha256,
                                    sha256Hex(readFile(served(QStringLiteral("files/weights.json"))))})
            QVERIFY2(r.errorMessage().contains(part), qPrintable(r.errorMessage()));
        QVERIFY(!QDir(m_models).exists(QStringLiteral("wronghash")));
        QVERIFY(!QDir(partDir(QStringLiteral("wronghash"))).exists(QStringLiteral("weights.json")));
        QVERIFY(QDir(partDir(QStringLiteral("wronghash"))).removeRecursively());
    }

    void fileListsNeverSendTheToken()
    {
        FileSource gated;
        gated.url = QUrl(m_endpoint + QStringLiteral("/org/gated/resolve/main/config.json"));
        DownloadOptions o = options();
        o.token = QStringLiteral("secret-token");
        auto r = ModelDownloader::downloadFiles({gated}, m_models, QStringLiteral("gatedlist"), o);
        QVERIFY(!r);
        QVERIFY2(r.errorMessage().contains(QStringLiteral("401")), qPrintable(r.errorMessage()));
        const auto sent = requests(QStringLiteral("/org/gated/resolve/main/config.json"));
        QVERIFY(!sent.isEmpty());
        QVERIFY(!sent.last().auth);
        QVERIFY(!hasPartFolders());
    }

    void fileListRefusalsCostNoRequest_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("file: URL") << "file:///etc/passwd" << "" << "refusing";
        QTest::newRow("plain http off this machine") << "http://example.invalid/model.safetensors" << "" << "refusing";
        QTest::newRow("name with ..") << "@/files/weights.pt" << "../x" << "plain file name";
        QTest::newRow("name with a slash") << "@/files/weights.pt" << "sub/x" << "plain file name";
        QTest::newRow("hidden name") << "@/files/weights.pt" << ".manifest.json" << "plain file name";
        QTest::newRow("no name") << "@/files/" << "" << "plain file name";
    }

    void fileListRefusalsCostNoRequest()
    {
        QFETCH(QString, url);
        QFETCH(QString, fileName);
        QFETCH(QString, mentions);
        const qsizetype before = requests(QString()).size();
        FileSource source;
        source.url = QUrl(url.replace(QLatin1Char('@'), m_endpoint));
        source.fileName = fileName;
        FileSource good;
        good.url = QUrl(m_endpoint + QStringLiteral("/files/weights.json"));
        // The bad entry comes last: nothing is fetched before the whole list was checked.
        auto r = ModelDownloader::downloadFiles({good, source}, m_models, QStringLiteral("refused"), options());
        QVERIFY(!r);
        QVERIFY2(r.errorMessage().contains(mentions), qPrintable(r.errorMessage()));
        QCOMPARE(requests(QString()).size(), before);
        QVERIFY(!QFileInfo::exists(partDir(QStringLiteral("refused"))));
        QVERIFY(!QDir(m_models).exists(QStringLiteral("refused")));
    }

    void fileListRefusesDuplicates()
    {
        FileSource a;
        a.url = QUrl(m_endpoint + QStringLiteral("/files/weights.json"));
        FileSource b;
        b.url = QUrl(m_endpoint + QStringLiteral("/org/etag/resolve/main/config.json"));
        b.fileName = QStringLiteral("weights.json");
        auto r = ModelDownloader::downloadFiles({a, b}, m_models, QStringLiteral("dups"), options());
        QVERIFY(!r);
        QVERIFY2(r.errorMessage().contains(QStringLiteral("twice")), qPrintable(r.errorMessage()));
        QVERIFY(!QFileInfo::exists(partDir(QStringLiteral("dups"))));
    }

    void parseFileList_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("count"); // -1: refused
        QTest::addColumn<QString>("mentions");
        const QString hash(64, QLatin1Char('a'));
        QTest::newRow("comments and blanks") << "# weights\n\n  https://h.example/a/model.safetensors  " + hash
                + "  # checked\nhttps://h.example/b/config.json\r\n" << 2 << "";
        QTest::newRow("a name from the path, not the query")
            << "https://h.example/x/model.safetensors?download=true" << 1 << "";
        QTest::newRow("file: URL (refused when downloading)") << "file:///etc/passwd" << 1 << "";
        QTest::newRow("relative path") << "../x" << -1 << "line 1";
        QTest::newRow("hidden name") << "https://h.example/.env" << -1 << "plain file name";
        QTest::newRow("no name") << "https://h.example/dir/" << -1 << "plain file name";
        QTest::newRow("duplicate names") << "https://h.example/a/config.json\nhttps://h.example/b/config.json" << -1
                                         << "line 2: config.json is listed twice";
        QTest::newRow("junk hash") << "https://h.example/a/x.bin zzzz" << -1 << "SHA-256";
        QTest::newRow("short hash") << "https://h.example/a/x.bin " + hash.left(63) << -1 << "SHA-256";
        QTest::newRow("three fields") << "https://h.example/a/x.bin " + hash + " extra" << -1 << "line 1";
        QTest::newRow("nothing listed") << "# only a comment\n\n" << -1 << "no files";
        QTest::newRow("our own suffix") << "https://h.example/a/x.incomplete" << -1 << "plain file name";
    }

    void parseFileList()
    {
        QFETCH(QString, text);
        QFETCH(int, count);
        QFETCH(QString, mentions);
        auto r = ModelDownloader::parseFileList(text);
        if (count < 0) {
            QVERIFY(!r);
            QCOMPARE(r.error().code, Error::Code::InvalidArgument);
            QVERIFY2(r.errorMessage().contains(mentions), qPrintable(r.errorMessage()));
            return;
        }
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(r->size(), count);
        for (const FileSource &source : std::as_const(*r)) {
            QVERIFY(!source.fileName.isEmpty() && !source.fileName.contains(QLatin1Char('/')));
            QVERIFY(source.sha256.isEmpty() || source.sha256 == source.sha256.toLower());
        }
    }

    void parsedListKeepsNamesAndHashes()
    {
        const QString hash = sha256Hex("x");
        auto r = ModelDownloader::parseFileList(QStringLiteral("https://h.example/a/model.safetensors %1 # w\n"
                                                               "https://h.example/b/config.json?download=1\n")
                                                    .arg(hash.toUpper()));
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QCOMPARE(r->size(), 2);
        QCOMPARE(r->at(0).fileName, QStringLiteral("model.safetensors"));
        QCOMPARE(r->at(0).sha256, hash);
        QCOMPARE(r->at(0).url, QUrl(QStringLiteral("https://h.example/a/model.safetensors")));
        QCOMPARE(r->at(1).fileName, QStringLiteral("config.json"));
        QVERIFY(r->at(1).sha256.isEmpty());
    }

    void badNamesNeverReachTheNetwork()
    {
        for (const char *bad : {"", "noslash", "../etc/passwd", "org/../x", "/abs/path", "org/name/extra", "org/na me"}) {
            QVERIFY2(!ModelDownloader::isValidRepoId(QString::fromLatin1(bad)), bad);
            QVERIFY(!ModelDownloader::download(QString::fromLatin1(bad), m_models, QString(), options()));
        }
        QVERIFY(ModelDownloader::isValidRepoId(QStringLiteral("google/siglip-so400m-patch14-384")));
        DownloadOptions o = options();
        o.endpoint = QStringLiteral("http://example.invalid"); // plain http off this machine: refused
        auto r = ModelDownloader::download(QStringLiteral("org/sharded"), m_models, QStringLiteral("other"), o);
        QVERIFY(!r);
        QCOMPARE(r.error().code, Error::Code::InvalidArgument);
    }

    void cleanupTestCase()
    {
        m_hub.kill();
        m_hub.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(TestModelDownloader)
#include "tst_modeldownloader.moc"
