#pragma once

#include "embed/embedder.h"
#include "models/visionlanguagemodel.h"

#include <memory>
#include <optional>

namespace lookalike {

class ImagePreprocessor;
class Tokenizer;

// An Embedder over a Hugging Face CLIP or SigLIP model folder: config.json,
// model.safetensors (or shards), preprocessor_config.json and the tokenizer files. Images go
// through the model's own preprocessing (processorSpec(), Pillow-exact resize), texts through
// its tokenizer, and both towers' outputs are L2-normalised, so image–image and text–image
// scores are cosines in one space.
//
// id(): "<family>:<folder name>", e.g. "clip:clip-vit-base-patch32" or
// "siglip:medsiglip-448" — the family from config.json's model_type, the name of the folder
// as it lies in the models folder (ModelRegistry resolves the id back to that folder); for a
// folder outside the models folder, "<family>:<absolute path>".
//
// Thread safety: every method may be called from several threads at once (the network,
// tokenizer and preprocessor are immutable). isReentrant() still says false, so that the
// pipeline batches images (preferredBatchSize()) into one forward pass that uses all of
// libtorch's intra-op threads, rather than running one-image passes in every decode worker
// that compete for the same cores.
class VisionLanguageEmbedder final : public Embedder
{
public:
    static Result<std::unique_ptr<VisionLanguageEmbedder>> load(const QString &folder, const ModelLoadOptions &options = {});
    ~VisionLanguageEmbedder() override;

    static QString idFor(const QString &family, const QString &folder);

    QString id() const override { return m_id; }
    int dimension() const override;
    // The processor's resize target (shortest edge for CLIP, the larger of height and width
    // for SigLIP).
    int preferredInputSide() const override;
    // Both processors resize the short side to at least the tower's input (CLIP by the shortest
    // edge, SigLIP by squashing to a square), so that side must not be upsampled.
    int minimumShortSide() const override { return preferredInputSide(); }
    Result<std::vector<float>> embedImages(std::span<const QImage> images) override;
    bool hasTextTower() const override { return true; }
    Result<std::vector<float>> embedTexts(std::span<const QString> texts) override;
    bool isReentrant() const override { return false; }
    int preferredBatchSize() const override { return kBatchSize; }
    void releaseWorkingMemory() override;

    // For calibrated scores: logit = logitScale()·cosine (+ logitBias() for SigLIP, where
    // sigmoid(logit) is the probability that image and text match).
    double logitScale() const;
    std::optional<double> logitBias() const;

    const VisionLanguageModel &model() const { return *m_model; }
    QString folder() const { return m_folder; }

private:
    static constexpr int kBatchSize = 16;

    VisionLanguageEmbedder(QString id, QString folder, std::unique_ptr<VisionLanguageModel> model,
                           std::unique_ptr<Tokenizer> tokenizer, std::unique_ptr<ImagePreprocessor> preprocessor);

    QString m_id;
    QString m_folder;
    std::unique_ptr<VisionLanguageModel> m_model;
    std::unique_ptr<Tokenizer> m_tokenizer;
    std::unique_ptr<ImagePreprocessor> m_preprocessor;
};

} // namespace lookalike
