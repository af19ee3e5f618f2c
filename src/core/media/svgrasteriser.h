#pragma once

#include "media/imagedecoder.h"

namespace lookalike::media {

// Rasterises an SVG document to fit options.maxSide (up or down, aspect kept) on
// options.background. Before Qt SVG sees the bytes, a QXmlStreamReader pass refuses what
// Qt 6.4's SVG handler would turn into file access or unbounded work: DOCTYPE entity
// declarations other than plain internal text (external, parameter or nested entities, or
// more expansion than a cap), <?xml-stylesheet?> (Qt reads the named local file), href/xlink:href values
// other than "#..." and "data:" (Qt reads <image> files), and documents over the byte and
// element caps in `options`.
Result<DecodedImage> rasteriseSvg(const QByteArray &bytes, const DecodeOptions &options);

} // namespace lookalike::media
