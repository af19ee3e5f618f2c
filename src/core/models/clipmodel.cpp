// Only this file, siglipmodel.cpp, torchlayers.cpp and torchruntime.cpp include libtorch.
#include "torchlayers.h"

#include <c10/core/InferenceMode.h>

#include "clipmodel.h"

#include "models/hfconfig.h"
#include "models/safetensors.h"

#include <QDir>

namespace lookalike {

using namespace torchnn;

namespace {

// The plain numbers the network needs, taken from ClipConfig once.
struct ClipHParams
{
    TowerShape vision;
    TowerShape text;
    int channels = 3;
    int imageSize = 224;
    int patchSize = 32;
    int vocabSize = 49408;
    int maxPositions = 77;
    int64_t eosTokenId = 49407;
    int projectionDim = 512;

    int gridSide() const { return imageSize / patchSize; }
    int visionPositions() const { return gridSide() * gridSide() + 1; }
};

Result<ClipHParams> hparamsFrom(const ClipConfig &config)
{
    ClipHParams hp;
    const auto &v = config.vision;
    const auto &t = config.text;
    hp.vision = towerShape(v);
    hp.text = towerShape(t);
    hp.channels = v.numChannels;
    hp.imageSize = v.imageSize;
    hp.patchSize = v.patchSize;
    hp.vocabSize = t.vocabSize;
    hp.maxPositions = t.maxPositionEmbeddings;
    hp.eosTokenId = t.eosTokenId;
    hp.projectionDim = config.projectionDim;

    if (auto towers = checkTowers(QStringLiteral("CLIP"), hp.vision, hp.text); !towers)
        return towers.error();
    if (hp.patchSize <= 0 || hp.imageSize < hp.patchSize || hp.channels <= 0 || hp.vocabSize <= 0 || hp.maxPositions <= 0
        || hp.projectionDim <= 0) {
        return Error(QStringLiteral("CLIP config: image_size %1, patch_size %2, vocab_size %3, max_position_embeddings %4 "
                                    "or projection_dim %5 is out of range")
                         .arg(hp.imageSize)
                         .arg(hp.patchSize)
                         .arg(hp.vocabSize)
                         .arg(hp.maxPositions)
                         .arg(hp.projectionDim),
                     Error::Code::InvalidArgument);
    }
    return hp;
}

WeightTable clipTable(const ClipHParams &hp)
{
    WeightTable table(QStringLiteral("CLIP"));
    const int64_t dv = hp.vision.hidden;
    const int64_t dt = hp.text.hidden;
    const QString vh = QStringLiteral("vision hidden_size %1").arg(dv);
    const QString th = QStringLiteral("text hidden_size %1").arg(dt);

    table.add(QStringLiteral("vision_model.embeddings.class_embedding"), {dv}, vh);
    table.add(QStringLiteral("vision_model.embeddings.patch_embedding.weight"), {dv, hp.channels, hp.patchSize, hp.patchSize},
              QStringLiteral("patch_size %1").arg(hp.patchSize));
    table.add(QStringLiteral("vision_model.embeddings.position_embedding.weight"), {hp.visionPositions(), dv},
              QStringLiteral("image_size %1, patch_size %2").arg(hp.imageSize).arg(hp.patchSize));
    addLayerNorm(table, QStringLiteral("vision_model.pre_layrnorm"), dv, vh);
    addEncoder(table, QStringLiteral("vision_model.encoder"), hp.vision, QStringLiteral("vision"));
    addLayerNorm(table, QStringLiteral("vision_model.post_layernorm"), dv, vh);
    addLinear(table, QStringLiteral("visual_projection"), hp.projectionDim, dv, false,
              QStringLiteral("projection_dim %1, vision hidden_size %2").arg(hp.projectionDim).arg(dv));

    table.add(QStringLiteral("text_model.embeddings.token_embedding.weight"), {hp.vocabSize, dt},
              QStringLiteral("vocab_size %1").arg(hp.vocabSize));
    table.add(QStringLiteral("text_model.embeddings.position_embedding.weight"), {hp.maxPositions, dt},
              QStringLiteral("max_position_embeddings %1").arg(hp.maxPositions));
    addEncoder(table, QStringLiteral("text_model.encoder"), hp.text, QStringLiteral("text"));
    addLayerNorm(table, QStringLiteral("text_model.final_layer_norm"), dt, th);
    addLinear(table, QStringLiteral("text_projection"), hp.projectionDim, dt, false,
              QStringLiteral("projection_dim %1, text hidden_size %2").arg(hp.projectionDim).arg(dt));

    table.addScalar(QStringLiteral("logit_scale"));
    return table;
}

} // namespace

struct ClipModel::Impl
{
    ClipHParams hp;
    Placement placement;

    at::Tensor classEmbedding;
    at::Tensor patchEmbedding;
    at::Tensor visionPositions;
    LayerNorm preLayerNorm;
    std::vector<EncoderLayer> visionLayers;
    LayerNorm postLayerNorm;
    Linear visualProjection;

    at::Tensor tokenEmbedding;
    at::Tensor textPositions;
    std::vector<EncoderLayer> textLayers;
    LayerNorm finalLayerNorm;
    Linear textProjection;

    double logitScale = 0.0; // exp() applied
};

ClipModel::ClipModel(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}
ClipModel::~ClipModel() = default;

Result<std::unique_ptr<ClipModel>> ClipModel::load(const QString &folder, const ModelLoadOptions &options)
{
    return loadFolder<ClipModel, ClipConfig>(folder, options);
}

Result<std::unique_ptr<ClipModel>> ClipModel::create(const ClipConfig &config, const SafetensorsModel &weights,
                                                     const ModelLoadOptions &options)
{
    auto hp = hparamsFrom(config);
    if (!hp)
        return hp.error();
    return buildNetwork<ClipModel>(QStringLiteral("loading CLIP weights"), clipTable(*hp), weights, options,
                                   [&](const Placement &placement, const WeightLoader &w) {
        auto impl = std::make_unique<Impl>();
        impl->hp = *hp;
        impl->placement = placement;
        const auto s = [](const char *n) { return QString::fromLatin1(n); };

        impl->classEmbedding = w.tensor(s("vision_model.embeddings.class_embedding"));
        impl->patchEmbedding = w.tensor(s("vision_model.embeddings.patch_embedding.weight"));
        impl->visionPositions = w.tensor(s("vision_model.embeddings.position_embedding.weight"));
        impl->preLayerNorm = w.layerNorm(s("vision_model.pre_layrnorm"), hp->vision.eps);
        impl->visionLayers = w.encoder(s("vision_model.encoder"), hp->vision);
        impl->postLayerNorm = w.layerNorm(s("vision_model.post_layernorm"), hp->vision.eps);
        impl->visualProjection = w.linear(s("visual_projection"), false);

        impl->tokenEmbedding = w.tensor(s("text_model.embeddings.token_embedding.weight"));
        impl->textPositions = w.tensor(s("text_model.embeddings.position_embedding.weight"));
        impl->textLayers = w.encoder(s("text_model.encoder"), hp->text);
        impl->finalLayerNorm = w.layerNorm(s("text_model.final_layer_norm"), hp->text.eps);
        impl->textProjection = w.linear(s("text_projection"), false);

        impl->logitScale = std::exp(w.scalar(s("logit_scale")));
        return std::unique_ptr<ClipModel>(new ClipModel(std::move(impl)));
    });
}

int ClipModel::embeddingDimension() const { return d->hp.projectionDim; }
int ClipModel::imageSize() const { return d->hp.imageSize; }
int ClipModel::maxTextLength() const { return d->hp.maxPositions; }
QString ClipModel::device() const { return deviceName(d->placement); }
double ClipModel::logitScale() const { return d->logitScale; }

Result<HostTensor> ClipModel::encodeImages(const HostTensor &pixelValues, DebugTensors *debug) const
{
    const ClipHParams &hp = d->hp;
    const std::vector<int64_t> want{hp.channels, hp.imageSize, hp.imageSize};
    if (pixelValues.shape.size() != 4 || !std::equal(want.begin(), want.end(), pixelValues.shape.begin() + 1)
        || pixelValues.shape[0] < 0 || size_t(pixelValues.numel()) != pixelValues.values.size()) {
        return Error(QStringLiteral("CLIP pixel_values must be N × %1 × %2 × %2, not %3")
                         .arg(hp.channels)
                         .arg(hp.imageSize)
                         .arg(WeightTable::shapeText(pixelValues.shape)),
                     Error::Code::InvalidArgument);
    }
    const int64_t n = pixelValues.shape[0];
    if (n == 0)
        return HostTensor{{0, hp.projectionDim}, {}};

    return guarded(QStringLiteral("CLIP image tower"), [&]() -> Result<HostTensor> {
        c10::InferenceMode inference;
        const Placement &pl = d->placement;
        const int64_t dim = hp.vision.hidden;
        const at::Tensor x = fromHost(pixelValues, pl.device, pl.dtype);
        // N×D×g×g → N×g²×D, class token first, then positions 0..g².
        const at::Tensor patches = at::conv2d(x, d->patchEmbedding, {}, {hp.patchSize, hp.patchSize}).flatten(2).transpose(1, 2);
        const at::Tensor cls = d->classEmbedding.view({1, 1, dim}).expand({n, 1, dim});
        at::Tensor h = at::cat({cls, patches}, 1) + d->visionPositions.unsqueeze(0);
        if (debug)
            debug->insert(QStringLiteral("vision.embeddings_output"), toHost(h));
        h = d->preLayerNorm(h);
        if (debug)
            debug->insert(QStringLiteral("vision.pre_layrnorm_output"), toHost(h));
        h = encoderForward(d->visionLayers, hp.vision, h, {}, debug, QStringLiteral("vision."));
        const at::Tensor pooled = d->postLayerNorm(h.select(1, 0));
        if (debug)
            debug->insert(QStringLiteral("vision.pooler_output"), toHost(pooled));
        return toHost(d->visualProjection(pooled));
    });
}

Result<HostTensor> ClipModel::encodeTexts(const TokenBatch &tokens, DebugTensors *debug) const
{
    const ClipHParams &hp = d->hp;
    if (tokens.rows < 0 || tokens.length < 1 || tokens.length > hp.maxPositions
        || tokens.ids.size() != size_t(tokens.rows * tokens.length)
        || (!tokens.attentionMask.empty() && tokens.attentionMask.size() != tokens.ids.size())) {
        return Error(QStringLiteral("CLIP input_ids must be rows × length with 1 ≤ length ≤ %1 (got %2 × %3, %4 ids, %5 mask values)")
                         .arg(hp.maxPositions)
                         .arg(tokens.rows)
                         .arg(tokens.length)
                         .arg(tokens.ids.size())
                         .arg(tokens.attentionMask.size()),
                     Error::Code::InvalidArgument);
    }
    for (int64_t id : tokens.ids) {
        if (id < 0 || id >= hp.vocabSize)
            return Error(QStringLiteral("CLIP token id %1 is outside the vocabulary (%2)").arg(id).arg(hp.vocabSize),
                         Error::Code::InvalidArgument);
    }
    if (tokens.rows == 0)
        return HostTensor{{0, hp.projectionDim}, {}};

    // HF's rule: the first position holding eos_token_id; configs from before that rule have
    // eos_token_id 2 and pool at the largest id (EOS is the largest id in CLIP's vocabulary).
    std::vector<int64_t> poolAt(size_t(tokens.rows), 0);
    for (int64_t r = 0; r < tokens.rows; ++r) {
        const int64_t *row = tokens.ids.data() + r * tokens.length;
        int64_t pos = 0;
        if (hp.eosTokenId == 2) {
            for (int64_t i = 1; i < tokens.length; ++i)
                if (row[i] > row[pos])
                    pos = i;
        } else {
            for (int64_t i = 0; i < tokens.length; ++i)
                if (row[i] == hp.eosTokenId) {
                    pos = i;
                    break;
                }
        }
        poolAt[size_t(r)] = pos;
    }

    return guarded(QStringLiteral("CLIP text tower"), [&]() -> Result<HostTensor> {
        c10::InferenceMode inference;
        const Placement &pl = d->placement;
        const int64_t rows = tokens.rows;
        const int64_t len = tokens.length;
        const int64_t dim = hp.text.hidden;
        const auto longs = at::TensorOptions().dtype(at::kLong);
        const at::Tensor ids = at::from_blob(const_cast<int64_t *>(tokens.ids.data()), {rows, len}, longs).to(pl.device, at::kLong, false, true);
        at::Tensor h = at::embedding(d->tokenEmbedding, ids) + d->textPositions.narrow(0, 0, len).unsqueeze(0);
        if (debug)
            debug->insert(QStringLiteral("text.embeddings_output"), toHost(h));
        at::Tensor allowed = at::ones({len, len}, at::TensorOptions().dtype(at::kBool).device(pl.device)).tril().view({1, 1, len, len});
        if (!tokens.attentionMask.empty())
            allowed = allowed.logical_and(keyPaddingAllowed(tokens, pl.device));
        h = encoderForward(d->textLayers, hp.text, h, allowed, debug, QStringLiteral("text."));
        h = d->finalLayerNorm(h);
        if (debug)
            debug->insert(QStringLiteral("text.last_hidden_state"), toHost(h));
        const at::Tensor index = at::from_blob(poolAt.data(), {rows, 1, 1}, longs).to(pl.device, at::kLong, false, true).expand({rows, 1, dim});
        const at::Tensor pooled = h.gather(1, index).squeeze(1);
        if (debug)
            debug->insert(QStringLiteral("text.pooler_output"), toHost(pooled));
        return toHost(d->textProjection(pooled));
    });
}

} // namespace lookalike
