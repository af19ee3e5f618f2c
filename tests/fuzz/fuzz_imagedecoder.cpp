// ImageDecoder::decode, the entry every ingested file, URL download and query image goes
// through: format sniffing, JPEG/PNG/GIF/WebP/TIFF/BMP through Qt's readers with the pixel
// cap, EXIF orientation, 16-bit/CMYK/palette conversion, alpha flattening, SVG.
#include "fuzzsupport.h"
#include "media/imagedecoder.h"

using namespace lookalike;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::initialise();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DecodeOptions options;
    options.maxSide = 224;
    options.maxPixels = 16LL * 1000 * 1000; // the product's cap is 128 M; a fuzzer's memory is not
    auto decoded = ImageDecoder::decode(fuzz::bytesOf(data, size), options);
    if (decoded && (decoded->image.isNull() || decoded->image.width() > 224 * 4 || decoded->image.height() > 224 * 4))
        std::abort(); // a success must be a usable image within the box
    return 0;
}
