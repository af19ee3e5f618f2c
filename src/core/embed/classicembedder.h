#pragma once

#include "embed/embedder.h"

namespace lookalike {

// The built-in descriptor: needs no weights, deterministic, L2-normalised.
// What it captures and how it was evaluated is in docs/classic-embedder.md.
class ClassicEmbedder final : public Embedder
{
public:
    static constexpr auto kId = "classic-v1";

    QString id() const override;
    int dimension() const override;
    int preferredInputSide() const override;
    Result<std::vector<float>> embedImages(std::span<const QImage> images) override;
    bool isReentrant() const override { return true; }

    // One image, written into `out` (dimension() floats). Thread-safe.
    void embed(const QImage &rgb, float *out) const;
};

} // namespace lookalike
