#pragma once

#include "util/result.h"

#include <QJsonObject>
#include <QString>

#include <array>

namespace lookalike {

// What a Hugging Face image processor does to a picture before the vision tower, read from
// preprocessor_config.json. Keys the file leaves out take the defaults of the class it names
// ("image_processor_type", or the older "feature_extractor_type"): CLIPImageProcessor or
// SiglipImageProcessor of transformers 4.45. As in transformers, a null flag is false and a
// null size, mean, std, resample or rescale factor is the class default.
struct PreprocessorConfig
{
    enum class Family { Clip, Siglip };

    Family family = Family::Clip;
    QString processorClass; // as the file names it, e.g. "CLIPImageProcessor"

    bool doResize = true;
    // "size": {"shortest_edge": N} scales the shorter side to N keeping the aspect ratio
    // (then height = width = 0); {"height": H, "width": W} resizes to exactly H × W (then
    // shortestEdge = 0). A bare number means the first form for CLIP, H = W = N for SigLIP.
    int shortestEdge = 0;
    int height = 0;
    int width = 0;

    bool doCenterCrop = false;
    int cropHeight = 0; // "crop_size": {"height", "width"}, or a number for both
    int cropWidth = 0;

    int resample = 3; // PIL's filter code: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming

    bool doRescale = true;
    double rescaleFactor = 1.0 / 255.0;
    bool doNormalize = true;
    std::array<float, 3> mean{};
    std::array<float, 3> std{};
    // CLIP converts to RGB by default; SigLIP 4.45 does not (its default is None), so the
    // caller must hand it RGB.
    bool doConvertRgb = true;

    static Result<PreprocessorConfig> fromJson(const QJsonObject &json);
    static Result<PreprocessorConfig> fromFile(const QString &path);
    // CLIPImageProcessor(): shortest edge `size`, center crop size × size, bicubic, 1/255,
    // OpenAI's CLIP mean and std, convert to RGB.
    static PreprocessorConfig clipDefaults(int size = 224);
    // SiglipImageProcessor(): size × size without crop, bicubic, 1/255, mean = std = 0.5.
    static PreprocessorConfig siglipDefaults(int size = 224);

    bool operator==(const PreprocessorConfig &) const = default;
};

} // namespace lookalike
