#pragma once

#include "util/result.h"

#include <QJsonObject>
#include <QString>

#include <cstdint>

namespace lookalike {

// The hyper-parameters of Hugging Face's CLIP and SigLIP architectures, read from a model
// folder's config.json. `save_pretrained` writes only the keys that differ from the defaults,
// so every member starts at transformers 4.45's default (configuration_clip.py,
// configuration_siglip.py) and a file's key overrides it. Keys that only matter for training
// (dropout, initializer_range, initializer_factor) are not kept. A key whose value is JSON
// null counts as absent. Invalid values are errors naming the key ("text_config.hidden_size").

enum class HiddenAct {
    QuickGelu,       // "quick_gelu": x·sigmoid(1.702x) (CLIP)
    Gelu,            // "gelu": exact, erf-based
    GeluPytorchTanh, // "gelu_pytorch_tanh": tanh approximation (SigLIP)
    GeluNew,         // "gelu_new": the same tanh approximation, computed in Python
};
QString hiddenActName(HiddenAct act);

struct ClipTextConfig
{
    int vocabSize = 49408;
    int hiddenSize = 512;
    int intermediateSize = 2048;
    int projectionDim = 512; // CLIPTextModelWithProjection only; CLIPModel uses ClipConfig::projectionDim
    int numHiddenLayers = 12;
    int numAttentionHeads = 8;
    int maxPositionEmbeddings = 77;
    HiddenAct hiddenAct = HiddenAct::QuickGelu;
    double layerNormEps = 1e-5;
    // HF pools the text at the first eos_token_id, except for legacy configs with
    // eos_token_id == 2, where it pools at argmax(input_ids) as openai's CLIP does.
    int64_t padTokenId = 1;
    int64_t bosTokenId = 49406;
    int64_t eosTokenId = 49407;

    int headDim() const { return hiddenSize / numAttentionHeads; }
    static Result<ClipTextConfig> fromJson(const QJsonObject &json);
    bool operator==(const ClipTextConfig &) const = default;
};

struct ClipVisionConfig
{
    int hiddenSize = 768;
    int intermediateSize = 3072;
    int projectionDim = 512; // CLIPVisionModelWithProjection only
    int numHiddenLayers = 12;
    int numAttentionHeads = 12;
    int numChannels = 3;
    int imageSize = 224;
    int patchSize = 32;
    HiddenAct hiddenAct = HiddenAct::QuickGelu;
    double layerNormEps = 1e-5;

    int headDim() const { return hiddenSize / numAttentionHeads; }
    int64_t numPatches() const { return int64_t(imageSize / patchSize) * (imageSize / patchSize); }
    int64_t numPositions() const { return numPatches() + 1; } // + the class token
    static Result<ClipVisionConfig> fromJson(const QJsonObject &json);
    bool operator==(const ClipVisionConfig &) const = default;
};

struct ClipConfig
{
    ClipTextConfig text;
    ClipVisionConfig vision;
    int projectionDim = 512; // the width of both projections in CLIPModel
    // Only the initial value for training; the model's `logit_scale` tensor holds the real one.
    double logitScaleInitValue = 2.6592;

    // The root of config.json ("model_type": "clip"). A legacy "text_config_dict" /
    // "vision_config_dict" replaces "text_config" / "vision_config", as in transformers.
    static Result<ClipConfig> fromJson(const QJsonObject &json);
    static Result<ClipConfig> fromFile(const QString &path);
    bool operator==(const ClipConfig &) const = default;
};

struct SiglipTextConfig
{
    int vocabSize = 32000;
    int hiddenSize = 768;
    int intermediateSize = 3072;
    int numHiddenLayers = 12;
    int numAttentionHeads = 12;
    int maxPositionEmbeddings = 64;
    HiddenAct hiddenAct = HiddenAct::GeluPytorchTanh;
    double layerNormEps = 1e-6;
    int64_t padTokenId = 1;
    int64_t bosTokenId = 49406;
    int64_t eosTokenId = 49407;
    // Output width of the text `head`. transformers 4.45 has no such key (the head is
    // hidden × hidden); later versions add "projection_size", defaulting to hidden_size.
    int projectionSize = 768;

    int headDim() const { return hiddenSize / numAttentionHeads; }
    static Result<SiglipTextConfig> fromJson(const QJsonObject &json);
    bool operator==(const SiglipTextConfig &) const = default;
};

struct SiglipVisionConfig
{
    int hiddenSize = 768;
    int intermediateSize = 3072;
    int numHiddenLayers = 12;
    int numAttentionHeads = 12;
    int numChannels = 3;
    int imageSize = 224;
    int patchSize = 16;
    HiddenAct hiddenAct = HiddenAct::GeluPytorchTanh;
    double layerNormEps = 1e-6;
    // "vision_use_head": false in PaliGemma-style vision towers, which have no MAP head.
    bool useHead = true;

    int headDim() const { return hiddenSize / numAttentionHeads; }
    int64_t numPatches() const { return int64_t(imageSize / patchSize) * (imageSize / patchSize); }
    int64_t numPositions() const { return numPatches(); } // no class token
    static Result<SiglipVisionConfig> fromJson(const QJsonObject &json);
    bool operator==(const SiglipVisionConfig &) const = default;
};

struct SiglipConfig
{
    SiglipTextConfig text;
    SiglipVisionConfig vision;

    static Result<SiglipConfig> fromJson(const QJsonObject &json);
    static Result<SiglipConfig> fromFile(const QString &path);
    bool operator==(const SiglipConfig &) const = default;
};

// "clip" or "siglip", from config.json's "model_type" (or, when that is missing, from
// "architectures": CLIPModel / SiglipModel). Single-tower configs ("clip_vision_model", …)
// and other architectures are Unsupported.
Result<QString> modelType(const QString &configPath);

// A JSON file whose root is an object (config.json, preprocessor_config.json, …), at most a
// few megabytes. Errors: NotFound, Io, Corrupt (not JSON, not an object), TooLarge.
Result<QJsonObject> readJsonObjectFile(const QString &path);

} // namespace lookalike
