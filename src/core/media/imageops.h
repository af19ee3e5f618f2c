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

// The longest side to decode `size` to: `maxSide`, grown (aspect kept) until the shorter side
// reaches `minShortSide` — an embedder that resizes by the shortest edge must not be handed a
// wide image whose short side it would have to upsample. The growth stops at 4 × maxSide (a
// panorama is not worth a huge decode) and `minShortSide` 0 means no growth.
int decodeBox(QSize size, int maxSide, int minShortSide);

// `image` as Format_RGB888, any alpha composited ("source over") onto the opaque `background`.
QImage flattenToRgb888(const QImage &image, const QColor &background);

} // namespace lookalike::media
