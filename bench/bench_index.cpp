// Vector index benchmark: build time, peak memory, single-query latency, recall@10 against
// exact search, filtered and batch search, save/load time, for the index a collection of N
// vectors gets (VectorIndex::build with default IndexParams).
//
//   bench_index --sizes 10000,100000,1000000 --dim 512 --queries 200
//
// Data: a clustered synthetic set meant to behave like image embeddings (uniform random
// vectors are the worst case for any ANN index and unlike real descriptors): a two-level
// mixture of Gaussian clusters on the unit sphere. `--clusters` clusters (default 2048) are
// grouped under clusters/64 super-clusters; a cluster centre is its super-centre plus
// isotropic noise (tau 1.5); cluster sizes are Zipf-distributed (exponent 0.7); each cluster
// spreads along 64 directions drawn from a shared pool of 2048 with decaying variance plus
// isotropic noise of the same scale, with a spread drawn log-uniformly in [0.6, 2.5]; every
// row is L2-normalised. `--uniform` uses uniform random unit vectors instead.
// Queries are held-out samples of the same mixture (never indexed), i.e. new images of the
// kinds the collection holds.
//
// Each size runs in a forked child so that its peak RSS (getrusage ru_maxrss) is its own.
// The bench keeps its own copy of the vectors (N·d·4 bytes, the "data" column) to stream
// them into the index, and, after the build, an exact flat index for ground truth.

#include "collection/vectorindex.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStringList>
#include <QTemporaryDir>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace lookalike;

namespace {

struct Options
{
    std::vector<qint64> sizes = {10000, 100000, 1000000};
    int dim = 512;
    int queries = 200;
    int clusters = 2048;
    bool uniform = false;
    qint64 threshold = IndexParams{}.exactThreshold;
};

// xorshift64 + Box-Muller: fast and identical on every machine.
struct Rng
{
    quint64 s;
    float spare = 0;
    bool hasSpare = false;
    explicit Rng(quint64 seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull)
    {
        for (int i = 0; i < 4; ++i)
            next();
    }
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

class Mixture
{
public:
    Mixture(int d, int clusters, bool uniform) : m_d(d), m_clusters(clusters), m_uniform(uniform)
    {
        if (uniform)
            return;
        Rng r(7);
        const int nSuper = std::max(1, clusters / 64);
        std::vector<float> super(size_t(nSuper) * d);
        for (auto &v : super)
            v = r.gauss();
        for (int a = 0; a < nSuper; ++a)
            normalise(&super[size_t(a) * d], d);
        m_centres.resize(size_t(clusters) * d);
        m_spread.resize(size_t(clusters));
        m_dirIdx.resize(size_t(clusters) * kRank);
        for (int j = 0; j < clusters; ++j) {
            const int a = int(r.next() % quint64(nSuper));
            float *c = &m_centres[size_t(j) * d];
            for (int i = 0; i < d; ++i)
                c[i] = super[size_t(a) * d + i] + kTau * r.gauss() / std::sqrt(float(d));
            normalise(c, d);
            m_spread[size_t(j)] = float(kSpreadLo * std::exp(r.uni() * std::log(kSpreadHi / kSpreadLo)));
            for (int t = 0; t < kRank; ++t)
                m_dirIdx[size_t(j) * kRank + t] = int(r.next() % kPool);
        }
        m_dirs.resize(size_t(kPool) * d);
        for (auto &v : m_dirs)
            v = r.gauss();
        for (int p = 0; p < kPool; ++p)
            normalise(&m_dirs[size_t(p) * d], d);
        m_cdf.resize(size_t(clusters));
        double acc = 0;
        for (int j = 0; j < clusters; ++j)
            m_cdf[size_t(j)] = acc += std::pow(j + 10.0, -kZipf);
        for (auto &v : m_cdf)
            v /= acc;
        for (int t = 0; t < kRank; ++t)
            m_rankScale[t] = float(std::sqrt(2.0 / (1 + t * 0.25)) / std::sqrt(double(kRank)));
    }

    void sample(Rng &r, float *x) const
    {
        if (m_uniform) {
            for (int i = 0; i < m_d; ++i)
                x[i] = r.gauss();
            normalise(x, m_d);
            return;
        }
        int j = int(std::lower_bound(m_cdf.begin(), m_cdf.end(), r.uni()) - m_cdf.begin());
        j = std::min(j, m_clusters - 1);
        const float *c = &m_centres[size_t(j) * m_d];
        const float s = m_spread[size_t(j)];
        const float iso = kIso * s / std::sqrt(float(m_d));
        for (int i = 0; i < m_d; ++i)
            x[i] = c[i] + iso * r.gauss();
        for (int t = 0; t < kRank; ++t) {
            const float z = s * r.gauss() * m_rankScale[t];
            const float *b = &m_dirs[size_t(m_dirIdx[size_t(j) * kRank + t]) * m_d];
            for (int i = 0; i < m_d; ++i)
                x[i] += z * b[i];
        }
        normalise(x, m_d);
    }

private:
    static constexpr int kRank = 64;
    static constexpr int kPool = 2048;
    static constexpr float kTau = 1.5f;
    static constexpr double kSpreadLo = 0.6, kSpreadHi = 2.5;
    static constexpr float kIso = 1.0f;
    static constexpr double kZipf = 0.7;

    int m_d;
    int m_clusters;
    bool m_uniform;
    std::vector<float> m_centres, m_spread, m_dirs;
    std::vector<int> m_dirIdx;
    std::vector<double> m_cdf;
    float m_rankScale[kRank] = {};
};

// Rows [0, n) of the data set, generated in blocks of 10k rows seeded by block number so
// that a prefix of a larger set equals the smaller set.
std::vector<float> generate(const Mixture &m, qint64 n, int d, quint64 stream)
{
    std::vector<float> x(size_t(n) * d);
    constexpr qint64 kBlock = 10000;
    const qint64 blocks = (n + kBlock - 1) / kBlock;
    const unsigned nThreads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < nThreads; ++t)
        threads.emplace_back([&, t] {
            for (qint64 b = t; b < blocks; b += nThreads) {
                Rng r(stream * 1000003 + quint64(b));
                for (qint64 i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i)
                    m.sample(r, &x[size_t(i) * d]);
            }
        });
    for (auto &t : threads)
        t.join();
    return x;
}

class ArraySource final : public VectorSource
{
public:
    ArraySource(const std::vector<float> &x, qint64 n, int d) : m_x(x), m_n(n), m_d(d) {}
    qint64 count() const override { return m_n; }
    int dimension() const override { return m_d; }
    Result<void> forEachBatch(const BatchFn &fn) const override
    {
        constexpr qint64 kBatch = 5000; // about what a SQLite reader hands out
        std::vector<qint64> ids;
        for (qint64 s = 0; s < m_n; s += kBatch) {
            const qint64 n = std::min(kBatch, m_n - s);
            ids.resize(size_t(n));
            for (qint64 i = 0; i < n; ++i)
                ids[size_t(i)] = idOf(s + i);
            if (!fn(ids, std::span<const float>(m_x.data() + s * m_d, size_t(n * m_d))))
                break;
        }
        return {};
    }
    // Sparse, non-contiguous ids like SQLite rowids after deletions.
    static qint64 idOf(qint64 row) { return 1000 + row * 3; }

private:
    const std::vector<float> &m_x;
    qint64 m_n;
    int m_d;
};

double rssMiB()
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
    return QString::fromLatin1(f.readAll()).section(QLatin1Char(' '), 0, 0);
}

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

double elapsedMs(const QElapsedTimer &t) { return double(t.nsecsElapsed()) / 1e6; }

[[noreturn]] void die(const QString &what)
{
    std::fprintf(stderr, "bench_index: %s\n", qPrintable(what));
    std::fflush(stderr);
    _exit(1);
}

// Runs one size; returns a markdown table row.
QString runSize(const Options &o, qint64 n)
{
    const int d = o.dim;
    const Mixture mixture(d, o.clusters, o.uniform);
    QElapsedTimer t;
    t.start();
    std::vector<float> data = generate(mixture, n, d, 1);
    const std::vector<float> queries = generate(mixture, o.queries, d, 2); // held out: another stream
    std::printf("[%lld] generated %lld×%d + %d queries in %.1f s (load %s)\n", (long long)n, (long long)n, d, o.queries,
                elapsedMs(t) / 1000, qPrintable(loadAverage()));
    std::fflush(stdout);
    const double rssBefore = currentRssMiB();

    IndexParams params;
    params.exactThreshold = o.threshold;
    ArraySource source(data, n, d);
    t.restart();
    auto built = VectorIndex::build(source, params);
    const double buildS = elapsedMs(t) / 1000;
    if (!built)
        die(built.errorMessage());
    auto index = std::move(built).value();
    const double peakRss = rssMiB();
    const QString kind = index->description();
    const double indexRss = currentRssMiB() - rssBefore;
    std::printf("[%lld] built %s in %.1f s; peak RSS %.0f MiB (index ~%.0f MiB)\n", (long long)n,
                qPrintable(index->description()), buildS, peakRss, indexRss);
    std::fflush(stdout);

    // Single-query latency, one query at a time from one thread (what the GUI does).
    auto q = [&](int i) { return std::span<const float>(queries.data() + size_t(i) * d, size_t(d)); };
    for (int i = 0; i < std::min(10, o.queries); ++i)
        (void)index->search(q(i), 10);
    std::vector<double> lat;
    std::vector<std::vector<ScoredId>> approx;
    for (int i = 0; i < o.queries; ++i) {
        t.restart();
        auto r = index->search(q(i), 10);
        lat.push_back(elapsedMs(t));
        if (!r)
            die(r.errorMessage());
        approx.push_back(std::move(r).value());
    }
    const Stats single = stats(lat);

    // Batch throughput (near-duplicate finder path).
    t.restart();
    auto batch = index->searchBatch(queries, 10);
    const double batchMsPerQuery = elapsedMs(t) / o.queries;
    if (!batch)
        die(batch.errorMessage());

    // Filtered search: 1% and 10% of the ids allowed.
    auto filtered = [&](double fraction, double &recallOut) {
        std::vector<qint64> allowed;
        Rng r(11);
        for (qint64 i = 0; i < n; ++i)
            if (r.uni() < fraction)
                allowed.push_back(ArraySource::idOf(i));
        std::vector<double> fl;
        double hits = 0, wanted = 0;
        auto exactIndex = VectorIndex::createEmpty(d);
        std::vector<float> sub;
        sub.reserve(allowed.size() * d);
        for (qint64 id : allowed) {
            const qint64 row = (id - 1000) / 3;
            sub.insert(sub.end(), data.begin() + row * d, data.begin() + (row + 1) * d);
        }
        if (!exactIndex->add(allowed, sub))
            die(QStringLiteral("filtered ground truth"));
        const int nq = std::min(o.queries, 100);
        auto gt = exactIndex->searchBatch(std::span<const float>(queries.data(), size_t(nq) * d), 10);
        for (int i = 0; i < nq; ++i) {
            t.restart();
            auto res = index->search(q(i), 10, allowed);
            fl.push_back(elapsedMs(t));
            if (!res)
                die(res.errorMessage());
            std::set<qint64> truth;
            for (const auto &s : (*gt)[size_t(i)])
                truth.insert(s.id);
            for (const auto &s : *res) {
                if (!std::binary_search(allowed.begin(), allowed.end(), s.id))
                    die(QStringLiteral("filtered search returned an id outside the allowed set"));
                hits += truth.count(s.id);
            }
            wanted += double(truth.size());
        }
        recallOut = wanted > 0 ? hits / wanted : 1.0;
        return stats(fl).p50;
    };
    double recall1 = 0, recall10 = 0;
    const double filter1 = filtered(0.01, recall1);
    const double filter10 = filtered(0.10, recall10);

    // Save and load (the file lands in the page cache, so load reads from memory).
    QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/bench_index-XXXXXX"));
    const QString file = dir.filePath(QStringLiteral("index/space.faiss"));
    t.restart();
    if (auto r = index->save(file, 1); !r)
        die(r.errorMessage());
    const double saveS = elapsedMs(t) / 1000;
    const double fileMiB = double(QFileInfo(file).size()) / (1024.0 * 1024.0);
    t.restart();
    auto loaded = VectorIndex::load(file, 1, n, d, params);
    const double loadS = elapsedMs(t) / 1000;
    if (!loaded)
        die(loaded.errorMessage());
    loaded.value().reset();

    // Exact ground truth (BLAS batch over a flat copy) and exact single-query latency.
    double recall = 1.0;
    Stats exactSingle = single;
    if (!index->isExact()) {
        auto exact = VectorIndex::createEmpty(d);
        std::vector<qint64> ids(static_cast<size_t>(n));
        for (qint64 i = 0; i < n; ++i)
            ids[size_t(i)] = ArraySource::idOf(i);
        if (!exact->add(ids, data))
            die(QStringLiteral("exact copy"));
        auto gt = exact->searchBatch(queries, 10);
        if (!gt)
            die(gt.errorMessage());
        double hits = 0, wanted = 0;
        for (int i = 0; i < o.queries; ++i) {
            std::set<qint64> truth;
            for (const auto &s : (*gt)[size_t(i)])
                truth.insert(s.id);
            for (const auto &s : approx[size_t(i)])
                hits += truth.count(s.id);
            wanted += double(truth.size());
        }
        recall = hits / wanted;
        std::vector<double> el;
        for (int i = 0; i < std::min(o.queries, 30); ++i) {
            t.restart();
            (void)exact->search(q(i), 10);
            el.push_back(elapsedMs(t));
        }
        exactSingle = stats(el);
    }
    index.reset();
    data = {};

    const QString row = QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 | %9 | %10 | %11 | %12 | %13 | %14 | %15 |")
                            .arg(n)
                            .arg(kind)
                            .arg(buildS, 0, 'f', 1)
                            .arg(peakRss, 0, 'f', 0)
                            .arg(single.p50, 0, 'f', 2)
                            .arg(single.p99, 0, 'f', 2)
                            .arg(recall, 0, 'f', 3)
                            .arg(exactSingle.p50, 0, 'f', 1)
                            .arg(batchMsPerQuery, 0, 'f', 2)
                            .arg(QStringLiteral("%1 / %2").arg(filter1, 0, 'f', 2).arg(recall1, 0, 'f', 3))
                            .arg(QStringLiteral("%1 / %2").arg(filter10, 0, 'f', 2).arg(recall10, 0, 'f', 3))
                            .arg(fileMiB, 0, 'f', 0)
                            .arg(saveS, 0, 'f', 2)
                            .arg(loadS, 0, 'f', 2)
                            .arg(loadAverage());
    return row;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        const QString a = args[i];
        auto next = [&]() -> QString {
            if (i + 1 >= args.size())
                die(QStringLiteral("%1 needs a value").arg(a));
            return args[++i];
        };
        if (a == QLatin1String("--sizes")) {
            o.sizes.clear();
            for (const QString &s : next().split(QLatin1Char(','), Qt::SkipEmptyParts))
                o.sizes.push_back(s.toLongLong());
        } else if (a == QLatin1String("--dim")) {
            o.dim = next().toInt();
        } else if (a == QLatin1String("--queries")) {
            o.queries = next().toInt();
        } else if (a == QLatin1String("--clusters")) {
            o.clusters = next().toInt();
        } else if (a == QLatin1String("--threshold")) {
            o.threshold = next().toLongLong();
        } else if (a == QLatin1String("--uniform")) {
            o.uniform = true;
        } else {
            std::printf("usage: bench_index [--sizes 10000,100000,1000000] [--dim 512] [--queries 200]\n"
                        "                   [--clusters 2048] [--threshold %lld] [--uniform]\n",
                        (long long)IndexParams{}.exactThreshold);
            return a == QLatin1String("--help") ? 0 : 2;
        }
    }
    if (o.dim <= 0 || o.queries <= 0 || o.sizes.empty())
        die(QStringLiteral("bad options"));

    std::printf("bench_index: d=%d, %d queries, data %s, exact threshold %lld, %u hardware threads\n", o.dim, o.queries,
                o.uniform ? "uniform random" : qPrintable(QStringLiteral("clustered (%1 clusters)").arg(o.clusters)),
                (long long)o.threshold, std::thread::hardware_concurrency());
    std::fflush(stdout);
    QStringList rows;
    for (qint64 n : o.sizes) {
        int fds[2];
        if (pipe(fds) != 0)
            die(QStringLiteral("pipe"));
        const pid_t pid = fork();
        if (pid < 0)
            die(QStringLiteral("fork"));
        if (pid == 0) {
            ::close(fds[0]);
            const QByteArray row = runSize(o, n).toUtf8();
            if (::write(fds[1], row.constData(), size_t(row.size())) != row.size())
                _exit(1);
            ::close(fds[1]);
            std::fflush(stdout);
            _exit(0);
        }
        ::close(fds[1]);
        QByteArray row;
        char buf[4096];
        ssize_t r;
        while ((r = ::read(fds[0], buf, sizeof buf)) > 0)
            row.append(buf, r);
        ::close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || row.isEmpty())
            die(QStringLiteral("size %1 failed").arg(n));
        rows << QString::fromUtf8(row);
    }
    std::printf("\n| N | kind | build s | peak RSS MiB | query p50 ms | query p99 ms | recall@10 | exact p50 ms | batch ms/query "
                "| 1%% filter p50 ms / recall | 10%% filter p50 ms / recall | file MiB | save s | load s | load avg |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const QString &row : rows)
        std::printf("%s\n", qPrintable(row));
    return 0;
}
