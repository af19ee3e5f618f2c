#pragma once

#include "util/result.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace lookalike {

// An 8-bit image with interleaved channels and packed rows (stride = width × channels), the
// shape of a Pillow "L" (1), "LA" (2), "RGB" (3) or "RGBA" (4) image.
struct Image8
{
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<std::uint8_t> pixels;

    Image8() = default;
    Image8(int w, int h, int c) : width(w), height(h), channels(c), pixels(std::size_t(w) * h * c) {}

    bool isNull() const { return width <= 0 || height <= 0 || channels <= 0; }
    qsizetype stride() const { return qsizetype(width) * channels; }
    std::uint8_t *row(int y) { return pixels.data() + y * stride(); }
    const std::uint8_t *row(int y) const { return pixels.data() + y * stride(); }
};

// Pillow's resampling filters, numbered as PIL.Image.Resampling and as `resample` in a
// Hugging Face preprocessor_config.json.
enum class PilFilter : int { Nearest = 0, Lanczos = 1, Bilinear = 2, Bicubic = 3, Box = 4, Hamming = 5 };

// A port of Pillow's 8-bit resampling (libImaging/Resample.c and the nearest-neighbour scale
// of Geometry.c, as in Pillow 9.4), so that models see the pixels they were trained and
// published with: separable, horizontal pass first, the kernel widened by the scale factor
// when downscaling (bicubic a = −0.5), 22-bit fixed-point weights, the intermediate rounded
// and clamped to uint8. Output is bit-identical to Pillow's for the same input.
class PilResample final
{
public:
    static std::optional<PilFilter> filterFromCode(int code);

    // Image.resize(size, filter, box) at the C level: every channel resampled on its own
    // (Pillow's "L", "RGB", "RGBa"). `box` is the source region (left, top, right, bottom),
    // the whole image when absent. A same-size resize without a box returns a copy.
    // InvalidArgument for a null image, more than 4 channels, a size below 1 or a bad box.
    static Result<Image8> resize(const Image8 &image, int width, int height, PilFilter filter,
                                 std::optional<std::array<float, 4>> box = std::nullopt);

    // Image.resize() as Python calls it on "RGBA" and "LA" images (straight alpha in the last
    // channel): premultiply, resize, unpremultiply, each rounded as Pillow rounds. Other
    // channel counts go straight to resize(). Nearest needs no premultiplication and gets none.
    static Result<Image8> resizeWithAlpha(const Image8 &image, int width, int height, PilFilter filter,
                                          std::optional<std::array<float, 4>> box = std::nullopt);

    // Pillow's RGBA → RGBa and RGBa → RGBA conversions (also LA ↔ La), in place; the last
    // channel is alpha.
    static void premultiplyAlpha(Image8 &image);
    static void unpremultiplyAlpha(Image8 &image);
};

} // namespace lookalike
