#pragma once

#include "util/result.h"

#include <QImage>
#include <QSize>
#include <QString>

#include <span>
#include <vector>

namespace lookalike {

// Maps images (and optionally texts) to L2-normalised vectors; score = cosine = dot product.
// Implementations: ClassicEmbedder (built in), later CLIP/SigLIP/TorchScript under core/models.
class Embedder
{
public:
    virtual ~Embedder() = default;

    // Identity stored with the collection, e.g. "classic-v1" or "clip:openai/clip-vit-base-patch32".
    // Vectors from embedders with different ids are never mixed in one space.
    virtual QString id() const = 0;
    virtual int dimension() const = 0;

    // Longest side, in pixels, the embedder wants its input decoded to. The pipeline decodes
    // once at max(this, thumbnail size) and hands the same QImage to embedImages().
    virtual int preferredInputSide() const = 0;
    // The shorter side the embedder's own resize needs (CLIP resizes the shortest edge to 224):
    // the pipeline then decodes wide images larger than preferredInputSide() so that this side
    // is never upsampled. 0 when the embedder only cares about the longest side.
    virtual int minimumShortSide() const { return 0; }

    // Images are 8-bit RGB (QImage::Format_RGB888), already oriented and alpha-flattened.
    // Returns images.size() × dimension() floats, row-major, each row L2-normalised.
    virtual Result<std::vector<float>> embedImages(std::span<const QImage> images) = 0;

    virtual bool hasTextTower() const { return false; }
    virtual Result<std::vector<float>> embedTexts(std::span<const QString> texts)
    {
        Q_UNUSED(texts);
        return Error(QStringLiteral("%1 has no text tower").arg(id()), Error::Code::Unsupported);
    }

    // True when embedImages() may be called from several threads at once (no shared mutable
    // state); the pipeline then embeds inside its decode workers instead of a batch stage.
    virtual bool isReentrant() const { return false; }
    virtual int preferredBatchSize() const { return 1; }

    // Gives back memory kept between calls for speed (libtorch's buffer cache): called when a
    // job that embedded many images ends. Embedding again afterwards works as before.
    virtual void releaseWorkingMemory() {}

    // Calls releaseWorkingMemory() when it goes out of scope, whichever way a job ends.
    class WorkingMemoryScope
    {
    public:
        explicit WorkingMemoryScope(Embedder &embedder) : m_embedder(embedder) {}
        ~WorkingMemoryScope() { m_embedder.releaseWorkingMemory(); }
        WorkingMemoryScope(const WorkingMemoryScope &) = delete;
        WorkingMemoryScope &operator=(const WorkingMemoryScope &) = delete;

    private:
        Embedder &m_embedder;
    };
};

} // namespace lookalike
