// Model benchmark: images/s of a Hugging Face CLIP or SigLIP folder on the CPU — the image tower
// alone, the full ingest pipeline, and the decode-only floor on the same files — for comparison
// with bench/vlm_eager_reference.py (plain PyTorch eager, same weights, same machine).
//
//   bench_models --model-dir DIR [--images 64] [--batch 16] [--reps 3] [--warmup 1]
//                [--threads T] [--chunk 64] [--modes model,e2e,floor] [--corpus DIR]
//                [--work DIR] [--check-out DIR] [--malloc-tuned] [--json]
//
// Results: docs/BENCHMARKS.md, "Models: CLIP ViT-B/32 and SigLIP so400m on the CPU";
// bench/run_model_bench.sh runs the whole comparison. Random-weight folders at real size come
// from bench/make_random_vlm.py.
//
// Everything runs in this process, after one load of the model (VisionLanguageEmbedder::load,
// CPU, float32) and TorchRuntime::configure(threads T, default one per core).
//   model  the image tower alone: VisionLanguageModel::encodeImages() on a fixed B × 3 × S × S
//          tensor of N(0, 1) noise (S = the tower's input side); --warmup untimed passes, then
//          --reps timed ones; images/s = B / median seconds.
//   prep   the model's own preprocessing (ImagePreprocessor, Pillow-exact bicubic resize,
//          crop, normalise) of the corpus images as the pipeline decodes them, one thread:
//          ms/image, reported separately (the pipeline runs it inside embedImages()).
//   e2e    IngestJob::run() into a fresh collection made for the model's id: discovery, read,
//          decode (≥ the model's side), hash, thumbnail, preprocessing, batched forward passes
//          (VisionLanguageEmbedder: 16 images a pass), SQLite writes, index save, with --threads
//          decode workers and chunks of --chunk files (IngestParams::batchSize; the pipeline
//          decodes chunk i + 1 while chunk i is embedded). images/s = files / wall time.
//   floor  read + ImageDecoder::decode() of the same files with the options the pipeline uses
//          for this model (maxSide = max(256, model side), minShortSide), on a QThreadPool of
//          --threads workers.
// e2e and floor alternate --reps times (floor, e2e, floor, e2e, …); the summary gives medians.
// Each timing also records the process's CPU time (user + system, all threads).
//
// --malloc-tuned: before anything else, mallopt(M_MMAP_THRESHOLD, 1 GiB) and
// mallopt(M_TRIM_THRESHOLD, INT_MAX), so that glibc keeps freed activation buffers in the heap
// instead of unmapping them and page-faulting fresh ones in for the next layer (tensors above
// its dynamic threshold, at most 32 MiB, get their own mmap). Off by default: the product does
// not do this today; the flag measures what it would gain (vlm_eager_reference.py has the same).
//
// --check-out DIR: writes DIR/pixels.npy (the first two corpus images, decoded and preprocessed
// as the pipeline does: (2, 3·S·S) float32) and DIR/embeds.npy (encodeImages() of them, not
// normalised) for vlm_eager_reference.py --check.
//
// Corpus: --images JPEGs generated once into --corpus (default
// /tmp/lookalike-bench-models-corpus) from Debian's plasma-workspace-wallpapers, by the recipe
// of bench_ingest (its code is duplicated below: the benchmarks share no support library) with
// larger files, as photos are: a random crop of one wallpaper (20–100 % of the largest crop of
// its aspect), long side 640–1600 px, aspect 1:1 to 3:2 either way, JPEG quality 85–92, seed
// 20240611. Reused when its MANIFEST matches.

#include "benchcorpus.h"
#include "collection/collection.h"
#include "ingest/ingestjob.h"
#include "media/imagedecoder.h"
#include "models/imagepreprocessor.h"
#include "models/preprocessorconfig.h"
#include "models/processorspec.h"
#include "models/torchruntime.h"
#include "models/visionlanguageembedder.h"
#include "models/visionlanguagemodel.h"
#include "util/npyfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSysInfo>
#include <QThread>
#include <QThreadPool>

#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

using namespace lookalike;
using lookalike::bench::wallpaperSources;

namespace {

constexpr quint32 kSeed = 20240611;
constexpr int kThumbnailSide = 256; // IngestParams' default

bool g_json = false;

// Progress and the human-readable summary; stderr when --json keeps stdout for the JSON.
void say(const QString &s)
{
    FILE *f = g_json ? stderr : stdout;
    std::fputs(qPrintable(s), f);
    std::fputc('\n', f);
    std::fflush(f);
}

[[noreturn]] void die(const QString &s)
{
    std::fprintf(stderr, "bench_models: %s\n", qPrintable(s));
    std::exit(2);
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readAll().split(' ').value(0).toDouble();
}

// The process's memory from /proc/self/status, in MiB: VmHWM (peak RSS), VmRSS and its
// anonymous and file-backed parts (memory-mapped weights count as file pages once touched).
QJsonObject memoryNow()
{
    QJsonObject out;
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        for (const char *key : {"VmHWM", "VmRSS", "RssAnon", "RssFile"}) {
            if (line.startsWith(QByteArray(key).append(':')))
                out.insert(QLatin1String(key), line.mid(qsizetype(std::strlen(key)) + 1).trimmed().split(' ').value(0).toDouble() / 1024.0);
        }
    }
    return out;
}

qint64 weightBytes(const QString &modelDir)
{
    qint64 total = 0;
    for (const QFileInfo &f : QDir(modelDir).entryInfoList({QStringLiteral("*.safetensors")}, QDir::Files))
        total += f.size();
    return total;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QJsonArray toJson(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

// One measured variant: wall and CPU seconds per repetition over `images` images.
struct Series
{
    int images = 0;
    std::vector<double> wall, cpu;

    double ips() const { return images / std::max(1e-9, median(wall)); }
    double cpuMsPerImage() const { return 1000.0 * median(cpu) / std::max(1, images); }
    QJsonObject json() const
    {
        return {{"images", images},        {"seconds", toJson(wall)}, {"cpu_seconds", toJson(cpu)},
                {"median_seconds", median(wall)}, {"ips", ips()},     {"cpu_ms_per_image", cpuMsPerImage()}};
    }
};

template <typename F>
void timeInto(Series &s, F &&f)
{
    const double c0 = cpuSeconds();
    QElapsedTimer t;
    t.start();
    f();
    s.wall.push_back(double(t.nsecsElapsed()) / 1e9);
    s.cpu.push_back(cpuSeconds() - c0);
}

// --- corpus (the recipe of bench_ingest.cpp, larger sizes) ---------------------------------

QStringList corpusFiles(const QString &dir)
{
    QStringList files;
    const QDir d(dir);
    for (const QString &name : d.entryList({QStringLiteral("img_*.jpg")}, QDir::Files, QDir::Name))
        files << d.filePath(name);
    return files;
}

QString manifestText(int n, const QStringList &sources)
{
    return QStringLiteral("lookalike bench_models corpus v1\nn=%1\nseed=%2\nsources=%3\nlong=640-1600\n")
        .arg(n)
        .arg(kSeed)
        .arg(sources.size());
}

void ensureCorpus(const QString &dir, int n)
{
    const QStringList sources = wallpaperSources();
    if (sources.isEmpty())
        die(QStringLiteral("no source images under /usr/share/wallpapers (install plasma-workspace-wallpapers)"));
    const QString manifest = QDir(dir).filePath(QStringLiteral("MANIFEST"));
    if (readAll(manifest) == manifestText(n, sources).toUtf8() && corpusFiles(dir).size() == n)
        return;
    say(QStringLiteral("corpus: generating %1 JPEGs from %2 sources into %3 ...").arg(n).arg(sources.size()).arg(dir));
    QDir(dir).removeRecursively();
    QDir().mkpath(dir);
    std::mt19937 rng(kSeed);
    auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    auto uniInt = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
    int made = 0;
    for (int s = 0; s < sources.size() && made < n; ++s) {
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
            const int longSide = uniInt(640, 1600);
            const double aspect = uni(1.0, 1.5);
            const int shortSide = std::min(longSide, int(std::lround(longSide / aspect)));
            const bool portrait = uniInt(0, 3) == 0;
            const int w = portrait ? shortSide : longSide;
            const int h = portrait ? longSide : shortSide;
            const double fit = std::min(double(src.width()) / w, double(src.height()) / h);
            const double scale = uni(0.2, 1.0);
            const int cw = std::max(1, int(w * fit * scale));
            const int ch = std::max(1, int(h * fit * scale));
            const int x = uniInt(0, src.width() - cw);
            const int y = uniInt(0, src.height() - ch);
            const QImage crop = src.copy(x, y, cw, ch).scaled(w, h, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
            const QString path = QDir(dir).filePath(QStringLiteral("img_%1.jpg").arg(made, 5, 10, QLatin1Char('0')));
            if (!crop.save(path, "JPEG", uniInt(85, 92)))
                die(QStringLiteral("cannot write %1").arg(path));
            ++made;
        }
    }
    QFile m(manifest);
    if (!m.open(QIODevice::WriteOnly) || m.write(manifestText(n, sources).toUtf8()) < 0)
        die(QStringLiteral("cannot write %1").arg(manifest));
}

QJsonObject describeCorpus(const QStringList &files)
{
    qint64 bytes = 0;
    double pixels = 0;
    for (const QString &f : files) {
        bytes += QFileInfo(f).size();
        const QSize s = QImageReader(f).size();
        pixels += double(s.width()) * s.height();
    }
    return {{"files", files.size()}, {"bytes", bytes}, {"mean_mpixels", files.isEmpty() ? 0 : pixels / 1e6 / double(files.size())}};
}

// --- measurements ---------------------------------------------------------------------------

DecodeOptions pipelineDecodeOptions(const Embedder &embedder)
{
    // What IngestJob::run() asks of the decoder for this embedder.
    DecodeOptions o;
    o.maxSide = std::max({kThumbnailSide, embedder.preferredInputSide(), 1});
    o.minShortSide = embedder.minimumShortSide();
    return o;
}

Series measureModel(const VisionLanguageModel &model, int batch, int warmup, int reps)
{
    const int side = model.imageSize();
    HostTensor pixels{{batch, 3, side, side}, std::vector<float>(size_t(batch) * 3 * size_t(side) * size_t(side))};
    std::mt19937 rng(kSeed);
    std::normal_distribution<float> g;
    for (float &v : pixels.values)
        v = g(rng);
    auto pass = [&] {
        if (auto r = model.encodeImages(pixels); !r)
            die(QStringLiteral("encodeImages: %1").arg(r.errorMessage()));
    };
    for (int i = 0; i < warmup; ++i)
        pass();
    Series s;
    s.images = batch;
    for (int i = 0; i < reps; ++i) {
        timeInto(s, pass);
        say(QStringLiteral("  model alone, rep %1: %2 s (%3 images/s)").arg(i + 1).arg(s.wall.back(), 0, 'f', 3).arg(batch / s.wall.back(), 0, 'f', 2));
    }
    return s;
}

Series measureFloor(const QStringList &files, const DecodeOptions &opts, int threads)
{
    Series s;
    s.images = int(files.size());
    std::atomic<int> next{0}, failed{0};
    timeInto(s, [&] {
        QThreadPool pool;
        pool.setMaxThreadCount(threads);
        for (int w = 0; w < threads; ++w) {
            pool.start([&] {
                for (int i; (i = next.fetch_add(1)) < files.size();) {
                    if (!ImageDecoder::decode(readAll(files[i]), opts))
                        ++failed;
                }
            });
        }
        pool.waitForDone();
    });
    if (failed)
        die(QStringLiteral("%1 files failed to decode").arg(failed.load()));
    return s;
}

void measureIngest(Series &s, VisionLanguageEmbedder &embedder, const QString &corpus, const QString &collDir, int threads,
                   int chunk)
{
    QDir(collDir).removeRecursively();
    CollectionOptions co;
    co.embedderId = embedder.id();
    co.dimension = embedder.dimension();
    auto c = Collection::create(collDir, co);
    if (!c)
        die(c.errorMessage());
    IngestParams params;
    params.inputs = {corpus};
    params.threads = threads;
    params.batchSize = chunk;
    IngestJob job(**c, embedder, params);
    std::optional<Result<IngestResult>> r;
    timeInto(s, [&] { r.emplace(job.run()); });
    if (!*r)
        die(r->errorMessage());
    if ((*r)->added != s.images || (*r)->failed != 0)
        die(QStringLiteral("ingest added %1 of %2 files, %3 failed").arg((*r)->added).arg(s.images).arg((*r)->failed));
    c->reset();
    QDir(collDir).removeRecursively();
}

// Decodes as the pipeline does, then preprocesses, one thread: the preprocessing cost per image
// and the pixel values of the first `keep` images.
double measurePreprocess(const QString &folder, const QStringList &files, const DecodeOptions &opts, int keep,
                         std::vector<float> *kept)
{
    auto config = PreprocessorConfig::fromFile(QDir(folder).filePath(QStringLiteral("preprocessor_config.json")));
    if (!config)
        die(config.errorMessage());
    auto pre = ImagePreprocessor::create(processorSpec(*config));
    if (!pre)
        die(pre.errorMessage());
    std::vector<float> values(size_t(pre->valuesPerImage()));
    double seconds = 0;
    for (int i = 0; i < files.size(); ++i) {
        auto d = ImageDecoder::decode(readAll(files[i]), opts);
        if (!d)
            die(files[i] + QStringLiteral(": ") + d.errorMessage());
        QElapsedTimer t;
        t.start();
        if (auto r = pre->processInto(d->image, values); !r)
            die(r.errorMessage());
        seconds += double(t.nsecsElapsed()) / 1e9;
        if (kept && i < keep)
            kept->insert(kept->end(), values.begin(), values.end());
    }
    return 1000.0 * seconds / double(std::max<qsizetype>(1, files.size()));
}

struct Options
{
    QString modelDir;
    int images = 64;
    int batch = 16;
    int reps = 3;
    int warmup = 1;
    int threads = 0;
    int chunk = 64;
    QStringList modes{QStringLiteral("model"), QStringLiteral("e2e"), QStringLiteral("floor")};
    QString corpus = QStringLiteral("/tmp/lookalike-bench-models-corpus");
    QString work = QStringLiteral("/tmp/lookalike-bench-models-work");
    QString checkOut;
    bool mallocTuned = false;
};

Options parse(const QStringList &args)
{
    Options o;
    auto value = [&](int &i) {
        if (i + 1 >= args.size())
            die(QStringLiteral("%1 needs a value").arg(args[i]));
        return args[++i];
    };
    auto number = [&](int &i, int min) {
        const QString name = args[i];
        bool ok = false;
        const int v = value(i).toInt(&ok);
        if (!ok || v < min)
            die(QStringLiteral("%1: expected an integer ≥ %2").arg(name).arg(min));
        return v;
    };
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--model-dir"))
            o.modelDir = value(i);
        else if (a == QLatin1String("--images"))
            o.images = number(i, 2);
        else if (a == QLatin1String("--batch"))
            o.batch = number(i, 1);
        else if (a == QLatin1String("--reps"))
            o.reps = number(i, 1);
        else if (a == QLatin1String("--warmup"))
            o.warmup = number(i, 0);
        else if (a == QLatin1String("--threads"))
            o.threads = number(i, 1);
        else if (a == QLatin1String("--chunk"))
            o.chunk = number(i, 1);
        else if (a == QLatin1String("--modes"))
            o.modes = value(i).split(u',', Qt::SkipEmptyParts);
        else if (a == QLatin1String("--corpus"))
            o.corpus = value(i);
        else if (a == QLatin1String("--work"))
            o.work = value(i);
        else if (a == QLatin1String("--check-out"))
            o.checkOut = value(i);
        else if (a == QLatin1String("--malloc-tuned"))
            o.mallocTuned = true;
        else if (a == QLatin1String("--json"))
            g_json = true;
        else
            die(QStringLiteral("unknown argument %1 (see the comment at the top of bench/bench_models.cpp)").arg(a));
    }
    if (o.modelDir.isEmpty())
        die(QStringLiteral("--model-dir DIR is required"));
    for (const QString &m : o.modes)
        if (m != QLatin1String("model") && m != QLatin1String("e2e") && m != QLatin1String("floor"))
            die(QStringLiteral("--modes: unknown mode %1 (model, e2e, floor)").arg(m));
    if (o.threads == 0)
        o.threads = std::max(1, QThread::idealThreadCount());
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    // Before QCoreApplication: --malloc-tuned must apply to every allocation that follows.
    const bool tuned = std::any_of(argv + 1, argv + argc, [](const char *a) { return std::strcmp(a, "--malloc-tuned") == 0; });
    if (tuned && (mallopt(M_MMAP_THRESHOLD, 1 << 30) != 1 || mallopt(M_TRIM_THRESHOLD, INT_MAX) != 1))
        die(QStringLiteral("mallopt refused the thresholds"));
    QCoreApplication app(argc, argv);
    const Options opt = parse(app.arguments());
    const QString modelDir = QFileInfo(opt.modelDir).absoluteFilePath();

    TorchSettings ts;
    ts.device = QStringLiteral("cpu");
    ts.threads = opt.threads;
    TorchRuntime::configure(ts);

    const double load0 = loadAverage();
    const QJsonObject memoryBeforeLoad = memoryNow();
    QElapsedTimer loadClock;
    loadClock.start();
    ModelLoadOptions mo;
    mo.device = QStringLiteral("cpu");
    auto loaded = VisionLanguageEmbedder::load(modelDir, mo);
    if (!loaded)
        die(QStringLiteral("cannot load %1: %2").arg(modelDir, loaded.errorMessage()));
    VisionLanguageEmbedder &embedder = **loaded;
    const VisionLanguageModel &model = embedder.model();
    const double loadSeconds = loadClock.nsecsElapsed() / 1e9;
    const QJsonObject memoryAfterLoad = memoryNow();
    say(QStringLiteral("%1: %2, input %3 px, %4-d, loaded in %5 s; %6 torch threads")
            .arg(embedder.id(), model.family())
            .arg(model.imageSize())
            .arg(model.embeddingDimension())
            .arg(loadSeconds, 0, 'f', 1)
            .arg(TorchRuntime::threads()));

    const bool wantFiles = opt.modes.contains(QLatin1String("e2e")) || opt.modes.contains(QLatin1String("floor"))
        || !opt.checkOut.isEmpty();
    QStringList files;
    QJsonObject corpusInfo;
    if (wantFiles) {
        ensureCorpus(opt.corpus, opt.images);
        files = corpusFiles(opt.corpus);
        for (const QString &f : files) // warm page cache for every variant alike
            readAll(f);
        corpusInfo = describeCorpus(files);
        corpusInfo.insert("dir", opt.corpus);
    }
    const DecodeOptions decodeOpts = pipelineDecodeOptions(embedder);

    QJsonObject out{{"model_dir", modelDir},
                    {"id", embedder.id()},
                    {"family", model.family()},
                    {"image_size", model.imageSize()},
                    {"dimension", model.embeddingDimension()},
                    {"threads", opt.threads},
                    {"torch_threads", TorchRuntime::threads()},
                    {"batch", opt.batch},
                    {"chunk", opt.chunk},
                    {"reps", opt.reps},
                    {"warmup", opt.warmup},
                    {"cores", QThread::idealThreadCount()},
                    {"cpu", QSysInfo::currentCpuArchitecture()},
                    {"malloc_tuned", opt.mallocTuned},
                    {"load_seconds", loadSeconds},
                    {"weights_mib", double(weightBytes(modelDir)) / (1 << 20)},
                    {"memory_before_load", memoryBeforeLoad},
                    {"memory_after_load", memoryAfterLoad},
                    {"loadavg_start", load0}};
    if (wantFiles)
        out.insert("corpus", corpusInfo);

    if (!opt.checkOut.isEmpty()) {
        std::vector<float> pixels;
        const int rows = 2;
        measurePreprocess(modelDir, files.mid(0, rows), decodeOpts, rows, &pixels);
        const int side = model.imageSize();
        HostTensor in{{rows, 3, side, side}, pixels};
        auto e = model.encodeImages(in);
        if (!e)
            die(e.errorMessage());
        QDir().mkpath(opt.checkOut);
        const QString px = QDir(opt.checkOut).filePath(QStringLiteral("pixels.npy"));
        const QString em = QDir(opt.checkOut).filePath(QStringLiteral("embeds.npy"));
        if (auto w = NpyFile::writeFloat32(px, rows, qint64(3) * side * side, pixels); !w)
            die(w.errorMessage());
        if (auto w = NpyFile::writeFloat32(em, rows, e->shape.back(), e->values); !w)
            die(w.errorMessage());
        out.insert("check_out", QJsonObject{{"pixels", px}, {"embeds", em}});
        say(QStringLiteral("check: wrote %1 and %2").arg(px, em));
    }

    if (opt.modes.contains(QLatin1String("model"))) {
        say(QStringLiteral("model alone: batch %1, %2 warm-up + %3 timed passes").arg(opt.batch).arg(opt.warmup).arg(opt.reps));
        const Series s = measureModel(model, opt.batch, opt.warmup, opt.reps);
        out.insert("model_alone", s.json());
        say(QStringLiteral("model alone: %1 images/s (median), %2 CPU ms/image").arg(s.ips(), 0, 'f', 2).arg(s.cpuMsPerImage(), 0, 'f', 1));
    }

    if (wantFiles) {
        const double ms = measurePreprocess(modelDir, files, decodeOpts, 0, nullptr);
        out.insert("preprocess_ms_per_image", ms);
        say(QStringLiteral("preprocessing (resize, crop, normalise; 1 thread): %1 ms/image").arg(ms, 0, 'f', 2));
    }

    const bool e2e = opt.modes.contains(QLatin1String("e2e"));
    const bool floor = opt.modes.contains(QLatin1String("floor"));
    if (e2e || floor) {
        Series ingest, floorSeries;
        ingest.images = int(files.size());
        const QString collDir = QDir(opt.work).filePath(QStringLiteral("collection"));
        for (int r = 0; r < opt.reps; ++r) {
            if (floor) {
                const Series f = measureFloor(files, decodeOpts, opt.threads);
                floorSeries.images = f.images;
                floorSeries.wall.push_back(f.wall.front());
                floorSeries.cpu.push_back(f.cpu.front());
            }
            if (e2e) {
                measureIngest(ingest, embedder, opt.corpus, collDir, opt.threads, opt.chunk);
                say(QStringLiteral("  ingest, rep %1: %2 s (%3 images/s)")
                        .arg(r + 1)
                        .arg(ingest.wall.back(), 0, 'f', 2)
                        .arg(ingest.images / ingest.wall.back(), 0, 'f', 2));
            }
        }
        if (floor) {
            out.insert("floor", floorSeries.json());
            say(QStringLiteral("decode floor: %1 images/s (median), %2 CPU ms/image").arg(floorSeries.ips(), 0, 'f', 1).arg(floorSeries.cpuMsPerImage(), 0, 'f', 2));
        }
        if (e2e) {
            out.insert("end_to_end", ingest.json());
            say(QStringLiteral("end to end (IngestJob): %1 images/s (median), %2 CPU ms/image").arg(ingest.ips(), 0, 'f', 2).arg(ingest.cpuMsPerImage(), 0, 'f', 1));
        }
    }
    out.insert("loadavg_end", loadAverage());
    out.insert("memory_end", memoryNow());
    if (g_json) {
        std::fputs(QJsonDocument(out).toJson(QJsonDocument::Compact).constData(), stdout);
        std::fputc('\n', stdout);
    }
    return 0;
}
