#include "preprocessorconfig.h"

#include "hfconfig.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonValue>

#include <cmath>
#include <optional>

namespace lookalike {

namespace {

constexpr int kMaxImageSide = 1 << 16;

// transformers' OPENAI_CLIP_MEAN / OPENAI_CLIP_STD and IMAGENET_STANDARD_MEAN / _STD.
constexpr std::array<float, 3> kClipMean{0.48145466f, 0.4578275f, 0.40821073f};
constexpr std::array<float, 3> kClipStd{0.26862954f, 0.26130258f, 0.27577711f};
constexpr std::array<float, 3> kHalf{0.5f, 0.5f, 0.5f};

bool isAbsent(const QJsonValue &v)
{
    return v.isUndefined() || v.isNull();
}

std::optional<int> side(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (d != std::floor(d) || d < 1 || d > kMaxImageSide)
        return std::nullopt;
    return int(d);
}

Error bad(Error::Code code, const char *key, const QString &what)
{
    return makeError(code, QLatin1String(key) + QStringLiteral(": ") + what);
}

Result<void> readFlag(const QJsonObject &json, const char *key, bool &out)
{
    const QJsonValue v = json.value(QLatin1String(key));
    if (v.isUndefined())
        return {};
    if (v.isNull()) {
        out = false; // transformers keeps None, which is falsy
        return {};
    }
    if (!v.isBool())
        return bad(Error::Code::Corrupt, key, QStringLiteral("not true or false"));
    out = v.toBool();
    return {};
}

Result<void> readChannels(const QJsonObject &json, const char *key, std::array<float, 3> &out)
{
    const QJsonValue v = json.value(QLatin1String(key));
    if (isAbsent(v))
        return {};
    if (v.isDouble()) {
        out.fill(float(v.toDouble()));
        return {};
    }
    const QJsonArray a = v.toArray();
    if (!v.isArray() || a.size() != 3)
        return bad(Error::Code::Corrupt, key, QStringLiteral("not a number or a list of 3 numbers"));
    for (int i = 0; i < 3; ++i) {
        if (!a.at(i).isDouble() || !std::isfinite(a.at(i).toDouble()))
            return bad(Error::Code::Corrupt, key, QStringLiteral("not a number or a list of 3 numbers"));
        out[size_t(i)] = float(a.at(i).toDouble());
    }
    return {};
}

} // namespace

PreprocessorConfig PreprocessorConfig::clipDefaults(int size)
{
    PreprocessorConfig c;
    c.family = Family::Clip;
    c.processorClass = QStringLiteral("CLIPImageProcessor");
    c.doResize = true;
    c.shortestEdge = size;
    c.doCenterCrop = true;
    c.cropHeight = size;
    c.cropWidth = size;
    c.resample = 3;
    c.doRescale = true;
    c.rescaleFactor = 1.0 / 255.0;
    c.doNormalize = true;
    c.mean = kClipMean;
    c.std = kClipStd;
    c.doConvertRgb = true;
    return c;
}

PreprocessorConfig PreprocessorConfig::siglipDefaults(int size)
{
    PreprocessorConfig c;
    c.family = Family::Siglip;
    c.processorClass = QStringLiteral("SiglipImageProcessor");
    c.doResize = true;
    c.height = size;
    c.width = size;
    c.doCenterCrop = false;
    c.resample = 3;
    c.doRescale = true;
    c.rescaleFactor = 1.0 / 255.0;
    c.doNormalize = true;
    c.mean = kHalf;
    c.std = kHalf;
    c.doConvertRgb = false;
    return c;
}

Result<PreprocessorConfig> PreprocessorConfig::fromJson(const QJsonObject &json)
{
    QString type = json.value(QLatin1String("image_processor_type")).toString();
    if (type.isEmpty())
        type = json.value(QLatin1String("feature_extractor_type")).toString();
    PreprocessorConfig c;
    if (type == QLatin1String("CLIPImageProcessor") || type == QLatin1String("CLIPImageProcessorFast")
        || type == QLatin1String("CLIPFeatureExtractor")) {
        c = clipDefaults(224);
    } else if (type == QLatin1String("SiglipImageProcessor") || type == QLatin1String("SiglipImageProcessorFast")) {
        c = siglipDefaults(224);
    } else if (type.isEmpty()) {
        return makeError(Error::Code::Corrupt, QStringLiteral("image_processor_type: missing"));
    } else {
        return makeError(Error::Code::Unsupported,
                         QStringLiteral("image_processor_type: \"%1\" is neither CLIPImageProcessor nor SiglipImageProcessor").arg(type));
    }
    c.processorClass = type;
    const bool clip = c.family == Family::Clip;

    for (const auto &[key, flag] : {std::pair{"do_resize", &c.doResize}, std::pair{"do_center_crop", &c.doCenterCrop},
                                    std::pair{"do_rescale", &c.doRescale}, std::pair{"do_normalize", &c.doNormalize},
                                    std::pair{"do_convert_rgb", &c.doConvertRgb}}) {
        if (auto ok = readFlag(json, key, *flag); !ok)
            return ok.error();
    }

    const QJsonValue size = json.value(QLatin1String("size"));
    if (!isAbsent(size)) {
        const QJsonObject o = size.toObject();
        const QJsonValue shortest = o.value(QLatin1String("shortest_edge"));
        const QJsonValue h = o.value(QLatin1String("height"));
        const QJsonValue w = o.value(QLatin1String("width"));
        if (auto n = side(size)) {
            c.shortestEdge = clip ? *n : 0;
            c.height = c.width = clip ? 0 : *n;
        } else if (size.isObject() && !shortest.isUndefined()) {
            const auto n = side(shortest);
            if (!n)
                return bad(Error::Code::InvalidArgument, "size", QStringLiteral("shortest_edge is not a positive integer"));
            if (!clip)
                return bad(Error::Code::InvalidArgument, "size", QStringLiteral("%1 needs {\"height\", \"width\"}, not shortest_edge").arg(type));
            c.shortestEdge = *n;
            c.height = c.width = 0;
        } else if (size.isObject() && !h.isUndefined() && !w.isUndefined()) {
            const auto hn = side(h);
            const auto wn = side(w);
            if (!hn || !wn)
                return bad(Error::Code::InvalidArgument, "size", QStringLiteral("height and width must be positive integers"));
            c.shortestEdge = 0;
            c.height = *hn;
            c.width = *wn;
        } else {
            return bad(Error::Code::Corrupt, "size", QStringLiteral("expected {\"shortest_edge\": N} or {\"height\": H, \"width\": W}"));
        }
    }

    const QJsonValue crop = json.value(QLatin1String("crop_size"));
    if (!isAbsent(crop)) {
        if (auto n = side(crop)) {
            c.cropHeight = c.cropWidth = *n;
        } else if (crop.isObject()) {
            const auto hn = side(crop.toObject().value(QLatin1String("height")));
            const auto wn = side(crop.toObject().value(QLatin1String("width")));
            if (!hn || !wn)
                return bad(Error::Code::InvalidArgument, "crop_size", QStringLiteral("height and width must be positive integers"));
            c.cropHeight = *hn;
            c.cropWidth = *wn;
        } else {
            return bad(Error::Code::Corrupt, "crop_size", QStringLiteral("expected a number or {\"height\": H, \"width\": W}"));
        }
    }
    if (c.doCenterCrop && (c.cropHeight <= 0 || c.cropWidth <= 0))
        return bad(Error::Code::InvalidArgument, "crop_size", QStringLiteral("do_center_crop is set but no crop size is given"));

    const QJsonValue resample = json.value(QLatin1String("resample"));
    if (!isAbsent(resample)) {
        const double r = resample.toDouble(-1);
        if (!resample.isDouble() || r != std::floor(r) || r < 0 || r > 5)
            return bad(Error::Code::InvalidArgument, "resample", QStringLiteral("not a PIL filter code (0 to 5)"));
        c.resample = int(r);
    }

    const QJsonValue rescale = json.value(QLatin1String("rescale_factor"));
    if (!isAbsent(rescale)) {
        if (!rescale.isDouble() || !(rescale.toDouble() > 0) || !std::isfinite(rescale.toDouble()))
            return bad(Error::Code::InvalidArgument, "rescale_factor", QStringLiteral("not a positive number"));
        c.rescaleFactor = rescale.toDouble();
    }

    if (auto ok = readChannels(json, "image_mean", c.mean); !ok)
        return ok.error();
    if (auto ok = readChannels(json, "image_std", c.std); !ok)
        return ok.error();
    for (float s : c.std) {
        if (s == 0.0f)
            return bad(Error::Code::InvalidArgument, "image_std", QStringLiteral("a standard deviation of 0"));
    }
    return c;
}

Result<PreprocessorConfig> PreprocessorConfig::fromFile(const QString &path)
{
    auto json = readJsonObjectFile(path);
    if (!json)
        return json.error();
    auto c = fromJson(*json);
    if (!c)
        return makeError(c.error().code, QFileInfo(path).fileName() + QStringLiteral(": ") + c.error().message);
    return c;
}

} // namespace lookalike
