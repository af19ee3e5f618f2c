#include "models/imagepreprocessor.h"

#include <QColor>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lookalike {

namespace {

constexpr int kMaxSide = 8192;

// OpenAI's CLIP mean and std, which CLIPImageProcessor also defaults to.
constexpr std::array<float, 3> kClipMean{0.48145466f, 0.4578275f, 0.40821073f};
constexpr std::array<float, 3> kClipStd{0.26862954f, 0.26130258f, 0.27577711f};

Image8 copyRows(const QImage &image, int channels)
{
    Image8 out(image.width(), image.height(), channels);
    for (int y = 0; y < image.height(); ++y)
        std::memcpy(out.row(y), image.constScanLine(y), std::size_t(out.stride()));
    return out;
}

// Indexed images take the mode their colour table implies, as Pillow's convert() of a "P"
// image would (Pillow resizes "P" itself with nearest neighbour; we expand it first).
Image8 fromIndexed(const QImage &image)
{
    const QImage indexed = image.format() == QImage::Format_Indexed8
        ? image
        : image.convertToFormat(QImage::Format_Indexed8);
    const QList<QRgb> table = indexed.colorTable();
    bool alpha = false;
    bool grey = true;
    for (const QRgb c : table) {
        alpha = alpha || qAlpha(c) != 255;
        grey = grey && qRed(c) == qGreen(c) && qGreen(c) == qBlue(c);
    }
    const int channels = alpha ? 4 : grey ? 1 : 3;
    Image8 out(indexed.width(), indexed.height(), channels);
    for (int y = 0; y < indexed.height(); ++y) {
        const uchar *src = indexed.constScanLine(y);
        std::uint8_t *dst = out.row(y);
        for (int x = 0; x < indexed.width(); ++x) {
            const QRgb c = src[x] < table.size() ? table[src[x]] : qRgba(0, 0, 0, 255);
            const std::uint8_t px[4] = {std::uint8_t(qRed(c)), std::uint8_t(qGreen(c)),
                                        std::uint8_t(qBlue(c)), std::uint8_t(qAlpha(c))};
            std::memcpy(dst + x * channels, px, std::size_t(channels));
        }
    }
    return out;
}

// Pillow's convert("RGB"): grey replicated, alpha dropped (not composited).
Image8 toRgb(Image8 image)
{
    if (image.channels == 3)
        return image;
    Image8 out(image.width, image.height, 3);
    const int c = image.channels;
    const std::size_t n = std::size_t(image.width) * image.height;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t *s = image.pixels.data() + i * c;
        std::uint8_t *d = out.pixels.data() + i * 3;
        if (c <= 2) {
            d[0] = d[1] = d[2] = s[0];
        } else {
            d[0] = s[0];
            d[1] = s[1];
            d[2] = s[2];
        }
    }
    return out;
}

int roundHalfToEven(int numerator) // round(numerator / 2.0), as Python 3 rounds
{
    const int half = numerator / 2;
    if (numerator % 2 == 0)
        return half;
    return half % 2 == 0 ? half : half + 1;
}

// Where the crop window starts in the image along one axis; negative when the image is
// smaller than the crop and gets zero padding around it.
int cropOffset(int size, int crop, PreprocessSpec::Mode mode)
{
    if (mode == PreprocessSpec::Mode::ClipOpenAi) {
        // torchvision: pad (crop − size) // 2 before, the rest after; else round half to even.
        return crop > size ? -((crop - size) / 2) : roundHalfToEven(size - crop);
    }
    // transformers' center_crop: floor, and ceil((crop − size) / 2) of padding before.
    return crop > size ? -((crop - size + 1) / 2) : (size - crop) / 2;
}

Image8 crop(const Image8 &image, int left, int top, int width, int height)
{
    Image8 out(width, height, image.channels); // zero outside the image
    const int c = image.channels;
    const int x0 = std::max(0, -left);
    const int x1 = std::min(width, image.width - left);
    if (x1 <= x0)
        return out;
    for (int y = 0; y < height; ++y) {
        const int sy = y + top;
        if (sy < 0 || sy >= image.height)
            continue;
        std::memcpy(out.row(y) + qsizetype(x0) * c, image.row(sy) + qsizetype(x0 + left) * c,
                    std::size_t(x1 - x0) * c);
    }
    return out;
}

bool validSide(int v)
{
    return v >= 1 && v <= kMaxSide;
}

} // namespace

PreprocessSpec PreprocessSpec::clipOpenAi(int size)
{
    PreprocessSpec s = clipHf(size);
    s.mode = Mode::ClipOpenAi;
    return s;
}

PreprocessSpec PreprocessSpec::clipHf(int size)
{
    PreprocessSpec s;
    s.mode = Mode::ClipHf;
    s.shortestEdge = size;
    s.doCenterCrop = true;
    s.cropHeight = s.cropWidth = size;
    s.mean = kClipMean;
    s.std = kClipStd;
    s.processorClass = QStringLiteral("CLIPImageProcessor");
    return s;
}

PreprocessSpec PreprocessSpec::siglip(int size)
{
    PreprocessSpec s;
    s.mode = Mode::Siglip;
    s.height = s.width = size;
    s.processorClass = QStringLiteral("SiglipImageProcessor");
    return s;
}

PreprocessSpec PreprocessSpec::fromConfig(const PreprocessorConfig &config)
{
    PreprocessSpec s;
    s.mode = config.family == PreprocessorConfig::Family::Siglip ? Mode::Siglip : Mode::ClipHf;
    s.doResize = config.doResize;
    s.shortestEdge = config.shortestEdge;
    s.height = config.height;
    s.width = config.width;
    s.doCenterCrop = config.doCenterCrop;
    s.cropHeight = config.cropHeight;
    s.cropWidth = config.cropWidth;
    s.resample = config.resample;
    s.doRescale = config.doRescale;
    s.rescaleFactor = config.rescaleFactor;
    s.doNormalize = config.doNormalize;
    s.mean = config.mean;
    s.std = config.std;
    s.doConvertRgb = config.doConvertRgb;
    s.processorClass = config.processorClass;
    return s;
}

ImagePreprocessor::ImagePreprocessor(const PreprocessSpec &spec) : m_spec(spec) {}

Result<ImagePreprocessor> ImagePreprocessor::create(const PreprocessSpec &spec)
{
    const auto invalid = [](const QString &what) {
        return makeError(Error::Code::InvalidArgument, what);
    };
    const std::optional<PilFilter> filter = PilResample::filterFromCode(spec.resample);
    if (!filter)
        return invalid(QStringLiteral("Unknown resample code %1 in the image processor settings.").arg(spec.resample));
    if (spec.doResize) {
        const bool sizeOk = spec.shortestEdge > 0 ? validSide(spec.shortestEdge)
                                                  : validSide(spec.height) && validSide(spec.width);
        if (!sizeOk)
            return invalid(QStringLiteral("The image processor's resize size is missing or out of range."));
    }
    if (spec.doCenterCrop && !(validSide(spec.cropHeight) && validSide(spec.cropWidth)))
        return invalid(QStringLiteral("The image processor's crop size is missing or out of range."));
    if (spec.doRescale && !(std::isfinite(spec.rescaleFactor) && spec.rescaleFactor != 0.0))
        return invalid(QStringLiteral("The image processor's rescale factor is not usable."));
    if (spec.doNormalize) {
        for (int c = 0; c < 3; ++c) {
            if (!std::isfinite(spec.mean[c]) || !std::isfinite(spec.std[c]) || spec.std[c] == 0.0f)
                return invalid(QStringLiteral("The image processor's mean or std is not usable."));
        }
    }

    QSize output;
    if (spec.doCenterCrop)
        output = QSize(spec.cropWidth, spec.cropHeight);
    else if (spec.doResize && spec.shortestEdge <= 0)
        output = QSize(spec.width, spec.height);
    else
        return makeError(Error::Code::Unsupported,
                         QStringLiteral("Image processors whose output size depends on the image are not supported."));

    ImagePreprocessor p(spec);
    p.m_filter = *filter;
    p.m_outputSize = output;

    // The references' float32 arithmetic: torchvision's ToTensor divides by 255 in float32;
    // transformers multiplies in float64 and casts. Normalisation is float32 in both.
    const bool openAiToTensor = spec.mode == PreprocessSpec::Mode::ClipOpenAi && spec.rescaleFactor == 1.0 / 255.0;
    for (int c = 0; c < 3; ++c) {
        const float mean = spec.mean[c];
        const float deviation = spec.std[c];
        for (int v = 0; v < 256; ++v) {
            float x = float(v);
            if (spec.doRescale)
                x = openAiToTensor ? float(v) / 255.0f : float(double(v) * spec.rescaleFactor);
            if (spec.doNormalize)
                x = (x - mean) / deviation;
            p.m_lut[c][v] = x;
        }
    }
    return p;
}

qsizetype ImagePreprocessor::valuesPerImage() const
{
    return 3 * qsizetype(m_outputSize.width()) * m_outputSize.height();
}

Image8 ImagePreprocessor::toPilImage(const QImage &image)
{
    if (image.isNull())
        return {};
    switch (image.format()) {
    case QImage::Format_Grayscale8:
        return copyRows(image, 1);
    case QImage::Format_Grayscale16:
        return copyRows(image.convertToFormat(QImage::Format_Grayscale8), 1);
    case QImage::Format_Mono:
    case QImage::Format_MonoLSB:
    case QImage::Format_Indexed8:
        return fromIndexed(image);
    case QImage::Format_RGB888:
        return copyRows(image, 3);
    case QImage::Format_RGBA8888:
        return copyRows(image, 4);
    default:
        break;
    }
    if (image.hasAlphaChannel()) // premultiplied formats are un-premultiplied by Qt here
        return copyRows(image.convertToFormat(QImage::Format_RGBA8888), 4);
    return copyRows(image.convertToFormat(QImage::Format_RGB888), 3);
}

Result<Image8> ImagePreprocessor::resizedRgb(const QImage &image) const
{
    if (image.isNull())
        return makeError(Error::Code::InvalidArgument, QStringLiteral("The image is empty."));
    const bool openAi = m_spec.mode == PreprocessSpec::Mode::ClipOpenAi;

    Image8 pil = toPilImage(image);
    if (!openAi)
        pil = toRgb(std::move(pil));

    if (m_spec.doResize) {
        int w = m_spec.width;
        int h = m_spec.height;
        if (m_spec.shortestEdge > 0) {
            const bool portrait = pil.width <= pil.height;
            const int shortSide = portrait ? pil.width : pil.height;
            const int longSide = portrait ? pil.height : pil.width;
            const int s = m_spec.shortestEdge;
            // int(s * long / short): an exact product, one correctly rounded division, truncation.
            const int newLong = int(double(qint64(s) * longSide) / shortSide);
            w = portrait ? s : newLong;
            h = portrait ? newLong : s;
        }
        if (w < 1 || h < 1)
            return makeError(Error::Code::InvalidArgument,
                             QStringLiteral("The image is too narrow to resize (%1×%2).").arg(pil.width).arg(pil.height));
        // openai resizes the image in its own mode, which for RGBA means premultiplied alpha.
        auto resized = openAi ? PilResample::resizeWithAlpha(pil, w, h, m_filter)
                              : PilResample::resize(pil, w, h, m_filter);
        if (!resized)
            return resized.error();
        pil = std::move(*resized);
    }

    if (m_spec.doCenterCrop) {
        const int left = cropOffset(pil.width, m_spec.cropWidth, m_spec.mode);
        const int top = cropOffset(pil.height, m_spec.cropHeight, m_spec.mode);
        if (left != 0 || top != 0 || pil.width != m_spec.cropWidth || pil.height != m_spec.cropHeight)
            pil = crop(pil, left, top, m_spec.cropWidth, m_spec.cropHeight);
    }
    return toRgb(std::move(pil));
}

void ImagePreprocessor::writeValues(const Image8 &rgb, float *out) const
{
    const std::size_t plane = std::size_t(rgb.width) * rgb.height;
    const std::uint8_t *px = rgb.pixels.data();
    float *r = out;
    float *g = out + plane;
    float *b = out + 2 * plane;
    for (std::size_t i = 0; i < plane; ++i) {
        r[i] = m_lut[0][px[3 * i]];
        g[i] = m_lut[1][px[3 * i + 1]];
        b[i] = m_lut[2][px[3 * i + 2]];
    }
}

Result<void> ImagePreprocessor::processInto(const QImage &image, std::span<float> out) const
{
    if (qsizetype(out.size()) != valuesPerImage())
        return makeError(Error::Code::InvalidArgument,
                         QStringLiteral("The output buffer holds %1 values, not %2.").arg(out.size()).arg(valuesPerImage()));
    auto rgb = resizedRgb(image);
    if (!rgb)
        return rgb.error();
    if (rgb->width != m_outputSize.width() || rgb->height != m_outputSize.height())
        return makeError(Error::Code::Generic, QStringLiteral("Preprocessing produced an unexpected size."));
    writeValues(*rgb, out.data());
    return {};
}

Result<std::vector<float>> ImagePreprocessor::process(const QImage &image) const
{
    std::vector<float> values(static_cast<std::size_t>(valuesPerImage()));
    auto done = processInto(image, values);
    if (!done)
        return done.error();
    return values;
}

Result<std::vector<float>> ImagePreprocessor::processBatch(const QList<QImage> &images) const
{
    const std::size_t per = std::size_t(valuesPerImage());
    std::vector<float> values(per * images.size());
    for (qsizetype i = 0; i < images.size(); ++i) {
        auto done = processInto(images[i], std::span<float>(values.data() + i * per, per));
        if (!done) {
            Error e = done.error();
            e.message = QStringLiteral("Image %1 of the batch: %2").arg(i + 1).arg(e.message);
            return e;
        }
    }
    return values;
}

} // namespace lookalike
