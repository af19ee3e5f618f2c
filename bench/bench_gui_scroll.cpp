// Does the results grid scroll smoothly over a 100,000-item collection? A real collection on
// disk (items, decodable 256-px JPEG thumbnails, vectors), the product's ResultsView +
// ResultsModel + ThumbnailCache in a real window (run it under xvfb-run for an X11 window; the
// offscreen platform works too), driven the way a user scrolls:
//
//   xvfb-run -s "-screen 0 1600x1000x24" bench_gui_scroll --items 100000
//
//   1. open: Collection::open + ResultsModel::setCollection (reads the 100k ids), cold and warm;
//   2. page steps: the scroll bar moved one page at a time from top to bottom, each step timed
//      from setValue() to the end of a synchronous repaint (the GUI thread's frame time, with
//      whatever thumbnails have arrived drawn and the rest as placeholders);
//   3. wheel flings: bursts of 3-line steps at 60 Hz pacing, frame times as above;
//   4. jumps: the scroll bar dragged to random positions; time until every visible tile has its
//      thumbnail (decoded on the cache's worker threads);
//   5. the thumbnail cache's bytes and the process's peak RSS at the end.
//
// The collection is built once into --collection (default /tmp/lookalike-bench-gui-<N>):
// --distinct different thumbnails (default 2000) cycled over the items, so build time stays
// small while every tile still needs a real JPEG decode.

#include "collection/collection.h"
#include "guibenchcollection.h"
#include "resultsmodel.h"
#include "resultsview.h"
#include "thumbnailcache.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QTest>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

using namespace lookalike;

namespace {

struct Stats
{
    double p50, p95, p99, max;
};

Stats stats(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return {bench::quantile(v, 0.5), bench::quantile(v, 0.95), bench::quantile(v, 0.99), v.empty() ? 0 : v.back()};
}

void print(const char *what, const std::vector<double> &ms)
{
    const Stats s = stats(ms);
    std::printf("%-34s n=%5zu  p50 %7.2f  p95 %7.2f  p99 %7.2f  max %7.2f ms\n", what, ms.size(), s.p50, s.p95, s.p99, s.max);
}

double frame(ResultsView &view, int value)
{
    QElapsedTimer t;
    t.start();
    view.verticalScrollBar()->setValue(value);
    QCoreApplication::processEvents(); // thumbnails that arrived meanwhile, layout
    view.viewport()->repaint();
    return double(t.nsecsElapsed()) / 1e6;
}

bool allVisibleLoaded(ResultsView &view, ResultsModel &model, ThumbnailCache &cache)
{
    const QRect r = view.viewport()->rect();
    for (int y = 4; y < r.height(); y += 40) {
        for (int x = 4; x < r.width(); x += 40) {
            const QModelIndex i = view.indexAt(QPoint(x, y));
            if (!i.isValid())
                continue;
            const qint64 id = model.idAt(i.row());
            if (cache.thumbnail(id).isNull() && !cache.failed(id))
                return false;
        }
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption itemsOpt(QStringLiteral("items"), QStringLiteral("Items in the collection."), QStringLiteral("N"), QStringLiteral("100000"));
    QCommandLineOption dirOpt(QStringLiteral("collection"), QStringLiteral("Collection folder."), QStringLiteral("DIR"));
    QCommandLineOption distinctOpt(QStringLiteral("distinct"), QStringLiteral("Distinct thumbnails."), QStringLiteral("N"), QStringLiteral("2000"));
    QCommandLineOption jumpsOpt(QStringLiteral("jumps"), QStringLiteral("Random jumps."), QStringLiteral("N"), QStringLiteral("100"));
    QCommandLineOption listModeOpt(QStringLiteral("list-mode"), QStringLiteral("Lay the grid out in ListMode with wrapping (comparison)."));
    parser.addOptions({itemsOpt, dirOpt, distinctOpt, jumpsOpt, listModeOpt});
    parser.process(app);
    const int items = parser.value(itemsOpt).toInt();
    const QString dir = parser.isSet(dirOpt) ? parser.value(dirOpt) : QStringLiteral("/tmp/lookalike-bench-gui-%1").arg(items);
    bench::BenchCollectionSpec spec; // "bench-8d": 8-d one-hot vectors, no reports
    spec.distinct = parser.value(distinctOpt).toInt();
    spec.vector = [](int i, const QByteArray &, std::vector<float> &v) { v[size_t(i % 8)] = 1.f; };
    if (!bench::buildBenchCollection(dir, items, spec))
        return 1;

    std::printf("platform %s, %d items, window 1280x800, tiles 160 px\n", qPrintable(QGuiApplication::platformName()), items);
    std::vector<double> openMs;
    std::shared_ptr<Collection> collection;
    ThumbnailCache cache;
    ResultsModel model(&cache);
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer t;
        t.start();
        auto c = Collection::open(dir);
        if (!c)
            return 1;
        collection = std::shared_ptr<Collection>(std::move(*c));
        cache.setCollection(collection);
        model.setCollection(collection);
        openMs.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::printf("open + list %d ids: first %.1f ms, then %.1f / %.1f ms\n", model.rowCount(), openMs[0], openMs[1], openMs[2]);

    ResultsView view;
    if (parser.isSet(listModeOpt)) {
        view.setViewMode(QListView::ListMode);
        view.setFlow(QListView::LeftToRight);
        view.setWrapping(true);
        view.setResizeMode(QListView::Adjust);
        view.setUniformItemSizes(true);
    }
    cache.setDisplaySide(160); // as MainWindow does for its 160-px tiles
    view.resize(1280, 800);
    QElapsedTimer firstPaint;
    firstPaint.start();
    view.setModel(&model);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view))
        std::printf("(window not exposed; timing anyway)\n");
    QCoreApplication::processEvents();
    view.viewport()->repaint();
    std::printf("%s: model set to first frame %.1f ms\n", parser.isSet(listModeOpt) ? "ListMode" : "IconMode",
                double(firstPaint.nsecsElapsed()) / 1e6);
    QScrollBar *bar = view.verticalScrollBar();
    std::printf("scroll range %d px, page %d px\n", bar->maximum(), bar->pageStep());

    std::vector<double> pageFrames;
    for (int v = 0; v <= bar->maximum(); v += bar->pageStep())
        pageFrames.push_back(frame(view, v));
    print("page steps, top to bottom", pageFrames);

    std::vector<double> wheelFrames;
    QRandomGenerator rng(7);
    for (int burst = 0; burst < 20; ++burst) {
        int v = int(rng.bounded(bar->maximum()));
        for (int s = 0; s < 30; ++s) {
            v = std::min(bar->maximum(), v + 3 * bar->singleStep());
            wheelFrames.push_back(frame(view, v));
            QTest::qWait(16);
        }
    }
    print("wheel flings (3 lines per 16 ms)", wheelFrames);

    std::vector<double> fillMs;
    std::vector<double> jumpFrames;
    const int jumps = parser.value(jumpsOpt).toInt();
    for (int j = 0; j < jumps; ++j) {
        const int v = int(rng.bounded(bar->maximum()));
        QElapsedTimer t;
        t.start();
        jumpFrames.push_back(frame(view, v));
        while (!allVisibleLoaded(view, model, cache) && t.elapsed() < 10000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        fillMs.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    print("jump frames", jumpFrames);
    print("jump until every visible thumbnail", fillMs);

    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("thumbnail cache %.1f MiB of %.1f MiB; peak RSS %.0f MiB\n", double(cache.cachedBytes()) / (1 << 20),
                double(cache.maxBytes()) / (1 << 20), double(ru.ru_maxrss) / 1024.0);
    return 0;
}
