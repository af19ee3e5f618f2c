#pragma once

#include "models/visionlanguagemodel.h"

namespace lookalike {

class SafetensorsModel;
struct SiglipConfig;

// SigLIP (Zhai et al. 2023; MedSigLIP is the same architecture) with Hugging Face's
// SiglipModel names and config: a ViT image tower without class token or pre-LN (patch conv
// with bias, post_layernorm, then a multi-head attention pooling head with a learned probe)
// and a bidirectional text transformer whose last position goes through `head`. Embeddings
// are the towers' hidden size.
class SiglipModel final : public VisionLanguageModel
{
public:
    static Result<std::unique_ptr<SiglipModel>> load(const QString &folder, const ModelLoadOptions &options = {});
    static Result<std::unique_ptr<SiglipModel>> create(const SiglipConfig &config, const SafetensorsModel &weights,
                                                       const ModelLoadOptions &options = {});
    ~SiglipModel() override;

    QString family() const override { return QStringLiteral("siglip"); }
    int embeddingDimension() const override;
    int imageSize() const override;
    int maxTextLength() const override;
    QString device() const override;

    // debug: vision.{embeddings_output, encoder_layer_<i>_output, last_hidden_state,
    // pooler_output}.
    Result<HostTensor> encodeImages(const HostTensor &pixelValues, DebugTensors *debug = nullptr) const override;
    // SigLIP was trained on texts padded to max_position_embeddings with the pad id and no
    // attention mask, pooling the last position: callers pad and leave attentionMask empty.
    // A mask is applied if given (HF does), which changes the embedding noticeably.
    // debug: text.{embeddings_output, encoder_layer_<i>_output, last_hidden_state,
    // pooler_output}.
    Result<HostTensor> encodeTexts(const TokenBatch &tokens, DebugTensors *debug = nullptr) const override;

    double logitScale() const override;
    std::optional<double> logitBias() const override;

private:
    struct Impl;
    explicit SiglipModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace lookalike
