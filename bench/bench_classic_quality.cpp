// Retrieval quality and speed of the classic embedder against a crude baseline, on labelled
// sets of real images, plus the cost of OpenCV's own threads when two workers embed at once.
//
//   bench_classic_quality [--set NAME]... [--root DIR]... [--json] [--neardup N] [--no-whiten]
//                         [--threads-only]
//
// Sets (default: oxygen, adwaita, cxr, those present on the machine):
//   oxygen           /usr/share/icons/oxygen/base/64x64/<category>/*.png: the TUNING set
//   oxygen128        the same theme at 128 px (mostly the same designs: not independent)
//   adwaita          Adwaita's full-colour (legacy) icons at 48 px: HELD OUT, never tuned on.
//                    Label = the icon's Icon Naming Spec context, see loadAdwaita()
//   adwaita-symbolic Adwaita's monochrome -symbolic glyphs at 64 px, label = folder: held out
//   cxr              /work/shared/testdata/cxr-sample (50 chest X-rays, label = `finding`):
//                    a sanity check only, far too small to tune on
//   openclipart      Debian's openclipart-png clip art, label = the folder (animals/birds,
//                    food/fruit, ...): held out, third round; rules in BENCHMARKS.md
//   lemon            the Lemon icon theme inside openclipart-png, label = context: held out
//   tuxpaint         Debian's tuxpaint-stamps-default, label = top folder: held out
//                    (the three take =DIR for a package unpacked elsewhere, e.g. with dpkg-deb -x)
//   --root DIR       any folder of <category>/*.png or *.svg
//
// Per set: precision@10 (leave-one-out, cosine), overall / macro / per label, the difference
// classic-v1 minus baseline with a paired-bootstrap interval, near-duplicate
// recall@1 under common edits and, with whitening on, a PCA-whitening fitted (unsupervised)
// on the set itself. Once: the median single-thread time per image, and the throughput of two
// threads embedding at once with OpenCV's pool at 1 thread vs its default. Results and the
// exact command are recorded in docs/BENCHMARKS.md.

#include "embed/classicembedder.h"
#include "util/csvreader.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <opencv2/core.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <thread>
#include <vector>

using namespace lookalike;

namespace {

constexpr int kK = 10;
// The sets added on 2026-12-03, their rules fixed before any of their figures was computed.
const QString kHeldOut3 = QStringLiteral("held out (third round, rules fixed before the first run)");
constexpr int kPipelineMaxSide = 256;

// What the pipeline hands an embedder: RGB888, alpha over white, longest side <= 256.
QImage toPipelineImage(const QImage &decoded)
{
    QImage argb = decoded.convertToFormat(QImage::Format_ARGB32);
    QImage rgb(argb.size(), QImage::Format_RGB888);
    for (int y = 0; y < argb.height(); ++y) {
        const QRgb *s = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        uchar *d = rgb.scanLine(y);
        for (int x = 0; x < argb.width(); ++x) {
            const int a = qAlpha(s[x]);
            d[3 * x + 0] = uchar((qRed(s[x]) * a + 255 * (255 - a) + 127) / 255);
            d[3 * x + 1] = uchar((qGreen(s[x]) * a + 255 * (255 - a) + 127) / 255);
            d[3 * x + 2] = uchar((qBlue(s[x]) * a + 255 * (255 - a) + 127) / 255);
        }
    }
    if (std::max(rgb.width(), rgb.height()) > kPipelineMaxSide)
        rgb = rgb.scaled(kPipelineMaxSide, kPipelineMaxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return rgb;
}

// The crude baseline: 16×16 grey thumbnail (mean-centred, L2) ++ 4×4×4 RGB histogram
// (L1, sqrt, hence L2 = 1), each block L2-normalised, then the whole vector.
constexpr int kBaseThumb = 16, kBaseBins = 4;
constexpr int kBaselineDim = kBaseThumb * kBaseThumb + kBaseBins * kBaseBins * kBaseBins;

void baselineEmbed(const QImage &rgb, float *out)
{
    const QImage grey = rgb.convertToFormat(QImage::Format_Grayscale8)
                            .scaled(kBaseThumb, kBaseThumb, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    double mean = 0;
    for (int y = 0; y < kBaseThumb; ++y)
        for (int x = 0; x < kBaseThumb; ++x)
            mean += grey.constScanLine(y)[x];
    mean /= kBaseThumb * kBaseThumb;
    double sq = 0;
    for (int y = 0; y < kBaseThumb; ++y)
        for (int x = 0; x < kBaseThumb; ++x) {
            const float v = float(grey.constScanLine(y)[x] - mean);
            out[y * kBaseThumb + x] = v;
            sq += double(v) * v;
        }
    const float inv = sq > 0 ? float(1 / std::sqrt(sq)) : 0.f;
    for (int i = 0; i < kBaseThumb * kBaseThumb; ++i)
        out[i] *= inv;

    float *h = out + kBaseThumb * kBaseThumb;
    std::fill(h, h + kBaseBins * kBaseBins * kBaseBins, 0.f);
    for (int y = 0; y < rgb.height(); ++y) {
        const uchar *p = rgb.constScanLine(y);
        for (int x = 0; x < rgb.width(); ++x, p += 3)
            h[((p[0] / 64) * kBaseBins + p[1] / 64) * kBaseBins + p[2] / 64] += 1.f;
    }
    const float n = float(rgb.width()) * float(rgb.height());
    for (int i = 0; i < kBaseBins * kBaseBins * kBaseBins; ++i)
        h[i] = std::sqrt(h[i] / n);
    const float g = 1.f / std::sqrt(2.f); // both blocks have unit norm (thumbnail: unless flat)
    for (int i = 0; i < kBaselineDim; ++i)
        out[i] *= g;
}

using EmbedFn = std::function<void(const QImage &, float *)>;

struct Method
{
    QString name;
    int dim;
    EmbedFn embed;
};

double medianOf(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// CPU time of the calling thread, in ms: unlike wall time, not inflated by other processes
// competing for the cores (builds running beside the benchmark).
double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

struct Timings
{
    std::vector<double> wall, cpu; // ms per image
};

// Embeds all images, returning N×dim and, when asked, the per-image times.
std::vector<float> embedAll(const Method &m, const std::vector<QImage> &images, Timings *t)
{
    std::vector<float> out(images.size() * size_t(m.dim));
    for (size_t i = 0; i < images.size(); ++i) {
        const double c0 = threadCpuMs();
        const auto t0 = std::chrono::steady_clock::now();
        m.embed(images[i], out.data() + i * m.dim);
        const auto t1 = std::chrono::steady_clock::now();
        const double c1 = threadCpuMs();
        if (t) {
            t->wall.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            t->cpu.push_back(c1 - c0);
        }
    }
    return out;
}

float dot(const float *a, const float *b, int d)
{
    float s = 0;
    for (int i = 0; i < d; ++i)
        s += a[i] * b[i];
    return s;
}

struct Precision
{
    double overall = 0;
    double macro = 0;
    std::vector<double> perLabel; // mean over queries of that label
    std::vector<double> perQuery; // each query's own precision, for paired comparisons
};

// Leave-one-out precision@k by cosine (vectors are unit length). Ties break by index.
Precision precisionAtK(const std::vector<float> &vecs, int dim, const std::vector<int> &labels, int nLabels)
{
    const int n = int(labels.size());
    std::vector<double> sum(nLabels, 0.0);
    std::vector<int> count(nLabels, 0);
    double total = 0;
    std::vector<std::pair<float, int>> scores(n - 1);
    Precision res;
    for (int q = 0; q < n; ++q) {
        int j = 0;
        for (int i = 0; i < n; ++i) {
            if (i != q)
                scores[j++] = {-dot(&vecs[size_t(q) * dim], &vecs[size_t(i) * dim], dim), i};
        }
        const int k = std::min(kK, n - 1);
        std::partial_sort(scores.begin(), scores.begin() + k, scores.end());
        int hits = 0;
        for (int r = 0; r < k; ++r)
            hits += labels[scores[r].second] == labels[q];
        const double p = double(hits) / kK;
        res.perQuery.push_back(p);
        total += p;
        sum[labels[q]] += p;
        ++count[labels[q]];
    }
    res.overall = total / n;
    int used = 0;
    for (int l = 0; l < nLabels; ++l) {
        res.perLabel.push_back(count[l] ? sum[l] / count[l] : 0);
        if (count[l]) {
            res.macro += res.perLabel.back();
            ++used;
        }
    }
    res.macro /= std::max(used, 1);
    return res;
}

// How sure a difference of P@10 between two methods is: the mean of the per-query differences
// and a 95 % percentile interval from resampling the queries with replacement (paired: each
// resample takes the same queries for both). Leave-one-out queries share their database, so
// the interval is a guide to the noise of "which images happen to be in the set", not an exact
// test. Fixed seed: the same vectors give the same interval.
struct PairedDifference
{
    double mean = 0, low = 0, high = 0;
    int better = 0, worse = 0; // queries where the first method's precision is higher / lower
};

PairedDifference pairedBootstrap(const std::vector<double> &a, const std::vector<double> &b, int resamples = 2000)
{
    PairedDifference d;
    const size_t n = a.size();
    std::vector<double> diff(n);
    for (size_t i = 0; i < n; ++i) {
        diff[i] = a[i] - b[i];
        d.mean += diff[i] / double(n);
        d.better += diff[i] > 0;
        d.worse += diff[i] < 0;
    }
    std::mt19937 rng(7u);
    std::uniform_int_distribution<size_t> pick(0, n - 1);
    std::vector<double> means(static_cast<size_t>(resamples));
    for (double &m : means) {
        double s = 0;
        for (size_t i = 0; i < n; ++i)
            s += diff[pick(rng)];
        m = s / double(n);
    }
    std::sort(means.begin(), means.end());
    d.low = means[size_t(0.025 * resamples)];
    d.high = means[size_t(0.975 * resamples) - 1];
    return d;
}

// Near-duplicate edits, as a user's copies of a picture differ.
struct Edit
{
    QString name;
    std::function<QImage(const QImage &)> apply;
};

std::vector<Edit> makeEdits()
{
    std::vector<Edit> edits;
    edits.push_back({QStringLiteral("jpeg q50"), [](const QImage &img) {
                         QByteArray bytes;
                         QBuffer buf(&bytes);
                         buf.open(QIODevice::WriteOnly);
                         img.save(&buf, "JPG", 50);
                         return QImage::fromData(bytes, "JPG").convertToFormat(QImage::Format_RGB888);
                     }});
    edits.push_back({QStringLiteral("scale 0.5x"), [](const QImage &img) {
                         return img.scaled(std::max(1, img.width() / 2), std::max(1, img.height() / 2),
                                           Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
                     }});
    edits.push_back({QStringLiteral("crop 5% each side"), [](const QImage &img) {
                         const int dx = int(std::lround(img.width() * 0.05)), dy = int(std::lround(img.height() * 0.05));
                         return img.copy(dx, dy, img.width() - 2 * dx, img.height() - 2 * dy);
                     }});
    edits.push_back({QStringLiteral("crop 10% top-left"), [](const QImage &img) {
                         const int dx = int(std::lround(img.width() * 0.1)), dy = int(std::lround(img.height() * 0.1));
                         return img.copy(dx, dy, img.width() - dx, img.height() - dy);
                     }});
    edits.push_back({QStringLiteral("brightness +20%"), [](const QImage &img) {
                         QImage out = img.copy();
                         for (int y = 0; y < out.height(); ++y) {
                             uchar *p = out.scanLine(y);
                             for (int x = 0; x < out.width() * 3; ++x)
                                 p[x] = uchar(std::min(255, int(std::lround(p[x] * 1.2))));
                         }
                         return out;
                     }});
    return edits;
}

struct NearDup
{
    QString edit;
    double recallAt1 = 0;
    double meanRank = 0; // 1 = found first
};

// Rank of the original among all database vectors when querying with its edited copy.
std::vector<NearDup> nearDuplicates(const std::vector<float> &db, int dim, const std::vector<QImage> &images,
                                    const std::vector<int> &sample, const std::vector<Edit> &edits,
                                    const EmbedFn &embed, const std::function<void(float *)> &post)
{
    const int n = int(images.size());
    std::vector<NearDup> res;
    std::vector<float> q(dim);
    for (const Edit &e : edits) {
        NearDup nd{e.name};
        for (int idx : sample) {
            embed(e.apply(images[idx]), q.data());
            if (post)
                post(q.data());
            const float self = dot(q.data(), &db[size_t(idx) * dim], dim);
            int rank = 1;
            for (int i = 0; i < n; ++i) {
                if (i == idx)
                    continue;
                const float s = dot(q.data(), &db[size_t(i) * dim], dim);
                rank += s > self || (s == self && i < idx);
            }
            nd.recallAt1 += rank == 1;
            nd.meanRank += rank;
        }
        nd.recallAt1 /= sample.size();
        nd.meanRank /= sample.size();
        res.push_back(nd);
    }
    return res;
}

// PCA whitening fitted on `vecs` (unsupervised): centre, project on the top `keep`
// components, divide by sqrt(eigenvalue + reg * mean eigenvalue), L2-normalise.
struct Whitening
{
    cv::Mat mean, basis; // 1×D, keep×D (rows scaled by the whitening factors)
    void apply(float *v, int dim) const
    {
        const cv::Mat in(1, dim, CV_32F, v);
        cv::Mat c = in - mean;
        cv::Mat p = c * basis.t();
        const double n = cv::norm(p);
        std::fill(v, v + dim, 0.f);
        for (int i = 0; i < p.cols; ++i)
            v[i] = float(p.at<float>(0, i) / std::max(n, 1e-12));
    }
};

Whitening fitWhitening(const std::vector<float> &vecs, int n, int dim, int keep, double reg)
{
    const cv::Mat data(n, dim, CV_32F, const_cast<float *>(vecs.data()));
    cv::PCA pca(data, cv::noArray(), cv::PCA::DATA_AS_ROW, keep);
    Whitening w;
    w.mean = pca.mean.clone();
    const double meanEig = cv::mean(pca.eigenvalues)[0];
    w.basis = pca.eigenvectors.clone();
    for (int i = 0; i < w.basis.rows; ++i)
        w.basis.row(i) *= 1.0 / std::sqrt(pca.eigenvalues.at<float>(i) + reg * meanEig);
    return w;
}

// A labelled set, decoded into what the pipeline hands an embedder.
struct Dataset
{
    QString name;
    QString source; // folder or file, for the report
    QString role;   // "tuning", "held out", "sanity check", ...
    QStringList labelNames;
    std::vector<QImage> images;
    std::vector<int> labels;
    int skipped = 0; // files left out (duplicates, unlabelled, undecodable)

    int labelOf(const QString &name)
    {
        int l = int(labelNames.indexOf(name));
        if (l < 0) {
            l = int(labelNames.size());
            labelNames << name;
        }
        return l;
    }
};

// Reads `path` unless its bytes were seen before; a null image when skipped.
QImage readUnique(const QString &path, std::set<QByteArray> &seen)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = f.readAll();
    if (!seen.insert(QCryptographicHash::hash(bytes, QCryptographicHash::Sha1)).second)
        return {};
    const QImage img = QImage::fromData(bytes);
    return img.isNull() ? QImage() : toPipelineImage(img);
}

// <root>/<category>/*.png (or *.svg, rasterised by Qt at its own size), label = category. Regular files only (icon themes alias one icon
// under several names with symlinks), each byte-identical file once. `symbolic`: 0 = skip
// *-symbolic* files, 1 = keep only those, 2 = keep all.
Dataset loadFolders(const QString &name, const QString &root, const QString &role, int symbolic = 2,
                    const QStringList &skipDirs = {})
{
    Dataset ds;
    ds.name = name;
    ds.source = root;
    ds.role = role;
    std::set<QByteArray> seen;
    const QDir rootDir(root);
    for (const QString &cat : rootDir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (skipDirs.contains(cat))
            continue;
        const QDir d(rootDir.filePath(cat));
        for (const QFileInfo &fi : d.entryInfoList({QStringLiteral("*.png"), QStringLiteral("*.svg")}, QDir::Files, QDir::Name)) {
            const bool isSymbolic = fi.fileName().contains(QLatin1String("-symbolic"));
            if (fi.isSymLink() || (symbolic == 0 && isSymbolic) || (symbolic == 1 && !isSymbolic))
                continue;
            const QImage img = readUnique(fi.filePath(), seen);
            if (img.isNull()) {
                ++ds.skipped;
                continue;
            }
            ds.images.push_back(img);
            ds.labels.push_back(ds.labelOf(cat));
        }
    }
    return ds;
}

// A folder tree as a labelled set: every *.png and *.svg below `root`, recursively (regular
// files, each byte-identical file once), label = the path of its folder relative to `root`, cut
// to its first `labelDepth` components (0 = the whole path: the folder the file is in). Files
// under an `excluded` path are left out, and so are labels with fewer than `minPerLabel` images;
// a label with more than `maxPerLabel` keeps the first ones by path. `stamps`: Tux Paint's
// layout, where `x_mirror.png` is the mirror image of `x` and a `x.png` beside `x.svg` is the
// same stamp rendered, so both are left out.
struct TreeRules
{
    int labelDepth = 0;
    QStringList excluded;
    int minPerLabel = 10;
    int maxPerLabel = std::numeric_limits<int>::max();
    bool stamps = false;
};

Dataset loadTree(const QString &name, const QString &root, const QString &role, const TreeRules &rules)
{
    Dataset ds;
    ds.name = name;
    ds.source = root;
    ds.role = role;
    const QDir rootDir(root);
    std::map<QString, std::vector<QString>> byLabel; // sorted by label, then path
    QDirIterator it(root, {QStringLiteral("*.png"), QStringLiteral("*.svg")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo fi(it.next());
        const QString rel = rootDir.relativeFilePath(fi.filePath());
        const bool excluded = std::any_of(rules.excluded.begin(), rules.excluded.end(), [&](const QString &e) {
            return rel.startsWith(e + QLatin1Char('/'));
        });
        const bool mirror = rules.stamps && fi.completeBaseName().endsWith(QLatin1String("_mirror"));
        const bool rendered = rules.stamps && fi.suffix() == QLatin1String("png")
                              && QFileInfo::exists(fi.path() + QLatin1Char('/') + fi.completeBaseName() + QStringLiteral(".svg"));
        if (fi.isSymLink() || excluded || mirror || rendered) {
            ++ds.skipped;
            continue;
        }
        QStringList parts = QFileInfo(rel).path().split(QLatin1Char('/'));
        if (rules.labelDepth > 0 && parts.size() > rules.labelDepth)
            parts = parts.mid(0, rules.labelDepth);
        byLabel[parts.join(QLatin1Char('/'))].push_back(fi.filePath());
    }
    std::set<QByteArray> seen;
    for (auto &[label, paths] : byLabel) {
        std::sort(paths.begin(), paths.end());
        std::vector<QImage> images;
        for (const QString &path : paths) {
            if (int(images.size()) == rules.maxPerLabel)
                break;
            if (const QImage img = readUnique(path, seen); !img.isNull())
                images.push_back(img);
        }
        ds.skipped += int(paths.size() - images.size()); // duplicates, undecodable, over the cap
        if (int(images.size()) < rules.minPerLabel) {
            ds.skipped += int(images.size());
            continue;
        }
        const int l = ds.labelOf(label);
        for (QImage &img : images) {
            ds.images.push_back(std::move(img));
            ds.labels.push_back(l);
        }
    }
    return ds;
}

// Adwaita (GNOME 43+) keeps its full-colour icons, all contexts mixed, in <size>/legacy/, and
// a few in context folders. Label = the icon's Icon Naming Spec context: its own folder when
// not legacy; else the context folder holding the same name's -symbolic variant in Adwaita;
// else the context folder of the same name in the Oxygen theme (names only: Oxygen's images
// are not used). Icons with none of these are left out (counted in `skipped`).
Dataset loadAdwaita(const QString &sizeDir, const QString &oxygenRoot)
{
    Dataset ds;
    ds.name = QStringLiteral("adwaita");
    ds.source = sizeDir;
    ds.role = QStringLiteral("held out");
    const QDir adwaita = QDir(sizeDir).filePath(QStringLiteral(".."));
    std::map<QString, QString> contextOf; // icon name -> context, from symbolic variants, then Oxygen
    for (const QString &sz : adwaita.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir s(adwaita.filePath(sz));
        for (const QString &ctx : s.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            if (ctx == QLatin1String("legacy"))
                continue;
            for (const QString &f : QDir(s.filePath(ctx)).entryList(QDir::Files)) {
                const int cut = int(f.indexOf(QLatin1String("-symbolic")));
                if (cut > 0)
                    contextOf.emplace(f.left(cut), ctx);
            }
        }
    }
    std::map<QString, QString> oxygenContext;
    const QDir ox(oxygenRoot);
    for (const QString &sz : ox.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir s(ox.filePath(sz));
        for (const QString &ctx : s.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            for (const QString &f : QDir(s.filePath(ctx)).entryList({QStringLiteral("*.png")}, QDir::Files | QDir::System))
                oxygenContext.emplace(QFileInfo(f).completeBaseName(), ctx);
    }
    std::set<QByteArray> seen;
    const QDir root(sizeDir);
    for (const QString &dir : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir d(root.filePath(dir));
        for (const QFileInfo &fi : d.entryInfoList({QStringLiteral("*.png")}, QDir::Files, QDir::Name)) {
            if (fi.isSymLink() || fi.fileName().contains(QLatin1String("-symbolic")))
                continue;
            QString ctx = dir;
            if (dir == QLatin1String("legacy")) {
                const QString base = fi.completeBaseName();
                if (auto it = contextOf.find(base); it != contextOf.end())
                    ctx = it->second;
                else if (auto jt = oxygenContext.find(base); jt != oxygenContext.end())
                    ctx = jt->second;
                else {
                    ++ds.skipped;
                    continue;
                }
            }
            const QImage img = readUnique(fi.filePath(), seen);
            if (img.isNull()) {
                ++ds.skipped;
                continue;
            }
            ds.images.push_back(img);
            ds.labels.push_back(ds.labelOf(ctx));
        }
    }
    return ds;
}

// cases.csv (image_path, finding) next to images/, read with the product's CSV reader.
Dataset loadCxr(const QString &csvPath)
{
    Dataset ds;
    ds.name = QStringLiteral("cxr");
    ds.source = csvPath;
    ds.role = QStringLiteral("sanity check");
    auto reader = CsvReader::open(csvPath);
    if (!reader.ok()) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(csvPath), qPrintable(reader.errorMessage()));
        return ds;
    }
    CsvReader &r = **reader;
    const int pathCol = r.column(u"image_path"), findingCol = r.column(u"finding");
    if (pathCol < 0 || findingCol < 0)
        return ds;
    const QDir base = QFileInfo(csvPath).absoluteDir();
    std::set<QByteArray> seen;
    for (;;) {
        auto row = r.next();
        if (!row.ok() || !row->has_value())
            break;
        const CsvRow &rec = **row;
        const QString finding = rec.value(findingCol).trimmed();
        const QImage img = rec.ok() && !finding.isEmpty() ? readUnique(base.filePath(rec.value(pathCol)), seen) : QImage();
        if (img.isNull()) {
            ++ds.skipped;
            continue;
        }
        ds.images.push_back(img);
        ds.labels.push_back(ds.labelOf(finding));
    }
    return ds;
}

// Chance level of leave-one-out P@10: mean over queries of (same-label others) / (n - 1).
double chanceP10(const Dataset &ds)
{
    std::vector<int> count(ds.labelNames.size(), 0);
    for (int l : ds.labels)
        ++count[l];
    const double n = double(ds.labels.size());
    double s = 0;
    for (int l : ds.labels)
        s += double(count[l] - 1) / (n - 1);
    return s / n;
}

// Two threads embedding at once (as the ingest pipeline's two workers do), each its half of
// `images`, repeated `rounds` times; wall ms per image over both threads.
double processCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

// Also returns, in `cpuMs`, the process CPU time per image (all threads, OpenCV's pool included):
// unlike wall time, hardly affected by other processes on the machine.
double twoThreadMsPerImage(const ClassicEmbedder &e, const std::vector<QImage> &images, int rounds, double *cpuMs)
{
    const double c0 = processCpuMs();
    const auto t0 = std::chrono::steady_clock::now();
    auto work = [&](size_t first, size_t step) {
        std::vector<float> v(size_t(e.dimension()));
        for (int r = 0; r < rounds; ++r)
            for (size_t i = first; i < images.size(); i += step)
                e.embed(images[i], v.data());
    };
    std::thread a(work, 0, 2), b(work, 1, 2);
    a.join();
    b.join();
    const auto t1 = std::chrono::steady_clock::now();
    *cpuMs = (processCpuMs() - c0) / double(images.size() * rounds);
    return std::chrono::duration<double, std::milli>(t1 - t0).count() / double(images.size() * rounds);
}

double oneThreadMsPerImage(const ClassicEmbedder &e, const std::vector<QImage> &images, int rounds)
{
    std::vector<float> v(size_t(e.dimension()));
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r)
        for (const QImage &im : images)
            e.embed(im, v.data());
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::milli>(t1 - t0).count() / double(images.size() * rounds);
}

} // namespace

int main(int argc, char **argv)
{
    // OpenCV's pool size before anything (the embedder pins it to 1 on first use).
    const int cvDefaultThreads = cv::getNumThreads();
    // SVGs with text need fonts, hence a QGuiApplication; the offscreen platform needs no display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QString oxygen = QStringLiteral("/usr/share/icons/oxygen/base");
    const QString adwaita = QStringLiteral("/usr/share/icons/Adwaita");
    const QString cxr = QStringLiteral("/work/shared/testdata/cxr-sample/cases.csv");
    bool json = false, whiten = true, threadsOnly = false;
    int nearDupCount = 200;
    QStringList sets, roots;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--root") && i + 1 < args.size())
            roots << args[++i];
        else if (args[i] == QLatin1String("--set") && i + 1 < args.size())
            sets << args[++i];
        else if (args[i] == QLatin1String("--json"))
            json = true;
        else if (args[i] == QLatin1String("--no-whiten"))
            whiten = false;
        else if (args[i] == QLatin1String("--threads-only"))
            threadsOnly = true;
        else if (args[i] == QLatin1String("--neardup") && i + 1 < args.size())
            nearDupCount = args[++i].toInt();
        else {
            std::fprintf(stderr,
                         "usage: %s [--set oxygen|oxygen128|adwaita|adwaita-symbolic|cxr|openclipart[=DIR]|lemon[=DIR]|"
                         "tuxpaint[=DIR]]... [--root DIR]... "
                         "[--json] [--neardup N] [--no-whiten] [--threads-only]\n",
                         argv[0]);
            return 2;
        }
    }
    if (sets.isEmpty() && roots.isEmpty())
        sets = {QStringLiteral("oxygen"), QStringLiteral("adwaita"), QStringLiteral("cxr")};

    std::vector<Dataset> datasets;
    for (QString s : sets) {
        // NAME=DIR: a set read from another folder, e.g. a package unpacked with dpkg-deb -x.
        QString dir;
        if (const qsizetype eq = s.indexOf(QLatin1Char('=')); eq > 0) {
            dir = s.mid(eq + 1);
            s.truncate(eq);
        }
        const auto rootOr = [&](const QString &installed) { return dir.isEmpty() ? installed : dir; };
        if (s == QLatin1String("openclipart")) {
            TreeRules r;
            r.excluded = {QStringLiteral("computer/icons"), QStringLiteral("unsorted"), QStringLiteral("special")};
            r.maxPerLabel = 100;
            datasets.push_back(loadTree(s, rootOr(QStringLiteral("/usr/share/openclipart/png")), kHeldOut3, r));
        } else if (s == QLatin1String("lemon")) {
            datasets.push_back(loadTree(s, rootOr(QStringLiteral("/usr/share/openclipart/png")
                                                  + QStringLiteral("/computer/icons/lemon-theme")),
                                        kHeldOut3, TreeRules{}));
        } else if (s == QLatin1String("tuxpaint")) {
            TreeRules r;
            r.labelDepth = 1;
            r.stamps = true;
            datasets.push_back(loadTree(s, rootOr(QStringLiteral("/usr/share/tuxpaint/stamps")), kHeldOut3, r));
        } else if (!dir.isEmpty()) {
            std::fprintf(stderr, "set %s does not take a folder\n", qPrintable(s));
            return 2;
        } else if (s == QLatin1String("oxygen"))
            datasets.push_back(loadFolders(s, oxygen + QStringLiteral("/64x64"), QStringLiteral("tuning")));
        else if (s == QLatin1String("oxygen128"))
            datasets.push_back(loadFolders(s, oxygen + QStringLiteral("/128x128"),
                                           QStringLiteral("check (same designs as the tuning set)")));
        else if (s == QLatin1String("adwaita"))
            datasets.push_back(loadAdwaita(adwaita + QStringLiteral("/48x48"), oxygen));
        else if (s == QLatin1String("adwaita-symbolic"))
            datasets.push_back(loadFolders(s, adwaita + QStringLiteral("/64x64"), QStringLiteral("held out"), 1,
                                           {QStringLiteral("legacy")}));
        else if (s == QLatin1String("cxr"))
            datasets.push_back(loadCxr(cxr));
        else {
            std::fprintf(stderr, "unknown set %s\n", qPrintable(s));
            return 2;
        }
    }
    for (const QString &r : roots)
        datasets.push_back(loadFolders(QFileInfo(r).fileName(), r, QStringLiteral("custom")));
    std::erase_if(datasets, [](const Dataset &d) {
        if (d.images.size() < 2)
            std::fprintf(stderr, "skipping set %s: no images under %s\n", qPrintable(d.name), qPrintable(d.source));
        return d.images.size() < 2;
    });
    if (datasets.empty())
        return 1;

    ClassicEmbedder classic;
    const std::vector<Method> methods = {
        {classic.id(), classic.dimension(), [&](const QImage &im, float *o) { classic.embed(im, o); }},
        {QStringLiteral("baseline"), kBaselineDim, baselineEmbed},
    };
    const std::vector<Edit> edits = makeEdits();
    QTextStream outText(stdout);

    // --- Speed, on the first set: each image scaled to 256 px, the pipeline's usual input. ---
    const Dataset &speedSet = datasets.front();
    std::vector<QImage> large;
    for (const QImage &im : speedSet.images)
        large.push_back(im.scaled(kPipelineMaxSide, kPipelineMaxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    embedAll(methods[0], large, nullptr); // warm-up: page in code, OpenCV's lazy init
    QJsonObject threads;
    {
        // Two concurrent embedding threads, OpenCV's pool at 1 vs its default; best of 3.
        double cpu1 = 1e300, cpuDefault = 1e300;
        auto best = [&](int cvThreads, bool two) {
            cv::setNumThreads(cvThreads);
            double b = 1e300;
            for (int rep = 0; rep < 3; ++rep) {
                double c = 0;
                b = std::min(b, two ? twoThreadMsPerImage(classic, large, 2, &c) : oneThreadMsPerImage(classic, large, 1));
                if (two)
                    (cvThreads == 1 ? cpu1 : cpuDefault) = std::min(cvThreads == 1 ? cpu1 : cpuDefault, c);
            }
            return b;
        };
        threads[QStringLiteral("cv_default_threads")] = cvDefaultThreads;
        threads[QStringLiteral("hardware_threads")] = int(std::thread::hardware_concurrency());
        threads[QStringLiteral("one_worker_cv1_ms")] = best(1, false);
        threads[QStringLiteral("one_worker_cvdefault_ms")] = best(cvDefaultThreads, false);
        threads[QStringLiteral("two_workers_cv1_ms")] = best(1, true);
        threads[QStringLiteral("two_workers_cvdefault_ms")] = best(cvDefaultThreads, true);
        threads[QStringLiteral("two_workers_cv1_cpu_ms")] = cpu1;
        threads[QStringLiteral("two_workers_cvdefault_cpu_ms")] = cpuDefault;
        cv::setNumThreads(1); // single-core timings below; the embedder runs one image per worker thread
    }
    if (threadsOnly) {
        if (json)
            outText << QJsonDocument(threads).toJson(QJsonDocument::Indented);
        else
            for (auto it = threads.begin(); it != threads.end(); ++it)
                outText << it.key() << " " << it.value().toDouble() << "\n";
        return 0;
    }

    QJsonObject report;
    report[QStringLiteral("k")] = kK;
    report[QStringLiteral("threads")] = threads;
    QJsonArray setReports;

    auto addRow = [](QJsonArray &rows, const Dataset &ds, const QString &name, int dim, const Timings *small,
                     const Timings *big, const Precision &p, const std::vector<NearDup> &nd) {
        QJsonObject o;
        o[QStringLiteral("method")] = name;
        o[QStringLiteral("dim")] = dim;
        if (small && big) {
            // Medians of per-image times, one thread (OpenCV's pool off).
            o[QStringLiteral("cpu_ms_native")] = medianOf(small->cpu);
            o[QStringLiteral("cpu_ms_256")] = medianOf(big->cpu);
            o[QStringLiteral("wall_ms_native")] = medianOf(small->wall);
            o[QStringLiteral("wall_ms_256")] = medianOf(big->wall);
        }
        o[QStringLiteral("p10")] = p.overall;
        o[QStringLiteral("p10_macro")] = p.macro;
        QJsonObject per;
        for (int l = 0; l < ds.labelNames.size(); ++l)
            per[ds.labelNames[l]] = p.perLabel[l];
        o[QStringLiteral("p10_by_label")] = per;
        QJsonObject ndo;
        for (const NearDup &d : nd) {
            QJsonObject e;
            e[QStringLiteral("recall_at_1")] = d.recallAt1;
            e[QStringLiteral("mean_rank")] = d.meanRank;
            ndo[d.edit] = e;
        }
        o[QStringLiteral("near_duplicates")] = ndo;
        rows.append(o);
    };

    for (const Dataset &ds : datasets) {
        const int n = int(ds.images.size());
        const int nLabels = int(ds.labelNames.size());
        std::vector<int> perLabelCount(nLabels, 0);
        for (int l : ds.labels)
            ++perLabelCount[l];
        std::vector<QImage> big;
        const bool timeIt = &ds == &speedSet;
        if (timeIt)
            big = large;

        std::mt19937 rng(20240601u);
        std::vector<int> order(n);
        std::iota(order.begin(), order.end(), 0);
        for (int i = n - 1; i > 0; --i)
            std::swap(order[i], order[rng() % uint32_t(i + 1)]);
        order.resize(std::min(nearDupCount, n));
        std::sort(order.begin(), order.end());

        QJsonObject sr;
        sr[QStringLiteral("set")] = ds.name;
        sr[QStringLiteral("role")] = ds.role;
        sr[QStringLiteral("source")] = ds.source;
        sr[QStringLiteral("images")] = n;
        sr[QStringLiteral("skipped")] = ds.skipped;
        sr[QStringLiteral("chance_p10")] = chanceP10(ds);
        QJsonObject counts;
        for (int l = 0; l < nLabels; ++l)
            counts[ds.labelNames[l]] = perLabelCount[l];
        sr[QStringLiteral("labels")] = counts;

        QJsonArray rows;
        std::vector<float> classicVecs;
        std::vector<Precision> precisions; // classic-v1, baseline
        for (const Method &m : methods) {
            Timings small, bigT;
            embedAll(m, ds.images, nullptr); // warm-up
            const std::vector<float> vecs = embedAll(m, ds.images, &small);
            if (timeIt)
                embedAll(m, big, &bigT);
            const Precision p = precisionAtK(vecs, m.dim, ds.labels, nLabels);
            const auto nd = nearDuplicates(vecs, m.dim, ds.images, order, edits, m.embed, {});
            addRow(rows, ds, m.name, m.dim, timeIt ? &small : nullptr, timeIt ? &bigT : nullptr, p, nd);
            precisions.push_back(p);
            if (classicVecs.empty())
                classicVecs = vecs;
        }

        const PairedDifference diff = pairedBootstrap(precisions[0].perQuery, precisions[1].perQuery);
        int labelsBetter = 0, labelsWorse = 0;
        for (int l = 0; l < nLabels; ++l) {
            labelsBetter += precisions[0].perLabel[l] > precisions[1].perLabel[l];
            labelsWorse += precisions[0].perLabel[l] < precisions[1].perLabel[l];
        }
        QJsonObject dj;
        dj[QStringLiteral("p10_difference")] = diff.mean;
        dj[QStringLiteral("ci95_low")] = diff.low;
        dj[QStringLiteral("ci95_high")] = diff.high;
        dj[QStringLiteral("queries_better")] = diff.better;
        dj[QStringLiteral("queries_worse")] = diff.worse;
        dj[QStringLiteral("labels_better")] = labelsBetter;
        dj[QStringLiteral("labels_worse")] = labelsWorse;
        sr[QStringLiteral("classic_minus_baseline")] = dj;

        if (whiten) {
            // Unsupervised PCA-whitening fitted on the evaluation set itself (as the collection would).
            const Method &m = methods[0];
            struct Setting
            {
                int keep;
                double reg;
            };
            for (const Setting s : {Setting{64, 1.0}, Setting{128, 1.0}, Setting{256, 1.0}}) {
                if (s.keep > std::min(m.dim, n - 1))
                    continue;
                const Whitening w = fitWhitening(classicVecs, n, m.dim, s.keep, s.reg);
                std::vector<float> wv = classicVecs;
                for (int i = 0; i < n; ++i)
                    w.apply(&wv[size_t(i) * m.dim], m.dim);
                const Precision p = precisionAtK(wv, m.dim, ds.labels, nLabels);
                const auto nd = nearDuplicates(wv, m.dim, ds.images, order, edits, m.embed,
                                               [&](float *v) { w.apply(v, m.dim); });
                addRow(rows, ds, QStringLiteral("%1 + PCA-whiten %2 (reg %3)").arg(m.name).arg(s.keep).arg(s.reg),
                       s.keep, nullptr, nullptr, p, nd);
            }
        }
        sr[QStringLiteral("results")] = rows;
        setReports.append(sr);

        if (json)
            continue;
        outText << "=== Set " << ds.name << " (" << ds.role << "): " << ds.source << "\n"
                << n << " images (unique), " << nLabels << " labels, " << ds.skipped << " files left out; precision@"
                << kK << " leave-one-out by cosine; chance " << QString::number(chanceP10(ds), 'f', 3) << "\n";
        if (timeIt)
            outText << "Times: median per image, one thread; cpu = thread CPU time, wall = elapsed; "
                       "nat = the set's own size, 256 = the same images scaled to 256 px\n";
        outText << "\n"
                << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                       .arg(QStringLiteral("method"), -40)
                       .arg(QStringLiteral("dim"), 5)
                       .arg(QStringLiteral("cpu@nat"), 8)
                       .arg(QStringLiteral("cpu@256"), 8)
                       .arg(QStringLiteral("wall@nat"), 8)
                       .arg(QStringLiteral("wall@256"), 8)
                       .arg(QStringLiteral("P@10"), 7)
                       .arg(QStringLiteral("macro"), 7);
        for (const auto &r : rows) {
            const QJsonObject o = r.toObject();
            auto ms = [&](const char *key) {
                return o.contains(QLatin1String(key)) ? QString::number(o[QLatin1String(key)].toDouble(), 'f', 3)
                                                      : QStringLiteral("-");
            };
            outText << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                           .arg(o[QStringLiteral("method")].toString(), -40)
                           .arg(o[QStringLiteral("dim")].toInt(), 5)
                           .arg(ms("cpu_ms_native"), 8)
                           .arg(ms("cpu_ms_256"), 8)
                           .arg(ms("wall_ms_native"), 8)
                           .arg(ms("wall_ms_256"), 8)
                           .arg(o[QStringLiteral("p10")].toDouble(), 7, 'f', 3)
                           .arg(o[QStringLiteral("p10_macro")].toDouble(), 7, 'f', 3);
        }

        outText << "\n" << methods[0].name << " minus " << methods[1].name << ": P@10 "
                << QString::asprintf("%+.3f, 95 %% interval [%+.3f, %+.3f]", diff.mean, diff.low, diff.high)
                << " (paired bootstrap over queries); better on " << diff.better << " queries, worse on "
                << diff.worse << "; better on " << labelsBetter << " of " << nLabels << " labels, worse on "
                << labelsWorse << "\n";
        outText << "\nPrecision@10 by label\n"
                << QStringLiteral("%1 %2").arg(QStringLiteral("label"), -30).arg(QStringLiteral("n"), 4);
        for (int i = 0; i < rows.size(); ++i)
            outText << QStringLiteral(" %1").arg(QStringLiteral("[%1]").arg(i), 7);
        outText << "\n";
        for (int l = 0; l < nLabels; ++l) {
            outText << QStringLiteral("%1 %2").arg(ds.labelNames[l].left(30), -30).arg(perLabelCount[l], 4);
            for (const auto &r : rows)
                outText << QStringLiteral(" %1").arg(
                    r.toObject()[QStringLiteral("p10_by_label")].toObject()[ds.labelNames[l]].toDouble(), 7, 'f', 3);
            outText << "\n";
        }

        outText << "\nNear-duplicate recall@1 (mean rank) of the original among all " << n << " images, "
                << order.size() << " queries\n"
                << QStringLiteral("%1").arg(QStringLiteral("edit"), -20);
        for (int i = 0; i < rows.size(); ++i)
            outText << QStringLiteral(" %1").arg(QStringLiteral("[%1]").arg(i), 15);
        outText << "\n";
        for (const Edit &e : edits) {
            outText << QStringLiteral("%1").arg(e.name, -20);
            for (const auto &r : rows) {
                const QJsonObject d = r.toObject()[QStringLiteral("near_duplicates")].toObject()[e.name].toObject();
                outText << QStringLiteral(" %1").arg(QStringLiteral("%1 (%2)")
                                                         .arg(d[QStringLiteral("recall_at_1")].toDouble(), 0, 'f', 3)
                                                         .arg(d[QStringLiteral("mean_rank")].toDouble(), 0, 'f', 1),
                                                     15);
            }
            outText << "\n";
        }
        outText << "[i] = row i of the first table (0-based)\n\n";
    }
    report[QStringLiteral("sets")] = setReports;

    if (json) {
        outText << QJsonDocument(report).toJson(QJsonDocument::Indented);
        return 0;
    }
    outText << "=== OpenCV threads: wall ms per image at 256 px, best of 3 (OpenCV default pool = "
            << cvDefaultThreads << ", " << std::thread::hardware_concurrency() << " hardware threads)\n"
            << "one worker,  cv::setNumThreads(1):       " << threads[QStringLiteral("one_worker_cv1_ms")].toDouble() << "\n"
            << "one worker,  OpenCV default:             " << threads[QStringLiteral("one_worker_cvdefault_ms")].toDouble() << "\n"
            << "two workers, cv::setNumThreads(1):       " << threads[QStringLiteral("two_workers_cv1_ms")].toDouble() << "\n"
            << "two workers, OpenCV default:             " << threads[QStringLiteral("two_workers_cvdefault_ms")].toDouble() << "\n"
            << "two workers, process CPU ms per image, cv::setNumThreads(1): "
            << threads[QStringLiteral("two_workers_cv1_cpu_ms")].toDouble() << ", OpenCV default: "
            << threads[QStringLiteral("two_workers_cvdefault_cpu_ms")].toDouble() << "\n";
    return 0;
}
