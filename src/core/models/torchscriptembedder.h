#pragma once

#include "embed/embedder.h"
#include "models/imagepreprocessor.h"

#include <array>
#include <memory>
#include <optional>

namespace lookalike {

// An Embedder over a TorchScript image encoder a user exported (torch.jit.script or
// torch.jit.trace of a ResNet, a VGG, …): any module mapping a normalised N × 3 × H × W float
// batch to N × D features. `<name>.pt` comes with `<name>.json` beside it, which says how
// images become that batch:
//
//   {"name": "resnet50-places",          what the user calls it (informational)
//    "input_size": 224 | [h, w],         the module's input side(s), 8..2048
//    "resize": "shortest_edge_center_crop" | "squash",
//    "mean": [r, g, b], "std": [r, g, b] applied after scaling pixels to 0..1
//    "dimension": 2048,                  optional: D, checked against the module
//    "resize_size": 256,                 optional, shortest_edge_center_crop only: the
//                                        shorter side before the crop (default: the larger
//                                        input side); torchvision's ImageNet models were
//                                        evaluated at Resize(256) + CenterCrop(224)
//    "interpolation": "bicubic"}         optional: nearest, bilinear, bicubic (default),
//                                        lanczos, box, hamming (Pillow's filters)
//
// The resize and crop are torchvision's Resize + CenterCrop on a PIL image, reproduced
// Pillow-exactly by ImagePreprocessor (Mode::ClipOpenAi is that pipeline), then ToTensor and
// Normalize. "squash" resizes to exactly h × w without crop. Other keys are refused, so that
// a misspelt optional key cannot silently change the preprocessing.
//
// id(): "torchscript:<base name>" for a .pt lying directly in ModelRegistry::modelsDir(),
// else "torchscript:<absolute path of the .pt>".
//
// Thread safety: calls are serialised by an internal mutex (a scripted module's forward may
// keep state of its own, which the exporter controls and we cannot see).
class TorchScriptEmbedder final : public Embedder
{
public:
    struct Sidecar
    {
        enum class Resize { ShortestEdgeCenterCrop, Squash };

        QString name;
        int inputHeight = 0;
        int inputWidth = 0;
        Resize resize = Resize::ShortestEdgeCenterCrop;
        int resizeSize = 0; // shortest edge before the crop; the larger input side by default
        PilFilter interpolation = PilFilter::Bicubic;
        std::array<float, 3> mean{};
        std::array<float, 3> std{};
        std::optional<int> dimension;

        // InvalidArgument naming the file and the key for anything missing, of the wrong
        // type or out of range; NotFound / Io / Corrupt when the file cannot be read as JSON.
        static Result<Sidecar> fromFile(const QString &jsonPath);
        // The ImagePreprocessor settings equivalent to the torchvision pipeline above.
        PreprocessSpec preprocessSpec() const;
    };

    // Reads `ptPath` and sidecarPath(ptPath), loads the module on TorchRuntime's device, and
    // runs one zero batch to learn D (which must be 1..65536, finite, and equal "dimension"
    // when given). A missing, truncated or foreign .pt is an error, never a crash.
    static Result<std::unique_ptr<TorchScriptEmbedder>> load(const QString &ptPath);
    ~TorchScriptEmbedder() override;

    // `<dir>/<name>.json` for `<dir>/<name>.pt`.
    static QString sidecarPath(const QString &ptPath);
    static QString idFor(const QString &ptPath);

    QString id() const override { return m_id; }
    int dimension() const override { return m_dimension; }
    void releaseWorkingMemory() override;
    // Squash: the larger input side. Shortest edge: resize_size, with minimumShortSide()
    // keeping the shorter side of wide images at least resize_size, so the Pillow resize only
    // ever shrinks them, as it would in the user's torchvision pipeline on the full image.
    int preferredInputSide() const override;
    int minimumShortSide() const override;
    Result<std::vector<float>> embedImages(std::span<const QImage> images) override;
    bool isReentrant() const override { return false; }
    int preferredBatchSize() const override { return kBatchSize; }

    // The module's raw output for `n` images already preprocessed (n × 3 × h × w floats,
    // NCHW, h × w = inputSize()): n × dimension() floats, not normalised.
    Result<std::vector<float>> forwardNormalised(const float *nchw, int n);

    const Sidecar &sidecar() const { return m_sidecar; }
    QSize inputSize() const { return QSize(m_sidecar.inputWidth, m_sidecar.inputHeight); }
    QString path() const { return m_path; }
    // "cpu" or "cuda".
    QString device() const;

private:
    static constexpr int kBatchSize = 16;
    struct Private;

    TorchScriptEmbedder(QString id, QString path, Sidecar sidecar, ImagePreprocessor preprocessor,
                        std::unique_ptr<Private> d);

    QString m_id;
    QString m_path;
    Sidecar m_sidecar;
    ImagePreprocessor m_preprocessor;
    int m_dimension = 0;
    std::unique_ptr<Private> d;
};

} // namespace lookalike
