#pragma once

#include "models/pilresample.h"
#include "models/preprocessorconfig.h"
#include "util/result.h"

#include <QImage>
#include <QList>
#include <QSize>
#include <QString>

#include <array>
#include <span>
#include <vector>

namespace lookalike {

// How one model family turns an image into pixel_values: the fields of a Hugging Face
// preprocessor_config.json plus which reference pipeline to reproduce where they disagree.
struct PreprocessSpec
{
    enum class Mode {
        // openai/CLIP clip._transform(): torchvision Resize + CenterCrop on the PIL image in
        // its original mode (RGBA resized with premultiplied alpha, grey as "L"), crop offset
        // int(round((w − crop) / 2)) with halves to even, RGB conversion (alpha dropped)
        // after the crop, then uint8 / 255.
        ClipOpenAi,
        // transformers CLIPImageProcessor: RGB first (alpha dropped, grey replicated), then
        // resize, crop offset (w − crop) // 2, rescale, normalise.
        ClipHf,
        // transformers SiglipImageProcessor on img.convert("RGB"): as ClipHf; usually an
        // exact height × width resize without crop.
        Siglip,
    };

    Mode mode = Mode::ClipHf;
    bool doResize = true;
    int shortestEdge = 0;  // > 0: shorter side → shortestEdge, longer side int(s·long/short)
    int height = 0;        // used when shortestEdge is 0: resize to exactly height × width
    int width = 0;
    bool doCenterCrop = false;
    int cropHeight = 0;
    int cropWidth = 0;
    int resample = int(PilFilter::Bicubic); // PIL code: 0 nearest … 3 bicubic … 5 hamming
    bool doRescale = true;
    double rescaleFactor = 1.0 / 255.0;
    bool doNormalize = true;
    std::array<float, 3> mean{0.5f, 0.5f, 0.5f}; // float32, as both references hold them
    std::array<float, 3> std{0.5f, 0.5f, 0.5f};
    bool doConvertRgb = true; // informational: every mode ends in RGB (see Mode)
    QString processorClass;   // "CLIPImageProcessor", "SiglipImageProcessor", …

    // The reference pipelines at `size` pixels (224 for ViT-B/32 CLIP and base SigLIP).
    static PreprocessSpec clipOpenAi(int size = 224);
    static PreprocessSpec clipHf(int size = 224);
    static PreprocessSpec siglip(int size = 224);
    // A model folder's preprocessor_config.json: ClipHf for the CLIP family, Siglip for
    // SigLIP; set `mode` to ClipOpenAi afterwards to reproduce openai/CLIP instead.
    static PreprocessSpec fromConfig(const PreprocessorConfig &config);
};

// Turns decoded images into a model's float input, exactly as the model's reference
// processor does (PilResample for the resize), so that embeddings match the published ones.
// Immutable after create(); process() may be called from several threads at once.
class ImagePreprocessor final
{
public:
    // InvalidArgument for sizes below 1 or above 8192, an unknown resample code, a zero std
    // or a non-finite factor; Unsupported when the output size would depend on the image
    // (shortest-edge resize without centre crop, or no resize and no crop).
    static Result<ImagePreprocessor> create(const PreprocessSpec &spec);

    const PreprocessSpec &spec() const { return m_spec; }
    // Height and width of every output (the crop size, or the resize size).
    QSize outputSize() const { return m_outputSize; }
    // 3 × height × width.
    qsizetype valuesPerImage() const;

    // pixel_values for one image, float32 CHW (RGB planes). Any QImage format: grey formats
    // are treated as Pillow "L", formats with alpha as "RGBA" (straight alpha), indexed
    // images by what their colour table holds (grey, colour or with alpha), the rest as
    // "RGB". InvalidArgument for a null image.
    Result<std::vector<float>> process(const QImage &image) const;
    // The same into `out`, which must hold valuesPerImage() floats.
    Result<void> processInto(const QImage &image, std::span<float> out) const;
    // N × 3 × height × width, in the order given; the first failing image's error (its index
    // in the message) fails the batch.
    Result<std::vector<float>> processBatch(const QList<QImage> &images) const;

    // The RGB image after resize and crop, before any scaling (HWC, 3 channels): what the
    // reference data calls resized_cropped_uint8 / resized_uint8.
    Result<Image8> resizedRgb(const QImage &image) const;

    // The QImage as the Pillow image the reference would have opened: 1 (L), 3 (RGB) or
    // 4 (RGBA, straight alpha) channels.
    static Image8 toPilImage(const QImage &image);

private:
    explicit ImagePreprocessor(const PreprocessSpec &spec);
    void writeValues(const Image8 &rgb, float *out) const;

    PreprocessSpec m_spec;
    PilFilter m_filter = PilFilter::Bicubic;
    QSize m_outputSize;
    // Per channel, the final float for each uint8 level (rescale and normalise folded in,
    // computed with the reference's float32 operations).
    std::array<std::array<float, 256>, 3> m_lut{};
};

} // namespace lookalike
