#include "collection/vectorindex.h"
#include "testsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <thread>

using namespace lookalike;
using namespace lookalike::test;

namespace {

// Row-major vectors with their ids.
struct Data
{
    int dim = 0;
    std::vector<qint64> ids;
    std::vector<float> x;

    qint64 size() const { return qint64(ids.size()); }
    std::span<const float> row(qint64 i) const { return {x.data() + i * dim, size_t(dim)}; }
};

void normalise(float *v, int dim)
{
    double s = 0;
    for (int i = 0; i < dim; ++i)
        s += double(v[i]) * v[i];
    const float f = float(1.0 / std::sqrt(std::max(s, 1e-30)));
    for (int i = 0; i < dim; ++i)
        v[i] *= f;
}

// Uniform random unit vectors; ids start at firstId with the given stride.
Data randomData(qint64 n, int dim, quint32 seed, qint64 firstId = 1, qint64 stride = 3)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g;
    Data d;
    d.dim = dim;
    d.x.resize(size_t(n) * dim);
    for (qint64 i = 0; i < n; ++i) {
        d.ids.push_back(firstId + i * stride);
        for (int j = 0; j < dim; ++j)
            d.x[size_t(i * dim + j)] = g(rng);
        normalise(&d.x[size_t(i * dim)], dim);
    }
    return d;
}

// A mixture of Gaussian clusters (unit vectors), the structure ANN indexes rely on.
// The first `n` rows are data; `queries` more rows from the same mixture follow in `held`.
Data clusteredData(qint64 n, int dim, int clusters, float spread, quint32 seed, Data *held = nullptr, int queries = 0)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g;
    std::vector<float> centres(size_t(clusters) * dim);
    for (auto &c : centres)
        c = g(rng);
    for (int c = 0; c < clusters; ++c)
        normalise(&centres[size_t(c) * dim], dim);
    auto sample = [&](float *out) {
        const int c = int(rng() % unsigned(clusters));
        for (int j = 0; j < dim; ++j)
            out[j] = centres[size_t(c) * dim + j] + spread * g(rng) / std::sqrt(float(dim));
        normalise(out, dim);
    };
    Data d;
    d.dim = dim;
    d.x.resize(size_t(n) * dim);
    for (qint64 i = 0; i < n; ++i) {
        d.ids.push_back(100 + i);
        sample(&d.x[size_t(i * dim)]);
    }
    if (held) {
        held->dim = dim;
        held->x.resize(size_t(queries) * dim);
        held->ids.assign(size_t(queries), -1);
        for (int i = 0; i < queries; ++i)
            sample(&held->x[size_t(i) * dim]);
    }
    return d;
}

// Exact top-k by brute force over the rows of `d` whose id passes `keep`.
template <typename Keep>
std::vector<ScoredId> bruteForce(const Data &d, std::span<const float> q, int k, Keep keep)
{
    std::vector<ScoredId> all;
    for (qint64 i = 0; i < d.size(); ++i) {
        if (!keep(d.ids[size_t(i)]))
            continue;
        double s = 0;
        for (int j = 0; j < d.dim; ++j)
            s += double(q[size_t(j)]) * d.x[size_t(i * d.dim + j)];
        all.push_back({d.ids[size_t(i)], float(s)});
    }
    std::sort(all.begin(), all.end(), [](const ScoredId &a, const ScoredId &b) { return a.score > b.score; });
    if (qint64(all.size()) > k)
        all.resize(size_t(k));
    return all;
}
std::vector<ScoredId> bruteForce(const Data &d, std::span<const float> q, int k)
{
    return bruteForce(d, q, k, [](qint64) { return true; });
}

class MemorySource final : public VectorSource
{
public:
    MemorySource(const Data &d, qint64 batch) : m_d(d), m_batch(batch) {}
    qint64 count() const override { return m_d.size(); }
    int dimension() const override { return m_d.dim; }
    Result<void> forEachBatch(const BatchFn &fn) const override
    {
        for (qint64 s = 0; s < m_d.size(); s += m_batch) {
            const qint64 n = std::min(m_batch, m_d.size() - s);
            if (!fn(std::span<const qint64>(m_d.ids.data() + s, size_t(n)),
                    std::span<const float>(m_d.x.data() + s * m_d.dim, size_t(n * m_d.dim))))
                break;
        }
        return {};
    }

private:
    const Data &m_d;
    qint64 m_batch;
};

std::unique_ptr<VectorIndex> buildOrFail(const Data &d, const IndexParams &params = {}, qint64 batch = 777)
{
    MemorySource source(d, batch);
    auto built = VectorIndex::build(source, params);
    if (!built) {
        qWarning() << built.errorMessage();
        return nullptr;
    }
    return std::move(built).value();
}

std::vector<qint64> idsOf(const std::vector<ScoredId> &v)
{
    std::vector<qint64> out;
    for (const auto &s : v)
        out.push_back(s.id);
    return out;
}

bool sortedBestFirst(const std::vector<ScoredId> &v)
{
    for (size_t i = 1; i < v.size(); ++i)
        if (v[i].score > v[i - 1].score)
            return false;
    return true;
}

double recallAt10(const VectorIndex &index, const Data &d, const Data &queries)
{
    double hits = 0, wanted = 0;
    for (qint64 q = 0; q < queries.size(); ++q) {
        const auto exact = idsOf(bruteForce(d, queries.row(q), 10));
        const auto got = index.search(queries.row(q), 10);
        if (!got)
            return -1;
        const std::set<qint64> truth(exact.begin(), exact.end());
        for (const auto &s : *got)
            hits += truth.count(s.id);
        wanted += double(exact.size());
    }
    return hits / wanted;
}

IndexParams smallThreshold()
{
    IndexParams p;
    p.exactThreshold = 5000;
    return p;
}

// Both indexes give the same ids and scores for every held-out query.
bool sameResults(const VectorIndex &a, const VectorIndex &b, const Data &queries)
{
    for (qint64 q = 0; q < queries.size(); ++q) {
        const auto x = a.search(queries.row(q), 10), y = b.search(queries.row(q), 10);
        if (!x || !y || idsOf(*x) != idsOf(*y))
            return false;
        for (size_t i = 0; i < x->size(); ++i)
            if ((*x)[i].score != (*y)[i].score)
                return false;
    }
    return true;
}

} // namespace

class TestVectorIndex final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(QStringLiteral("index/") + name); }

    // An IVF index (smallThreshold()) built on 8,000 clustered vectors of `dim` and saved as
    // `name` at `revision`, with `queries` held-out query rows. `index` is null when the build
    // did not give an IVF index or the save failed.
    struct SavedIvf
    {
        Data d;
        Data held;
        std::unique_ptr<VectorIndex> index;
        QString file;
    };
    SavedIvf savedIvf(int dim, quint32 seed, const QString &name, quint64 revision, int queries = 20) const
    {
        SavedIvf s;
        s.d = clusteredData(8000, dim, 20, 0.6f, seed, &s.held, queries);
        s.file = path(name);
        s.index = buildOrFail(s.d, smallThreshold());
        if (s.index && (s.index->isExact() || !s.index->save(s.file, revision).ok()))
            s.index.reset();
        return s;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void exactSearchMatchesBruteForce()
    {
        const Data d = randomData(3000, 48, 1);
        auto index = buildOrFail(d);
        QVERIFY(index);
        QVERIFY(index->isExact());
        QCOMPARE(index->size(), d.size());
        QCOMPARE(index->dimension(), 48);
        QVERIFY(!index->needsRebuild());
        QVERIFY(index->description().contains(QStringLiteral("exact")));
        const Data queries = randomData(25, 48, 2);
        for (qint64 q = 0; q < queries.size(); ++q) {
            const auto expected = bruteForce(d, queries.row(q), 10);
            const auto got = index->search(queries.row(q), 10);
            QVERIFY2(got.ok(), qPrintable(got.errorMessage()));
            QCOMPARE(idsOf(*got), idsOf(expected));
            for (size_t i = 0; i < expected.size(); ++i)
                QVERIFY(std::abs((*got)[i].score - expected[i].score) < 1e-4f);
        }
        // A stored vector finds itself first with score ~1.
        const auto self = index->search(d.row(123), 1);
        QVERIFY(self.ok());
        QCOMPARE(self->size(), size_t(1));
        QCOMPARE(self->front().id, d.ids[123]);
        QVERIFY(std::abs(self->front().score - 1.f) < 1e-4f);
    }

    void searchBatchMatchesSingle_data()
    {
        QTest::addColumn<bool>("ivf");
        QTest::newRow("exact") << false;
        QTest::newRow("ivf") << true;
    }
    void searchBatchMatchesSingle()
    {
        QFETCH(bool, ivf);
        Data held;
        const Data d = clusteredData(ivf ? 8000 : 2000, 32, 20, 0.6f, 3, &held, 30);
        auto index = buildOrFail(d, smallThreshold());
        QVERIFY(index);
        QCOMPARE(index->isExact(), !ivf);
        const auto batch = index->searchBatch(held.x, 7);
        QVERIFY2(batch.ok(), qPrintable(batch.errorMessage()));
        QCOMPARE(batch->size(), size_t(held.size()));
        for (qint64 q = 0; q < held.size(); ++q) {
            const auto single = index->search(held.row(q), 7);
            QVERIFY(single.ok());
            QCOMPARE(idsOf((*batch)[size_t(q)]), idsOf(*single));
        }
        const auto none = index->searchBatch({}, 5);
        QVERIFY(none.ok());
        QVERIFY(none->empty());
        std::vector<float> ragged(33, 0.1f);
        QCOMPARE(index->searchBatch(ragged, 5).error().code, Error::Code::InvalidArgument);
    }

    void addRemoveThenSearch()
    {
        auto index = VectorIndex::createEmpty(16);
        QVERIFY(index);
        QVERIFY(index->isExact());
        QCOMPARE(index->size(), qint64(0));
        const Data d = randomData(500, 16, 4);
        QVERIFY(index->add(d.ids, d.x).ok());
        QCOMPARE(index->size(), qint64(500));

        std::vector<qint64> removed;
        for (qint64 i = 0; i < d.size(); i += 5)
            removed.push_back(d.ids[size_t(i)]);
        removed.push_back(999999); // absent ids are ignored
        QVERIFY(index->remove(removed).ok());
        QCOMPARE(index->size(), qint64(400));
        const std::set<qint64> gone(removed.begin(), removed.end());
        for (qint64 i = 0; i < d.size(); i += 5) {
            const auto got = index->search(d.row(i), 20);
            QVERIFY(got.ok());
            QCOMPARE(got->size(), size_t(20));
            for (const auto &s : *got)
                QVERIFY2(!gone.count(s.id), "a removed id came back");
        }
        // The survivors still find themselves.
        const auto self = index->search(d.row(1), 1);
        QVERIFY(self.ok());
        QCOMPARE(self->front().id, d.ids[1]);

        // add() of an id already present replaces its vector.
        std::vector<float> replacement(d.row(2).begin(), d.row(2).end());
        const qint64 id1 = d.ids[1];
        QVERIFY(index->add(std::span<const qint64>(&id1, 1), replacement).ok());
        QCOMPARE(index->size(), qint64(400));
        const auto two = index->search(d.row(2), 2);
        QVERIFY(two.ok());
        QCOMPARE(std::set<qint64>({two->at(0).id, two->at(1).id}), std::set<qint64>({d.ids[1], d.ids[2]}));
        const auto old = index->search(d.row(1), 1);
        QVERIFY(old.ok());
        QVERIFY(old->front().id != id1 || old->front().score < 0.99f);

        // Bad input is an error, not a crash.
        const qint64 twice[] = {7, 7};
        std::vector<float> two16(32, 0.25f);
        QCOMPARE(index->add(twice, two16).error().code, Error::Code::InvalidArgument);
        const qint64 negative = -4;
        QCOMPARE(index->add(std::span<const qint64>(&negative, 1), std::span<const float>(two16.data(), 16)).error().code,
                 Error::Code::InvalidArgument);
        const qint64 one = 5;
        QCOMPARE(index->add(std::span<const qint64>(&one, 1), two16).error().code, Error::Code::InvalidArgument);
        std::vector<float> nan(16, std::nanf(""));
        QCOMPARE(index->add(std::span<const qint64>(&one, 1), nan).error().code, Error::Code::InvalidArgument);
        QCOMPARE(index->size(), qint64(400));
    }

    void addRemoveOnIvf()
    {
        Data held;
        const Data d = clusteredData(8000, 32, 20, 0.6f, 5, &held, 10);
        auto index = buildOrFail(d, smallThreshold());
        QVERIFY(index);
        QVERIFY(!index->isExact());
        QVERIFY(!index->needsRebuild());
        std::vector<qint64> removed(d.ids.begin(), d.ids.begin() + 6000);
        QVERIFY(index->remove(removed).ok());
        QCOMPARE(index->size(), qint64(2000));
        QVERIFY(index->needsRebuild()); // below exactThreshold / 2
        const std::set<qint64> gone(removed.begin(), removed.end());
        for (qint64 i = 0; i < 6000; i += 300) {
            const auto got = index->search(d.row(i), 10);
            QVERIFY(got.ok());
            QCOMPARE(got->size(), size_t(10));
            for (const auto &s : *got)
                QVERIFY2(!gone.count(s.id), "a removed id came back");
        }
        const auto self = index->search(d.row(7000), 1);
        QVERIFY(self.ok());
        QCOMPARE(self->front().id, d.ids[7000]);
    }

    void allowedFiltering_data()
    {
        QTest::addColumn<bool>("ivf");
        QTest::addColumn<int>("allowedCount");
        QTest::newRow("exact, few") << false << 40;
        QTest::newRow("exact, most") << false << 1800;
        QTest::newRow("ivf, few") << true << 300;
        QTest::newRow("ivf, most") << true << 7000;
    }
    void allowedFiltering()
    {
        QFETCH(bool, ivf);
        QFETCH(int, allowedCount);
        Data held;
        const Data d = clusteredData(ivf ? 8000 : 2000, 32, 20, 0.6f, 6, &held, 20);
        auto index = buildOrFail(d, smallThreshold());
        QVERIFY(index);
        QCOMPARE(index->isExact(), !ivf);
        std::mt19937 rng(7);
        std::vector<qint64> allowed = d.ids;
        std::shuffle(allowed.begin(), allowed.end(), rng);
        allowed.resize(size_t(allowedCount));
        allowed.push_back(424242424); // not in the index
        std::sort(allowed.begin(), allowed.end());
        const std::set<qint64> allowedSet(allowed.begin(), allowed.end());
        double hits = 0, wanted = 0;
        for (qint64 q = 0; q < held.size(); ++q) {
            const auto got = index->search(held.row(q), 10, allowed);
            QVERIFY2(got.ok(), qPrintable(got.errorMessage()));
            QCOMPARE(got->size(), size_t(10));
            QVERIFY(sortedBestFirst(*got));
            for (const auto &s : *got) {
                QVERIFY2(allowedSet.count(s.id), "an id outside `allowed` came back");
                QVERIFY(s.id >= 0);
            }
            const auto exact = bruteForce(d, held.row(q), 10, [&](qint64 id) { return allowedSet.count(id) != 0; });
            const auto exactIds = idsOf(exact);
            const std::set<qint64> truth(exactIds.begin(), exactIds.end());
            for (const auto &s : *got)
                hits += truth.count(s.id);
            wanted += double(exact.size());
        }
        // Small allowed sets are scanned exactly; large ones go through the IVF scan.
        if (!ivf || allowedCount <= 1000)
            QCOMPARE(hits, wanted);
        else
            QVERIFY2(hits / wanted >= 0.9, qPrintable(QString::number(hits / wanted)));

        // Only a few allowed ids: all of them, never padding.
        const std::vector<qint64> three = {d.ids[5], d.ids[50], d.ids[500]};
        const auto few = index->search(held.row(0), 10, three);
        QVERIFY(few.ok());
        QCOMPARE(few->size(), size_t(3));
        const std::vector<qint64> unsorted = {d.ids[50], d.ids[5]};
        QCOMPARE(index->search(held.row(0), 10, unsorted).error().code, Error::Code::InvalidArgument);
    }

    void filteredIvfReachesDistantIds()
    {
        // Allowed ids that all lie far from the query: the lists nearest to it hold none of
        // them, so the scan has to go on past nprobe lists; k results still come back.
        Data held;
        const Data d = clusteredData(10000, 32, 20, 0.6f, 19, &held, 1);
        auto index = buildOrFail(d, smallThreshold());
        QVERIFY(index && !index->isExact());
        const auto ranked = bruteForce(d, held.row(0), int(d.size()));
        std::vector<qint64> allowed;
        for (size_t i = ranked.size() - 6000; i < ranked.size(); ++i) // the 6000 least similar
            allowed.push_back(ranked[i].id);
        std::sort(allowed.begin(), allowed.end());
        const auto got = index->search(held.row(0), 10, allowed);
        QVERIFY(got.ok());
        QCOMPARE(got->size(), size_t(10));
        for (const auto &s : *got)
            QVERIFY(std::binary_search(allowed.begin(), allowed.end(), s.id));
    }

    void ivfAboveThreshold()
    {
        Data held;
        const Data d = clusteredData(20000, 64, 30, 0.8f, 8, &held, 100);
        const IndexParams params = smallThreshold();
        auto index = buildOrFail(d, params);
        QVERIFY(index);
        QVERIFY(!index->isExact());
        QVERIFY(!index->needsRebuild());
        QVERIFY2(index->description().startsWith(QStringLiteral("IVF")), qPrintable(index->description()));
        QVERIFY(index->description().contains(QStringLiteral("nprobe")));
        const double recall = recallAt10(*index, d, held);
        qInfo() << index->description() << "recall@10 on held-out queries" << recall;
        QVERIFY2(recall >= params.targetRecall - 0.05, qPrintable(QString::number(recall)));

        // Growth past 4× what it was built on asks for a rebuild; the index stays usable.
        const Data more = clusteredData(61000, 64, 30, 0.8f, 9);
        std::vector<qint64> moreIds(more.ids);
        for (auto &id : moreIds)
            id += 1000000;
        QVERIFY(index->add(moreIds, more.x).ok());
        QCOMPARE(index->size(), qint64(81000));
        QVERIFY(index->needsRebuild());
        const auto got = index->search(more.row(17), 1);
        QVERIFY(got.ok());
        QCOMPARE(got->front().id, moreIds[17]);
    }

    void flatPastThresholdNeedsRebuild()
    {
        IndexParams params;
        params.exactThreshold = 100;
        auto index = VectorIndex::createEmpty(8, params);
        QVERIFY(index);
        const Data d = randomData(150, 8, 10);
        QVERIFY(index->add(std::span<const qint64>(d.ids.data(), 99), std::span<const float>(d.x.data(), 99 * 8)).ok());
        QVERIFY(!index->needsRebuild());
        QVERIFY(index->add(std::span<const qint64>(d.ids.data() + 99, 51), std::span<const float>(d.x.data() + 99 * 8, 51 * 8)).ok());
        QVERIFY(index->isExact());
        QVERIFY(index->needsRebuild());
    }

    void saveLoadRoundTrip_data()
    {
        QTest::addColumn<bool>("ivf");
        QTest::newRow("exact") << false;
        QTest::newRow("ivf") << true;
    }
    void saveLoadRoundTrip()
    {
        QFETCH(bool, ivf);
        Data held;
        const Data d = clusteredData(ivf ? 8000 : 1500, 32, 20, 0.6f, 11, &held, 20);
        const IndexParams params = smallThreshold();
        auto index = buildOrFail(d, params);
        QVERIFY(index);
        const QString file = path(QStringLiteral("roundtrip-%1.faiss").arg(ivf ? QStringLiteral("ivf") : QStringLiteral("flat")));
        const auto saved = index->save(file, 42);
        QVERIFY2(saved.ok(), qPrintable(saved.errorMessage()));
        QVERIFY(QFile::exists(file));
        QVERIFY(QFile::exists(file + QStringLiteral(".meta")));
        QVERIFY(!QFile::exists(file + QStringLiteral(".tmp")));

        auto loaded = VectorIndex::load(file, 42, d.size(), 32, params);
        QVERIFY2(loaded.ok(), qPrintable(loaded.errorMessage()));
        auto &copy = *loaded;
        QCOMPARE(copy->size(), index->size());
        QCOMPARE(copy->isExact(), index->isExact());
        QCOMPARE(copy->description(), index->description());
        for (qint64 q = 0; q < held.size(); ++q) {
            const auto a = index->search(held.row(q), 10);
            const auto b = copy->search(held.row(q), 10);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(idsOf(*b), idsOf(*a));
            for (size_t i = 0; i < a->size(); ++i)
                QCOMPARE((*b)[i].score, (*a)[i].score);
        }
        // Saved again unchanged, it loads to the same index.
        const QString again = file + QStringLiteral(".again");
        QVERIFY(copy->save(again, 42).ok());
        auto reloaded = VectorIndex::load(again, 42, d.size(), 32, params);
        QVERIFY2(reloaded.ok(), qPrintable(reloaded.errorMessage()));
        for (qint64 q = 0; q < held.size(); q += 5)
            QCOMPARE(idsOf(*(*reloaded)->search(held.row(q), 10)), idsOf(*index->search(held.row(q), 10)));
        // The loaded index keeps working: add, remove, save again.
        const qint64 extra = 5000000;
        QVERIFY(copy->add(std::span<const qint64>(&extra, 1), held.row(0)).ok());
        QCOMPARE(copy->search(held.row(0), 1)->front().id, extra);
        QVERIFY(copy->remove(std::span<const qint64>(&extra, 1)).ok());
        QVERIFY(copy->save(file, 43).ok());
        auto last = VectorIndex::load(file, 43, d.size(), 32, params);
        QVERIFY(last.ok());
        for (qint64 q = 0; q < held.size(); q += 5)
            QCOMPARE(idsOf(*(*last)->search(held.row(q), 10)), idsOf(*index->search(held.row(q), 10)));
    }

    void loadDetectsDamage()
    {
        const Data d = randomData(1000, 24, 12);
        auto index = buildOrFail(d);
        QVERIFY(index);
        const QString file = path(QStringLiteral("damage.faiss"));
        const QString meta = file + QStringLiteral(".meta");
        QVERIFY(index->save(file, 7).ok());
        QVERIFY(VectorIndex::load(file, 7, 1000, 24).ok());
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray good = f.readAll();
        f.close();
        QFile mf(meta);
        QVERIFY(mf.open(QIODevice::ReadOnly));
        const QByteArray goodMeta = mf.readAll();
        mf.close();
        auto rewrite = [](const QString &name, const QByteArray &bytes) {
            QFile out(name);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QCOMPARE(out.write(bytes), qint64(bytes.size()));
        };

        // Staleness: revision, count or dimension differ from the database.
        for (const auto &[rev, count, dim] : {std::tuple<quint64, qint64, int>{8, 1000, 24}, {7, 999, 24}, {7, 1000, 32}}) {
            const auto r = VectorIndex::load(file, rev, count, dim);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, Error::Code::Generic);
            QVERIFY2(r.errorMessage().contains(QStringLiteral("stale")), qPrintable(r.errorMessage()));
        }

        // Truncated index file.
        rewrite(file, good.left(good.size() / 2));
        auto r = VectorIndex::load(file, 7, 1000, 24);
        QCOMPARE(r.error().code, Error::Code::Corrupt);

        // One flipped byte in the middle: same size, checksum mismatch.
        QByteArray flipped = good;
        flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x5a);
        rewrite(file, flipped);
        r = VectorIndex::load(file, 7, 1000, 24);
        QCOMPARE(r.error().code, Error::Code::Corrupt);
        QVERIFY(r.errorMessage().contains(QStringLiteral("checksum")));

        // A header byte flipped (what FAISS would parse as a type or a length).
        flipped = good;
        flipped[3] = char(flipped[3] ^ 0x01);
        rewrite(file, flipped);
        QCOMPARE(VectorIndex::load(file, 7, 1000, 24).error().code, Error::Code::Corrupt);

        // The index file is good but the sidecar is garbage, lies about the size, or is gone.
        rewrite(file, good);
        QVERIFY(VectorIndex::load(file, 7, 1000, 24).ok());
        rewrite(meta, QByteArray("{ not json"));
        QCOMPARE(VectorIndex::load(file, 7, 1000, 24).error().code, Error::Code::Corrupt);
        rewrite(meta, QByteArray(goodMeta).replace("\"fileSize\"", "\"fileSizeX\""));
        QCOMPARE(VectorIndex::load(file, 7, 1000, 24).error().code, Error::Code::Corrupt);
        // A sidecar that describes another kind of index than the (intact) file holds.
        rewrite(meta, QByteArray(goodMeta).replace("\"flat\"", "\"ivf-flat\""));
        QCOMPARE(VectorIndex::load(file, 7, 1000, 24).error().code, Error::Code::Corrupt);
        QVERIFY(QFile::remove(meta));
        QCOMPARE(VectorIndex::load(file, 7, 1000, 24).error().code, Error::Code::NotFound);

        // Missing index file.
        rewrite(meta, goodMeta);
        QVERIFY(VectorIndex::load(file, 7, 1000, 24).ok());
        QVERIFY(QFile::remove(file));
        QCOMPARE(VectorIndex::load(file, 7, 1000, 24).error().code, Error::Code::NotFound);
        QCOMPARE(VectorIndex::load(path(QStringLiteral("never-written.faiss")), 1, 1, 24).error().code, Error::Code::NotFound);
    }

    // A loaded IVF index searches its lists where they lie in the mapped file; a list is
    // copied into memory when it is first changed while the others stay mapped, also after
    // the file was replaced on disk by a save.
    void loadedListsAreMappedAndCopiedOnWrite()
    {
        auto [d, held, index, file] = savedIvf(32, 21, QStringLiteral("mapped.faiss"), 1);
        QVERIFY(index);
        QCOMPARE(index->mappedBytes(), qint64(0)); // built in memory
        const IndexParams params = smallThreshold();
        auto loaded = VectorIndex::load(file, 1, d.size(), 32, params);
        QVERIFY2(loaded.ok(), qPrintable(loaded.errorMessage()));
        auto &copy = *loaded;
        const qint64 all = d.size() * qint64(32 * sizeof(float) + sizeof(qint64));
        QCOMPARE(copy->mappedBytes(), all);
        QVERIFY(sameResults(*index, *copy, held));
        QVERIFY(!copy->loadedFromOlderFormat());

        // Removing a few ids copies their lists only.
        const std::vector<qint64> removed(d.ids.begin(), d.ids.begin() + 10);
        QVERIFY(index->remove(removed).ok());
        QVERIFY(copy->remove(removed).ok());
        const qint64 afterRemove = copy->mappedBytes();
        QVERIFY2(afterRemove > 0 && afterRemove < all, qPrintable(QString::number(afterRemove)));
        // Adding copies the lists it lands in; re-adding an id replaces its vector.
        const Data more = randomData(30, 32, 23, 9000000, 1);
        QVERIFY(index->add(more.ids, more.x).ok());
        QVERIFY(copy->add(more.ids, more.x).ok());
        QVERIFY(index->add(std::span<const qint64>(&d.ids[100], 1), held.row(0)).ok());
        QVERIFY(copy->add(std::span<const qint64>(&d.ids[100], 1), held.row(0)).ok());
        QVERIFY(copy->mappedBytes() < afterRemove);
        QVERIFY(copy->mappedBytes() > 0);
        QCOMPARE(copy->size(), index->size());
        QVERIFY(sameResults(*index, *copy, held));
        QCOMPARE(copy->search(held.row(0), 1)->front().id, d.ids[100]);

        // Saved over the file it is mapped from (rename): it keeps working, and the new file
        // (written from mapped and copied lists alike) loads to the same index.
        QVERIFY(copy->save(file, 2).ok());
        QVERIFY(sameResults(*index, *copy, held));
        auto again = VectorIndex::load(file, 2, index->size(), 32, params);
        QVERIFY2(again.ok(), qPrintable(again.errorMessage()));
        QCOMPARE((*again)->mappedBytes(), index->size() * qint64(32 * sizeof(float) + sizeof(qint64)));
        QVERIFY(sameResults(*index, **again, held));
    }

    // Index files written before IvfLists hold FAISS's own list format: still read.
    void readsFaissOwnListFormat()
    {
        const auto [d, held, index, file] = savedIvf(32, 29, QStringLiteral("ours.faiss"), 5);
        QVERIFY(index);
        const IndexParams params = smallThreshold();
        QVERIFY(readFile(file).contains("ilLk"));

        // Rewritten with ArrayInvertedLists, as FAISS itself writes an IVFFlat index.
        const QByteArray old = ivfIndexWithFaissOwnLists(file);
        QVERIFY(old.contains("ilar") && !old.contains("ilLk"));
        const QString oldFile = path(QStringLiteral("faiss-lists.faiss"));
        QVERIFY(writeIndexVouchedFor(oldFile, old, file));

        auto loaded = VectorIndex::load(oldFile, 5, d.size(), 32, params);
        QVERIFY2(loaded.ok(), qPrintable(loaded.errorMessage()));
        QCOMPARE((*loaded)->mappedBytes(), qint64(0)); // read into memory
        QVERIFY((*loaded)->loadedFromOlderFormat());
        QVERIFY(!index->loadedFromOlderFormat());
        QVERIFY(sameResults(*index, **loaded, held));
        // Saved again, it is in the mapped format.
        QVERIFY((*loaded)->save(oldFile, 6).ok());
        QVERIFY(readFile(oldFile).contains("ilLk"));
    }

    // List headers that lie (with a sidecar that vouches for the bytes): a Corrupt error,
    // never a read past the mapping or an allocation of what the header claims.
    void lyingListHeadersAreCorrupt()
    {
        const auto [d, held, index, file] = savedIvf(16, 31, QStringLiteral("lists.faiss"), 3, 0);
        QVERIFY(index);
        const QByteArray good = readFile(file);
        const qsizetype at = good.indexOf("ilLk") + 4; // nlist, code_size, sizes[nlist], pad
        QVERIFY(at > 4);
        quint64 nlist = 0;
        std::memcpy(&nlist, good.constData() + at, sizeof nlist);
        QVERIFY(nlist > 2 && nlist < 1000);
        const auto field = [&](quint64 i) { return at + qsizetype(8 * i); };
        const auto sizeAt = [&](quint64 list) { return field(2 + list); };
        quint64 size0 = 0;
        std::memcpy(&size0, good.constData() + sizeAt(0), sizeof size0);

        const std::vector<std::pair<qsizetype, quint64>> lies = {
            {field(0), 0},                        // no lists
            {field(0), quint64(1) << 60},         // absurdly many lists
            {field(0), nlist + 1},                // one list more than the index has
            {field(1), 0},                        // empty codes
            {field(1), 16 * 4 + 4},               // another code size
            {sizeAt(0), quint64(1) << 50},        // a huge list
            {sizeAt(0), size0 + 1},               // one row more than the file holds
            {sizeAt(0), size0 > 0 ? size0 - 1 : 1}, // a row fewer than the index holds
            {field(2 + nlist), 200},              // padding beyond the alignment
        };
        const QString bad = path(QStringLiteral("lying.faiss"));
        for (const auto &[offset, value] : lies) {
            QByteArray bytes = good;
            std::memcpy(bytes.data() + offset, &value, sizeof value);
            QVERIFY(writeIndexVouchedFor(bad, bytes, file));
            const auto r = VectorIndex::load(bad, 3, d.size(), 16, smallThreshold());
            QVERIFY2(!r.ok(), qPrintable(QStringLiteral("offset %1 value %2 loaded").arg(offset).arg(value)));
            QCOMPARE(r.error().code, Error::Code::Corrupt);
        }
        // The same bytes unchanged load (the test's sidecar is right).
        QVERIFY(writeIndexVouchedFor(bad, good, file));
        QVERIFY(VectorIndex::load(bad, 3, d.size(), 16, smallThreshold()).ok());
    }

    void saveCreatesFolders()
    {
        auto index = VectorIndex::createEmpty(4);
        QVERIFY(index);
        const QString file = m_dir.filePath(QStringLiteral("a/b/c/empty.faiss"));
        QVERIFY(index->save(file, 0).ok());
        auto loaded = VectorIndex::load(file, 0, 0, 4);
        QVERIFY2(loaded.ok(), qPrintable(loaded.errorMessage()));
        QCOMPARE((*loaded)->size(), qint64(0));
    }

    void edgeCases()
    {
        auto empty = VectorIndex::createEmpty(8);
        QVERIFY(empty);
        std::vector<float> q(8, 0.35f);
        const auto none = empty->search(q, 10);
        QVERIFY(none.ok());
        QVERIFY(none->empty());

        const Data d = randomData(7, 8, 13);
        QVERIFY(empty->add(d.ids, d.x).ok());
        const auto all = empty->search(q, 100); // k > size: everything, best first
        QVERIFY(all.ok());
        QCOMPARE(all->size(), size_t(7));
        QVERIFY(sortedBestFirst(*all));
        const auto allIds = idsOf(*all);
        QCOMPARE(std::set<qint64>(allIds.begin(), allIds.end()), std::set<qint64>(d.ids.begin(), d.ids.end()));
        QVERIFY(empty->search(q, 0)->empty());
        QCOMPARE(empty->search(q, -1).error().code, Error::Code::InvalidArgument);

        // Dimension mismatch and non-finite queries are errors.
        std::vector<float> wrong(9, 0.1f);
        QCOMPARE(empty->search(wrong, 3).error().code, Error::Code::InvalidArgument);
        QCOMPARE(empty->search({}, 3).error().code, Error::Code::InvalidArgument);
        q[3] = std::numeric_limits<float>::infinity();
        QCOMPARE(empty->search(q, 3).error().code, Error::Code::InvalidArgument);

        QVERIFY(!VectorIndex::createEmpty(0));
        QVERIFY(!VectorIndex::createEmpty(-3));

        // k > size on IVF returns everything too.
        Data held;
        const Data c = clusteredData(6000, 16, 10, 0.5f, 14, &held, 1);
        auto ivf = buildOrFail(c, smallThreshold());
        QVERIFY(ivf && !ivf->isExact());
        const auto everything = ivf->search(held.row(0), 100000);
        QVERIFY(everything.ok());
        QCOMPARE(everything->size(), size_t(6000));
        QVERIFY(sortedBestFirst(*everything));
    }

    void buildRejectsBadSources()
    {
        Data d = randomData(100, 8, 15);
        d.ids[50] = d.ids[10];
        MemorySource dup(d, 30);
        QCOMPARE(VectorIndex::build(dup).error().code, Error::Code::InvalidArgument);

        Data nan = randomData(100, 8, 16);
        nan.x[40] = std::nanf("");
        MemorySource bad(nan, 30);
        QCOMPARE(VectorIndex::build(bad).error().code, Error::Code::InvalidArgument);

        Data none;
        none.dim = 8;
        MemorySource empty(none, 30);
        auto built = VectorIndex::build(empty);
        QVERIFY(built.ok());
        QCOMPARE((*built)->size(), qint64(0));
    }

    void concurrentSearchesWhileAdding()
    {
        // Loaded, so that the adds and removals copy mapped lists while searches read them.
        // (Not structured bindings: the threads below capture `held`, which clang 14 cannot.)
        const SavedIvf saved = savedIvf(32, 17, QStringLiteral("concurrent.faiss"), 1, 50);
        QVERIFY(saved.index);
        const Data &d = saved.d, &held = saved.held;
        const QString &file = saved.file;
        auto loaded = VectorIndex::load(file, 1, d.size(), 32, smallThreshold());
        QVERIFY(loaded.ok() && (*loaded)->mappedBytes() > 0);
        const auto &index = *loaded;
        std::atomic<bool> stop = false;
        std::atomic<int> failures = 0;
        std::atomic<int> searches = 0;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                int i = t;
                while (!stop.load()) {
                    const auto q = held.row(i++ % held.size());
                    std::vector<ScoredId> got;
                    if (t % 2 == 0) {
                        auto r = index->search(q, 10);
                        if (r.ok())
                            got = std::move(r).value();
                    } else {
                        auto r = index->searchBatch(q, 10);
                        if (r.ok() && r->size() == 1)
                            got = std::move(r->front());
                    }
                    if (got.size() != 10 || !sortedBestFirst(got))
                        ++failures;
                    for (const auto &s : got)
                        if (s.id < 100)
                            ++failures;
                    ++searches;
                }
            });
        }
        const Data more = randomData(2000, 32, 18, 10000000, 1);
        for (qint64 s = 0; s < more.size(); s += 100) {
            QVERIFY(index->add(std::span<const qint64>(more.ids.data() + s, 100),
                               std::span<const float>(more.x.data() + s * 32, 100 * 32))
                        .ok());
            if (s % 500 == 0)
                QVERIFY(index->remove(std::span<const qint64>(more.ids.data() + s, 50)).ok());
        }
        while (searches.load() < 200)
            std::this_thread::yield();
        stop = true;
        for (auto &t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(index->size(), qint64(8000 + 2000 - 4 * 50));
    }
};

QTEST_GUILESS_MAIN(TestVectorIndex)
#include "tst_vectorindex.moc"
