// Search latency benchmark, end to end: a real collection on disk (items, thumbnails, vectors,
// reports, metadata written through CollectionWriter), reopened cold, queried through
// SearchEngine exactly as the GUI and CLI do (query by item, hybrid item + text, item with a
// metadata filter; k = 10, rows and reports of the page fetched by the engine), with
// recall@10 of the end-to-end results against exact brute force.
//
//   bench_search --sizes 10000,100000,1000000 --dim 704 --queries 300
//   bench_search --sizes 1000000 --build-only      # build (or resume) the collection only
//
// Per size, three forked children, so that each peak RSS (getrusage ru_maxrss) is its own:
//   1. build: creates (or reuses, or resumes) <prefix>-<N>[-d<dim>][-s<spread-max>] and its
//      index (writeItems in --batch transactions, then Collection::index() and saveIndexes());
//   2. truth: streams every vector, exact top-10 of the query items (excluding the item
//      itself, as the engine does), with and without the metadata filter; cached in the
//      collection folder as bench-truth.bin, keyed by the space's revision;
//   3. measure: evicts the collection's files from the page cache (posix_fadvise; not with
//      --no-evict), opens the collection, loads the index, runs the warm-up, then --queries
//      steps of one query of each kind (item, hybrid, filtered, raw index search), each kind
//      on a different item, then times the engine's calls one by one. Its peak RSS is what an
//      app serving queries on this collection holds. --target-recall R first rebuilds the
//      index in memory with that IndexParams::targetRecall (never saved): a what-if.
//
// Data (deterministic per item, so an interrupted build resumes): N/50 Gaussian clusters with
// log-normal weights (σ 0.8: sizes ~10 to ~250, mean 50). Cluster centres are random
// combinations of 64 shared latent directions with a decaying spectrum (variance ∝ 1/(1+t/2),
// about 25 effective dimensions), so clusters have close neighbours, plus a small own part.
// An item is its centre plus noise along 8 cluster-specific directions (from a shared pool of
// 1024) and isotropic noise, scaled by the cluster's spread, drawn log-uniformly in
// [0.5, --spread-max]: items of the tightest clusters sit at cosine ~0.87 to their centre, at
// spread 1.7 ~0.47, at 2 ~0.41 (nearly unstructured, the hard case for IVF). Every vector is
// L2-normalised. On the default set (1.7) the index calibrates nprobe 8 of 632 lists at 100k
// and 120 of 2000 at 1M (d 704); --spread-max 2 needs 224 at 1M; tight clusters only (spread
// up to 1.1) needed 1-2 at 100k. docs/BENCHMARKS.md has the figures.
// Thumbnails: 6-10 KB of incompressible bytes between JPEG markers. Reports on ~10% of
// items: 8-24 words of a 400-word pseudo-vocabulary (Zipf) plus the cluster's topic words.
// Every item has metadata site=site-0..9 (~10% each); the filtered query asks for site=site-3.
// The hybrid query adds one word of rank 20-99 (in ~2-12% of the reports).

#include "collection/collection.h"
#include "collection/collectionwriter.h"
#include "collection/vectorindex.h"
#include "search/ftsquery.h"
#include "search/searchengine.h"

#include <QDataStream>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>
#include <thread>
#include <vector>

using namespace lookalike;

namespace {

struct Options
{
    std::vector<qint64> sizes = {10000, 100000, 1000000};
    int dim = 704;
    int queries = 300;
    int warmup = 30;
    int batch = 4000;
    quint64 seed = 1;
    QString prefix = QStringLiteral("/tmp/lookalike-bench-search");
    double spreadMax = 1.7;
    double targetRecall = 0; // > 0: rebuild the index in memory with this IndexParams::targetRecall
    bool buildOnly = false;
    bool evict = true;
};

const QString kFilterKey = QStringLiteral("site");
const QString kFilterValue = QStringLiteral("site-3");

quint64 mix(quint64 x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// xorshift64 + Box-Muller: fast and identical on every machine.
struct Rng
{
    quint64 s;
    float spare = 0;
    bool hasSpare = false;
    explicit Rng(quint64 seed) : s(mix(seed) | 1) {}
    quint64 next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    double uni() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    float gauss()
    {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        const double u1 = std::max(uni(), 1e-300), u2 = uni();
        const double r = std::sqrt(-2 * std::log(u1));
        spare = float(r * std::sin(6.283185307179586 * u2));
        hasSpare = true;
        return float(r * std::cos(6.283185307179586 * u2));
    }
};

void normalise(float *x, int d)
{
    double s = 0;
    for (int i = 0; i < d; ++i)
        s += double(x[i]) * x[i];
    const float f = float(1 / std::sqrt(std::max(s, 1e-30)));
    for (int i = 0; i < d; ++i)
        x[i] *= f;
}

float dot(const float *a, const float *b, int d)
{
    double s = 0;
    for (int i = 0; i < d; ++i)
        s += double(a[i]) * b[i];
    return float(s);
}

// The synthetic collection: item i is a pure function of (seed, n, d, i).
class Model
{
public:
    static constexpr int kLatent = 64;
    static constexpr int kLocal = 8;
    static constexpr int kPool = 1024;
    static constexpr int kVocabulary = 400;
    static constexpr int kTopicWords = 3;
    static constexpr double kLatentDecay = 2; // latent variance of factor t ∝ 1/(1 + t/kLatentDecay)
    static constexpr double kOwn = 0.1;       // norm of a centre's own component (the latent part's is ~4)
    static constexpr double kSpreadLo = 0.5; // spreads are log-uniform in [kSpreadLo, spreadMax]
    static constexpr float kLoc = 0.8f, kIso = 0.6f; // along the cluster's directions / isotropic

    Model(qint64 n, int d, quint64 seed, double spreadMax) : m_d(d), m_seed(seed)
    {
        m_clusters = int(std::max<qint64>(1, n / 50));
        Rng r(seed * 1000003 + quint64(d));
        std::vector<float> latent(size_t(kLatent) * d);
        for (int t = 0; t < kLatent; ++t) {
            const float scale = float(std::sqrt(1.0 / (1.0 + t / kLatentDecay)) / std::sqrt(double(d)) * 1.5);
            for (int i = 0; i < d; ++i)
                latent[size_t(t) * d + i] = r.gauss() * scale;
        }
        m_centres.resize(size_t(m_clusters) * d);
        m_spread.resize(size_t(m_clusters));
        m_dirIdx.resize(size_t(m_clusters) * kLocal);
        m_topics.resize(size_t(m_clusters) * kTopicWords);
        std::vector<double> weight(static_cast<size_t>(m_clusters));
        for (int j = 0; j < m_clusters; ++j) {
            float *c = &m_centres[size_t(j) * d];
            const float own = float(kOwn) / std::sqrt(float(d));
            for (int i = 0; i < d; ++i)
                c[i] = own * r.gauss();
            for (int t = 0; t < kLatent; ++t) {
                const float z = r.gauss();
                const float *b = &latent[size_t(t) * d];
                for (int i = 0; i < d; ++i)
                    c[i] += z * b[i];
            }
            normalise(c, d);
            m_spread[size_t(j)] = float(kSpreadLo * std::exp(r.uni() * std::log(spreadMax / kSpreadLo)));
            for (int t = 0; t < kLocal; ++t)
                m_dirIdx[size_t(j) * kLocal + t] = int(r.next() % kPool);
            for (int t = 0; t < kTopicWords; ++t)
                m_topics[size_t(j) * kTopicWords + t] = 100 + int(r.next() % (kVocabulary - 100));
            weight[size_t(j)] = std::exp(0.8 * r.gauss());
        }
        m_pool.resize(size_t(kPool) * d);
        for (auto &v : m_pool)
            v = r.gauss();
        for (int p = 0; p < kPool; ++p)
            normalise(&m_pool[size_t(p) * d], d);
        m_clusterCdf.resize(size_t(m_clusters));
        double acc = 0;
        for (int j = 0; j < m_clusters; ++j)
            m_clusterCdf[size_t(j)] = acc += weight[size_t(j)];
        for (auto &v : m_clusterCdf)
            v /= acc;
        m_wordCdf.resize(kVocabulary);
        acc = 0;
        for (int w = 0; w < kVocabulary; ++w)
            m_wordCdf[size_t(w)] = acc += 1.0 / (w + 1);
        for (auto &v : m_wordCdf)
            v /= acc;
    }

    int clusters() const { return m_clusters; }

    // A pronounceable pseudo-word, distinct per rank (three base-20 syllables).
    static QString word(int rank)
    {
        static const char *syl[20] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da",
                                      "fi", "go", "hu", "ja", "ke", "li", "mo", "nu", "pa", "re"};
        int x = rank + 421; // three syllables for every rank
        QString w;
        for (int i = 0; i < 3; ++i) {
            w += QLatin1String(syl[x % 20]);
            x /= 20;
        }
        return w + QLatin1Char('x');
    }

    NewItem item(qint64 i, const QString &spaceName, QString *siteOut) const
    {
        Rng r(m_seed * 0x100000001B3ull + quint64(i) * 0x9E3779B97F4A7C15ull);
        NewItem it;
        ItemRecord &rec = it.record;
        rec.filename = QStringLiteral("img%1.jpg").arg(i, 7, 10, QLatin1Char('0'));
        rec.uri = QStringLiteral("/bench/") + rec.filename;
        rec.size = 150000 + qint64(r.next() % 400000);
        rec.mtimeMs = 1600000000000ll + qint64(r.next() % 100000000000ll);
        rec.contentHash = QString::number(mix(m_seed ^ quint64(i)), 16).rightJustified(16, QLatin1Char('0'));
        rec.width = 1024 + int(r.next() % 3000);
        rec.height = 768 + int(r.next() % 2000);
        rec.format = QStringLiteral("jpeg");

        const int thumbBytes = 6144 + int(r.next() % 4096);
        it.thumbnailJpeg.resize(thumbBytes);
        auto *p = reinterpret_cast<unsigned char *>(it.thumbnailJpeg.data());
        for (int b = 0; b + 8 <= thumbBytes; b += 8) {
            const quint64 v = r.next();
            std::memcpy(p + b, &v, 8);
        }
        p[0] = 0xFF, p[1] = 0xD8, p[2] = 0xFF, p[3] = 0xE0;
        p[thumbBytes - 2] = 0xFF, p[thumbBytes - 1] = 0xD9;
        it.thumbnailWidth = 256;
        it.thumbnailHeight = 192;

        const double u = r.uni();
        int j = int(std::lower_bound(m_clusterCdf.begin(), m_clusterCdf.end(), u) - m_clusterCdf.begin());
        j = std::min(j, m_clusters - 1);
        it.spaceName = spaceName;
        it.embedding.resize(size_t(m_d));
        float *x = it.embedding.data();
        const float *c = &m_centres[size_t(j) * m_d];
        const float s = m_spread[size_t(j)];
        const float iso = kIso * s / std::sqrt(float(m_d));
        for (int k = 0; k < m_d; ++k)
            x[k] = c[k] + iso * r.gauss();
        for (int t = 0; t < kLocal; ++t) {
            const float z = kLoc * s * r.gauss() / std::sqrt(1.0f + t * 0.5f) / std::sqrt(float(kLocal) / 3.0f);
            const float *b = &m_pool[size_t(m_dirIdx[size_t(j) * kLocal + t]) * m_d];
            for (int k = 0; k < m_d; ++k)
                x[k] += z * b[k];
        }
        normalise(x, m_d);

        if (r.uni() < 0.1) {
            const int words = 8 + int(r.next() % 17);
            QStringList text;
            for (int w = 0; w < words; ++w) {
                int rank;
                if (r.uni() < 0.25)
                    rank = m_topics[size_t(j) * kTopicWords + int(r.next() % kTopicWords)];
                else
                    rank = int(std::lower_bound(m_wordCdf.begin(), m_wordCdf.end(), r.uni()) - m_wordCdf.begin());
                text << word(std::min(rank, kVocabulary - 1));
            }
            QString t = text.join(QLatin1Char(' '));
            t[0] = t[0].toUpper();
            it.report = t + QLatin1Char('.');
        }
        *siteOut = QStringLiteral("site-%1").arg(mix(m_seed * 31 + quint64(i)) % 10);
        return it;
    }

private:
    int m_d;
    quint64 m_seed;
    int m_clusters = 1;
    std::vector<float> m_centres, m_spread, m_pool;
    std::vector<int> m_dirIdx, m_topics;
    std::vector<double> m_clusterCdf, m_wordCdf;
};

// The word of the hybrid query number q (rank 20-99: in ~2-12% of the reports).
QString queryWord(quint64 seed, int q)
{
    Rng r(seed * 7919 + quint64(q) + 17);
    return Model::word(20 + int(r.next() % 80));
}

double peakRssMiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0; // KiB on Linux
}

double currentRssMiB()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? parts[1].toDouble() * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0) : 0;
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(f.readAll()).section(QLatin1Char(' '), 0, 2);
}

double elapsedMs(const QElapsedTimer &t) { return double(t.nsecsElapsed()) / 1e6; }

struct Stats
{
    double p50 = 0, p99 = 0, mean = 0;
};

Stats stats(std::vector<double> v)
{
    Stats s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, size_t(std::floor(q * double(v.size() - 1) + 0.5)))]; };
    s.p50 = at(0.5);
    s.p99 = at(0.99);
    for (double x : v)
        s.mean += x;
    s.mean /= double(v.size());
    return s;
}

QJsonObject toJson(const Stats &s)
{
    return QJsonObject{{QStringLiteral("p50"), s.p50}, {QStringLiteral("p99"), s.p99}, {QStringLiteral("mean"), s.mean}};
}

[[noreturn]] void die(const QString &what)
{
    std::fprintf(stderr, "bench_search: %s\n", qPrintable(what));
    std::fflush(stderr);
    _exit(1);
}

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::vprintf(fmt, ap);
    va_end(ap);
    std::fflush(stdout);
}

QString collectionDir(const Options &o, qint64 n)
{
    QString dir = QStringLiteral("%1-%2").arg(o.prefix).arg(n);
    if (o.dim != 704)
        dir += QStringLiteral("-d%1").arg(o.dim);
    if (o.spreadMax != Options{}.spreadMax)
        dir += QStringLiteral("-s%1").arg(o.spreadMax);
    return dir;
}

QString expectedName(const Options &o, qint64 n)
{
    return QStringLiteral("bench-search data=2 n=%1 d=%2 seed=%3 spread-max=%4").arg(n).arg(o.dim).arg(o.seed).arg(o.spreadMax);
}

QString spaceNameFor(const Options &o) { return QStringLiteral("image:synthetic-d%1").arg(o.dim); }

// Runs fn in a forked child; returns the JSON object it produced.
QJsonObject inChild(const std::function<QJsonObject()> &fn)
{
    int fds[2];
    if (pipe(fds) != 0)
        die(QStringLiteral("pipe"));
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0)
        die(QStringLiteral("fork"));
    if (pid == 0) {
        ::close(fds[0]);
        const QByteArray out = QJsonDocument(fn()).toJson(QJsonDocument::Compact);
        qint64 done = 0;
        while (done < out.size()) {
            const ssize_t w = ::write(fds[1], out.constData() + done, size_t(out.size() - done));
            if (w <= 0)
                _exit(1);
            done += w;
        }
        ::close(fds[1]);
        std::fflush(stdout);
        _exit(0);
    }
    ::close(fds[1]);
    QByteArray out;
    char buf[4096];
    ssize_t r;
    while ((r = ::read(fds[0], buf, sizeof buf)) > 0)
        out.append(buf, r);
    ::close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || out.isEmpty())
        die(QStringLiteral("a child failed (status %1)").arg(status));
    return QJsonDocument::fromJson(out).object();
}

// --- 1. build -------------------------------------------------------------------------------

QJsonObject buildPhase(const Options &o, qint64 n)
{
    const QString dir = collectionDir(o, n);
    const QString space = spaceNameFor(o);
    const QString statsFile = QDir(dir).filePath(QStringLiteral("bench-build.json"));
    std::unique_ptr<Collection> c;
    if (Collection::isCollection(dir)) {
        auto opened = Collection::open(dir);
        if (!opened)
            die(opened.errorMessage());
        c = std::move(*opened);
        if (c->name() != expectedName(o, n))
            die(QStringLiteral("%1 holds \"%2\", not \"%3\": remove it or pick another --dir").arg(dir, c->name(), expectedName(o, n)));
    } else {
        CollectionOptions co;
        co.embedderId = QStringLiteral("synthetic-d%1").arg(o.dim);
        co.dimension = o.dim;
        co.name = expectedName(o, n);
        auto created = Collection::create(dir, co);
        if (!created)
            die(created.errorMessage());
        c = std::move(*created);
        QFile::remove(statsFile);
    }
    if (c->imageSpaceName() != space)
        die(QStringLiteral("unexpected space %1").arg(c->imageSpaceName()));
    auto count = c->itemCount();
    if (!count)
        die(count.errorMessage());
    if (*count > n)
        die(QStringLiteral("%1 holds %2 items, more than %3").arg(dir).arg(*count).arg(n));

    // bench-build.json is written last: without it the build did not finish. Resume by
    // rewriting the last batch (its metadata is a second transaction), then go on.
    QJsonObject out;
    const bool complete = *count == n && QFile::exists(statsFile);
    if (complete) {
        QFile f(statsFile);
        if (f.open(QIODevice::ReadOnly))
            out = QJsonDocument::fromJson(f.readAll()).object();
        out[QStringLiteral("reused")] = true;
    }
    const qint64 start = complete ? n : std::max<qint64>(0, *count - o.batch);
    const Model model(n, o.dim, o.seed, o.spreadMax);
    QElapsedTimer t;
    if (start < n) {
        say("[%lld] writing items %lld..%lld into %s (%d clusters; load %s)\n", (long long)n, (long long)start,
            (long long)n - 1, qPrintable(dir), model.clusters(), qPrintable(loadAverage()));
        auto writer = c->openWriter();
        if (!writer)
            die(writer.errorMessage());
        t.start();
        double genMs = 0;
        qint64 bytes = 0, reports = 0, lastPrint = start;
        QElapsedTimer g;
        std::vector<NewItem> items;
        std::vector<QString> sites;
        for (qint64 b = start; b < n; b += o.batch) {
            const qint64 e = std::min<qint64>(n, b + o.batch);
            g.start();
            items.resize(size_t(e - b));
            sites.resize(size_t(e - b));
            // Two generator threads: the write is the part being measured.
            auto gen = [&](int part) {
                for (qint64 i = b + part; i < e; i += 2)
                    items[size_t(i - b)] = model.item(i, space, &sites[size_t(i - b)]);
            };
            std::thread other(gen, 1);
            gen(0);
            other.join();
            genMs += elapsedMs(g);
            for (const NewItem &it : items) {
                bytes += it.thumbnailJpeg.size() + qint64(it.embedding.size() * sizeof(float)) + it.record.uri.size() * 2;
                reports += it.report ? 1 : 0;
            }
            auto ids = (*writer)->writeItems(items);
            if (!ids)
                die(ids.errorMessage());
            std::vector<std::tuple<qint64, QString, QString>> meta;
            meta.reserve(ids->size());
            for (size_t k = 0; k < ids->size(); ++k)
                meta.emplace_back((*ids)[k], kFilterKey, sites[k]);
            if (auto r = (*writer)->setMetadata(meta); !r)
                die(r.errorMessage());
            if (e - lastPrint >= 100000 || e == n) {
                const double s = (elapsedMs(t) - genMs) / 1000;
                say("[%lld]   %lld items, %.0f items/s (generation excluded), load %s\n", (long long)n, (long long)e,
                    double(e - start) / s, qPrintable(loadAverage()));
                lastPrint = e;
            }
        }
        const double writeS = (elapsedMs(t) - genMs) / 1000;
        writer->reset();
        out = QJsonObject();
        out[QStringLiteral("reused")] = false;
        out[QStringLiteral("resumedFrom")] = double(start);
        out[QStringLiteral("writeS")] = writeS;
        out[QStringLiteral("itemsPerS")] = double(n - start) / writeS;
        out[QStringLiteral("mibPerS")] = double(bytes) / (1024.0 * 1024.0) / writeS;
        out[QStringLiteral("reportsWritten")] = double(reports);
        out[QStringLiteral("writeLoad")] = loadAverage();
        say("[%lld] wrote %lld items in %.1f s: %.0f items/s, %.1f MiB/s of payload (generation %.1f s, excluded)\n",
            (long long)n, (long long)(n - start), writeS, double(n - start) / writeS,
            double(bytes) / (1024.0 * 1024.0) / writeS, genMs / 1000);
    }
    // The writes above did not feed an in-memory index (none was loaded): index() builds it
    // from SQLite (IVF training above the exact threshold) and saves it, or loads the file.
    t.start();
    auto idx = c->index(space);
    if (!idx)
        die(idx.errorMessage());
    const double indexS = elapsedMs(t) / 1000;
    if (auto r = c->saveIndexes(); !r)
        die(r.errorMessage());
    say("[%lld] index %s in %.1f s: %s\n", (long long)n, start < n || !out.contains(QStringLiteral("indexS")) ? "built" : "loaded",
        indexS, qPrintable((*idx)->description()));
    if (start < n || !out.contains(QStringLiteral("indexS"))) {
        out[QStringLiteral("indexS")] = indexS;
        out[QStringLiteral("buildPeakRssMiB")] = peakRssMiB();
        out[QStringLiteral("indexDescription")] = (*idx)->description();
        qint64 dbBytes = 0;
        for (const QFileInfo &fi : QDir(dir).entryInfoList(QDir::Files))
            dbBytes += fi.size();
        out[QStringLiteral("dbMiB")] = double(dbBytes) / (1024.0 * 1024.0);
        QFile f(statsFile);
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            f.write(QJsonDocument(out).toJson());
    }
    idx->reset();
    c.reset();
    return out;
}

// --- 2. ground truth --------------------------------------------------------------------------

struct Truth
{
    quint64 revision = 0;
    std::vector<qint64> queryIds;
    std::vector<qint64> exact;    // queries × 10
    std::vector<qint64> filtered; // queries × 10
    double top1 = 0, top10 = 0, randomPair = 0, filteredFraction = 0;
};

QString truthFile(const Options &o, qint64 n) { return QDir(collectionDir(o, n)).filePath(QStringLiteral("bench-truth.bin")); }

bool readTruth(const QString &file, int queries, quint64 seed, quint64 revision, Truth &t)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    QDataStream in(&f);
    quint32 magic = 0, q = 0;
    quint64 s = 0, rev = 0;
    in >> magic >> q >> s >> rev;
    if (magic != 0x4C4B5354 || int(q) != queries || s != seed || rev != revision)
        return false;
    t.revision = rev;
    auto readIds = [&](std::vector<qint64> &v, size_t count) {
        v.resize(count);
        for (auto &x : v)
            in >> x;
    };
    readIds(t.queryIds, q);
    readIds(t.exact, size_t(q) * 10);
    readIds(t.filtered, size_t(q) * 10);
    in >> t.top1 >> t.top10 >> t.randomPair >> t.filteredFraction;
    return in.status() == QDataStream::Ok;
}

void writeTruth(const QString &file, int queries, quint64 seed, const Truth &t)
{
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        die(QStringLiteral("cannot write %1").arg(file));
    QDataStream out(&f);
    out << quint32(0x4C4B5354) << quint32(queries) << seed << t.revision;
    for (const auto *v : {&t.queryIds, &t.exact, &t.filtered})
        for (qint64 x : *v)
            out << x;
    out << t.top1 << t.top10 << t.randomPair << t.filteredFraction;
}

// Query positions: `count` distinct rows of [0, n), the first `queries` measured, the rest warm-up.
std::vector<qint64> queryRows(qint64 n, int count, quint64 seed)
{
    Rng r(seed * 104729 + 5);
    std::set<qint64> seen;
    std::vector<qint64> rows;
    while (int(rows.size()) < count && qint64(rows.size()) < n) {
        const qint64 x = qint64(r.next() % quint64(n));
        if (seen.insert(x).second)
            rows.push_back(x);
    }
    return rows;
}

QJsonObject truthPhase(const Options &o, qint64 n)
{
    const QString dir = collectionDir(o, n);
    const QString space = spaceNameFor(o);
    auto c = Collection::open(dir);
    if (!c)
        die(c.errorMessage());
    auto info = (*c)->space(space);
    if (!info || !*info)
        die(QStringLiteral("no space %1").arg(space));
    Truth t;
    if (readTruth(truthFile(o, n), o.queries, o.seed, (*info)->revision, t)) {
        say("[%lld] ground truth reused from %s\n", (long long)n, qPrintable(truthFile(o, n)));
        return QJsonObject{{QStringLiteral("truthS"), 0}};
    }
    QElapsedTimer timer;
    timer.start();
    t.revision = (*info)->revision;
    const int d = o.dim;
    auto allowed = (*c)->idsWithMetadata({{kFilterKey, kFilterValue}});
    if (!allowed)
        die(allowed.errorMessage());
    t.filteredFraction = double(allowed->size()) / double(n);
    const std::vector<qint64> rows = queryRows(n, o.queries, o.seed);
    std::vector<std::pair<qint64, int>> wanted; // row → query number
    for (int q = 0; q < int(rows.size()); ++q)
        wanted.push_back({rows[size_t(q)], q});
    std::sort(wanted.begin(), wanted.end());
    t.queryIds.assign(rows.size(), -1);
    std::vector<float> queries(rows.size() * size_t(d));

    auto all = VectorIndex::createEmpty(d);
    auto sub = VectorIndex::createEmpty(d);
    qint64 row = 0;
    size_t w = 0;
    std::vector<qint64> subIds;
    std::vector<float> subVecs;
    auto streamed = (*c)->forEachEmbedding(space, [&](std::span<const qint64> ids, std::span<const float> v) {
        if (!all->add(ids, v))
            die(QStringLiteral("exact index add"));
        subIds.clear();
        subVecs.clear();
        for (size_t k = 0; k < ids.size(); ++k, ++row) {
            while (w < wanted.size() && wanted[w].first == row) {
                t.queryIds[size_t(wanted[w].second)] = ids[k];
                std::copy_n(v.data() + k * size_t(d), d, queries.data() + size_t(wanted[w].second) * d);
                ++w;
            }
            if (std::binary_search(allowed->begin(), allowed->end(), ids[k])) {
                subIds.push_back(ids[k]);
                subVecs.insert(subVecs.end(), v.begin() + qsizetype(k * size_t(d)), v.begin() + qsizetype((k + 1) * size_t(d)));
            }
        }
        if (!subIds.empty() && !sub->add(subIds, subVecs))
            die(QStringLiteral("filtered index add"));
        return true;
    });
    if (!streamed)
        die(streamed.errorMessage());
    if (row != n || w != wanted.size())
        die(QStringLiteral("streamed %1 vectors, expected %2").arg(row).arg(n));
    const int k = 11;
    auto exact = all->searchBatch(queries, k);
    auto filt = sub->searchBatch(queries, k);
    if (!exact || !filt)
        die(QStringLiteral("ground truth search failed"));
    auto take10 = [&](const std::vector<ScoredId> &hits, qint64 self, std::vector<qint64> &out, double *s1, double *s10) {
        int got = 0;
        for (const ScoredId &h : hits) {
            if (h.id == self || got == 10)
                continue;
            if (s1 && got == 0)
                *s1 += h.score;
            if (s10 && got == 9)
                *s10 += h.score;
            out.push_back(h.id);
            ++got;
        }
        for (; got < 10; ++got)
            out.push_back(-1);
    };
    for (size_t q = 0; q < rows.size(); ++q) {
        take10((*exact)[q], t.queryIds[q], t.exact, &t.top1, &t.top10);
        take10((*filt)[q], t.queryIds[q], t.filtered, nullptr, nullptr);
        const size_t other = (q + 1) % rows.size();
        t.randomPair += dot(&queries[q * d], &queries[other * d], d);
    }
    t.top1 /= double(rows.size());
    t.top10 /= double(rows.size());
    t.randomPair /= double(rows.size());
    writeTruth(truthFile(o, n), o.queries, o.seed, t);
    const double s = elapsedMs(timer) / 1000;
    say("[%lld] ground truth for %zu queries in %.1f s; mean cosine to the 1st / 10th neighbour %.3f / %.3f, "
        "between random items %.3f; filter %s=%s keeps %.1f%%\n",
        (long long)n, rows.size(), s, t.top1, t.top10, t.randomPair, qPrintable(kFilterKey), qPrintable(kFilterValue),
        100 * t.filteredFraction);
    return QJsonObject{{QStringLiteral("truthS"), s}};
}

// --- 3. measure -------------------------------------------------------------------------------

void evictFromPageCache(const QString &dir)
{
    QStringList files;
    for (const QFileInfo &fi : QDir(dir).entryInfoList(QDir::Files))
        files << fi.absoluteFilePath();
    for (const QFileInfo &fi : QDir(QDir(dir).filePath(QStringLiteral("index"))).entryInfoList(QDir::Files))
        files << fi.absoluteFilePath();
    for (const QString &f : files) {
        const int fd = ::open(QFile::encodeName(f).constData(), O_RDONLY);
        if (fd < 0)
            continue;
        (void)fdatasync(fd);
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
    }
}

QJsonObject measurePhase(const Options &o, qint64 n)
{
    const QString dir = collectionDir(o, n);
    const QString space = spaceNameFor(o);
    QJsonObject out;
    out[QStringLiteral("loadAtStart")] = loadAverage();
    out[QStringLiteral("pageCacheEvicted")] = o.evict;
    if (o.evict)
        evictFromPageCache(dir);
    QElapsedTimer t;
    t.start();
    auto opened = Collection::open(dir);
    if (!opened)
        die(opened.errorMessage());
    const double openMs = elapsedMs(t);
    std::unique_ptr<Collection> c = std::move(*opened);
    t.restart();
    auto idx = c->index(space);
    if (!idx)
        die(idx.errorMessage());
    const double loadMs = elapsedMs(t);
    std::shared_ptr<VectorIndex> index = *idx;
    out[QStringLiteral("openMs")] = openMs;
    out[QStringLiteral("indexLoadMs")] = loadMs;
    if (o.targetRecall > 0) {
        // What-if for the index's owner: the same data with another calibration target. The
        // rebuilt index lives in this process only (the collection is never closed, so it is
        // never saved over the collection's file).
        index.reset();
        c.reset();
        IndexParams params;
        params.targetRecall = o.targetRecall;
        auto other = Collection::open(dir, params);
        if (!other)
            die(other.errorMessage());
        c = std::move(*other);
        t.restart();
        if (auto r = c->rebuildIndex(space); !r)
            die(r.errorMessage());
        out[QStringLiteral("whatIfRebuildS")] = elapsedMs(t) / 1000;
        out[QStringLiteral("whatIfTargetRecall")] = o.targetRecall;
        index = c->index(space).value();
        out[QStringLiteral("index")] = index->description();
        say("[%lld] rebuilt in memory for targetRecall %.3g in %.1f s\n", (long long)n, o.targetRecall, elapsedMs(t) / 1000);
    }
    out[QStringLiteral("index")] = index->description();
    out[QStringLiteral("rssAfterLoadMiB")] = currentRssMiB();
    say("[%lld] open %.1f ms, index load %.1f ms, page cache %s (%s), RSS %.0f MiB\n", (long long)n, openMs, loadMs,
        o.evict ? "evicted first" : "as left",
        qPrintable(index->description()), currentRssMiB());

    auto info = c->space(space);
    Truth truth;
    if (!info || !*info || !readTruth(truthFile(o, n), o.queries, o.seed, (*info)->revision, truth))
        die(QStringLiteral("ground truth missing or stale"));
    // Warm-up items: the rows after the measured ones, mapped to ids by uri.
    std::vector<qint64> warmIds;
    {
        const std::vector<qint64> all = queryRows(n, o.queries + o.warmup, o.seed);
        for (size_t i = size_t(o.queries); i < all.size(); ++i) {
            auto it = c->itemByUri(QStringLiteral("/bench/img%1.jpg").arg(all[i], 7, 10, QLatin1Char('0')));
            if (it && *it)
                warmIds.push_back((*it)->id);
        }
    }

    SearchEngine engine(*c, nullptr);
    auto makeQuery = [&](qint64 id, int kind, int q) {
        SearchQuery sq;
        sq.itemIds = {id};
        sq.k = 10;
        if (kind == 1)
            sq.text = queryWord(o.seed, q);
        if (kind == 2)
            sq.filters = {{kFilterKey, kFilterValue}};
        return sq;
    };
    for (int kind = 0; kind < 3; ++kind)
        for (size_t i = 0; i < warmIds.size(); ++i)
            if (auto r = engine.search(makeQuery(warmIds[i], kind, int(i) + o.queries)); !r)
                die(r.errorMessage());

    // The three query kinds and, for comparison, the raw index search the item query makes,
    // interleaved so that the machine's load (other engineers compile here) weighs on all
    // alike; at each step every kind runs a different query, so none finds another's rows in
    // the CPU caches.
    constexpr int kKinds = 4;
    const char *kindNames[kKinds] = {"item", "hybrid", "filtered", "index"};
    std::vector<double> lat[kKinds];
    double hits[kKinds] = {}, wanted[kKinds] = {};
    double textMatched = 0, exactResults = 0;
    auto score = [&](const std::vector<qint64> &gt, int q, const std::vector<qint64> &got, int kind) {
        std::set<qint64> truthSet;
        for (int j = 0; j < 10; ++j)
            if (gt[size_t(q) * 10 + j] >= 0)
                truthSet.insert(gt[size_t(q) * 10 + j]);
        for (qint64 id : got)
            hits[kind] += truthSet.count(id);
        wanted[kind] += double(truthSet.size());
    };
    for (int step = 0; step < o.queries; ++step) {
        for (int kind = 0; kind < kKinds; ++kind) {
            const int q = (step + kind * o.queries / kKinds) % o.queries;
            const qint64 queryId = truth.queryIds[size_t(q)];
            std::vector<qint64> got;
            if (kind == 3) {
                const std::vector<float> qvec = c->embedding(queryId, space).value();
                t.restart();
                auto r = index->search(qvec, 101);
                lat[kind].push_back(elapsedMs(t));
                if (!r)
                    die(r.errorMessage());
                for (const ScoredId &h : *r)
                    if (h.id != queryId && got.size() < 10)
                        got.push_back(h.id);
                score(truth.exact, q, got, kind);
                continue;
            }
            const SearchQuery sq = makeQuery(queryId, kind, q);
            t.restart();
            auto r = engine.search(sq);
            lat[kind].push_back(elapsedMs(t));
            if (!r)
                die(r.errorMessage());
            if (r->hits.size() != 10)
                die(QStringLiteral("%1 query returned %2 hits").arg(QLatin1String(kindNames[kind])).arg(r->hits.size()));
            for (const SearchHit &h : r->hits) {
                if (h.item.id != h.id || h.item.uri.isEmpty())
                    die(QStringLiteral("hit %1 came without its row").arg(h.id));
                got.push_back(h.id);
            }
            if (kind == 0) {
                exactResults += r->exact ? 1 : 0;
                score(truth.exact, q, got, kind);
            } else if (kind == 2) {
                score(truth.filtered, q, got, kind);
            } else {
                // Outside the timing: every image score must be the exact cosine, whether the
                // hit came from the index or from the text matches alone.
                const std::vector<float> qvec = c->embedding(queryId, space).value();
                for (const SearchHit &h : r->hits) {
                    textMatched += h.matchedText ? 1 : 0;
                    const std::vector<float> v = c->embedding(h.id, space).value();
                    if (std::abs(dot(qvec.data(), v.data(), o.dim) - h.imageScore) > 1e-4f)
                        die(QStringLiteral("hybrid hit %1: image score %2, exact %3")
                                .arg(h.id)
                                .arg(h.imageScore)
                                .arg(dot(qvec.data(), v.data(), o.dim)));
                }
            }
        }
    }
    for (int kind = 0; kind < kKinds; ++kind) {
        const Stats s = stats(lat[kind]);
        QJsonObject k = toJson(s);
        const double recall = wanted[kind] > 0 ? hits[kind] / wanted[kind] : 1;
        if (kind != 1)
            k[QStringLiteral("recall10")] = recall;
        out[QLatin1String(kindNames[kind])] = k;
        say("[%lld] %-8s p50 %7.2f ms  p99 %7.2f ms  mean %7.2f ms%s\n", (long long)n, kindNames[kind], s.p50, s.p99,
            s.mean, kind == 1 ? "" : qPrintable(QStringLiteral("  recall@10 %1").arg(recall, 0, 'f', 3)));
    }
    say("[%lld] (load %s)\n", (long long)n, qPrintable(loadAverage()));
    out[QStringLiteral("hybridTextHitsPerPage")] = textMatched / o.queries;
    out[QStringLiteral("exactFraction")] = exactResults / o.queries;

    // Where the time goes: the engine's calls, one at a time, over the same queries.
    QJsonObject parts;
    auto part = [&](const char *name, const std::function<void(int)> &fn) {
        std::vector<double> lat;
        for (int q = 0; q < o.queries; ++q) {
            t.restart();
            fn(q);
            lat.push_back(elapsedMs(t));
        }
        const Stats s = stats(lat);
        parts[QLatin1String(name)] = toJson(s);
        say("[%lld]   part %-34s p50 %8.3f ms  p99 %8.3f ms\n", (long long)n, name, s.p50, s.p99);
    };
    std::vector<std::vector<float>> qv(size_t(o.queries));
    std::vector<std::vector<qint64>> pages(size_t(o.queries));
    std::vector<qint64> allowed;
    qint64 textMatches = 0;
    part("space()", [&](int) { (void)c->space(space); });
    part("index() (revision check)", [&](int) { (void)c->index(space); });
    part("embedding(query item)", [&](int q) { qv[size_t(q)] = c->embedding(truth.queryIds[size_t(q)], space).value(); });
    part("index search k=101", [&](int q) {
        auto r = index->search(qv[size_t(q)], 101);
        for (const ScoredId &h : *r)
            if (h.id != truth.queryIds[size_t(q)] && pages[size_t(q)].size() < 10)
                pages[size_t(q)].push_back(h.id);
    });
    part("itemsByIds(10)", [&](int q) { (void)c->itemsByIds(pages[size_t(q)]); });
    part("reports(10)", [&](int q) { (void)c->reports(pages[size_t(q)]); });
    part("thumbnail() x10 (GUI, not engine)", [&](int q) {
        for (qint64 id : pages[size_t(q)])
            (void)c->thumbnail(id);
    });
    part("searchReports(word, 10000)", [&](int q) {
        auto r = c->searchReports(FtsQuery::allOf(queryWord(o.seed, q)), SearchEngine::kMaxTextMatches);
        textMatches += qint64(r->size());
    });
    part("embedding() x100 (hybrid text-only)", [&](int q) {
        for (int j = 0; j < 100; ++j)
            (void)c->embedding(truth.queryIds[size_t((q + j) % o.queries)], space);
    });
    part("idsWithMetadata(site=site-3)", [&](int) { allowed = c->idsWithMetadata({{kFilterKey, kFilterValue}}).value(); });
    part("index search k=101, filtered", [&](int q) { (void)index->search(qv[size_t(q)], 101, allowed); });
    out[QStringLiteral("parts")] = parts;
    out[QStringLiteral("textMatchesPerQuery")] = double(textMatches) / o.queries;
    out[QStringLiteral("allowed")] = double(allowed.size());
    say("[%lld] text matches per hybrid query: %.0f (capped at %d); filter keeps %zu items\n", (long long)n,
        double(textMatches) / o.queries, SearchEngine::kMaxTextMatches, allowed.size());
    out[QStringLiteral("peakRssMiB")] = peakRssMiB();
    out[QStringLiteral("loadAtEnd")] = loadAverage();
    index.reset();
    if (o.targetRecall > 0) {
        (void)c.release(); // never saved; the child _exits
        return out;
    }
    c.reset();
    // A second open, files now in the page cache (what a restart of the app sees).
    t.restart();
    auto again = Collection::open(dir);
    if (!again)
        die(again.errorMessage());
    if (auto r = (*again)->index(space); !r)
        die(r.errorMessage());
    out[QStringLiteral("warmOpenAndLoadMs")] = elapsedMs(t);
    say("[%lld] warm open + index load %.1f ms\n", (long long)n, elapsedMs(t));
    return out;
}

} // namespace

int main(int argc, char **argv)
{

    Options o;
    for (int i = 1; i < argc; ++i) {
        const QString a = QString::fromLocal8Bit(argv[i]);
        auto next = [&]() -> QString {
            if (i + 1 >= argc)
                die(QStringLiteral("%1 needs a value").arg(a));
            return QString::fromLocal8Bit(argv[++i]);
        };
        if (a == QLatin1String("--sizes")) {
            o.sizes.clear();
            for (const QString &s : next().split(QLatin1Char(','), Qt::SkipEmptyParts))
                o.sizes.push_back(s.toLongLong());
        } else if (a == QLatin1String("--dim")) {
            o.dim = next().toInt();
        } else if (a == QLatin1String("--queries")) {
            o.queries = next().toInt();
        } else if (a == QLatin1String("--warmup")) {
            o.warmup = next().toInt();
        } else if (a == QLatin1String("--batch")) {
            o.batch = next().toInt();
        } else if (a == QLatin1String("--seed")) {
            o.seed = next().toULongLong();
        } else if (a == QLatin1String("--dir")) {
            o.prefix = next();
        } else if (a == QLatin1String("--spread-max")) {
            o.spreadMax = next().toDouble();
        } else if (a == QLatin1String("--target-recall")) {
            o.targetRecall = next().toDouble();
        } else if (a == QLatin1String("--build-only")) {
            o.buildOnly = true;
        } else if (a == QLatin1String("--no-evict")) {
            o.evict = false;
        } else {
            std::printf("usage: bench_search [--sizes 10000,100000,1000000] [--dim 704] [--queries 300] [--warmup 30]\n"
                        "                    [--batch 4000] [--seed 1] [--spread-max 1.7] [--dir /tmp/lookalike-bench-search]\n"
                        "                    [--build-only] [--no-evict] [--target-recall R]\n"
                        "Collections go to <dir>-<N>[-d<dim> unless 704][-s<spread-max> unless 1.7], and are reused.\n");
            return a == QLatin1String("--help") ? 0 : 2;
        }
    }
    if (o.dim <= 0 || o.queries <= 0 || o.batch <= 0 || o.sizes.empty() || !(o.spreadMax >= Model::kSpreadLo))
        die(QStringLiteral("bad options"));
    for (qint64 n : o.sizes)
        if (n < o.queries + o.warmup + 11)
            die(QStringLiteral("size %1 is too small for %2 queries").arg(n).arg(o.queries + o.warmup));
    say("bench_search: d=%d, cluster spread [%.2g, %.2g], %d queries (+%d warm-up), k=10, batch %d, %u hardware threads, "
        "load %s\n",
        o.dim, Model::kSpreadLo, o.spreadMax, o.queries, o.warmup, o.batch, std::thread::hardware_concurrency(),
        qPrintable(loadAverage()));

    QStringList table;
    for (qint64 n : o.sizes) {
        const QJsonObject build = inChild([&] { return buildPhase(o, n); });
        if (o.buildOnly)
            continue;
        const QJsonObject truth = inChild([&] { return truthPhase(o, n); });
        const QJsonObject m = inChild([&] { return measurePhase(o, n); });
        auto ms = [&](const char *kind, const char *stat) {
            return QString::number(m[QLatin1String(kind)].toObject()[QLatin1String(stat)].toDouble(), 'f', 2);
        };
        const QString buildCell = build[QStringLiteral("writeS")].isUndefined()
            ? QStringLiteral("?")
            : QStringLiteral("%1 s (%2 items/s)")
                  .arg(build[QStringLiteral("writeS")].toDouble(), 0, 'f', 1)
                  .arg(build[QStringLiteral("itemsPerS")].toDouble(), 0, 'f', 0);
        table << QStringLiteral("| %1 | %2 | %3 | %4 s | %5 / %6 ms | %7 / %8 | %9 | %10 / %11 | %12 / %13 | %14 | %15 | %16 MiB | %17 |")
                     .arg(n)
                     .arg(o.dim)
                     .arg(buildCell)
                     .arg(build[QStringLiteral("indexS")].toDouble(), 0, 'f', 1)
                     .arg(m[QStringLiteral("openMs")].toDouble(), 0, 'f', 0)
                     .arg(m[QStringLiteral("indexLoadMs")].toDouble(), 0, 'f', 0)
                     .arg(ms("item", "p50"), ms("item", "p99"))
                     .arg(m[QStringLiteral("item")].toObject()[QStringLiteral("recall10")].toDouble(), 0, 'f', 3)
                     .arg(ms("hybrid", "p50"), ms("hybrid", "p99"))
                     .arg(ms("filtered", "p50"), ms("filtered", "p99"))
                     .arg(m[QStringLiteral("filtered")].toObject()[QStringLiteral("recall10")].toDouble(), 0, 'f', 3)
                     .arg(ms("index", "p50"))
                     .arg(m[QStringLiteral("peakRssMiB")].toDouble(), 0, 'f', 0)
                     .arg(m[QStringLiteral("loadAtStart")].toString().section(QLatin1Char(' '), 0, 0));
        QJsonObject line{{QStringLiteral("bench"), QStringLiteral("search")},
                         {QStringLiteral("n"), double(n)},
                         {QStringLiteral("dim"), o.dim},
                         {QStringLiteral("spreadMax"), o.spreadMax},
                         {QStringLiteral("queries"), o.queries},
                         {QStringLiteral("build"), build},
                         {QStringLiteral("truth"), truth},
                         {QStringLiteral("measure"), m}};
        say("JSON %s\n", QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
    }
    if (!table.isEmpty()) {
        say("\n| N | d | write (items/s) | index build | cold open / index load | item p50 / p99 ms | recall@10 | "
            "hybrid p50 / p99 ms | filtered p50 / p99 ms | filtered recall@10 | index alone p50 ms | peak RSS | load |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n",
            qPrintable(table.join(QLatin1Char('\n'))));
    }
    return 0;
}
