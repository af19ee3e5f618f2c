#include "torchlayers.h"

#include <c10/core/InferenceMode.h>

#include "siglipmodel.h"

#include "models/hfconfig.h"
#include "models/safetensors.h"

#include <QDir>

namespace lookalike {

using namespace torchnn;

namespace {

struct SiglipHParams
{
    TowerShape vision;
    TowerShape text;
    int channels = 3;
    int imageSize = 224;
    int patchSize = 16;
    int vocabSize = 32000;
    int maxPositions = 64;
    int textProjection = 768; // output width of text_model.head

    int patches() const { return (imageSize / patchSize) * (imageSize / patchSize); }
};

Result<SiglipHParams> hparamsFrom(const SiglipConfig &config)
{
    SiglipHParams hp;
    const auto &v = config.vision;
    const auto &t = config.text;
    hp.vision = towerShape(v);
    hp.text = towerShape(t);
    hp.channels = v.numChannels;
    hp.imageSize = v.imageSize;
    hp.patchSize = v.patchSize;
    hp.vocabSize = t.vocabSize;
    hp.maxPositions = t.maxPositionEmbeddings;
    hp.textProjection = t.projectionSize;

    if (auto towers = checkTowers(QStringLiteral("SigLIP"), hp.vision, hp.text); !towers)
        return towers.error();
    if (hp.patchSize <= 0 || hp.imageSize < hp.patchSize || hp.channels <= 0 || hp.vocabSize <= 0 || hp.maxPositions <= 0) {
        return Error(QStringLiteral("SigLIP config: image_size %1, patch_size %2, vocab_size %3 or max_position_embeddings %4 is out of range")
                         .arg(hp.imageSize)
                         .arg(hp.patchSize)
                         .arg(hp.vocabSize)
                         .arg(hp.maxPositions),
                     Error::Code::InvalidArgument);
    }
    if (!v.useHead) {
        return Error(QStringLiteral("SigLIP vision_config.vision_use_head is false: a tower without the attention-pooling "
                                    "head has no image embedding"),
                     Error::Code::Unsupported);
    }
    if (hp.textProjection != hp.vision.hidden) {
        return Error(QStringLiteral("SigLIP config: the text head gives %1 values but the image tower %2; they must match")
                         .arg(hp.textProjection)
                         .arg(hp.vision.hidden),
                     Error::Code::InvalidArgument);
    }
    return hp;
}

WeightTable siglipTable(const SiglipHParams &hp)
{
    WeightTable table(QStringLiteral("SigLIP"));
    const int64_t dv = hp.vision.hidden;
    const int64_t dt = hp.text.hidden;
    const QString vh = QStringLiteral("vision hidden_size %1").arg(dv);
    const QString th = QStringLiteral("text hidden_size %1").arg(dt);

    table.add(QStringLiteral("vision_model.embeddings.patch_embedding.weight"), {dv, hp.channels, hp.patchSize, hp.patchSize},
              QStringLiteral("patch_size %1").arg(hp.patchSize));
    table.add(QStringLiteral("vision_model.embeddings.patch_embedding.bias"), {dv}, vh);
    table.add(QStringLiteral("vision_model.embeddings.position_embedding.weight"), {hp.patches(), dv},
              QStringLiteral("image_size %1, patch_size %2").arg(hp.imageSize).arg(hp.patchSize));
    addEncoder(table, QStringLiteral("vision_model.encoder"), hp.vision, QStringLiteral("vision"));
    addLayerNorm(table, QStringLiteral("vision_model.post_layernorm"), dv, vh);
    table.add(QStringLiteral("vision_model.head.probe"), {1, 1, dv}, vh);
    table.add(QStringLiteral("vision_model.head.attention.in_proj_weight"), {3 * dv, dv}, vh);
    table.add(QStringLiteral("vision_model.head.attention.in_proj_bias"), {3 * dv}, vh);
    addLinear(table, QStringLiteral("vision_model.head.attention.out_proj"), dv, dv, true, vh);
    addLayerNorm(table, QStringLiteral("vision_model.head.layernorm"), dv, vh);
    const QString vi = vh + QStringLiteral(", intermediate_size %1").arg(hp.vision.intermediate);
    addLinear(table, QStringLiteral("vision_model.head.mlp.fc1"), hp.vision.intermediate, dv, true, vi);
    addLinear(table, QStringLiteral("vision_model.head.mlp.fc2"), dv, hp.vision.intermediate, true, vi);

    table.add(QStringLiteral("text_model.embeddings.token_embedding.weight"), {hp.vocabSize, dt},
              QStringLiteral("vocab_size %1").arg(hp.vocabSize));
    table.add(QStringLiteral("text_model.embeddings.position_embedding.weight"), {hp.maxPositions, dt},
              QStringLiteral("max_position_embeddings %1").arg(hp.maxPositions));
    addEncoder(table, QStringLiteral("text_model.encoder"), hp.text, QStringLiteral("text"));
    addLayerNorm(table, QStringLiteral("text_model.final_layer_norm"), dt, th);
    addLinear(table, QStringLiteral("text_model.head"), hp.textProjection, dt, true,
              QStringLiteral("projection_size %1, text hidden_size %2").arg(hp.textProjection).arg(dt));

    table.addScalar(QStringLiteral("logit_scale"));
    table.addScalar(QStringLiteral("logit_bias"));
    return table;
}

} // namespace

struct SiglipModel::Impl
{
    SiglipHParams hp;
    Placement placement;

    Linear patchEmbedding; // conv weight and bias
    at::Tensor visionPositions;
    std::vector<EncoderLayer> visionLayers;
    LayerNorm postLayerNorm;
    // Multi-head attention pooling: torch.nn.MultiheadAttention's packed in_proj split into
    // q | k | v rows.
    at::Tensor probe;
    Linear headQ, headK, headV, headOut;
    LayerNorm headLayerNorm;
    Mlp headMlp;

    at::Tensor tokenEmbedding;
    at::Tensor textPositions;
    std::vector<EncoderLayer> textLayers;
    LayerNorm finalLayerNorm;
    Linear textHead;

    double logitScale = 0.0; // exp() applied
    double logitBias = 0.0;
};

SiglipModel::SiglipModel(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}
SiglipModel::~SiglipModel() = default;

Result<std::unique_ptr<SiglipModel>> SiglipModel::load(const QString &folder, const ModelLoadOptions &options)
{
    return loadFolder<SiglipModel, SiglipConfig>(folder, options);
}

Result<std::unique_ptr<SiglipModel>> SiglipModel::create(const SiglipConfig &config, const SafetensorsModel &weights,
                                                         const ModelLoadOptions &options)
{
    auto hp = hparamsFrom(config);
    if (!hp)
        return hp.error();
    return buildNetwork<SiglipModel>(QStringLiteral("loading SigLIP weights"), siglipTable(*hp), weights, options,
                                     [&](const Placement &placement, const WeightLoader &w) {
        auto impl = std::make_unique<Impl>();
        impl->hp = *hp;
        impl->placement = placement;
        const auto s = [](const char *n) { return QString::fromLatin1(n); };
        const int64_t dv = hp->vision.hidden;

        impl->patchEmbedding = w.linear(s("vision_model.embeddings.patch_embedding"), true);
        impl->visionPositions = w.tensor(s("vision_model.embeddings.position_embedding.weight"));
        impl->visionLayers = w.encoder(s("vision_model.encoder"), hp->vision);
        impl->postLayerNorm = w.layerNorm(s("vision_model.post_layernorm"), hp->vision.eps);
        impl->probe = w.tensor(s("vision_model.head.probe"));
        const at::Tensor inW = w.tensor(s("vision_model.head.attention.in_proj_weight"));
        const at::Tensor inB = w.tensor(s("vision_model.head.attention.in_proj_bias"));
        impl->headQ = {inW.narrow(0, 0, dv).contiguous(), inB.narrow(0, 0, dv).contiguous()};
        impl->headK = {inW.narrow(0, dv, dv).contiguous(), inB.narrow(0, dv, dv).contiguous()};
        impl->headV = {inW.narrow(0, 2 * dv, dv).contiguous(), inB.narrow(0, 2 * dv, dv).contiguous()};
        impl->headOut = w.linear(s("vision_model.head.attention.out_proj"), true);
        impl->headLayerNorm = w.layerNorm(s("vision_model.head.layernorm"), hp->vision.eps);
        impl->headMlp = w.mlp(s("vision_model.head.mlp"));

        impl->tokenEmbedding = w.tensor(s("text_model.embeddings.token_embedding.weight"));
        impl->textPositions = w.tensor(s("text_model.embeddings.position_embedding.weight"));
        impl->textLayers = w.encoder(s("text_model.encoder"), hp->text);
        impl->finalLayerNorm = w.layerNorm(s("text_model.final_layer_norm"), hp->text.eps);
        impl->textHead = w.linear(s("text_model.head"), true);

        impl->logitScale = std::exp(w.scalar(s("logit_scale")));
        impl->logitBias = w.scalar(s("logit_bias"));
        return std::unique_ptr<SiglipModel>(new SiglipModel(std::move(impl)));
    });
}

int SiglipModel::embeddingDimension() const { return d->hp.vision.hidden; }
int SiglipModel::imageSize() const { return d->hp.imageSize; }
int SiglipModel::maxTextLength() const { return d->hp.maxPositions; }
QString SiglipModel::device() const { return deviceName(d->placement); }
double SiglipModel::logitScale() const { return d->logitScale; }
std::optional<double> SiglipModel::logitBias() const { return d->logitBias; }

Result<HostTensor> SiglipModel::encodeImages(const HostTensor &pixelValues, DebugTensors *debug) const
{
    const SiglipHParams &hp = d->hp;
    const std::vector<int64_t> want{hp.channels, hp.imageSize, hp.imageSize};
    if (pixelValues.shape.size() != 4 || !std::equal(want.begin(), want.end(), pixelValues.shape.begin() + 1)
        || pixelValues.shape[0] < 0 || size_t(pixelValues.numel()) != pixelValues.values.size()) {
        return Error(QStringLiteral("SigLIP pixel_values must be N × %1 × %2 × %2, not %3")
                         .arg(hp.channels)
                         .arg(hp.imageSize)
                         .arg(WeightTable::shapeText(pixelValues.shape)),
                     Error::Code::InvalidArgument);
    }
    const int64_t n = pixelValues.shape[0];
    if (n == 0)
        return HostTensor{{0, hp.vision.hidden}, {}};

    return guarded(QStringLiteral("SigLIP image tower"), [&]() -> Result<HostTensor> {
        c10::InferenceMode inference;
        const Placement &pl = d->placement;
        const int64_t dim = hp.vision.hidden;
        const at::Tensor x = fromHost(pixelValues, pl.device, pl.dtype);
        at::Tensor h = at::conv2d(x, d->patchEmbedding.weight, d->patchEmbedding.bias, {hp.patchSize, hp.patchSize})
                           .flatten(2)
                           .transpose(1, 2)
            + d->visionPositions.unsqueeze(0);
        if (debug)
            debug->insert(QStringLiteral("vision.embeddings_output"), toHost(h));
        h = encoderForward(d->visionLayers, hp.vision, h, {}, debug, QStringLiteral("vision."));
        h = d->postLayerNorm(h);
        if (debug)
            debug->insert(QStringLiteral("vision.last_hidden_state"), toHost(h));

        const at::Tensor probe = d->probe.expand({n, 1, dim});
        at::Tensor pooled = d->headOut(attention(d->headQ(probe), d->headK(h), d->headV(h), hp.vision.heads, {}));
        pooled = pooled + mlpForward(d->headMlp, d->headLayerNorm(pooled), hp.vision.act);
        pooled = pooled.select(1, 0);
        if (debug)
            debug->insert(QStringLiteral("vision.pooler_output"), toHost(pooled));
        return toHost(pooled);
    });
}

Result<HostTensor> SiglipModel::encodeTexts(const TokenBatch &tokens, DebugTensors *debug) const
{
    const SiglipHParams &hp = d->hp;
    if (tokens.rows < 0 || tokens.length < 1 || tokens.length > hp.maxPositions
        || tokens.ids.size() != size_t(tokens.rows * tokens.length)
        || (!tokens.attentionMask.empty() && tokens.attentionMask.size() != tokens.ids.size())) {
        return Error(QStringLiteral("SigLIP input_ids must be rows × length with 1 ≤ length ≤ %1 (got %2 × %3, %4 ids, %5 mask values)")
                         .arg(hp.maxPositions)
                         .arg(tokens.rows)
                         .arg(tokens.length)
                         .arg(tokens.ids.size())
                         .arg(tokens.attentionMask.size()),
                     Error::Code::InvalidArgument);
    }
    for (int64_t id : tokens.ids) {
        if (id < 0 || id >= hp.vocabSize)
            return Error(QStringLiteral("SigLIP token id %1 is outside the vocabulary (%2)").arg(id).arg(hp.vocabSize),
                         Error::Code::InvalidArgument);
    }
    if (tokens.rows == 0)
        return HostTensor{{0, hp.textProjection}, {}};

    return guarded(QStringLiteral("SigLIP text tower"), [&]() -> Result<HostTensor> {
        c10::InferenceMode inference;
        const Placement &pl = d->placement;
        const int64_t rows = tokens.rows;
        const int64_t len = tokens.length;
        const at::Tensor ids = at::from_blob(const_cast<int64_t *>(tokens.ids.data()), {rows, len},
                                             at::TensorOptions().dtype(at::kLong))
                                   .to(pl.device, at::kLong, false, true);
        at::Tensor h = at::embedding(d->tokenEmbedding, ids) + d->textPositions.narrow(0, 0, len).unsqueeze(0);
        if (debug)
            debug->insert(QStringLiteral("text.embeddings_output"), toHost(h));
        const at::Tensor allowed = tokens.attentionMask.empty() ? at::Tensor() : keyPaddingAllowed(tokens, pl.device);
        h = encoderForward(d->textLayers, hp.text, h, allowed, debug, QStringLiteral("text."));
        h = d->finalLayerNorm(h);
        if (debug)
            debug->insert(QStringLiteral("text.last_hidden_state"), toHost(h));
        const at::Tensor pooled = d->textHead(h.select(1, len - 1));
        if (debug)
            debug->insert(QStringLiteral("text.pooler_output"), toHost(pooled));
        return toHost(pooled);
    });
}

} // namespace lookalike
