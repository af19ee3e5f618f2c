// Ingest benchmark: throughput of the ingest pipeline against the decode-only floor on the same
// files, the classic embedder's own cost, and resident memory while ingesting a large folder.
//
//   bench_ingest [--n 2000] [--corpus DIR] [--threads 2] [--reps 3] [--work DIR] [--no-classic]
//   bench_ingest --scale 50000 [--scale-classic] [--n 2000] [--corpus DIR] [--work DIR]
//
// Results: docs/BENCHMARKS.md, "Ingest throughput and memory".
//
// One measurement alone (e.g. under valgrind --tool=callgrind): the child interface,
//   bench_ingest --child floor DIR THREADS
//   bench_ingest --child ingest null|classic DIR COLLECTION_DIR THREADS 0 0
//   bench_ingest --child stages DIR
// where DIR holds img_*.jpg; COLLECTION_DIR is deleted and created afresh.
//
// Corpus ("ordinary JPEG photos"): generated once from Debian's plasma-workspace-wallpapers
// (/usr/share/wallpapers: every distinct JPEG/PNG file except the screenshots, i.e. 43
// pictures of 720×1440 to 5120×2880, photos and artworks), deterministically (seed 20240611):
// each file is a random crop (anywhere; 20–100 % of the largest crop of its aspect ratio) of
// one source, resized to a long side of 300–1024 px with an aspect ratio of 1:1 to 3:2
// (landscape or portrait; short side ≥ 200 px), saved as JPEG at quality 85–92. Cached in
// --corpus (default /tmp/lookalike-bench-corpus), reused when its MANIFEST matches.
//
// Every measurement runs in a child process of its own (this program re-executed with
// --child), so that none inherits another's heap, caches or threads. The page cache is not
// dropped: all files are read once before the first measurement, so every variant sees warm
// files. Each child reports wall time and its CPU time (user + system, all threads).
//   floor   read each file + ImageDecoder::decode(bytes, maxSide 256) on a QThreadPool of
//           --threads workers (each pulls the next file).
//   null    IngestJob::run() into a fresh collection with a do-nothing embedder (id
//           "bench-null-v1", 704-d like classic-v1, one fixed unit vector, reentrant,
//           preferred input side 256 like classic): discovery, read, decode, hash, thumbnail,
//           sidecar lookup, SQLite writes, in-memory index, index save.
//   classic the same with ClassicEmbedder.
//   stages  one thread, per file: read, decode, content hash, thumbnail encode, classic
//           embed; wall and process CPU time, medians and means over the corpus.
// floor and null alternate --reps times (floor, null, floor, null, ...) so that changes in
// machine load hit both alike, and the summary gives their medians; classic and stages run once.
//
// --scale N: N paths made from the corpus by hard links (link(2): no extra disk), 1000 per
// subfolder, ingested with the null embedder (and classic with --scale-classic). Here the null
// embedder gives each image a unit vector seeded by its pixels plus 5 % noise per call (see
// NullEmbedder). A sampling thread reads VmRSS from /proc/self/status every 0.5 s; RSS is also
// read at the job's first progress report (after discovery, before any file is read) and when
// its progress passes each 10,000 files. The vectors themselves are N × 704 × 4 bytes (the
// in-memory FAISS flat index holds them; at save time a space above 20,000 vectors is rebuilt
// as IVF from SQLite while the flat index is still in memory, which makes the overall peak).

#include "benchcorpus.h"
#include "collection/collection.h"
#include "embed/classicembedder.h"
#include "ingest/ingestjob.h"
#include "media/imagedecoder.h"
#include "media/thumbnailencoder.h"
#include "util/contenthash.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QThreadPool>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <thread>
#include <vector>

using namespace lookalike;
using lookalike::bench::wallpaperSources;

namespace {

constexpr int kDim = 704;
constexpr quint32 kSeed = 20240611;
constexpr int kDecodeSide = 256;

void out(const QString &s)
{
    std::fputs(qPrintable(s), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

[[noreturn]] void die(const QString &s)
{
    std::fprintf(stderr, "bench_ingest: %s\n", qPrintable(s));
    std::exit(2);
}

// A do-nothing embedder: isolates the pipeline around the embedder. By default every image
// gets the same fixed unit vector. With `distinct` (the --scale runs), an image gets a random
// unit vector seeded by a hash of its pixels plus 5 % noise drawn per call, so that copies of one
// file are near-duplicates rather than 25-way exact ties: identical vectors are a degenerate
// input for the IVF index that a space above 20,000 vectors gets at save time (one inverted
// list holds everything and the nprobe calibration scans all of it for minutes).
class NullEmbedder final : public Embedder
{
public:
    static constexpr auto kId = "bench-null-v1";
    explicit NullEmbedder(bool distinct = false) : m_distinct(distinct) {}
    QString id() const override { return QString::fromLatin1(kId); }
    int dimension() const override { return kDim; }
    int preferredInputSide() const override { return kDecodeSide; }
    bool isReentrant() const override { return true; }
    Result<std::vector<float>> embedImages(std::span<const QImage> images) override
    {
        std::vector<float> v(images.size() * size_t(kDim), float(1.0 / std::sqrt(double(kDim))));
        if (!m_distinct)
            return v;
        for (size_t i = 0; i < images.size(); ++i) {
            const QImage &img = images[i];
            std::mt19937_64 centre(contentHash(QByteArrayView(reinterpret_cast<const char *>(img.constBits()), img.sizeInBytes()))
                                       .left(16)
                                       .toULongLong(nullptr, 16));
            std::mt19937_64 noise(m_calls.fetch_add(1) * 0x9E3779B97F4A7C15ull);
            std::normal_distribution<float> gc, gn; // separate: each caches a spare draw
            float *row = v.data() + i * size_t(kDim);
            double sq = 0;
            for (int d = 0; d < kDim; ++d) {
                row[d] = gc(centre) + 0.05f * gn(noise);
                sq += double(row[d]) * row[d];
            }
            const float inv = float(1.0 / std::sqrt(sq));
            for (int d = 0; d < kDim; ++d)
                row[d] *= inv;
        }
        return v;
    }

private:
    bool m_distinct;
    std::atomic<quint64> m_calls{1};
};

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double mean(const std::vector<double> &v)
{
    double s = 0;
    for (double x : v)
        s += x;
    return v.empty() ? 0 : s / double(v.size());
}

double loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readAll().split(' ').value(0).toDouble();
}

qint64 procStatusKb(const char *key)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(qsizetype(std::strlen(key))).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// User + system CPU time of this process so far (all threads), seconds.
double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

qint64 rssBytes()
{
    return procStatusKb("VmRSS:") * 1024;
}

double mib(qint64 bytes)
{
    return double(bytes) / (1024.0 * 1024.0);
}

QStringList corpusFiles(const QString &dir)
{
    QStringList files;
    const QDir d(dir);
    for (const QString &name : d.entryList({QStringLiteral("img_*.jpg")}, QDir::Files, QDir::Name))
        files << d.filePath(name);
    return files;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// --- corpus -------------------------------------------------------------------------------

QString manifestText(int n, const QStringList &sources)
{
    return QStringLiteral("lookalike bench_ingest corpus v1\nn=%1\nseed=%2\nsources=%3\n").arg(n).arg(kSeed).arg(sources.size());
}

void ensureCorpus(const QString &dir, int n)
{
    const QStringList sources = wallpaperSources();
    if (sources.isEmpty())
        die(QStringLiteral("no source images under /usr/share/wallpapers (install plasma-workspace-wallpapers)"));
    const QString manifest = QDir(dir).filePath(QStringLiteral("MANIFEST"));
    if (readAll(manifest) == manifestText(n, sources).toUtf8() && corpusFiles(dir).size() == n) {
        out(QStringLiteral("corpus: reusing %1").arg(dir));
        return;
    }
    out(QStringLiteral("corpus: generating %1 JPEGs from %2 sources into %3 ...").arg(n).arg(sources.size()).arg(dir));
    QDir(dir).removeRecursively();
    QDir().mkpath(dir);
    QElapsedTimer t;
    t.start();
    std::mt19937 rng(kSeed);
    auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    auto uniInt = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
    int made = 0;
    for (int s = 0; s < sources.size(); ++s) {
        // An even share of the files per source (the first ones take the remainder).
        const int count = n / int(sources.size()) + (s < n % int(sources.size()) ? 1 : 0);
        if (count == 0)
            continue;
        QImageReader reader(sources[s]);
        reader.setAllocationLimit(1024);
        reader.setAutoTransform(true);
        QImage src = reader.read();
        if (src.isNull())
            die(QStringLiteral("cannot read %1: %2").arg(sources[s], reader.errorString()));
        src = src.convertToFormat(QImage::Format_RGB32);
        for (int k = 0; k < count; ++k) {
            // Output size: long side 300..1024, aspect 1..1.5, either orientation.
            const int longSide = uniInt(300, 1024);
            const double aspect = uni(1.0, 1.5);
            int shortSide = std::max(200, int(std::lround(longSide / aspect)));
            shortSide = std::min(shortSide, longSide);
            const bool portrait = uniInt(0, 3) == 0;
            const int w = portrait ? shortSide : longSide;
            const int h = portrait ? longSide : shortSide;
            // Crop of the same aspect ratio, 20-100 % of the largest that fits, anywhere.
            const double fit = std::min(double(src.width()) / w, double(src.height()) / h);
            const double scale = uni(0.2, 1.0);
            const int cw = std::max(1, int(w * fit * scale));
            const int ch = std::max(1, int(h * fit * scale));
            const int x = uniInt(0, src.width() - cw);
            const int y = uniInt(0, src.height() - ch);
            const QImage crop = src.copy(x, y, cw, ch).scaled(w, h, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
            const int quality = uniInt(85, 92);
            const QString path = QDir(dir).filePath(QStringLiteral("img_%1.jpg").arg(made, 5, 10, QLatin1Char('0')));
            if (!crop.save(path, "JPEG", quality))
                die(QStringLiteral("cannot write %1").arg(path));
            ++made;
        }
    }
    QFile m(manifest);
    if (!m.open(QIODevice::WriteOnly) || m.write(manifestText(n, sources).toUtf8()) < 0)
        die(QStringLiteral("cannot write %1").arg(manifest));
    out(QStringLiteral("corpus: %1 files in %2 s").arg(made).arg(t.elapsed() / 1000.0, 0, 'f', 1));
}

struct CorpusInfo
{
    int count = 0;
    qint64 bytes = 0;
    double meanPixels = 0;
    QSize minSize, maxSize;
    int sources = 0;
};

CorpusInfo describeCorpus(const QStringList &files)
{
    CorpusInfo info;
    info.count = int(files.size());
    info.sources = int(wallpaperSources().size());
    double pixels = 0;
    qint64 minPx = std::numeric_limits<qint64>::max(), maxPx = 0;
    for (const QString &f : files) {
        info.bytes += QFileInfo(f).size();
        const QSize s = QImageReader(f).size();
        const qint64 px = qint64(s.width()) * s.height();
        pixels += double(px);
        if (px < minPx) {
            minPx = px;
            info.minSize = s;
        }
        if (px > maxPx) {
            maxPx = px;
            info.maxSize = s;
        }
    }
    info.meanPixels = files.isEmpty() ? 0 : pixels / double(files.size());
    return info;
}

// Reads every file once so that every measured variant sees the page cache equally warm.
qint64 warmUp(const QStringList &files)
{
    qint64 total = 0;
    for (const QString &f : files)
        total += readAll(f).size();
    return total;
}

// --- children: one measurement each, printed as "RESULT {json}" ----------------------------

void printResult(const QJsonObject &o)
{
    out(QStringLiteral("RESULT ") + QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
}

int childFloor(const QString &corpus, int threads)
{
    const QStringList files = corpusFiles(corpus);
    DecodeOptions opts;
    opts.maxSide = kDecodeSide;
    std::atomic<int> next{0}, failed{0};
    QThreadPool pool;
    pool.setMaxThreadCount(threads);
    QElapsedTimer t;
    const double cpu0 = cpuSeconds();
    t.start();
    for (int w = 0; w < threads; ++w) {
        pool.start([&] {
            for (int i; (i = next.fetch_add(1)) < files.size();) {
                const QByteArray bytes = readAll(files[i]);
                if (!ImageDecoder::decode(bytes, opts))
                    ++failed;
            }
        });
    }
    pool.waitForDone();
    const double secs = t.nsecsElapsed() / 1e9;
    const double cpu = cpuSeconds() - cpu0;
    printResult({{"variant", "floor"}, {"files", files.size()}, {"failed", failed.load()}, {"seconds", secs},
                 {"ips", files.size() / secs}, {"cpu_ms_per_image", 1000.0 * cpu / double(files.size())}});
    return 0;
}

struct RssSampler
{
    std::atomic<bool> stop{false};
    std::atomic<qint64> peak{0};
    std::thread thread;
    std::vector<std::pair<double, qint64>> series; // (seconds, rss) every 0.5 s
    QElapsedTimer clock;

    void start()
    {
        clock.start();
        thread = std::thread([this] {
            while (!stop.load()) {
                const qint64 r = rssBytes();
                series.emplace_back(clock.elapsed() / 1000.0, r);
                qint64 p = peak.load();
                while (r > p && !peak.compare_exchange_weak(p, r)) {
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(500));
            }
        });
    }
    void finish()
    {
        stop.store(true);
        thread.join();
    }
};

// Ingests `input` with `embedder` into a fresh collection under `collDir`. With `sampleRss`,
// samples RSS and records it every `checkpoint` files.
int childIngest(const QString &variant, const QString &input, const QString &collDir, int threads, bool sampleRss,
                qint64 checkpoint)
{
    NullEmbedder nullEmbedder(variant.endsWith(QLatin1String("-scale")));
    ClassicEmbedder classic;
    Embedder &embedder = variant.startsWith(QLatin1String("classic")) ? static_cast<Embedder &>(classic)
                                                                      : static_cast<Embedder &>(nullEmbedder);
    QDir(collDir).removeRecursively();
    CollectionOptions co;
    co.embedderId = embedder.id();
    co.dimension = embedder.dimension();
    auto c = Collection::create(collDir, co);
    if (!c)
        die(c.errorMessage());
    IngestParams params;
    params.inputs = {input};
    params.threads = threads;

    RssSampler sampler;
    QJsonArray checkpoints;
    qint64 nextCheckpoint = checkpoint;
    qint64 peakBeforeSave = 0;
    const qint64 rssBefore = rssBytes();
    IngestJob job(**c, embedder, params);
    QElapsedTimer t;
    QObject::connect(&job, &IngestJob::progressChanged, [&](const IngestProgress &p) {
        if (!sampleRss)
            return;
        // The first report comes after discovery, before any file is read: it shows what the
        // list of paths costs.
        if (checkpoints.isEmpty() || p.done >= nextCheckpoint || (p.total > 0 && p.done == p.total)) {
            const qint64 r = rssBytes();
            checkpoints.append(QJsonObject{{"done", p.done}, {"rss", r}, {"seconds", t.elapsed() / 1000.0}});
            while (nextCheckpoint <= p.done)
                nextCheckpoint += checkpoint;
        }
        if (p.total > 0 && p.done == p.total) // the last chunk is committed: what follows is the index save
            peakBeforeSave = std::max({peakBeforeSave, sampler.peak.load(), rssBytes()});
    });
    if (sampleRss)
        sampler.start();
    const double cpu0 = cpuSeconds();
    t.start();
    auto r = job.run();
    const double secs = t.nsecsElapsed() / 1e9;
    const double cpu = cpuSeconds() - cpu0;
    if (sampleRss)
        sampler.finish();
    if (!r)
        die(r.errorMessage());
    QJsonObject o{{"variant", variant},
                  {"files", r->discovered},
                  {"dim", embedder.dimension()},
                  {"added", r->added},
                  {"failed", r->failed},
                  {"seconds", secs},
                  {"ips", double(r->discovered) / secs},
                  {"cpu_ms_per_image", 1000.0 * cpu / double(std::max<qint64>(1, r->discovered))},
                  {"rss_before", rssBefore},
                  {"rss_after", rssBytes()},
                  {"hwm", procStatusKb("VmHWM:") * 1024}};
    if (sampleRss) {
        o.insert("peak_sampled", sampler.peak.load());
        o.insert("peak_before_save", peakBeforeSave);
        o.insert("checkpoints", checkpoints);
        QJsonArray series;
        for (const auto &[s, rss] : sampler.series)
            series.append(QJsonArray{s, rss});
        o.insert("series", series);
    }
    auto idx = (*c)->index((*c)->imageSpaceName());
    if (idx)
        o.insert("index", (*idx)->description());
    c->reset();
    QDir(collDir).removeRecursively();
    printResult(o);
    return 0;
}

// Single-threaded per-file cost of each stage, and the classic embedder alone: wall time and
// process CPU time (CLOCK_PROCESS_CPUTIME_ID, so that helper threads Qt or OpenCV might use
// are counted; CPU time is what other processes' load disturbs least).
int childStages(const QString &corpus)
{
    const QStringList files = corpusFiles(corpus);
    DecodeOptions opts;
    opts.maxSide = kDecodeSide;
    ClassicEmbedder classic;
    enum { Read, Decode, Hash, Thumb, Embed, Stages };
    static const char *const names[Stages] = {"read", "decode", "hash", "thumb", "classic"};
    std::vector<double> wall[Stages], cpu[Stages], thumbBytes;
    std::vector<float> v(size_t(classic.dimension()));
    auto cpuNow = [] {
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
    };
    QElapsedTimer t;
    double c0 = 0;
    auto begin = [&] {
        c0 = cpuNow();
        t.start();
    };
    auto end = [&](int stage) {
        wall[stage].push_back(double(t.nsecsElapsed()) / 1e6);
        cpu[stage].push_back(cpuNow() - c0);
    };
    QString sink;
    for (const QString &f : files) {
        begin();
        const QByteArray bytes = readAll(f);
        end(Read);
        begin();
        auto d = ImageDecoder::decode(bytes, opts);
        end(Decode);
        if (!d)
            die(f + QStringLiteral(": ") + d.errorMessage());
        begin();
        sink = contentHash(bytes);
        end(Hash);
        begin();
        const QByteArray thumb = ThumbnailEncoder::encode(d->image, 256);
        end(Thumb);
        thumbBytes.push_back(double(thumb.size()));
        begin();
        classic.embed(d->image, v.data());
        end(Embed);
    }
    QJsonObject o{{"variant", "stages"}, {"files", files.size()}, {"dim", classic.dimension()},
                  {"thumb_bytes_median", median(thumbBytes)}};
    for (int i = 0; i < Stages; ++i)
        o.insert(QLatin1String(names[i]), QJsonObject{{"wall_median", median(wall[i])}, {"wall_mean", mean(wall[i])},
                                                      {"cpu_median", median(cpu[i])}, {"cpu_mean", mean(cpu[i])}});
    printResult(o);
    return 0;
}

// --- parent ---------------------------------------------------------------------------------

QJsonObject runChild(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(QCoreApplication::applicationFilePath(), QStringList{QStringLiteral("--child")} + args);
    if (!p.waitForFinished(-1) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        die(QStringLiteral("child %1 failed (exit %2)").arg(args.join(u' ')).arg(p.exitCode()));
    const QList<QByteArray> lines = p.readAllStandardOutput().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("RESULT "))
            return QJsonDocument::fromJson(line.mid(7)).object();
    }
    die(QStringLiteral("child %1 printed no result").arg(args.join(u' ')));
}

// N hard links to the corpus files, 1000 per folder.
QString ensureLinkFarm(const QString &work, const QStringList &files, int n)
{
    const QString root = QDir(work).filePath(QStringLiteral("scale-%1").arg(n));
    const QString manifest = QDir(root).filePath(QStringLiteral(".manifest"));
    const QByteArray expect = QStringLiteral("n=%1 corpus=%2\n").arg(n).arg(files.size()).toUtf8();
    if (readAll(manifest) == expect)
        return root;
    QDir(root).removeRecursively();
    for (int i = 0; i < n; ++i) {
        const QString sub = QDir(root).filePath(QStringLiteral("d%1").arg(i / 1000, 3, 10, QLatin1Char('0')));
        if (i % 1000 == 0 && !QDir().mkpath(sub))
            die(QStringLiteral("cannot create %1").arg(sub));
        const QString link = QDir(sub).filePath(QStringLiteral("p%1.jpg").arg(i, 6, 10, QLatin1Char('0')));
        if (::link(QFile::encodeName(files[i % files.size()]).constData(), QFile::encodeName(link).constData()) != 0)
            die(QStringLiteral("link %1: %2").arg(link, QString::fromLocal8Bit(std::strerror(errno))));
    }
    QFile m(manifest);
    if (!m.open(QIODevice::WriteOnly) || m.write(expect) < 0)
        die(QStringLiteral("cannot write %1").arg(manifest));
    return root;
}

QString fmt(double x, int prec = 1)
{
    return QString::number(x, 'f', prec);
}

int parentScale(const QString &corpus, const QString &work, int scale, bool withClassic, int threads)
{
    const QStringList files = corpusFiles(corpus);
    const QString farm = ensureLinkFarm(work, files, scale);
    out(QStringLiteral("scale: %1 paths (hard links to %2 corpus files, 1000 per folder) in %3").arg(scale).arg(files.size()).arg(farm));
    out(QStringLiteral("warm-up: read %1 MB").arg(fmt(warmUp(files) / 1e6)));
    QJsonArray runs;
    QStringList variants{QStringLiteral("null-scale")};
    if (withClassic)
        variants << QStringLiteral("classic-scale");
    for (const QString &v : variants) {
        const double load0 = loadAverage();
        QJsonObject r = runChild({QStringLiteral("ingest"), v, farm, QDir(work).filePath(QStringLiteral("coll-") + v),
                                  QString::number(threads), QStringLiteral("1"), QStringLiteral("10000")});
        const int dim = r["dim"].toInt();
        const qint64 vectorsPer = qint64(dim) * 4;
        r.insert("load_before", load0);
        r.insert("load_after", loadAverage());
        out(QString());
        out(QStringLiteral("%1: %2 files in %3 s (%4 images/s), load %5 -> %6, index after save: %7")
                .arg(v).arg(r["files"].toInteger()).arg(fmt(r["seconds"].toDouble())).arg(fmt(r["ips"].toDouble()))
                .arg(fmt(load0, 2), fmt(r["load_after"].toDouble(), 2), r["index"].toString()));
        const qint64 base = r["rss_before"].toInteger();
        out(QStringLiteral("  RSS before run(): %1 MiB").arg(fmt(mib(base))));
        out(QStringLiteral("  %1 %2 %3 %4 %5").arg(QStringLiteral("files done"), 10).arg(QStringLiteral("RSS MiB"), 9)
                .arg(QStringLiteral("growth MiB"), 11).arg(QStringLiteral("vectors MiB"), 12).arg(QStringLiteral("growth-vectors"), 15));
        for (const QJsonValue &cp : r["checkpoints"].toArray()) {
            const qint64 done = cp["done"].toInteger();
            const qint64 rss = cp["rss"].toInteger();
            const qint64 vec = done * vectorsPer;
            out(QStringLiteral("  %1 %2 %3 %4 %5").arg(done, 10).arg(fmt(mib(rss)), 9).arg(fmt(mib(rss - base)), 11)
                    .arg(fmt(mib(vec)), 12).arg(fmt(mib(rss - base - vec)), 15));
        }
        out(QStringLiteral("  peak RSS until the last commit: %1 MiB; peak overall (VmHWM, includes the index save): %2 MiB; "
                           "RSS after run(): %3 MiB")
                .arg(fmt(mib(r["peak_before_save"].toInteger())), fmt(mib(r["hwm"].toInteger())), fmt(mib(r["rss_after"].toInteger()))));
        out(QStringLiteral("  vectors of %1 files: %2 MiB (%3 × %4 × 4 bytes)").arg(scale).arg(fmt(mib(scale * vectorsPer))).arg(scale).arg(dim));
        r.remove("series"); // kept out of the summary line; long
        runs.append(r);
    }
    out(QString());
    out(QStringLiteral("JSON ") + QString::fromUtf8(QJsonDocument(QJsonObject{{"bench", "ingest-scale"}, {"scale", scale}, {"threads", threads}, {"runs", runs}})
                                                     .toJson(QJsonDocument::Compact)));
    return 0;
}

int parentThroughput(const QString &corpus, const QString &work, int reps, int threads, bool withClassic)
{
    const QStringList files = corpusFiles(corpus);
    const CorpusInfo info = describeCorpus(files);
    out(QStringLiteral("corpus: %1 JPEGs from %2 wallpaper sources, %3 MB, mean %4 Mpixel (%5 kpixel), smallest %6×%7, largest %8×%9")
            .arg(info.count).arg(info.sources).arg(fmt(info.bytes / 1e6)).arg(fmt(info.meanPixels / 1e6, 3))
            .arg(fmt(info.meanPixels / 1e3, 0)).arg(info.minSize.width()).arg(info.minSize.height())
            .arg(info.maxSize.width()).arg(info.maxSize.height()));
    out(QStringLiteral("warm-up: read %1 MB").arg(fmt(warmUp(files) / 1e6)));
    out(QStringLiteral("threads: %1; repetitions of floor and null pipeline: %2 (interleaved); classic pipeline and stages: once")
            .arg(threads).arg(reps));

    std::vector<double> floorIps, nullIps, floorCpu, nullCpu, loads;
    QJsonArray raw;
    const QString collNull = QDir(work).filePath(QStringLiteral("coll-null"));
    for (int i = 0; i < reps; ++i) {
        loads.push_back(loadAverage());
        QJsonObject a = runChild({QStringLiteral("floor"), corpus, QString::number(threads)});
        QJsonObject b = runChild({QStringLiteral("ingest"), QStringLiteral("null"), corpus, collNull, QString::number(threads),
                                  QStringLiteral("0"), QStringLiteral("0")});
        floorIps.push_back(a["ips"].toDouble());
        nullIps.push_back(b["ips"].toDouble());
        floorCpu.push_back(a["cpu_ms_per_image"].toDouble());
        nullCpu.push_back(b["cpu_ms_per_image"].toDouble());
        out(QStringLiteral("  rep %1: floor %2 images/s (CPU %3 ms/image), null pipeline %4 images/s (CPU %5 ms/image), "
                           "wall-time ratio %6, load %7")
                .arg(i + 1).arg(fmt(a["ips"].toDouble())).arg(fmt(floorCpu.back(), 2)).arg(fmt(b["ips"].toDouble()))
                .arg(fmt(nullCpu.back(), 2)).arg(fmt(a["ips"].toDouble() / b["ips"].toDouble(), 2)).arg(fmt(loads.back(), 2)));
        raw.append(a);
        raw.append(b);
    }
    loads.push_back(loadAverage());
    QJsonObject classic, stages;
    if (withClassic) {
        classic = runChild({QStringLiteral("ingest"), QStringLiteral("classic"), corpus, QDir(work).filePath(QStringLiteral("coll-classic")),
                            QString::number(threads), QStringLiteral("0"), QStringLiteral("0")});
        loads.push_back(loadAverage());
        stages = runChild({QStringLiteral("stages"), corpus});
        loads.push_back(loadAverage());
    }
    const double floorMed = median(floorIps), nullMed = median(nullIps);
    // Ratio of medians, as time per image: pipeline time / floor time.
    const double ratio = floorMed / nullMed;
    out(QString());
    const double floorCpuMed = median(floorCpu), nullCpuMed = median(nullCpu);
    out(QStringLiteral("| variant | images/s | wall ms/image (%1 threads) | wall time vs floor | CPU ms/image | CPU vs floor |").arg(threads));
    out(QStringLiteral("|---|---:|---:|---:|---:|---:|"));
    out(QStringLiteral("| a. decode-only floor (read + decode ≤256), median of %1 | %2 | %3 | 1.00× | %4 | 1.00× |")
            .arg(reps).arg(fmt(floorMed)).arg(fmt(1000.0 / floorMed, 2)).arg(fmt(floorCpuMed, 2)));
    out(QStringLiteral("| b. ingest, null embedder, median of %1 | %2 | %3 | **%4×** | %5 | %6× |")
            .arg(reps).arg(fmt(nullMed)).arg(fmt(1000.0 / nullMed, 2)).arg(fmt(ratio, 2)).arg(fmt(nullCpuMed, 2))
            .arg(fmt(nullCpuMed / floorCpuMed, 2)));
    if (withClassic) {
        const double c = classic["ips"].toDouble();
        const double cc = classic["cpu_ms_per_image"].toDouble();
        out(QStringLiteral("| c. ingest, classic embedder, 1 run | %1 | %2 | %3× | %4 | %5× |")
                .arg(fmt(c)).arg(fmt(1000.0 / c, 2)).arg(fmt(floorMed / c, 2)).arg(fmt(cc, 2)).arg(fmt(cc / floorCpuMed, 2)));
        out(QString());
        out(QStringLiteral("single-thread cost per file, ms (%1 files): wall median / mean, CPU median / mean").arg(stages["files"].toInteger()));
        for (const char *k : {"read", "decode", "hash", "thumb", "classic"}) {
            const QJsonObject st = stages[QLatin1String(k)].toObject();
            out(QStringLiteral("  %1 %2 / %3   %4 / %5").arg(QString::fromLatin1(k), -8)
                    .arg(fmt(st["wall_median"].toDouble(), 3)).arg(fmt(st["wall_mean"].toDouble(), 3))
                    .arg(fmt(st["cpu_median"].toDouble(), 3)).arg(fmt(st["cpu_mean"].toDouble(), 3)));
        }
        out(QStringLiteral("  (classic is %1-d; thumbnail JPEG median %2 bytes)").arg(stages["dim"].toInt())
                .arg(fmt(stages["thumb_bytes_median"].toDouble(), 0)));
    }
    out(QStringLiteral("load average (1 min) at each step: %1").arg([&] {
        QStringList l;
        for (double x : loads)
            l << fmt(x, 2);
        return l.join(QStringLiteral(", "));
    }()));
    QJsonObject summary{{"bench", "ingest"},
                        {"files", info.count},
                        {"corpus_mb", info.bytes / 1e6},
                        {"mean_pixels", info.meanPixels},
                        {"threads", threads},
                        {"reps", reps},
                        {"floor_ips", floorMed},
                        {"null_ips", nullMed},
                        {"null_time_ratio", ratio},
                        {"floor_cpu_ms", floorCpuMed},
                        {"null_cpu_ms", nullCpuMed},
                        {"floor_ips_all", QJsonArray::fromVariantList([&] {
                             QVariantList l;
                             for (double x : floorIps)
                                 l << x;
                             return l;
                         }())},
                        {"null_ips_all", QJsonArray::fromVariantList([&] {
                             QVariantList l;
                             for (double x : nullIps)
                                 l << x;
                             return l;
                         }())}};
    if (withClassic) {
        summary.insert("classic_ips", classic["ips"].toDouble());
        summary.insert("classic_time_ratio", floorMed / classic["ips"].toDouble());
        summary.insert("classic_cpu_ms", classic["cpu_ms_per_image"].toDouble());
        summary.insert("classic_embed_ms_median", stages["classic"].toObject()["wall_median"].toDouble());
        summary.insert("classic_embed_cpu_ms_median", stages["classic"].toObject()["cpu_median"].toDouble());
        summary.insert("stages", stages);
    }
    QJsonArray l;
    for (double x : loads)
        l.append(x);
    summary.insert("load", l);
    out(QStringLiteral("JSON ") + QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)));
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    // Like lookalike-cli: a QGuiApplication (fonts for SVG text) on the offscreen platform.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);

    if (args.value(0) == u"--child") {
        const QString what = args.value(1);
        if (what == u"floor")
            return childFloor(args.value(2), args.value(3).toInt());
        if (what == u"ingest")
            return childIngest(args.value(2), args.value(3), args.value(4), args.value(5).toInt(), args.value(6) == u"1",
                               args.value(7).toLongLong());
        if (what == u"stages")
            return childStages(args.value(2));
        die(QStringLiteral("unknown child %1").arg(what));
    }

    int n = 2000, threads = 2, reps = 3, scale = 0;
    bool classic = true, scaleClassic = false;
    QString corpus = QStringLiteral("/tmp/lookalike-bench-corpus");
    QString work = QStringLiteral("/tmp/lookalike-bench-work");
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        auto value = [&]() -> QString {
            if (i + 1 >= args.size())
                die(QStringLiteral("%1 needs a value").arg(a));
            return args[++i];
        };
        if (a == u"--n")
            n = value().toInt();
        else if (a == u"--corpus")
            corpus = value();
        else if (a == u"--work")
            work = value();
        else if (a == u"--threads")
            threads = value().toInt();
        else if (a == u"--reps")
            reps = value().toInt();
        else if (a == u"--scale")
            scale = value().toInt();
        else if (a == u"--no-classic")
            classic = false;
        else if (a == u"--scale-classic")
            scaleClassic = true;
        else
            die(QStringLiteral("unknown option %1 (see the comment at the top of bench/bench_ingest.cpp)").arg(a));
    }
    if (n < 1 || threads < 1 || reps < 1)
        die(QStringLiteral("--n, --threads and --reps must be positive"));
    corpus = QFileInfo(corpus).absoluteFilePath();
    work = QFileInfo(work).absoluteFilePath();
    QDir().mkpath(work);
    ensureCorpus(corpus, n);
    if (scale > 0)
        return parentScale(corpus, work, scale, scaleClassic, threads);
    return parentThroughput(corpus, work, reps, threads, classic);
}
