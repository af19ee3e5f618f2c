// Retrieval quality and speed of the classic embedder against a crude baseline, on a labelled
// set of real images: an icon theme folder <root>/<category>/*.png (label = category).
//
//   bench_classic_quality [--root /usr/share/icons/oxygen/base/64x64] [--json]
//                         [--neardup N] [--no-whiten]
//
// Prints precision@10 (leave-one-out, cosine), overall / macro / per label, the median
// single-thread time per image, near-duplicate recall@1 under common edits, and the effect of
// a PCA-whitening fitted (unsupervised) on the evaluation set itself. Results and the exact
// command are recorded in docs/BENCHMARKS.md.

#include "embed/classicembedder.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
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
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <vector>

using namespace lookalike;

namespace {

constexpr int kK = 10;
constexpr int kPipelineMaxSide = 256;

struct Item
{
    QString path;
    int label;
    QImage image; // RGB888, alpha flattened onto white
};

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
};

// Leave-one-out precision@k by cosine (vectors are unit length). Ties break by index.
Precision precisionAtK(const std::vector<float> &vecs, int dim, const std::vector<int> &labels, int nLabels)
{
    const int n = int(labels.size());
    std::vector<double> sum(nLabels, 0.0);
    std::vector<int> count(nLabels, 0);
    double total = 0;
    std::vector<std::pair<float, int>> scores(n - 1);
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
        total += p;
        sum[labels[q]] += p;
        ++count[labels[q]];
    }
    Precision res;
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

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString root = QStringLiteral("/usr/share/icons/oxygen/base/64x64");
    bool json = false, whiten = true;
    int nearDupCount = 200;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--root") && i + 1 < args.size())
            root = args[++i];
        else if (args[i] == QLatin1String("--json"))
            json = true;
        else if (args[i] == QLatin1String("--no-whiten"))
            whiten = false;
        else if (args[i] == QLatin1String("--neardup") && i + 1 < args.size())
            nearDupCount = args[++i].toInt();
        else {
            std::fprintf(stderr, "usage: %s [--root DIR] [--json] [--neardup N] [--no-whiten]\n", argv[0]);
            return 2;
        }
    }
    cv::setNumThreads(1); // single-core timings; the embedder runs one image per worker thread

    // Labelled set: regular files only (the theme's symlinks alias the same icon under another
    // name) and byte-identical files once.
    QStringList labelNames;
    std::vector<Item> items;
    std::set<QByteArray> seen;
    const QDir rootDir(root);
    for (const QString &cat : rootDir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir d(rootDir.filePath(cat));
        const int label = int(labelNames.size());
        labelNames << cat;
        for (const QFileInfo &fi : d.entryInfoList({QStringLiteral("*.png")}, QDir::Files, QDir::Name)) {
            if (fi.isSymLink())
                continue;
            QFile f(fi.filePath());
            if (!f.open(QIODevice::ReadOnly))
                continue;
            const QByteArray bytes = f.readAll();
            if (!seen.insert(QCryptographicHash::hash(bytes, QCryptographicHash::Sha1)).second)
                continue;
            const QImage img = QImage::fromData(bytes, "PNG");
            if (img.isNull())
                continue;
            items.push_back({fi.filePath(), label, toPipelineImage(img)});
        }
    }
    if (items.size() < 2) {
        std::fprintf(stderr, "no images under %s\n", qPrintable(root));
        return 1;
    }
    const int n = int(items.size());
    std::vector<QImage> images;
    std::vector<int> labels;
    std::vector<int> perLabelCount(labelNames.size(), 0);
    for (const Item &it : items) {
        images.push_back(it.image);
        labels.push_back(it.label);
        ++perLabelCount[it.label];
    }

    ClassicEmbedder classic;
    const std::vector<Method> methods = {
        {QStringLiteral("classic-v1"), classic.dimension(), [&](const QImage &im, float *o) { classic.embed(im, o); }},
        {QStringLiteral("baseline"), kBaselineDim, baselineEmbed},
    };

    // Times at the pipeline's usual input size too: each icon smoothly scaled to 256 × 256.
    std::vector<QImage> large;
    for (const QImage &im : images)
        large.push_back(im.scaled(kPipelineMaxSide, kPipelineMaxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation));

    std::mt19937 rng(20240601u);
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    for (int i = n - 1; i > 0; --i)
        std::swap(order[i], order[rng() % uint32_t(i + 1)]);
    order.resize(std::min(nearDupCount, n));
    std::sort(order.begin(), order.end());
    const std::vector<Edit> edits = makeEdits();

    QJsonObject report;
    report[QStringLiteral("root")] = root;
    report[QStringLiteral("images")] = n;
    report[QStringLiteral("k")] = kK;
    QJsonObject counts;
    for (int l = 0; l < labelNames.size(); ++l)
        counts[labelNames[l]] = perLabelCount[l];
    report[QStringLiteral("labels")] = counts;

    QTextStream outText(stdout);
    auto addRow = [&](QJsonArray &rows, const QString &name, int dim, const Timings *small, const Timings *large,
                      const Precision &p, const std::vector<NearDup> &nd) {
        QJsonObject o;
        o[QStringLiteral("method")] = name;
        o[QStringLiteral("dim")] = dim;
        if (small && large) {
            // Medians of per-image times, one thread (OpenCV's pool off).
            o[QStringLiteral("cpu_ms_native")] = medianOf(small->cpu);
            o[QStringLiteral("cpu_ms_256")] = medianOf(large->cpu);
            o[QStringLiteral("wall_ms_native")] = medianOf(small->wall);
            o[QStringLiteral("wall_ms_256")] = medianOf(large->wall);
        }
        o[QStringLiteral("p10")] = p.overall;
        o[QStringLiteral("p10_macro")] = p.macro;
        QJsonObject per;
        for (int l = 0; l < labelNames.size(); ++l)
            per[labelNames[l]] = p.perLabel[l];
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

    QJsonArray rows;
    std::vector<std::vector<float>> allVecs;
    for (const Method &m : methods) {
        Timings small, big;
        embedAll(m, images, nullptr); // warm-up: page in code, OpenCV's lazy init
        const std::vector<float> vecs = embedAll(m, images, &small);
        embedAll(m, large, &big);
        const Precision p = precisionAtK(vecs, m.dim, labels, int(labelNames.size()));
        const auto nd = nearDuplicates(vecs, m.dim, images, order, edits, m.embed, {});
        addRow(rows, m.name, m.dim, &small, &big, p, nd);
        allVecs.push_back(vecs);
    }

    if (whiten) {
        // Unsupervised PCA-whitening fitted on the evaluation set itself (as the collection would).
        const Method &m = methods[0];
        const std::vector<float> &vecs = allVecs[0];
        struct Setting
        {
            int keep;
            double reg;
        };
        for (const Setting s : {Setting{64, 0.1}, Setting{128, 0.1}, Setting{256, 0.1}, Setting{128, 1.0},
                                Setting{256, 1.0}, Setting{std::min(m.dim, n - 1), 1.0}}) {
            if (s.keep > std::min(m.dim, n - 1))
                continue;
            const Whitening w = fitWhitening(vecs, n, m.dim, s.keep, s.reg);
            std::vector<float> wv = vecs;
            for (int i = 0; i < n; ++i)
                w.apply(&wv[size_t(i) * m.dim], m.dim);
            const Precision p = precisionAtK(wv, m.dim, labels, int(labelNames.size()));
            const auto nd = nearDuplicates(wv, m.dim, images, order, edits, m.embed,
                                           [&](float *v) { w.apply(v, m.dim); });
            addRow(rows, QStringLiteral("%1 + PCA-whiten %2 (reg %3)").arg(m.name).arg(s.keep).arg(s.reg),
                   s.keep, nullptr, nullptr, p, nd);
        }
    }
    report[QStringLiteral("results")] = rows;

    if (json) {
        outText << QJsonDocument(report).toJson(QJsonDocument::Indented);
        return 0;
    }

    outText << "Root: " << root << "\n" << n << " images (regular files, unique), "
            << labelNames.size() << " labels; precision@" << kK << " leave-one-out by cosine\n\n";
    outText << "Times: median per image, one thread; cpu = thread CPU time, wall = elapsed; "
               "nat = the set's own size, 256 = the same images scaled to 256 px\n\n";
    outText << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
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

    outText << "\nPrecision@10 by label\n" << QStringLiteral("%1 %2").arg(QStringLiteral("label"), -12).arg(QStringLiteral("n"), 4);
    for (int i = 0; i < rows.size(); ++i)
        outText << QStringLiteral(" %1").arg(QStringLiteral("[%1]").arg(i), 7);
    outText << "\n";
    for (int l = 0; l < labelNames.size(); ++l) {
        outText << QStringLiteral("%1 %2").arg(labelNames[l], -12).arg(perLabelCount[l], 4);
        for (const auto &r : rows)
            outText << QStringLiteral(" %1").arg(r.toObject()[QStringLiteral("p10_by_label")].toObject()[labelNames[l]].toDouble(), 7, 'f', 3);
        outText << "\n";
    }

    outText << "\nNear-duplicate recall@1 (mean rank) of the original among all " << n << " images, "
            << order.size() << " queries\n" << QStringLiteral("%1").arg(QStringLiteral("edit"), -20);
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
    outText << "\n[i] = row i of the first table (0-based)\n";
    return 0;
}
