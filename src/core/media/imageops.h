#pragma once

#include <QColor>
#include <QImage>
#include <QSize>

// Pixel helpers shared by the decoder and the thumbnail encoder.
namespace lookalike::media {

// `size` scaled so that its longer side is exactly maxSide, aspect kept, no side below 1.
QSize scaledToFit(QSize size, int maxSide);

// As scaledToFit(), but sizes that already fit are returned unchanged (never upscales).
QSize shrunkToFit(QSize size, int maxSide);

// `image` as Format_RGB888, any alpha composited ("source over") onto the opaque `background`.
QImage flattenToRgb888(const QImage &image, const QColor &background);

} // namespace lookalike::media
