#include "hfconfig.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <cmath>
#include <optional>

namespace lookalike {

namespace {

constexpr qint64 kMaxJsonFileBytes = 16 << 20;
// Far above any real model (vocabularies reach 2^18) but low enough that products of two
// sizes fit comfortably in int64.
constexpr int kMaxSize = 1 << 24;

struct ActName
{
    const char *name;
    HiddenAct act;
};
constexpr ActName kActs[] = {
    {"quick_gelu", HiddenAct::QuickGelu},
    {"gelu", HiddenAct::Gelu},
    {"gelu_pytorch_tanh", HiddenAct::GeluPytorchTanh},
    {"gelu_new", HiddenAct::GeluNew},
};

QString describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Double:
        return QString::number(v.toDouble(), 'g', 17);
    case QJsonValue::String:
        return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    default:
        return QStringLiteral("null");
    }
}

// Reads keys of one JSON object into a struct, keeping the default for an absent (or null)
// key and remembering the first problem, so that a parser reads as a list of keys.
class ConfigReader
{
public:
    ConfigReader(const QJsonObject &json, QString prefix) : m_json(json), m_prefix(std::move(prefix)) {}

    QString keyName(const char *key) const { return m_prefix + QLatin1String(key); }

    void size(const char *key, int &out)
    {
        const auto v = value(key);
        if (!v)
            return;
        const auto n = integer(*v);
        if (!n) {
            fail(Error::Code::Corrupt, key, QStringLiteral("%1 is not an integer").arg(describe(*v)));
        } else if (*n <= 0 || *n > kMaxSize) {
            fail(Error::Code::InvalidArgument, key, QStringLiteral("%1 is not a positive size").arg(*n));
        } else {
            out = int(*n);
        }
    }

    void tokenId(const char *key, int64_t &out)
    {
        const auto v = value(key);
        if (!v)
            return;
        const auto n = integer(*v);
        if (!n)
            fail(Error::Code::Corrupt, key, QStringLiteral("%1 is not an integer").arg(describe(*v)));
        else
            out = *n;
    }

    void positiveReal(const char *key, double &out)
    {
        const auto v = value(key);
        if (!v)
            return;
        if (!v->isDouble())
            fail(Error::Code::Corrupt, key, QStringLiteral("%1 is not a number").arg(describe(*v)));
        else if (!(v->toDouble() > 0) || !std::isfinite(v->toDouble()))
            fail(Error::Code::InvalidArgument, key, QStringLiteral("%1 is not a positive number").arg(describe(*v)));
        else
            out = v->toDouble();
    }

    void real(const char *key, double &out)
    {
        const auto v = value(key);
        if (!v)
            return;
        if (!v->isDouble() || !std::isfinite(v->toDouble()))
            fail(Error::Code::Corrupt, key, QStringLiteral("%1 is not a number").arg(describe(*v)));
        else
            out = v->toDouble();
    }

    void boolean(const char *key, bool &out)
    {
        const auto v = value(key);
        if (!v)
            return;
        if (!v->isBool())
            fail(Error::Code::Corrupt, key, QStringLiteral("%1 is not true or false").arg(describe(*v)));
        else
            out = v->toBool();
    }

    void activation(const char *key, HiddenAct &out)
    {
        const auto v = value(key);
        if (!v)
            return;
        for (const auto &a : kActs) {
            if (v->isString() && v->toString() == QLatin1String(a.name)) {
                out = a.act;
                return;
            }
        }
        fail(Error::Code::InvalidArgument, key,
             QStringLiteral("%1 is not a supported activation (quick_gelu, gelu, gelu_pytorch_tanh, gelu_new)").arg(describe(*v)));
    }

    // A cross-check between keys, reported against `key`.
    void require(bool condition, const char *key, const QString &what)
    {
        if (!condition)
            fail(Error::Code::InvalidArgument, key, what);
    }

    bool has(const char *key) const { return value(key).has_value(); }
    std::optional<Error> error() const { return m_error; }

private:
    std::optional<QJsonValue> value(const char *key) const
    {
        const QJsonValue v = m_json.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        return v;
    }

    static std::optional<int64_t> integer(const QJsonValue &v)
    {
        if (!v.isDouble())
            return std::nullopt;
        const double d = v.toDouble();
        if (!std::isfinite(d) || d != std::floor(d) || std::abs(d) > 9.0e15)
            return std::nullopt;
        return v.toInteger();
    }

    void fail(Error::Code code, const char *key, const QString &what)
    {
        if (!m_error)
            m_error = makeError(code, QStringLiteral("%1: %2").arg(keyName(key), what));
    }

    const QJsonObject &m_json;
    QString m_prefix;
    std::optional<Error> m_error;
};

// hidden_size must split evenly into heads; reported against num_attention_heads.
void checkHeads(ConfigReader &r, int hiddenSize, int heads)
{
    r.require(hiddenSize % heads == 0, "num_attention_heads",
              QStringLiteral("hidden_size %1 is not divisible by %2 heads").arg(hiddenSize).arg(heads));
}

// The patch embedding is a convolution with stride patch_size and no padding: a remainder is
// dropped, as in HF (google/siglip-so400m-patch14-384: 384 = 27 × 14 + 6, 27 × 27 patches).
void checkPatches(ConfigReader &r, int imageSize, int patchSize)
{
    r.require(imageSize >= patchSize, "patch_size",
              QStringLiteral("image_size %1 is smaller than patch_size %2").arg(imageSize).arg(patchSize));
}

// The sub-config object under `key`: absent or null gives {} (all defaults).
Result<QJsonObject> subObject(const QJsonObject &root, const QString &key)
{
    const QJsonValue v = root.value(key);
    if (v.isUndefined() || v.isNull())
        return QJsonObject();
    if (!v.isObject())
        return makeError(Error::Code::Corrupt, QStringLiteral("%1: %2 is not an object").arg(key, describe(v)));
    return v.toObject();
}

Result<void> checkModelType(const QJsonObject &root, const QString &expected)
{
    const QJsonValue v = root.value(QLatin1String("model_type"));
    if (v.isUndefined() || v.isNull() || v.toString() == expected)
        return {};
    return makeError(Error::Code::InvalidArgument, QStringLiteral("model_type: %1 is not \"%2\"").arg(describe(v), expected));
}

Error inFile(const QString &path, const Error &e)
{
    return makeError(e.code, QFileInfo(path).fileName() + QStringLiteral(": ") + e.message);
}

} // namespace

QString hiddenActName(HiddenAct act)
{
    for (const auto &a : kActs) {
        if (a.act == act)
            return QLatin1String(a.name);
    }
    return QString();
}

Result<ClipTextConfig> ClipTextConfig::fromJson(const QJsonObject &json)
{
    ClipTextConfig c;
    ConfigReader r(json, QStringLiteral("text_config."));
    r.size("vocab_size", c.vocabSize);
    r.size("hidden_size", c.hiddenSize);
    r.size("intermediate_size", c.intermediateSize);
    r.size("projection_dim", c.projectionDim);
    r.size("num_hidden_layers", c.numHiddenLayers);
    r.size("num_attention_heads", c.numAttentionHeads);
    r.size("max_position_embeddings", c.maxPositionEmbeddings);
    r.activation("hidden_act", c.hiddenAct);
    r.positiveReal("layer_norm_eps", c.layerNormEps);
    r.tokenId("pad_token_id", c.padTokenId);
    r.tokenId("bos_token_id", c.bosTokenId);
    r.tokenId("eos_token_id", c.eosTokenId);
    checkHeads(r, c.hiddenSize, c.numAttentionHeads);
    if (auto e = r.error())
        return *e;
    return c;
}

Result<ClipVisionConfig> ClipVisionConfig::fromJson(const QJsonObject &json)
{
    ClipVisionConfig c;
    ConfigReader r(json, QStringLiteral("vision_config."));
    r.size("hidden_size", c.hiddenSize);
    r.size("intermediate_size", c.intermediateSize);
    r.size("projection_dim", c.projectionDim);
    r.size("num_hidden_layers", c.numHiddenLayers);
    r.size("num_attention_heads", c.numAttentionHeads);
    r.size("num_channels", c.numChannels);
    r.size("image_size", c.imageSize);
    r.size("patch_size", c.patchSize);
    r.activation("hidden_act", c.hiddenAct);
    r.positiveReal("layer_norm_eps", c.layerNormEps);
    checkHeads(r, c.hiddenSize, c.numAttentionHeads);
    checkPatches(r, c.imageSize, c.patchSize);
    if (auto e = r.error())
        return *e;
    return c;
}

Result<ClipConfig> ClipConfig::fromJson(const QJsonObject &json)
{
    if (auto ok = checkModelType(json, QStringLiteral("clip")); !ok)
        return ok.error();
    ClipConfig c;
    ConfigReader r(json, QString());
    r.size("projection_dim", c.projectionDim);
    r.real("logit_scale_init_value", c.logitScaleInitValue);
    if (auto e = r.error())
        return *e;

    // transformers builds the sub-config from a legacy *_config_dict alone (with defaults for
    // its missing keys) and lets it overwrite *_config.
    auto pick = [&json](const char *current, const char *legacy) -> Result<QJsonObject> {
        const QJsonValue old = json.value(QLatin1String(legacy));
        return subObject(json, QLatin1String(old.isObject() ? legacy : current));
    };
    auto textJson = pick("text_config", "text_config_dict");
    if (!textJson)
        return textJson.error();
    auto visionJson = pick("vision_config", "vision_config_dict");
    if (!visionJson)
        return visionJson.error();
    auto text = ClipTextConfig::fromJson(*textJson);
    if (!text)
        return text.error();
    auto vision = ClipVisionConfig::fromJson(*visionJson);
    if (!vision)
        return vision.error();
    c.text = *text;
    c.vision = *vision;
    return c;
}

Result<ClipConfig> ClipConfig::fromFile(const QString &path)
{
    auto json = readJsonObjectFile(path);
    if (!json)
        return json.error();
    auto c = fromJson(*json);
    if (!c)
        return inFile(path, c.error());
    return c;
}

Result<SiglipTextConfig> SiglipTextConfig::fromJson(const QJsonObject &json)
{
    SiglipTextConfig c;
    ConfigReader r(json, QStringLiteral("text_config."));
    r.size("vocab_size", c.vocabSize);
    r.size("hidden_size", c.hiddenSize);
    r.size("intermediate_size", c.intermediateSize);
    r.size("num_hidden_layers", c.numHiddenLayers);
    r.size("num_attention_heads", c.numAttentionHeads);
    r.size("max_position_embeddings", c.maxPositionEmbeddings);
    r.activation("hidden_act", c.hiddenAct);
    r.positiveReal("layer_norm_eps", c.layerNormEps);
    r.tokenId("pad_token_id", c.padTokenId);
    r.tokenId("bos_token_id", c.bosTokenId);
    r.tokenId("eos_token_id", c.eosTokenId);
    c.projectionSize = c.hiddenSize;
    r.size("projection_size", c.projectionSize);
    checkHeads(r, c.hiddenSize, c.numAttentionHeads);
    if (auto e = r.error())
        return *e;
    return c;
}

Result<SiglipVisionConfig> SiglipVisionConfig::fromJson(const QJsonObject &json)
{
    SiglipVisionConfig c;
    ConfigReader r(json, QStringLiteral("vision_config."));
    r.size("hidden_size", c.hiddenSize);
    r.size("intermediate_size", c.intermediateSize);
    r.size("num_hidden_layers", c.numHiddenLayers);
    r.size("num_attention_heads", c.numAttentionHeads);
    r.size("num_channels", c.numChannels);
    r.size("image_size", c.imageSize);
    r.size("patch_size", c.patchSize);
    r.activation("hidden_act", c.hiddenAct);
    r.positiveReal("layer_norm_eps", c.layerNormEps);
    r.boolean("vision_use_head", c.useHead);
    checkHeads(r, c.hiddenSize, c.numAttentionHeads);
    checkPatches(r, c.imageSize, c.patchSize);
    if (auto e = r.error())
        return *e;
    return c;
}

Result<SiglipConfig> SiglipConfig::fromJson(const QJsonObject &json)
{
    if (auto ok = checkModelType(json, QStringLiteral("siglip")); !ok)
        return ok.error();
    auto textJson = subObject(json, QStringLiteral("text_config"));
    if (!textJson)
        return textJson.error();
    auto visionJson = subObject(json, QStringLiteral("vision_config"));
    if (!visionJson)
        return visionJson.error();
    auto text = SiglipTextConfig::fromJson(*textJson);
    if (!text)
        return text.error();
    auto vision = SiglipVisionConfig::fromJson(*visionJson);
    if (!vision)
        return vision.error();
    SiglipConfig c;
    c.text = *text;
    c.vision = *vision;
    return c;
}

Result<SiglipConfig> SiglipConfig::fromFile(const QString &path)
{
    auto json = readJsonObjectFile(path);
    if (!json)
        return json.error();
    auto c = fromJson(*json);
    if (!c)
        return inFile(path, c.error());
    return c;
}

Result<QString> modelType(const QString &configPath)
{
    auto json = readJsonObjectFile(configPath);
    if (!json)
        return json.error();
    const QString file = QFileInfo(configPath).fileName();
    const QJsonValue type = json->value(QLatin1String("model_type"));
    if (type.isString()) {
        const QString t = type.toString();
        if (t == QLatin1String("clip") || t == QLatin1String("siglip"))
            return t;
        if (t.startsWith(QLatin1String("clip_")) || t.startsWith(QLatin1String("siglip_"))) {
            return makeError(Error::Code::Unsupported,
                             QStringLiteral("%1: model_type \"%2\" is a single tower; a folder with the whole CLIP or SigLIP model "
                                            "(model_type \"clip\" or \"siglip\") is needed")
                                 .arg(file, t));
        }
        return makeError(Error::Code::Unsupported, QStringLiteral("%1: model_type \"%2\" is neither CLIP nor SigLIP").arg(file, t));
    }
    if (!type.isUndefined() && !type.isNull())
        return makeError(Error::Code::Corrupt, QStringLiteral("%1: model_type: %2 is not a string").arg(file, describe(type)));
    const QJsonArray architectures = json->value(QLatin1String("architectures")).toArray();
    for (const QJsonValue &a : architectures) {
        if (a.toString() == QLatin1String("CLIPModel"))
            return QStringLiteral("clip");
        if (a.toString() == QLatin1String("SiglipModel"))
            return QStringLiteral("siglip");
    }
    return makeError(Error::Code::Corrupt, QStringLiteral("%1: no model_type, and no CLIPModel or SiglipModel in architectures").arg(file));
}

Result<QJsonObject> readJsonObjectFile(const QString &path)
{
    const QString file = QFileInfo(path).fileName();
    QFile f(path);
    if (!f.exists())
        return makeError(Error::Code::NotFound, QStringLiteral("%1: no such file").arg(path));
    if (!f.open(QIODevice::ReadOnly))
        return makeError(Error::Code::Io, QStringLiteral("%1: cannot open: %2").arg(path, f.errorString()));
    const QByteArray bytes = f.read(kMaxJsonFileBytes + 1);
    if (bytes.size() > kMaxJsonFileBytes)
        return makeError(Error::Code::TooLarge, QStringLiteral("%1: larger than %2 bytes").arg(file).arg(kMaxJsonFileBytes));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return makeError(Error::Code::Corrupt,
                         QStringLiteral("%1: not valid JSON (%2 at offset %3)").arg(file, parseError.errorString()).arg(parseError.offset));
    }
    if (!doc.isObject())
        return makeError(Error::Code::Corrupt, QStringLiteral("%1: the root is not a JSON object").arg(file));
    return doc.object();
}

} // namespace lookalike
