#include "models/pilresample.h"

#include <algorithm>
#include <cmath>
#include <numbers>

// Parity with Pillow depends on evaluating the filters with the same double operations in the
// same order; the project compiles as ISO C++ (no GNU extensions), where GCC does not contract
// a*b+c into fused multiply-adds, so the results round as Pillow's do.

namespace lookalike {

namespace {

// Weights are fixed point with 22 fractional bits: 8 bits for the pixel and 2 for overshoot of
// the negative-lobed kernels leave a 32-bit accumulator room.
constexpr int kPrecisionBits = 32 - 8 - 2;

struct Filter
{
    double (*weight)(double x);
    double support;
};

double boxWeight(double x)
{
    return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
}

double bilinearWeight(double x)
{
    x = std::fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

double hammingWeight(double x)
{
    x = std::fabs(x);
    if (x == 0.0)
        return 1.0;
    if (x >= 1.0)
        return 0.0;
    x *= std::numbers::pi;
    // The window constants are single precision in Pillow, then widened.
    return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));
}

double bicubicWeight(double x)
{
    constexpr double a = -0.5; // Keys' kernel; OpenCV's −0.75 gives visibly different pixels.
    x = std::fabs(x);
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0)
        return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

double sinc(double x)
{
    if (x == 0.0)
        return 1.0;
    x *= std::numbers::pi;
    return std::sin(x) / x;
}

double lanczosWeight(double x)
{
    return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0;
}

Filter filterFor(PilFilter f)
{
    switch (f) {
    case PilFilter::Box: return {boxWeight, 0.5};
    case PilFilter::Bilinear: return {bilinearWeight, 1.0};
    case PilFilter::Hamming: return {hammingWeight, 1.0};
    case PilFilter::Bicubic: return {bicubicWeight, 2.0};
    case PilFilter::Lanczos: return {lanczosWeight, 3.0};
    case PilFilter::Nearest: break;
    }
    return {bilinearWeight, 1.0}; // not reached: nearest never gets here
}

// For each output position: the first input index, how many inputs it reads, and `ksize`
// fixed-point weights (zero past the count).
struct Coefficients
{
    int ksize = 0;
    std::vector<int> first;
    std::vector<int> count;
    std::vector<std::int32_t> weights;
};

Coefficients computeCoefficients(int inSize, float in0, float in1, int outSize, const Filter &filter)
{
    // The box edges are single precision in Pillow; the difference is taken before widening.
    const double scale = double(in1 - in0) / outSize;
    const double filterScale = std::max(scale, 1.0); // antialiasing when downscaling
    const double support = filter.support * filterScale;

    Coefficients c;
    c.ksize = int(std::ceil(support)) * 2 + 1;
    c.first.resize(outSize);
    c.count.resize(outSize);
    c.weights.assign(std::size_t(outSize) * c.ksize, 0);

    std::vector<double> k(c.ksize);
    for (int xx = 0; xx < outSize; ++xx) {
        const double center = in0 + (xx + 0.5) * scale;
        const double ss = 1.0 / filterScale;
        // int() truncates towards zero, as C's cast does; negatives are clamped anyway.
        const int xmin = std::max(int(center - support + 0.5), 0);
        const int xmax = std::min(int(center + support + 0.5), inSize) - xmin;

        double sum = 0.0;
        for (int x = 0; x < xmax; ++x) {
            const double w = filter.weight((x + xmin - center + 0.5) * ss);
            k[x] = w;
            sum += w;
        }
        std::int32_t *out = c.weights.data() + std::size_t(xx) * c.ksize;
        for (int x = 0; x < xmax; ++x) {
            const double w = sum != 0.0 ? k[x] / sum : k[x];
            // Round half away from zero, then truncate, as normalize_coeffs_8bpc does.
            out[x] = w < 0 ? std::int32_t(-0.5 + w * (1 << kPrecisionBits))
                           : std::int32_t(0.5 + w * (1 << kPrecisionBits));
        }
        c.first[xx] = xmin;
        c.count[xx] = std::max(xmax, 0);
    }
    return c;
}

inline std::uint8_t clip8(std::int32_t v)
{
    // Arithmetic shift (floor) then clamp: Pillow's lookup table over −640…639.
    return std::uint8_t(std::clamp(v >> kPrecisionBits, 0, 255));
}

constexpr std::int32_t kHalf = 1 << (kPrecisionBits - 1);

// Output row i is the weighted sum of input rows first[i] … first[i] + count[i] − 1: the
// vertical pass, and the horizontal one on a transposed image. Every byte of a row is an
// independent channel value, so a block of them accumulates at once; the fixed block width
// lets the compiler keep the sums in vector registers. Integer sums are exact, so the order
// of the additions does not change the result.
void filterRows(const Image8 &in, Image8 &out, const Coefficients &c)
{
    constexpr int kBlock = 16;
    const qsizetype rowLength = out.stride();
    for (int yy = 0; yy < out.height; ++yy) {
        const std::int32_t *k = c.weights.data() + std::size_t(yy) * c.ksize;
        const std::uint8_t *rows = in.row(c.first[yy]);
        const qsizetype stride = in.stride();
        const int taps = c.count[yy];
        std::uint8_t *dst = out.row(yy);
        qsizetype i = 0;
        for (; i + kBlock <= rowLength; i += kBlock) {
            std::int32_t acc[kBlock];
            for (int j = 0; j < kBlock; ++j)
                acc[j] = kHalf;
            for (int y = 0; y < taps; ++y) {
                const std::uint8_t *src = rows + y * stride + i;
                const std::int32_t w = k[y];
                for (int j = 0; j < kBlock; ++j)
                    acc[j] += std::int32_t(src[j]) * w;
            }
            for (int j = 0; j < kBlock; ++j)
                dst[i + j] = clip8(acc[j]);
        }
        for (; i < rowLength; ++i) {
            std::int32_t acc = kHalf;
            for (int y = 0; y < taps; ++y)
                acc += std::int32_t(rows[y * stride + i]) * k[y];
            dst[i] = clip8(acc);
        }
    }
}

template <int C>
void transposeRows(const Image8 &in, int firstRow, int endRow, Image8 &out)
{
    const qsizetype outStride = out.stride();
    for (int y = firstRow; y < endRow; ++y) {
        const std::uint8_t *src = in.row(y);
        std::uint8_t *dst = out.pixels.data() + qsizetype(y - firstRow) * C;
        for (int x = 0; x < in.width; ++x) {
            for (int ch = 0; ch < C; ++ch)
                dst[x * outStride + ch] = src[x * C + ch];
        }
    }
}

// Rows [firstRow, endRow) of `in` with rows and columns swapped, so that the horizontal pass
// can run as a pass over rows too.
Image8 transposed(const Image8 &in, int firstRow, int endRow)
{
    Image8 out(endRow - firstRow, in.width, in.channels);
    switch (in.channels) {
    case 1: transposeRows<1>(in, firstRow, endRow, out); break;
    case 2: transposeRows<2>(in, firstRow, endRow, out); break;
    case 3: transposeRows<3>(in, firstRow, endRow, out); break;
    default: transposeRows<4>(in, firstRow, endRow, out); break;
    }
    return out;
}

// Geometry.c's ImagingScaleAffine: source positions accumulated in double from the centre of
// the first output pixel; outputs whose source falls outside stay zero.
Image8 resizeNearest(const Image8 &in, int width, int height, const std::array<float, 4> &box)
{
    Image8 out(width, height, in.channels);
    const double ax = double(box[2] - box[0]) / width;
    const double ay = double(box[3] - box[1]) / height;
    const auto coord = [](double v) { return v < 0.0 ? -1 : int(v); };

    std::vector<int> sourceX(width, -1);
    double xo = box[0] + ax * 0.5;
    for (int x = 0; x < width; ++x) {
        const int xin = coord(xo);
        if (xin >= 0 && xin < in.width)
            sourceX[x] = xin;
        xo += ax;
    }
    double yo = box[1] + ay * 0.5;
    const int c = in.channels;
    for (int y = 0; y < height; ++y) {
        const int yi = coord(yo);
        yo += ay;
        if (yi < 0 || yi >= in.height)
            continue;
        const std::uint8_t *src = in.row(yi);
        std::uint8_t *dst = out.row(y);
        for (int x = 0; x < width; ++x) {
            if (sourceX[x] >= 0)
                std::copy_n(src + qsizetype(sourceX[x]) * c, c, dst + qsizetype(x) * c);
        }
    }
    return out;
}

Result<std::array<float, 4>> checkArguments(const Image8 &image, int width, int height,
                                            const std::optional<std::array<float, 4>> &box)
{
    if (image.isNull() || image.channels > 4
        || image.pixels.size() != std::size_t(image.width) * image.height * image.channels)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("Not a valid 8-bit image."));
    if (width < 1 || height < 1)
        return makeError(Error::Code::InvalidArgument,
                         QStringLiteral("Cannot resize to %1×%2.").arg(width).arg(height));
    const std::array<float, 4> b = box.value_or(
        std::array<float, 4>{0.f, 0.f, float(image.width), float(image.height)});
    if (!(b[0] >= 0 && b[1] >= 0))
        return makeError(Error::Code::InvalidArgument, QStringLiteral("The resize box starts outside the image."));
    if (!(b[2] <= image.width && b[3] <= image.height))
        return makeError(Error::Code::InvalidArgument, QStringLiteral("The resize box ends outside the image."));
    if (!(b[2] - b[0] >= 0 && b[3] - b[1] >= 0))
        return makeError(Error::Code::InvalidArgument, QStringLiteral("The resize box is empty."));
    return b;
}

inline unsigned mulDiv255(unsigned a, unsigned b)
{
    const unsigned t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}

} // namespace

std::optional<PilFilter> PilResample::filterFromCode(int code)
{
    if (code < 0 || code > 5)
        return std::nullopt;
    return PilFilter(code);
}

Result<Image8> PilResample::resize(const Image8 &image, int width, int height, PilFilter filter,
                                   std::optional<std::array<float, 4>> box)
{
    auto checked = checkArguments(image, width, height, box);
    if (!checked)
        return checked.error();
    const std::array<float, 4> b = *checked;

    if (width == image.width && height == image.height && b[0] == 0 && b[1] == 0
        && b[2] == width && b[3] == height)
        return image;
    if (filter == PilFilter::Nearest)
        return resizeNearest(image, width, height, b);
    if (int(filter) < 0 || int(filter) > 5)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("Unknown resampling filter."));

    const Filter f = filterFor(filter);
    // Pillow compares the output width with the box's right edge here, not its width.
    const bool needHorizontal = width != image.width || b[0] != 0 || b[2] != width;
    const bool needVertical = height != image.height || b[1] != 0 || b[3] != height;

    Coefficients vertical = computeCoefficients(image.height, b[1], b[3], height, f);
    // Only the rows the vertical pass reads go through the horizontal pass.
    const int firstRow = vertical.first.front();
    const int endRow = vertical.first.back() + vertical.count.back();

    Image8 temp;
    const Image8 *source = &image;
    if (needHorizontal) {
        const Coefficients horizontal = computeCoefficients(image.width, b[0], b[2], width, f);
        for (int &first : vertical.first)
            first -= firstRow;
        const Image8 columns = transposed(image, firstRow, endRow);
        Image8 filtered(columns.width, width, image.channels);
        filterRows(columns, filtered, horizontal);
        temp = transposed(filtered, 0, filtered.height);
        source = &temp;
    }
    if (needVertical) {
        Image8 out(source->width, height, image.channels);
        filterRows(*source, out, vertical);
        return out;
    }
    if (source == &temp)
        return temp;
    return image;
}

Result<Image8> PilResample::resizeWithAlpha(const Image8 &image, int width, int height, PilFilter filter,
                                            std::optional<std::array<float, 4>> box)
{
    auto checked = checkArguments(image, width, height, box);
    if (!checked)
        return checked.error();
    const std::array<float, 4> b = *checked;
    const bool hasAlpha = image.channels == 2 || image.channels == 4;
    const bool identity = width == image.width && height == image.height && b[0] == 0 && b[1] == 0
        && b[2] == image.width && b[3] == image.height;
    if (!hasAlpha || filter == PilFilter::Nearest || identity)
        return resize(image, width, height, filter, box);

    Image8 premultiplied = image;
    premultiplyAlpha(premultiplied);
    auto resized = resize(premultiplied, width, height, filter, box);
    if (resized)
        unpremultiplyAlpha(*resized);
    return resized;
}

void PilResample::premultiplyAlpha(Image8 &image)
{
    const int c = image.channels;
    if (c != 2 && c != 4)
        return;
    for (std::size_t i = 0; i + c <= image.pixels.size(); i += c) {
        const unsigned alpha = image.pixels[i + c - 1];
        for (int ch = 0; ch < c - 1; ++ch)
            image.pixels[i + ch] = std::uint8_t(mulDiv255(image.pixels[i + ch], alpha));
    }
}

void PilResample::unpremultiplyAlpha(Image8 &image)
{
    const int c = image.channels;
    if (c != 2 && c != 4)
        return;
    for (std::size_t i = 0; i + c <= image.pixels.size(); i += c) {
        const unsigned alpha = image.pixels[i + c - 1];
        if (alpha == 0 || alpha == 255)
            continue;
        for (int ch = 0; ch < c - 1; ++ch)
            image.pixels[i + ch] = std::uint8_t(std::min(255u * image.pixels[i + ch] / alpha, 255u));
    }
}

} // namespace lookalike
