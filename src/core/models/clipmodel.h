#pragma once

#include "models/visionlanguagemodel.h"

namespace lookalike {

class SafetensorsModel;
struct ClipConfig;

// CLIP (Radford et al. 2021) with Hugging Face's CLIPModel names and config: a ViT image tower
// (patch conv without bias, class token, pre_layrnorm, pre-LN blocks, post_layernorm on the
// class token, visual_projection) and a causal text transformer pooled at the EOS token
// (text_projection). Embeddings are projection_dim wide.
class ClipModel final : public VisionLanguageModel
{
public:
    // config (options.configFile) and model.safetensors (or its shards) from `folder`.
    static Result<std::unique_ptr<ClipModel>> load(const QString &folder, const ModelLoadOptions &options = {});
    // Every tensor is checked against `config` before any is read.
    static Result<std::unique_ptr<ClipModel>> create(const ClipConfig &config, const SafetensorsModel &weights,
                                                     const ModelLoadOptions &options = {});
    ~ClipModel() override;

    QString family() const override { return QStringLiteral("clip"); }
    int embeddingDimension() const override;
    int imageSize() const override;
    int maxTextLength() const override;
    QString device() const override;

    // debug: vision.{embeddings_output, pre_layrnorm_output, encoder_layer_<i>_output,
    // pooler_output}.
    Result<HostTensor> encodeImages(const HostTensor &pixelValues, DebugTensors *debug = nullptr) const override;
    // Pools at the first eos_token_id of each row (argmax of the ids for legacy configs with
    // eos_token_id 2), as HF does. The attention mask is optional: with the causal mask,
    // padding after EOS does not change the result. debug: text.{embeddings_output,
    // encoder_layer_<i>_output, last_hidden_state, pooler_output}.
    Result<HostTensor> encodeTexts(const TokenBatch &tokens, DebugTensors *debug = nullptr) const override;

    double logitScale() const override;
    std::optional<double> logitBias() const override { return std::nullopt; }

private:
    struct Impl;
    explicit ClipModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace lookalike
