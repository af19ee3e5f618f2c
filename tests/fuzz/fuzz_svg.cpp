// The SVG path alone (the safety scan, then Qt SVG): refused entities, external references,
// style sheets and oversized documents must be errors, never file access, hangs or crashes.
#include "fuzzsupport.h"
#include "media/svgrasteriser.h"

using namespace lookalike;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::initialise();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DecodeOptions options;
    options.maxSide = 128;
    options.maxSvgElements = 20'000;
    auto decoded = media::rasteriseSvg(fuzz::bytesOf(data, size), options);
    if (decoded && decoded->image.isNull())
        std::abort();
    return 0;
}
