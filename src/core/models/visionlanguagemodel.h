#pragma once

#include "util/result.h"

#include <QMap>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace lookalike {

// A float32 array on the host, row-major; how the networks' inputs and outputs cross the
// libtorch boundary, so that callers (embedders, tests) need no libtorch headers.
struct HostTensor
{
    std::vector<int64_t> shape;
    std::vector<float> values;

    int64_t numel() const;
    // Divides each row (last dimension) by its L2 norm, as HF does for image_embeds/text_embeds.
    HostTensor rowNormalized() const;
};

// Token ids for a batch of texts: rows × length, row-major. attentionMask is empty (no mask)
// or rows × length of 0/1.
struct TokenBatch
{
    int64_t rows = 0;
    int64_t length = 0;
    std::vector<int64_t> ids;
    std::vector<int64_t> attentionMask;
};

// Intermediate tensors of a forward pass, named as in the reference data without the
// "debug." prefix ("vision.embeddings_output", "text.encoder_layer_0_output", …).
using DebugTensors = QMap<QString, HostTensor>;

struct ModelLoadOptions
{
    // Relative to the model folder; tests load config.minimal.json too.
    QString configFile = QStringLiteral("config.json");
    // "cpu" or "cuda"; empty: TorchRuntime::resolvedDevice().
    QString device;
    // On CUDA the weights and activations are float16 (outputs come back as float32);
    // on the CPU everything is float32.
    bool halfOnCuda = true;
};

// A two-tower image–text network (CLIP, SigLIP) loaded from a Hugging Face model folder.
// Immutable after loading: the encode functions are const, keep no state between calls and
// run under c10::InferenceMode, so they may be called from several threads at once.
class VisionLanguageModel
{
public:
    virtual ~VisionLanguageModel() = default;

    // "clip" or "siglip": the prefix of the embedder id.
    virtual QString family() const = 0;
    virtual int embeddingDimension() const = 0;
    // Square input side the vision tower's position embeddings were trained for.
    virtual int imageSize() const = 0;
    virtual int maxTextLength() const = 0;
    // Where the weights live: "cpu" or "cuda".
    virtual QString device() const = 0;

    // pixel_values N × 3 × imageSize × imageSize → image_embeds N × embeddingDimension, not
    // normalised. With `debug`, also the named intermediate tensors.
    virtual Result<HostTensor> encodeImages(const HostTensor &pixelValues, DebugTensors *debug = nullptr) const = 0;
    // input_ids → text_embeds rows × embeddingDimension, not normalised.
    virtual Result<HostTensor> encodeTexts(const TokenBatch &tokens, DebugTensors *debug = nullptr) const = 0;

    // The factor applied to cosine similarities: exp() of the checkpoint's logit_scale tensor
    // (not the config's logit_scale_init_value).
    virtual double logitScale() const = 0;
    // SigLIP's logit_bias (added after scaling; sigmoid(logit) is a match probability).
    // CLIP has none: its logits feed a softmax over the candidates.
    virtual std::optional<double> logitBias() const = 0;

    // logits_per_image: logitScale()·cos + logitBias(), from normalised embeddings
    // (images × d and texts × d) → images × texts.
    HostTensor logitsPerImage(const HostTensor &imageEmbedsNormalized, const HostTensor &textEmbedsNormalized) const;
};

// Loads whichever family the folder's config names (model_type "clip" or "siglip").
Result<std::unique_ptr<VisionLanguageModel>> loadVisionLanguageModel(const QString &folder,
                                                                     const ModelLoadOptions &options = {});

} // namespace lookalike
