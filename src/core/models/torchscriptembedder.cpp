// libtorch before any Qt header: Qt's keyword macros break its headers.
#include <torch/script.h>

#include <c10/core/InferenceMode.h>

#include "torchscriptembedder.h"

#include "models/cpubuffercache.h"
#include "models/modelregistry.h"
#include "models/torchbackend.h"
#include "models/visionlanguagemodel.h"
#include "util/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <mutex>

namespace lookalike {

namespace {

constexpr int kMinSide = 8;
constexpr int kMaxSide = 2048;
constexpr int kMaxDimension = 65536;
constexpr qint64 kMaxSidecarBytes = 1 << 20;

const QString kName = QStringLiteral("name");
const QString kInputSize = QStringLiteral("input_size");
const QString kResize = QStringLiteral("resize");
const QString kMean = QStringLiteral("mean");
const QString kStd = QStringLiteral("std");
const QString kDimension = QStringLiteral("dimension");
const QString kResizeSize = QStringLiteral("resize_size");
const QString kInterpolation = QStringLiteral("interpolation");

const QString kShortestEdge = QStringLiteral("shortest_edge_center_crop");
const QString kSquash = QStringLiteral("squash");

Error keyError(const QString &file, const QString &key, const QString &what)
{
    return Error(QStringLiteral("%1: \"%2\" %3").arg(file, key, what), Error::Code::InvalidArgument);
}

// JSON numbers are doubles: an integer is one without a fractional part, within int range.
std::optional<int> integerIn(const QJsonValue &v, int low, int high)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d != std::floor(d) || d < low || d > high)
        return std::nullopt;
    return int(d);
}

Result<std::array<float, 3>> threeFloats(const QJsonObject &json, const QString &file, const QString &key)
{
    const QJsonValue v = json.value(key);
    if (v.isUndefined())
        return keyError(file, key, QStringLiteral("is missing (3 numbers, one per RGB channel)"));
    const QJsonArray a = v.toArray();
    if (!v.isArray() || a.size() != 3)
        return keyError(file, key, QStringLiteral("must be an array of 3 numbers, one per RGB channel"));
    std::array<float, 3> out{};
    for (int c = 0; c < 3; ++c) {
        const double d = a.at(c).toDouble(NAN);
        if (!a.at(c).isDouble() || !std::isfinite(d) || !std::isfinite(float(d)))
            return keyError(file, key, QStringLiteral("must hold 3 finite numbers (item %1 is not one)").arg(c));
        out[size_t(c)] = float(d);
    }
    return out;
}

struct FilterName
{
    const char *name;
    PilFilter filter;
};
constexpr FilterName kFilters[] = {
    {"nearest", PilFilter::Nearest}, {"bilinear", PilFilter::Bilinear}, {"bicubic", PilFilter::Bicubic},
    {"lanczos", PilFilter::Lanczos}, {"box", PilFilter::Box},           {"hamming", PilFilter::Hamming},
};

QString shapeText(at::IntArrayRef sizes)
{
    QStringList parts;
    for (const int64_t s : sizes)
        parts.append(QString::number(s));
    return parts.join(QStringLiteral(" × "));
}

QString torchMessage(const c10::Error &e)
{
    return QString::fromStdString(e.what_without_backtrace()).trimmed();
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Sidecar

Result<TorchScriptEmbedder::Sidecar> TorchScriptEmbedder::Sidecar::fromFile(const QString &jsonPath)
{
    QFile f(jsonPath);
    if (!f.exists()) {
        return Error(QStringLiteral("%1 is missing: a TorchScript model needs this sidecar (name, input_size, resize, mean, std)")
                         .arg(jsonPath),
                     Error::Code::NotFound);
    }
    if (!f.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("%1: cannot read (%2)").arg(jsonPath, f.errorString()), Error::Code::Io);
    if (f.size() > kMaxSidecarBytes)
        return Error(QStringLiteral("%1: %2 bytes is too large for a model sidecar").arg(jsonPath).arg(f.size()), Error::Code::TooLarge);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error(QStringLiteral("%1: not valid JSON (%2 at byte %3)").arg(jsonPath, parseError.errorString()).arg(parseError.offset),
                     Error::Code::Corrupt);
    if (!doc.isObject())
        return Error(QStringLiteral("%1: must hold a JSON object").arg(jsonPath), Error::Code::Corrupt);
    const QJsonObject json = doc.object();

    static const QStringList known{kName, kInputSize, kResize, kMean, kStd, kDimension, kResizeSize, kInterpolation};
    for (const QString &key : json.keys()) {
        if (!known.contains(key))
            return keyError(jsonPath, key, QStringLiteral("is not a known key (known: %1)").arg(known.join(QStringLiteral(", "))));
    }

    Sidecar s;

    const QJsonValue name = json.value(kName);
    if (name.isUndefined())
        return keyError(jsonPath, kName, QStringLiteral("is missing"));
    if (!name.isString() || name.toString().trimmed().isEmpty())
        return keyError(jsonPath, kName, QStringLiteral("must be a non-empty string"));
    s.name = name.toString();

    const QJsonValue inputSize = json.value(kInputSize);
    const QString sizeRule = QStringLiteral("must be an integer %1..%2 or [height, width] of such integers").arg(kMinSide).arg(kMaxSide);
    if (inputSize.isUndefined())
        return keyError(jsonPath, kInputSize, QStringLiteral("is missing (%1)").arg(sizeRule));
    if (inputSize.isArray()) {
        const QJsonArray hw = inputSize.toArray();
        const auto h = hw.size() == 2 ? integerIn(hw.at(0), kMinSide, kMaxSide) : std::nullopt;
        const auto w = hw.size() == 2 ? integerIn(hw.at(1), kMinSide, kMaxSide) : std::nullopt;
        if (!h || !w)
            return keyError(jsonPath, kInputSize, sizeRule);
        s.inputHeight = *h;
        s.inputWidth = *w;
    } else {
        const auto side = integerIn(inputSize, kMinSide, kMaxSide);
        if (!side)
            return keyError(jsonPath, kInputSize, sizeRule);
        s.inputHeight = s.inputWidth = *side;
    }

    const QJsonValue resize = json.value(kResize);
    const QString resizeRule = QStringLiteral("must be \"%1\" or \"%2\"").arg(kShortestEdge, kSquash);
    if (resize.isUndefined())
        return keyError(jsonPath, kResize, QStringLiteral("is missing (%1)").arg(resizeRule));
    if (resize.toString() == kShortestEdge)
        s.resize = Resize::ShortestEdgeCenterCrop;
    else if (resize.toString() == kSquash)
        s.resize = Resize::Squash;
    else
        return keyError(jsonPath, kResize, resizeRule);

    auto mean = threeFloats(json, jsonPath, kMean);
    if (!mean)
        return mean.error();
    s.mean = *mean;
    auto deviation = threeFloats(json, jsonPath, kStd);
    if (!deviation)
        return deviation.error();
    for (const float v : *deviation) {
        if (v == 0.0f)
            return keyError(jsonPath, kStd, QStringLiteral("must not contain 0 (it divides)"));
    }
    s.std = *deviation;

    const int largerSide = std::max(s.inputHeight, s.inputWidth);
    s.resizeSize = largerSide;
    const QJsonValue resizeSize = json.value(kResizeSize);
    if (!resizeSize.isUndefined()) {
        if (s.resize != Resize::ShortestEdgeCenterCrop)
            return keyError(jsonPath, kResizeSize, QStringLiteral("only applies to \"resize\": \"%1\"").arg(kShortestEdge));
        // Smaller than the crop would pad the crop with black; torchvision would too, but no
        // model is meant to be fed that.
        const auto v = integerIn(resizeSize, largerSide, 4 * kMaxSide);
        if (!v)
            return keyError(jsonPath, kResizeSize, QStringLiteral("must be an integer from the larger input side (%1) to %2").arg(largerSide).arg(4 * kMaxSide));
        s.resizeSize = *v;
    }

    const QJsonValue interpolation = json.value(kInterpolation);
    if (!interpolation.isUndefined()) {
        QStringList names;
        bool found = false;
        for (const FilterName &f : kFilters) {
            names.append(QLatin1String(f.name));
            if (interpolation.toString() == QLatin1String(f.name)) {
                s.interpolation = f.filter;
                found = true;
            }
        }
        if (!found)
            return keyError(jsonPath, kInterpolation, QStringLiteral("must be one of %1").arg(names.join(QStringLiteral(", "))));
    }

    const QJsonValue dimension = json.value(kDimension);
    if (!dimension.isUndefined()) {
        const auto d = integerIn(dimension, 1, kMaxDimension);
        if (!d)
            return keyError(jsonPath, kDimension, QStringLiteral("must be an integer 1..%1").arg(kMaxDimension));
        s.dimension = *d;
    }
    return s;
}

PreprocessSpec TorchScriptEmbedder::Sidecar::preprocessSpec() const
{
    PreprocessSpec spec;
    // torchvision's Resize + CenterCrop on a PIL image and ToTensor's float32 division by 255:
    // what a user exporting a torchvision model evaluated it with.
    spec.mode = PreprocessSpec::Mode::ClipOpenAi;
    spec.doResize = true;
    if (resize == Resize::ShortestEdgeCenterCrop) {
        spec.shortestEdge = resizeSize;
        spec.doCenterCrop = true;
        spec.cropHeight = inputHeight;
        spec.cropWidth = inputWidth;
    } else {
        spec.height = inputHeight;
        spec.width = inputWidth;
        spec.doCenterCrop = false;
    }
    spec.resample = int(interpolation);
    spec.doRescale = true;
    spec.rescaleFactor = 1.0 / 255.0;
    spec.doNormalize = true;
    spec.mean = mean;
    spec.std = std;
    spec.processorClass = QStringLiteral("TorchScript sidecar");
    return spec;
}

// ---------------------------------------------------------------------------------------------
// Embedder

struct TorchScriptEmbedder::Private
{
    torch::jit::Module module;
    at::Device device = at::kCPU;
    QString path;
    // Forward passes one at a time: isReentrant() is false, but the search engine and an
    // ingest job may hold the same embedder, and a scripted module may mutate attributes.
    std::mutex mutex;

    // n × 3 × h × w → n × D float32 on the host. `expectedDimension` 0: any D in range.
    Result<std::vector<float>> forward(const float *nchw, int64_t n, int64_t h, int64_t w, int64_t expectedDimension,
                                       int64_t *dimensionOut)
    {
        std::lock_guard lock(mutex);
        try {
            // InferenceMode implies no autograd; the module's own tensors are untouched.
            c10::InferenceMode inference;
            // A copy, so that a module working in place cannot write into the caller's buffer.
            at::Tensor x = at::from_blob(const_cast<float *>(nchw), {n, 3, h, w}, at::kFloat).to(device, at::kFloat, false, true);
            const c10::IValue out = module.forward({x});
            if (!out.isTensor())
                return Error(QStringLiteral("%1: the module returns a %2, not an N × D tensor").arg(path, QString::fromStdString(out.tagKind())),
                             Error::Code::Unsupported);
            at::Tensor y = out.toTensor();
            if (y.dim() != 2 || y.size(0) != n || y.size(1) < 1 || y.size(1) > kMaxDimension) {
                return Error(QStringLiteral("%1: for an input of %2 the module returns %3, not %4 × D with D in 1..%5")
                                 .arg(path, shapeText(x.sizes()), y.dim() == 0 ? QStringLiteral("a scalar") : shapeText(y.sizes()))
                                 .arg(n)
                                 .arg(kMaxDimension),
                             Error::Code::Unsupported);
            }
            if (expectedDimension > 0 && y.size(1) != expectedDimension) {
                return Error(QStringLiteral("%1: the module returns %2-dimensional vectors, but its sidecar says \"dimension\": %3")
                                 .arg(path)
                                 .arg(y.size(1))
                                 .arg(expectedDimension),
                             Error::Code::Corrupt);
            }
            if (!y.is_floating_point())
                return Error(QStringLiteral("%1: the module returns %2 values, not floating point").arg(path, QString::fromLatin1(c10::toString(y.scalar_type()))),
                             Error::Code::Unsupported);
            y = y.to(at::kCPU, at::kFloat).contiguous();
            if (!at::isfinite(y).all().item<bool>())
                return Error(QStringLiteral("%1: the module's output holds NaN or infinite values").arg(path), Error::Code::Corrupt);
            if (dimensionOut)
                *dimensionOut = y.size(1);
            const float *p = y.data_ptr<float>();
            return std::vector<float>(p, p + y.numel());
        } catch (const c10::Error &e) {
            return Error(QStringLiteral("%1: the module failed: %2").arg(path, torchMessage(e)));
        } catch (const std::exception &e) {
            return Error(QStringLiteral("%1: the module failed: %2").arg(path, QString::fromLocal8Bit(e.what())));
        }
    }
};

TorchScriptEmbedder::TorchScriptEmbedder(QString id, QString path, Sidecar sidecar, ImagePreprocessor preprocessor,
                                         std::unique_ptr<Private> d)
    : m_id(std::move(id)),
      m_path(std::move(path)),
      m_sidecar(std::move(sidecar)),
      m_preprocessor(std::move(preprocessor)),
      d(std::move(d))
{
}

TorchScriptEmbedder::~TorchScriptEmbedder() = default;

void TorchScriptEmbedder::releaseWorkingMemory()
{
    CpuBufferCache::instance().trim();
}

QString TorchScriptEmbedder::sidecarPath(const QString &ptPath)
{
    return ModelRegistry::torchScriptSidecar(ptPath);
}

QString TorchScriptEmbedder::idFor(const QString &ptPath)
{
    return ModelRegistry::idFor(QStringLiteral("torchscript"), ptPath);
}

Result<std::unique_ptr<TorchScriptEmbedder>> TorchScriptEmbedder::load(const QString &ptPath)
{
    const QFileInfo info(QDir::cleanPath(ptPath));
    const QString path = info.absoluteFilePath();
    if (!info.isFile())
        return Error(QStringLiteral("TorchScript model %1 does not exist").arg(path), Error::Code::NotFound);

    const QString jsonPath = sidecarPath(path);
    auto sidecar = Sidecar::fromFile(jsonPath);
    if (!sidecar)
        return sidecar.error();
    auto preprocessor = ImagePreprocessor::create(sidecar->preprocessSpec());
    if (!preprocessor)
        return Error(QStringLiteral("%1: %2").arg(jsonPath, preprocessor.errorMessage()), preprocessor.error().code);

    TorchBackend::ensureApplied(); // the configured intra-op thread count
    auto d = std::make_unique<Private>();
    d->path = path;
    const QString device = TorchBackend::device();
    if (device == QLatin1String("cuda")) {
        if (!TorchBackend::cudaAvailable())
            return Error(QStringLiteral("device \"cuda\" was asked for, but libtorch sees no CUDA GPU"), Error::Code::Unsupported);
        d->device = at::Device(at::kCUDA, 0);
    } else if (device != QLatin1String("cpu")) {
        return Error(QStringLiteral("unknown device \"%1\" (cpu, cuda)").arg(device), Error::Code::InvalidArgument);
    }

    try {
        // Loaded straight onto the device. Kept in float32 on CUDA too, unlike the CLIP and
        // SigLIP networks: a scripted graph may make float32 tensors of its own (constants,
        // torch.zeros without a dtype) that half weights would then meet in one op, and a
        // user's model was validated in float32.
        d->module = torch::jit::load(QFile::encodeName(path).toStdString(), d->device);
        d->module.eval();
    } catch (const c10::Error &e) {
        return Error(QStringLiteral("%1 is not a TorchScript module libtorch can load: %2").arg(path, torchMessage(e)), Error::Code::Corrupt);
    } catch (const std::exception &e) {
        return Error(QStringLiteral("%1 is not a TorchScript module libtorch can load: %2").arg(path, QString::fromLocal8Bit(e.what())),
                     Error::Code::Corrupt);
    }

    // Two zero images: D, and whether the module maps N images to N rows at all.
    const int64_t h = sidecar->inputHeight;
    const int64_t w = sidecar->inputWidth;
    const std::vector<float> zeros(size_t(2 * 3 * h * w), 0.0f);
    int64_t dimension = 0;
    auto probe = d->forward(zeros.data(), 2, h, w, sidecar->dimension.value_or(0), &dimension);
    if (!probe)
        return probe.error();

    const QString id = idFor(path);
    qCInfo(lcEmbed).noquote() << "loaded" << id << QStringLiteral("(%1)").arg(sidecar->name) << "from" << path << "on" << device << "dimension" << dimension;
    auto embedder = std::unique_ptr<TorchScriptEmbedder>(
        new TorchScriptEmbedder(id, path, std::move(*sidecar), std::move(*preprocessor), std::move(d)));
    embedder->m_dimension = int(dimension);
    return embedder;
}

QString TorchScriptEmbedder::device() const
{
    return d->device.is_cuda() ? QStringLiteral("cuda") : QStringLiteral("cpu");
}

int TorchScriptEmbedder::preferredInputSide() const
{
    if (m_sidecar.resize == Sidecar::Resize::Squash)
        return std::max(m_sidecar.inputHeight, m_sidecar.inputWidth);
    return m_sidecar.resizeSize;
}

int TorchScriptEmbedder::minimumShortSide() const
{
    if (m_sidecar.resize == Sidecar::Resize::Squash)
        return std::max(m_sidecar.inputHeight, m_sidecar.inputWidth);
    return m_sidecar.resizeSize;
}

Result<std::vector<float>> TorchScriptEmbedder::forwardNormalised(const float *nchw, int n)
{
    if (n < 0 || (n > 0 && !nchw))
        return Error(QStringLiteral("forwardNormalised: %1 images from a null buffer").arg(n), Error::Code::InvalidArgument);
    if (n == 0)
        return std::vector<float>();
    return d->forward(nchw, n, m_sidecar.inputHeight, m_sidecar.inputWidth, m_dimension, nullptr);
}

Result<std::vector<float>> TorchScriptEmbedder::embedImages(std::span<const QImage> images)
{
    const size_t perImage = size_t(m_preprocessor.valuesPerImage());
    const size_t dim = size_t(m_dimension);
    std::vector<float> out;
    out.reserve(images.size() * dim);
    std::vector<float> pixels;
    for (size_t first = 0; first < images.size(); first += kBatchSize) {
        const size_t count = std::min(images.size() - first, size_t(kBatchSize));
        pixels.assign(count * perImage, 0.0f);
        for (size_t i = 0; i < count; ++i) {
            auto done = m_preprocessor.processInto(images[first + i], std::span<float>(pixels.data() + i * perImage, perImage));
            if (!done)
                return Error(QStringLiteral("image %1: %2").arg(first + i).arg(done.errorMessage()), done.error().code);
        }
        auto raw = forwardNormalised(pixels.data(), int(count));
        if (!raw)
            return raw.error();
        const HostTensor rows = HostTensor{{int64_t(count), int64_t(dim)}, std::move(*raw)}.rowNormalized();
        out.insert(out.end(), rows.values.begin(), rows.values.end());
    }
    return out;
}

} // namespace lookalike
