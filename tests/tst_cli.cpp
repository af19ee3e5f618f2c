// lookalike-cli end to end, as a user or a script drives it: real processes, real files,
// the real chest radiographs and reports of ../shared/testdata/cxr-sample.
#include "collection/collection.h"
#include "modeltestsupport.h"
#include "testsupport.h"
#include "util/csvreader.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>

using namespace lookalike;
using namespace lookalike::test;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

Run cli(const QStringList &args, int timeoutMs = 300000)
{
    QProcess p;
    p.setProgram(cliPath());
    p.setArguments(args);
    p.start();
    p.waitForFinished(timeoutMs);
    Run r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// GCC 12's LeakSanitizer crashes at exit ("Tracer caught signal 11" while it reads a thread's
// dynamic TLS) in processes that load libtorch through the model plug-in, so the asan preset's
// leak check is off for the CLI processes a test starts while this lives; AddressSanitizer's
// memory checks stay on. ASAN_OPTIONS means nothing to other builds.
class LeakCheckOffForLibtorch
{
public:
    LeakCheckOffForLibtorch() : m_saved(qgetenv("ASAN_OPTIONS"))
    {
        qputenv("ASAN_OPTIONS", m_saved.isEmpty() ? QByteArray("detect_leaks=0") : m_saved + ":detect_leaks=0");
    }
    ~LeakCheckOffForLibtorch() { qputenv("ASAN_OPTIONS", m_saved); }
    Q_DISABLE_COPY_MOVE(LeakCheckOffForLibtorch)

private:
    QByteArray m_saved;
};

QString cxrDir()
{
    return testDataDir() + QStringLiteral("/cxr-sample");
}

// image_path → (view, report) from the sample's CSV, read with the product's CSV reader.
QHash<QString, QPair<QString, QString>> cxrRows()
{
    QHash<QString, QPair<QString, QString>> rows;
    auto reader = CsvReader::open(cxrDir() + QStringLiteral("/cases.csv"));
    if (!reader)
        qFatal("cannot read cases.csv: %s", qPrintable(reader.errorMessage()));
    const int path = (*reader)->column(QStringLiteral("image_path"));
    const int view = (*reader)->column(QStringLiteral("view"));
    const int report = (*reader)->column(QStringLiteral("report_text"));
    for (;;) {
        auto row = (*reader)->next();
        if (!row || !*row)
            break;
        const QStringList &f = (*row)->fields;
        rows.insert(QDir(cxrDir()).filePath(f.value(path)), {f.value(view), f.value(report)});
    }
    return rows;
}

void writePhotos(const QString &dir, int n, int w, int h)
{
    QDir().mkpath(dir);
    for (int i = 0; i < n; ++i)
        QVERIFY(saveImage(makeSyntheticImage(w, h, quint32(i)), QDir(dir).filePath(QStringLiteral("p%1.jpg").arg(i, 4, 10, QLatin1Char('0'))), "jpg"));
}

qint64 committedItems(const QString &collection)
{
    auto c = Collection::open(collection);
    return c ? *(*c)->itemCount() : -1;
}

} // namespace

class TestCli final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_cxr; // a collection of the sample, built once

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(cxrDir() + QStringLiteral("/cases.csv")), "the shared test data must be beside the clone");
        QVERIFY2(QFile::exists(cliPath()), qPrintable(cliPath()));
        // Models go to a folder of this test's own (modelsAddListAndRemove fills it).
        qputenv("LOOKALIKE_MODELS_DIR", m_tmp.filePath(QStringLiteral("models")).toUtf8());
        m_cxr = m_tmp.filePath(QStringLiteral("cxr"));
        QCOMPARE(cli({QStringLiteral("create"), m_cxr}).exitCode, 0);
        const Run imp = cli({QStringLiteral("import"), m_cxr, QStringLiteral("--csv"), cxrDir() + QStringLiteral("/cases.csv"), QStringLiteral("--json")});
        QVERIFY2(imp.exitCode == 0, imp.err.constData());
        const QJsonObject o = imp.json();
        QCOMPARE(o[u"ingest"_qs][u"added"_qs].toInt(), 50);
        QCOMPARE(o[u"reports"_qs][u"matched"_qs].toInt(), 50);
        QCOMPARE(o[u"reports"_qs][u"reports_set"_qs].toInt(), 50);
    }

    void versionAndHelp()
    {
        const Run v = cli({QStringLiteral("--version")});
        QCOMPARE(v.exitCode, 0);
        QVERIFY(v.out.startsWith("lookalike-cli "));
        QCOMPARE(cli({QStringLiteral("--help")}).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("search"), QStringLiteral("--help")}).exitCode, 0);
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::newRow("no command") << QStringList{} << 1;
        QTest::newRow("unknown command") << QStringList{u"frobnicate"_qs} << 1;
        QTest::newRow("unknown option") << QStringList{u"list"_qs, u"x"_qs, u"--bogus"_qs} << 1;
        QTest::newRow("bad alpha") << QStringList{u"search"_qs, u"x"_qs, u"--text"_qs, u"a"_qs, u"--alpha"_qs, u"2"_qs} << 1;
        QTest::newRow("bad id") << QStringList{u"search"_qs, u"x"_qs, u"--item"_qs, u"abc"_qs} << 1;
        QTest::newRow("empty query") << QStringList{u"search"_qs, u"x"_qs} << 1;
        QTest::newRow("not a collection") << QStringList{u"stats"_qs, u"/nonexistent/place"_qs} << 3;
    }

    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, code);
        QVERIFY(!r.err.isEmpty());
    }

    void searchReportPhrase()
    {
        const Run r = cli({QStringLiteral("search"), m_cxr, QStringLiteral("--text"), QStringLiteral("pleural effusion"), QStringLiteral("-k"), QStringLiteral("50"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray results = r.json()[u"results"_qs].toArray();
        QVERIFY(!results.isEmpty());
        const auto rows = cxrRows();
        int expected = 0;
        for (const auto &row : rows)
            expected += row.second.contains(QLatin1String("pleural"), Qt::CaseInsensitive) && row.second.contains(QLatin1String("effusion"), Qt::CaseInsensitive);
        QCOMPARE(results.size(), expected);
        double previous = 2;
        for (const auto &v : results) {
            const QJsonObject hit = v.toObject();
            for (const char *key : {"id", "uri", "score", "image_score", "text_score", "report"})
                QVERIFY2(hit.contains(QLatin1String(key)), key);
            QVERIFY(hit[u"report"_qs].toString().contains(QLatin1String("effusion"), Qt::CaseInsensitive));
            QCOMPARE(hit[u"report"_qs].toString(), rows.value(hit[u"uri"_qs].toString()).second);
            QVERIFY(hit[u"score"_qs].toDouble() <= previous);
            previous = hit[u"score"_qs].toDouble();
        }
    }

    void searchByOneOfItsImages()
    {
        const QString image = cxrDir() + QStringLiteral("/images/000001-2.jpg");
        const Run r = cli({QStringLiteral("search"), m_cxr, QStringLiteral("--image"), image, QStringLiteral("-k"), QStringLiteral("5"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray results = r.json()[u"results"_qs].toArray();
        QCOMPARE(results.size(), 5);
        QCOMPARE(results[0].toObject()[u"uri"_qs].toString(), image);
        QVERIFY(results[0].toObject()[u"image_score"_qs].toDouble() > 0.999);
        QVERIFY(results[1].toObject()[u"image_score"_qs].toDouble() < results[0].toObject()[u"image_score"_qs].toDouble());
    }

    void hybridWithFilterAndPaging()
    {
        const auto rows = cxrRows();
        const QStringList base = {QStringLiteral("search"), m_cxr, QStringLiteral("--item"), QStringLiteral("1"), QStringLiteral("--text"),
                                  QStringLiteral("opacities"), QStringLiteral("--where"), QStringLiteral("view=PA"), QStringLiteral("--json")};
        const Run all = cli(base + QStringList{QStringLiteral("-k"), QStringLiteral("50")});
        QCOMPARE(all.exitCode, 0);
        const QJsonArray results = all.json()[u"results"_qs].toArray();
        QVERIFY(results.size() > 4);
        for (const auto &v : results) {
            const QJsonObject hit = v.toObject();
            QCOMPARE(rows.value(hit[u"uri"_qs].toString()).first, QStringLiteral("PA"));
            QVERIFY(qAbs(hit[u"score"_qs].toDouble() - 0.5 * (hit[u"image_score"_qs].toDouble() + hit[u"text_score"_qs].toDouble())) < 1e-5);
        }
        const Run page = cli(base + QStringList{QStringLiteral("-k"), QStringLiteral("2"), QStringLiteral("--offset"), QStringLiteral("2")});
        const QJsonArray p = page.json()[u"results"_qs].toArray();
        QCOMPARE(p.size(), 2);
        QCOMPARE(p[0].toObject()[u"id"_qs], results[2].toObject()[u"id"_qs]);
        QCOMPARE(p[1].toObject()[u"id"_qs], results[3].toObject()[u"id"_qs]);
    }

    void similarIsSearchByItem()
    {
        const Run s = cli({QStringLiteral("similar"), m_cxr, QStringLiteral("3"), QStringLiteral("-k"), QStringLiteral("4"), QStringLiteral("--json")});
        const Run q = cli({QStringLiteral("search"), m_cxr, QStringLiteral("--item"), QStringLiteral("3"), QStringLiteral("-k"), QStringLiteral("4"), QStringLiteral("--json")});
        QCOMPARE(s.exitCode, 0);
        QCOMPARE(s.json()[u"results"_qs].toArray().size(), 4);
        QCOMPARE(s.json()[u"results"_qs], q.json()[u"results"_qs]);
    }

    void listAndStats()
    {
        const Run l = cli({QStringLiteral("list"), m_cxr, QStringLiteral("--limit"), QStringLiteral("10"), QStringLiteral("--json")});
        QCOMPARE(l.exitCode, 0);
        QCOMPARE(l.json()[u"items"_qs].toArray().size(), 10);
        QCOMPARE(l.json()[u"total"_qs].toInt(), 50);
        QVERIFY(l.json()[u"items"_qs].toArray()[0].toObject().contains(u"uri"_qs));
        const Run s = cli({QStringLiteral("stats"), m_cxr, QStringLiteral("--json")});
        QCOMPARE(s.exitCode, 0);
        QCOMPARE(s.json()[u"items"_qs].toInt(), 50);
        QCOMPARE(s.json()[u"errors"_qs].toInt(), 0);
        QCOMPARE(s.json()[u"spaces"_qs].toArray().size(), 1);
        QCOMPARE(s.json()[u"spaces"_qs].toArray()[0].toObject()[u"count"_qs].toInt(), 50);
    }

    void exportWritesFilesAndCsv()
    {
        const QString out = m_tmp.filePath(QStringLiteral("export"));
        const Run r = cli({QStringLiteral("export"), m_cxr, out, QStringLiteral("--text"), QStringLiteral("consolidation"), QStringLiteral("-k"), QStringLiteral("3"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json()[u"exported"_qs].toInt(), 3);
        QFile csv(out + QStringLiteral("/results.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> header = csv.readLine().trimmed().split(',');
        QCOMPARE(header.first(), QByteArray("rank"));
        QCOMPARE(QDir(out).entryList(QDir::Files).size(), 4);
        const QString first = QDir(out).entryList({QStringLiteral("0001_*")}, QDir::Files).value(0);
        QVERIFY(!first.isEmpty());
    }

    void hostileFolderGivesPerFileErrors()
    {
        const QString coll = m_tmp.filePath(QStringLiteral("hostile-coll"));
        const QString images = m_tmp.filePath(QStringLiteral("hostile"));
        writePhotos(images, 5, 320, 240);
        const int bad = writeHostileFiles(images);
        QCOMPARE(cli({QStringLiteral("create"), coll}).exitCode, 0);
        const Run r = cli({QStringLiteral("add"), coll, images, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.json()[u"added"_qs].toInt(), 5);
        QCOMPARE(r.json()[u"failed"_qs].toInt(), bad);
        const Run human = cli({QStringLiteral("stats"), coll, QStringLiteral("--errors")});
        QCOMPARE(human.exitCode, 0);
        // The file name with a newline stays on one line of output.
        QVERIFY(human.out.contains("new\\nline.jpg"));
        QCOMPARE(cli({QStringLiteral("check"), coll}).exitCode, 0);
        removeNonUtf8Names(images);
    }

    // A dataset's checks: a training image that also sits, re-encoded, in the test folder is
    // a leak across the top folders; outliers list every image with its nearest neighbour.
    void leaksAndOutliers()
    {
        const QString coll = m_tmp.filePath(QStringLiteral("dataset"));
        const QString data = m_tmp.filePath(QStringLiteral("dataset-images"));
        writePhotos(data + QStringLiteral("/train"), 5, 400, 300);
        writePhotos(data + QStringLiteral("/test"), 0, 0, 0);
        QImage copy(data + QStringLiteral("/train/p0002.jpg"));
        QVERIFY(saveImage(copy.scaled(200, 150, Qt::KeepAspectRatio, Qt::SmoothTransformation), data + QStringLiteral("/test/leak.png"), "png"));
        QCOMPARE(cli({QStringLiteral("create"), coll}).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("add"), coll, data, QStringLiteral("-q")}).exitCode, 0);

        const Run leaks = cli({QStringLiteral("duplicates"), coll, QStringLiteral("--threshold"), QStringLiteral("0.9"),
                               QStringLiteral("--across"), QStringLiteral("folder"), QStringLiteral("--json")});
        QCOMPARE(leaks.exitCode, 0);
        QCOMPARE(leaks.json()[u"across"_qs].toString(), u"folder"_qs);
        const QJsonArray groups = leaks.json()[u"groups"_qs].toArray();
        QCOMPARE(groups.size(), 1);
        QMap<QString, QString> splitOf; // file name -> split
        const QJsonObject group = groups[0].toObject();
        for (int i = 0; i < group[u"uris"_qs].toArray().size(); ++i)
            splitOf.insert(QFileInfo(group[u"uris"_qs].toArray()[i].toString()).fileName(), group[u"splits"_qs].toArray()[i].toString());
        QCOMPARE(splitOf, (QMap<QString, QString>{{u"leak.png"_qs, u"test"_qs}, {u"p0002.jpg"_qs, u"train"_qs}}));
        // By a metadata key nobody set, nothing spans two splits.
        const Run byKey = cli({QStringLiteral("duplicates"), coll, QStringLiteral("--threshold"), QStringLiteral("0.9"),
                               QStringLiteral("--across"), QStringLiteral("split"), QStringLiteral("--json")});
        QCOMPARE(byKey.exitCode, 0);
        QCOMPARE(byKey.json()[u"groups"_qs].toArray().size(), 0);

        const Run out = cli({QStringLiteral("outliers"), coll, QStringLiteral("--limit"), QStringLiteral("4"), QStringLiteral("--json")});
        QCOMPARE(out.exitCode, 0);
        QCOMPARE(out.json()[u"neighbours"_qs].toInt(), 10);
        const QJsonArray outliers = out.json()[u"outliers"_qs].toArray();
        QCOMPARE(outliers.size(), 4);
        double previous = -2;
        for (const auto &v : outliers) {
            const QJsonObject o = v.toObject();
            QVERIFY(o[u"mean_score"_qs].toDouble() >= previous); // most unusual first
            previous = o[u"mean_score"_qs].toDouble();
            QVERIFY(o[u"nearest_id"_qs].toInteger() != o[u"id"_qs].toInteger());
            QVERIFY(o[u"nearest_score"_qs].toDouble() >= o[u"mean_score"_qs].toDouble());
            QVERIFY(QFileInfo::exists(o[u"uri"_qs].toString()));
            QVERIFY(QFileInfo::exists(o[u"nearest_uri"_qs].toString()));
        }
        // The leaked pair are each other's nearest: neither is among the four most unusual of six.
        for (const auto &v : outliers)
            QVERIFY(!QStringList({u"leak.png"_qs, u"p0002.jpg"_qs}).contains(QFileInfo(v.toObject()[u"uri"_qs].toString()).fileName()));
        QCOMPARE(cli({QStringLiteral("outliers"), coll, QStringLiteral("--limit"), QStringLiteral("0")}).exitCode, 1);
        QCOMPARE(cli({QStringLiteral("duplicates"), coll, QStringLiteral("--across"), QString()}).exitCode, 1);
    }

    void duplicatesRemoveAndCheck()
    {
        const QString coll = m_tmp.filePath(QStringLiteral("dups"));
        const QString images = m_tmp.filePath(QStringLiteral("dup-images"));
        writePhotos(images, 6, 400, 300);
        // A re-encoded, downscaled copy of p0002 is its near-duplicate.
        QImage copy(QDir(images).filePath(QStringLiteral("p0002.jpg")));
        QVERIFY(saveImage(copy.scaled(200, 150, Qt::KeepAspectRatio, Qt::SmoothTransformation), QDir(images).filePath(QStringLiteral("copy.png")), "png"));
        QCOMPARE(cli({QStringLiteral("create"), coll}).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("add"), coll, images, QStringLiteral("-q")}).exitCode, 0);
        const Run d = cli({QStringLiteral("duplicates"), coll, QStringLiteral("--threshold"), QStringLiteral("0.9"), QStringLiteral("--json")});
        QCOMPARE(d.exitCode, 0);
        const QJsonArray groups = d.json()[u"groups"_qs].toArray();
        QCOMPARE(groups.size(), 1);
        QStringList uris;
        for (const auto &u : groups[0].toObject()[u"uris"_qs].toArray())
            uris << QFileInfo(u.toString()).fileName();
        uris.sort();
        QCOMPARE(uris, (QStringList{u"copy.png"_qs, u"p0002.jpg"_qs}));

        const qint64 victim = groups[0].toObject()[u"ids"_qs].toArray()[0].toInteger();
        const Run rm = cli({QStringLiteral("remove"), coll, QString::number(victim), QStringLiteral("999999"), QStringLiteral("--json")});
        QCOMPARE(rm.exitCode, 2); // one unknown id
        QCOMPARE(rm.json()[u"removed"_qs].toInt(), 1);
        QCOMPARE(cli({QStringLiteral("list"), coll, QStringLiteral("--json")}).json()[u"total"_qs].toInt(), 6);
        const Run again = cli({QStringLiteral("duplicates"), coll, QStringLiteral("--threshold"), QStringLiteral("0.9"), QStringLiteral("--json")});
        QCOMPARE(again.json()[u"groups"_qs].toArray().size(), 0);
        const Run check = cli({QStringLiteral("check"), coll, QStringLiteral("--json")});
        QCOMPARE(check.exitCode, 0);
        QVERIFY(check.json()[u"ok"_qs].toBool());
        // Files gone from disk are reported by add and dropped by remove --missing.
        QVERIFY(QFile::remove(QDir(images).filePath(QStringLiteral("p0004.jpg"))));
        const Run add = cli({QStringLiteral("add"), coll, images, QStringLiteral("--json")});
        QCOMPARE(add.json()[u"missing"_qs].toArray().size(), 1);
        QCOMPARE(cli({QStringLiteral("remove"), coll, QStringLiteral("--missing"), QStringLiteral("--json")}).json()[u"removed"_qs].toInt(), 1);
    }

    // A database damaged on disk: `check` says so and changes nothing; `check --repair`
    // salvages what can be read into a new file, keeps the damaged one, and a second `add`
    // redoes what was lost.
    void checkRepairSalvagesADamagedDatabase()
    {
        const QString coll = m_tmp.filePath(QStringLiteral("damaged"));
        const QString images = m_tmp.filePath(QStringLiteral("damaged-images"));
        writePhotos(images, 80, 320, 240);
        QCOMPARE(cli({QStringLiteral("create"), coll}).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("add"), coll, images, QStringLiteral("-q")}).exitCode, 0);
        const QString db = QDir(coll).filePath(Collection::databaseFileName());
        QProcess py;
        py.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(LOOKALIKE_SOURCE_DIR "/tests/data/damage_pages.py"), db,
                                                       QStringLiteral("items:0.5"), QStringLiteral("embeddings:0.2:2"),
                                                       QStringLiteral("thumbnails:0.2")});
        QVERIFY(py.waitForFinished(60000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());

        const Run looked = cli({QStringLiteral("check"), coll});
        QVERIFY(looked.exitCode != 0);
        QVERIFY2(looked.out.contains("the database file is damaged") || looked.err.contains("damaged"), looked.out.constData());
        QVERIFY(!QFile::exists(db + QStringLiteral(".damaged"))); // nothing changed without --repair

        const Run repaired = cli({QStringLiteral("check"), coll, QStringLiteral("--repair"), QStringLiteral("--json")});
        QVERIFY2(repaired.exitCode == 0, repaired.out.constData());
        QVERIFY(repaired.json()[u"ok"_qs].toBool());
        QVERIFY2(repaired.json()[u"repairs"_qs].toArray().first().toString().startsWith(u"salvaged"_qs), repaired.out.constData());
        QVERIFY(QFile::exists(db + QStringLiteral(".damaged")));
        const qint64 kept = committedItems(coll);
        QVERIFY2(kept > 0 && kept < 80, qPrintable(QString::number(kept)));

        const Run again = cli({QStringLiteral("add"), coll, images, QStringLiteral("--json")});
        QCOMPARE(again.exitCode, 0);
        const QJsonObject o = again.json();
        QCOMPARE(o[u"added"_qs].toInt(), int(80 - kept)); // the items that could not be read
        QVERIFY(o[u"updated"_qs].toInt() > 0);            // those that lost a vector or thumbnail
        QCOMPARE(o[u"added"_qs].toInt() + o[u"updated"_qs].toInt() + o[u"unchanged"_qs].toInt(), 80);
        QCOMPARE(committedItems(coll), qint64(80));
        const Run check = cli({QStringLiteral("check"), coll});
        QVERIFY2(check.exitCode == 0 && !check.out.contains("no thumbnail"), check.out.constData());
        const QString probe = QDir(images).filePath(QStringLiteral("p0040.jpg"));
        const Run s = cli({QStringLiteral("search"), coll, QStringLiteral("--image"), probe, QStringLiteral("-k"), QStringLiteral("1"), QStringLiteral("--json")});
        QCOMPARE(s.json()[u"results"_qs].toArray().first().toObject()[u"uri"_qs].toString(), probe);
    }

    // The short CI version of the crash-consistency harness: SIGKILL and SIGINT in the middle
    // of an ingest, then the collection opens, checks clean, keeps what was committed, and a
    // second add completes the rest.
    void interruptedIngestKeepsCommittedWork_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGKILL") << int(SIGKILL);
        QTest::newRow("SIGINT") << int(SIGINT);
    }

    void interruptedIngestKeepsCommittedWork()
    {
        QFETCH(int, signal);
        const QString images = m_tmp.filePath(QStringLiteral("many"));
        if (!QDir(images).exists())
            writePhotos(images, 300, 1024, 768);
        const QString coll = m_tmp.filePath(QStringLiteral("killed-%1").arg(signal));
        QCOMPARE(cli({QStringLiteral("create"), coll}).exitCode, 0);
        QProcess p;
        p.setProgram(cliPath());
        p.setArguments({QStringLiteral("add"), coll, images, QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--json")});
        p.start();
        QVERIFY(p.waitForStarted());
        qint64 seen = 0;
        for (int i = 0; i < 600 && seen == 0 && p.state() == QProcess::Running; ++i) {
            QThread::msleep(50);
            seen = committedItems(coll);
        }
        QVERIFY2(p.state() == QProcess::Running, "the ingest finished before it could be interrupted");
        ::kill(pid_t(p.processId()), signal);
        QVERIFY(p.waitForFinished(60000));
        if (signal == SIGINT) {
            QCOMPARE(p.exitCode(), 2);
            QVERIFY(QJsonDocument::fromJson(p.readAllStandardOutput()).object()[u"cancelled"_qs].toBool());
        }
        const qint64 kept = committedItems(coll);
        QVERIFY2(kept >= seen && kept < 300, qPrintable(QStringLiteral("%1 kept, %2 seen").arg(kept).arg(seen)));
        const Run check = cli({QStringLiteral("check"), coll, QStringLiteral("--json")});
        QVERIFY2(check.exitCode == 0, check.out.constData());
        const Run rest = cli({QStringLiteral("add"), coll, images, QStringLiteral("--json")});
        QCOMPARE(rest.exitCode, 0);
        QCOMPARE(rest.json()[u"added"_qs].toInt() + rest.json()[u"unchanged"_qs].toInt(), 300);
        QCOMPARE(committedItems(coll), qint64(300));
        QCOMPARE(cli({QStringLiteral("check"), coll}).exitCode, 0);
    }

    void modelsAddListAndRemove()
    {
        Run list = cli({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(list.exitCode, 0);
        QCOMPARE(list.json()[u"models"_qs].toArray().size(), 1); // the built-in only
        QCOMPARE(list.json()[u"models"_qs].toArray()[0].toObject()[u"id"_qs].toString(), u"classic-v1"_qs);

        // A folder whose weights do not fit its config is refused before anything is copied.
        const QString broken = m_tmp.filePath(QStringLiteral("broken-clip"));
        QVERIFY(QDir().mkpath(broken));
        QVERIFY(copyModelFolder(modelsDataDir() + QStringLiteral("/clip-tiny"), broken, [](QMap<QString, RawTensor> &) {}));
        QFile config(broken + QStringLiteral("/config.json"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        QByteArray json = config.readAll();
        config.close();
        json.replace("\"projection_dim\": 48", "\"projection_dim\": 40");
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(json);
        config.close();
        const Run bad = cli({QStringLiteral("models"), QStringLiteral("add"), broken});
        QCOMPARE(bad.exitCode, 3);
        QVERIFY2(bad.err.contains("projection"), bad.err.constData());
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(QStringLiteral("models/broken-clip"))));

        const Run add = cli({QStringLiteral("models"), QStringLiteral("add"), modelsDataDir() + QStringLiteral("/clip-tiny"), QStringLiteral("--json")});
        QVERIFY2(add.exitCode == 0, add.err.constData());
        QCOMPARE(add.json()[u"id"_qs].toString(), u"clip:clip-tiny"_qs);
        QCOMPARE(add.json()[u"dimension"_qs].toInt(), 48);
        list = cli({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
        const QJsonArray models = list.json()[u"models"_qs].toArray();
        QCOMPARE(models.size(), 2);
        QCOMPARE(models[1].toObject()[u"family"_qs].toString(), u"clip"_qs);
        QVERIFY(models[1].toObject()[u"bytes"_qs].toDouble() > 1e6);
        QVERIFY(models[1].toObject()[u"text_tower"_qs].toBool());
        // Adding it twice is refused; removing an unknown name too.
        QCOMPARE(cli({QStringLiteral("models"), QStringLiteral("add"), modelsDataDir() + QStringLiteral("/clip-tiny")}).exitCode, 3);
        QCOMPARE(cli({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("no-such")}).exitCode, 3);
        QCOMPARE(cli({QStringLiteral("models"), QStringLiteral("remove"), QStringLiteral("../models")}).exitCode, 3);
    }

    void embedMatchesTheReference()
    {
        // Through the installed id: the same numbers as openai/CLIP computed (README of the
        // test data), from the PNG files, decoded and preprocessed by Lookalike.
        const LeakCheckOffForLibtorch leakCheckOff;
        const auto expected = openTensors(modelsDataDir() + QStringLiteral("/clip-tiny/expected.safetensors"));
        const QString pre = modelsDataDir() + QStringLiteral("/preprocess/");
        const Run images = cli({QStringLiteral("embed"), QStringLiteral("--model"), QStringLiteral("clip:clip-tiny"),
                                QStringLiteral("--image"), pre + QStringLiteral("gradient_shapes_300x180.png"),
                                QStringLiteral("--image"), pre + QStringLiteral("photo_like_512x384.png"), QStringLiteral("--json")});
        QVERIFY2(images.exitCode == 0, images.err.constData());
        const Run texts = cli({QStringLiteral("embed"), QStringLiteral("--model"), modelsDataDir() + QStringLiteral("/clip-tiny"),
                               QStringLiteral("--text"), QStringLiteral("a photo of a dog"), QStringLiteral("--text"),
                               QStringLiteral("chest x-ray showing left lower lobe consolidation"), QStringLiteral("--json")});
        QVERIFY2(texts.exitCode == 0, texts.err.constData());
        auto compare = [&](const Run &run, const QString &name, int firstRow) {
            const HostTensor reference = hostTensor(*expected, name);
            const QJsonArray rows = run.json()[u"embeddings"_qs].toArray();
            QCOMPARE(rows.size(), 2);
            double worst = 0;
            for (int r = 0; r < 2; ++r) {
                const QJsonArray v = rows[r].toObject()[u"vector"_qs].toArray();
                QCOMPARE(v.size(), 48);
                for (int j = 0; j < 48; ++j)
                    worst = std::max(worst, std::abs(v[j].toDouble() - reference.values[size_t((firstRow + r) * 48 + j)]));
            }
            QVERIFY2(worst < 1e-5, qPrintable(QStringLiteral("%1: max abs diff %2").arg(name).arg(worst)));
        };
        compare(images, QStringLiteral("image_embeds_normalized"), 1);
        compare(texts, QStringLiteral("text_embeds_normalized"), 0);

        // The built-in has no text tower; a missing image is an error naming it.
        QCOMPARE(cli({QStringLiteral("embed"), QStringLiteral("--text"), QStringLiteral("x")}).exitCode, 3);
        const Run missing = cli({QStringLiteral("embed"), QStringLiteral("--image"), QStringLiteral("/nonexistent.png")});
        QCOMPARE(missing.exitCode, 3);
        QVERIFY(missing.err.contains("/nonexistent.png"));
        QCOMPARE(cli({QStringLiteral("embed"), QStringLiteral("--model"), QStringLiteral("clip:no-such-model"), QStringLiteral("--text"), QStringLiteral("x")}).exitCode, 3);
    }

    void reembedMovesTheCollectionToTheModel()
    {
        // The 50 radiographs with reports move from the built-in to CLIP; reports are embedded.
        const LeakCheckOffForLibtorch leakCheckOff;
        const Run moved = cli({QStringLiteral("reembed"), m_cxr, QStringLiteral("--model"), QStringLiteral("clip:clip-tiny"), QStringLiteral("--json")});
        QVERIFY2(moved.exitCode == 0, moved.err.constData());
        const QJsonObject o = moved.json();
        QVERIFY(o[u"switched"_qs].toBool());
        QCOMPARE(o[u"embedded"_qs].toInt(), 50);
        QCOMPARE(o[u"reports_embedded"_qs].toInt(), 50);
        QCOMPARE(o[u"previous_model"_qs].toString(), u"classic-v1"_qs);
        const Run stats = cli({QStringLiteral("stats"), m_cxr, QStringLiteral("--json")});
        QCOMPARE(stats.json()[u"model"_qs].toString(), u"clip:clip-tiny"_qs);

        // Text now reaches images and reports through the model, and words through FTS.
        const Run search = cli({QStringLiteral("search"), m_cxr, QStringLiteral("--text"), QStringLiteral("pleural effusion"),
                                QStringLiteral("-k"), QStringLiteral("5"), QStringLiteral("--json")});
        QVERIFY2(search.exitCode == 0, search.err.constData());
        const QJsonArray results = search.json()[u"results"_qs].toArray();
        QCOMPARE(results.size(), 5);
        for (const QJsonValue &r : results) {
            QVERIFY(r.toObject()[u"text_image_score"_qs].isDouble());
            QVERIFY(r.toObject()[u"text_report_score"_qs].isDouble());
        }
        QVERIFY(search.json()[u"fusion"_qs].toString().contains(u"text↔report"_qs));
        // Moving to the model it already uses is a usage error.
        QCOMPARE(cli({QStringLiteral("reembed"), m_cxr, QStringLiteral("--model"), QStringLiteral("clip:clip-tiny")}).exitCode, 1);
        QCOMPARE(cli({QStringLiteral("check"), m_cxr}).exitCode, 0);
    }
};

QTEST_MAIN(TestCli)
#include "tst_cli.moc"
