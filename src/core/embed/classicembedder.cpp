#include "embed/classicembedder.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

// Layout, weights and the reasons for them: docs/classic-embedder.md. Any change to what
// embed() writes changes the vector space, so it needs a new id (classic-v2, ...).

namespace lookalike {

namespace {

// Working resolution: every image is stretched to kSide × kSide, so the spatial grids
// below mean "top-left quarter" whatever the aspect ratio.
constexpr int kSide = 128;

constexpr int kOrientBins = 8; // unsigned gradient orientation over [0, pi)

// Gradient orientation histograms at three scales (HOG/GIST-like structure).
constexpr int kHogFineSide = 128, kHogFineGrid = 4;
constexpr int kHogMidSide = 64, kHogMidGrid = 4;
constexpr int kHogCoarseSide = 32, kHogCoarseGrid = 2;
static_assert(kHogFineSide == kSide, "the fine scale is the canonical image itself (no resize)");
constexpr int kHogFineDim = kHogFineGrid * kHogFineGrid * kOrientBins;       // 128
constexpr int kHogMidDim = kHogMidGrid * kHogMidGrid * kOrientBins;          // 128
constexpr int kHogCoarseDim = kHogCoarseGrid * kHogCoarseGrid * kOrientBins; // 32

// Lightness layout: an 8×8 thumbnail of L*, mean-centred (brightness-invariant).
constexpr int kLayoutGrid = 8;
constexpr int kLayoutDim = kLayoutGrid * kLayoutGrid; // 64

// Colour layout: mean a*, b* on a 4×4 grid.
constexpr int kChromaGrid = 4;
constexpr int kChromaDim = kChromaGrid * kChromaGrid * 2; // 32

// Joint CIELab histogram with trilinear soft binning.
constexpr int kHistL = 4, kHistA = 6, kHistB = 6;
constexpr float kHistAbRange = 80.f; // a*, b* bin centres span [-range, range]
constexpr int kHistDim = kHistL * kHistA * kHistB; // 144

// Local ternary patterns (rotation-invariant uniform codes, upper and lower halves) on a
// 2×2 grid at two scales: texture that flat, noisy or recompressed areas do not flip.
constexpr int kLtpCodes = 10; // riu2 codes for 8 neighbours: 0..8 ones when uniform, 9 otherwise
constexpr int kLtpGrid = 2;
constexpr float kLtpThreshold = 2.f; // in L* units (0..100)
constexpr int kLtpDimPerScale = kLtpGrid * kLtpGrid * kLtpCodes * 2; // 80
constexpr int kLtpDim = kLtpDimPerScale * 2;                           // 160

// Histogram of log gradient magnitude at the two finer HOG scales: how sharp and how busy
// the image is, which the (normalised) orientation histograms no longer tell.
constexpr int kMagBins = 8;
constexpr float kMagLogMax = 10.f; // log2(1 + Sobel magnitude) of L* stays below ~9.2
constexpr int kMagDim = kMagBins * 2; // 16

struct Block
{
    int dim;
    float weight;
};

enum BlockIndex { HogFine, HogMid, HogCoarse, Layout, Chroma, Hist, Ltp, MagHist, BlockCount };

constexpr std::array<Block, BlockCount> kBlocks = {{
    {kHogFineDim, 1.0f},
    {kHogMidDim, 1.0f},
    {kHogCoarseDim, 0.7f},
    {kLayoutDim, 0.4f},
    {kChromaDim, 0.25f},
    {kHistDim, 0.4f},
    {kLtpDim, 0.7f},
    {kMagDim, 0.5f},
}};

constexpr int totalDim()
{
    int d = 0;
    for (const Block &b : kBlocks)
        d += b.dim;
    return d;
}
constexpr int kDim = totalDim();

constexpr int blockOffset(int index)
{
    int o = 0;
    for (int i = 0; i < index; ++i)
        o += kBlocks[i].dim;
    return o;
}

// Signed square root (power normalisation, Hellinger for histograms), then L2 to `weight`.
// Blocks whose norm is below `floor` (flat images) are scaled as if their norm were `floor`,
// so noise in an almost empty block is not blown up to full weight.
void finishBlock(float *v, int n, float weight, float floor)
{
    double sq = 0;
    for (int i = 0; i < n; ++i) {
        const float s = std::sqrt(std::fabs(v[i]));
        v[i] = v[i] < 0 ? -s : s;
        sq += double(v[i]) * v[i];
    }
    const double norm = std::max(std::sqrt(sq), double(floor));
    const float scale = float(weight / norm);
    for (int i = 0; i < n; ++i)
        v[i] *= scale;
}

// Linear interpolation weights of coordinate `pos` (in pixels) onto `grid` cells of `cellSize`
// pixels, cell centres at (i + 0.5) * cellSize; outside the outer centres all goes to the edge.
struct Interp
{
    int i0, i1;
    float w0, w1;
};

Interp cellInterp(float pos, float cellSize, int grid)
{
    const float f = pos / cellSize - 0.5f;
    if (f <= 0.f)
        return {0, 0, 1.f, 0.f};
    if (f >= float(grid - 1))
        return {grid - 1, grid - 1, 1.f, 0.f};
    const int i0 = int(f);
    const float w1 = f - float(i0);
    return {i0, i0 + 1, 1.f - w1, w1};
}

// Soft histogram of log2(1 + magnitude), added to `out` (kMagBins floats).
void magnitudeHistogram(const cv::Mat &mag, float *out)
{
    const float scale = float(kMagBins) / kMagLogMax;
    for (int y = 0; y < mag.rows; ++y) {
        const float *m = mag.ptr<float>(y);
        for (int x = 0; x < mag.cols; ++x) {
            const float f = std::clamp(std::log2(1.f + m[x]) * scale - 0.5f, 0.f, float(kMagBins - 1));
            const int i0 = int(f);
            const float w1 = f - float(i0);
            out[i0] += 1.f - w1;
            out[std::min(i0 + 1, kMagBins - 1)] += w1;
        }
    }
}

// Histograms of unsigned gradient orientation on a grid × grid layout, votes weighted by
// sqrt(magnitude), with bilinear spatial and linear orientation interpolation (as in
// HOG/SIFT). When
// `magHist` is given, the magnitude histogram of the same gradients is written there.
void orientationHistograms(const cv::Mat &lum, int grid, float *out, float *magHist = nullptr)
{
    const int side = lum.rows;
    cv::Mat dx, dy, mag, ang;
    cv::Sobel(lum, dx, CV_32F, 1, 0, 3, 1.0, 0.0, cv::BORDER_REPLICATE);
    cv::Sobel(lum, dy, CV_32F, 0, 1, 3, 1.0, 0.0, cv::BORDER_REPLICATE);
    cv::cartToPolar(dx, dy, mag, ang, false); // radians in [0, 2pi)
    if (magHist)
        magnitudeHistogram(mag, magHist);
    // A few strong outlines should not drown the rest.
    cv::sqrt(mag, mag);

    std::fill(out, out + grid * grid * kOrientBins, 0.f);
    const float cellSize = float(side) / float(grid);
    const float binScale = float(kOrientBins) / float(CV_PI);
    std::vector<Interp> xs(side);
    for (int x = 0; x < side; ++x)
        xs[x] = cellInterp(float(x) + 0.5f, cellSize, grid);

    for (int y = 0; y < side; ++y) {
        const Interp iy = cellInterp(float(y) + 0.5f, cellSize, grid);
        const float *m = mag.ptr<float>(y);
        const float *a = ang.ptr<float>(y);
        for (int x = 0; x < side; ++x) {
            if (m[x] <= 0.f)
                continue;
            float t = a[x];
            if (t >= float(CV_PI))
                t -= float(CV_PI);
            // Bin centres at (k + 0.5) * pi / bins; orientation wraps around.
            float fb = t * binScale - 0.5f;
            if (fb < 0.f)
                fb += float(kOrientBins);
            int b0 = int(fb);
            const float wb1 = fb - float(b0);
            b0 = std::min(b0, kOrientBins - 1);
            const int b1 = (b0 + 1) % kOrientBins;
            const Interp &ix = xs[x];
            const float wy[2] = {iy.w0, iy.w1};
            const int cy[2] = {iy.i0, iy.i1};
            const float wx[2] = {ix.w0, ix.w1};
            const int cx[2] = {ix.i0, ix.i1};
            for (int j = 0; j < 2; ++j) {
                for (int i = 0; i < 2; ++i) {
                    const float w = m[x] * wy[j] * wx[i];
                    if (w == 0.f)
                        continue;
                    float *cell = out + (cy[j] * grid + cx[i]) * kOrientBins;
                    cell[b0] += w * (1.f - wb1);
                    cell[b1] += w * wb1;
                }
            }
        }
    }
}

// Rotation-invariant uniform code of an 8-bit neighbourhood pattern: the number of set bits
// when the circular pattern has at most two 0/1 transitions, 9 otherwise.
constexpr std::array<uint8_t, 256> makeRiu2Table()
{
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        int transitions = 0, ones = 0;
        for (int k = 0; k < 8; ++k) {
            const int b = (c >> k) & 1;
            const int n = (c >> ((k + 1) % 8)) & 1;
            transitions += b != n;
            ones += b;
        }
        t[c] = uint8_t(transitions <= 2 ? ones : 9);
    }
    return t;
}
constexpr std::array<uint8_t, 256> kRiu2 = makeRiu2Table();

// Local ternary patterns: bit k of the upper code is set when neighbour k exceeds the centre
// by more than the threshold, of the lower code when it is darker by more than it.
void ltpHistograms(const cv::Mat &lum, float *out)
{
    const int side = lum.rows;
    std::fill(out, out + kLtpDimPerScale, 0.f);
    const float cellSize = float(side) / float(kLtpGrid);
    constexpr int dy[8] = {-1, -1, -1, 0, 1, 1, 1, 0};
    constexpr int dx[8] = {-1, 0, 1, 1, 1, 0, -1, -1};
    for (int y = 1; y < side - 1; ++y) {
        const Interp iy = cellInterp(float(y) + 0.5f, cellSize, kLtpGrid);
        const float *rows[3] = {lum.ptr<float>(y - 1), lum.ptr<float>(y), lum.ptr<float>(y + 1)};
        for (int x = 1; x < side - 1; ++x) {
            const float c = rows[1][x];
            int upper = 0, lower = 0;
            for (int k = 0; k < 8; ++k) {
                const float n = rows[1 + dy[k]][x + dx[k]];
                upper |= int(n > c + kLtpThreshold) << k;
                lower |= int(n < c - kLtpThreshold) << k;
            }
            const Interp ix = cellInterp(float(x) + 0.5f, cellSize, kLtpGrid);
            const float wy[2] = {iy.w0, iy.w1};
            const int cy[2] = {iy.i0, iy.i1};
            const float wx[2] = {ix.w0, ix.w1};
            const int cx[2] = {ix.i0, ix.i1};
            for (int j = 0; j < 2; ++j) {
                for (int i = 0; i < 2; ++i) {
                    const float w = wy[j] * wx[i];
                    if (w == 0.f)
                        continue;
                    float *cell = out + (cy[j] * kLtpGrid + cx[i]) * kLtpCodes * 2;
                    cell[kRiu2[upper]] += w;
                    cell[kLtpCodes + kRiu2[lower]] += w;
                }
            }
        }
    }
}

// Soft (trilinear) joint histogram over CIELab.
void labHistogram(const cv::Mat &lab, float *out)
{
    std::fill(out, out + kHistDim, 0.f);
    const float lStep = 100.f / float(kHistL);
    const float aStep = 2.f * kHistAbRange / float(kHistA - 1);
    const float bStep = 2.f * kHistAbRange / float(kHistB - 1);
    auto axis = [](float f, int bins) -> Interp {
        if (f <= 0.f)
            return {0, 0, 1.f, 0.f};
        if (f >= float(bins - 1))
            return {bins - 1, bins - 1, 1.f, 0.f};
        const int i0 = int(f);
        const float w1 = f - float(i0);
        return {i0, i0 + 1, 1.f - w1, w1};
    };
    for (int y = 0; y < lab.rows; ++y) {
        const float *p = lab.ptr<float>(y);
        for (int x = 0; x < lab.cols; ++x, p += 3) {
            const Interp il = axis(p[0] / lStep - 0.5f, kHistL);
            const Interp ia = axis((p[1] + kHistAbRange) / aStep, kHistA);
            const Interp ib = axis((p[2] + kHistAbRange) / bStep, kHistB);
            const int li[2] = {il.i0, il.i1};
            const float lw[2] = {il.w0, il.w1};
            const int ai[2] = {ia.i0, ia.i1};
            const float aw[2] = {ia.w0, ia.w1};
            const int bi[2] = {ib.i0, ib.i1};
            const float bw[2] = {ib.w0, ib.w1};
            for (int l = 0; l < 2; ++l)
                for (int a = 0; a < 2; ++a)
                    for (int b = 0; b < 2; ++b)
                        out[(li[l] * kHistA + ai[a]) * kHistB + bi[b]] += lw[l] * aw[a] * bw[b];
        }
    }
}

// Any size to kSide × kSide: area averaging on axes that shrink, bilinear on axes that grow
// (cv::INTER_AREA alone falls back to bilinear, i.e. aliasing, when only one axis shrinks).
cv::Mat canonicalRgb(const QImage &img)
{
    const cv::Mat src(img.height(), img.width(), CV_8UC3, const_cast<uchar *>(img.constBits()),
                      size_t(img.bytesPerLine()));
    cv::Mat shrunk = src;
    const int w = std::min(src.cols, kSide), h = std::min(src.rows, kSide);
    if (w != src.cols || h != src.rows)
        cv::resize(src, shrunk, cv::Size(w, h), 0, 0, cv::INTER_AREA);
    if (w == kSide && h == kSide)
        return shrunk; // may still wrap img's pixels: the caller converts it at once
    cv::Mat out;
    cv::resize(shrunk, out, cv::Size(kSide, kSide), 0, 0, cv::INTER_LINEAR);
    return out;
}

cv::Mat shrink(const cv::Mat &m, int side)
{
    cv::Mat out;
    cv::resize(m, out, cv::Size(side, side), 0, 0, cv::INTER_AREA);
    return out;
}

// The blocks before power and L2 normalisation, at their offsets in `out` (kDim floats).
void rawBlocks(const QImage &rgb, float *out)
{
    QImage converted;
    const QImage *img = &rgb;
    if (rgb.isNull() || rgb.format() != QImage::Format_RGB888) {
        // Contract violations degrade gracefully: a null image embeds as one black pixel.
        converted = rgb.isNull() ? QImage(1, 1, QImage::Format_RGB888)
                                 : rgb.convertToFormat(QImage::Format_RGB888);
        if (rgb.isNull())
            converted.fill(Qt::black);
        img = &converted;
    }

    cv::Mat rgbF;
    canonicalRgb(*img).convertTo(rgbF, CV_32FC3, 1.0 / 255.0);
    cv::Mat lab;
    cv::cvtColor(rgbF, lab, cv::COLOR_RGB2Lab); // L* in [0, 100], a*, b* about [-110, 110]
    cv::Mat lum;
    cv::extractChannel(lab, lum, 0);

    std::fill(out, out + kDim, 0.f);

    // Structure: gradient orientation at three scales.
    cv::Mat lum64 = shrink(lum, kHogMidSide);
    cv::Mat lum32 = shrink(lum64, kHogCoarseSide);
    orientationHistograms(lum, kHogFineGrid, out + blockOffset(HogFine), out + blockOffset(MagHist));
    orientationHistograms(lum64, kHogMidGrid, out + blockOffset(HogMid), out + blockOffset(MagHist) + kMagBins);
    orientationHistograms(lum32, kHogCoarseGrid, out + blockOffset(HogCoarse));

    // Lightness layout, mean-centred.
    {
        const cv::Mat thumb = shrink(lum32, kLayoutGrid);
        float *o = out + blockOffset(Layout);
        double mean = 0;
        for (int y = 0; y < kLayoutGrid; ++y)
            for (int x = 0; x < kLayoutGrid; ++x)
                mean += thumb.at<float>(y, x);
        mean /= kLayoutDim;
        for (int y = 0; y < kLayoutGrid; ++y)
            for (int x = 0; x < kLayoutGrid; ++x)
                o[y * kLayoutGrid + x] = float(thumb.at<float>(y, x) - mean) / 100.f;
    }

    // Colour layout: mean chroma per cell.
    {
        const cv::Mat cells = shrink(lab, kChromaGrid);
        float *o = out + blockOffset(Chroma);
        for (int y = 0; y < kChromaGrid; ++y) {
            const float *p = cells.ptr<float>(y);
            for (int x = 0; x < kChromaGrid; ++x) {
                o[(y * kChromaGrid + x) * 2] = p[x * 3 + 1] / 100.f;
                o[(y * kChromaGrid + x) * 2 + 1] = p[x * 3 + 2] / 100.f;
            }
        }
    }

    labHistogram(lab, out + blockOffset(Hist));

    ltpHistograms(lum, out + blockOffset(Ltp));
    ltpHistograms(lum64, out + blockOffset(Ltp) + kLtpDimPerScale);
}

// Norm floors, in the units of each block after the square root: below them a block is
// "nearly empty" (a flat image has no gradients, a grey one no chroma).
const std::array<float, BlockCount> kFloors = {
    std::sqrt(float(kSide * kSide) * 1.f), // HOG: mean sqrt(Sobel magnitude) of 1 per pixel
    std::sqrt(float(kHogMidSide * kHogMidSide) * 1.f),
    std::sqrt(float(kHogCoarseSide * kHogCoarseSide) * 1.f),
    std::sqrt(float(kLayoutDim) * 0.05f), // layout: mean |deviation| ~ 5 L* units
    std::sqrt(float(kChromaDim) * 0.05f), // chroma: mean |a*|, |b*| ~ 5 units
    0.f,
    0.f,
    0.f,
};

} // namespace

QString ClassicEmbedder::id() const
{
    return QString::fromLatin1(kId);
}

int ClassicEmbedder::dimension() const
{
    return kDim;
}

// The descriptor works at 128 × 128 after stretching; a longest side of 256 keeps the shorter
// side at 128 or more for aspect ratios up to 2:1.
int ClassicEmbedder::preferredInputSide() const
{
    return 2 * kSide;
}

void ClassicEmbedder::embed(const QImage &rgb, float *out) const
{
    rawBlocks(rgb, out);
    for (int b = 0; b < BlockCount; ++b)
        finishBlock(out + blockOffset(b), kBlocks[b].dim, kBlocks[b].weight, kFloors[b]);

    double sq = 0;
    for (int i = 0; i < kDim; ++i)
        sq += double(out[i]) * out[i];
    const float inv = sq > 0 ? float(1.0 / std::sqrt(sq)) : 0.f;
    for (int i = 0; i < kDim; ++i)
        out[i] *= inv;
}

Result<std::vector<float>> ClassicEmbedder::embedImages(std::span<const QImage> images)
{
    for (size_t i = 0; i < images.size(); ++i) {
        if (images[i].isNull())
            return Error(QStringLiteral("Image %1 of the batch is empty").arg(i),
                         Error::Code::InvalidArgument);
    }
    std::vector<float> out(images.size() * size_t(kDim));
    for (size_t i = 0; i < images.size(); ++i)
        embed(images[i], out.data() + i * size_t(kDim));
    return out;
}

} // namespace lookalike
