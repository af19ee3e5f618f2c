// The three desktop targets of issue 3, measured on the real window (MainWindow from src/gui)
// and a real collection on disk, driven the way a user drives it:
//
//   xvfb-run -a -s "-screen 0 1600x1000x24" build/h-gui/bench/bench_gui_targets --items 100000
//
//   1. First results painted ≤ 150 ms after a query on a 100,000-item collection. The collection
//      (classic-v1: 704-d vectors, each the classic embedding of its thumbnail plus a little
//      noise; a report of four words from a 48-word vocabulary) opens in a MainWindow. Three
//      kinds of query, --queries of each: words typed into the query bar and Enter; "Find
//      Similar" on a selected item (the action of the menu, context menu and Ctrl+Shift+F); an
//      image file as the query bar's example chip and the Search button. Each is timed from the
//      key press / trigger / click to the end of the first paint of the grid's viewport after
//      the model was reset to the new hits (an event filter on the viewport lets the view paint
//      inside it, then reads the clock), with the search's own share (until searchFinished).
//   2. Cold start to an interactive window ≤ 1 s with that collection: the real binary
//      (build/<dir>/src/gui/lookalike, --app to choose) started --starts times as
//      `lookalike <collection>` with LOOKALIKE_REPORT_READY=1, a fresh HOME and XDG folders, and
//      this process's QT_QPA_PLATFORM. The app prints "ready <ms since main()>" once the grid has
//      painted a frame with items and the event loop has come back, and "idle <ms>" once nothing
//      runs (visible thumbnails loaded, model loaded), then quits (src/gui/main.cpp). Timed here
//      from QProcess::start() to each line's arrival (so exec and dynamic loading are in).
//      "Cold" is the process: the collection's files are in the page cache (built or read just
//      before).
//   3. Longest GUI-thread stall while ingesting --ingest-images images ≤ 50 ms. A fresh
//      MainWindow with no collection; the folder (generated once: JPEGs, one in seven PNG,
//      640–2000 px, gradients, shapes and noise) goes to MainWindow::addDropped(
//      DropContents::ofPaths()), what a drop calls: the window offers a new collection with the
//      default model (classic-v1; answered yes), creates it, then ingests with the settings'
//      threads (0 = one per core). A 2-ms precise QTimer on the GUI thread records the interval
//      between its ticks from just before the drop until the window is idle again (the first
//      interval spans addDropped() itself, so it is reported with and without it); stall =
//      interval − 2 ms. Each stall is classed from /proc/<tid>/schedstat: the GUI thread working
//      (on a CPU half the gap or more), waiting for a CPU (runnable, preempted by other threads
//      or processes), or blocked (neither: a lock, I/O, the X server). The grid follows the new
//      items (scrolled to the end every 250 ms, window visible). QApplication::notify() is timed
//      too: the longest single events the GUI thread handled, with the chain of nested events
//      that took the time. A 2-s idle baseline first.
//
// Runs 2, 1, 3 in that order. Options: --items N (100000), --ingest-images N (2000), --queries N
// of each kind (20), --starts N (5), --collection DIR (/tmp/lookalike-bench-gui-targets-<items>,
// built once), --images DIR (/tmp/lookalike-bench-gui-ingest-<n>, generated once), --app FILE,
// --only start,query,ingest (a subset), --ingest-threads N (part 3's ingest threads setting,
// default the settings' default: 0 = one per core), --json (all figures as JSON at the end).
// Figures and method: docs/BENCHMARKS.md, "GUI targets (issue 3)".

#include "appsettings.h"
#include "collection/collection.h"
#include "collectionsession.h"
#include "dropparser.h"
#include "embed/classicembedder.h"
#include "guibenchcollection.h"
#include "ingest/ingestjob.h"
#include "mainwindow.h"
#include "models/modelregistry.h"
#include "models/torchruntime.h"
#include "querybar.h"
#include "resultsmodel.h"
#include "resultsview.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPainter>
#include <QProcess>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

using namespace lookalike;

namespace {

constexpr double kQueryTargetMs = 150;
constexpr double kStartTargetMs = 1000;
constexpr double kStallTargetMs = 50;
constexpr int kTickMs = 2;

const char *const kVocabulary[] = {"beach", "sunset", "mountain", "forest", "river", "harbour", "bridge", "castle",
    "garden", "street", "market", "church", "dog", "cat", "horse", "bird", "boat", "train", "bicycle", "car", "snow",
    "rain", "fog", "storm", "red", "blue", "green", "golden", "dark", "bright", "old", "winter", "summer", "autumn",
    "spring", "night", "portrait", "crowd", "child", "family", "wedding", "festival", "lake", "desert", "island",
    "tower", "village", "meadow"};
constexpr int kVocabularySize = int(std::size(kVocabulary));

double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

// The GUI thread's time on a CPU and time runnable but waiting for a CPU (taken by other threads
// or processes), from /proc/<tid>/schedstat; a gap that is neither is the thread blocked (a lock,
// I/O). Opened on the GUI thread, for it.
class GuiThreadTimes
{
public:
    struct Times
    {
        double cpuMs = 0;
        double waitMs = 0;
    };

    static Times now()
    {
        static const int fd = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
        char buf[128];
        const ssize_t n = fd >= 0 ? ::pread(fd, buf, sizeof buf - 1, 0) : -1;
        if (n <= 0) {
            timespec ts{};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
            return {double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6, 0};
        }
        buf[n] = 0;
        unsigned long long cpu = 0, wait = 0;
        std::sscanf(buf, "%llu %llu", &cpu, &wait);
        return {double(cpu) / 1e6, double(wait) / 1e6};
    }
};

double loadAverage()
{
    double load[1] = {0};
    return getloadavg(load, 1) == 1 ? load[0] : -1;
}

struct Summary
{
    size_t n = 0;
    double median = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
};

Summary summarize(std::vector<double> v)
{
    Summary s;
    std::sort(v.begin(), v.end());
    s.n = v.size();
    s.median = bench::quantile(v, 0.5);
    s.p90 = bench::quantile(v, 0.9);
    s.p99 = bench::quantile(v, 0.99);
    s.p999 = bench::quantile(v, 0.999);
    s.max = v.empty() ? 0 : v.back();
    s.mean = v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    return s;
}

QJsonObject toJson(const Summary &s)
{
    return {{QStringLiteral("n"), qint64(s.n)}, {QStringLiteral("median_ms"), s.median},
        {QStringLiteral("p90_ms"), s.p90}, {QStringLiteral("p99_ms"), s.p99}, {QStringLiteral("p999_ms"), s.p999},
        {QStringLiteral("max_ms"), s.max}, {QStringLiteral("mean_ms"), s.mean}};
}

// The longest single events the GUI thread handled: top-level QApplication::notify() calls
// (a paint inside an UpdateRequest counts with the UpdateRequest), while recording, each with
// the chain of its slowest nested events (what inside it took the time).
struct SlowEvent
{
    double ms = 0;
    double cpuMs = 0;  // the GUI thread's CPU time in it
    double waitMs = 0; // its time waiting for a CPU in it
    QString what;      // "type 77 to MainWindow > type 14 to ResultsView (40.1 ms) > …"
};

class TimedApplication final : public QApplication
{
public:
    using QApplication::QApplication;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!recording || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        QString name = QStringLiteral("type %1 to ").arg(int(event->type())); // the event may be gone afterwards
        if (receiver) {
            name += QString::fromLatin1(receiver->metaObject()->className());
            if (!receiver->objectName().isEmpty())
                name += QLatin1Char('/') + receiver->objectName();
        }
        m_stack.push_back({});
        const bool top = m_stack.size() == 1;
        const GuiThreadTimes::Times t0 = top ? GuiThreadTimes::now() : GuiThreadTimes::Times{};
        QElapsedTimer t;
        t.start();
        const bool r = QApplication::notify(receiver, event);
        const double took = ms(t.nsecsElapsed());
        const GuiThreadTimes::Times t1 = top ? GuiThreadTimes::now() : GuiThreadTimes::Times{};
        const Frame inner = m_stack.back();
        m_stack.pop_back();
        if (!recording)
            return r;
        const auto describe
            = [&] { return inner.slowestMs >= 1 ? name + QStringLiteral(" > ") + inner.slowest : name; };
        if (!m_stack.empty()) {
            if (took > m_stack.back().slowestMs)
                m_stack.back() = {took, describe() + QStringLiteral(" (%1 ms)").arg(took, 0, 'f', 1)};
            return r;
        }
        eventMs.push_back(took);
        if (took >= 4) {
            slow.push_back({took, t1.cpuMs - t0.cpuMs, t1.waitMs - t0.waitMs, describe()});
            std::sort(slow.begin(), slow.end(), [](const SlowEvent &a, const SlowEvent &b) { return a.ms > b.ms; });
            if (slow.size() > 8)
                slow.pop_back();
        }
        return r;
    }

    void startRecording()
    {
        eventMs.clear();
        slow.clear();
        m_stack.clear();
        recording = true;
    }

    bool recording = false;
    std::vector<double> eventMs;
    std::vector<SlowEvent> slow;

private:
    struct Frame
    {
        double slowestMs = 0;
        QString slowest;
    };
    std::vector<Frame> m_stack;
};

TimedApplication *timedApp()
{
    return static_cast<TimedApplication *>(QCoreApplication::instance());
}

void printSlowEvents(const char *indent)
{
    for (const SlowEvent &e : timedApp()->slow)
        std::printf("%s%7.1f ms (CPU %5.1f, waiting for a CPU %5.1f)  %s\n", indent, e.ms, e.cpuMs, e.waitMs,
            qPrintable(e.what));
}

QJsonArray slowEventsJson()
{
    QJsonArray a;
    for (const SlowEvent &e : timedApp()->slow)
        a.append(QJsonObject{{QStringLiteral("ms"), e.ms}, {QStringLiteral("cpu_ms"), e.cpuMs},
            {QStringLiteral("cpu_wait_ms"), e.waitMs}, {QStringLiteral("what"), e.what}});
    return a;
}

// --- the 100k collection ------------------------------------------------------------------

QString reportOf(int item)
{
    std::mt19937 rng(quint32(item) * 2654435761u + 1u);
    QStringList words;
    while (words.size() < 4) {
        const QString w = QString::fromLatin1(kVocabulary[rng() % kVocabularySize]);
        if (!words.contains(w))
            words << w;
    }
    return words.join(QLatin1Char(' '));
}

bool buildQueryCollection(const QString &dir, int items)
{
    // Each item's vector: the classic embedding of its thumbnail plus Gaussian noise (cosine ~0.95
    // to it), so that a query by item finds its look-alikes first and every vector differs.
    ClassicEmbedder embedder;
    const int dim = embedder.dimension();
    bench::BenchCollectionSpec spec;
    std::vector<std::vector<float>> base(size_t(spec.distinct)); // by thumbnail
    spec.embedderId = QString::fromLatin1(ClassicEmbedder::kId);
    spec.dimension = dim;
    spec.vector = [&](int item, const QByteArray &thumbnail, std::vector<float> &out) {
        std::vector<float> &b = base[size_t(item % spec.distinct)];
        if (b.empty()) {
            b.assign(size_t(dim), 0.f);
            embedder.embed(QImage::fromData(thumbnail).convertToFormat(QImage::Format_RGB888), b.data());
        }
        std::mt19937 rng(quint32(item) + 17u);
        std::normal_distribution<float> noise(0.f, 0.012f);
        double norm = 0;
        for (int d = 0; d < dim; ++d) {
            out[size_t(d)] = b[size_t(d)] + noise(rng);
            norm += double(out[size_t(d)]) * out[size_t(d)];
        }
        const float scale = float(1.0 / std::sqrt(std::max(norm, 1e-12)));
        for (float &x : out)
            x *= scale;
    };
    spec.report = [](int item) { return std::optional<QString>(reportOf(item)); };
    return bench::buildBenchCollection(dir, items, spec);
}

// --- the images to ingest -----------------------------------------------------------------

QImage makePhotoLike(quint32 seed)
{
    QRandomGenerator rng(seed);
    const int longSide = 640 + int(rng.bounded(1361)); // 640…2000
    static const double kAspects[] = {4.0 / 3, 3.0 / 2, 1.0, 16.0 / 9, 3.0 / 4, 2.0 / 3};
    const double aspect = kAspects[rng.bounded(int(std::size(kAspects)))];
    const QSize size = aspect >= 1 ? QSize(longSide, int(longSide / aspect)) : QSize(int(longSide * aspect), longSide);
    QImage image(size, QImage::Format_RGB32);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    QLinearGradient g(0, 0, size.width(), size.height());
    g.setColorAt(0, QColor::fromHsv(int(rng.bounded(360)), 100 + int(rng.bounded(100)), 200));
    g.setColorAt(1, QColor::fromHsv(int(rng.bounded(360)), 150 + int(rng.bounded(100)), 60));
    p.fillRect(image.rect(), g);
    for (int i = 0; i < 40; ++i) {
        p.setBrush(QColor::fromHsv(int(rng.bounded(360)), int(rng.bounded(256)), int(rng.bounded(256)), 200));
        p.setPen(QPen(QColor::fromHsv(int(rng.bounded(360)), 200, 80), 1 + rng.bounded(6)));
        const QRectF r(rng.bounded(size.width()), rng.bounded(size.height()), 10 + rng.bounded(size.width() / 3),
            10 + rng.bounded(size.height() / 3));
        if (i % 3 == 0)
            p.drawRect(r);
        else
            p.drawEllipse(r);
    }
    // Fine texture, as photographs have: a tiled noise pattern over everything.
    QImage noise(64, 64, QImage::Format_ARGB32);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x)
            noise.setPixel(x, y, qRgba(0, 0, 0, int(rng.bounded(48))));
    p.fillRect(image.rect(), QBrush(noise));
    p.end();
    return image;
}

// Generates the folder once (reused when it holds `count` images).
bool makeIngestImages(const QString &dir, int count)
{
    QDir().mkpath(dir);
    const QStringList existing = QDir(dir).entryList({QStringLiteral("*.jpg"), QStringLiteral("*.png")}, QDir::Files);
    if (existing.size() == count)
        return true;
    if (!existing.isEmpty()) {
        std::fprintf(
            stderr, "%s holds %lld images, not %d; delete it first\n", qPrintable(dir), qint64(existing.size()), count);
        return false;
    }
    QElapsedTimer t;
    t.start();
    std::vector<int> indices(static_cast<size_t>(count));
    std::iota(indices.begin(), indices.end(), 0);
    std::atomic<int> failed{0};
    QtConcurrent::blockingMap(indices, [&](int i) {
        const QImage image = makePhotoLike(quint32(1000 + i));
        const bool png = i % 7 == 3; // ~14 % PNG
        const QString path = QDir(dir).filePath(
            QStringLiteral("photo_%1.%2").arg(i, 5, 10, QLatin1Char('0')).arg(png ? "png" : "jpg"));
        if (!image.save(path, png ? "PNG" : "JPEG", png ? -1 : 88))
            ++failed;
    });
    std::printf("generated %d images in %s in %.1f s\n", count, qPrintable(dir), t.elapsed() / 1000.0);
    return failed == 0;
}

// --- windows ------------------------------------------------------------------------------

struct Environment
{
    QTemporaryDir tmp;
    std::unique_ptr<AppSettings> settings;
    std::unique_ptr<MainWindow> window;

    bool make()
    {
        if (!tmp.isValid())
            return false;
        settings = std::make_unique<AppSettings>(QDir(tmp.path()).filePath(QStringLiteral("settings.ini")));
        settings->setLibraryFolder(QDir(tmp.path()).filePath(QStringLiteral("library")));
        window = std::make_unique<MainWindow>(*settings);
        window->prompts.confirm = [](const QString &, const QString &) { return true; };
        window->prompts.newCollection = [](const QString &, const QString &defaultModel) {
            return std::optional(NewCollectionChoice{QStringLiteral("Ingest bench"), defaultModel});
        };
        window->prompts.error = [](const QString &title, const QString &text) {
            std::fprintf(stderr, "window error: %s: %s\n", qPrintable(title), qPrintable(text));
        };
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            std::printf("(window not exposed; timing anyway)\n");
        return true;
    }
};

// Runs the event loop (a QEventLoop, as the application's) until `done` holds or `timeoutMs`
// passed; checks every 5 ms.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(5);
    QElapsedTimer t;
    t.start();
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done() || t.elapsed() > timeoutMs)
            loop.quit();
    });
    poll.start();
    loop.exec();
    return done();
}

void spin(int msToWait)
{
    waitFor([] { return false; }, msToWait);
}

void settle(MainWindow &w)
{
    waitFor([&] { return w.isIdle(); }, 30000);
    spin(60); // last thumbnails painted, preview decoded
    waitFor([&] { return w.isIdle(); }, 30000);
}

// Times the first paint of the grid's viewport after the model was reset (the new hits): the
// filter lets the view paint inside it, then reads the clock.
class FirstPaintProbe final : public QObject
{
public:
    explicit FirstPaintProbe(MainWindow &w)
        : m_window(w)
    {
        w.resultsView()->viewport()->installEventFilter(this);
        connect(w.resultsModel(), &QAbstractItemModel::modelReset, this, [this] {
            if (m_armed && m_resetNs < 0)
                m_resetNs = m_clock.nsecsElapsed();
        });
        connect(w.session(), &CollectionSession::searchFinished, this, [this] {
            if (m_armed && m_searchNs < 0)
                m_searchNs = m_clock.nsecsElapsed();
        });
        connect(w.session(), &CollectionSession::searchFailed, this,
            [](const QString &message) { std::fprintf(stderr, "search failed: %s\n", qPrintable(message)); });
    }

    void arm()
    {
        m_armed = true;
        m_resetNs = m_searchNs = m_paintStartNs = m_paintEndNs = -1;
        m_rows = 0;
        m_clock.start();
    }
    bool done() const { return m_paintEndNs >= 0; }
    double toSearchFinished() const { return ms(m_searchNs); }
    double toPaintStart() const { return ms(m_paintStartNs); }
    double toPaintEnd() const { return ms(m_paintEndNs); }
    int rows() const { return m_rows; }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Paint || !m_armed || m_inside || m_resetNs < 0)
            return false;
        m_paintStartNs = m_clock.nsecsElapsed();
        m_inside = true;
        QCoreApplication::sendEvent(watched, event); // the view paints now
        m_inside = false;
        m_paintEndNs = m_clock.nsecsElapsed();
        m_rows
            = m_window.resultsModel()->mode() == ResultsModel::Mode::Search ? m_window.resultsModel()->rowCount() : -1;
        m_armed = false;
        return true;
    }

private:
    MainWindow &m_window;
    QElapsedTimer m_clock;
    bool m_armed = false;
    bool m_inside = false;
    qint64 m_resetNs = -1, m_searchNs = -1, m_paintStartNs = -1, m_paintEndNs = -1;
    int m_rows = 0;
};

struct QueryTimes
{
    std::vector<double> total, search, paint;
    std::vector<int> rows;
    int timeouts = 0;
    int empty = 0;
};

// `trigger` starts the query; returns false on time-out.
bool timeQuery(MainWindow &w, FirstPaintProbe &probe, QueryTimes &out, const std::function<void()> &trigger)
{
    settle(w);
    probe.arm();
    trigger();
    if (!waitFor([&] { return probe.done(); }, 30000)) {
        ++out.timeouts;
        return false;
    }
    out.total.push_back(probe.toPaintEnd());
    out.search.push_back(probe.toSearchFinished());
    out.paint.push_back(probe.toPaintEnd() - probe.toPaintStart());
    out.rows.push_back(probe.rows());
    if (probe.rows() <= 0)
        ++out.empty;
    return true;
}

void printQueryLine(const char *what, const QueryTimes &q)
{
    const Summary s = summarize(q.total);
    const Summary search = summarize(q.search);
    const Summary paint = summarize(q.paint);
    std::printf(
        "  %-30s n=%3zu  median %6.1f  p90 %6.1f  max %6.1f ms   (search median %5.1f, paint median %4.1f ms)\n", what,
        s.n, s.median, s.p90, s.max, search.median, paint.median);
    if (q.timeouts || q.empty)
        std::printf("    %d timed out, %d painted no hits\n", q.timeouts, q.empty);
}

QJsonObject queryJson(const QueryTimes &q)
{
    QJsonObject o = toJson(summarize(q.total));
    o[QStringLiteral("search")] = toJson(summarize(q.search));
    o[QStringLiteral("paint")] = toJson(summarize(q.paint));
    o[QStringLiteral("timeouts")] = q.timeouts;
    o[QStringLiteral("no_hits")] = q.empty;
    QJsonArray all;
    for (double v : q.total)
        all.append(v);
    o[QStringLiteral("all_ms")] = all;
    QJsonArray search;
    for (double v : q.search)
        search.append(v);
    o[QStringLiteral("all_search_ms")] = search;
    return o;
}

QJsonObject runQueries(const QString &collectionDir, int perKind, const QString &imagesDir)
{
    std::printf("\n1. first results painted after a query (target <= %.0f ms)\n", kQueryTargetMs);
    Environment env;
    if (!env.make())
        return {};
    MainWindow &w = *env.window;
    QElapsedTimer sinceOpen;
    sinceOpen.start();
    if (!w.openCollection(collectionDir))
        return {};
    const double openMs = ms(sinceOpen.nsecsElapsed());
    settle(w);
    std::printf("  window %dx%d, %d items; openCollection %.1f ms; load average %.2f\n", w.width(), w.height(),
        w.resultsModel()->rowCount(), openMs, loadAverage());
    FirstPaintProbe probe(w);
    auto *text = w.queryBar()->findChild<QLineEdit *>(QStringLiteral("queryText"));
    auto *searchButton = w.queryBar()->findChild<QPushButton *>(QStringLiteral("searchButton"));
    QAction *findSimilar = w.action(QStringLiteral("actionFindSimilar"));
    QAction *browseAll = w.action(QStringLiteral("actionBrowseAll"));
    if (!text || !searchButton || !findSimilar || !browseAll) {
        std::fprintf(stderr, "the window lacks the query text, the Search button or the actions\n");
        return {};
    }
    timedApp()->startRecording();
    QRandomGenerator rng(42);
    QueryTimes words, similar, image;

    // Words typed into the query bar, Enter.
    for (int q = 0; q < perKind; ++q) {
        QString query = QString::fromLatin1(kVocabulary[rng.bounded(kVocabularySize)]);
        if (q % 2 == 1)
            query += QLatin1Char(' ') + QString::fromLatin1(kVocabulary[rng.bounded(kVocabularySize)]);
        w.queryBar()->clearAll();
        text->setFocus();
        QTest::keyClicks(text, query);
        timeQuery(w, probe, words, [&] { QTest::keyClick(text, Qt::Key_Return); });
    }
    printQueryLine("words + Enter", words);

    // Find Similar on an item selected anywhere in the collection (the first one waits for the
    // image index if it is not in memory yet).
    double firstSimilarAfterOpenS = -1;
    for (int q = 0; q < perKind; ++q) {
        browseAll->trigger();
        settle(w);
        const int row = int(rng.bounded(w.resultsModel()->rowCount()));
        const QModelIndex index = w.resultsModel()->index(row);
        w.resultsView()->scrollTo(index, QAbstractItemView::PositionAtCenter);
        w.resultsView()->setCurrentIndex(index);
        timeQuery(w, probe, similar, [&] {
            if (firstSimilarAfterOpenS < 0)
                firstSimilarAfterOpenS = double(sinceOpen.elapsed()) / 1000;
            findSimilar->trigger();
        });
    }
    printQueryLine("Find Similar (item)", similar);
    if (!similar.total.empty())
        std::printf(
            "    the first one, %.1f s after opening: %.1f ms\n", firstSimilarAfterOpenS, similar.total.front());

    // An image file as the example chip, Search button.
    QStringList files = QDir(imagesDir).entryList({QStringLiteral("*.jpg")}, QDir::Files, QDir::Name);
    for (int q = 0; q < perKind && !files.isEmpty(); ++q) {
        w.queryBar()->clearAll();
        w.queryBar()->addImageFile(QDir(imagesDir).filePath(files[int(rng.bounded(files.size()))]));
        settle(w); // the chip's preview decoded
        timeQuery(w, probe, image, [&] { searchButton->click(); });
    }
    printQueryLine("image file chip + Search", image);
    if (!image.total.empty())
        std::printf("    the first one: %.1f ms\n", image.total.front());

    QueryTimes all;
    for (const QueryTimes *q : {&words, &similar, &image}) {
        all.total.insert(all.total.end(), q->total.begin(), q->total.end());
        all.search.insert(all.search.end(), q->search.begin(), q->search.end());
        all.paint.insert(all.paint.end(), q->paint.begin(), q->paint.end());
        all.timeouts += q->timeouts;
        all.empty += q->empty;
    }
    printQueryLine("all queries", all);
    const Summary s = summarize(all.total);
    std::printf("  => %s: median %.1f ms = %.2fx the target, max %.1f ms = %.2fx\n",
        s.max <= kQueryTargetMs ? "met" : (s.median <= kQueryTargetMs ? "median met, max missed" : "MISSED"), s.median,
        s.median / kQueryTargetMs, s.max, s.max / kQueryTargetMs);
    timedApp()->recording = false;
    std::printf("  longest single GUI-thread events during the queries:\n");
    printSlowEvents("    ");
    QJsonObject o;
    o[QStringLiteral("open_ms")] = openMs;
    o[QStringLiteral("first_find_similar_after_open_s")] = firstSimilarAfterOpenS;
    o[QStringLiteral("words")] = queryJson(words);
    o[QStringLiteral("find_similar")] = queryJson(similar);
    o[QStringLiteral("image_file")] = queryJson(image);
    o[QStringLiteral("all")] = queryJson(all);
    o[QStringLiteral("slow_events")] = slowEventsJson();
    o[QStringLiteral("target_ms")] = kQueryTargetMs;
    o[QStringLiteral("load_average")] = loadAverage();
    return o;
}

// --- cold start ---------------------------------------------------------------------------

QJsonObject runStarts(const QString &app, const QString &collectionDir, int starts)
{
    std::printf("\n2. cold start to an interactive window (target <= %.0f ms): %s\n", kStartTargetMs, qPrintable(app));
    std::vector<double> benchReady, benchIdle, appReady, appIdle, exitMs;
    int failures = 0;
    for (int i = 0; i < starts; ++i) {
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QDir h(home.path());
        for (const char *sub : {"config", "data", "cache", "runtime"})
            h.mkpath(QString::fromLatin1(sub));
        QFile::setPermissions(h.filePath(QStringLiteral("runtime")),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), h.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), h.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), h.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), h.filePath(QStringLiteral("runtime")));
        env.insert(QStringLiteral("LOOKALIKE_REPORT_READY"), QStringLiteral("1"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QGuiApplication::platformName());
        QProcess p;
        p.setProcessEnvironment(env);
        double ready = -1, idle = -1, ownReady = -1, ownIdle = -1;
        QByteArray pending, other;
        QElapsedTimer t;
        QObject::connect(&p, &QProcess::readyReadStandardError, [&] {
            const double now = ms(t.nsecsElapsed());
            pending += p.readAllStandardError();
            qsizetype nl;
            while ((nl = pending.indexOf('\n')) >= 0) {
                const QByteArray line = pending.left(nl).trimmed();
                pending.remove(0, nl + 1);
                if (line.startsWith("ready ")) {
                    ready = now;
                    ownReady = line.mid(6).toDouble();
                } else if (line.startsWith("idle ")) {
                    idle = now;
                    ownIdle = line.mid(5).toDouble();
                } else {
                    other += line + '\n';
                }
            }
        });
        t.start();
        p.start(app, {collectionDir});
        const bool finished
            = p.waitForStarted(10000) && waitFor([&] { return p.state() == QProcess::NotRunning; }, 60000);
        const double exited = ms(t.nsecsElapsed());
        if (!finished)
            p.kill();
        p.waitForFinished(5000);
        if (ready < 0 || idle < 0) {
            ++failures;
            std::printf("  start %d: no ready/idle line (exit %d)\n%s", i + 1, p.exitCode(), other.constData());
            continue;
        }
        benchReady.push_back(ready);
        benchIdle.push_back(idle);
        appReady.push_back(ownReady);
        appIdle.push_back(ownIdle);
        exitMs.push_back(exited);
        std::printf(
            "  start %d: ready %6.1f ms (app: %6.1f ms after main()), idle %6.1f ms (app %6.1f), exited %6.1f ms\n",
            i + 1, ready, ownReady, idle, ownIdle, exited);
    }
    const Summary r = summarize(benchReady), ri = summarize(benchIdle), ar = summarize(appReady),
                  ai = summarize(appIdle);
    std::printf("  ready (first frame with tiles, loop back): median %.1f  max %.1f ms; app side median %.1f ms\n",
        r.median, r.max, ar.median);
    std::printf(
        "  idle (visible thumbnails loaded, nothing running): median %.1f  max %.1f ms; app side median %.1f ms\n",
        ri.median, ri.max, ai.median);
    std::printf("  => %s: ready median %.1f ms = %.2fx the target (idle %.2fx); load average %.2f\n",
        failures == 0 && r.max <= kStartTargetMs ? "met"
                                                 : (r.median <= kStartTargetMs ? "median met, max missed" : "MISSED"),
        r.median, r.median / kStartTargetMs, ri.median / kStartTargetMs, loadAverage());
    QJsonObject o;
    o[QStringLiteral("ready")] = toJson(r);
    o[QStringLiteral("idle")] = toJson(ri);
    o[QStringLiteral("app_ready")] = toJson(ar);
    o[QStringLiteral("app_idle")] = toJson(ai);
    o[QStringLiteral("failures")] = failures;
    o[QStringLiteral("target_ms")] = kStartTargetMs;
    o[QStringLiteral("load_average")] = loadAverage();
    return o;
}

// --- ingest stalls ------------------------------------------------------------------------

struct TickRecorder
{
    QTimer timer;
    QElapsedTimer clock;
    qint64 last = -1;
    GuiThreadTimes::Times lastTimes;
    std::vector<double> intervals;
    std::vector<double> cpu;  // the GUI thread's CPU time within each interval
    std::vector<double> wait; // and its time waiting for a CPU

    TickRecorder()
    {
        timer.setTimerType(Qt::PreciseTimer);
        timer.setInterval(kTickMs);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = clock.nsecsElapsed();
            const GuiThreadTimes::Times t = GuiThreadTimes::now();
            intervals.push_back(ms(now - last));
            cpu.push_back(t.cpuMs - lastTimes.cpuMs);
            wait.push_back(t.waitMs - lastTimes.waitMs);
            last = now;
            lastTimes = t;
        });
    }
    void start()
    {
        intervals.clear();
        cpu.clear();
        wait.clear();
        clock.start();
        last = 0; // the wait for the first tick counts
        lastTimes = GuiThreadTimes::now();
        timer.start();
    }
    void stop() { timer.stop(); }
};

// A stall (interval − tick) is "working" when the GUI thread ran for at least half of the
// interval, "waiting for a CPU" when it was runnable but not running for half, else "blocked".
struct StallSummary
{
    Summary interval;
    double maxStall = 0;
    double cpuOfMax = 0, waitOfMax = 0;
    std::array<size_t, 3> over16{}, over50{}; // working, waiting for a CPU, blocked
};

StallSummary stallSummary(const std::vector<double> &intervals, const std::vector<double> &cpu,
    const std::vector<double> &wait, size_t from = 0)
{
    StallSummary s;
    s.interval = summarize(
        std::vector<double>(intervals.begin() + qsizetype(std::min(from, intervals.size())), intervals.end()));
    s.maxStall = std::max(0.0, s.interval.max - kTickMs);
    for (size_t i = from; i < intervals.size(); ++i) {
        const double stall = intervals[i] - kTickMs;
        const size_t kind = cpu[i] >= 0.5 * intervals[i] ? 0 : (wait[i] >= 0.5 * intervals[i] ? 1 : 2);
        if (stall > 16)
            ++s.over16[kind];
        if (stall > 50)
            ++s.over50[kind];
        if (intervals[i] == s.interval.max) {
            s.cpuOfMax = cpu[i];
            s.waitOfMax = wait[i];
        }
    }
    return s;
}

size_t total(const std::array<size_t, 3> &a)
{
    return a[0] + a[1] + a[2];
}

void printStalls(const char *what, const StallSummary &s)
{
    std::printf(
        "  %-12s ticks %6zu  interval median %5.2f  p99 %6.2f  p99.9 %6.2f  max %6.1f ms (GUI thread in it: CPU %.1f, "
        "waiting for a CPU %.1f ms)\n"
        "  %-12s stalls > 16 ms: %zu (working %zu, waiting for a CPU %zu, blocked %zu), > 50 ms: %zu (%zu, %zu, %zu)\n",
        what, s.interval.n, s.interval.median, s.interval.p99, s.interval.p999, s.interval.max, s.cpuOfMax, s.waitOfMax,
        "", total(s.over16), s.over16[0], s.over16[1], s.over16[2], total(s.over50), s.over50[0], s.over50[1],
        s.over50[2]);
}

QJsonObject stallJson(const StallSummary &s)
{
    QJsonObject o = toJson(s.interval);
    o[QStringLiteral("max_stall_ms")] = s.maxStall;
    o[QStringLiteral("gui_cpu_in_max_ms")] = s.cpuOfMax;
    o[QStringLiteral("gui_cpu_wait_in_max_ms")] = s.waitOfMax;
    const auto kinds = [](const std::array<size_t, 3> &a) {
        return QJsonObject{{QStringLiteral("total"), qint64(total(a))}, {QStringLiteral("working"), qint64(a[0])},
            {QStringLiteral("waiting_for_cpu"), qint64(a[1])}, {QStringLiteral("blocked"), qint64(a[2])}};
    };
    o[QStringLiteral("stalls_over_16ms")] = kinds(s.over16);
    o[QStringLiteral("stalls_over_50ms")] = kinds(s.over50);
    return o;
}

QJsonObject runIngest(const QString &imagesDir, int images, int threads)
{
    std::printf(
        "\n3. GUI-thread stalls while ingesting %d images (target: longest <= %.0f ms)\n", images, kStallTargetMs);
    Environment env;
    if (!env.make())
        return {};
    if (threads >= 0) { // else the settings' default, as a new user has it
        env.settings->setThreads(threads);
        env.window->session()->setIngestThreads(threads);
    }
    std::printf("  ingest threads setting %d (0 = one per core)\n", env.settings->threads());
    MainWindow &w = *env.window;
    settle(w);

    TickRecorder ticks;
    ticks.start();
    spin(2000);
    ticks.stop();
    const StallSummary idle = stallSummary(ticks.intervals, ticks.cpu, ticks.wait);
    printStalls("idle 2 s", idle);

    bool finished = false;
    IngestResult result;
    QObject::connect(w.session(), &CollectionSession::ingestFinished, [&](const IngestResult &r) {
        result = r;
        finished = true;
    });
    QObject::connect(w.session(), &CollectionSession::ingestFailed, [&](const QString &message) {
        std::fprintf(stderr, "ingest failed: %s\n", qPrintable(message));
        finished = true;
    });
    QTimer follow; // the user watches the new items arrive at the end of the grid
    follow.setInterval(250);
    QObject::connect(&follow, &QTimer::timeout, [&] { w.resultsView()->scrollToBottom(); });

    const double loadBefore = loadAverage();
    timedApp()->startRecording();
    ticks.start();
    follow.start();
    QElapsedTimer t;
    t.start();
    const bool started = w.addDropped(DropContents::ofPaths({imagesDir}));
    const double dropMs = ms(t.nsecsElapsed());
    if (!started) {
        std::fprintf(stderr, "the drop started nothing\n");
        return {};
    }
    waitFor([&] { return finished; }, 3600 * 1000);
    const double ingestMs = ms(t.nsecsElapsed());
    waitFor([&] { return w.isIdle(); }, 60000);
    spin(200);
    const double settledMs = ms(t.nsecsElapsed());
    follow.stop();
    ticks.stop();
    timedApp()->recording = false;
    const double loadAfter = loadAverage();
    const StallSummary during = stallSummary(ticks.intervals, ticks.cpu, ticks.wait);
    // The same without the drop itself (the window creates the collection in it): the first
    // interval spans addDropped().
    const StallSummary afterDrop = stallSummary(ticks.intervals, ticks.cpu, ticks.wait, 1);
    const Summary events = summarize(timedApp()->eventMs);

    std::printf("  ingest: %lld added, %lld failed, job %.1f s; drop → ingestFinished %.1f s, → idle %.1f s; "
                "addDropped() itself %.1f ms\n",
        result.added, result.failed, result.seconds, ingestMs / 1000, settledMs / 1000, dropMs);
    std::printf("  window %dx%d, %d items in the grid at the end; load average %.2f before, %.2f after\n", w.width(),
        w.height(), w.resultsModel()->rowCount(), loadBefore, loadAfter);
    printStalls("drop+ingest", during);
    printStalls("after drop", afterDrop);
    std::printf("  GUI-thread events handled: %zu, median %.3f ms, p99.9 %.2f ms, max %.1f ms; the longest:\n",
        events.n, events.median, events.p999, events.max);
    printSlowEvents("    ");
    std::printf("  => %s: longest stall %.1f ms = %.2fx the target (%.1f ms after the drop returned)\n",
        during.maxStall <= kStallTargetMs ? "met" : "MISSED", during.maxStall, during.maxStall / kStallTargetMs,
        afterDrop.maxStall);

    QJsonObject o;
    o[QStringLiteral("idle_baseline")] = stallJson(idle);
    o[QStringLiteral("during_ingest")] = stallJson(during);
    o[QStringLiteral("after_drop")] = stallJson(afterDrop);
    o[QStringLiteral("events")] = toJson(events);
    o[QStringLiteral("slow_events")] = slowEventsJson();
    o[QStringLiteral("added")] = result.added;
    o[QStringLiteral("failed")] = result.failed;
    o[QStringLiteral("job_s")] = result.seconds;
    o[QStringLiteral("drop_to_finished_s")] = ingestMs / 1000;
    o[QStringLiteral("drop_to_idle_s")] = settledMs / 1000;
    o[QStringLiteral("add_dropped_ms")] = dropMs;
    o[QStringLiteral("target_ms")] = kStallTargetMs;
    o[QStringLiteral("ingest_threads_setting")] = env.settings->threads();
    o[QStringLiteral("load_average_before")] = loadBefore;
    o[QStringLiteral("load_average_after")] = loadAfter;
    return o;
}

} // namespace

int main(int argc, char *argv[])
{
    TimedApplication app(argc, argv);
    GuiThreadTimes::now(); // opens the GUI thread's schedstat, on the GUI thread
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption itemsOpt(QStringLiteral("items"), QStringLiteral("Items in the query collection."),
        QStringLiteral("N"), QStringLiteral("100000"));
    QCommandLineOption ingestOpt(QStringLiteral("ingest-images"), QStringLiteral("Images to ingest."),
        QStringLiteral("N"), QStringLiteral("2000"));
    QCommandLineOption queriesOpt(
        QStringLiteral("queries"), QStringLiteral("Queries of each kind."), QStringLiteral("N"), QStringLiteral("20"));
    QCommandLineOption startsOpt(
        QStringLiteral("starts"), QStringLiteral("Cold starts."), QStringLiteral("N"), QStringLiteral("5"));
    QCommandLineOption dirOpt(
        QStringLiteral("collection"), QStringLiteral("Query collection folder."), QStringLiteral("DIR"));
    QCommandLineOption imagesOpt(
        QStringLiteral("images"), QStringLiteral("Folder of images to ingest."), QStringLiteral("DIR"));
    QCommandLineOption appOpt(
        QStringLiteral("app"), QStringLiteral("The lookalike executable."), QStringLiteral("FILE"));
    QCommandLineOption onlyOpt(QStringLiteral("only"), QStringLiteral("Comma-separated parts: start,query,ingest."),
        QStringLiteral("LIST"), QStringLiteral("start,query,ingest"));
    QCommandLineOption ingestThreadsOpt(QStringLiteral("ingest-threads"),
        QStringLiteral("Ingest threads setting for part 3 (default: the settings' default)."), QStringLiteral("N"),
        QStringLiteral("-1"));
    QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("Print the figures as JSON at the end."));
    parser.addOptions(
        {itemsOpt, ingestOpt, queriesOpt, startsOpt, dirOpt, imagesOpt, appOpt, onlyOpt, ingestThreadsOpt, jsonOpt});
    parser.process(app);
    const int items = parser.value(itemsOpt).toInt();
    const int ingestImages = parser.value(ingestOpt).toInt();
    const QString dir = parser.isSet(dirOpt) ? parser.value(dirOpt)
                                             : QStringLiteral("/tmp/lookalike-bench-gui-targets-%1").arg(items);
    const QString imagesDir = parser.isSet(imagesOpt)
        ? parser.value(imagesOpt)
        : QStringLiteral("/tmp/lookalike-bench-gui-ingest-%1").arg(ingestImages);
    const QString exe = parser.isSet(appOpt)
        ? parser.value(appOpt)
        : QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../src/gui/lookalike"));
    const QStringList only = parser.value(onlyOpt).split(QLatin1Char(','));

    // As main.cpp does before the window exists.
    ModelRegistry::registerProviders();
    TorchRuntime::configure(TorchSettings{});

    std::printf("bench_gui_targets: platform %s, %d cores, load average %.2f\n",
        qPrintable(QGuiApplication::platformName()), QThread::idealThreadCount(), loadAverage());
    if ((only.contains(QStringLiteral("query")) || only.contains(QStringLiteral("start")))
        && !buildQueryCollection(dir, items))
        return 1;
    if ((only.contains(QStringLiteral("ingest")) || only.contains(QStringLiteral("query")))
        && !makeIngestImages(imagesDir, ingestImages))
        return 1;

    QJsonObject json;
    json[QStringLiteral("platform")] = QGuiApplication::platformName();
    json[QStringLiteral("items")] = items;
    json[QStringLiteral("load_average_start")] = loadAverage();
    if (only.contains(QStringLiteral("start")))
        json[QStringLiteral("cold_start")] = runStarts(exe, dir, parser.value(startsOpt).toInt());
    if (only.contains(QStringLiteral("query")))
        json[QStringLiteral("query")] = runQueries(dir, parser.value(queriesOpt).toInt(), imagesDir);
    if (only.contains(QStringLiteral("ingest")))
        json[QStringLiteral("ingest")] = runIngest(imagesDir, ingestImages, parser.value(ingestThreadsOpt).toInt());
    json[QStringLiteral("load_average_end")] = loadAverage();
    if (parser.isSet(jsonOpt))
        std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Indented).constData());
    return 0;
}
